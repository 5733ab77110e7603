"""Reading a YAML file into plain data with a source span for every value.

The C-backed libyaml parser produces events; this module builds plain Python
data from them without recursion, so that depth, alias expansion, duplicate
keys and tags are checked while building and a hostile file is rejected early
(ruamel's own composer recurses and crashes the interpreter on deep nesting).
Nothing here knows what a runbook is.
"""

from __future__ import annotations

import gc
import re
import sys
from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from sys import intern
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)

try:  # libyaml through ruamel.yaml.clib; the pure parser is several times slower
    from _ruamel_yaml import CParser
except ImportError:  # pragma: no cover - CPython wheels ship it
    CParser = None

from .files import NotRegularFile, TooLargeFile, UnreadableFile, over_limit, read_file
from .model import COLUMN_BITS, LINE_BITS, RawSpan, Span, pack_span, span_start, unpack_span

DEFAULT_MAX_FILE_SIZE = 10 * 1024 * 1024
DEFAULT_MAX_DEPTH = 200
# Nodes that aliases may add beyond those written in the file: generous for
# real anchors, while a "billion laughs" file is rejected after a few levels.
DEFAULT_MAX_ALIAS_NODES = 100_000
# Documents of one `---` separated stream: manifests hold a handful; a file of
# millions of empty documents would otherwise cost a gigabyte.
DEFAULT_MAX_DOCUMENTS = 1_000

# A value's span, as model.pack_span packs it.  A column fills its bits only
# on a line of 16 MB: parse refuses longer lines.
LONGEST_LINE = (1 << COLUMN_BITS) - 1  # characters, its line break left out


# A mapping entry's key span and value span, packed into one int (the key's
# above the value's): a third of the memory of a tuple of two.
_ENTRY_SHIFT = 2 * (LINE_BITS + COLUMN_BITS)
_VALUE_MASK = (1 << _ENTRY_SHIFT) - 1


Container = dict[Any, Any] | list[Any]

_STANDARD_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = frozenset(
    _STANDARD_TAG + name for name in ("str", "int", "float", "bool", "null")
)
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
        return Span(self.line, self.column, self.line, self.column + 1)


class Document:
    """Plain data of one YAML document, and where each part of it was written."""

    def __init__(
        self,
        data: Any,
        root_span: RawSpan,
        spans: dict[int, Any],
        start: RawSpan = 0,
        rest: tuple[Document, ...] = (),
        merged_into: frozenset[int] = frozenset(),
    ) -> None:
        self.data = data
        # id(mapping) of each mapping of the stream a merge key (`<<`) gave keys.
        self.merged_into = merged_into
        self._root_span = root_span
        # id(container) -> {key: key span << _ENTRY_SHIFT | value span} for a
        # mapping, [value span, ...] for a sequence.  Containers are kept alive by data.
        self._spans = spans
        self._start = start
        # The documents after the first in a `---` separated stream (workflow
        # manifests hold several; a native runbook holds one).
        self.rest = rest

    @property
    def start_span(self) -> Span:
        """Where the document starts (its `---`, or its first node)."""
        return unpack_span(self._start)

    @property
    def root_span(self) -> Span:
        return unpack_span(self._root_span)

    def value_span(self, container: Container, key: Any) -> Span:
        """Span of the value at `key` (a mapping key or a list index)."""
        entry = self._spans[id(container)][key]
        return unpack_span(entry & _VALUE_MASK if isinstance(container, dict) else entry)

    def packed_value_span(self, mapping: dict[Any, Any], key: Any) -> RawSpan:
        """`value_span` of a mapping's value, packed (model.unpack_span reads it)."""
        return self._spans[id(mapping)][key] & _VALUE_MASK  # type: ignore[no-any-return]

    def packed_item_spans(self, sequence: list[Any]) -> list[RawSpan]:
        """The span of each item of a sequence, in its order, packed
        (model.unpack_span reads them): the document's own list, not to be changed."""
        return self._spans[id(sequence)]  # type: ignore[no-any-return]

    def key_span(self, mapping: dict[Any, Any], key: str) -> Span:
        """Span of the key itself, where a finding about the entry points."""
        return unpack_span(self._spans[id(mapping)][key] >> _ENTRY_SHIFT)

    def span_at(self, path: Iterable[Any]) -> Span:
        """Span of the deepest node reached along a JSON path (keys and indices)."""
        node: Any = self.data
        raw = self._root_span
        for part in path:
            spans = self._spans.get(id(node))
            if spans is None:
                break
            if isinstance(node, dict) and part in node:
                raw = spans[part] & _VALUE_MASK
            elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
                raw = spans[part]
            else:
                break
            node = node[part]
        return unpack_span(raw)


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
# Line breaks of YAML 1.1 that libyaml (and ruamel's reader) count too, and
# editors do not: after one, the parser's line and column are not the editor's.
_PARSER_ONLY_BREAK = re.compile("[\x85\u2028\u2029]")


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


