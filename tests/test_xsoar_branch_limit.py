"""Cortex XSOAR: the tasks a condition's branches pair (each pair of tasks
on two branches excludes each other) and the searches that tell whether one
branch reaches another count against `max_edges`, so a hostile playbook of
thousands of labels is reported (RL001), not analysed until memory runs out.
A condition of 600 labels joining one chain of 2,000 tasks once searched the
chain for each of 180,000 pairs (minutes); a search now passes only the tasks
placed between the two branches, so it is analysed at once, and branches
that do reach each other along a long chain are a finding, not minutes."""

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


def test_branches_joining_a_long_chain_are_analysed_without_searching_the_chain(tmp_path):
    # 179,700 pairs, under the limit; the chain after each branch is 2,001
    # tasks, all placed after every branch, so no search enters it.  (The
    # 10,000-step benchmark playbook, of conditions whose branches join, was
    # RL001 when each branch's whole future was searched and counted.)
    path = tmp_path / "joined.yml"
    path.write_text(condition(600, chain=2_000), encoding="utf-8")
    done = checked_in_a_fresh_process(path)  # a generous timeout: it took minutes once
    assert done.returncode == 0, (done.stdout[:500], done.stderr)
    result = check_text(condition(600, chain=2_000), "joined.yml")
    assert result.runbook is not None
    steps = {step.id: step for step in result.runbook.steps}
    assert len(steps["choose"].decides) == 600


def spread_along_a_chain(labels: int) -> str:
    """A condition whose label n leads to task c<n> of one chain c0 -> c1 -> ...:
    each branch reaches every later one, n - m tasks down the chain."""
    branches = ", ".join(f"'l{n}': ['c{n}']" for n in range(labels))
    lines = [f"'1': {{type: condition, task: {{name: choose}}, nexttasks: {{{branches}}}}}"]
    lines += [
        f"'c{n}': {{type: regular, task: {{name: c{n}}}, nexttasks: {{'#none#': ['c{n + 1}']}}}}"
        for n in range(labels - 1)
    ]
    lines.append(f"'c{labels - 1}': {{type: regular, task: {{name: c{labels - 1}}}}}")
    return HEAD + "".join(f"  {line}\n" for line in lines)


def test_branches_reaching_each_other_down_a_long_chain_are_rl001(tmp_path):
    # 499,500 pairs, under the limit; the searches between them would pass
    # about 166 million tasks: the limit stops them at a million.
    path = tmp_path / "spread.yml"
    path.write_text(spread_along_a_chain(1_000), encoding="utf-8")
    done = checked_in_a_fresh_process(path)
    assert done.returncode == 1, done.stderr
    found = [(f["code"], f["message"]) for f in json.loads(done.stdout)["findings"]]
    assert found == [(
        "RL001",
        "too large to analyse: over 1,000,000 pairs of tasks on a condition's branches and tasks searched between them",
    )]


def test_branches_a_few_tasks_apart_on_one_chain_are_no_alternatives():
    # Each branch reaches the later ones: none excludes another, and the condition decides nothing.
    result = check_text(spread_along_a_chain(20), "short.yml")
    assert [f.code for f in result.findings if f.code == "RL001"] == []
    assert result.runbook is not None
    steps = {step.id: step for step in result.runbook.steps}
    assert steps["choose"].decides == ()
    assert all(steps[f"c{n}"].excludes == () for n in range(20))


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
    # once counted 1,200,600 tasks, over the limit of 1,000,000; a search
    # between `x` and `y` passes none of the chain, and the playbook is analysed.
    result = check_text(conditions_sharing_branches(300, chain=2_000), "shared.yml")
    assert [f.code for f in result.findings if f.code == "RL001"] == []
    assert result.runbook is not None
    steps = {step.id: step for step in result.runbook.steps}
    assert all({ref.name for ref in steps[f"k{n}"].decides} == {"x", "y"} for n in range(300))
    assert {ref.name for ref in steps["x"].excludes} == {"y"}
