"""Markdown runbooks: detection, phases from headings, steps from list items
and fenced shell blocks, options as alternatives, resources and facts from
the commands (recoverylint.shell), and the CLI (check, plan, convert,
--input-format, discovery) on them."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from adapter_support import FIXTURES, data_edges, names, order_edges, step
from recoverylint.adapters import input_formats
from recoverylint.adapters.markdown import FORMAT, parse, phase_of
from recoverylint.engine import FileResult, check_file, discover
from recoverylint.model import Phase, Runbook

CRASHLOOP = FIXTURES / "markdown" / "pod-crashloop.md"


def checked(tmp_path: Path, text: str, name: str = "runbook.md") -> FileResult:
    """A page written to a file and checked as the CLI checks a named file."""
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    result = check_file(path, name)
    assert result.internal_error is None, result.internal_error
    return result


def model(tmp_path: Path, text: str) -> Runbook:
    result = checked(tmp_path, text)
    assert result.format == "markdown" and result.runbook is not None
    return result.runbook


def cli(*arguments: str) -> subprocess.CompletedProcess[str]:
    """The CLI as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "recoverylint", *arguments], capture_output=True, text=True, timeout=120
    )


def found(result: FileResult) -> list[tuple[str, int]]:
    return sorted((f.code, f.span.line) for f in result.findings)


# -- the fixture: what the issue says it finds ------------------------------


def test_crashloop_page_findings_at_the_list_items_and_commands():
    result = check_file(CRASHLOOP, "pod-crashloop.md")
    assert result.format == "markdown"
    assert found(result) == [
        # the logs need the pod found first (a fact); the nodes and routes need nothing
        ("RL201", 14),
        ("RL201", 15),
        # deleting the pods needs neither option, only the pod the logs came from
        ("RL201", 24),
        # two options patching one deployment, nothing saying choose one
        ("RL403", 21),
        # each option changes the deployment and nothing checks it after
        # (located at the command), nor the delete (at its command's line)
        ("RL601", 21),
        ("RL601", 22),
        ("RL601", 25),
        # the delete: no way back
        ("RL603", 24),
    ]
    messages = {f.code: f.message for f in result.findings}
    assert "`diagnosis-3` waits for `diagnosis-2`" in [f.message for f in result.findings if f.span.line == 14][0]
    assert "`mitigation-1` and `mitigation-2` exclude each other" in messages["RL403"]
    assert "`k8s/shop/pod`" in messages["RL603"]
    assert [f.span.column for f in result.findings if f.code == "RL601"][:2] == [28, 28]


def test_crashloop_page_model():
    runbook = check_file(CRASHLOOP, "pod-crashloop.md").runbook
    assert runbook is not None
    assert runbook.id == "podcrashlooping" and runbook.title == "PodCrashLooping"
    first = step(runbook, "diagnosis-1")
    assert first.phase is Phase.DIAGNOSE
    assert names(first.reads) == ["k8s/shop/pod"] and names(first.outputs) == ["$POD"]
    # the command's line and column in the page, inside the list item's fence
    assert (first.reads[0].span.line, first.reads[0].span.column) == (11, 10)
    logs = step(runbook, "diagnosis-2")
    assert names(logs.inputs) == ["$POD"] and names(logs.reads) == ["k8s/shop/pod/$POD"]
    assert names(step(runbook, "diagnosis-3").reads) == ["k8s/node"]
    restart, patch = step(runbook, "mitigation-1"), step(runbook, "mitigation-2")
    assert restart.phase is Phase.REMEDIATE
    assert names(restart.writes) == names(patch.writes) == ["k8s/shop/deployment/web"]
    assert names(restart.excludes) == ["mitigation-2"] and names(patch.excludes) == ["mitigation-1"]
    assert names(step(runbook, "mitigation-3").writes) == ["k8s/shop/pod"]
    assert order_edges(runbook) == {
        ("diagnosis-1", "diagnosis-2"), ("diagnosis-2", "diagnosis-3"), ("diagnosis-3", "diagnosis-4"),
        ("diagnosis-4", "mitigation-1"), ("diagnosis-4", "mitigation-2"),
        ("mitigation-1", "mitigation-3"), ("mitigation-2", "mitigation-3"),
    }
    required = data_edges(runbook)
    assert ("diagnosis-1", "diagnosis-2") in required  # the fact $POD
    assert ("diagnosis-2", "diagnosis-3") not in required
    assert ("diagnosis-4", "mitigation-1") in required  # mitigation after diagnosis: the method


