"""recoverylint.source reads the C parser's events as records (BaseException
subclasses the C module builds while a parse runs) when a probe finds that
this ruamel.yaml.clib makes them as ruamel's events hold their fields, and
ruamel's own events otherwise.  Both ways must give the same Document, or the
same SourceError, on every text; and ruamel's classes are back in the C
module after each parse, whatever happened in it."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from operator import attrgetter
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML
from ruamel.yaml import events as ruamel_events

from recoverylint import source
from recoverylint.model import unpack_span
from recoverylint.source import Document, Limits, SourceError, parse

c_yaml = pytest.importorskip("_ruamel_yaml")

EVENT_NAMES = (
    "ScalarEvent", "MappingStartEvent", "MappingEndEvent", "SequenceStartEvent", "SequenceEndEvent",
    "AliasEvent", "DocumentStartEvent", "DocumentEndEvent", "StreamStartEvent", "StreamEndEvent",
)


def describe_node(document: Document, node: Any, path: tuple[Any, ...], out: list[Any]) -> None:
    """Each value's type and text, and each key's and item's spans, depth first."""
    out.append((path, type(node).__name__, None if isinstance(node, (dict, list)) else repr(node)))
    if isinstance(node, dict):
        out.append((path, "merged", id(node) in document.merged_into))
        for key, value in node.items():
            out.append((path, key, document.key_span(node, key), document.value_span(node, key)))
            describe_node(document, value, (*path, key), out)
    elif isinstance(node, list):
        out.append((path, [unpack_span(raw) for raw in document.packed_item_spans(node)]))
        for index, value in enumerate(node):
            describe_node(document, value, (*path, index), out)


def described(text: str, limits: Limits = Limits()) -> list[Any] | tuple[str, str, int, int]:
    """All a parse gives: every document's data and spans, or its error."""
    try:
        document = parse(text, limits)
    except SourceError as error:
        return ("error", error.message, error.line, error.column)
    out: list[Any] = []
    for each in (document, *document.rest):
        out.append((each.start_span, each.root_span))
        describe_node(each, each.data, (), out)
    return out


def described_from_ruamel_events(text: str, limits: Limits = Limits()) -> list[Any] | tuple[str, str, int, int]:
    """`described`, the parse reading ruamel's own events (the probe said no)."""
    with mock.patch.object(source, "_records_work", return_value=False):
        return described(text, limits)


@pytest.fixture
def probe_again() -> Iterator[None]:
    """The probe's answer forgotten before and after the test (it is kept per process)."""
    source._records_work.cache_clear()
    yield
    source._records_work.cache_clear()


def assert_ruamels_classes_in_the_c_module() -> None:
    assert [getattr(c_yaml, name) for name in EVENT_NAMES] == [getattr(ruamel_events, name) for name in EVENT_NAMES]


# Texts at the edges of what the build reads: tags, anchors on keys, merge
# keys, duplicates, the breaks only the parser counts, no final break, CRLF.
EDGES = [
    "a: 1\nb: [x, 'y', \"z\"]\nc: {d: ~, e: true, f: 0x1f, g: .inf}\n",
    "&k a: 1\nb: *k\nc: &v [1, 2]\nd: *v\n",
    "base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  y: 3\n",
    "base: &b {x: 1}\nmore: &m {z: 2}\nuse:\n  y: 0\n  <<: [*b, *m]\n",
    "use:\n  '<<': plain text key\n  !!str <<: tagged\n",
    "use:\n  \"<<\": {a: 1}\n",
    "a: 1\nb: 2\na: 3\n",
    "base: &b {x: 1}\nuse:\n  <<: *b\n  x: 2\n  x: 3\n",
    "a: !!str 5\nb: !!int 7\nc: !!float 1\nd: !!null ~\ne: !!bool true\nf: ! 12\ng: !!map {h: 1}\ni: !!seq []\n",
    "a: !local x\n",
    "k: v\x85c: [x\n",
    "k: v\u2028\nother: [a, b]\nlast: z",
    "k: v\u2029\nother: {a: b}\n",
    "a: 1\r\nb:\r\n  - x\r\n  - y\r\n",
    "a: 1\rb: 2\r",
    "a: [1, 2]\nb: x",
    "a: |\n  text\n  more",
    "\ufeffa: 1\n",
    "a: 1\n---\nb: [2]\n...\n--- &d\nc: 3\n",
    "",
    "# only a comment\n",
    "---\n",
    "- x\n- - y\n  - {z: w}\n",
    "? a\n: 1\n",
    "? [a]\n: 1\n",
    "? *x\n",
    "a: &x 1\n*x : 2\n",
    "a: *nothing\n",
    "k: " + "9" * 5000 + "\n",
    "9" * 5000 + ": v\n",
    "!!int x: 1\n",
    "a: !!python/object:os.system x\n",
    "a: !!python/object {b: 1}\n",
    "a: [1\n",
    "a: 'unclosed\n",
    "a:\n\t- b\n",
]


