"""The StackStorm Orquesta adapter: workflows read as runbooks."""

from __future__ import annotations

import json
import textwrap

import pytest
from adapter_support import (
    FIXTURES,
    adapt,
    check_json,
    codes,
    data_edges,
    fixture,
    names,
    order_edges,
    step,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recoverylint.adapters import input_formats
from recoverylint.engine import check_text
from recoverylint.model import EdgeKind, Span
from recoverylint.source import parse

ORQUESTA = input_formats()["orquesta"]
LEAVES = "a: {action: core.noop}\nb: {action: core.noop}\nc: {action: core.noop}\n"


def read(name: str):
    return adapt(fixture(f"orquesta/{name}"), "orquesta", path=f"orquesta/{name}")


def workflow(tasks: str, head: str = "", leaves: bool = False) -> str:
    """A workflow document with the given (dedented) `tasks` body, and three
    tasks `a`, `b`, `c` that go nowhere when `leaves`."""
    body = textwrap.dedent(tasks) + (LEAVES if leaves else "")
    return "version: 1.0\n" + textwrap.dedent(head) + "tasks:\n" + textwrap.indent(body, "  ")


# -- detection -----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "version: 1.0\ntasks: {a: {action: core.noop}}\n",
        "version: '1.0'\ntasks: {}\n",
        "kind: ConfigMap\n---\nversion: 1.0\ntasks: {a: {}}\n",  # a later document
    ],
)
def test_workflows_are_detected(text):
    assert ORQUESTA.detect(parse(text))


@pytest.mark.parametrize(
    "text",
    [
        "version: 2.0\ntasks: {a: {}}\n",  # Mistral
        "version: '2.0'\nworkflow: {tasks: {a: {}}}\n",
        "version: 1\ntasks: {a: {}}\n",
        "version: true\ntasks: {a: {}}\n",
        "version: 1.0\ntasks: [a, b]\n",
        "version: 1.0\ndescription: no tasks\n",
        "runbook: r\nsteps: []\n",
        "chain:\n  - {name: a, ref: core.noop}\n",
        "- version: 1.0\n  tasks: {}\n",
        "1.0\n",
        "",
    ],
)
def test_near_misses_are_not_detected(text):
    assert not ORQUESTA.detect(parse(text))


# -- a whole workflow -------------------------------------------------------------


def test_steps_ids_titles_and_spans():
    runbook = read("restart.yaml").runbook
    assert runbook.id == "restart"
    assert runbook.title == "Restart the orders service"
    assert runbook.format == "orquesta" and runbook.wait_key is None
    assert runbook.span == Span(1, 1, 1, 8)
    assert [s.id for s in runbook.steps] == [
        "check_health", "decide", "drain", "snapshot", "restart",
        "rollback", "verify", "notify", "page_oncall", "close",
    ]
    check = step(runbook, "check_health")
    assert check.span == Span(13, 3, 13, 15)
    assert check.extent == Span(14, 5, 23, 3)
    assert check.title == "core.http"  # the action, without its inline parameters
    assert step(runbook, "decide").title == "core.noop"


def test_declared_order():
    runbook = read("restart.yaml").runbook
    # `rollback -> check_health` jumps back: a retry, left out of O.
    assert order_edges(runbook) == {
        ("check_health", "decide"),
        ("check_health", "page_oncall"),
        ("decide", "close"),
        ("decide", "drain"),
        ("decide", "snapshot"),
        ("drain", "restart"),
        ("snapshot", "restart"),
        ("restart", "verify"),
        ("restart", "rollback"),
        ("verify", "notify"),
    }
    spans = {(e.source, e.target): (e.kind, e.span) for e in runbook.declared_edges}
    assert spans[("check_health", "decide")] == (EdgeKind.SEQUENCE, Span(19, 13, 19, 19))
    assert spans[("decide", "snapshot")] == (EdgeKind.SEQUENCE, Span(32, 13, 32, 21))  # a list item
    assert all(not s.needs or all(n.reason for n in s.needs) for s in runbook.steps)


