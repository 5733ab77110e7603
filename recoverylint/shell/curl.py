"""curl: the URL is `http/<host>/<path>` (scheme, query and fragment
dropped); GET and HEAD read it, any other method writes it.  The method is
`-X`, else POST when data or a form is sent, PUT for an upload."""

from __future__ import annotations

from urllib.parse import urlsplit

from ._invocation import Effect, Invocation, ToolTable

_DATA_FLAGS = ("-d", "--data", "--data-raw", "--data-binary", "--data-urlencode", "--json", "-F", "--form")
VALUE_FLAGS = frozenset(
    {"-X", "--request", "-H", "--header", "-o", "--output", "-u", "--user", "--cacert", "--cert",
     "--key", "-m", "--max-time", "--connect-timeout", "-w", "--write-out", "-T", "--upload-file",
     "-A", "--user-agent", "-e", "--referer", "-b", "--cookie", "--retry", *_DATA_FLAGS}
)


def url_resource(url: str) -> str | None:
    parts = urlsplit(url if "://" in url else "http://" + url)
    if not parts.hostname:
        return None
    path = parts.path.strip("/")
    return f"http/{parts.hostname}/{path}" if path else f"http/{parts.hostname}"


def read(call: Invocation) -> Effect | None:
    urls = [name for name in (url_resource(word) for word in call.positionals) if name]
    if not urls:
        return None
    method = (call.value("-X", "--request") or "").upper()
    if not method:
        if call.has("-T", "--upload-file"):
            method = "PUT"
        elif call.has(*_DATA_FLAGS):
            method = "POST"
        else:
            method = "GET"
    if method in ("GET", "HEAD") or call.has("-I", "--head"):
        return Effect(reads=tuple(urls))
    return Effect(writes=tuple(urls))


TABLE = ToolTable(("curl",), VALUE_FLAGS, read)
