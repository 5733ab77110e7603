"""The StackStorm ActionChain adapter: chains read as runbooks."""

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

from recoverylint.adapters import AdapterError, input_formats
from recoverylint.engine import check_text
from recoverylint.model import EdgeKind, Span
from recoverylint.source import parse

ACTIONCHAIN = input_formats()["actionchain"]
# `b` uses what `a` publishes: nothing to report.
CLEAN = (
    "chain:\n"
    "  - {name: a, ref: x, publish: {v: 1}, on-success: b}\n"
    "  - {name: b, ref: x, parameters: {p: '{{ v }}'}}\n"
)


def read(name: str):
    return adapt(fixture(f"actionchain/{name}"), "actionchain", path=f"actionchain/{name}")


def chain(text: str) -> str:
    return textwrap.dedent(text)


# -- detection -----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "chain:\n  - {name: a, ref: core.noop}\n",
        "chain: []\n",
        "chain:\n  - {malformed_name: a}\n",  # claims the format: RL002 says what is wrong
        "name: meta\n---\nchain:\n  - {name: a, ref: core.noop}\n",
    ],
)
def test_chains_are_detected(text):
    assert ACTIONCHAIN.detect(parse(text))


@pytest.mark.parametrize(
    "text",
    [
        "chain:\n  enabled: true\n",  # an action named `chain` in a list of actions
        "chain: [a, b]\n",
        "chain: null\n",
        "runner_type: action-chain\nentry_point: chains/x.yaml\n",
        "- chain: []\n",
        "version: 1.0\ntasks: {a: {}}\n",
        "chain\n",
        "",
    ],
)
def test_near_misses_are_not_detected(text):
    assert not ACTIONCHAIN.detect(parse(text))


# -- a whole chain --------------------------------------------------------------------


def test_steps_ids_titles_and_spans():
    runbook = read("restart.yaml").runbook
    assert runbook.id == "restart" and runbook.title is None
    assert runbook.format == "actionchain" and runbook.wait_key is None
    assert runbook.span == Span(4, 1, 4, 6)
    assert [s.id for s in runbook.steps] == ["check", "snapshot", "restart", "rollback", "notify", "page"]
    check = step(runbook, "check")
    assert check.span == Span(5, 11, 5, 16)
    assert check.extent == Span(5, 5, 14, 3)
    assert check.title == "core.http"


def test_declared_order():
    runbook = read("restart.yaml").runbook
    # `rollback -> check` goes back: a retry, left out of O.
    assert order_edges(runbook) == {
        ("check", "snapshot"),
        ("check", "page"),
        ("snapshot", "restart"),
        ("snapshot", "page"),
        ("restart", "notify"),
        ("restart", "rollback"),
    }
    spans = {(e.source, e.target): (e.kind, e.span) for e in runbook.declared_edges}
    assert spans[("check", "snapshot")] == (EdgeKind.SEQUENCE, Span(12, 17, 12, 25))
    assert spans[("check", "page")] == (EdgeKind.SEQUENCE, Span(13, 17, 13, 21))


def test_alternatives_and_failure_handlers():
    runbook = read("restart.yaml").runbook
    restart = step(runbook, "restart")
    assert [(r.name, r.span) for r in restart.decides] == [
        ("notify", Span(23, 17, 23, 23)),
        ("rollback", Span(24, 17, 24, 25)),
    ]
    notify = step(runbook, "notify")
    assert [(r.name, r.span) for r in notify.excludes] == [("rollback", Span(24, 17, 24, 25))]
    assert names(step(runbook, "rollback").excludes) == ["notify"]
    # `snapshot` and `page` both run when `snapshot` fails; `restart` reaches
    # `page` too (through `rollback` and `check` again): no alternatives, but
    # `page` runs because they failed.
    assert step(runbook, "check").decides == () and step(runbook, "snapshot").decides == ()
    assert [(n.step, n.span, n.reason) for n in step(runbook, "page").needs] == [
        ("check", Span(13, 17, 13, 21), "`page` runs only when `check` fails"),
        ("snapshot", Span(17, 17, 17, 21), "`page` runs only when `snapshot` fails"),
    ]


