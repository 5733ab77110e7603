"""The plan's arithmetic on tiny hand-made runbooks with answers worked out by hand."""

import textwrap
from collections import Counter

import pytest

from recoverylint.engine import plan_text
from recoverylint.graphs import build_graphs
from recoverylint.native import build_runbook
from recoverylint.plan import build_plan
from recoverylint.source import parse


def plan_of(text):
    result, plan = plan_text(textwrap.dedent(text).lstrip("\n"), "t.yaml")
    assert plan is not None, [f.message for f in result.findings]
    return plan


def ids(plan, nodes):
    return [plan.runbook.steps[node].id for node in nodes]


def timing(plan, order, step_id):
    node = next(step.index for step in plan.runbook.steps if step.id == step_id)
    return getattr(plan, order).timings[node]


def waves(schedule, plan):
    return [ids(plan, wave.steps) for wave in schedule.waves]


DIAMOND = """
    runbook: diamond
    steps:
      - id: a
        duration: 2m
        outputs: [x]
      - id: b
        duration: 5m
        inputs: [x]
        outputs: [y]
      - id: c
        duration: 3m
        inputs: [x]
        outputs: [z]
      - id: d
        duration: 1m
        inputs: [y, z]
    """


def test_diamond_written_as_a_checklist():
    """a → {b, c} → d needs only 8 minutes; the checklist a, b, c, d takes 11."""
    plan = plan_of(DIAMOND)
    assert plan.sequential == 11
    assert plan.declared.length == 11
    assert ids(plan, plan.declared.critical_path) == ["a", "b", "c", "d"]
    required = plan.required
    assert required.length == 8
    assert ids(plan, required.critical_path) == ["a", "b", "d"]
    # c can slip two minutes without delaying d
    c = timing(plan, "required", "c")
    assert (c.earliest_start, c.latest_start, c.slack) == (2, 4, 2)
    b = timing(plan, "required", "b")
    assert (b.earliest_start, b.latest_start, b.slack) == (2, 2, 0)
    assert waves(required, plan) == [["a"], ["b", "c"], ["d"]]
    assert required.staffed_makespan == 8  # nobody limits it: no roles, no team.size
    assert plan.saved_minutes == 3
    assert [ids(plan, gate) for gate in plan.false_gates] == [["b", "c"]]


def test_chain_saves_nothing():
    plan = plan_of(
        """
        runbook: chain
        steps:
          - {id: a, duration: 1m, outputs: [x]}
          - {id: b, duration: 2m, inputs: [x], outputs: [y]}
          - {id: c, duration: 3m, inputs: [y]}
        """
    )
    for schedule in (plan.declared, plan.required):
        assert schedule.length == schedule.staffed_makespan == 6
        assert ids(plan, schedule.critical_path) == ["a", "b", "c"]
        assert all(t.slack == 0 for t in schedule.timings.values())
        assert schedule.joins == 0
    assert plan.saved_minutes == 0
    assert plan.false_gates == ()


def test_fan_out_limited_by_one_role_with_one_person():
    """Four independent 5-minute checks of one role with one person: D allows
    them all at once, but one person does them one after the other."""
    plan = plan_of(
        """
        runbook: fan
        team: {size: 10}
        roles:
          dba: {authority: [observe]}
        steps:
          - parallel:
              - {id: c1, role: dba, duration: 5m}
              - {id: c2, role: dba, duration: 5m}
              - {id: c3, role: dba, duration: 5m}
              - {id: c4, role: dba, duration: 5m}
        """
    )
    required = plan.required
    assert required.length == 5
    assert required.staffed_makespan == 20
    assert [t.start for t in required.timings.values()] == [0, 5, 10, 15]
    assert waves(required, plan) == [["c1"], ["c2"], ["c3"], ["c4"]]
    assert [wave.people for wave in required.waves] == [(("dba", 1),)] * 4


def test_team_size_caps_roles_together():
    """Two roles of two people each, but a team of three: at most three at once."""
    plan = plan_of(
        """
        runbook: team
        team: {size: 3}
        roles:
          dba: {authority: [observe], people: 2}
          sre: {authority: [observe], people: 2}
        steps:
          - parallel:
              - {id: d1, role: dba, duration: 4m}
              - {id: d2, role: dba, duration: 4m}
              - {id: s1, role: sre, duration: 4m}
              - {id: s2, role: sre, duration: 4m}
        """
    )
    required = plan.required
    assert required.staffed_makespan == 8
    assert [len(wave.steps) for wave in required.waves] == [3, 1]
    assert dict(required.waves[0].people) == {"dba": 2, "sre": 1}


