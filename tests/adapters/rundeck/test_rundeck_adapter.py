"""The Rundeck adapter: job YAML read as runbooks (recoverylint.adapters.rundeck)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from adapter_support import FIXTURES, adapt, data_edges, fixture, names, order_edges, step

from recoverylint.adapters import discovery_keys, input_formats
from recoverylint.engine import check_text
from recoverylint.source import parse

RUNDECK = input_formats()["rundeck"]
RESTART = FIXTURES / "rundeck" / "restart.yaml"
RULESET = FIXTURES / "rundeck" / "ruleset.yaml"


def read(name: str):
    return adapt(fixture(f"rundeck/{name}"), "rundeck", path=f"rundeck/{name}")


def cli(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "recoverylint", *arguments], capture_output=True, text=True, timeout=60
    )


def job(commands: str, sequence: str = "", top: str = "") -> str:
    """One job whose `sequence.commands` are the given lines (each `- ...`)."""
    return (
        f"- name: j\n{top}  sequence:\n{sequence}    commands:\n"
        + "".join(f"    {line}\n" for line in commands.strip("\n").split("\n"))
    )


# -- detection -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        job("- exec: uptime"),
        "- name: j\n  sequence: {commands: []}\n",
        "- sequence:\n    commands: {a: 1}\n",  # claims the format: RL002 says what is wrong
    ],
)
def test_job_lists_are_detected(text):
    assert RUNDECK.detect(parse(text))


@pytest.mark.parametrize(
    "text",
    [
        "- name: a\n  sequence: [1, 2]\n",  # a list of things with a `sequence` list
        "sequence:\n  commands: []\n",  # a mapping, not a job list
        "- name: a\n  sequence: {commands: []}\n- just words\n",  # not every item is a job
        "- {name: a}\n",
        "",
    ],
)
def test_near_misses_are_not_detected(text):
    assert not RUNDECK.detect(parse(text))


def test_discovery_looks_for_the_sequence_key():
    assert discovery_keys("rundeck").search("  sequence:\n")
    assert not discovery_keys("rundeck").search("  commands:\n")


# -- order -----------------------------------------------------------------------


def test_node_first_runs_the_commands_in_order_and_reads_their_resources():
    runbook = read("restart.yaml").runbook
    ids = [s.id for s in runbook.steps]
    assert ids == ["look-at-the-pods", "look-at-the-events", "restart", "check-the-rollout"]
    assert order_edges(runbook) == set(zip(ids, ids[1:], strict=False))
    assert names(step(runbook, "restart").writes) == ["k8s/prod/deployment/api"]
    assert names(step(runbook, "check-the-rollout").reads) == ["k8s/prod/deployment/api"]
    # Only the check needs the restart: the two looks before it are independent.
    assert data_edges(runbook) == {("restart", "check-the-rollout")}
    # The script's command is on the line after `script: |-`.
    assert step(runbook, "restart").writes[0].span.line == 18
    assert runbook.title == "restart api"


def test_independent_reads_in_sequence_are_rl201_told_in_words():
    found = check_text(RESTART.read_text(encoding="utf-8"), "restart.yaml").findings
    assert [(f.code, f.span.line) for f in found] == [("RL201", 14), ("RL201", 16)]
    assert found[0].suggestion == "let it start at once"


def test_parallel_runs_the_commands_together():
    runbook = read("parallel.yaml").runbook
    assert order_edges(runbook) == set()
    assert check_text(fixture("rundeck/parallel.yaml"), "parallel.yaml").findings == []


def test_a_step_of_unknown_effect_keeps_its_waits():
    text = job("- exec: kubectl get pods -n a\n- scriptfile: /opt/fix.sh\n- exec: kubectl get pods -n b")
    runbook = adapt(text, "rundeck").runbook
    assert data_edges(runbook) == {("step-1", "step-2"), ("step-2", "step-3")}
    assert "not known" in step(runbook, "step-2").needs[0].reason
    assert check_text(text, "j.yaml").findings == []


def test_a_step_after_one_of_unknown_effect_needs_it_through_the_steps_between():
    text = job("- scriptfile: /opt/fix.sh\n- exec: kubectl get pods -n a\n- exec: kubectl get pods -n b")
    runbook = adapt(text, "rundeck").runbook
    assert data_edges(runbook) == {("step-1", "step-2"), ("step-1", "step-3")}
    found = check_text(text, "j.yaml").findings
    assert [(f.code, f.message.split(". ")[0]) for f in found] == [
        ("RL201", "`step-3` waits for `step-2` but uses nothing from it; it needs only `step-1`")
    ]


def test_options_are_given_and_their_uses_are_inputs():
    runbook = read("restart.yaml").runbook
    assert names(runbook.given) == ["option.namespace"]
    assert names(step(runbook, "look-at-the-pods").inputs) == ["option.namespace"]
    text = job(
        "- exec: echo @option.a@ $RD_OPTION_B_C\n- exec: echo ${option.unknown}",
        top="  options:\n  - name: a\n  - name: b.c\n",
    )
    runbook = adapt(text, "rundeck").runbook
    assert names(step(runbook, "step-1").inputs) == ["option.a", "option.b.c"]
    assert names(step(runbook, "step-2").inputs) == []


# -- ruleset ---------------------------------------------------------------------


def test_ruleset_directives_give_waits_and_needs():
    runbook = read("ruleset.yaml").runbook
    assert order_edges(runbook) == {
        ("read-dns", "read-ingress"),
        ("read-dns", "fail-over-east"),
        ("read-dns", "fail-over-west"),
        ("fail-over-east", "check"),
        ("fail-over-west", "check"),
    }
    assert [n.step for n in step(runbook, "check").needs] == ["fail-over-east", "fail-over-west"]
    # The rule is where the wait is written.
    assert step(runbook, "fail-over-west").needs[0].span.line == 13


def test_ruleset_conditions_that_cannot_both_hold_are_alternatives_decided_before_both():
    runbook = read("ruleset.yaml").runbook
    assert names(step(runbook, "fail-over-east").excludes) == ["fail-over-west"]
    assert names(step(runbook, "read-dns").decides) == ["fail-over-east", "fail-over-west"]
    codes = [f.code for f in check_text(RULESET.read_text(encoding="utf-8"), "ruleset.yaml").findings]
    assert codes == ["RL201"]  # read-ingress needs nothing of read-dns; no RL401/RL403 on the alternatives


def test_if_and_unless_of_one_expression_exclude_each_other():
    rules = "[1] if:option.x==y\\n[2] unless:option.x==y\\n[3] if:option.z==y"
    text = job(
        "- exec: kubectl delete pod a -n p\n- exec: kubectl delete pod a -n p\n- exec: kubectl get pod a -n p",
        sequence=f"    strategy: ruleset\n    pluginConfig:\n      WorkflowStrategy:\n        ruleset:\n"
        f'          rules: "{rules}"\n',
    )
    runbook = adapt(text, "rundeck").runbook
    assert names(step(runbook, "step-1").excludes) == ["step-2"]
    assert names(step(runbook, "step-3").excludes) == []


def test_a_rule_naming_no_step_is_rl102_at_the_rule():
    text = job(
        "- exec: uptime\n- exec: uptime",
        sequence="    strategy: ruleset\n    pluginConfig:\n      WorkflowStrategy:\n        ruleset:\n"
        "          rules: |-\n            [*] run-in-sequence\n            [Deploy] run-at-start\n",
    )
    found = [(f.code, f.span.line) for f in check_text(text, "j.yaml").findings]
    assert found == [("RL102", 9), ("RL201", 12)]


# -- failure paths, job references ------------------------------------------------


def test_an_error_handler_is_the_failure_path_and_decides_when_the_job_stops():
    runbook = read("errorhandler.yaml").runbook
    stops = step(runbook, "1-drain/drain")
    assert names(stops.on_failure) == ["1-drain/drain-errorhandler"]
    assert names(stops.decides) == ["1-drain/drain-errorhandler", "1-drain/delete"]
    assert names(step(runbook, "1-drain/delete").excludes) == ["1-drain/drain-errorhandler"]
    goes_on = order_edges(runbook)
    assert ("2-drain-and-go-on/drain-errorhandler", "2-drain-and-go-on/delete") in goes_on
    assert "fails" in step(runbook, "2-drain-and-go-on/drain-errorhandler").needs[0].reason
    # The file's two jobs do not run together: the second starts after the first.
    assert ("1-drain/delete", "2-drain-and-go-on/drain") in goes_on
    assert check_text(fixture("rundeck/errorhandler.yaml"), "errorhandler.yaml").findings == []


def test_a_job_reference_within_the_file_does_what_that_job_does():
    runbook = read("jobref.yaml").runbook
    # The called job is no step of its own.
    assert [s.id for s in runbook.steps] == ["2-recover/scale", "2-recover/elsewhere", "2-recover/check"]
    assert names(step(runbook, "2-recover/scale").writes) == ["k8s/prod/deployment/api"]
    assert step(runbook, "2-recover/scale").title == "Scale"
    # A job of another file: not known, so the waits around it are kept.
    assert ("2-recover/elsewhere", "2-recover/check") in data_edges(runbook)
    assert check_text(fixture("rundeck/jobref.yaml"), "jobref.yaml").findings == []


def test_a_command_that_is_not_a_mapping_is_rl002_at_it():
    found = [(f.code, f.span.line) for f in check_text(job("- exec: uptime\n- just words"), "j.yaml").findings]
    assert found == [("RL002", 5)]


# -- the command line ---------------------------------------------------------------


def test_cli_check_forced_format_and_verbose(tmp_path):
    copy = tmp_path / "anything.txt.yml"
    copy.write_text(RESTART.read_text(encoding="utf-8"), encoding="utf-8")
    outcome = cli("check", "--no-cache", "--verbose", "--input-format", "rundeck", str(copy))
    assert outcome.returncode == 1, outcome.stderr
    said = outcome.stdout + outcome.stderr
    assert "RL201" in said
    assert "1 file read as Rundeck job; rules skipped on it: RL303, RL304, RL306" in said
    assert "(a Rundeck job names no roles or approvers: its access rules are kept apart from it)" in said


def test_cli_forced_on_what_is_no_job_is_rl003(tmp_path):
    other = tmp_path / "other.yml"
    other.write_text("a: 1\n", encoding="utf-8")
    outcome = cli("check", "--no-cache", "--format", "json", "--input-format", "rundeck", str(other))
    found = json.loads(outcome.stdout)["findings"]
    assert [(f["code"], f["message"]) for f in found] == [
        ("RL003", "this file is not a Rundeck job document (`--input-format rundeck`)")
    ]


def test_cli_finds_jobs_in_a_directory(tmp_path):
    (tmp_path / "restart.yaml").write_text(RESTART.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "notes.yml").write_text("- a: 1\n", encoding="utf-8")
    outcome = cli("check", "--no-cache", "--format", "json", str(tmp_path))
    found = json.loads(outcome.stdout)["findings"]
    assert {(f["path"].rsplit("/", 1)[-1], f["code"]) for f in found} == {("restart.yaml", "RL201")}


def test_cli_plan_leaves_out_one_alternative():
    outcome = cli("plan", str(RULESET))
    assert outcome.returncode == 0, outcome.stderr
    assert "Left out: fail-over-west" in outcome.stdout


def test_cli_convert_to_a_native_runbook_that_reads_cleanly(tmp_path):
    target = tmp_path / "converted.yaml"
    outcome = cli("convert", str(RESTART), "--output", str(target))
    assert outcome.returncode == 0, outcome.stderr
    text = target.read_text(encoding="utf-8")
    assert "runbook: restart" in text and "given: [option.namespace]" in text
    again = cli("check", "--no-cache", "--format", "json", str(target))
    codes = {item["code"] for item in json.loads(again.stdout)["findings"]}
    assert not codes & {"RL001", "RL002", "RL003", "RL102", "RL104"}
    assert "RL201" in codes
