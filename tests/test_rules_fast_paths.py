"""Rules' fast paths for common cases give what the general way gives: run
both on small runbooks that reach the edges (hand-made and generated)."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recoverylint.engine import check_text
from recoverylint.graphs import Graphs, build_graphs
from recoverylint.native import build_runbook
from recoverylint.rules._producers import producer_order
from recoverylint.source import parse

WIDEST_RULES = ("RL405", "RL701", "RL702")


def rl405_both_ways(text: str, monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, str, str | None]]:
    """The findings of the rules asking `Graphs.widest` (RL405's, returned),
    asserted equal to those its search alone gives: `widest` skips it for
    steps none of which comes after another or is decided apart from one."""

    def found() -> list[tuple[str, int, str, str | None]]:
        return [
            (f.code, f.span.line, f.message, f.suggestion)
            for f in check_text(text).findings
            if f.code in WIDEST_RULES
        ]

    fast = found()
    with monkeypatch.context() as patched:
        patched.setattr(Graphs, "widest", lambda graphs, nodes: graphs._searched_widest(graphs.mask(list(nodes))))
        slow = found()
    assert fast == slow
    return [(line, message, suggestion) for code, line, message, suggestion in fast if code == "RL405"]


# Windows of ordered steps that overlap (a range of minutes), and alternatives
# a step decides between: the steps running at one moment are no antichain.
EDGES = """\
runbook: r
team: {size: 1}
roles:
  lead: {authority: [decide]}
  sre: {authority: [observe, apply], people: 1}
steps:
  - id: choose
    role: lead
    duration: 1m
    decides: [hotfix, revert]
  - parallel:
      - id: hotfix
        role: sre
        duration: {min: 1m, max: 30m}
      - id: revert
        role: sre
        duration: 5m
  - parallel:
      - id: watch
        role: sre
        duration: 10m
      - id: page
        role: sre
        duration: 2m
"""


def test_rl405_shortcut_on_ordered_and_decided_steps(monkeypatch: pytest.MonkeyPatch) -> None:
    found = rl405_both_ways(EDGES, monkeypatch)
    assert [message.split(":")[0] for _, message, _ in found] == [
        "2 steps can run at once (`watch` and `page`) but the team has 1 person",
        "2 steps of `sre` can run at once (`watch` and `page`) but the role has 1 person",
    ]


DURATIONS = ["", "    duration: 5m\n", "    duration: {min: 1m, max: 20m}\n", "    duration: 0m\n"]


def needs_and_decisions(draw: st.DrawFn, node: int, count: int) -> list[str]:
    """Step `node`'s lines of up to two earlier steps it needs, and maybe a
    decision between two later ones."""
    lines = []
    earlier = draw(st.lists(st.integers(0, node - 1), unique=True, max_size=2)) if node else []
    if earlier:
        lines.append(f"    needs: [{', '.join(f's{e}' for e in earlier)}]")
    later = list(range(node + 1, count))
    if len(later) >= 2 and draw(st.booleans()):
        chosen = draw(st.lists(st.sampled_from(later), unique=True, min_size=2, max_size=2))
        lines.append(f"    decides: [{', '.join(f's{c}' for c in chosen)}]")
    return lines


@st.composite
def runbooks(draw: st.DrawFn) -> str:
    count = draw(st.integers(2, 7))
    lines = [
        "runbook: r",
        f"team: {{size: {draw(st.integers(1, 3))}}}",
        "flow: parallel",
        "roles:",
        "  lead: {authority: [decide]}",
        f"  sre: {{authority: [observe], people: {draw(st.integers(1, 2))}}}",
        "steps:",
    ]
    for node in range(count):
        lines.append(f"  - id: s{node}")
        lines.append(f"    role: {draw(st.sampled_from(['lead', 'sre']))}")
        lines += needs_and_decisions(draw, node, count)
        lines.append(draw(st.sampled_from(DURATIONS)).rstrip("\n"))
    return "\n".join(line for line in lines if line) + "\n"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(runbooks())
def test_rl405_shortcut_on_generated_runbooks(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    rl405_both_ways(text, monkeypatch)


def producers_by_definition(graphs: Graphs) -> list[tuple[str, str, list[int], list[int]]]:
    """`producer_order` as its docstring says it, a producer at a time."""
    found = []
    for step in graphs.steps:
        node = step.index
        for ref in step.inputs:
            others = [p for p in graphs.producers.get(ref.name, ()) if p != node]
            if not others or any(graphs.before(p, node) for p in others):
                continue
            found.append((step.id, ref.name, others, [p for p in others if graphs.concurrent(p, node)]))
    return found


@st.composite
def fact_runbooks(draw: st.DrawFn) -> str:
    """Steps using and outputting a few facts (their own too), with needs and decisions."""
    count = draw(st.integers(1, 7))
    facts = st.lists(st.sampled_from(["x", "y", "z"]), unique=True, max_size=2)
    lines = ["runbook: r", "flow: parallel", "steps:"]
    for node in range(count):
        lines.append(f"  - id: s{node}")
        for key in ("inputs", "outputs"):
            chosen = draw(facts)
            if chosen:
                lines.append(f"    {key}: [{', '.join(chosen)}]")
        lines += needs_and_decisions(draw, node, count)
    return "\n".join(lines) + "\n"


@settings(max_examples=200, deadline=None)
@given(fact_runbooks())
def test_producer_order_by_bitsets_is_its_definition(text: str) -> None:
    runbook = build_runbook(parse(text), "t.yaml")
    graphs, cycle = build_graphs(runbook)
    assert graphs is not None and cycle is None
    fast = [(step.id, ref.name, others, concurrent) for step, ref, others, concurrent in producer_order(graphs)]
    assert fast == producers_by_definition(graphs)
