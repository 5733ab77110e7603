"""Which files a run checks (`discover`): those named, and under named
folders the files a format may read.  Apart from the engine, so that a warm
re-run, whose results are all in the cache, finds its files without
importing the engine, the registry or the model (the engine re-exports these)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path

from .files import read_head
from .formats import format_suffixes, json_signature

YAML_SUFFIXES = (".yaml", ".yml")

# How much of a file is searched for a format's keys or signature: the head
# of a `.json` file found in a folder, or of one that cannot be read as YAML.
HEAD_SIZE = 1 << 20


@lru_cache(maxsize=1)
def _suffixes() -> tuple[str, ...]:
    """The suffixes of the files discovery looks at: YAML, JSON (read only
    when its head shows a format kept as JSON) and every format's own."""
    return (*YAML_SUFFIXES, ".json", *format_suffixes())


def discover(
    paths: Iterable[Path], sniff_named_json: bool = False, statuses: list[os.stat_result | None] | None = None
) -> Iterator[tuple[Path, bool]]:
    """Files to check: those named (explicit), and under named directories
    the YAML files, the files of the formats' own suffixes and the JSON files
    whose first megabyte shows a format kept as JSON (an SSM document...);
    hidden directories but `.github`, and `node_modules`, are not entered.
    In a stable order.  Each real file comes once, under the first name that
    reaches it, whatever other names do (named twice, also found in a named
    directory, or reached through a link): it is explicit when any of them
    is named; a fix must not write one file twice under two names.
    With `sniff_named_json` (`--skip-non-runbooks`: pre-commit names every
    changed file), a named `.json` file is judged by its head as a found one
    is, so a package.json or a lock file is neither parsed nor reported.
    `statuses`, when given, is filled before the first file comes with the
    os.stat of each, in their order, as taken here (before anything read
    the file: what the cache remembers); None for a file that cannot be reached."""

    def wanted(file: str | Path, name: str) -> bool:
        name = name.lower()
        if not name.endswith(_suffixes()):
            return False
        if not name.endswith(".json"):
            return True
        # Other JSON (package.json, lock files, schemas, reports) is skipped
        # unread but for its head, and never reported; nor is an unreadable one.
        try:
            head = read_head(file, HEAD_SIZE)
        except OSError:
            return False
        return json_signature(head.decode("utf-8", "replace")) is not None

    found: dict[object, tuple[Path, bool]] = {}
    taken: dict[object, os.stat_result] = {}  # the status of the file found by each key of `found`
    for path in paths:
        if path.is_dir():
            # Found files are kept as text and made Paths once sorted: a
            # thousand Paths joined and compared cost more than the walk.
            walked: list[str] = []
            for root, dirs, files in os.walk(path):
                # Hidden folders are skipped, but for `.github`, where workflows live;
                # so is npm's `node_modules`: thousands of other projects' files.
                dirs[:] = sorted(
                    d for d in dirs if (not d.startswith(".") or d == ".github") and d != "node_modules"
                )
                walked.extend(file for name in files if wanted(file := os.path.join(root, name), name))
            for file in sorted(walked, key=_path_order):
                status = file_status(file)
                if status is not None:  # a dangling or looping link found in a folder is no runbook
                    identity = status.st_dev, status.st_ino
                    if identity not in found:
                        found[identity] = (Path(file), False)
                        taken[identity] = status
        else:
            named_json = sniff_named_json and path.name.lower().endswith(".json")
            if named_json and path.is_file() and not wanted(path, path.name):
                continue
            # A named file that cannot be reached is reported under its name.
            status = file_status(path)
            named: object = os.path.abspath(path) if status is None else (status.st_dev, status.st_ino)
            found[named] = (found.get(named, (path, True))[0], True)
            if status is not None:
                taken.setdefault(named, status)
    if statuses is not None:
        statuses.extend(taken.get(key) for key in found)
    yield from found.values()


def _path_order(file: str) -> list[str]:
    """The order of Path(file) among files found under one folder: by their
    parts (what they share, the folder walked, orders none of them)."""
    return os.path.normcase(file).split(os.sep)


def file_identity(path: str | Path) -> tuple[int, int] | None:
    """The device and inode of the file a path reaches (links followed), or
    None when it reaches none."""
    status = file_status(path)
    return None if status is None else (status.st_dev, status.st_ino)


def file_status(path: str | Path) -> os.stat_result | None:
    """os.stat of the file a path reaches (links followed), or None when it reaches none."""
    try:
        return os.stat(path)
    except (OSError, ValueError):  # ValueError: a NUL in the path
        return None
