"""Standard output and error for the command line: a write that fails (a
full disk, a closed pipe) is reported once, as the command's own error."""

from __future__ import annotations

import io
import os


class OutputFailed(Exception):
    """Writing to stdout or stderr failed: a full disk, a closed pipe.  Not
    an OSError, so that click, which ends a run on EPIPE with status 1 (the
    findings status), lets it through to main."""

    def __init__(self, stream: str, error: OSError) -> None:
        super().__init__(f"cannot write to {stream}: {error.strerror or error}")
        self.stream = stream
        self.error = error


class _Stream(io.RawIOBase):
    """A standard stream's file descriptor: a failed write raises
    OutputFailed once, and later writes (Python's flush at exit among them)
    are dropped, so that nothing reports the same failure again."""

    def __init__(self, name: str, descriptor: int) -> None:
        super().__init__()
        self.name_shown = name
        self.descriptor = descriptor
        self.failed = False

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self.descriptor

    def isatty(self) -> bool:
        return os.isatty(self.descriptor)

    def write(self, data: bytes | memoryview) -> int:  # type: ignore[override]
        if self.failed:
            return len(data)
        try:
            return os.write(self.descriptor, data)
        except OSError as error:
            self.failed = True
            raise OutputFailed(self.name_shown, error) from None


def guarded(name: str, stream: io.TextIOWrapper) -> io.TextIOWrapper:
    """`stream` (sys.stdout or sys.stderr) rewritten over a _Stream, with its encoding."""
    return io.TextIOWrapper(
        io.BufferedWriter(_Stream(name, stream.fileno())),
        encoding=stream.encoding,
        errors=stream.errors,
        line_buffering=stream.line_buffering,
    )
