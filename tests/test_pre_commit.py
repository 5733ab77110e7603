"""The pre-commit hooks (.pre-commit-hooks.yaml), run by the real pre-commit
in throwaway git repositories, the way a user's commit runs them.

pre-commit installs the hook repository into a virtual environment of its own
with pip, from PyPI: these tests need the network, and take a few seconds per
`try-repo` (it installs into a temporary store each time; PRE_COMMIT_HOME only
keeps pre-commit's other files out of the user's cache)."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import need
from ruamel.yaml import YAML

from recoverylint.catalog import rule_doc
from recoverylint.engine import check_text

REPO_ROOT = Path(__file__).resolve().parent.parent
MANIFEST = REPO_ROOT / ".pre-commit-hooks.yaml"
HOOK_IDS = ("recoverylint", "recoverylint-fix")
PRE_COMMIT = [sys.executable, "-m", "pre_commit"]

# The rule catalog's own examples: a false gate (RL201, a warning, fails the
# hook) and a redundant need (RL203, an info with a safe fix), each with the
# runbook as it should be.
FALSE_GATE = rule_doc("RL201").examples["bad"][0]
FALSE_GATE_FIXED = rule_doc("RL201").examples["good"][0]
REDUNDANT_NEED = rule_doc("RL203").examples["bad"][0]
REDUNDANT_NEED_FIXED = rule_doc("RL203").examples["good"][0]
NOT_A_RUNBOOK = """\
name: ci
on: push
jobs:
  test:
    runs-on: ubuntu-latest
    steps: [{run: make test}]
"""


def need_pre_commit() -> None:
    need(importlib.util.find_spec("pre_commit") is not None, "pre-commit (the test extra)")


def _load_yaml(text: str):
    return YAML(typ="safe").load(text)


def _git_env() -> dict[str, str]:
    """This environment without GIT_* variables (as pre-commit strips them):
    a test run from inside a git hook must not act on the outer repository."""
    return {name: value for name, value in os.environ.items() if not name.startswith("GIT_")}


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, env=_git_env(), check=True, capture_output=True)


def _init_repo(repo: Path) -> None:
    repo.mkdir(parents=True, exist_ok=True)
    _git(repo, "init", "--quiet")
    _git(repo, "config", "user.name", "recoverylint tests")
    _git(repo, "config", "user.email", "tests@recoverylint.invalid")
    _git(repo, "config", "commit.gpgsign", "false")


def _commit(repo: Path, files: dict[str, str], message: str = "runbooks") -> None:
    for name, text in files.items():
        path = repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    _git(repo, "add", "--all")
    _git(repo, "commit", "--quiet", "--allow-empty", "--message", message)


# Left out of the copy of this repository that pre-commit installs: version
# control, environments and caches (node_modules is large and unused by pip).
_NOT_SOURCE = shutil.ignore_patterns(
    ".git", ".venv", "venv", "node_modules", "__pycache__", ".pytest_cache",
    ".hypothesis", ".ruff_cache", ".mypy_cache", ".tox", ".nox", "build", "dist", "*.egg-info",
)  # fmt: skip


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory) -> Path:
    """This repository's working tree, committed in a repository of its own.
    try-repo on the checkout itself would install its last commit plus changes
    to tracked files only (a new module or a new manifest would be missing),
    and would run git in the checkout, alongside whoever is committing there."""
    need_pre_commit()
    need(shutil.which("git") is not None, "git")
    snapshot = tmp_path_factory.mktemp("hook-repo") / "recoverylint"
    shutil.copytree(REPO_ROOT, snapshot, ignore=_NOT_SOURCE)
    _init_repo(snapshot)
    _commit(snapshot, {}, "the working tree under test")
    return snapshot


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A user's repository, empty."""
    repo = tmp_path / "project"
    _init_repo(repo)
    return repo


def try_repo(hook_repo: Path, home: Path, project: Path, hook_id: str, *options: str):
    """`pre-commit try-repo HOOK_REPO HOOK_ID --all-files` in `project`:
    the hook on every file committed there, as a user's commit would run it."""
    env = dict(_git_env(), PRE_COMMIT_HOME=str(home))
    return subprocess.run(
        [*PRE_COMMIT, "try-repo", str(hook_repo), hook_id, "--all-files", "--color=never", *options],
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=300,
        check=False,
    )


def _hook_result(output: str, hook_name: str) -> str:
    """Passed, Failed or Skipped: what pre-commit says of the hook."""
    status_line = rf"^{re.escape(hook_name)}\.+(?:\(no files to check\))?(Passed|Failed|Skipped)$"
    match = re.search(status_line, output, re.MULTILINE)
    assert match, output
    return match[1]


def _hook_names() -> dict[str, str]:
    return {hook["id"]: hook["name"] for hook in _load_yaml(MANIFEST.read_text(encoding="utf-8"))}


# -- The manifest -------------------------------------------------------------


