"""Input formats: each is one module defining `FORMAT`, an InputFormat that
turns the parsed documents of the format into the Runbook model rules read.

The native format is one of them (`recoverylint.adapters.native`).  Everything else
that depends on the formats (the names `--input-format` and the
configuration accept, the keys directory discovery looks for, the rules a
format skips) is derived from `FORMAT_MODULES` and the formats' own fields.
Adding a format: write its module, add its name to `FORMAT_MODULES`.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from ..capabilities import AUTOMATION, MISSING, Capability
from ..finding import Issue
from ..model import Runbook
from ..source import Document

# Every format's module (a full dotted name); the order of this list does
# not matter: each format's `priority` orders detection.  Every run imports
# them all (their names and keys are needed before any file is read), so a
# format imports a heavy parser inside `build`, not at its top.
FORMAT_MODULES = [
    "recoverylint.adapters.native",
    "recoverylint.adapters.ssm",
    "recoverylint.adapters.argo",
    "recoverylint.adapters.tekton",
    "recoverylint.adapters.github",
    "recoverylint.adapters.orquesta",
    "recoverylint.adapters.actionchain",
    "recoverylint.adapters.markdown",
    "recoverylint.adapters.xsoar",
    "recoverylint.adapters.ansible",
    "recoverylint.adapters.awx",
    "recoverylint.adapters.rundeck",
]


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


@lru_cache(maxsize=1)
def input_formats() -> dict[str, InputFormat]:
    """Every format by name, native included, in detection order (imported once)."""
    found = [importlib.import_module(module).FORMAT for module in FORMAT_MODULES]
    return {f.name: f for f in sorted(found, key=lambda f: f.priority)}


def format_names() -> tuple[str, ...]:
    """The names `--input-format` and the configuration's `input_format` accept."""
    return tuple(input_formats())


def detect(document: Document) -> InputFormat | None:
    """The format of a parsed stream, or None (no format reads it)."""
    for input_format in input_formats().values():
        if input_format.detect(document):
            return input_format
    return None


@cache
def discovery_keys(forced: str | None) -> re.Pattern[str]:
    """The keys directory discovery looks for before parsing a file (those of
    the format `forced`, or of every format), so that the many YAML files of
    a repository that are not runbooks cost almost nothing.  Anywhere on a
    line, so that a JSON or flow-style document (`{"runbook": ...`), an
    anchored or tagged key is found: a nested one only costs a parse."""
    formats = input_formats().values() if forced is None else [input_formats()[forced]]
    keys = sorted({re.escape(key) for f in formats for key in f.keys})
    return re.compile(rf"""["']?\b(?:{'|'.join(keys)})["']?[ \t]*:""")


def documents(document: Document) -> list[Document]:
    """The documents of a stream that hold something (empty ones between
    `---` separators are common in manifests)."""
    return [doc for doc in (document, *document.rest) if doc.data is not None]


def is_native(data: Any) -> bool:
    return isinstance(data, dict) and "runbook" in data