def test_facts():
    runbook = read("restart.yaml").runbook
    check, restart = step(runbook, "check"), step(runbook, "restart")
    assert [(r.name, r.span) for r in runbook.given] == [("region", Span(3, 3, 3, 9))]
    # `service` is a parameter of the chain; `check.status_code` its own result
    assert [(r.name, r.span) for r in check.inputs] == [("region", Span(8, 12, 8, 62))]
    assert [(r.name, r.span) for r in check.outputs] == [
        ("status", Span(10, 7, 10, 13)),
        ("healthy", Span(11, 7, 11, 14)),
    ]
    # another task's result; a variable through a filter, not the quoted word
    assert [(r.name, r.span) for r in restart.inputs] == [
        ("snapshot.result", Span(21, 17, 21, 36)),
        ("status", Span(22, 13, 22, 59)),
    ]
    assert [(r.name, r.span) for r in step(runbook, "snapshot").outputs] == [
        ("snapshot.result", Span(14, 11, 14, 19))
    ]
    assert names(step(runbook, "notify").inputs) == ["healthy"]


def test_required_order():
    runbook = read("restart.yaml").runbook
    assert data_edges(runbook) == {
        ("check", "page"),  # failure handlers
        ("snapshot", "page"),
        ("check", "snapshot"),  # `ops.snapshot` may use anything `check` did
        ("snapshot", "restart"),  # its result
        ("check", "restart"),  # `status`
        ("restart", "notify"),  # decides
        ("restart", "rollback"),
        ("snapshot", "rollback"),
        ("check", "notify"),  # `healthy`
    }


# -- one case at a time ------------------------------------------------------------


def test_jinja_names_that_are_not_reads():
    text = chain(
        """\
        vars: {v: 1}
        chain:
          - name: a
            ref: x
            publish: {p: 1, q: 2, r: 3}
            on-success: b
          - name: b
            ref: x
            parameters:
              one: "{{ a.stdout | replace('p', q) }}"
              two: "{% if v is defined and r is not none %}{{ lookup(p) }}{% endif %}"
              three: "{{ x.p }} {{ 'r' }} {{ st2kv.system.p }} {{ __results.a }} {{ f(v=1) }}"
        """
    )
    runbook = adapt(text, "actionchain").runbook
    # `p` is a call's argument, read; `lookup(` and `f(` are calls, `v=` a keyword
    assert names(step(runbook, "b").inputs) == ["a.result", "q", "v", "r", "p"]
    assert names(step(runbook, "a").outputs) == ["p", "q", "r", "a.result"]


def test_a_published_value_reads_the_variables_as_they_were():
    text = "chain:\n  - name: a\n    ref: x\n    publish: {v: 1, w: '{{ v }}'}\n"
    runbook = adapt(text, "actionchain").runbook
    assert names(step(runbook, "a").inputs) == ["v"]
    assert codes(text) == [("RL104", 4)]  # `v` is not defined yet when `w` is rendered


def test_without_default_and_with_a_jinja_jump():
    text = chain(
        """\
        chain:
          - name: a
            ref: x
            on-success: "{{ next_task }}"
            on-failure: a
          - name: b
            ref: x
            on-success: b
        """
    )
    adapted = adapt(text, "actionchain")
    # chosen at run time, and loops on themselves: no order at all
    assert order_edges(adapted.runbook) == set() and adapted.problems == ()
    assert all(not s.needs and not s.decides for s in adapted.runbook.steps)


