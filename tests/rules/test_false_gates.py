"""RL201 and RL202 stay in proportion to the runbook: one RL201 per waiting
step (naming the first ten steps it waits for), one RL202 per stage gate;
the same for plan's list of false gates; and the minutes each finding
quotes are those of the runbook with the waits lifted."""

import json
import textwrap

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lifting_support import lifted_saving

from recoverylint.analysis import wait_costs
from recoverylint.cli import cli
from recoverylint.engine import check_text
from recoverylint.fix import fix_text

HEADER = """\
runbook: big
given: [alert]
roles:
  lead: {authority: [observe, decide], people: 5}
"""


def parallel_blocks(size: int, blocks: int = 2) -> str:
    """Blocks of `size` independent steps, one block after the other."""
    lines = [HEADER + "steps:"]
    for block in range(blocks):
        lines.append("  - parallel:")
        for number in range(size):
            lines += [
                f"      - id: s{block}-{number}",
                "        role: lead",
                "        inputs: [alert]",
                f"        duration: {1 + number % 7}m",
            ]
    return "\n".join(lines) + "\n"


def gated_stages(size: int, stages: int) -> str:
    """Stages of `size` parallel steps; the first step of each uses a fact of
    the stage before, so every gate is needed, by one step of the stage."""
    lines = [HEADER + "stages:"]
    for stage in range(stages):
        lines += [f"  - stage: st{stage}", "    flow: parallel", "    steps:"]
        for number in range(size):
            uses = f"f{stage - 1}" if stage and number == 0 else "alert"
            lines += [
                f"      - id: s{stage}-{number}",
                "        role: lead",
                f"        inputs: [{uses}]",
                f"        duration: {1 + number % 5}m",
            ]
            if number == 0:
                lines.append(f"        outputs: [f{stage}]")
    return "\n".join(lines) + "\n"


def codes(text: str, code: str):
    return [f for f in check_text(text).findings if f.code == code]


def test_two_parallel_blocks_give_one_rl201_per_waiting_step():
    # 300 x 300 needless waits: once 90,000 findings.
    found = codes(parallel_blocks(300), "RL201")
    assert len(found) == 300
    first = found[0]
    assert first.message == (
        "`s1-0` waits for `s0-0`, `s0-1`, `s0-2`, `s0-3`, `s0-4`, `s0-5`, `s0-6`, `s0-7`,"
        " `s0-8`, `s0-9` and 290 more but uses nothing from them; it needs no other step first."
        " These gates add nothing to the critical path (0 min), but hide the real order."
    )
    # The steps named: the first ten waited for, then the waiting step.
    assert first.steps == tuple(f"s0-{n}" for n in range(10)) + ("s1-0",)
    assert all(len(f.steps) <= 11 and len(f.message) < 400 for f in found)


def test_stages_whose_gates_one_step_needs_give_one_rl201_per_waiting_step():
    # Twenty stages of 50: once 19 x 49 x 50 = 46,550 findings.
    text = gated_stages(50, 20)
    found = codes(text, "RL201")
    # Every step of a later stage waits for the steps of the stage before
    # that it uses nothing from (the one using the fact, for the 49 others).
    assert len(found) == 19 * 50 <= 20 * 50
    assert codes(text, "RL202") == []
    assert found[0].message.startswith(
        "`s1-0` waits for `s0-1`, `s0-2`, `s0-3`, `s0-4`, `s0-5`, `s0-6`, `s0-7`, `s0-8`, `s0-9`,"
        " `s0-10` and 39 more but uses nothing from them; it needs only `s0-0`."
    )


def test_a_needless_gate_between_big_stages_is_one_rl202_and_no_rl201():
    text = gated_stages(300, 2).replace("inputs: [f0]", "inputs: [alert]")
    assert [f.message for f in codes(text, "RL202")] == [
        "stage `st1` waits for stage `st0`, but none of its steps needs anything from `st0`:"
        " the two stages could overlap"
    ]
    assert codes(text, "RL201") == []


