"""`recoverylint rules` and `recoverylint rule RLnnn`: the catalog for a person and for tools."""

import json
import re

import pytest
from click.testing import CliRunner

from recoverylint.catalog import catalog_codes, rule_doc
from recoverylint.cli import cli

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def run(*args, env=None):
    return CliRunner().invoke(cli, list(args), env=env or {}, catch_exceptions=False)


def test_rules_lists_every_rule_once_by_code_in_aligned_columns():
    result = run("rules")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert [line.split()[0] for line in lines] == catalog_codes()
    # Each column starts at the same place on every line.
    docs = [rule_doc(code) for code in catalog_codes()]
    severity_at = {line.index(f" {doc.severity.value} ", len(doc.code) + len(doc.name) + 2)
                   for line, doc in zip(lines, docs)}
    summary_at = {line.index(doc.summary) for line, doc in zip(lines, docs)}
    assert len(severity_at) == 1 and len(summary_at) == 1
    doc = rule_doc("RL201")
    (line,) = [line for line in lines if line.startswith("RL201 ")]
    assert line.split()[:3] == ["RL201", doc.name, "warning"]
    assert line.endswith(doc.summary)


def test_rules_as_json():
    result = run("rules", "--format", "json")
    assert result.exit_code == 0
    entries = json.loads(result.output)
    assert [entry["code"] for entry in entries] == catalog_codes()
    by_code = {entry["code"]: entry for entry in entries}
    doc = rule_doc("RL201")
    assert by_code["RL201"] == {
        "code": "RL201",
        "name": doc.name,
        "severity": "warning",
        "family": doc.family,
        "summary": doc.summary,
    }


def test_rule_prints_the_catalog_entry_in_a_fixed_layout():
    doc = rule_doc("RL201")
    result = run("rule", "RL201", "--no-color")
    assert result.exit_code == 0
    text = result.output
    assert "\x1b[" not in text
    assert text.splitlines()[0] == f"RL201 false-sequential-gate (warning, {doc.family})"
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings == [
        "## What it does", "## Why it matters", "## How to fix", "## Example", "## Use instead"
    ]
    sections = re.split(r"^## .*\n", text, flags=re.MULTILINE)
    what, why, fix, bad, good = (section.strip() for section in sections[1:])
    assert (what, why, fix) == (doc.summary, doc.rationale, doc.how_to_fix)
    assert bad == f"```yaml\n{doc.examples['bad'][0].rstrip()}\n```"
    assert good == f"```yaml\n{doc.examples['good'][0].rstrip()}\n```"


def test_rule_highlights_the_examples_when_colour_is_on():
    plain = run("rule", "RL201", "--no-color").output
    coloured = run("rule", "RL201", "--color").output
    assert "\x1b[" in coloured
    # pygments colours inside the YAML, not only the headings.
    example = coloured.split("```yaml", 1)[1].split("```", 1)[0]
    assert "\x1b[" in example
    assert ANSI.sub("", coloured) == plain


def test_rule_colour_defaults_to_off_when_not_a_terminal_or_no_color_is_set():
    assert "\x1b[" not in run("rule", "RL201").output
    assert "\x1b[" not in run("rule", "RL201", env={"NO_COLOR": "1"}).output


@pytest.mark.parametrize("asked", ["rl201", "false-sequential-gate"])
def test_rule_accepts_lower_case_codes_and_names(asked):
    result = run("rule", asked, "--no-color")
    assert result.exit_code == 0
    assert result.output.startswith("RL201 false-sequential-gate")


@pytest.mark.parametrize("asked", ["RL2011", "false-sequential-gat"])
def test_unknown_rule_exits_two_suggesting_the_closest(asked):
    result = run("rule", asked)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert f"recoverylint: error: unknown rule `{asked}`; did you mean RL201" in result.stderr


def test_unknown_rule_with_nothing_close():
    result = run("rule", "XYZ")
    assert result.exit_code == 2
    assert "did you mean" not in result.stderr
    assert "`recoverylint rules` lists them all" in result.stderr


def test_rule_as_json_is_the_whole_entry():
    doc = rule_doc("RL303")
    result = run("rule", "RL303", "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.output) == {
        "code": "RL303",
        "name": doc.name,
        "severity": doc.severity.value,
        "family": doc.family,
        "summary": doc.summary,
        "rationale": doc.rationale,
        "fix": doc.how_to_fix,
        "examples": {"bad": doc.examples["bad"], "good": doc.examples["good"]},
    }