# -- phases, steps and order -------------------------------------------------


@pytest.mark.parametrize(
    ("heading", "phase"),
    [
        ("Diagnosis", Phase.DIAGNOSE), ("INVESTIGATION", Phase.DIAGNOSE), ("Troubleshooting steps", Phase.DIAGNOSE),
        ("Mitigation", Phase.REMEDIATE), ("Remediation:", Phase.REMEDIATE), ("Resolution", Phase.REMEDIATE),
        ("Verification", Phase.VERIFY), ("Validation", Phase.VERIFY),
        ("Escalation", Phase.COMMUNICATE), ("Communication", Phase.COMMUNICATE),
        ("Impact", None), ("Meaning", None),
        # the first phase word decides, whatever the order of a set of words
        ("Diagnosis and mitigation", Phase.DIAGNOSE), ("Mitigation after diagnosis", Phase.REMEDIATE),
    ],
)
def test_heading_phases(heading, phase):
    assert phase_of(heading) is phase


def test_subheadings_inherit_and_a_sibling_heading_ends_a_phase(tmp_path):
    runbook = model(tmp_path, """
        # X
        ## Mitigation
        ### Slow disk
        - `systemctl restart etcd`
        ## Verification
        - `systemctl status etcd`
        ## Notes
        - Ask in the channel.
        - `oc get pods -n a`
    """)
    assert [(s.id, s.phase) for s in runbook.steps] == [
        ("slow-disk-1", Phase.REMEDIATE), ("verification-1", Phase.VERIFY), ("notes-1", None),
    ]


def test_a_verification_section_verifies_the_change(tmp_path):
    result = checked(tmp_path, """
        # X
        ## Diagnosis
        - `systemctl status etcd`
        ## Mitigation
        - `systemctl restart etcd`
        ## Verification
        - `systemctl status etcd`
    """)
    assert "RL601" not in [f.code for f in result.findings]


def test_a_check_after_a_change_in_the_mitigation_is_its_verification(tmp_path):
    runbook = model(tmp_path, """
        # X
        ## Mitigation
        1. `oc scale deployment/web --replicas=3 -n shop`
        2. Check that the pods run again: `oc get deployment/web -n shop`
    """)
    assert step(runbook, "mitigation-2").phase is Phase.VERIFY
    assert step(runbook, "mitigation-1").phase is Phase.REMEDIATE


def test_unknown_and_prose_steps_are_never_called_independent(tmp_path):
    result = checked(tmp_path, """
        # X
        ## Diagnosis
        1. Look at the dashboard.
        2. `./collect-everything.sh`
        3. `oc get pods -n a`
        4. `oc get nodes`
    """)
    # only 3 -> 4: both known, independent
    assert found(result) == [("RL201", 6)]
    runbook = result.runbook
    assert runbook is not None
    reasons = [need.reason for need in step(runbook, "diagnosis-2").needs]
    assert reasons == ["what `diagnosis-2` does is not known from its commands"]
    # The script may change what both lookups read: the second needs it, through the first.
    assert [(need.step, need.reason) for need in step(runbook, "diagnosis-4").needs] == [
        ("diagnosis-2", "what `diagnosis-2` does is not known from its commands")
    ]
    assert "it needs only `diagnosis-2`" in result.findings[0].message


def test_fenced_blocks_outside_lists_are_steps_titled_by_the_paragraph_before(tmp_path):
    runbook = model(tmp_path, """
        # X
        ## Mitigation
        Defragment the members:

        ```console
        $ etcdctl defrag
        ```

        ```yaml
        not: shell
        ```
    """)
    assert [(s.id, s.title, names(s.writes)) for s in runbook.steps] == [
        ("mitigation-1", "Defragment the members:", ["etcd"]),
    ]
    assert runbook.steps[0].span.line == 5  # the fence


