"""RL701-RL702 and the decision checklist behind RL702."""

import textwrap

import pytest

from recoverylint.analysis import Answer, Checklist, decision_checklist
from recoverylint.engine import check_text
from recoverylint.graphs import build_graphs
from recoverylint.native import build_runbook
from recoverylint.settings import Settings
from recoverylint.source import parse


def parallel_checks(count: int, head: str = "runbook: r\n") -> str:
    """A runbook whose steps are `count` checks in one parallel block."""
    checks = "".join(f"      - id: check-{n}\n        reads: [edge/{n}]\n" for n in range(count))
    return head + "steps:\n  - parallel:\n" + checks


# -- RL701 span-of-control -------------------------------------------------


def test_rl701_more_threads_than_a_commander_can_follow(lint):
    (found,) = lint(parallel_checks(8), "RL701")
    assert (found.span.line, found.span.column, found.span.end_column) == (2, 1, 6)  # `steps`
    assert found.message == (
        "8 threads can run at once (`check-0`, `check-1`, `check-2`, `check-3`, `check-4` and"
        " 3 more), more than the 7 one commander can follow: work goes unwatched and its"
        " results are missed"
    )
    assert found.suggestion == (
        "give each group of threads its own lead, or order some of them so that at most 7 run"
        " at once"
    )
    assert [(r.message, r.span.line) for r in found.related][:2] == [
        ("`check-0` runs at the widest point", 4),
        ("`check-1` runs at the widest point", 6),
    ]
    assert len(found.related) == 8


def test_rl701_seven_threads_are_within_span(lint):
    assert lint(parallel_checks(7), "RL701") == []


def test_rl701_caps_the_steps_it_lists(lint):
    (found,) = lint(parallel_checks(12), "RL701")
    assert found.message.startswith("12 threads can run at once (")
    assert "and 7 more)" in found.message
    assert len(found.related) == 10
    assert len(found.steps) == 10


def test_rl701_span_of_control_is_configurable():
    def messages(count: int) -> list[str]:
        findings = check_text(parallel_checks(count), settings=Settings(span_of_control=3)).findings
        return [f.message for f in findings if f.code == "RL701"]

    (message,) = messages(4)
    assert "more than the 3 one commander" in message
    assert messages(3) == []


def test_rl701_points_at_stages(lint):
    head = "runbook: r\nstages:\n  - stage: investigate\n    flow: parallel\n    steps:\n"
    text = head + "".join(f"      - id: check-{n}\n" for n in range(8))
    (found,) = lint(text, "RL701")
    assert (found.span.line, found.span.column) == (2, 1)


def test_rl701_alternatives_never_run_together(lint):
    ids = [f"fix-{n}" for n in range(8)]
    text = (
        "runbook: r\nsteps:\n  - id: choose\n    decides: [" + ", ".join(ids) + "]\n"
        "  - parallel:\n" + "".join(f"      - id: {i}\n" for i in ids)
    )
    assert lint(text, "RL701") == []


# -- Decision checklist ----------------------------------------------------


def checklist_of(text: str) -> Checklist:
    runbook = build_runbook(parse(textwrap.dedent(text).lstrip("\n")), "t.yaml")
    graphs, cycle = build_graphs(runbook)
    assert cycle is None
    return decision_checklist(runbook, graphs)


def answer(checklist: Checklist, question: str) -> Answer:
    (found,) = [a for a in checklist.answers if a.question == question]
    return found


ONE_STEP = "steps:\n  - id: only\n"


def test_checklist_defaults_favour_only_not_regulated():
    checklist = checklist_of("runbook: r\n" + ONE_STEP)
    assert [(a.question, a.value, a.favours_parallel, a.span) for a in checklist.answers] == [
        ("team.size >= 3", "not set", False, None),
        ("most step pairs independent", "0 of 0 step pairs", False, None),
        ("tooling.automation", "not set", False, None),
        ("criticality critical or high", "not set", False, None),
        ("team.drilled", "not set", False, None),
        ("not regulated", "not set", True, None),
    ]
    assert answer(checklist, "not regulated").source == "regulated not set, which means false"
    unset_size = answer(checklist, "team.size >= 3")
    assert unset_size.source == "team.size not set, which counts against parallel"
    assert (checklist.score, checklist.mode) == (1, "sequential")


