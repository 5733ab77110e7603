"""How the engine makes findings: `new_finding` is `Finding(...)` made faster,
`findings_of` looks a rule's words and severity up once for all its issues,
and `Settings.enabled` decides which codes run."""

import dataclasses
import inspect
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recoverylint.catalog import rule_doc
from recoverylint.engine import check_text, finding, findings_of
from recoverylint.finding import Finding, Fix, Issue, Related, RemoveNeed, Severity, new_finding
from recoverylint.model import Span
from recoverylint.settings import Settings

TEXT = st.text(max_size=8)
SPAN = st.builds(Span, st.integers(1, 99), st.integers(1, 99), st.integers(1, 99), st.integers(1, 99))
FIX = st.builds(Fix, TEXT, st.booleans(), st.builds(RemoveNeed, TEXT, TEXT, st.integers(0, 3)))


def test_new_finding_takes_every_field_of_finding_in_order():
    # A field added to Finding must be added to new_finding, which fills every slot.
    assert list(inspect.signature(new_finding).parameters) == [f.name for f in dataclasses.fields(Finding)]


@settings(max_examples=200, deadline=None)
@given(
    st.tuples(
        TEXT, TEXT, st.sampled_from(list(Severity)), TEXT, TEXT, SPAN, st.none() | TEXT,
        st.lists(TEXT, max_size=3).map(tuple), st.lists(st.builds(Related, TEXT, SPAN), max_size=2).map(tuple),
        st.none() | FIX,
    )
)
def test_new_finding_is_the_finding_its_fields_make(values):
    made = new_finding(*values)
    expected = Finding(*values)
    assert type(made) is Finding
    assert made == expected and hash(made) == hash(expected) and repr(made) == repr(expected)
    assert dataclasses.astuple(made) == dataclasses.astuple(expected)
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.message = "changed"  # type: ignore[misc]


FIXED = Fix("remove the wait", True, RemoveNeed("b", "a"))
ISSUES = (
    Issue(Span(3, 5, 3, 9), "first", "help", ("b",), fix=FIXED),
    Issue(Span(7, 1, 8, 2), "second", severity=Severity.ERROR),
)


def test_findings_of_a_rules_issues_are_the_findings_of_each():
    found = findings_of("RL203", "a.yaml", iter(ISSUES))
    assert found == [finding("RL203", "a.yaml", issue) for issue in ISSUES]
    doc = rule_doc("RL203")
    assert [(f.name, f.severity, f.fix) for f in found] == [
        (doc.name, doc.severity, FIXED),
        (doc.name, Severity.ERROR, None),  # the issue's own severity
    ]


def test_findings_of_take_the_configured_severity_over_the_rules_and_the_issues():
    configured = Settings(severity={"RL203": Severity.WARNING})
    found = findings_of("RL203", "a.yaml", ISSUES, configured)
    assert [f.severity for f in found] == [Severity.WARNING, Severity.WARNING]


def test_findings_of_a_file_that_cannot_be_fixed_carry_no_fix():
    found = findings_of("RL203", "a.yaml", ISSUES, fixable=False)
    assert [f.fix for f in found] == [None, None]
    assert [dataclasses.replace(f, fix=FIXED) for f in found[:1]] == findings_of("RL203", "a.yaml", ISSUES[:1])


def test_no_issue_reads_no_catalog_entry():
    # A rule that found nothing costs no read of its entry (none exists for this code).
    assert findings_of("RL999", "a.yaml", iter(())) == []


def test_a_fix_of_another_formats_file_is_dropped(tmp_path: Path):
    """RL203's fix rewrites a native runbook; a workflow's is fixed by hand."""
    workflow = """\
on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps: [{run: echo a}]
  b:
    needs: [a]
    runs-on: ubuntu-latest
    steps: [{run: echo b}]
  c:
    needs: [a, b]
    runs-on: ubuntu-latest
    steps: [{run: echo c}]
"""
    result = check_text(workflow, ".github/workflows/ci.yml")
    assert result.format == "github-actions"
    assert [(f.code, f.fix) for f in result.findings if f.code == "RL203"] == [("RL203", None)]


PREFIX = st.sampled_from(["", "R", "RL", "RL1", "RL2", "RL20", "RL201", "RL203", "RL5", "RL50", "RL501", "X"])


def enabled_by_longest_prefix(chosen: Settings, code: str) -> bool:
    """The rule as first written: the longest matching prefix wins, `ignore` a tie."""
    if code in ("RL001", "RL002", "RL003"):
        return True
    selected = max((len(p) for p in chosen.select if code.startswith(p)), default=-1)
    ignored = max((len(p) for p in chosen.ignore if code.startswith(p)), default=-1)
    return selected > ignored


@settings(max_examples=300, deadline=None)
@given(
    st.lists(PREFIX, max_size=4).map(tuple),
    st.lists(PREFIX, max_size=4).map(tuple),
    st.sampled_from(["RL001", "RL002", "RL003", "RL010", "RL105", "RL201", "RL203", "RL2010", "RL501", "XL201"]),
)
def test_enabled_is_the_longest_matching_prefix(select, ignore, code):
    chosen = Settings(select=select, ignore=ignore)
    assert chosen.enabled(code) == enabled_by_longest_prefix(chosen, code)
