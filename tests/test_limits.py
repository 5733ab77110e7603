"""Runbooks over the analysis limits are reported as RL001, fast, instead of exhausting memory."""

import json
import subprocess
import sys
import textwrap

import pytest
from click.testing import CliRunner

from recoverylint.cli import cli
from recoverylint.graphs import ResourceIndex, build_graphs
from recoverylint.limits import AnalysisLimits, TooLarge
from recoverylint.native import build_runbook
from recoverylint.source import parse


def test_a_wide_stage_gate_is_one_join_and_reported_at_the_gated_stage(tmp_path):
    lines = ["runbook: wide", "stages:"]
    for stage in ("a", "b"):
        lines += [f"  - stage: {stage}", "    flow: parallel", "    steps:"]
        lines += [f"      - id: {stage}{i}" for i in range(3000)]
    text = "\n".join(lines) + "\n"
    runbook = build_runbook(parse(text), "wide.yaml")
    assert runbook.declared_edges == ()
    (join,) = runbook.declared_joins
    assert (len(join.sources), len(join.targets), join.stage) == (3000, 3000, "b")
    (tmp_path / "wide.yaml").write_text(text)
    result = CliRunner().invoke(cli, ["check", str(tmp_path / "wide.yaml"), "--format", "json"])
    assert result.exit_code == 1
    (found,) = json.loads(result.output)["findings"]
    assert found["code"] == "RL001"
    assert (found["line"], found["column"]) == (3009, 13)  # `b0`, the first step the gate holds
    assert found["message"] == (
        "too large to analyse: the declared order links 9,000,000 pairs of steps, over the limit"
        " of 5,000,000 (the gate of stage `b` makes each of 3,000 steps wait for 3,000)"
    )


def blocks(count, width, flow="steps"):
    body = "".join(
        "  - parallel:\n" + "".join(f"      - id: b{block}s{i}\n" for i in range(width))
        for block in range(count)
    )
    return f"runbook: blocks\n{flow}:\n" + body


def run_check(tmp_path, text, *options):
    """`recoverylint check` in its own process, bounded by a generous timeout
    on inputs that used to take minutes."""
    path = tmp_path / "runbook.yaml"
    path.write_text(text, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "recoverylint", "check", str(path), "--format", "json", "--no-cache", *options],
        capture_output=True, text=True, timeout=30, cwd=tmp_path,
    )
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout)["findings"]


def test_sequential_wide_blocks_are_joins_counted_before_anything_is_made(tmp_path):
    # Issue 13: six blocks of 3,000 steps made 45,000,000 edges (58 s, 4.3 GB) before RL001.
    text = blocks(6, 3000)
    runbook = build_runbook(parse(text), "blocks.yaml")
    assert len(runbook.declared_edges) == 0
    assert [(len(j.sources), len(j.targets)) for j in runbook.declared_joins] == [(3000, 3000)] * 5
    (found,) = run_check(tmp_path, text)
    assert (found["code"], found["line"], found["column"]) == ("RL001", 3005, 13)
    assert "links 45,000,000 pairs of steps" in found["message"]
    assert "the boundary before `b1s0` makes each of 3,000 steps wait for 3,000" in found["message"]


def test_blocks_under_the_pair_limit_are_analysed_through_their_joins():
    runbook = build_runbook(parse(blocks(3, 400)), "blocks.yaml")
    graphs, _ = build_graphs(runbook)
    index = graphs.index
    # Every step of a block waits for every step of the block before (through the join)...
    assert graphs.order_preds[index["b1s7"]] == list(range(400))
    assert graphs.before(index["b0s3"], index["b2s399"])
    assert not graphs.before(index["b1s3"], index["b1s4"])
    # ...each pair declared at the waiting step, as an edge would be.
    (edge,) = graphs.declared_between()[("b0s3", "b1s7")]
    assert (edge.kind.value, edge.span) == ("sequence", runbook.steps[index["b1s7"]].span)
    assert graphs.declared_between()[("b0s3", "b2s7")] == []
    # The 320,000 pairs share one list of sources per join.
    assert len({id(preds) for preds in graphs.order_preds}) == 400 + 2


