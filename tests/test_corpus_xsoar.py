"""Every Cortex XSOAR playbook of the shared corpus (../shared/corpora/xsoar:
150 playbooks from 107 packs of demisto/content) is read as an XSOAR
playbook, with no internal error, and gives the model its tasks say."""

from __future__ import annotations

from pathlib import Path

import pytest
from format_support import assert_read_as, checked_corpus

from recoverylint.engine import FileResult
from recoverylint.source import parse


@pytest.fixture(scope="module")
def checked() -> list[tuple[Path, FileResult]]:
    return checked_corpus("xsoar", 150)


def test_every_playbook_is_read_as_xsoar_with_no_internal_error(checked):
    assert_read_as(checked, "xsoar")


def test_every_task_but_start_and_title_tasks_is_a_step(checked):
    for path, result in checked:
        tasks = parse(path.read_text(encoding="utf-8")).data["tasks"]
        expected = [key for key, task in tasks.items() if task.get("type") not in ("start", "title")]
        assert len(result.runbook.steps) == len(expected), path


def test_every_task_with_a_next_task_waits_for_it_or_is_the_last(checked):
    """Each step with a `nexttasks` entry to a step has a declared wait out of it."""
    waits = 0
    for _, result in checked:
        sources = {edge.source for edge in result.runbook.declared_edges}
        waits += len(result.runbook.declared_edges)
        assert sources <= {step.id for step in result.runbook.steps}
    assert waits > 1_000