def test_alternatives():
    runbook = read("restart.yaml").runbook
    check, decide = step(runbook, "check_health"), step(runbook, "decide")
    assert [(r.name, r.span) for r in check.decides] == [
        ("decide", Span(19, 13, 19, 19)),
        ("page_oncall", Span(21, 13, 21, 24)),
    ]
    # `drain` and `snapshot` start together when `status != 200`: both are
    # alternatives of `close`, not of each other.
    assert names(decide.decides) == ["close", "drain", "snapshot"]
    assert names(step(runbook, "close").excludes) == ["drain", "snapshot"]
    assert names(step(runbook, "drain").excludes) == ["close"]
    assert names(step(runbook, "snapshot").excludes) == ["close"]
    assert names(step(runbook, "restart").decides) == ["verify", "rollback"]
    # `completed()` holds whatever happened: `verify` chooses nothing
    assert step(runbook, "verify").decides == ()
    # `snapshot` has one task to go to (the other transition does `fail`)
    assert step(runbook, "snapshot").decides == ()


def test_facts():
    runbook = read("restart.yaml").runbook
    check, decide, restart = (step(runbook, n) for n in ("check_health", "decide", "restart"))
    assert names(runbook.given) == ["service", "region", "attempts"]
    assert runbook.given[1].span == Span(7, 5, 7, 11)
    assert [(r.name, r.span) for r in check.outputs] == [("status", Span(18, 13, 18, 19))]
    # read in a `when` of the task that decides by it; `attempts` counts from its given value
    assert [(r.name, r.span) for r in decide.inputs] == [
        ("status", Span(26, 15, 26, 38)),
        ("attempts", Span(29, 18, 29, 51)),
    ]
    # inline `publish`: the whole text is where it is written
    assert [(r.name, r.span) for r in decide.outputs] == [("attempts", Span(29, 18, 29, 51))]
    # Jinja `ctx('x')`, and `task(name)`: the task's result
    assert [(r.name, r.span.line) for r in restart.inputs] == [("snapshot_id", 55), ("drain.result", 56)]
    assert [(r.name, r.span) for r in step(runbook, "drain").outputs] == [
        ("drain.result", Span(34, 3, 34, 8))
    ]
    # `snapshot_url` reads the `snapshot_id` published just before it: its own
    assert names(step(runbook, "snapshot").inputs) == []
    assert names(step(runbook, "snapshot").outputs) == ["snapshot_id"]  # snapshot_url: no one reads it
    assert names(step(runbook, "rollback").inputs) == ["snapshot_id"]  # YAQL `$.x`
    assert names(step(runbook, "notify").inputs) == ["attempts"]  # `ctx().get('x')`
    assert names(check.inputs) == ["service"]  # given, in the action's inline parameters


def test_required_order():
    runbook = read("restart.yaml").runbook
    assert data_edges(runbook) == {
        ("check_health", "decide"),  # decides, and `status`
        ("check_health", "page_oncall"),
        ("decide", "close"),
        ("decide", "drain"),
        ("decide", "snapshot"),
        # `ops.*` actions may use anything the tasks before them did
        ("check_health", "drain"),
        ("check_health", "snapshot"),
        ("decide", "notify"),  # `attempts`
        ("drain", "restart"),  # its result
        ("snapshot", "restart"),
        ("snapshot", "rollback"),
        ("restart", "verify"),
        ("restart", "rollback"),
        ("verify", "notify"),  # `chat.post`: of unknown effect
    }


# -- transitions, one case at a time ------------------------------------------------


def decisions(text: str) -> tuple[dict, dict, dict]:
    runbook = adapt(text, "orquesta").runbook
    return (
        {s.id: names(s.decides) for s in runbook.steps if s.decides},
        {s.id: names(s.excludes) for s in runbook.steps if s.excludes},
        {s.id: [(n.step, n.reason) for n in s.needs] for s in runbook.steps if s.needs},
    )


