"""Hostile and malformed Ansible playbooks and AWX workflows: findings with
lines, never a traceback or a hang (the mechanism of
tests/test_adapter_hostile.py: each case is checked whole, and the work it
may cost is bounded)."""

from __future__ import annotations

import json

import pytest
from format_support import assert_binary_file_is_rl001, assert_hostile_text_handled, checked_in_a_fresh_process

from recoverylint.engine import check_text

N = 100_000
PLAY = "- hosts: all\n  tasks:\n"


def _tasks(*lines: str) -> str:
    return PLAY + "".join(f"  {line}\n" for line in lines)


# (text, the findings' codes and lines expected)
CASES: dict[str, tuple[str, list[tuple[str, int]]]] = {
    "tasks-not-a-list": ("- hosts: all\n  tasks: {a: 1}\n", [("RL002", 2)]),
    "task-not-a-mapping": (_tasks("- name: a", "  debug: {msg: x}", "- [1, 2]"), [("RL002", 5)]),
    "block-not-a-list": (_tasks("- block: words"), [("RL002", 3)]),
    "rescue-not-a-list": (_tasks("- block: [{debug: {msg: a}}]", "  rescue: 3"), [("RL002", 4)]),
    "handlers-not-a-list": ("- hosts: all\n  handlers: 7\n  tasks: []\n", [("RL002", 2)]),
    "handler-not-a-mapping": ("- hosts: all\n  handlers: [x]\n  tasks: []\n", [("RL002", 2)]),
    "a-task-among-the-plays": ("- hosts: all\n  tasks: []\n- debug: {msg: x}\n", [("RL002", 3)]),
    "odd-values-everywhere": (
        _tasks(
            "- name: {a: 1}",
            "  service: [x]",
            "  when: [1, null, {a: b}]",
            "  notify: {x: 1}",
            "  register: [r]",
            "  async: x",
            "  poll: [0]",
            "- action: null",
            "- local_action: {module: shell, _raw_params: 3}",
            "- name: 3",
            "  uri: {url: [1], method: 5}",
            "- k8s: {definition: [1], kind: 3}",
            "- set_fact: {1: 2}",
        ),
        # odd values read as absent
        [],
    ),
    "unclosed-jinja": (_tasks("- command: " + json.dumps("{{" * (N // 2))), []),
    "many-jinja-uses": (
        _tasks("- command: ls", "  register: r", "- command: " + json.dumps("echo " + "{{ r }}" * (N // 7))),
        [],
    ),
    "unclosed-brackets-after-a-fact": (
        _tasks("- command: ls", "  register: r", "- debug:", "    msg: " + json.dumps("{{ " + "r[" * (N // 2) + " }}")),
        [],
    ),
    "unclosed-quotes-in-free-form": (_tasks("- file: " + json.dumps('a=" ' * (N // 4))), []),
    "not-yaml": (_tasks("- name: [a"), [("RL001", 4)]),
    "duplicate-keys": (_tasks("- name: a", "  name: b", "  debug: {}"), [("RL001", 4)]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_hostile_playbook_gets_findings_with_lines_and_no_internal_error(case):
    text, expected = CASES[case]
    assert_hostile_text_handled(text, f"{case}.yml", expected)


AWX = {
    "nodes-not-a-mapping": ("workflow_nodes: [1]\n", [("RL002", 1)]),
    "edges-not-a-list": ("workflow_nodes:\n- identifier: a\n  success_nodes: b\n", [("RL002", 3)]),
    "edge-to-nothing": ("workflow_nodes:\n- identifier: a\n  failure_nodes: [{x: 1}]\n", [("RL002", 3)]),
    "edge-to-an-unknown-node": ("workflow_nodes:\n- identifier: a\n  always_nodes: [b]\n", [("RL102", 3)]),
    "schema-children-not-a-list": ("- job_template: a\n  success: 3\n", [("RL002", 2)]),
    "schema-child-not-a-mapping": ("- job_template: a\n  failure: [3]\n", [("RL002", 2)]),
    "a-cycle": (
        "workflow_nodes:\n- identifier: a\n  success_nodes: [b]\n- identifier: b\n  success_nodes: [a]\n",
        [("RL103", 5)],
    ),
}


@pytest.mark.parametrize("case", sorted(AWX))
def test_a_hostile_awx_workflow_gets_findings_with_lines_and_no_internal_error(case):
    text, expected = AWX[case]
    result = check_text(text, f"{case}.yml")
    assert result.internal_error is None and result.format == "awx"
    errors = [(f.code, f.span.line) for f in result.findings if f.code.startswith(("RL0", "RL1"))]
    assert errors == expected


def test_blocks_nested_as_deep_as_yaml_allows_are_read():
    depth = 60
    text = PLAY
    for level in range(depth):
        text += "  " * (level + 1) + "- block:\n"
    text += "  " * (depth + 1) + "- debug: {msg: x}\n"
    result = check_text(text, "deep.yml")
    assert result.internal_error is None and result.runbook is not None
    assert len(result.runbook.steps) == 1


def _many_equal_names(count: int) -> str:
    """`count` tasks of one name notifying one handler: ids `x`, `x-2`...,
    each found in one step, and one handler step after them."""
    lines = ["- hosts: all", "  handlers:", "  - name: h", "    debug: {msg: h}", "  tasks:"]
    lines += ["  - name: x", "    command: ls", "    notify: h"] * count
    return "\n".join(lines) + "\n"


def test_ten_thousand_tasks_of_one_name_are_read_within_bounds(tmp_path):
    path = tmp_path / "same.yml"
    path.write_text(_many_equal_names(10_000), encoding="utf-8")
    done = checked_in_a_fresh_process(path)
    assert done.returncode in (0, 1) and "Traceback" not in done.stderr
    assert not [f for f in json.loads(done.stdout)["findings"] if f["code"].startswith(("RL0", "RL1"))]


def test_a_binary_file_named_as_a_playbook_is_rl001(tmp_path):
    path = tmp_path / "site.yml"
    path.write_bytes(b"- hosts: all\n  tasks:\n  - \x00\xff\xfe\n")
    assert_binary_file_is_rl001(path)
