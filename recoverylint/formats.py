"""What a run knows of every input format before it reads a file: the names
`--input-format` and the configuration accept, the keys directory discovery
looks for, the suffixes of files read by their own parser, the order of
detection, the signatures of the formats kept as JSON.

A table, so that neither a format's module nor the registry
(`recoverylint.adapters`, which builds the model) is imported by a run that
needs only these: a warm re-run, whose results are all in the cache.
`recoverylint.adapters` re-exports every name here (a test holds each entry
of `KNOWN_FORMATS` to its module's FORMAT).
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .adapters import InputFormat


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


def known_of(input_format: InputFormat, module: str) -> KnownFormat:
    """The registry's entry for a format's FORMAT."""
    return KnownFormat(module, input_format.name, input_format.priority, input_format.keys, input_format.suffixes)


@lru_cache(maxsize=1)
def known_formats() -> tuple[KnownFormat, ...]:
    """Every format of `FORMAT_MODULES`, in detection order."""
    table = {known.module: known for known in KNOWN_FORMATS}
    found = [
        table[module] if module in table else known_of(format_of(module), module) for module in FORMAT_MODULES
    ]
    return tuple(sorted(found, key=lambda known: known.priority))


@cache
def format_of(module: str) -> InputFormat:
    """The FORMAT of a format's module (imported on first use)."""
    format_of_module: InputFormat = importlib.import_module(module).FORMAT
    return format_of_module


def format_names() -> tuple[str, ...]:
    """The names `--input-format` and the configuration's `input_format` accept."""
    return tuple(known.name for known in known_formats())


def format_suffixes() -> tuple[str, ...]:
    """The suffixes of the files formats read with their own parser."""
    return tuple(suffix for known in known_formats() for suffix in known.suffixes)


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
