"""docs/real-world-review.md, section "Rundeck": the findings it says are
left after the fixes are every dependency finding recoverylint gives on the
corpus now, those the fixes removed are gone, its counts are those of its
tables, and the shape of the false findings (a copy into the directory an
unknown command makes) gives none."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from review_support import CORPORA, assert_true_counts_match_table, corpus_folder, review_section, review_tables

from recoverylint.adapters import input_formats
from recoverylint.engine import check_text
from recoverylint.source import parse

HEADING = "## Rundeck"
REPOSITORY = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def drawn() -> list[tuple[str, int, str]]:
    """Every dependency finding on the corpus now, as the section's command draws them."""
    corpus = corpus_folder("rundeck")
    completed = subprocess.run(
        [sys.executable, str(REPOSITORY / "docs" / "sample_findings.py"), str(corpus), "0", "2026"],
        capture_output=True, text=True, check=True, timeout=300,
    )
    found = [json.loads(line) for line in completed.stdout.splitlines()]
    root = (CORPORA / "rundeck").resolve()
    return [(Path(f["path"]).resolve().relative_to(root).as_posix(), f["line"], f["code"]) for f in found]


def rows(table: list[tuple[str, int, str, str]]) -> list[tuple[str, int, str]]:
    return [(file, line, finding.split()[0]) for file, line, finding, _ in table]


def test_the_findings_after_the_fixes_are_all_the_corpus_gives(drawn):
    _, after = review_tables(HEADING)
    assert sorted(rows(after)) == sorted(drawn)


def test_the_findings_before_the_fixes_that_are_gone_are_those_of_the_copyfile_jobs(drawn):
    before, _ = review_tables(HEADING)
    gone = set(rows(before)) - set(drawn)
    assert len(gone) == 12 and all("copyfile" in file or "filecopy" in file for file, _, _ in gone)
    assert sum(1 for *_, verdict in before if verdict == "false") == 6


def test_the_counts_are_those_of_the_tables():
    before, after = review_tables(HEADING)
    assert_true_counts_match_table(HEADING, "Before", before)
    assert_true_counts_match_table(HEADING, "After", after)
    assert "The corpus yields fewer than 20" in review_section(HEADING)


def test_a_copy_into_the_directory_an_unknown_command_makes_keeps_its_waits():
    """The false findings' shape, minimal: `mkdir` (in no table), an `echo`,
    a `copyfile` plugin step into the directory."""
    text = (
        "- name: copy\n  options: [{name: dir}]\n  sequence:\n    strategy: node-first\n    commands:\n"
        "    - exec: mkdir -p ${option.dir}\n    - exec: echo copying\n"
        "    - type: copyfile\n      nodeStep: true\n      configuration: {destinationPath: '${option.dir}'}\n"
    )
    assert input_formats()["rundeck"].detect(parse(text))
    assert check_text(text, "copy.yaml").findings == []

