"""What two reviews of `review` found, mended: each through the CLI, on the
reviewers' own repros."""

from __future__ import annotations

import json
import tempfile
from itertools import pairwise
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recoverylint.cli import cli

FIXTURES = Path(__file__).parent / "fixtures"
CHECKLIST = FIXTURES / "checklist.yaml"


def review(*args: str | Path, exit_code: int = 0) -> dict:
    result = CliRunner().invoke(cli, ["review", *map(str, args), "--format", "json"], catch_exceptions=False)
    assert result.exit_code == exit_code, result.output
    return json.loads(result.stdout)


def path_minutes(incident: dict) -> tuple[float, list[tuple[str, float, float, float]]]:
    """The critical path's work plus its waits, and each step on it as
    (step, start of its wait, start, end)."""
    runs = {interval["step"]: interval for interval in incident["intervals"]}
    waited = {step: 0.0 for step in runs}
    for wait in incident["waits"]:
        waited[wait["step"]] += wait["minutes"]
    on_path = [
        (step, runs[step]["start"] - waited[step], runs[step]["start"], runs[step]["end"])
        for step in incident["critical_path"]
    ]
    return sum(end - since for _, since, _, end in on_path), on_path


def test_a_tie_on_the_critical_path_goes_to_the_step_that_ended_by_the_wait(tmp_path: Path) -> None:
    # /tmp/rv/orderly.csv: clear-space was ready at 15 (check-disk's end) and
    # waited 5 min for post-status (6-20).  Cut at 15, check-disk and
    # post-status tie; post-status ran on into the wait, check-disk had ended.
    record = tmp_path / "orderly.csv"
    record.write_text(
        "step,start,end\ntriage,0,5\ncheck-disk,5,15\npost-status,6,20\nclear-space,20,30\nverify-db,30,35\n"
    )
    incident = review(CHECKLIST, record)["incidents"][0]
    assert incident["critical_path"] == ["triage", "check-disk", "clear-space", "verify-db"]
    minutes, _ = path_minutes(incident)
    assert minutes == incident["actual_minutes"] == 35  # 5 + 10 + (5 waited + 10) + 5


# The checklist's required order D: check-disk and post-status need triage,
# clear-space needs check-disk, verify-db needs clear-space.
REQUIRED = {"triage": (), "check-disk": ("triage",), "post-status": ("triage",),
            "clear-space": ("check-disk",), "verify-db": ("clear-space",)}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    work=st.lists(st.integers(1, 15), min_size=5, max_size=5),
    gaps=st.lists(st.integers(0, 8), min_size=5, max_size=5),
)
def test_the_critical_path_of_an_orderly_record_accounts_for_its_minutes(work: list[int], gaps: list[int]) -> None:
    # An orderly record: each step starts when, or after, its D prerequisites ended.
    ends: dict[str, int] = {}
    rows = ["step,start,end"]
    for (step, needs), minutes, gap in zip(REQUIRED.items(), work, gaps, strict=True):
        start = max((ends[need] for need in needs), default=0) + (gap if needs else 0)
        ends[step] = start + minutes
        rows.append(f"{step},{start},{ends[step]}")
    with tempfile.TemporaryDirectory() as folder:
        record = Path(folder) / "orderly.csv"
        record.write_text("\n".join(rows) + "\n")
        incident = review(CHECKLIST, record)["incidents"][0]
    minutes, on_path = path_minutes(incident)
    for (_, _, _, end), (_, since, _, _) in pairwise(on_path):
        assert end <= since + 1e-4  # no step on the path runs into the next one's wait
    assert abs(minutes - incident["actual_minutes"]) <= 1e-3


def ssm_record(status: str, steps: list[dict]) -> str:
    return json.dumps({"AutomationExecution": {
        "DocumentName": "disk-full", "AutomationExecutionStatus": status,
        "ExecutionStartTime": 1767225600, "StepExecutions": steps,
    }})


def test_a_run_not_finished_is_refused_and_left_out_of_mttr(tmp_path: Path) -> None:
    # /tmp/rv/inprog.json: SSM InProgress, check-disk still running.
    (tmp_path / "inprog.json").write_text(ssm_record("InProgress", [
        {"StepName": "triage", "StepStatus": "Success", "ExecutionStartTime": 1767225600,
         "ExecutionEndTime": 1767225900},
        {"StepName": "check-disk", "StepStatus": "InProgress", "ExecutionStartTime": 1767225900},
    ]))
    # A finished run: triage 0-5, check-disk 5-15 min.
    (tmp_path / "done.json").write_text(ssm_record("Success", [
        {"StepName": "triage", "StepStatus": "Success", "ExecutionStartTime": 1767225600,
         "ExecutionEndTime": 1767225900},
        {"StepName": "check-disk", "StepStatus": "Success", "ExecutionStartTime": 1767225900,
         "ExecutionEndTime": 1767226500},
    ]))
    result = CliRunner().invoke(cli, ["review", str(CHECKLIST), str(tmp_path), "--format", "json"])
    assert result.exit_code == 2
    document = json.loads(result.stdout)
    assert [Path(incident["record"]).name for incident in document["incidents"]] == ["done.json"]
    assert document["summary"]["mttr_minutes"] == 15
    message = "the run had not finished when it was exported: review a finished run"
    assert result.stderr == f"recoverylint: error: {tmp_path / 'inprog.json'}:1:1: {message}\n"


