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
        code-digest                 the hash of recoverylint's code and data, and of
                                    their files' status (ResultCache._remembered_fingerprint)
        digests/<h>.json            per user and folder of runbooks: each one's status and
                                    the hash of its bytes (see Remembered hashes), or the
                                    entry files whose parts were checked (see Checked parts)
        <tool>/<k[:2]>/<k[2:]>.json  <tool>: 16 hex digits of recoverylint's fingerprint;
                                     a JSON header line, then JSON and text (see Entries),
                                     or a whole run's parts (see Runs)

Entries are JSON read back field by field, never pickle: a cache directory in
a shared CI workspace may be written by anyone, and unpickling runs code.
Anything that is not exactly the shape written (a torn, corrupt or foreign
file), or that names a rule, severity or place no check could give, is a
miss.  An entry may also keep the file's findings written as its part of a
report (`--format json`, `json-lines`), so that a warm run writing those
joins text and decodes no finding: such a part is used only for the path it
was written for, only when it holds a record for each finding the entry
counts and nothing but printable ASCII (as both formats write), checked
once per entry file (see Checked parts); else
the findings are read and written again, and stored beside the parts the
entry held (of other formats, and of up to MAX_SHOWN_PATHS paths: copies of
a file share its entry).
A run writing those formats over files none of which changed since a run
like it takes all their parts from one entry (see Runs).
Writes go to a temporary file renamed over the entry, so a reader sees a
whole entry or none, whatever other processes do at the time; nothing is
fsynced (a file torn by a power cut is merely a miss).

No symbolic link is ever followed, for a read, a write or a delete: every
file is opened relative to a descriptor of its folder, each folder opened
with O_NOFOLLOW from the cache folder down.  A link where the cache expects
its own folder or file turns the cache off for the run, with one warning
(`ln -s . .recoverylint_cache` must not put a `.gitignore` of `*` at the top
of a repository, nor pruning delete the folders a link points at).

Cleaning, at most once a day: entries not used for 30 days are deleted, and
so are the entries of any other version of recoverylint (in a development
checkout: of any other state of its code) that no run has used for a day.
Only files proven to be entries are deleted: a name this module gives and a
content starting as this module writes it, with the key its name says.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import importlib.machinery
import importlib.util
import json
import os
import re
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, is_dataclass
from enum import Enum
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from .catalog import rule_doc
from .config import known_codes
from .dataclass_json import decoder, from_json, to_json
from .file_result import FileResult
from .files import (
    FileRange,
    LinkRefused,
    OpenFile,
    UnreadableFile,
    open_folder,
    open_regular,
    read_at,
    read_file,
    read_head,
    write_new,
)
from .formats import format_names
from .reading import Limits, decode_accepted
from .report import ReportPart, WrittenFindings, summarize
from .resources import data_dir
from .settings import Settings

if TYPE_CHECKING:
    from .finding import Finding, Fix
    from .model import Span

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
# The hash of recoverylint's code and data, beside the hash of the status of
# their files it was worked out with (see ResultCache._remembered_fingerprint).
CODE_DIGEST = "code-digest"
_REMEMBERED_CODE = re.compile(rb"([0-9a-f]{64}) ([0-9a-f]{64})\n")
_REMEMBERED_SIZE = 130

# Modules whose version can change what a file's findings say: YAML errors
# (RL001), schema errors (RL002), which schema failures are found, cycles.
DEPENDENCIES = ("ruamel.yaml", "_ruamel_yaml", "fastjsonschema", "jsonschema", "networkx")

# An entry is a few kilobytes (a file's findings); one of a hostile size is a miss.
MAX_ENTRY_SIZE = 64 * 1024 * 1024
# recoverylint's own code and data, read for its fingerprint.
MAX_BUNDLED_FILE_SIZE = 16 * 1024 * 1024

_TOOL_FOLDER = re.compile(r"[0-9a-f]{16}")
_SHARD_FOLDER = re.compile(r"[0-9a-f]{2}")
# <62 hex digits>.json, and a temporary file that a killed writer left.
_ENTRY_FILE = re.compile(r"([0-9a-f]{62})\.json(?:\.[0-9a-f]{12}\.tmp)?")
_TEMPORARY_SUFFIX = ".tmp"
# digests/<32 hex digits>.json (remembered hashes, checked parts), and a
# temporary file that a killed writer left.
_DIGESTS_FILE = re.compile(r"[0-9a-f]{32}\.json(?:\.[0-9a-f]{12}\.tmp)?")
DIGESTS_FOLDER = "digests"
# How recently written a runbook's status cannot tell a later write: its
# bytes' hash is not remembered (see Remembered hashes).  Two seconds cover
# the coarsest clock a file system keeps times with (FAT's).
RACY_SECONDS = 2
# A folder's memo (remembered hashes, or checked parts) is a few hundred
# kilobytes; more is not ours (save_memos keeps the latest records that fit).
MAX_DIGESTS_SIZE = 16 * 1024 * 1024
# Runbooks remembered per folder (their hashes, or their entries' checked
# parts): past this, the latest remembered.
MAX_REMEMBERED = 100_000


class _Invalid(ValueError):
    """An entry that is not exactly the shape this module writes."""


@lru_cache(maxsize=1)
def tool_fingerprint() -> str:
    """A hash of everything of recoverylint's own that decides findings, computed
    once per process: the version, the contents of the package's code and of
    the bundled rule catalog and schema (about 200 small files: 4 to 5 ms;
    contents, unlike times, cannot be fooled by a checkout or a copy),
    the Python, and where and when each dependency was installed (an upgrade
    rewrites its files; stat costs nothing, where reading package metadata
    would cost more than the rest together).  ResultCache takes the contents'
    hash from its folder when no file changed since (_remembered_fingerprint)."""
    return _fingerprint(_code_digest(_bundled_files()))


def _fingerprint(code_digest: str) -> str:
    """The fingerprint of recoverylint with code and data of this digest."""
    identity = {
        "version": __version__,
        "code": code_digest,
        "python": [sys.implementation.name, sys.version],
        "dependencies": {name: _installed(name) for name in DEPENDENCIES},
    }
    return hashlib.sha256(_canonical_json(identity)).hexdigest()


def _bundled_files() -> list[tuple[str, str]]:
    """recoverylint's code and bundled data: (the name hashed, the file's path),
    in a stable order."""
    package = Path(__file__).resolve().parent
    sources = (
        ("package", package, ".py"),
        ("rules", data_dir("rules"), ".yaml"),
        ("schemas", data_dir("schemas"), ".json"),
    )
    found: list[tuple[str, str]] = []
    for label, folder, suffix in sources:
        for root, dirs, files in os.walk(folder):
            dirs[:] = [d for d in dirs if d != "__pycache__"]
            relative = os.path.relpath(root, folder).replace(os.sep, "/")
            prefix = f"{label}/" if relative == "." else f"{label}/{relative}/"
            found.extend((prefix + name, os.path.join(root, name)) for name in files if name.endswith(suffix))
    return sorted(found)


def _code_digest(files: list[tuple[str, str]]) -> str:
    """The hash of the contents of recoverylint's code and data."""
    code = hashlib.sha256()
    for name, path in files:
        content = read_file(path, MAX_BUNDLED_FILE_SIZE)
        code.update(f"{name}\0{len(content)}\0".encode())
        code.update(content)
    return code.hexdigest()


def _status_digest(files: list[tuple[str, str]]) -> tuple[str, int]:
    """A hash of each file's name and status: another as soon as a file is
    written, replaced, added or removed (a write renews the change time,
    which no checkout, copy or `touch` can set back); and the latest time a
    file was written or changed (ns), to see whether one is too recent for
    its status to tell a later write (see Remembered hashes)."""
    status = hashlib.sha256()
    latest = 0
    for name, path in files:
        found = os.stat(path)
        status.update(f"{name}\0{_status_fields(found)}\0".encode())
        latest = max(latest, found.st_mtime_ns, found.st_ctime_ns)
    return status.hexdigest(), latest


