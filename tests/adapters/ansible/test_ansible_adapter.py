"""Ansible playbooks and AWX workflows read as runbooks (recoverylint.adapters.ansible, .awx)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from adapter_support import adapt, data_edges, fixture, names, order_edges, step

from recoverylint.adapters import detect
from recoverylint.engine import check_text
from recoverylint.source import parse

FIXTURES = "tests/adapters"
REPOSITORY = Path(__file__).resolve().parents[3]


def test_plays_tasks_handlers_blocks_and_async_become_steps_in_order():
    runbook = adapt(fixture("ansible/restart.yml"), "ansible").runbook
    assert [s.id for s in runbook.steps] == [
        "check-config",
        "write-config",
        "start-long-job",
        "read-pods",
        "wait-for-reindex",
        "scale-api",
        "roll-back-api",
        "report",
        "restart-nginx",
        "import-other-yml",
    ]
    edges = order_edges(runbook)
    # async with poll 0: the next task does not wait for it; async_status does
    assert ("start-long-job", "read-pods") not in edges and ("write-config", "read-pods") in edges
    assert ("start-long-job", "wait-for-reindex") in edges
    # the rescue is the block's failure path; always runs after both
    assert [r.name for r in step(runbook, "scale-api").on_failure] == ["roll-back-api"]
    assert {("scale-api", "report"), ("roll-back-api", "report")} <= edges
    # the handler runs at the end of the play, only when notified
    handler = step(runbook, "restart-nginx")
    assert handler.condition is not None and "write-config" in handler.condition.name
    assert ("write-config", "restart-nginx") in data_edges(runbook)
    # the unknown import waits for the play before it, and is required after it
    assert ("restart-nginx", "import-other-yml") in data_edges(runbook)


def test_modules_map_to_reads_writes_and_facts():
    runbook = adapt(fixture("ansible/restart.yml"), "ansible").runbook
    assert names(step(runbook, "write-config").writes) == ["host/web/config/etc/nginx/nginx.conf"]
    assert names(step(runbook, "write-config").inputs) == ["checked"]
    assert step(runbook, "write-config").condition.name == "checked.rc == 0"
    assert names(step(runbook, "check-config").outputs) == ["checked"]
    assert names(step(runbook, "restart-nginx").writes) == ["systemd/nginx"]
    assert names(step(runbook, "read-pods").reads) == ["k8s/web/pod"]
    assert names(step(runbook, "scale-api").writes) == ["k8s/web/deployment/api"]
    assert step(runbook, "import-other-yml").writes == ()


def test_a_fact_with_a_default_is_waited_for_but_not_missed():
    """shrink-mds.yml's `standby_mdss | default([])` (an RL201 of the hand review)."""
    text = (
        "- hosts: a\n  tasks:\n  - name: one\n    set_fact:\n      standby: [x]\n    when: flag\n"
        "  - name: two\n    fail:\n      msg: no\n    when: k in standby | default([])\n"
    )
    runbook = adapt(text, "ansible").runbook
    assert names(step(runbook, "two").inputs) == ["standby"]
    assert [f.code for f in check_text(text).findings if f.code in ("RL201", "RL307")] == []


def test_include_vars_and_wait_for_keep_their_order():
    """make-osd-partitions.yml (include_vars then fail) and cluster-maintenance.yml (two wait_for)."""
    text = (
        "- hosts: a\n  tasks:\n  - name: load\n    include_vars: x.yml\n  - name: check\n    fail: {msg: no}\n"
        "    when: devices is not defined\n  - name: down\n    wait_for: {port: 22, state: stopped}\n"
        "  - name: up\n    wait_for: {port: 22}\n"
    )
    assert [f.code for f in check_text(text).findings if f.code == "RL201"] == []


def test_a_service_named_in_jinja_is_the_unit_systemctl_names():
    """switch-from-non-containerized...yml: `systemctl disable {{ item }}` then `systemd: name={{ item }}`."""
    text = (
        "- hosts: a\n  tasks:\n  - name: one\n    command: systemctl disable --runtime {{ item }}\n"
        "  - name: two\n    systemd:\n      name: '{{ item }}'\n      state: stopped\n"
    )
    assert [f.code for f in check_text(text).findings if f.code == "RL201"] == []


