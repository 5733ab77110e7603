"""The parts of a check's request and result that only some runs have: a
runbook read from standard input and the texts `--fix` wrote (see
session.py).  Kept apart so a plain check does not build them (each frozen
dataclass costs startup time, issue 16); `recoverylint.session` still names them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class StandardInput:
    """A runbook given on standard input (the path `-`)."""

    data: bytes
    # --stdin-filename: where configuration is looked up from, and the name
    # findings give; None: the working folder's configuration, and `-`.
    filename: Path | None = None


@dataclass(frozen=True)
class FixedFile:
    """A runbook's text after its fixes, and the text they were applied to."""

    path: Path | None  # None: standard input
    shown: str
    before: str
    after: str
    fixes: int  # how many were applied