def test_the_pair_limit():
    runbook = build_runbook(parse(blocks(2, 30)), "blocks.yaml")
    with pytest.raises(TooLarge, match="links 900 pairs of steps, over the limit of 899"):
        build_graphs(runbook, AnalysisLimits(max_declared_pairs=899))
    graphs, _ = build_graphs(runbook, AnalysisLimits(max_declared_pairs=900))
    assert graphs is not None


def test_a_resource_path_of_60000_segments_is_reported_at_the_name(tmp_path):
    # Issue 13: 68 s and 4.4 GB (an index of every prefix of every name).
    path = "/".join(["seg"] * 60_000)
    text = f"runbook: deep\nflow: parallel\nsteps:\n  - id: w\n    writes: [{path}]\n  - id: r\n    reads: [{path}]\n"
    (found,) = run_check(tmp_path, text)
    assert (found["code"], found["line"], found["column"]) == ("RL001", 5, 14)
    assert "a resource name of 239,999 characters, over the limit of 1,000" in found["message"]


def test_resource_name_limits():
    text = "runbook: r\nsteps:\n  - id: a\n    writes: [a/b/c/d]\n"
    with pytest.raises(TooLarge, match="a resource name of 4 segments, over the limit of 3"):
        build_graphs(build_runbook(parse(text), "r.yaml"), AnalysisLimits(max_resource_segments=3))
    with pytest.raises(TooLarge, match="a resource name of 7 characters, over the limit of 6"):
        build_graphs(build_runbook(parse(text), "r.yaml"), AnalysisLimits(max_resource_name_length=6))


def test_glob_writes_and_reads_are_not_compared_pair_by_pair(tmp_path):
    # Issue 13: 3,000 steps with glob writes and reads, `plan` 93 s and 5.4 GB.
    names = [f"k8s/c{i % 50}/*/p{i}" for i in range(3000)] + [f"k8s/*/d{k}/*" for k in range(7)]
    index = ResourceIndex(names, AnalysisLimits(max_resource_work=200_000))
    for name in names:
        index.overlapping(name)  # 9,000,000 comparisons before; within 200,000 steps of work now
    assert len(index.overlapping("k8s/*/d3/*")) == 3001
    assert index.overlapping("k8s/c7/*/p7") == tuple(sorted(["k8s/c7/*/p7"] + [f"k8s/*/d{k}/*" for k in range(7)]))


def test_resource_work_limit():
    names = [f"k8s/c{i}" for i in range(100)] + ["k8s/*"]
    with pytest.raises(TooLarge, match="comparing its resource names"):
        ResourceIndex(names, AnalysisLimits(max_resource_work=50)).overlapping("k8s/*")


def test_dense_implicit_verifications_stop_at_the_edge_limit(tmp_path):
    # Issue 13: 2,200 changes each verified implicitly by 2,200 checks took 58 s and 4 GB.
    body = "".join(f"  - id: change{i}\n    writes: [db]\n" for i in range(2200))
    body += "".join(f"  - id: check{i}\n    phase: verify\n    reads: [db]\n" for i in range(2200))
    (found,) = run_check(tmp_path, "runbook: dense\nflow: parallel\nsteps:\n" + body)
    # At the check that goes over: 2,200 changes each for the first 45 checks, and the 46th.
    assert (found["code"], found["line"], found["column"]) == ("RL001", 4400 + 3 * 45 + 4, 9)
    assert "its checks without `verifies` verify over 100,000 changes in all" in found["message"]