def test_a_failure_handler_alone_is_required_not_decided():
    text = workflow(
        """\
        t:
          next:
            - when: <% succeeded() %>
              do: a
            - when: <% succeeded() %>
              do: b
            - when: <% failed() %>
              do: noop
        u:
          next:
            - when: "{{ failed() }}"
              do: c
        """,
        leaves=True,
    )
    # `a` and `b` share their condition: they run together, and `noop` is no task.
    decides, excludes, needs = decisions(text)
    assert decides == {} and excludes == {}
    assert needs == {"c": [("u", "`c` runs only when `failed()` holds after `u`")]}


def test_targets_taken_whatever_happens_are_no_alternatives():
    text = workflow(
        """\
        t:
          next:
            - when: <% succeeded() %>
              do: a, b
            - when: <% failed() %>
              do: a
            - do: c
            - when: <% failed() %>
              do: c
        """,
        leaves=True,
    )
    # `a` is in two conditional transitions, `c` in one without `when`: only
    # `b` is chosen, and alone it is no alternative.  When `t` fails, both
    # transitions to `c` are taken: it runs twice, which its wait decides.
    assert decisions(text) == (
        {},
        {},
        {"c": [("t", "`c` runs once for each run reaching it (no `join` before it): the wait sets how often")]},
    )


def test_completed_is_always_taken():
    text = workflow(
        """\
        t:
          next:
            - when: <% completed() %>
              do: a
            - when: <% failed() %>
              do: b
        """,
        leaves=True,
    )
    assert decisions(text) == ({}, {}, {"b": [("t", "`b` runs only when `failed()` holds after `t`")]})


def test_a_comma_separated_do_names_several_targets():
    text = workflow(
        """\
        t:
          next:
            - when: <% succeeded() %>
              do: a, b
            - when: <% failed() %>
              do: [c]
        """,
        leaves=True,
    )
    runbook = adapt(text, "orquesta").runbook
    assert order_edges(runbook) == {("t", "a"), ("t", "b"), ("t", "c")}
    spans = {e.target: e.span for e in runbook.declared_edges}
    assert spans["a"] == spans["b"] == Span(6, 13, 6, 17)
    assert decisions(text)[:2] == ({"t": ["a", "b", "c"]}, {"a": ["c"], "b": ["c"], "c": ["a", "b"]})


def test_alternatives_that_lead_to_one_another_are_not_alternatives():
    text = workflow(
        """\
        t:
          next:
            - when: <% ctx().x %>
              do: a
            - when: <% not ctx().x %>
              do: b
        a:
          next:
            - do: b
        b: {}
        """,
        head="input: [x]\n",
    )
    decides, excludes, needs = decisions(text)
    assert decides == {} and excludes == {}
    assert sorted(needs) == ["a", "b"]  # both still depend on what `t` found


def test_a_loop_back_through_the_decider_keeps_the_alternatives():
    text = workflow(
        """\
        t:
          next:
            - when: <% succeeded() %>
              do: done
            - when: <% failed() %>
              do: retry_later
        retry_later:
          next:
            - do: t
        done: {}
        """
    )
    runbook = adapt(text, "orquesta").runbook
    assert order_edges(runbook) == {("t", "done"), ("t", "retry_later")}
    assert names(step(runbook, "t").decides) == ["done", "retry_later"]


def test_a_jump_back_is_not_chosen_for_this_round():
    text = workflow(
        """\
        start:
          next:
            - do: t
        t:
          next:
            - when: <% ctx().again %>
              do: start
            - when: <% not ctx().again %>
              do: done
        done: {}
        """,
        head="vars: [{again: true}]\n",
    )
    runbook = adapt(text, "orquesta").runbook
    assert order_edges(runbook) == {("start", "t"), ("t", "done")}
    assert step(runbook, "t").decides == ()
    assert [(n.step, n.span.line) for n in step(runbook, "done").needs] == [("t", 12)]


