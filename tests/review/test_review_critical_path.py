"""Minutes lost to gates are minutes of the incident: only the waits on the
critical path of what happened (walked back from the step that ended last)
count, so a gate whose wait did not delay the end is not counted and chained
gates are not counted twice.  Every answer is worked by hand in its test."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from review_support import corpus_folder

from recoverylint.cli import cli

FIXTURES = Path(__file__).parent / "fixtures"
CHECKLIST = FIXTURES / "checklist.yaml"
INCIDENTS = FIXTURES / "incidents"
DOCS = Path(__file__).parents[2] / "docs"

# Three steps that need nothing of each other, in a checklist's order.
THREE_STEPS = """\
runbook: restart-three
title: Restart three services
steps:
  - id: restart-web
    duration: 5m
  - id: restart-api
    duration: 5m
  - id: restart-worker
    duration: 5m
"""

ONE_AFTER_ANOTHER = """\
step,start,end
restart-web,0,5
restart-api,5,10
restart-worker,10,15
"""


def review(*args: str | Path, exit_code: int = 0) -> dict:
    result = CliRunner().invoke(cli, ["review", *map(str, args), "--format", "json"], catch_exceptions=False)
    assert result.exit_code == exit_code, result.output
    return json.loads(result.stdout)


def by_name(document: dict) -> dict[str, dict]:
    return {Path(incident["record"]).name: incident for incident in document["incidents"]}


def test_a_gate_on_the_critical_path_counts_and_one_off_it_does_not() -> None:
    # 2026-01-12: triage 0-5, check-disk 5-15, post-status 15-20,
    # clear-space 20-30, verify-db 30-35.  D: check-disk and post-status
    # need triage, clear-space needs check-disk, verify-db clear-space.
    # verify-db ended last; it started when clear-space ended (30); clear-space
    # was ready at 15 (check-disk's end) and started at 20: 5 min waiting for
    # post-status, a gate; from 15 the path goes to check-disk, then triage.
    # post-status's 10 min wait for check-disk is off the path: the end did
    # not wait for it.  Lost to gates: 5 min = lost (35 - 30).
    # (2026-01-28 verified early: RV101, exit 1.)
    incidents = by_name(review(CHECKLIST, INCIDENTS, exit_code=1))
    first = incidents["2026-01-12.csv"]
    assert first["critical_path"] == ["triage", "check-disk", "clear-space", "verify-db"]
    assert [(wait["step"], wait["minutes"]) for wait in first["waits"]] == [("post-status", 10), ("clear-space", 5)]
    assert (first["gate_minutes"], first["lost_minutes"]) == (5, 5)
    # 2026-02-03: clear-space waited 4 min for post-status (a gate, on the
    # path), verify-db 3 min unexplained (on the path): 7 min = lost (40 - 33);
    # post-status's 14 min for check-disk is off it.
    third = incidents["2026-02-03.csv"]
    assert third["critical_path"] == ["triage", "check-disk", "clear-space", "verify-db"]
    assert (third["gate_minutes"], third["lost_minutes"]) == (4, 7)


def test_the_summary_counts_the_gates_on_the_critical_path() -> None:
    document = review(CHECKLIST, INCIDENTS, exit_code=1)
    summary = document["summary"]
    assert summary["most_lost"] == [str(INCIDENTS / "2026-01-12.csv"), str(INCIDENTS / "2026-02-03.csv")]
    # clear-space's gate: 5 + 4 min on the path; post-status's (10 + 14 min) never on it.
    assert summary["costly_gates"] == [
        {"step": "clear-space", "waited_for": ["post-status"], "minutes": 9, "incidents": 2}
    ]
    text = CliRunner().invoke(cli, ["review", str(CHECKLIST), str(INCIDENTS)]).stdout
    assert f"  Lost the most to gates:\n    {INCIDENTS / '2026-01-12.csv'}: 5 min\n" in text


def test_the_causes_add_up_to_the_minutes_lost() -> None:
    result = CliRunner().invoke(cli, ["review", str(CHECKLIST), str(INCIDENTS / "2026-02-03.csv"),
                                      "--format", "markdown"])
    assert "| a gate of the declared order | 4 min | 1 |\n| unexplained | 3 min | 1 |\n" in result.stdout
    assert (
        "Waits on the critical path of what happened (walked back from the step that ended last):"
        " 7 min of the 40 min; waits off it did not delay the end. They are the minutes lost." in result.stdout
    )


def test_two_chained_gates_are_not_counted_twice(tmp_path: Path) -> None:
    # restart-api waited 5 min for restart-web, restart-worker 10 min for
    # restart-api (a chain of gates: 15 min of waits).  The incident took 15
    # min, needed 5 (the steps need nothing of each other): lost 10.  The
    # path is restart-worker alone, ready at 0 and started at 10: 10 min.
    runbook = tmp_path / "three.yaml"
    runbook.write_text(THREE_STEPS, encoding="utf-8")
    record = tmp_path / "incident.csv"
    record.write_text(ONE_AFTER_ANOTHER, encoding="utf-8")
    (incident,) = review(runbook, record)["incidents"]
    assert sum(wait["minutes"] for wait in incident["waits"]) == 15
    assert incident["critical_path"] == ["restart-worker"]
    assert (incident["gate_minutes"], incident["lost_minutes"], incident["actual_minutes"]) == (10, 10, 15)
    text = CliRunner().invoke(cli, ["review", str(runbook), str(record)]).stdout
    assert f"  Lost the most to gates:\n    {record}: 10 min\n" in text
    assert "  Gates that cost the most:\n    `restart-worker` waited for `restart-api`: 10 min in 1 incident\n" in text


def test_argo_dag_disable_fail_fast_loses_at_most_its_minutes() -> None:
    # A 0-4 s, B 5-38 s, C 5-14 s, D 39-43 s, E 44-47 s; the run 0-48 s
    # (0.8 min).  D requires nothing, so every step was ready at 0.  E ended
    # last; it waited from 0 to 44 s: 43 s for D (a gate) and 1 s for its
    # pod (unexplained), and the path has nothing before it.  Lost to gates:
    # 43 s = 0.7167 min, not 4 + 4 + 38 + 43 s = 1.48 min.
    workflow = corpus_folder("executions/argo") / "argo-workflows/workflow/controller/testdata"
    workflow = workflow / "dag-disable-fail-fast.yaml"
    (incident,) = review(workflow, workflow)["incidents"]
    assert incident["critical_path"] == ["E"]
    assert incident["gate_minutes"] == round(43 / 60, 4) == 0.7167
    assert incident["gate_minutes"] <= incident["actual_minutes"] == 0.8
    markdown = CliRunner().invoke(cli, ["review", str(workflow), str(workflow), "--format", "markdown"]).stdout
    assert (
        "0.73 min of the 0.8 min; waits off it did not delay the end. Lost: 0.25 min; 0.48 min of the waits"
        " overlapped work the required order needs on a longer path of its own." in markdown
    )


def test_the_docs_say_what_the_summary_counts() -> None:
    words = " ".join((DOCS / "review.md").read_text(encoding="utf-8").split())
    assert (
        "In the first incident above, `post-status` waited 10 min for `check-disk` (a gate), but the end did"
        " not wait for it: the path is `triage`, `check-disk`, `clear-space` (5 min for `post-status`)"
        " and `verify-db`, so 5 min were lost to gates, the 5 min lost." in words
    )


def path_minutes(incident: dict) -> float:
    """The critical path's own step minutes and its waits, from the JSON."""
    on_path = set(incident["critical_path"])
    work = sum(i["end"] - i["start"] for i in incident["intervals"] if i["step"] in on_path)
    return work + sum(wait["minutes"] for wait in incident["waits"] if wait["step"] in on_path)


