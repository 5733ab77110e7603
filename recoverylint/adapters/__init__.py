"""Input formats: each is one module defining `FORMAT`, an InputFormat that
turns the parsed documents of the format into the Runbook model rules read.

The native format is one of them (`recoverylint.adapters.native`).  What a
run needs to know of every format before it reads a file (the names
`--input-format` and the configuration accept, the keys directory discovery
looks for, the suffixes of files read by their own parser, the order of
detection) is in `KNOWN_FORMATS` (recoverylint.formats, re-exported here), so
that a format's module is imported only when a file may be of it (a test
holds each entry to its module's FORMAT).  Adding a format: write its
module, add its entry to `KNOWN_FORMATS`; a module named in `FORMAT_MODULES`
alone is imported at the first use of the registry (formats.FORMAT_MODULES,
the list re-exported here: append to it; rebinding the name here changes
nothing).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..capabilities import AUTOMATION, MISSING, Capability
from ..finding import Issue
from ..formats import FORMAT_MODULES as FORMAT_MODULES
from ..formats import JSON_SIGNATURES as JSON_SIGNATURES
from ..formats import KNOWN_FORMATS as KNOWN_FORMATS
from ..formats import KnownFormat as KnownFormat
from ..formats import discovery_keys as discovery_keys
from ..formats import format_names as format_names
from ..formats import format_of as format_of
from ..formats import format_suffixes as format_suffixes
from ..formats import json_signature as json_signature
from ..formats import known_formats as known_formats
from ..formats import known_of as known_of
from ..model import Runbook
from ..source import Document

# What RL003 says of a file named on the command line that no format reads.
NOT_A_RUNBOOK = (
    "this file has no top-level `runbook` key, so it is not a recoverylint runbook,"
    " nor a workflow of a format recoverylint reads"
)


class AdapterError(Exception):
    """The document claims a format but cannot be read as it: its issues are
    reported under `code` (RL002, or RL001 when it is not one YAML document
    a runbook file can be)."""

    def __init__(self, issue: Issue, *more: Issue, code: str = "RL002") -> None:
        super().__init__(issue.message)
        self.issue = issue
        self.issues = (issue, *more)
        self.code = code


@dataclass(frozen=True)
class Adapted:
    """An adapter's result: the model, and what it found wrong on the way
    (rule code -> issues: RL102 for names that refer to nothing...)."""

    runbook: Runbook
    problems: tuple[tuple[str, Issue], ...] = ()


@dataclass(frozen=True)
class SkippedRules:
    """Rules a format cannot give a subject to, and why (said once by --verbose)."""

    codes: tuple[str, ...]
    why: str


@dataclass(frozen=True)
class InputFormat:
    name: str  # for --input-format, the configuration and reports
    title: str
    # Whether this format reads the stream: its first document and `rest`.
    detect: Callable[[Document], bool]
    # The model of a stream `detect` accepted; raises AdapterError.
    build: Callable[[Document, str, float | None], Adapted]  # the configured default_duration
    # Keys one of which a document of the format has: directory discovery
    # parses only files with one of the formats' keys somewhere on a line.
    keys: tuple[str, ...]
    # Detection tries the formats from the lowest priority up: the first
    # format that claims a file reads it.
    priority: int
    provides: frozenset[Capability] = AUTOMATION
    # The key by which a step says what it waits for, for suggestions
    # (None: the format has no way to say it; suggestions then say what to wait for).
    wait_key: str | None = "needs"
    # What RL003 says of a file `--input-format <name>` forces to this
    # format and that is not one of its documents (None: "not a <title> document").
    not_this_format: str | None = None
    # A format whose files are not YAML (Markdown) reads them with its own
    # `parse`: files of its `suffixes`, or any file it is forced on.
    # Discovery finds files of these suffixes too and reads those it detects.
    suffixes: tuple[str, ...] = ()
    parse: Callable[[str], Document] | None = None
    # Why this format lacks a capability, where the general reason
    # (capabilities.MISSING, said of engine-run workflows) is wrong for it.
    # (Pairs, not a dict: a format stays hashable.)
    lacks: tuple[tuple[Capability, str], ...] = ()

    def missing(self, needs: frozenset[Capability]) -> Capability | None:
        """The first capability of `needs` this format does not feed, or None."""
        return next((c for c in Capability if c in needs and c not in self.provides), None)

    @property
    def skipped(self) -> tuple[SkippedRules, ...]:
        """The registered rules this format skips, grouped by the first
        capability each needs that the format lacks."""
        from ..rules import registry

        grouped: dict[Capability, list[str]] = {}
        for code, rule in sorted(registry().items()):
            lacking = self.missing(rule.needs)
            if lacking is not None:
                grouped.setdefault(lacking, []).append(code)
        return tuple(
            SkippedRules(tuple(grouped[c]), dict(self.lacks).get(c, MISSING[c]))
            for c in Capability
            if c in grouped
        )


def input_format(name: str) -> InputFormat:
    """The format of this name (imported on first use); KeyError if there is none."""
    for known in known_formats():
        if known.name == name:
            return format_of(known.module)
    raise KeyError(name)


def input_formats() -> dict[str, InputFormat]:
    """Every format by name, native included, in detection order (each imported)."""
    return {known.name: format_of(known.module) for known in known_formats()}


def detect(document: Document) -> InputFormat | None:
    """The format of a parsed stream, or None (no format reads it): the
    formats are imported in detection order until one claims it."""
    for known in known_formats():
        candidate = format_of(known.module)
        if candidate.detect(document):
            return candidate
    return None


def own_parser(path: str, forced: str | None) -> InputFormat | None:
    """The format that reads this file with its own parser instead of YAML
    (by the file's suffix, or because it is forced), or None."""
    if forced:
        chosen = input_format(forced)
        return chosen if chosen.parse is not None else None
    lowered = path.lower()
    for known in known_formats():
        if known.suffixes and lowered.endswith(known.suffixes) and format_of(known.module).parse is not None:
            return format_of(known.module)
    return None


def documents(document: Document) -> list[Document]:
    """The documents of a stream that hold something (empty ones between
    `---` separators are common in manifests)."""
    return [doc for doc in (document, *document.rest) if doc.data is not None]


def is_native(data: Any) -> bool:
    return isinstance(data, dict) and "runbook" in data
