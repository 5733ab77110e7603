"""`plan --format html`: the page renders in a real browser, is self-contained,
and shows runbook text as text, never as markup."""

from __future__ import annotations

import html
import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

from recoverylint.engine import plan_file, plan_text
from recoverylint.finding import Finding
from recoverylint.plan import Plan
from recoverylint.report.plan_html import render

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
CSP_META = (
    '<meta http-equiv="Content-Security-Policy"'
    " content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">"
)

PAYLOADS = (
    "<script>window.__pwned=1</script>",
    '"><img src=x onerror="window.__pwned=2">',
    "</svg><script>window.__pwned=3</script>",
)
# Resource names cannot hold spaces: the second payload, for them, uses slashes.
RESOURCE_PAYLOADS = (PAYLOADS[0], '"><img/src=x/onerror=window.__pwned=2>', PAYLOADS[2])


def _hostile_runbook() -> str:
    """A valid runbook whose every free text carries the payloads (step ids and
    the runbook id are slugs, so they cannot).  Written with JSON strings,
    which are YAML double-quoted scalars."""
    q = json.dumps
    everything = " ".join(PAYLOADS)
    return f"""
runbook: hostile
title: {q(everything)}
flow: parallel
team: {{size: 3}}
cost_per_minute: 100
roles:
  {q(PAYLOADS[0])}: {{authority: [observe, apply, emergency, decide, communicate]}}
  {q(PAYLOADS[1])}: {{authority: [observe, apply, emergency]}}
  {q(PAYLOADS[2])}: {{authority: [observe, apply, emergency]}}
steps:
  - id: step-one
    title: {q(PAYLOADS[0])}
    role: {q(PAYLOADS[0])}
    duration: 3m
    pre_approved: true
    writes: [{q(RESOURCE_PAYLOADS[0])}, {q(RESOURCE_PAYLOADS[1])}]
    outputs: [{q(PAYLOADS[2])}]
    run: {q(everything)}
  - id: step-two
    title: {q(PAYLOADS[1])}
    role: {q(PAYLOADS[1])}
    duration: 0
    pre_approved: true
    writes: [{q(RESOURCE_PAYLOADS[0])}]
    run: {q(everything)}
  - id: step-three
    title: {q(PAYLOADS[2])}
    role: {q(PAYLOADS[2])}
    duration: 4m
    pre_approved: true
    needs: [step-one]
    writes: [{q(RESOURCE_PAYLOADS[1])}, {q(RESOURCE_PAYLOADS[2])}]
    run: {q(everything)}
"""


def _example(name: str) -> tuple[Plan, list[Finding]]:
    result, plan = plan_file(EXAMPLES / f"{name}.yaml", f"examples/{name}.yaml")
    assert plan is not None
    return plan, result.findings


def _hostile() -> tuple[Plan, list[Finding]]:
    result, plan = plan_text(_hostile_runbook(), PAYLOADS[1] + ".yaml")
    assert plan is not None, [finding.message for finding in result.findings]
    return plan, result.findings


SOURCES = {
    "orders-db-outage": lambda: _example("orders-db-outage"),
    "parallel-deploy-races": lambda: _example("parallel-deploy-races"),
    "hostile": _hostile,
}


def _open(page, path: Path) -> dict[str, list[str]]:
    """Open a report; what it printed as errors, and the dialogs it opened."""
    seen: dict[str, list[str]] = {"errors": [], "dialogs": []}

    def console(message) -> None:
        if message.type == "error":
            seen["errors"].append(message.text)

    page.on("console", console)
    page.on("pageerror", lambda error: seen["errors"].append(str(error)))

    def dismiss(dialog) -> None:
        seen["dialogs"].append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    page.goto(path.as_uri())
    return seen


# Attributes through which HTML or SVG can load something.
LOADING_ATTRIBUTES = frozenset(
    ("src", "href", "xlink:href", "srcset", "action", "formaction", "data", "poster", "background")
)


