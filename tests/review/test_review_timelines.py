"""`recoverylint review` on hand-made timelines whose answers are worked out
by hand (in the comments), each run through the command line."""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from recoverylint.cli import cli

ROOT = Path(__file__).resolve().parent.parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
GOLDEN = ROOT / "tests" / "golden" / "review"
# Set RECOVERYLINT_UPDATE_GOLDEN=1 to rewrite the golden files after a
# deliberate change of output; the diff then shows in review.
UPDATE = os.environ.get("RECOVERYLINT_UPDATE_GOLDEN") == "1"
CHECKLIST = FIXTURES / "checklist.yaml"
INCIDENTS = FIXTURES / "incidents"


def run(*args: str | Path, cwd: Path = ROOT) -> Result:
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(cli, [str(arg) for arg in args], catch_exceptions=False)
    finally:
        os.chdir(old)


def review_json(*args: str | Path, exit_code: int = 0, cwd: Path = ROOT) -> dict:
    result = run("review", *args, "--format", "json", cwd=cwd)
    assert result.exit_code == exit_code, result.output
    return json.loads(result.stdout)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


@pytest.mark.parametrize("output_format, suffix", [("text", "txt"), ("json", "json")])
def test_golden(output_format: str, suffix: str) -> None:
    result = run("review", "tests/review/fixtures/checklist.yaml", "tests/review/fixtures/incidents",
                 "--format", output_format)
    assert result.exit_code == 1, result.output  # the second incident verifies early: RV101
    golden = GOLDEN / f"checklist.{suffix}"
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(result.stdout, encoding="utf-8")
    assert result.stdout == golden.read_text(encoding="utf-8")


def test_a_checklist_followed_step_by_step() -> None:
    # triage 0-5, check-disk 5-15, post-status 15-20, clear-space 20-30, verify-db 30-35.
    # D: post-status needs only triage, so it could run at 5 beside check-disk;
    # clear-space needs check-disk (15), verify-db clear-space.  Required:
    # 5 + 10 + 10 + 5 = 30; actual 35; lost 5.  post-status waited 15 - 5 = 10
    # for check-disk, clear-space 20 - 15 = 5 for post-status: both false gates.
    document = review_json(CHECKLIST, INCIDENTS / "2026-01-12.csv")
    incident, = document["incidents"]
    assert document["runbook"] == "disk-full"
    assert incident["record"].endswith("2026-01-12.csv")
    assert incident["started_at"] == "2026-01-12T10:00:00Z"
    assert incident["ended_at"] == "2026-01-12T10:35:00Z"
    assert (incident["actual_minutes"], incident["required_minutes"], incident["lost_minutes"]) == (35, 30, 5)
    assert [(w["step"], w["waited_for"], w["minutes"], w["cause"]) for w in incident["waits"]] == [
        ("post-status", ["check-disk"], 10, "gate"),
        ("clear-space", ["post-status"], 5, "gate"),
    ]
    assert incident["violations"] == []
    assert incident["parallel_share"] == 0
    assert incident["unmatched"] == []
    assert incident["busy"] == {"commander": [[15, 20]], "oncall": [[0, 15], [20, 35]]}
    # The required schedule on the incident's clock, for the charts.
    assert [(i["step"], i["start"], i["end"]) for i in incident["required_intervals"]] == [
        ("triage", 0, 5), ("check-disk", 5, 15), ("post-status", 5, 10), ("clear-space", 15, 25),
        ("verify-db", 25, 30),
    ]


