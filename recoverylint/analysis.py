"""Schedule arithmetic on O: critical path, and what removing one gate would save;
and the decision checklist that says which workflow mode suits a runbook."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import accumulate, islice

from .durations import differs, step_minutes
from .graphs import Graphs
from .model import Duration, DurationBasis, Runbook, Span
from .words import PAIRS


@dataclass(frozen=True)
class CriticalPath:
    length: float  # minutes
    # Node of O with its joins (`Graphs.joined`: steps, then a node per
    # join, of 0 minutes) -> earliest finish (longest path ending there).
    finish: list[float]
    tail: list[float]  # node -> longest path starting there, itself included


def critical_path(graphs: Graphs, durations: list[float]) -> CriticalPath:
    """O's longest paths with these minutes for each step (node order),
    through each join once rather than over every pair it stands for."""
    preds, order = graphs.joined()
    minutes = list(durations) + [0.0] * (len(preds) - len(durations))
    finish = [0.0] * len(preds)
    for node in order:
        start = 0.0  # minutes are never negative
        for pred in preds[node]:
            if finish[pred] > start:
                start = finish[pred]
        finish[node] = start + minutes[node]
    tail = list(minutes)
    for node in reversed(order):
        after = tail[node]
        for pred in preds[node]:
            if minutes[pred] + after > tail[pred]:
                tail[pred] = minutes[pred] + after
    return CriticalPath(max(finish, default=0.0), finish, tail)


class _Lifting:
    """What lifting each step's needless waits changes in O, whatever the
    minutes: worked out once, then priced for each set of minutes (likely,
    longest, without defaults) by arithmetic over what is kept here.

    A path that avoids a waiting step lies wholly before it in topological
    order, wholly after it, or jumps over it by an edge.  Each edge that
    jumps over some waiting step is kept once, as one tuple naming the range
    of them it jumps (two overlapping power-of-two ranges of a sparse table
    of maxima over the waiting steps): memory grows with those edges and
    with the waiting steps, not with how many waiting steps each edge jumps.
    """

    def __init__(self, graphs: Graphs, waits: list[tuple[int, tuple[int, ...]]]) -> None:
        self.graphs = graphs
        preds_of, order = graphs.joined()
        self.order = order
        count = len(order)
        position_of = [0] * count  # node -> its position in `order`
        for position, node in enumerate(order):
            position_of[node] = position
        self.positions = [position_of[step] for step, _ in waits]
        asked = sorted(self.positions)
        self.asked = asked
        # Each wait's index in `asked` (a step waits once: its position is
        # asked once); the waits usually come in topological order already.
        if asked == self.positions:
            self.ranks: list[int] = list(range(len(asked)))
        else:
            rank_of = {position: rank for rank, position in enumerate(asked)}
            self.ranks = [rank_of[position] for position in self.positions]
        # node -> whether it is asked about, and the index in `asked` of the
        # first asked position after it
        asked_here = [0] * count
        for position in asked:
            asked_here[position] += 1
        after_position = list(accumulate(asked_here))
        first_after = [after_position[position] for position in position_of]
        is_asked = [asked_here[position] > 0 for position in position_of]
        # (pred, node, level, first, second): the edge pred -> node jumps the
        # asked positions first .. second + 2**level - 1.
        self.jumps: list[tuple[int, int, int, int, int]] = []
        # The successors of each waiting step in O with its joins.
        successors: dict[int, list[int]] = {step: [] for step, _ in waits}
        for node, preds in enumerate(preds_of):
            high = first_after[node] - 1 - is_asked[node]  # the last asked position before the node
            for pred in preds:
                if pred in successors:
                    successors[pred].append(node)
                low = first_after[pred]
                if low <= high:
                    level = (high - low + 1).bit_length() - 1
                    self.jumps.append((pred, node, level, low, high - (1 << level) + 1))
        # The sparse table needs no level above the longest jump (most jump one or two steps).
        self.levels = max((level for _, _, level, _, _ in self.jumps), default=-1) + 1
        # Each wait's other predecessors and the steps it waits for needlessly:
        # the targets of a join share their sources and, often, the tuple of
        # those they wait for needlessly, so each group is kept (and its
        # maximum taken) once for them.  Group 0 of the others is none, as
        # for most steps of a sequence.
        kept_groups: dict[tuple[int, int], int] = {}
        lifted_groups: dict[int, int] = {}
        self.kept: list[list[int]] = [[]]
        self.lifted: list[tuple[int, ...]] = []
        # Per wait: (step, its group of others, its group of those lifted,
        # the real prerequisites it would wait for instead (those not after
        # it in O), its successors in O with its joins).
        self.shapes: list[tuple[int, int, int, list[int], list[int]]] = []
        order_preds, step_position, before = graphs.order_preds, graphs.position, graphs.before
        for step, lifted in waits:
            preds = order_preds[step]
            key = (id(preds), id(lifted))
            kept_group = kept_groups.get(key)
            if kept_group is None:
                # A few lifted (a step of a sequence: one) are looked up in the tuple, more in a set.
                kept = (
                    [pred for pred in preds if pred not in lifted]
                    if len(lifted) <= 8
                    else list(set(preds).difference(lifted))
                )
                kept_group = kept_groups[key] = len(self.kept) if kept else 0
                if kept:
                    self.kept.append(kept)
            lifted_group = lifted_groups.get(id(lifted))
            if lifted_group is None:
                lifted_group = lifted_groups[id(lifted)] = len(self.lifted)
                self.lifted.append(lifted)
            at = step_position[step]
            prerequisites = [
                pred
                for pred in graphs.real_prerequisites(step)
                # Only a step placed after it in O's order can come after it.
                if step_position[pred] < at or not before(step, pred)
            ]
            self.shapes.append((step, kept_group, lifted_group, prerequisites, successors[step]))

    def avoiding(self, path: CriticalPath) -> list[float]:
        """For each waiting step, the longest path of O that does not pass through it."""
        order = self.order
        finish, tail = path.finish, path.tail
        before = [0.0]  # position i -> the best path ending at positions < i
        best = 0.0
        for node in order:
            if finish[node] > best:
                best = finish[node]
            before.append(best)
        after = [0.0]  # reversed: the best path starting at positions >= i
        best = 0.0
        for node in reversed(order):
            if tail[node] > best:
                best = tail[node]
            after.append(best)
        after.reverse()
        if not self.jumps:
            return [max(before[position], after[position + 1]) for position in self.positions]
        asked = self.asked
        # levels[k][i]: the best jump over every asked position from i to i + 2**k - 1
        levels = [[0.0] * len(asked) for _ in range(self.levels)]
        for pred, node, level, first, second in self.jumps:
            value = finish[pred] + tail[node]
            row = levels[level]
            if value > row[first]:
                row[first] = value
            if value > row[second]:
                row[second] = value
        for level in range(len(levels) - 1, 0, -1):
            row, below, half = levels[level], levels[level - 1], 1 << (level - 1)
            for low in range(len(asked) - (1 << level) + 1):
                value = row[low]
                if value > below[low]:
                    below[low] = value
                if value > below[low + half]:
                    below[low + half] = value
        jumps = levels[0]
        return [
            max(before[position], after[position + 1], jumps[rank])
            for position, rank in zip(self.positions, self.ranks, strict=True)
        ]

    def costs(self, durations: list[float]) -> list[float]:
        """Minutes O's critical path shrinks when each step's waits are lifted, with these minutes."""
        path = critical_path(self.graphs, durations)
        finish, tail = path.finish, path.tail
        kept_finish = [_latest(finish, kept) for kept in self.kept]
        lifted_finish = [_latest(finish, lifted) for lifted in self.lifted]
        length = path.length
        costs = []
        for (step, kept, lifted, prerequisites, successors), longest in zip(
            self.shapes, self.avoiding(path), strict=True
        ):
            # The step starts after its other waits and its real prerequisites.
            start = kept_finish[kept]
            if prerequisites:
                start = max(start, _latest(finish, prerequisites))
            if start + tail[step] > longest:
                longest = start + tail[step]
            # The steps after it still wait for those lifted (a join's tail is its targets' longest).
            through = lifted_finish[lifted] + _latest(tail, successors)
            if through > longest:
                longest = through
            costs.append(length - longest if length > longest else 0.0)
        return costs


def _latest(minutes: list[float], nodes: Iterable[int]) -> float:
    """The most minutes of these nodes; 0 for none (minutes are never negative)."""
    latest = 0.0
    for node in nodes:
        if minutes[node] > latest:
            latest = minutes[node]
    return latest


def wait_costs(
    graphs: Graphs, waits: list[tuple[int, tuple[int, ...]]], durations: list[float] | None = None
) -> list[float]:
    """Minutes O's critical path shrinks when a step's needless waits are
    lifted, for each (step, the steps it waits for needlessly) on its own;
    with these minutes for each step (default: the likely ones, unknown as 0).

    Lifting them, the step waits for its other predecessors and its real
    prerequisites instead, while the steps after it still wait for the ones
    lifted, as they did through it: only the step moves.
    """
    if not waits:
        return []
    if durations is None:
        durations = step_minutes(graphs.runbook, graphs.steps).likely
    return _Lifting(graphs, waits).costs(durations)


@dataclass(frozen=True)
class WaitCost:
    """What lifting one step's needless waits saves, and how sure that is."""

    likely: float  # minutes, with likely durations (unknown ones as 0)
    longest: float  # with every step at its longest (unknown ones as 0)
    # Steps with no duration the saving depends on (those of the gate, else
    # the first few before or after it; every one when they are all beside
    # it); none: it depends on no unknown duration.
    unknown: tuple[int, ...]
    # Those steps can only make the saving smaller (they run beside the
    # waiting step): `longest` is then the most it saves.
    at_most: bool
    defaults: tuple[Duration, ...]  # the defaults it rests on (one per basis and kind)