# -- facts, one case at a time ---------------------------------------------------------


def test_every_way_of_reading_a_variable():
    text = workflow(
        """\
        p:
          next:
            - publish: [{a: 1}, {b: 2}, {c: 3}, {d: 4}, {e: 5}, {f: 6}, {g.h: 7}]
              do: q
        q:
          action: core.echo message="<% ctx(a) %>"
          input:
            x: <% ctx('b') + ctx("c") %>
            y: "{{ ctx().d }} {{ ctx().get('e', 0) }}"
            z: ["{% if ctx()['g.h'] %}yes{% endif %}", <% $.f %>]
            w: <% ctx().st2.api_url %> <% ctx(st2).user %> <% ctx() %> <% item() %> ctx(a)
        """
    )
    runbook = adapt(text, "orquesta").runbook
    assert names(step(runbook, "q").inputs) == ["a", "b", "c", "d", "e", "g.h", "f"]
    assert names(step(runbook, "p").outputs) == ["a", "b", "c", "d", "e", "f", "g.h"]


def test_dollar_inside_a_call_is_an_item_not_the_context():
    text = workflow(
        """\
        p:
          next:
            - publish: {hosts: [], names: []}
              do: q
        q:
          input:
            x: <% ctx(hosts).select($.name) %>
            y: <% jsonpath_query(ctx(hosts), "$.names") %>
        """
    )
    runbook = adapt(text, "orquesta").runbook
    assert names(step(runbook, "q").inputs) == ["hosts"]
    assert names(step(runbook, "p").outputs) == ["hosts"]  # publish as a mapping


def test_a_task_level_publish_and_its_own_reads():
    # the older syntax; a `when` tests the task's own publish; an inline publish
    # reads the variables written before it, not itself
    text = workflow(
        """\
        p:
          publish:
            - n: <% ctx(n) + 1 %>
          next:
            - when: <% ctx(n) < 3 %>
              publish: m=<% ctx(n) %> k=<% ctx(m) %> m2=<% ctx(k) %>
              do: q
        q:
          input: {x: <% ctx(k) %> <% ctx(n) %>}
        """,
        head="vars: [{n: 0}]\n",
    )
    runbook = adapt(text, "orquesta").runbook
    # `n` in its own publish is the value before it: the given one
    assert names(step(runbook, "p").inputs) == ["n"]
    assert names(step(runbook, "p").outputs) == ["n", "k"]
    assert names(step(runbook, "q").inputs) == ["k", "n"]
    assert data_edges(runbook) == {("p", "q")}


def test_a_given_variable_published_later_is_read_at_its_initial_value():
    text = workflow(
        """\
        fetch:
          input: {deps: <% ctx().deps %>}
          next:
            - do: resolve
        resolve:
          next:
            - publish: [{deps: <% result() %>}]
              do: fetch
        other:
          input: {deps: <% ctx().deps %>}
        """,
        head="vars:\n  - deps: []\n",
    )
    runbook = adapt(text, "orquesta").runbook
    # `fetch` sees `deps` published by `resolve` only on its next round, and
    # `other` (another branch) never: both read the initial value.
    assert step(runbook, "fetch").inputs == () and step(runbook, "other").inputs == ()
    assert step(runbook, "resolve").outputs == ()
    assert codes(text) == [("RL201", 9)]  # no RL301/RL302: `resolve` only waits for nothing it uses


def test_an_undefined_variable_is_rl104():
    text = workflow("a:\n  action: core.local cmd=<% ctx().foobar %>\n")
    assert codes(text) == [("RL104", 4)]


def test_unknown_names_are_rl102():
    text = workflow(
        """\
        a:
          next:
            - do: [fial, b]
        b:
          input: {x: '<% task("nope").result %>'}
        """
    )
    adapted = adapt(text, "orquesta")
    problems = [(code, issue.span.line, issue.message) for code, issue in adapted.problems]
    assert problems == [
        ("RL102", 7, "the task `nope` refers to no step"),
        ("RL102", 5, "the step `fial` refers to no step"),
    ]
    assert codes(text) == [("RL102", 5), ("RL102", 7), ("RL201", 6)]


