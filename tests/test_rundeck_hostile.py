"""Hostile and malformed Rundeck jobs: findings with lines, never a
traceback or a hang (the mechanism of tests/test_adapter_hostile.py: each
case is checked whole, and the work it may cost is bounded)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from format_support import assert_binary_file_is_rl001, assert_hostile_text_handled, checked_in_a_fresh_process

N = 100_000


def _assert_refused_over_the_limit(path: Path) -> None:
    """`recoverylint check` of `path`, in a fresh process within a generous
    bound, gives one finding: RL001, that the file is over a limit."""
    done = checked_in_a_fresh_process(path)
    assert done.returncode == 1, done.stderr
    found = json.loads(done.stdout)["findings"]
    assert [(f["code"], "over" in f["message"]) for f in found] == [("RL001", True)]


def _job(commands: str, sequence: str = "", top: str = "") -> str:
    return f"- name: j\n{top}  sequence:\n{sequence}    commands:\n{commands}"


def _rules(rules: str, commands: str) -> str:
    strategy = "    strategy: ruleset\n    pluginConfig:\n      WorkflowStrategy:\n        ruleset:\n"
    return _job(commands, strategy + f"          rules: {json.dumps(rules)}\n")


# (text, the findings' codes and lines expected)
CASES: dict[str, tuple[str, list[tuple[str, int]]]] = {
    "commands-a-mapping": ("- name: j\n  sequence:\n    commands: {a: 1}\n", [("RL002", 3)]),
    "command-a-list": (_job("    - exec: uptime\n    - [a, b]\n"), [("RL002", 5)]),
    "odd-values-everywhere": (
        _job(
            "    - exec: [1, 2]\n    - script: {a: b}\n    - jobref: words\n    - description: [x]\n"
            "      errorhandler: 7\n    - type: null\n      configuration: {a: [1, {b: 2}]}\n",
            "    strategy: [node-first]\n    keepgoing: maybe\n",
            "  options: [1, {name: null}, {name: [x]}, {name: ok}]\n",
        ),
        # odd values read as absent
        [],
    ),
    "options-a-mapping": (_job("    - exec: echo ${option.a}\n", top="  options: {a: {required: true}}\n"), []),
    "ruleset-with-no-rules": (_job("    - exec: uptime\n", "    strategy: ruleset\n    pluginConfig: 3\n"), []),
    "rules-of-every-shape": (
        _rules(
            "[\n[]\n[*]\n[1-999999999999] run-after:\n[0] run-after:0,99999999999999999999\n"
            '[1] "run-after:\n[2] if: unless: if:a==b==c\n[x-y,,] run-at-start\nno brackets at all\n[',
            "    - exec: uptime\n    - exec: uptime\n",
        ),
        [("RL102", 7), ("RL102", 7), ("RL102", 7)],
    ),
    "rules-in-a-cycle": (
        _rules("[1] run-after:2\n[2] run-after:1", "    - exec: kubectl get pods\n    - exec: kubectl get pods\n"),
        [("RL103", 7)],
    ),
    "jobs-calling-each-other": (
        "- name: a\n  sequence:\n    commands:\n    - jobref: {name: b}\n"
        "- name: b\n  sequence:\n    commands:\n    - jobref: {name: a}\n    - jobref: {name: b}\n",
        # a job reference's effects are unknown: no finding
        [],
    ),
    "unclosed-option-references": (_job("    - exec: " + json.dumps("echo " + "${option." * (N // 9)) + "\n"), []),
    "many-option-references": (
        _job("    - exec: " + json.dumps("echo " + "@option.a@ " * (N // 11)) + "\n", top="  options: [{name: a}]\n"),
        [],
    ),
    "a-long-rule": (_rules("[" + "1," * (N // 2) + "] run-at-start", "    - exec: uptime\n"), []),
    # a range past Python's int() digit limit was once an internal error
    "a-range-of-a-huge-number": (_rules("[1-" + "9" * 5000 + "] run-at-start", "    - exec: uptime\n"), [("RL102", 7)]),
    # A script no shell parser reads has effects unknown: no finding, no error.
    "shell-it-cannot-parse": (_job("    - script: " + json.dumps("if then fi ((( $( `" * 1000) + "\n"), []),
    "not-yaml": (_job("    - exec: 'uptime\n"), [("RL001", 5)]),
    "duplicate-keys": (_job("    - exec: a\n      exec: b\n"), [("RL001", 5)]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_hostile_job_gets_findings_with_lines_and_no_internal_error(case):
    text, expected = CASES[case]
    assert_hostile_text_handled(text, f"{case}.yaml", expected)


def test_many_steps_of_clashing_conditions_are_refused_within_bounds(tmp_path):
    """2,000 steps, each with its own value of one option: two million pairs
    of alternatives, past the limit on edges: reported (RL001) before any
    is built, within a generous bound (it once ran past two minutes)."""
    count = 2_000
    rules = "\n".join(f"[{n}] run-at-start if:option.x=={n}" for n in range(1, count + 1))
    path = tmp_path / "conditions.yaml"
    path.write_text(_rules(rules, "    - exec: kubectl get pods\n" * count), encoding="utf-8")
    _assert_refused_over_the_limit(path)


def test_two_wide_parallel_jobs_in_one_file_are_refused_not_joined_pair_by_pair(tmp_path):
    """Two parallel jobs of 1,000 steps: the second waits for the first, a
    million waits: past the limit, reported (RL001), not built."""
    wide = "    - exec: uptime\n" * 1_000
    text = (
        "- name: a\n  sequence:\n    strategy: parallel\n    commands:\n" + wide
        + "- name: b\n  sequence:\n    strategy: parallel\n    commands:\n" + wide
    )
    path = tmp_path / "wide.yaml"
    path.write_text(text, encoding="utf-8")
    _assert_refused_over_the_limit(path)


def test_a_binary_file_named_as_a_job_is_rl001(tmp_path):
    path = tmp_path / "job.yaml"
    path.write_bytes(b"- sequence:\n    commands:\n    - exec: \x00\xff\xfe\n")
    assert_binary_file_is_rl001(path)


def test_hundreds_of_steps_of_clashing_conditions_are_analysed_within_bounds(tmp_path):
    """300 steps, each with its own value of one option (44,850 pairs of
    alternatives, under the limit): analysed, each pair reported once."""
    count = 300
    rules = "\n".join(f"[{n}] run-at-start if:option.x=={n}" for n in range(1, count + 1))
    path = tmp_path / "conditions.yaml"
    path.write_text(_rules(rules, "    - exec: kubectl delete pod a -n p\n" * count), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "recoverylint", "check", "--no-cache", "--format", "json", str(path)],
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 1, done.stderr
    codes = [f["code"] for f in json.loads(done.stdout)["findings"]]
    assert "RL001" not in codes and codes.count("RL403") == count * (count - 1) // 2