def test_options_a_paragraph_says_to_choose_are_decided_by_the_step_before(tmp_path):
    result = checked(tmp_path, """
        # X
        ## Mitigation
        1. `oc get deployment/web -n shop`
        2. Either:
           - `oc rollout undo deployment/web -n shop`
           - `oc scale deployment/web --replicas=0 -n shop`
    """)
    runbook = result.runbook
    assert runbook is not None
    assert names(step(runbook, "mitigation-2").decides) == ["mitigation-3", "mitigation-4"]
    assert "RL403" not in [f.code for f in result.findings]


def test_cases_with_nothing_before_them_are_read_in_order(tmp_path):
    runbook = model(tmp_path, """
        # X
        ## Diagnosis
        Depending on the backing store:
        - If it is S3, `aws s3 ls s3://bucket`
        - If it is a volume, `oc get pvc -n store`
    """)
    assert all(not s.excludes for s in runbook.steps)
    assert order_edges(runbook) == {("diagnosis-1", "diagnosis-2")}


def test_a_variable_of_the_environment_is_no_fact(tmp_path):
    runbook = model(tmp_path, """
        # X
        ## Diagnosis
        - `oc get pods -n $NAMESPACE`
    """)
    assert runbook.steps[0].inputs == ()
    assert names(runbook.steps[0].reads) == ["k8s/$NAMESPACE/pod"]


# -- which pages are runbooks ------------------------------------------------


def test_a_readme_in_a_folder_is_not_discovered_as_a_runbook(tmp_path):
    (tmp_path / "README.md").write_text("# Tool\n\n## Installation\n\n```bash\npip install tool\n```\n")
    (tmp_path / "notes.md").write_text("# Design\n\n## Verification\n\n- we check things\n\n## Bug fixes\n")
    (tmp_path / "runbook.md").write_text("# X\n\n## Mitigation\n\n- `systemctl restart etcd`\n")
    files = sorted(path.name for path, explicit in discover([tmp_path]))
    assert files == ["README.md", "notes.md", "runbook.md"]
    results = {path.name: check_file(path, path.name, explicit) for path, explicit in discover([tmp_path])}
    assert results["README.md"].skipped and results["notes.md"].skipped
    assert results["runbook.md"].format == "markdown"


def test_a_named_page_that_is_no_runbook_is_rl003_saying_why(tmp_path):
    result = checked(tmp_path, "# Tool\n\n## Installation\n\n- run it\n", "README.md")
    assert [(f.code, f.span.line) for f in result.findings] == [("RL003", 1)]
    assert "no Mitigation heading, nor a Diagnosis or Triage heading" in result.findings[0].message


def test_detection_reads_only_markdown_documents():
    assert FORMAT.detect(parse("# X\n## Diagnosis\n- a\n"))
    assert not FORMAT.detect(parse("# X\n## Meaning\n- a\n"))
    assert input_formats()["markdown"] is FORMAT


# -- the CLI -----------------------------------------------------------------


def test_cli_check_json_and_exit_status():
    outcome = cli("check", "--format", "json", "--no-cache", str(CRASHLOOP))
    assert outcome.returncode == 1, outcome.stderr
    codes = sorted(item["code"] for item in json.loads(outcome.stdout)["findings"])
    assert codes == ["RL201", "RL201", "RL201", "RL403", "RL601", "RL601", "RL601", "RL603"]


def test_cli_input_format_markdown_reads_a_page_of_any_name(tmp_path):
    page = tmp_path / "runbook.txt"
    page.write_text(CRASHLOOP.read_text(encoding="utf-8"), encoding="utf-8")
    outcome = cli("check", "--no-cache", "--input-format", "markdown", str(page))
    assert outcome.returncode == 1 and "RL403" in outcome.stdout, outcome.stderr


def test_cli_verbose_says_which_rules_are_skipped_and_why():
    outcome = cli("check", "--no-cache", "--verbose", str(CRASHLOOP))
    said = outcome.stdout + outcome.stderr
    assert "1 file read as Markdown runbook; rules skipped on it: RL404, RL405, RL501" in said
    assert "(a Markdown page names no roles, approvers or team)" in said
    assert "RL701, RL702 (a Markdown page names no team or incident commander for its reader to follow)" in said


