"""Issue 14: a block boundary or stage gate between thousands of steps and
thousands is analysed through its join, one finding per waiting step, not
refused and not reported pair by pair."""

import json
import subprocess
import sys

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lifting_support import lifted_saving

from recoverylint.analysis import wait_costs
from recoverylint.engine import check_text
from recoverylint.graphs import build_graphs
from recoverylint.native import build_runbook
from recoverylint.source import parse


def adjacent_blocks(width: int) -> str:
    """The issue's first shape (benchmarks/pathological.py's `adjacent-blocks`)."""
    blocks = "".join(
        "  - parallel:\n" + "".join(f"      - id: b{block}s{i}\n" for i in range(width)) for block in range(2)
    )
    return "runbook: adjacent-blocks\nsteps:\n" + blocks


def twenty_stages(width: int) -> str:
    """The issue's second shape (`twenty-stages`)."""
    stages = "".join(
        f"  - stage: st{stage}\n    flow: parallel\n    steps:\n"
        + "".join(f"      - id: st{stage}s{i}\n" for i in range(width))
        for stage in range(20)
    )
    return "runbook: twenty-stages\nstages:\n" + stages


def run(tmp_path, text, *command):
    """recoverylint in its own process, bounded by a generous timeout (two
    blocks of 2,000 took 100 s and 6 GB before joins)."""
    path = tmp_path / "runbook.yaml"
    path.write_text(text, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "recoverylint", *command, str(path), "--format", "json"],
        capture_output=True, text=True, timeout=60, cwd=tmp_path,
    )
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout)


def test_two_adjacent_blocks_of_2000_are_one_finding_per_waiting_step(tmp_path):
    findings = run(tmp_path, adjacent_blocks(2000), "check", "--no-cache")["findings"]
    codes = [found["code"] for found in findings]
    assert "RL001" not in codes
    gates = [found for found in findings if found["code"] == "RL201"]
    # One at each step of the second block (its id at line 2005 + i).
    assert [found["line"] for found in gates] == [2005 + i for i in range(2000)]
    named = ", ".join(f"`b0s{i}`" for i in range(10))
    for i, found in enumerate(gates):
        assert found["message"].startswith(f"`b1s{i}` waits for {named} and 1990 more but uses nothing")


def test_plan_lists_each_waiting_step_once_with_ten_of_its_waits(tmp_path):
    plan = run(tmp_path, adjacent_blocks(2000), "plan")
    gates = plan["false_gates"]
    assert [gate["step"] for gate in gates] == [f"b1s{i}" for i in range(2000)]
    assert gates[1999] == {
        "step": "b1s1999",
        "waits_for": [f"b0s{i}" for i in range(10)],
        "waits_for_count": 2000,
    }


def test_twenty_stages_of_200_are_the_needless_gates_once_each(tmp_path):
    findings = run(tmp_path, twenty_stages(200), "check", "--no-cache")["findings"]
    codes = [found["code"] for found in findings]
    assert codes.count("RL202") == 19
    assert "RL201" not in codes  # each of those waits is nothing but a needless gate
    gates = run(tmp_path, twenty_stages(200), "plan")["false_gates"]
    assert len(gates) == 19 * 200
    assert {gate["waits_for_count"] for gate in gates} == {200}


def test_the_targets_of_a_join_share_one_answer():
    """The work is per waiting step: the 2,000 steps after the boundary
    share one tuple of the steps they wait for, made once."""
    graphs, _ = build_graphs(build_runbook(parse(adjacent_blocks(2000)), "blocks.yaml"))
    waits = graphs.unrequired_waits()
    assert len(waits) == 2000
    assert len({id(sources) for _, sources in waits}) == 1
    assert len(waits[0][1]) == 2000


# -- The same answers as pair by pair ---------------------------------------

STEP_IDS = [f"s{i}" for i in range(9)]


@st.composite
def runbooks_with_joins(draw):
    """Checklists of steps and `parallel:` blocks, or gated stages, whose
    steps pass facts and write resources: joins between several steps and
    several, with some waits D requires and some it does not."""
    count = draw(st.integers(4, 9))
    ids = STEP_IDS[:count]
    facts = {}

    def step(i, indent):
        lines = [f"{indent}- id: {ids[i]}", f"{indent}  duration: {draw(st.integers(1, 5))}m"]
        earlier = [f"f{j}" for j in range(i) if facts.get(j)]
        inputs = draw(st.lists(st.sampled_from(earlier), max_size=2, unique=True)) if earlier else []
        lines.append(f"{indent}  inputs: [{', '.join(['alert', *inputs])}]")
        facts[i] = draw(st.booleans())
        if facts[i]:
            lines.append(f"{indent}  outputs: [f{i}]")
        if draw(st.booleans()):
            lines.append(f"{indent}  writes: [{draw(st.sampled_from(['db', 'cache']))}]")
        return lines

    # Cut the steps into groups: each group one step or a parallel block.
    cuts = sorted(draw(st.sets(st.integers(1, count - 1), min_size=1, max_size=3)))
    groups = [list(range(a, b)) for a, b in zip([0, *cuts], [*cuts, count])]
    lines = ["runbook: r", "given: [alert]"]
    if draw(st.booleans()):
        lines.append("stages:")
        for number, group in enumerate(groups):
            lines += [f"  - stage: g{number}", "    flow: parallel"]
            if number and draw(st.booleans()):
                lines.append("    gate: false")
            lines.append("    steps:")
            for i in group:
                lines += step(i, "      ")
    else:
        lines.append("steps:")
        for group in groups:
            if len(group) == 1:
                lines += step(group[0], "  ")
            else:
                lines.append("  - parallel:")
                for i in group:
                    lines += step(i, "      ")
    return "\n".join(lines) + "\n"


def pair_by_pair(graphs):
    """O's reduction edges that D does not imply, from every pair a join stands for."""
    count = len(graphs.steps)
    preds = [set(p) for p in graphs.order_preds]
    gates = []
    for target in graphs.topological:
        for source in sorted(preds[target]):
            through_other = any(graphs.before(source, other) for other in preds[target] if other != source)
            if not through_other and not graphs.requires(source, target):
                gates.append((source, target))
    assert all(0 <= s < count for s, _ in gates)
    return gates


@settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(runbooks_with_joins())
def test_waits_and_minutes_through_joins_are_those_of_the_pairs(text):
    graphs = check_text(text, keep_graphs=True).graphs
    assert graphs is not None
    waits = graphs.unrequired_waits()
    assert [(s, t) for t, sources in waits for s in sources] == pair_by_pair(graphs)
    durations = [graphs.runbook.duration_of(step).likely for step in graphs.steps]
    for (step, lifted), cost in zip(waits, wait_costs(graphs, waits, durations)):
        assert abs(cost - lifted_saving(graphs, step, lifted, durations)) < 1e-9
