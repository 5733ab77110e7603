"""Each checked file's result, kept between runs of `check` in `.recoverylint_cache/`.

An entry is found by a key that hashes everything a file's findings depend
on: its bytes, the settings and limits it is checked with, whether it was
named on the command line, and recoverylint itself (its version, the
contents of its code and bundled data, the Python and the dependencies it
runs on).  The path a file is shown with is not part of the key: entries
store findings without it, and a hit puts the caller's back.

Layout, one small JSON file per entry:

    .recoverylint_cache/
        .gitignore, CACHEDIR.TAG    so that git and backup tools leave it alone
        last-pruned                 its modification time says when
        <tool>/<k[:2]>/<k[2:]>.json  <tool>: 16 hex digits of recoverylint's fingerprint

Entries are JSON read back field by field, never pickle: a cache directory in
a shared CI workspace may be written by anyone, and unpickling runs code.
Anything that is not exactly the shape written (a torn, corrupt or foreign
file) is a miss.  Writes go to a temporary file renamed over the entry, so a
reader sees a whole entry or none, whatever other processes do at the time;
nothing is fsynced (a file torn by a power cut is merely a miss).

Cleaning, at most once a day: entries not used for 30 days are deleted, and
so is the folder of any other version of recoverylint (in a development
checkout: of any other state of its code) that no run has used for a day.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import secrets
import shutil
import sys
import time
from dataclasses import fields, is_dataclass
from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping, Optional

from . import __version__
from .engine import FileResult
from .finding import Edit, Finding, Fix, MakeFlowParallel, Related, RemoveNeed, Severity
from .model import Span
from .resources import data_dir
from .settings import Settings
from .source import Limits, SourceError, decode

DAY = 24 * 60 * 60
KEEP_UNUSED = 30 * DAY  # an entry of this version unused this long is deleted
KEEP_OTHER_TOOLS = DAY  # the folder of another version unused this long is deleted
PRUNE_EVERY = DAY
# A hit marks its entry used (by its modification time) only when the mark is
# older than this: one write a day per entry, not one per run.
MARK_USED_AFTER = DAY

GITIGNORE = "# Created by recoverylint: this folder is a cache.\n*\n"
CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by recoverylint.\n"
    "# For information about cache directory tags, see:\n"
    "#\thttps://bford.info/cachedir/\n"
)
PRUNE_STAMP = "last-pruned"

# Modules whose version can change what a file's findings say: YAML errors
# (RL001), schema errors (RL002), which schema failures are found, cycles.
DEPENDENCIES = ("ruamel.yaml", "_ruamel_yaml", "fastjsonschema", "jsonschema", "networkx")

_SEVERITIES = {severity.value: severity for severity in Severity}
_TOOL_FOLDER = re.compile(r"[0-9a-f]{16}")
_SHARD_FOLDER = re.compile(r"[0-9a-f]{2}")


class _Invalid(ValueError):
    """An entry that is not exactly the shape this module writes."""


@lru_cache(maxsize=1)
def tool_fingerprint() -> str:
    """A hash of everything of recoverylint's own that decides findings, computed
    once per process: the version, the contents of the package's code and of
    the bundled rule catalog and schema (about 100 small files: 1 to 4 ms;
    contents, unlike times, cannot be fooled by a checkout or a copy),
    the Python, and where and when each dependency was installed (an upgrade
    rewrites its files; stat costs nothing, where reading package metadata
    would cost more than the rest together)."""
    code = hashlib.sha256()
    package = Path(__file__).resolve().parent
    sources = (
        ("package", package, ".py"),
        ("rules", data_dir("rules"), ".yaml"),
        ("schemas", data_dir("schemas"), ".json"),
    )
    for label, folder, suffix in sources:
        for file in _files_under(folder, suffix):
            content = file.read_bytes()
            name = f"{label}/{file.relative_to(folder).as_posix()}"
            code.update(f"{name}\0{len(content)}\0".encode())
            code.update(content)
    identity = {
        "version": __version__,
        "code": code.hexdigest(),
        "python": [sys.implementation.name, sys.version],
        "dependencies": {name: _installed(name) for name in DEPENDENCIES},
    }
    return hashlib.sha256(_canonical_json(identity)).hexdigest()


def _files_under(folder: Path, suffix: str) -> list[Path]:
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        found.extend(Path(root) / name for name in files if name.endswith(suffix))
    return sorted(found)


def _installed(module: str) -> Optional[list[Any]]:
    """Where a module is installed, and the size and time of its main file;
    None when it is not installed (ruamel.yaml.clib on PyPy)."""
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
    if spec is None or spec.origin is None:
        return None
    try:
        status = os.stat(spec.origin)
    except OSError:
        return [spec.origin]
    return [spec.origin, status.st_size, status.st_mtime_ns]


class ResultCache:
    """The results of `check` on files, by `key`.  Never raises OSError: when
    the directory cannot be written (a read-only checkout), it is read if it
    exists, nothing is written, and `note` says why once."""

    def __init__(self, directory: Path, tool: Optional[str] = None) -> None:
        """`tool` stands for `tool_fingerprint()` (tests pass their own)."""
        self.directory = directory
        self._tool = tool_fingerprint() if tool is None else tool
        self._entries = directory / self._tool[:16]
        self._now = time.time()
        self._contexts: dict[tuple[int, int, bool], tuple[Settings, Limits, Any]] = {}
        self._writable = True
        self.note: Optional[str] = None  # why nothing is written in this run
        try:
            directory.mkdir(parents=True, exist_ok=True)
            for name, text in ((".gitignore", GITIGNORE), ("CACHEDIR.TAG", CACHEDIR_TAG)):
                if not (directory / name).is_file():
                    _write_atomically(directory / name, text)
            if self._entries.is_dir():
                os.utime(self._entries)  # this version is in use: see _prune_when_due
        except OSError as error:
            self._stop_writing(directory, error)
            return
        try:
            self._prune_when_due()
        except OSError:
            pass  # another run cleaning at the same time; what is left waits a day

    def key(self, data: bytes, settings: Settings, limits: Limits, explicit: bool) -> str:
        """The entry of a file with these bytes, checked with these settings and
        limits, named on the command line (`explicit`) or found in a directory."""
        # The files of a folder share one Settings object: hash its part once
        # (Settings and Limits are frozen; nothing changes a severity mapping
        # once configuration is read).
        remembered = self._contexts.get((id(settings), id(limits), explicit))
        if remembered is None or remembered[0] is not settings or remembered[1] is not limits:
            context = {
                "tool": self._tool,
                "settings": _canonical(settings),
                "limits": _canonical(limits),
                "explicit": explicit,
            }
            # The JSON is self-delimiting: no two (context, bytes) hash alike.
            prefix = hashlib.sha256(_canonical_json(context) + b"\0")
            remembered = (settings, limits, prefix)  # holding them keeps their ids unique
            self._contexts[(id(settings), id(limits), explicit)] = remembered
        digest = remembered[2].copy()
        digest.update(data)
        return digest.hexdigest()

    def get(
        self, key: str, display_path: str, data: Optional[bytes] = None
    ) -> Optional[FileResult]:
        """The stored result, its findings shown at `display_path`, or None on a
        miss.  Its `text` is decoded from `data`, the bytes `key` was made from,
        when they are given and the check had the text (only reports that show
        source lines need it; decoding costs about 4 ms a megabyte).  `runbook`
        and `graphs` are never stored (`check` shows neither)."""
        entry = self._entry(key)
        try:
            with open(entry, "rb") as file:
                raw = file.read()
                modified = os.fstat(file.fileno()).st_mtime
        except OSError:
            return None
        try:
            result, had_text = _result_from_json(json.loads(raw), key, display_path)
            if had_text and data is not None:
                result.text = decode(data)
        except (ValueError, LookupError, RecursionError, SourceError):
            return None  # torn, corrupt, foreign or of other bytes: check afresh
        if self._writable and self._now - modified > MARK_USED_AFTER:
            try:
                os.utime(entry)
            except OSError:
                pass  # read-only: the entry may be pruned early and is then rebuilt
        return result

    def put(self, key: str, result: FileResult) -> None:
        """Store a result (a file's internal error is never stored: the next run
        must try again and report it again)."""
        if not self._writable or result.internal_error is not None:
            return
        entry = self._entry(key)
        # A cache folder is as trusted as the checkout it lies in: a link
        # committed there must not make a run write elsewhere.
        for folder in (self.directory, self._entries, entry.parent):
            if folder.is_symlink():
                self._stop_writing(folder, OSError(0, "it is a symbolic link"))
                return
        text = json.dumps(_result_to_json(result, key), separators=(",", ":"))
        try:
            try:
                _write_atomically(entry, text)
            except FileNotFoundError:  # the first entry of its shard
                entry.parent.mkdir(parents=True, exist_ok=True)
                _write_atomically(entry, text)
        except OSError as error:
            self._stop_writing(entry, error)

    def _entry(self, key: str) -> Path:
        return self._entries / key[:2] / f"{key[2:]}.json"

    def _stop_writing(self, where: Path, error: OSError) -> None:
        self._writable = False
        self.note = f"results are not cached in this run: cannot write {where}: {error.strerror or error}"

    def _prune_when_due(self) -> None:
        """Clean at most once a day (see the module's documentation); the stamp
        is renewed first, so that runs started together do not all clean."""
        stamp = self.directory / PRUNE_STAMP
        try:
            if self._now - stamp.stat().st_mtime < PRUNE_EVERY:
                return
        except FileNotFoundError:
            pass
        _write_atomically(stamp, "")
        for tool in os.scandir(self.directory):
            if not (tool.is_dir(follow_symlinks=False) and _TOOL_FOLDER.fullmatch(tool.name)):
                continue  # only what this module made is ever deleted
            if tool.name != self._entries.name:
                if self._now - tool.stat(follow_symlinks=False).st_mtime > KEEP_OTHER_TOOLS:
                    shutil.rmtree(tool.path, ignore_errors=True)
                continue
            for shard in os.scandir(tool.path):
                if shard.is_dir(follow_symlinks=False) and _SHARD_FOLDER.fullmatch(shard.name):
                    for entry in os.scandir(shard.path):
                        if self._now - entry.stat(follow_symlinks=False).st_mtime > KEEP_UNUSED:
                            os.unlink(entry.path)


def _write_atomically(target: Path, text: str) -> None:
    """Write a new file beside `target` and rename it over `target`: readers
    see the old file or the new one, never part of one.  Parallel writers of
    the same entry write the same text, so whichever rename lands last is right."""
    temporary = target.with_name(f"{target.name}.{secrets.token_hex(6)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with open(descriptor, "wb") as file:
            file.write(text.encode())
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


# -- Keys ---------------------------------------------------------------------


def _canonical(value: object) -> Any:
    """`value` as JSON data that is the same in every process for equal values:
    dataclasses by field name, mappings and sets sorted, enums by value (never
    repr() or hash(), which vary with PYTHONHASHSEED for sets of strings).
    A type it does not know is an error, so that a new kind of setting cannot
    silently be left out of the key."""
    if isinstance(value, Enum):
        return value.value
    if value is None or isinstance(value, (str, int, float)):
        return value
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _canonical(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, (tuple, list)):
        return [_canonical(item) for item in value]
    if isinstance(value, (set, frozenset)):
        return sorted((_canonical(item) for item in value), key=_sort_text)
    if isinstance(value, Mapping):
        pairs = [[_canonical(k), _canonical(v)] for k, v in value.items()]
        return sorted(pairs, key=lambda pair: _sort_text(pair[0]))
    raise TypeError(f"the cache cannot key on a {type(value).__name__}: {value!r}")


def _sort_text(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def _canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()


# -- Entries ------------------------------------------------------------------
#
# {"key": K, "skipped": bool, "format": input format name or null, "suppressed": int, "text": bool,
#  "fixes": [{"description", "safe", "edit":
#        {"kind": "remove-need", "step", "need", "occurrence"}
#      | {"kind": "make-flow-parallel", "needs": [[step, [step, ...]], ...]}}],
#  "findings": [[code, name, severity, message, line, column, end_line, end_column,
#                suggestion or null, [step, ...], [[message, line, column, end_line, end_column], ...],
#                index in fixes or null], ...]}
#
# "text": whether the check read the file as YAML (then reports show its lines).
# A finding is an array, not an object: a warm run reads tens of thousands of
# them, and arrays parse 40% faster and take a quarter less room.


def _result_to_json(result: FileResult, key: str) -> dict[str, Any]:
    # A checklist's RL201 findings all carry the same restructuring of the
    # whole runbook: stored once per entry, not once per finding (which made
    # fixes 40% of the benchmark corpus's cache).
    fixes: dict[Fix, int] = {}
    findings = [
        _finding_to_json(f, None if f.fix is None else fixes.setdefault(f.fix, len(fixes)))
        for f in result.findings
    ]
    return {
        "key": key,
        "skipped": result.skipped,
        "format": result.format,
        "suppressed": result.suppressed,
        "text": result.text is not None,
        "fixes": [_fix_to_json(fix) for fix in fixes],
        "findings": findings,
    }


def _finding_to_json(finding: Finding, fix: Optional[int]) -> tuple[Any, ...]:
    # Tuples: json.dumps writes them as arrays, and a filling run makes tens of thousands.
    span = finding.span
    return (
        finding.code,
        finding.name,
        finding.severity.value,
        finding.message,
        span.line,
        span.column,
        span.end_line,
        span.end_column,
        finding.suggestion,
        finding.steps,
        tuple(map(_related_to_json, finding.related)),
        fix,
    )


def _related_to_json(related: Related) -> tuple[Any, ...]:
    span = related.span
    return (related.message, span.line, span.column, span.end_line, span.end_column)


def _fix_to_json(fix: Fix) -> dict[str, Any]:
    edit = fix.edit
    if isinstance(edit, RemoveNeed):
        stored = {"kind": "remove-need", "step": edit.step, "need": edit.need, "occurrence": edit.occurrence}
    elif isinstance(edit, MakeFlowParallel):
        stored = {"kind": "make-flow-parallel", "needs": [[step, list(needs)] for step, needs in edit.needs]}
    else:  # a new kind of edit must be taught to this module (and to _edit below)
        raise TypeError(f"the cache cannot store a {type(edit).__name__}")
    return {"description": fix.description, "safe": fix.safe, "edit": stored}


# Reading back: json.loads makes only dict, list, str, int, float, bool and
# None, so exact type tests are enough (and keep `true` from passing for 1).


def _result_from_json(stored: Any, key: str, display_path: str) -> tuple[FileResult, bool]:
    """The stored result, and whether the check had the file's text."""
    entry = _mapping(stored)
    if _string(entry["key"]) != key:
        raise _Invalid("an entry of another key")
    fixes = [_fix(item) for item in _list(entry["fixes"])]
    result = FileResult(
        display_path,
        findings=[_finding(row, display_path, fixes) for row in _list(entry["findings"])],
        skipped=_boolean(entry["skipped"]),
        format=None if entry["format"] is None else _string(entry["format"]),
        suppressed=_count(entry["suppressed"]),
    )
    return result, _boolean(entry["text"])


def _finding(row: Any, path: str, fixes: list[Fix]) -> Finding:
    if type(row) is not list or len(row) != 12:
        raise _Invalid("a finding is an array of 12")
    code, name, severity, message, line, column, end_line, end_column, suggestion, steps, related, fix = row
    if not (
        type(code) is type(name) is type(severity) is type(message) is str
        and type(line) is type(column) is type(end_line) is type(end_column) is int
        and (suggestion is None or type(suggestion) is str)
        and type(steps) is type(related) is list
    ):
        raise _Invalid("a finding with a field of the wrong type")
    for step in steps:  # a loop, not _strings: this is the hot path of a warm run
        if type(step) is not str:
            raise _Invalid("a step id that is not a string")
    return Finding(
        code,
        name,
        _SEVERITIES[severity],  # LookupError: see `get`
        message,
        path,
        Span(line, column, end_line, end_column),
        suggestion,
        tuple(steps),
        tuple(map(_related, related)) if related else (),
        None if fix is None else fixes[_count(fix)],  # LookupError: see `get`
    )


def _related(row: Any) -> Related:
    if type(row) is not list or len(row) != 5:
        raise _Invalid("a related place is an array of 5")
    message, line, column, end_line, end_column = row
    if not (type(message) is str and type(line) is type(column) is type(end_line) is type(end_column) is int):
        raise _Invalid("a related place with a field of the wrong type")
    return Related(message, Span(line, column, end_line, end_column))


def _fix(stored: Any) -> Fix:
    item = _mapping(stored)
    return Fix(_string(item["description"]), _boolean(item["safe"]), _edit(item["edit"]))


def _edit(stored: Any) -> Edit:
    item = _mapping(stored)
    kind = item["kind"]
    if kind == "remove-need":
        return RemoveNeed(_string(item["step"]), _string(item["need"]), _count(item["occurrence"]))
    if kind == "make-flow-parallel":
        needs = []
        for pair in _list(item["needs"]):
            step, waits_for = _list(pair)  # ValueError unless exactly two
            needs.append((_string(step), _strings(waits_for)))
        return MakeFlowParallel(tuple(needs))
    raise _Invalid(f"an unknown kind of edit: {kind!r}")


def _mapping(value: Any) -> dict:
    if type(value) is not dict:
        raise _Invalid("expected an object")
    return value


def _list(value: Any) -> list:
    if type(value) is not list:
        raise _Invalid("expected an array")
    return value


def _string(value: Any) -> str:
    if type(value) is not str:
        raise _Invalid("expected a string")
    return value


def _strings(value: Any) -> tuple[str, ...]:
    if type(value) is not list or not all(type(item) is str for item in value):
        raise _Invalid("expected an array of strings")
    return tuple(value)


def _boolean(value: Any) -> bool:
    if type(value) is not bool:
        raise _Invalid("expected true or false")
    return value


def _count(value: Any) -> int:
    if type(value) is not int or value < 0:  # a negative index would count from the end
        raise _Invalid("expected a whole number")
    return value
