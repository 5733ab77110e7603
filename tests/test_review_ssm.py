"""docs/real-world-review.md, section "SSM (ssm-more)": the findings it says
are left after the fixes are what recoverylint finds on the corpus now, each
finding reviewed before the fixes points at the step it names, and the
true-percentages it gives are those of its tables."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from recoverylint.engine import check_file

CORPORA = Path(
    os.environ.get("RECOVERYLINT_CORPORA")
    or Path(__file__).resolve().parent.parent.parent / "shared" / "corpora"
)
CORPUS = CORPORA / "ssm-more"
REVIEW = Path(__file__).parent.parent / "docs" / "real-world-review.md"
HEADING = "## SSM (ssm-more)"
# What the review covers: the dependency findings.
REVIEWED = ("RL201", "RL3", "RL4")


def section() -> str:
    text = REVIEW.read_text(encoding="utf-8")
    start = text.index(HEADING) + len(HEADING)
    end = text.find("\n## ", start)
    return text[start:] if end == -1 else text[start:end]


def tables() -> list[list[tuple[str, int, str, str]]]:
    """Each table of the section: (file, line, finding, verdict) per row."""
    found: list[list[tuple[str, int, str, str]]] = []
    for line in section().splitlines():
        if line.startswith("|---"):
            found.append([])
        elif line.startswith("| `"):
            cells = [cell.strip() for cell in line.strip().strip("|").split(" | ")]
            found[-1].append((cells[0].strip("`"), int(cells[1]), cells[2], cells[3]))
    return found


def findings_now() -> set[tuple[str, int, str]]:
    """(file, line, code and message) of every reviewed finding on the corpus,
    every file named as `docs/sample_findings.py` names them."""
    files = sorted(p for p in CORPUS.rglob("*") if p.suffix in (".yaml", ".yml", ".json") and p.is_file())
    found = set()
    for path in files:
        relative = path.relative_to(CORPUS).as_posix()
        for finding in check_file(path, relative).findings:
            if finding.code.startswith(REVIEWED):
                found.add((relative, finding.span.line, f"{finding.code} {finding.message}"))
    return found


@pytest.fixture(scope="module")
def corpus() -> Path:
    if not CORPUS.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"the shared corpora are missing: {CORPORA}")
        pytest.skip(f"the shared corpora are not beside this checkout ({CORPORA})")
    return CORPUS


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
    rows = tables()[position]
    stated = re.search(rf"\*\*{which} the fixes: (\d+) of (\d+) true \((\d+)%\)", section())
    assert stated is not None, which
    true = sum(1 for *_, verdict in rows if verdict == "true")
    assert all(verdict in ("true", "false") for *_, verdict in rows)
    assert (int(stated.group(1)), int(stated.group(2))) == (true, len(rows))
    assert int(stated.group(3)) == round(100 * true / len(rows))
