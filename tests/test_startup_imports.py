"""What a check imports (issue 16: a small runbook's check is mostly the
interpreter starting and importing, and pre-commit pays it per call).
Structural, not timed: the heavy parsers and libraries are imported by the
runs that need them, and by no other."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Runs the command line in a fresh interpreter and prints, after it, the
# top-level packages that were imported.
IMPORTED_BY_RUN = """
import json, runpy, sys
sys.argv = ["recoverylint", *sys.argv[1:]]
try:
    runpy.run_module("recoverylint", run_name="__main__")
except SystemExit as end:
    code = end.code
print(json.dumps({"exit": code, "modules": sorted({name.split(".")[0] for name in sys.modules})}))
"""

# Parsers of other formats and libraries wanted only to explain a failure or draw a plan.
HEAVY = {"bashlex", "markdown_it", "jsonschema", "fastjsonschema", "networkx", "pygments"}


def imported_by(*arguments: str, cwd: Path) -> tuple[int, set[str]]:
    done = subprocess.run(
        [sys.executable, "-c", IMPORTED_BY_RUN, *arguments],
        cwd=cwd, capture_output=True, text=True, timeout=120, check=False,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    report = json.loads(done.stdout.strip().splitlines()[-1])
    return report["exit"], set(report["modules"])


def test_a_small_native_check_imports_no_heavy_parser(tmp_path: Path) -> None:
    code, modules = imported_by("check", str(ROOT / "examples" / "hybrid-clean.yaml"), cwd=tmp_path)
    assert code == 0
    assert "recoverylint" in modules and "ruamel" in modules  # the run did read YAML
    assert modules & HEAVY == set()


def test_a_warm_rerun_imports_no_heavy_parser(tmp_path: Path) -> None:
    runbook = str(ROOT / "examples" / "orders-db-outage.yaml")
    first_code, _ = imported_by("check", runbook, "--format", "json", cwd=tmp_path)
    assert (tmp_path / ".recoverylint_cache").is_dir()
    code, modules = imported_by("check", runbook, "--format", "json", cwd=tmp_path)
    assert code == first_code
    assert modules & HEAVY == set()


def test_a_markdown_page_imports_its_parsers_when_read(tmp_path: Path) -> None:
    """The same structural check can fail: a run that reads a page and its
    shell commands imports markdown_it and bashlex then."""
    page = ROOT / "tests" / "adapters" / "markdown" / "pod-crashloop.md"
    _, modules = imported_by("check", str(page), "--no-cache", cwd=tmp_path)
    assert {"markdown_it", "bashlex"} <= modules
