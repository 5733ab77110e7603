"""The Cortex XSOAR adapter: playbooks read as runbooks (recoverylint.adapters.xsoar)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from adapter_support import FIXTURES, adapt, data_edges, fixture, names, order_edges, step

from recoverylint.adapters import input_formats
from recoverylint.engine import check_text
from recoverylint.source import parse

XSOAR = input_formats()["xsoar"]
ENRICHMENT = FIXTURES / "xsoar" / "enrichment.yml"
BRANCHES = FIXTURES / "xsoar" / "branches.yml"


def read(name: str):
    return adapt(fixture(f"xsoar/{name}"), "xsoar", path=f"xsoar/{name}")


def cli(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "recoverylint", *arguments], capture_output=True, text=True, timeout=60
    )


def playbook(tasks: str, extra: str = "") -> str:
    """A playbook starting at task `1`, with the given (dedented) `tasks` body."""
    return "id: p\nversion: -1\nname: P\nstarttaskid: '1'\ntasks:\n" + textwrap.indent(
        textwrap.dedent(tasks), "  "
    ) + textwrap.dedent(extra)


# -- detection and the model ---------------------------------------------------


def test_playbooks_are_detected_and_other_tasks_mappings_are_not():
    assert XSOAR.detect(parse(fixture("xsoar/enrichment.yml")))
    assert not XSOAR.detect(parse("version: 1.0\ntasks: {a: {action: core.noop}}\n"))  # Orquesta
    assert not XSOAR.detect(parse("starttaskid: '0'\ntasks: [a]\n"))
    assert "starttaskid" in XSOAR.keys


def test_start_and_title_tasks_are_no_steps_and_waits_pass_through_them():
    runbook = read("enrichment.yml").runbook
    assert runbook.format == "xsoar" and runbook.title == "Enrichment"
    assert [s.id for s in runbook.steps] == ["enrich-ip", "enrich-domain", "block-ip"]
    assert [s.title for s in runbook.steps] == ["Enrich IP", "Enrich domain", "Block IP"]
    assert order_edges(runbook) == {("enrich-ip", "enrich-domain"), ("enrich-domain", "block-ip")}


def test_context_read_after_enrichments_waits_for_every_one_that_may_have_written_it():
    runbook = read("enrichment.yml").runbook
    assert names(step(runbook, "block-ip").inputs) == ["enrich-ip.IP", "enrich-domain.IP"]
    assert names(runbook.given) == ["inputs.IP", "inputs.Domain"]
    assert names(step(runbook, "enrich-ip").inputs) == ["inputs.IP"]
    edges = data_edges(runbook)
    assert {("enrich-ip", "block-ip"), ("enrich-domain", "block-ip")} <= edges
    assert ("enrich-ip", "enrich-domain") not in edges
    # An output it may not write is never missing: no RL307 asks about it.
    assert names(step(runbook, "enrich-ip").outputs_when_skipped) == ["enrich-ip.IP"]


def test_independent_enrichments_in_sequence_are_a_false_gate_told_in_words():
    found = [f for f in check_text(fixture("xsoar/enrichment.yml"), "e.yml").findings if f.code == "RL201"]
    assert [(f.span.line, f.message.split(";")[0]) for f in found] == [
        (28, "`enrich-domain` waits for `enrich-ip` but uses nothing from it")
    ]
    # XSOAR has no `needs` key and no `parallel:` block: the help says what to
    # do, and that `block-ip`, which reads what `enrich-ip` wrote and waits
    # for it only through `enrich-domain`, must then wait for it itself.
    assert found[0].suggestion == "let it start at once; then make `block-ip` wait for `enrich-ip`"


def test_a_condition_decides_between_its_branches_and_its_choices_are_required():
    runbook = read("branches.yml").runbook
    decide = step(runbook, "any-hosts")
    assert names(decide.decides) == ["review-by-hand", "isolate-hosts"]  # `#default#` is written first
    assert names(step(runbook, "isolate-hosts").excludes) == ["review-by-hand"]
    edges = data_edges(runbook)
    assert {("any-hosts", "isolate-hosts"), ("any-hosts", "review-by-hand")} <= edges
    assert ("find-hosts", "any-hosts") in edges  # it reads `Vendor.Host`, which the search may write


def test_branches_meeting_again_and_a_human_step_keep_their_waits():
    runbook = read("branches.yml").runbook
    raise_severity = step(runbook, "raise-severity")
    reasons = {need.step: need.reason for need in raise_severity.needs}
    assert reasons["review-by-hand"] == "the playbook waits for people at `review-by-hand`"
    assert "only on the branches" in reasons["isolate-hosts"]
    assert {("isolate-hosts", "raise-severity"), ("review-by-hand", "raise-severity")} <= data_edges(runbook)
    # People look at whatever came before them.
    assert names(step(runbook, "review-by-hand").observes) == ["*"]


def test_integration_commands_are_resources_and_incident_fields_facts():
    runbook = read("branches.yml").runbook
    assert names(step(runbook, "find-hosts").reads) == ["xsoar/vendor"]
    assert names(step(runbook, "isolate-hosts").writes) == ["xsoar/vendor"]
    assert names(step(runbook, "raise-severity").outputs) == ["incident.severity"]
    assert names(step(runbook, "keep-the-verdict").inputs) == ["incident.severity"]
    assert ("raise-severity", "keep-the-verdict") in data_edges(runbook)


def test_a_set_key_is_a_fact_only_when_a_later_task_reads_it():
    text = playbook("""
        '1': {id: '1', type: regular, task: {name: Keep, scriptName: Set},
              scriptarguments: {key: {simple: Found}, value: {simple: x}}, nexttasks: {'#none#': ['2']}}
        '2': {id: '2', type: regular, task: {name: Use, script: '|||x-get-thing'},
              scriptarguments: {id: {simple: '${Found.ID}'}}, nexttasks: {'#none#': ['3']}}
        '3': {id: '3', type: regular, task: {name: Keep again, scriptName: Set},
              scriptarguments: {key: {simple: Unused}, value: {simple: y}}}
    """)
    runbook = adapt(text, "xsoar").runbook
    assert names(step(runbook, "keep").outputs) == ["Found"]
    assert names(step(runbook, "use").inputs) == ["Found"]
    assert step(runbook, "keep-again").outputs == ()
    assert not [f for f in check_text(text).findings if f.code == "RL105"]


def test_last_completed_task_entries_are_the_output_of_the_task_before():
    text = playbook("""
        '1': {id: '1', type: regular, task: {name: Print, scriptName: Print}, nexttasks: {'#none#': ['2']}}
        '2': {id: '2', type: regular, task: {name: Read, scriptName: ReadIt},
              scriptarguments: {entry: {simple: '${lastCompletedTaskEntries}'}}}
    """)
    runbook = adapt(text, "xsoar").runbook
    assert names(step(runbook, "read").inputs) == ["print.lastCompletedTaskEntries"]
    assert ("print", "read") in data_edges(runbook)


def test_sleep_and_polling_keep_the_waits_around_them():
    text = playbook("""
        '1': {id: '1', type: regular, task: {name: Submit, script: '|||sandbox-submit'}, nexttasks: {'#none#': ['2']}}
        '2': {id: '2', type: regular, task: {name: Wait, scriptName: Sleep},
              scriptarguments: {seconds: {simple: '90'}}, nexttasks: {'#none#': ['3']}}
        '3': {id: '3', type: playbook, task: {name: Poll, playbookName: GenericPolling}, nexttasks: {'#none#': ['4']}}
        '4': {id: '4', type: regular, task: {name: Report, script: '|||sandbox-report'}}
    """)
    runbook = adapt(text, "xsoar").runbook
    assert {("submit", "wait"), ("wait", "poll"), ("poll", "report")} <= data_edges(runbook)
    assert step(runbook, "wait").duration is not None and step(runbook, "wait").duration.likely == 1.5


def test_an_error_path_is_the_failure_path_and_skipunavailable_a_condition():
    text = playbook("""
        '1': {id: '1', type: regular, task: {name: Block, script: '|||fw-block'}, skipunavailable: true,
              nexttasks: {'#none#': ['2'], '#error#': ['3']}}
        '2': {id: '2', type: regular, task: {name: Log, scriptName: Print}}
        '3': {id: '3', type: regular, task: {name: Report error, scriptName: PrintErrorEntry}}
    """)
    runbook = adapt(text, "xsoar").runbook
    block = step(runbook, "block")
    assert names(block.on_failure) == ["report-error"]
    assert block.condition is not None and "skipunavailable" in block.condition.name
    assert ("block", "report-error") in data_edges(runbook)


def test_names_taken_or_missing_give_ids_from_the_task_key():
    text = playbook("""
        '1': {id: '1', type: regular, task: {name: Same, script: '|||a'}, nexttasks: {'#none#': ['2']}}
        '2': {id: '2', type: regular, task: {name: Same, script: '|||b'}, nexttasks: {'#none#': ['3']}}
        '3': {id: '3', type: regular, task: {name: ''}}
    """)
    assert [s.id for s in adapt(text, "xsoar").runbook.steps] == ["same", "same-2", "task-3"]


# -- false findings of the hand review (docs/real-world-review.md), fixed -------


def test_a_sub_playbook_reads_the_incident_fields_set_before_it():
    """QRadar Access Investigation: `Set QRadar information into access custom
    fields` (setIncident) comes before `Access Investigation - Generic`,
    which investigates the incident those fields describe."""
    text = playbook("""
        '1': {id: '1', type: regular, task: {name: Set fields, script: 'Builtin|||setIncident'},
              scriptarguments: {src: {simple: '${QRadar.SrcIP}'}}, nexttasks: {'#none#': ['2']}}
        '2': {id: '2', type: playbook, task: {name: Investigate, playbookName: Access Investigation - Generic}}
    """)
    runbook = adapt(text, "xsoar").runbook
    assert names(step(runbook, "investigate").inputs) == ["incident.src"]
    assert not [f for f in check_text(text).findings if f.code == "RL201"]


def test_a_condition_on_an_incident_field_waits_for_the_sub_playbook_that_may_set_it():
    """Endpoint Malware Investigation: `Perform auto-isolation?` compares the
    incident's severity, which `Calculate Severity - Standard` sets."""
    text = playbook("""
        '1': {id: '1', type: playbook, task: {name: Calculate Severity, playbookName: Calculate Severity - Standard},
              nexttasks: {'#none#': ['2']}}
        '2': {id: '2', type: condition, task: {name: Isolate}, nexttasks: {'#default#': ['3'], 'yes': ['3']},
              conditions: [{label: 'yes', condition: [[{operator: greaterThanOrEqual,
                left: {value: {complex: {root: incident, accessor: severity}}, iscontext: true},
                right: {value: {simple: '3'}}}]]}]}
        '3': {id: '3', type: regular, task: {name: Done, scriptName: Print}}
    """)
    runbook = adapt(text, "xsoar").runbook
    assert names(step(runbook, "isolate").inputs) == ["calculate-severity.incident.severity"]
    assert not [f for f in check_text(text).findings if f.code == "RL201"]