def _installed(module: str) -> list[Any] | None:
    """Where a module is installed, and the size and time of its main file;
    None when it is not installed (ruamel.yaml.clib on PyPy)."""
    parent, _, _ = module.rpartition(".")
    try:
        if parent and parent not in sys.modules:
            # importlib.util.find_spec would import the parent package (a warm
            # run imports nothing of ruamel): its submodule is looked up where it is.
            found = importlib.util.find_spec(parent)
            places = None if found is None else found.submodule_search_locations
            spec = None if places is None else importlib.machinery.PathFinder.find_spec(module, list(places))
        else:
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
    exists, nothing is written, and `note` says why once; when a symbolic
    link stands where the cache expects its own folder or file, the cache is
    neither read nor written and `note` warns of it."""

    def __init__(self, directory: Path, tool: str | None = None) -> None:
        """`tool` stands for `tool_fingerprint()` (tests pass their own)."""
        # Descriptors of the cache folder and of this tool's folder in it:
        # every file of the cache is reached from them, link by link refused.
        self._folder: int | None = None
        self._tool_folder: int | None = None
        self.directory = directory
        self._tool = "" if tool is None else tool  # set below when None, once the folder is known
        self._entries = directory / self._tool[:16]
        self._now = time.time()
        self._contexts: dict[tuple[int, int, bool, bool], tuple[Settings, Limits, Any]] = {}
        self._writable = True
        self._rewritten: set[str] = set()  # the keys whose entry `put` has rewritten in this run
        # The memos of digests/ read or changed in this run, by kind and folder
        # of runbooks: runbook name -> its record (see _MemoKind).
        self._memos: dict[tuple[_MemoKind, str], dict[str, list[Any]]] = {}
        self._memos_changed: set[tuple[_MemoKind, str]] = set()
        self.note: str | None = None  # why the cache is not (fully) used in this run
        self._open_folder(directory)
        if tool is None:
            self._tool = tool_fingerprint() if self._folder is None else self._remembered_fingerprint(self._folder)
            self._entries = directory / self._tool[:16]
        if self._folder is None:
            return
        try:
            self._tool_folder = open_folder(self._entries.name, self._folder)
        except LinkRefused:
            self._refuse(self._entries)
            return
        except OSError:
            pass  # not there yet: made by the first `put`
        try:
            # The tag first: another run starting meanwhile sees a folder of its own.
            for name, text in (("CACHEDIR.TAG", CACHEDIR_TAG), (".gitignore", GITIGNORE)):
                if not _exists(name, self._folder):
                    write_new(name, text.encode(), self._folder)
            if self._tool_folder is not None:
                os.utime(self._entries.name, dir_fd=self._folder, follow_symlinks=False)  # see _prune
        except OSError as error:
            self._stop_writing(directory, error)
            return
        with contextlib.suppress(OSError):  # another run cleaning at the same time; what is left waits a day
            self._prune_when_due()

    def _open_folder(self, directory: Path) -> None:
        """Open the cache folder (made if missing) as self._folder; leave it
        None, and say why in `note`, when it cannot or must not be used."""
        if os.open not in os.supports_dir_fd or os.scandir not in os.supports_fd:
            self.note = "results are not cached: this system cannot open a file without following links"
            return
        try:
            self._folder = _open_or_create(directory)
        except LinkRefused:
            self._refuse(directory)
            return
        except OSError as error:
            self._stop_writing(directory, error)
            return
        if not _is_own_folder(self._folder):
            self._turn_off(
                f"{directory} holds files that are not recoverylint's and no CACHEDIR.TAG of it,"
                " and recoverylint writes only into a folder of its own"
                " (set RECOVERYLINT_CACHE_DIR to a new folder)"
            )

    def _remembered_fingerprint(self, folder: int) -> str:
        """tool_fingerprint(), its code's digest read from the cache folder
        when no file of the code has changed since a run wrote it there (a
        warm run then reads 200 status, not 200 files: 1 ms, not 5), else
        worked out and written there."""
        files = _bundled_files()
        try:
            # Before the contents are read: a write meanwhile makes it stale.
            status, latest = _status_digest(files)
        except OSError:  # a file removed meanwhile (an upgrade): worked out as it is now
            return tool_fingerprint()
        remembered = _remembered_code(folder)
        if remembered is not None and remembered.group(1).decode() == status:
            return _fingerprint(remembered.group(2).decode())
        code = _code_digest(files)
        if self._writable and not self._racy(latest):
            with contextlib.suppress(OSError):  # read-only: worked out again next time
                write_new(CODE_DIGEST, f"{status} {code}\n".encode(), folder)
        return _fingerprint(code)

    def __del__(self) -> None:
        self.close()

    def close(self) -> None:
        """Let go of the folders' descriptors; the cache is not used after."""
        for descriptor in (self._tool_folder, self._folder):
            if descriptor is not None:
                os.close(descriptor)
        self._folder = self._tool_folder = None

    def key(self, data: bytes, settings: Settings, limits: Limits, explicit: bool, fixes_judged: bool = True) -> str:
        """The entry of a file with these bytes, checked with these settings and
        limits, named on the command line (`explicit`) or found in a directory,
        its offered fixes judged or not (`fixes_judged`)."""
        return self.key_of_digest(content_digest(data), settings, limits, explicit, fixes_judged)

    def key_of_digest(
        self, digest: bytes, settings: Settings, limits: Limits, explicit: bool, fixes_judged: bool = True
    ) -> str:
        """`key` of the bytes whose content_digest is `digest`."""
        # The files of a folder share one Settings object: hash its part once
        # (Settings and Limits are frozen; nothing changes a severity mapping
        # once configuration is read).
        remembered = self._contexts.get((id(settings), id(limits), explicit, fixes_judged))
        if remembered is None or remembered[0] is not settings or remembered[1] is not limits:
            context = {
                "tool": self._tool,
                "settings": _canonical(settings),
                "limits": _canonical(limits),
                "explicit": explicit,
                "fixes_judged": fixes_judged,
            }
            # The JSON is self-delimiting: no two (context, digest) hash alike.
            prefix = hashlib.sha256(_canonical_json(context) + b"\0")
            remembered = (settings, limits, prefix)  # holding them keeps their ids unique
            self._contexts[(id(settings), id(limits), explicit, fixes_judged)] = remembered
        key = remembered[2].copy()
        key.update(digest)
        return key.hexdigest()

    def read(
        self, key: str, shown: str | None = None, formats: tuple[str, ...] = (),
        runbook: str | os.PathLike[str] | None = None,
    ) -> StoredEntry | None:
        """`key`'s entry (marking it used), its header parsed; None when there
        is none or it is torn, corrupt or foreign.  When its header lists parts
        for the path `shown` in every one of `formats`, only those parts are
        read (a warm run writing those formats needs nothing else: neither
        the findings nor other paths' parts, most of an entry's bytes);
        otherwise the whole entry.  With the `runbook` the entry was looked
        up for, those of its parts checked before in this entry file are
        known (StoredEntry.checked)."""
        shard = self._shard(key, create=False)
        if shard is None:
            return None
        name = _entry_name(key)
        try:
            descriptor, status = open_regular(name, follow_links=False, dir_fd=shard)
            try:
                if status.st_size > MAX_ENTRY_SIZE:
                    return None  # a hostile size: not read
                if self._writable and self._now - status.st_mtime > MARK_USED_AFTER:
                    with contextlib.suppress(OSError):  # read-only: the entry may be pruned early and is then rebuilt
                        os.utime(name, dir_fd=shard, follow_symlinks=False)
                wanted = [(shown, output_format) for output_format in formats] if shown is not None else []
                checked = self._checked_parts(runbook, key, status) if wanted and runbook is not None else frozenset()
                return _read_entry(descriptor, status, key, wanted, checked)
            finally:
                os.close(descriptor)
        except LinkRefused:
            self._refuse(self._entry(key))
            return None
        except (OSError, ValueError, LookupError, RecursionError):
            return None  # no entry (or a FIFO, a device), or not one written whole: check afresh
        finally:
            os.close(shard)

    def put(
        self, key: str, result: FileResult, written: WrittenFindings | None = None, kept: StoredEntry | None = None,
        runbook: str | os.PathLike[str] | None = None,
    ) -> None:
        """Store a result, and its findings `written` in output formats for its
        path, keeping the parts of other paths and formats of `kept` (the
        entry read before, of this key).  An entry is rewritten at most once a
        run: N copies of a file, which share an entry, cost one rewrite, not
        one each.  A file's internal error is never stored: the next run must
        try again and report it again.  `runbook`: see put_entry."""
        if result.internal_error is not None:
            return
        assert kept is None or kept.findings is not None, "kept: a whole entry, read(key) without formats"
        if kept is not None:
            if key in self._rewritten:
                return
            self._rewritten.add(key)
        self.put_entry(key, entry_bytes(key, result, written, {} if kept is None else kept.parts), runbook)

    def put_entry(self, key: str, entry: bytes, runbook: str | os.PathLike[str] | None = None) -> None:
        """Store an entry that `entry_bytes` made (in a worker process); with
        the `runbook` it holds the result of, its parts are checked as a read
        checks them, and remembered so for that runbook (see Checked parts)."""
        if not self._writable:
            return
        shard = self._shard(key, create=True)
        if shard is None:
            return
        try:
            # Writable by its owner alone: a memo of checked parts trusts no file another user could write.
            status = write_new(_entry_name(key), entry, shard, mode=0o644)
        except OSError as error:
            self._stop_writing(self._entry(key), error)
            return
        finally:
            os.close(shard)
        if runbook is None:
            return
        try:
            parts = _parts_checked(entry)
        except (ValueError, LookupError, RecursionError):
            return  # not as entry_bytes makes them: a read checks it, and finds it a miss
        if parts:
            self._remember_checked(runbook, key, status, parts)

    def run_key(
        self, files: Sequence[RunFile], limits: Limits, formats: tuple[str, ...]
    ) -> RunKey:
        """The entry keeping the results of a run checking `files` (in that
        order) with `limits`, writing its findings in `formats`; see Runs."""
        numbers: dict[int, int] = {}  # id of a Settings -> its number in `settings`
        settings: list[Settings] = []  # held, so that no id is reused while numbering
        rows: list[tuple[str, str, bool, bool, int]] = []
        for path, shown, explicit, file_settings, fixes_judged in files:
            number = numbers.get(id(file_settings))
            if number is None:
                number = numbers[id(file_settings)] = len(settings)
                settings.append(file_settings)
            rows.append((os.fspath(path), shown, explicit, fixes_judged, number))
        where = {
            "tool": self._tool,
            "user": _user(),  # only the user's own is taken (see Runs): users sharing a cache keep one each
            "cwd": os.getcwd(),
            "folders": sorted({os.path.dirname(row[0]) for row in rows}),
            # The files named: a hook naming a few of them keeps a run of its own, not the folder's run.
            "named": sorted(row[0] for row in rows if row[2]),
            "formats": list(formats),
            "limits": _canonical(limits),
        }
        what = {"files": rows, "settings": [_canonical(each) for each in settings]}
        return RunKey(
            hashlib.sha256(b"run\0" + _canonical_json(where)).hexdigest(),
            hashlib.sha256(_canonical_json(what)).hexdigest(),
            formats,
            tuple(row[1] for row in rows),
        )

    def read_run(
        self, run: RunKey, statuses: Sequence[os.stat_result | None]
    ) -> list[tuple[FileResult, WrittenFindings]] | None:
        """The results `put_run` kept of `run`, one per file, each part the
        range of the entry file that holds it (not read: a report copies it
        from there); None when there are none, when a file's status
        (os.stat's, taken before this run read it) is not the one kept,
        or when the entry is not exactly as written, could have been written
        by another user, or was written more than MARK_USED_AFTER ago (see Runs)."""
        if not statuses or any(status is None for status in statuses):
            return None
        shard = self._shard(run.key, create=False)
        if shard is None:
            return None
        try:
            descriptor, status = open_regular(_entry_name(run.key), follow_links=False, dir_fd=shard)
        except LinkRefused:
            self._refuse(self._entry(run.key))
            return None
        except OSError:
            return None  # none (or a FIFO, a device)
        finally:
            os.close(shard)
        entry = OpenFile(descriptor, self._entry(run.key))  # closed once no part refers to it
        if (
            status.st_size > MAX_ENTRY_SIZE
            or not _written_by_this_user(status)
            or self._now - status.st_mtime > MARK_USED_AFTER
        ):
            return None
        try:
            return _kept_run(entry, status.st_size, run, statuses)
        except (OSError, ValueError, LookupError, RecursionError):
            return None  # torn, corrupt or foreign: the files' entries are read

    def put_run(
        self, run: RunKey, statuses: Sequence[os.stat_result | None],
        results: Sequence[tuple[FileResult, WrittenFindings | None]],
    ) -> None:
        """Keep the results of `run`, one per file, each file's status as
        os.stat gave it before the run read it; not when a file could not be
        read, was written within RACY_SECONDS of this run, or has no parts
        (an internal error), nor when the whole is over MAX_ENTRY_SIZE."""
        if not self._writable or len(results) != len(statuses):
            return
        records = []
        parts: list[bytes] = []
        for (result, written), status in zip(results, statuses, strict=True):
            if (
                status is None
                or written is None
                or result.internal_error is not None
                or self._racy(max(status.st_mtime_ns, status.st_ctime_ns))
            ):
                return
            pieces = [bytes(written.parts[name]) for name in run.formats]  # a copy of none but a FileRange
            records.append([
                *_status_fields(status), result.skipped, result.format, result.suppressed,
                written.errors, written.warnings, written.infos, [len(piece) for piece in pieces],
            ])
            parts += pieces
        header = {"key": run.key, "run": run.run, "formats": list(run.formats), "files": records}
        head = json.dumps(header, separators=(",", ":")).encode() + b"\n"
        if len(head) + sum(map(len, parts)) > MAX_ENTRY_SIZE:
            return  # too big to be read back
        shard = self._shard(run.key, create=True)
        if shard is None:
            return
        try:
            write_new(_entry_name(run.key), [head, *parts], shard, mode=0o644)
        except OSError as error:
            self._stop_writing(self._entry(run.key), error)
        finally:
            os.close(shard)

    def remembered_digest(self, path: str | os.PathLike[str], status: os.stat_result) -> bytes | None:
        """The content_digest of the file at `path` as remembered when it had
        `status` (os.stat's); None when it had another, or none is remembered."""
        record = self._record(_HASHES, path)
        if record is None or record[:5] != _status_fields(status):
            return None
        return bytes.fromhex(record[5])

    def remember_digest(self, path: str | os.PathLike[str], status: os.stat_result, digest: bytes) -> None:
        """Remember `digest`, the content_digest of the bytes read from `path`
        after os.stat gave `status` (a write after it changes the status: the
        hash is then never taken for the new bytes), unless the file was
        written within RACY_SECONDS of this run (see Remembered hashes)."""
        if not self._racy(max(status.st_mtime_ns, status.st_ctime_ns)):
            self._remember(_HASHES, path, [*_status_fields(status), digest.hex()])

    def _checked_parts(
        self, runbook: str | os.PathLike[str], key: str, status: os.stat_result
    ) -> frozenset[tuple[str, str]]:
        """The parts of `key`'s entry, looked up for `runbook`, checked by an
        earlier run in the entry file that now has `status` (fstat's of the
        file read); none for a file that another user could have written."""
        if not _written_by_this_user(status):
            return frozenset()
        record = self._record(_CHECKED, runbook)
        if record is None or record[0] != key or record[1:6] != _status_fields(status):
            return frozenset()
        return frozenset((path, output_format) for path, output_format in record[6])

    def remember_checked(self, runbook: str | os.PathLike[str], key: str, entry: StoredEntry) -> None:
        """Remember that the parts `entry` holds (read by `read` for `runbook`,
        with formats, then `written`) passed _checked_part, in the entry file
        of its status, unless that file was written within RACY_SECONDS of
        this run."""
        status = entry.status
        if (
            status is not None
            and not entry.checked.issuperset(entry.parts)
            and not self._racy(max(status.st_mtime_ns, status.st_ctime_ns))
        ):
            self._remember_checked(runbook, key, status, entry.checked.union(entry.parts))

    def _remember_checked(
        self, runbook: str | os.PathLike[str], key: str, status: os.stat_result, parts: Iterable[tuple[str, str]]
    ) -> None:
        if _written_by_this_user(status):
            record = [key, *_status_fields(status), sorted([path, output_format] for path, output_format in parts)]
            self._remember(_CHECKED, runbook, record)

    def _record(self, kind: _MemoKind, path: str | os.PathLike[str]) -> list[Any] | None:
        """The record of the file at `path` in its folder's memo of `kind`, if any."""
        folder, name = os.path.split(os.path.abspath(path))
        return self._memo(kind, folder).get(name)

    def _remember(self, kind: _MemoKind, path: str | os.PathLike[str], record: list[Any]) -> None:
        """Make `record` the one of the file at `path` in its folder's memo of `kind`."""
        if not self._writable:
            return
        folder, name = os.path.split(os.path.abspath(path))
        records = self._memo(kind, folder)
        if records.get(name) != record:
            records.pop(name, None)  # the latest last: MAX_REMEMBERED keeps the latest
            records[name] = record
            self._memos_changed.add((kind, folder))

    def _memo(self, kind: _MemoKind, folder: str) -> dict[str, list[Any]]:
        """The memo of `kind` of the runbooks of `folder` (absolute), read once
        per run; empty when there is none or it is not as written."""
        records = self._memos.get((kind, folder))
        if records is None:
            records = self._memos[kind, folder] = self._read_memo(kind, folder)
        return records

    def _racy(self, written_ns: int) -> bool:
        """Whether a file written at `written_ns` is too recent for its status
        to tell a later write apart (RACY_SECONDS before the run or later)."""
        return written_ns > (self._now - RACY_SECONDS) * 1e9

    def save_memos(self) -> None:
        """Write the memos that gained or changed a record in this run."""
        if not self._memos_changed or not self._writable or self._folder is None:
            return
        try:
            _make_folder(DIGESTS_FOLDER, self._folder)
            digests = open_folder(DIGESTS_FOLDER, self._folder)
        except LinkRefused:
            self._refuse(self.directory / DIGESTS_FOLDER)
            return
        except OSError as error:
            self._stop_writing(self.directory / DIGESTS_FOLDER, error)
            return
        try:
            for kind, folder in sorted(self._memos_changed, key=lambda changed: changed[0].file_name(changed[1])):
                kept = list(self._memos[kind, folder].items())[-MAX_REMEMBERED:]  # more than any run has: the latest
                while True:
                    # In the order remembered (not sorted): the latest last, for MAX_REMEMBERED.
                    memo = json.dumps({"files": dict(kept), kind.owner_key: folder}, separators=(",", ":")).encode()
                    if len(memo) <= MAX_DIGESTS_SIZE or not kept:
                        break
                    kept = kept[len(kept) // 2 :] if len(kept) > 1 else []  # too big to be read back: the latest half
                write_new(kind.file_name(folder), memo, digests, mode=0o600)
        except OSError as error:
            self._stop_writing(self.directory / DIGESTS_FOLDER, error)
        finally:
            os.close(digests)
        self._memos_changed.clear()

    def _read_memo(self, kind: _MemoKind, folder: str) -> dict[str, list[Any]]:
        """The records of the memo of `kind` of `folder` in digests/ (as
        save_memos writes it), each checked by the kind; empty when there is
        none or it is not exactly as written, or when another user could have
        written it (see Checked parts)."""
        if self._folder is None:
            return {}
        try:
            digests = open_folder(DIGESTS_FOLDER, self._folder)
        except LinkRefused:
            self._refuse(self.directory / DIGESTS_FOLDER)
            return {}
        except OSError:
            return {}  # none yet
        try:
            # Its status before its bytes: one another user could have written is not read.
            descriptor, status = open_regular(kind.file_name(folder), follow_links=False, dir_fd=digests)
            try:
                if not _written_by_this_user(status) or status.st_size > MAX_DIGESTS_SIZE:
                    raise _Invalid("a memo another user could have written, or of a hostile size")
                data = read_at(descriptor, 0, status.st_size)
            finally:
                os.close(descriptor)
            stored = json.loads(data)
            if _mapping(stored).keys() != {kind.owner_key, "files"} or stored[kind.owner_key] != folder:
                raise _Invalid("the memo of another folder")
            records = _mapping(stored["files"])
            for record in records.values():
                kind.check_record(record)
            return records
        except (OSError, ValueError, RecursionError):
            return {}  # none, or torn, corrupt or foreign: worked out again
        finally:
            os.close(digests)

    def _entry(self, key: str) -> Path:
        """Where an entry is (to show it; it is opened from its folder's descriptor)."""
        return self._entries / key[:2] / _entry_name(key)

    def _shard(self, key: str, create: bool) -> int | None:
        """A descriptor of the folder of `key`'s entry (made when `create`),
        or None when there is none or the cache is off."""
        if self._folder is None:
            return None
        try:
            if self._tool_folder is None:
                if create:
                    _make_folder(self._entries.name, self._folder)
                self._tool_folder = open_folder(self._entries.name, self._folder)
            if create:
                _make_folder(key[:2], self._tool_folder)
            return open_folder(key[:2], self._tool_folder)
        except LinkRefused as error:
            self._refuse(self._entries if error.filename == self._entries.name else self._entries / key[:2])
        except OSError as error:
            if create:
                self._stop_writing(self._entries / key[:2], error)
        return None

    def _stop_writing(self, where: Path, error: OSError) -> None:
        self._writable = False
        if self.note is None:
            self.note = f"results are not cached in this run: cannot write {where}: {error.strerror or error}"

    def _refuse(self, link: Path) -> None:
        """A link where the cache expects its own folder or file: neither read
        nor write the cache in this run."""
        self._turn_off(
            f"{link} is a symbolic link, and recoverylint follows no link in its cache"
            " (remove the link, or set RECOVERYLINT_CACHE_DIR to a folder of its own)"
        )

    def _turn_off(self, why: str) -> None:
        self.close()
        self._writable = False
        self.note = f"warning: results are not cached in this run: {why}"

    def _prune_when_due(self) -> None:
        """Clean at most once a day (see the module's documentation); the stamp
        is renewed first, so that runs started together do not all clean."""
        folder = self._folder
        assert folder is not None
        try:
            if self._now - os.stat(PRUNE_STAMP, dir_fd=folder, follow_symlinks=False).st_mtime < PRUNE_EVERY:
                return
        except FileNotFoundError:
            pass
        write_new(PRUNE_STAMP, b"", folder)
        for tool in _names(folder, _TOOL_FOLDER):
            if tool == self._entries.name:
                _prune_entries(folder, tool, self._now - KEEP_UNUSED, remove_folders=False)
            elif self._now - os.stat(tool, dir_fd=folder, follow_symlinks=False).st_mtime > KEEP_OTHER_TOOLS:
                _prune_entries(folder, tool, self._now, remove_folders=True)
        _prune_digests(folder, self._now - KEEP_UNUSED, remove_folder=False)


def clear(directory: Path) -> bool:
    """`recoverylint clean`: delete every entry of the cache in `directory`,
    of every version, as pruning does (only files proven to be entries, no
    link followed), then its own files and the folders left empty.  False
    when there is no cache there; ValueError when the folder is not a cache
    of recoverylint's; OSError when it cannot be opened (a link among them)."""
    try:
        folder = open_folder(directory)
    except UnreadableFile as error:
        if error.errno == errno.ENOENT:
            return False
        raise
    try:
        if not _is_own_folder(folder):
            raise ValueError("it holds files that are not recoverylint's and no CACHEDIR.TAG of it")
        for tool in _names(folder, _TOOL_FOLDER):
            _prune_entries(folder, tool, float("inf"), remove_folders=True)
        _prune_digests(folder, float("inf"), remove_folder=True)
        if _remembered_code(folder) is not None:  # only as this module writes it
            with contextlib.suppress(OSError):
                os.unlink(CODE_DIGEST, dir_fd=folder)
        for name, text in ((PRUNE_STAMP, ""), (".gitignore", GITIGNORE), ("CACHEDIR.TAG", CACHEDIR_TAG)):
            try:  # only what this module writes there, as it writes it
                if read_head(name, len(text) + 1, follow_links=False, dir_fd=folder) == text.encode():
                    os.unlink(name, dir_fd=folder)
            except OSError:
                continue
    finally:
        os.close(folder)
    with contextlib.suppress(OSError):  # something not the cache's is left in it
        os.rmdir(directory)  # only ever an empty folder
    return True


def _open_or_create(directory: Path) -> int:
    """A descriptor of the cache folder, made (with the folders above it) when missing."""
    try:
        return open_folder(directory)
    except UnreadableFile as error:
        if error.errno != errno.ENOENT:
            raise
    with contextlib.suppress(FileExistsError):  # made by another run meanwhile (a dangling link: open_folder says so)
        os.makedirs(directory)
    return open_folder(directory)


# What the cache folder holds: its own files, and the temporary files they are written as.
_OWN_NAME = re.compile(
    r"(?:\.gitignore|CACHEDIR\.TAG|last-pruned|code-digest)(?:\.[0-9a-f]{12}\.tmp)?|[0-9a-f]{16}|digests"
)


def _is_own_folder(folder: int) -> bool:
    """Whether the folder `folder` (a descriptor) is a cache of recoverylint:
    it has recoverylint's CACHEDIR.TAG, or holds nothing but what the cache
    writes (a new folder, or one another run is making now).  A folder of
    the user's (RECOVERYLINT_CACHE_DIR=.) gets no `.gitignore` of `*`."""
    try:
        tag = read_head("CACHEDIR.TAG", len(CACHEDIR_TAG) + 1, follow_links=False, dir_fd=folder)
    except OSError:
        tag = b""
    if tag == CACHEDIR_TAG.encode():
        return True
    with os.scandir(folder) as found:
        return all(_OWN_NAME.fullmatch(item.name) for item in found)


def _make_folder(name: str, parent: int) -> None:
    with contextlib.suppress(FileExistsError):  # open_folder then refuses it unless it is a folder
        os.mkdir(name, dir_fd=parent)


def _remembered_code(folder: int) -> re.Match[bytes] | None:
    """The cache folder's CODE_DIGEST: groups 1 and 2, the status and code
    digests; None when there is none or it is not as this module writes it."""
    try:
        text = read_head(CODE_DIGEST, _REMEMBERED_SIZE + 1, follow_links=False, dir_fd=folder)
    except OSError:
        return None
    return _REMEMBERED_CODE.fullmatch(text)


def _exists(name: str, folder: int) -> bool:
    try:
        os.stat(name, dir_fd=folder, follow_symlinks=False)
    except FileNotFoundError:
        return False
    return True


def _entry_name(key: str) -> str:
    return f"{key[2:]}.json"


def _names(folder: int, pattern: re.Pattern[str]) -> list[str]:
    """The folders in `folder` (a descriptor) named as `pattern` says; no link."""
    with os.scandir(folder) as found:
        return sorted(
            item.name for item in found
            if pattern.fullmatch(item.name) and item.is_dir(follow_symlinks=False)
        )


def _prune_entries(folder: int, tool: str, unused_since: float, remove_folders: bool) -> None:
    """Delete the entries of the tool folder `tool` in `folder` not used since
    `unused_since` (a temporary file: not touched for a day), and those
    folders when `remove_folders` and they are left empty."""
    try:
        tool_folder = open_folder(tool, folder)
    except OSError:
        return  # a link or gone: nothing of it is deleted
    try:
        for shard_name in _names(tool_folder, _SHARD_FOLDER):
            try:
                shard = open_folder(shard_name, tool_folder)
            except OSError:
                continue
            try:
                _prune_shard(shard, shard_name, unused_since)
            finally:
                os.close(shard)
            if remove_folders:
                _remove_empty(shard_name, tool_folder)
    finally:
        os.close(tool_folder)
    if remove_folders:
        _remove_empty(tool, folder)


def _prune_shard(shard: int, shard_name: str, unused_since: float) -> None:
    # A name anyone could give: the content must also be an entry's, of the key its name says.
    _prune_files(
        shard, _ENTRY_FILE, lambda matched: b'{"key":"' + (shard_name + matched.group(1)).encode() + b'"', unused_since
    )


def _prune_files(
    folder: int, pattern: re.Pattern[str], proof: Callable[[re.Match[str]], bytes], unused_since: float
) -> None:
    """Delete the files of `folder` named as `pattern` says, not modified since
    `unused_since` (a temporary file: not touched for a day), whose content
    starts with `proof` of the name's match."""
    with os.scandir(folder) as found:
        names = [item.name for item in found]
    for name in names:
        matched = pattern.fullmatch(name)
        if matched is None:
            continue  # not a name this module gives: not ours to delete
        try:
            status = os.stat(name, dir_fd=folder, follow_symlinks=False)
        except OSError:
            continue
        last_use = unused_since
        if name.endswith(_TEMPORARY_SUFFIX):  # a writer may be writing it now
            last_use = min(unused_since, time.time() - DAY)
        if status.st_mtime > last_use:
            continue
        expected = proof(matched)
        try:
            if read_head(name, len(expected), follow_links=False, dir_fd=folder) != expected:
                continue
            os.unlink(name, dir_fd=folder)
        except OSError:
            continue  # gone meanwhile, or not a regular file: left alone


def _prune_digests(folder: int, unused_since: float, remove_folder: bool) -> None:
    """Delete the memos (remembered hashes, checked parts) not written since
    `unused_since`, and their folder when `remove_folder` and it is left
    empty (what a memo forgets is worked out again)."""
    try:
        digests = open_folder(DIGESTS_FOLDER, folder)
    except OSError:
        return  # a link or none: nothing of it is deleted
    try:
        _prune_files(digests, _DIGESTS_FILE, lambda _: b'{"files":', unused_since)
    finally:
        os.close(digests)
    if remove_folder:
        _remove_empty(DIGESTS_FOLDER, folder)


def _remove_empty(name: str, parent: int) -> None:
    with contextlib.suppress(OSError):
        os.rmdir(name, dir_fd=parent)  # only ever an empty folder


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


# -- Remembered hashes ----------------------------------------------------------
#
# A warm run need not read a runbook to find its entry: the hash of its bytes
# is remembered beside the file's status (device, inode, size, modification
# and change times), one file per folder of runbooks:
#
#   digests/<32 hex digits: the hash of the user's id and the folder's absolute path>.json
#     {"files": {name: [device, inode, size, mtime_ns, ctime_ns, content_digest in hex]}, "folder": the path}
#
# A write renews a file's change time, which no checkout, copy or `touch` can
# set back, so an unchanged status means unchanged bytes: but for a file
# written within RACY_SECONDS of the run that hashed it, where a second write
# in the same tick of the file system's clock would leave its status as it
# was; its hash is not remembered (git's "racily clean" files).  A file
# system without a change time of its own (FAT: it reports the modification
# time) cannot tell a same-size edit whose time was set back: docs say to
# use --no-cache there.  A changed status, a file of remembered hashes not
# exactly as written, or an entry that misses, and the file is read (and the
# key worked out from what is read).


# -- Checked parts ----------------------------------------------------------------
#
# A part an entry keeps is written to the report as it is, once _checked_part
# has found it holds the records the entry counts in printable ASCII alone.
# On tens of MB that check is a sixth of a warm run, so the entry file whose
# parts passed it is remembered beside its status, for each runbook it was
# found for, one file per folder of runbooks (as the hashes are):
#
#   digests/<32 hex digits: the hash of the user's id and the folder's absolute path>.json
#     {"files": {name: [entry key, device, inode, size, mtime_ns, ctime_ns, [[path, format], ...]]},
#      "checked_in": the path}
#
# and a part is not checked again while its entry file keeps that status, as
# fstat gives it on the descriptor the part is read from: a write renews the
# change time, and an entry replaced (as every write of the cache does) is
# another inode.  The parts of an entry a run writes are checked as written
# and remembered with the status of the file it wrote, taken on a descriptor
# of its own after the rename (ResultCache.put_entry); a part checked when
# read is not remembered in an entry file written within RACY_SECONDS of the
# run (see Remembered hashes).  Only an entry file that no other user could
# have written counts (owned by this user, writable by it alone: entries are
# made so), and nothing of the cache writes a file in place: the one who
# could change a remembered entry without its status changing (a write
# through a shared mapping, in the same tick of the clock) is its owner.
# Both memos are written readable and writable by their user alone, and one
# that another user could have written is not used: anyone may write a cache
# folder in a shared CI workspace, and a part taken as checked that was not
# could put bytes that act on a terminal into a report.


def content_digest(data: bytes) -> bytes:
    """The hash of a runbook's bytes that its entries' keys are made from."""
    return hashlib.sha256(data).digest()


def _status_fields(status: os.stat_result) -> list[int]:
    return [status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns]


def _digests_name(folder: str) -> str:
    """The file of a folder's remembered hashes: one per user, as what one
    user may read another may not (and a hit reads no file to find out)."""
    return _memo_name(os.fsencode(folder))


def _checked_name(folder: str) -> str:
    """The file of the checked parts of a folder's runbooks' entries: one per user."""
    return _memo_name(b"checked parts\0" + os.fsencode(folder))


# The key naming the folder in a memo of checked parts (the hashes' memo names it "folder").
CHECKED_IN = "checked_in"


def _memo_name(subject: bytes) -> str:
    """The file in digests/ of this user's memo of `subject`."""
    return hashlib.sha256(f"{_user()}\0".encode() + subject).hexdigest()[:32] + ".json"


def _user() -> int:
    return getattr(os, "geteuid", lambda: -1)()


def _written_by_this_user(status: os.stat_result) -> bool:
    """Whether only this user (or root) could have written the file of
    `status`: owned by this user, not writable by group or others.  A memo
    makes a run skip a read or a check, so one that another user could
    have written (in a cache folder all may write) is not used."""
    user = _user()
    return user == -1 or (status.st_uid == user and not status.st_mode & 0o022)


_DIGEST = re.compile(r"[0-9a-f]{64}")


def _check_hash_record(record: Any) -> None:
    if type(record) is not list or len(record) != 6 or not _DIGEST.fullmatch(_string(record[5])):
        raise _Invalid("a record is [*status, hash]")
    for number in record[:5]:
        _count(number)


def _check_parts_record(record: Any) -> None:
    if type(record) is not list or len(record) != 7 or not _DIGEST.fullmatch(_string(record[0])):
        raise _Invalid("a record is [key, *status, parts]")
    for number in record[1:6]:
        _count(number)
    for part in _list(record[6]):
        if type(part) is not list or len(part) != 2:
            raise _Invalid("a part is [path, format]")
        _string(part[0]), _string(part[1])


@dataclass(frozen=True)
class _MemoKind:
    """A kind of memo of digests/, one file per user and folder of runbooks:
    that file's name, the key naming the folder in it, and the check of each
    record read back (_Invalid when it is not as written)."""

    file_name: Callable[[str], str]
    owner_key: str
    check_record: Callable[[Any], None]


_HASHES = _MemoKind(_digests_name, "folder", _check_hash_record)  # see Remembered hashes
_CHECKED = _MemoKind(_checked_name, CHECKED_IN, _check_parts_record)  # see Checked parts


# -- Runs ---------------------------------------------------------------------
#
# Opening, reading and parsing one entry per file was two thirds of a warm
# run writing json or json-lines over 1,000 unchanged files; so the results of
# such a run (each file's parts and counts) are also kept whole, as one more
# entry, named, pruned and cleaned as entries are (the parts a second time:
# the cache of the 1,000 runbooks of benchmarks/cache.py grows by half):
#
#   {"key": K, "run": R, "formats": [output format, ...],
#    "files": [[device, inode, size, mtime_ns, ctime_ns, skipped, input format or null, suppressed,
#               errors, warnings, infos, [the length of its part in each format]], ...]}\n
#   the parts, file by file, each file's in the order of "formats"
#
# K hashes where the run is: recoverylint, the user, the working folder, the
# folders of its files, the files named on the command line, the formats and
# the limits, so that the next such run there replaces it (a pre-commit hook
# naming the files changed does not replace a whole folder's run); R hashes the rest its results depend on: each file's
# path, how it is shown, whether it was named, whether its fixes are judged,
# and its settings.  A run of the same R takes the results from it when every
# file has the status it had when that run read it (see Remembered hashes: a
# run with a file written within RACY_SECONDS of it is not kept), when no
# other user could have written it (its parts are written as they are,
# unchecked: see Checked parts), and when it was written within
# MARK_USED_AFTER: a run taking it marks no entry used, so a day later a run
# reads the files' entries again, marking them, and keeps the run anew.  Its
# parts are read one at a time as the report is written (files.FileRange):
# read at once, the 35 MB of 1,000 files' parts made a warm run a sixth slower.

# (path, shown path, named on the command line, settings, fixes judged): a
# file as a run checks it (runner.Task's fields).
RunFile = tuple["str | os.PathLike[str]", str, bool, Settings, bool]


@dataclass(frozen=True)
class RunKey:
    """A run's entry (ResultCache.run_key): its key K, the hash R of what its
    results depend on, its output formats and its files' shown paths."""

    key: str
    run: str
    formats: tuple[str, ...]
    shown: tuple[str, ...]


def _kept_run(
    entry: OpenFile, size: int, run: RunKey, statuses: Sequence[os.stat_result | None]
) -> list[tuple[FileResult, WrittenFindings]] | None:
    """The results of `run` in the open entry file of `size` bytes `entry`
    (see Runs), each part its range of the file; None when a file's status
    is not the one kept; _Invalid (a ValueError) when the entry is not
    exactly as put_run writes it."""
    # Its header line is about a hundred bytes a file: read at once, mostly.
    head = _first_line(entry.descriptor, size, _HEAD_READ + 128 * len(statuses))
    header = _mapping(json.loads(head))
    if header.keys() != {"key", "run", "formats", "files"} or header["key"] != run.key:
        raise _Invalid("a run of another key")
    if header["run"] != run.run or header["formats"] != list(run.formats):
        return None  # another run where this one is: replaced after it
    records = _list(header["files"])
    if len(records) != len(statuses):
        raise _Invalid("a run of another number of files")
    start = len(head) + 1
    kept = []
    for record, status, shown in zip(records, statuses, run.shown, strict=True):
        if type(record) is not list or len(record) != 12:
            raise _Invalid("a file of a run is [*status, skipped, format, suppressed, *counts, lengths]")
        assert status is not None  # read_run reads none for a file without one
        if record[:5] != _status_fields(status):
            return None  # changed since
        lengths = _list(record[11])
        if len(lengths) != len(run.formats):
            raise _Invalid("a length for each format")
        parts: dict[str, ReportPart] = {}
        for name, length in zip(run.formats, lengths, strict=True):
            end = start + _count(length)
            parts[name] = FileRange(entry, start, end - start)
            start = end
        errors, warnings, infos = map(_count, record[8:11])
        result = FileResult(
            shown,
            skipped=_boolean(record[5]),
            format=None if record[6] is None else _input_format(record[6]),
            suppressed=_count(record[7]),
        )
        kept.append((result, WrittenFindings(parts, errors, warnings, infos)))
    if start != size:
        raise _Invalid("parts of other lengths than the entry's")
    return kept


def _first_line(descriptor: int, size: int, guess: int) -> bytes:
    """The first line, without its line break, of the open file of `size`
    bytes at `descriptor`, read `guess` bytes at first, then four times as
    many at a time; _Invalid when there is none."""
    length = guess
    while True:
        wanted = min(length, size)
        head = read_at(descriptor, 0, wanted)
        line_end = head.find(b"\n")
        if line_end >= 0:
            return head[:line_end]
        if len(head) < wanted or wanted == size:
            raise _Invalid("no header line")  # none, or a file cut meanwhile
        length *= 4


# -- Entries ------------------------------------------------------------------
#
# A header line, then the findings, then each written part, as UTF-8:
#
#   {"key": K, "skipped": bool, "format": input format name or null, "suppressed": int, "text": bool,
#    "counts": [errors, warnings, infos],
#    "parts": [[the path it was written for, output format, its length in bytes], ...]}\n
#   {"fixes": [Fix, ...], "findings": [[*Finding without path, name and fix, index in fixes or null], ...]}
#   the parts' text, in the order of "parts"
#
# Fix and Finding as dataclass_json writes them: each the array of its fields.
# "text": whether the check read the file as YAML and found something (then
# reports show its lines; a file without findings needs no text).  A run
# writing the parts' formats reads the header, then only the parts it shows,
# found from the end of the entry by their lengths (ResultCache.read): not
# the findings, most of an entry's bytes.


# Paths an entry keeps parts for (copies of a file share its entry; a file
# moved leaves its old path's parts behind): the most recent first.
MAX_SHOWN_PATHS = 4


def entry_bytes(
    key: str, result: FileResult, written: WrittenFindings | None = None,
    kept_parts: Mapping[tuple[str, str], bytes] | None = None,
) -> bytes:
    """The entry of `result` (its findings `written` in output formats, for its
    path), with `kept_parts` ((path, output format) -> part, of an entry of
    this key) of other formats or paths, for MAX_SHOWN_PATHS paths at most."""
    # A checklist's RL201 findings all carry the same restructuring of the
    # whole runbook: stored once per entry, not once per finding (which made
    # fixes 40% of the benchmark corpus's cache).
    fixes: dict[Fix, int] = {}
    findings = [
        [*to_json(f, _NOT_STORED), None if f.fix is None else fixes.setdefault(f.fix, len(fixes))]
        for f in result.findings
    ]
    counts = summarize(result.findings, 1)
    new_parts = {} if written is None else written.parts
    parts = [(result.path, name, text) for name, text in new_parts.items()]
    paths = [result.path] if parts else []
    for (path, name), text in (kept_parts or {}).items():
        if path == result.path and name in new_parts:
            continue  # written again now
        if path not in paths:
            if len(paths) == MAX_SHOWN_PATHS:
                continue  # the oldest paths' parts are dropped
            paths.append(path)
        parts.append((path, name, text))
    header = {
        "key": key,
        "skipped": result.skipped,
        "format": result.format,
        "suppressed": result.suppressed,
        "text": result.text is not None and bool(result.findings),
        "counts": [counts.errors, counts.warnings, counts.infos],
        "parts": [[path, name, len(text)] for path, name, text in parts],
    }
    body = {"fixes": [to_json(fix) for fix in fixes], "findings": findings}
    return b"".join((
        json.dumps(header, separators=(",", ":")).encode(),
        b"\n",
        json.dumps(body, separators=(",", ":")).encode(),
        *(bytes(text) for _, _, text in parts),  # copies none: each is bytes, as written where checked
    ))


# The path is the caller's (an entry serves every path with these bytes); the
# name is the catalog's for the code; the fix is stored once per entry and
# named by its index.
_NOT_STORED = ("name", "path", "fix")


# The first read of an entry: its header line is a few hundred bytes (longer
# only when it names long paths; the whole entry is then read).
_HEAD_READ = 4096


def _read_entry(
    descriptor: int, status: os.stat_result, key: str, wanted: list[tuple[str, str]],
    checked: frozenset[tuple[str, str]],
) -> StoredEntry:
    """The entry of `key` open at `descriptor`, whose status fstat gave as
    `status`: only its `wanted` parts ((path, output format)) when its header
    lists them all, else the whole entry; of those parts, `checked` were
    checked before, in this entry file.  _Invalid (a ValueError) when it is
    not one."""
    size = status.st_size
    head = read_at(descriptor, 0, min(size, _HEAD_READ) if wanted else size)
    line_end = head.find(b"\n")
    if line_end < 0 and len(head) < size:
        head = read_at(descriptor, 0, size)
        line_end = head.find(b"\n")
    if line_end < 0:
        raise _Invalid("no header line")
    header = _mapping(json.loads(head[:line_end]))
    if _string(header["key"]) != key:
        raise _Invalid("an entry of another key")
    # Each part's place: the parts end the entry, in the order the header lists them.
    lengths = _part_lengths(header)
    places: dict[tuple[str, str], tuple[int, int]] = {}
    findings_end = start = size - sum(length for _, _, length in lengths)
    if findings_end <= line_end:
        raise _Invalid("parts longer than the entry")
    for path, name, length in lengths:
        places[path, name] = (start, length)
        start += length

    def piece(offset: int, length: int) -> bytes:
        if offset + length <= len(head):
            return head[offset : offset + length]
        read = read_at(descriptor, offset, length)
        if len(read) != length:
            raise _Invalid("an entry shorter than its status said")  # cut meanwhile
        return read

    if wanted and all(part in places for part in wanted):
        return StoredEntry(header, {part: piece(*places[part]) for part in wanted}, None, status, checked)
    raw = piece(0, size)
    return StoredEntry(
        header,
        {part: raw[offset : offset + length] for part, (offset, length) in places.items()},
        raw[line_end + 1 : findings_end],
    )


def _parts_checked(entry: bytes) -> list[tuple[str, str]]:
    """The parts of an entry as entry_bytes made it, each checked with
    _checked_part (_Invalid when one fails)."""
    line_end = entry.index(b"\n")
    header = _mapping(json.loads(entry[:line_end]))
    findings = sum(map(_count, _list(header["counts"])))
    lengths = _part_lengths(header)
    start = len(entry) - sum(length for _, _, length in lengths)
    for _, name, length in lengths:
        _checked_part(entry[start : start + length], name, findings)
        start += length
    return [(path, name) for path, name, _ in lengths]


def _part_lengths(header: dict[str, Any]) -> list[tuple[str, str, int]]:
    lengths = []
    for item in _list(header["parts"]):
        if type(item) is not list or len(item) != 3:
            raise _Invalid("a part is [path, format, length]")
        lengths.append((_string(item[0]), _string(item[1]), _count(item[2])))
    return lengths


@dataclass(frozen=True, eq=False)
class StoredEntry:
    """An entry as ResultCache.read found it: its header parsed, its findings
    not yet decoded."""

    header: dict[str, Any]
    parts: Mapping[tuple[str, str], bytes]  # (path, output format) -> that path's part in that format, as read
    # The findings' JSON; None when only some parts were read (ResultCache.read).
    findings: bytes | None
    # When only some parts were read: the entry file's status, and those of
    # its parts checked as _checked_part does by an earlier run (see Checked parts).
    status: os.stat_result | None = None
    checked: frozenset[tuple[str, str]] = frozenset()

    @property
    def shows_text(self) -> bool:
        """Whether a report may show the file's lines (`result` then wants its bytes)."""
        return self.header.get("text") is True

    def result(self, display_path: str, data: bytes | None = None) -> FileResult | None:
        """The stored result, its findings shown at `display_path`, or None when
        they are not exactly the shape written.  Its `text` is decoded from
        `data`, the bytes the key was made from, when they are given and the
        result has findings whose lines a report may show (a file without
        findings needs no text).  `runbook` and `graphs` are never stored
        (`check` shows neither)."""
        if self.findings is None:
            return None  # not read: ResultCache.read(key) reads the whole entry
        try:
            stored = json.loads(self.findings)
            result, had_text = _result_from_json(self.header, stored, display_path)
            if had_text and data is not None:
                result.text = decode_accepted(data)
        except (ValueError, LookupError, RecursionError):
            return None  # torn, corrupt, foreign or of other bytes: check afresh
        return result

    def written(self, display_path: str, formats: tuple[str, ...]) -> tuple[FileResult, WrittenFindings] | None:
        """The stored result without its findings, and its findings as the
        entry holds them written in `formats` for `display_path`; None when it
        holds them for other paths or formats, or otherwise (`result` then
        reads them).  Nothing of the findings is decoded: a warm run writing
        these formats joins the stored parts."""
        header = self.header
        try:
            if not all((display_path, name) in self.parts for name in formats):
                return None  # the findings are read and written afresh, then kept beside these parts
            counts = _list(header["counts"])
            if len(counts) != 3:
                raise _Invalid("three counts")
            errors, warnings, infos = map(_count, counts)
            total = errors + warnings + infos
            parts = {}
            for name in formats:
                part = self.parts[display_path, name]
                parts[name] = part if (display_path, name) in self.checked else _checked_part(part, name, total)
            written = WrittenFindings(parts, errors, warnings, infos)
            result = FileResult(
                display_path,
                skipped=_boolean(header["skipped"]),
                format=None if header["format"] is None else _input_format(header["format"]),
                suppressed=_count(header["suppressed"]),
            )
        except (ValueError, LookupError, RecursionError):
            return None
        return result, written


# How each finding's record starts in a part of `json` and `json-lines`
# (report/json_lines.finding_records' first key; every code is the catalog's
# RLnnn): inside a JSON string every `"` is `\"`, so these bytes start a
# record and nothing else.  Its code's first letters are part of it because
# bytes.count skips the further past a mismatch the longer what it counts is
# (a third faster than `{"code": ` on the tens of MB of a warm run).
_RECORD_START = b'{"code": "RL'
# How a part that holds a record ends, by format.
_PART_END = {"json": b"}", "json-lines": b"}\n"}


def _checked_part(part: bytes, name: str, findings: int) -> bytes:
    """A stored part in format `name` that holds a record for each of the
    entry's `findings` (json-lines: one a line) and nothing but printable
    ASCII and those line breaks, as both formats write (a report writes it
    as it is: nothing in it may act on a terminal)."""
    if part.count(_RECORD_START) != findings:
        raise _Invalid("a part of another number of findings")
    # Its place is counted from the entry's end: a cut entry shifts it into
    # the findings' JSON, where the records may still count right.
    if findings and not (part.startswith(_RECORD_START) and part.endswith(_PART_END[name])):
        raise _Invalid("a part cut or shifted")
    # Its bytes but printable ASCII: json-lines' line breaks, a record's each (one pass finds all).
    if part.translate(None, _PRINTABLE_ASCII) != (b"\n" * findings if name == "json-lines" else b""):
        raise _Invalid("a part of another character than printable ASCII, or not a record a line")
    return part


_PRINTABLE_ASCII = bytes(range(0x20, 0x7F))


def _result_from_json(header: dict[str, Any], stored: Any, display_path: str) -> tuple[FileResult, bool]:
    """The stored result, and whether the check had the file's text."""
    entry = _mapping(stored)
    fixes = [_fix(item) for item in _list(entry["fixes"])]
    findings = []
    # Imported and made when a result is read (then kept by `decoder`), not
    # at import: a warm run of json reads none, nor imports the model.
    from .finding import Finding

    read_finding = decoder(Finding, _NOT_STORED)
    for row in _list(entry["findings"]):
        if type(row) is not list or not row:
            raise _Invalid("a finding is an array")
        fix = row.pop()
        # LookupError past the end: see `get`
        given_fix = None if fix is None else fixes[_count(fix)]
        finding = read_finding(row, {"name": _catalog_name(row[0]), "path": display_path, "fix": given_fix})
        _check_finding(finding)
        findings.append(finding)
    counts = summarize(findings, 1)
    if header["counts"] != [counts.errors, counts.warnings, counts.infos]:
        raise _Invalid("counts that are not the findings'")
    result = FileResult(
        display_path,
        findings=findings,
        skipped=_boolean(header["skipped"]),
        format=None if header["format"] is None else _input_format(header["format"]),
        suppressed=_count(header["suppressed"]),
    )
    return result, _boolean(header["text"])


def _catalog_name(code: Any) -> str:
    """The catalog's name of a stored finding's code: a code no check could
    give is a miss (reports look each code up: SARIF lists its rules)."""
    name = _rule_name(code) if type(code) is str else None
    if name is None:
        raise _Invalid("a finding of a rule not in the catalog")
    return name


def _check_finding(finding: Finding) -> None:
    """Places that a file has (the code is checked by _catalog_name)."""
    _check_span(finding.span)
    for related in finding.related:
        _check_span(related.span)


def _check_span(span: Span) -> None:
    """1-based, ending where it starts or after."""
    line, column, end_line, end_column = span.line, span.column, span.end_line, span.end_column
    if not (
        line >= 1 and column >= 1 and end_column >= 1
        and (end_line > line or (end_line == line and end_column >= column))
    ):
        raise _Invalid("a place that no file has")


@cache
def _rule_name(code: str) -> str | None:
    """The catalog's name of a rule, None for a code not in the catalog."""
    return rule_doc(code).name if code in known_codes() else None


def _fix(stored: Any) -> Fix:
    from .finding import Fix, RemoveNeed  # see _result_from_json

    fix = from_json(Fix, stored)
    if isinstance(fix.edit, RemoveNeed):
        _count(fix.edit.occurrence)  # a negative one would count from the end
    return fix


def _input_format(value: Any) -> str:
    if type(value) is not str or value not in _input_formats():
        raise _Invalid("an input format recoverylint does not read")
    return value


@cache
def _input_formats() -> frozenset[str]:
    return frozenset(format_names())


def _mapping(value: Any) -> dict[str, Any]:
    if type(value) is not dict:
        raise _Invalid("expected an object")
    return value


def _list(value: Any) -> list[Any]:
    if type(value) is not list:
        raise _Invalid("expected an array")
    return value


def _string(value: Any) -> str:
    if type(value) is not str:
        raise _Invalid("expected a string")
    return value


def _boolean(value: Any) -> bool:
    if type(value) is not bool:
        raise _Invalid("expected true or false")
    return value


def _count(value: Any) -> int:
    if type(value) is not int or value < 0:  # a negative index would count from the end
        raise _Invalid("expected a whole number")
    return value
