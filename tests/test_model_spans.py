"""The model keeps the YAML reader's packed spans on names, waits and edges,
and makes a Span only when one is read (issue 16: building the model of
1,000 runbooks spent a third of its time making Spans no finding showed)."""

from __future__ import annotations

import pickle

import pytest

from recoverylint import model
from recoverylint.model import DeclaredEdge, EdgeKind, Need, Ref, Span, pack_span, unpack_span
from recoverylint.native import build_runbook
from recoverylint.source import parse


@pytest.mark.parametrize(
    "line, column, end_line, end_column",
    [(0, 0, 0, 0), (3, 4, 3, 9), (2, 10, 5, 1), (2**32 - 1, 2**24 - 1, 2**32 - 1, 2**24 - 1)],
)
def test_a_packed_span_unpacks_to_its_one_based_span(line, column, end_line, end_column):
    raw = pack_span(line, column, end_line, end_column)
    assert unpack_span(raw) == Span(line + 1, column + 1, end_line + 1, end_column + 1)
    assert model.span_start(raw) == (line + 1, column + 1)


def test_a_value_is_equal_whichever_way_its_span_is_held():
    packed, spelled = Ref("db", pack_span(3, 4, 3, 6)), Ref("db", Span(4, 5, 4, 7))
    assert packed.span == spelled.span == Span(4, 5, 4, 7)
    assert packed == spelled and hash(packed) == hash(spelled)
    assert packed != Ref("db", Span(4, 5, 4, 8)) and packed != Ref("cache", Span(4, 5, 4, 7))
    assert Need("a", pack_span(0, 0, 0, 1), "why") == Need("a", Span(1, 1, 1, 2), "why")
    assert Need("a", pack_span(0, 0, 0, 1)) != Need("a", Span(1, 1, 1, 2), "why")
    edge = DeclaredEdge("a", "b", EdgeKind.NEEDS, pack_span(0, 0, 0, 1))
    assert edge == DeclaredEdge("a", "b", EdgeKind.NEEDS, Span(1, 1, 1, 2))
    assert edge != DeclaredEdge("a", "b", EdgeKind.SEQUENCE, Span(1, 1, 1, 2))
    assert pickle.loads(pickle.dumps(packed)) == packed
    assert Ref("db", Span(1, 1, 1, 2)) != ("db", Span(1, 1, 1, 2))


def test_values_stay_frozen():
    ref = Ref("db", pack_span(0, 0, 0, 2))
    with pytest.raises(AttributeError):
        ref.name = "cache"  # type: ignore[misc]


STEP = """\
  - id: s{n}
    phase: verify
    needs: [s{p}]
    inputs: [a{n}, b{n}]
    outputs: [c{n}]
    reads: [db/x{n}, db/y{n}]
    writes: [db/z{n}]
    verifies: [s{p}]
"""


def _runbook(steps: int) -> str:
    return "runbook: r\nflow: parallel\nsteps:\n  - id: s0\n" + "".join(
        STEP.format(n=n, p=n - 1) for n in range(1, steps + 1)
    )


def test_building_a_model_makes_spans_only_for_steps(monkeypatch):
    made = []
    original = Span.__init__

    def counted(self: Span, *args: int) -> None:
        made.append(args)
        original(self, *args)

    document = parse(_runbook(200))
    monkeypatch.setattr(Span, "__init__", counted)
    runbook = build_runbook(document, "r.yaml")
    # Each step's id, its whole extent and its phase: not its nine names and its wait.
    assert len(made) <= 3 * len(runbook.steps) + 10
    step = runbook.steps[5]
    assert [ref.name for ref in step.reads] == ["db/x5", "db/y5"]
    assert step.reads[1].span == Span(42, 20, 42, 25)
    assert step.needs[0].span == Span(39, 13, 39, 15)
    (edge,) = [edge for edge in runbook.declared_edges if edge.target == "s5"]
    assert edge.span == step.needs[0].span


@pytest.mark.parametrize("text", ["runbook: r\nsteps: []\n", '{"runbook": "r", "flow": "parallel", "steps": []}\n'])
def test_a_runbook_of_no_steps_is_built(text):
    runbook = build_runbook(parse(text), "r.yaml")
    assert (runbook.steps, runbook.declared_edges) == ((), ())