# Steps with no duration a message names at most.
_NAMED_UNKNOWN = 5


def wait_costs_known(graphs: Graphs, waits: list[tuple[int, tuple[int, ...]]]) -> list[WaitCost]:
    """`wait_costs` with likely and longest minutes, the unknown durations
    it depends on, and the defaults it rests on (their minutes set to 0
    change it).

    Which unknown durations matter follows from where the steps are: lifting
    the waits changes only paths through the waiting step, so a step of
    unknown duration before or after it (the steps it waits for among them)
    may change the saving either way, and one beside it (neither before nor
    after) only lengthens paths that avoid it, so it can only make the
    saving smaller, down to nothing."""
    if not waits:
        return []
    minutes = step_minutes(graphs.runbook, graphs.steps)
    lifting = _Lifting(graphs, waits)
    likely = lifting.costs(minutes.likely)
    longest = lifting.costs(minutes.longest) if minutes.ranged else likely
    defaulted = [node for node in minutes.defaulted if minutes.longest[node] > 0]
    without_defaults = longest
    if defaulted:
        zeroed = list(minutes.longest)
        for node in defaulted:
            zeroed[node] = 0.0
        without_defaults = lifting.costs(zeroed)
    defaults = _distinct_defaults(graphs, defaulted)
    related = _UnknownAround(graphs, minutes.unknown) if minutes.unknown else None
    # Equal answers share one WaitCost: a sequence's steps mostly save the
    # same few minutes, and making one costs more than looking it up.
    made: dict[tuple[float, float, tuple[int, ...], bool, bool], WaitCost] = {}
    costs = []
    for (step, lifted), cost, high, bare in zip(waits, likely, longest, without_defaults, strict=True):
        high = max(cost, high)
        around = related.around(step, lifted) if related is not None else ()
        at_most = not around and related is not None and high > 0
        rests = differs(bare, high)
        key = (cost, high, around, at_most, rests)
        found = made.get(key)
        if found is None:
            found = made[key] = WaitCost(
                likely=cost,
                longest=high,
                unknown=around or (minutes.unknown if at_most else ()),
                at_most=at_most,
                defaults=defaults if rests else (),
            )
        costs.append(found)
    return costs