def test_a_commit_keeps_the_changes_on_either_side_of_it():
    """PAN-OS Block IP: the address object is committed (`PAN-OS Commit
    Configuration`) before the block rule is created."""
    text = playbook("""
        '1': {id: '1', type: regular, task: {name: Create address, script: '|||panorama-create-address'},
              nexttasks: {'#none#': ['2']}}
        '2': {id: '2', type: playbook, task: {name: Commit, playbookName: PAN-OS Commit Configuration},
              nexttasks: {'#none#': ['3']}}
        '3': {id: '3', type: regular, task: {name: Create rule, script: '|||panorama-custom-block-rule'}}
    """)
    runbook = adapt(text, "xsoar").runbook
    assert {("create-address", "commit"), ("commit", "create-rule")} <= data_edges(runbook)
    assert not [f for f in check_text(text).findings if f.code == "RL201"]


def test_closing_the_incident_waits_for_what_came_before_it():
    """SafeNet Trusted Access: the incident is closed as "User successfully
    removed" after the removal."""
    text = playbook("""
        '1': {id: '1', type: regular, task: {name: Remove user, script: '|||sta-remove-user-group'},
              nexttasks: {'#none#': ['2']}}
        '2': {id: '2', type: regular, task: {name: Close, script: 'Builtin|||closeInvestigation'},
              scriptarguments: {closeNotes: {simple: User removed}}}
    """)
    runbook = adapt(text, "xsoar").runbook
    assert ("remove-user", "close") in data_edges(runbook)
    assert not [f for f in check_text(text).findings if f.code == "RL201"]


