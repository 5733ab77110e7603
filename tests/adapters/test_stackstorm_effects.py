"""What StackStorm actions do (adapters/_stackstorm.py), through the Orquesta
and ActionChain adapters: a pack's action is of unknown effect, so the waits
around it are required however many tasks lie between; core actions say
what they touch; waits, questions and messages order the tasks around them.
Each false RL201 met on a real workflow has its minimal fixture here."""

from __future__ import annotations

import json
import textwrap

import pytest
from adapter_support import FIXTURES, adapt, check_json, codes, data_edges, fixture, names, step
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recoverylint.adapters._builder import Descendants


def workflow(tasks: str) -> str:
    return "version: 1.0\ntasks:\n" + textwrap.indent(textwrap.dedent(tasks), "  ")


def reasons(runbook, step_id: str) -> list[tuple[str, str | None]]:
    return [(need.step, need.reason) for need in step(runbook, step_id).needs]


# -- pack actions: unknown effect --------------------------------------------------


def test_a_task_acting_on_what_a_pack_action_made_is_no_false_gate():
    # partitions.yaml of a real pack: mkfs on the partition `parted` makes, then its mount.
    text = fixture("stackstorm/partition.yaml")
    assert codes(text) == []
    runbook = adapt(text, "orquesta").runbook
    assert data_edges(runbook) == {("parted", "filesystem"), ("filesystem", "mount")}
    assert reasons(runbook, "filesystem") == [
        ("parted", "what `filesystem` does (`ansible.command`) is not known from the workflow")
    ]


def test_a_task_after_a_wait_requires_it_through_the_tasks_between():
    # guest_process_run.yaml of the vSphere pack: the second read of the
    # process's output needs the wait for the process, not the first read,
    # and the folder is deleted only after both reads.
    text = fixture("stackstorm/guest_process.yaml")
    runbook = adapt(text, "orquesta").runbook
    assert ("process_wait", "get_stderr") in data_edges(runbook)
    assert {("get_stdout", "dir_delete"), ("get_stderr", "dir_delete")} <= data_edges(runbook)
    assert reasons(runbook, "get_stderr") == [
        ("process_wait", "`process_wait` waits (`vsphere.guest_process_wait`) for what the tasks before it do,"
         " and those after it for it")
    ]
    findings = [f for f in _checked(text) if f.code == "RL201"]
    assert [(f.span.line, f.message.split(". ")[0]) for f in findings] == [
        (21, "`get_stderr` waits for `get_stdout` but uses nothing from it; it needs only `process_wait`")
    ]
    # reads of the pack's system
    assert names(step(runbook, "get_stdout").reads) == ["stackstorm/vsphere"]


def _checked(text: str):
    from recoverylint.engine import check_text

    return check_text(text).findings


@pytest.mark.parametrize(
    ("action", "kind"),
    [
        ("aws.ec2_describe_images", "reads"),  # a word that looks, none that changes
        ("napalm.get_facts", "reads"),
        ("aws.ec2_run_instances", "unknown"),
        ("st2cd.get_and_delete", "unknown"),  # a change beside the look
        ("linux.wait_for_ssh", "waits"),
        ("core.ask", "waits"),
        ("core.pause", "waits"),
        ("core.sendmail", "reports"),
        ("slack.post_message", "reports"),
        ("<% ctx().action %>", "unknown"),  # chosen at run time
        ("core.noop", "nothing"),
        ("core.echo", "reports"),  # "restart done": what came before it
    ],
)
def test_what_an_action_is_taken_to_do(action, kind):
    # a known lookup `first`, the task of the action, a known lookup `last`
    text = workflow(
        f"""\
        first:
          action: core.local cmd="kubectl get pods -n shop"
          next: [{{do: middle}}]
        middle:
          action: {action}
          next: [{{do: last}}]
        last:
          action: core.local cmd="kubectl get svc -n shop"
        """
    )
    runbook = adapt(text, "orquesta").runbook
    required = data_edges(runbook)
    into, out_of = ("first", "middle") in required, ("middle", "last") in required
    assert (into, out_of) == {
        "reads": (False, False),
        "nothing": (False, False),
        "unknown": (True, True),
        "waits": (True, True),
        "reports": (True, False),
    }[kind]
    if kind == "reads":
        assert names(step(runbook, "middle").reads) == [f"stackstorm/{action.split('.')[0]}"]


# -- core actions: their parameters say what they touch ---------------------------------


