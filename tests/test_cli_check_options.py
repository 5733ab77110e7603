"""`check` as CI and people run it: report files, extra reports, statistics,
quiet, exit-zero, GitHub's default annotations, pre-commit's skipping,
parallel processes and the progress bar."""

import json
import os
import pty
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_cli import GATED

from recoverylint.cli import cli

EXAMPLES = Path(__file__).parent.parent / "examples"

def run(*args, env=None):
    return CliRunner().invoke(cli, list(args), env=env or {}, catch_exceptions=False)


@pytest.fixture
def gated(tmp_path):
    path = tmp_path / "gated.yaml"
    path.write_text(GATED)
    return path


def test_output_file_holds_the_report_and_stdout_stays_empty(gated, tmp_path):
    out = tmp_path / "report.json"
    result = run("check", str(gated), "--format", "json", "--output-file", str(out))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert json.loads(out.read_text())["findings"][0]["code"] == "RL201"


def test_extra_reports_are_written_in_the_same_run(gated, tmp_path):
    sarif, junit = tmp_path / "r.sarif", tmp_path / "r.xml"
    result = run(
        "check", str(gated), "--no-color", "--report", f"sarif:{sarif}", "--report", f"junit:{junit}"
    )
    assert result.exit_code == 1
    assert "RL201 [warning]" in result.stdout  # the readable log is still there
    assert json.loads(sarif.read_text())["runs"][0]["results"][0]["ruleId"] == "RL201"
    assert "<testsuites" in junit.read_text()


@pytest.mark.parametrize(
    "value, message",
    [("sarif", "is not FORMAT:FILE"), ("yaml:out.yaml", "unknown format `yaml`"), ("json:", "is not FORMAT:FILE")],
)
def test_a_malformed_report_is_a_usage_error(gated, value, message):
    result = run("check", str(gated), "--report", value)
    assert result.exit_code == 2
    assert message in result.output


def test_a_report_may_not_overwrite_a_runbook_or_another_report(gated, tmp_path):
    result = run("check", str(gated), "--report", f"json:{gated}")
    assert result.exit_code == 2 and "is a runbook being checked" in result.output
    assert gated.read_text() == GATED
    twice = tmp_path / "twice.json"
    result = run("check", str(gated), "--report", f"json:{twice}", "--output-file", str(twice))
    assert result.exit_code == 2 and "named for two reports" in result.output


def test_statistics_count_findings_per_rule():
    result = run("check", str(EXAMPLES), "--statistics")
    assert result.exit_code == 1
    rows = [line.split("\t") for line in result.stdout.splitlines()]
    counts = {row[1]: int(row[0]) for row in rows}
    assert counts["RL201"] == 6 and counts["RL401"] == 2 and counts["RL105"] == 1
    assert [int(row[0]) for row in rows] == sorted((int(row[0]) for row in rows), reverse=True)
    as_json = json.loads(run("check", str(EXAMPLES), "--statistics", "--format", "json").stdout)
    assert {entry["code"]: entry["count"] for entry in as_json} == counts
    assert run("check", str(EXAMPLES), "--statistics", "--format", "sarif").exit_code == 2


def test_quiet_prints_findings_and_nothing_else(gated):
    loud = run("check", str(gated), "--no-color")
    quiet = run("check", str(gated), "--no-color", "--quiet")
    assert "Found 1 finding" in loud.stdout
    assert "Found" not in quiet.stdout and "RL201 [warning]" in quiet.stdout
    assert quiet.exit_code == 1


def test_exit_zero_passes_with_findings_but_not_with_errors(gated, tmp_path):
    assert run("check", str(gated), "--exit-zero").exit_code == 0
    broken = tmp_path / "broken.yaml"
    broken.write_text("runbook: [unclosed\n")
    assert run("check", str(broken), "--exit-zero").exit_code == 0  # RL001 is a finding
    assert run("check", str(gated), "--exit-zero", "--select", "RL9").exit_code == 2


def test_github_actions_gets_annotations_and_the_readable_log(gated):
    result = run("check", str(gated), "--no-color", env={"GITHUB_ACTIONS": "true"})
    lines = result.stdout.splitlines()
    assert lines[0].startswith("::warning file=") and "title=RL201 false-sequential-gate" in lines[0]
    assert "RL201 [warning]" in result.stdout
    # An explicit format is exactly that format, in Actions too.
    concise = run("check", str(gated), "--format", "concise", env={"GITHUB_ACTIONS": "true"})
    assert "::warning" not in concise.stdout


