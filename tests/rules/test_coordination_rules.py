"""RL701-RL702 and the decision checklist behind RL702."""

import textwrap

import pytest

from recoverylint.analysis import Answer, Checklist, decision_checklist
from recoverylint.engine import check_text
from recoverylint.graphs import build_graphs
from recoverylint.native import build_runbook
from recoverylint.settings import Settings
from recoverylint.source import parse
from recoverylint.words import checklist_question, checklist_source, checklist_value


def parallel_checks(count: int, head: str = "runbook: r\n") -> str:
    """A runbook whose steps are `count` checks in one parallel block."""
    checks = "".join(f"      - id: check-{n}\n        reads: [edge/{n}]\n" for n in range(count))
    return head + "steps:\n  - parallel:\n" + checks


# -- RL701 span-of-control -------------------------------------------------


def test_rl701_span_of_control_is_configurable():
    def messages(count: int) -> list[str]:
        findings = check_text(parallel_checks(count), settings=Settings(span_of_control=3)).findings
        return [f.message for f in findings if f.code == "RL701"]

    (message,) = messages(4)
    assert "more than the 3 one commander" in message
    assert messages(3) == []


# -- Decision checklist ----------------------------------------------------


def checklist_of(text: str) -> Checklist:
    runbook = build_runbook(parse(textwrap.dedent(text).lstrip("\n")), "t.yaml")
    graphs, cycle = build_graphs(runbook)
    assert cycle is None
    return decision_checklist(runbook, graphs)


def answer(checklist: Checklist, question: str) -> Answer:
    (found,) = [a for a in checklist.answers if checklist_question(a) == question]
    return found


ONE_STEP = "steps:\n  - id: only\n"


def test_checklist_defaults_favour_only_not_regulated():
    checklist = checklist_of("runbook: r\n" + ONE_STEP)
    assert [(checklist_question(a), checklist_value(a), a.favours_parallel, a.span) for a in checklist.answers] == [
        ("team.size >= 3", "not set", False, None),
        ("most step pairs independent", "0 of 0 step pairs", False, None),
        ("tooling.automation", "not set", False, None),
        ("criticality critical or high", "not set", False, None),
        ("team.drilled", "not set", False, None),
        ("not regulated", "not set", True, None),
    ]
    assert checklist_source(answer(checklist, "not regulated")) == "regulated not set, which means false"
    unset_size = answer(checklist, "team.size >= 3")
    assert checklist_source(unset_size) == "team.size not set, which counts against parallel"
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
    assert (checklist_value(found), found.favours_parallel) == (value, favours)
    assert found.span is not None and found.span.line == 2
    assert checklist_source(found) == f"{value} at line 2"


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
    assert (checklist_value(found), found.favours_parallel) == ("3 of 6 step pairs", False)
    assert checklist_source(found) == "3 of 6 step pairs independent in the required order"
    # without b's use of x, a is independent of b and c too: 5 of 6.
    independent = half.replace("    inputs: [x]\n", "")
    found = answer(checklist_of(independent), "most step pairs independent")
    assert (checklist_value(found), found.favours_parallel) == ("5 of 6 step pairs", True)


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


CONCURRENT_CHANGES = """steps:
  - parallel:
      - id: kill-session
        writes: [db/sessions]
      - id: restart-batch
        writes: [k8s/jobs]
  - id: check
    reads: [db, k8s]
"""


def test_rl702_concurrent_reads_and_decided_alternatives_are_no_concurrent_changes(lint):
    reads = CONCURRENT_CHANGES.replace("writes", "reads")
    assert lint("runbook: r\nregulated: true\n" + reads, "RL702") == []
    decided = (
        "runbook: r\nregulated: true\nsteps:\n  - id: choose\n"
        "    decides: [kill-session, restart-batch]\n" + CONCURRENT_CHANGES.removeprefix("steps:\n")
    )
    assert lint(decided, "RL702") == []