def test_shell_commands_and_http_calls_are_read_through_their_tables():
    text = workflow(
        """\
        restart:
          action: core.remote_sudo
          input: {hosts: web-1, cmd: "systemctl restart <% ctx().service %>"}
          next: [{do: status}]
        status:
          action: core.http url="https://status.example.com/api/incidents" method=POST
          next: [{do: probe}]
        probe:
          action: core.http
          input: {url: "https://orders.example.com/health"}
          next: [{do: custom}]
        custom:
          action: core.local cmd=<% ctx().command %>
        """
    )
    runbook = adapt(text, "orquesta").runbook
    restart, status, probe = (step(runbook, name) for name in ("restart", "status", "probe"))
    assert names(restart.writes) == ["systemd/<ctx.service>"]
    assert restart.writes[0].span.line == 5  # the `cmd` input
    assert names(status.writes) == ["http/status.example.com/api/incidents"]
    assert names(probe.reads) == ["http/orders.example.com/health"]
    # a command that is an expression: unknown, so it waits for what came before it
    assert ("probe", "custom") in data_edges(runbook)
    # a health probe observes the whole service: after the restart that changes it
    assert probe.observes and ("restart", "probe") in data_edges(runbook)


def test_a_sleep_is_a_wait_and_an_unknown_command_an_unknown_effect():
    text = workflow(
        """\
        restart:
          action: core.local cmd="systemctl restart orders"
          next: [{do: settle}]
        settle:
          action: core.local cmd="sleep 30"
          next: [{do: pods}]
        pods:
          action: core.local cmd="kubectl get pods -n shop"
          next: [{do: repair}]
        repair:
          action: core.local cmd="./repair.sh --force"
        """
    )
    runbook = adapt(text, "orquesta").runbook
    assert {("restart", "settle"), ("settle", "pods"), ("pods", "repair")} <= data_edges(runbook)
    unknown = "what `repair` does (`core.local`) is not known from the workflow"
    assert sorted(reasons(runbook, "repair")) == [("pods", unknown), ("settle", unknown)]


def test_a_retry_loop_back_through_an_unknown_task_leaves_the_required_order_acyclic():
    text = workflow(
        """\
        deploy:
          action: ops.deploy
          next:
            - when: <% succeeded() %>
              do: verify
        verify:
          action: core.http url="https://orders.example.com/health"
          next:
            - when: <% failed() %>
              do: deploy
        """
    )
    runbook = adapt(text, "orquesta").runbook
    assert data_edges(runbook) == {("deploy", "verify")}


def test_a_check_named_task_is_a_guard():
    runbook = adapt(workflow("check_capacity:\n  action: aws.ec2_describe_instances\n"), "orquesta").runbook
    assert step(runbook, "check_capacity").guard


# -- ActionChain: the same actions -------------------------------------------------------


def test_a_chain_reads_both_parameter_keys_and_orders_its_message_and_wait():
    runbook = adapt(fixture("stackstorm/restart_chain.yaml"), "actionchain").runbook
    assert names(step(runbook, "restart").writes) == ["systemd/orders"]  # `parameters`
    required = data_edges(runbook)
    # `settle` (`params:`, a sleep) waits for the restart, and everything after it waits for it
    assert {("restart", "settle"), ("settle", "check_health"), ("settle", "pods")} <= required
    reports = "`announce` reports (`core.sendmail`) what the tasks before it did"
    assert sorted(reasons(runbook, "announce")) == [("check_health", reports), ("settle", reports)]
    # nothing waits for the message: listing the pods needs only the wait
    assert ("announce", "pods") not in required and ("check_health", "pods") not in required


def test_cli_on_a_chain_reports_only_the_gate_nothing_needs(tmp_path):
    completed = check_json(FIXTURES / "stackstorm" / "restart_chain.yaml")
    assert completed.returncode == 1, completed.stderr
    findings = json.loads(completed.stdout)["findings"]
    assert [(f["code"], f["line"]) for f in findings] == [("RL201", 26)]
    assert "`pods` waits for `announce` but uses nothing from it; it needs only `settle`" in findings[0]["message"]


# -- the search for the nearest barriers -------------------------------------------------


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(min_value=1, max_value=9).flatmap(
        lambda n: st.tuples(
            st.just(n),
            st.sets(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)).filter(lambda e: e[0] < e[1])),
            st.sets(st.integers(0, n - 1)),
            st.booleans(),
        )
    )
)
def test_nearest_is_what_a_plain_search_stopping_at_barriers_finds(case):
    count, edges, barriers, last = case
    successors: dict[str, set[str]] = {str(node): set() for node in range(count)}
    for source, target in edges:
        successors[str(source)].add(str(target))
    found = Descendants(successors)
    stops = found.mask(str(node) for node in barriers)
    def reach(node: str) -> set[str]:  # the oracle: a plain search
        seen, pending = set(), [node]
        while pending:
            for successor in successors[pending.pop()]:
                if successor not in seen:
                    seen.add(successor)
                    pending.append(successor)
        return seen

    for start in map(str, range(count)):
        reached = reach(start)
        # past a barrier reached, all is reached through it: the barrier's to require
        beyond = set().union(*(reach(node) for node in reached if int(node) in barriers))
        assert set(found.nearest(start, stops, last)) == reached - beyond


# -- the format's minutes, with parameters written inline or under either key ---------------


