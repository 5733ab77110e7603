"""docs/real-world-review.md, section "review on real records": the table
of what `recoverylint review` says on the real records that come with their
definition (the Argo testdata workflows, spec and status in one file, each
reviewed against itself; the Tekton dashboard's Pipeline with its
PipelineRun and TaskRuns) is what review says now, row for row, every row
is judged, and the count of true rows the section states is the table's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from review_support import assert_true_counts_match_table, corpus_folder, review_section

from recoverylint.cli import cli

HEADING = "## review on real records"
ARGO = "executions/argo"
ARGO_TESTDATA = "argo-workflows/workflow/controller/testdata"
TEKTON_EXAMPLES = "dashboard/packages/graph/src/components/examples"
# The Argo workflows reviewed against themselves; the one whose times run backwards.
ARGO_REVIEWED = ("dag-disable-fail-fast.yaml", "dag_retry_succeeded.yaml")
# Refused: two snapshots of runs still going, and one whose times run backwards.
ARGO_REFUSED = ("dag-exhausted-retries-xfail.yaml", "dag_xfail.yaml", "steps-failed-retries.yaml")


def table() -> list[tuple[str, str, str]]:
    """(incident, result, verdict) per row of the section's table."""
    rows = []
    for line in review_section(HEADING).splitlines():
        if line.startswith("| `"):
            cells = [cell.strip() for cell in line.strip().strip("|").split(" | ")]
            rows.append((cells[0].strip("`"), cells[1], cells[2]))
    return rows


def number(value: float) -> str:
    return f"{value:g}"


def rows_of(incident_name: str, incident: dict) -> list[tuple[str, str]]:
    """The table's rows for one incident, worded from review's JSON."""
    rows = [(incident_name, f"actual {number(incident['actual_minutes'])}, required"
             f" {number(incident['required_minutes'])}, lost {number(incident['lost_minutes'])} min")]
    for wait in incident["waits"]:
        waited_for = ", ".join(f"`{step}`" for step in wait["waited_for"])
        rows.append((incident_name, f"`{wait['step']}` waited {number(wait['minutes'])} min"
                     + (f" for {waited_for}" if waited_for else "") + f" ({wait['cause']})"))
    for violation in incident["violations"]:
        rows.append((incident_name, f"{violation['code']} {violation['message']}"))
    for item in incident["unmatched"]:
        where = "the runbook's step" if item["side"] == "runbook" else "the record's step"
        rows.append((incident_name, f"{where} `{item['name']}` unmatched"))
    return rows


def review(*paths: Path) -> dict:
    result = CliRunner().invoke(cli, ["review", *map(str, paths), "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def reviewed_now() -> list[tuple[str, str]]:
    testdata = corpus_folder(ARGO) / ARGO_TESTDATA
    rows: list[tuple[str, str]] = []
    for name in ARGO_REVIEWED:
        (incident,) = review(testdata / name, testdata / name)["incidents"]
        rows += rows_of(name, incident)
    for name in ARGO_REFUSED:
        # Any runbook: the record is refused before it is matched to one.
        refused = CliRunner().invoke(cli, ["review", str(testdata / ARGO_REVIEWED[0]), str(testdata / name)],
                                     catch_exceptions=False)
        assert refused.exit_code == 2 and refused.stdout == ""
        prefix = f"recoverylint: error: {testdata / name}:"
        assert refused.stderr.startswith(prefix), refused.stderr
        rows.append((name, f"refused at {refused.stderr.removeprefix(prefix).strip()}"))
    examples = corpus_folder("executions/tekton") / TEKTON_EXAMPLES
    (incident,) = review(examples / "pipeline.json", examples / "pipelineRun.json", examples / "taskRuns.json")[
        "incidents"
    ]
    rows += rows_of("pipelineRun.json", incident)
    return rows


def test_the_table_is_what_review_says_now(reviewed_now: list[tuple[str, str]]) -> None:
    assert [(incident, result) for incident, result, _ in table()] == reviewed_now


def test_every_row_is_judged_and_the_count_is_the_tables() -> None:
    rows = [(incident, 0, result, verdict) for incident, result, verdict in table()]
    assert rows
    assert_true_counts_match_table(HEADING, "After", rows)


def test_the_gate_minutes_of_the_summary_are_minutes_of_the_incident() -> None:
    # The section's closing note: dag-disable-fail-fast.yaml's steps waited
    # 4 + 4 + 38 + 43 s for gates (1.48 min, as the summary once said), but
    # the critical path of what happened is E alone (E ended last, at 47 s;
    # D required nothing before it, so it waited from 0 to 44 s): 43 s of gate.
    workflow = corpus_folder(ARGO) / ARGO_TESTDATA / "dag-disable-fail-fast.yaml"
    (incident,) = review(workflow, workflow)["incidents"]
    assert (incident["actual_minutes"], incident["lost_minutes"]) == (0.8, 0.25)
    text = CliRunner().invoke(cli, ["review", str(workflow), str(workflow)], catch_exceptions=False).stdout
    ranked = text.split("  Lost the most to gates:\n")[1].splitlines()[0]
    assert ranked == f"    {workflow}: 0.72 min"
    assert round(43 / 60, 2) == 0.72
    note = " ".join(review_section(HEADING).split("One number of the summary")[1].split())
    assert "it said 1.48 min for an incident of 0.8 min that lost 0.25" in note
    assert "says 0.72 min lost to gates for that incident of 0.8 min" in note