def _longest_line(text: str) -> tuple[int, int]:
    """The 1-based number and the length (its break left out) of the first longest line."""
    longest, longest_number, number, start = -1, 0, 1, 0
    for match in _LINE_BREAK.finditer(text):
        if match.start() - start > longest:
            longest, longest_number = match.start() - start, number
        number, start = number + 1, match.end()
    if len(text) - start > longest:
        return number, len(text) - start
    return longest_number, longest


# The Python types a plain scalar may resolve to under each of `_SCALAR_TAGS`.
_TAG_KINDS: dict[str, type | tuple[type, ...]] = {"int": int, "float": (int, float), "bool": bool, "null": type(None)}


def _of_kind(resolved: Any, expected: str) -> bool:
    """Whether a resolved plain scalar is of the `!!{expected}` kind (a bool is no int)."""
    return not (isinstance(resolved, bool) and expected != "bool") and isinstance(resolved, _TAG_KINDS[expected])


def resolve_plain(value: str) -> Any:
    """YAML 1.2 core schema resolution of an untagged plain scalar."""
    if not value:
        return None
    first = value[0]
    # Most scalars in a runbook are words: decide those without a regex.
    if first not in _RESOLVED_STARTS:
        return value
    if value in ("~", "null", "Null", "NULL"):
        return None
    if value in ("true", "True", "TRUE"):
        return True
    if value in ("false", "False", "FALSE"):
        return False
    if value[-1] not in _NUMBER_ENDS:  # `5m`, `no`, `nightly`: text
        return value
    if _INT.fullmatch(value):
        return int(value)
    if _OCT.fullmatch(value):
        return int(value[2:], 8)
    if _HEX.fullmatch(value):
        return int(value[2:], 16)
    if _FLOAT.fullmatch(value):
        return float(value)
    if _INF.fullmatch(value):
        return float("-inf") if first == "-" else float("inf")
    if value in (".nan", ".NaN", ".NAN"):
        return float("nan")
    return value


