"""`plan --format mermaid` and `mermaid-gantt`, parsed and rendered by the real
Mermaid 11 (tests/js) in headless Chromium: the examples and a runbook written
to break naive escaping."""

from __future__ import annotations

import re
import textwrap
from itertools import pairwise
from pathlib import Path

import pytest

from recoverylint.engine import plan_file, plan_text
from recoverylint.plan import Plan, Schedule
from recoverylint.report.plan_mermaid import flowchart, gantt
from recoverylint.report.plan_words import duration_words

EXAMPLES = sorted((Path(__file__).parent.parent / "examples").glob("*.yaml"))

# Step ids that Mermaid's Gantt lexer reads as statements or dates, titles
# full of Mermaid, HTML and entity syntax, a title on two lines, a very long
# one, zero-minute steps, a race on a resource whose name needs escaping, a
# gate the work does not need and an alternative the plan leaves out.
NASTY = textwrap.dedent(
    """\
    runbook: nasty
    title: 'Nasty "runbook" #1; <script>alert(1)</script> | [x] {y} (z) `code` ; a: b %% c & d &amp; e \\ f'
    default_duration: 5m
    steps:
      - id: section
        title: 'Quote " hash # semi ; colon: lt <script>alert("x")</script> ] | `tick` back\\slash \\N'
        duration: 0m
        outputs: [scope]
      - parallel:
          - id: title
            title: 'Unicode é ü 日本語 🚒 ✓ עברית %%{init: {"theme": "dark"}}%%'
            duration: 20s
            inputs: [scope]
            writes: ['db/"main"#1|x;y']
          - id: click
            title: 'A very long title that goes on and on, describing every little thing the responder must do, including restarting the thing, checking the other thing, waiting for the third thing, and then telling everyone about it in the channel so that nobody is surprised later — really, it just keeps going well past any width a diagram would like to give it.'
            duration: 3m
            inputs: [scope]
            writes: ['db/"main"#1|x;y']
      - id: gantt-x
        title: '`fa:fa-car` &amp; &lt;b&gt; #quot; #35; {braces} (parens) [brackets] 50% done'
        decides: [accTitle, topAxis]
      - parallel:
          - id: accTitle
            duration: 0m
            excludes: [topAxis]
          - id: topAxis
            title: |-
              Line one of two
              line two: "quoted"
            duration: 7m
            excludes: [accTitle]
      - id: 2024-01-01-close
        title: 'Close; done: 100% ✓'
        duration: 0m
    """
)

CASES = [path.stem for path in EXAMPLES] + ["nasty"]


def plan_of(case: str) -> Plan:
    if case == "nasty":
        result, plan = plan_text(NASTY, "nasty.yaml")
    else:
        path = next(path for path in EXAMPLES if path.stem == case)
        result, plan = plan_file(path, str(path))
    assert plan is not None, [finding.message for finding in result.findings]
    return plan


def test_nasty_runbook_has_what_it_is_meant_to_test():
    plan = plan_of("nasty")
    zero_minutes = [
        step.id for step in plan.runbook.steps if getattr(plan.runbook.duration_of(step), "likely", None) == 0
    ]
    assert zero_minutes == ["section", "accTitle", "2024-01-01-close"]
    assert [race.resource for race in plan.races] == ['db/"main"#1|x;y']
    assert plan.false_gates and plan.left_out


