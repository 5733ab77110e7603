"""The README and the manual (docs/*.md) show what recoverylint does: their
configuration examples load, every command output they show is today's
(tests/test_docs.py runs each one), and the README stays a front page."""

import re
import shutil
import subprocess
from pathlib import Path

from click.testing import CliRunner
from markdown_it import MarkdownIt

from recoverylint.cli import cli
from recoverylint.config import load_config

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
# The README first, then the manual's pages in name order.
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def fenced_blocks(path: Path) -> list[tuple[str, str]]:
    """(language, text) of every fenced block of a Markdown file, nested in a
    list item or not, as a Markdown renderer reads them."""
    tokens = MarkdownIt().parse(path.read_text(encoding="utf-8"))
    return [(token.info.strip(), token.content) for token in tokens if token.type == "fence"]


def block_after(marker: str, language: str) -> str:
    """The first fenced block of `language`, in the README or the manual,
    whose text starts with `marker`."""
    for path in DOCUMENTS:
        for info, text in fenced_blocks(path):
            if info == language and text.startswith(marker):
                return text
    raise AssertionError(f"no {language} block starting with {marker!r} in the README or docs/")


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


def test_the_plan_page_shows_the_mermaid_gantt_plan_prints(monkeypatch):
    monkeypatch.chdir(ROOT)
    example = "examples/orders-db-outage.yaml"
    gantt = CliRunner().invoke(cli, ["plan", example, "--format", "mermaid-gantt"]).output
    assert block_after("gantt", "mermaid") == gantt


def test_the_readme_is_a_front_page():
    """Under 300 lines, what it is in its first screen, and links to every
    page of the manual."""
    assert README.count("\n") < 300
    assert "static linter and dependency analyser" in "\n".join(README.splitlines()[:5])
    linked = set(re.findall(r"\]\(docs/([\w.-]+\.md)[#)]", README))
    pages = {path.name for path in DOCUMENTS[1:]}
    assert pages - linked <= {"communication-surfaces.md", "index.md"}, pages - linked


def test_the_readme_installs_from_the_repository_with_pip_and_pipx():
    (install,) = [text for info, text in fenced_blocks(ROOT / "README.md")
                  if info == "sh" and "pipx install" in text]
    assert install.splitlines() == [
        "pip install git+https://github.com/recoverylint/recoverylint",
        "pipx install git+https://github.com/recoverylint/recoverylint",
    ]


def test_the_readme_test_command_is_what_ci_runs():
    """Issue 16 item 4: .ci/run runs the README's one test command, as root,
    with no sudo, installing what the tests use (Vim and Emacs too)."""
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    (extract,) = re.findall(r"^command=\$\((.*)\)$", ci, re.MULTILINE)
    extracted = subprocess.run(
        ["bash", "-c", extract], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    commands = [text.strip() for info, text in fenced_blocks(ROOT / "README.md")
                if info == "sh" and "pytest" in text]
    assert commands == [extracted]
    assert "sudo" not in extracted
    for package in ("chromium", "graphviz", "vim", "emacs-nox", "neovim"):
        assert f" {package}" in extracted
    assert extracted.endswith(".venv/bin/python -m pytest -q")