@pytest.mark.parametrize("text", EDGES)
def test_the_records_and_ruamels_events_build_the_same_document(text: str) -> None:
    assert source._records_work()  # this environment's C module is probed to make the records
    assert described(text) == described_from_ruamel_events(text)
    assert_ruamels_classes_in_the_c_module()


def test_the_limits_stop_both_ways_at_the_same_place() -> None:
    bomb = "".join(
        f"{name}: &{name} [{', '.join([item] * 10)}]\n"
        for name, item in (("a", "x"), ("b", "*a"), ("c", "*b"), ("d", "*c"))
    )
    for text, limits in (
        (bomb, Limits(max_alias_nodes=1000)),
        ("a: " + "[" * 50 + "]" * 50, Limits(max_depth=10)),
        ("a: 1\n---\nb: 2\n---\nc: 3\n", Limits(max_documents=2)),
    ):
        assert described(text, limits)[0] == "error"
        assert described(text, limits) == described_from_ruamel_events(text, limits)


TOKENS = [
    "a", "b", "k", "<<", "'<<'", "!!str <<", "1", "0x1f", "1e3", "-", "~", "null", "true", "'q'", '"d"', "''",
    "|\n  x\n", ">-\n  y\n", ": ", "- ", "? ", "\n", "\n  ", "\n    ", "&x ", "*x", "&y ", "*y", "<<: *x\n",
    "!!int ", "!!str ", "!!float ", "!!null ", "!!bool ", "!!map ", "!!seq ", "!!omap ", "!t ", "! ",
    "[", "]", "{", "}", ", ", "---\n", "...\n", "\r\n", "\r", "\x85", "\u2028", "\ufeff", "# c\n", "\t",
]


@settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(TOKENS), max_size=40).map("".join))
@example("base: &b\n  x: 1\nuse:\n  <<: *b\n  x: 2\n")
@example("&k key: v\nother: *k\n")
@example("a: 1\na: 2\n")
@example("a: b\u2028c: [d\n")
@example("a: b\x85c: d")
@example("a: 1\r\nb: [2, 3]\r\n")
@example("a: !!int 1\nb: !!str 2\nc: !x 3\n")
def test_both_ways_agree_on_any_text(text: str) -> None:
    assert described(text) == described_from_ruamel_events(text)


@pytest.mark.parametrize("text", [text for text in EDGES if described(text)[0] != "error"])
def test_the_pure_parser_builds_the_same_documents(text: str, probe_again: None) -> None:
    """Without the C module (ruamel.yaml.clib missing), ruamel's pure parser's events."""
    expected = described(text)
    with mock.patch.object(source, "CParser", None), mock.patch.object(source, "_c_yaml", None):
        source._records_work.cache_clear()
        assert not source._records_work()
        assert described(text) == expected


def test_a_c_module_naming_its_classes_otherwise_is_read_through_ruamels_events(probe_again: None) -> None:
    # As if ruamel.yaml.clib had no module-level `DocumentEndEvent` to replace.
    text = EDGES[2]
    expected = described(text)
    ruamel_events.DocumentEndEvent.__name__ = "DocumentEnd"
    try:
        source._records_work.cache_clear()
        assert not source._records_work()
        assert described(text) == expected
    finally:
        ruamel_events.DocumentEndEvent.__name__ = "DocumentEndEvent"