# Loads Mermaid once per page; `draw` parses (which throws on a syntax error)
# and renders a diagram, and reads back what the SVG shows.
LOAD = "mermaid.initialize({startOnLoad: false, securityLevel: 'strict'})"
DRAW = """async (text) => {
  await mermaid.parse(text);
  window.diagrams = (window.diagrams || 0) + 1;
  const { svg } = await mermaid.render('diagram' + window.diagrams, text);
  const holder = document.createElement('div');
  holder.innerHTML = svg;
  document.body.replaceChildren(holder);
  const all = (selector) => [...holder.querySelectorAll(selector)];
  return {
    nodes: all('g.node').map((node) => ({
      id: node.id,
      classes: node.getAttribute('class'),
      text: node.querySelector('.nodeLabel').innerText,
    })),
    links: all('path.flowchart-link').map((path) => ({
      id: path.dataset.id,
      classes: path.getAttribute('class'),
      style: path.getAttribute('style') || '',
    })),
    linkLabels: all('g.edgeLabel g.label').map((label) => label.textContent),
    tasks: all('rect.task').map((bar) => ({
      classes: bar.getAttribute('class'),
      x: Number(bar.getAttribute('x')),
      width: Number(bar.getAttribute('width')),
      text: holder.querySelector('#' + CSS.escape(bar.id + '-text')).textContent,
    })),
    title: all('.titleText').map((title) => title.textContent).join(''),
    ticks: all('.tick text').map((tick) => tick.textContent),
  };
}"""


def load_mermaid(page, mermaid_js: Path) -> None:
    page.set_content("<html><body></body></html>")
    page.add_script_tag(path=str(mermaid_js))
    page.evaluate(LOAD)


def step_name(plan: Plan, node: int) -> str:
    step = plan.runbook.steps[node]
    return f"{step.id} — {' '.join(step.title.splitlines())}" if step.title else step.id


def test_flowchart_renders_every_planned_step_with_its_real_label(page, mermaid_js):
    load_mermaid(page, mermaid_js)
    for case in CASES:
        plan = plan_of(case)
        steps = plan.runbook.steps
        drawn = page.evaluate(DRAW, flowchart(plan))

        nodes = {
            re.search(r"-flowchart-(s\d+)-\d+$", node["id"]).group(1): node
            for node in drawn["nodes"]
        }
        assert sorted(nodes) == sorted(f"s{node}" for node in plan.planned), case
        critical = set(plan.required.critical_path)
        for node in plan.planned:
            step = steps[node]
            shown = nodes[f"s{node}"]
            lines = [
                step.id,
                *(step.title.splitlines() if step.title else ()),
                duration_words(plan.runbook.duration_of(step)),
            ]
            assert shown["text"] == "\n".join(lines), case
            assert ("critical" in shown["classes"].split()) == (node in critical), (case, step.id)

        arrows = {(pred, node) for node in plan.planned for pred in plan.required.preds[node]}
        on_path = set(pairwise(plan.required.critical_path))
        solid, dotted = [], []
        for link in drawn["links"]:
            source, target = re.fullmatch(r"L_s(\d+)_s(\d+)_\d+", link["id"]).groups()
            pair = (int(source), int(target))
            if "edge-pattern-dotted" in link["classes"]:
                dotted.append(pair)
            else:
                solid.append(pair)
                assert ("#d62728" in link["style"]) == (pair in on_path), (case, pair)
        assert sorted(solid) == sorted(arrows), case
        assert sorted(dotted) == sorted((race.first, race.second) for race in plan.races), case
        labels = sorted(label for label in drawn["linkLabels"] if label)
        assert labels == sorted(race.resource for race in plan.races), case


def test_gantt_renders_both_staffed_schedules(page, mermaid_js):
    load_mermaid(page, mermaid_js)
    for case in CASES:
        plan = plan_of(case)
        drawn = page.evaluate(DRAW, gantt(plan))
        title = " ".join((plan.runbook.title or plan.runbook.id).splitlines())
        assert drawn["title"].startswith(f"{title} — the required order"), case
        assert drawn["ticks"][0] == "00:00", case
        check_sections(plan, drawn, case)


def check_sections(plan: Plan, drawn: dict, case: str) -> None:
    """The declared schedule in the first section, the required in the second."""
    sections: dict[int, list[dict]] = {0: [], 1: []}
    for task in drawn["tasks"]:
        sections[int(re.search(r"\b(?:task|crit)(\d+)\b", task["classes"]).group(1))].append(task)
    for section, schedule in enumerate((plan.declared, plan.required)):
        check_section(plan, schedule, sections[section], case)


