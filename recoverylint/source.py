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
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import cache
from operator import attrgetter
from sys import intern
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
    StreamStartEvent,
)

try:  # libyaml through ruamel.yaml.clib; the pure parser is several times slower
    import _ruamel_yaml as _c_yaml
    from _ruamel_yaml import CParser
except ImportError:  # pragma: no cover - CPython wheels ship it
    _c_yaml = CParser = None

from .model import COLUMN_BITS, LINE_BITS, RawSpan, Span, pack_span, span_start, unpack_span

# The reading without parsing, re-exported: importers name these from here.
from .reading import _LINE_BREAK
from .reading import DEFAULT_MAX_ALIAS_NODES as DEFAULT_MAX_ALIAS_NODES
from .reading import DEFAULT_MAX_DEPTH as DEFAULT_MAX_DEPTH
from .reading import DEFAULT_MAX_DOCUMENTS as DEFAULT_MAX_DOCUMENTS
from .reading import DEFAULT_MAX_FILE_SIZE as DEFAULT_MAX_FILE_SIZE
from .reading import Limits as Limits
from .reading import LineIndex as LineIndex
from .reading import SourceError as SourceError
from .reading import check_size as check_size
from .reading import decode as decode
from .reading import decode_accepted as decode_accepted
from .reading import editor_lines as editor_lines
from .reading import read_bytes as read_bytes
from .reading import read_text as read_text

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


# Line breaks of YAML 1.1 that libyaml (and ruamel's reader) count too, and
# editors do not: after one, the parser's line and column are not the editor's.
_PARSER_ONLY_BREAK = re.compile("[\x85\u2028\u2029]")


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


def _scalar(value: str, tag: str | None, style: str | None, mark: Any) -> Any:
    """A scalar's value: a plain one resolved, a tagged one checked against its tag."""
    try:
        return _scalar_value(value, tag, style, mark)
    except ValueError:  # Python refuses to convert integers of thousands of digits
        raise _Problem(mark, f"the number `{value[:20]}…` is too large") from None


def _scalar_value(value: str, tag: str | None, style: str | None, mark: Any) -> Any:
    if tag is None or tag == "!":
        if style or tag == "!":  # quoted, literal or folded: a string
            return value
        return resolve_plain(value)
    if tag == _STANDARD_TAG + "str":
        return value
    if tag in _SCALAR_TAGS:
        resolved = resolve_plain(value)
        expected = tag[len(_STANDARD_TAG):]
        if not _of_kind(resolved, expected):
            raise _Problem(mark, f"`{value}` is not a valid !!{expected}")
        return float(resolved) if expected == "float" else resolved
    raise _Problem(mark, _tag_problem(tag))


def _tag_problem(tag: str) -> str:
    shown = "!!" + tag[len(_STANDARD_TAG):] if tag.startswith(_STANDARD_TAG) else tag
    return f"the tag `{shown}` is not allowed: recoverylint reads plain data only and builds no objects"


class _Problem(Exception):
    """What is wrong at a parser's mark; parse says where in editor lines."""

    def __init__(self, mark: Any, message: str) -> None:
        super().__init__(message)
        self.mark = mark
        self.message = message


class _Positions:
    """Editor lines and columns (0-based) of a parser's marks, for one text.

    The parser counts NEL, U+2028 and U+2029 as line breaks: positions then
    come from the mark's character offset through a LineIndex.  And it ends a
    text without a final line break on a line of its own, past the last one
    an editor shows: a mark there is the end of the text's last line."""

    def __init__(self, text: str) -> None:
        # The parser skips a byte order mark: its marks count from after it.
        text = text.removeprefix("\ufeff")
        # isascii is a flag of the string, read without a scan: an ASCII text
        # (nearly every runbook) holds none of those breaks.
        self.index = None if text.isascii() or not _PARSER_ONLY_BREAK.search(text) else LineIndex(text)
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


def parse(text: str, limits: Limits = Limits(), language: str = "YAML") -> Document:
    """Build the first document of plain data with spans, and the others of
    the stream in its `rest`, or raise SourceError; `language` is what the
    text is written in, as a syntax error names it ("JSON" for a `.json`
    file, which the YAML parser reads too)."""
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
        if _records_work():
            with _records_installed():
                return _build(CParser(text).get_event, limits, positions.packer(), positions.exact)
        return _build(_records_of(_ruamel_events(text)), limits, positions.packer(), positions.exact)
    except _Problem as problem:
        raise SourceError(problem.message, *positions.editor_point(problem.mark)) from None
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        reason = error.problem or str(error)
        if error.context:
            reason = f"{reason} ({error.context})"
        line, column = positions.editor_point(mark) if mark else (1, 1)
        raise SourceError(f"{language} syntax error: {reason}", line, column) from None
    except YAMLError as error:
        raise SourceError(f"{language} error: {error}") from None
    finally:
        if enabled:
            gc.enable()


