"""A record's step names matched to the runbook's step ids: by id, else by the
name the runbook's format keeps as the step's title (a GitHub job's name), or
for Argo by the task's own name (a step `main/build` of template `main` is the
node whose displayName is `build`).  Nothing is guessed: a name that matches
no step, or several, is unmatched.  A record of another runbook is refused."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from ..model import Runbook
from ..records.model import ExecutionRecord, StepRun
from .model import Unmatched

# Formats whose step names people type (a timeline from an incident channel):
# matched ignoring case.  Engines name steps exactly, and so are matched.
_CASELESS_FORMATS = frozenset({"timeline"})
# Kubernetes names an object made from a `generateName` by the prefix and
# five generated characters: an Argo workflow `dag-fail-r4gvc` is a run of
# the workflow a record names `dag-fail` (its generateName, `-` left off).
_GENERATED_SUFFIX = re.compile(r"-[a-z0-9]{5}")


class ForeignRecord(Exception):
    """A record of another runbook: its name differs, or none of its steps is
    the runbook's.  `reason` says so without the record's path."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path} is {reason}")
        self.path = path
        self.reason = reason


@dataclass(frozen=True)
class Matched:
    """A record's steps by the runbook's step index (a name run several times
    is several runs), and what could not be matched, both ways."""

    runs: dict[int, list[StepRun]]
    unmatched: tuple[Unmatched, ...]


def match_steps(runbook: Runbook, record: ExecutionRecord, runbook_shown: str) -> Matched:
    """Match `record` to `runbook`; ForeignRecord names both when it is not a record of it."""
    _check_runbook_name(runbook, record, runbook_shown)
    caseless = record.record_format in _CASELESS_FORMATS
    by_id: dict[str, int] = {}
    by_title: dict[str, list[int]] = defaultdict(list)
    for step in runbook.steps:
        by_id[_key(step.id, caseless)] = step.index
        for name in _other_names(step.id, step.title, record.record_format):
            by_title[_key(name, caseless)].append(step.index)
    runs: dict[int, list[StepRun]] = defaultdict(list)
    unmatched_names: list[str] = []
    for run in record.steps:
        key = _key(run.name, caseless)
        node = by_id.get(key)
        if node is None:
            titled = by_title.get(key, [])
            node = titled[0] if len(titled) == 1 else None  # two steps of one title: never guessed
        if node is None:
            if run.name not in unmatched_names:
                unmatched_names.append(run.name)
        else:
            runs[node].append(run)
    if record.steps and not runs:
        raise ForeignRecord(
            record.path,
            f"not a record of {runbook.id} ({runbook_shown}): none of its"
            f" {len(record.steps)} steps ({_some(run.name for run in record.steps)}) is a step of the runbook"
        )
    unmatched = [Unmatched(name, "record") for name in unmatched_names]
    unmatched += [Unmatched(step.id, "runbook") for step in runbook.steps if step.index not in runs]
    return Matched(dict(runs), tuple(unmatched))


def _other_names(step_id: str, title: str | None, record_format: str) -> set[str]:
    """The names besides its id a step goes by in a record of this format."""
    names = {title} if title is not None else set()
    if record_format == "argo":  # `template/task`: the record names the task
        names |= {name.rsplit("/", 1)[1] for name in (step_id, title) if name is not None and "/" in name}
    return names - {step_id}


def _check_runbook_name(runbook: Runbook, record: ExecutionRecord, runbook_shown: str) -> None:
    name = record.runbook_name
    if name is None:
        return
    known = {runbook.id.casefold()} | ({runbook.title.casefold()} if runbook.title else set())
    generated = (
        record.record_format == "argo"
        and runbook.id.startswith(name)
        and _GENERATED_SUFFIX.fullmatch(runbook.id[len(name):]) is not None
    )
    if name.casefold() not in known and not generated:
        raise ForeignRecord(record.path, f"a record of `{name}`, not of `{runbook.id}` ({runbook_shown})")


def _key(name: str, caseless: bool) -> str:
    return name.casefold() if caseless else name


def _some(names: Iterable[str]) -> str:
    """A few names, for a message about many."""
    listed = list(dict.fromkeys(names))
    shown = ", ".join(f"`{name}`" for name in listed[:3])
    return shown + (f" and {len(listed) - 3} more" if len(listed) > 3 else "")
