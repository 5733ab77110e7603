"""The command line's console: messages on stderr, output written to stdout
or a file, and the exit status of a run, whatever fails on the way (a full
disk, a closed pipe, Ctrl-C, a bug of ours)."""

from __future__ import annotations

import contextlib
import errno
import io
import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from . import __version__
from .exits import EXIT_CLEAN, EXIT_ERROR, EXIT_INTERRUPTED
from .files import RangeUnreadable
from .report.shown import shown as displayable

if TYPE_CHECKING:
    from .finding import Finding
    from .report import ReportPart


class _OutputFailed(Exception):
    """Writing to stdout or stderr failed: a full disk, a closed pipe.  Not
    an OSError, so that click, which ends a run on EPIPE with status 1 (the
    findings status), lets it through to main."""

    def __init__(self, stream: str, error: OSError) -> None:
        super().__init__(f"cannot write to {stream}: {error.strerror or error}")
        self.stream = stream
        self.error = error


class _Stream(io.RawIOBase):
    """A standard stream's file descriptor: a failed write raises
    _OutputFailed once, and later writes (Python's flush at exit among them)
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
            raise _OutputFailed(self.name_shown, error) from None


def _guarded(name: str, stream: io.TextIOWrapper) -> io.TextIOWrapper:
    """`stream` (sys.stdout or sys.stderr) rewritten over a _Stream, with its encoding."""
    return io.TextIOWrapper(
        io.BufferedWriter(_Stream(name, stream.fileno())),  # type: ignore[type-var]
        encoding=stream.encoding,
        errors=stream.errors,
        line_buffering=stream.line_buffering,
    )


def report_internal_error(shown_path: str, trace: str, consequence: str) -> None:
    click.echo(
        displayable(f"{shown_path}: internal error in recoverylint {__version__} (please report it); {consequence}:")
        + "\n"
        + displayable(trace, keep_line_breaks=True),
        err=True,
    )


def internal_error(shown: str, trace: str, consequence: str) -> NoReturn:
    report_internal_error(shown, trace, consequence)
    sys.exit(EXIT_ERROR)


def fail(message: str) -> NoReturn:
    """A configuration, baseline or lookup error: one line on stderr, exit 2."""
    say(f"error: {message}")
    sys.exit(EXIT_ERROR)


def say(message: str) -> None:
    """A message of recoverylint's on stderr, on one line: what it quotes from
    a file, a file name or a configuration can start no line of its own (a
    GitHub workflow command in a CI log) nor drive the terminal."""
    click.echo(f"recoverylint: {displayable(message)}", err=True)


def colour_by_default() -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


def stdout_dash(output_file: Path | None) -> Path | None:
    """-o as every command takes it: `-` is stdout, and `''` (the working folder) a usage error."""
    if output_file is not None and str(output_file) == "-":
        return None
    if output_file is not None and not output_file.name:
        raise click.BadParameter("an empty file name", param_hint="'--output'")
    return output_file


def write_output(output_file: Path | None, text: str | Sequence[str], what: str, colour: bool = False) -> None:
    """`text` (or its pieces, one after the other) on stdout, or written
    atomically to `output_file`, saying so on stderr."""
    if output_file is None:
        for piece in (text,) if isinstance(text, str) else text:
            click.echo(piece, nl=False, color=colour)
        return
    write_file(output_file, text)
    click.echo(displayable(f"Wrote {what} to {output_file}."), err=True)


def write_bytes(pieces: Iterable[ReportPart], err: bool = False) -> None:
    """Bytes on stdout (or stderr), one piece after another with no flush
    between them: click.echo flushes after each, thousands of writes for a
    report of many files' parts.  A FileRange (a part the cache keeps) is
    read as it is written: RangeUnreadable when it cannot be (run_console says so)."""
    stream = sys.stderr if err else sys.stdout
    binary = getattr(stream, "buffer", None)
    if binary is None:  # a text-only stream put in place of stdout
        for piece in pieces:
            click.echo(bytes(piece), nl=False, err=err)
        return
    stream.flush()
    for piece in pieces:  # not writelines: a stream may copy what its write() is given (click's CliRunner)
        binary.write(piece if isinstance(piece, bytes) else bytes(piece))
    binary.flush()


def write_file(file: Path, text: str | Sequence[str]) -> None:
    from .files import write_atomically

    try:
        write_atomically(file, text)
    except OSError as error:
        fail(f"could not write {file}: {error.strerror or error}")


def echo_errors(findings: Iterable[Finding]) -> None:
    """Why a file could not be planned or converted, on stderr."""
    for item in findings:
        click.echo(
            displayable(f"{item.path}:{item.span.line}:{item.span.column}: {item.code} {item.message}"), err=True
        )


def no_cycles_to_collect() -> None:
    """For a run of the command only (a long-lived caller of the session keeps
    its collector): what a check builds has no reference cycles; reference
    counting frees it, and the cyclic collector would only rescan it (about
    3x slower)."""
    import gc

    gc.freeze()
    gc.disable()


def read_stdin(max_file_size: int | None) -> bytes:
    """Standard input's bytes, one more than the size limit at most (that
    one makes an RL001 finding, and no input is read without end)."""
    from .session import limits_of

    limit = limits_of(max_file_size).max_file_size
    stream = sys.stdin.buffer
    data = bytearray()
    while len(data) <= limit:
        chunk = stream.read(limit + 1 - len(data))
        if not chunk:
            break
        data += chunk
    return bytes(data)


def write_fixed_stdin(data: bytes, fixed: str | None) -> None:
    """`check --fix -`: the fixed runbook on stdout, or, when nothing was
    fixed, the input exactly as it came, with what was left unread past the
    size limit: a pipe never loses the file it carries."""
    sys.stdout.flush()
    if fixed is None:
        import shutil  # only here: a check does not load it

        sys.stdout.buffer.write(data)
        shutil.copyfileobj(sys.stdin.buffer, sys.stdout.buffer)
    else:
        bom = b"\xef\xbb\xbf" if data.startswith(b"\xef\xbb\xbf") else b""
        sys.stdout.buffer.write(bom + fixed.encode("utf-8"))
    sys.stdout.flush()


def run_console(command: click.Group) -> NoReturn:
    """The console script: the command's exit status; 130 on Ctrl-C; 2 with
    one line of error when stdout cannot be written (nothing on a closed pipe,
    as other command-line tools do)."""
    try:
        sys.stdout.flush()
        sys.stdout = _guarded("stdout", sys.stdout)  # type: ignore[arg-type]
        sys.stderr = _guarded("stderr", sys.stderr)  # type: ignore[arg-type]
    except (AttributeError, OSError, ValueError):  # a stream without a descriptor: left as it is
        pass
    try:
        status = _run(command)
        sys.stdout.flush()  # what is still buffered fails here, where it can be reported
    except (KeyboardInterrupt, click.Abort):
        # At once: Python's exit would first wait for the threads of a worker
        # pool (runner ends its processes) to hand over work nobody reads.
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(_OutputFailed):
                stream.flush()
        os._exit(EXIT_INTERRUPTED)
    except RangeUnreadable as error:  # a part the cache keeps, its entry cut while the report was written
        status = EXIT_ERROR
        with contextlib.suppress(_OutputFailed):
            say(f"error: {error}; run again (with --no-cache, if it happens again)")
    except _OutputFailed as failure:
        status = EXIT_ERROR
        if failure.stream == "stdout" and failure.error.errno != errno.EPIPE:
            try:
                say(f"error: {failure}")
                sys.stderr.flush()
            except _OutputFailed:  # stderr is gone too: the status says it
                pass
    except Exception:  # a bug of ours outside any one file: exit 2, never 1 (findings)
        import traceback

        status = EXIT_ERROR
        with contextlib.suppress(_OutputFailed):
            click.echo(
                f"recoverylint: internal error in recoverylint {__version__} (please report it):\n"
                + displayable(traceback.format_exc(limit=-8), keep_line_breaks=True),
                err=True,
            )
    sys.exit(status)


def _run(command: click.Group) -> int:
    """The command's exit status."""
    try:
        returned = command.main(prog_name="recoverylint", standalone_mode=False)
    except click.ClickException as error:
        error.message = displayable(error.message)  # type: ignore[misc]  # it may quote an option's value
        error.show()
        return error.exit_code
    except SystemExit as exit:
        return exit.code if isinstance(exit.code, int) else EXIT_CLEAN if exit.code is None else EXIT_ERROR
    return returned if isinstance(returned, int) else EXIT_CLEAN