def test_a_key_set_on_two_paths_is_used_from_both():
    """PAN-OS Block Destination Service: `PanoramaServiceName` is set before a
    condition and again on one of its branches; `Create Panorama Service`
    reads the second."""
    text = playbook("""
        '1': {id: '1', type: regular, task: {name: Set name, scriptName: Set},
              scriptarguments: {key: {simple: Name}, value: {simple: a}}, nexttasks: {'#none#': ['2']}}
        '2': {id: '2', type: condition, task: {name: Exists}, nexttasks: {'#default#': ['3'], 'yes': ['4']},
              conditions: [{label: 'yes', condition: [[{operator: isExists, left: {value: {simple: Name}, iscontext: true}}]]}]}
        '3': {id: '3', type: regular, task: {name: Set new name, scriptName: Set},
              scriptarguments: {key: {simple: Name}, value: {simple: b}}, nexttasks: {'#none#': ['4']}}
        '4': {id: '4', type: regular, task: {name: Create service, script: '|||panorama-create-service'},
              scriptarguments: {name: {simple: '${Name}'}}}
    """)
    runbook = adapt(text, "xsoar").runbook
    assert names(step(runbook, "set-new-name").outputs) == ["Name"]
    assert ("set-new-name", "create-service") in data_edges(runbook)
    assert not [f for f in check_text(text).findings if f.code == "RL201"]