def test_cli_plan():
    outcome = cli("plan", "--format", "json", str(CRASHLOOP))
    assert outcome.returncode == 0, outcome.stderr
    plan = json.loads(outcome.stdout)
    assert "diagnosis-3" in json.dumps(plan)


def test_cli_convert_to_a_native_runbook_that_reads_cleanly(tmp_path):
    target = tmp_path / "converted.yaml"
    outcome = cli("convert", str(CRASHLOOP), "--output", str(target))
    assert outcome.returncode == 0, outcome.stderr
    text = target.read_text(encoding="utf-8")
    assert "k8s/shop/deployment/web" in text and "phase: diagnose" in text
    again = cli("check", "--no-cache", "--format", "json", str(target))
    codes = {item["code"] for item in json.loads(again.stdout)["findings"]}
    assert not codes & {"RL001", "RL002", "RL003", "RL102"}
    assert {"RL201", "RL403"} <= codes


# -- false findings of the hand review (docs/real-world-review.md), fixed ----


def test_a_step_filling_in_a_placeholder_may_need_the_step_before(tmp_path):
    """CDIDataVolumeUnusualRestartCount.md: `<namespace>` and `<pod>` come
    from the pods the first step lists; the wait is not a false gate."""
    result = checked(tmp_path, """
        # X
        ## Diagnosis
        1. Find the pods with restarts: `oc get pods -A -l app=cdi`
        2. Describe them: `oc -n <namespace> describe pods <pod>`
        3. And an environment value: `oc get events -n $NS`
    """)
    assert found(result) == []
    runbook = result.runbook
    assert runbook is not None
    assert [need.reason for need in step(runbook, "diagnosis-2").needs] == [
        "`diagnosis-2` uses `<namespace>`, which the reader fills in, perhaps from a step before"
    ]
    assert [need.reason for need in step(runbook, "diagnosis-3").needs] == [
        "`diagnosis-3` uses `$NS`, which the reader fills in, perhaps from a step before"
    ]


def test_a_check_of_something_no_change_wrote_is_no_verification(tmp_path):
    """MachineConfigControllerDrainError.md: after patching a PDB, "Check if
    it's a mutating or validating webhook" reads the webhooks, which nothing
    before it changed: more diagnosis, not a verification (RL303 said it
    verified the changes after it)."""
    result = checked(tmp_path, """
        # X
        ## Mitigation
        - Patch the PDB: `oc patch pdb p -n ns --type=merge -p '{}'`
        - If a webhook is preventing the pod deletion:
            1. Check if it's a mutating or validating webhook: `oc get validatingwebhookconfiguration`
            2. Delete it: `oc delete validatingwebhookconfiguration hook`
        - Check the PDB again: `oc get pdb p -n ns`
    """)
    runbook = result.runbook
    assert runbook is not None
    assert step(runbook, "mitigation-3").phase is Phase.REMEDIATE
    assert step(runbook, "mitigation-5").phase is Phase.VERIFY  # it reads the patched PDB
    assert "RL303" not in [f.code for f in result.findings]


def test_an_unused_fact_is_suggested_in_the_page_s_words(tmp_path):
    """RL105 on a page says what to do in it (a command, an assignment), not
    native `inputs` a page has none of."""
    page = """\
        # PVCFull

        ## Diagnosis

        1. Find the claim:
           ```bash
           CLAIM=$(kubectl get pvc -n shop -o name | head -1)
           ```
        2. Look at another one:
           ```bash
           CLAIM=$(kubectl get pvc -n shop -o name | tail -1)
           kubectl describe $CLAIM -n shop
           ```
        """
    (finding,) = [f for f in checked(tmp_path, textwrap.dedent(page)).findings if f.code == "RL105"]
    assert finding.message == "`diagnosis-1` outputs `$CLAIM`, but no step uses it"
    assert finding.suggestion == (
        "use `$CLAIM` in the command of a later step that relies on it, or drop its assignment in `diagnosis-1`"
    )