def test_detection_claims_plays_and_task_files_but_not_other_lists():
    assert detect(parse("- hosts: a\n  tasks: []\n")).name == "ansible"
    assert detect(parse("- name: x\n  ansible.builtin.copy: {src: a, dest: b}\n")).name == "ansible"
    assert detect(parse("- name: a\n  sequence:\n    commands: [{exec: ls}]\n")).name != "ansible"
    assert detect(parse("- name: web\n  image: nginx\n  command: [a]\n")) is None
    assert detect(parse("- job_template: a\n")).name == "awx"


def test_awx_workflow_nodes():
    runbook = adapt(fixture("awx/workflow.yml"), "awx").runbook
    assert [s.id for s in runbook.steps] == ["sync", "approve", "restart", "page", "report"]
    assert ("sync", "approve") in order_edges(runbook)
    assert [r.name for r in step(runbook, "sync").on_failure] == ["page"]
    assert step(runbook, "page").condition.name == "sync failed"
    assert step(runbook, "approve").guard and names(step(runbook, "approve").approves) == ["restart"]
    assert [n.step for n in step(runbook, "approve").needs] == ["sync"]
    assert ("restart", "report") in data_edges(runbook)
    problems = adapt(fixture("awx/workflow.yml"), "awx").problems
    assert [(code, issue.span.line) for code, issue in problems] == [("RL102", 13)]


def test_awx_schema_nesting():
    runbook = adapt(fixture("awx/schema.yml"), "awx").runbook
    assert [s.id for s in runbook.steps] == ["diagnose", "fix", "report", "page", "ansible-examples"]
    assert order_edges(runbook) == {("diagnose", "fix"), ("fix", "report"), ("diagnose", "page")}
    assert [f.code for f in check_text(fixture("awx/schema.yml")).findings] == []


def _run(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "recoverylint", *arguments], capture_output=True, text=True, timeout=60, cwd=REPOSITORY
    )


def test_cli_forced_verbose_plan_and_convert():
    path = f"{FIXTURES}/ansible/restart.yml"
    done = _run("check", "--no-cache", "-v", "--input-format", "ansible", path)
    assert done.returncode in (0, 1) and "read as Ansible playbook" in done.stderr + done.stdout
    assert "names hosts, not the people" in done.stderr + done.stdout
    assert _run("plan", path).returncode == 0
    converted = _run("convert", path)
    assert converted.returncode == 0 and "runbook:" in converted.stdout and "scale-api" in converted.stdout
    awx = _run("convert", f"{FIXTURES}/awx/workflow.yml")
    assert awx.returncode == 0 and "approve" in awx.stdout
    forced = _run("check", "--no-cache", "--input-format", "awx", path)
    assert forced.returncode == 1 and "RL003" in forced.stdout


# The false findings of the hand review (docs/real-world-review.md, "Ansible"), each minimal.


def test_a_conditional_end_play_is_a_guard_of_the_changes_after_it():
    """rolling_update.yml:1124: `meta: end_play` when not containerized, then a service stopped."""
    text = (
        "- hosts: a\n  tasks:\n  - name: leave\n    meta: end_play\n    when: not containerized | bool\n"
        "  - name: stop\n    systemd: {name: exporter, state: stopped}\n"
    )
    runbook = adapt(text, "ansible").runbook
    assert step(runbook, "leave").guard
    assert [f.code for f in check_text(text).findings if f.code == "RL201"] == []


def test_a_block_condition_uses_the_facts_it_names():
    """cephadm-adopt.yml:492: a block run `when: mirror_peer_uuid | length > 0` after the set_fact."""
    text = (
        "- hosts: a\n  tasks:\n  - name: found\n    set_fact:\n      peer: [x]\n"
        "  - when: peer | length > 0\n    block:\n    - name: keyring\n      slurp: {src: /etc/k}\n"
    )
    runbook = adapt(text, "ansible").runbook
    assert names(step(runbook, "keyring").inputs) == ["peer"]
    assert [f.code for f in check_text(text).findings if f.code == "RL201"] == []


def test_add_host_changes_what_later_tasks_loop_over():
    """rolling_update.yml:710: `add_host` to the group `standby_mdss`, then a loop over that group."""
    text = (
        "- hosts: a\n  tasks:\n  - name: group\n    add_host: {name: x, groups: standby}\n"
        "  - name: stop\n    systemd: {name: 'mds@{{ item }}', state: stopped}\n"
        "    with_items: \"{{ groups['standby'] }}\"\n"
    )
    assert [f.code for f in check_text(text).findings if f.code == "RL201"] == []


