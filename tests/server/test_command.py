"""The `server` command's options: a baseline that cannot be read is a usage
error (exit 2, one line saying why) before any protocol; --log-file gets
the server's own log."""

from __future__ import annotations

import json
import re
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


def test_the_top_level_help_shows_the_whole_summary() -> None:
    from click.testing import CliRunner

    from recoverylint.cli import cli

    done = CliRunner().invoke(cli, ["--help"], terminal_width=80)
    words = " ".join(done.output.split("Commands:")[1].split())
    summary = "server Run the language server (LSP over stdio): findings as you type, fixes, hover, rename, completion."
    assert summary in words


def message(body: dict[str, object]) -> bytes:
    data = json.dumps(body).encode()
    return b"Content-Length: %d\r\n\r\n" % len(data) + data


def test_the_protocol_is_on_stdout_and_the_server_exits_when_told() -> None:
    """initialize, shutdown, exit: the answers on stdout, nothing on stderr,
    exit status 0 (the stdout pygls closes is not the console's)."""
    requests = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}},
        {"jsonrpc": "2.0", "id": 2, "method": "shutdown"},
        {"jsonrpc": "2.0", "method": "exit"},
    ]
    done = subprocess.run(
        SERVER, input=b"".join(message(request) for request in requests), capture_output=True, timeout=60,
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, b"")
    answers = [json.loads(part) for part in re.split(rb"Content-Length: \d+\r\n(?:[^\r\n]+\r\n)*\r\n", done.stdout)[1:]]
    assert [answer["id"] for answer in answers] == [1, 2]
    assert answers[0]["result"]["serverInfo"]["name"] == "recoverylint"


def test_a_log_file_that_cannot_be_written_is_exit_2() -> None:
    done = subprocess.run(
        [*SERVER, "--log-file", "/nonexistent/dir/x.log"], input="", capture_output=True, text=True, timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr == (
        "recoverylint: error: cannot write the log file /nonexistent/dir/x.log: No such file or directory\n"
    )
    assert done.stdout == ""