def test_a_verification_that_starts_early_is_a_violation_and_exit_1() -> None:
    # clear-space ran 12-24 (minutes from 22:10); verify-db started at 20.
    result = run("review", CHECKLIST, INCIDENTS / "2026-01-28.csv", "--format", "json")
    assert result.exit_code == 1
    incident, = json.loads(result.stdout)["incidents"]
    assert incident["violations"] == [{
        "code": "RV101",
        "steps": ["clear-space", "verify-db"],
        "message": "`verify-db` started at minute 20, before `clear-space`, the change it verifies,"
        " had finished (minute 24)",
    }]
    # post-status 4-9 beside check-disk 4-12 (5 min), verify-db 20-26 beside
    # clear-space 12-24 (4 min): 9 of 26 minutes.
    assert incident["parallel_share"] == round(9 / 26, 4)
    # Required with its own minutes: 4 + 8 + 12 + 6 = 30, more than the 26 it
    # took by verifying early: nothing lost.
    assert (incident["actual_minutes"], incident["required_minutes"], incident["lost_minutes"]) == (26, 30, 0)


PARALLEL_WRITERS = """
    runbook: cache-flush
    flow: parallel
    resources:
      cache: {kind: cache}
    steps:
      - id: flush-eu
        duration: 10m
        writes: [cache]
      - id: flush-us
        duration: 10m
        writes: [cache]
"""


def test_two_writers_that_overlap(tmp_path: Path) -> None:
    runbook = write(tmp_path, "runbook.yaml", PARALLEL_WRITERS)
    record = write(tmp_path, "run.csv", """
        step,start,end
        flush-eu,0,10
        flush-us,5,15
    """)
    document = review_json(runbook, record, exit_code=1)
    incident, = document["incidents"]
    assert incident["violations"] == [{
        "code": "RV104",
        "steps": ["flush-eu", "flush-us"],
        "message": "`flush-eu` and `flush-us` both wrote cache at the same time: from minute 5 to minute 10",
    }]
    # The plan orders the racing writers: 10 + 10 = 20 required, 15 taken.
    assert (incident["actual_minutes"], incident["required_minutes"], incident["lost_minutes"]) == (15, 20, 0)
    # One after the other is no violation.
    after = write(tmp_path, "after.csv", "step,start,end\nflush-eu,0,10\nflush-us,10,20\n")
    assert review_json(runbook, after)["incidents"][0]["violations"] == []


def test_a_folder_of_ten_incidents(tmp_path: Path) -> None:
    # Incidents of 10, 20, ... 100 minutes: four in January, six in February.
    # MTTR (10 + ... + 100) / 10 = 55.  Nearest rank: P50 is the 5th of ten
    # (ceil(0.5 * 10) = 5), 50; P90 the 9th (ceil(0.9 * 10) = 9), 90.
    # January: (10 + 20 + 30 + 40) / 4 = 25; February: (50 + ... + 100) / 6 = 75.
    runbook = write(tmp_path, "runbook.yaml", """
        runbook: restart
        steps:
          - id: restart
            duration: 5m
    """)
    folder = tmp_path / "incidents"
    folder.mkdir()
    for number in range(1, 11):
        month, day = (1, number) if number <= 4 else (2, number)
        end_hour, end_minute = divmod(number * 10, 60)
        (folder / f"incident-{number:02d}.csv").write_text(
            "step,start,end\n"
            f"restart,2026-{month:02d}-{day:02d}T00:00:00Z,2026-{month:02d}-{day:02d}T{end_hour:02d}:{end_minute:02d}:00Z\n",
            encoding="utf-8",
        )
    document = review_json(runbook, folder)
    assert document["summary"] == {
        "incidents": 10,
        "mttr_minutes": 55,
        "p50_minutes": 50,
        "p90_minutes": 90,
        "percentile_method": "nearest-rank",
        "parallel_incidents": 0,
        "trend": [
            {"month": "2026-01", "incidents": 4, "mttr_minutes": 25},
            {"month": "2026-02", "incidents": 6, "mttr_minutes": 75},
        ],
        "most_lost": [],
        "costly_gates": [],
    }
    assert document["durations"] == {"restart": {"median": 50, "p90": 90, "count": 10}}
    assert [incident["record"] for incident in document["incidents"]] == [
        str(folder / f"incident-{number:02d}.csv") for number in range(1, 11)
    ]


STAFFED = """
    runbook: two-checks
    flow: parallel
    roles:
      oncall:
        people: {people}
    steps:
      - id: check-api
        role: oncall
        duration: 10m
      - id: check-db
        role: oncall
        duration: 10m
"""


