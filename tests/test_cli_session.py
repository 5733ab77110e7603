"""The session layer under the command line (run_check, run_plan,
run_convert: a typed request in, frozen data out), the one registry of output
formats, and the command line's newcomer behaviour: a run finding no runbook,
standard input, `clean`, -o/--output in every command, whole summaries in
--help, and `rule` with a code prefix."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from recoverylint.catalog import catalog_codes, rule_doc
from recoverylint.cli import cli
from recoverylint.config import Overrides
from recoverylint.finding import Severity
from recoverylint.report import OUTPUT_FORMATS, PlanView, Report, RuleView, format_names, renderer
from recoverylint.session import (
    EXIT_CLEAN,
    EXIT_ERROR,
    EXIT_FINDINGS,
    CheckRequest,
    ConvertRequest,
    NotPlanned,
    PlanRequest,
    SessionError,
    run_check,
    run_convert,
    run_plan,
)

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "parallel-deploy-races.yaml"

# A runbook with one safe fix: `decide` waits for `triage` through `check-disk` already (RL203).
REDUNDANT = textwrap.dedent(
    """\
    runbook: redundant
    flow: parallel
    given: [alert]
    roles:
      lead: {authority: [observe, decide]}
    steps:
      - id: triage
        role: lead
        inputs: [alert]
        outputs: [scope]
      - id: check-disk
        role: lead
        needs: [triage]
        inputs: [scope]
        outputs: [disk]
      - id: decide
        role: lead
        needs:
          - check-disk
          - triage
        inputs: [disk]
    """
)
REDUNDANT_FIXED = REDUNDANT.replace("      - triage\n", "")

WORKFLOW = textwrap.dedent(
    """\
    on: push
    jobs:
      build:
        runs-on: ubuntu-latest
        steps:
          - run: make
      lint:
        runs-on: ubuntu-latest
        needs: build
        steps:
          - run: make lint
    """
)


def run(*args: str, cwd: Path = REPO, stdin: str | None = None, env: dict[str, str] | None = None):
    """The installed command, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "recoverylint", *args],
        capture_output=True, text=True, cwd=cwd, input=stdin, timeout=120,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


# -- The session: requests in, frozen data out ----------------------------


def test_run_check_returns_frozen_findings_and_the_exit_code(in_tmp):
    (in_tmp / "r.yaml").write_text(REDUNDANT)
    info = Overrides(fail_on=Severity.INFO)  # RL203 is an info
    checked = run_check(CheckRequest(paths=(Path("r.yaml"),), overrides=info))
    assert checked.exit_code == EXIT_FINDINGS
    assert [(f.code, f.path) for f in checked.report.findings] == [("RL203", "r.yaml")]
    assert checked.report.files == ("r.yaml",)
    with pytest.raises(dataclasses.FrozenInstanceError):
        checked.exit_code = EXIT_CLEAN  # type: ignore[misc]
    assert run_check(CheckRequest(paths=(Path("r.yaml"),), overrides=info, exit_zero=True)).exit_code == EXIT_CLEAN
    assert run_check(CheckRequest(paths=(Path("r.yaml"),))).exit_code == EXIT_CLEAN  # fail-on: warning


def test_run_check_previews_fixes_without_writing_and_writes_them_when_asked(in_tmp):
    runbook = in_tmp / "r.yaml"
    runbook.write_text(REDUNDANT)
    preview = run_check(CheckRequest(paths=(runbook,), fix="safe", write_fixes=False))
    assert runbook.read_text() == REDUNDANT  # nothing written
    (fixed,) = preview.fixed
    assert (fixed.before, fixed.after, fixed.fixes) == (REDUNDANT, REDUNDANT_FIXED, 1)
    assert preview.exit_code == EXIT_FINDINGS and preview.notes == ("would apply 1 fix in 1 file.",)

    written = run_check(CheckRequest(paths=(runbook,), fix="safe"))
    assert runbook.read_text() == REDUNDANT_FIXED
    assert written.report.findings == () and written.exit_code == EXIT_CLEAN
    assert "Applied 1 fix in 1 file." in written.notes


