"""RL201's wait costs are worked out once per runbook and priced for each
set of minutes (likely, longest, defaults set to 0): the same answers as
pricing each set on its own, without walking the waits again for each."""

import textwrap

from recoverylint.analysis import wait_costs, wait_costs_known
from recoverylint.durations import step_minutes
from recoverylint.engine import check_text
from recoverylint.graphs import Graphs, build_graphs

# Ranges (likely != longest), a default (`default_duration`) and a `needs`
# that jumps a waiting step: all three sets of minutes are priced.
RUNBOOK = textwrap.dedent(
    """\
    runbook: ranges
    given: [alert]
    default_duration: 4m
    roles:
      lead: {authority: [observe, apply], people: 5}
    steps:
      - id: a
        role: lead
        duration: {min: 1m, likely: 3m, max: 20m}
        inputs: [alert]
        outputs: [x]
      - id: b
        role: lead
        inputs: [alert]
      - id: c
        role: lead
        duration: 7m
        inputs: [x]
        needs: [a]
      - id: d
        role: lead
        duration: {min: 2m, max: 9m}
        inputs: [alert]
      - id: e
        role: lead
        duration: 1m
        inputs: [x]
    """
)


def graphs_and_waits() -> tuple[Graphs, list[tuple[int, tuple[int, ...]]]]:
    graphs, _ = build_graphs(check_text(RUNBOOK).runbook)
    assert graphs is not None
    return graphs, graphs.unrequired_waits()


def test_each_set_of_minutes_is_priced_as_on_its_own():
    graphs, waits = graphs_and_waits()
    minutes = step_minutes(graphs.runbook, graphs.steps)
    assert minutes.ranged and minutes.defaulted and len(waits) >= 3
    known = wait_costs_known(graphs, waits)
    likely = wait_costs(graphs, waits, minutes.likely)
    longest = wait_costs(graphs, waits, minutes.longest)
    assert [cost.likely for cost in known] == likely
    assert [cost.longest for cost in known] == [max(low, high) for low, high in zip(likely, longest, strict=True)]
    assert any(high > low for low, high in zip(likely, longest, strict=True))  # the ranges matter here


def test_the_waits_are_walked_once_for_all_sets_of_minutes(monkeypatch):
    graphs, waits = graphs_and_waits()
    asked = []
    real_prerequisites = Graphs.real_prerequisites

    def counted(self: Graphs, node: int) -> list[int]:
        asked.append(node)
        return real_prerequisites(self, node)

    monkeypatch.setattr(Graphs, "real_prerequisites", counted)
    wait_costs_known(graphs, waits)
    # Three sets of minutes priced, each waiting step's prerequisites asked once.
    assert sorted(asked) == sorted(step for step, _ in waits)
