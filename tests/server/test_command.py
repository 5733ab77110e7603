"""The `server` command's options: a baseline that cannot be read is a usage
error (exit 2, one line saying why) before any protocol; --log-file gets
the server's own log."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from lsprotocol import types
from pytest_lsp import ClientServerConfig, client_capabilities

from .server_support import SERVER, in_server_loop


def test_an_unreadable_baseline_is_exit_2(tmp_path: Path) -> None:
    missing = tmp_path / "baseline.json"
    done = subprocess.run(
        [*SERVER, "--baseline", str(missing)], input="", capture_output=True, text=True, timeout=60, check=False,
    )
    assert done.returncode == 2
    assert done.stderr == f"recoverylint: error: baseline {missing} does not exist (write it with --write-baseline)\n"
    assert done.stdout == ""


def test_the_command_is_listed_and_explained() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "recoverylint", "server", "--help"], capture_output=True, text=True, timeout=60,
        check=True,
    )
    assert "Run the language server" in done.stdout and "--log-file" in done.stdout


@in_server_loop
async def test_log_file(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    client = await ClientServerConfig(server_command=[*SERVER, "--log-file", str(log)]).start()
    try:
        await client.initialize_session(types.InitializeParams(capabilities=client_capabilities("neovim@v0.7.0")))
        await client.shutdown_session()
    finally:
        await client.stop()
    assert "initialize" in log.read_text(encoding="utf-8").lower()
