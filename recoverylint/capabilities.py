"""What a rule needs of a runbook's model, and what an input format feeds it.

A rule runs on a file when the file's format provides every capability the
rule needs (and, for GRAPHS, when the graphs could be built).  A leaf module:
the rules and the formats both name these, and neither imports the other.
"""

from __future__ import annotations

from enum import Enum


class Capability(Enum):
    """In the order `--verbose` names what a format lacks: a rule skipped for
    several reasons is named under the first missing one."""

    # The declared order as a DAG of unique step ids: every format feeds the
    # order, but a runbook whose ids repeat or whose order has a cycle has none.
    GRAPHS = "graphs"
    PHASES = "phases"  # steps marked diagnose/remediate/verify..., and what each verifies
    ROLES = "roles"  # who performs or approves a step, with what authority
    MARKINGS = "markings"  # which steps verify or undo a change (rollbacks)
    TEAM = "team"  # a team and its commander follow the steps


# Why a format that lacks a capability skips the rules needing it (--verbose).
MISSING = {
    Capability.GRAPHS: "the declared order cannot be built",
    Capability.PHASES: "the format marks no phases or verification steps",
    Capability.ROLES: "the format names no roles, approvers or team",
    Capability.MARKINGS: "the format marks no verifications or rollbacks",
    Capability.TEAM: "an engine runs the steps, not a team a commander follows",
}

EVERY = frozenset(Capability)
# What an engine-run workflow feeds: its steps and their order, nothing of
# who performs them, which phase they are in or which step undoes another.
AUTOMATION = frozenset({Capability.GRAPHS})
