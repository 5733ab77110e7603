"""`convert` writes only what reads back cleanly (issue 13, items 11 and 12)."""

from __future__ import annotations

import os
from pathlib import Path

from click.testing import CliRunner

from recoverylint.cli import cli
from recoverylint.engine import check_file

ORQUESTA = Path(__file__).resolve().parent / "adapters" / "orquesta" / "restart.yaml"


def run(*args: str, cwd: Path):
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(cli, list(args))
    finally:
        os.chdir(old)


def test_a_carriage_return_in_the_file_name_injects_no_key(tmp_path):
    name = "x\rdefault_duration: 999h\r.yaml"
    (tmp_path / name).write_text(ORQUESTA.read_text(encoding="utf-8"), encoding="utf-8")
    result = run("convert", name, "-o", "out.yaml", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    written = (tmp_path / "out.yaml").read_text(encoding="utf-8")
    first = written.split("\n")[0]
    assert first == "# Converted by recoverylint from x\\ndefault_duration: 999h\\n.yaml (StackStorm Orquesta)."
    assert "\r" not in written
    checked = check_file(tmp_path / "out.yaml", "out.yaml", keep_graphs=False)
    assert checked.runbook is not None and checked.runbook.default_duration is None


def test_a_conversion_that_would_not_read_cleanly_writes_nothing(tmp_path):
    (tmp_path / "e.yaml").write_text(
        "version: 1.0\ninput: ['']\ntasks:\n  a:\n    action: core.noop\n", encoding="utf-8"
    )
    result = run("convert", "e.yaml", "-o", "out.yaml", cwd=tmp_path)
    assert result.exit_code == 2
    assert not (tmp_path / "out.yaml").exists()
    assert result.stdout == ""
    assert "the converted runbook:" in result.stderr and "RL002" in result.stderr
    assert result.stderr.rstrip().endswith(
        "recoverylint: error: e.yaml was not converted: the native runbook written from it would not"
        " read cleanly (the errors above); please report it"
    )
    # Nor on stdout.
    result = run("convert", "e.yaml", cwd=tmp_path)
    assert (result.exit_code, result.stdout) == (2, "")


def test_an_empty_output_name_is_a_usage_error_not_the_working_folder(tmp_path):
    for force in ((), ("--force",)):
        result = run("convert", str(ORQUESTA), "-o", "", *force, cwd=tmp_path)
        assert result.exit_code == 2 and "empty file name" in result.output
