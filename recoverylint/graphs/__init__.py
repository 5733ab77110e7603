"""The graphs of a runbook, split by concern over one shared numbering:

- `bits`: the numbering (nodes as bits of Python ints), reachability and antichains;
- `order`: the declared order O, whose topological positions number every bitset;
- `decisions`: the alternatives a step decides between and their branches;
- `resources`: resource names, who uses each, and when two uses conflict;
- `required`: the required order D.

`Graphs` puts them together and answers the questions rules and the plan ask.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise

from ..limits import AnalysisLimits
from ..model import Phase, Ref, Runbook, Step
from .bits import (
    PackedBitsets,
    Reachability,
    ancestor_bitsets,
    bit_positions,
    reachability,
    strong_components,
    successor_lists,
    topological_order,
    widest_antichain,
)
from .decisions import Decisions
from .order import (
    DeclaredOrder,
    DeclaredWaits,
    OrderProblem,
    check_declared_pairs,
    cycle_among_unique_ids,
    declared_order,
    find_cycle,
    order_predecessors,
)
from .required import independent_pairs, required_predecessors
from .resources import (
    ResourceIndex,
    ResourceUses,
    check_resource_names,
    overlaps,
    owner,
)

__all__ = [
    "Decisions",
    "DeclaredOrder",
    "DeclaredWaits",
    "Graphs",
    "OrderProblem",
    "Reachability",
    "ResourceIndex",
    "ResourceUses",
    "ancestor_bitsets",
    "build_graphs",
    "check_declared_pairs",
    "check_resource_names",
    "cycle_among_unique_ids",
    "declared_order",
    "find_cycle",
    "order_predecessors",
    "overlaps",
    "owner",
    "reachability",
    "strong_components",
    "successor_lists",
    "topological_order",
    "widest_antichain",
]


@dataclass(frozen=True)
class _RequiredBits:
    """A step's reduced O predecessors as a bitset of D positions, and the
    steps at each bit (several share one on a cycle of D)."""

    mask: int
    nodes: dict[int, list[int]]


class Graphs(DeclaredOrder):
    """O, D and the questions rules ask of them, computed once per runbook.

    Built only for a runbook whose step ids are unique and whose O is acyclic.
    """

    def __init__(
        self,
        runbook: Runbook,
        preds: list[list[int]],
        order: list[int],
        limits: AnalysisLimits = AnalysisLimits(),
    ) -> None:
        """`preds` is `order_predecessors(runbook)` (steps, then joins) and
        `order` its `declared_order` (steps only)."""
        super().__init__(runbook, preds, order)
        self.limits = limits
        self.decision = Decisions(self, limits)
        self.uses = ResourceUses(runbook, self.position, self.topological, limits)
        self.resources = self.uses.index
        self.producers: dict[str, list[int]] = defaultdict(list)  # fact -> steps, file order
        for step in self.steps:
            if step.outputs:
                for ref in step.outputs:
                    self.producers[ref.name].append(step.index)
        self.required_preds = required_predecessors(self)
        self.required = reachability(self.required_preds, packed=True)
        self._needless_gates: list[tuple[str, str]] | None = None
        self._unrequired_waits: list[tuple[int, tuple[int, ...]]] | None = None
        self._required_bits_of: dict[int, _RequiredBits] = {}  # id of a shared predecessor list -> its bits
        self._widest_of_all: list[int] | None = None
        self._real_prerequisites: list[list[int] | None] = [None] * len(self.steps)

    # -- O and decisions -------------------------------------------------

    def concurrent(self, a: int, b: int) -> bool:
        """Neither waits for the other in O, and they are not alternatives a step decides between."""
        if a == b or self.before(a, b) or self.before(b, a):
            return False
        return not self.decision.decided_apart(a, b)

    def decided_apart(self, a: int, b: int) -> bool:
        """a and b lie in different branches of one decision (only one runs)."""
        return self.decision.decided_apart(a, b)

    def deciding_apart(self, a: int, b: int) -> list[int]:
        return self.decision.deciding_apart(a, b)

    def decided_apart_mask(self, node: int) -> int:
        return self.decision.decided_apart_mask(node)

    def decisions(self) -> dict[int, list[int]]:
        """Deciding step -> the steps it decides between (two or more), in file order."""
        return self.decision.groups()

    def deciders(self, a: int, b: int) -> list[int]:
        return self.decision.deciders(a, b)

    def exclusive_pairs(self) -> list[tuple[int, int, Ref]]:
        return self.decision.exclusive_pairs()

    def widest(self, nodes: Iterable[int]) -> list[int]:
        """The largest set of `nodes` that can all run at the same time in O,
        in file order: a maximum antichain, found through Dilworth's theorem
        (n minus a maximum matching of "comes before" pairs, then König's
        cover).  No two alternatives a step decides between are ever in the
        set: when the widest antichain of O holds some, all but one of each
        clash are set aside and the antichain is sought again among the rest,
        keeping the largest valid set found.  With alternatives the set may be
        smaller than the true widest point (finding that is NP-hard), never wrong."""
        nodes = list(nodes)
        members = self.mask(nodes)
        ancestors = self.ancestors
        # No search when none of them comes after another or is decided apart
        # from one: they can all run at once (the steps running at one moment
        # of RL405's sweep nearly always can).
        if not any(ancestors[node] & members or self.decided_apart_mask(node) & members for node in nodes):
            return sorted(self.nodes_in(members))
        return self._searched_widest(members)

    def _searched_widest(self, members: int) -> list[int]:
        """`widest` of the steps of the mask `members`, by the search."""
        ancestors, node_at = self.ancestors, self.node_at
        everyone = (1 << len(self.steps)) - 1
        # Plain bitsets by position, for a small O asked about every step: a list index each.
        by_position = [ancestors[node] for node in node_at] if self._plain and members == everyone else None
        best = 0
        for _ in range(32):  # each round sets aside at least one step
            def earlier(position: int, current: int = members) -> int:
                """The members (of this round) before this one in O."""
                found = ancestors[node_at[position]]
                return found if current == everyone else found & current

            found = widest_antichain(
                list(range(len(self.steps))) if members == everyone else list(bit_positions(members)),
                by_position.__getitem__ if by_position is not None and members == everyone else earlier,
            )
            if found.bit_count() <= best.bit_count():
                break
            kept, clashing = 0, 0
            if self.decision:
                for position in bit_positions(found):  # topological order
                    apart = self.decided_apart_mask(node_at[position])
                    if apart & kept:
                        clashing |= 1 << position
                    else:
                        kept |= 1 << position
            else:
                kept = found
            if kept.bit_count() > best.bit_count():
                best = kept
            if not clashing:
                break
            members &= ~clashing
        return sorted(self.nodes_in(best))

    def widest_of_all(self) -> list[int]:
        """`widest` of every step: the most steps that can run at once (computed once)."""
        if self._widest_of_all is None:
            self._widest_of_all = self.widest(range(len(self.steps)))
        return self._widest_of_all

    # -- D ---------------------------------------------------------------

    def unrequired_waits(self) -> list[tuple[int, tuple[int, ...]]]:
        """Edges A→B of O's transitive reduction that D does not imply and
        that are not a choice between alternatives (B waits for A for
        nothing), grouped by B, in O's topological order, each with its As
        in file order: one entry per waiting step.  A join's targets share its reduced sources, so
        each target costs one mask operation (its sources less those D puts
        before it), not a question per source, and equal answers share one
        tuple (two adjacent blocks of 2,000 steps are 2,000 masks, not
        4,000,000 pairs)."""
        if self._unrequired_waits is None:
            self._unrequired_waits = []
            required = self.required
            # (bits, needless mask) -> the sources; keyed by id, the bits kept alive in the value
            answers: dict[tuple[int, int], tuple[_RequiredBits, tuple[int, ...]]] = {}
            order_preds, shared_preds = self.order_preds, self._shared_preds
            required_position, required_ancestors = required.position, required.ancestors
            for target in self.topological:
                preds = order_preds[target]
                if not preds:
                    continue
                # A source in the target's own component of D is required (a cycle).
                required_before = required_ancestors[target] | 1 << required_position[target]
                if id(preds) not in shared_preds:
                    # The step's own sources: a bit test each.
                    sources = tuple(
                        sorted(
                            node
                            for node in self._reduction(target)
                            if not required_before >> required_position[node] & 1
                        )
                    )
                    if not sources:
                        continue
                else:
                    by_bit = self._required_bits(target)
                    needless = by_bit.mask & ~required_before
                    if not needless:
                        continue
                    # Answers are kept only for a join's shared sources: a mask
                    # is as long as D is wide, and one kept per step of a long
                    # checklist cost hundreds of megabytes.
                    key = (id(by_bit), needless)
                    found = answers.get(key)
                    if found is None:
                        found = answers[key] = (
                            by_bit,
                            tuple(sorted(node for bit in bit_positions(needless) for node in by_bit.nodes[bit])),
                        )
                    sources = found[1]
                if self.decision:
                    apart = self.decided_apart_mask(target)
                    sources = tuple(s for s in sources if not apart >> self.position[s] & 1)
                if sources:
                    self._unrequired_waits.append((target, sources))
        return self._unrequired_waits

    def _required_bits(self, target: int) -> _RequiredBits:
        """The reduced O predecessors of a target waiting for a join's
        sources, as a bitset of D positions, with the steps at each bit;
        made once for the sources the join's targets share."""
        preds = self.order_preds[target]
        found = self._required_bits_of.get(id(preds))
        if found is not None:
            return found
        position = self.required.position
        mask = 0
        nodes: dict[int, list[int]] = defaultdict(list)
        for node in self._reduction(target):
            mask |= 1 << position[node]
            nodes[position[node]].append(node)
        found = self._required_bits_of[id(preds)] = _RequiredBits(mask, nodes)
        return found

    def needless_stage_gates(self) -> list[tuple[str, str]]:
        """(earlier, later) stage gates where no step of the later stage requires
        any step of the earlier one."""
        if self._needless_gates is None:
            self._needless_gates = []
            stages = self.runbook.stages
            position = self.required.position
            for earlier, later in pairwise(stages):
                if not later.gate or not earlier.steps or not later.steps:
                    continue
                earlier_mask = 0
                for step_id in earlier.steps:
                    earlier_mask |= 1 << position[self.index[step_id]]
                required = 0
                for step_id in later.steps:
                    required |= self.required.ancestors[self.index[step_id]]
                if not required & earlier_mask:
                    self._needless_gates.append((earlier.name, later.name))
        return self._needless_gates

    def requires(self, a: int, b: int) -> bool:
        """b cannot be right unless a is done (a reaches b in D)."""
        return self.required.reaches(a, b)

    def real_prerequisites(self, node: int) -> list[int]:
        """The D predecessors of `node` that no other one of them requires:
        what it really waits for (worked out once per step; not to be changed)."""
        found = self._real_prerequisites[node]
        if found is not None:
            return found
        preds = self.required_preds[node]
        ancestors, position = self.required.ancestors, self.required.position
        if len(preds) < 2:
            found = preds
        elif len(preds) <= 8 and isinstance(ancestors, PackedBitsets):
            # A few bit tests each, no ancestor bitset unpacked.
            has = ancestors.has
            found = [pred for pred in preds if not any(has(other, position[pred]) for other in preds)]
        else:
            implied = 0
            for pred in preds:
                implied |= ancestors[pred]
            found = [pred for pred in preds if not implied >> position[pred] & 1]
        if len(found) == len(preds):
            found = preds  # one list, not a copy per step
        self._real_prerequisites[node] = found
        return found

    def independent_required_pairs(self) -> int:
        """How many pairs of steps D leaves unordered (neither requires the other)."""
        return independent_pairs(self.required)

    # -- resources and verification --------------------------------------

    def writers_of(self, name: str) -> int:
        """Bitset (O positions) of the steps that write exactly this resource name;
        `self.resources.overlapping(name)` gives the names to ask about."""
        return self.uses.writers_of(name)

    def implicit_verified(self, step: Step) -> int:
        """Bitset (O positions) of the changes a verify-phase step without
        `verifies` checks: every other change writing what it reads."""
        return self.uses.implicit_writers(step.reads)[0] & ~(1 << self.position[step.index])

    def verified_mask(self, step: Step) -> int:
        """Bitset (O positions) of the changes `step` verifies: those its
        `verifies` names or, for a verify-phase step without `verifies`, every
        change writing what it reads."""
        if step.verifies:
            return self.mask(
                {self.index[r.name] for r in step.verifies if r.name in self.index} - {step.index}
            )
        if step.phase is not Phase.VERIFY:
            return 0
        return self.implicit_verified(step)

    def verified_changes(self, step: Step) -> list[int]:
        """`verified_mask` as steps, in file order."""
        return sorted(self.nodes_in(self.verified_mask(step)))

    def verified_out_of_order(self, step: Step) -> list[int]:
        """The changes `step` verifies that O does not put before it."""
        return sorted(self.nodes_in(self.verified_mask(step) & ~self.ancestors[step.index]))


def build_graphs(
    runbook: Runbook, limits: AnalysisLimits = AnalysisLimits()
) -> tuple[Graphs | None, OrderProblem | None]:
    """Graphs of a runbook with unique step ids; or O's cycle when there is one.
    Raises TooLarge past the limits."""
    check_resource_names(runbook, limits)
    check_declared_pairs(runbook, limits)
    preds = order_predecessors(runbook)
    order = declared_order(preds, len(runbook.steps))
    if order is None:
        return None, find_cycle(runbook, preds)
    return Graphs(runbook, preds, order, limits), None
