"""Each violation code `review` reports (RV101-RV105, docs/review.md), on
hand-made records through the command line, and `--write-durations` read
back by `plan --durations`."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from recoverylint.cli import cli
from recoverylint.review.violations import VIOLATION_CODES

ROOT = Path(__file__).resolve().parent.parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
CHECKLIST = FIXTURES / "checklist.yaml"
INCIDENTS = FIXTURES / "incidents"

DEPLOY = """
    runbook: bad-deploy
    flow: parallel
    steps:
      - id: decide-fix
        phase: triage
        duration: 5m
        decides: [hotfix, rollback]
      - id: approve-hotfix
        duration: 5m
        approves: [hotfix]
      - id: hotfix
        phase: remediate
        duration: 10m
        writes: [app]
        needs: [decide-fix, approve-hotfix]
      - id: rollback
        phase: remediate
        duration: 10m
        writes: [app]
        needs: [decide-fix]
"""


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(arg) for arg in args], catch_exceptions=False)


def violations(tmp_path: Path, record: str) -> list[tuple[str, list[str], str]]:
    runbook = tmp_path / "deploy.yaml"
    runbook.write_text(textwrap.dedent(DEPLOY), encoding="utf-8")
    path = tmp_path / "run.csv"
    path.write_text(textwrap.dedent(record).lstrip("\n"), encoding="utf-8")
    result = run("review", runbook, path, "--format", "json")
    incident, = json.loads(result.stdout)["incidents"]
    assert result.exit_code == (1 if incident["violations"] else 0), result.output
    return [(found["code"], found["steps"], found["message"]) for found in incident["violations"]]


def test_a_change_before_its_approval_and_its_decision(tmp_path: Path) -> None:
    # hotfix started at 3: approve-hotfix ended at 8, decide-fix at 5.
    assert violations(tmp_path, """
        step,start,end
        decide-fix,0,5
        approve-hotfix,0,8
        hotfix,3,13
    """) == [
        ("RV102", ["approve-hotfix", "hotfix"],
         "`hotfix` started at minute 3, before `approve-hotfix`, a step approving it, had finished (minute 8)"),
        ("RV103", ["decide-fix", "hotfix"],
         "`hotfix` started at minute 3, before `decide-fix`, the step deciding between it and its alternatives,"
         " had finished (minute 5)"),
    ]


def test_an_approval_that_never_finished(tmp_path: Path) -> None:
    assert violations(tmp_path, """
        step,start,end
        decide-fix,0,5
        approve-hotfix,,
        hotfix,5,15
    """) == [
        ("RV102", ["approve-hotfix", "hotfix"],
         "`hotfix` ran (from minute 5) although `approve-hotfix`, a step approving it, never finished"),
    ]


def test_both_alternatives_ran(tmp_path: Path) -> None:
    assert violations(tmp_path, """
        step,start,end
        decide-fix,0,5
        approve-hotfix,5,8
        hotfix,8,18
        rollback,20,30
    """) == [
        ("RV105", ["hotfix", "rollback"],
         "`rollback` ran (from minute 20) although `hotfix` had already run and only one of them may:"
         " `decide-fix` decides between them"),
    ]


def test_in_order_is_no_violation_and_exit_0(tmp_path: Path) -> None:
    assert violations(tmp_path, """
        step,start,end
        decide-fix,0,5
        approve-hotfix,0,5
        hotfix,5,15
    """) == []


def test_every_code_is_documented() -> None:
    page = (ROOT / "docs" / "review.md").read_text(encoding="utf-8")
    for code, name in VIOLATION_CODES.items():
        assert f"### {code} {name}" in page


# The fixtures' three incidents, each step's minutes (by hand from the CSVs):
# triage 5, 4, 6; check-disk 10, 8, 14; post-status 5, 5, 4; clear-space
# 10, 12, 8; verify-db 5, 6, 5.  Nearest rank of three: the median is the
# 2nd, P90 the 3rd (ceil(2.7)); the shortest is the range's low end.
LEARNED = {
    "disk-full": {
        "triage": {"min": 4, "likely": 5, "max": 6},
        "check-disk": {"min": 8, "likely": 10, "max": 14},
        "post-status": {"min": 4, "likely": 5, "max": 5},
        "clear-space": {"min": 8, "likely": 10, "max": 12},
        "verify-db": {"min": 5, "likely": 5, "max": 6},
    }
}


def test_write_durations_is_read_back_by_plan(tmp_path: Path) -> None:
    file = tmp_path / "durations.json"
    result = run("review", CHECKLIST, INCIDENTS, "--write-durations", file)
    assert result.exit_code == 1  # the review itself: one incident verified early
    assert f"Wrote the learned durations of 5 steps to {file}." in result.stderr
    assert json.loads(file.read_text(encoding="utf-8")) == LEARNED
    planned = run("plan", CHECKLIST, "--durations", file, "--format", "json")
    assert planned.exit_code == 0, planned.output
    steps = {step["id"]: step for step in json.loads(planned.stdout)["steps"]}
    for step_id, minutes in LEARNED["disk-full"].items():
        step = steps[step_id]
        assert (step["duration_min"], step["duration"], step["duration_max"]) == (
            minutes["min"], minutes["likely"], minutes["max"],
        )
        assert step["duration_basis"] == "measured"


def test_a_step_always_as_long_is_written_as_one_number(tmp_path: Path) -> None:
    file = tmp_path / "durations.json"
    assert run("review", CHECKLIST, INCIDENTS / "2026-01-12.csv", "--write-durations", file).exit_code == 0
    assert json.loads(file.read_text(encoding="utf-8")) == {
        "disk-full": {"triage": 5, "check-disk": 10, "post-status": 5, "clear-space": 10, "verify-db": 5}
    }


@pytest.mark.parametrize("force", [False, True])
def test_write_durations_replaces_a_file_only_with_force(tmp_path: Path, force: bool) -> None:
    file = tmp_path / "durations.yaml"
    file.write_text("kept: {}\n", encoding="utf-8")
    result = run("review", CHECKLIST, INCIDENTS / "2026-01-12.csv", "--write-durations", file,
                 *(["--force"] if force else []))
    if force:
        assert result.exit_code == 0, result.output
        assert json.loads(file.read_text(encoding="utf-8"))["disk-full"]["triage"] == 5
    else:
        assert result.exit_code == 2
        assert result.stderr == f"recoverylint: error: {file} exists; pass --force to replace it\n"
        assert file.read_text(encoding="utf-8") == "kept: {}\n"


def test_write_durations_never_over_an_input(tmp_path: Path) -> None:
    record = tmp_path / "run.csv"
    record.write_text((INCIDENTS / "2026-01-12.csv").read_text(encoding="utf-8"), encoding="utf-8")
    result = run("review", CHECKLIST, record, "--write-durations", record, "--force")
    assert result.exit_code == 2
    assert "--write-durations" in result.stderr and "an input of the review" in result.stderr
    assert record.read_text(encoding="utf-8") == (INCIDENTS / "2026-01-12.csv").read_text(encoding="utf-8")


def test_the_durations_file_docs_review_shows_is_the_one_written(tmp_path: Path) -> None:
    file = tmp_path / "learned.json"
    assert run("review", CHECKLIST, INCIDENTS, "--write-durations", file).exit_code == 1
    page = (ROOT / "docs" / "review.md").read_text(encoding="utf-8")
    shown = page.split("<!-- learned.json -->\n```json\n", 1)[1].split("```", 1)[0]
    assert shown == file.read_text(encoding="utf-8")
    assert json.loads(shown) == LEARNED


def test_many_writers_at_once_make_one_violation_each_not_one_per_pair(tmp_path: Path) -> None:
    # 1,000 steps writing one resource, all running at once: each writer
    # after the first is named once, with the writer running that ends last
    # (999 violations), not with every other one (499,500 pairs).  Likewise
    # 300 alternatives of one decision that all ran: each with the first.
    writers = 1000
    steps = "".join(f"  - id: w{i}\n    duration: 1m\n    writes: [cache]\n" for i in range(writers))
    runbook = tmp_path / "writers.yaml"
    runbook.write_text(f"runbook: writers\nflow: parallel\nsteps:\n{steps}", encoding="utf-8")
    record = tmp_path / "run.csv"
    record.write_text("step,start,end\n" + "".join(f"w{i},{i / 100},{20 + i / 100}\n" for i in range(writers)))
    result = run("review", runbook, record, "--format", "json")
    assert result.exit_code == 1
    found = json.loads(result.stdout)["incidents"][0]["violations"]
    assert len(found) == writers - 1
    assert {violation["code"] for violation in found} == {"RV104"}
    assert found[0]["steps"] == ["w0", "w1"] and found[-1]["steps"] == ["w998", "w999"]

    options = 300
    names = ", ".join(f"o{i}" for i in range(options))
    steps = f"  - id: choose\n    duration: 1m\n    decides: [{names}]\n" + "".join(
        f"  - id: o{i}\n    duration: 1m\n    needs: [choose]\n" for i in range(options)
    )
    runbook.write_text(f"runbook: options\nflow: parallel\nsteps:\n{steps}", encoding="utf-8")
    record.write_text("step,start,end\nchoose,0,1\n" + "".join(f"o{i},{1 + i},{2 + i}\n" for i in range(options)))
    found = json.loads(run("review", runbook, record, "--format", "json").stdout)["incidents"][0]["violations"]
    assert len(found) == options - 1
    assert {tuple(violation["steps"]) for violation in found} == {("o0", f"o{i}") for i in range(1, options)}


def test_the_review_and_the_durations_go_to_two_files(tmp_path: Path) -> None:
    file = tmp_path / "out.json"
    result = run("review", CHECKLIST, INCIDENTS, "-o", file, "--write-durations", file)
    assert result.exit_code == 2
    assert result.stderr == f"recoverylint: error: --output and --write-durations are both {file}; choose two files\n"
    assert not file.exists()
