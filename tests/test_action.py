"""The composite GitHub Action (action.yml): its shape, and its `run:` steps
executed with bash the way the runner executes them."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from recoverylint.engine import check_text

REPO_ROOT = Path(__file__).resolve().parent.parent
ACTION = YAML(typ="safe").load((REPO_ROOT / "action.yml").read_text(encoding="utf-8"))
STEPS = ACTION["runs"]["steps"]
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")
# The recoverylint under test: the one installed next to this Python.
INSTALLED = {
    "python": sys.executable,
    "recoverylint": str(Path(sys.executable).with_name("recoverylint")),
}

# A false gate (RL201, a warning): `find-bad-release` waits for
# `post-status` but uses nothing from it.
RUNBOOK_WITH_FINDINGS = """\
runbook: checkout-5xx
title: Checkout 5xx errors after a deploy
given: [alert]
roles:
  commander: {authority: [decide, approve, communicate]}
  oncall: {authority: [observe, apply]}
resources:
  k8s/checkout: {kind: namespace}
steps:
  - id: post-status
    role: commander
    phase: communicate
    duration: 10m
    inputs: [alert]
  - id: find-bad-release
    role: oncall
    phase: diagnose
    duration: 10m
    inputs: [alert]
    reads: [k8s/checkout/deployment]
