"""Input formats: each is one module defining `FORMAT`, an InputFormat that
turns the parsed documents of the format into the Runbook model rules read.

The native format is one of them (`recoverylint.adapters.native`).  What a
run needs to know of every format before it reads a file (the names
`--input-format` and the configuration accept, the keys directory discovery
looks for, the suffixes of files read by their own parser, the order of
detection) is in `KNOWN_FORMATS`, so that a format's module is imported only
when a file may be of it (a test holds each entry to its module's FORMAT).
Adding a format: write its module, add its entry to `KNOWN_FORMATS`; a module
named in `FORMAT_MODULES` alone is imported at the first use of the registry.
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


@dataclass(frozen=True)
class KnownFormat:
    """What the registry knows of a format without importing its module:
    the fields of the same names of the module's FORMAT."""

    module: str  # a full dotted name
    name: str
    priority: int
    keys: tuple[str, ...]
    suffixes: tuple[str, ...] = ()


# The order of this table does not matter: each format's `priority` orders detection.
KNOWN_FORMATS = (
    KnownFormat("recoverylint.adapters.native", "native", 0, ("runbook",)),
    KnownFormat("recoverylint.adapters.ssm", "ssm", 10, ("mainSteps", "runtimeConfig")),
    KnownFormat("recoverylint.adapters.argo", "argo", 20, ("kind",)),
    KnownFormat("recoverylint.adapters.tekton", "tekton", 30, ("kind",)),
    KnownFormat("recoverylint.adapters.github", "github-actions", 40, ("jobs",)),
    KnownFormat("recoverylint.adapters.orquesta", "orquesta", 50, ("tasks",)),
    KnownFormat("recoverylint.adapters.actionchain", "actionchain", 60, ("chain",)),
    KnownFormat("recoverylint.adapters.xsoar", "xsoar", 72, ("starttaskid",)),
    KnownFormat("recoverylint.adapters.rundeck", "rundeck", 75, ("sequence",)),
    KnownFormat(
        "recoverylint.adapters.ansible", "ansible", 77,
        ("hosts", "import_playbook", "block", "include_tasks", "import_tasks"),
    ),
    KnownFormat(
        "recoverylint.adapters.awx", "awx", 78,
        ("workflow_nodes", "job_template", "success_nodes", "inventory_source"),
    ),
    KnownFormat("recoverylint.adapters.markdown", "markdown", 90, (), (".md", ".markdown")),
)

# Every format's module; one without an entry in KNOWN_FORMATS is imported to learn it.
FORMAT_MODULES = [known.module for known in KNOWN_FORMATS]


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


def known_of(input_format: InputFormat, module: str) -> KnownFormat:
    """The registry's entry for a format's FORMAT."""
    return KnownFormat(module, input_format.name, input_format.priority, input_format.keys, input_format.suffixes)


@lru_cache(maxsize=1)
def known_formats() -> tuple[KnownFormat, ...]:
    """Every format of `FORMAT_MODULES`, in detection order."""
    table = {known.module: known for known in KNOWN_FORMATS}
    found = [
        table[module] if module in table else known_of(_format_of(module), module) for module in FORMAT_MODULES
    ]
    return tuple(sorted(found, key=lambda known: known.priority))


@cache
def _format_of(module: str) -> InputFormat:
    format_of_module: InputFormat = importlib.import_module(module).FORMAT
    return format_of_module


def input_format(name: str) -> InputFormat:
    """The format of this name (imported on first use); KeyError if there is none."""
    for known in known_formats():
        if known.name == name:
            return _format_of(known.module)
    raise KeyError(name)


def input_formats() -> dict[str, InputFormat]:
    """Every format by name, native included, in detection order (each imported)."""
    return {known.name: _format_of(known.module) for known in known_formats()}


def format_names() -> tuple[str, ...]:
    """The names `--input-format` and the configuration's `input_format` accept."""
    return tuple(known.name for known in known_formats())


def format_suffixes() -> tuple[str, ...]:
    """The suffixes of the files formats read with their own parser."""
    return tuple(suffix for known in known_formats() for suffix in known.suffixes)


def detect(document: Document) -> InputFormat | None:
    """The format of a parsed stream, or None (no format reads it): the
    formats are imported in detection order until one claims it."""
    for known in known_formats():
        candidate = _format_of(known.module)
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
        if known.suffixes and lowered.endswith(known.suffixes) and _format_of(known.module).parse is not None:
            return _format_of(known.module)
    return None


@cache
def discovery_keys(forced: str | None) -> re.Pattern[str]:
    """The keys directory discovery looks for before parsing a file (those of
    the format `forced`, or of every format), so that the many YAML files of
    a repository that are not runbooks cost almost nothing.  Anywhere on a
    line, so that a JSON or flow-style document (`{"runbook": ...`), an
    anchored or tagged key is found: a nested one only costs a parse."""
    formats = [known for known in known_formats() if forced is None or known.name == forced]
    if not formats:
        raise KeyError(forced)
    keys = sorted({re.escape(key) for known in formats for key in known.keys})
    return re.compile(rf"""["']?\b(?:{'|'.join(keys)})["']?[ \t]*:""")


# What the head of a JSON document of a format kept as JSON shows (every
# pattern of one entry), as its detection reads it: an SSM document (AWS's
# own form), an Argo or Tekton object (`kubectl get -o json`), a Rundeck job
# list (Rundeck's JSON export).  A native runbook is YAML: plan and
# review reports in JSON have a `runbook` key too.  A format added whose
# documents are kept as JSON adds its entry here.
JSON_SIGNATURES: dict[str, tuple[str, ...]] = {
    "ssm": (r'"schemaVersion"\s*:', r'"(?:mainSteps|runtimeConfig)"\s*:'),
    "argo": (r'"apiVersion"\s*:\s*"argoproj\.io/',),
    "tekton": (r'"apiVersion"\s*:\s*"tekton\.dev/',),
    "rundeck": (r"\A\s*\[", r'"sequence"\s*:\s*\{'),
}


def json_signature(head: str) -> str | None:
    """The format whose signature the head of a `.json` file found in a folder
    shows, or None: discovery reads no other JSON file, so that a folder's
    package.json, lock files and schemas cost one read and no parse."""
    text = head.lstrip("\ufeff")
    return next(
        (name for name, patterns in JSON_SIGNATURES.items() if all(re.search(p, text) for p in patterns)),
        None,
    )


def documents(document: Document) -> list[Document]:
    """The documents of a stream that hold something (empty ones between
    `---` separators are common in manifests)."""
    return [doc for doc in (document, *document.rest) if doc.data is not None]


def is_native(data: Any) -> bool:
    return isinstance(data, dict) and "runbook" in data
