"""docs/real-world-review.md, section "SSM (ssm-more)": the findings it says
are left after the fixes are what recoverylint finds on the corpus now, each
finding reviewed before the fixes points at the step it names, and the
true-percentages it gives are those of its tables."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from review_support import (
    CORPORA,
    REVIEWED,
    assert_true_counts_match_table,
    corpus_folder,
    review_section,
    review_tables,
    reviewed_files,
)

from recoverylint.engine import check_file
from recoverylint.source import parse

CORPUS = CORPORA / "ssm-more"
HEADING = "## SSM (ssm-more)"


def tables() -> list[list[tuple[str, int, str, str]]]:
    return review_tables(HEADING)


def findings_now() -> set[tuple[str, int, str]]:
    """(file, line, code and message) of every reviewed finding on the corpus,
    every file named as `docs/sample_findings.py` names them."""
    files = reviewed_files(CORPUS)
    found = set()
    for path in files:
        relative = path.relative_to(CORPUS).as_posix()
        for finding in check_file(path, relative).findings:
            if finding.code.startswith(REVIEWED):
                found.add((relative, finding.span.line, f"{finding.code} {finding.message}"))
    return found


@pytest.fixture(scope="module")
def corpus() -> Path:
    return corpus_folder("ssm-more")


def test_the_sample_is_the_corpus(corpus):
    files = reviewed_files(corpus)
    # (schema version, JSON or YAML) of each document: 0.3 is Automation, 2.2 Command
    kinds = Counter(
        (parse(path.read_text(encoding="utf-8")).data["schemaVersion"], "JSON" if path.suffix == ".json" else "YAML")
        for path in files
    )
    automation = kinds["0.3", "JSON"] + kinds["0.3", "YAML"]
    command = kinds["2.2", "JSON"] + kinds["2.2", "YAML"]
    assert automation + command == len(files)
    stated = (
        f"{len(files)} files, {automation} Automation documents (schema 0.3, {kinds['0.3', 'JSON']} JSON and "
        f"{kinds['0.3', 'YAML']} YAML) and {command} Command documents (schema 2.2, {kinds['2.2', 'YAML']} YAML "
        f"and {kinds['2.2', 'JSON']} JSON)"
    )
    assert stated in " ".join(review_section(HEADING).split())


def test_what_is_left_after_the_fixes_is_what_recoverylint_finds(corpus):
    before, after = tables()
    now = findings_now()
    assert len(now) == len(after)
    for file, line, finding, _ in after:
        assert any(
            (file, line) == (found_file, found_line) and message.startswith(finding)
            for found_file, found_line, message in now
        ), (file, line, finding)


def test_each_finding_reviewed_points_at_the_step_it_names(corpus):
    before, _ = tables()
    assert len(before) == 26
    for file, line, finding, _ in before:
        step = re.search(r"`([^`]+)`", finding).group(1)
        text = (corpus / file).read_text(encoding="utf-8").splitlines()[line - 1]
        assert f'"name": "{step}"' in text, (file, line, step)


@pytest.mark.parametrize(("which", "position"), [("Before", 0), ("After", 1)])
def test_the_true_percentages_are_those_of_the_tables(which, position):
    assert_true_counts_match_table(HEADING, which, tables()[position])


OUTSIDE = "## SSM Automation documents outside the corpus"


def test_the_counts_of_the_documents_outside_the_corpus_are_those_of_the_tables():
    """As review_support.assert_review_outside_the_corpus, but for the one
    true finding the clock removed, which the section says it removed."""
    before, after = review_tables(OUTSIDE)
    assert_true_counts_match_table(OUTSIDE, "Before", before)
    assert_true_counts_match_table(OUTSIDE, "After", after)
    assert len(before) == 20 and set(after) <= set(before)
    removed = set(before) - set(after)
    assert [finding for _, _, finding, verdict in removed if verdict == "true"] == [
        "RL201 `CheckConcurrentExecutionsQuota` waits for `RecordStartTime` but uses nothing from it;"
        " it needs no other step first"
    ]
    assert "The\nclock also removed one true finding" in review_section(OUTSIDE)
    assert "less the six the fixes removed (five\nfalse, one true)" in review_section(OUTSIDE)
    assert len(removed) == 6
