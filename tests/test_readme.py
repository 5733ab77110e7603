"""The README's configuration and suppression examples work as shown."""

import os
import re
import shutil
from pathlib import Path

from click.testing import CliRunner

from recoverylint.cli import cli
from recoverylint.config import load_config

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def block_after(marker: str, language: str) -> str:
    """The first fenced block of `language` whose first line is `marker`."""
    for match in re.finditer(rf"```{language}\n(.*?)```", README, re.DOTALL):
        if match.group(1).startswith(marker):
            return match.group(1)
    raise AssertionError(f"no {language} block starting with {marker!r} in the README")


def test_readme_yaml_configuration_loads(tmp_path):
    config = tmp_path / ".recoverylint.yaml"
    config.write_text(block_after("# .recoverylint.yaml", "yaml"))
    load_config(config)  # raises ConfigError on any unknown key or bad value


def test_readme_toml_configuration_applies(tmp_path):
    (tmp_path / "pyproject.toml").write_text(block_after("# pyproject.toml", "toml"))
    shutil.copy(ROOT / "examples" / "orders-db-outage.yaml", tmp_path / "outage.yaml")
    legacy = tmp_path / "legacy"
    legacy.mkdir()
    shutil.copy(ROOT / "examples" / "checklist-disk-full.yaml", legacy / "checklist.yaml")
    result = CliRunner().invoke(
        cli, ["check", str(tmp_path), "--no-color", "--fail-on", "info", "--format", "json"]
    )
    # RL105 is ignored everywhere and RL2 under legacy/: only the outage's RL201 is left.
    assert result.exit_code == 1, result.output
    assert '"RL105"' not in result.output
    assert result.output.count('"code": "RL201"') == 1
    assert "outage.yaml" in result.output and "checklist.yaml" not in result.output


def test_readme_plan_shows_what_plan_prints():
    """The summary lines and the Mermaid Gantt in the README are today's output."""
    runner = CliRunner()
    example = "examples/orders-db-outage.yaml"
    old = os.getcwd()
    os.chdir(ROOT)
    try:
        text = runner.invoke(cli, ["plan", example, "--no-color"]).output
        gantt = runner.invoke(cli, ["plan", example, "--format", "mermaid-gantt"]).output
    finally:
        os.chdir(old)
    summary = block_after("Plan of orders-db-outage", "text")
    assert text.startswith(summary)
    assert block_after("gantt", "mermaid") == gantt


def test_readme_other_formats_show_what_check_prints():
    """The Tekton example's finding and --verbose note are today's output."""
    old = os.getcwd()
    os.chdir(ROOT)
    try:
        for shown in ("$ recoverylint check tests/adapters/tekton/pipeline.yaml\n",
                      "$ recoverylint check -v -q tests/adapters/tekton/pipeline.yaml\n"):
            block = block_after(shown, "text")
            args = shown.split()[2:]
            result = CliRunner().invoke(cli, [*args, "--no-cache", "--no-color"])
            printed = result.output  # CliRunner mixes stderr in, as a terminal shows it
            assert block[len(shown):] in printed, printed
    finally:
        os.chdir(old)
