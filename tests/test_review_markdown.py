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
from review_support import (
    CORPORA,
    assert_review_outside_the_corpus,
    assert_true_counts_match_table,
    corpus_folder,
    review_section,
    review_tables,
)

HEADING = "## Markdown"
REPOSITORY = Path(__file__).resolve().parent.parent
# The files read while the adapter was built: the sample leaves them out.
TUNING = (
    "cluster-monitoring-operator", "openshift-container-storage-operator",
    "advanced-cluster-management-operator", "cluster-logging-operator", "cluster-etcd-operator",
    "cluster-network-operator", "cluster-kube-apiserver-operator", "CnaoNmstateMigration", "example.md",
)


# The pages the second pass read while raising the rate and fixing findings.
SECOND_TUNING = (
    "NodeFilesystemAlmostOutOfSpace", "CephDataRecoveryTakingTooLong", "ClusterObjectStoreState",
    "KubeVirtCRModified", "SSPHighRateRejectedVms", "CephClusterCriticallyFull",
    "NooBaaSystemCapacityWarning100", "TelemeterClientFailures", "ObcQuotaObjectsExhausedAlert",
    "KubeVirtNoAvailableNodesToRunVMs", "PrometheusPossibleNarrowSelectors",
    "AlertmanagerFailedToSendAlerts", "NodeFilesystemSpaceFillingUp", "HCOOperatorConditionsUnhealthy",
    "CephClusterWarningState", "KubeAPIErrorBudgetBurn", "CephOSDSlowOps",
    "CephPoolQuotaBytesCriticallyExhausted", "KubeAPIDown", "VirtualMachineStuckOnNode",
    "GuestFilesystemAlmostOutOfSpace", "HCOGoldenImageWithNoArchitectureAnnotation", "KubeletHealthState",
)
# The first pass's true finding the second pass's fix no longer reports (its
# step opens with "If needed": a condition the steps before it show).
NO_LONGER_FOUND = {
    ("openshift-runbooks/alerts/openshift-virtualization-operator/LowReadyVirtHandlerCount.md", 48, "RL201"),
}


def draw(seed: int) -> list[tuple[str, int, str]]:
    """Every dependency finding now, in the order `seed` draws them."""
    corpus = corpus_folder("markdown")
    completed = subprocess.run(
        [sys.executable, str(REPOSITORY / "docs" / "sample_findings.py"), str(corpus), "0", str(seed)],
        capture_output=True, text=True, check=True, timeout=600,
    )
    found = [json.loads(line) for line in completed.stdout.splitlines()]
    return [(str(Path(f["path"]).resolve().relative_to((CORPORA / "markdown").resolve())), f["line"], f["code"]) for f in found]


@pytest.fixture(scope="module")
def drawn() -> list[tuple[str, int, str]]:
    return draw(2027)


def rows(table: list[tuple[str, int, str, str]]) -> list[tuple[str, int, str]]:
    return [(file, line, finding.split()[0]) for file, line, finding, _ in table]


def test_the_first_pass_findings_after_its_fixes_are_found_but_one_the_second_pass_explains(drawn):
    _, after, _, _ = review_tables(HEADING)
    missing = set(rows(after)) - set(drawn)
    assert missing == NO_LONGER_FOUND


def test_the_false_findings_before_the_fixes_are_gone(drawn):
    first_before, _, second_before, _ = review_tables(HEADING)
    false = [
        (file, line, finding.split()[0])
        for file, line, finding, verdict in first_before + second_before
        if verdict == "false"
    ]
    assert len(false) == 4
    assert not set(false) & set(drawn)


def test_the_second_sample_after_the_fixes_is_the_seeded_draw(drawn):
    _, _, _, after = review_tables(HEADING)
    held_out = [item for item in drawn if not any(part in item[0] for part in TUNING + SECOND_TUNING)]
    assert rows(after) == held_out[:20]


def test_the_stated_counts_are_those_of_the_tables():
    first_before, first_after, second_before, second_after = review_tables(HEADING)
    assert_true_counts_match_table(HEADING, "Before", first_before)
    assert_true_counts_match_table(HEADING, "After", first_after)
    section = review_section(HEADING)
    for which, table in (("Before", second_before), ("After", second_after)):
        true = sum(1 for *_, verdict in table if verdict == "true")
        percent = round(100 * true / len(table))
        assert f"**{which} the fixes: {true} of {len(table)} true ({percent}%) (second pass).**" in section


def test_the_stated_rate_is_the_corpus_tests():
    section = review_section(HEADING)
    assert "155 of the 250 yield two or more steps" in section
    assert "Of the 167 that write two or more, 155 yield two such\nsteps (93%)" in section
    assert "83 of the\n250 write fewer than two commands" in section


def test_the_counts_of_the_pages_outside_the_corpus_are_those_of_the_tables():
    assert_review_outside_the_corpus("## Markdown runbooks outside the corpus", 15)
    # What is left is the true findings of before, and nothing else.
    before, after = review_tables("## Markdown runbooks outside the corpus")
    assert {row[:3] for row in after} == {row[:3] for row in before if row[3] == "true"}
