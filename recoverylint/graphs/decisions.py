"""Decisions: the alternatives a step decides between, and the branch each
alternative opens (only one branch of a decision runs)."""

from __future__ import annotations

from collections import defaultdict

from ..limits import AnalysisLimits, TooLarge
from ..model import Ref
from .bits import bit_positions, successor_lists, union
from .order import DeclaredOrder


class Decisions:
    """Each deciding step's alternatives and branches, as bitsets of O positions."""

    def __init__(self, order: DeclaredOrder, limits: AnalysisLimits = AnalysisLimits()) -> None:
        self.steps = order.steps
        self.index = order.index
        self.position = order.position
        self.ancestors = order.ancestors
        self.limits = limits
        self._joined = order.joined_preds
        # deciding step -> bitset (node numbers) of the steps it decides between
        self._decide_groups = self._decide_groups_by_step()
        self._decided_by: dict[int, list[int]] = defaultdict(list)  # node -> deciding steps
        for decider, group in self._decide_groups.items():
            for node in bit_positions(group):
                self._decided_by[node].append(decider)
        # the same groups as bitsets of O positions
        self._decide_positions = {
            decider: order.mask(bit_positions(group)) for decider, group in self._decide_groups.items()
        }
        self._branches, self._in_branch = self._branches_of_decisions()
        self._all_branches = {decider: union(masks) for decider, masks in self._branches.items()}

    def __bool__(self) -> bool:
        """Some step decides between alternatives."""
        return bool(self._decide_groups)

    def decided_apart(self, a: int, b: int) -> bool:
        """a and b lie in different branches of one decision (only one runs)."""
        return bool(self.deciding_apart(a, b))

    def deciding_apart(self, a: int, b: int) -> list[int]:
        """The steps whose decisions put a and b in different branches, in
        file order: unlike `deciders`, also when they lie after the
        alternatives rather than being them."""
        if a == b:
            return []
        bit = self.position[b]
        return sorted(
            decider
            for decider, branch in self._in_branch.get(a, ())
            if (self._all_branches[decider] & ~self._branches[decider][branch]) >> bit & 1
        )

    def in_branches(self) -> list[int]:
        """The steps in a branch of some decision, in file order: the only
        ones `decided_apart_mask` may find steps for."""
        return sorted(self._in_branch)

    def decided_apart_mask(self, node: int) -> int:
        """Bitset (O positions) of the steps in the other branches of the
        decisions `node` lies in a branch of."""
        found = 0
        for decider, branch in self._in_branch.get(node, ()):
            # A step lies in one branch of a decision at most: the others are
            # all of them but its own (one mask operation, however many).
            found |= self._all_branches[decider] & ~self._branches[decider][branch]
        return found & ~(1 << self.position[node])

    def _branches_of_decisions(self) -> tuple[dict[int, list[int]], dict[int, list[tuple[int, int]]]]:
        """Deciding step -> the branch of each of its alternatives (bitsets of
        O positions), and node -> (deciding step, branch number) of the
        branches it lies in.  An alternative's branch is the alternative and
        the steps after it in O but after no other alternative of the same
        decision (a step after several is where branches join), as the plan
        follows them.  Each branch is walked from its alternative, and not
        past a join: everything after a join is after both alternatives too."""
        branches: dict[int, list[int]] = {}
        in_branch: dict[int, list[tuple[int, int]]] = defaultdict(list)
        if not self._decide_groups:
            return branches, in_branch
        count = len(self.steps)
        successors = successor_lists(self._joined)
        walked = 0
        for decider, group in self._decide_groups.items():
            chosen = self._decide_positions[decider]
            masks = []
            for number, alternative in enumerate(bit_positions(group)):
                mask = 1 << self.position[alternative]
                in_branch[alternative].append((decider, number))
                pending = [alternative]
                joins_passed: set[int] = set()  # a join leads to the same steps from each source
                while pending:
                    for node in successors[pending.pop()]:
                        if node >= count:
                            if node not in joins_passed:
                                joins_passed.add(node)
                                pending.append(node)
                            continue
                        bit = 1 << self.position[node]
                        after = self.ancestors[node] & chosen
                        if mask & bit or chosen & bit or after & (after - 1):
                            continue
                        walked += 1
                        if walked > self.limits.max_edges:
                            raise TooLarge(
                                f"the branches of its decisions cover over {self.limits.max_edges:,} steps"
                            )
                        mask |= bit
                        in_branch[node].append((decider, number))
                        pending.append(node)
                masks.append(mask)
            branches[decider] = masks
        return branches, in_branch

    def groups(self) -> dict[int, list[int]]:
        """Deciding step -> the steps it decides between (two or more), in file order."""
        return {decider: sorted(bit_positions(group)) for decider, group in self._decide_groups.items()}

    def deciders(self, a: int, b: int) -> list[int]:
        """Steps whose `decides` names both a and b, in file order."""
        if a == b:
            return []
        return [d for d in self._decided_by.get(a, ()) if self._decide_groups[d] >> b & 1]

    def _decide_groups_by_step(self) -> dict[int, int]:
        """Deciding step -> bitset (node numbers) of the steps it decides between,
        for steps deciding between two or more; in file order.  One group per
        deciding step, not one entry per pair (a step choosing among thousands
        of options would make millions of pairs)."""
        groups: dict[int, int] = {}
        for step in self.steps:
            group = 0
            for ref in step.decides:
                if ref.name in self.index:
                    group |= 1 << self.index[ref.name]
            if group.bit_count() >= 2:
                groups[step.index] = group
        return groups

    def exclusive_pairs(self) -> list[tuple[int, int, Ref]]:
        """Pairs of steps that exclude each other, once each (first in file
        order first), with the `excludes` entry that says so first."""
        seen: set[frozenset[int]] = set()
        pairs = []
        for step in self.steps:
            for ref in step.excludes:
                other = self.index.get(ref.name)
                if other is None or other == step.index:
                    continue
                pair = frozenset((step.index, other))
                if pair not in seen:
                    seen.add(pair)
                    pairs.append((min(pair), max(pair), ref))
        return pairs