def test_implicit_verification_limit():
    body = "".join(f"  - id: change{i}\n    writes: [db]\n" for i in range(10))
    body += "".join(f"  - id: check{i}\n    phase: verify\n    reads: [db]\n" for i in range(10))
    runbook = build_runbook(parse("runbook: r\nflow: parallel\nsteps:\n" + body), "r.yaml")
    with pytest.raises(TooLarge, match="verify over 99 changes in all") as raised:
        build_graphs(runbook, AnalysisLimits(max_implicit_verifications=99))
    assert raised.value.span == runbook.steps[19].span  # the tenth check makes 100
    graphs, _ = build_graphs(runbook, AnalysisLimits(max_implicit_verifications=100))
    assert len(graphs.verified_changes(runbook.steps[10])) == 10


def test_a_step_deciding_between_thousands_is_answered(tmp_path):
    # decided_apart looked at every branch of a decision, for every pair asked (23 s).
    alternatives = ", ".join(f"alt{i}" for i in range(3000))
    body = f"  - id: decide\n    decides: [{alternatives}]\n"
    body += "".join(f"  - id: alt{i}\n    needs: [decide]\n  - id: after{i}\n    needs: [alt{i}]\n" for i in range(3000))
    findings = run_check(tmp_path, "runbook: decisions\nflow: parallel\nsteps:\n" + body, "--select", "RL4")
    assert findings == []  # alternatives and their branches never run together


def test_orquesta_guarded_transitions_are_followed_once(tmp_path):
    # Issue 13: 4,000 tasks with 19 guarded transitions each took 239 s (a search per target).
    tasks = []
    for i in range(2000):
        lines = [f"  t{i}:", "    action: core.noop"]
        targets = range(i + 1, min(i + 20, 2000))
        if targets:
            lines.append("    next:")
            for k, target in enumerate(targets):
                lines += [f"      - when: <% ctx(x) = {k} %>", f"        do: t{target}"]
        tasks.append("\n".join(lines))
    text = "version: 1.0\ntasks:\n" + "\n".join(tasks) + "\n"
    findings = run_check(tmp_path, text, "--select", "RL104")
    # Each task's targets reach each other: none is an alternative, each waits.
    assert len(findings) == 1999


RACING = textwrap.dedent(
    """\
    runbook: racing
    flow: parallel
    steps:
    """
) + "".join(f"  - id: s{i}\n    outputs: [x]\n    inputs: [x]\n" for i in range(30))


def test_required_order_over_the_edge_limit():
    runbook = build_runbook(parse(RACING), "racing.yaml")
    with pytest.raises(TooLarge, match="over 100 edges"):
        build_graphs(runbook, AnalysisLimits(max_edges=100))
    graphs, _ = build_graphs(runbook, AnalysisLimits(max_edges=10_000))
    assert graphs is not None


def test_step_limit_stops_before_the_step_over_it_is_made():
    with pytest.raises(TooLarge, match="over the limit of 10 steps") as raised:
        build_runbook(parse(RACING), "racing.yaml", AnalysisLimits(max_steps=10))
    assert (raised.value.span.line, raised.value.span.column) == (4 + 3 * 10, 9)  # `s10`
    assert len(build_runbook(parse(RACING), "racing.yaml", AnalysisLimits(max_steps=30)).steps) == 30


def test_the_readme_states_the_analysis_limits():
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "docs" / "performance.md").read_text(encoding="utf-8")
    limits = AnalysisLimits()
    for row in (
        f"| steps in one runbook | {limits.max_steps:,} |",
        f"| pairs of steps O puts one after the other | {limits.max_declared_pairs:,} (",
        f"| edges of D | {limits.max_edges:,} (",
        f"| pairs of a check without `verifies` and a change it verifies | {limits.max_implicit_verifications:,} (",
        f"| one resource name | {limits.max_resource_name_length:,} characters, {limits.max_resource_segments} segments |",
        f"| work finding which resource names overlap | {limits.max_resource_work:,} steps (",
    ):
        assert row in readme