def test_the_sample_runbooks_are_what_the_tests_say():
    gate = check_text(FALSE_GATE).findings
    assert [(f.code, f.severity.value) for f in gate] == [("RL201", "warning")]
    redundant = check_text(REDUNDANT_NEED).findings
    assert [(f.code, f.severity.value) for f in redundant] == [("RL203", "info")]
    assert redundant[0].fix is not None and redundant[0].fix.safe
    assert check_text(FALSE_GATE_FIXED).findings == check_text(REDUNDANT_NEED_FIXED).findings == []


def test_manifest_declares_both_hooks_on_yaml_and_json_files():
    hooks = {hook["id"]: hook for hook in _load_yaml(MANIFEST.read_text(encoding="utf-8"))}
    assert tuple(hooks) == HOOK_IDS
    for hook in hooks.values():
        assert hook["language"] == "python"
        assert hook["types_or"] == ["yaml", "json"]
        assert hook["require_serial"] is False
        assert hook["name"] and hook["description"]
        assert hook["entry"].split()[:3] == ["recoverylint", "check", "--skip-non-runbooks"]
    assert hooks["recoverylint"]["entry"] == "recoverylint check --skip-non-runbooks"
    assert hooks["recoverylint-fix"]["entry"] == "recoverylint check --skip-non-runbooks --fix"


def test_manifest_entries_use_options_that_check_has():
    from recoverylint.cli import check

    options = {option for param in check.params for option in param.opts}
    for hook in _load_yaml(MANIFEST.read_text(encoding="utf-8")):
        for word in hook["entry"].split()[2:]:
            assert word in options, f"{hook['id']}: `recoverylint check` has no option {word}"


def test_manifest_is_valid_for_pre_commit():
    need_pre_commit()
    result = subprocess.run(
        [*PRE_COMMIT, "validate-manifest", str(MANIFEST)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_readme_pre_commit_configuration_is_valid(tmp_path):
    need_pre_commit()
    readme = (REPO_ROOT / "docs" / "integrations.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(# \.pre-commit-config\.yaml\n.*?)```", readme, re.DOTALL)
    assert blocks, "no yaml block starting with `# .pre-commit-config.yaml` in the README"
    config = tmp_path / ".pre-commit-config.yaml"
    config.write_text(blocks[0], encoding="utf-8")
    result = subprocess.run(
        [*PRE_COMMIT, "validate-config", str(config)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    used = {hook["id"] for repo in _load_yaml(blocks[0])["repos"] for hook in repo["hooks"]}
    assert used and used <= set(HOOK_IDS)


# -- The hooks, run by pre-commit ---------------------------------------------


def test_hook_fails_on_findings_and_passes_once_fixed(hook_repo, pre_commit_home, project):
    _commit(project, {"runbooks/checkout.yaml": FALSE_GATE})
    failed = try_repo(hook_repo, pre_commit_home, project, "recoverylint")
    assert failed.returncode == 1, failed.stdout
    assert _hook_result(failed.stdout, _hook_names()["recoverylint"]) == "Failed"
    (gate,) = check_text(FALSE_GATE).findings
    assert f"runbooks/checkout.yaml:{gate.span.line}:{gate.span.column}: RL201" in failed.stdout

    _commit(project, {"runbooks/checkout.yaml": FALSE_GATE_FIXED}, "fix the false gate")
    passed = try_repo(hook_repo, pre_commit_home, project, "recoverylint")
    assert passed.returncode == 0, passed.stdout
    assert _hook_result(passed.stdout, _hook_names()["recoverylint"]) == "Passed"


def test_hook_skips_yaml_files_that_are_not_runbooks(hook_repo, pre_commit_home, project):
    _commit(project, {".github/workflows/ci.yaml": NOT_A_RUNBOOK})
    # --verbose prints the hook's output although it passes: it must not
    # mention the file at all (no RL003 "not a runbook", even as a note).
    result = try_repo(hook_repo, pre_commit_home, project, "recoverylint", "--verbose")
    assert result.returncode == 0, result.stdout
    # "Passed", not "Skipped": the file did reach recoverylint (types_or: [yaml, json]).
    assert _hook_result(result.stdout, _hook_names()["recoverylint"]) == "Passed"
    assert "RL003" not in result.stdout
    assert "ci.yaml" not in result.stdout


def test_fix_hook_removes_a_redundant_need_then_passes(hook_repo, pre_commit_home, project):
    runbook = project / "runbooks" / "sessions.yaml"
    _commit(project, {"runbooks/sessions.yaml": REDUNDANT_NEED})
    fixing = try_repo(hook_repo, pre_commit_home, project, "recoverylint-fix")
    # pre-commit fails a hook that changed files, so the change is reviewed and staged.
    assert fixing.returncode == 1, fixing.stdout
    assert _hook_result(fixing.stdout, _hook_names()["recoverylint-fix"]) == "Failed"
    assert "files were modified by this hook" in fixing.stdout
    fixed = runbook.read_text(encoding="utf-8")
    assert _load_yaml(fixed) == _load_yaml(REDUNDANT_NEED_FIXED)

    _git(project, "add", "--all")
    again = try_repo(hook_repo, pre_commit_home, project, "recoverylint-fix")
    assert again.returncode == 0, again.stdout
    assert _hook_result(again.stdout, _hook_names()["recoverylint-fix"]) == "Passed"
    assert runbook.read_text(encoding="utf-8") == fixed