def test_priority_is_latest_finish_then_least_slack():
    """One person, three ready steps: the one the long chain waits for goes first."""
    plan = plan_of(
        """
        runbook: priority
        roles:
          dba: {authority: [observe, apply]}
        steps:
          - parallel:
              - {id: side, role: dba, duration: 2m}
              - {id: urgent, role: dba, duration: 2m, outputs: [x]}
              - {id: other, role: dba, duration: 2m}
          - {id: long, duration: 20m, inputs: [x]}
        """
    )
    required = plan.required
    assert ids(plan, required.waves[0].steps) == ["urgent"]
    assert timing(plan, "required", "long").start == 2
    assert required.staffed_makespan == 22


def test_join_pays_sync_overhead_once():
    """d waits for b and c (a join): sync_overhead 1m is added once, before d;
    a step with one immediate predecessor pays nothing."""
    plan = plan_of(DIAMOND.replace("runbook: diamond", "runbook: diamond\n    sync_overhead: 1m"))
    required = plan.required
    assert required.joins == 1
    assert required.sync_minutes == 1
    d = timing(plan, "required", "d")
    assert d.earliest_start == 8  # b ends at 7, plus 1 minute to join
    assert required.length == 9
    assert required.staffed_makespan == 9
    # The checklist has no joins at all.
    assert plan.declared.joins == 0
    assert plan.declared.length == 11


def test_redundant_edge_is_no_join():
    """c waits for a and b where b already waits for a: one immediate predecessor."""
    plan = plan_of(
        """
        runbook: r
        sync_overhead: 2m
        steps:
          - {id: a, duration: 1m, outputs: [x]}
          - {id: b, duration: 1m, inputs: [x], outputs: [y]}
          - {id: c, duration: 1m, inputs: [x, y]}
        """
    )
    assert plan.required.joins == 0
    assert plan.required.length == 3


def test_races_are_run_one_after_the_other():
    """O lets two writers of one resource run together; the plan does not, so
    the safe order takes longer and `saved` says so (negative)."""
    plan = plan_of(
        """
        runbook: race
        steps:
          - parallel:
              - {id: restart, duration: 5m, writes: [svc]}
              - {id: scale, duration: 3m, writes: [svc]}
        """
    )
    assert [(ids(plan, [r.first])[0], ids(plan, [r.second])[0], r.resource) for r in plan.races] == [
        ("restart", "scale", "svc")
    ]
    assert plan.declared.length == 5
    assert plan.required.length == 8
    assert plan.saved_minutes == -3


def test_many_racing_writers_make_a_chain_not_every_pair():
    count = 300
    steps = "\n".join(f"      - {{id: w{i}, duration: 1m, writes: [svc]}}" for i in range(count))
    plan = plan_of(f"runbook: many\nsteps:\n  - parallel:\n{steps}\n")
    assert len(plan.races) == count - 1
    assert plan.required.length == count
    assert sum(len(p) for p in plan.required.preds) == count - 1


def test_waves_staffed_alike_share_one_record_of_their_people():
    """300 waves of one step with no role: one tuple says so for all of them
    (a big runbook's plan held a copy per wave)."""
    count = 300
    steps = "\n".join(f"      - {{id: w{i}, duration: 1m, writes: [svc]}}" for i in range(count))
    plan = plan_of(f"runbook: many\nsteps:\n  - parallel:\n{steps}\n")
    waves = plan.required.waves
    assert len(waves) == count
    assert {wave.people for wave in waves} == {(("", 1),)}
    assert len({id(wave.people) for wave in waves}) == 1


def test_racing_steps_are_ordered_in_one_walk_of_their_uses(monkeypatch):
    """One walk of the racing steps' uses makes and counts the waits (there
    were two: one to count them, one to make them)."""
    from recoverylint import plan as planner

    count = 40
    steps = "".join(f"  - {{id: w{i}, duration: 1m, writes: [svc], reads: [cfg]}}\n" for i in range(count))
    graphs, _ = build_graphs(build_runbook(parse(f"runbook: race\nflow: parallel\nsteps:\n{steps}"), "r.yaml"))
    walks = []
    walk = planner._race_waits

    def counted(*arguments):
        walks.append(arguments)
        return walk(*arguments)

    monkeypatch.setattr(planner, "_race_waits", counted)
    plan = build_plan(graphs)
    assert len(walks) == 1
    assert [(race.first, race.second) for race in plan.races] == [(i, i + 1) for i in range(count - 1)]
    assert plan.required.length == count


