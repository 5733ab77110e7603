"""The words shared by messages and reports: lists, counts, minutes, the
waits to write, and the decision checklist's questions and answers.

A leaf: it imports nothing of recoverylint, so a reporter or the CLI can use
it without loading the rule registry, and the core hands it data to word.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol


def quoted(names: Iterable[str], limit: int = 5, total: int | None = None) -> str:
    """`a`, `b` and `c` (with "and N more" past the limit)."""
    return listed([f"`{name}`" for name in names], limit, total)


def listed(words: Iterable[str], limit: int = 5, total: int | None = None) -> str:
    """a, b and c (with "and N more" past the limit, or up to `total` when
    only the first of many are given)."""
    items = list(words)
    count = len(items) if total is None else total
    if count > limit or count != len(items):  # (most lists are short and whole: nothing to cut)
        items = items[:limit]
        if count > len(items):
            items.append(f"{count - len(items)} more")
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def counted(number: int, noun: str) -> str:
    """`1 file`, `2 files`, `3 fixes`."""
    if number == 1:
        return f"{number} {noun}"
    return f"{number} {noun}{'es' if noun.endswith(('x', 's', 'ch', 'sh')) else 's'}"


def closest(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate `name` was most likely meant to be, if one is close."""
    import difflib  # only when a name is unknown: a check does not load it

    found = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return found[0] if found else None


def minutes(value: float) -> str:
    """`12 min`, `1.5 min`, `1,440 min`: at most two decimals, none when
    whole, as the plan writes a step's minutes (`:g` wrote `0.333333 min`
    for 20 seconds, and `1.2e+06 min` for large ones)."""
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return ("0" if text == "-0" else text) + " min"


def minutes_number(value: float) -> int | float:
    """Minutes as files (JSON, a durations file) and messages give them:
    whole ones as integers, others to four decimals (rounding keeps their order)."""
    rounded = round(value, 4)
    return int(rounded) if rounded == int(rounded) else rounded


def default_words(basis: str, kind: str | None) -> str:
    """What a step's default minutes are, by where they come from (`basis`,
    a model.DurationBasis) and the kind of step: "the runbook's default_duration"..."""
    if basis == "runbook-default":
        return "the runbook's default_duration"
    if basis == "configured":
        return "the configured default_duration"
    return f"the format's default for {kind or 'its kind of step'}"


# Suggestions and step lists stay short when a step races with thousands of
# others: a report must not grow with the square of the runbook.
LISTED = 10


def needs_suggestion(step_ids: list[str], total: int | None = None, key: str | None = "needs") -> str:
    """The waits to write: `needs: [a, b]`, cut short past ten steps (or
    when `total` says only the first of many are given).  `key` is the
    runbook format's word for it (`runAfter`...); None when the format has
    none (it orders steps by their place or by jumps): then it says what to
    wait for in words."""
    count = len(step_ids) if total is None else total
    if key is None:
        if not count:
            return "let it start at once"
        return f"make it wait for {quoted(step_ids, limit=LISTED, total=count)}"
    if not count:
        return f"{key}: [] (it can start at once)"
    if count <= LISTED and count == len(step_ids):
        return f"{key}: [{', '.join(step_ids)}]"
    return f"{key}: [{', '.join(step_ids[:LISTED])}, …] ({count} steps)"


def in_own_words(wording: Mapping[str, str], asks: str, native: str, **values: str) -> str:
    """A suggestion in the words of the runbook's format: its template for
    what the suggestion `asks` (`Runbook.wording`), else `native`, filled in
    with `values`."""
    return wording.get(asks, native).format(**values)


def involved(others: list[str], step_id: str) -> tuple[str, ...]:
    """The step ids a finding is about: the others (at most ten), then the step itself."""
    return (*others[:LISTED], step_id)


# -- The decision checklist (analysis.decision_checklist) -----------------


class ChecklistAnswer(Protocol):
    """What the words of one answer of the decision checklist read."""

    @property
    def setting(self) -> str: ...  # the key the question reads, or PAIRS

    @property
    def written(self) -> str | None: ...  # its value as the runbook writes it; None: not set

    @property
    def line(self) -> int | None: ...  # where it is written

    @property
    def pairs(self) -> tuple[int, int]: ...  # for PAIRS: independent and all step pairs


# The question that is no setting of the runbook: are most step pairs independent?
PAIRS = "step-pairs"

_QUESTIONS = {
    "team.size": "team.size >= 3",
    PAIRS: "most step pairs independent",
    "tooling.automation": "tooling.automation",
    "criticality": "criticality critical or high",
    "team.drilled": "team.drilled",
    "regulated": "not regulated",
}

# What leaving a setting out means, when it is not "counts against parallel".
_UNSET = {"regulated": "which means false"}


def checklist_question(answer: ChecklistAnswer) -> str:
    """`team.size >= 3`: the question an answer answers."""
    return _QUESTIONS[answer.setting]


def checklist_value(answer: ChecklistAnswer) -> str:
    """What the runbook says: `team.size 4`, `3 of 6 step pairs`, `not set`."""
    if answer.setting == PAIRS:
        independent, pairs = answer.pairs
        return f"{independent:,} of {pairs:,} step pairs"
    if answer.written is None:
        return "not set"
    return f"{answer.setting} {answer.written}"


def checklist_source(answer: ChecklistAnswer) -> str:
    """The value and where it came from: `team.size 4 at line 6`,
    `team.size not set, which counts against parallel`."""
    if answer.setting == PAIRS:
        return f"{checklist_value(answer)} independent in the required order"
    if answer.written is None:
        return f"{answer.setting} not set, {_UNSET.get(answer.setting, 'which counts against parallel')}"
    return f"{checklist_value(answer)} at line {answer.line}"
