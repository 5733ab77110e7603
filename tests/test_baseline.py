"""Baselines: findings recorded today are recognised after unrelated edits;
new ones, and one more of an existing kind, are still reported."""

import json
import os
from dataclasses import replace
from pathlib import Path

import pytest

from recoverylint import __version__
from recoverylint.baseline import (
    FORMAT_VERSION,
    BaselineError,
    load_baseline,
    normalize_message,
    write_baseline,
)
from recoverylint.engine import check_text
from recoverylint.finding import Finding, Severity
from recoverylint.model import Span

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
RACES = (EXAMPLES / "parallel-deploy-races.yaml").read_text(encoding="utf-8")
SHOWN = "runbooks/races.yaml"


def findings_of(text: str, shown: str = SHOWN) -> list[Finding]:
    return check_text(text, shown).findings


def made(message: str = "`b` waits for `a`", line: int = 3, **fields) -> Finding:
    values = dict(
        code="RL201",
        name="needless-gate",
        severity=Severity.WARNING,
        message=message,
        path="a.yaml",
        span=Span(line, 5, line, 9),
        steps=("a", "b"),
    )
    values.update(fields)
    return Finding(**values)


def step_block(lines: list[str], step_id: str) -> tuple[int, int]:
    """Start and end (exclusive) of a step's lines, blank line after it included."""
    start = lines.index(f"  - id: {step_id}\n")
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("  - id: "))
    return start, end


