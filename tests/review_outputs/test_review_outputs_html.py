"""`review --format html` of hand-made Reviews: the golden file, the page
self-contained, and in the real browser (headless Chromium, as the plan
report is tested): one lane per role, what happened over the required
schedule, waits shaded, violations marked, the trend chart, no console
error, and every name from a file shown as text, never run."""

from __future__ import annotations

import html
import itertools
import os
from dataclasses import replace
from pathlib import Path

import pytest
from review_samples import HOSTILE_RECORD, HOSTILE_ROLE, HOSTILE_STEPS, QUOTE, SCRIPT, hostile, ordinary
from test_plan_html import CSP_META, _open, _Resources

from recoverylint.report.review_html import render
from recoverylint.review.model import Review

GOLDEN = Path(__file__).parent.parent / "golden" / "review"
# Set RECOVERYLINT_UPDATE_GOLDEN=1 to rewrite the golden file after a
# deliberate change of output; the diff then shows in review.
UPDATE = os.environ.get("RECOVERYLINT_UPDATE_GOLDEN") == "1"
SAMPLES = {"ordinary": ordinary, "hostile": hostile}


def test_golden() -> None:
    written = render(ordinary())
    golden = GOLDEN / "ordinary.html"
    if UPDATE:
        golden.write_text(written, encoding="utf-8")
    assert written == golden.read_text(encoding="utf-8")


# -- In the file ----------------------------------------------------------------------


@pytest.mark.parametrize("sample", SAMPLES)
def test_page_is_self_contained(sample: str) -> None:
    page_html = render(SAMPLES[sample]())
    assert page_html.startswith("<!DOCTYPE html>")
    assert CSP_META in page_html
    parsed = _Resources()
    parsed.feed(page_html)
    parsed.close()
    for tag in ("script", "link", "img", "iframe", "object", "embed", "image", "use", "foreignobject"):
        assert tag not in parsed.tags
    assert parsed.loads == []
    for css in parsed.css:
        assert "@import" not in css
        assert "url(" not in css
    lowered = page_html.lower()
    assert "<script" not in lowered
    assert "http:" not in lowered.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https:" not in lowered
    assert "javascript:" not in lowered


def test_every_name_appears_escaped() -> None:
    page_html = render(hostile())
    for name in (*HOSTILE_STEPS, HOSTILE_ROLE, HOSTILE_RECORD, SCRIPT, QUOTE):
        assert html.escape(name, quote=True) in page_html, name
    for raw in (SCRIPT, QUOTE, HOSTILE_ROLE):
        assert raw not in page_html


# -- In the browser -----------------------------------------------------------------


DRAWN = """() => [...document.querySelectorAll("svg.timeline")].map((svg) => ({
    id: svg.id,
    lanes: [...svg.querySelectorAll("g.lane")].map((lane) => ({
        role: lane.querySelector(".lane-title > title").textContent,
        rows: [...lane.querySelectorAll("g.row")].map((row) => ({
            step: row.querySelector("text > title").textContent,
            required: [...row.querySelectorAll("rect.required")].map((bar) => {
                const box = bar.getBBox();
                return [box.x, box.x + box.width];
            }),
            actual: [...row.querySelectorAll("rect.actual")].map((bar) => {
                const box = bar.getBBox();
                return [box.x, box.x + box.width, bar.classList.contains("violated")];
            }),
            waits: [...row.querySelectorAll("rect.wait")].map((bar) => {
                const box = bar.getBBox();
                return [bar.getAttribute("class"), box.x, box.x + box.width];
            }),
            marks: [...row.querySelectorAll("polygon.violation-mark > title")].map((title) => title.textContent),
        })),
    })),
}))"""

TREND = """() => [...document.querySelectorAll("svg#trend g.incident")].map((bar) => ({
    number: bar.querySelector("text")?.textContent ?? null,
    height: bar.querySelector("rect.trend-actual").getBBox().height,
    tooltip: bar.querySelector("rect.trend-actual > title").textContent,
}))"""


def _roles(intervals) -> list[str]:
    return list(dict.fromkeys(interval.role or "(no role)" for interval in intervals))