# The first and last characters of numbers, `.inf` and `.nan` included.
_NUMBER_STARTS = "-+.0123456789"
_NUMBER_ENDS = "0123456789abcdefABCDEF.nN"
# The first characters of a plain scalar that may be no text: a number, null
# (`~`, `null`) or a boolean.
_RESOLVED_STARTS = _NUMBER_STARTS + "~nNtTfF"
_INT = re.compile(r"[-+]?[0-9]+")
_OCT = re.compile(r"0o[0-7]+")
_HEX = re.compile(r"0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_INF = re.compile(r"[-+]?\.(inf|Inf|INF)")


def _scalar(event: ScalarEvent) -> Any:
    try:
        return _scalar_value(event)
    except ValueError:  # Python refuses to convert integers of thousands of digits
        raise _error_at(event, f"the number `{event.value[:20]}…` is too large") from None


def _scalar_value(event: ScalarEvent) -> Any:
    tag = event.tag
    value = event.value
    if tag is None or tag == "!":
        if event.style or tag == "!":  # quoted, literal or folded: a string
            return value
        return resolve_plain(value)
    if tag == _STANDARD_TAG + "str":
        return value
    if tag in _SCALAR_TAGS:
        resolved = resolve_plain(value)
        expected = tag[len(_STANDARD_TAG):]
        if not _of_kind(resolved, expected):
            raise _error_at(event, f"`{value}` is not a valid !!{expected}")
        return float(resolved) if expected == "float" else resolved
    raise _error_at(event, _tag_problem(tag))


def _tag_problem(tag: str) -> str:
    shown = "!!" + tag[len(_STANDARD_TAG):] if tag.startswith(_STANDARD_TAG) else tag
    return f"the tag `{shown}` is not allowed: recoverylint reads plain data only and builds no objects"


class _Problem(Exception):
    """What is wrong at a parser's mark; parse says where in editor lines."""

    def __init__(self, mark: Any, message: str) -> None:
        super().__init__(message)
        self.mark = mark
        self.message = message


def _error_at(event: Any, problem: str) -> _Problem:
    return _Problem(event.start_mark, problem)


class _Positions:
    """Editor lines and columns (0-based) of a parser's marks, for one text.

    The parser counts NEL, U+2028 and U+2029 as line breaks: positions then
    come from the mark's character offset through a LineIndex.  And it ends a
    text without a final line break on a line of its own, past the last one
    an editor shows: a mark there is the end of the text's last line."""

    def __init__(self, text: str) -> None:
        # The parser skips a byte order mark: its marks count from after it.
        text = text.removeprefix("\ufeff")
        self.index = LineIndex(text) if _PARSER_ONLY_BREAK.search(text) else None
        self.length = len(text)
        self.end_of_text: tuple[int, int] | None = None
        if text and text[-1] not in "\r\n":
            breaks = text.count("\n") + text.count("\r") - text.count("\r\n")
            self.end_of_text = breaks, len(text) - max(text.rfind("\n"), text.rfind("\r")) - 1

    def point(self, mark: Any) -> tuple[int, int]:
        if self.index is not None:
            line, column = self.index.position(mark.index)
            return line - 1, column - 1
        if self.end_of_text is not None and mark.index == self.length:
            return self.end_of_text
        return mark.line, mark.column

    def editor_point(self, mark: Any) -> tuple[int, int]:
        """1-based editor line and column of a mark."""
        line, column = self.point(mark)
        return line + 1, column + 1

    @property
    def exact(self) -> bool:
        """Whether every mark's own line and column are the editor's (the common case)."""
        return self.index is None and self.end_of_text is None

    def packer(self) -> Callable[[Any, Any], RawSpan]:
        """The function packing the span between two marks."""
        if self.exact:
            return lambda start, end: pack_span(start.line, start.column, end.line, end.column)
        point = self.point
        return lambda start, end: pack_span(*point(start), *point(end))


def parse(text: str, limits: Limits = Limits()) -> Document:
    """Build the first document of plain data with spans, and the others of
    the stream in its `rest`, or raise SourceError."""
    if len(text) > LONGEST_LINE:
        line, length = _longest_line(text)
        if length > LONGEST_LINE:  # its columns would not fit a packed span
            raise SourceError(
                f"line {line:,} is longer than {LONGEST_LINE:,} characters, the longest recoverylint reads",
                line,
                1,
            )
    # Positions are mapped only when the parser's lines are not the editor's.
    positions = _Positions(text)
    enabled = gc.isenabled()
    # The data built here has no reference cycles: the cyclic collector would
    # only rescan it again and again (measured 2-5x slower on large files).
    gc.disable()
    try:
        return _build(text, limits, positions.packer(), positions.exact)
    except _Problem as problem:
        raise SourceError(problem.message, *positions.editor_point(problem.mark)) from None
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        reason = error.problem or str(error)
        if error.context:
            reason = f"{reason} ({error.context})"
        line, column = positions.editor_point(mark) if mark else (1, 1)
        raise SourceError(f"YAML syntax error: {reason}", line, column) from None
    except YAMLError as error:
        raise SourceError(f"YAML error: {error}") from None
    finally:
        if enabled:
            gc.enable()


def _event_source(text: str) -> Callable[[], Any]:
    """A function returning the next parser event, the C parser's own when there is one."""
    next_event: Callable[[], Any] = (
        CParser(text).get_event if CParser is not None else YAML(typ="safe", pure=True).parse(text).__next__
    )
    return next_event


def _build(text: str, limits: Limits, span_of: Callable[[Any, Any], RawSpan], exact_marks: bool) -> Document:
    """The documents of `text`.  `span_of` packs the span between two marks;
    when `exact_marks`, the marks' own lines and columns are the editor's and
    the common events pack theirs inline: this loop runs once per event (a
    million events for 1,000 runbooks), and each call saved in it counts."""
    next_event = _event_source(text)
    spans: dict[int, Any] = {}
    anchors: dict[str, tuple[Any, int]] = {}
    # Each collection being read, outermost first: (itself, the spans of its
    # items, its start event, the number of nodes read before it, the key
    # of the mapping holding it, waiting for it as its value).
    stack: list[tuple[Any, Any, Any, int, Any]] = []
    # The innermost collection, in locals: this loop reads them at every event.
    container: Any = None  # None: at the top of a document
    entry_spans: Any = None  # {key: key span << _ENTRY_SHIFT | value span} or [item span, ...]
    is_mapping = False
    pending: tuple[str, RawSpan, bool] | None = None  # a key read, waiting for its value
    # The keys of a mapping that a merge key gave it (explicit keys override them).
    merged: dict[int, set[str]] = {}
    merged_into: set[int] = set()
    # Nodes read (an alias counted as the nodes it repeats): a collection's
    # size, which an alias of it adds to `alias_nodes`, is the count it ends at
    # less the count it started at.
    nodes = 0
    alias_nodes = 0
    # (root, its span, where the document starts) for each document.
    documents: list[list[Any]] = []
    max_depth = limits.max_depth
    line_shift, column_shift = LINE_BITS + COLUMN_BITS, COLUMN_BITS

    while True:
        event = next_event()
        cls = event.__class__
        if cls is ScalarEvent:
            if exact_marks:
                start, end = event.start_mark, event.end_mark
                raw = (start.line << column_shift | start.column) << line_shift | end.line << column_shift | end.column
            else:
                raw = span_of(event.start_mark, event.end_mark)
            if is_mapping and pending is None:  # a key
                key = event.value
                # Its tag judged, an anchor on it kept, and a number too long
                # for Python to convert refused, as for a value.
                if event.ctag is not None or event.anchor or len(key) > _LONGEST_CONVERTED:
                    _scalar_read(event, anchors)
                # Interned: a key is written once per mapping (every step's
                # `id`, `needs`...), and one string serves them all.
                pending = (intern(key), raw, key == "<<" and event.ctag is None and not event.style)
                continue
            if event.ctag is not None or event.anchor:
                value = _scalar_read(event, anchors)
            elif event.style:  # quoted, literal or folded: a string
                value = event.value
            else:
                value = event.value
                if value in _PLAIN_WORDS:  # null or a boolean
                    value = _PLAIN_WORDS[value]
                elif value[:1] in _NUMBER_STARTS and value[-1] in _NUMBER_ENDS:
                    value = _scalar(event)  # a number, or text that looks like one
                else:
                    value = intern(value)
            nodes += 1
        elif cls is MappingStartEvent or cls is SequenceStartEvent:
            if len(stack) >= max_depth:
                raise _error_at(event, f"nesting deeper than {max_depth} levels")
            tag = event.ctag
            if tag is not None and str(tag) not in _COLLECTION_TAGS:
                raise _error_at(event, _tag_problem(str(tag)))
            if is_mapping and pending is None:
                raise _error_at(event, "a mapping or sequence used as a key is not supported")
            if cls is MappingStartEvent:
                container, entry_spans, is_mapping = {}, {}, True
            else:
                container, entry_spans, is_mapping = [], [], False
            stack.append((container, entry_spans, event, nodes, pending))
            pending = None
            nodes += 1
            continue
        elif cls is MappingEndEvent or cls is SequenceEndEvent:
            value, done_spans, start_event, first_node, pending = stack.pop()
            spans[id(value)] = done_spans
            if start_event.anchor:
                anchors[start_event.anchor] = (value, nodes - first_node)
            if exact_marks:
                start, end = start_event.start_mark, event.end_mark
                raw = (start.line << column_shift | start.column) << line_shift | end.line << column_shift | end.column
            else:
                raw = span_of(start_event.start_mark, event.end_mark)
            if stack:
                container, entry_spans = stack[-1][:2]
                is_mapping = container.__class__ is dict
            else:
                container, entry_spans, is_mapping = None, None, False
        elif cls is AliasEvent:
            target = anchors.get(event.anchor)
            if target is None:
                raise _error_at(event, f"alias `*{event.anchor}` refers to no complete anchor")
            value, size = target
            alias_nodes += size
            if alias_nodes > limits.max_alias_nodes:
                raise _error_at(
                    event,
                    f"aliases expand to more than {limits.max_alias_nodes:,} nodes"
                    " (an alias bomb?)",
                )
            if is_mapping and pending is None:
                raise _error_at(event, "an alias used as a key is not supported")
            nodes += size
            raw = span_of(event.start_mark, event.end_mark)
        elif cls is StreamEndEvent:
            break
        elif cls is DocumentStartEvent:
            if len(documents) >= limits.max_documents:
                raise _error_at(event, f"more than {limits.max_documents:,} YAML documents in one file")
            raw = span_of(event.start_mark, event.end_mark)
            documents.append([None, raw, raw])
            continue
        else:
            continue
        # A complete value: a scalar, an alias or a collection just ended.
        if container is None:
            documents[-1][:2] = value, raw
        elif not is_mapping:
            container.append(value)
            entry_spans.append(raw)
        else:
            key, key_raw, merge = pending  # type: ignore[misc]  # a mapping's value follows its key
            pending = None
            if merge or key in container:  # a merge key or a duplicate: the careful way
                if merge:
                    merged_into.add(id(container))
                keys_merged = merged.setdefault(id(container), set())
                _attach(container, entry_spans, keys_merged, key, key_raw, merge, value, raw, spans)
            else:
                container[key] = value
                entry_spans[key] = key_raw << _ENTRY_SHIFT | raw
    if not documents:
        return Document(None, 0, spans)
    merged_ids = frozenset(merged_into)
    rest = tuple(Document(data, span, spans, start, merged_into=merged_ids) for data, span, start in documents[1:])
    data, span, start = documents[0]
    return Document(data, span, spans, start, rest, merged_ids)


def _scalar_read(event: ScalarEvent, anchors: dict[str, tuple[Any, int]]) -> Any:
    """A scalar with a tag or an anchor: its value (or the error its tag
    makes), kept for the aliases of its anchor."""
    value = _scalar(event) if event.ctag is not None or not event.style else event.value
    if isinstance(value, str) and not event.style and event.ctag is None:
        value = intern(value)
    if event.anchor:
        anchors[event.anchor] = (value, 1)
    return value


# Digits of an int that Python converts without a length check: a longer
# plain key may be a number `_scalar` refuses.
_LONGEST_CONVERTED = sys.int_info.str_digits_check_threshold

# The plain scalars resolve_plain makes null or a boolean; with those of
# `_NUMBER_STARTS` and `_NUMBER_ENDS`, which it may make a number, no other
# plain scalar is anything but its text.
_PLAIN_WORDS = {word: resolve_plain(word) for word in (
    "", "~", "null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE"
)}
# The tags a collection may have: none but the standard ones, or `!`.
_COLLECTION_TAGS = frozenset(("!", _STANDARD_TAG + "map", _STANDARD_TAG + "seq", _STANDARD_TAG + "omap"))


def _attach(
    mapping: dict[str, Any],
    entry_spans: dict[str, RawSpan],
    merged: set[str],
    key: str,
    key_raw: RawSpan,
    merge: bool,
    value: Any,
    raw: RawSpan,
    spans: dict[int, Any],
) -> None:
    """A mapping's entry when its key is a merge key or was written before;
    `merged`: the keys a merge key gave it."""
    if merge:
        _merge(mapping, entry_spans, merged, value, key_raw, spans)
        return
    if key in mapping and key not in merged:
        line, column = span_start(key_raw)
        first, _ = span_start(entry_spans[key] >> _ENTRY_SHIFT)
        raise SourceError(f"duplicate key `{key}` (first defined on line {first})", line, column)
    merged.discard(key)
    mapping[key] = value
    entry_spans[key] = key_raw << _ENTRY_SHIFT | raw


def _merge(
    mapping: dict[str, Any],
    entry_spans: dict[str, RawSpan],
    merged: set[str],
    value: Any,
    key_raw: RawSpan,
    spans: dict[int, Any],
) -> None:
    """`<<: *defaults` merge keys: explicit keys of the mapping win."""
    sources = value if isinstance(value, list) else [value]
    for source in sources:
        if not isinstance(source, dict):
            line, column = span_start(key_raw)
            raise SourceError("a merge key `<<` takes a mapping or a list of mappings", line, column)
        source_spans = spans.get(id(source))
        for key, item in source.items():
            if key in mapping:
                continue
            mapping[key] = item
            merged.add(key)
            entry_spans[key] = source_spans[key] if source_spans else key_raw << _ENTRY_SHIFT | key_raw