def test_a_record_in_which_no_step_ran_is_refused(tmp_path: Path) -> None:
    never = tmp_path / "never.csv"
    never.write_text("step,start,end\ntriage,,\ncheck-disk,,\n")
    result = CliRunner().invoke(cli, ["review", str(CHECKLIST), str(never)])
    assert result.exit_code == 2 and result.stdout == ""
    assert f"{never}:1:1: no step ran: no step of the record has both a start and an end" in result.stderr
    assert "Traceback" not in result.output


def test_a_runbook_step_absent_from_the_record_counts_no_minutes(tmp_path: Path) -> None:
    # Only triage ran (5 min): the runbook's other steps did not run in this
    # incident, so required is 5 min (not the runbook's 30), lost 0.
    record = tmp_path / "only-triage.csv"
    record.write_text("step,start,end\ntriage,0,5\n")
    incident = review(CHECKLIST, record)["incidents"][0]
    assert (incident["actual_minutes"], incident["required_minutes"], incident["lost_minutes"]) == (5, 5, 0)
    assert [item["name"] for item in incident["unmatched"] if item["side"] == "runbook"] == [
        "check-disk", "post-status", "clear-space", "verify-db",
    ]
    text = CliRunner().invoke(cli, ["review", str(CHECKLIST), str(record)]).stdout
    assert "Actual 5 min; required 5 min; lost 0 min" in text
    docs = (Path(__file__).parents[2] / "docs" / "review.md").read_text()
    assert '"Actual 5 min; required 5 min; lost 0 min"' in " ".join(docs.split())


def test_epoch_seconds_in_a_timeline_are_refused(tmp_path: Path) -> None:
    record = tmp_path / "epoch.csv"
    record.write_text("step,start,end\ntriage,1767225600,1767225900\n")
    result = CliRunner().invoke(cli, ["review", str(CHECKLIST), str(record)])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == (
        f"recoverylint: error: {record}:2:8: row 1: `start` looks like epoch seconds;"
        " a timeline's numbers are minutes from the start\n"
    )


def test_a_file_named_twice_is_reviewed_once_and_suffixes_in_any_case(tmp_path: Path) -> None:
    folder = tmp_path / "incidents"
    folder.mkdir()
    (folder / "a.csv").write_text("step,start,end\ntriage,0,5\ncheck-disk,5,15\n")
    (folder / "B.CSV").write_text("step,start,end\ntriage,0,5\ncheck-disk,5,25\n")
    document = review(CHECKLIST, folder, folder / "a.csv")
    assert sorted(Path(incident["record"]).name for incident in document["incidents"]) == ["B.CSV", "a.csv"]
    assert document["summary"]["incidents"] == 2
    assert document["summary"]["mttr_minutes"] == 20  # (15 + 25) / 2


def test_learned_durations_range_up_to_the_slowest_run(tmp_path: Path) -> None:
    # Ten incidents of triage: nine of 10 min, one of 60.  The P90 (nearest
    # rank 9 of 10) is 10; beta-PERT never draws above `max`, so the file's
    # max is the slowest run, 60.
    folder = tmp_path / "incidents"
    folder.mkdir()
    for number in range(10):
        minutes = 60 if number == 9 else 10
        (folder / f"{number}.csv").write_text(f"step,start,end\ntriage,0,{minutes}\n")
    learned = tmp_path / "learned.json"
    result = CliRunner().invoke(
        cli, ["review", str(CHECKLIST), str(folder), "--format", "json", "--write-durations", str(learned)]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(learned.read_text()) == {"disk-full": {"triage": {"min": 10, "likely": 10, "max": 60}}}
    assert json.loads(result.stdout)["durations"]["triage"] == {"median": 10, "p90": 10, "count": 10}


INCIDENTS = FIXTURES / "incidents"


def test_gates_to_change_rank_the_waits_that_delayed_the_end_first() -> None:
    # 2026-01-12: post-status waited 10 min for check-disk, off the critical
    # path (triage, check-disk, clear-space, verify-db); clear-space's 5 min
    # for post-status is on it: it comes first, though smaller.
    result = CliRunner().invoke(cli, ["review", str(CHECKLIST), str(INCIDENTS / "2026-01-12.csv"), "--format",
                                      "markdown"])
    assert result.exit_code == 0, result.output
    gates = result.stdout.split("### Gates to change\n\n")[1].split("\n\n")[0].splitlines()
    assert gates == [
        "| step | waited for | minutes | delayed the end |",
        "|---|---|---:|---:|",
        "| `clear-space` | `post-status` | 5 min | 5 min |",
        "| `post-status` | `check-disk` | 10 min | no: off the critical path |",
    ]
    ranked = result.stdout.split("### Incidents that lost the most to gates\n\n")[1].split("\n")[0]
    assert ranked == f"1. `{INCIDENTS / '2026-01-12.csv'}`: 5 min"


def test_text_says_the_lost_minutes_by_cause_and_which_waits_did_not_delay_the_end() -> None:
    text = CliRunner().invoke(cli, ["review", str(CHECKLIST), str(INCIDENTS / "2026-02-03.csv")]).stdout
    assert (
        "  Lost minutes by cause:\n"
        "    a gate of the declared order: 4 min (1 wait)\n"
        "    unexplained: 3 min (1 wait)\n"
    ) in text
    assert (
        "    `post-status` waited 14 min for `check-disk`: a gate the work does not need (RL201);"
        " off the critical path, it did not delay the end\n"
        "    `clear-space` waited 4 min for `post-status`: a gate the work does not need (RL201)\n"
    ) in text
