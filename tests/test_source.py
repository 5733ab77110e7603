"""recoverylint.source: YAML text in, plain data with editor positions out,
or a SourceError with the line and column to show."""

from __future__ import annotations

import math
import os
import re
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from recoverylint.model import Span, unpack_span
from recoverylint.source import (
    Limits,
    LineIndex,
    SourceError,
    check_size,
    decode,
    decode_accepted,
    editor_lines,
    parse,
    read_bytes,
    read_text,
)

RUNBOOK = "runbook: r\nsteps:\n  - id: a\n    needs: [b]\n---\nx: 1\n"


def error_of(text: str, limits: Limits = Limits()) -> tuple[str, int, int]:
    with pytest.raises(SourceError) as raised:
        parse(text, limits)
    return raised.value.message, raised.value.line, raised.value.column


def test_parse_gives_plain_data_and_the_spans_of_keys_and_values() -> None:
    document = parse(RUNBOOK)
    assert document.data == {"runbook": "r", "steps": [{"id": "a", "needs": ["b"]}]}
    assert document.key_span(document.data, "steps") == Span(2, 1, 2, 6)
    assert document.value_span(document.data, "runbook") == Span(1, 10, 1, 11)
    assert document.span_at(("steps", 0, "needs", 0)) == Span(4, 13, 4, 14)
    needs = document.data["steps"][0]["needs"]
    assert [unpack_span(raw) for raw in document.packed_item_spans(needs)] == [Span(4, 13, 4, 14)]


def test_span_at_stops_at_the_deepest_node_that_exists() -> None:
    document = parse(RUNBOOK)
    assert document.span_at(("steps", 5, "id")) == document.value_span(document.data, "steps")


def test_the_documents_after_the_first_are_kept_in_rest() -> None:
    document = parse(RUNBOOK)
    assert [rest.data for rest in document.rest] == [{"x": 1}]
    assert document.rest[0].start_span.line == 5


def test_scalars_are_resolved_as_yaml_1_2_core_data() -> None:
    data = parse("a: 0o17\nb: 0x1f\nc: .inf\nd: ~\ne: yes\nf: 1_000\n").data
    assert data == {"a": 15, "b": 31, "c": math.inf, "d": None, "e": "yes", "f": "1_000"}


def test_aliases_are_plain_copies() -> None:
    assert parse("a: &x 1\nb: *x\n").data == {"a": 1, "b": 1}


def test_a_key_or_plain_name_written_many_times_is_one_string_in_memory() -> None:
    # 50,000 steps each write `id`, `needs`, the names of their facts: one
    # string each (issue 16: the loader's share of a large runbook's memory).
    text = "".join(f"- id: s{n}\n  role: {'oncall'}\n  note: 'quoted {n % 2}'\n" for n in range(3))
    first, second, third = parse(text).data
    assert [next(iter(first)) is next(iter(step)) for step in (second, third)] == [True, True]
    assert first["role"] is second["role"] is third["role"]
    assert first["note"] == third["note"]  # quoted text is kept as written, not interned


def test_merged_and_explicit_keys_keep_their_own_spans() -> None:
    text = "base: &b\n  x: 1\n  y: 2\nuse:\n  <<: *b\n  y: 3\n"
    document = parse(text)
    use = document.data["use"]
    assert use == {"x": 1, "y": 3}
    assert (document.key_span(use, "x"), document.value_span(use, "x")) == (Span(2, 3, 2, 4), Span(2, 6, 2, 7))
    assert (document.key_span(use, "y"), document.value_span(use, "y")) == (Span(6, 3, 6, 4), Span(6, 6, 6, 7))
    assert document.span_at(("use", "y")) == Span(6, 6, 6, 7)
    assert error_of("a: 1\nb: 2\n\n\na: 3\n")[0] == "duplicate key `a` (first defined on line 1)"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: [1\n", ("YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence)", 2, 1)),
        ("a: 1\na: 2\n", ("duplicate key `a` (first defined on line 1)", 2, 1)),
        (
            "a: !!python/object x\n",
            (
                "the tag `!!python/object` is not allowed: recoverylint reads plain data only and builds no objects",
                1,
                4,
            ),
        ),
        ("? [a]\n: 1\n", ("a mapping or sequence used as a key is not supported", 1, 3)),
    ],
)
def test_what_is_not_plain_yaml_data_is_a_source_error_where_it_is(text: str, expected: tuple[str, int, int]) -> None:
    assert error_of(text) == expected


def test_positions_are_the_editors_lines_not_the_parsers() -> None:
    """NEL breaks a line for the YAML parser, not for an editor: the error is
    on the editor's line 3 (the parser counts 4)."""
    message, line, column = error_of("k: v\x85\nc: [x\n")
    assert (line, column) == (3, 1)
    assert message.startswith("YAML syntax error")


