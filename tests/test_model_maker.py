"""model.maker: the model objects built for every step, name, span and wait
are made by setting their slots directly, not through the frozen
dataclass's __init__ (issue 16: those __init__s were a quarter of building
the model).  What it makes is what the class makes, and it refuses a class
it could not make exactly."""

from __future__ import annotations

import dataclasses
import pickle
from dataclasses import dataclass, field, fields

import pytest

from recoverylint.model import (
    ClockUse,
    DeclaredEdge,
    Duration,
    DurationBasis,
    EdgeKind,
    Need,
    Phase,
    Ref,
    Runbook,
    Span,
    Step,
    maker,
    pack_span,
)

HERE = Span(1, 2, 1, 5)
PACKED = pack_span(0, 1, 0, 4)
FULL_STEP = {
    "id": "a", "span": HERE, "index": 3, "title": "t", "role": Ref("r", PACKED), "phase": Phase.VERIFY,
    "phase_span": HERE, "duration": Duration(2.0, 1.0, 3.0, DurationBasis.GIVEN), "needs": (Need("b", PACKED, "why"),),
    "inputs": (Ref("f", PACKED),), "outputs": (Ref("g", HERE),), "reads": (Ref("db", PACKED),),
    "writes": (Ref("db", PACKED),), "approval": Ref("boss", PACKED), "pre_approved": True,
    "verifies": (Ref("b", PACKED),), "excludes": (Ref("c", PACKED),), "decides": (Ref("d", PACKED),),
    "approves": (Ref("e", PACKED),), "rollback": Ref("undo", PACKED), "stage": "s", "extent": HERE, "guard": True,
    "observes": (Ref("*", PACKED),), "clocks": (ClockUse("clock", True, HERE),), "condition": Ref("when", PACKED),
    "on_failure": (Ref("x", PACKED),), "outputs_when_skipped": (Ref("y", PACKED),),
}
CASES = [
    pytest.param(Span, (1, 2, 3, 4), {}, id="span"),
    pytest.param(Ref, ("db", PACKED), {}, id="ref-packed"),
    pytest.param(Ref, ("db", HERE), {}, id="ref-spelled"),
    pytest.param(Need, ("b", PACKED), {}, id="need"),
    pytest.param(Need, ("b", PACKED), {"reason": "writes must stop"}, id="need-with-reason"),
    pytest.param(DeclaredEdge, ("a", "b", EdgeKind.SEQUENCE, HERE), {}, id="edge-defaults"),
    pytest.param(DeclaredEdge, ("a", "b", EdgeKind.STAGE_GATE, PACKED, None, "two"), {}, id="edge-positional"),
    pytest.param(Duration, (2.0, 1.0, 3.0, DurationBasis.DEFAULT), {"kind": "an `aws:sleep` step"}, id="duration"),
    pytest.param(Step, ("a", HERE, 0), {}, id="step-defaults"),
    pytest.param(Step, (), FULL_STEP, id="step-every-field"),
]


@pytest.mark.parametrize(("cls", "args", "kwargs"), CASES)
def test_it_makes_what_the_class_makes(cls, args, kwargs):
    made, expected = maker(cls)(*args, **kwargs), cls(*args, **kwargs)
    assert made.__class__ is cls
    assert made == expected and hash(made) == hash(expected)
    for each in fields(cls):  # every slot set, to the same object
        assert getattr(made, each.name) is getattr(expected, each.name), each.name
    assert pickle.loads(pickle.dumps(made)) == expected
    assert dataclasses.replace(made) == expected


@pytest.mark.parametrize(("cls", "args", "kwargs"), CASES)
def test_what_it_makes_stays_frozen(cls, args, kwargs):
    made = maker(cls)(*args, **kwargs)
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.__setattr__(fields(cls)[0].name, None)


def test_it_takes_what_the_class_takes_and_nothing_else():
    make = maker(Step)
    with pytest.raises(TypeError):
        make("a", HERE)  # index missing
    with pytest.raises(TypeError):
        make("a", HERE, 0, colour="red")
    with pytest.raises(TypeError):
        make("a", HERE, 0, id="b")


def test_it_refuses_a_class_it_would_make_otherwise():
    @dataclass(frozen=True)
    class WithoutSlots:
        name: str

    @dataclass(slots=True)
    class NotFrozen:
        name: str

    @dataclass(frozen=True, slots=True)
    class Checked:
        name: str

        def __post_init__(self) -> None:
            if not self.name:
                raise ValueError("a name")

    @dataclass(frozen=True, slots=True)
    class Filled:
        names: tuple[str, ...] = field(default_factory=tuple)

    for cls in (WithoutSlots, NotFrozen, Checked, Filled, Runbook, int):
        with pytest.raises(TypeError):
            maker(cls)
