"""RL201's help works where the step sits (issue 16, newcomer item 1): in a
sequence, following it removes the finding; it names the way to keep a wait
that is intended (a `needs` entry with a `reason`)."""

import textwrap

from click.testing import CliRunner

from recoverylint.cli import cli
from recoverylint.engine import check_text

# `decide` uses what `check-disk` and `check-deploys` find, and waits for
# the status post only because the checklist put it after it.
CHECKLIST = textwrap.dedent(
    """\
    runbook: disk-full
    given: [alert]
    roles:
      lead: {authority: [observe, decide, communicate], people: 2}
    steps:
      - id: check-disk
        role: lead
        duration: 5m
        inputs: [alert]
        outputs: [disk]
      - id: check-deploys
        role: lead
        duration: 5m
        inputs: [alert]
        outputs: [deploys]
      - id: post-status
        role: lead
        phase: communicate
        duration: 5m
        inputs: [alert]
      - id: decide
        role: lead
        phase: remediate
        duration: 2m
        inputs: [disk, deploys]
    """
)

# The help's block: `decide` beside the step it need not wait for.
CHECKLIST_FOLLOWED = CHECKLIST.replace(
    """\
  - id: post-status
    role: lead
    phase: communicate
    duration: 5m
    inputs: [alert]
  - id: decide
    role: lead
    phase: remediate
    duration: 2m
    inputs: [disk, deploys]
""",
    """\
  - parallel:
      - id: post-status
        role: lead
        phase: communicate
        duration: 5m
        inputs: [alert]
      - id: decide
        role: lead
        phase: remediate
        duration: 2m
        inputs: [disk, deploys]
""",
)


def rl201(text: str) -> list:
    return [f for f in check_text(text).findings if f.code == "RL201"]


def test_following_the_old_help_in_a_sequence_changed_nothing():
    """What the help used to say (`needs: [check-disk, check-deploys]`)
    leaves RL201 and adds two RL203: the help no longer says it there."""
    (found,) = [f for f in rl201(CHECKLIST) if f.steps[-1] == "decide"]
    assert "needs: [check-disk, check-deploys]" not in found.suggestion
    followed = CHECKLIST.replace("    inputs: [disk, deploys]\n", "    inputs: [disk, deploys]\n    needs: [check-disk, check-deploys]\n")
    codes = [f.code for f in check_text(followed).findings if f.steps[-1:] == ("decide",)]
    assert codes.count("RL201") == 1 and codes.count("RL203") == 2


def test_following_the_help_in_a_sequence_removes_the_finding():
    assert [f for f in rl201(CHECKLIST_FOLLOWED) if f.steps[-1] == "decide"] == []
    assert [f.code for f in check_text(CHECKLIST_FOLLOWED).findings if f.code == "RL203"] == []


def test_the_cli_shows_the_block_as_help(tmp_path):
    path = tmp_path / "disk-full.yaml"
    path.write_text(CHECKLIST)
    result = CliRunner().invoke(cli, ["check", "--no-cache", str(path)])
    assert "= help: `decide` sits in a sequence" in result.output