# -- The parser's events, as records ---------------------------------------
#
# The C parser makes an object for each event by calling the event classes
# named in its module (`ScalarEvent(anchor, tag, implicit, value, start_mark,
# end_mark, style)`...), a million for 1,000 runbooks.  ruamel's classes run
# a chain of three Python `__init__`s each.  While `parse` reads events, the
# module names these records instead: BaseException's constructor is C code
# that keeps its positional arguments as `args`, and runs no Python at all
# (the events of 1,000 runbooks: 1.04 s of CPU with ruamel's classes, 0.92 s
# with flat `__slots__` classes, 0.70 s with these).  They are never raised.


class _Event(BaseException):
    """An event, the arguments the parser made it with in `args`."""

    __slots__ = ()


class _Scalar(_Event):
    """args: anchor, tag, implicit, value, start mark, end mark, style."""

    __slots__ = ()


class _MappingStart(_Event):
    """args: anchor, tag, implicit, start mark, end mark, flow style."""

    __slots__ = ()


class _SequenceStart(_Event):
    """args: as a mapping's start."""

    __slots__ = ()


class _CollectionEnd(_Event):
    """args: start mark, end mark (of a mapping or a sequence: the build knows which)."""

    __slots__ = ()


class _Alias(_Event):
    """args: anchor, start mark, end mark."""

    __slots__ = ()


class _DocumentStart(_Event):
    """args: start mark, end mark, explicit, version, tags."""

    __slots__ = ()


class _StreamEnd(_Event):
    """args: start mark, end mark."""

    __slots__ = ()


class _Skipped(_Event):
    """A stream's start or a document's end, which build nothing; args as
    ruamel's events hold them (see _RECORDS)."""

    __slots__ = ()


# For each ruamel event class: the record standing for it, and the event's
# attributes in the order the C parser passes them to the class.
_COLLECTION_START = attrgetter("anchor", "tag", "implicit", "start_mark", "end_mark", "flow_style")
_RECORDS: dict[type, tuple[type[_Event], Callable[[Any], tuple[Any, ...]]]] = {
    ScalarEvent: (_Scalar, attrgetter("anchor", "tag", "implicit", "value", "start_mark", "end_mark", "style")),
    MappingStartEvent: (_MappingStart, _COLLECTION_START),
    SequenceStartEvent: (_SequenceStart, _COLLECTION_START),
    MappingEndEvent: (_CollectionEnd, attrgetter("start_mark", "end_mark")),
    SequenceEndEvent: (_CollectionEnd, attrgetter("start_mark", "end_mark")),
    AliasEvent: (_Alias, attrgetter("anchor", "start_mark", "end_mark")),
    DocumentStartEvent: (_DocumentStart, attrgetter("start_mark", "end_mark", "explicit", "version", "tags")),
    DocumentEndEvent: (_Skipped, attrgetter("start_mark", "end_mark", "explicit")),
    StreamStartEvent: (_Skipped, attrgetter("start_mark", "end_mark", "encoding")),
    StreamEndEvent: (_StreamEnd, attrgetter("start_mark", "end_mark")),
}
# One `parse` at a time names the records in the C module: another thread's
# would otherwise restore ruamel's classes under it.  Re-entrant and counted:
# a parse begun inside another of the same thread (a signal handler's) leaves
# them for the outer one to give back.
_RECORDS_LOCK = threading.RLock()
_records_depth = 0


@contextmanager
def _records_installed() -> Iterator[None]:
    """The C module's event classes replaced by the records, then ruamel's
    own given back (whatever the module held before: a leak cannot last).
    ruamel's loaders and dumpers build no events and are unaffected; its C
    event API (`YAML.parse`, `CParser.get_event`) in another thread sees the
    records while a parse runs."""
    global _records_depth
    with _RECORDS_LOCK:
        _records_depth += 1
        try:
            if _records_depth == 1:
                for event_class, (record, _) in _RECORDS.items():
                    setattr(_c_yaml, event_class.__name__, record)
            yield
        finally:
            _records_depth -= 1
            if _records_depth == 0:
                _give_back_ruamels_classes()


