"""`recoverylint server`: the language server over standard input and output."""

from __future__ import annotations

import contextlib
import logging
import sys
from pathlib import Path
from typing import BinaryIO

import click

from ..cli_options import config_file_option


@click.command(
    "server",
    short_help="Run the language server (LSP over stdio): findings as you type, fixes, hover, rename, completion.",
)
@click.option(
    "--stdio", is_flag=True, default=True,
    help="Speak LSP over standard input and output (the default, and the only transport).",
)
@config_file_option
@click.option(
    "--baseline", "baseline_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="Leave out the findings this baseline records, as `check --baseline` does.",
)
@click.option(
    "--log-file", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="Write the server's own log (pygls's) to this file; the editor's log gets errors either way.",
)
def server(stdio: bool, config_file: Path | None, baseline_file: Path | None, log_file: Path | None) -> None:
    """Run the language server: diagnostics as you type, fixes and suppressions
    as code actions, hover (a step's prerequisites, slack and critical path),
    definition, references, rename, completion and the outline.  Exit status
    2 when the configuration or the baseline cannot be read."""
    from ..console import fail
    from ..editor_session import read_baseline
    from ..session import SessionError
    from .app import create_server

    if log_file is not None:
        try:
            logging.basicConfig(filename=log_file, level=logging.INFO)
        except OSError as error:
            fail(f"cannot write the log file {log_file}: {error.strerror or error}")
    try:
        baseline = None if baseline_file is None else read_baseline(baseline_file)
    except SessionError as error:
        fail(str(error))
    protocol_out = _KeptOpen(sys.stdout.buffer)
    # Anything printed while serving goes to stderr, never into the protocol's stream.
    with contextlib.redirect_stdout(sys.stderr):
        create_server(config_file, baseline).start_io(sys.stdin.buffer, protocol_out)  # type: ignore[arg-type]


class _KeptOpen:
    """Standard output as pygls writes the protocol to it (all pygls calls of
    a BinaryIO): pygls closes it when it ends, and the console still flushes
    stdout after the command returns."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream

    def write(self, data: bytes) -> int:
        return self._stream.write(data)

    def flush(self) -> None:
        self._stream.flush()

    def close(self) -> None:
        self._stream.flush()
