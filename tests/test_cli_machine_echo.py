"""check's machine formats are written to stdout as bytes, without click's
scan for ANSI codes (issue 16): they escape every control character, so
their reports hold none, and the bytes are those written to a file."""

from __future__ import annotations

from pathlib import Path

import click.utils
import pytest
from click.testing import CliRunner

from recoverylint.cli import cli

ROOT = Path(__file__).resolve().parent.parent
MACHINE_FORMATS = ("json", "json-lines", "sarif", "junit", "github", "gitlab")


@pytest.fixture
def scans(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every text click strips ANSI codes from, as it echoes it."""
    scanned: list[str] = []
    real_strip = click.unstyle  # click's public name of the same scan

    def recorded_strip(text: str) -> str:
        scanned.append(text)
        return real_strip(text)

    monkeypatch.setattr(click.utils, "strip_ansi", recorded_strip)
    return scanned


@pytest.mark.parametrize("output_format", MACHINE_FORMATS)
def test_a_machine_report_is_echoed_unscanned_as_written_to_a_file(
    output_format: str, scans: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    runbook = tmp_path / "runbook.yaml"
    # A step title with an escape sequence: the report must not act on it.
    text = (ROOT / "examples" / "parallel-deploy-races.yaml").read_text(encoding="utf-8")
    runbook.write_text(text.replace("title: ", "title: \x1b[31m", 1), encoding="utf-8")
    arguments = ["check", "runbook.yaml", "--format", output_format, "--no-cache"]
    shown = CliRunner().invoke(cli, arguments)
    assert shown.exit_code == 1, shown.output
    assert scans == []
    assert b"\x1b" not in shown.stdout_bytes
    written = CliRunner().invoke(cli, [*arguments, "--output", "report"])
    assert written.exit_code == 1
    assert shown.stdout_bytes == (tmp_path / "report").read_bytes()


def test_a_report_for_people_is_still_scanned(scans: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """The same check can fail: the full report is text click may strip."""
    monkeypatch.chdir(ROOT)
    shown = CliRunner().invoke(cli, ["check", "examples/parallel-deploy-races.yaml", "--no-cache", "--no-color"])
    assert shown.exit_code == 1
    assert any("RL" in text for text in scans)
