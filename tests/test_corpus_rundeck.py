"""Every Rundeck job file of the shared corpus (../shared/corpora/rundeck:
10 files) is read as a Rundeck job, with no internal error, and gives the
model its commands say."""

from __future__ import annotations

from pathlib import Path

import pytest
from format_support import assert_read_as, checked_corpus

from recoverylint.engine import FileResult
from recoverylint.source import parse


@pytest.fixture(scope="module")
def checked() -> list[tuple[Path, FileResult]]:
    return checked_corpus("rundeck", 10)


def test_every_job_file_is_read_as_rundeck_with_no_internal_error(checked):
    assert_read_as(checked, "rundeck")


def test_every_command_is_a_step_but_those_of_jobs_another_job_runs(checked):
    """A job a `jobref` of the same file runs is read for its effects only
    (test.jobs.yaml: `simple exec test yaml`, run by `simple job test yaml`)."""
    for path, result in checked:
        jobs = parse(path.read_text(encoding="utf-8")).data
        called = {(c["jobref"].get("group"), c["jobref"]["name"]) for j in jobs for c in j["sequence"]["commands"] if "jobref" in c}
        expected = sum(len(j["sequence"]["commands"]) for j in jobs if (j.get("group"), j.get("name")) not in called)
        assert len(result.runbook.steps) == expected, path
    assert sum(len(result.runbook.steps) for _, result in checked) == 26


def test_options_are_given_facts_and_their_uses_inputs(checked):
    by_name = {path.name: result.runbook for path, result in checked}
    runbook = by_name["test-filecopy-job3.yaml"]
    assert [ref.name for ref in runbook.given] == ["option.sourcedir", "option.destdir", "option.pattern"]
    assert [ref.name for ref in runbook.steps[0].inputs] == ["option.destdir"]
