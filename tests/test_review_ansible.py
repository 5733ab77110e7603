"""docs/real-world-review.md, sections "Ansible" and "AWX workflows": the
findings the Ansible section says are left after the fixes are the draw its
command gives now, its counts are those of its tables, the false findings
before the fixes are gone, its second draw (kubespray and ansible-examples,
seed 2028) is the draw those corpora give now, its first review's false
finding is gone, and the AWX corpus gives
no finding."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from review_support import (
    CORPORA,
    assert_review_outside_the_corpus,
    assert_true_counts_match_table,
    corpus_folder,
    review_section,
    review_tables,
)

HEADING = "## Ansible"
# The second draw's glob: kubespray/ and ansible-examples/, not ansible-lint/.
SECOND_DRAW_GLOB = "[ka][un][bs][ei][sb][pl][re][a-][ye]*"
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
    _, after, *_ = review_tables(HEADING)
    assert rows(after) == drawn


def test_the_false_findings_before_the_fixes_are_gone_and_the_total_is_the_one_stated():
    before, *_ = review_tables(HEADING)
    false = {(file, line, finding.split()[0]) for file, line, finding, verdict in before if verdict == "false"}
    assert len(false) == 7
    every = _draw("ansible", "0", "2026", "ceph-ansible/*")
    assert not false & set(every)
    assert f"({len(every)}\nfindings in all" in review_section(HEADING)


def test_the_counts_are_those_of_the_tables():
    before, after, *_ = review_tables(HEADING)
    assert_true_counts_match_table(HEADING, "Before", before)
    assert_true_counts_match_table(HEADING, "After", after)


def test_the_second_draw_is_the_draw_of_kubespray_and_ansible_examples_now():
    *_, first_review, now = review_tables(HEADING)
    every = _draw("ansible", "0", "2028", SECOND_DRAW_GLOB)
    assert {file.split("/")[0] for file, _, _ in every} == {"kubespray", "ansible-examples"}
    assert rows(now) == _draw("ansible", "20", "2028", SECOND_DRAW_GLOB)
    assert not any(file.endswith("/remove_node.yml") for file, _, _ in every)
    section = review_section(HEADING)
    assert f"**{len(every)} findings in all**" in section
    assert f"'{SECOND_DRAW_GLOB}'` (seed 2028" in section
    assert_true_counts_match_table(HEADING, "Now, after", now)
    # The first review of these corpora read all 15 findings; its false one is gone.
    assert len(first_review) == 15
    false = {(file, line, finding.split()[0]) for file, line, finding, verdict in first_review if verdict == "false"}
    assert false == {("ansible-examples/mongodb/roles/mongod/tasks/main.yml", 27, "RL201")}
    assert not false & set(every)


def test_the_first_review_of_the_second_draw_counts_are_those_of_its_table():
    *_, second, _ = review_tables(HEADING)
    assert_true_counts_match_table(HEADING, "Second draw, after", second)
    section = review_section(HEADING)
    assert sum(1 for file, *_ in second if "/handlers/" in file) == 6
    assert "Six of the\nfindings are of handler files" in section
    false = [(file, line) for file, line, _, verdict in second if verdict == "false"]
    assert false == [("ansible-examples/mongodb/roles/mongod/tasks/main.yml", 27)]
    assert "the false\nfinding (`mongod/tasks/main.yml`, line 27)" in section


def test_the_awx_corpus_gives_no_finding_to_review():
    assert _draw("awx", "0", "2026") == []
    assert "**The\ncorpus now yields no finding: 0 to review**" in review_section("## AWX workflows")


def test_the_counts_of_the_playbooks_outside_the_corpus_are_those_of_the_tables():
    assert_review_outside_the_corpus("## Ansible playbooks outside the corpus", 20)
