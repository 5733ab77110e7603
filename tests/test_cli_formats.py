"""Other formats through the command line: detection, --input-format,
--verbose, and `convert` (whose native runbook must declare and require the
same order as the original, on every adapter fixture)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from recoverylint.adapters import input_formats
from recoverylint.cli import cli
from recoverylint.engine import check_file, check_text
from recoverylint.graphs import build_graphs
from recoverylint.model import Runbook

FIXTURES = sorted(
    path for path in (Path(__file__).parent / "adapters").glob("*/*") if path.suffix in (".yaml", ".yml", ".json", ".md")
)

WORKFLOW = """\
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

NATIVE = """\
runbook: tiny
steps:
  - id: only
"""


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "recoverylint", *args], capture_output=True, text=True, cwd=cwd
    )


def test_convert_help_names_no_list_of_formats_that_can_go_stale() -> None:
    help_text = CliRunner().invoke(cli, ["convert", "--help"]).output
    assert "see --input-format" in help_text and "Orquesta" not in help_text
    for name in input_formats():
        assert name in help_text  # the --input-format choices


def test_rl003_of_a_file_forced_to_another_format_does_not_ask_for_a_runbook_key(tmp_path: Path) -> None:
    (tmp_path / "values.yaml").write_text("foo: 1\n")
    forced = CliRunner().invoke(cli, ["check", "--input-format", "awx", "--format", "json", str(tmp_path / "values.yaml")])
    native = CliRunner().invoke(cli, ["check", "--format", "json", str(tmp_path / "values.yaml")])
    [forced_finding] = json.loads(forced.output)["findings"]
    [native_finding] = json.loads(native.output)["findings"]
    assert forced_finding["code"] == native_finding["code"] == "RL003"
    assert "runbook:" not in forced_finding["suggestion"] and "--input-format" in forced_finding["suggestion"]
    assert "runbook: <slug>" in native_finding["suggestion"]


def test_every_format_and_no_other_is_accepted_by_input_format(tmp_path: Path) -> None:
    for name in ("auto", *input_formats()):
        done = CliRunner().invoke(cli, ["check", "--input-format", name, str(tmp_path)])
        assert done.exit_code == 0, (name, done.output)
    done = CliRunner().invoke(cli, ["check", "--input-format", "nomad", str(tmp_path)])
    assert done.exit_code == 2 and "nomad" in done.output


def test_a_workflow_found_in_a_folder_is_checked(tmp_path: Path) -> None:
    (tmp_path / "ci.yaml").write_text(WORKFLOW)
    (tmp_path / "values.yaml").write_text("replicas: 3\n")  # no runbook: skipped
    done = run("check", "--no-cache", "--format", "json", str(tmp_path))
    assert done.returncode == 1, done.stderr
    findings = json.loads(done.stdout)["findings"]
    assert [(f["code"], Path(f["path"]).name, f["line"]) for f in findings] == [
        ("RL201", "ci.yaml", 9)
    ]