def test_worst_alternative_is_followed_and_the_other_left_out():
    plan = plan_of(
        """
        runbook: choose
        steps:
          - {id: decide, decides: [hotfix, rollback], duration: 1m}
          - parallel:
              - sequence:
                  - {id: hotfix, duration: 10m}
                  - {id: verify-hotfix, verifies: [hotfix], duration: 5m}
              - {id: rollback, duration: 12m}
          - {id: close, phase: close, duration: 1m}
        """
    )
    assert ids(plan, plan.planned) == ["decide", "hotfix", "verify-hotfix", "close"]
    assert [(ids(plan, [x.node])[0], ids(plan, [x.followed])[0]) for x in plan.left_out] == [
        ("rollback", "hotfix")
    ]
    assert plan.sequential == 17
    assert plan.declared.length == 17
    # close still waits for the branch followed, through the left-out step's place
    assert ids(plan, plan.required.critical_path) == ["decide", "hotfix", "verify-hotfix", "close"]


def test_saved_cost_uses_cost_per_minute():
    plan = plan_of(DIAMOND.replace("runbook: diamond", "runbook: diamond\n    cost_per_minute: 1500"))
    assert plan.saved_minutes == 3
    assert plan.saved_cost == 4500
    assert plan_of(DIAMOND).saved_cost is None


def test_cycle_of_d_keeps_declared_order():
    """The verification is declared before the change it verifies, and reads
    what the change writes: D has a cycle, which the plan breaks by O's order."""
    plan = plan_of(
        """
        runbook: cycle
        steps:
          - {id: check, verifies: [fix], reads: [svc], duration: 2m}
          - {id: fix, writes: [svc], duration: 3m}
        """
    )
    assert ids(plan, plan.cycle_steps) == ["check", "fix"]
    assert ids(plan, plan.required.critical_path) == ["check", "fix"]
    assert plan.required.length == 5


def test_checklist_is_in_the_plan():
    plan = plan_of(DIAMOND)
    assert plan.checklist.mode in {"sequential", "hybrid", "parallel"}
    assert len(plan.checklist.answers) == 6


def test_unplannable_runbooks_give_no_plan():
    result, plan = plan_text("runbook: r\nsteps:\n  - {id: a, needs: [b]}\n  - {id: b, needs: [a]}\n")
    assert plan is None
    assert any(f.code == "RL103" for f in result.findings)
    result, plan = plan_text("runbook: [\n")
    assert plan is None and result.findings[0].code == "RL001"