def test_run_check_says_where_a_configuration_is_wrong(in_tmp):
    (in_tmp / ".recoverylint.yaml").write_text("select: [RL2\n")
    (in_tmp / "r.yaml").write_text(REDUNDANT)
    with pytest.raises(SessionError, match=r"\.recoverylint\.yaml:\d+:\d+"):
        run_check(CheckRequest(paths=(Path("r.yaml"),)))


def test_run_plan_and_run_convert(in_tmp):
    planned = run_plan(PlanRequest(EXAMPLE))
    assert planned.plan is not None and planned.shown == str(EXAMPLE)
    (in_tmp / "ci.yaml").write_text(WORKFLOW)
    converted = run_convert(ConvertRequest(Path("ci.yaml")))
    assert converted.text.startswith("#") and "runbook:" in converted.text
    (in_tmp / "broken.yaml").write_text("runbook: x\nsteps: [\n")
    with pytest.raises(NotPlanned) as refused:
        run_plan(PlanRequest(Path("broken.yaml")))
    assert [f.code for f in refused.value.findings] == ["RL001"]


def test_a_session_leaves_the_callers_garbage_collector_on(in_tmp):
    """A language server runs many checks in one process: only the command
    line, which ends after one run, turns the cyclic collector off."""
    import gc

    (in_tmp / "r.yaml").write_text(REDUNDANT)
    gc.enable()  # a CliRunner test before may have run the command in this process
    run_check(CheckRequest(paths=(Path("r.yaml"),)))
    run_plan(PlanRequest(EXAMPLE))
    assert gc.isenabled()


def test_the_session_module_neither_prints_nor_knows_click():
    source = (REPO / "recoverylint" / "session.py").read_text(encoding="utf-8")
    assert "import click" not in source and "print(" not in source and "sys.std" not in source


# -- One registry of output formats ---------------------------------------


def test_every_command_takes_its_formats_from_the_registry():
    commands = {command.name: command for command in cli.commands.values()}
    choices = {
        name: next(p.type.choices for p in command.params if p.name == "output_format")
        for name, command in commands.items()
        if any(p.name == "output_format" for p in command.params)
    }
    assert tuple(choices["check"]) == format_names("check")
    assert tuple(choices["plan"]) == format_names("plan")
    assert tuple(choices["rules"]) == format_names("rules") == format_names("rule")
    assert set(format_names("statistics")) < set(format_names("check"))


def test_every_registered_format_renders():
    report = run_check(CheckRequest(paths=(EXAMPLE,), cache_dir=None)).report
    view = PlanView(run_plan(PlanRequest(EXAMPLE, with_findings=True)).plan, report.findings)
    docs = tuple(rule_doc(code) for code in catalog_codes())
    from recoverylint.review.session import ReviewRequest, run_review

    fixtures = REPO / "tests" / "review" / "fixtures"
    review = run_review(ReviewRequest(fixtures / "checklist.yaml", (fixtures / "incidents",))).review
    shown = {
        "check": report, "statistics": report, "plan": view, "rules": docs, "rule": RuleView(docs[0]),
        "review": review,
    }
    assert set(shown) == set(OUTPUT_FORMATS)
    for command, formats in OUTPUT_FORMATS.items():
        for name in formats:
            assert renderer(command, name)(shown[command]).strip(), (command, name)
    assert isinstance(report, Report)


# -- A run that finds no runbook ------------------------------------------


def test_a_run_finding_no_runbook_warns_and_exits_zero_as_ruff_does(tmp_path):
    (tmp_path / "values.yaml").write_text("replicas: 3\n")  # YAML, but no runbook
    done = run("check", "--no-cache", ".", cwd=tmp_path)
    assert done.returncode == 0
    assert "recoverylint: warning: no runbook found under the given path(s): ." in done.stderr
    found = run("check", "--no-cache", str(EXAMPLE))
    assert "no runbook found" not in found.stderr


# -- Standard input -------------------------------------------------------


def test_standard_input_with_a_file_name(tmp_path):
    done = run("check", "--fail-on", "info", "--format", "concise", "-", "--stdin-filename", "ops/r.yaml", cwd=tmp_path, stdin=REDUNDANT)
    assert done.returncode == 1, done.stderr
    assert done.stdout.startswith(f"ops{os.sep}r.yaml:") and " RL203 " in done.stdout
    unnamed = run("check", "--format", "concise", "-", cwd=tmp_path, stdin=REDUNDANT)
    assert unnamed.stdout.startswith("-:") and " RL203 " in unnamed.stdout