def run_plan(tmp_path, text, name="runbook.yaml"):
    """`recoverylint plan --format json` in its own process, bounded by a
    generous timeout on inputs that used to take minutes: (exit code, plan
    or None, stderr)."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "recoverylint", "plan", str(path), "--format", "json", "--max-file-size", "100000000"],
        capture_output=True, text=True, timeout=30, cwd=tmp_path,
    )
    assert done.returncode in (0, 1, 2), done.stderr
    plan = json.loads(done.stdout) if done.stdout.strip() else None
    return done.returncode, plan, done.stderr


def glob_writes_reads(count):
    uses = "".join(
        f"  - id: s{i}\n    writes: ['k8s/c{i % 50}/*/p{i}']\n    reads: ['k8s/*/d{i % 7}/*']\n" for i in range(count)
    )
    return "runbook: globs\nflow: parallel\nsteps:\n" + uses


def test_race_waits_past_the_edge_limit_make_no_race(monkeypatch):
    # Issue 13: the plan of 3,000 steps writing and reading globs reached 298 MB
    # of races and waits before it found itself over the edge limit.  Waits
    # are counted as they are made (no more than a plan within the limit
    # holds), races only once every wait is.
    from recoverylint import plan

    made = []
    race = plan.Race

    def counted(*fields):
        made.append(fields)
        return race(*fields)

    monkeypatch.setattr(plan, "Race", counted)
    runbook = build_runbook(parse(glob_writes_reads(300)), "globs.yaml")
    # Each step reads a name overlapping every earlier write: 299 * 300 / 2 waits.
    graphs, _ = build_graphs(runbook, AnalysisLimits(max_edges=44_849))
    with pytest.raises(TooLarge, match="ordering the steps that race for resources takes over 44,849 edges"):
        plan.build_plan(graphs)
    assert made == []  # not one race was made
    graphs, _ = build_graphs(runbook, AnalysisLimits(max_edges=44_850))
    plan.build_plan(graphs)
    assert len(made) == 44_850


def test_race_ordering_visits_overlapping_names_within_the_resource_work_limit():
    from recoverylint.plan import build_plan

    runbook = build_runbook(parse(glob_writes_reads(300)), "globs.yaml")
    graphs, _ = build_graphs(runbook, AnalysisLimits(max_resource_work=50_000))
    # Each read names one of 7 globs, each overlapping all 300 writes (and itself).
    with pytest.raises(TooLarge, match="visits over 50,000 overlapping names"):
        build_plan(graphs)


def test_glob_writes_and_reads_are_planned_or_reported_within_bounds(tmp_path):
    code, plan, stderr = run_plan(tmp_path, glob_writes_reads(3000))
    assert (code, plan) == (2, None)
    assert "ordering the steps that race for resources takes over 1,000,000 edges" in stderr


def decision_chain(count):
    """`count` two-way decisions one after another, each after the two
    alternatives of the one before."""
    body = "  - id: d0\n    decides: [d0a, d0b]\n"
    for i in range(count):
        if i:
            body += f"  - id: d{i}\n    needs: [d{i - 1}a, d{i - 1}b]\n    decides: [d{i}a, d{i}b]\n"
        body += f"  - id: d{i}a\n    needs: [d{i}]\n    duration: 2m\n  - id: d{i}b\n    needs: [d{i}]\n"
    return "runbook: decisions\nflow: parallel\nsteps:\n" + body


def test_following_alternatives_walks_only_the_branches():
    # Issue 13: each decision scanned every step (3,000 two-way decisions: 7 s).
    from recoverylint.plan import build_plan

    runbook = build_runbook(parse(decision_chain(3000)), "decisions.yaml")
    # A walk of every step per decision would visit 3,000 * 9,000 / 2 steps;
    # the branches and the joins they meet are 3 per decision at most (D's
    # 6,000 edges, decider to alternative, count against the same limit).
    graphs, _ = build_graphs(runbook, AnalysisLimits(max_edges=9_000))
    plan = build_plan(graphs)
    index = graphs.index
    assert len(plan.planned) == 6000  # each decision and the longer alternative
    assert all(index[f"d{i}b"] not in plan.planned for i in range(3000))
    assert [(item.node, item.followed) for item in plan.left_out[:2]] == [
        (index["d0b"], index["d0a"]), (index["d1b"], index["d1a"])
    ]


def test_the_steps_walked_following_alternatives_are_limited():
    from recoverylint.plan import build_plan

    # Ten steps where the branches of `a` and `b` join: walked by the plan alone.
    body = "  - id: d\n    decides: [a, b]\n  - id: a\n    needs: [d]\n  - id: b\n    needs: [d]\n"
    body += "".join(f"  - id: j{i}\n    needs: [a, b]\n" for i in range(10))
    runbook = build_runbook(parse("runbook: joins\nflow: parallel\nsteps:\n" + body), "joins.yaml")
    with pytest.raises(TooLarge, match="following the branches of its decisions visits over 9 steps"):
        build_plan(build_graphs(runbook, AnalysisLimits(max_edges=9))[0])
    assert len(build_plan(build_graphs(runbook, AnalysisLimits(max_edges=10))[0]).planned) == 12


def test_a_chain_of_6000_decisions_is_planned(tmp_path):
    # 6,000 two-way decisions took 28 s (a scan of every step per decision).
    code, plan, stderr = run_plan(tmp_path, decision_chain(6000))
    assert code == 0, stderr
    assert len(plan["left_out"]) == 6000


def test_explicit_verifications_are_one_finding_per_check(tmp_path):
    # A check naming every one of 200 changes, 200 times: 40,000 findings before.
    names = ", ".join(f"change{i}" for i in range(200))
    body = "".join(f"  - id: change{i}\n    phase: remediate\n" for i in range(200))
    body += "".join(f"  - id: check{i}\n    phase: verify\n    verifies: [{names}]\n" for i in range(200))
    findings = run_check(tmp_path, "runbook: checks\nflow: parallel\nsteps:\n" + body, "--select", "RL303")
    assert len(findings) == 200
    first = findings[0]
    assert first["message"] == (
        "`check0` verifies `change0`, `change1`, `change2`, `change3`, `change4`, `change5`, `change6`,"
        " `change7`, `change8`, `change9` and 190 more but can run while they apply their changes:"
        " it would confirm a state that is not there yet"
    )
    assert first["suggestion"] == (
        "needs: [change0, change1, change2, change3, change4, change5, change6, change7, change8, change9, …]"
        " (200 steps)"
    )
    assert (first["line"], first["column"]) == (4 + 2 * 200 + 2, 16)  # at `change0` in its `verifies`


def long_chain(count):
    tasks = "".join(
        f"  - name: t{i}\n    ref: core.local\n    on-success: {f't{i + 1}' if i + 1 < count else 'cleanup'}\n"
        "    on-failure: cleanup\n"
        for i in range(count)
    )
    return "chain:\n" + tasks + "  - name: cleanup\n    ref: core.local\n"


def test_actionchain_reachability_is_computed_once(monkeypatch):
    # Issue 13: a search from each task's targets (3,000 tasks: 1.2 s, quadratic).
    from recoverylint.adapters import actionchain, orquesta
    from recoverylint.engine import check_text

    built = []

    class Counted(orquesta.Descendants):
        def __init__(self, *args, **kwargs):
            built.append(args)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(actionchain, "Descendants", Counted)
    result = check_text(long_chain(300), "chain.yaml")
    assert len(built) == 1
    # Each task's success reaches the cleanup: no alternatives, each failure path required.
    assert [f.code for f in result.findings if f.code == "RL001"] == []


def test_a_chain_of_20000_tasks_is_checked(tmp_path):
    findings = run_check(tmp_path, long_chain(20_000), "--max-file-size", "100000000", "--select", "RL0,RL1")
    assert [f["code"] for f in findings if f["code"] == "RL001"] == []
