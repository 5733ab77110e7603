"""Rules' fast paths for common cases give what the general way gives: run
both on small runbooks that reach the edges (hand-made and generated)."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recoverylint.engine import check_text
from recoverylint.graphs import Graphs
from recoverylint.rules import rl405


def rl405_both_ways(text: str, monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, str, str | None]]:
    """RL405's findings with its shortcut for steps that can all run at once,
    asserted equal to those `Graphs.widest` alone gives."""

    def found() -> list[tuple[int, str, str | None]]:
        return [(f.span.line, f.message, f.suggestion) for f in check_text(text).findings if f.code == "RL405"]

    fast = found()
    with monkeypatch.context() as patched:
        patched.setattr(rl405, "_widest", lambda graphs, nodes: Graphs.widest(graphs, nodes))
        slow = found()
    assert fast == slow
    return fast


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
        earlier = draw(st.lists(st.integers(0, node - 1), unique=True, max_size=2)) if node else []
        if earlier:
            lines.append(f"    needs: [{', '.join(f's{e}' for e in earlier)}]")
        later = list(range(node + 1, count))
        if len(later) >= 2 and draw(st.booleans()):
            chosen = draw(st.lists(st.sampled_from(later), unique=True, min_size=2, max_size=2))
            lines.append(f"    decides: [{', '.join(f's{c}' for c in chosen)}]")
        lines.append(draw(st.sampled_from(DURATIONS)).rstrip("\n"))
    return "\n".join(line for line in lines if line) + "\n"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(runbooks())
def test_rl405_shortcut_on_generated_runbooks(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    rl405_both_ways(text, monkeypatch)