def test_standard_input_finds_its_configuration_from_the_file_name(tmp_path):
    (tmp_path / "ops").mkdir()
    (tmp_path / "ops" / ".recoverylint.yaml").write_text("ignore: [RL203]\n")
    quiet = run("check", "--fail-on", "info", "-", "--stdin-filename", "ops/r.yaml", cwd=tmp_path, stdin=REDUNDANT)
    assert quiet.returncode == 0, quiet.stdout + quiet.stderr
    elsewhere = run("check", "--fail-on", "info", "-", "--stdin-filename", "r.yaml", cwd=tmp_path, stdin=REDUNDANT)
    assert elsewhere.returncode == 1


def test_standard_input_is_read_as_the_format_its_content_is(tmp_path):
    done = run("check", "--format", "json", "-v", "-", "--stdin-filename", "ci.yaml", cwd=tmp_path, stdin=WORKFLOW)
    assert [(f["code"], f["path"]) for f in json.loads(done.stdout)["findings"]] == [("RL201", "ci.yaml")]
    assert "read as GitHub Actions" in done.stderr


def test_fix_on_standard_input_prints_the_fixed_runbook_and_reports_on_stderr(tmp_path):
    done = run("check", "--fix", "-", "--stdin-filename", "r.yaml", cwd=tmp_path, stdin=REDUNDANT)
    assert done.returncode == 0, done.stderr
    assert done.stdout == REDUNDANT_FIXED
    assert "Applied 1 fix in 1 file." in done.stderr
    assert not (tmp_path / "r.yaml").exists()  # nothing written
    unfixable = "runbook: x\nsteps: [\n"  # cannot be read: given back as it came
    broken = run("check", "--fix", "-", cwd=tmp_path, stdin=unfixable)
    assert broken.returncode == 1 and broken.stdout == unfixable and "RL001" in broken.stderr


def test_standard_input_is_checked_alone(tmp_path):
    done = run("check", "-", str(EXAMPLE), stdin=REDUNDANT)
    assert done.returncode == 2 and "checked alone" in done.stderr
    named = run("check", str(EXAMPLE), "--stdin-filename", "x.yaml")
    assert named.returncode == 2 and "pass `-`" in named.stderr


def test_standard_input_larger_than_the_limit_is_rl001_not_a_hang(tmp_path):
    done = run("check", "--max-file-size", "100", "--format", "concise", "-", cwd=tmp_path, stdin=REDUNDANT * 50)
    assert done.returncode == 1 and " RL001 " in done.stdout
    # With --fix, what comes in goes out whole: a pipe never loses the file it carries.
    fixing = run("check", "--fix", "--max-file-size", "100", "-", cwd=tmp_path, stdin=REDUNDANT * 50)
    assert fixing.returncode == 1 and fixing.stdout == REDUNDANT * 50 and " RL001 " not in fixing.stdout


# -- clean ----------------------------------------------------------------


def test_clean_removes_the_cache_and_only_it(tmp_path, monkeypatch):
    monkeypatch.delenv("RECOVERYLINT_CACHE_DIR")  # the default folder, in the working one
    (tmp_path / "r.yaml").write_text(REDUNDANT)
    assert run("check", "r.yaml", cwd=tmp_path).returncode == 0
    cache = tmp_path / ".recoverylint_cache"
    assert any(path.suffix == ".json" for path in cache.rglob("*"))
    done = run("clean", cwd=tmp_path)
    assert done.returncode == 0 and "removed the cache .recoverylint_cache" in done.stderr
    assert not cache.exists() and (tmp_path / "r.yaml").read_text() == REDUNDANT
    again = run("clean", cwd=tmp_path)
    assert again.returncode == 0 and "no cache to remove" in again.stderr


