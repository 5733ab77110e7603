"""What the server's tests share: opening a document, waiting for its diagnostics."""

from __future__ import annotations

import asyncio
import functools
import sys
import threading
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lsprotocol import types
from pytest_lsp import LanguageClient

ROOT = Path(__file__).resolve().parents[2]
SERVER = [sys.executable, "-m", "recoverylint", "server"]


class LoopThread:
    """An asyncio loop running in a thread of its own, whatever loop the
    test's thread has."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, work: Coroutine[Any, Any, Any], timeout: float = 300) -> Any:
        return asyncio.run_coroutine_threadsafe(work, self.loop).result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=30)
        self.loop.close()


@dataclass
class Session:
    """The `client` fixture: an initialized client, and the loop it runs in."""

    lsp: LanguageClient
    loop: LoopThread


def in_server_loop(test: Callable[..., Coroutine[Any, Any, None]]) -> Callable[..., None]:
    """An async test run in the loop of its `client` (given the client
    itself), or in a loop of its own when it starts its own servers."""

    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> None:
        session = kwargs.get("client")
        if isinstance(session, Session):
            session.loop.run(test(*args, **{**kwargs, "client": session.lsp}))
            return
        own = LoopThread()
        try:
            own.run(test(*args, **kwargs))
        finally:
            own.close()

    return run


def expect_diagnostics(client: LanguageClient, uri: str) -> Coroutine[Any, Any, list[types.Diagnostic]]:
    """The next diagnostics published for `uri`: call before the message
    that makes the server publish them, await after."""
    client.diagnostics.pop(uri, None)

    async def published() -> list[types.Diagnostic]:
        for _ in range(6000):  # a minute, on a busy machine
            if uri in client.diagnostics:
                return list(client.diagnostics.pop(uri))
            await asyncio.sleep(0.01)
        raise TimeoutError(f"no diagnostics for {uri}")

    return published()


async def open_document(
    client: LanguageClient, path: Path, text: str | None = None, language: str = "yaml"
) -> list[types.Diagnostic]:
    """Open a runbook in the server (`text` written to `path` first, when
    given); its first diagnostics."""
    if text is None:
        text = path.read_text(encoding="utf-8")
    else:
        path.write_text(text, encoding="utf-8")
    uri = path.as_uri()
    waiting = expect_diagnostics(client, uri)
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id=language, version=1, text=text)
        )
    )
    return await waiting


async def change_document(client: LanguageClient, path: Path, version: int, text: str) -> None:
    """Send the document's whole new text, as a new version."""
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=path.as_uri(), version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


def close_document(client: LanguageClient, path: Path) -> None:
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=path.as_uri()))
    )


def shown(diagnostics: list[types.Diagnostic]) -> list[tuple[str, int, int]]:
    """(code, 1-based line, 1-based column) of each diagnostic, sorted."""
    return sorted((str(d.code), d.range.start.line + 1, d.range.start.character + 1) for d in diagnostics)


# A runbook whose findings carry safe fixes, with ids that are prefixes of
# others (`check`, `check-deploys`, `check-logs`).
DEMO = """runbook: demo
flow: parallel
roles:
  sre: {authority: [decide, observe, apply, communicate], people: 3}
steps:
  - id: check
    role: sre
    duration: 5m
    outputs: [usage]
  - id: check-deploys
    role: sre
    duration: 5m
    needs: [check]
    inputs: [usage]
    outputs: [deploys]
  - id: notify
    role: sre
    duration: 2m
    needs: [check-deploys, check]
    inputs: [deploys]
  - id: check-logs
    role: sre
    duration: 3m
    needs: [check]
"""


def apply_edits(text: str, edits: list[types.TextEdit]) -> str:
    """The text with the edits applied (positions in UTF-16 units; the
    runbooks of these tests are ASCII, where they are characters)."""
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(position: types.Position) -> int:
        return starts[min(position.line, len(lines))] + position.character

    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        text = text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end):]
    return text


def at(line: int, column: int) -> types.Position:
    """A 1-based line and column as the protocol's position."""
    return types.Position(line=line - 1, character=column - 1)


def document(path: Path) -> types.TextDocumentIdentifier:
    return types.TextDocumentIdentifier(uri=path.as_uri())