def test_a_role_of_one_person_makes_a_staff_wait(tmp_path: Path) -> None:
    # Nothing orders the checks; one on-call person did them one after the
    # other: check-db waited 10 min, all of it for check-api, the role's only person.
    runbook = write(tmp_path, "runbook.yaml", STAFFED.format(people=1))
    record = write(tmp_path, "run.csv", "step,start,end,who\ncheck-api,0,10,ana\ncheck-db,10,20,ana\n")
    incident, = review_json(runbook, record)["incidents"]
    assert incident["waits"] == [
        {"step": "check-db", "waited_for": ["check-api"], "minutes": 10, "cause": "staff", "role": "oncall"}
    ]
    # The required order is the critical path, people unlimited: 10; lost 10.
    assert (incident["actual_minutes"], incident["required_minutes"], incident["lost_minutes"]) == (20, 10, 10)
    # With two people somebody was free: the record does not say why it waited.
    two = write(tmp_path, "two.yaml", STAFFED.format(people=2))
    incident, = review_json(two, record)["incidents"]
    assert incident["waits"] == [
        {"step": "check-db", "waited_for": [], "minutes": 10, "cause": "unexplained", "role": None}
    ]


def test_unmatched_steps_both_ways_are_listed_never_guessed(tmp_path: Path) -> None:
    # A timeline is typed by people: `Check-Disk` is check-disk.  `coffee`
    # is no step; verify-db is not in the record; clear-space is not guessed
    # from `clear space`.
    record = write(tmp_path, "run.csv", """
        step,start,end
        triage,0,5
        Check-Disk,5,15
        coffee,5,10
        post-status,5,10
        clear space,15,25
    """)
    incident, = review_json(CHECKLIST, record)["incidents"]
    assert incident["unmatched"] == [
        {"name": "coffee", "side": "record"},
        {"name": "clear space", "side": "record"},
        {"name": "clear-space", "side": "runbook"},
        {"name": "verify-db", "side": "runbook"},
    ]
    assert [interval["step"] for interval in incident["intervals"]] == ["triage", "check-disk", "post-status"]
    # Steps the record does not name did not run in this incident: 0 min;
    # required is triage's 5 then check-disk's 10.
    assert incident["required_minutes"] == 15


def test_a_record_of_another_runbook_is_an_error_naming_both(tmp_path: Path) -> None:
    record = write(tmp_path, "run.csv", "step,start,end\nrestart-pods,0,5\nscale-up,5,9\n")
    result = run("review", CHECKLIST, record)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"recoverylint: error: {record}:1:1: not a record of disk-full (tests/review/fixtures/checklist.yaml):"
        " none of its 2 steps (`restart-pods`, `scale-up`) is a step of the runbook\n"
    )


def test_an_unreadable_record_is_exit_2_with_where(tmp_path: Path) -> None:
    record = write(tmp_path, "run.csv", "step,start,end\ntriage,0,5\ncheck-disk,9,3\n")
    result = run("review", CHECKLIST, record)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"recoverylint: error: {record}:3:14: row 2: `check-disk` ends (3 min)")
    assert "before it starts" in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_a_step_that_did_not_run_counts_0(tmp_path: Path) -> None:
    # post-status was skipped: required is triage 5 + check-disk 10 +
    # clear-space 10 + verify-db 5 = 30, the skipped step counts 0 and is no wait.
    record = write(tmp_path, "run.csv", """
        step,start,end,status
        triage,0,5,done
        check-disk,5,15,done
        post-status,,,skipped
        clear-space,15,25,done
        verify-db,25,30,done
    """)
    incident, = review_json(CHECKLIST, record)["incidents"]
    assert (incident["actual_minutes"], incident["required_minutes"], incident["lost_minutes"]) == (30, 30, 0)
    assert incident["waits"] == []
    assert "post-status" not in [interval["step"] for interval in incident["intervals"]]