@pytest.mark.parametrize(
    "setting, question, value, favours",
    [
        ("team: {size: 3}", "team.size >= 3", "team.size 3", True),
        ("team: {size: 2}", "team.size >= 3", "team.size 2", False),
        ("tooling: {automation: true}", "tooling.automation", "tooling.automation true", True),
        ("tooling: {automation: false}", "tooling.automation", "tooling.automation false", False),
        ("criticality: critical", "criticality critical or high", "criticality critical", True),
        ("criticality: high", "criticality critical or high", "criticality high", True),
        ("criticality: medium", "criticality critical or high", "criticality medium", False),
        ("team: {drilled: true}", "team.drilled", "team.drilled true", True),
        ("team: {drilled: false}", "team.drilled", "team.drilled false", False),
        ("regulated: false", "not regulated", "regulated false", True),
        ("regulated: true", "not regulated", "regulated true", False),
    ],
)
def test_checklist_answers_from_settings(setting, question, value, favours):
    found = answer(checklist_of(f"runbook: r\n{setting}\n" + ONE_STEP), question)
    assert (found.value, found.favours_parallel) == (value, favours)
    assert found.span is not None and found.span.line == 2
    assert found.source == f"{value} at line 2"


def test_checklist_most_pairs_means_more_than_half():
    # a -> b -> c by facts; d is independent of all three: 3 of 6 pairs.
    half = textwrap.dedent(
        """
        runbook: r
        flow: parallel
        given: [alert]
        steps:
          - id: a
            outputs: [x]
          - id: b
            inputs: [x]
            outputs: [y]
          - id: c
            inputs: [y]
          - id: d
        """
    )
    found = answer(checklist_of(half), "most step pairs independent")
    assert (found.value, found.favours_parallel) == ("3 of 6 step pairs", False)
    assert found.source == "3 of 6 step pairs independent in the required order"
    # without b's use of x, a is independent of b and c too: 5 of 6.
    independent = half.replace("    inputs: [x]\n", "")
    found = answer(checklist_of(independent), "most step pairs independent")
    assert (found.value, found.favours_parallel) == ("5 of 6 step pairs", True)


@pytest.mark.parametrize(
    "settings, score, mode",
    [
        ("regulated: true", 0, "sequential"),
        ("", 1, "sequential"),
        ("tooling: {automation: true}", 2, "hybrid"),
        ("tooling: {automation: true}\nteam: {drilled: true}", 3, "hybrid"),
        ("tooling: {automation: true}\nteam: {drilled: true}\ncriticality: high", 4, "parallel"),
    ],
)
def test_checklist_score_and_mode(settings, score, mode):
    checklist = checklist_of(f"runbook: r\n{settings}\n" + ONE_STEP)
    assert (checklist.score, checklist.mode) == (score, mode)


# -- RL702 workflow-mode-mismatch ------------------------------------------

CAPABLE = "team: {size: 3, drilled: true}\ntooling: {automation: true}\n"  # 4 with not regulated
CHAIN = """steps:
  - id: check-db
    reads: [db]
    outputs: [db-state]
  - id: check-pods
    inputs: [db-state]
    reads: [k8s]
"""


def test_rl702_sequential_runbook_for_a_parallel_team(lint):
    (found,) = lint("runbook: r\n" + CAPABLE + CHAIN, "RL702")
    assert (found.span.line, found.span.column, found.span.end_column) == (1, 10, 11)
    assert found.message == (
        "every step waits for the one before it, but this team could recover faster in"
        " parallel: the decision checklist scores 4 of 6 for parallel work and recommends"
        " parallel recovery (team.size >= 3: yes, team.size 3 at line 2; most step pairs"
        " independent: no, 0 of 1 step pairs independent in the required order;"
        " tooling.automation: yes, tooling.automation true at line 3; criticality critical or"
        " high: no, criticality not set, which counts against parallel; team.drilled: yes,"
        " team.drilled true at line 2; not regulated: yes, regulated not set, which means false)"
    )
    assert [(r.message, r.span.line) for r in found.related] == [
        ("team.size >= 3: yes", 2),
        ("tooling.automation: yes", 3),
        ("team.drilled: yes", 2),
    ]


