"""RL201's help works where the step sits (issue 16, newcomer item 1): in a
sequence, following it removes the finding; it names the way to keep a wait
that is intended (a `needs` entry with a `reason`)."""

import re
import textwrap

from click.testing import CliRunner
from hypothesis import assume, given, settings
from hypothesis import strategies as st

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


# -- the steps after it that would be left without what they need ------------------

# `report` waits for `lookup` but uses nothing from it; `apply`, after `report`,
# uses what `lookup` found and comes after it only through that wait.
FLOW = textwrap.dedent(
    """\
    runbook: chain
    flow: parallel
    steps:
      - id: lookup
        outputs: [found]
      - id: report
        needs: [lookup]
      - id: apply
        needs: [report]
        inputs: [found]
    """
)


def help_of(text: str, step: str) -> str:
    (finding,) = [f for f in check_text(text).findings if f.code == "RL201" and f.message.startswith(f"`{step}`")]
    assert finding.suggestion is not None
    return finding.suggestion


def test_the_help_names_the_later_step_left_without_what_it_needs():
    assert help_of(FLOW, "report").startswith(
        "needs: [] (it can start at once); `apply` then needs `lookup` in its own `needs`"
    )


def test_a_later_step_that_comes_after_it_another_way_is_not_named():
    also = FLOW.replace("needs: [report]", "needs: [report, lookup]")
    assert "`apply`" not in help_of(also, "report")


def test_in_words_for_a_format_that_orders_steps_by_their_place():
    # A StackStorm workflow: `apply` uses what `lookup` published, through `report`.
    workflow = textwrap.dedent(
        """\
        version: 1.0
        tasks:
          lookup:
            action: core.local cmd="kubectl get pods -n shop"
            next: [{publish: [{pods: <% result().stdout %>}], do: report}]
          report:
            action: core.local cmd="kubectl get svc -n shop"
            next: [{do: apply}]
          apply:
            action: core.local cmd="kubectl describe pods -n shop <% ctx().pods %>"
        """
    )
    found = [f for f in check_text(workflow, "flow.yaml").findings if f.code == "RL201"]
    assert [f.suggestion for f in found] == [
        "let it start at once; then make `apply` wait for `lookup`",
        "make it wait for `lookup`",  # `apply`'s own finding: it needs nothing from `report`
    ]


def test_past_its_budget_no_step_is_named(monkeypatch):
    from recoverylint.rules import rl201

    monkeypatch.setattr(rl201._LeftBehind, "_BUDGET", 0)
    assert help_of(FLOW, "report") == (
        "needs: [] (it can start at once); if the wait is intended, say why: `needs: [{step: lookup, reason: …}]`"
    )


# -- following the help leaves no step without a step it needs ------------------------



@st.composite
def fact_flows(draw):
    """A `flow: parallel` runbook of a few steps: each outputs its own fact,
    uses some facts of steps before it, and waits for some steps before it."""
    count = draw(st.integers(min_value=3, max_value=7))
    steps = []
    for index in range(count):
        earlier = list(range(index))
        uses = draw(st.lists(st.sampled_from(earlier), unique=True, max_size=2)) if earlier else []
        waits = draw(st.lists(st.sampled_from(earlier), unique=True, max_size=2)) if earlier else []
        steps.append((sorted(uses), sorted(waits)))
    return steps


def runbook_of(steps) -> str:
    lines = ["runbook: flow", "flow: parallel", "steps:"]
    for index, (uses, waits) in enumerate(steps):
        lines += [f"  - id: s{index}", f"    outputs: [f{index}]"]
        if uses:
            lines.append(f"    inputs: [{', '.join(f'f{u}' for u in uses)}]")
        if waits:
            lines.append(f"    needs: [{', '.join(f's{w}' for w in waits)}]")
    return "\n".join(lines) + "\n"


@settings(max_examples=200, deadline=None)
@given(fact_flows())
def test_following_the_help_keeps_every_use_after_its_producer(steps):
    # In a runbook whose every use comes after its producer (no other finding
    # about order to follow first), for each finding of one gate: the waiting
    # step gets the `needs` the help gives, the later steps it names get the
    # step waited for; then every use still comes after its producer.
    waits = [waits for _, waits in steps]
    assume(all(set(uses) <= _ancestors(waits, node) for node, (uses, _) in enumerate(steps)))
    for finding in check_text(runbook_of(steps)).findings:
        if finding.code != "RL201" or not finding.message.split(";")[0].endswith("but uses nothing from it"):
            continue
        waiter, waited = (int(name) for name in re.findall(r"`s(\d+)`", finding.message)[:2])
        given_needs, *rest = finding.suggestion.split("; ")
        edited = [list(waits) for _, waits in steps]
        edited[waiter] = [int(name) for name in re.findall(r"s(\d+)", given_needs)]
        for said in rest:
            if " then need" in said:
                for later in re.findall(r"`s(\d+)`", said.split(" then need")[0]):
                    edited[int(later)].append(waited)
        for node, (uses, _) in enumerate(steps):
            assert set(uses) <= _ancestors(edited, node), (runbook_of(steps), finding.suggestion, node)


def _ancestors(waits: list[list[int]], node: int) -> set[int]:
    """The steps O puts before `node`, given each step's waits."""
    found: set[int] = set()
    pending = list(waits[node])
    while pending:
        wait = pending.pop()
        if wait not in found:
            found.add(wait)
            pending.extend(waits[wait])
    return found
