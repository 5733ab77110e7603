"""Baselines: record today's findings so that only new ones fail a check.

A finding is recognised by (path, code, step ids, message) — never by its
line — so that edits elsewhere in a file do not bring it back.  Findings that
a file could not be checked (RL001-RL003) are never recorded nor hidden: a
baseline must not make an unchecked file look clean.  Paths are
stored relative to the baseline file's folder, with `/` separators, so one
baseline works from any working directory and on any OS.
"""

from __future__ import annotations

import errno
import json
import os
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path, PurePath
from typing import Any

from . import __version__
from .catalog import always_on_codes
from .files import UnreadableFile, read_file, write_atomically
from .finding import Finding

# The version of the file's shape, not of the tool: bump it only when an
# older recoverylint could no longer read what this one writes.
FORMAT_VERSION = 1
# A recorded finding takes about 250 bytes: room for hundreds of thousands,
# while a device or a huge file named by mistake is refused, not read.
MAX_BASELINE_SIZE = 256 * 1024 * 1024

Key = tuple[str, str, tuple[str, ...], str]

# "line 12", "lines 3 and 9", "line 3, 7, 9 and 2 more", "lines 3-5":
# positions, which change whenever lines are added above.
_LINE_NUMBERS = re.compile(
    r"\b(lines?)\s+\d+(?:\s*[-–]\s*\d+)?"
    r"(?:(?:\s*,\s*|\s+and\s+)\d+(?:\s*[-–]\s*\d+)?(?:\s+more)?)*",
    re.IGNORECASE,
)
_COLUMN_NUMBERS = re.compile(r"\b(columns?)\s+\d+", re.IGNORECASE)
# Backticked text is the user's own (names, values), except for schema paths
# such as `$.steps[3].role`, whose list indexes are positions in the file.
_BACKTICKED = re.compile(r"(`[^`]*`)")
_LIST_INDEX = re.compile(r"\[\d+\]")


class BaselineError(Exception):
    """A baseline that cannot be read or written; the message names the file."""


def normalize_message(message: str) -> str:
    """The message with its positions (line and column numbers, list indexes
    of schema paths) replaced by placeholders; other numbers stay."""
    parts = _BACKTICKED.split(message)
    for index, part in enumerate(parts):
        if index % 2:  # a backticked part
            if part.startswith("`$"):
                parts[index] = _LIST_INDEX.sub("[N]", part)
        else:
            part = _LINE_NUMBERS.sub(r"\1 N", part)
            parts[index] = _COLUMN_NUMBERS.sub(r"\1 N", part)
    return "".join(parts)


def fingerprint(finding: Finding) -> str:
    """A stable identity for a finding in CI reports (SARIF partialFingerprints,
    GitLab Code Quality): what a baseline recognises it by, so it survives
    lines added above it.  Two identical findings in a file share it."""
    import hashlib

    key = "\0".join(
        [PurePath(finding.path).as_posix(), finding.code, *finding.steps, normalize_message(finding.message)]
    )
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def stored_path(shown: str, folder: Path) -> str:
    """A finding's path (relative to the working directory, or absolute) as a
    baseline in `folder` stores it: relative to that folder, `/`-separated."""
    # Directories are resolved on both sides, so a symlinked or `..` route to
    # the same folder gives the same path; the file name itself is kept.
    path = Path(shown)
    located = path.parent.resolve() / path.name
    try:
        relative = os.path.relpath(located, folder.resolve())
    except ValueError:  # another drive on Windows: no relative path exists
        return located.as_posix()
    return PurePath(relative).as_posix()


def _stored_path_cached(shown: str, folder: Path, paths: dict[str, str]) -> str:
    """stored_path, once per file in a call (`paths`): a file's findings share it."""
    path = paths.get(shown)
    if path is None:
        path = paths[shown] = stored_path(shown, folder)
    return path


def _key(finding: Finding, folder: Path, paths: dict[str, str]) -> Key:
    return (
        _stored_path_cached(finding.path, folder, paths),
        finding.code,
        tuple(finding.steps),
        normalize_message(finding.message),
    )


class Baseline:
    """The findings recorded in one baseline file, as a multiset of keys:
    two identical findings recorded cover two, and a third is new."""

    def __init__(self, folder: Path, keys: Iterable[Key]) -> None:
        self.folder = folder
        self._recorded = Counter(keys)

    def filter(self, findings: Iterable[Finding]) -> tuple[list[Finding], int]:
        """The findings not in the baseline (in their order), and how many were in it."""
        remaining = self._recorded.copy()
        paths: dict[str, str] = {}
        new = []
        for finding in findings:
            key = _key(finding, self.folder, paths)
            if finding.code not in always_on_codes() and remaining[key] > 0:
                remaining[key] -= 1
            else:
                new.append(finding)
        matched = sum(self._recorded.values()) - sum(remaining.values())
        return new, matched


