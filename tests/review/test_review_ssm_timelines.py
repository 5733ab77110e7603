"""`recoverylint review` on hand-made but realistic timelines of three real
SSM documents of ../shared/corpora/ssm-more, drawn at random with seed 18
(`random.Random(18).sample` of the corpus's sorted .yaml, .yml and .json
files), each timeline in tests/review/fixtures/ssm/.  The answers are worked
out by hand from the documents, in the comments."""

from __future__ import annotations

import json
import random
from pathlib import Path

from click.testing import CliRunner
from review_support import corpus_folder

from recoverylint.cli import cli

TIMELINES = Path(__file__).parent / "fixtures" / "ssm"
APPROVAL = (
    "aws-systems-manager/Documents/Automation/ManagedInstance/Output/aws-CreateManagedWindowsInstanceWithApproval.json"
)
DETACH = "aws-systems-manager/Documents/Automation/DetachEBSVolumes/Documents/aws-DetachEBSVolume.json"
BLACKHOLE = "chaos-ssm-documents/run-command/experimental/blackhole-s3-stress.yml"


def review(document: str, timeline: str, exit_code: int) -> dict:
    path = corpus_folder("ssm-more") / document
    result = CliRunner().invoke(
        cli, ["review", str(path), str(TIMELINES / timeline), "--format", "json"], catch_exceptions=False
    )
    assert result.exit_code == exit_code, result.output
    (incident,) = json.loads(result.stdout)["incidents"]
    assert incident["unmatched"] == []
    return incident


def test_the_three_documents_are_the_seeded_draw() -> None:
    corpus = corpus_folder("ssm-more")
    files = sorted(
        str(path.relative_to(corpus)) for path in corpus.rglob("*")
        if path.suffix in (".yaml", ".yml", ".json") and path.is_file()
    )
    assert random.Random(18).sample(files, 3) == [APPROVAL, DETACH, BLACKHOLE]


def test_a_stack_created_before_its_approval() -> None:
    # approve 10:00-10:18 (dana), createManagedInstanceStack 10:15-10:24 and
    # deleteManagedInstanceStack 10:40-10:43 (ben).  The stack needs the
    # approval (aws:approve, onFailure Abort) and the delete needs the stack:
    # required 18 + 9 + 3 = 30 of 43 min.  Creating the stack 3 min before the
    # approval came is RV102; ben sat 16 min between the two stack steps,
    # which nothing explains; 43 - 30 = 13 min lost.
    incident = review(APPROVAL, "create-windows-instance-with-approval.csv", 1)
    assert (incident["actual_minutes"], incident["required_minutes"], incident["lost_minutes"]) == (43, 30, 13)
    assert [(v["code"], v["steps"]) for v in incident["violations"]] == [
        ("RV102", ["approve", "createManagedInstanceStack"]),
    ]
    assert [(w["step"], w["waited_for"], w["minutes"], w["cause"]) for w in incident["waits"]] == [
        ("deleteManagedInstanceStack", [], 16, "unexplained"),
    ]


def test_a_volume_detached_step_by_step_on_a_clock_of_another_zone() -> None:
    # 02:10-02:16+01:00 is 01:10-01:16Z: create the stack (3 min), detach the
    # volume through its Lambda (2 min), delete the stack (1 min), each
    # needing the one before: nothing to gain.
    incident = review(DETACH, "detach-ebs-volume.csv", 0)
    assert (incident["started_at"], incident["ended_at"]) == ("2026-03-12T01:10:00Z", "2026-03-12T01:16:00Z")
    assert (incident["actual_minutes"], incident["required_minutes"], incident["lost_minutes"]) == (6, 6, 0)
    assert incident["waits"] == [] and incident["violations"] == []


def test_a_chaos_experiment_whose_revert_is_scheduled_first() -> None:
    # Minutes from the start: RevertCommandScheduling 0-0.5 (schedules the
    # copy of /etc/hosts.back back over /etc/hosts), AlterHostsFile 2-2.5
    # (makes hosts.back and blackholes S3).  Both run a shell script on the
    # instance, which the adapter has each write (and the revert must be in
    # place before the fault), so the order is required: 1 min; the 1.5 min
    # between them are unexplained.
    incident = review(BLACKHOLE, "blackhole-s3-stress.csv", 0)
    assert incident["started_at"] is None
    assert (incident["actual_minutes"], incident["required_minutes"], incident["lost_minutes"]) == (2.5, 1, 1.5)
    assert [(w["step"], w["waited_for"], w["minutes"], w["cause"]) for w in incident["waits"]] == [
        ("AlterHostsFile", [], 1.5, "unexplained"),
    ]
