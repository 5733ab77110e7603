"""The rule registry: every module of this package adds one rule with
@rule (a check of a RuleContext) or @graph_rule (a check of a GraphContext,
run only when the graphs could be built).

A rule says which capabilities of a runbook's model it needs; it runs on a
file whose input format provides them all.  Its code, name, severity and
words live in `rules/RLnnn.yaml`, not in the code.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property

from ..capabilities import Capability
from ..finding import Issue
from ..graphs import Graphs, OrderProblem
from ..model import Ref, Runbook, Step
from ..settings import Settings
from ._authority import changes_by_step
from ._producers import producer_order

# What rule modules import from here (Capability for their `needs`).
__all__ = [
    "Capability",
    "Check",
    "GraphCheck",
    "GraphContext",
    "Issues",
    "Rule",
    "RuleContext",
    "graph_rule",
    "registry",
    "rule",
]

Issues = Iterable[Issue]


@dataclass(frozen=True)
class RuleContext:
    runbook: Runbook
    graphs: Graphs | None  # None when ids repeat or O has a cycle
    cycle: OrderProblem | None = None
    settings: Settings = Settings()

    @cached_property
    def with_graphs(self) -> GraphContext | None:
        """This context for the rules that need the graphs (None without
        them): made once for all of a runbook's rules, not once each."""
        if isinstance(self, GraphContext):
            return self
        if self.graphs is None:
            return None
        return GraphContext(self.runbook, self.graphs, self.cycle, self.settings)

    @cached_property
    def changes(self) -> list[tuple[Ref, ...]]:
        """Each step's writes that change something (`changed_writes`), by step
        index: asked by eight rules, worked out once for them all (the rules
        given `with_graphs` and the others share its list)."""
        # (A GraphContext works its own out: asking it `with_graphs` would
        # keep itself in its own cache, a reference cycle.)
        if not isinstance(self, GraphContext) and self.with_graphs is not None:
            return self.with_graphs.changes
        return changes_by_step(self.runbook.steps, self.runbook.resources)


@dataclass(frozen=True)
class GraphContext(RuleContext):
    """The context of a rule that needs the graphs: they were built."""

    graphs: Graphs

    @cached_property
    def producer_order(self) -> list[tuple[Step, Ref, list[int], list[int]]]:
        """`_producers.producer_order` of the graphs, for RL301 and RL302."""
        return producer_order(self.graphs)


Check = Callable[[RuleContext], Issues]
GraphCheck = Callable[[GraphContext], Issues]


@dataclass(frozen=True)
class Rule:
    code: str
    check: Callable[[RuleContext], Issues]  # a GraphCheck is called with a GraphContext only
    needs: frozenset[Capability]
    # Whether `check` is given a GraphContext, decided once rather than per
    # runbook (a capability's hash is a Python call).
    needs_graphs: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "needs_graphs", Capability.GRAPHS in self.needs)

    def run(self, context: RuleContext) -> Issues:
        if self.needs_graphs:
            with_graphs = context.with_graphs
            if with_graphs is None:
                raise RuntimeError(f"{self.code} needs the graphs and was run without them")
            context = with_graphs
        return self.check(context)


_REGISTRY: dict[str, Rule] = {}


def _register(code: str, check: Callable[..., Issues], needs: frozenset[Capability]) -> None:
    if code in _REGISTRY:
        raise RuntimeError(f"rule {code} registered twice")
    _REGISTRY[code] = Rule(code, check, needs)


def rule(code: str, *, needs: tuple[Capability, ...] = ()) -> Callable[[Check], Check]:
    """Register a check of a RuleContext; `needs`: what the format must provide."""

    def register(check: Check) -> Check:
        _register(code, check, frozenset(needs))
        return check

    return register


def graph_rule(code: str, *, needs: tuple[Capability, ...] = ()) -> Callable[[GraphCheck], GraphCheck]:
    """Register a check of a GraphContext: it runs only when O is a DAG of
    unique step ids; `needs`: what else the format must provide."""

    def register(check: GraphCheck) -> GraphCheck:
        _register(code, check, frozenset((Capability.GRAPHS, *needs)))
        return check

    return register


def registry() -> dict[str, Rule]:
    if not _REGISTRY:
        for module in pkgutil.iter_modules(__path__):
            importlib.import_module(f"{__name__}.{module.name}")
    return _REGISTRY
