"""cli.py keeps only click declarations and printing (issue 15, item 3: under
450 lines); `check`'s option groups live in cli_options.py and still show in
--help in the order they always had."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

import recoverylint.cli
from recoverylint.cli import cli


def test_cli_module_is_under_450_lines() -> None:
    lines = Path(recoverylint.cli.__file__).read_text(encoding="utf-8").count("\n")
    assert lines < 450


def test_check_help_lists_the_grouped_options_in_their_order() -> None:
    helped = CliRunner().invoke(cli, ["check", "--help"], terminal_width=200)
    assert helped.exit_code == 0, helped.output
    first_names = [line.split()[0].rstrip(",") for line in helped.output.splitlines() if line.startswith("  -")]
    assert first_names == [
        "--format", "-o", "--report", "--stdin-filename", "--config",
        "--select", "--ignore", "--exclude", "--skip-non-runbooks",  # cli_options.selection_options
        "--input-format", "-v", "--fail-on", "--exit-zero",
        "--fix", "--unsafe-fixes", "--diff",  # cli_options.fix_options
        "--statistics", "-q",
        "--baseline", "--write-baseline", "--no-cache", "-j",  # cli_options.baseline_and_run_options
        "--color", "--max-file-size", "--durations", "-h",
    ]