def test_the_output_file_may_not_be_an_input(tmp_path: Path) -> None:
    record = INCIDENTS / "2026-01-12.csv"
    result = run("review", CHECKLIST, record, "-o", record)
    assert result.exit_code == 2
    assert "--output" in result.stderr and "an input of the review" in result.stderr


def test_a_gate_through_a_step_that_did_not_run(tmp_path: Path) -> None:
    # A checklist of three steps nothing connects: page-team, then
    # open-bridge (skipped this time), then restart.  restart started at 5,
    # when page-team ended: the skipped step passed the turn on, and the
    # wait is the checklist's gate, for page-team.
    runbook = write(tmp_path, "runbook.yaml", """
        runbook: three-things
        steps:
          - id: page-team
            duration: 5m
          - id: open-bridge
            duration: 2m
          - id: restart
            duration: 5m
    """)
    record = write(tmp_path, "run.csv", """
        step,start,end,status
        page-team,0,5,done
        open-bridge,,,skipped
        restart,5,10,done
    """)
    incident, = review_json(runbook, record)["incidents"]
    assert incident["waits"] == [
        {"step": "restart", "waited_for": ["page-team"], "minutes": 5, "cause": "gate", "role": None}
    ]
    # Required: the longest of the three, the skipped one counting 0.
    assert (incident["actual_minutes"], incident["required_minutes"], incident["lost_minutes"]) == (10, 5, 5)


def test_sync_overhead_is_counted_at_joins_as_plan_counts_it(tmp_path: Path) -> None:
    # check-api and check-db run side by side; decide uses both outputs: a
    # join of D, which costs the runbook's sync_overhead of 2 min.  Required
    # with this incident's minutes: max(6, 9) + 2 + 3 = 14.  The record took
    # 9 + 4 (a 4-min join) + 3 = 16: 2 lost, decide waiting 2 min more than
    # the overhead, which the record does not explain.
    runbook = write(tmp_path, "runbook.yaml", """
        runbook: join
        flow: parallel
        sync_overhead: 2m
        steps:
          - id: check-api
            duration: 5m
            outputs: [api-state]
          - id: check-db
            duration: 5m
            outputs: [db-state]
          - id: decide
            duration: 3m
            inputs: [api-state, db-state]
    """)
    record = write(tmp_path, "run.csv", "step,start,end\ncheck-api,0,6\ncheck-db,0,9\ndecide,13,16\n")
    incident, = review_json(runbook, record)["incidents"]
    assert (incident["actual_minutes"], incident["required_minutes"], incident["lost_minutes"]) == (16, 14, 2)
    assert incident["waits"] == [
        {"step": "decide", "waited_for": [], "minutes": 2, "cause": "unexplained", "role": None}
    ]
    assert [(i["step"], i["start"], i["end"]) for i in incident["required_intervals"]] == [
        ("check-api", 0, 6), ("check-db", 0, 9), ("decide", 11, 14),
    ]
    planned = run("plan", runbook, "--format", "json")
    assert json.loads(planned.stdout)["required"]["sync_overhead_minutes"] == 2  # one join, as plan counts it


def test_steps_matched_by_title_only_when_one_step_has_it(tmp_path: Path) -> None:
    runbook = write(tmp_path, "runbook.yaml", """
        runbook: titled
        flow: parallel
        steps:
          - id: s1
            title: Page the team
            duration: 1m
          - id: s2
            title: Restart the pods
            duration: 1m
          - id: s3
            title: Restart the pods
            duration: 1m
    """)
    record = write(tmp_path, "run.csv", "step,start,end\npage the team,0,1\nRestart the pods,1,2\n")
    incident, = review_json(runbook, record)["incidents"]
    assert [interval["step"] for interval in incident["intervals"]] == ["s1"]
    assert incident["unmatched"] == [
        {"name": "Restart the pods", "side": "record"},  # two steps have that title: never guessed
        {"name": "s2", "side": "runbook"},
        {"name": "s3", "side": "runbook"},
    ]