def test_skip_non_runbooks_skips_named_yaml_that_is_no_runbook(gated, tmp_path):
    other = tmp_path / "values.yaml"
    other.write_text("replicas: 3\n")
    assert run("check", str(other)).exit_code == 1  # RL003 when named
    result = run("check", str(other), "--skip-non-runbooks", "--no-color")
    assert result.exit_code == 0 and "RL003" not in result.output
    assert run("check", str(other), str(gated), "--skip-non-runbooks").exit_code == 1


def _many_runbooks(folder: Path, count: int) -> None:
    """Copies of the examples and broken files, enough to use worker processes."""
    examples = sorted(EXAMPLES.glob("*.yaml"))
    for number in range(count):
        source = examples[number % len(examples)]
        (folder / f"rb-{number:03}.yaml").write_text(source.read_text())
    (folder / "rb-broken.yaml").write_text("runbook: x\nsteps: [\n")
    (folder / "rb-not-runbook.yaml").write_text("a: 1\n")


def test_parallel_output_is_identical_to_serial(tmp_path):
    _many_runbooks(tmp_path, 60)
    outputs = {}
    for jobs in ("1", "2", "4"):
        for fmt in ("concise", "json", "sarif"):
            result = run("check", str(tmp_path), "--no-cache", "--jobs", jobs, "--format", fmt)
            assert result.exit_code == 1
            outputs[jobs, fmt] = result.stdout
    for fmt in ("concise", "json", "sarif"):
        assert outputs["1", fmt] == outputs["2", fmt] == outputs["4", fmt]


def _checked_in(task, data, limits, fix):
    """The real per-file check, marked with the process that ran it."""
    from recoverylint import runner

    checked = runner._check_one.__wrapped__(task, data, limits, fix)
    checked.result.path = str(os.getpid())
    return checked


def test_workers_really_run_in_other_processes(tmp_path, monkeypatch):
    from recoverylint import runner

    _many_runbooks(tmp_path, 50)
    tasks = [runner.Task(path, path.name, True, runner.Settings()) for path in sorted(tmp_path.iterdir())]
    _checked_in.__wrapped__ = runner._check_one
    monkeypatch.setattr(runner, "_check_one", _checked_in)
    monkeypatch.setattr(runner, "PARALLEL_MIN_BYTES", 0)  # 50 small runbooks would be checked in one process
    serial = runner.check_files(tasks, runner.Limits(), jobs=1)
    parallel = runner.check_files(tasks, runner.Limits(), jobs=2)
    assert {c.result.path for c in serial} == {str(os.getpid())}
    workers = {c.result.path for c in parallel}
    assert len(workers) == 2 and str(os.getpid()) not in workers
    assert [c.result.findings for c in serial] == [c.result.findings for c in parallel]


def _run_with_terminal_stderr(args, cwd):
    """Run the CLI with stderr on a pseudo-terminal (stdout a pipe); what stderr showed."""
    leader, follower = pty.openpty()
    # stdout goes to a file: a pipe nobody reads while the terminal is read would fill and block.
    stdout_file = (Path(cwd) / ".stdout").open("w+")
    process = subprocess.Popen(
        [sys.executable, "-m", "recoverylint", *args],
        stdout=stdout_file,
        stderr=follower,
        cwd=cwd,
        env={**os.environ, "COLUMNS": "100"},
    )
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closed: the process is done
            break
        if not chunk:
            break
        shown += chunk
    process.wait()
    os.close(leader)
    stdout_file.seek(0)
    stdout = stdout_file.read()
    stdout_file.close()
    (Path(cwd) / ".stdout").unlink()
    return process.returncode, stdout, shown.decode(errors="replace")


def test_progress_bar_on_a_terminal_for_a_long_run_only(tmp_path):
    _many_runbooks(tmp_path, 120)
    code, stdout, stderr = _run_with_terminal_stderr(["check", ".", "--no-cache", "--format", "concise"], tmp_path)
    assert code == 1
    assert "Checking" in stderr and "100%" in stderr
    assert "Checking" not in stdout
    # Never in machine formats, even on a terminal.
    code, stdout, stderr = _run_with_terminal_stderr(["check", ".", "--no-cache", "--format", "json"], tmp_path)
    assert "Checking" not in stderr
    json.loads(stdout)
    # Never when stderr is not a terminal.
    piped = subprocess.run(
        [sys.executable, "-m", "recoverylint", "check", ".", "--no-cache", "--format", "concise"],
        cwd=tmp_path, capture_output=True, text=True,
    )
    assert "Checking" not in piped.stderr


