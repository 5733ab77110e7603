"""Checking many files: worker processes, what they send back, how many there are."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from recoverylint import runner
from recoverylint.cli import cli
from recoverylint.runner import (
    PARALLEL_MIN_BYTES,
    PARALLEL_MIN_FILES,
    Task,
    default_jobs,
)
from recoverylint.settings import Settings
from recoverylint.source import Limits

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "orders-db-outage.yaml"


@pytest.fixture
def many_files(tmp_path: Path) -> Path:
    """Enough files, and bytes, for `check` to use workers: copies of an
    example with findings, each padded with a comment so that they differ."""
    folder = tmp_path / "many"
    folder.mkdir()
    text = EXAMPLE.read_text(encoding="utf-8")
    count = PARALLEL_MIN_FILES + 10
    padding = "#" + "x" * 79 + "\n"
    lines = PARALLEL_MIN_BYTES // count // len(padding) + 1
    for number in range(count):
        (folder / f"rb-{number:03d}.yaml").write_text(text + f"# copy {number}\n" + padding * lines, encoding="utf-8")
    assert sum(f.stat().st_size for f in folder.iterdir()) >= PARALLEL_MIN_BYTES
    return folder


def check(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run(
        [sys.executable, "-m", "recoverylint", "check", *args, "--no-cache"],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )


@pytest.mark.parametrize("output_format", ["full", "json", "json-lines"])
def test_workers_report_what_one_process_does(many_files, output_format):
    one = check(str(many_files), "--format", output_format, "--jobs", "1")
    two = check(str(many_files), "--format", output_format, "--jobs", "2")
    assert one.returncode == two.returncode == 1, one.stderr + two.stderr
    assert two.stdout == one.stdout
    if output_format == "full":  # the source lines, from the text the parent decodes again
        source = EXAMPLE.read_text(encoding="utf-8").splitlines()
        assert sum(f"| {line}" in two.stdout for line in source if line.strip()) >= 2
    elif output_format == "json":
        assert len(json.loads(one.stdout)["findings"]) > PARALLEL_MIN_FILES
    else:
        assert len(one.stdout.splitlines()) > PARALLEL_MIN_FILES


def test_a_worker_sends_back_neither_the_bytes_nor_the_text(many_files):
    path = min(many_files.iterdir())
    data = path.read_bytes()
    task = Task(path, str(path), True, Settings())
    checked, had_text, entry = runner._check_in_worker(task, data, Limits(), None, (), None)
    assert had_text and checked.result.findings and entry is None
    assert checked.data is None and checked.result.text is None
    sent = pickle.dumps((checked, had_text))
    assert len(sent) < len(data) / 4  # the findings only
    back = runner._with_bytes(checked, data, had_text)
    assert back.data == data and back.result.text == data.decode("utf-8")


def test_a_worker_writing_json_sends_back_text_not_findings(many_files):
    """For a report only of per-file formats, a worker sends each file's part
    of it and the cache entry it made, not the Finding objects."""
    path = min(many_files.iterdir())
    data = path.read_bytes()
    task = Task(path, str(path), True, Settings())
    as_objects, _, _ = runner._check_in_worker(task, data, Limits(), None, (), None)
    checked, _, entry = runner._check_in_worker(task, data, Limits(), None, ("json", "json-lines"), "ab" * 32)
    assert checked.result.findings == [] and checked.written is not None
    written = checked.written
    lines = written.parts["json-lines"].decode().splitlines()
    assert [json.loads(line)["message"] for line in lines] == [f.message for f in as_objects.result.findings]
    assert json.loads(b"[" + written.parts["json"] + b"]") == [json.loads(line) for line in lines]
    severities = [f.severity.value for f in as_objects.result.findings]
    counts = tuple(map(severities.count, ("error", "warning", "info")))
    assert (written.errors, written.warnings, written.infos) == counts
    assert entry is not None and entry.startswith(b'{"key":"' + b"ab" * 32)
    assert b"recoverylint.finding" not in pickle.dumps(checked)  # no Finding (nor Span) crosses


@pytest.mark.parametrize("output_format", ["json", "full"])
def test_workers_fill_the_cache_a_warm_run_reads(many_files, tmp_path, output_format):
    env = dict(os.environ, PYTHONPATH=str(REPO), RECOVERYLINT_CACHE_DIR=str(tmp_path / "cache"))
    runs = [
        subprocess.run(
            [sys.executable, "-m", "recoverylint", "check", str(many_files), "--format", output_format, *options],
            capture_output=True, text=True, env=env, timeout=300, check=False,
        )
        for options in (["--no-cache", "--jobs", "1"], ["--jobs", "2"], ["--jobs", "2"])
    ]
    assert {run.returncode for run in runs} == {1}
    assert runs[0].stdout == runs[1].stdout == runs[2].stdout
    assert len(list((tmp_path / "cache").glob("*/*/*.json"))) == PARALLEL_MIN_FILES + 10


def test_a_busy_machine_gets_one_process(monkeypatch):
    monkeypatch.setattr(os, "getloadavg", lambda: (64.0, 64.0, 64.0))
    assert default_jobs() == 1
    monkeypatch.setattr(os, "getloadavg", lambda: (0.0, 0.0, 0.0))
    assert default_jobs() == len(os.sched_getaffinity(0))
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2, 3})
    monkeypatch.setattr(os, "getloadavg", lambda: (2.5, 2.5, 2.5))
    assert default_jobs() == 2  # 1.5 CPUs left: two processes still gain


def no_pool(*args, **kwargs):
    raise AssertionError("a worker pool was started")


def test_the_default_jobs_start_no_worker_on_a_busy_machine(many_files, monkeypatch):
    import concurrent.futures

    monkeypatch.setattr(os, "getloadavg", lambda: (64.0, 64.0, 64.0))
    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", no_pool)
    result = CliRunner().invoke(cli, ["check", str(many_files), "--no-cache", "--format", "json"])
    assert result.exit_code == 1, result.output
    assert len(json.loads(result.output)["findings"]) > PARALLEL_MIN_FILES


def test_few_bytes_start_no_worker(tmp_path, monkeypatch):
    import concurrent.futures

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", no_pool)
    for number in range(PARALLEL_MIN_FILES + 10):  # enough files, but small ones
        (tmp_path / f"rb-{number:03d}.yaml").write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(tmp_path), "--no-cache", "--jobs", "2", "--format", "json"])
    assert result.exit_code == 1, result.output


def test_the_documented_thresholds_are_the_code_s():
    page = " ".join((REPO / "docs" / "performance.md").read_text(encoding="utf-8").split())
    assert f"Below {PARALLEL_MIN_FILES} files one process is faster" in page
    assert f"below {PARALLEL_MIN_BYTES // 1_000_000} MB of runbooks to check" in page


def test_a_check_without_fixes_does_not_import_the_fix_machinery(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(REPO))
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "recoverylint", "check", str(EXAMPLE), "--no-cache"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60, check=False,
    )
    assert done.returncode == 1 and "RL201" in done.stdout, done.stderr
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    assert "recoverylint.engine" in imported
    assert "recoverylint.fix" not in imported
