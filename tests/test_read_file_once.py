"""files.read_file_status returns a file read in one piece as that piece,
not a copy of it (issue 16: every runbook checked was copied once more),
and a file read in several pieces whole."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from recoverylint.files import TooLargeFile, read_file_status


def test_a_file_read_in_one_piece_is_that_piece(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runbook = tmp_path / "runbook.yaml"
    runbook.write_bytes(b"version: 1\nsteps: []\n")
    reads: list[bytes] = []
    real_read = os.read

    def recorded_read(descriptor: int, size: int) -> bytes:
        reads.append(real_read(descriptor, size))
        return reads[-1]

    monkeypatch.setattr(os, "read", recorded_read)
    data, status = read_file_status(runbook, 1000)
    assert reads == [b"version: 1\nsteps: []\n", b""]  # the whole file, then the end
    assert data is reads[0]
    assert status.st_size == len(data)


def test_a_file_read_in_pieces_is_joined(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file longer than fstat said (it grew), or a read that returns less
    than asked: every piece, in order."""
    runbook = tmp_path / "runbook.yaml"
    runbook.write_bytes(b"0123456789" * 10)
    real_read = os.read

    def short_read(descriptor: int, size: int) -> bytes:
        return real_read(descriptor, min(size, 7))

    monkeypatch.setattr(os, "read", short_read)
    data, _ = read_file_status(runbook, 1000)
    assert data == b"0123456789" * 10
    with pytest.raises(TooLargeFile):
        read_file_status(runbook, 50)
    empty = tmp_path / "empty.yaml"
    empty.write_bytes(b"")
    assert read_file_status(empty, 1000)[0] == b""
