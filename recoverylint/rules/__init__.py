"""The rule registry: every module of this package adds one rule with @rule.

A rule is a function of a RuleContext that yields Issues.  Its code, name,
severity and words live in `rules/RLnnn.yaml`, not in the code.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from typing import Callable, Iterable, Optional

from ..finding import Issue
from ..graphs import Graphs, OrderProblem
from ..model import Runbook
from ..settings import Settings


@dataclass(frozen=True)
class RuleContext:
    runbook: Runbook
    graphs: Optional[Graphs]  # None when ids repeat or O has a cycle
    cycle: Optional[OrderProblem] = None
    settings: Settings = Settings()


Check = Callable[[RuleContext], Iterable[Issue]]


@dataclass(frozen=True)
class Rule:
    code: str
    check: Check
    needs_graphs: bool  # runs only when O is a DAG of unique step ids


_REGISTRY: dict[str, Rule] = {}


def rule(code: str, *, needs_graphs: bool = False) -> Callable[[Check], Check]:
    def register(check: Check) -> Check:
        if code in _REGISTRY:
            raise RuntimeError(f"rule {code} registered twice")
        _REGISTRY[code] = Rule(code, check, needs_graphs)
        return check

    return register


def registry() -> dict[str, Rule]:
    if not _REGISTRY:
        for module in pkgutil.iter_modules(__path__):
            importlib.import_module(f"{__name__}.{module.name}")
    return _REGISTRY
