"""A recovery document as teams write them for SSM (a stopwatch around a
failover, alarm checks before and after, a wait for the cluster): the
analysis orders what the work requires even when no step has a duration."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from recoverylint.cli import cli
from recoverylint.engine import check_file

FIXTURE = Path(__file__).parent / "adapters" / "ssm" / "stopwatch-failover.yaml"
RECOVERY = ["AssertAlarmGreenBefore", "FailoverCluster", "WaitClusterAvailable", "AssertAlarmGreenAfter"]


def test_the_alarm_check_after_the_failover_waits_for_the_cluster_wait() -> None:
    result = check_file(FIXTURE, FIXTURE.name)
    assert [f.code for f in result.findings if f.code.startswith(("RL2", "RL3", "RL4"))] == []


def test_plan_times_the_stopwatch_end_after_everything_it_brackets() -> None:
    completed = CliRunner().invoke(cli, ["plan", str(FIXTURE), "--format", "json"])
    assert completed.exit_code == 0, completed.output
    plan = json.loads(completed.output)
    waves = {step["id"]: step["wave"] for step in plan["steps"]}
    end = waves["CalculateRecoveryTime"]
    assert all(waves[step] < end for step in RECOVERY + ["RecordStartTime"])
    assert waves["RecordStartTime"] < min(waves[step] for step in RECOVERY)
    # Steps of no duration still come one after another on the critical path.
    assert plan["required"]["critical_path"][0] == "RecordStartTime"
    assert plan["required"]["critical_path"][-1] == "CalculateRecoveryTime"