class _UnknownAround:
    """The steps of unknown duration before or after a step in O (itself
    included), from one bitset of each: no pair of steps is compared.
    Made only when some duration is unknown."""

    def __init__(self, graphs: Graphs, unknown: tuple[int, ...]) -> None:
        self.graphs = graphs
        self.unknown = unknown
        self.mask = graphs.mask(unknown)
        self.before_some = 0  # positions of the steps some unknown one comes after
        for node in unknown:
            self.before_some |= graphs.ancestors[node]

    def around(self, step: int, lifted: tuple[int, ...]) -> tuple[int, ...]:
        """The first few: the step and those it waits for needlessly when
        they are unknown, else those before it, then those after it."""
        graphs = self.graphs
        position = graphs.position[step]
        earlier = graphs.ancestors[step] & self.mask
        later = self.before_some >> position & 1
        if not (self.mask >> position & 1 or earlier or later):
            return ()
        # The first few only: a step behind a block waits for thousands.
        unknown = (node for node in (step, *lifted) if self.mask >> graphs.position[node] & 1)
        gate = tuple(islice(unknown, _NAMED_UNKNOWN))
        if gate:
            return gate
        found: list[int] = []
        while earlier and len(found) < _NAMED_UNKNOWN:
            lowest = earlier & -earlier
            found.append(graphs.node_at[lowest.bit_length() - 1])
            earlier ^= lowest
        if later:
            for node in self.unknown:
                if len(found) >= _NAMED_UNKNOWN:
                    break
                if graphs.before(step, node):
                    found.append(node)
        return tuple(found)


