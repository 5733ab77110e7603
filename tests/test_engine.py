"""recoverylint.engine: one file end to end.  Which files are looked at, what
a file that is no runbook gives, findings in order, comments that silence
them, the rules that run, plans, and a bug of ours kept to its file."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest

from recoverylint.engine import check_file, check_text, discover, own_parser, plan_text, rules_run
from recoverylint.finding import Issue
from recoverylint.plan import Plan
from recoverylint.rules import RuleContext, registry

ROOT = Path(__file__).resolve().parents[1]
RUNBOOK = "runbook: r\nsteps:\n  - id: a\n"
TWICE = "runbook: r\nsteps:\n  - id: a\n  - id: a\n"
CYCLE = "runbook: r\nflow: parallel\nsteps:\n  - id: a\n    needs: [b]\n  - id: b\n    needs: [a]\n"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "sub").mkdir()
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / "a.yaml").write_text(RUNBOOK, encoding="utf-8")
    (tmp_path / ".hidden" / "h.yaml").write_text(RUNBOOK, encoding="utf-8")
    (tmp_path / "sub" / "other.yml").write_text("x: 1\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text(RUNBOOK, encoding="utf-8")
    (tmp_path / ".github" / "workflows" / "ci.yaml").write_text("on: push\njobs: {}\n", encoding="utf-8")
    os.symlink("a.yaml", tmp_path / "link.yaml")
    return tmp_path


def test_discovery_walks_folders_for_yaml_and_keeps_each_file_once(folder: Path) -> None:
    found = list(discover([folder, folder / "a.yaml", folder / "missing.yaml"]))
    assert found == [
        (folder / ".github" / "workflows" / "ci.yaml", False),  # the one hidden folder walked
        (folder / "a.yaml", True),  # also reached by link.yaml, and named: explicit
        (folder / "sub" / "other.yml", False),
        (folder / "missing.yaml", True),  # named: reported under its name
    ]


def test_discovery_gives_each_file_s_status_in_their_order(folder: Path) -> None:
    """What the cache remembers a hash or a run with: the status of the file
    each path reaches, taken before anything read it; None for one reaching none."""
    statuses: list[os.stat_result | None] = []
    found = discover([folder, folder / "link.yaml", folder / "missing.yaml"], statuses=statuses)
    first = next(found)
    assert len(statuses) == 4  # all of them, before the first file comes
    paths = [first[0], *(path for path, _ in found)]
    assert [None if status is None else (status.st_ino, status.st_size) for status in statuses] == [
        None if not path.exists() else (path.stat().st_ino, path.stat().st_size) for path in paths
    ]
    assert statuses[-1] is None and paths[-1].name == "missing.yaml"


def test_discovery_orders_files_as_their_paths_sort(tmp_path: Path) -> None:
    """Files are found as text and made Paths once sorted: the order is the
    Paths' (part by part), not the text's, where `a-b/` sorts before `a/`."""
    names = ["a/b.yaml", "a-b/c.yaml", "a.yaml", "a b.yaml", "B.yaml", "a/a/z.yml", "a0/x.yaml", "é.yaml"]
    for name in names:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(RUNBOOK, encoding="utf-8")
    found = [path for path, _ in discover([tmp_path])]
    assert found == sorted(tmp_path / name for name in names)
    assert sorted(str(path) for path in found) != [str(path) for path in found]  # the text's order differs


def test_a_file_that_is_no_runbook_is_rl003_when_named_and_skipped_when_found(folder: Path) -> None:
    named = check_file(folder / "sub" / "other.yml", "other.yml", explicit=True)
    assert [(found.code, found.span.line) for found in named.findings] == [("RL003", 1)]
    assert not named.skipped
    found = check_file(folder / "sub" / "other.yml", "other.yml", explicit=False)
    assert (found.findings, found.skipped) == ([], True)


def test_a_file_that_cannot_be_read_is_rl001_for_that_file(tmp_path: Path) -> None:
    result = check_file(tmp_path / "missing.yaml", "missing.yaml")
    assert [(found.code, found.message) for found in result.findings] == [
        ("RL001", "cannot read the file: No such file or directory")
    ]
    assert result.internal_error is None


def test_findings_come_sorted_by_place_with_the_format_read() -> None:
    result = check_text(TWICE)
    assert result.format == "native"
    assert [found.sort_key for found in result.findings] == sorted(found.sort_key for found in result.findings)
    assert [(found.code, found.span.line) for found in result.findings if found.code == "RL101"] == [
        ("RL101", 3),
        ("RL101", 4),
    ]


def test_a_workflow_is_read_by_its_format() -> None:
    result = check_text((ROOT / "tests" / "adapters" / "argo" / "dag.yaml").read_text(encoding="utf-8"))
    assert result.format == "argo"
    assert result.runbook is not None and result.runbook.format == "argo"


def test_a_comment_silences_a_finding_on_its_line_and_is_counted() -> None:
    result = check_text(TWICE.replace("id: a\n", "id: a  # recoverylint: disable=RL101\n", 1))
    assert [(found.code, found.span.line) for found in result.findings if found.code == "RL101"] == [("RL101", 4)]
    assert result.suppressed == 1


def test_rules_needing_the_graphs_do_not_run_on_a_cycle() -> None:
    cycle = check_text(CYCLE)
    assert "RL103" in {found.code for found in cycle.findings}
    assert cycle.runbook is not None
    ran = rules_run(cycle.runbook)
    assert "RL103" in ran and "RL201" not in ran
    clean = check_text(RUNBOOK)
    assert clean.runbook is not None and "RL201" in rules_run(clean.runbook)


def test_a_plan_only_of_a_runbook_that_can_be_ordered() -> None:
    result, plan = plan_text(CYCLE)
    assert plan is None and "RL103" in {found.code for found in result.findings}
    result, plan = plan_text(RUNBOOK)
    assert isinstance(plan, Plan) and result.internal_error is None


def test_a_bug_in_a_rule_is_an_internal_error_of_that_file_only(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    def broken(context: RuleContext) -> list[Issue]:
        raise ZeroDivisionError("a bug of ours")

    monkeypatch.setitem(registry(), "RL101", replace(registry()["RL101"], check=broken))
    failed = check_file(folder / "a.yaml", "a.yaml")
    assert failed.findings == []
    assert failed.internal_error is not None and "ZeroDivisionError: a bug of ours" in failed.internal_error
    monkeypatch.undo()
    assert check_file(folder / "a.yaml", "a.yaml").internal_error is None


def test_formats_with_their_own_parser_are_chosen_by_suffix_or_when_forced() -> None:
    markdown = own_parser("RUNBOOK.MD", None)
    assert markdown is not None and markdown.name == "markdown"
    assert own_parser("runbook.yaml", None) is None
    forced = own_parser("runbook.txt", "markdown")
    assert forced is not None and forced.name == "markdown"
