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

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
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
