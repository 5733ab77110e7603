"""`plan` and `convert` say a session's errors the same way (cli.py's
`_session_result`): a file that cannot be read gives its findings with
file, line and column, then one error line; a configuration error one line;
both exit 2, with nothing on stdout."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from recoverylint.cli import cli


@pytest.mark.parametrize(
    ("command", "name", "text", "finding", "error"),
    [
        ("plan", "bad.yaml", "version: 1\nsteps: [\n", "bad.yaml:3:1: RL001 YAML syntax error",
         "bad.yaml cannot be planned until the errors above are fixed"),
        ("convert", "wf.yml", "a: [1\n", "wf.yml:2:1: RL001 YAML syntax error",
         "wf.yml cannot be converted until the errors above are fixed"),
    ],
)
def test_an_unreadable_file_gives_its_findings_then_one_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str, name: str, text: str, finding: str, error: str
) -> None:
    monkeypatch.chdir(tmp_path)
    Path(name).write_text(text, encoding="utf-8")
    done = CliRunner().invoke(cli, [command, name])
    assert done.exit_code == 2
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert lines[0].startswith(finding)
    assert lines[-1] == f"recoverylint: error: {error}"


@pytest.mark.parametrize("command", ["plan", "convert"])
def test_a_configuration_error_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str) -> None:
    monkeypatch.chdir(tmp_path)
    Path("ok.yaml").write_text("version: 1\nsteps:\n- id: a\n  run: uptime\n", encoding="utf-8")
    Path("cfg.toml").write_text("nope = 1\n", encoding="utf-8")
    done = CliRunner().invoke(cli, [command, "ok.yaml", "--config", "cfg.toml"])
    assert done.exit_code == 2
    assert done.stdout == ""
    assert done.stderr == "recoverylint: error: cfg.toml: has no [tool.recoverylint] table\n"
