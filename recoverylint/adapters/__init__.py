"""Input formats other than the native one: each adapter turns the parsed
documents of one format into the same Runbook model the native loader builds.

An adapter module defines `FORMAT`, an InputFormat.  Rules never see the
format's YAML: they read the model, and the engine skips the rules whose
subject the format cannot express (`InputFormat.skipped`).
"""

from __future__ import annotations

import importlib
from functools import lru_cache
from dataclasses import dataclass
from typing import Any, Callable, Optional

from ..finding import Issue
from ..model import Runbook
from ..source import Document

# In the order detection tries them: the first format that claims a file reads it.
_MODULES = {
    "ssm": "ssm",
    "argo": "argo",
    "tekton": "tekton",
    "github-actions": "github",
    "orquesta": "orquesta",
    "actionchain": "actionchain",
}


class AdapterError(Exception):
    """The document claims a format but cannot be read as it (reported as RL002)."""

    def __init__(self, issue: Issue) -> None:
        super().__init__(issue.message)
        self.issue = issue


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


# What every automation format leaves out: nothing in them says who performs
# a step, which step verifies or undoes a change, or what phase a step is in.
AUTOMATION_SKIPS = (
    SkippedRules(("RL303", "RL304", "RL306"), "the format marks no phases or verification steps"),
    SkippedRules(("RL404", "RL405", "RL5"), "the format names no roles, approvers or team"),
    SkippedRules(("RL6",), "the format marks no verifications or rollbacks"),
    SkippedRules(("RL7",), "an engine runs the steps, not a team a commander follows"),
)


@dataclass(frozen=True)
class InputFormat:
    name: str  # for --input-format and reports
    title: str
    # Whether this format reads the stream: its first document and `rest`.
    detect: Callable[[Document], bool]
    # The model of a stream `detect` accepted; raises AdapterError.
    build: Callable[[Document, str, Optional[float]], Adapted]  # the configured default_duration
    skipped: tuple[SkippedRules, ...] = AUTOMATION_SKIPS
    # The key by which a step says what it waits for, for suggestions
    # (None: the format has no way to say it; suggestions then say what to wait for).
    wait_key: Optional[str] = "needs"

    def skips(self, code: str) -> Optional[str]:
        """Why this format skips rule `code`, or None when the rule runs."""
        for group in self.skipped:
            if any(code.startswith(prefix) for prefix in group.codes):
                return group.why
        return None


@lru_cache(maxsize=1)
def input_formats() -> dict[str, InputFormat]:
    """Every adapter's format by name, in detection order (imported once)."""
    formats = {}
    for name, module in _MODULES.items():
        formats[name] = importlib.import_module(f"{__name__}.{module}").FORMAT
    return formats


def detect(document: Document) -> Optional[InputFormat]:
    """The adapter format of a parsed stream, or None (native or unknown)."""
    for input_format in input_formats().values():
        if input_format.detect(document):
            return input_format
    return None


def documents(document: Document) -> list[Document]:
    """The documents of a stream that hold something (empty ones between
    `---` separators are common in manifests)."""
    return [doc for doc in (document, *document.rest) if doc.data is not None]


def is_native(data: Any) -> bool:
    return isinstance(data, dict) and "runbook" in data
