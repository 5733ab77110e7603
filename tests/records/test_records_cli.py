"""Records that cannot be read, given to `recoverylint review` on the command
line: exit status 2 and one line naming the file, line and column, never a
traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from recoverylint.cli import cli

RUNBOOK = Path(__file__).resolve().parent.parent / "review" / "fixtures" / "checklist.yaml"


@pytest.mark.parametrize(
    ("name", "content", "options", "said"),
    [
        (
            "nozone.csv",
            "step,start,end\ntriage,2024-05-01T14:00:00,2024-05-01T14:01:00Z\n",
            [],
            "nozone.csv:2:8: row 1: `start`: `2024-05-01T14:00:00` has no time zone",
        ),
        (
            "late.json",
            '{"StepExecutions": [{"StepName": "triage", "StepStatus": "Success",\n'
            '  "ExecutionStartTime": 1709287500, "ExecutionEndTime": 1709287400}]}',
            [],
            "late.json:2:57: `triage` ends (2024-03-01T10:03:20+00:00) before it starts",
        ),
        (
            "rows.json",
            '[{"step": "triage", "start": 0, "end": 5}]',
            ["--record-format", "argo"],
            "rows.json:1:1: not a record of a run (expected an Argo Workflow with its status)",
        ),
        ("broken.yaml", "kind: Workflow\nstatus: [\n", [], "broken.yaml:3:1: YAML syntax error"),
    ],
)
def test_an_unreadable_record_is_one_line_and_exit_2(tmp_path, monkeypatch, name, content, options, said):
    monkeypatch.chdir(tmp_path)
    Path(name).write_text(content, encoding="utf-8")
    result = CliRunner().invoke(cli, ["review", str(RUNBOOK), name, *options])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert said in result.output
    assert "Traceback" not in result.output
