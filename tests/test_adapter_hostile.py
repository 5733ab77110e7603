"""Long hostile strings the adapters once took quadratic time over (minutes
for 100k characters): the CPU time of a check must grow about linearly with
the string (measured as a ratio between two sizes in the same test, so a busy
machine does not fail it)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import pytest

from recoverylint.engine import check_text

N = 100_000
# A quadratic reading takes 16 times as long on a string 4 times as long; a linear one 4 times.
GROWTH_LIMIT = 9.0


def _string(value: str) -> str:
    return json.dumps(value)


CASES: dict[str, tuple[str, Callable[[int], str]]] = {
    # ssm: `{{ Step.Output` with a long output name and no `}}`.
    "ssm-output-reference": (
        "ssm",
        lambda N: "schemaVersion: '0.3'\nmainSteps:\n- name: a\n  action: aws:executeScript\n"
        f"  inputs:\n    X: {_string('{{a.' + 'b' * N)}\n",
    ),
    # github: unclosed `${{`, in an expression and in an artifact name and pattern.
    "github-expression": (
        "github-actions",
        lambda N: f"on: push\njobs:\n  a:\n    runs-on: x\n    env:\n      X: {_string('${{' * (N // 3))}\n",
    ),
    "github-artifact-name": (
        "github-actions",
        lambda N: "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n    - uses: actions/upload-artifact@v4\n"
        f"      with:\n        name: {_string('${{' * (N // 3))}\n"
        "  b:\n    runs-on: x\n    steps:\n    - uses: actions/download-artifact@v4\n"
        f"      with:\n        pattern: {_string('[' * N)}\n",
    ),
    # orquesta: unclosed `{{`, and many `$.x` in one YAQL expression.
    "orquesta-expression": (
        "orquesta",
        lambda N: f"version: 1.0\ntasks:\n  a:\n    action: core.noop\n    input:\n      x: {_string('{{' * (N // 2))}\n",
    ),
    "orquesta-yaql-roots": (
        "orquesta",
        lambda N: "version: 1.0\ntasks:\n  a:\n    action: core.noop\n    input:\n"
        f"      x: {_string('<% ' + '$.a ' * (N // 4) + ' %>')}\n",
    ),
    # actionchain: unclosed `{{`, and many names in one Jinja expression.
    "actionchain-jinja": (
        "actionchain",
        lambda N: f"chain:\n- name: a\n  ref: core.local\n  params:\n    x: {_string('{{' * (N // 2))}\n",
    ),
    "actionchain-names": (
        "actionchain",
        lambda N: f"chain:\n- name: a\n  ref: core.local\n  params:\n    x: {_string('{{ ' + 'a ' * (N // 2) + '}}')}\n",
    ),
}


def _cpu_seconds(text: str, format_name: str) -> float:
    started = time.process_time()
    result = check_text(text)
    spent = time.process_time() - started
    assert result.internal_error is None
    assert result.runbook is not None and result.runbook.format == format_name
    # Below a tenth of a second the clock's grain and the interpreter's noise dominate.
    return max(spent, 0.1)


def _assert_linear(case: str, format_name: str, make: Callable[[int], str], size: int) -> None:
    small = _cpu_seconds(make(size // 4), format_name)
    large = _cpu_seconds(make(size), format_name)
    assert large / small < GROWTH_LIMIT, f"{case}: {small:.2f}s CPU, then {large:.2f}s CPU for 4 times the size"


@pytest.mark.parametrize("case", sorted(CASES))
def test_long_hostile_string_is_read_in_linear_time(case):
    format_name, make = CASES[case]
    _assert_linear(case, format_name, make, N)


def _ssm_steps_passing_many_ids(steps: int, ids: int) -> str:
    """Each step passes `ids` ids by key and as many by value only (ids of
    other steps): each value is matched against every id of the runbook."""
    lines = ["schemaVersion: '0.3'", "mainSteps:"]
    for step in range(steps):
        lines += [f"- name: S{step}", "  action: aws:executeAwsApi", "  inputs:", "    Service: ec2",
                  "    Api: DeleteVolumes", "    VolumeIds:"]
        lines += [f"    - vol-{step}-{index}" for index in range(ids)]
        lines += ["    Other:"] + [f"    - vol-{(step * 7 + index) % steps}-{index}" for index in range(ids)]
    return "\n".join(lines) + "\n"


def _github_job_pushing_and_uploading(count: int) -> str:
    """One job pushing `count` images and uploading to a release as often:
    each reference it takes was compared with every one it makes."""
    script = "\n".join(f"docker push ghcr.io/o/img:{index}\ngh release upload v1 f{index}" for index in range(count))
    return f"on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n    - run: {json.dumps(script)}\n"


MANY: dict[str, tuple[str, Callable[[int], str], int]] = {
    # (7 s before the ids were matched name by name)
    "ssm-values-matched-by-id": ("ssm", lambda steps: _ssm_steps_passing_many_ids(steps, 50), 300),
    # (8 s before a job's references were compared with other jobs' only)
    "github-own-hand-overs": ("github-actions", _github_job_pushing_and_uploading, 10_000),
}


@pytest.mark.parametrize("case", sorted(MANY))
def test_many_names_are_matched_in_near_linear_time(case):
    format_name, make, size = MANY[case]
    _assert_linear(case, format_name, make, size)