def test_limits_bound_depth_documents_and_alias_expansion() -> None:
    assert error_of("a: " + "[" * 50 + "]" * 50, Limits(max_depth=10)) == ("nesting deeper than 10 levels", 1, 13)
    assert error_of("a: 1\n---\nb: 2\n---\nc: 3\n", Limits(max_documents=2)) == (
        "more than 2 YAML documents in one file",
        4,
        1,
    )
    bomb = "".join(
        f"{name}: &{name} [{', '.join([item] * 10)}]\n"
        for name, item in (("a", "x"), ("b", "*a"), ("c", "*b"), ("d", "*c"))
    )
    message, line, _ = error_of(bomb, Limits(max_alias_nodes=1000))
    assert message == "aliases expand to more than 1,000 nodes (an alias bomb?)"
    assert line == 3


def test_decode_accepts_utf8_with_a_bom() -> None:
    assert decode(b"\xef\xbb\xbfa: 1\n") == "a: 1\n"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"\xff\xfea\x00", ("the file is UTF-16 encoded; recoverylint reads UTF-8 only", 1, 1)),
        (b"a: 1\nb: \xff\n", ("invalid UTF-8: byte 0xff cannot start or continue a character", 2, 4)),
        (b"a: 1\n  b: \x01\n", ("control character U+0001 is not allowed in YAML", 2, 6)),
    ],
)
def test_decode_refuses_what_yaml_does_not_allow_where_it_is(raw: bytes, expected: tuple[str, int, int]) -> None:
    with pytest.raises(SourceError) as raised:
        decode(raw)
    assert (raised.value.message, raised.value.line, raised.value.column) == expected


def test_decode_accepted_gives_the_text_decode_gave() -> None:
    raw = "\ufeffa: café\n".encode()
    assert decode_accepted(raw) == decode(raw) == "a: café\n"
    with pytest.raises(ValueError):  # not what decode accepted: a cache entry's lie is a miss
        decode_accepted(b"a: \xff\n")


def test_decode_names_the_files_language() -> None:
    with pytest.raises(SourceError, match="not allowed in a Markdown runbook"):
        decode(b"x\x00", "a Markdown runbook")


def test_editor_lines_break_at_lf_crlf_and_cr_only() -> None:
    assert editor_lines("a\r\nb\rc\nd\x85e\u2028f\n") == ["a", "b", "c", "d\x85e\u2028f"]
    assert LineIndex("ab\r\ncd\ref").position(7) == (3, 1)


def test_read_text_enforces_the_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("a: 1\n" * 100, encoding="utf-8")
    assert read_text(path).startswith("a: 1\n")
    with pytest.raises(SourceError, match="--max-file-size"):
        read_text(path, Limits(max_file_size=10))
    with pytest.raises(SourceError, match="--max-file-size"):
        check_size(11, Limits(max_file_size=10))
    check_size(10, Limits(max_file_size=10))


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    with pytest.raises(SourceError, match="not a regular file"):
        read_bytes(fifo)


# YAML 1.2's core schema (spec 10.3.2), the table a plain scalar resolves by.
_CORE_SCHEMA = (
    (re.compile(r"null|Null|NULL|~|"), lambda text: None),
    (re.compile(r"true|True|TRUE"), lambda text: True),
    (re.compile(r"false|False|FALSE"), lambda text: False),
    (re.compile(r"[-+]?[0-9]+"), int),
    (re.compile(r"0o[0-7]+"), lambda text: int(text[2:], 8)),
    (re.compile(r"0x[0-9a-fA-F]+"), lambda text: int(text[2:], 16)),
    (re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?"), float),
    (re.compile(r"[-+]?\.(inf|Inf|INF)"), lambda text: -math.inf if text.startswith("-") else math.inf),
    (re.compile(r"\.nan|\.NaN|\.NAN"), lambda text: math.nan),
)


def _core_schema_value(text: str) -> object:
    return next((read(text) for pattern, read in _CORE_SCHEMA if pattern.fullmatch(text)), text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="-+.0123456789eEoxXabcfinNtTrueFalsLm~_ ", max_size=7))
@example(".nan")
@example(".NaN")
@example("-.inf")
@example(".INF")
@example("0xab")
@example("0x1F")
@example("1.")
@example("1e5")
@example("5m")
@example("-")
@example("+12")
@example("0o17")
@example("nightly")
@example("TRUE")
@example("~")
@example("")
def test_plain_scalars_resolve_by_the_core_schema_and_keys_stay_text(written: str) -> None:
    text = f"k: {written}\n{written or 'empty'}: v\n"
    try:
        data = parse(text).data
    except SourceError as error:  # not a plain scalar where it is written (`- x`, `~: ~`...)
        assert str(error).startswith("YAML syntax error"), str(error)
        return
    value = next(iter(data.values()))
    expected = _core_schema_value(written.strip())
    assert type(value) is type(expected)
    assert value == expected or (value != value and expected != expected)  # NaN
    assert list(data)[1] == (written.strip() or "empty")


def test_a_key_or_anchored_scalar_is_read_as_carefully_as_a_value() -> None:
    huge = "9" * 5000
    assert error_of(f"k: {huge}\n")[0] == error_of(f"{huge}: v\n")[0] == f"the number `{huge[:20]}…` is too large"
    assert error_of("!!int x: 1\n") == ("`x` is not a valid !!int", 1, 1)
    assert parse("&k a: 1\nb: *k\nc: &n 0x10\nd: *n\n").data == {"a": 1, "b": "a", "c": 16, "d": 16}
