"""docs/real-world-review.md, sections "Ansible" and "AWX workflows": the
findings the Ansible section says are left after the fixes are the draw its
command gives now, its counts are those of its tables, the false findings
before the fixes are gone, and the AWX corpus gives no finding."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from review_support import CORPORA, assert_true_counts_match_table, corpus_folder, review_section, review_tables

HEADING = "## Ansible"
REPOSITORY = Path(__file__).resolve().parent.parent


def _draw(corpus: str, *arguments: str) -> list[tuple[str, int, str]]:
    folder = corpus_folder(corpus)
    completed = subprocess.run(
        [sys.executable, str(REPOSITORY / "docs" / "sample_findings.py"), str(folder), *arguments],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    root = (CORPORA / corpus).resolve()
    found = [json.loads(line) for line in completed.stdout.splitlines()]
    return [(Path(f["path"]).resolve().relative_to(root).as_posix(), f["line"], f["code"]) for f in found]


@pytest.fixture(scope="module")
def drawn() -> list[tuple[str, int, str]]:
    """The section's command: 20 findings, seed 2026, of the ceph-ansible playbooks."""
    return _draw("ansible", "20", "2026", "ceph-ansible/*")


def rows(table: list[tuple[str, int, str, str]]) -> list[tuple[str, int, str]]:
    return [(file, line, finding.split()[0]) for file, line, finding, _ in table]


def test_the_findings_after_the_fixes_are_the_draw_now(drawn):
    _, after = review_tables(HEADING)
    assert rows(after) == drawn


def test_the_false_findings_before_the_fixes_are_gone_and_the_total_is_the_one_stated():
    before, _ = review_tables(HEADING)
    false = {(file, line, finding.split()[0]) for file, line, finding, verdict in before if verdict == "false"}
    assert len(false) == 7
    every = _draw("ansible", "0", "2026", "ceph-ansible/*")
    assert not false & set(every)
    assert f"({len(every)}\nfindings in all" in review_section(HEADING)


def test_the_counts_are_those_of_the_tables():
    before, after = review_tables(HEADING)
    assert_true_counts_match_table(HEADING, "Before", before)
    assert_true_counts_match_table(HEADING, "After", after)


def test_the_awx_corpus_gives_no_finding_to_review():
    assert _draw("awx", "0", "2026") == []
    assert "**The\ncorpus now yields no finding: 0 to review**" in review_section("## AWX workflows")