def _distinct_defaults(graphs: Graphs, nodes: list[int]) -> tuple[Duration, ...]:
    """The defaults these steps' minutes come from, one per basis and kind, in file order."""
    seen: dict[tuple[DurationBasis, str | None], Duration] = {}
    for node in nodes:
        duration = graphs.runbook.duration_of(graphs.steps[node])
        if duration is not None:
            seen.setdefault((duration.basis, duration.kind), duration)
    return tuple(seen.values())


# -- Decision checklist ---------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """One question of the decision checklist, answered from the runbook:
    data, which the reporters and RL702 put in words (words.checklist_source)."""

    setting: str  # the key the question reads ("team.size"), or words.PAIRS
    written: str | None  # its value as the runbook writes it ("4", "true"); None: not set
    favours_parallel: bool
    span: Span | None  # the key it came from, when written
    pairs: tuple[int, int] = (0, 0)  # for words.PAIRS: the independent and all step pairs

    @property
    def line(self) -> int | None:
        return None if self.span is None else self.span.line


@dataclass(frozen=True)
class Checklist:
    answers: tuple[Answer, ...]

    @property
    def score(self) -> int:
        """How many answers favour parallel recovery (0 to 6)."""
        return sum(answer.favours_parallel for answer in self.answers)

    @property
    def mode(self) -> str:
        """"parallel" for 4 or more, "hybrid" (parallel investigation,
        sequential remediation) for 2-3, "sequential" for 0-1."""
        if self.score >= 4:
            return "parallel"
        return "hybrid" if self.score >= 2 else "sequential"


def decision_checklist(runbook: Runbook, graphs: Graphs) -> Checklist:
    """The six questions that decide between sequential, hybrid and parallel
    recovery.  A setting the runbook leaves out counts against parallel work,
    except `regulated`, whose default (false) counts for it."""
    spans = runbook.key_spans

    def setting(key: str, written: str, favours: bool) -> Answer:
        span = spans.get(key)
        return Answer(key, None if span is None else written, favours, span)

    size = runbook.team_size
    count = len(runbook.steps)
    pairs = count * (count - 1) // 2
    independent = graphs.independent_required_pairs()
    return Checklist(
        (
            setting("team.size", str(size), size is not None and size >= 3),
            Answer(PAIRS, None, independent * 2 > pairs, None, (independent, pairs)),
            setting("tooling.automation", _yaml_bool(runbook.automation), runbook.automation),
            setting("criticality", str(runbook.criticality), runbook.criticality in ("critical", "high")),
            setting("team.drilled", _yaml_bool(runbook.team_drilled), runbook.team_drilled),
            setting("regulated", _yaml_bool(runbook.regulated), not runbook.regulated),
        )
    )


def _yaml_bool(value: bool) -> str:
    return "true" if value else "false"
