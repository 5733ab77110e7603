"""What the tests of the real-world corpora and of their hand review
(docs/real-world-review.md) share: where the corpora are, and how a section
of the review and its tables are read."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

# The project keeps no copy of the corpora: CI has them beside the checkout.
CORPORA = Path(
    os.environ.get("RECOVERYLINT_CORPORA")
    or Path(__file__).resolve().parent.parent.parent / "shared" / "corpora"
)
REVIEW = Path(__file__).parent.parent / "docs" / "real-world-review.md"
# What the review covers: the dependency findings.
REVIEWED = ("RL201", "RL3", "RL4")


def corpus_folder(name: str) -> Path:
    """A corpus's folder; a test without it fails in CI and is skipped elsewhere."""
    folder = CORPORA / name
    if not folder.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"the shared corpora are missing: {CORPORA}")
        pytest.skip(f"the shared corpora are not beside this checkout ({CORPORA})")
    return folder


def reviewed_files(corpus: Path) -> list[Path]:
    """Every file docs/sample_findings.py names: each `.yaml`, `.yml` and `.json`."""
    return sorted(p for p in corpus.rglob("*") if p.suffix in (".yaml", ".yml", ".json") and p.is_file())


def review_section(heading: str) -> str:
    """The text of one section of the review, between its heading and the next."""
    text = REVIEW.read_text(encoding="utf-8")
    start = text.index(heading + "\n") + len(heading)
    end = text.find("\n## ", start)
    return text[start:] if end == -1 else text[start:end]


def review_tables(heading: str) -> list[list[tuple[str, int, str, str]]]:
    """Each table of a section: (file, line, finding, verdict) per row."""
    found: list[list[tuple[str, int, str, str]]] = []
    for line in review_section(heading).splitlines():
        if line.startswith("|---"):
            found.append([])
        elif line.startswith("| `"):
            cells = [cell.strip() for cell in line.strip().strip("|").split(" | ")]
            found[-1].append((cells[0].strip("`"), int(cells[1]), cells[2], cells[3]))
    return found


def assert_true_counts_match_table(heading: str, which: str, rows: list[tuple[str, int, str, str]]) -> None:
    """The section's "**Before/After the fixes: N of M true (P%)**" is that of
    `rows`; an empty table (nothing left after the fixes) states no percentage."""
    stated = re.search(rf"\*\*{which} the fixes: (\d+) of (\d+) true(?: \((\d+)%\))?", review_section(heading))
    assert stated is not None, which
    true = sum(1 for *_, verdict in rows if verdict == "true")
    assert all(verdict in ("true", "false") for *_, verdict in rows)
    assert (int(stated.group(1)), int(stated.group(2))) == (true, len(rows))
    if rows:
        assert stated.group(3) is not None and int(stated.group(3)) == round(100 * true / len(rows))


def assert_review_outside_the_corpus(heading: str, drawn: int) -> None:
    """A section reviewing files outside the corpora: its counts are those of
    its tables, its `drawn` findings before the fixes keep those the fixes
    left, and every finding the fixes removed was false."""
    before, after = review_tables(heading)
    assert_true_counts_match_table(heading, "Before", before)
    assert_true_counts_match_table(heading, "After", after)
    assert len(before) == drawn and set(after) <= set(before)
    assert all(verdict == "false" for *_, verdict in set(before) - set(after))