def test_a_failure_jumping_back_chooses_nothing():
    text = chain(
        """\
        chain:
          - {name: a, ref: core.noop, on-success: b}
          - {name: b, ref: core.noop, on-success: c, on-failure: a}
          - {name: c, ref: core.noop}
        """
    )
    runbook = adapt(text, "actionchain").runbook
    assert order_edges(runbook) == {("a", "b"), ("b", "c")}
    assert all(not s.decides and not s.excludes and not s.needs for s in runbook.steps)


def test_targets_reaching_each_other_only_through_the_task_are_alternatives():
    # `ok` retries `t` (a loop through the deciding task), which then takes
    # `bad`: `ok` reaches `bad` only through `t`, so `t` decides between them.
    # Once `ok` reaches `bad` by another way (through `log`), both run.
    looped = chain(
        """\
        chain:
          - {name: t, ref: core.noop, on-success: ok, on-failure: bad}
          - {name: ok, ref: core.noop, on-success: t}
          - {name: bad, ref: core.noop}
        """
    )
    assert names(step(adapt(looped, "actionchain").runbook, "t").decides) == ["ok", "bad"]
    around = chain(
        """\
        chain:
          - {name: t, ref: core.noop, on-success: ok, on-failure: bad}
          - {name: ok, ref: core.noop, on-success: t, on-failure: log}
          - {name: log, ref: core.noop, on-success: bad}
          - {name: bad, ref: core.noop}
        """
    )
    runbook = adapt(around, "actionchain").runbook
    assert step(runbook, "t").decides == ()
    assert [(n.step, n.reason) for n in step(runbook, "bad").needs] == [("t", "`bad` runs only when `t` fails")]


def test_the_same_task_on_success_and_on_failure_is_a_plain_sequence():
    text = "chain:\n  - {name: a, ref: core.noop, on-success: b, on-failure: b}\n  - {name: b, ref: core.noop}\n"
    runbook = adapt(text, "actionchain").runbook
    assert order_edges(runbook) == {("a", "b")}
    assert step(runbook, "a").decides == () and step(runbook, "b").needs == ()
    assert codes(text) == [("RL201", 3)]


def test_unknown_names_are_rl102():
    text = chain(
        """\
        chain:
          - name: check
            ref: x
            on-success: restrat
            on-failure: page
          - name: restart
            ref: x
        default: chekc
        """
    )
    adapted = adapt(text, "actionchain")
    problems = [(code, issue.span.line, issue.message, issue.suggestion) for code, issue in adapted.problems]
    assert problems == [
        ("RL102", 8, "the `default` task `chekc` refers to no step", "did you mean `check`?"),
        ("RL102", 4, "the step `restrat` refers to no step", "did you mean `restart`?"),
        ("RL102", 5, "the step `page` refers to no step", None),
    ]
    assert codes(text) == [("RL102", 4), ("RL102", 5), ("RL102", 8)]


@pytest.mark.parametrize(
    "text, line",
    [
        ("chain:\n  - {name: a, ref: x}\n  - {malformed_name: b}\n", 3),
        ("chain:\n  - {name: a, ref: x}\n  - just a string\n", 3),
        ("chain:\n  - {name: null, ref: x}\n", 2),
    ],
)
def test_a_task_without_a_name_is_rl002(text, line):
    with pytest.raises(AdapterError) as raised:
        ACTIONCHAIN.build(parse(text), "c.yaml", 5.0)
    assert raised.value.issue.span.line == line
    assert codes(text) == [("RL002", line)]


def test_a_given_variable_published_later_is_read_at_its_initial_value():
    text = chain(
        """\
        vars: {tries: 0}
        chain:
          - name: attempt
            ref: x
            parameters: {n: "{{ tries }}"}
            on-failure: count
          - name: count
            ref: x
            publish: {tries: "{{ tries + 1 }}"}
            on-success: attempt
        """
    )
    runbook = adapt(text, "actionchain").runbook
    assert step(runbook, "attempt").inputs == ()  # no RL302: it reads the initial value
    # its published value reads the variable as it was: its own publish orders nothing
    assert names(step(runbook, "count").inputs) == ["tries"]
    assert codes(text) == []