def test_several_workflows_qualify_ids_and_variables():
    text = workflow("a:\n  next: [{publish: [{x: 1}], do: b}]\nb:\n  input: {y: <% ctx(x) %>}\n")
    runbook = adapt(text + "---\n" + text, "orquesta").runbook
    assert [s.id for s in runbook.steps] == ["1/a", "1/b", "2/a", "2/b"]
    assert order_edges(runbook) == {("1/a", "1/b"), ("2/a", "2/b")}
    assert names(step(runbook, "2/b").inputs) == ["2/x"]
    assert data_edges(runbook) == {("1/a", "1/b"), ("2/a", "2/b")}


def test_malformed_entries_are_skipped():
    text = workflow(
        """\
        a: null
        b: [1, 2]
        c:
          action: [x]
          publish: 7
          next:
            - just a string
            - {do: {x: 1}, when: [1], publish: [1, [2]]}
            - {do: [null, 3, [d]], publish: {}}
            - {do: ",, ,", when: ""}
          input: {x: "<% ctx( ) %> <% task() %> {{ ctx('') }}"}
        3: {next: [{do: c}]}
        """
    )
    adapted = adapt(text, "orquesta")
    runbook = adapted.runbook
    assert [s.id for s in runbook.steps] == ["a", "b", "c", "3"]
    assert order_edges(runbook) == {("c", "3")}  # `3 -> c` goes back
    assert [(code, issue.message) for code, issue in adapted.problems] == []
    assert all(not s.inputs and not s.outputs for s in runbook.steps)


TEXT = st.text(st.characters(categories=("L", "N", "P", "S", "Zs")), max_size=12)
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), TEXT,
    st.sampled_from(
        ["a", "b, a", "fail", "<% ctx(x) %>", "<% succeeded() %>", "{{ task('a') }}", "x=<% 1 %>"]
    ),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(
        st.sampled_from(["next", "do", "when", "publish", "action", "input", "join", "a", "b", "x"]),
        inner,
        max_size=4,
    ),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(tasks=st.dictionaries(st.sampled_from(["a", "b", "c"]), VALUES, max_size=3), top=VALUES)
def test_random_workflows_never_crash(tasks, top):
    document = {"version": 1.0, "tasks": tasks, "input": top, "vars": top}
    result = check_text(json.dumps(document, ensure_ascii=False))
    assert result.internal_error is None
    assert result.format == "orquesta"


@settings(max_examples=100, deadline=None, database=None)
@given(data=VALUES, version=st.one_of(SCALARS, st.just(1.0)))
def test_detect_never_raises(data, version):
    ORQUESTA.detect(parse(json.dumps({"version": version, "tasks": data}, ensure_ascii=False)))


# -- the command line ----------------------------------------------------------------



def test_cli_reports_a_false_gate(tmp_path):
    # Two lookups, each of an effect the workflow shows: the second needs nothing from the first.
    path = tmp_path / "lookups.yaml"
    path.write_text(
        workflow(
            """\
            check_health:
              action: core.http url="https://orders.example.com/health"
              next: [{when: <% succeeded() %>, do: get_pods}]
            get_pods:
              action: core.local cmd="kubectl get pods -n shop"
            """
        )
    )
    completed = check_json(path)
    assert completed.returncode == 1, completed.stderr
    report = json.loads(completed.stdout)
    assert [(f["code"], f["line"], f["column"]) for f in report["findings"]] == [("RL201", 6, 3)]
    assert "`get_pods` waits for `check_health` but uses nothing from it" in report["findings"][0]["message"]


