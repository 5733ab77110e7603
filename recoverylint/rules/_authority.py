"""What authority a step's effect needs, and which declared role holds a word: shared by RL501-RL506."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ..graphs import owner
from ..model import Phase, Ref, Resource, Role, Step
from ..words import quoted


def on_surface(name: str, resources: Mapping[str, Resource] | None) -> bool:
    """Whether the resource `name` equals or lies under a declared resource whose
    closest declaration is a communication surface (`communication: true`)."""
    if not resources:
        return False
    closest = owner(name, resources)
    return closest is not None and resources[closest].communication


def surfaces_declared(resources: Mapping[str, Resource] | None) -> bool:
    """Whether some declared resource is a communication surface: without one,
    every write is a change and no name need be looked up."""
    return any(resource.communication for resource in (resources or {}).values())


def changed_writes(step: Step, resources: Mapping[str, Resource] | None) -> tuple[Ref, ...]:
    """The step's writes that change something: all but those to a communication
    surface, which post to people rather than change the system."""
    if not resources or not step.writes:
        return step.writes
    return tuple(ref for ref in step.writes if not on_surface(ref.name, resources))


def changes_by_step(steps: Iterable[Step], resources: Mapping[str, Resource] | None) -> list[tuple[Ref, ...]]:
    """`changed_writes` of each step, in order: worked out once for the rules
    that all ask it (`RuleContext.changes`), and without a look-up per write
    when no resource is a communication surface."""
    if not surfaces_declared(resources):
        return [step.writes for step in steps]
    return [changed_writes(step, resources) for step in steps]


def needed_authority(step: Step, changed: tuple[Ref, ...]) -> list[str]:
    """Each authority word the step's effect needs, given its `changed_writes`
    (`authority_effect` words what it does that needs one: only a finding
    shows that)."""
    posts = len(changed) < len(step.writes)
    needed = []
    if changed:
        needed.append("apply")
    if posts:
        needed.append("communicate")
    if step.decides:
        needed.append("decide")
    if step.approves:
        needed.append("approve")
    if step.phase is Phase.COMMUNICATE and not posts:
        needed.append("communicate")
    return needed


def authority_effect(
    word: str, step: Step, changed: tuple[Ref, ...], resources: Mapping[str, Resource] | None
) -> str:
    """What the step does that needs `word`, one of its `needed_authority`."""
    if word == "apply":
        return f"changes {quoted(dict.fromkeys(ref.name for ref in changed))}"
    if word == "communicate":
        if len(changed) < len(step.writes):
            posted = dict.fromkeys(ref.name for ref in step.writes if on_surface(ref.name, resources))
            return f"posts to {quoted(posted)}"
        return "is a communicate-phase step"
    if word == "decide":
        return f"decides between {quoted(dict.fromkeys(r.name for r in step.decides))}"
    return f"approves {quoted(dict.fromkeys(r.name for r in step.approves))}"


def holder_of(word: str, roles: Mapping[str, Role], also: Iterable[str] = ()) -> str | None:
    """A declared role holding `word`, in declaration order, preferring one that
    also holds every word of `also` (what the step needs besides), so that a
    suggestion never trades one missing authority for another; for `apply`,
    one without `decide` if there is one, since the commander should not make
    changes (RL506)."""
    holders = [name for name, role in roles.items() if word in role.authority]
    complete = [name for name in holders if set(also) <= roles[name].authority]
    holders = complete or holders
    if word == "apply" or "apply" in also:
        hands_on = [name for name in holders if "decide" not in roles[name].authority]
        holders = hands_on or holders
    return holders[0] if holders else None