def test_a_c_module_passing_other_arguments_is_read_through_ruamels_events(
    monkeypatch: pytest.MonkeyPatch, probe_again: None
) -> None:
    # As if the C parser passed a scalar's marks after its style: the records
    # it makes would not hold the fields where the build reads them.
    layout = attrgetter("anchor", "tag", "implicit", "value", "style", "start_mark", "end_mark")
    monkeypatch.setitem(source._RECORDS, ruamel_events.ScalarEvent, (source._Scalar, layout))
    assert not source._records_work()
    assert_ruamels_classes_in_the_c_module()


def test_ruamels_loaders_and_dumpers_find_their_classes_after_a_parse() -> None:
    parse("a: [1, {b: c}]\n")
    with pytest.raises(SourceError):
        parse("a: [1\n")
    with pytest.raises(SourceError):
        parse("a: !!python/object x\n")  # refused by the build, mid-stream
    assert_ruamels_classes_in_the_c_module()
    yaml = YAML(typ="safe")  # its C loader and C emitter
    assert yaml.load("a: [1, {b: c}]\n") == {"a": [1, {"b": "c"}]}
    events = list(yaml.parse("a: 1\n"))
    assert [event.__class__ for event in events][:3] == [
        ruamel_events.StreamStartEvent,
        ruamel_events.DocumentStartEvent,
        ruamel_events.MappingStartEvent,
    ]


def test_parses_in_threads_at_once_each_read_their_own_text() -> None:
    texts = [
        "".join(f"- id: s{thread}-{n}\n  needs: [s{thread}-{n - 1}]\n  n: {n}\n" for n in range(300))
        for thread in range(4)
    ]
    expected = [described(text) for text in texts]
    results: dict[int, list[Any]] = {}

    def parse_often(thread: int) -> None:
        results[thread] = [described(texts[thread]) for _ in range(5)]

    threads = [threading.Thread(target=parse_often, args=(thread,)) for thread in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == {thread: [expected[thread]] * 5 for thread in range(4)}
    assert_ruamels_classes_in_the_c_module()


def test_a_record_left_in_the_c_module_is_replaced_by_ruamels_class_after_a_parse(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Someone (a second Ctrl-C in the restoring loop, another patcher) left a
    # record there: the next parse gives back ruamel's own class, not what it found.
    monkeypatch.setattr(c_yaml, "ScalarEvent", source._Scalar)
    assert parse("a: 1\n").data == {"a": 1}
    assert_ruamels_classes_in_the_c_module()


def test_a_parse_inside_a_parse_of_the_same_thread_finishes_and_leaves_the_records_to_the_outer_one() -> None:
    results: list[Any] = []

    def nested() -> None:
        with source._records_installed():
            results.append(parse("a: [1, 2]\n").data)
            # Still the records: the outer parse reads on after the inner one.
            results.append(c_yaml.ScalarEvent is source._Scalar)
        results.append(parse("b: c\n").data)

    thread = threading.Thread(target=nested, daemon=True)
    thread.start()
    thread.join(timeout=20)
    assert not thread.is_alive(), "a nested parse waited for its own thread's lock"
    assert results == [{"a": [1, 2]}, True, {"b": "c"}]
    assert_ruamels_classes_in_the_c_module()


def test_ruamels_loaders_and_dumpers_work_while_the_records_are_installed() -> None:
    import io

    with source._records_installed():
        assert YAML(typ="safe").load("a: [1, {b: c}]\n") == {"a": [1, {"b": "c"}]}
        written = io.StringIO()
        YAML(typ="safe").dump({"a": [1, 2]}, written)
        assert YAML(typ="safe").load(written.getvalue()) == {"a": [1, 2]}
        assert YAML(typ="rt").load("a: 1  # kept\n")["a"] == 1


GOLDEN_EDGES = Path(__file__).parent / "golden" / "source" / "edges.json"


def test_the_edge_texts_build_what_the_build_before_the_records_built() -> None:
    # Both ways above share one build loop: this holds it to the documents and
    # errors of the loop before the records (made by commit 014f164's source.py).
    golden = json.loads(GOLDEN_EDGES.read_text(encoding="utf-8"))
    assert list(golden) == EDGES
    assert {text: repr(described(text)) for text in EDGES} == golden
