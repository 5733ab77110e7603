"""docs/real-world-review.md, section "StackStorm": its counts are those of
its tables, the findings it says are left on the shared corpora are every
dependency finding recoverylint gives there now, and every false finding of
the draw before the fixes is gone but the two the section keeps."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from review_support import CORPORA, corpus_folder, review_section, review_tables

HEADING = "## StackStorm"
REPOSITORY = Path(__file__).resolve().parent.parent
# The tables, in the order written: real packs before and after, the two held-back
# sets, the shared corpora before (Orquesta, ActionChain) and after (the same).
(PACKS_BEFORE, PACKS_AFTER, HELD_REPOSITORIES, HELD_ENGINE,
 ORQUESTA_BEFORE, CHAIN_BEFORE, ORQUESTA_AFTER, CHAIN_AFTER) = range(8)


def true_count(rows) -> tuple[int, int]:
    assert all(verdict in ("true", "false") for *_, verdict in rows)
    return sum(1 for *_, verdict in rows if verdict == "true"), len(rows)


def stated(pattern: str) -> tuple[int, int, int | None]:
    found = re.search(pattern, review_section(HEADING))
    assert found is not None, pattern
    return int(found.group(1)), int(found.group(2)), int(found.group(3)) if found.lastindex == 3 else None


def test_the_counts_are_those_of_the_tables():
    tables = review_tables(HEADING)
    assert len(tables) == 8
    true, total = true_count(tables[PACKS_BEFORE])
    assert (true, total, round(100 * true / total)) == stated(r"\*\*Before the fixes: (\d+) of (\d+) true \((\d+)%\)")
    true, total = true_count(tables[PACKS_AFTER])
    assert (true, total, round(100 * true / total)) == stated(r"\*\*After the fixes: (\d+) of (\d+) true \((\d+)%\)")
    held = stated(r"previous version gave \d+ findings there, (\d+) of (\d+) true")
    assert true_count(tables[HELD_REPOSITORIES]) == held[:2]
    assert true_count(tables[HELD_ENGINE]) == stated(r"reviewed:\s+(\d+) of (\d+) true")[:2]
    before = [*tables[ORQUESTA_BEFORE], *tables[CHAIN_BEFORE]]
    true, total = true_count(before)
    assert (true, total, round(100 * true / total)) == stated(
        r"\*\*Before the fixes: (\d+) of (\d+) true \((\d+)%\)\.\*\*\nAll 20"
    )
    after = [*tables[ORQUESTA_AFTER], *tables[CHAIN_AFTER]]
    true, total = true_count(after)
    assert (true, total, round(100 * true / total)) == stated(
        r"\*\*After the fixes: (\d+) of (\d+) true \((\d+)%\)\.\*\*\nThe two false"
    )


@pytest.fixture(scope="module")
def drawn() -> dict[str, set[tuple[str, int, str]]]:
    """Every dependency finding on each shared StackStorm corpus now, as the section draws them."""
    found: dict[str, set[tuple[str, int, str]]] = {}
    for corpus in ("stackstorm-orquesta", "stackstorm-actionchain"):
        folder = corpus_folder(corpus)
        completed = subprocess.run(
            [sys.executable, str(REPOSITORY / "docs" / "sample_findings.py"), str(folder), "0", "2026"],
            capture_output=True, text=True, check=True, timeout=300,
        )
        root = (CORPORA / corpus).resolve()
        found[corpus] = {
            (Path(f["path"]).resolve().relative_to(root).as_posix(), f["line"], f["code"])
            for f in map(json.loads, completed.stdout.splitlines())
        }
    return found


def rows(table) -> set[tuple[str, int, str]]:
    return {(file, line, finding.split()[0]) for file, line, finding, _ in table}


def test_the_findings_left_on_the_shared_corpora_are_all_it_gives(drawn):
    tables = review_tables(HEADING)
    assert rows(tables[ORQUESTA_AFTER]) == drawn["stackstorm-orquesta"]
    assert rows(tables[CHAIN_AFTER]) == drawn["stackstorm-actionchain"]


def test_every_false_finding_drawn_before_is_gone_but_the_two_kept(drawn):
    tables = review_tables(HEADING)
    false_before = {
        (file, line, finding.split()[0])
        for file, line, finding, verdict in tables[ORQUESTA_BEFORE]
        if verdict == "false"
    }
    kept = false_before & drawn["stackstorm-orquesta"]
    assert kept == {
        ("st2/contrib/examples/actions/workflows/orquesta-mock-create-vm.yaml", 94, "RL201"),
        ("st2/contrib/examples/actions/workflows/orquesta-mock-create-vm.yaml", 44, "RL305"),
    }
    assert len(false_before) == 8
    assert all(verdict == "true" for *_, verdict in tables[CHAIN_BEFORE])
