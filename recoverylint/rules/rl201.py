import heapq
from bisect import bisect_left
from collections import Counter

from ..analysis import wait_costs_known
from ..finding import Fix, Issue
from ..graphs import DeclaredWaits, Graphs
from ..graphs.bits import new_bitsets
from ..model import NATIVE, EdgeKind, Step
from ..words import LISTED, involved, needs_suggestion, quoted
from . import GraphContext, Issues, graph_rule
from ._fixes import remove_needs, restructure_checklist
from ._minutes import gate_minutes


@graph_rule("RL201")
def false_sequential_gate(ctx: GraphContext) -> Issues:
    """One finding per waiting step, naming the steps it waits for needlessly
    (two parallel blocks of thousands of steps make millions of such pairs)."""
    graphs = ctx.graphs
    steps = graphs.steps
    declared = graphs.declared_between()
    waits = _not_reported_by_rl202(graphs, graphs.unrequired_waits())
    costs = wait_costs_known(graphs, waits)
    restructure = restructure_checklist(graphs) if waits else None
    # The steps after a waiting step that lifting its waits would leave without a step they need.
    left_behind = _LeftBehind(graphs)
    removals = _removals(graphs, waits, declared)
    # The step each one follows in a sequence: there `needs` adds waits and
    # removes none.  Only the native format has `parallel:` blocks to offer.
    native = ctx.runbook.format == NATIVE
    follows = (
        {edge.target: edge.source for edge in ctx.runbook.declared_edges if edge.kind is EdgeKind.SEQUENCE}
        if native
        else {}
    )
    index, wait_key = graphs.index, ctx.runbook.wait_key
    for (target, sources), cost in zip(waits, costs, strict=True):
        waiter = steps[target]
        # The message names ten at most: a step behind a block of thousands
        # waits for thousands.
        waited = [steps[source].id for source in sources[:LISTED]]
        real = [steps[node].id for node in graphs.real_prerequisites(target)]
        # The finding points at the first `needs` entry among the gates, read
        # from the step (asking for the declarations of each pair would cost
        # as much as the pairs), else at the step.
        for need in waiter.needs:
            if _among(sources, index.get(need.step)):
                span = need.span
                break
        else:
            span = waiter.span
        really = f"it needs only {quoted(real)}" if real else "it needs no other step first"
        if len(sources) == 1:
            what = f"`{waiter.id}` waits for `{waited[0]}` but uses nothing from it"
        else:
            names = quoted(waited, limit=LISTED, total=len(sources))
            what = f"`{waiter.id}` waits for {names} but uses nothing from them"
        added = gate_minutes(cost, graphs, plural=len(sources) > 1)
        removal = removals.get(target)
        # Without a restructure to offer, whether the gates are all `needs` entries changes nothing.
        only_needs = removal is not None or restructure is None or _only_needs(graphs, declared, sources, waiter)
        fix = removal if only_needs else restructure
        previous = follows.get(waiter.id)
        if previous is not None and _among(sources, index.get(previous)):
            suggestion = _out_of_the_sequence(waiter.id, previous, fix is not None and fix is restructure)
        else:
            suggestion = needs_suggestion(real, key=wait_key)
            stranded = left_behind.of(target, sources, graphs.real_prerequisites(target))
            if stranded:
                suggestion += _keep_for_later(
                    [steps[later].id for _, later in stranded], [steps[source].id for source, _ in stranded], wait_key
                )
            if native:
                suggestion += f"; if the wait is intended, say why: `needs: [{{step: {waited[0]}, reason: …}}]`"
        yield Issue(
            span,
            f"{what}; {really}. {added}",
            suggestion=suggestion,
            steps=involved(waited, waiter.id),
            fix=fix,
        )


def _out_of_the_sequence(step_id: str, previous: str, restructured: bool) -> str:
    """The help for a step that waits needlessly for the one before it in a
    sequence, where writing its real `needs` would change nothing."""
    restructure = ", or let `--fix --unsafe-fixes` restructure the checklist" if restructured else ""
    return (
        f"`{step_id}` sits in a sequence, where `needs` adds waits but removes none: put it"
        f" beside `{previous}` in a `parallel:` block"
        f" (`- parallel: [{{id: {previous}, …}}, {{id: {step_id}, …}}]`){restructure};"
        f" if the wait is intended, keep it and say why: `needs: [{{step: {previous}, reason: …}}]`"
    )


def _keep_for_later(later_ids: list[str], source_ids: list[str], key: str | None) -> str:
    """The rest of the help when steps after the waiting one need steps it
    waits for and come after them only through this wait: they must then
    wait for them themselves (`key`: the format's word for a wait, None when
    it orders steps by their place).  `later_ids` and `source_ids` pair up."""
    later = quoted(list(dict.fromkeys(later_ids)), limit=LISTED)
    waited = quoted(list(dict.fromkeys(source_ids)), limit=LISTED)
    if key is None:
        return f"; then make {later} wait for {waited}"
    one = len(set(later_ids)) == 1
    return f"; {later} then {'needs' if one else 'need'} {waited} in {'its' if one else 'their'} own `{key}`"


