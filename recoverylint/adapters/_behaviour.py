"""Words that tell what a step of a workflow does beyond facts and
resources, shared by the adapters: which steps are checks (guards), which
observe the whole service, which read the clock.

Workflow formats do not say these things; names and commands do.  Each
adapter decides which of its strings to ask about.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..model import ClockUse
from ._builder import StepDraft

_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")

# A step so named exists to fail when something is wrong: the run stops there.
CHECK_WORDS = frozenset(
    {
        "assert", "asserts", "check", "checks", "verify", "validate", "validation",
        "test", "tests", "lint", "scan", "precondition", "preconditions", "preflight",
        "ensure", "expect", "approve", "approval", "gate",
    }
)
# A step so named reads the state every change to the service produces
# (not "alert": a step so named more often sends one).
OBSERVE_WORDS = frozenset(
    {
        "alarm", "alarms", "metric", "metrics", "health",
        "healthcheck", "healthy", "smoke", "probe", "monitor", "canary", "slo",
    }
)
# A value so named is an amount of time passed: reading it stops a clock.
ELAPSED_WORDS = frozenset({"elapsed", "duration", "mttr", "took"})
# A value so named is a moment read from the clock.
MOMENT_WORDS = frozenset({"time", "timestamp", "ts", "started", "start", "epoch", "now", "begin", "clock"})

# Reading the clock in the languages workflows embed: Jinja, Python, shell,
# PowerShell, JavaScript.
_READS_TIME = re.compile(
    r"\bnow\s*\(|\butcnow\b|\btime\.time\s*\(|\bdatetime\.(?:utc)?now\b|\bdate\s+\+%[sT]"
    r"|\$\(\s*date\b|`date\b|\bGet-Date\b|\bDate\.now\s*\(|\bnew\s+Date\s*\(",
)


def words(*names: str) -> set[str]:
    """The lower-case words of names (camelCase, snake_case, kebab-case,
    dotted)."""
    return {word.lower() for name in names for word in _WORD.findall(name)}


def is_check(*names: str) -> bool:
    return bool(words(*names) & CHECK_WORDS)


def observes_service(*names: str) -> bool:
    return bool(words(*names) & OBSERVE_WORDS)


def tells_elapsed(*names: str) -> bool:
    return bool(words(*names) & ELAPSED_WORDS)


def names_a_moment(name: str) -> bool:
    return bool(words(name) & MOMENT_WORDS)


def reads_time(texts: Iterable[str]) -> bool:
    """Whether any of the strings reads the current time."""
    return any(_READS_TIME.search(text) for text in texts)


def mark_clocks(drafts: Iterable[StepDraft], time_readers: set[str]) -> None:
    """Clocks from facts: a step reading the time (`time_readers`, by id)
    whose output, named for a moment (`start`, `time`, `timestamp`...: a
    script that reads the clock only to log gives no such output), a later
    step uses starts a clock (named after it) when that step reads the time
    too, or says it tells elapsed time (by its id or an output's name): that
    step stops it."""
    drafts = list(drafts)
    starts: dict[str, list[StepDraft]] = {}  # fact -> the time readers outputting it
    for draft in drafts:
        if draft.id in time_readers:
            for ref in draft.outputs:
                if names_a_moment(ref.name):
                    starts.setdefault(ref.name, []).append(draft)
    for draft in drafts:
        if draft.id not in time_readers and not tells_elapsed(draft.id, *(ref.name for ref in draft.outputs)):
            continue
        for ref in draft.inputs:
            for start in starts.get(ref.name, ()):
                if start is draft:
                    continue
                _add_clock(start, ClockUse(start.id, True, start.span))
                _add_clock(draft, ClockUse(start.id, False, ref.span))


def _add_clock(draft: StepDraft, use: ClockUse) -> None:
    if not any(other.name == use.name and other.start == use.start for other in draft.clocks):
        draft.clocks.append(use)