def write_baseline(baseline_file: Path, findings: Iterable[Finding]) -> int:
    """Record `findings` (but RL001-RL003) in `baseline_file`, replacing it
    atomically; how many were recorded.  Refuses to replace a file that is not
    a recoverylint baseline (a runbook or pyproject.toml named by mistake)."""
    if baseline_file.is_symlink():  # replace what the link points at, not the link
        try:
            baseline_file = baseline_file.resolve()
        except (OSError, RuntimeError) as error:  # a loop of links
            raise BaselineError(f"cannot write baseline {baseline_file}: {error}") from None
    if baseline_file.exists() and not _is_baseline(baseline_file):
        raise BaselineError(
            f"refusing to overwrite {baseline_file}: it is not a recoverylint baseline"
        )
    folder = baseline_file.parent
    paths: dict[str, str] = {}
    entries = []
    for finding in findings:
        if finding.code in always_on_codes():
            continue
        entries.append(
            {
                "path": _stored_path_cached(finding.path, folder, paths),
                "line": finding.span.line,  # for people reading the file; never matched
                "code": finding.code,
                "steps": list(finding.steps),
                "message": finding.message,  # as shown: normalized only when matched
            }
        )
    entries.sort(
        key=lambda e: (e["path"], e["line"], e["code"], e["steps"], e["message"])
    )
    document = {
        "version": FORMAT_VERSION,
        "tool": "recoverylint",
        "tool_version": __version__,
        "findings": entries,
    }
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    try:
        write_atomically(baseline_file, text)
    except OSError as error:
        raise _cannot_write(baseline_file, error) from None
    return len(entries)


def _is_baseline(path: Path) -> bool:
    try:  # read_file: a device such as /dev/zero is refused, never read
        document = json.loads(read_file(path, MAX_BASELINE_SIZE).decode("utf-8"))
    except (OSError, ValueError, RecursionError):
        return False
    return isinstance(document, dict) and document.get("tool") == "recoverylint"


def _cannot_write(target: Path, error: OSError) -> BaselineError:
    return BaselineError(f"cannot write baseline {target}: {error.strerror or error}")


def load_baseline(baseline_file: Path) -> Baseline:
    """Read a baseline written by write_baseline, or raise BaselineError saying what is wrong."""
    try:
        text = read_file(baseline_file, MAX_BASELINE_SIZE).decode("utf-8")
    except UnicodeDecodeError:
        raise BaselineError(f"baseline {baseline_file} is not UTF-8 text") from None
    except UnreadableFile as error:
        if error.errno == errno.ENOENT:
            raise BaselineError(
                f"baseline {baseline_file} does not exist (write it with --write-baseline)"
            ) from None
        raise BaselineError(f"cannot read baseline {baseline_file}: {error.strerror}") from None
    try:
        document = json.loads(text)
    # JSONDecodeError, a number too long to convert, or nesting too deep.
    except (ValueError, RecursionError) as error:
        raise BaselineError(f"baseline {baseline_file} is not valid JSON: {error}") from None
    # Resolved now: a later change of working directory must not move it.
    return Baseline(baseline_file.parent.resolve(), _keys(document, baseline_file))


def _keys(document: Any, baseline_file: Path) -> list[Key]:
    def wrong(problem: str) -> BaselineError:
        return BaselineError(
            f"baseline {baseline_file} is not a recoverylint baseline: {problem}"
        )

    if not isinstance(document, dict):
        raise wrong("expected a JSON object at the top")
    version = document.get("version")
    if type(version) is not int:  # bool is an int in Python: not a version
        raise wrong("no integer `version` field")
    if version != FORMAT_VERSION:
        raise BaselineError(
            f"baseline {baseline_file} has format version {version}; recoverylint"
            f" {__version__} reads version {FORMAT_VERSION} (rewrite it with --write-baseline)"
        )
    entries = document.get("findings")
    if not isinstance(entries, list):
        raise wrong("no `findings` list")
    keys = []
    for number, entry in enumerate(entries):
        if not (
            isinstance(entry, dict)
            and isinstance(entry.get("path"), str)
            and isinstance(entry.get("code"), str)
            and isinstance(entry.get("message"), str)
            and isinstance(entry.get("steps"), list)
            and all(isinstance(step, str) for step in entry["steps"])
        ):
            raise wrong(
                f"`findings[{number}]` needs a string `path`, `code` and `message`"
                " and a list of strings `steps`"
            )
        keys.append(
            (
                entry["path"],
                entry["code"],
                tuple(entry["steps"]),
                normalize_message(entry["message"]),
            )
        )
    return keys
