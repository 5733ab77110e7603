"""`recoverylint review` on input it cannot review: each a clear error (exit
2, one line or the findings that say why), never a traceback; and records
the readers accept that the analysis must still get right (clocks in
different zones, a step run twice)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import recoverylint.review.summary as summary
from recoverylint.cli import cli
from recoverylint.session import shown_path

FIXTURES = Path(__file__).parent / "fixtures"
CHECKLIST = FIXTURES / "checklist.yaml"
INCIDENTS = FIXTURES / "incidents"


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(arg) for arg in args], catch_exceptions=False)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def test_a_folder_without_records(tmp_path: Path) -> None:
    result = run("review", CHECKLIST, tmp_path)
    assert result.exit_code == 2
    assert result.stderr == (
        f"recoverylint: error: no record found in {tmp_path} (record files end in .json, .yaml, .yml, .csv)\n"
    )


def test_a_runbook_that_cannot_be_planned(tmp_path: Path) -> None:
    runbook = write(tmp_path, "cycle.yaml", """
        runbook: cycle
        flow: parallel
        steps:
          - id: a
            needs: [b]
          - id: b
            needs: [a]
    """)
    result = run("review", runbook, INCIDENTS / "2026-01-12.csv")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "RL103 the declared order has a cycle" in result.stderr
    assert result.stderr.endswith(
        f"recoverylint: error: {runbook} cannot be reviewed until the errors above are fixed\n"
    )


def test_a_malformed_record(tmp_path: Path) -> None:
    record = write(tmp_path, "run.json", '{"steps": [{"step": "triage", "start": 0, "end": ')
    result = run("review", CHECKLIST, record)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"recoverylint: error: {record}:1:")
    assert len(result.stderr.splitlines()) == 1


def test_a_record_over_the_size_limit(tmp_path: Path) -> None:
    record = write(tmp_path, "run.csv", "step,start,end\n" + "triage,0,5\n" * 200)
    result = run("review", CHECKLIST, record, "--max-file-size", "1000")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"recoverylint: error: {record}:")
    assert len(result.stderr.splitlines()) == 1


def test_a_bug_of_ours_is_an_internal_error_not_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object) -> None:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(summary, "review_incident", broken)
    result = run("review", CHECKLIST, INCIDENTS / "2026-01-12.csv")
    assert result.exit_code == 2
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"{shown_path(CHECKLIST)}: internal error in recoverylint ")
    assert first.endswith("(please report it); no record was reviewed:")
    assert "ZeroDivisionError: a bug" in result.stderr


def test_clocks_in_different_zones_are_one_clock(tmp_path: Path) -> None:
    # 10:00Z is 11:00+01:00 and 05:00-05:00: the rows are one after another.
    record = write(tmp_path, "run.csv", """
        step,start,end
        triage,2026-03-01T10:00:00Z,2026-03-01T10:05:00Z
        check-disk,2026-03-01T11:05:00+01:00,2026-03-01T11:15:00+01:00
        post-status,2026-03-01T05:05:00-05:00,2026-03-01T05:10:00-05:00
        clear-space,2026-03-01T10:15:00Z,2026-03-01T10:25:00Z
        verify-db,2026-03-01T10:25:00Z,2026-03-01T10:30:00Z
    """)
    result = run("review", CHECKLIST, record, "--format", "json")
    assert result.exit_code == 0, result.output
    incident, = json.loads(result.stdout)["incidents"]
    assert (incident["started_at"], incident["ended_at"]) == ("2026-03-01T10:00:00Z", "2026-03-01T10:30:00Z")
    # post-status beside check-disk, as D allows: nothing lost, nothing waited.
    assert (incident["actual_minutes"], incident["required_minutes"], incident["lost_minutes"]) == (30, 30, 0)
    assert incident["waits"] == []
    assert incident["parallel_share"] == round(5 / 30, 4)


def test_a_step_run_twice_counts_from_its_first_start_to_its_last_end(tmp_path: Path) -> None:
    # check-disk failed at 5-8 and was done again at 8-15: one run of 10
    # min, which succeeded in the end.
    record = write(tmp_path, "run.csv", """
        step,start,end,status
        triage,0,5,done
        check-disk,5,8,failed
        check-disk,8,15,done
        post-status,5,10,done
        clear-space,15,25,done
        verify-db,25,30,done
    """)
    document = json.loads(run("review", CHECKLIST, record, "--format", "json").stdout)
    incident, = document["incidents"]
    assert [(i["step"], i["start"], i["end"], i["status"]) for i in incident["intervals"]][:3] == [
        ("triage", 0, 5, "succeeded"), ("check-disk", 5, 15, "succeeded"), ("post-status", 5, 10, "succeeded"),
    ]
    assert incident["required_minutes"] == 30
    assert document["durations"]["check-disk"] == {"median": 10, "p90": 10, "count": 1}
