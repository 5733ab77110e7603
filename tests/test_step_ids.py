"""Ansible tasks and AWX workflow nodes get their step ids the same way
(recoverylint/adapters/_step_ids.py): a slug of the name, numbered when it
is taken, and a fallback base for a name with no letter or digit."""

from __future__ import annotations

from recoverylint.engine import check_text


def test_ansible_tasks_of_equal_names_are_numbered_and_a_name_of_no_letters_is_task() -> None:
    playbook = (
        "- hosts: all\n  tasks:\n"
        "  - name: Restart api\n    command: systemctl restart api\n"
        "  - name: restart API\n    command: systemctl restart api\n"
        "  - name: '!!'\n    command: uptime\n"
        "  - name: Restart api\n    command: uptime\n"
    )
    result = check_text(playbook, "playbook.yml")
    assert result.format == "ansible" and result.runbook is not None
    assert [step.id for step in result.runbook.steps] == ["restart-api", "restart-api-2", "task", "restart-api-3"]


def test_awx_repeated_identifiers_are_rl101_not_renamed() -> None:
    """A link names a node by its identifier: renaming the second `a` would
    point `success_nodes: [a]` at one of them silently.  Both keep `a`, and
    RL101 says the id is used twice."""
    workflow = "workflow_nodes:\n- identifier: a\n- identifier: a\n- identifier: a-2\n"
    result = check_text(workflow, "workflow.yml")
    assert result.format == "awx" and result.runbook is not None
    assert [step.id for step in result.runbook.steps] == ["a", "a", "a-2"]
    assert [(finding.code, finding.span.line) for finding in result.findings] == [("RL101", 2), ("RL101", 3)]


def test_awx_nodes_without_identifier_get_an_id_no_written_identifier_has() -> None:
    workflow = "workflow_nodes:\n- identifier: node-2\n- unified_job_template: {name: x}\n"
    result = check_text(workflow, "workflow.yml")
    assert result.runbook is not None and not result.findings
    assert [step.id for step in result.runbook.steps] == ["node-2", "node-2-2"]


def test_xsoar_task_ids_never_clash_with_a_name_written_like_a_generated_id() -> None:
    """`foo` taken, the second `foo` (task 3) would be `foo-3`, which a task
    is already named; and an unnamed task 5 would be `task-5`, also taken."""
    playbook = (
        "starttaskid: '0'\ntasks:\n"
        "  '0': {id: '0', task: {name: foo}, type: regular}\n"
        "  '1': {id: '1', task: {name: foo-3}, type: regular}\n"
        "  '2': {id: '2', task: {name: task 5}, type: regular}\n"
        "  '3': {id: '3', task: {name: foo}, type: regular}\n"
        "  '5': {id: '5', task: {}, type: regular}\n"
    )
    result = check_text(playbook, "playbook.yml")
    assert result.format == "xsoar" and result.runbook is not None
    assert [step.id for step in result.runbook.steps] == ["foo", "foo-3", "task-5", "foo-3-2", "task-5-2"]
    assert not [finding for finding in result.findings if finding.code == "RL101"]


def test_rundeck_step_ids_never_clash_with_a_label_written_like_a_generated_id() -> None:
    """The first command's label `step 2` is `step-2`, the id the unlabelled
    second would get; a label `a errorhandler` reads like `a`'s handler."""
    job = (
        "- name: j\n  sequence:\n    commands:\n"
        "    - description: step 2\n      exec: uptime\n"
        "    - exec: hostname\n"
        "    - description: a\n      exec: date\n      errorhandler: {exec: echo failed}\n"
        "    - description: a errorhandler\n      exec: id\n"
    )
    result = check_text(job, "job.yaml")
    assert result.format == "rundeck" and result.runbook is not None
    ids = [step.id for step in result.runbook.steps]
    assert len(ids) == len(set(ids)) == 5
    assert ids[:3] == ["step-2", "step-2-2", "a"]
    assert not [finding for finding in result.findings if finding.code == "RL101"]