def _give_back_ruamels_classes() -> None:
    for event_class in _RECORDS:
        setattr(_c_yaml, event_class.__name__, event_class)


def _ruamel_events(text: str) -> Callable[[], Any]:
    """A function returning ruamel's next event of `text`, from the C parser when there is one."""
    next_event: Callable[[], Any] = (
        CParser(text).get_event if CParser is not None else YAML(typ="safe", pure=True).parse(text).__next__
    )
    return next_event


def _records_of(next_event: Callable[[], Any]) -> Callable[[], _Event]:
    """ruamel's events as the records the C parser makes when they are installed."""

    def next_record() -> _Event:
        event = next_event()
        record, fields = _RECORDS[event.__class__]
        return record(*fields(event))

    return next_record


# A document with an event of each kind, anchors, tags, styles and aliases.
_PROBE = "a: &s !!seq [&k b, !t 'q', *k, {c: \"d\"}]\nl: |\n  x\n---\ne: f\n...\n"


@cache
def _records_work() -> bool:
    """Whether the C parser makes the records with the arguments ruamel's
    events hold, as this version does: checked once per process on a small
    document, since another ruamel.yaml.clib may name or call its classes
    otherwise (then `parse` reads ruamel's events and converts them)."""
    if _c_yaml is None or not all(hasattr(_c_yaml, event_class.__name__) for event_class in _RECORDS):
        return False
    try:
        with _RECORDS_LOCK:
            if _records_depth == 0:  # ruamel's classes, whatever someone else left there
                _give_back_ruamels_classes()
            expected = _probe_events(_records_of(CParser(_PROBE).get_event))
        with _records_installed():
            made = _probe_events(CParser(_PROBE).get_event)
    except Exception:  # any failure means: not these records
        return False
    return made == expected


def _probe_events(next_event: Callable[[], Any]) -> list[tuple[Any, ...]]:
    """Each event's class and arguments, a mark as its offset, line and column."""
    events: list[tuple[Any, ...]] = []
    while not events or events[-1][0] is not _StreamEnd:
        event = next_event()
        fields = [(item.index, item.line, item.column) if hasattr(item, "line") else item for item in event.args]
        events.append((event.__class__, *fields))
    return events