def test_progress_bar_not_for_a_short_run(tmp_path):
    shutil.copy(EXAMPLES / "hybrid-clean.yaml", tmp_path)
    code, _, stderr = _run_with_terminal_stderr(["check", ".", "--no-cache"], tmp_path)
    assert code == 0 and "Checking" not in stderr


# -- From a user's and an attacker's review -----------------------------------


def test_a_report_may_not_overwrite_a_runbook_found_in_a_folder(gated, tmp_path):
    result = run("check", str(tmp_path), "--output-file", str(gated))
    assert result.exit_code == 2 and "is a runbook being checked" in result.output
    assert gated.read_text() == GATED


def test_two_reports_through_a_link_to_one_file_are_refused(gated, tmp_path):
    (tmp_path / "link.json").symlink_to(tmp_path / "r.json")
    result = run("check", str(gated), "--report", f"json:{tmp_path / 'link.json'}",
                 "--report", f"sarif:{tmp_path / 'r.json'}")
    assert result.exit_code == 2 and "named for two reports" in result.output


def test_runbooks_written_as_json_or_flow_style_are_found(tmp_path):
    from recoverylint.source import parse

    data = parse(GATED).data
    (tmp_path / "as-json.yaml").write_text(json.dumps(data, indent=2))
    (tmp_path / "flow.yaml").write_text("{runbook: flow, steps: [{id: a}]}\n")
    result = run("check", str(tmp_path), "--format", "json")
    document = json.loads(result.stdout)
    assert document["summary"]["files"] == 2
    assert "RL201" in {f["code"] for f in document["findings"] if f["path"].endswith("as-json.yaml")}
    skipped = run("check", str(tmp_path / "as-json.yaml"), "--skip-non-runbooks", "--format", "json")
    assert json.loads(skipped.stdout)["summary"]["files"] == 1


def test_a_dangling_link_in_a_folder_is_not_a_runbook(tmp_path):
    shutil.copy(EXAMPLES / "hybrid-clean.yaml", tmp_path)
    (tmp_path / "dangling.yaml").symlink_to(tmp_path / "nowhere.yaml")
    (tmp_path / "loop.yaml").symlink_to(tmp_path / "loop.yaml")
    assert run("check", str(tmp_path)).exit_code == 0


def test_runbook_text_cannot_fake_lines_or_reach_the_terminal(tmp_path):
    injected = tmp_path / "inj.yaml"
    injected.write_text(
        'runbook: inj\nsteps:\n  - id: a\n'
        '    outputs: ["x\\n::error file=README.md,line=1::Injected\\n::add-mask::all"]\n'
    )
    result = run("check", str(injected), "--no-color", env={"GITHUB_ACTIONS": "true"})
    commands = [line for line in result.stdout.splitlines() if line.startswith("::")]
    assert commands and all(line.startswith(("::warning file=", "::notice file=")) for line in commands)
    escapes = tmp_path / "esc.yaml"
    escapes.write_bytes(b"runbook: x\nsteps: [\x1b]0;PWNED\x07 \xc2\x9b2J \x08\x08 \x7f\n")
    shown = run("check", str(escapes), "--no-color").stdout
    assert "RL001" in shown
    assert not set(shown) & {"\x1b", "\x07", "\x9b", "\x08", "\x7f"}


def test_a_file_name_that_is_not_utf8_gives_valid_reports(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    name = os.fsdecode(b"bad\xff.yaml")
    Path(name).write_text(GATED)
    for fmt in ("json", "sarif", "gitlab"):
        result = run("check", ".", "--format", fmt)
        assert result.exit_code == 1, result.output
        document = json.loads(result.stdout.encode("utf-8"))  # valid UTF-8, valid JSON
        if fmt == "json":
            assert document["findings"][0]["path"] == "bad\\xff.yaml"


def test_diff_refuses_options_that_would_be_ignored(gated):
    for option in (["--format", "json"], ["--statistics"], ["--report", "sarif:x.sarif"]):
        result = run("check", str(gated), "--diff", *option)
        assert result.exit_code == 2 and "--diff prints a diff" in result.output


def test_quiet_prints_nothing_for_a_clean_run():
    result = run("check", str(EXAMPLES / "hybrid-clean.yaml"), "--quiet")
    assert result.exit_code == 0 and result.stdout == ""


def test_the_cache_never_writes_through_a_link_in_its_folder(gated, tmp_path, monkeypatch):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    cache = tmp_path / "cache"
    cache.symlink_to(elsewhere)
    monkeypatch.setenv("RECOVERYLINT_CACHE_DIR", str(cache))
    result = run("check", str(gated))
    assert result.exit_code == 1
    assert "results are not cached in this run" in result.output
    assert not [path for path in elsewhere.rglob("*.json")]