def test_cli_finds_no_false_gate_around_a_pack_action():
    # What a pack's action does is not known, and `notify` reports: the restart fixture's waits are all required.
    completed = check_json(FIXTURES / "orquesta" / "restart.yaml")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert json.loads(completed.stdout)["findings"] == []


def test_cli_on_a_clean_workflow(tmp_path):
    path = tmp_path / "clean.yaml"
    path.write_text(workflow("a:\n  next: [{publish: [{x: 1}], do: b}]\nb:\n  input: {y: <% ctx(x) %>}\n"))
    completed = check_json(path)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert json.loads(completed.stdout)["findings"] == []


def test_the_jump_back_is_found_from_the_entry_even_when_the_loop_body_comes_first():
    # `wait` is written first, but the run begins at `begin` (no transition
    # leads to it): begin -> poll -> wait, and wait's jump to poll is the retry.
    text = textwrap.dedent(
        """\
        version: 1.0
        tasks:
          wait:
            action: core.sleep
            next:
              - do: poll
          poll:
            action: core.noop
            next:
              - when: <% failed() %>
                do: wait
          begin:
            action: core.noop
            next:
              - do: poll
        """
    )
    runbook = adapt(text, "orquesta").runbook
    assert order_edges(runbook) == {("begin", "poll"), ("poll", "wait")}


def reached(successors: dict[str, set[str]], starts: list[str], avoiding: str | None = None) -> set[str]:
    """The nodes reached from `starts` through one edge or more, not passing
    through `avoiding`: a plain search, the oracle for Descendants."""
    found: set[str] = set()
    pending = list(starts)
    while pending:
        for node in successors.get(pending.pop(), ()):
            if node not in found and node != avoiding:
                found.add(node)
                pending.append(node)
    return found


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from("abcdefg"), st.sets(st.sampled_from("abcdefgh"), max_size=4), max_size=7
    ),
    st.sampled_from("abcdefgh"),
    st.sampled_from("abcdefgh"),
)
def test_descendants_reach_what_a_search_does(successors, start, avoiding):
    """What each task reaches, computed once through the graph's components,
    is what a search from it finds, with and without a task to avoid."""
    from recoverylint.adapters._builder import Descendants

    descendants = Descendants(successors)
    names = "abcdefgh"
    assert {n for n in names if descendants.has(descendants.reached_from([start]), n)} == reached(
        successors, [start]
    )
    assert {n for n in names if descendants.has(descendants.reached_avoiding(start, avoiding), n)} == reached(
        successors, [start], avoiding=avoiding
    )


def test_a_task_publishing_the_time_and_one_telling_the_time_passed_make_a_stopwatch():
    runbook = adapt(fixture("orquesta/stopwatch.yaml"), "orquesta").runbook
    clocks = {s.id: [(c.name, c.start) for c in s.clocks] for s in runbook.steps if s.clocks}
    assert clocks == {
        "record_start": [("record_start", True)],
        "report_recovery_time": [("record_start", False)],
    }
    # The report of the time passed waits for the failover it times.
    assert ("failover", "report_recovery_time") in data_edges(runbook)
    assert codes(fixture("orquesta/stopwatch.yaml")) == []


def test_without_reading_the_time_at_its_end_there_is_no_stopwatch():
    text = (
        fixture("orquesta/stopwatch.yaml")
        .replace("recovered in <% now() - ctx().start_time %>", "started <% ctx().start_time %>")
        # actions whose effects the workflow shows (a pack's would make every wait required)
        .replace(
            "aws.rds_failover_db_cluster cluster=<% ctx().cluster %>",
            'core.local cmd="aws rds failover-db-cluster --db-cluster-identifier <% ctx().cluster %>"',
        )
        .replace("chat.post message=", "core.echo message=")
    )
    runbook = adapt(text, "orquesta").runbook
    assert [s.id for s in runbook.steps if s.clocks] == []
    # The failover after the start is questioned again (the report after the
    # failover is a message, which says what came before it).
    assert [code for code, _ in codes(text)] == ["RL201"]