def _build(
    next_event: Callable[[], _Event], limits: Limits, span_of: Callable[[Any, Any], RawSpan], exact_marks: bool
) -> Document:
    """The documents of a text, from its events.  `span_of` packs the span
    between two marks; when `exact_marks`, the marks' own lines and columns
    are the editor's and the common events pack theirs inline: this loop runs
    once per event (a million events for 1,000 runbooks), and each step saved
    in it counts."""
    spans: dict[int, Any] = {}
    anchors: dict[str, tuple[Any, int]] = {}
    # Each collection being read, outermost first: (itself, the spans of its
    # items, its anchor, its start mark, the number of nodes read before it,
    # and the key and key span of the mapping holding it, waiting for it as
    # its value).
    stack: list[tuple[Any, Any, str | None, Any, int, Any, RawSpan]] = []
    # The innermost collection, in locals: this loop reads them at every event.
    container: Any = None  # None: at the top of a document
    entry_spans: Any = None  # {key: key span << _ENTRY_SHIFT | value span} or [item span, ...]
    is_mapping = False
    # A mapping's key read, waiting for its value (None: the next scalar is a
    # key), and its span; `_MERGE` for a merge key.
    key: Any = None
    key_raw: RawSpan = 0
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
        if cls is _Scalar:
            anchor, tag, _, value, start, end, style = event.args
            if exact_marks:
                raw = (start.line << column_shift | start.column) << line_shift | end.line << column_shift | end.column
            else:
                raw = span_of(start, end)
            if is_mapping and key is None:
                # Its tag judged, an anchor on it kept, and a number too long
                # for Python to convert refused, as for a value.
                if tag is not None or anchor or len(value) > _LONGEST_CONVERTED:
                    _scalar_read(anchor, tag, value, style, start, anchors)
                key_raw = raw
                # Interned: a key is written once per mapping (every step's
                # `id`, `needs`...), and one string serves them all.
                key = _MERGE if value == "<<" and tag is None and not style else intern(value)
                continue
            if tag is not None or anchor:
                value = _scalar_read(anchor, tag, value, style, start, anchors)
            elif style:  # quoted, literal or folded: a string
                pass
            elif value in _PLAIN_WORDS:  # null or a boolean
                value = _PLAIN_WORDS[value]
            elif value[0] in _NUMBER_STARTS and value[-1] in _NUMBER_ENDS:
                value = _scalar(value, None, style, start)  # a number, or text that looks like one
            else:
                value = intern(value)
            nodes += 1
        elif cls is _CollectionEnd:
            value, done_spans, anchor, start, first_node, key, key_raw = stack.pop()
            spans[id(value)] = done_spans
            if anchor:
                anchors[anchor] = (value, nodes - first_node)
            end = event.args[1]
            if exact_marks:
                raw = (start.line << column_shift | start.column) << line_shift | end.line << column_shift | end.column
            else:
                raw = span_of(start, end)
            if stack:
                top = stack[-1]
                container, entry_spans = top[0], top[1]
                is_mapping = container.__class__ is dict
            else:
                container, entry_spans, is_mapping = None, None, False
        elif cls is _SequenceStart or cls is _MappingStart:
            anchor, tag, _, start, _, _ = event.args
            if len(stack) >= max_depth:
                raise _Problem(start, f"nesting deeper than {max_depth} levels")
            if tag is not None and tag not in _COLLECTION_TAGS:
                raise _Problem(start, _tag_problem(tag))
            if is_mapping and key is None:
                raise _Problem(start, "a mapping or sequence used as a key is not supported")
            if cls is _MappingStart:
                container, entry_spans, is_mapping = {}, {}, True
            else:
                container, entry_spans, is_mapping = [], [], False
            stack.append((container, entry_spans, anchor, start, nodes, key, key_raw))
            key = None
            nodes += 1
            continue
        elif cls is _Alias:
            anchor, start, end = event.args
            target = anchors.get(anchor)
            if target is None:
                raise _Problem(start, f"alias `*{anchor}` refers to no complete anchor")
            value, size = target
            alias_nodes += size
            if alias_nodes > limits.max_alias_nodes:
                raise _Problem(
                    start,
                    f"aliases expand to more than {limits.max_alias_nodes:,} nodes"
                    " (an alias bomb?)",
                )
            if is_mapping and key is None:
                raise _Problem(start, "an alias used as a key is not supported")
            nodes += size
            raw = span_of(start, end)
        elif cls is _StreamEnd:
            break
        elif cls is _DocumentStart:
            start, end = event.args[:2]
            if len(documents) >= limits.max_documents:
                raise _Problem(start, f"more than {limits.max_documents:,} YAML documents in one file")
            raw = span_of(start, end)
            documents.append([None, raw, raw])
            continue
        elif cls is _Skipped:
            continue
        else:  # ruamel's classes back in the C module under this parse: a bug
            raise RuntimeError(f"the parser made {event!r}, not a record")
        # A complete value: a scalar, an alias or a collection just ended.
        if container is None:
            documents[-1][:2] = value, raw
        elif not is_mapping:
            container.append(value)
            entry_spans.append(raw)
        else:  # a mapping's value follows its key
            if key is _MERGE or key in container:  # a merge key or a duplicate: the careful way
                merge = key is _MERGE
                if merge:
                    merged_into.add(id(container))
                keys_merged = merged.setdefault(id(container), set())
                _attach(container, entry_spans, keys_merged, key, key_raw, merge, value, raw, spans)
            else:
                container[key] = value
                entry_spans[key] = key_raw << _ENTRY_SHIFT | raw
            key = None
    if not documents:
        return Document(None, 0, spans)
    merged_ids = frozenset(merged_into)
    rest = tuple(Document(data, span, spans, start, merged_into=merged_ids) for data, span, start in documents[1:])
    data, span, start = documents[0]
    return Document(data, span, spans, start, rest, merged_ids)


# The key of a merge key (`<<` written plain and untagged) while its value is read.
_MERGE = object()


def _scalar_read(
    anchor: str | None, tag: str | None, value: str, style: str | None, mark: Any, anchors: dict[str, tuple[Any, int]]
) -> Any:
    """A scalar with a tag or an anchor: its value (or the error its tag
    makes), kept for the aliases of its anchor."""
    if tag is not None or not style:
        value = _scalar(value, tag, style, mark)
        if isinstance(value, str) and not style and tag is None:
            value = intern(value)
    if anchor:
        anchors[anchor] = (value, 1)
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
