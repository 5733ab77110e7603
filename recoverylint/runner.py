"""Checking many files: the result cache, worker processes and fixes.

Results come back in the order the files were given, whatever the number of
processes, so that every output is the same as a serial run's.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from .discovery import file_status
from .file_result import FileResult
from .reading import Limits, SourceError, decode_accepted, read_bytes
from .settings import Settings

if TYPE_CHECKING:
    from .cache import ResultCache
    from .fix import FixOutcome
    from .report import WrittenFindings

# Below this many files, or this many bytes, to check, one process is faster:
# workers cost their start and the transfer of every result to the parent.
PARALLEL_MIN_FILES = 40
PARALLEL_MIN_BYTES = 1_000_000


@dataclass(frozen=True)
class Task:
    """One file to check, with what configuration decided for it."""

    path: Path
    shown: str  # the path as reports show it
    explicit: bool  # named on the command line (a non-runbook is RL003, not skipped)
    settings: Settings
    # Whether the fixes offered are judged, to count only those --fix applies:
    # only for reports that show fixes (report.FIX_SHOWING_FORMATS).
    count_fixes: bool = True
    # The file's os.stat as discovery took it, before anything read the file
    # (what the cache remembers a hash or a run with); None: taken when needed.
    status: os.stat_result | None = None


@dataclass(frozen=True)
class Checked:
    """One file's check, and its fixes when fixing."""

    result: FileResult
    fixed: FixOutcome | None = None  # set when fixing changed or refused something
    original: str | None = None  # the text the fixes were applied to
    # The bytes checked, for writing its fix (None when unreadable, and for a
    # result the cache held: a fixable one is checked afresh, and the bytes
    # of a thousand files kept to the end would cost their memory's faults).
    data: bytes | None = None
    # With `written_formats`: the findings written in those formats, and the
    # result's `findings` then empty.
    written: WrittenFindings | None = None