# -- what it cannot read -------------------------------------------------------


def test_a_next_task_that_is_no_task_is_rl102_at_the_key():
    text = playbook("""
        '1': {id: '1', type: regular, task: {name: A}, nexttasks: {'#none#': ['9']}}
    """)
    found = [(f.code, f.span.line, f.message) for f in check_text(text).findings if f.code.startswith("RL1")]
    # Line 7: the task's `nexttasks` entry (line 6 is the first of `tasks`, blank here).
    assert found == [("RL102", 7, "the next task `9` refers to no step")]


def test_a_task_that_is_not_a_mapping_is_rl002_at_it():
    found = check_text(playbook("'1': just words\n")).findings
    assert [(f.code, f.span.line, f.message) for f in found] == [
        ("RL002", 6, "task `1` of `tasks` must be a mapping")
    ]


# -- the CLI -------------------------------------------------------------------


def test_cli_check_forced_format_and_verbose(tmp_path):
    copy = tmp_path / "anything.txt.yml"
    copy.write_text(ENRICHMENT.read_text(encoding="utf-8"), encoding="utf-8")
    outcome = cli("check", "--no-cache", "--verbose", "--input-format", "xsoar", str(copy))
    assert outcome.returncode == 1, outcome.stderr
    said = outcome.stdout + outcome.stderr
    assert "RL201" in said
    assert "1 file read as Cortex XSOAR playbook; rules skipped on it: RL303, RL304, RL306" in said
    assert "(the format names no roles, approvers or team)" in said


def test_cli_forced_on_what_is_no_playbook_is_rl003(tmp_path):
    other = tmp_path / "other.yml"
    other.write_text("version: 1.0\ntasks: {a: {action: core.noop}}\n", encoding="utf-8")
    outcome = cli("check", "--no-cache", "--format", "json", "--input-format", "xsoar", str(other))
    found = json.loads(outcome.stdout)["findings"]
    assert [(f["code"], f["message"]) for f in found] == [
        ("RL003", "this file is not a Cortex XSOAR playbook document (`--input-format xsoar`)")
    ]


def test_cli_finds_playbooks_in_a_directory(tmp_path):
    (tmp_path / "playbook-Enrichment.yml").write_text(ENRICHMENT.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "notes.yml").write_text("a: 1\n", encoding="utf-8")
    outcome = cli("check", "--no-cache", "--format", "json", str(tmp_path))
    paths = {Path(f["path"]).name for f in json.loads(outcome.stdout)["findings"]}
    assert paths == {"playbook-Enrichment.yml"}


def test_cli_plan():
    outcome = cli("plan", "--format", "json", str(BRANCHES))
    assert outcome.returncode == 0, outcome.stderr
    assert "isolate-hosts" in outcome.stdout


def test_cli_convert_to_a_native_runbook_that_reads_cleanly(tmp_path):
    target = tmp_path / "converted.yaml"
    outcome = cli("convert", str(ENRICHMENT), "--output", str(target))
    assert outcome.returncode == 0, outcome.stderr
    text = target.read_text(encoding="utf-8")
    assert "runbook: enrichment" in text and "inputs: [enrich-ip.IP, enrich-domain.IP]" in text
    again = cli("check", "--no-cache", "--format", "json", str(target))
    codes = {item["code"] for item in json.loads(again.stdout)["findings"]}
    assert not codes & {"RL001", "RL002", "RL003", "RL102", "RL104"}
    assert "RL201" in codes


def test_durations_a_condition_without_script_takes_none_a_sleep_its_seconds():
    """docs/format.md's table of each format's defaults, the `xsoar` row."""
    text = playbook("""
        '1': {id: '1', type: condition, task: {name: Test}, nexttasks: {'#default#': ['2'], 'yes': ['3']},
              conditions: [{label: 'yes', condition: [[{operator: isExists, left: {value: {simple: X}, iscontext: true}}]]}]}
        '2': {id: '2', type: regular, task: {name: Nap, scriptName: Sleep}, scriptarguments: {seconds: {simple: '30'}},
              nexttasks: {'#none#': ['4']}}
        '3': {id: '3', type: regular, task: {name: Look, script: '|||x-get'}}
        '4': {id: '4', type: condition, task: {name: Ask people}, nexttasks: {'#default#': ['3']}}
    """)
    runbook = adapt(text, "xsoar").runbook
    assert step(runbook, "test").duration is not None and step(runbook, "test").duration.likely == 0.0
    assert step(runbook, "nap").duration is not None and step(runbook, "nap").duration.likely == 0.5
    assert step(runbook, "look").duration is None
    assert step(runbook, "ask-people").duration is None  # people answer it