"""
FALSE_GATE_LINE = 15  # `  - id: find-bad-release`
CLEAN_RUNBOOK = RUNBOOK_WITH_FINDINGS.replace("steps:\n", "flow: parallel\nsteps:\n")


def test_the_sample_runbooks_are_what_the_tests_say():
    assert [(f.code, f.span.line) for f in check_text(RUNBOOK_WITH_FINDINGS).findings] == [
        ("RL201", FALSE_GATE_LINE)
    ]
    assert check_text(CLEAN_RUNBOOK).findings == []


# -- The action's shape -------------------------------------------------------


def test_is_a_composite_action_whose_inputs_are_documented():
    assert ACTION["runs"]["using"] == "composite"
    assert ACTION["name"] and ACTION["description"]
    assert set(ACTION["inputs"]) == {"paths", "args", "sarif-file", "python-version"}
    for name, spec in ACTION["inputs"].items():
        assert spec.get("description", "").strip(), f"input {name} has no description"
        assert "default" in spec, f"input {name} has no default"
    assert ACTION["inputs"]["paths"]["default"] == "."
    assert ACTION["inputs"]["python-version"]["default"] == "3.12"
    for name, spec in ACTION.get("outputs", {}).items():
        assert spec.get("description", "").strip(), f"output {name} has no description"


def test_python_is_set_up_from_the_python_version_input():
    setup = [step for step in STEPS if "uses" in step]
    assert [step["uses"].split("@")[0] for step in setup] == ["actions/setup-python"]
    assert setup[0]["with"]["python-version"] == "${{ inputs.python-version }}"


def test_no_expression_is_pasted_into_a_script():
    """The runner substitutes ${{ }} into a script's text before bash reads it:
    an input such as `$(curl ... | sh)` would run. Values go through env:."""
    run_steps = [step for step in STEPS if "run" in step]
    assert run_steps
    for step in run_steps:
        assert step["shell"] == "bash"  # composite run steps must name their shell
        assert "${{" not in step["run"], f"step {step.get('id')} pastes an expression into its script"


def test_every_input_is_used_and_every_expression_names_something_that_exists():
    used_inputs = set()
    for step in STEPS:
        for value in [*step.get("env", {}).values(), *step.get("with", {}).values()]:
            for expression in EXPRESSION.findall(str(value)):
                if expression.startswith("inputs."):
                    used_inputs.add(expression.removeprefix("inputs."))
    assert used_inputs == set(ACTION["inputs"])
    step_ids = {step.get("id") for step in STEPS}
    for step in STEPS:
        for value in step.get("env", {}).values():
            for expression in EXPRESSION.findall(str(value)):
                if expression.startswith("steps."):
                    assert expression.split(".")[1] in step_ids, expression


# -- Running the steps as the runner does -------------------------------------


@dataclass
class ActionRun:
    status: int
    log: str  # stdout and stderr of every step, ANSI colours removed
    outputs: dict[str, str]  # the action's outputs (when it succeeded)
    expressions: dict[str, str]  # every expression's value, steps' outputs included


def _read_outputs(file: Path) -> dict[str, str]:
    """$GITHUB_OUTPUT's `name=value` lines (and `name<<DELIMITER` blocks)."""
    outputs: dict[str, str] = {}
    lines = iter(file.read_text(encoding="utf-8").splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            block = []
            for content in lines:
                if content == delimiter:
                    break
                block.append(content)
            outputs[name] = "\n".join(block)
        elif line:
            name, value = line.split("=", 1)
            outputs[name] = value
    return outputs


def run_action(
    workspace: Path, runner_temp: Path, install: bool = False, **inputs: str
) -> ActionRun:
    """Run the action's steps in `workspace` as the runner would: expressions
    substituted (in scripts too, as the runner does), each step's env set,
    `bash --noprofile --norc -eo pipefail SCRIPT`, stopping at the first step
    that fails. setup-python is not run: its `python-path` is this Python.
    Unless `install`, the install step is not run either, and recoverylint is
    the one installed next to this Python."""
    unknown = set(inputs) - set(ACTION["inputs"])
    assert not unknown, f"the action has no inputs {unknown}"
    context = {f"inputs.{name}": str(spec["default"]) for name, spec in ACTION["inputs"].items()}
    context.update({f"inputs.{name}": value for name, value in inputs.items()})
    context["github.action_path"] = str(REPO_ROOT)

    def substitute(text: str) -> str:
        def value(match: re.Match) -> str:
            # An expression this test does not model fails the test, not the action.
            assert match[1] in context, f"no value for the expression {match[0]}"
            return context[match[1]]

        return EXPRESSION.sub(value, str(text))

    # The runner's environment, with nothing of the machine running the tests
    # that would change what a step does.
    base_env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("GITHUB_", "RUNNER_", "INPUT_", "RECOVERYLINT"))
        and name not in ("NO_COLOR", "FORCE_COLOR")
    }
    base_env.update(
        GITHUB_ACTIONS="true",
        CI="true",
        GITHUB_WORKSPACE=str(workspace),
        GITHUB_ACTION_PATH=str(REPO_ROOT),
        RUNNER_TEMP=str(runner_temp),
    )
    log = []
    for index, step in enumerate(STEPS):
        step_id = step.get("id", f"step{index}")
        if "uses" in step:
            context[f"steps.{step_id}.outputs.python-path"] = sys.executable
            continue
        if step_id == "install" and not install:
            for name, value in INSTALLED.items():
                context[f"steps.install.outputs.{name}"] = value
            continue
        output_file = runner_temp / f"output-{step_id}"
        output_file.write_text("", encoding="utf-8")
        script = runner_temp / f"script-{step_id}.sh"
        script.write_text(substitute(step["run"]), encoding="utf-8")
        env = dict(base_env, GITHUB_OUTPUT=str(output_file))
        env.update({name: substitute(value) for name, value in step.get("env", {}).items()})
        completed = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=workspace,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=300,
            check=False,
        )
        log.append(ANSI_ESCAPE.sub("", completed.stdout))
        for name, value in _read_outputs(output_file).items():
            context[f"steps.{step_id}.outputs.{name}"] = value
        if completed.returncode != 0:
            return ActionRun(completed.returncode, "".join(log), {}, context)
    outputs = {name: substitute(spec["value"]) for name, spec in ACTION.get("outputs", {}).items()}
    return ActionRun(0, "".join(log), outputs, context)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A checked-out repository: a runbook with a false gate, and a CI workflow
    (YAML, not a runbook, which discovery must skip)."""
    root = tmp_path / "workspace"
    (root / "runbooks").mkdir(parents=True)
    (root / "runbooks" / "checkout.yaml").write_text(RUNBOOK_WITH_FINDINGS, encoding="utf-8")
    (root / ".github" / "workflows").mkdir(parents=True)
    (root / ".github" / "workflows" / "ci.yaml").write_text("name: ci\non: push\n", encoding="utf-8")
    return root


@pytest.fixture
def runner_temp(tmp_path: Path) -> Path:
    temp = tmp_path / "runner-temp"
    temp.mkdir()
    return temp


def _annotations(log: str) -> list[str]:
    return [line for line in log.splitlines() if line.startswith(("::error", "::warning", "::notice"))]


def _full_report(workspace: Path) -> list[str]:
    """The lines of `recoverylint check --format full` run by hand in `workspace`."""
    env = {name: value for name, value in os.environ.items() if name != "GITHUB_ACTIONS"}
    completed = subprocess.run(
        [INSTALLED["recoverylint"], "check", "--format", "full", "--no-color"],
        cwd=workspace,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return [line for line in completed.stdout.splitlines() if line.strip()]


def test_findings_fail_the_action_with_annotations_a_readable_report_and_sarif(workspace, runner_temp):
    run = run_action(workspace, runner_temp, **{"sarif-file": "reports/recoverylint.sarif"})
    assert run.status == 1, run.log
    annotations = _annotations(run.log)
    assert len(annotations) == 1, run.log
    assert annotations[0].startswith("::warning file=runbooks/checkout.yaml,"), annotations
    assert f"line={FALSE_GATE_LINE}" in annotations[0] and "RL201" in annotations[0]
    # The log stays readable: every line of the full report is in it too.
    full_report = _full_report(workspace)
    assert any("RL201" in line for line in full_report)
    missing = [line for line in full_report if line not in run.log.splitlines()]
    assert not missing, run.log
    # Written although the findings fail the run, for an upload step with if: always().
    sarif = json.loads((workspace / "reports" / "recoverylint.sarif").read_text(encoding="utf-8"))
    assert isinstance(sarif["runs"], list) and sarif["runs"]
    assert [result["ruleId"] for result in sarif["runs"][0]["results"]] == ["RL201"]


def test_a_clean_workspace_passes_without_annotations_or_sarif(workspace, runner_temp):
    (workspace / "runbooks" / "checkout.yaml").write_text(CLEAN_RUNBOOK, encoding="utf-8")
    run = run_action(workspace, runner_temp)
    assert run.status == 0, run.log
    assert _annotations(run.log) == []
    assert not list(workspace.rglob("*.sarif"))
    assert run.outputs == {"sarif-file": ""}


def test_the_exit_status_is_recoverylints_as_args_set_it(workspace, runner_temp):
    run = run_action(workspace, runner_temp, args="--fail-on error")
    assert run.status == 0, run.log  # a warning, reported but not failing
    assert len(_annotations(run.log)) == 1, run.log


def test_the_sarif_file_output_names_the_report(workspace, runner_temp):
    (workspace / "runbooks" / "checkout.yaml").write_text(CLEAN_RUNBOOK, encoding="utf-8")
    run = run_action(workspace, runner_temp, **{"sarif-file": "recoverylint.sarif"})
    assert run.status == 0, run.log
    assert run.outputs == {"sarif-file": "recoverylint.sarif"}
    assert json.loads((workspace / "recoverylint.sarif").read_text(encoding="utf-8"))["runs"]


def test_paths_are_split_like_shell_words_and_only_those_are_checked(workspace, runner_temp):
    spaced = workspace / "team runbooks"
    spaced.mkdir()
    (spaced / "checkout copy.yaml").write_text(RUNBOOK_WITH_FINDINGS, encoding="utf-8")
    (workspace / "runbooks" / "checkout.yaml").write_text(CLEAN_RUNBOOK, encoding="utf-8")
    run = run_action(workspace, runner_temp, paths="'team runbooks/checkout copy.yaml'\nrunbooks")
    assert run.status == 1, run.log
    annotations = _annotations(run.log)
    assert len(annotations) == 1 and "file=team runbooks/checkout copy.yaml," in annotations[0], run.log


def test_inputs_are_never_run_as_shell_code(workspace, runner_temp):
    marker = workspace / "injected"
    run = run_action(
        workspace,
        runner_temp,
        paths=f"runbooks $(touch {marker}) `touch {marker}`",
        args=f"--fail-on error; touch {marker}",
    )
    # The words are passed to recoverylint as they are: paths that do not
    # exist, a usage error.
    assert run.status == 2, run.log
    assert not marker.exists()


def test_an_input_that_cannot_be_split_is_a_usage_error(workspace, runner_temp):
    run = run_action(workspace, runner_temp, args="--exclude 'legacy/**")
    assert run.status == 2, run.log
    assert "::error title=recoverylint::the args input cannot be split" in run.log


def test_the_install_step_installs_recoverylint_from_the_action_checkout(workspace, runner_temp):
    """The real install step: a virtual environment in RUNNER_TEMP and a pip
    install of this repository (needs PyPI for the build backend and the
    dependencies, as the runner does)."""
    run = run_action(workspace, runner_temp, install=True)
    assert run.status == 1, run.log
    venv = runner_temp / "recoverylint-venv"
    installed = Path(run.expressions["steps.install.outputs.recoverylint"])
    assert installed.parent.parent == venv and installed.exists()
    assert len(_annotations(run.log)) == 1, run.log


# -- The README's workflow ----------------------------------------------------


def test_readme_workflow_uses_the_action_as_it_is():
    readme = (REPO_ROOT / "docs" / "integrations.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(# \.github/workflows/.*?)```", readme, re.DOTALL)
    assert blocks, "no yaml block starting with `# .github/workflows/` in the README"
    workflow = YAML(typ="safe").load(blocks[0])
    (job,) = workflow["jobs"].values()
    steps = job["steps"]

    def using(action: str) -> list[dict]:
        return [step for step in steps if step.get("uses", "").startswith(f"{action}@")]

    (lint,) = using("recoverylint/recoverylint")
    assert set(lint.get("with", {})) <= set(ACTION["inputs"])
    assert lint["with"].get("sarif-file")
    (upload,) = using("github/codeql-action/upload-sarif")
    assert steps.index(upload) > steps.index(lint)
    # The upload runs although findings failed the lint step...
    assert upload["if"] == "always()"
    # ...of the file the lint step wrote...
    assert upload["with"]["sarif_file"] in (
        lint["with"]["sarif-file"],
        f"${{{{ steps.{lint['id']}.outputs.sarif-file }}}}",
    )
    # ...with the permission code scanning needs.
    assert job["permissions"]["security-events"] == "write"
