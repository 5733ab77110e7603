"""docs/real-world-review.md, section "Markdown": the sample is the seeded
draw it says, the findings it says are left after the fixes are what
recoverylint finds now, the false ones the fixes removed are gone, and its
counts are those of its tables."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from review_support import CORPORA, assert_true_counts_match_table, corpus_folder, review_tables

HEADING = "## Markdown"
REPOSITORY = Path(__file__).resolve().parent.parent
# The files read while the adapter was built: the sample leaves them out.
TUNING = (
    "cluster-monitoring-operator", "openshift-container-storage-operator",
    "advanced-cluster-management-operator", "cluster-logging-operator", "cluster-etcd-operator",
    "cluster-network-operator", "cluster-kube-apiserver-operator", "CnaoNmstateMigration", "example.md",
)


@pytest.fixture(scope="module")
def drawn() -> list[tuple[str, int, str]]:
    """Every dependency finding now, in the order seed 2026 draws them."""
    corpus = corpus_folder("markdown")
    completed = subprocess.run(
        [sys.executable, str(REPOSITORY / "docs" / "sample_findings.py"), str(corpus), "0", "2026"],
        capture_output=True, text=True, check=True, timeout=600,
    )
    found = [json.loads(line) for line in completed.stdout.splitlines()]
    return [(str(Path(f["path"]).resolve().relative_to((CORPORA / "markdown").resolve())), f["line"], f["code"]) for f in found]


def test_the_sample_after_the_fixes_is_the_seeded_draw(drawn):
    before, after = review_tables(HEADING)
    held_out = [item for item in drawn if not any(part in item[0] for part in TUNING)]
    assert [(file, line, finding.split()[0]) for file, line, finding, _ in after] == held_out[:20]


def test_the_false_findings_before_the_fixes_are_gone(drawn):
    before, _ = review_tables(HEADING)
    false = [(file, line, finding.split()[0]) for file, line, finding, verdict in before if verdict == "false"]
    assert len(false) == 3
    assert not set(false) & set(drawn)


def test_the_stated_counts_are_those_of_the_tables():
    before, after = review_tables(HEADING)
    assert_true_counts_match_table(HEADING, "Before", before)
    assert_true_counts_match_table(HEADING, "After", after)