@pytest.mark.parametrize("sample", SAMPLES)
def test_timelines_draw_what_happened_over_the_required_schedule(page, tmp_path: Path, sample: str) -> None:
    review: Review = SAMPLES[sample]()
    report = tmp_path / "review.html"
    report.write_text(render(review), encoding="utf-8")
    seen = _open(page, report)
    drawn = page.evaluate(DRAWN)
    assert [svg["id"] for svg in drawn] == [f"timeline-{number}" for number in range(1, len(review.incidents) + 1)]
    for svg, incident in zip(drawn, review.incidents, strict=True):
        # One lane per role, in the order what happened first shows each.
        assert [lane["role"] for lane in svg["lanes"]] == _roles((*incident.intervals, *incident.required_intervals))
        rows = {row["step"]: (lane["role"], row) for lane in svg["lanes"] for row in lane["rows"]}
        steps = {interval.step for interval in (*incident.intervals, *incident.required_intervals)}
        assert set(rows) == steps
        # Bars where the minutes say, on one scale for both schedules.
        ends = []
        for interval in incident.required_intervals:
            role, row = rows[interval.step]
            assert role == (interval.role or "(no role)")
            ((left, right),) = row["required"]
            ends.append((interval.start, left))
            if interval.end > interval.start:
                ends.append((interval.end, right))
        violated = {step for violation in incident.violations for step in violation.steps}
        for interval in incident.intervals:
            _, row = rows[interval.step]
            ((left, right, marked),) = row["actual"]
            assert marked == (interval.step in violated)
            ends.append((interval.start, left))
            if interval.end > interval.start:
                ends.append((interval.end, right))
        (first_minute, first_x), (last_minute, last_x) = min(ends), max(ends)
        per_minute = (last_x - first_x) / (last_minute - first_minute)
        for minute, x in ends:
            assert x == pytest.approx(first_x + (minute - first_minute) * per_minute, abs=0.5), minute
        # A step's waits shaded end to end before it started, each as long as it
        # lasted (SVG coordinates are written to two decimals).
        for step in {wait.step for wait in incident.waits}:
            _, row = rows[step]
            shaded = row["waits"]
            parts = [wait for wait in incident.waits if wait.step == step]
            assert [classes for classes, _, _ in shaded] == [f"wait {wait.cause.value}" for wait in parts]
            assert shaded[-1][2] == pytest.approx(row["actual"][0][0], abs=0.03)
            for (_, left, right), wait in zip(shaded, parts, strict=True):
                assert right - left == pytest.approx(wait.minutes * per_minute, abs=0.03)
            for (_, _, right), (_, left, _) in itertools.pairwise(shaded):
                assert right == pytest.approx(left, abs=0.03)
        assert sum(len(row["waits"]) for _, row in rows.values()) == len(incident.waits)
        # Each violation marked on every step it names.
        for violation in incident.violations:
            for step in violation.steps:
                assert f"{violation.code}: {violation.message}" in rows[step][1]["marks"]
        assert sum(len(row["marks"]) for _, row in rows.values()) == sum(
            len(violation.steps) for violation in incident.violations
        )
    assert seen == {"errors": [], "dialogs": []}


def test_trend_chart_shows_each_incident_in_time_order(page, tmp_path: Path) -> None:
    review = ordinary()
    report = tmp_path / "review.html"
    report.write_text(render(review), encoding="utf-8")
    seen = _open(page, report)
    bars = page.evaluate(TREND)
    # March, April, then the drill, which has no absolute times.
    assert [bar["number"] for bar in bars] == ["1", "3", "2"]
    heights = [bar["height"] for bar in bars]
    actual = [review.incidents[int(bar["number"]) - 1].actual_minutes for bar in bars]
    per_minute = [height / minutes for height, minutes in zip(heights, actual, strict=True)]
    assert per_minute == pytest.approx([per_minute[0]] * 3)
    assert bars[0]["tooltip"].startswith(
        "Incident 1: records/2026-03-04-ssm.json\nstarted 2026-03-04 14:05 UTC\n45 min"
    )
    assert seen == {"errors": [], "dialogs": []}


def test_hostile_names_are_shown_not_run(page, tmp_path: Path) -> None:
    page_html = render(hostile())
    for protected in (True, False):  # escaping alone protects, without the policy too
        report = tmp_path / f"review-{protected}.html"
        report.write_text(page_html if protected else page_html.replace(CSP_META, ""), encoding="utf-8")
        seen = _open(page, report)
        assert page.evaluate("typeof window.__pwned") == "undefined"
        assert page.evaluate("document.querySelectorAll('img, script, b, [onerror]').length") == 0
        assert seen == {"errors": [], "dialogs": []}
        shown = page.inner_text("body")
        for name in (SCRIPT, QUOTE, HOSTILE_ROLE, HOSTILE_RECORD, f"{SCRIPT} record", f"{QUOTE} runbook"):
            assert name in shown, name
        assert f"{SCRIPT} and {QUOTE} overlapped on {QUOTE}" in shown


def test_trend_chart_numbers_at_most_25_bars(page, tmp_path: Path) -> None:
    review = ordinary()
    first = review.incidents[0]
    many = tuple(replace(first, record=replace(first.record, path=f"records/{index}.json")) for index in range(60))
    report = tmp_path / "review.html"
    report.write_text(render(replace(review, incidents=many)), encoding="utf-8")
    seen = _open(page, report)
    bars = page.evaluate(TREND)
    assert len(bars) == 60
    # Every third bar numbered; all started at once, so they keep the order given.
    assert [bar["number"] for bar in bars] == [str(index + 1) if index % 3 == 0 else None for index in range(60)]
    assert seen == {"errors": [], "dialogs": []}
