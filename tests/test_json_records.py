"""The records of `json` and `json-lines` are written directly, not by
json.dumps of a dict per finding: they must be the very bytes json.dumps
wrote, whatever the strings hold (non-ASCII, control characters, line and
paragraph separators, bidirectional marks, lone surrogates) and whatever the
numbers are.  Both write ASCII: every other character is escaped, as
json.dumps does by default."""

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from recoverylint.finding import Finding, Severity
from recoverylint.model import Span
from recoverylint.report import json as json_report
from recoverylint.report import json_lines

# Every character, lone surrogates included (an undecodable byte of a file name is one),
# and a bias to those json.dumps writes as escapes or that act on a terminal.
ANY_CHARACTER = st.characters(exclude_categories=())
ACTING = st.sampled_from(
    ["\x00", "\x1b", "\t", "\n", "\r", "\x7f", "\x85", "\x9f", "\u200e", "\u2028", "\u2029", "\u202e",
     "\u2066", "\ud800", "\udcff", '"', "\\", "/", "\u2026", "\xe9", "\U0001f600"]
)
TEXT = st.text(st.one_of(ANY_CHARACTER, ACTING), max_size=30)
POSITION = st.integers(min_value=0, max_value=2**40)


@st.composite
def findings(draw: Any) -> Finding:
    return Finding(
        code=draw(st.one_of(st.just("RL201"), TEXT)),
        name=draw(st.one_of(st.just("false-sequential-gate"), TEXT)),
        severity=draw(st.sampled_from(list(Severity))),
        message=draw(TEXT),
        path=draw(TEXT),
        span=Span(draw(POSITION), draw(POSITION), draw(POSITION), draw(POSITION)),
        suggestion=draw(st.one_of(st.none(), TEXT)),
    )


def record(finding: Finding) -> dict[str, Any]:
    """A finding's record as the formats were first written: a dict for json.dumps."""
    span = finding.span
    return {
        "code": finding.code,
        "name": finding.name,
        "severity": finding.severity.value,
        "message": finding.message,
        "path": finding.path,
        "line": span.line,
        "column": span.column,
        "end_line": span.end_line,
        "end_column": span.end_column,
        "suggestion": finding.suggestion,
    }


def json_part_by_dumps(items: list[Finding]) -> bytes:
    return json.dumps([record(f) for f in items])[1:-1].encode()


def json_lines_part_by_dumps(items: list[Finding]) -> bytes:
    return "".join(json.dumps(record(f)) + "\n" for f in items).encode()


@settings(max_examples=200, deadline=None)
@given(st.lists(findings(), max_size=6))
def test_a_json_part_is_what_json_dumps_wrote(items):
    assert json_report.file_part(items) == json_part_by_dumps(items)


@settings(max_examples=200, deadline=None)
@given(st.lists(findings(), max_size=6))
def test_a_json_lines_part_is_what_json_dumps_wrote(items):
    assert json_lines.file_part(items) == json_lines_part_by_dumps(items)


def test_parts_of_more_findings_than_one_chunk_are_what_json_dumps_wrote():
    # Past a chunk of a thousand records, one needing escapes among them.
    items = [
        Finding("RL201", "false-sequential-gate", Severity.WARNING, f"`s{n}` waits\u2026", "a.yaml",
                Span(n + 1, 3, n + 1, 9), None if n % 2 else "drop `a`")
        for n in range(2500)
    ]
    items[1700] = Finding("RL105", "x", Severity.ERROR, "\x1b]0;title\x07 \u202e", "b\udcff.yaml", Span(1, 1, 1, 1))
    assert json_report.file_part(items) == json_part_by_dumps(items)
    assert json_lines.file_part(items) == json_lines_part_by_dumps(items)
    assert json_report.file_part([]) == json_lines.file_part([]) == b""
