"""Cortex XSOAR: the tasks a condition's branches pair (each pair of tasks
on two branches excludes each other) and the searches that tell whether one
branch reaches another count against `max_edges`, so a hostile playbook of
thousands of labels is reported (RL001), not analysed until memory runs out.
A condition of 600 labels joining one chain of 2,000 tasks once searched the
chain for each of 180,000 pairs (minutes); now it is a finding at once."""

from __future__ import annotations

import json

from format_support import checked_in_a_fresh_process

from recoverylint.engine import check_text

HEAD = "id: p\nname: P\nstarttaskid: '1'\ntasks:\n"


def condition(labels: int, chain: int = 0) -> str:
    """A condition of `labels` labels, each to a task of its own; with `chain`,
    every one of those tasks goes on to one chain of `chain` tasks."""
    branches = ", ".join(f"'l{n}': ['b{n}']" for n in range(labels))
    lines = [f"'1': {{type: condition, task: {{name: choose}}, nexttasks: {{{branches}}}}}"]
    after = ", nexttasks: {'#none#': ['c0']}" if chain else ""
    lines += [f"'b{n}': {{type: regular, task: {{name: b{n}}}{after}}}" for n in range(labels)]
    lines += [
        f"'c{n}': {{type: regular, task: {{name: c{n}}}, nexttasks: {{'#none#': ['c{n + 1}']}}}}" for n in range(chain)
    ]
    if chain:
        lines.append(f"'c{chain}': {{type: regular, task: {{name: c{chain}}}}}")
    return HEAD + "".join(f"  {line}\n" for line in lines)


def test_a_condition_of_fifty_labels_pairs_each_branch_with_every_other():
    result = check_text(condition(50), "fifty.yml")
    assert result.runbook is not None
    steps = {step.id: step for step in result.runbook.steps}
    assert len(steps["choose"].decides) == 50
    assert all(len(steps[f"b{n}"].excludes) == 49 for n in range(50))


def test_a_condition_of_1500_labels_is_rl001_before_pairing_them():
    # 1,124,250 pairs: past the limit of 1,000,000, and nothing paired.
    found = [(f.code, f.message) for f in check_text(condition(1_500), "wide.yml").findings]
    assert found == [
        ("RL001", "too large to analyse: over 1,000,000 pairs of tasks on a condition's branches")
    ]


def test_branches_joining_a_long_chain_are_rl001_not_searched_for_each_pair(tmp_path):
    # 179,700 pairs, under the limit; but the chain after each branch is
    # 2,001 tasks: 600 searches visit 1,200,600 of them.
    path = tmp_path / "joined.yml"
    path.write_text(condition(600, chain=2_000), encoding="utf-8")
    done = checked_in_a_fresh_process(path)  # a generous timeout: it took minutes before the limit
    assert done.returncode == 1, done.stderr
    found = [(f["code"], f["message"]) for f in json.loads(done.stdout)["findings"]]
    assert found == [(
        "RL001",
        "too large to analyse: over 1,000,000 pairs of tasks on a condition's branches and tasks after them",
    )]


def conditions_sharing_branches(conditions: int, chain: int) -> str:
    """`conditions` conditions run side by side, each choosing between the
    same two tasks `x` and `y`, which both go on to one chain of `chain` tasks."""
    starts = ", ".join(f"'k{n}'" for n in range(conditions))
    lines = [f"'1': {{type: regular, task: {{name: start}}, nexttasks: {{'#none#': [{starts}]}}}}"]
    lines += [
        f"'k{n}': {{type: condition, task: {{name: k{n}}}, nexttasks: {{'yes': ['x'], 'no': ['y']}}}}"
        for n in range(conditions)
    ]
    lines += [f"'{name}': {{type: regular, task: {{name: {name}}}, nexttasks: {{'#none#': ['c0']}}}}" for name in "xy"]
    lines += [
        f"'c{n}': {{type: regular, task: {{name: c{n}}}, nexttasks: {{'#none#': ['c{n + 1}']}}}}" for n in range(chain)
    ]
    lines.append(f"'c{chain}': {{type: regular, task: {{name: c{chain}}}}}")
    return HEAD + "".join(f"  {line}\n" for line in lines)


def test_branches_shared_by_many_conditions_are_searched_once():
    # 300 conditions, each searching after `x` and after `y` (2,001 tasks each)
    # once counted 1,200,600 tasks, over the limit of 1,000,000; the two
    # searches are made once, 4,002 tasks, and the playbook is analysed.
    result = check_text(conditions_sharing_branches(300, chain=2_000), "shared.yml")
    assert [f.code for f in result.findings if f.code == "RL001"] == []
    assert result.runbook is not None
    steps = {step.id: step for step in result.runbook.steps}
    assert all({ref.name for ref in steps[f"k{n}"].decides} == {"x", "y"} for n in range(300))
    assert {ref.name for ref in steps["x"].excludes} == {"y"}