def test_clean_leaves_what_the_cache_does_not_own(tmp_path, monkeypatch):
    monkeypatch.delenv("RECOVERYLINT_CACHE_DIR")
    (tmp_path / "r.yaml").write_text(REDUNDANT)
    run("check", "r.yaml", cwd=tmp_path)
    cache = tmp_path / ".recoverylint_cache"
    (cache / "notes.txt").write_text("mine")  # the tag says the folder is the cache's; this file is not
    assert run("clean", cwd=tmp_path).returncode == 0
    assert [path.name for path in cache.iterdir()] == ["notes.txt"]

    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "data.txt").write_text("keep")
    refused = run("clean", cwd=tmp_path, env={"RECOVERYLINT_CACHE_DIR": str(mine)})
    assert refused.returncode == 2 and "not recoverylint's" in refused.stderr
    assert (mine / "data.txt").read_text() == "keep"


# -- -o/--output ----------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("check", "--format", "json", str(EXAMPLE)),
        ("plan", str(EXAMPLE)),
        ("convert", "ci.yaml"),
        ("rules",),
        ("rule", "RL201"),
        ("schema",),
    ],
    ids=lambda args: args[0],
)
def test_output_means_the_same_in_every_command(tmp_path, monkeypatch, args):
    (tmp_path / "ci.yaml").write_text(WORKFLOW)
    monkeypatch.chdir(tmp_path)

    def run(*args: str):
        return globals()["run"](*args, cwd=tmp_path)

    to_stdout = run(*args)
    assert to_stdout.stdout
    assert run(*args, "-o", "-").stdout == to_stdout.stdout  # `-` is stdout
    for option in ("-o", "--output"):
        target = tmp_path / option.strip("-")
        to_file = run(*args, option, str(target))
        assert to_file.returncode == to_stdout.returncode, to_file.stderr
        assert to_file.stdout == "" and target.read_text(encoding="utf-8") == to_stdout.stdout
    empty = run(*args, "-o", "")
    assert empty.returncode == 2 and "empty file name" in empty.stderr


# -- --help ---------------------------------------------------------------


def test_top_level_help_shows_whole_command_summaries():
    done = CliRunner().invoke(cli, ["--help"], terminal_width=80)
    commands = done.output.split("Commands:")[1]
    words = " ".join(commands.split())
    assert "..." not in commands
    for command in cli.commands.values():
        assert command.short_help and " ".join(command.short_help.split()) in words, command.name
    assert "clean" in cli.commands


@pytest.mark.parametrize("command, one", [("plan", "one runbook file"), ("convert", "one workflow file")])
def test_plan_and_convert_help_speak_of_one_file(command, one):
    done = CliRunner().invoke(cli, [command, "--help"])
    assert one in " ".join(done.output.split())


# -- rule with a prefix ---------------------------------------------------


def test_rule_with_a_code_prefix_lists_those_rules():
    done = CliRunner().invoke(cli, ["rule", "RL2"])
    assert done.exit_code == 0, done.output
    listed = [line.split()[0] for line in done.output.splitlines()]
    assert listed == [code for code in catalog_codes() if code.startswith("RL2")] and len(listed) > 1
    assert "RL702" not in done.output
    as_json = CliRunner().invoke(cli, ["rule", "rl2", "--format", "json"])
    assert [entry["code"] for entry in json.loads(as_json.output)] == listed


def test_rule_with_an_unknown_code_still_suggests_the_closest():
    done = CliRunner().invoke(cli, ["rule", "RL9"])
    assert done.exit_code == 2 and "unknown rule `RL9`" in done.output


def test_found_files_are_shown_from_the_working_folder(tmp_path):
    """Each found folder's shown form is worked out once for its files: in the
    working folder a file is its name, below it a relative path, outside it
    (a folder linked from inside resolves outside) the path as given."""
    work, outside, real = tmp_path / "work", tmp_path / "outside", tmp_path / "real"
    for folder in (work / "sub", outside, real):
        folder.mkdir(parents=True)
    for file in (work / "a.yaml", work / "sub" / "b.yaml", work / "sub" / "c.yaml", outside / "d.yaml", real / "e.yaml"):
        file.write_text(REDUNDANT)
    (work / "linked").symlink_to(real, target_is_directory=True)
    done = run(
        "check", ".", str(outside), "linked/e.yaml", "--format", "json", "--no-cache", "--select", "RL203",
        cwd=work,
    )
    shown = [finding["path"] for finding in json.loads(done.stdout)["findings"]]
    assert sorted(set(shown)) == sorted(["a.yaml", "sub/b.yaml", "sub/c.yaml", str(outside / "d.yaml"), "linked/e.yaml"])
