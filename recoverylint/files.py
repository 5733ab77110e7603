"""Writing files the user keeps (baselines, reports) without ever leaving half of one."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def write_atomically(target: Path, text: str) -> None:
    """Write `text` to a new file beside `target`, then rename it over `target`:
    a crash or a full disk leaves the old file whole, never half of a new one.
    Raises OSError."""
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
    # Created like any file the user writes (0666 less the umask), where
    # mkstemp would leave a file only its owner can read.
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