def check_section(plan: Plan, schedule: Schedule, tasks: list[dict], case: str) -> None:
    """One bar per scheduled step, named after it, `crit` on the critical
    path, a milestone when it takes no time, where its start and finish are."""
    by_name = {task["text"]: task for task in tasks}
    assert len(by_name) == len(tasks) == len(schedule.timings), case
    critical = set(schedule.critical_path)
    # (minute, x) of every bar end and milestone: they must lie on one line.
    points = []
    for node, timing in schedule.timings.items():
        task = by_name[step_name(plan, node)]
        classes = task["classes"].split()
        assert any(name.startswith("crit") for name in classes) == (node in critical), (case, node)
        if timing.finish == timing.start:
            assert "milestone" in classes, (case, node)
            points.append((timing.start, task["x"] + task["width"] / 2))
        else:
            assert "milestone" not in classes, (case, node)
            points.extend([(timing.start, task["x"]), (timing.finish, task["x"] + task["width"])])
    (first_minute, first_x), (last_minute, last_x) = min(points), max(points)
    pixels_per_minute = (last_x - first_x) / (last_minute - first_minute)
    for minute, x in points:
        assert x == pytest.approx(first_x + (minute - first_minute) * pixels_per_minute, abs=1), (
            case,
            minute,
        )


@pytest.mark.parametrize("time_zone", ["America/St_Johns", "Asia/Kathmandu", "Pacific/Chatham"])
def test_gantt_axis_reads_minutes_from_midnight_in_any_time_zone(browser, mermaid_js, time_zone):
    context = browser.new_context(timezone_id=time_zone)
    try:
        page = context.new_page()
        load_mermaid(page, mermaid_js)
        plan = plan_of("orders-db-outage")
        drawn = page.evaluate(DRAW, gantt(plan))
    finally:
        context.close()
    hours, minute = divmod(int(plan.declared.staffed_makespan), 60)
    assert drawn["ticks"][0] == "00:00"
    assert all("00:00" <= tick <= f"{hours:02d}:{minute:02d}" for tick in drawn["ticks"])
    check_sections(plan, drawn, time_zone)


def test_unescaped_or_broken_diagrams_fail(page, mermaid_js):
    """The harness can fail: broken diagrams do not parse, and text written
    without escaping breaks a diagram or is silently changed."""
    load_mermaid(page, mermaid_js)
    broken = [
        "flowchart LR\n  s0 --> --> s1\n",
        'flowchart LR\n  s0["a"] --> s1["b]\n',
        (
            "gantt\n  dateFormat YYYY-MM-DD HH:mm:ss.SSS\n  section S\n"
            "  click — Roll back:2000-01-01 00:00:00.000, 2000-01-01 00:05:00.000\n"
        ),
    ]
    for text in broken:
        with pytest.raises(Exception, match="Parse error"):
            page.evaluate(DRAW, text)
    drawn = page.evaluate(DRAW, 'flowchart LR\n  s0["Post "Resolved""]\n')
    assert drawn["nodes"][0]["text"] == "Post Resolved"


def test_labels_hold_only_escaped_syntax_characters():
    """Without a browser too: runbook text reaches the diagrams only as plain
    characters and entity codes, and nodes are named by index."""
    plan = plan_of("nasty")
    plain = r'(?:[^"#%&():;<>\[\]`{|}\n]|#\d+;)*'
    node = re.compile(rf'^  s\d+\["{plain}(?:\n{plain})*"\]$', re.MULTILINE)
    assert len(node.findall(flowchart(plan))) == len(plan.planned)
    task_line = re.compile(
        rf"  {plain}:(?:crit, )?(?:milestone, )?[0-9-]+ [0-9:.]+, [0-9-]+ [0-9:.]+"
    )
    tasks = gantt(plan).splitlines()[6:]
    assert tasks.count("  section Required order") == 1
    assert all(task_line.fullmatch(line) for line in tasks if not line.startswith("  section "))
