"""What authority a step's effect needs, and which declared role holds a word: shared by RL501-RL506."""

from __future__ import annotations

from typing import Iterable, Mapping, Optional

from ..model import Phase, Role, Step
from ._words import quoted


def needed_authority(step: Step) -> dict[str, str]:
    """Each authority word the step's effect needs, with what the step does that needs it."""
    needed = {}
    if step.is_change:
        needed["apply"] = f"changes {quoted(dict.fromkeys(ref.name for ref in step.writes))}"
    if step.decides:
        needed["decide"] = f"decides between {quoted(dict.fromkeys(r.name for r in step.decides))}"
    if step.approves:
        needed["approve"] = f"approves {quoted(dict.fromkeys(r.name for r in step.approves))}"
    if step.phase is Phase.COMMUNICATE:
        needed["communicate"] = "is a communicate-phase step"
    return needed


def holder_of(word: str, roles: Mapping[str, Role], also: Iterable[str] = ()) -> Optional[str]:
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
