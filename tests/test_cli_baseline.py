"""Baselines through the command line: record today's findings, then fail only on new ones."""

import json
import pytest
from click.testing import CliRunner

from recoverylint.cli import cli

# `flow: parallel`: the order of the steps in the file means nothing, so a
# step can move without any finding changing but its line.  `probe-disk`
# has two findings: RL104 (`ticket`) and RL105 (`disk`).
PROBE = """\
  - id: probe-disk
    inputs: [alert, ticket]
    outputs: [disk]
"""
OTHERS = """\
  - id: page-dba
    title: Page the database on-call
    inputs: [alert]
  - id: page-sre
    title: Page the SRE on-call
    inputs: [alert]
  - id: open-bridge
    title: Open the incident bridge
    inputs: [alert]
  - id: post-status
    title: Post "investigating" on the status page
    inputs: [alert]
"""
HEAD = "runbook: moved\nflow: parallel\ngiven: [alert]\nsteps:\n"
BASELINE = ".recoverylint-baseline.json"


def run(*args):
    return CliRunner().invoke(cli, list(args), env={"NO_COLOR": "1"}, catch_exceptions=False)


@pytest.fixture
def runbook(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "runbooks" / "moved.yaml"
    path.parent.mkdir()
    path.write_text(HEAD + PROBE + OTHERS)
    return path


def test_baselined_findings_stay_baselined_when_their_step_moves(runbook):
    result = run("check", "--select", "RL1", "--write-baseline", BASELINE, "runbooks")
    assert result.exit_code == 0, result.output
    assert result.output == f"Recorded 2 findings in {BASELINE}.\n"
    assert len(json.loads(open(BASELINE).read())["findings"]) == 2

    before = run("check", "--select", "RL1", "--baseline", BASELINE, "runbooks", "--no-color")
    assert before.exit_code == 0, before.output
    assert "All checks passed! (1 file checked)" in before.output
    assert f"2 findings in the baseline {BASELINE} not shown." in before.output

    # `probe-disk` moves from line 5 to line 17, below the other steps.
    runbook.write_text(HEAD + OTHERS + PROBE)
    moved = run("check", "--select", "RL1", "--format", "json", "runbooks")
    lines = sorted(f["line"] for f in json.loads(moved.stdout)["findings"])
    assert lines == [18, 19]  # the same two findings, ten lines further down
    after = run("check", "--select", "RL1", "--baseline", BASELINE, "runbooks", "--no-color")
    assert after.exit_code == 0, after.output
    assert "All checks passed!" in after.output

    # A new problem is reported, and fails the run; the old ones stay hidden.
    runbook.write_text(HEAD + OTHERS.replace("inputs: [alert]\n", "inputs: [alert, pager]\n", 1)
                       + PROBE)
    new = run("check", "--select", "RL1", "--baseline", BASELINE, "runbooks", "--no-color")
    assert new.exit_code == 1
    assert "RL104 [error] `page-dba` uses the fact `pager`" in new.output
    assert "ticket" not in new.output
    assert "Found 1 finding in 1 file" in new.output
    assert f"2 findings in the baseline {BASELINE} not shown." in new.output


def test_the_baseline_works_from_another_working_directory(runbook, monkeypatch):
    assert run("check", "--select", "RL1", "--write-baseline", BASELINE, "runbooks").exit_code == 0
    monkeypatch.chdir(runbook.parent)
    result = run("check", "--select", "RL1", "--baseline", f"../{BASELINE}", ".")
    assert result.exit_code == 0, result.output


def test_the_baseline_records_what_configuration_reports(runbook):
    result = run("check", "--select", "RL104", "--write-baseline", BASELINE, "runbooks")
    assert result.output == f"Recorded 1 finding in {BASELINE}.\n"
    # RL105 was not selected when the baseline was written: it is new now.
    result = run("check", "--select", "RL1", "--fail-on", "info", "--format", "json",
                 "--baseline", BASELINE, "runbooks")
    assert result.exit_code == 1
    assert [f["code"] for f in json.loads(result.stdout)["findings"]] == ["RL105"]
    assert f"1 finding in the baseline {BASELINE} not shown." in result.stderr


def test_fail_on_judges_only_the_new_findings(runbook):
    run("check", "--select", "RL104", "--write-baseline", BASELINE, "runbooks")
    result = run("check", "--select", "RL1", "--baseline", BASELINE, "runbooks")
    assert result.exit_code == 0  # RL105 is new, but only an info
    assert "RL105" in result.output


def test_a_missing_baseline_is_an_error(runbook):
    result = run("check", "--baseline", "missing.json", "runbooks")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("recoverylint: error: ")
    assert "missing.json" in result.stderr


@pytest.mark.parametrize("text", ["{not json", '{"version": 1}', "[]"])
def test_an_invalid_baseline_is_an_error(runbook, text):
    (runbook.parent.parent / "bad.json").write_text(text)
    result = run("check", "--baseline", "bad.json", "runbooks")
    assert result.exit_code == 2
    assert "bad.json" in result.stderr


def test_baseline_and_write_baseline_together_is_a_usage_error(runbook):
    result = run("check", "--baseline", "a.json", "--write-baseline", "b.json", "runbooks")
    assert result.exit_code == 2
    assert "cannot be used together" in result.output


def test_an_unwritable_baseline_is_an_error(runbook):
    result = run("check", "--write-baseline", "no/such/folder/baseline.json", "runbooks")
    assert result.exit_code == 2
    assert "no/such/folder/baseline.json" in result.stderr


def test_no_baseline_is_written_when_a_file_could_not_be_checked(runbook, monkeypatch):
    import recoverylint.engine as engine

    def broken(runbook, codes=None, settings=None, built=None):
        raise RuntimeError("a bug")

    monkeypatch.setattr(engine, "run_rules", broken)
    result = run("check", "--write-baseline", BASELINE, "runbooks")
    assert result.exit_code == 2
    assert "RuntimeError: a bug" in result.stderr
    assert f"{BASELINE} was not written" in result.stderr
    assert not (runbook.parent.parent / BASELINE).exists()


def test_the_runbook_of_these_tests_has_its_findings_on_the_step_that_moves(lint):
    findings = [f for f in lint(HEAD + PROBE + OTHERS) if f.code.startswith("RL1")]
    assert [(f.code, f.steps[-1]) for f in findings] == [
        ("RL104", "probe-disk"), ("RL105", "probe-disk")
    ]
    assert OTHERS.count("\n") == 12


def test_files_that_could_not_be_checked_are_never_baselined(runbook):
    broken = runbook.parent / "broken.yaml"
    broken.write_text("runbook: broken\nsteps: [\n")
    written = run("check", "--write-baseline", BASELINE, ".")
    assert written.exit_code == 1
    assert (
        "1 file could not be checked (RL001-RL003) and was not recorded: runbooks/broken.yaml"
    ) in written.output
    recorded = json.loads(open(BASELINE).read())["findings"]
    assert recorded and not any(entry["code"] == "RL001" for entry in recorded)
    checked = run("check", "--baseline", BASELINE, ".")
    assert checked.exit_code == 1
    assert "RL001" in checked.output and "RL104" not in checked.output


def test_write_baseline_refuses_to_overwrite_a_file_that_is_no_baseline(runbook):
    original = runbook.read_text()
    result = run("check", "--write-baseline", str(runbook), ".")
    assert result.exit_code == 2
    assert "refusing to overwrite" in result.output
    assert runbook.read_text() == original


def test_write_baseline_replaces_the_target_of_a_link_and_keeps_the_link(runbook):
    folder = runbook.parent.parent  # the working directory
    assert run("check", "--write-baseline", "real.json", ".").exit_code == 0
    (folder / "link.json").symlink_to("real.json")
    runbook.write_text(runbook.read_text().replace("ticket", "tracker"))
    assert run("check", "--write-baseline", "link.json", ".").exit_code == 0
    assert (folder / "link.json").is_symlink()
    assert "tracker" in (folder / "real.json").read_text()


def test_with_json_output_the_write_baseline_note_goes_to_stderr(runbook):
    result = CliRunner().invoke(
        cli, ["check", "--write-baseline", BASELINE, "--format", "json", "."], env={"NO_COLOR": "1"}
    )
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "Recorded 8 findings" in result.stderr


@pytest.mark.parametrize("target", ["loop", "/dev/zero"])
def test_write_baseline_to_a_link_loop_or_a_device_is_an_error_not_a_hang(runbook, target):
    if target == "loop":
        (runbook.parent.parent / "loop").symlink_to("loop")
    result = run("check", "--write-baseline", target, ".")
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_write_baseline_to_a_fifo_is_an_error_not_a_hang(runbook):
    import os
    import subprocess
    import sys

    folder = runbook.parent.parent
    os.mkfifo(folder / "pipe.json")
    # Its own process: asking whether a FIFO holds a baseline must not wait for a writer.
    done = subprocess.run(
        [sys.executable, "-m", "recoverylint", "check", "--write-baseline", "pipe.json", "."],
        capture_output=True, text=True, timeout=30, cwd=folder,
    )
    assert done.returncode == 2
    assert "refusing to overwrite pipe.json: it is not a recoverylint baseline" in done.stderr
    assert (folder / "pipe.json").is_fifo()
