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


def changed_writes(step: Step, resources: Mapping[str, Resource] | None) -> tuple[Ref, ...]:
    """The step's writes that change something: all but those to a communication
    surface, which post to people rather than change the system."""
    if not resources or not step.writes:
        return step.writes
    return tuple(ref for ref in step.writes if not on_surface(ref.name, resources))


def needed_authority(step: Step, resources: Mapping[str, Resource] | None) -> dict[str, str]:
    """Each authority word the step's effect needs, with what the step does that needs it."""
    needed = {}
    changed = changed_writes(step, resources)
    if changed:
        needed["apply"] = f"changes {quoted(dict.fromkeys(ref.name for ref in changed))}"
    if len(changed) < len(step.writes):
        posted = dict.fromkeys(ref.name for ref in step.writes if on_surface(ref.name, resources))
        needed["communicate"] = f"posts to {quoted(posted)}"
    if step.decides:
        needed["decide"] = f"decides between {quoted(dict.fromkeys(r.name for r in step.decides))}"
    if step.approves:
        needed["approve"] = f"approves {quoted(dict.fromkeys(r.name for r in step.approves))}"
    if step.phase is Phase.COMMUNICATE and "communicate" not in needed:
        needed["communicate"] = "is a communicate-phase step"
    return needed


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
