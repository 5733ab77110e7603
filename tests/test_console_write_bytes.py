"""console.write_bytes: a report of many files' parts goes to stdout piece by
piece with one flush at the end (click.echo flushed after every piece: two
writes per file of a warm run), through each piece's write() so that a
stream copying what it is given (click's CliRunner) sees all of it."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from recoverylint.console import write_bytes

REPO = Path(__file__).resolve().parent.parent


class CountingBuffer(io.BytesIO):
    def __init__(self) -> None:
        super().__init__()
        self.writes = 0
        self.flushes = 0

    def write(self, data) -> int:  # type: ignore[override]
        self.writes += 1
        return super().write(data)

    def flush(self) -> None:
        self.flushes += 1


@pytest.mark.parametrize("err", [False, True])
def test_pieces_are_written_in_order_through_write_with_one_flush(monkeypatch, err):
    buffer = CountingBuffer()
    text = io.TextIOWrapper(buffer, encoding="utf-8")
    monkeypatch.setattr(sys, "stderr" if err else "stdout", text)
    pieces = [b"{", b'"a": 1', b", ", "\u00e9".encode(), b"}\n"] * 100
    write_bytes(pieces, err=err)
    assert buffer.getvalue() == b"".join(pieces)
    assert buffer.writes == len(pieces)
    assert buffer.flushes == 2  # the text layer's, then the pieces'


def test_a_closed_pipe_mid_report_ends_the_run_quietly(tmp_path):
    folder = tmp_path / "runbooks"
    folder.mkdir()
    for example in sorted((REPO / "examples").glob("*.yaml")):
        for copy in range(20):
            (folder / f"{copy}-{example.name}").write_bytes(example.read_bytes())
    run = subprocess.run(
        f"{sys.executable} -m recoverylint check {folder} --format json --no-cache | head -c 100 > /dev/null;"
        " echo ${PIPESTATUS[0]}",
        shell=True, executable="/bin/bash", capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )
    assert run.stdout.strip() == "2"
    assert "Traceback" not in run.stderr and "Broken pipe" not in run.stderr
