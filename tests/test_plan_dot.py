"""`plan --format dot`, laid out by the real Graphviz: the examples and a
runbook written to break naive escaping."""

from __future__ import annotations

import shutil
import subprocess
import textwrap
from itertools import pairwise
from xml.etree import ElementTree

import pytest
from conftest import need
from test_plan_mermaid import CASES, plan_of

from recoverylint.engine import plan_text
from recoverylint.graphs import build_graphs
from recoverylint.plan import Plan
from recoverylint.report.plan_dot import render
from recoverylint.report.plan_words import duration_words

SVG = "{http://www.w3.org/2000/svg}"


def laid_out(plan: Plan) -> ElementTree.Element:
    """`dot -Tsvg` of the plan, which must succeed without a word on stderr."""
    dot = shutil.which("dot")
    need(dot is not None, "Graphviz (dot)")
    done = subprocess.run(
        [dot, "-Tsvg"], input=render(plan), capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return ElementTree.fromstring(done.stdout)


def groups(svg: ElementTree.Element, kind: str) -> dict[str, ElementTree.Element]:
    """Graphviz's `<g class="node">` or `"edge"` groups, by their title
    (`s3`, `s1->s3`)."""
    return {
        group.find(f"{SVG}title").text: group
        for group in svg.iter(f"{SVG}g")
        if group.get("class") == kind
    }


def words(group: ElementTree.Element) -> list[str]:
    return " ".join(text.text or "" for text in group.iter(f"{SVG}text")).split()


@pytest.mark.parametrize("case", CASES)
def test_graphviz_lays_out_the_declared_order(case):
    plan = plan_of(case)
    svg = laid_out(plan)
    steps = plan.runbook.steps

    graph = next(group for group in svg.iter(f"{SVG}g") if group.get("class") == "graph")
    title = plan.runbook.title or plan.runbook.id
    assert (
        " ".join(text.text for text in graph.findall(f"{SVG}text")).split()
        == f"{title} — declared order".split()
    )

    nodes = groups(svg, "node")
    assert sorted(nodes) == sorted(f"s{step.index}" for step in steps)
    for step in steps:
        shown = words(nodes[f"s{step.index}"])
        assert (
            shown
            == f"{step.id} {step.title or ''} {duration_words(plan.runbook.duration_of(step))}".split()
        )
        outline = next(nodes[f"s{step.index}"].iter(f"{SVG}path"))
        left_out = step.index not in plan.planned
        assert (outline.get("fill") != "none") == left_out, step.id

    edges = groups(svg, "edge")
    critical = plan.declared.critical_path
    for source, target in pairwise(critical):
        assert edges[f"s{source}->s{target}"].find(f"{SVG}path").get("stroke-width") == "2"
    for source, target in plan.false_gates:
        gate = edges[f"s{source}->s{target}"]
        line = gate.find(f"{SVG}path")
        assert line.get("stroke") == "red" and line.get("stroke-dasharray") == "5,2"
        assert words(gate) == ["not", "needed"]
    for race in plan.races:
        link = edges[f"s{race.first}->s{race.second}"]
        line = link.find(f"{SVG}path")
        assert line.get("stroke") == "darkorange" and line.get("stroke-dasharray") == "1,5"
        assert link.find(f"{SVG}polygon") is None  # no arrowhead
        assert words(link) == [race.resource]
    graphs, _ = build_graphs(plan.runbook)
    reduced_order = []
    for step in steps:
        for pred in graphs.reduction_preds(step.index):
            edge = f"s{pred}->s{step.index}"
            reduced_order.append(edge)
            left_out = pred not in plan.planned or step.index not in plan.planned
            assert (edges[edge].find(f"{SVG}path").get("stroke") == "#999999") == left_out, edge
    assert sorted(edges) == sorted(
        reduced_order + [f"s{race.first}->s{race.second}" for race in plan.races]
    )


def test_dot_strings_escape_quotes_backslashes_and_ampersands():
    text = textwrap.dedent(
        r"""
        runbook: quoted
        title: 'say "hi" \N C:\'
        steps:
          - id: only
            title: 'ends with a backslash \'
          - id: next
            title: '"\"\l &amp;'
        """
    )
    result, plan = plan_text(text, "quoted.yaml")
    assert plan is not None, [finding.message for finding in result.findings]
    dot = render(plan)
    assert r'label="say \"hi\" \\N C:\\ — declared order"' in dot
    assert r'"s0" [label="only\nends with a backslash \\\nunknown"' in dot
    assert r'"s1" [label="next\n\"\\\"\\l &amp;amp;\nunknown"' in dot