class _Resources(HTMLParser):
    """Every tag, every attribute that loads something, and all CSS text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.loads: list[tuple[str, str]] = []
        self.css: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self._in_style = tag == "style"
        for name, value in attrs:
            if name in LOADING_ATTRIBUTES:
                self.loads.append((name, value or ""))
            if name == "style" or "url(" in (value or ""):
                self.css.append(value or "")

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.css.append(data)


# -- In the browser -----------------------------------------------------------------


@pytest.mark.parametrize("source", SOURCES)
def test_timeline_and_graph_render(page, tmp_path: Path, source: str) -> None:
    plan, findings = SOURCES[source]()
    report = tmp_path / "plan.html"
    report.write_text(render(plan, findings), encoding="utf-8")
    seen = _open(page, report)
    drawn = page.evaluate(
        """() => {
            const section = (slug) => {
                const bars = [...document.querySelectorAll(`#timeline-${slug} rect.bar`)];
                return {
                    widths: bars.map((bar) => bar.getBoundingClientRect().width),
                    critical: bars.filter((bar) => bar.classList.contains("critical")).length,
                };
            };
            const graph = document.querySelector("svg#graph");
            return {
                declared: section("declared"),
                required: section("required"),
                ticks: document.querySelectorAll("#timeline .tick-label").length,
                nodes: [...graph.querySelectorAll("rect.node")].map((node) => node.getBBox().width),
                criticalNodes: graph.querySelectorAll("rect.node.critical").length,
                edges: graph.querySelectorAll("path.edge").length,
                races: [...graph.querySelectorAll("path.race > title")].map((title) => title.textContent),
            };
        }"""
    )
    for name, schedule in (("declared", plan.declared), ("required", plan.required)):
        assert len(drawn[name]["widths"]) == len(plan.planned)
        assert all(width > 0 for width in drawn[name]["widths"])
        assert drawn[name]["critical"] == len(schedule.critical_path) > 0
    assert drawn["ticks"] >= 4  # two sections, at least "0 min" and one more each
    assert len(drawn["nodes"]) == len(plan.planned)
    assert all(width > 0 for width in drawn["nodes"])
    assert drawn["criticalNodes"] == len(plan.required.critical_path)
    assert drawn["edges"] == sum(len(plan.required.preds[node]) for node in plan.planned)
    assert len(drawn["races"]) == len(plan.races)
    for race, title in zip(plan.races, drawn["races"]):
        assert race.resource in title
    assert seen == {"errors": [], "dialogs": []}


def _assert_inert(page, seen: dict[str, list[str]]) -> None:
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert seen["dialogs"] == []
    assert page.evaluate("document.querySelectorAll('img, script, [onerror]').length") == 0
    shown = page.inner_text("body")
    for payload in (*PAYLOADS, *RESOURCE_PAYLOADS):
        assert payload in shown


def test_hostile_runbook_text_is_shown_not_run(page, tmp_path: Path) -> None:
    plan, findings = _hostile()
    report = tmp_path / "plan.html"
    report.write_text(render(plan, findings), encoding="utf-8")
    seen = _open(page, report)
    _assert_inert(page, seen)
    assert seen["errors"] == []  # nothing even tried to run, so the policy blocked nothing


def test_escaping_alone_protects_without_the_policy(browser, tmp_path: Path) -> None:
    plan, findings = _hostile()
    page_html = render(plan, findings)
    assert CSP_META in page_html
    unprotected = tmp_path / "unprotected.html"
    unprotected.write_text(page_html.replace(CSP_META, ""), encoding="utf-8")
    context = browser.new_context()
    try:
        page = context.new_page()
        _assert_inert(page, _open(page, unprotected))
        # The control: in this browser, without the policy, injected markup does run.
        injected = tmp_path / "injected.html"
        injected.write_text(
            page_html.replace(CSP_META, "").replace("</main>", PAYLOADS[0] + "</main>"), encoding="utf-8"
        )
        control = context.new_page()
        _open(control, injected)
        assert control.evaluate("window.__pwned") == 1
    finally:
        context.close()


# -- In the file ----------------------------------------------------------------------


@pytest.mark.parametrize("source", SOURCES)
def test_page_is_self_contained(source: str) -> None:
    page_html = render(*SOURCES[source]())
    assert page_html.startswith("<!DOCTYPE html>")
    assert CSP_META in page_html
    parsed = _Resources()
    parsed.feed(page_html)
    parsed.close()
    for tag in ("script", "link", "img", "iframe", "object", "embed", "image", "use", "foreignobject"):
        assert tag not in parsed.tags
    assert parsed.loads == []
    assert parsed.css
    for css in parsed.css:
        assert "@import" not in css
        assert "url(" not in css.replace("url(#", "")
    lowered = page_html.lower()
    assert "<script" not in lowered
    assert "http:" not in lowered.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https:" not in lowered
    assert "javascript:" not in lowered


@pytest.mark.parametrize("source", SOURCES)
def test_every_step_title_appears_escaped(source: str) -> None:
    plan, findings = SOURCES[source]()
    page_html = render(plan, findings)
    for step in plan.runbook.steps:
        assert step.title and html.escape(step.title, quote=True) in page_html
    for payload in (*PAYLOADS, *RESOURCE_PAYLOADS):
        assert payload not in page_html


def test_summary_words() -> None:
    saving = render(*_example("orders-db-outage"))
    assert "The required order saves 2 min per incident, worth 3,000 USD" in saving
    assert "generated by recoverylint" in saving
    assert "failover-to-replica" in saving and "Left out" in saving
    loss = render(*_example("parallel-deploy-races"))
    assert "the required order takes 7 min longer (17,500 USD more per incident" in loss
    assert "faster only because it runs steps together, or in an order, that the work does not allow" in loss
    assert "Score 4 of 6: recommended mode <strong>parallel</strong>" in loss


def test_no_findings_said_so() -> None:
    plan, findings = _example("hybrid-clean")
    assert findings == []
    assert "<p>No findings.</p>" in render(plan, findings)
