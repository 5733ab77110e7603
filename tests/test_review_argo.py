"""docs/real-world-review.md, section "Argo": the findings it says are left
after the fixes are what recoverylint finds on the corpus now, those it says
the fixes removed are gone, each finding reviewed points at the step it
names, and the counts and true-percentages it gives are those of the corpus
and of its tables."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from review_support import (
    CORPORA,
    REVIEWED,
    assert_review_outside_the_corpus,
    assert_true_counts_match_table,
    corpus_folder,
    review_section,
    review_tables,
    reviewed_files,
)

from recoverylint.adapters import detect
from recoverylint.engine import check_file
from recoverylint.source import SourceError, parse

CORPUS = CORPORA / "argo"
HEADING = "## Argo"
# What the section says the fixes removed outside the sample: (file, line, code).
REMOVED_OUTSIDE_THE_SAMPLE = [
    ("argo-workflows/examples/skipped-output-defaults/consumer-input-default.yaml", 27, "RL307"),
    ("argo-workflows/examples/dag-daemon-task.yaml", 29, "RL201"),
    ("argo-workflows/examples/dag-daemon-task.yaml", 36, "RL201"),
    ("argo-workflows/examples/dag-daemon-task.yaml", 43, "RL201"),
    ("argo-workflows/examples/dag-daemon-task.yaml", 51, "RL201"),
]


def section() -> str:
    return review_section(HEADING)


def tables() -> list[list[tuple[str, int, str, str]]]:
    return review_tables(HEADING)


def corpus_files() -> list[Path]:
    return reviewed_files(CORPUS)


@pytest.fixture(scope="module")
def corpus() -> Path:
    return corpus_folder("argo")


@pytest.fixture(scope="module")
def findings_now(corpus) -> list[tuple[str, int, str]]:
    """(file, line, code and message) of every reviewed finding on the corpus."""
    found = []
    for path in corpus_files():
        relative = path.relative_to(corpus).as_posix()
        for finding in check_file(path, relative).findings:
            if finding.code.startswith(REVIEWED):
                found.append((relative, finding.span.line, f"{finding.code} {finding.message}"))
    return found


def read_as(path: Path) -> str | None:
    """The name of the format a file is read as; None when none, or not YAML."""
    try:
        found = detect(parse(path.read_text(encoding="utf-8")))
    except SourceError:
        return None
    return found.name if found else None


def is_found(row: tuple[str, int, str, str], now: list[tuple[str, int, str]]) -> bool:
    file, line, finding, _ = row
    return any((file, line) == (f, l) and message.startswith(finding) for f, l, message in now)


def test_the_true_findings_remain_and_the_false_ones_are_gone(findings_now):
    before, after = tables()
    assert len(before) == 20
    # the table after the fixes is the true part of the sample, all still found
    assert [row[:3] for row in after] == [row[:3] for row in before if row[3] == "true"]
    assert all(is_found(row, findings_now) for row in after)
    assert not any(is_found(row, findings_now) for row in before if row[3] == "false")


def test_the_counts_of_the_corpus_are_those_stated(corpus, findings_now):
    text = section()
    files = corpus_files()
    argo = sum(1 for path in files if read_as(path) == "argo")
    assert f"{len(files)} `.yaml`, `.yml` and `.json` files" in " ".join(text.split())
    assert f"{argo} of them read as Argo" in " ".join(text.split())
    remaining = re.search(r"On the whole corpus, (\d+) findings remain", " ".join(text.split()))
    assert remaining is not None and int(remaining.group(1)) == len(findings_now)
    assert {message.split()[0] for _, _, message in findings_now} == {"RL201"}  # "All 67 are RL201"
    # what the fixes removed outside the sample is gone too, and the counts add up
    now = {(file, line, message.split()[0]) for file, line, message in findings_now}
    assert not now & set(REMOVED_OUTSIDE_THE_SAMPLE)
    removed_in_sample = sum(1 for *_, verdict in tables()[0] if verdict == "false")
    stated = re.search(r"there were (\d+) RL201,", " ".join(text.split()))
    assert stated is not None
    assert int(stated.group(1)) == len(findings_now) + removed_in_sample + len(REMOVED_OUTSIDE_THE_SAMPLE)
    assert f"the other {len(files) - argo} are" in " ".join(text.split())
    # what the 77 and the 20 drawn were, by rule
    removed = [row[2].split()[0] for row in tables()[0] if row[3] == "false"]
    removed += [code for *_, code in REMOVED_OUTSIDE_THE_SAMPLE]
    before = Counter(message.split()[0] for _, _, message in findings_now) + Counter(removed)
    assert f"{before['RL201']} RL201 and {before['RL307']} RL307, no RL4xx" in " ".join(text.split())
    assert set(before) == {"RL201", "RL307"}
    drawn = Counter(row[2].split()[0] for row in tables()[0])
    assert f"{drawn['RL201']} RL201 and {drawn['RL307']} RL307." in " ".join(text.split())


def test_each_finding_reviewed_points_at_the_step_it_names(corpus):
    before, _ = tables()
    for file, line, finding, _ in before:
        lines = (corpus / file).read_text(encoding="utf-8").splitlines()
        if finding.startswith("RL201"):
            # at the waiting step's `depends`, or at its name in a steps group
            waiting = re.search(r"`([^`]+)`", finding).group(1).split("/")[-1]
            written = lines[line - 1]
            assert "depends:" in written or f"name: {waiting}" in written, (file, line)
            assert any(f"name: {waiting}" in text for text in lines[max(0, line - 6) : line]), (file, line)
        else:
            # RL307 at the reference to the output that may be missing
            fact = re.search(r"outputs `([^`]+)`", finding)
            producer = re.search(r"without `([^`]+)` having run", finding).group(1).split("/")[-1]
            assert f"steps.{producer}.outputs" in lines[line - 1], (file, line)
            assert fact is None or fact.group(1).endswith("outputs.result")


@pytest.mark.parametrize(("which", "position"), [("Before", 0), ("After", 1)])
def test_the_true_percentages_are_those_of_the_tables(which, position):
    assert_true_counts_match_table(HEADING, which, tables()[position])


def test_the_counts_of_the_workflows_outside_the_corpus_are_those_of_the_tables():
    assert_review_outside_the_corpus("## Argo workflows outside the corpus", 20)


def test_the_review_of_tekton_pipelines_outside_the_corpus_counts_its_table():
    """A review the fixes tried did not change: one table, its count, and
    the limits it names instead of fixes."""
    heading = "## Tekton pipelines outside the corpus"
    (drawn,) = review_tables(heading)
    assert len(drawn) == 20
    assert_true_counts_match_table(heading, "Before", drawn)
    assert "**Not fixed**, and why." in review_section(heading)
