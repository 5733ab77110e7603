"""Markdown runbooks, second pass: the rules' suggestions in a page's own
words (`Runbook.wording`), Rollback sections as the way back from a change,
a verification checks the changes before it (not a rollback further down),
--verbose's skip reasons said of a Markdown page, and a control character
refused as not allowed in a Markdown runbook."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from click.testing import CliRunner

from recoverylint.cli import cli
from recoverylint.engine import check_file

PAGE = """\
# Web down

## Diagnosis

1. Check the pods: `oc get pods -n app`

## Mitigation

1. Scale the deployment down: `oc scale deployment/web -n app --replicas=0`

2. Patch the config: `oc patch configmap/web -n app -p '{"data":{}}'`

Two options:

- Option A: `oc delete pod/web-1 -n app`
- Option B: `oc delete pod/web-2 -n app`

## Verification

1. Check the deployment: `oc get deployment/web -n app`

## Rollback

1. Scale it back: `oc scale deployment/web -n app --replicas=3`
"""


def suggestions(tmp_path: Path, text: str) -> dict[tuple[str, int], str | None]:
    path = tmp_path / "runbook.md"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    result = check_file(path, "runbook.md")
    assert result.internal_error is None and result.format == "markdown"
    return {(f.code, f.span.line): f.suggestion for f in result.findings}


def test_suggestions_are_in_the_pages_words(tmp_path):
    found = suggestions(tmp_path, PAGE)
    assert found[("RL601", 11)] == (
        "add a Verification section after `mitigation-2` with a command that reads `k8s/app/configmap/web`"
    )
    assert found[("RL603", 11)] == (
        "add a Rollback section after `mitigation-2` with the command that undoes its change to"
        " `k8s/app/configmap/web`"
    )
    assert found[("RL403", 15)] == (
        "say in the introduction of the list that holds `mitigation-3` and `mitigation-4` which one to"
        ' choose ("either", "one of", "choose", "depending on"), after a step showing what to choose by'
    )
    every = " ".join(text or "" for text in found.values())
    for native in ("verifies:", "decides:", "rollback:", "pre_approved", "needs:"):
        assert native not in every


def test_a_change_with_no_diagnosis_before_it_is_told_to_put_one_first(tmp_path):
    found = suggestions(tmp_path, """\
        # Web down

        ## Mitigation

        1. Restart it: `oc rollout restart deployment/web -n app`
        2. Check it: `oc rollout status deployment/web -n app`
        """)
    assert found[("RL304", 5)] == "put a Diagnosis section before `mitigation-1` with the commands that find the cause"


def test_the_advice_followed_silences_the_findings(tmp_path):
    """A Rollback section holding the command undoing the scale-down is its
    rollback; the Verification section reading the deployment verifies it,
    not the rollback written after it (no RL303)."""
    found = suggestions(tmp_path, PAGE)
    assert ("RL603", 9) not in found and ("RL601", 9) not in found
    assert not [code for code, _ in found if code == "RL303"]
    # The rollback is undone by redoing the change: it has its way back too.
    assert ("RL603", 25) not in found


def test_the_model_marks_the_rollback_and_what_the_verification_checks(tmp_path):
    path = tmp_path / "runbook.md"
    path.write_text(PAGE, encoding="utf-8")
    runbook = check_file(path, "runbook.md").runbook
    assert runbook is not None
    steps = {step.id: step for step in runbook.steps}
    rollback = steps["mitigation-1"].rollback
    assert rollback is not None and rollback.name == "rollback-1"
    assert steps["mitigation-2"].rollback is None
    assert [ref.name for ref in steps["verification-1"].verifies] == ["mitigation-1"]


def test_verbose_says_why_rules_are_skipped_in_the_words_of_a_page(tmp_path):
    path = tmp_path / "runbook.md"
    path.write_text(PAGE, encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", "--verbose", "--no-cache", str(path)])
    assert "an engine runs the steps" not in result.output
    team = "RL701, RL702 (a Markdown page names no team or incident commander for its reader to follow)"
    assert team in result.output
    assert "(a Markdown page names no roles, approvers or team)" in result.output


def test_a_nul_byte_in_a_page_is_not_allowed_in_a_markdown_runbook(tmp_path):
    path = tmp_path / "nul.md"
    path.write_bytes(b"# Alert\n\n## Mitigation\n\n```bash\noc get pods\x00\n```\n")
    completed = subprocess.run(
        [sys.executable, "-m", "recoverylint", "check", "--no-cache", str(path)],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert completed.returncode == 1
    refused = f"{path}:6:12: RL001 [error] control character U+0000 is not allowed in a Markdown runbook"
    assert refused in completed.stdout
    assert "Traceback" not in completed.stderr


def test_a_nul_byte_in_yaml_is_still_not_allowed_in_yaml(tmp_path):
    path = tmp_path / "nul.yaml"
    path.write_bytes(b"runbook: x\nsteps:\x00\n")
    result = CliRunner().invoke(cli, ["check", "--no-cache", str(path)])
    assert result.exit_code == 1
    assert "control character U+0000 is not allowed in YAML" in result.output


# -- the second hand review's false finding ---------------------------------

CONDITIONAL = Path(__file__).parent / "adapters" / "markdown" / "conditional-step.md"


def test_a_step_opening_with_a_condition_waits_for_the_steps_that_show_it():
    """GarbageCollectorSyncFailed.md:51: "If you cannot identify the failing
    resource, increase the log level" was told it could start at once
    (RL201), beside the logs that decide whether it is done at all."""
    result = check_file(CONDITIONAL, "conditional-step.md")
    assert result.internal_error is None and result.runbook is not None
    assert [f.code for f in result.findings if f.code == "RL201"] == []
    need = next(n for n in result.runbook.steps[1].needs if n.step == "diagnosis-1")
    assert need.reason == (
        '`diagnosis-2` is done on a condition ("If you cannot identify the failing resource")'
        " that the steps before it show"
    )


def test_a_step_with_no_condition_is_still_questioned(tmp_path):
    text = CONDITIONAL.read_text(encoding="utf-8").replace("If you cannot identify the failing resource,\n", "")
    found = suggestions(tmp_path, text)
    assert ("RL201", 14) in found