def test_several_chains_qualify_ids_and_variables():
    runbook = adapt(CLEAN + "---\n" + CLEAN, "actionchain").runbook
    assert [s.id for s in runbook.steps] == ["1/a", "1/b", "2/a", "2/b"]
    assert order_edges(runbook) == {("1/a", "1/b"), ("2/a", "2/b")}
    assert names(step(runbook, "2/b").inputs) == ["2/v"]
    assert data_edges(runbook) == {("1/a", "1/b"), ("2/a", "2/b")}


def test_malformed_values_are_skipped():
    text = chain(
        """\
        vars: [x]
        chain:
          - name: 7
            ref: [x]
            publish: [y]
            parameters: "{{ 7 }}"
            on-success: {b: 1}
            on-failure: ""
          - name: b
            ref: x
            on-success: 7
        default: [b]
        """
    )
    adapted = adapt(text, "actionchain")
    runbook = adapted.runbook
    assert [s.id for s in runbook.steps] == ["7", "b"]
    assert order_edges(runbook) == {("b", "7")}
    assert adapted.problems == () and runbook.given == ()
    assert step(runbook, "7").title is None


TEXT = st.text(st.characters(categories=("L", "N", "P", "S", "Zs")), max_size=12)
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), TEXT,
    st.sampled_from(["a", "b", "{{ a.x }}", "{{ v }}", "{% if v %}x{% endif %}"]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(
        st.sampled_from(["on-success", "on-failure", "publish", "parameters", "params", "ref", "v", "a"]),
        inner,
        max_size=4,
    ),
    max_leaves=12,
)
TASKS = st.fixed_dictionaries(
    {"name": st.sampled_from(["a", "b", "c"])},
    optional={
        "ref": SCALARS, "on-success": SCALARS, "on-failure": SCALARS,
        "publish": VALUES, "parameters": VALUES,
    },
)


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(tasks=st.lists(TASKS, max_size=4), top=VALUES, start=SCALARS)
def test_random_chains_never_crash(tasks, top, start):
    result = check_text(json.dumps({"chain": tasks, "vars": top, "default": start}, ensure_ascii=False))
    assert result.internal_error is None
    assert result.format == "actionchain"


@settings(max_examples=100, deadline=None, database=None)
@given(data=VALUES)
def test_detect_never_raises(data):
    ACTIONCHAIN.detect(parse(json.dumps({"chain": data}, ensure_ascii=False)))


# -- the command line ----------------------------------------------------------------



def test_cli_reports_a_false_gate(tmp_path):
    # Two lookups, each of an effect the chain shows: the second needs nothing from the first.
    path = tmp_path / "lookups.yaml"
    path.write_text(
        chain(
            """\
            chain:
              - name: check
                ref: core.http
                parameters: {url: "https://orders.example.com/health"}
                on-success: pods
              - name: pods
                ref: core.local
                parameters: {cmd: "kubectl get pods -n shop"}
            """
        )
    )
    completed = check_json(path)
    assert completed.returncode == 1, completed.stderr
    report = json.loads(completed.stdout)
    assert [(f["code"], f["line"], f["column"]) for f in report["findings"]] == [("RL201", 6, 11)]
    assert "`pods` waits for `check` but uses nothing from it" in report["findings"][0]["message"]


def test_cli_finds_no_false_gate_around_a_pack_action():
    # What a pack's action does is not known: the restart fixture's waits are all required.
    completed = check_json(FIXTURES / "actionchain" / "restart.yaml")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert json.loads(completed.stdout)["findings"] == []


def test_cli_on_a_clean_chain(tmp_path):
    path = tmp_path / "clean.yaml"
    path.write_text(CLEAN)
    completed = check_json(path)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert json.loads(completed.stdout)["findings"] == []
