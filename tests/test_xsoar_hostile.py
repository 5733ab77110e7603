"""Hostile and malformed Cortex XSOAR playbooks: findings with lines, never
a traceback or a hang (the mechanism of tests/test_adapter_hostile.py:
each case is checked whole, and the work it may cost is bounded)."""

from __future__ import annotations

import json

import pytest
from format_support import assert_binary_file_is_rl001, assert_hostile_text_handled, checked_in_a_fresh_process

from recoverylint.engine import check_text

N = 100_000
HEAD = "id: p\nversion: -1\nname: P\nstarttaskid: '1'\n"


def _tasks(*lines: str) -> str:
    return HEAD + "tasks:\n" + "".join(f"  {line}\n" for line in lines)


def _chain(count: int, kind: str = "regular", body: str = "") -> list[str]:
    """Tasks '1'..'count', each leading to the next."""
    return [
        f"'{n}': {{type: {kind}, task: {{name: t{n}{body}}}, nexttasks: {{'#none#': ['{n + 1}']}}}}"
        for n in range(1, count)
    ] + [f"'{count}': {{type: {kind}, task: {{name: t{count}}}}}"]


# (text, the findings' codes and lines expected)
CASES: dict[str, tuple[str, list[tuple[str, int]]]] = {
    "task-not-a-mapping": (_tasks("'1': [a, b]"), [("RL002", 6)]),
    "task-body-not-a-mapping": (
        _tasks("'1': {type: regular, task: words, nexttasks: {'#none#': '2'}}", "'2': {}"), [("RL002", 6)]
    ),
    "nexttasks-of-every-shape": (
        _tasks(
            "'1': {type: regular, task: {name: a}, nexttasks: [x, y]}",
            "'2': {type: regular, task: {name: b}, nexttasks: {'#none#': 3, yes: [null, {a: 1}, '1']}}",
            "'3': {type: condition, task: {name: c}, nexttasks: {'#none#': {nested: 1}}}",
        ),
        # next tasks of no known shape are ignored: no wait, no finding
        [],
    ),
    "start-that-is-no-task": (HEAD.replace("'1'", "'9'") + "tasks:\n  '1': {type: regular, task: {name: a}}\n", [("RL102", 4)]),
    "start-a-list": (HEAD.replace("'1'", "[1]") + "tasks:\n  '1': {type: regular, task: {name: a}}\n", []),
    "titles-in-a-loop": (
        _tasks(
            "'1': {type: title, task: {name: a}, nexttasks: {'#none#': ['2']}}",
            "'2': {type: title, task: {name: b}, nexttasks: {'#none#': ['1', '3']}}",
            "'3': {type: regular, task: {name: c}, nexttasks: {'#none#': ['1']}}",
        ),
        # jumps back through titles are left out of O too
        [],
    ),
    "tasks-in-a-loop": (
        _tasks(
            "'1': {type: regular, task: {name: a, script: '|||x-get'}, nexttasks: {'#none#': ['2']}}",
            "'2': {type: condition, task: {name: b}, nexttasks: {'#default#': ['1'], 'yes': ['3']},"
            " conditions: [{label: 'yes', condition: [[{operator: isExists, left: {value: {simple: X}, iscontext: true}}]]}]}",
            "'3': {type: regular, task: {name: c}, scriptarguments: {a: {simple: '${X.Y}'}}}",
        ),
        # a jump back (a polling loop) is left out of O: no cycle
        [],
    ),
    "unclosed-context-references": (
        _tasks("'1': {type: regular, task: {name: a, script: '|||x'}, scriptarguments: {a: {simple: '" + "${" * (N // 2) + "'}}}"),
        [],
    ),
    "many-context-references": (
        _tasks(
            "'1': {type: regular, task: {name: a, script: '|||x'}, nexttasks: {'#none#': ['2']}}",
            "'2': {type: regular, task: {name: b}, scriptarguments: {a: {simple: '" + "${A.b}" * (N // 6) + "'}}}",
        ),
        [],
    ),
    "odd-values-everywhere": (
        _tasks(
            "'1': {type: [regular], task: {name: {a: 1}, script: 3, scriptName: null}, conditions: 7,"
            " scriptarguments: [1, 2], loop: {forEach: true}, skipunavailable: 'yes', nexttasks: {'#none#': ['2']}}",
            "'2': {type: null, task: {name: 2}, scriptarguments: {key: {complex: {root: 5, accessor: [x]}}}}",
        ),
        # odd values read as absent
        [],
    ),
    "sleep-of-a-huge-number": (
        _tasks("'1': {type: regular, task: {name: s, scriptName: Sleep}, scriptarguments: {seconds: {simple: '" + "9" * 5000 + "'}}}"),
        [],
    ),
    "not-yaml": (HEAD + "tasks:\n  '1': {type: regular\n", [("RL001", 7)]),
    "duplicate-task-keys": (_tasks("'1': {type: regular, task: {name: a}}", "'1': {type: regular, task: {name: b}}"), [("RL001", 7)]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_hostile_playbook_gets_findings_with_lines_and_no_internal_error(case):
    text, expected = CASES[case]
    assert_hostile_text_handled(text, f"{case}.yml", expected)


def test_nested_conditions_a_thousand_deep_are_read():
    count = 1_000
    lines = [
        f"'{n}': {{type: condition, task: {{name: c{n}}}, nexttasks: {{'#default#': ['{count + 1}'], 'yes': ['{n + 1}']}}}}"
        for n in range(1, count + 1)
    ] + [f"'{count + 1}': {{type: regular, task: {{name: end, script: '|||x-get'}}}}"]
    result = check_text(_tasks(*lines), "deep.yml")
    assert result.internal_error is None and result.runbook is not None
    assert len(result.runbook.steps) == count + 1


def _fan_through_a_title(width: int) -> str:
    """`width` tasks leading to one title leading to `width` tasks: each of the
    second half waits for each of the first (width² waits)."""
    lines = [f"'1': {{type: start, task: {{name: ''}}, nexttasks: {{'#none#': [{', '.join(repr(str(n)) for n in range(2, width + 2))}]}}}}"]
    lines += [f"'{n}': {{type: regular, task: {{name: a{n}}}, nexttasks: {{'#none#': ['t']}}}}" for n in range(2, width + 2)]
    lines.append(f"'t': {{type: title, task: {{name: t}}, nexttasks: {{'#none#': [{', '.join(repr(f'b{n}') for n in range(width))}]}}}}")
    lines += [f"'b{n}': {{type: regular, task: {{name: b{n}}}}}" for n in range(width)]
    return _tasks(*lines)


def test_a_title_joining_thousands_of_tasks_is_read_within_bounds(tmp_path):
    """1,200 tasks before and after one title: 1,440,000 waits, past the
    limit on edges: reported (RL001), not analysed, within a generous bound."""
    path = tmp_path / "fan.yml"
    path.write_text(_fan_through_a_title(1_200), encoding="utf-8")
    done = checked_in_a_fresh_process(path)
    assert done.returncode == 1, done.stderr
    found = json.loads(done.stdout)["findings"]
    assert [(f["code"], "limit" in f["message"] or "over" in f["message"]) for f in found] == [("RL001", True)]


def test_a_binary_file_named_as_a_playbook_is_rl001(tmp_path):
    path = tmp_path / "playbook-x.yml"
    path.write_bytes(b"starttaskid: '1'\ntasks:\n  '1': \x00\xff\xfe\n")
    assert_binary_file_is_rl001(path)


def test_a_chain_of_thousands_of_title_tasks_is_rl001_not_an_internal_error():
    """Titles are followed task by task: 3,000 in a row were once an internal error."""
    result = check_text(_tasks(*_chain(3000, kind="title")))
    assert result.internal_error is None
    assert [f.code for f in result.findings] == ["RL001"]
    assert "chained or nested too deep" in result.findings[0].message
