"""The command line as a user runs it: formats, exit codes, colour."""

import json
import subprocess
import sys
import textwrap

from click.testing import CliRunner

from recoverylint.cli import cli

GATED = textwrap.dedent(
    """\
    runbook: gated
    given: [alert]
    steps:
      - id: triage
        role: lead
        inputs: [alert]
        outputs: [scope]
      - id: check-disk
        role: lead
        inputs: [scope]
        outputs: [disk]
      - id: check-deploys
        role: lead
        inputs: [scope]
        outputs: [deploys]
      - id: decide
        role: lead
        inputs: [disk, deploys]
    roles:
      lead: {authority: [observe, decide]}
    """
)
CLEAN = (
    "runbook: clean\nroles:\n  lead: {authority: [decide]}\n"
    "steps:\n  - id: only\n    role: lead\n"
)


def run(*args, env=None):
    return CliRunner().invoke(cli, list(args), env=env or {}, catch_exceptions=False)


def test_json_output_has_exactly_the_documented_shape(tmp_path):
    (tmp_path / "gated.yaml").write_text(GATED)
    result = run("check", str(tmp_path / "gated.yaml"), "--format", "json")
    assert result.exit_code == 1
    document = json.loads(result.output)
    assert set(document) == {"version", "findings", "summary"}
    assert document["summary"] == {"files": 1, "errors": 0, "warnings": 1, "infos": 0}
    (item,) = document["findings"]
    assert set(item) == {
        "code", "name", "severity", "message", "path", "line", "column",
        "end_line", "end_column", "suggestion",
    }
    assert (item["code"], item["name"], item["line"], item["column"], item["end_column"]) == (
        "RL201", "false-sequential-gate", 12, 9, 22,
    )


def test_full_output_shows_source_with_caret_and_summary(tmp_path):
    (tmp_path / "gated.yaml").write_text(GATED)
    result = run("check", str(tmp_path / "gated.yaml"), "--no-color")
    lines = result.output.splitlines()
    assert lines[0].endswith(
        "gated.yaml:12:9: RL201 [warning] `check-deploys` waits for `check-disk` but uses"
        " nothing from it; it needs only `triage`. This gate adds an unknown time to the"
        " critical path (`check-deploys` and `check-disk` have no duration)."
    )
    assert lines[2] == "12 |   - id: check-deploys"
    assert lines[3] == "   |         ^^^^^^^^^^^^^ RL201"
    # In a sequence, `needs` removes no wait: the help says where the step goes.
    assert "= help: `check-deploys` sits in a sequence" in result.output
    assert "`- parallel: [{id: check-disk, …}, {id: check-deploys, …}]`" in result.output
    # A checklist, but restructuring it would let `lead` (one person) do two
    # steps at once: --fix refuses it, so it is not counted (issue 16).
    assert lines[-1] == "Found 1 finding in 1 file (0 errors, 1 warning, 0 infos)."
    assert "\x1b[" not in result.output


def test_colour_is_forced_by_option_and_refused_by_no_color(tmp_path):
    (tmp_path / "gated.yaml").write_text(GATED)
    assert "\x1b[" in run("check", str(tmp_path), "--color").output
    # Not a terminal here: plain by default, and NO_COLOR keeps it plain.
    assert "\x1b[" not in run("check", str(tmp_path), env={"NO_COLOR": "1"}).output


def test_fail_on_threshold(tmp_path):
    (tmp_path / "gated.yaml").write_text(GATED)
    assert run("check", str(tmp_path), "--fail-on", "warning").exit_code == 1
    assert run("check", str(tmp_path), "--fail-on", "error").exit_code == 0


def test_clean_directory_exits_zero_and_skips_non_runbooks(tmp_path):
    (tmp_path / "clean.yaml").write_text(CLEAN)
    (tmp_path / "ci.yml").write_text("on: push\njobs: {}\n")
    result = run("check", str(tmp_path), "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.output)["summary"]["files"] == 1


def test_usage_errors_exit_two(tmp_path):
    assert run("check", str(tmp_path / "missing.yaml")).exit_code == 2
    assert run("check", str(tmp_path), "--format", "xml").exit_code == 2


def test_schema_command_prints_the_bundled_schema():
    schema = json.loads(run("schema").output)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_python_dash_m_entry_point(tmp_path):
    (tmp_path / "clean.yaml").write_text(CLEAN)
    done = subprocess.run(
        [sys.executable, "-m", "recoverylint", "check", str(tmp_path)],
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "All checks passed! (1 file checked)" in done.stdout


def test_an_internal_error_is_reported_for_its_file_and_the_run_goes_on(tmp_path, monkeypatch):
    import recoverylint.engine as engine

    real_run_rules = engine.run_rules

    def broken_for_one(runbook, codes=None, settings=None, built=None):
        if runbook.id == "broken":
            raise RuntimeError("a bug")
        return real_run_rules(runbook, codes, settings, built)

    monkeypatch.setattr(engine, "run_rules", broken_for_one)
    (tmp_path / "a.yaml").write_text(CLEAN.replace("clean", "broken"))
    (tmp_path / "b.yaml").write_text(GATED)
    result = CliRunner().invoke(cli, ["check", str(tmp_path), "--no-color"])
    assert result.exit_code == 2
    assert "RL201" in result.stdout  # the other file was still checked
    assert "1 file could not be checked: an internal error, reported on stderr." in result.stdout
    assert "a.yaml: internal error in recoverylint" in result.stderr
    assert "RuntimeError: a bug" in result.stderr


def test_discovery_skips_unreadable_yaml_that_is_no_runbook(tmp_path):
    (tmp_path / "blob.yaml").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (tmp_path / "broken-runbook.yaml").write_bytes(b"runbook: x\ntitle: \xff\n")
    result = run("check", str(tmp_path), "--format", "json")
    document = json.loads(result.output)
    assert [(f["path"].rsplit("/", 1)[-1], f["code"]) for f in document["findings"]] == [
        ("broken-runbook.yaml", "RL001")
    ]
    assert document["summary"]["files"] == 1


def test_a_fifo_is_reported_not_waited_on(tmp_path):
    import os

    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    done = subprocess.run(
        [sys.executable, "-m", "recoverylint", "check", str(fifo), "--format", "json"],
        capture_output=True, text=True, timeout=30,
    )
    assert done.returncode == 1
    (found,) = json.loads(done.stdout)["findings"]
    assert (found["code"], found["message"]) == ("RL001", "not a regular file")


def test_a_file_named_twice_or_also_found_in_its_folder_is_checked_once(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "gated.yaml").write_text(GATED)
    result = run("check", ".", "gated.yaml", "./gated.yaml", "--format", "json")
    assert json.loads(result.output)["summary"]["files"] == 1


def test_a_symlinked_runbook_is_shown_under_its_own_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "gated.yaml").write_text(GATED)
    (tmp_path / "linked.yaml").symlink_to(tmp_path / "real" / "gated.yaml")
    result = run("check", "linked.yaml", "--format", "json")
    assert {f["path"] for f in json.loads(result.output)["findings"]} == {"linked.yaml"}


def test_an_empty_select_is_a_usage_error_not_a_silent_pass(tmp_path):
    (tmp_path / "gated.yaml").write_text(GATED)
    result = CliRunner().invoke(cli, ["check", str(tmp_path), "--select", " , "])
    assert result.exit_code == 2
    assert "an empty list would turn every rule off" in result.output