def test_default_minutes_read_inline_parameters_and_both_chain_keys():
    text = workflow(
        """\
        say:
          action: core.echo message=<% ctx().msg %>
          next: [{do: hold}]
        hold:
          action: core.pause max_pause=120
        """
    )
    runbook = adapt(text, "orquesta").runbook
    assert [runbook.duration_of(s).likely for s in runbook.steps] == [0.0, 2.0]
    for key in ("parameters", "params"):
        chain = f"chain:\n  - name: hold\n    ref: core.pause\n    {key}: {{max_pause: 60}}\n"
        held = adapt(chain, "actionchain").runbook
        assert held.duration_of(held.steps[0]).likely == 1.0


# -- Orquesta: the waits that decide how many times a task runs ------------------------------


def test_the_waits_into_a_join_are_no_gates():
    # join.yaml of the Orquesta engine's fixtures: two branches, then a join.
    text = workflow(
        """\
        start:
          action: core.noop
          next: [{do: [left, right]}]
        left:
          action: core.noop
          next: [{do: joined}]
        right:
          action: core.noop
          next: [{do: joined}]
        joined:
          join: all
          action: core.noop
        """
    )
    runbook = adapt(text, "orquesta").runbook
    joins = "`joined` joins the branches into it (`join`)"
    assert sorted(reasons(runbook, "joined")) == [("left", joins), ("right", joins)]
    assert [code for code, _ in codes(text)] == ["RL201", "RL201"]  # `left` and `right` after the noop start


def test_a_task_reached_twice_without_a_join_runs_twice_and_so_does_what_follows_it():
    # splits.yaml of the Orquesta engine's fixtures: `merge` has no `join`, so each
    # branch runs it (and `after` once per run of it): lifting a wait would run them once.
    text = workflow(
        """\
        start:
          action: core.noop
          next: [{do: [left, right]}]
        left:
          action: core.noop
          next: [{do: merge}]
        right:
          action: core.noop
          next: [{do: merge}]
        merge:
          action: core.noop
          next: [{do: after}]
        after:
          action: core.noop
          next: [{do: joined}]
        joined:
          join: all
          action: core.noop
          next: [{do: last}]
        last:
          action: core.noop
        """
    )
    runbook = adapt(text, "orquesta").runbook
    required = data_edges(runbook)
    assert {("left", "merge"), ("right", "merge"), ("merge", "after"), ("after", "joined")} <= required
    # after the join, the run is one again: `last` may be questioned
    assert ("joined", "last") not in required
    assert [code for code, line in codes(text)] == ["RL201", "RL201", "RL201"]  # left, right, last


def test_two_transitions_taken_together_to_one_task_run_it_twice():
    same = workflow("t:\n  action: core.noop\n  next: [{do: x}, {do: x}]\nx:\n  action: core.noop\n")
    assert reasons(adapt(same, "orquesta").runbook, "x")[0][0] == "t"
    either = workflow(
        "t:\n  action: core.noop\n  next:\n    - {when: <% succeeded() %>, do: x}\n"
        "    - {when: <% failed() %>, do: x}\nx:\n  action: core.noop\n"
    )
    assert reasons(adapt(either, "orquesta").runbook, "x") == []


def test_the_whole_context_reads_every_variable_published_before():
    # A real pack's approval prompt renders `ctx()` whole: it reads what was published before it.
    text = workflow(
        """\
        begin:
          action: core.noop
          next: [{publish: [{thread: <% result() %>}], do: notify}]
        notify:
          action: core.noop
          next: [{do: approve}]
        approve:
          action: core.echo
          input: {message: "<% ctx() %>"}
        """
    )
    runbook = adapt(text, "orquesta").runbook
    assert names(step(runbook, "approve").inputs) == ["thread"]
    assert ("begin", "approve") in data_edges(runbook)


def test_the_tasks_publishing_what_the_workflow_outputs_keep_their_order():
    # output-on-error.yaml of StackStorm's examples: each task publishes its
    # `progress`, and the workflow gives back the last one.
    text = (
        "version: 1.0\n"
        "output:\n  - progress: <% ctx().progress %>\n"
        "tasks:\n"
        "  task1:\n    action: core.noop\n    next: [{publish: [{progress: 50}], do: task2}]\n"
        "  task2:\n    action: core.noop\n    next: [{publish: [{progress: 100}]}]\n"
    )
    runbook = adapt(text, "orquesta").runbook
    assert reasons(runbook, "task2") == [
        ("task1", "`task2` publishes `progress` after `task1`, and the workflow outputs the last value")
    ]
    assert codes(text) == []
    # a variable the workflow does not give back orders nothing
    assert codes(text.replace("  - progress: <% ctx().progress %>", "  - done: true")) == [("RL201", 8)]


def test_two_transitions_to_no_task_are_rl102_not_a_crash():
    # Found by the fuzz test: a split whose target names no task.
    text = workflow(
        """\
        a:
          action: ops.pause
          next: [{do: missing}]
        b:
          action: ops.pause
          next: [{do: missing}]
        """
    )
    assert [code for code, _ in codes(text)] == ["RL102", "RL102"]
