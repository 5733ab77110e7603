"""Writing files the user keeps (baselines, reports) without ever leaving half of one."""

from __future__ import annotations

import errno
import os
import secrets
import stat
from pathlib import Path


def write_atomically(target: Path, text: str) -> None:
    """Write `text` to a new file beside `target`, then rename it over `target`:
    a crash or a full disk leaves the old file whole, never half of a new one.
    A link is written through (the link stays, its file is replaced) and an
    existing file keeps its permissions.  Raises OSError, also when `target`
    is something other than a regular file (a device or a FIFO must not be
    replaced by a file)."""
    target = Path(os.path.realpath(target))
    try:
        existing = target.stat()
    except FileNotFoundError:
        mode = None
    else:
        if not stat.S_ISREG(existing.st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(target))
        mode = stat.S_IMODE(existing.st_mode)
    temporary = target.with_name(f".{target.name[:200]}.{secrets.token_hex(6)}.tmp")
    # Created like any file the user writes (0666 less the umask), where
    # mkstemp would leave a file only its owner can read.
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        if mode is not None:
            os.fchmod(descriptor, mode)
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