class _LeftBehind:
    """Which steps after a waiting step would be left without a step they
    need were the help followed (the step waiting for its real prerequisites
    only): those O put after a step they require only through the waits
    lifted.  O's ancestors are worked out again, as edited, over a walk
    forward from the waiting step that stops at each step left behind (what
    follows it waits for it), within a work budget for the walk and one for
    the whole runbook: past either, none is named."""

    _BUDGET = 50_000  # steps and waits looked at, for the whole runbook
    _WALK = 64  # steps looked at from one waiting step: past it, none is named for it

    def __init__(self, graphs: Graphs) -> None:
        self.graphs = graphs
        self.budget = self._BUDGET
        self._successors: list[list[int]] | None = None
        self._later_required: list[int] | None = None
        self._required: list[int] = []  # each step's D predecessors as O positions

    def of(self, target: int, sources: tuple[int, ...], real: list[int]) -> list[tuple[int, int]]:
        """(step waited for, later step) pairs: each later step left behind,
        with the step it must then wait for itself."""
        graphs = self.graphs
        successors = self._successors_of()
        if successors is None or self._later_required is None:
            return []
        position, ancestors, order_preds = graphs.position, graphs.ancestors, graphs.order_preds
        edited: dict[int, int] = {target: 0}  # step -> O's ancestors, as edited (positions)
        for node in real:
            edited[target] |= 1 << position[node] | ancestors[node]
        if not self._later_required[target] & ancestors[target] & ~edited[target]:
            return []  # what the steps after it require and O put before it, it still waits for
        found: list[tuple[int, int]] = []
        pending = [(position[node], node) for node in successors[target]]
        heapq.heapify(pending)  # in O's order, so each step's predecessors are done first
        while pending:
            _, node = heapq.heappop(pending)
            if node in edited:
                continue
            self.budget -= 1 + len(order_preds[node])
            if self.budget < 0 or len(edited) > self._WALK:
                return []
            mask = 0
            for pred in order_preds[node]:
                mask |= 1 << position[pred] | edited.get(pred, ancestors[pred])
            edited[node] = mask
            lost = self._required[node] & ancestors[node] & ~mask
            if lost:
                # Each lost step came before one of the waits lifted: waiting for that one brings it back.
                found.extend(
                    (source, node)
                    for source in sources
                    if any(pred == source or graphs.before(pred, source) for pred in graphs.nodes_in(lost))
                )
                continue  # what follows it waits for it: no need to go on
            for successor in successors[node]:
                heapq.heappush(pending, (position[successor], successor))
        return found

    def _successors_of(self) -> list[list[int]] | None:
        """O's successors of each step, and what the steps after each one
        require (`_later_required`), made once; None past the budget (joins
        of thousands, or a runbook too large for a mask per step)."""
        if self.budget < 0:
            return None
        if self._successors is None:
            graphs = self.graphs
            count = len(graphs.steps)
            self.budget -= sum(map(len, graphs.order_preds)) + count * (count // 64 + 1)
            if self.budget < 0:
                return None
            self._successors = [[] for _ in graphs.steps]
            for node, preds in enumerate(graphs.order_preds):
                for pred in preds:
                    self._successors[pred].append(node)
            # Each step's D predecessors, and those of every step after it, as O positions.
            required = [graphs.mask(preds) for preds in graphs.required_preds]
            later = [0] * count
            for node in reversed(graphs.topological):
                for successor in self._successors[node]:
                    later[node] |= later[successor] | required[successor]
            self._required, self._later_required = required, later
        return self._successors


def _among(sources: tuple[int, ...], node: int | None) -> bool:
    """`node` is one of `sources` (in file order): a search, not a scan."""
    if node is None:
        return False
    at = bisect_left(sources, node)
    return at < len(sources) and sources[at] == node


Waits = list[tuple[int, tuple[int, ...]]]


def _not_reported_by_rl202(graphs: Graphs, waits: Waits) -> Waits:
    """The waits, less those that are nothing but a needless stage gate:
    RL202 reports each such gate once, at the stage."""
    needless = {later for _, later in graphs.needless_stage_gates()}
    if not needless:
        return waits
    steps, declared = graphs.steps, graphs.declared_between()
    # Only a step of a stage behind a needless gate can wait through it.
    behind = {step_id for stage in graphs.runbook.stages if stage.name in needless for step_id in stage.steps}
    found = []
    for target, sources in waits:
        if steps[target].id not in behind:
            found.append((target, sources))
            continue
        # The steps it also waits for by something else than a needless
        # gate: a stage gate is one join, so this is a union of a few lists.
        otherwise = declared.sources_into(
            steps[target].id, lambda kind, stage: not (kind is EdgeKind.STAGE_GATE and stage in needless)
        )
        kept = tuple(source for source in sources if steps[source].id in otherwise) if otherwise else ()
        if kept:
            found.append((target, kept))
    return found


def _only_needs(graphs: Graphs, declared: DeclaredWaits, sources: tuple[int, ...], waiter: Step) -> bool:
    """Whether every gate of the step is a `needs` entry and nothing else
    (a wait by anything else is not named in its `needs`: that settles most,
    at the first step it waits for that its `needs` leave out)."""
    named = {need.step for need in waiter.needs}
    steps = graphs.steps
    return all(steps[source].id in named for source in sources) and all(
        edge.kind is EdgeKind.NEEDS for source in sources for edge in declared[(steps[source].id, waiter.id)]
    )


def _removals(
    graphs: Graphs,
    waits: list[tuple[int, tuple[int, ...]]],
    declared: DeclaredWaits,
) -> dict[int, Fix]:
    """For each waiting step, a fix removing the `needs` entries that are the
    whole of a gate (named once, without a reason), as many as can go while
    the step still waits for everything it requires through its other waits
    (its real prerequisites stay before it) and no step after it requires the
    step waited for (it may wait for it only through this one): removing
    more would be unsafe."""
    steps, index = graphs.steps, graphs.index
    # Each waiting step's `needs` entries among its gates that name a step
    # once.  Whether a later step requires the one named is asked of them all
    # in one sweep, before the declarations of each pair: it settles most
    # (in a checklist, nearly all).
    named_once: dict[int, list[int]] = {}
    for target, sources in waits:
        needs = steps[target].needs
        if not needs:
            continue
        # Only a `needs` entry can be removed: look at those, not at every
        # step waited for (a join's thousands are never `needs` entries).
        names = [need.step for need in needs]
        distinct = set(names)
        # Counted only when some step is named twice (rarely: most name each once).
        named_twice = (
            set() if len(distinct) == len(names) else {name for name, count in Counter(names).items() if count > 1}
        )
        found = sorted(
            source
            for name in distinct
            if name not in named_twice and (source := index.get(name)) is not None and _among(sources, source)
        )
        if found:
            named_once[target] = found
    kept_for_later = _required_later(graphs, named_once)
    fixes = {}
    for target, named in named_once.items():
        target_id = steps[target].id
        # The entries that are the whole of their gate, without a reason.
        removable = [
            source
            for source in named
            if (target, source) not in kept_for_later
            and all(
                edge.kind is EdgeKind.NEEDS and not edge.reason for edge in declared[(steps[source].id, target_id)]
            )
        ]
        if not removable:
            continue
        required = graphs.required_preds[target]
        if not all(graphs.before(pred, target) for pred in required):
            continue
        # How many of the step's waits bring each prerequisite before it: a
        # wait may go while every prerequisite keeps one.
        carriers = {
            pred: sum(1 for other in graphs.order_preds[target] if other == pred or graphs.before(pred, other))
            for pred in required
        }
        removed = []
        for source in removable:
            carried = [pred for pred in required if pred == source or graphs.before(pred, source)]
            if any(carriers[pred] < 2 for pred in carried):
                continue
            if _one_person_for_both(graphs, source, target):
                continue  # the wait keeps one person from two steps at once: RL405 would refuse it
            for pred in carried:
                carriers[pred] -= 1
            removed.append(steps[source].id)
        fix = remove_needs(steps[target], removed, "a false gate" if len(removed) == 1 else "false gates")
        if fix is not None:
            fixes[target] = fix
    return fixes


def _one_person_for_both(graphs: Graphs, source: int, target: int) -> bool:
    """Whether removing the wait of `target` for `source` would let them run
    at once (nothing else orders them) while one person must do both: their
    role has one."""
    if any(other != source and graphs.before(source, other) for other in graphs.order_preds[target]):
        return False
    runbook, steps = graphs.runbook, graphs.steps
    role, other_role = steps[target].role, steps[source].role
    return (
        role is not None
        and other_role is not None
        and role.name == other_role.name
        and role.name in runbook.roles
        and runbook.roles[role.name].people == 1
    )


def _required_later(graphs: Graphs, candidates: dict[int, list[int]]) -> set[tuple[int, int]]:
    """The (step, step it waits for) pairs of `candidates` where a step after
    the first in O requires the second: one sweep in reverse order, holding
    what the steps after each one require (D positions) only until it is met."""
    if not candidates:
        return set()
    required = graphs.required
    # node -> what the steps after it met so far require, packed: a step
    # before a closing step, which requires every other, carries all of D
    # (50,000 steps: tens of MB as ints); emptied once used.
    later = new_bitsets(len(graphs.steps))
    found = set()
    for node in reversed(graphs.topological):
        mask = later[node]
        later[node] = 0
        for source in candidates.get(node, ()):
            if mask >> required.position[source] & 1:
                found.add((node, source))
        brought = mask | required.ancestors[node] | 1 << required.position[node]
        for pred in graphs.order_preds[node]:
            later[pred] = later[pred] | brought
    return found
