"""What the tests of the newer formats share: loading a benchmark
(benchmarks/markdown.py, rundeck.py, ansible.py, xsoar.py) as a module and
reading its recorded result against the issue's target; checking a corpus
of a format and asserting every file of it is read as that format; checking
a hostile file of a format, in this process or a fresh one."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

from review_support import corpus_folder, reviewed_files

from recoverylint.engine import FileResult, check_file, check_text

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def load_benchmark(name: str) -> ModuleType:
    """benchmarks/<name>.py as a module (the benchmarks are scripts, no package)."""
    spec = importlib.util.spec_from_file_location(f"{name}_benchmark", BENCHMARKS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def assert_recorded_result_meets_target(name: str) -> None:
    """The last run's 10,000 steps were checked within twice the CPU time of a
    bare parse, and the ratio recorded is the one of the times recorded."""
    result = json.loads((BENCHMARKS / f"{name}_results.json").read_text(encoding="utf-8"))
    assert result["steps"] == 10_000
    assert abs(result["ratio"] - result["check_cpu_s"] / result["bare_parse_cpu_s"]) < 0.01
    assert result["ratio"] <= result["target_ratio"] == 2.0


def checked_corpus(name: str, count: int) -> list[tuple[Path, FileResult]]:
    """Each of the `count` files of corpus `name` (../shared/corpora/<name>),
    checked as `recoverylint check` of the folder would (no format named)."""
    corpus = corpus_folder(name)
    files = reviewed_files(corpus)
    assert len(files) == count
    return [(path, check_file(path, path.relative_to(corpus).as_posix(), explicit=False)) for path in files]


def assert_read_as(checked: list[tuple[Path, FileResult]], format_name: str) -> None:
    """Every file is read as `format_name`, with no internal error and no
    finding that it could not be read (RL00x, RL101-RL103)."""
    for path, result in checked:
        assert result.internal_error is None, path
        assert result.format == format_name, path
        assert result.runbook is not None, path
        assert not [f for f in result.findings if f.code.startswith(("RL00", "RL101", "RL102", "RL103"))], path


def assert_hostile_text_handled(text: str, name: str, expected: list[tuple[str, int]]) -> None:
    """`text` checked as file `name` gives no internal error, exactly the
    errors (RL0xx, RL1xx: code and line) `expected`, and every finding a line
    and a column."""
    result = check_text(text, name)
    assert result.internal_error is None
    errors = [(f.code, f.span.line) for f in result.findings if f.code.startswith(("RL0", "RL1"))]
    assert errors == expected
    assert all(f.span.line >= 1 and f.span.column >= 1 for f in result.findings)


def checked_in_a_fresh_process(path: Path) -> subprocess.CompletedProcess[str]:
    """`recoverylint check --format json` of `path` in a fresh process, within
    a generous bound (a hang or a blow-up fails the test, not the machine)."""
    return subprocess.run(
        [sys.executable, "-m", "recoverylint", "check", "--no-cache", "--format", "json", str(path)],
        capture_output=True, text=True, timeout=60,
    )


def assert_binary_file_is_rl001(path: Path) -> None:
    """A binary file named as a file of a format: one finding, RL001, no traceback."""
    done = checked_in_a_fresh_process(path)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert [f["code"] for f in json.loads(done.stdout)["findings"]] == ["RL001"]
