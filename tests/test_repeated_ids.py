"""Repeated step ids (RL101): a copy made by a YAML alias is reported where
the alias is, and a cycle elsewhere in the declared order is still RL103."""

import json

from click.testing import CliRunner

from recoverylint.cli import cli


def findings(tmp_path, text, select="RL101,RL103"):
    path = tmp_path / "runbook.yaml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(path), "--select", select, "--format", "json"])
    assert result.exit_code == 1, result.output
    return [(f["code"], f["line"], f["column"]) for f in json.loads(result.output)["findings"]]


def test_a_step_repeated_through_an_alias_is_reported_at_the_alias(tmp_path):
    text = "runbook: alias\nsteps:\n  - &s\n    id: a\n  - id: b\n  - *s\n"
    assert findings(tmp_path, text) == [("RL101", 4, 9), ("RL101", 6, 5)]


def test_a_cycle_is_reported_when_ids_repeat_elsewhere(tmp_path):
    text = (
        "runbook: dup\nflow: parallel\nsteps:\n"
        "  - id: a\n    needs: [b]\n  - id: b\n    needs: [a]\n"
        "  - id: c\n  - id: c\n"
    )
    assert findings(tmp_path, text) == [("RL103", 7, 13), ("RL101", 8, 9), ("RL101", 9, 9)]


def test_a_wait_naming_a_repeated_id_makes_no_cycle(tmp_path):
    # Which `c` does `a` wait for?  The wait is ambiguous, and no cycle is claimed.
    text = (
        "runbook: dup\nflow: parallel\nsteps:\n"
        "  - id: a\n    needs: [c]\n  - id: c\n    needs: [a]\n  - id: c\n"
    )
    assert findings(tmp_path, text) == [("RL101", 6, 9), ("RL101", 8, 9)]