def test_a_guard_testing_a_variable_comes_before_its_uses():
    """shrink-osd.yml:55: fail when `osd_to_kill is not defined`, then a loop over `osd_to_kill.split(',')`."""
    text = (
        "- hosts: a\n  tasks:\n  - name: none given\n    fail: {msg: give one}\n    when: osd_to_kill is not defined\n"
        "  - name: format\n    fail: {msg: bad}\n    with_items: \"{{ osd_to_kill.split(',') }}\"\n"
        "    when: not item is regex('^[0-9]+$')\n"
    )
    runbook = adapt(text, "ansible").runbook
    assert ("none-given", "format") in data_edges(runbook)
    assert [f.code for f in check_text(text).findings if f.code == "RL201"] == []


def test_two_guards_testing_different_variables_need_not_wait():
    """shrink-mon.yml:58 (true): two checks of different variables."""
    text = (
        "- hosts: a\n  tasks:\n  - name: one\n    fail: {msg: x}\n    when: a is not defined\n"
        "  - name: two\n    fail: {msg: y}\n    when: b != 'yes'\n"
    )
    assert [(f.code, f.span.line) for f in check_text(text).findings] == [("RL201", 7)]


def test_facts_gathered_for_other_hosts_are_used_through_hostvars():
    """purge-cluster.yml:76: `setup` delegated with `delegate_facts`, then `hostvars[item]['ansible_facts']`."""
    text = (
        "- hosts: a\n  tasks:\n  - name: gather\n    setup: {gather_subset: [all]}\n    delegate_to: '{{ item }}'\n"
        "    delegate_facts: true\n    with_items: \"{{ groups['nfs'] }}\"\n"
        "  - name: mounts\n    command: grep \"{{ hostvars[item]['ansible_facts']['fqdn'] }}\" /proc/mounts\n"
        "    with_items: \"{{ groups['nfs'] }}\"\n"
    )
    runbook = adapt(text, "ansible").runbook
    assert names(step(runbook, "mounts").inputs) == ["ansible_facts"]
    assert [f.code for f in check_text(text).findings if f.code == "RL201"] == []


def test_a_task_with_failed_when_is_a_guard():
    """purge-cluster.yml:990: `ps -u ceph` failing when anything runs as ceph, before the files are removed."""
    text = (
        "- hosts: a\n  tasks:\n  - name: running\n    command: ps -u ceph\n    register: running\n"
        "    failed_when: running.rc == 0\n  - name: remove\n    file: {path: /etc/ceph, state: absent}\n"
    )
    runbook = adapt(text, "ansible").runbook
    assert step(runbook, "running").guard
    assert [f.code for f in check_text(text).findings if f.code == "RL201"] == []


def test_durations_the_playbook_says():
    """docs/format.md, Durations: a `pause` of seconds or minutes; controller-only modules take none."""
    text = (
        "- hosts: a\n  tasks:\n  - name: wait\n    pause: {seconds: 90}\n  - name: more\n    pause: minutes=2\n"
        "  - name: say\n    debug: {msg: x}\n  - name: huge\n    pause:\n      seconds: " + "9" * 400 + "\n"
        "  - name: ask\n    pause: {prompt: go on}\n  - name: port\n    wait_for: {port: 22, timeout: 300}\n"
    )
    runbook = adapt(text, "ansible").runbook
    minutes = {s.id: (s.duration.minimum, s.duration.maximum) if s.duration else None for s in runbook.steps}
    assert minutes == {
        "wait": (1.5, 1.5),
        "more": (2.0, 2.0),
        "say": (0.0, 0.0),
        "huge": None,
        "ask": None,
        "port": None,
    }


def test_awx_schema_links_under_any_key_starting_with_the_edge():
    """WORKFLOWS.rst: links are "a list under a key that starts with success, failure, or always";
    tower-cli echoes `failure_nodes` before the template, and ids as numbers."""
    text = "- failure_nodes:\n  - inventory_source: 42\n  job_template: 45\n  success_nodes:\n  - project: 40\n"
    runbook = adapt(text, "awx").runbook
    assert [s.id for s in runbook.steps] == ["45", "42", "40"]
    assert order_edges(runbook) == {("45", "42"), ("45", "40")}
    assert [r.name for r in step(runbook, "45").on_failure] == ["42"]