def test_plan_json_lists_each_waiting_step_once_with_what_it_waits_for(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_text(parallel_blocks(300))
    result = CliRunner().invoke(cli, ["plan", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    gates = json.loads(result.output)["false_gates"]
    assert len(gates) == 300
    assert gates[0] == {
        "step": "s1-0",
        "waits_for": [f"s0-{n}" for n in range(10)],
        "waits_for_count": 300,
    }
    assert {gate["step"] for gate in gates} == {f"s1-{n}" for n in range(300)}


FANNED_IN = textwrap.dedent(
    """\
    runbook: fanned-in
    flow: parallel
    given: [alert]
    roles:
      lead: {authority: [observe, decide], people: 4}
    steps:
      - id: a
        role: lead
        duration: 5m
        inputs: [alert]
        outputs: [x]
      - id: b
        role: lead
        duration: 5m
        inputs: [alert]
      - id: e
        role: lead
        duration: 5m
        inputs: [alert]
      - id: c
        role: lead
        duration: 5m
        needs: [b, e]  # both for nothing
        inputs: [alert]
      - id: d
        role: lead
        duration: 5m
        needs: [c, a]
        inputs: [x]
    """
)


def by_step(text: str) -> dict:
    return {f.steps[-1]: f for f in codes(text, "RL201")}


def test_the_grouped_finding_and_its_fix_remove_every_needless_wait():
    found = by_step(FANNED_IN)["c"]
    assert found.message == (
        "`c` waits for `b` and `e` but uses nothing from them; it needs no other step first."
        " These gates add 5 min to the critical path."
    )
    assert found.fix.description == "remove `b` and `e` from the `needs` of `c` (false gates)"
    outcome = fix_text(FANNED_IN, "fanned-in.yaml")
    assert outcome.text == FANNED_IN.replace("needs: [b, e]  # both", "needs: []      # both").replace(
        "needs: [c, a]", "needs: [a]"
    )
    assert fix_text(outcome.text, "fanned-in.yaml").text is None


def test_a_wait_a_later_step_gets_through_the_step_stays():
    # `d` uses `a`'s fact and waits for `a` only through `c`: `c` keeps it.
    text = FANNED_IN.replace("needs: [b, e]", "needs: [a, b]").replace("needs: [c, a]", "needs: [c]")
    found = by_step(text)
    assert found["c"].message.startswith("`c` waits for `a` and `b` but uses nothing from them")
    assert found["c"].fix.description == "remove `b` from the `needs` of `c` (a false gate)"
    assert found["d"].message.startswith("`d` waits for `c` but uses nothing from it; it needs only `a`")
    assert found["d"].fix is None


# -- The minutes, against the runbook with the waits lifted ------------------------


@st.composite
def random_runbooks(draw) -> str:
    count = draw(st.integers(2, 7))
    lines = ["runbook: r", "flow: parallel", "given: [alert]", "steps:"]
    for node in range(count):
        earlier = [f"s{n}" for n in range(node)]
        needs = draw(st.lists(st.sampled_from(earlier), unique=True, max_size=3)) if earlier else []
        uses = draw(st.lists(st.sampled_from(earlier), unique=True, max_size=2)) if earlier else []
        lines += [
            f"  - id: s{node}",
            f"    duration: {draw(st.integers(1, 9))}m",
            f"    needs: [{', '.join(needs)}]",
            f"    inputs: [{', '.join(['alert'] + [f'f{n[1:]}' for n in uses])}]",
            f"    outputs: [f{node}]",
        ]
    return "\n".join(lines) + "\n"


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_runbooks())
def test_the_minutes_are_what_lifting_the_waits_saves(text):
    graphs = check_text(text, keep_graphs=True).graphs
    durations = [graphs.runbook.duration_of(step).likely for step in graphs.steps]
    waits = graphs.unrequired_waits()
    for (step, lifted), cost in zip(waits, wait_costs(graphs, waits)):
        assert abs(cost - lifted_saving(graphs, step, lifted, durations)) < 1e-9


def test_a_gate_of_seconds_says_its_minutes_as_the_plan_does():
    text = textwrap.dedent(
        """\
        runbook: r
        flow: parallel
        steps:
          - id: slow
            duration: 20s
          - id: long
            duration: 30m
            needs: [slow]
        """
    )
    [message] = [f.message for f in check_text(text, "r.yaml").findings if f.code == "RL201"]
    assert message.endswith("This gate adds 0.33 min to the critical path.")
