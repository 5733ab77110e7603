"""`review --format markdown` of hand-made Reviews: the golden files, the
Markdown as a CommonMark/GFM renderer shows it (every name from a file as
text, never as markup), and each Gantt chart parsed and drawn by the real
Mermaid 11 (tests/js) in headless Chromium."""

from __future__ import annotations

import os
import re
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from review_samples import HOSTILE_ROLE, HOSTILE_STEPS, QUOTE, SCRIPT, hostile, ordinary
from test_plan_mermaid import DRAW, load_mermaid

from recoverylint.report.review_markdown import render
from recoverylint.review.model import Review

GOLDEN = Path(__file__).parent.parent / "golden" / "review"
# Set RECOVERYLINT_UPDATE_GOLDEN=1 to rewrite the golden files after a
# deliberate change of output; the diff then shows in review.
UPDATE = os.environ.get("RECOVERYLINT_UPDATE_GOLDEN") == "1"
SAMPLES = {"ordinary": ordinary, "hostile": hostile}
GANTT = re.compile(r"^```mermaid\n(gantt\n.*?)^```$", re.MULTILINE | re.DOTALL)


@pytest.mark.parametrize("sample", SAMPLES)
def test_golden(sample: str) -> None:
    written = render(SAMPLES[sample]())
    golden = GOLDEN / f"{sample}.md"
    if UPDATE:
        golden.write_text(written, encoding="utf-8")
    assert written == golden.read_text(encoding="utf-8")


class _Shown(HTMLParser):
    """The elements a rendered page holds, and the text of its code spans and table cells."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.codes: list[str] = []
        self.cells: list[str] = []
        self._open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self._open.append(tag)
        if tag == "code":
            self.codes.append("")
        if tag == "td":
            self.cells.append("")

    def handle_endtag(self, tag: str) -> None:
        self._open.pop()

    def handle_data(self, data: str) -> None:
        if "code" in self._open:
            self.codes[-1] += data
        if "td" in self._open:
            self.cells[-1] += data


def _shown(markdown: str) -> _Shown:
    """Markdown as GitHub renders it: CommonMark with raw HTML let through, tables, strikethrough."""
    parsed = _Shown()
    parsed.feed(MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(markdown))
    parsed.close()
    return parsed


def test_names_from_files_are_shown_as_text() -> None:
    review = hostile()
    shown = _shown(render(review))
    # No markup of the names became an element: only what the layout itself writes.
    assert shown.tags <= {
        "h1",
        "h2",
        "h3",
        "p",
        "code",
        "pre",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "ol",
        "ul",
        "li",
    }
    for name in (*review.durations, HOSTILE_ROLE, f"{QUOTE}.yaml", f"{SCRIPT} record", f"{QUOTE} runbook"):
        assert name in shown.codes, name
    # A step id with a pipe, backticks and Markdown syntax is one cell, whole.
    assert f"{HOSTILE_STEPS[2]}" in shown.cells
    # The violation's message: its prose escaped, its `quoted` name as code.
    assert f"{SCRIPT} and {QUOTE} overlapped on {QUOTE}" in shown.cells


def test_the_harness_can_fail() -> None:
    """Unescaped, the same names do become markup and split table cells."""
    unescaped = _shown(f"| a |\n|---|\n| {HOSTILE_STEPS[2]} |\n\n{SCRIPT} <b>x</b>\n")
    assert "b" in unescaped.tags
    assert HOSTILE_STEPS[2] not in unescaped.cells


def test_sections_say_when_there_is_nothing() -> None:
    written = render(ordinary())
    drill = written.split("## Incident 2: ")[1].split("## Incident 3: ")[0]
    assert "None: the work ran in an order the runbook allows." in drill
    assert "None: no step waited for a gate." in drill
    assert "- In the record only: `coffee break`" in drill
    # `snapshot`'s wait for staff is off the sample's critical path.
    assert "No waits on the critical path of what happened: the waits of other steps did not delay the end." in drill


def _tasks_by_section(drawn: dict) -> dict[int, list[dict]]:
    sections: dict[int, list[dict]] = {0: [], 1: []}
    for task in drawn["tasks"]:
        sections[int(re.search(r"\b(?:task|crit)(\d+)\b", task["classes"]).group(1))].append(task)
    return sections


@pytest.mark.parametrize("sample", SAMPLES)
def test_gantt_charts_draw_what_happened_and_the_required_schedule(page, mermaid_js, sample: str) -> None:
    review: Review = SAMPLES[sample]()
    charts = GANTT.findall(render(review))
    assert len(charts) == len(review.incidents)
    load_mermaid(page, mermaid_js)
    for chart, incident in zip(charts, review.incidents, strict=True):
        drawn = page.evaluate(DRAW, chart)
        assert drawn["title"].startswith(f"{review.runbook_id} — {incident.record.path}: lost")
        assert drawn["ticks"][0] == "00:00"
        violated = {step for violation in incident.violations for step in violation.steps}
        sections = _tasks_by_section(drawn)
        points = []  # (minute, x) of every bar end: they lie on one line
        for section, intervals in ((0, incident.intervals), (1, incident.required_intervals)):
            tasks = sections[section]
            assert [task["text"] for task in tasks] == [interval.step for interval in intervals]
            for task, interval in zip(tasks, intervals, strict=True):
                classes = task["classes"].split()
                critical = any(name.startswith("crit") for name in classes)
                assert critical == (section == 0 and interval.step in violated), interval.step
                assert ("milestone" in classes) == (interval.end == interval.start), interval.step
                if interval.end > interval.start:
                    points.extend([(interval.start, task["x"]), (interval.end, task["x"] + task["width"])])
        (first_minute, first_x), (last_minute, last_x) = min(points), max(points)
        per_minute = (last_x - first_x) / (last_minute - first_minute)
        for minute, x in points:
            assert x == pytest.approx(first_x + (minute - first_minute) * per_minute, abs=1)


def test_a_record_where_no_step_ran_still_charts_the_required_schedule(page, mermaid_js) -> None:
    review = ordinary()
    nothing_ran = replace(review.incidents[0], intervals=(), waits=(), violations=())
    (chart,) = GANTT.findall(render(replace(review, incidents=(nothing_ran,))))
    assert "  section What happened\n  section Required\n" in chart
    load_mermaid(page, mermaid_js)
    drawn = page.evaluate(DRAW, chart)
    assert [task["text"] for task in drawn["tasks"]] == [item.step for item in nothing_ran.required_intervals]


def test_an_incident_longer_than_a_date_can_hold_gets_no_chart() -> None:
    review = ordinary()
    first = review.incidents[0]
    endless = replace(first, intervals=(*first.intervals, replace(first.intervals[-1], end=2e9)))
    written = render(replace(review, incidents=(endless,)))
    assert "```mermaid" not in written
    assert "No chart: the incident reaches 2,000,000,000 min, past the years a Mermaid date can hold." in written
    before = replace(first, intervals=(replace(first.intervals[0], start=-2e9), *first.intervals[1:]))
    assert "No chart: the incident reaches 2,000,000,000 min" in render(replace(review, incidents=(before,)))