def default_jobs() -> int:
    """The processes worth running: the CPUs this process may use, less those
    the rest of the machine keeps busy (the load average of the last minute).
    On a busy machine, more workers only share the same CPUs, and pay their
    start and the transfer of their results for nothing."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):  # not on this system
        return cpus
    return max(1, min(cpus, math.ceil(cpus - load)))


def check_files(
    tasks: list[Task],
    limits: Limits,
    *,
    jobs: int = 1,
    cache: ResultCache | None = None,
    fix: str | None = None,
    on_checked: Callable[[], None] = lambda: None,
    written_formats: tuple[str, ...] = (),
) -> list[Checked]:
    """Check `tasks` (and fix them: `fix` is None, "safe" or "unsafe"), one
    Checked per task in the same order.  Cached results are used where the
    file, its configuration and the tool are unchanged; the rest are checked
    in up to `jobs` processes when there are enough of them to pay for it.
    `on_checked` is called once per file as it is done (for a progress bar).
    With `written_formats` (report.PART_WRITERS' formats, not when fixing),
    each file's findings come back written in those formats rather than as
    objects: written where the file is checked, or kept by the cache."""
    assert not (fix and written_formats), "fixing needs the findings themselves"
    done: list[Checked | None] = [None] * len(tasks)
    keys: list[str | None] = [None] * len(tasks)
    work: list[tuple[int, Task, bytes | None]] = []
    # Each file's status before it is read: what a hash, or a run, is remembered with.
    statuses = [] if cache is None else [task.status or file_status(task.path) for task in tasks]
    run = None
    if cache is not None and written_formats and tasks:
        run = cache.run_key(
            [(task.path, task.shown, task.explicit, task.settings, task.count_fixes) for task in tasks],
            limits, written_formats,
        )
        kept = cache.read_run(run, statuses)
        if kept is not None:  # not a file changed since a run like this one: its parts, as they are
            for _ in tasks:
                on_checked()
            return [Checked(result, written=written) for result, written in kept]
    for index, task in enumerate(tasks):
        if cache is None:
            data = _read(task.path, limits)
        else:
            hit, data, keys[index] = _from_cache(cache, task, statuses[index], limits, fix, written_formats)
            if hit is not None:
                done[index] = hit
                on_checked()
                continue
        work.append((index, task, data))

    for index, checked, entry in _run(work, keys, limits, fix, jobs, written_formats):
        done[index] = checked
        entry_key = keys[index]
        if cache is not None and entry_key is not None and entry is not None:
            cache.put_entry(entry_key, entry, tasks[index].path)
        on_checked()
    finished = [checked for checked in done if checked is not None]
    if cache is not None:
        cache.save_memos()
        if run is not None:
            cache.put_run(run, statuses, [(checked.result, checked.written) for checked in finished])
    return finished


def _read(path: Path, limits: Limits) -> bytes | None:
    """A file's bytes; None when it cannot be read (the check reports it, or
    skips it, as it does for any file)."""
    try:
        return read_bytes(path, limits)
    except SourceError:
        return None


def _from_cache(
    cache: ResultCache, task: Task, status: os.stat_result | None, limits: Limits, fix: str | None,
    written_formats: tuple[str, ...],
) -> tuple[Checked | None, bytes | None, str | None]:
    """(a cache hit for `task` or None, its bytes when read, their key when
    they could be read), `status` the file's (None: none could be taken).
    While the file's status is what it was when its
    bytes' hash was remembered, they are not read for the lookup (nor at
    all when the entry holds all the run shows).  A hit that would be fixed
    is no hit: the file is checked afresh."""
    from .cache import content_digest

    remembered = None if status is None else cache.remembered_digest(task.path, status)
    if remembered is not None:
        key = cache.key_of_digest(remembered, task.settings, limits, task.explicit, task.count_fixes)

        def remembered_bytes() -> bytes | None:  # the bytes the hash is of, or None
            data = _read(task.path, limits)
            return data if data is not None and content_digest(data) == remembered else None

        hit = _cached(cache, key, task, remembered_bytes, written_formats)
        if hit is not None and not (fix and _fixable(hit.result, fix)):
            return hit, None, key
    data = _read(task.path, limits)
    if data is None:
        return None, None, None
    digest = content_digest(data)
    if digest == remembered:  # looked up already
        return None, data, key
    if status is not None:
        cache.remember_digest(task.path, status, digest)
    key = cache.key_of_digest(digest, task.settings, limits, task.explicit, task.count_fixes)
    hit = _cached(cache, key, task, lambda: data, written_formats)
    if hit is not None and not (fix and _fixable(hit.result, fix)):
        return hit, data, key
    return None, data, key


def _cached(
    cache: ResultCache, key: str, task: Task, bytes_checked: Callable[[], bytes | None],
    written_formats: tuple[str, ...],
) -> Checked | None:
    """A cache hit for `task`: the findings as objects, or written in
    `written_formats` (an entry without this path's parts in them has its
    findings read and written, and is stored again with them beside the
    parts it held).  `bytes_checked` gives the bytes the key is of (None
    when they are no longer the file's), asked only for a result whose
    lines a report shows."""
    shown = task.shown
    entry = cache.read(key, shown, written_formats, task.path)
    if entry is None:
        return None
    if not written_formats:
        data = bytes_checked() if entry.shows_text else None
        if entry.shows_text and data is None:
            return None  # the file changed since its status was taken: checked afresh
        hit = entry.result(shown, data)
        return None if hit is None else Checked(hit)
    found = entry.written(shown, written_formats)
    if found is not None:
        cache.remember_checked(task.path, key, entry)
        return Checked(found[0], written=found[1])
    if entry.findings is None:  # only this path's parts were read, and one is not to be shown
        entry = cache.read(key)
        if entry is None:
            return None
    hit = entry.result(shown)
    if hit is None:
        return None
    written = _write(hit, written_formats)
    cache.put(key, hit, written, kept=entry, runbook=task.path)
    hit.findings = []
    return Checked(hit, written=written)


def _write(result: FileResult, formats: tuple[str, ...]) -> WrittenFindings:
    from .report import written_findings

    return written_findings(sorted(result.findings, key=lambda f: f.sort_key), formats)


def _fixable(result: FileResult, fix: str) -> bool:
    return any(f.fix is not None and (f.fix.safe or fix == "unsafe") for f in result.findings)


def _run(
    work: list[tuple[int, Task, bytes | None]],
    keys: list[str | None],
    limits: Limits,
    fix: str | None,
    jobs: int,
    written_formats: tuple[str, ...],
) -> Iterator[tuple[int, Checked, bytes | None]]:
    """(index, Checked, its cache entry or None) for each item of `work`, in its order."""
    size = sum(len(data) for _, _, data in work if data is not None)
    if jobs <= 1 or len(work) < PARALLEL_MIN_FILES or size < PARALLEL_MIN_BYTES:
        for index, task, data in work:
            checked, entry = _check_and_store(task, data, limits, fix, written_formats, keys[index])
            yield index, checked, entry
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    # fork where there is one: workers start with everything already imported.
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    workers = min(jobs, len(work))
    finished = 0
    try:
        with ProcessPoolExecutor(workers, multiprocessing.get_context(method)) as pool:
            chunk = max(1, len(work) // (workers * 8))
            results = pool.map(
                _check_in_worker,
                [task for _, task, _ in work],
                [data for _, _, data in work],
                [limits] * len(work),
                [fix] * len(work),
                [written_formats] * len(work),
                [keys[index] for index, _, _ in work],
                chunksize=chunk,
            )
            try:
                for (index, _, data), (checked, had_text, entry) in zip(work, results, strict=True):
                    yield index, _with_bytes(checked, data, had_text), entry
                    finished += 1
            except (KeyboardInterrupt, GeneratorExit):
                # Ctrl-C, or the results abandoned: end the workers now, where
                # leaving the pool would first finish every file queued.
                for process in list((pool._processes or {}).values()):
                    process.terminate()
                pool.shutdown(wait=False, cancel_futures=True)
                raise
    except BrokenProcessPool:
        # A worker died (killed, out of memory): check the rest here, so
        # the file at fault is reported as an internal error of its own.
        print("recoverylint: a worker process died; checking the remaining files in one process",
              file=sys.stderr)
        for index, task, data in work[finished:]:
            checked, entry = _check_and_store(task, data, limits, fix, written_formats, keys[index])
            yield index, checked, entry


def check_bytes(task: Task, data: bytes, limits: Limits, fix: str | None = None) -> Checked:
    """Check (and fix) one file whose bytes the caller has read (standard
    input): as check_files does each file, without the cache."""
    return _check_one(task, data, limits, fix)


def _check_in_worker(
    task: Task, data: bytes | None, limits: Limits, fix: str | None, written_formats: tuple[str, ...],
    key: str | None,
) -> tuple[Checked, bool, bytes | None]:
    """_check_and_store in a worker process: what goes back to the parent
    leaves out the bytes it sent, and the text decoded from them (the parent
    decodes it again only when a report may show lines: see _with_bytes); the
    bool says whether the check had the text."""
    checked, entry = _check_and_store(task, data, limits, fix, written_formats, key)
    result = checked.result
    had_text = result.text is not None and checked.fixed is None  # a fixed file's text is the fixed one
    if had_text:
        result.text = None
    return replace(checked, data=None), had_text, entry


def _check_and_store(
    task: Task, data: bytes | None, limits: Limits, fix: str | None, written_formats: tuple[str, ...],
    key: str | None,
) -> tuple[Checked, bytes | None]:
    """_check_one, its findings written in `written_formats` (if any), and
    its cache entry under `key` (None: not cached), made where the check ran."""
    checked = _check_one(task, data, limits, fix)
    result = checked.result
    written = None if not written_formats or result.internal_error else _write(result, written_formats)
    entry = None
    if key is not None and result.internal_error is None and checked.fixed is None:
        from .cache import entry_bytes

        entry = entry_bytes(key, result, written)
    if written is None:
        return checked, entry
    result.findings = []
    result.text = None  # the written formats show no lines
    return replace(checked, written=written), entry


def _with_bytes(checked: Checked, data: bytes | None, had_text: bool) -> Checked:
    """A worker's Checked with the bytes and text it left out put back."""
    if had_text and data is not None:
        checked.result.text = decode_accepted(data)  # the worker's check decoded them: it had the text
    return replace(checked, data=data)


def _check_one(task: Task, data: bytes | None, limits: Limits, fix: str | None) -> Checked:
    from .engine import check_file  # its rules and graphs: not for results the cache holds

    result = check_file(task.path, task.shown, task.explicit, limits, task.settings, data=data)
    outcome = None
    original = result.text
    if fix and original is not None and _fixable(result, fix):
        # Imported only when fixing: a check does not load the fix machinery.
        from .fix import fix_text

        try:
            outcome = fix_text(original, task.shown, task.settings, limits, fix == "unsafe", result)
        except Exception:  # a bug of ours while fixing: the file stays as it is
            import traceback

            result.internal_error = traceback.format_exc(limit=-8)
        else:
            if outcome.text is None and not outcome.refused:
                outcome = None
            else:  # fixed, or its refused fixes no longer offered
                result = outcome.result
    # What is counted as fixable is only what --fix would apply (issue 16):
    # judged when a finding offers a fix not judged yet (after --fix, the
    # unsafe ones) and the report shows fixes, so a clean file pays nothing.
    current = outcome.text if outcome is not None and outcome.text is not None else original
    if task.count_fixes and fix != "unsafe" and current is not None and _fixable(result, "unsafe"):
        from .fix import applying_fixes

        try:
            result = applying_fixes(current, task.shown, task.settings, limits, result)
        except Exception:  # a bug of ours while judging: reported for this file
            import traceback

            result.internal_error = traceback.format_exc(limit=-8)
    # What goes back to the parent: the findings, and the text only when a
    # report may show its lines (the model is large, and no longer needed).
    result.runbook = None
    result.graphs = None
    if not result.findings and outcome is None:
        result.text = None
    return Checked(result, outcome, original if outcome is not None else None, data)
