"""RL201's help offers `--fix --unsafe-fixes` only where the restructure
works: a checklist of plain top-level steps.  In a layout the restructure
refuses (a block, stages, a merge key) the help says what works there, and
`--fix --unsafe-fixes` indeed leaves the order as it was."""

import json
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from recoverylint.cli import cli

STEP = """\
{indent}- id: {id}
{indent}  role: oncall
{indent}  duration: 5m
{indent}  inputs: [alert]
"""

HEAD = """\
runbook: layouts
given: [alert]
roles:
  oncall: {authority: [observe, apply], people: 3}
"""


def steps(ids: str, indent: str = "  ") -> str:
    return "".join(STEP.format(indent=indent, id=step_id) for step_id in ids)


PLAIN = HEAD + "steps:\n" + steps("abc")

LAYOUTS = {
    # the checklist's later steps in a `sequence:` block: the same order, not top-level steps
    "sequence-block": HEAD + "steps:\n" + steps("a") + "  - sequence:\n" + steps("bc", "      "),
    # a `parallel:` block after the checklist's steps
    "parallel-block": HEAD + "steps:\n" + steps("abc") + "  - parallel:\n" + steps("de", "      "),
    "stages": HEAD + "stages:\n  - stage: look\n    steps:\n" + steps("abc", "      "),
    # a step taking its keys from another through a YAML merge key
    "merge-key": HEAD
    + textwrap.dedent(
        """\
        steps:
          - &first
            id: a
            role: oncall
            duration: 5m
            inputs: [alert]
          - <<: *first
            id: b
          - <<: *first
            id: c
        """
    ),
}

RESTRUCTURE = "`--fix --unsafe-fixes` restructure the checklist"


def rl201_help(path: Path) -> list[str]:
    result = CliRunner().invoke(cli, ["check", "--no-cache", "--format", "json", "--select", "RL201", str(path)])
    assert result.exit_code == 1, result.output
    return [finding["suggestion"] for finding in json.loads(result.output)["findings"]]


def test_a_plain_checklist_is_offered_the_restructure_and_takes_it(tmp_path: Path) -> None:
    path = tmp_path / "plain.yaml"
    path.write_text(PLAIN)
    suggestions = rl201_help(path)
    assert len(suggestions) == 2 and all(RESTRUCTURE in suggestion for suggestion in suggestions)
    fixed = CliRunner().invoke(cli, ["check", "--no-cache", "--fix", "--unsafe-fixes", str(path)])
    assert "flow: parallel" in path.read_text(), fixed.output


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_a_layout_the_restructure_refuses_is_not_offered_it(tmp_path: Path, layout: str) -> None:
    path = tmp_path / f"{layout}.yaml"
    path.write_text(LAYOUTS[layout])
    suggestions = rl201_help(path)
    assert suggestions
    assert not [suggestion for suggestion in suggestions if "--fix" in suggestion]
    # What does work where the step sits: a `parallel:` block beside the step before it.
    assert any("sits in a sequence" in s and "in a `parallel:` block" in s for s in suggestions)
    # And the restructure would not have been written.
    fixed = CliRunner().invoke(cli, ["check", "--no-cache", "--fix", "--unsafe-fixes", str(path)])
    assert path.read_text() == LAYOUTS[layout], fixed.output
