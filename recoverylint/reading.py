"""Reading a file's bytes and text within the limits, and where a refusal
is: what a run needs before (and without) parsing YAML.

source.py parses; this module holds the parts a run that takes every result
from the cache still uses, so that such a run imports neither ruamel nor the
model (source.py re-exports every name here).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .files import NotRegularFile, TooLargeFile, UnreadableFile, over_limit, read_file

if TYPE_CHECKING:
    from .model import Span

DEFAULT_MAX_FILE_SIZE = 10 * 1024 * 1024
DEFAULT_MAX_DEPTH = 200
# Nodes that aliases may add beyond those written in the file: generous for
# real anchors, while a "billion laughs" file is rejected after a few levels.
DEFAULT_MAX_ALIAS_NODES = 100_000
# Documents of one `---` separated stream: manifests hold a handful; a file of
# millions of empty documents would otherwise cost a gigabyte.
DEFAULT_MAX_DOCUMENTS = 1_000

# YAML 1.2 c-printable, less what libyaml already rejects on its own: these
# are refused with a precise location before parsing.
_FORBIDDEN_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]")


@dataclass(frozen=True)
class Limits:
    """Bounds that keep a hostile file from exhausting time or memory."""

    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    max_depth: int = DEFAULT_MAX_DEPTH
    max_alias_nodes: int = DEFAULT_MAX_ALIAS_NODES
    max_documents: int = DEFAULT_MAX_DOCUMENTS


class SourceError(Exception):
    """The file cannot be read as one YAML document of plain data (RL001)."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column

    @property
    def span(self) -> Span:
        from .model import Span  # only a refusal shown needs it: a warm run has none

        return Span(self.line, self.column, self.line, self.column + 1)


def read_text(path: Path, limits: Limits = Limits(), language: str = "YAML") -> str:
    """Read a file as UTF-8 text, enforcing the size limit and the character set."""
    return decode(read_bytes(path, limits), language)


def read_bytes(path: Path, limits: Limits = Limits()) -> bytes:
    """A regular file's bytes, enforcing the size limit (files.read_file: a
    FIFO or a device is refused without blocking, never read)."""
    try:
        return read_file(path, limits.max_file_size)
    except NotRegularFile:
        raise SourceError("not a regular file") from None
    except TooLargeFile as error:
        raise SourceError(f"{error.strerror}{_RAISE_IT}") from None
    except UnreadableFile as error:
        raise SourceError(f"cannot read the file: {error.strerror}") from None


def check_size(size: int, limits: Limits) -> None:
    if size > limits.max_file_size:
        raise SourceError(over_limit(size, limits.max_file_size) + _RAISE_IT)


_RAISE_IT = " (raise it with --max-file-size)"


# Byte order marks of the encodings YAML allows besides UTF-8, longest first:
# a UTF-32 LE mark begins with the UTF-16 LE one.
_OTHER_ENCODINGS = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)


def decode(raw: bytes, language: str = "YAML") -> str:
    """Decode UTF-8 (a BOM is allowed) and refuse bytes YAML does not allow;
    `language` is what the file is written in, as a refusal names it (a
    format with its own parser: "a Markdown runbook")."""
    for mark, encoding in _OTHER_ENCODINGS:
        if raw.startswith(mark):
            raise SourceError(f"the file is {encoding} encoded; recoverylint reads UTF-8 only")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        prefix = raw[: error.start].decode("utf-8", "replace")
        line, column = LineIndex(prefix).position(len(prefix))
        raise SourceError(
            f"invalid UTF-8: byte 0x{raw[error.start]:02x} cannot start or continue a character",
            line,
            column,
        ) from None
    match = _FORBIDDEN_CHARS.search(text)
    if match:
        line, column = LineIndex(text).position(match.start())
        raise SourceError(
            f"control character U+{ord(match.group()):04X} is not allowed in {language}", line, column
        )
    return text


def decode_accepted(raw: bytes) -> str:
    """The text of bytes that `decode` accepted before (a worker's or a cached
    check's, tied to these bytes by their hash): UTF-8 without the scans for
    refused characters, which cost ten times the decoding itself.  Raises
    UnicodeDecodeError (a ValueError) when they are not UTF-8 after all."""
    return raw.decode("utf-8-sig")


# Where editors (and every position recoverylint shows) break lines.
_LINE_BREAK = re.compile("\r\n|\r|\n")


def editor_lines(text: str) -> list[str]:
    """The lines of `text` as editors count them, without their breaks: LF,
    CR LF and a lone CR end a line; NEL, U+2028 and U+2029 do not (where
    str.splitlines would split)."""
    lines = _LINE_BREAK.split(text)
    if lines[-1] == "":
        lines.pop()  # after a final line break: no line of its own
    return lines


class LineIndex:
    """Editor lines and columns of a text's characters, by character offset:
    the one place a parser's position becomes the position a finding shows."""

    def __init__(self, text: str) -> None:
        self.starts = [0]  # where each line starts
        self.starts.extend(match.end() for match in _LINE_BREAK.finditer(text))

    def position(self, offset: int) -> tuple[int, int]:
        """1-based line and column of the character at `offset`."""
        line = bisect_right(self.starts, offset) - 1
        return line + 1, offset - self.starts[line] + 1