def test_input_format_native_reads_only_native_runbooks(tmp_path: Path) -> None:
    (tmp_path / "ci.yaml").write_text(WORKFLOW)
    done = run("check", "--no-cache", "--input-format", "native", str(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    named = run("check", "--no-cache", "--input-format", "native", str(tmp_path / "ci.yaml"))
    assert named.returncode == 1
    assert "RL003" in named.stdout


def test_input_format_forces_one_format(tmp_path: Path) -> None:
    (tmp_path / "ci.yaml").write_text(WORKFLOW)
    done = run("check", "--no-cache", "--input-format", "tekton", str(tmp_path / "ci.yaml"))
    assert done.returncode == 1
    assert "RL003" in done.stdout and "is not a Tekton document (`--input-format tekton`)" in done.stdout
    forced = run("check", "--no-cache", "--input-format", "github-actions", str(tmp_path / "ci.yaml"))
    assert forced.returncode == 1 and "RL201" in forced.stdout


def test_input_format_in_configuration(tmp_path: Path) -> None:
    (tmp_path / "ci.yaml").write_text(WORKFLOW)
    (tmp_path / ".recoverylint.yaml").write_text("input-format: native\n")
    assert run("check", "--no-cache", ".", cwd=tmp_path).returncode == 0
    (tmp_path / ".recoverylint.yaml").write_text("input-format: github\n")
    done = run("check", "--no-cache", ".", cwd=tmp_path)
    assert done.returncode == 2
    assert "must be auto or one of native, ssm" in done.stderr


def test_verbose_says_once_which_rules_a_format_skips(tmp_path: Path) -> None:
    for name in ("a.yaml", "b.yaml"):
        (tmp_path / name).write_text(WORKFLOW)
    (tmp_path / "native.yaml").write_text(NATIVE)
    done = run("check", "--no-cache", "--verbose", "-q", str(tmp_path))
    notes = [line for line in done.stderr.splitlines() if "skipped" in line]
    assert notes == [
        "recoverylint: 2 files read as GitHub Actions; rules skipped on them: RL303, RL304, RL306"
        " (the format marks no phases or verification steps); RL404, RL405, RL501, RL502, RL503,"
        " RL504, RL505, RL506 (the format names no roles, approvers or team); RL601, RL602, RL603"
        " (the format marks no verifications or rollbacks); RL701, RL702 (an engine runs the"
        " steps, not a team a commander follows)."
    ]
    quiet = run("check", "--no-cache", "-q", str(tmp_path))
    assert "skipped" not in quiet.stderr


def test_skipped_rules_never_fire_even_when_selected(tmp_path: Path) -> None:
    (tmp_path / "ci.yaml").write_text(WORKFLOW)
    done = run("check", "--no-cache", "--select", "RL5,RL6,RL7", str(tmp_path / "ci.yaml"))
    assert done.returncode == 0, done.stdout


def test_no_fix_is_offered_on_other_formats(tmp_path: Path) -> None:
    (tmp_path / "ci.yaml").write_text(WORKFLOW)
    # The same gate in a native runbook carries a fix; read from a workflow, none.
    native = "runbook: ci\nflow: parallel\nsteps:\n  - id: build\n  - id: lint\n    needs: [build]\n"
    assert [f.fix is not None for f in check_text(native).findings if f.code == "RL201"] == [True]
    found = check_file(tmp_path / "ci.yaml", "ci.yaml").findings
    assert [(f.code, f.fix) for f in found] == [("RL201", None)]
    done = run("check", "--no-cache", "--diff", str(tmp_path / "ci.yaml"))
    assert done.returncode == 0 and done.stdout == ""
    assert (tmp_path / "ci.yaml").read_text() == WORKFLOW


# -- convert ------------------------------------------------------------------


def test_convert_writes_a_native_runbook(tmp_path: Path) -> None:
    (tmp_path / "ci.yaml").write_text(WORKFLOW)
    done = run("convert", str(tmp_path / "ci.yaml"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.endswith(
        "runbook: ci\n"
        "title: ci (converted from GitHub Actions)\n"
        "flow: parallel\n"
        "steps:\n"
        "  - id: build\n"
        "    title: build\n"
        "  - id: lint\n"
        "    title: lint\n"
        "    needs: [build]\n"
        "    guard: true\n"  # a job named for a check
    )
    assert done.stdout.startswith("# Converted by recoverylint from ")


def test_convert_output_file_is_never_replaced_unasked(tmp_path: Path) -> None:
    (tmp_path / "ci.yaml").write_text(WORKFLOW)
    target = tmp_path / "ci.runbook.yaml"
    target.write_text("mine\n")
    refused = run("convert", str(tmp_path / "ci.yaml"), "-o", str(target))
    assert refused.returncode == 2 and "pass --force" in refused.stderr
    assert target.read_text() == "mine\n"
    done = run("convert", str(tmp_path / "ci.yaml"), "-o", str(target), "--force")
    assert done.returncode == 0
    assert target.read_text().startswith("# Converted by recoverylint from ")
    same = run("convert", str(tmp_path / "ci.yaml"), "-o", str(tmp_path / "ci.yaml"), "--force")
    assert same.returncode == 2 and "is the file to convert" in same.stderr


@pytest.mark.parametrize("source", ["native", "not-a-workflow"])
def test_convert_refuses_what_it_cannot_read(tmp_path: Path, source: str) -> None:
    path = tmp_path / "x.yaml"
    path.write_text(NATIVE if source == "native" else "replicas: 3\n")
    done = run("convert", str(path))
    assert done.returncode == 2
    assert ("already a native runbook" if source == "native" else "RL003") in done.stderr


def closure(runbook: Runbook) -> tuple[set[tuple[int, int]], set[tuple[int, int]]]:
    """O's reachability and D's edges, by step position."""
    graphs, _ = build_graphs(runbook)
    assert graphs is not None
    count = len(runbook.steps)
    order = {(a, b) for a in range(count) for b in range(count) if graphs.before(a, b)}
    required = {(p, n) for n, preds in enumerate(graphs.required_preds) for p in preds}
    return order, required


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_a_converted_runbook_declares_and_requires_the_same_order(fixture: Path) -> None:
    original = check_file(fixture, str(fixture), explicit=False).runbook
    if original is None or original.format == "native":
        pytest.skip("not read as another format (a malformed fixture)")
    ids = [step.id for step in original.steps]
    if len(set(ids)) != len(ids) or build_graphs(original)[0] is None:
        pytest.skip("repeated ids or a cycle: nothing to compare")
    done = run("convert", str(fixture))
    assert done.returncode == 0, done.stderr
    converted = check_text(done.stdout, "converted.yaml")
    assert not [f for f in converted.findings if f.code in ("RL001", "RL002", "RL003")], done.stdout
    assert converted.runbook is not None
    assert len(converted.runbook.steps) == len(original.steps)
    assert closure(converted.runbook) == closure(original)


def test_plan_reads_other_formats_without_a_team_checklist(tmp_path: Path) -> None:
    (tmp_path / "ci.yaml").write_text(WORKFLOW)
    text = run("plan", "--no-color", str(tmp_path / "ci.yaml"))
    assert text.returncode == 0, text.stderr
    assert text.stdout.startswith("Plan of ci")
    assert "Decision checklist" not in text.stdout
    planned = json.loads(run("plan", "--format", "json", str(tmp_path / "ci.yaml")).stdout)
    assert planned["checklist"] is None
    assert [step["id"] for step in planned["steps"]] == ["build", "lint"]
    forced = run("plan", "--input-format", "tekton", str(tmp_path / "ci.yaml"))
    assert forced.returncode == 2 and "is not a Tekton document" in forced.stderr


def test_convert_keeps_a_deadlock(tmp_path: Path) -> None:
    """A job that needs itself can never start: the native runbook says so too."""
    (tmp_path / "ci.yaml").write_text("on: push\njobs:\n  a: {runs-on: x, needs: [a]}\n")
    done = run("convert", str(tmp_path / "ci.yaml"))
    assert done.returncode == 0, done.stderr
    assert "RL103" in [f.code for f in check_text(done.stdout).findings]
