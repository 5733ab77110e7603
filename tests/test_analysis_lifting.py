"""What lifting a step's needless waits saves, on runbooks with blocks,
stages, ranges, defaults and unknown durations: the same minutes as the
runbook rebuilt with the waits lifted; each wait priced as on its own,
whatever the other waits asked with it and their order; and the shortcuts
of `analysis._Lifting` (a few lifted steps looked up in a tuple, more in a
set; waits out of topological order; no sparse-table level above the
longest jump; equal answers sharing one WaitCost) answer as the general
way does."""

from __future__ import annotations

import textwrap

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from lifting_support import lifted_saving

from recoverylint.analysis import wait_costs, wait_costs_known
from recoverylint.durations import step_minutes
from recoverylint.engine import check_text
from recoverylint.graphs import Graphs

DURATIONS = ("1m", "4m", "9m", "{min: 1m, likely: 2m, max: 30m}", None)


@st.composite
def runbooks(draw: st.DrawFn) -> str:
    """A native runbook of up to 16 steps: single steps and parallel blocks
    (some holding a sequence) in a sequential or parallel flow, or two
    stages; `needs` of up to 11 earlier steps (some with a reason, some
    naming a step twice), facts passed between steps, and durations known,
    ranged, defaulted (`default_duration`) or unknown (no default)."""
    count = draw(st.integers(2, 16))
    ids = [f"s{node}" for node in range(count)]
    lines = ["runbook: r", "given: [alert]"]
    if draw(st.booleans()):
        lines.append("default_duration: 3m")

    def step(node: int, indent: str) -> list[str]:
        earlier = ids[:node]
        needs = draw(st.lists(st.sampled_from(earlier), max_size=11)) if earlier else []
        uses = draw(st.lists(st.sampled_from(earlier), unique=True, max_size=2)) if earlier else []
        written = [f"{{step: {need}, reason: kept}}" if draw(st.integers(0, 9)) == 0 else need for need in needs]
        found = [
            f"{indent}- id: {ids[node]}",
            f"{indent}  needs: [{', '.join(written)}]",
            f"{indent}  inputs: [{', '.join(['alert'] + [f'f{n[1:]}' for n in uses])}]",
            f"{indent}  outputs: [f{node}]",
        ]
        duration = draw(st.sampled_from(DURATIONS))
        if duration is not None:
            found.append(f"{indent}  duration: {duration}")
        return found

    def items(nodes: list[int], indent: str) -> list[str]:
        found: list[str] = []
        at = 0
        while at < len(nodes):
            size = draw(st.integers(1, 4))
            block = nodes[at : at + size]
            at += size
            if len(block) == 1:
                found += step(block[0], indent)
                continue
            found.append(f"{indent}- parallel:")
            threaded = draw(st.integers(0, len(block)))  # the steps after it form a sequence
            for node in block[:threaded]:
                found += step(node, indent + "    ")
            if threaded < len(block):
                found.append(f"{indent}    - sequence:")
                for node in block[threaded:]:
                    found += step(node, indent + "        ")
        return found

    nodes = list(range(count))
    if draw(st.booleans()):
        split = draw(st.integers(1, count - 1))
        lines.append("stages:")
        for name, part in (("first", nodes[:split]), ("second", nodes[split:])):
            flow = draw(st.sampled_from(("sequential", "parallel")))
            lines += [f"  - stage: {name}", f"    flow: {flow}", "    steps:"]
            lines += items(part, "      ")
    else:
        lines.append(f"flow: {draw(st.sampled_from(('sequential', 'parallel')))}")
        lines.append("steps:")
        lines += items(nodes, "  ")
    return "\n".join(lines) + "\n"


def graphs_of(text: str) -> Graphs:
    graphs = check_text(text, keep_graphs=True).graphs
    assume(graphs is not None)
    assert graphs is not None
    return graphs


SETTINGS = settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(runbooks())
def test_each_saving_is_what_the_runbook_with_the_waits_lifted_saves(text: str) -> None:
    graphs = graphs_of(text)
    waits = graphs.unrequired_waits()
    minutes = step_minutes(graphs.runbook, graphs.steps)
    for durations in (minutes.likely, minutes.longest):
        for (step, lifted), cost in zip(waits, wait_costs(graphs, waits, durations), strict=True):
            assert abs(cost - lifted_saving(graphs, step, lifted, durations)) < 1e-9


@SETTINGS
@given(runbooks(), st.randoms(use_true_random=False))
def test_each_wait_is_priced_as_on_its_own_in_any_order(text: str, random) -> None:
    graphs = graphs_of(text)
    waits = list(graphs.unrequired_waits())
    assume(waits)
    alone = [wait_costs_known(graphs, [wait])[0] for wait in waits]
    assert wait_costs_known(graphs, waits) == alone
    shuffled = list(range(len(waits)))
    random.shuffle(shuffled)
    assert wait_costs_known(graphs, [waits[at] for at in shuffled]) == [alone[at] for at in shuffled]


def test_a_step_waiting_needlessly_for_many_keeps_its_other_waits():
    # `last` (1 min) waits for nine steps it does not use (more than a tuple
    # is searched for) and for `slow`, whose fact it uses: lifting the nine
    # saves nothing while `slow` is the longest; with `slow` short, `last`
    # runs beside the nine and the path loses its minute.
    def runbook(slow: str) -> str:
        many = "\n".join(f"  - id: w{n}\n    duration: {n + 1}m" for n in range(9))
        names = ", ".join(f"w{n}" for n in range(9))
        return (
            textwrap.dedent(
                f"""\
                runbook: r
                flow: parallel
                given: [alert]
                steps:
                  - id: slow
                    duration: {slow}
                    outputs: [x]
                """
            )
            + many
            + f"\n  - id: last\n    duration: 1m\n    inputs: [x]\n    needs: [slow, {names}]\n"
        )

    for slow, saved in (("20m", 0.0), ("2m", 1.0)):
        graphs = check_text(runbook(slow), keep_graphs=True).graphs
        assert graphs is not None
        waits = graphs.unrequired_waits()
        [(step, lifted)] = waits
        assert graphs.steps[step].id == "last" and len(lifted) == 9
        assert wait_costs(graphs, waits) == [saved]
        assert lifted_saving(graphs, step, lifted, step_minutes(graphs.runbook, graphs.steps).likely) == saved
