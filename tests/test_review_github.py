"""docs/real-world-review.md, section "GitHub Actions": the corpus it
describes, each finding reviewed before the fixes pointing at the `needs`
of the job it names, what it says is left after the fixes being what
recoverylint finds now, its true-percentages being those of its tables, and
the new hand-overs being where it says they are."""

from __future__ import annotations

import re
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

from recoverylint.engine import check_file

CORPUS = CORPORA / "github-actions"
HEADING = "## GitHub Actions"
# The reasons of the needs the registry and release hand-overs explain.
HAND_OVER_REASONS = re.compile(r"it uses `.*` may make as|it creates the release `")


def section() -> str:
    return review_section(HEADING)


def tables() -> list[list[tuple[str, int, str, str]]]:
    """The rows (file, line, finding, verdict) of the section's table before
    the fixes and of the one after them (none when nothing is left)."""
    found = review_tables(HEADING)
    assert len(found) in (1, 2), "a table before the fixes, and one after when something is left"
    return found if len(found) == 2 else found + [[]]


def files() -> list[Path]:
    return reviewed_files(CORPUS)


@pytest.fixture(scope="module")
def results(corpus) -> dict[str, object]:
    return {path.relative_to(CORPUS).as_posix(): check_file(path, str(path)) for path in files()}


@pytest.fixture(scope="module")
def corpus() -> Path:
    return corpus_folder("github-actions")


def test_the_sample_is_the_corpus(corpus):
    relative = [path.relative_to(CORPUS).as_posix() for path in files()]
    workflows = [name for name in relative if "/.github/workflows/" in name]
    actions = [name for name in relative if "/.github/actions/" in name]
    stated = re.search(
        r"`\.\./shared/corpora/github-actions`: (\d+) files .*?, (\d+) workflows under\s+"
        r"`\.github/workflows/` and (\d+) action metadata files",
        section(),
        re.DOTALL,
    )
    assert stated is not None
    assert tuple(map(int, stated.groups())) == (len(relative), len(workflows), len(actions))
    assert len(workflows) + len(actions) == len(relative)


def test_each_finding_reviewed_points_at_the_needs_of_the_job_it_names(corpus):
    before, _ = tables()
    assert len(before) == 8
    for file, line, finding, _ in before:
        assert finding.startswith("RL201 ")
        job = re.search(r"`([^`]+)`", finding).group(1)
        lines = (corpus / file).read_text(encoding="utf-8").splitlines()
        assert re.match(r"\s+needs:", lines[line - 1]), (file, line)
        keys = [text for text in lines[: line - 1] if re.match(r"  [\w-]+:\s*$", text)]
        assert keys[-1].strip() == f"{job}:", (file, line, job)


def test_what_is_left_after_the_fixes_is_what_recoverylint_finds(results):
    _, after = tables()
    now = {
        (name, finding.span.line, f"{finding.code} {finding.message}")
        for name, result in results.items()
        for finding in result.findings
        if finding.code.startswith(REVIEWED)
    }
    assert len(now) == len(after)
    for file, line, finding, _ in after:
        assert any((file, line) == (f, n) and message.startswith(finding) for f, n, message in now)


@pytest.mark.parametrize(("which", "position"), [("Before", 0), ("After", 1)])
def test_the_true_counts_are_those_of_the_tables(which, position):
    assert_true_counts_match_table(HEADING, which, tables()[position])


def test_the_new_hand_overs_are_in_the_jobs_of_the_reviewed_gates(results):
    explained, released, guards = set(), set(), set()
    for name, result in results.items():
        for step in result.runbook.steps if result.runbook is not None else ():
            if any(need.reason and HAND_OVER_REASONS.search(need.reason) for need in step.needs):
                explained.add((name, step.id))
            if any(ref.name.startswith("release/") for ref in step.inputs):
                released.add((name, step.id))
            if step.guard:
                guards.add((name, step.id))
    argo, kyverno = "argo-workflows/.github/workflows/", "kyverno/.github/workflows/"
    assert explained == {
        (argo + "release.yaml", "push-images"),
        (argo + "release.yaml", "test-images-linux-amd64"),
        (argo + "release.yaml", "test-images-windows"),
        (argo + "release.yaml", "publish-release"),
        (kyverno + "release.yaml", "create-release"),
    }
    assert released == {
        (kyverno + "release.yaml", "push-and-sign-install-manifest"),
        (kyverno + "release.yaml", "release-cli-via-krew"),
    }
    assert (argo + "ci-build.yaml", "e2e-ui") in guards


def test_the_counts_of_the_workflows_outside_the_corpus_are_those_of_the_tables():
    assert_review_outside_the_corpus("## GitHub Actions workflows outside the corpus", 13)