def test_rl702_three_answers_for_parallel_are_no_mismatch(lint):
    assert lint("runbook: r\nregulated: true\n" + CAPABLE + CHAIN, "RL702") == []


def test_rl702_a_runbook_with_parallel_threads_is_not_a_chain(lint):
    text = "runbook: r\n" + CAPABLE + "flow: parallel\n" + CHAIN
    assert lint(text, "RL702") == []


def test_rl702_one_step_is_no_chain(lint):
    assert lint("runbook: r\n" + CAPABLE + "criticality: high\n" + ONE_STEP, "RL702") == []


CONCURRENT_CHANGES = """steps:
  - parallel:
      - id: kill-session
        writes: [db/sessions]
      - id: restart-batch
        writes: [k8s/jobs]
  - id: check
    reads: [db, k8s]
"""


def test_rl702_concurrent_changes_for_a_sequential_team(lint):
    (found,) = lint("runbook: r\nregulated: true\n" + CONCURRENT_CHANGES, "RL702")
    assert found.message.startswith(
        "`kill-session` and `restart-batch` can change things at the same time, but this team"
        " is not set up to coordinate concurrent changes: the decision checklist scores 0 of 6"
        " for parallel work and recommends sequential recovery (team.size >= 3: no, team.size"
        " not set, which counts against parallel;"
    )
    assert found.steps == ("kill-session", "restart-batch")
    assert found.suggestion == (
        "order the changes one after another; investigation may stay parallel"
    )
    assert [(r.message, r.span.line) for r in found.related] == [("not regulated: no", 2)]
    assert len(lint("runbook: r\n" + CONCURRENT_CHANGES, "RL702")) == 1  # score 1


def test_rl702_a_step_after_one_alternative_is_in_its_branch(lint):
    # restart-a and restart-b are decided apart, and flush-cache follows only
    # restart-b: it runs only in restart-b's branch, never with restart-a (as
    # the plan follows branches).  A step after no alternative still can.
    text = (
        "runbook: r\nregulated: true\nflow: parallel\nsteps:\n"
        "  - id: choose\n    decides: [restart-a, restart-b]\n"
        "  - id: restart-a\n    needs: [choose]\n    writes: [svc-a]\n"
        "  - id: restart-b\n    needs: [choose]\n    writes: [svc-b]\n"
        "  - id: flush-cache\n    needs: [restart-b]\n    writes: [cache]\n"
    )
    assert lint(text, "RL702") == []
    (found,) = lint(text + "  - id: purge-cdn\n    needs: [choose]\n    writes: [cdn]\n", "RL702")
    assert found.steps == ("restart-a", "purge-cdn")


def test_rl702_two_answers_for_parallel_allow_concurrent_changes(lint):
    text = "runbook: r\ntooling: {automation: true}\n" + CONCURRENT_CHANGES
    assert lint(text, "RL702") == []


def test_rl702_concurrent_reads_and_decided_alternatives_are_no_concurrent_changes(lint):
    reads = CONCURRENT_CHANGES.replace("writes", "reads")
    assert lint("runbook: r\nregulated: true\n" + reads, "RL702") == []
    decided = (
        "runbook: r\nregulated: true\nsteps:\n  - id: choose\n"
        "    decides: [kill-session, restart-batch]\n" + CONCURRENT_CHANGES.removeprefix("steps:\n")
    )
    assert lint(decided, "RL702") == []


def test_rl702_decided_alternatives_keep_a_runbook_one_chain(lint):
    text = (
        "runbook: r\n" + CAPABLE + "steps:\n  - id: choose\n    outputs: [choice]\n"
        "    decides: [hotfix, rollback-deploy]\n  - parallel:\n"
        "      - id: hotfix\n        inputs: [choice]\n"
        "      - id: rollback-deploy\n        inputs: [choice]\n"
    )
    (found,) = lint(text, "RL702")
    assert found.message.startswith("every step waits for the one before it")
    assert lint(text.replace("    decides: [hotfix, rollback-deploy]\n", ""), "RL702") == []
