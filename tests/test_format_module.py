"""A format is one module: `tests/formats/tiny_format.py`, added to
`recoverylint.adapters.FORMAT_MODULES` and named nowhere else, is detected,
found by directory discovery, accepted by `--input-format` and the
configuration, and skipped by the rules needing what it does not provide."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import recoverylint.adapters as adapters
import recoverylint.discovery as discovery
import recoverylint.engine as engine
import recoverylint.formats as formats
from recoverylint.capabilities import Capability
from recoverylint.engine import check_text, discover, rules_run
from recoverylint.rules import registry
from recoverylint.source import parse

FORMATS = Path(__file__).parent / "formats"

TINY = """\
tinyflow: restart-cache
steps:
  - id: drain
    writes: [cache]
  - id: restart
    after: [drain]
    writes: [cache]
  - id: warm
    after: [restrat]
"""

NATIVE = """\
runbook: tiny
steps:
  - id: only
"""

# The command line with the tiny format added to the one list, as its module would be.
DRIVER = (
    "import sys; sys.path.insert(0, sys.argv.pop(1));"
    " import recoverylint.adapters as adapters; adapters.FORMAT_MODULES.append('tiny_format');"
    " from recoverylint.cli import main; main()"
)

SKIPPED_NOTE = (
    "recoverylint: 1 file read as Tinyflow; rules skipped on it: RL303, RL304, RL306"
    " (the format marks no phases or verification steps); RL404, RL405, RL501, RL502, RL503,"
    " RL504, RL505, RL506 (the format names no roles, approvers or team); RL601, RL602, RL603"
    " (the format marks no verifications or rollbacks)."
)


def run(*args: str, cwd: Path, tiny: bool = True) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", DRIVER, str(FORMATS)] if tiny else [sys.executable, "-m", "recoverylint"]
    return subprocess.run([*command, *args], capture_output=True, text=True, cwd=cwd, timeout=60)


def _clear_format_caches() -> None:
    for module in (adapters, formats, engine, discovery):
        for value in vars(module).values():
            if callable(getattr(value, "cache_clear", None)):
                value.cache_clear()


@pytest.fixture
def tiny_format(monkeypatch: pytest.MonkeyPatch) -> Iterator[adapters.InputFormat]:
    monkeypatch.syspath_prepend(str(FORMATS))
    monkeypatch.setattr(formats, "FORMAT_MODULES", [*formats.FORMAT_MODULES, "tiny_format"])
    _clear_format_caches()
    yield adapters.input_formats()["tinyflow"]
    monkeypatch.undo()
    _clear_format_caches()


def test_the_format_is_detected_and_read(tiny_format: adapters.InputFormat) -> None:
    assert adapters.detect(parse(TINY)) is tiny_format
    result = check_text(TINY, "tiny.yaml")
    assert result.format == "tinyflow"
    assert [(f.code, f.span.line, f.span.column, f.message) for f in result.findings] == [
        ("RL102", 9, 13, "`warm` needs `restrat`, which is no step in this runbook")
    ]


def test_its_place_in_detection_is_its_priority(tiny_format: adapters.InputFormat) -> None:
    names = adapters.format_names()
    assert names[0] == "native"
    assert names[names.index("actionchain") + 1] == "tinyflow"  # 60 < 70
    assert [f.priority for f in adapters.input_formats().values()] == sorted(
        f.priority for f in adapters.input_formats().values()
    )


def test_discovery_looks_for_its_keys(tiny_format: adapters.InputFormat, tmp_path: Path) -> None:
    (tmp_path / "tiny.yaml").write_text(TINY)
    (tmp_path / "values.yaml").write_text("replicas: 3\n")
    found = {path.name: check_text_of(path) for path, _ in discover([tmp_path])}
    assert found == {"tiny.yaml": ("tinyflow", False), "values.yaml": (None, True)}
    assert adapters.discovery_keys("tinyflow").search(TINY)
    assert not adapters.discovery_keys("native").search(TINY)


def check_text_of(path: Path) -> tuple[object, bool]:
    result = engine.check_file(path, path.name, explicit=False)
    return result.format, result.skipped


def test_rules_run_when_the_format_provides_what_they_need(tiny_format: adapters.InputFormat) -> None:
    result = check_text(TINY, "tiny.yaml")
    assert result.runbook is not None
    ran = rules_run(result.runbook)
    for code, rule in registry().items():
        assert (code in ran) == (rule.needs <= tiny_format.provides), code
    # What the format provides, some rules need: both kinds are exercised.
    assert {"RL201", "RL701", "RL702"} <= ran
    assert not {"RL303", "RL501", "RL601"} & ran
    assert tiny_format.missing(registry()["RL501"].needs) is Capability.ROLES


def test_the_command_line_reads_it(tmp_path: Path) -> None:
    (tmp_path / "tiny.yaml").write_text(TINY)
    (tmp_path / "native.yaml").write_text(NATIVE)
    (tmp_path / "values.yaml").write_text("replicas: 3\n")
    forced = run("check", "--no-cache", "--input-format", "tinyflow", "tiny.yaml", cwd=tmp_path)
    assert forced.returncode == 1, forced.stderr
    assert "tiny.yaml:9:13: RL102" in forced.stdout
    found = run("check", "--no-cache", "--verbose", "-q", ".", cwd=tmp_path)
    assert found.returncode == 1, found.stderr
    assert [line for line in found.stderr.splitlines() if "skipped" in line] == [SKIPPED_NOTE]
    not_tiny = run("check", "--no-cache", "--input-format", "tinyflow", "native.yaml", cwd=tmp_path)
    assert not_tiny.returncode == 1
    assert "RL003" in not_tiny.stdout
    assert "this file is not a Tinyflow document (`--input-format tinyflow`)" in not_tiny.stdout


def test_the_configuration_accepts_it(tmp_path: Path) -> None:
    (tmp_path / "tiny.yaml").write_text(TINY)
    (tmp_path / ".recoverylint.yaml").write_text("input-format: tinyflow\n")
    done = run("check", "--no-cache", "tiny.yaml", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert "tiny.yaml:9:13: RL102" in done.stdout


def test_without_its_module_the_format_is_unknown(tmp_path: Path) -> None:
    (tmp_path / "tiny.yaml").write_text(TINY)
    done = run("check", "--no-cache", "--input-format", "tinyflow", "tiny.yaml", cwd=tmp_path, tiny=False)
    assert done.returncode == 2
    assert "tinyflow" in done.stderr
    named = run("check", "--no-cache", "tiny.yaml", cwd=tmp_path, tiny=False)
    assert named.returncode == 1 and "RL003" in named.stdout
