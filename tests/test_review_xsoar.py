"""docs/real-world-review.md, section "Cortex XSOAR": the findings it says
remain after the fixes are what recoverylint finds on the corpus now, the
false ones and the two true ones it says the fixes removed are gone, each
finding points at the waiting task it names, and the counts and
true-percentages it gives are those of the corpus and of its tables."""

from __future__ import annotations

import re
from collections import Counter
from fnmatch import fnmatchcase
from pathlib import Path

import pytest
from review_support import (
    REVIEWED,
    assert_true_counts_match_table,
    corpus_folder,
    review_section,
    review_tables,
    reviewed_files,
)

from recoverylint.engine import check_file

HEADING = "## Cortex XSOAR"
REVIEWED_HALF = "content/Packs/[P-Zp-z]*"
# True findings of the sample the incident-field fix removed (the section names them).
LOST_TRUE = ["process-email-generic", "search-similar-email-incidents"]


@pytest.fixture(scope="module")
def corpus() -> Path:
    return corpus_folder("xsoar")


@pytest.fixture(scope="module")
def findings_now(corpus: Path) -> list[tuple[str, int, str]]:
    found = []
    for path in reviewed_files(corpus):
        relative = path.relative_to(corpus).as_posix()
        for finding in check_file(path, relative).findings:
            if finding.code.startswith(REVIEWED):
                found.append((relative, finding.span.line, f"{finding.code} {finding.message}"))
    return found


def is_found(row: tuple[str, int, str, str], now: list[tuple[str, int, str]]) -> bool:
    file, line, finding, _ = row
    return any((file, line) == (f, n) and message.startswith(finding) for f, n, message in now)


def test_the_sample_is_of_the_half_not_tuned_on():
    before, _ = review_tables(HEADING)
    assert len(before) == 20
    assert all(fnmatchcase(file, REVIEWED_HALF) for file, *_ in before)


def test_the_true_findings_remain_and_the_false_ones_are_gone(findings_now):
    before, after = review_tables(HEADING)
    true = [row for row in before if row[3] == "true"]
    lost = [row for row in true if re.search(r"`([^`]+)`", row[2]).group(1) in LOST_TRUE]
    assert len(lost) == len(LOST_TRUE)
    # (the message may name other prerequisites now: rows match by place)
    assert [row[:2] for row in after] == [row[:2] for row in true if row not in lost]
    assert all(is_found(row, findings_now) for row in after)
    assert not any(is_found(row, findings_now) for row in before if row[3] == "false")
    assert not any(is_found(row, findings_now) for row in lost)
    for name in LOST_TRUE:
        assert f"`{name}`" in review_section(HEADING)


def test_the_counts_of_the_corpus_are_those_stated(corpus, findings_now):
    text = " ".join(review_section(HEADING).split())
    files = reviewed_files(corpus)
    half = [path for path in files if fnmatchcase(path.relative_to(corpus).as_posix(), REVIEWED_HALF)]
    assert f"{len(files)} playbooks" in text and f"the other {len(half)}" in text
    assert f"({len(files) - len(half)} files: the tuning set" in text
    codes = Counter(message.split()[0] for _, _, message in findings_now)
    stated = re.search(r"on the whole corpus (\d+) findings remain \((\d+) RL201, (\d+) RL305, (\d+) RL402, (\d+) RL401\)", text)
    assert stated is not None
    assert [int(number) for number in stated.groups()] == [
        len(findings_now), codes["RL201"], codes["RL305"], codes["RL402"], codes["RL401"]
    ]
    in_half = sum(1 for file, _, _ in findings_now if fnmatchcase(file, REVIEWED_HALF))
    assert f"{in_half} of them in the packs the sample was drawn from" in text


def test_each_finding_reviewed_points_at_the_task_it_names(corpus):
    before, _ = review_tables(HEADING)
    for file, line, finding, _ in before:
        lines = (corpus / file).read_text(encoding="utf-8").splitlines()
        # at the waiting task's key in `tasks`, whose name makes its id
        assert re.fullmatch(r"  ['\"]?\d+['\"]?:", lines[line - 1]), (file, line)
        waiting = re.search(r"`([^`]+)`", finding).group(1)
        end = next((n for n in range(line, len(lines)) if re.match(r"  ['\"]?\w+['\"]?:", lines[n])), len(lines))
        task = "\n".join(lines[line:end])
        name = re.search(r"^    task:\n(?:      .*\n)*?      name: (.*)$", task, re.MULTILINE)
        assert name is not None, (file, line)
        word = re.sub(r"[^a-z0-9]+", "-", name.group(1).strip("'\"").lower()).strip("-")
        assert waiting == word or waiting.startswith(word + "-"), (file, line, waiting, word)


@pytest.mark.parametrize(("which", "position"), [("Before", 0), ("After", 1)])
def test_the_true_percentages_are_those_of_the_tables(which, position):
    assert_true_counts_match_table(HEADING, which, review_tables(HEADING)[position])