def test_the_path_accounts_for_the_minutes_of_the_incident() -> None:
    # 2026-01-12: 5 + 10 + 10 + 5 min of work and 5 min of waits = 35 min;
    # 2026-02-03: 6 + 14 + 8 + 5 and 4 + 3 = 40 min.
    incidents = by_name(review(CHECKLIST, INCIDENTS, exit_code=1))
    assert path_minutes(incidents["2026-01-12.csv"]) == incidents["2026-01-12.csv"]["actual_minutes"] == 35
    assert path_minutes(incidents["2026-02-03.csv"]) == incidents["2026-02-03.csv"]["actual_minutes"] == 40


def test_on_real_records_the_path_never_exceeds_the_incident(tmp_path: Path) -> None:
    # The Argo testdata workflows that come with their definition, each
    # reviewed against itself: whatever their gates, the minutes on the path
    # (and so the gate minutes) are at most the incident's.  Two are snapshots
    # of runs still going (`phase: Running`), which review refuses: their
    # copies here say `Failed`, as their failed steps would end them.
    folder = corpus_folder("executions/argo") / "argo-workflows/workflow/controller/testdata"
    for name in ("dag-exhausted-retries-xfail.yaml", "dag_xfail.yaml"):
        text = (folder / name).read_text()
        assert text.count("\n  phase: Running\n") == 1
        (tmp_path / name).write_text(text.replace("\n  phase: Running\n", "\n  phase: Failed\n"))
    paths = (folder / "dag-disable-fail-fast.yaml", tmp_path / "dag-exhausted-retries-xfail.yaml",
             folder / "dag_retry_succeeded.yaml", tmp_path / "dag_xfail.yaml")
    for path in paths:
        name = path.name
        result = CliRunner().invoke(cli, ["review", str(path), str(path), "--format", "json"])
        (incident,) = json.loads(result.stdout)["incidents"]
        assert incident["critical_path"], name
        assert incident["gate_minutes"] <= path_minutes(incident) <= incident["actual_minutes"] + 0.001, name
