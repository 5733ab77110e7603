"""The package type-checks under `mypy --strict` and passes `ruff check`, both
configured in pyproject.toml (issue 15, item 7): the suite runs them, so
.ci/run does."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(*arguments: str) -> subprocess.CompletedProcess[str]:
    # The checkers of the environment running the tests, from the project root
    # so that they read its pyproject.toml.  Generous: a cold mypy on a busy
    # machine takes a minute or two.
    return subprocess.run(
        [sys.executable, "-m", *arguments], cwd=ROOT, capture_output=True, text=True, timeout=900, check=False
    )


def test_mypy_strict_is_clean() -> None:
    result = _run("mypy")  # files, strictness and overrides: [tool.mypy]
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success: no issues found" in result.stdout


def test_ruff_check_is_clean() -> None:
    result = _run("ruff", "check", "--no-fix", "recoverylint")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "All checks passed!" in result.stdout


def test_the_checks_read_the_project_configuration() -> None:
    # The checks above prove nothing if the configuration they read is not the
    # strict one the issue asks for.
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # the package's own dependency on 3.10
        import tomli as tomllib

    configuration = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    mypy = configuration["tool"]["mypy"]
    assert mypy["strict"] is True
    assert mypy["packages"] == ["recoverylint"]
    assert "ignore_missing_imports" not in mypy  # only per-module overrides
    assert {"E", "F", "W", "I", "B", "UP", "SIM", "RUF"} <= set(configuration["tool"]["ruff"]["lint"]["select"])
