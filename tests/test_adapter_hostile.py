"""Long hostile strings the adapters once took quadratic time over (minutes
for 100k characters): each file must be checked in well under a second."""

from __future__ import annotations

import json
import time

import pytest

from recoverylint.engine import check_text

N = 100_000


def _string(value: str) -> str:
    return json.dumps(value)


CASES = {
    # ssm: `{{ Step.Output` with a long output name and no `}}`.
    "ssm-output-reference": (
        "ssm",
        "schemaVersion: '0.3'\nmainSteps:\n- name: a\n  action: aws:executeScript\n"
        f"  inputs:\n    X: {_string('{{a.' + 'b' * N)}\n",
    ),
    # github: unclosed `${{`, in an expression and in an artifact name and pattern.
    "github-expression": (
        "github-actions",
        f"on: push\njobs:\n  a:\n    runs-on: x\n    env:\n      X: {_string('${{' * (N // 3))}\n",
    ),
    "github-artifact-name": (
        "github-actions",
        "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n    - uses: actions/upload-artifact@v4\n"
        f"      with:\n        name: {_string('${{' * (N // 3))}\n"
        "  b:\n    runs-on: x\n    steps:\n    - uses: actions/download-artifact@v4\n"
        f"      with:\n        pattern: {_string('[' * N)}\n",
    ),
    # orquesta: unclosed `{{`, and many `$.x` in one YAQL expression.
    "orquesta-expression": (
        "orquesta",
        f"version: 1.0\ntasks:\n  a:\n    action: core.noop\n    input:\n      x: {_string('{{' * (N // 2))}\n",
    ),
    "orquesta-yaql-roots": (
        "orquesta",
        "version: 1.0\ntasks:\n  a:\n    action: core.noop\n    input:\n"
        f"      x: {_string('<% ' + '$.a ' * (N // 4) + ' %>')}\n",
    ),
    # actionchain: unclosed `{{`, and many names in one Jinja expression.
    "actionchain-jinja": (
        "actionchain",
        f"chain:\n- name: a\n  ref: core.local\n  params:\n    x: {_string('{{' * (N // 2))}\n",
    ),
    "actionchain-names": (
        "actionchain",
        f"chain:\n- name: a\n  ref: core.local\n  params:\n    x: {_string('{{ ' + 'a ' * (N // 2) + '}}')}\n",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_long_hostile_string_is_read_in_linear_time(case):
    format_name, text = CASES[case]
    started = time.perf_counter()
    result = check_text(text)
    elapsed = time.perf_counter() - started
    assert result.internal_error is None
    assert result.runbook is not None and result.runbook.format == format_name
    assert elapsed < 3.0, f"{case}: {elapsed:.1f}s"


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


MANY = {
    # (7 s before the ids were matched name by name)
    "ssm-values-matched-by-id": ("ssm", _ssm_steps_passing_many_ids(300, 50)),
    # (8 s before a job's references were compared with other jobs' only)
    "github-own-hand-overs": ("github-actions", _github_job_pushing_and_uploading(10_000)),
}


@pytest.mark.parametrize("case", sorted(MANY))
def test_many_names_are_matched_in_near_linear_time(case):
    format_name, text = MANY[case]
    started = time.perf_counter()
    result = check_text(text)
    elapsed = time.perf_counter() - started
    assert result.internal_error is None
    assert result.runbook is not None and result.runbook.format == format_name
    assert elapsed < 3.0, f"{case}: {elapsed:.1f}s"