def test_round_trip_matches_every_finding(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    findings = findings_of(RACES)
    assert len(findings) >= 4  # the example's documented races
    assert write_baseline(tmp_path / "baseline.json", findings) == len(findings)
    baseline = load_baseline(tmp_path / "baseline.json")
    assert baseline.filter(findings) == ([], len(findings))


def test_file_is_pretty_sorted_json_with_versions_and_human_lines(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    findings = findings_of(RACES)
    target = tmp_path / "baseline.json"
    write_baseline(target, reversed(findings))
    text = target.read_text(encoding="utf-8")
    document = json.loads(text)
    assert text == json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    assert document["version"] == FORMAT_VERSION
    assert document["tool_version"] == __version__
    entries = document["findings"]
    assert [(e["line"], e["code"]) for e in entries] == [
        (f.span.line, f.code) for f in sorted(findings, key=lambda f: (f.span.line, f.code))
    ]
    assert entries[0] == {
        "path": SHOWN,
        "line": findings[0].span.line,
        "code": findings[0].code,
        "steps": list(findings[0].steps),
        "message": findings[0].message,
    }
    # Written twice, the same bytes: no churn in code review.
    write_baseline(target, findings)
    assert target.read_text(encoding="utf-8") == text


def test_lines_added_above_keep_every_finding_baselined(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    before = findings_of(RACES)
    write_baseline(tmp_path / "baseline.json", before)
    lines = RACES.splitlines(keepends=True)
    # Above the first key: every finding moves down.
    top = next(i for i, line in enumerate(lines) if line.startswith("runbook:"))
    notes = [f"# a note for the reader, {n} of 10\n" for n in range(10)]
    edited = "".join(lines[:top] + notes + lines[top:])
    after = findings_of(edited)
    assert [f.span.line for f in after] == [f.span.line + 10 for f in before]
    baseline = load_baseline(tmp_path / "baseline.json")
    assert baseline.filter(after) == ([], len(before))


def test_a_step_moved_down_ten_lines_stays_baselined(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    before = findings_of(RACES)
    write_baseline(tmp_path / "baseline.json", before)
    lines = RACES.splitlines(keepends=True)
    # `scale-out-checkout` goes below the next step, `verify-error-rate`,
    # whose ten lines it passes.
    start, end = step_block(lines, "scale-out-checkout")
    following_end = step_block(lines, "verify-error-rate")[1]
    assert following_end - end == 10
    moved = "".join(
        lines[:start] + lines[end:following_end] + lines[start:end] + lines[following_end:]
    )
    after = findings_of(moved)
    assert sorted(f.span.line for f in after) != sorted(f.span.line for f in before)
    assert load_baseline(tmp_path / "baseline.json").filter(after)[0] == []


def test_a_new_finding_is_reported(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    before = findings_of(RACES)
    write_baseline(tmp_path / "baseline.json", before)
    # `post-resolved` now uses an output nobody produces.
    broken = RACES.replace(
        "    inputs: [error-rate-normal]\n", "    inputs: [error-rate-normal, customer-impact]\n"
    )
    assert broken != RACES
    after = findings_of(broken)
    baseline = load_baseline(tmp_path / "baseline.json")
    new, matched = baseline.filter(after)
    assert new and all("customer-impact" in f.message for f in new)
    assert matched == len(after) - len(new)


def test_a_changed_cost_is_a_new_finding(tmp_path):
    baseline_file = tmp_path / "baseline.json"
    recorded = made("`b` waits for `a`. This gate adds 3 min to the critical path.")
    write_baseline(baseline_file, [recorded])
    costlier = replace(recorded, message=recorded.message.replace("3 min", "8 min"))
    assert load_baseline(baseline_file).filter([costlier])[0] == [costlier]


def test_identical_findings_count_as_a_multiset(tmp_path):
    baseline_file = tmp_path / "baseline.json"
    twice = [made(line=3), made(line=9)]
    write_baseline(baseline_file, twice)
    baseline = load_baseline(baseline_file)
    third = made(line=20)
    assert baseline.filter([made(line=4), third, made(line=30)]) == ([made(line=30)], 2)
    # Each call starts from the whole baseline again.
    assert baseline.filter([third]) == ([], 1)


def test_filter_keeps_the_order_of_new_findings(tmp_path):
    baseline_file = tmp_path / "baseline.json"
    write_baseline(baseline_file, [made("old")])
    incoming = [made("z"), made("old"), made("a"), made("m")]
    assert load_baseline(baseline_file).filter(incoming)[0] == [made("z"), made("a"), made("m")]


def test_a_finding_differs_by_path_code_steps_or_message(tmp_path):
    baseline_file = tmp_path / "baseline.json"
    recorded = made()
    write_baseline(baseline_file, [recorded])
    variants = [
        replace(recorded, path="b.yaml"),
        replace(recorded, code="RL202"),
        replace(recorded, steps=("a", "c")),
        replace(recorded, message="`c` waits for `a`"),
    ]
    baseline = load_baseline(baseline_file)
    assert baseline.filter(variants)[0] == variants
    # Line, column, severity and suggestion do not take part.
    same = replace(recorded, span=Span(80, 1, 80, 2), severity=Severity.ERROR, suggestion="x")
    assert baseline.filter([same])[0] == []


@pytest.mark.parametrize(
    "message, normalized",
    [
        ("duplicate key `runbook` (first defined on line 12)",
         "duplicate key `runbook` (first defined on line N)"),
        ("step id `a` is used more than once (also on line 3 and 9): ambiguous",
         "step id `a` is used more than once (also on line N): ambiguous"),
        ("also on line 3, 7, 9, 10, 11 and 2 more: ambiguous", "also on line N: ambiguous"),
        ("see lines 4 and 17", "see lines N"),
        ("see lines 4-6", "see lines N"),
        ("Line 7 is too long", "Line N is too long"),
        ("YAML syntax error: found a tab (in \"<unicode string>\", line 3, column 14)",
         "YAML syntax error: found a tab (in \"<unicode string>\", line N, column N)"),
        ("`$.steps[12].rolee`: unknown key `rolee`", "`$.steps[N].rolee`: unknown key `rolee`"),
    ],
)
def test_positions_are_normalized(message, normalized):
    assert normalize_message(message) == normalized


@pytest.mark.parametrize(
    "message",
    [
        "This gate adds 3 min to the critical path.",
        "five `sre` steps can be due at once with 3 people",
        "`line 3` outputs `pipeline 4`",  # names the user chose, not positions
        "`items[2]` is a resource name",
    ],
)
def test_other_numbers_stay(message):
    assert normalize_message(message) == message


def test_a_duplicate_id_moved_down_stays_baselined(tmp_path):
    text = "runbook: dup\nsteps:\n  - id: a\n  - id: b\n  - id: a\n"
    baseline_file = tmp_path / "baseline.json"
    before = [f for f in findings_of(text, "dup.yaml") if f.code == "RL101"]
    assert len(before) == 2 and any("line" in f.message for f in before)
    write_baseline(baseline_file, before)
    moved = text.replace("runbook: dup\n", "runbook: dup\n" + "# note\n" * 10)
    after = [f for f in findings_of(moved, "dup.yaml") if f.code == "RL101"]
    assert [f.message for f in after] != [f.message for f in before]
    assert load_baseline(baseline_file).filter(after)[0] == []


def test_paths_are_relative_to_the_baseline_folder(tmp_path, monkeypatch):
    project = tmp_path / "project"
    (project / "ci").mkdir(parents=True)
    (project / "runbooks").mkdir()
    baseline_file = project / "ci" / "baseline.json"
    monkeypatch.chdir(project)
    write_baseline(baseline_file, [made(path=os.path.join("runbooks", "a.yaml"))])
    entry = json.loads(baseline_file.read_text(encoding="utf-8"))["findings"][0]
    assert entry["path"] == "../runbooks/a.yaml"
    # Run from elsewhere, the same file is shown by another path and still matches.
    monkeypatch.chdir(project / "runbooks")
    baseline = load_baseline(Path("..") / "ci" / "baseline.json")
    assert baseline.filter([made(path="a.yaml")])[0] == []
    # Loaded by a relative path, it stays where it was when the directory changes.
    monkeypatch.chdir(tmp_path.parent)
    absolute = made(path=str(project / "runbooks" / "a.yaml"))
    assert baseline.filter([absolute])[0] == []
    other = made(path=str(project / "a.yaml"))
    assert baseline.filter([other])[0] == [other]


def test_missing_baseline_names_the_file(tmp_path):
    with pytest.raises(BaselineError, match=r"nowhere\.json.*does not exist"):
        load_baseline(tmp_path / "nowhere.json")


@pytest.mark.parametrize(
    "content, problem",
    [
        ("{not json", "not valid JSON"),
        ("[" * 100_000, "not valid JSON"),
        ("\xff\xfe", "not UTF-8"),
        ("[]", "JSON object"),
        ('{"findings": []}', "version"),
        ('{"version": true, "findings": []}', "version"),
        ('{"version": 1}', "findings"),
        ('{"version": 1, "findings": [{"path": "a.yaml", "code": "RL201", "message": "m"}]}',
         r"findings\[0\]"),
        ('{"version": 1, "findings": [{"path": "a", "code": "RL2", "message": "m", "steps": [1]}]}',
         r"findings\[0\]"),
    ],
)
def test_unreadable_baseline_says_what_and_where(tmp_path, content, problem):
    baseline_file = tmp_path / "broken.json"
    baseline_file.write_bytes(content.encode("latin-1"))
    with pytest.raises(BaselineError, match=problem) as raised:
        load_baseline(baseline_file)
    assert str(baseline_file) in str(raised.value)


def test_a_baseline_of_another_format_version_is_refused(tmp_path):
    baseline_file = tmp_path / "future.json"
    baseline_file.write_text(json.dumps({"version": FORMAT_VERSION + 1, "findings": []}))
    expected = rf"future\.json has format version {FORMAT_VERSION + 1}"
    with pytest.raises(BaselineError, match=expected):
        load_baseline(baseline_file)


def test_a_failed_write_leaves_the_old_baseline_and_no_temporary_file(tmp_path, monkeypatch):
    baseline_file = tmp_path / "baseline.json"
    write_baseline(baseline_file, [made()])
    old = baseline_file.read_bytes()

    def crash(source, target):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(BaselineError, match=r"baseline\.json.*No space left"):
        write_baseline(baseline_file, [made(), made("another")])
    assert baseline_file.read_bytes() == old
    assert [p.name for p in tmp_path.iterdir()] == ["baseline.json"]


def test_an_interrupted_write_leaves_the_old_baseline(tmp_path, monkeypatch):
    baseline_file = tmp_path / "baseline.json"
    write_baseline(baseline_file, [made()])
    old = baseline_file.read_bytes()

    def interrupted(descriptor):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_baseline(baseline_file, [made("another")])
    assert baseline_file.read_bytes() == old
    assert [p.name for p in tmp_path.iterdir()] == ["baseline.json"]


def test_writing_into_a_missing_folder_is_a_baseline_error(tmp_path):
    with pytest.raises(BaselineError, match=r"missing.*baseline\.json"):
        write_baseline(tmp_path / "missing" / "baseline.json", [made()])