def test_large_layered_runbook_is_planned():
    """Layers of 10 parallel steps, each step needing one of the layer before,
    six people: the critical path is one minute per layer and the staffed
    schedule steps / 6, rounded up (speed is measured in benchmarks/, not here)."""
    size = 2000
    lines = ["runbook: big", "team: {size: 6}", "steps:"]
    for layer in range(size // 10):
        lines.append("  - parallel:")
        for k in range(10):
            step = f"s{layer}-{k}"
            needs = f", inputs: [f{layer - 1}-{k}]" if layer else ""
            lines.append(f"      - {{id: {step}, duration: 1m, outputs: [f{layer}-{k}]{needs}}}")
    runbook = build_runbook(parse("\n".join(lines) + "\n"), "big.yaml")
    graphs, _ = build_graphs(runbook)
    plan = build_plan(graphs)
    assert plan.required.length == size // 10
    assert plan.required.staffed_makespan == -(-size // 6)  # six busy all the way
    assert len(plan.required.timings) == size


# -- No runbook crashes the plan -------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from test_robustness_hypothesis import dump, runbook_shaped  # noqa: E402

from recoverylint.report import plan_json, plan_text as plan_text_report  # noqa: E402


def assert_staffed(plan, schedule):
    """At every start, no role has more steps running than its people, nor the team."""
    runbook = plan.runbook
    working = [(t.start, t.finish, runbook.steps[n]) for n, t in schedule.timings.items() if t.finish > t.start]
    for moment, _, _ in working:
        running = [step for start, finish, step in working if start <= moment < finish]
        if runbook.team_size:
            assert len(running) <= runbook.team_size
        by_role = Counter(step.role.name for step in running if step.role)
        for role, count in by_role.items():
            people = runbook.roles[role].people if role in runbook.roles else 1
            assert count <= people, (role, moment)


@given(runbook_shaped)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_runbook_plans_or_says_why(document):
    text = dump(document, "yaml")
    result, plan = plan_text(text, "h.yaml")
    if plan is None:
        assert result.runbook is None or any(
            f.code in ("RL001", "RL101", "RL103") for f in result.findings
        )
        return
    for schedule in (plan.declared, plan.required):
        assert set(schedule.timings) == set(plan.planned)
        assert schedule.staffed_makespan >= schedule.length - 1e-6
        for node, timing in schedule.timings.items():
            for pred in schedule.preds[node]:
                assert timing.start >= schedule.timings[pred].finish - 1e-6
        assert_staffed(plan, schedule)
    assert plan.sequential + plan.required.sync_minutes >= plan.required.length - 1e-6
    plan_json.render(plan)
    plan_text_report.render(plan, colour=True)


def test_step_after_only_alternatives_not_followed_is_left_out():
    """`x` needs b and c; the plan follows a (most work), so x cannot run."""
    plan = plan_of(
        """
        runbook: three-ways
        flow: parallel
        steps:
          - {id: decide, decides: [a, b, c], duration: 1m}
          - {id: a, needs: [decide], duration: 20m}
          - {id: b, needs: [decide], duration: 2m}
          - {id: c, needs: [decide], duration: 2m}
          - {id: x, needs: [b, c], duration: 3m}
          - {id: close, needs: [a, x], duration: 1m}
        """
    )
    assert ids(plan, plan.planned) == ["decide", "a", "close"]
    assert ids(plan, [item.node for item in plan.left_out]) == ["b", "c", "x"]
    assert plan.declared.length == 22


@pytest.mark.parametrize(
    "text, cause",
    [
        (
            # D is a subset of O, yet the list schedule of D comes out longer.
            """
            runbook: anomaly
            flow: parallel
            team: {size: 2}
            steps:
              - {id: a, duration: 3m}
              - {id: b, duration: 4m, needs: [a]}
              - {id: c, duration: 4m}
              - {id: d, duration: 3m, needs: [{step: a, reason: "d needs a"}]}
            """,
            "list-schedule",
        ),
        (
            """
            runbook: joins
            sync_overhead: 5m
            steps:
              - {id: a, duration: 1m}
              - {id: b, duration: 1m}
              - {id: c, duration: 1m, needs: [{step: a, reason: x}, {step: b, reason: y}]}
            """,
            "sync-overhead",
        ),
        (
            """
            runbook: race
            steps:
              - parallel:
                  - {id: restart, duration: 5m, writes: [svc]}
                  - {id: scale, duration: 3m, writes: [svc]}
            """,
            "unsafe",
        ),
    ],
)
def test_a_slower_required_order_says_why(text, cause):
    plan = plan_of(text)
    assert plan.saved_minutes < 0
    assert plan.loss_cause == cause


def test_loss_cause_is_none_when_nothing_is_lost():
    assert plan_of(DIAMOND).loss_cause is None


def test_overlapping_names_make_a_chain_too():
    """Readers of `a/b` and writers of `a`: each write covers the reads before it."""
    readers = "\n".join(f"  - {{id: r{i}, reads: [a/b]}}" for i in range(50))
    writers = "\n".join(f"  - {{id: w{i}, writes: [a]}}" for i in range(50))
    plan = plan_of(f"runbook: ovl\nflow: parallel\nsteps:\n{readers}\n{writers}\n")
    assert len(plan.races) == 50 + 49  # every reader before the first writer, then the writers' chain


def test_left_out_steps_do_not_race():
    plan = plan_of(
        """
        runbook: lo
        flow: parallel
        steps:
          - {id: d, duration: 1m, decides: [x, y]}
          - {id: p1, duration: 5m, writes: [db]}
          - {id: x, duration: 1m, writes: [db], needs: [d]}
          - {id: y, duration: 2m, needs: [d]}
          - {id: p2, duration: 5m, writes: [db]}
        """
    )
    assert ids(plan, [item.node for item in plan.left_out]) == ["x"]
    assert [ids(plan, (race.first, race.second)) for race in plan.races] == [["p1", "p2"]]
    assert ids(plan, plan.required.preds[4]) == ["p1"]


def test_an_alternative_followed_stays_followed():
    """y is followed by d1; d2 then chooses between y and z: it must keep y."""
    plan = plan_of(
        """
        runbook: alt2
        flow: parallel
        steps:
          - {id: d1, duration: 1m, decides: [x, y]}
          - {id: d2, duration: 1m, decides: [y, z], needs: [d1]}
          - {id: x, duration: 5m, needs: [d2]}
          - {id: y, duration: 10m, needs: [d2]}
          - {id: z, duration: 20m, needs: [d2]}
        """
    )
    assert ids(plan, plan.planned) == ["d1", "d2", "y"]
