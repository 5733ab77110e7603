"""`recoverylint review --format markdown` and `--format html -o FILE` as a
user runs them, on a runbook and a timeline record written here: a gate the
work does not need, a verification that starts early, and a record whose
file name is markup."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

from click.testing import CliRunner, Result
from test_plan_html import _open
from test_plan_mermaid import DRAW, load_mermaid
from test_review_outputs_markdown import GANTT, _tasks_by_section

from recoverylint.cli import cli

RUNBOOK = """\
runbook: db-failover
title: Database failover
roles:
  commander:
    authority: [decide, approve, communicate]
  dba:
    authority: [observe, apply]
steps:
  - id: triage
    role: dba
    duration: 5m
    outputs: [symptoms]
  - id: post-status
    role: commander
    duration: 5m
    inputs: [symptoms]
  - id: failover
    role: dba
    duration: 10m
    inputs: [symptoms]
    writes: [db/primary]
    rollback: fail back to the old primary
  - id: verify
    role: dba
    duration: 5m
    verifies: [failover]
    reads: [db/primary]
"""
# failover waits 5 min for post-status, a gate (RL201); verify starts at
# minute 18, before failover finishes at minute 20 (RV101).
RECORD_NAME = '<img src=x onerror="window.__pwned=1"> night.csv'
RECORD = """\
step,start,end,who
triage,2026-03-02T01:00:00Z,2026-03-02T01:05:00Z,ana
post-status,2026-03-02T01:05:00Z,2026-03-02T01:10:00Z,bo
failover,2026-03-02T01:10:00Z,2026-03-02T01:20:00Z,ana
verify,2026-03-02T01:18:00Z,2026-03-02T01:25:00Z,cy
"""


def review(folder: Path, *args: str) -> Result:
    (folder / "runbook.yaml").write_text(RUNBOOK, encoding="utf-8")
    (folder / "records").mkdir(exist_ok=True)
    (folder / "records" / RECORD_NAME).write_text(RECORD, encoding="utf-8")
    old = os.getcwd()
    os.chdir(folder)
    try:
        return CliRunner().invoke(cli, ["review", "runbook.yaml", "records", *args], catch_exceptions=False)
    finally:
        os.chdir(old)


def test_markdown(tmp_path: Path, page, mermaid_js) -> None:
    result = review(tmp_path, "--format", "markdown")
    assert result.exit_code == 1, result.output  # a violation
    written = result.stdout
    assert written.startswith("# Incident review: runbook `db-failover`\n")
    record = f"records/{RECORD_NAME}"
    assert f"## Incident 1: `{record}`" in written
    # verify started before failover ended (RV101), so the path of what
    # happened is verify alone: failover's wait did not hold the end back.
    assert (
        textwrap.dedent(
            """\
        ### Gates to change

        | step | waited for | minutes | delayed the end |
        |---|---|---:|---:|
        | `failover` | `post-status` | 5 min | no: off the critical path |
        """
        )
        in written
    )
    assert "| RV101 | `failover`, `verify` | `verify` started at minute 18, before `failover`" in written
    (chart,) = GANTT.findall(written)
    load_mermaid(page, mermaid_js)
    drawn = page.evaluate(DRAW, chart)
    assert drawn["title"].startswith(f"db-failover — {record}: lost")
    happened, required = _tasks_by_section(drawn).values()
    assert [task["text"] for task in happened] == ["triage", "post-status", "failover", "verify"]
    assert [task["text"] for task in required] == ["triage", "post-status", "failover", "verify"]
    critical = {task["text"] for task in happened if any(name.startswith("crit") for name in task["classes"].split())}
    assert critical == {"failover", "verify"}


def test_html_to_a_file(tmp_path: Path, page) -> None:
    result = review(tmp_path, "--format", "html", "-o", "review.html")
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    report = tmp_path / "review.html"
    seen = _open(page, report)
    lanes = page.evaluate(
        """() => [...document.querySelectorAll("#timeline-1 g.lane")].map((lane) => [
            lane.querySelector(".lane-title > title").textContent,
            [...lane.querySelectorAll("g.row text > title")].map((title) => title.textContent),
        ])"""
    )
    assert lanes == [["dba", ["triage", "failover", "verify"]], ["commander", ["post-status"]]]
    assert page.evaluate("document.querySelectorAll('#timeline-1 rect.wait.gate').length") == 1
    assert page.evaluate("document.querySelectorAll('#timeline-1 polygon.violation-mark').length") == 2
    assert page.evaluate("document.querySelectorAll('#trend g.incident').length") == 1
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert f"Incident 1: records/{RECORD_NAME}" in page.inner_text("body")
    assert seen == {"errors": [], "dialogs": []}
