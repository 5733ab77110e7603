"""The AWS SSM Automation adapter: mainSteps in list order or jumps as the
declared order, `{{ Step.Output }}` as facts, the ids passed to AWS as
resources, branches and failure jumps as alternatives, and the waits a
sleep, a check, an approval or a status report imply."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from adapter_support import (
    FIXTURES,
    adapt,
    check_json,
    data_edges,
    fixture,
    order_edges,
    step,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recoverylint.adapters import detect
from recoverylint.adapters.ssm import FORMAT
from recoverylint.engine import check_text
from recoverylint.model import EdgeKind
from recoverylint.source import parse

NAME = "ssm"


def adapted(name: str):
    return adapt(fixture(f"ssm/{name}"), NAME, path=f"runbooks/{name}")


def model(name: str):
    return adapted(name).runbook


def refs(found) -> set[tuple[str, int, int]]:
    return {(ref.name, ref.span.line, ref.span.column) for ref in found}


def needs(found) -> set[tuple[str, int, int]]:
    return {(need.step, need.span.line, need.span.column) for need in found}


def codes(text: str) -> list[tuple[str, int, int]]:
    found = check_text(text, "runbook.yaml").findings
    return sorted((f.code, f.span.line, f.span.column) for f in found)


# -- detection -----------------------------------------------------------------


def test_detects_automation_runbooks_yaml_and_json():
    assert FORMAT.name == NAME and FORMAT.title == "AWS SSM Automation or Command"
    assert FORMAT.wait_key is None
    assert detect(parse(fixture("ssm/sequence.yaml"))) is FORMAT
    assert detect(parse(fixture("ssm/branch.yaml"))) is FORMAT  # schemaVersion: 0.3, a number
    assert detect(parse(fixture("ssm/runbook.json"))) is FORMAT


@pytest.mark.parametrize(
    "text",
    [
        "",
        "just text\n",
        "- schemaVersion\n- mainSteps\n",
        "schemaVersion: '1.2'\nmainSteps: []\n",  # 1.2 has `runtimeConfig`
        "schemaVersion: '2.2'\nsteps: []\n",
        "schemaVersion: '3.0'\nmainSteps: []\n",
        "schemaVersion: '1.0'\nsessionType: Standard_Stream\ninputs: {}\n",  # a Session document
        "schemaVersion: '0.3'\nsteps: []\n",
        "schemaVersion: 0.31\nmainSteps: []\n",
        "schemaVersion: true\nmainSteps: []\n",
        "mainSteps: []\n",
        "runbook: r\nsteps: []\n",
    ],
)
def test_near_misses_are_not_ssm_documents(text):
    assert not FORMAT.detect(parse(text))


def test_a_later_document_of_the_stream_is_looked_at():
    text = "kind: Other\n---\nschemaVersion: '0.3'\nmainSteps:\n  - name: only\n    action: aws:sleep\n"
    assert FORMAT.detect(parse(text))
    assert [s.id for s in FORMAT.build(parse(text), "two.yaml", 5.0).runbook.steps] == ["only"]


def test_several_runbooks_in_one_stream_qualify_their_step_ids():
    text = (
        "schemaVersion: '0.3'\nmainSteps:\n"
        "  - name: a\n    action: aws:executeAwsApi\n    inputs: {Service: ec2, Api: DescribeInstances}\n"
        "  - name: b\n    action: aws:executeScript\n    inputs: {InputPayload: {Id: '{{ a.Id }}'}}\n"
        "---\nschemaVersion: '0.3'\nmainSteps:\n  - name: a\n    action: aws:sleep\n"
    )
    runbook = FORMAT.build(parse(text), "two.yaml", 5.0).runbook
    assert [s.id for s in runbook.steps] == ["1/a", "1/b", "2/a"]
    assert order_edges(runbook) == {("1/a", "1/b")}
    assert refs(step(runbook, "1/b").inputs) == {("1/a.Id", 8, 33)}


# -- steps and the declared order ----------------------------------------------


def test_steps_are_main_steps_with_titles_spans_and_sleep_durations():
    runbook = model("sequence.yaml")
    assert runbook.id == "sequence" and runbook.title == "Restart a stuck instance"
    assert runbook.format == NAME and runbook.wait_key is None
    assert (runbook.span.line, runbook.span.column) == (9, 1)  # `mainSteps`
    assert [(s.id, s.span.line, s.span.column) for s in runbook.steps] == [
        ("DescribeInstance", 10, 11),
        ("StopInstance", 21, 11),
        ("Settle", 28, 11),
        ("ListBuckets", 32, 11),
        ("Verify", 37, 11),
    ]
    describe = step(runbook, "DescribeInstance")
    assert describe.title == "aws:executeAwsApi ec2.DescribeInstances"
    assert (describe.extent.line, describe.extent.column, describe.extent.end_line) == (10, 5, 21)
    assert step(runbook, "Settle").duration.likely == 1.5  # PT1M30S
    assert step(runbook, "Verify").duration is None


def test_list_order_is_the_declared_order():
    runbook = model("sequence.yaml")
    assert order_edges(runbook) == {
        ("DescribeInstance", "StopInstance"),
        ("StopInstance", "Settle"),
        ("Settle", "ListBuckets"),
        ("ListBuckets", "Verify"),
    }
    assert {edge.kind for edge in runbook.declared_edges} == {EdgeKind.SEQUENCE}
    # No jump is written: each edge points at the waiting step's name.
    edge = next(e for e in runbook.declared_edges if e.target == "Verify")
    assert (edge.span.line, edge.span.column) == (37, 11)


def test_branches_jump_and_fall_through_and_is_end_stops():
    runbook = model("branch.yaml")
    assert order_edges(runbook) == {
        ("Choose", "Small"),
        ("Choose", "Finish"),
        ("Choose", "Large"),
        ("Small", "Finish"),  # nextStep
        ("Large", "Finish"),  # list order
        ("Finish", "Cleanup"),  # isEnd: no fall-through
        ("Fallthrough", "Cleanup"),
        ("Fallthrough", "After"),  # no Default: the next step when no choice holds
    }
    spans = {(e.source, e.target): (e.span.line, e.span.column) for e in runbook.declared_edges}
    assert spans[("Choose", "Small")] == (7, 21)  # the NextStep value
    assert spans[("Choose", "Large")] == (13, 16)  # the Default value
    assert spans[("Small", "Finish")] == (16, 15)  # the nextStep value
    assert spans[("Fallthrough", "After")] == (53, 11)  # the next step's name
    assert step(runbook, "After").duration is None  # Duration from a parameter


def test_failure_jumps_are_waits_and_retry_loops_are_left_out():
    result = adapted("failure.yaml")
    assert result.problems == ()
    assert order_edges(result.runbook) == {
        ("Attempt", "Check"),
        ("Attempt", "Rollback"),  # onFailure: step:Rollback
        ("Check", "Notify"),  # onCancel: step:Notify
        ("Rollback", "Notify"),
    }  # Check's onFailure back to Attempt is a retry: not in O
    edge = next(e for e in result.runbook.declared_edges if e.target == "Rollback")
    assert (edge.span.line, edge.span.column) == (5, 16)


# -- alternatives ----------------------------------------------------------------


def test_a_branch_decides_its_exclusive_targets_and_requires_a_skip_ahead():
    runbook = model("branch.yaml")
    assert refs(step(runbook, "Choose").decides) == {("Small", 7, 21), ("Large", 13, 16)}
    assert refs(step(runbook, "Small").excludes) == {("Large", 13, 16)}
    assert refs(step(runbook, "Large").excludes) == {("Small", 7, 21)}
    # Finish runs after Small and after Large: a choice to skip ahead, no alternative.
    assert step(runbook, "Finish").excludes == ()
    assert needs(step(runbook, "Finish").needs) == {("Choose", 10, 21)}
    # A single target is required, not decided; a fall-through target is an alternative.
    assert step(runbook, "Finish").decides == ()
    assert needs(step(runbook, "Cleanup").needs) == {("Finish", 35, 21)}
    assert refs(step(runbook, "Fallthrough").decides) == {("Cleanup", 50, 21), ("After", 53, 11)}


def test_a_failure_target_is_an_alternative_unless_both_paths_reach_it():
    failure = model("failure.yaml")
    assert refs(step(failure, "Attempt").decides) == {("Check", 10, 11), ("Rollback", 5, 16)}
    assert refs(step(failure, "Rollback").excludes) == {("Check", 5, 16)}
    assert refs(step(failure, "Check").excludes) == {("Rollback", 5, 16)}
    cleanup = model("cleanup.yaml")  # Configure goes on to Cleanup too
    assert all(not s.decides and not s.excludes for s in cleanup.steps)


def test_a_branch_of_many_choices_decides_them_without_pairwise_exclusions():
    choices = "".join(f"        - {{NextStep: s{i}, Variable: x, StringEquals: v{i}}}\n" for i in range(70))
    steps = "".join(f"  - name: s{i}\n    action: aws:sleep\n    isEnd: true\n" for i in range(70))
    text = "schemaVersion: '0.3'\nmainSteps:\n  - name: pick\n    action: aws:branch\n"
    text += f"    inputs:\n      Choices:\n{choices}{steps}"
    runbook = FORMAT.build(parse(text), "wide.yaml", 5.0).runbook
    assert {ref.name for ref in step(runbook, "pick").decides} == {f"s{i}" for i in range(70)}
    assert all(not s.excludes for s in runbook.steps)


# -- facts -----------------------------------------------------------------------


def test_output_references_are_facts_wherever_they_are_written():
    runbook = model("facts.yaml")
    assert refs(step(runbook, "Parse").outputs) == {("Parse.Target", 14, 15)}  # its Name
    assert refs(step(runbook, "Decide").inputs) == {("Parse.Target", 25, 21)}  # a Variable
    # Inside a JSON string; its own output, parameters, variables and prose are no facts.
    assert refs(step(runbook, "Invoke").inputs) == {("Parse.Target", 33, 16)}
    assert step(runbook, "Invoke").outputs == ()
    assert data_edges(runbook) == {
        ("Parse", "Decide"),
        ("Parse", "Invoke"),
        ("Decide", "Invoke"),
        ("Decide", "Done"),
        ("Invoke", "Done"),
    }
    assert step(runbook, "Done").duration.likely == 120.0


def test_an_output_not_declared_is_declared_at_the_step_name():
    text = (
        "schemaVersion: '0.3'\nmainSteps:\n"
        "  - name: Run\n    action: aws:executeAutomation\n    inputs: {DocumentName: Child}\n"
        "  - name: Use\n    action: aws:executeScript\n"
        "    inputs: {InputPayload: {Execution: '{{Run.ExecutionId}}'}}\n"
    )
    runbook = FORMAT.build(parse(text), "built-in.yaml", 5.0).runbook
    assert refs(step(runbook, "Run").outputs) == {("Run.ExecutionId", 3, 11)}
    assert refs(step(runbook, "Use").inputs) == {("Run.ExecutionId", 8, 40)}


def test_data_edges_of_a_json_runbook():
    result = adapted("runbook.json")
    runbook = result.runbook
    assert runbook.title == "Rotate a key"
    assert refs(step(runbook, "GetKey").outputs) == {("GetKey.Arn", 9, 28)}
    assert data_edges(runbook) == {("GetKey", "Rotate")}


# -- resources --------------------------------------------------------------------


def test_ids_passed_are_resources_read_or_written_by_the_api():
    runbook = model("sequence.yaml")
    assert refs(step(runbook, "DescribeInstance").reads) == {("{{InstanceId}}", 16, 11)}
    assert refs(step(runbook, "StopInstance").writes) == {("{{InstanceId}}", 26, 21)}
    assert refs(step(runbook, "Verify").reads) == {("{{InstanceId}}", 42, 21)}
    assert refs(step(runbook, "ListBuckets").reads) == {("s3/Buckets", 36, 12)}  # no id: the API's subject
    assert data_edges(runbook) == {
        ("DescribeInstance", "StopInstance"),
        ("StopInstance", "Settle"),
        ("Settle", "ListBuckets"),
        ("StopInstance", "Verify"),
    }


def test_resource_keys_filters_json_strings_globs_and_settings():
    runbook = model("resources.yaml")
    # An output standing for what a Describe was given: one cluster.
    assert refs(step(runbook, "ModifyCluster").writes) == {("{{ClusterArn}}", 18, 28)}
    assert refs(step(runbook, "FindSnapshots").reads) == {("snap-1", 27, 20), ("snap-2", 27, 28)}
    assert refs(step(runbook, "PutPolicy").writes) == {
        ("logs-bucket", 37, 15),
        ("arn:aws:s3:::logs-bucket", 38, 15),  # in a JSON policy, the glob cut off
    }
    assert refs(step(runbook, "Script").writes) == {
        ("{{BucketName}}", 47, 21),
        ("arn:aws:s3:::logs-bucket", 47, 21),
    }
    assert refs(step(runbook, "EnableDefault").writes) == {("ec2/EbsEncryptionByDefault", 52, 12)}
    assert refs(step(runbook, "CheckDefault").reads) == {("ec2/EbsEncryptionByDefault", 76, 12)}
    assert refs(step(runbook, "Child").writes) == {("executeAutomation/AWS-RestartEC2Instance", 56, 21)}
    assert step(runbook, "Compute").writes == () and step(runbook, "Compute").reads == ()
    names = {ref.name for s in runbook.steps for ref in s.reads + s.writes}
    assert not any(char in name for name in names for char in "*?[")


def test_an_output_of_a_call_that_creates_is_its_own_resource():
    runbook = model("cleanup.yaml")
    assert refs(step(runbook, "Configure").writes) == {("{{Launch.InstanceId}}", 18, 21)}
    assert refs(step(runbook, "Cleanup").writes) == {("{{Launch.InstanceId}}", 26, 19)}
    assert data_edges(runbook) == {("Launch", "Configure"), ("Launch", "Cleanup"), ("Configure", "Cleanup")}


def cli_findings(name: str) -> list[tuple[str, int, str]]:
    """`recoverylint check --format json` on a fixture: (code, line, message)."""
    done = check_json(FIXTURES / "ssm" / name)
    assert done.returncode in (0, 1), done.stderr
    return [(f["code"], f["line"], f["message"]) for f in json.loads(done.stdout)["findings"]]


def test_a_created_stack_is_the_parent_of_what_its_parameters_name():
    """Review of ssm-more (docs/real-world-review.md): a runbook deploying a
    stack that makes functions, running them, then deleting the stack, had
    RL201 on the first run ("needs nothing from the deploy") and on the
    delete ("needs nothing from the last run": deleting first loses the
    functions)."""
    runbook = model("tool-stack.yaml")
    # `{{ automation:EXECUTION_ID }}` is part of the name, however spaced.
    stack = "drain-tool-{{automation:EXECUTION_ID}}"
    drain, drained = "drain-{{automation:EXECUTION_ID}}", "drained-{{automation:EXECUTION_ID}}"
    assert {name: ref.name for name, ref in runbook.parents.items()} == {drain: stack, drained: stack}
    assert refs(step(runbook, "DeployTool").writes) == {(stack, 10, 18), (drain, 13, 27), (drained, 17, 27)}
    # Running a function uses it; what it is handed, it may change.
    assert refs(step(runbook, "Drain").reads) == {(drain, 21, 21)}
    assert refs(step(runbook, "Drain").writes) == {("{{ClusterName}}", 22, 16)}
    assert refs(step(runbook, "CheckDrained").reads) == {(drained, 26, 21)}
    assert refs(step(runbook, "RemoveTool").writes) == {(stack, 31, 18)}
    assert data_edges(runbook) == {
        ("DeployTool", "Drain"),
        ("DeployTool", "CheckDrained"),
        ("DeployTool", "RemoveTool"),
        ("Drain", "CheckDrained"),
        ("Drain", "RemoveTool"),
        ("CheckDrained", "RemoveTool"),
    }
    assert cli_findings("tool-stack.yaml") == []


def test_a_converted_runbook_keeps_the_stack_as_the_parent():
    """`recoverylint convert` declares the resources with their parents, so
    the native runbook still keeps the delete after the run."""
    done = subprocess.run(
        [sys.executable, "-m", "recoverylint", "convert", str(FIXTURES / "ssm" / "tool-stack.yaml")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "  drain-{{automation:EXECUTION_ID}}: {parent: 'drain-tool-{{automation:EXECUTION_ID}}'}\n" in done.stdout
    converted = check_text(done.stdout, "converted.yaml")
    assert not [f for f in converted.findings if f.code in ("RL102", "RL201")]
    assert ("Drain", "RemoveTool") in data_edges(converted.runbook)


def test_a_stack_later_steps_run_is_set_up_that_gates_the_changes_after_it():
    """Review of ssm-more: `Stop` was said to need nothing from `Deploy`; run
    first, a failed deployment would stop the run with the instance down."""
    runbook = model("setup-first.yaml")
    assert step(runbook, "Deploy").guard
    assert {("Deploy", "Stop"), ("Deploy", "Grow"), ("Grow", "Undeploy")} <= data_edges(runbook)
    # What is left: the stack can go once `Grow` has run (reviewed true).
    assert cli_findings("setup-first.yaml") == [
        (
            "RL201",
            25,
            "`Undeploy` waits for `Start` but uses nothing from it; it needs only `Grow`. This gate adds an"
            " unknown time to the critical path (`Undeploy` and `Start` have no duration).",
        )
    ]


def test_ids_are_matched_by_the_value_passed_wherever_it_sits():
    """An id in a Lambda payload under `source`, or in a filter on a tag, is
    the id another step passes by key: the copy reads the bucket the next step
    empties, the search for backups reads the volume the next step deletes."""
    runbook = model("handed-over.yaml")
    assert refs(step(runbook, "CopyObjects").reads) == {("copy-objects", 11, 21), ("{{BucketName}}", 12, 16)}
    assert refs(step(runbook, "CopyObjects").writes) == set()  # `archive` is no id any step passes
    assert refs(step(runbook, "FindBackups").reads) == {("{{VolumeId}}", 27, 20)}
    assert data_edges(runbook) == {("CopyObjects", "EmptyBucket"), ("FindBackups", "DeleteVolume")}
    assert [(code, line) for code, line, _ in cli_findings("handed-over.yaml")] == [("RL201", 20)]


def test_an_id_a_step_passes_by_key_is_not_read_again_by_value():
    text = (
        "schemaVersion: '0.3'\nmainSteps:\n  - name: Reboot\n    action: aws:executeAwsApi\n"
        "    inputs: {Service: ec2, Api: RebootInstances, InstanceIds: ['{{ Id }}'], Note: '{{Id}}'}\n"
    )
    runbook = FORMAT.build(parse(text), "reboot.yaml", 5.0).runbook
    assert refs(step(runbook, "Reboot").writes) == {("{{Id}}", 5, 64)}
    assert step(runbook, "Reboot").reads == ()


def test_an_id_handed_to_a_script_under_another_name_is_read():
    """A script making a new name from an id (`OriginalString`) uses it and
    changes nothing: still a check, and still free of the Describe before it
    (an RL201 reviewed true on the ssm corpus)."""
    text = textwrap.dedent(
        """\
        schemaVersion: '0.3'
        mainSteps:
          - name: Describe
            action: aws:executeAwsApi
            inputs: {Service: autoscaling, Api: DescribeLaunchConfigurations, LaunchConfigurationNames: ['{{Name}}']}
          - name: NewName
            action: aws:executeScript
            inputs: {Runtime: python3.11, Handler: h, Script: pass, InputPayload: {OriginalString: '{{ Name }}'}}
        """
    )
    runbook = FORMAT.build(parse(text), "rename.yaml", 5.0).runbook
    assert refs(step(runbook, "NewName").reads) == {("{{Name}}", 8, 92)}
    assert step(runbook, "NewName").writes == () and step(runbook, "NewName").guard
    assert codes(text) == [("RL201", 6, 11)]


# -- waits the actions imply -----------------------------------------------------------


def test_a_sleep_waits_after_its_predecessor_and_delays_its_successor():
    runbook = model("sequence.yaml")
    assert {(n.step, n.reason) for n in step(runbook, "Settle").needs} == {
        ("StopInstance", "`Settle` waits after `StopInstance`")
    }
    assert needs(step(runbook, "ListBuckets").needs) == {("Settle", 29, 13)}


def test_checks_gate_later_changes_and_a_wait_its_readers():
    runbook = model("resources.yaml")
    for later in ("PutPolicy", "Script", "EnableDefault", "Child"):
        assert needs(step(runbook, later).needs) == {("FindSnapshots", 21, 13)}, later
    # A script given no resource is a check, but nothing writes after it.
    assert step(runbook, "CheckDefault").needs == ()


def test_approvals_review_what_ran_and_approve_later_changes():
    runbook = model("approve.yaml")
    assert needs(step(runbook, "Approve").needs) == {("Inspect", 10, 13)}
    assert refs(step(runbook, "Approve").approves) == {("Tag", 9, 11), ("Delete", 9, 11)}
    assert refs(step(runbook, "Pause").approves) == {("Delete", 26, 11)}
    assert data_edges(runbook) == {
        ("Inspect", "Approve"),
        ("Inspect", "Tag"),
        ("Approve", "Tag"),
        ("Approve", "Delete"),
        ("Tag", "Delete"),
        ("Look", "Pause"),
        ("Pause", "Delete"),
    }


def test_a_status_report_requires_everything_before_it():
    runbook = model("failure.yaml")
    assert {n.step for n in step(runbook, "Notify").needs} == {"Attempt", "Check", "Rollback"}
    assert data_edges(runbook) == {
        ("Attempt", "Check"),
        ("Attempt", "Rollback"),
        ("Attempt", "Notify"),
        ("Check", "Notify"),
        ("Rollback", "Notify"),
    }


def test_a_later_report_requires_the_earlier_report_and_what_came_after_it():
    text = "schemaVersion: '0.3'\nmainSteps:\n" + "".join(
        f"  - name: {name}\n    action: aws:executeAwsApi\n    inputs: {{Service: {service}, Api: {api}}}\n"
        for name, service, api in [
            ("Fix", "ec2", "EnableEbsEncryptionByDefault"),
            ("Report", "sns", "Publish"),
            ("Tidy", "ec2", "DisableSerialConsoleAccess"),
            ("Resolve", "securityhub", "BatchUpdateFindings"),
        ]
    )
    runbook = FORMAT.build(parse(text), "reports.yaml", 5.0).runbook
    assert {n.step for n in step(runbook, "Report").needs} == {"Fix"}
    assert {n.step for n in step(runbook, "Resolve").needs} == {"Report", "Tidy"}
    assert ("Fix", "Resolve") not in data_edges(runbook)  # through Report


# -- findings and problems -------------------------------------------------------------


def test_unknown_jump_targets_are_rl102_with_a_hint():
    result = adapted("unknown.yaml")
    problems = sorted(
        (code, issue.span.line, issue.span.column, issue.message, issue.suggestion)
        for code, issue in result.problems
    )
    assert problems == [
        ("RL102", 5, 15, "the step `Secnd` refers to no step", "did you mean `Second`?"),
        ("RL102", 9, 16, "the step `Nowhere` refers to no step", None),
        ("RL102", 12, 21, "the step `Thrid` refers to no step", None),
    ]


def test_main_steps_of_the_wrong_type_is_rl002():
    assert codes("schemaVersion: '0.3'\nmainSteps: {a: 1}\n") == [("RL002", 2, 12)]


@pytest.mark.parametrize(
    "steps",
    [
        "[]",
        "[1, null, [], 'x', {name: null}, {name: true}]",
        "[{name: a, inputs: [1]}, {name: b, action: 'aws:branch', inputs: {Choices: x, Default: [1]}}]",
        "[{name: a, action: 'aws:branch', inputs: {Choices: [1, {NextStep: null}, {NextStep: a}]}}]",
        "[{name: a, action: 'aws:executeAwsApi'}, {name: b, action: 'aws:executeAwsApi', inputs: {Api: 3}}]",
        "[{name: a, onFailure: 'step:', onCancel: 3, nextStep: [x], isEnd: 'true'}, {name: b}]",
        "[{name: a, action: 'aws:sleep', inputs: {Duration: P}}, {name: a, action: 'aws:approve'}]",
        "[{name: a, action: 'aws:executeScript', inputs: {InputPayload: '{\"Id\": [1, {}]}'}}]",
        "[{name: 1, outputs: 3, inputs: {Values: 1, Name: x, Filters: [{Name: 1, Values: 2}]}}]",
        "[{name: a, action: 'aws:executeAwsApi', inputs: {Service: sns, Api: Publish}, nextStep: a}]",
    ],
)
def test_malformed_steps_never_crash(steps):
    result = check_text(f"schemaVersion: '0.3'\nmainSteps: {steps}\n", "bad.yaml")
    assert result.internal_error is None
    assert result.format == NAME


_keys = st.sampled_from(
    ["name", "action", "inputs", "outputs", "nextStep", "isEnd", "onFailure", "onCancel", "description",
     "InstanceId", "Service", "Api", "Choices", "NextStep", "Values", "Name", "Parameters",
     "ParameterKey", "ParameterValue", "StackName", "FunctionName", "Payload"]
)
_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.text(max_size=8),
    st.sampled_from(["{{ a.x }}", "{{ P* }}", "arn:x/*", "step:b", '{"Id": "[a]"}', "PT5M", "0.3"]),
)
_values = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(_keys | st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=10,
)
_actions = st.sampled_from(
    ["aws:branch", "aws:sleep", "aws:approve", "aws:executeAwsApi", "aws:executeScript",
     "aws:waitForAwsResourceProperty", "aws:assertAwsResourceProperty", "aws:runCommand",
     "aws:createStack", "aws:deleteStack", "aws:invokeLambdaFunction"]
)
_steps = st.lists(
    st.fixed_dictionaries(
        {"name": st.sampled_from(["a", "b", "c", "{{ a.x }}"]), "action": _actions},
        optional={key: _values for key in ("inputs", "outputs", "nextStep", "isEnd", "onFailure")},
    )
    | st.dictionaries(_keys, _values, max_size=4),
    max_size=5,
)


@settings(max_examples=120, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(_steps)
def test_any_steps_are_read_without_crashing(steps):
    text = json.dumps({"schemaVersion": "0.3", "mainSteps": steps})
    result = check_text(text, "any.json")
    assert result.internal_error is None
    if result.runbook is not None:
        names = [ref.name for s in result.runbook.steps for ref in s.reads + s.writes]
        assert not any(char in name for name in names for char in "*?["), names


# -- the command line -------------------------------------------------------------------



def test_a_false_gate_on_the_command_line():
    done = check_json(FIXTURES / "ssm" / "sequence.yaml")
    assert done.returncode == 1, done.stderr
    findings = [(f["code"], f["line"], f["column"]) for f in json.loads(done.stdout)["findings"]]
    assert findings == [("RL201", 37, 11)]  # Verify waits for ListBuckets for nothing


def test_a_clean_runbook_exits_zero_on_the_command_line(tmp_path):
    path = tmp_path / "clean.yaml"
    path.write_text(
        "schemaVersion: '0.3'\nmainSteps:\n"
        "  - name: Stop\n    action: aws:changeInstanceState\n"
        "    inputs: {InstanceIds: ['{{ InstanceId }}'], DesiredState: stopped}\n"
        "  - name: Start\n    action: aws:changeInstanceState\n"
        "    inputs: {InstanceIds: ['{{InstanceId}}'], DesiredState: running}\n",
        encoding="utf-8",
    )
    done = check_json(path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout)["findings"] == []


def test_a_scalable_dimension_is_a_part_of_the_resource():
    text = textwrap.dedent(
        """\
        schemaVersion: '0.3'
        mainSteps:
          - name: RegisterWrites
            action: aws:executeAwsApi
            inputs: {Service: application-autoscaling, Api: RegisterScalableTarget,
                     ResourceId: 'table/{{ TableId }}', ScalableDimension: 'dynamodb:table:WriteCapacityUnits'}
          - name: RegisterReads
            action: aws:executeAwsApi
            inputs: {Service: application-autoscaling, Api: RegisterScalableTarget,
                     ResourceId: 'table/{{ TableId }}', ScalableDimension: 'dynamodb:table:ReadCapacityUnits'}
          - name: PolicyForWrites
            action: aws:executeAwsApi
            inputs: {Service: application-autoscaling, Api: PutScalingPolicy,
                     ResourceId: 'table/{{ TableId }}', ScalableDimension: 'dynamodb:table:WriteCapacityUnits'}
        """
    )
    runbook = adapt(text, "ssm").runbook
    assert [w.name for w in step(runbook, "RegisterWrites").writes] == [
        "{{TableId}}/dynamodb:table:WriteCapacityUnits"
    ]
    assert data_edges(runbook) == {("RegisterWrites", "PolicyForWrites")}


# -- steps with no action ----------------------------------------------------------------


def test_a_step_with_no_action_or_no_name_is_rl002():
    result = adapted("no-action.yaml")
    problems = [
        (code, issue.span.line, issue.span.column, issue.message) for code, issue in result.problems
    ]
    assert problems == [
        ("RL002", 8, 11, "step `Wait` has no `action`: it would do nothing"),
        ("RL002", 10, 5, "`mainSteps[2]` has no `name`: it is no step"),
    ]
    # The step is kept: `nextStep: Wait` names it.
    assert [s.id for s in result.runbook.steps] == ["Stop", "Wait", "Start"]
    assert order_edges(result.runbook) == {("Stop", "Wait"), ("Wait", "Start")}


def test_a_step_with_no_action_on_the_command_line():
    done = check_json(FIXTURES / "ssm" / "no-action.yaml")
    assert done.returncode == 1, done.stderr
    found = [(f["code"], f["line"], f["column"]) for f in json.loads(done.stdout)["findings"]]
    assert ("RL002", 8, 11) in found and ("RL002", 10, 5) in found


@pytest.mark.parametrize(
    "steps, expected",
    [
        ("[{name: a}]", [("RL002", 3, 11)]),
        ("[{name: a, action: ''}]", [("RL002", 3, 11)]),
        ("[{name: a, action: null}, {action: 'aws:runShellScript'}]", [("RL002", 3, 11), ("RL002", 3, 29)]),
        ("[7, {name: '', action: 'aws:runShellScript'}]", [("RL002", 3, 4), ("RL002", 3, 7)]),
    ],
)
def test_command_steps_with_no_action_or_name_are_rl002(steps, expected):
    text = f"schemaVersion: '2.2'\nmainSteps:\n  {steps}\n"
    assert [(c, line, column) for c, line, column in codes(text) if c == "RL002"] == expected


# -- Command documents -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "schemaVersion: '2.2'\nmainSteps: []\n",
        "schemaVersion: 2.2\nmainSteps: []\n",
        "schemaVersion: '2.0'\nmainSteps: []\n",  # a Policy document
        "schemaVersion: '1.2'\nruntimeConfig: {}\n",
    ],
)
def test_detects_command_documents(text):
    assert detect(parse(text)) is FORMAT


def test_command_steps_run_in_list_order_and_change_the_instance():
    result = adapted("command.yaml")
    runbook = result.runbook
    assert result.problems == ()
    assert runbook.id == "command" and runbook.title == "Collect diagnostics from an instance, on Linux or Windows."
    assert [(s.id, s.title, s.span.line, s.span.column) for s in runbook.steps] == [
        ("CollectLinux", "aws:runShellScript", 11, 11),
        ("CollectWindows", "aws:runPowerShellScript", 19, 11),
        ("InstallAgent", "aws:configurePackage AmazonCloudWatchAgent", 26, 11),
        ("ConfigureAgent", "aws:runDocument AmazonCloudWatch-ManageAgent", 31, 11),
        ("Inventory", "aws:softwareInventory", 36, 11),
        ("InventoryAgain", "aws:softwareInventory", 40, 11),
    ]
    assert [(e.source, e.target, e.kind, e.span.line) for e in runbook.declared_edges] == [
        ("CollectLinux", "CollectWindows", EdgeKind.SEQUENCE, 19),
        ("CollectWindows", "InstallAgent", EdgeKind.SEQUENCE, 26),
        ("InstallAgent", "ConfigureAgent", EdgeKind.SEQUENCE, 31),
        ("ConfigureAgent", "Inventory", EdgeKind.SEQUENCE, 36),
        ("Inventory", "InventoryAgain", EdgeKind.SEQUENCE, 40),
    ]
    # Each plugin changes the instance (at its action); an inventory only reads it.
    assert refs(step(runbook, "InstallAgent").writes) == {("instance", 25, 13)}
    assert refs(step(runbook, "Inventory").reads) == {("instance", 35, 13)}
    assert step(runbook, "Inventory").writes == ()
    assert data_edges(runbook) == {
        ("CollectLinux", "CollectWindows"),
        ("CollectWindows", "InstallAgent"),
        ("InstallAgent", "ConfigureAgent"),
        ("ConfigureAgent", "Inventory"),
        ("ConfigureAgent", "InventoryAgain"),
    }


def test_preconditions_on_different_platforms_exclude_each_other_and_add_no_data():
    runbook = model("command.yaml")
    assert refs(step(runbook, "CollectLinux").excludes) == {("CollectWindows", 13, 7)}
    assert refs(step(runbook, "CollectWindows").excludes) == {("CollectLinux", 21, 7)}
    assert all(not s.inputs and not s.decides for s in runbook.steps)
    # A precondition is on the platform, not on a step: no step needs another for it.
    assert all(need.reason is None for s in runbook.steps for need in s.needs)


def test_only_two_inventories_in_a_row_are_a_false_gate():
    done = check_json(FIXTURES / "ssm" / "command.yaml")
    assert done.returncode == 1, done.stderr
    found = json.loads(done.stdout)["findings"]
    assert [(f["code"], f["line"], f["column"]) for f in found] == [("RL201", 40, 11)]
    assert found[0]["message"].startswith("`InventoryAgain` waits for `Inventory` but uses nothing from it")


def test_schema_1_2_plugins_are_steps_in_file_order():
    result = adapted("command-1.2.json")
    runbook = result.runbook
    assert result.problems == () and runbook.title == "Restart a service, then report its status."
    assert (runbook.span.line, runbook.span.column) == (7, 3)  # `runtimeConfig`
    assert [(s.id, s.title, s.span.line, s.span.column) for s in runbook.steps] == [
        ("0.restart", "aws:runShellScript", 10, 16),  # its `id`
        ("1.status", "aws:runShellScript", 11, 16),
        ("aws:softwareInventory", "aws:softwareInventory", 14, 5),  # no `id`: the plugin
    ]
    assert order_edges(runbook) == {("0.restart", "1.status"), ("1.status", "aws:softwareInventory")}
    assert refs(step(runbook, "0.restart").writes) == {("instance", 8, 5)}
    assert refs(step(runbook, "aws:softwareInventory").reads) == {("instance", 14, 5)}
    assert codes(fixture("ssm/command-1.2.json")) == []


def test_a_clean_command_document_exits_zero_on_the_command_line(tmp_path):
    path = tmp_path / "restart.yml"
    path.write_text(
        "schemaVersion: '2.2'\nmainSteps:\n"
        "  - {action: 'aws:runShellScript', name: Stop, inputs: {runCommand: [systemctl stop app]}}\n"
        "  - {action: 'aws:runShellScript', name: Start, inputs: {runCommand: [systemctl start app]}}\n",
        encoding="utf-8",
    )
    done = check_json(path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout)["findings"] == []


@pytest.mark.parametrize(
    "text, expected",
    [
        ("schemaVersion: '2.2'\nmainSteps: {a: 1}\n", "`mainSteps` must be a list of steps"),
        (
            "schemaVersion: '1.2'\nruntimeConfig: [a]\n",
            "`runtimeConfig` must be a mapping of plugins to their properties",
        ),
    ],
)
def test_command_steps_of_the_wrong_type_are_rl002(text, expected):
    found = check_text(text, "bad.yaml").findings
    assert [(f.code, f.span.line, f.message) for f in found] == [("RL002", 2, expected)]


@pytest.mark.parametrize(
    "document",
    [
        "runtimeConfig: {a: null, b: [1], c: {properties: [1, null, {id: 3}, {id: ''}]}, d: {properties: 7}}",
        "mainSteps: [{name: a, action: x, precondition: 1}, {name: b, action: x, precondition: {StringEquals: 1}}]",
        "mainSteps: [{name: a, action: x, precondition: {StringEquals: [null, x]}}, {name: b, action: [1]}]",
        "mainSteps: [{name: a, action: 'aws:runDocument', inputs: [documentPath]}, {name: a, action: 3}]",
    ],
)
def test_malformed_command_documents_never_crash(document):
    version = "'1.2'" if document.startswith("runtimeConfig") else "'2.2'"
    result = check_text(f"schemaVersion: {version}\n{document}\n", "bad.yaml")
    assert result.internal_error is None
    assert result.format == NAME


_command_steps = st.lists(
    st.fixed_dictionaries(
        {"name": st.sampled_from(["a", "b", "c"])},
        optional={
            "action": st.sampled_from(["aws:runShellScript", "aws:softwareInventory", "", None, 3]),
            "precondition": st.one_of(
                _values,
                st.fixed_dictionaries(
                    {"StringEquals": st.lists(st.sampled_from(["platformType", "Linux", "Windows"]), max_size=3)}
                ),
            ),
            "inputs": _values,
        },
    )
    | _values,
    max_size=6,
)


@settings(max_examples=100, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(_command_steps)
def test_any_command_steps_are_read_without_crashing(steps):
    result = check_text(json.dumps({"schemaVersion": "2.2", "mainSteps": steps}), "any.json")
    assert result.internal_error is None
    if result.runbook is not None:
        assert result.runbook.format == NAME


def test_preconditions_of_many_steps_exclude_no_pairs():
    # Thousands of steps on two platforms would exclude millions of pairs of
    # steps that run one after the other anyway: past 64, none are built.
    def document(count: int) -> str:
        steps = "".join(
            f"  - {{name: s{i}, action: 'aws:runShellScript',"
            f" precondition: {{StringEquals: [platformType, p{i % 2}]}}}}\n"
            for i in range(count)
        )
        return f"schemaVersion: '2.2'\nmainSteps:\n{steps}"

    few = adapt(document(64), NAME).runbook
    assert len(few.steps[0].excludes) == 32
    many = adapt(document(3000), NAME).runbook
    assert len(many.steps) == 3000 and all(not s.excludes for s in many.steps)


CORPORA = Path(os.environ.get("RECOVERYLINT_CORPORA") or Path(__file__).resolve().parents[2] / "shared" / "corpora")


def test_the_real_command_documents_are_read():
    """The Command documents of the shared corpus (chaos-ssm-documents'
    run-command, ConfigureAgentLogsUploadToCloudwatch, exampleCommandDocument),
    each named on the command line: read as SSM, with no RL001-RL003."""
    corpus = CORPORA / "ssm-more"
    if not corpus.is_dir():
        pytest.skip(f"the shared corpora are not beside this checkout ({CORPORA})")
    paths = sorted(
        path
        for path in corpus.rglob("*")
        if path.suffix in (".yml", ".yaml", ".json") and "schemaVersion" in path.read_text(encoding="utf-8")
    )
    commands = [path for path in paths if _is_command_document(path)]
    assert len(commands) >= 20
    done = subprocess.run(
        [sys.executable, "-m", "recoverylint", "check", "--format", "json", "--no-cache",
         "--input-format", "auto", *map(str, commands)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode in (0, 1), done.stderr
    report = json.loads(done.stdout)
    assert report["summary"]["files"] == len(commands)
    assert not [f for f in report["findings"] if f["code"] in ("RL001", "RL002", "RL003")]


def _is_command_document(path: Path) -> bool:
    from recoverylint.source import parse as parse_text

    data = parse_text(path.read_text(encoding="utf-8")).data
    return isinstance(data, dict) and str(data.get("schemaVersion")).strip() in ("1.2", "2.0", "2.2")


def test_a_schema_1_2_document_is_found_in_a_folder(tmp_path):
    """Directory discovery reads a file only when it has a key of some format:
    a 1.2 Command document has `runtimeConfig`, not `mainSteps`.  (JSON is
    YAML: the fixture is written as the YAML file discovery looks at.)"""
    (tmp_path / "command-1.2.yaml").write_bytes((Path(__file__).parent / "command-1.2.json").read_bytes())
    done = subprocess.run(
        [sys.executable, "-m", "recoverylint", "check", "--no-cache", "--format", "json", str(tmp_path)],
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode in (0, 1), done.stderr
    assert json.loads(done.stdout)["summary"]["files"] == 1
