"""What the HTML reports (plan's and review's) share: the page's policy and
style, the timeline's geometry, and the escaping of every piece of text from
a file."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from .shown import shown

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
QUOTED = re.compile(r"`([^`]+)`")  # names quoted in findings, shown as code
CHAR_WIDTH = 7.3  # of the 12px monospace labels
LABEL_CHARS = 32  # longer step ids are cut short in labels (tooltips keep them whole)
PLOT_WIDTH = 760
ROW_HEIGHT = 18
MIN_BAR_WIDTH = 2.0  # zero-minute steps still show
AXIS_HEIGHT = 22
MAX_TICKS = 12

STYLE = """
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2328;
  background: #fff; margin: 0 auto; max-width: 1200px; padding: 1.5rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 .5rem; border-bottom: 1px solid #d0d7de; padding-bottom: .25rem; }
h3 { font-size: 1.05rem; margin: 1.25rem 0 .4rem; }
code { font: 12.5px ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; }
.meta { color: #59636e; margin: 0; }
table { border-collapse: collapse; margin: .5rem 0; }
th, td { border: 1px solid #d0d7de; padding: .25rem .5rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
td.number { text-align: right; white-space: nowrap; }
tr.critical td:first-child { font-weight: 600; }
tr.left-out td { color: #59636e; font-style: italic; }
.saved { font-weight: 600; }
.saved.gain { color: #1a7f37; }
.saved.loss { color: #9a6700; }
.yes { color: #1a7f37; font-weight: 600; }
.no { color: #cf222e; font-weight: 600; }
.severity-error { color: #cf222e; font-weight: 600; }
.severity-warning { color: #9a6700; font-weight: 600; }
.severity-info { color: #0969da; }
.legend { color: #59636e; margin: .25rem 0; }
.swatch { display: inline-block; width: .9em; height: .9em; vertical-align: -.1em; border-radius: 2px; }
.swatch.plain { background: #6e8fb5; }
.swatch.critical { background: #d1242f; }
.swatch.race { border: 2px dashed #bc4c00; width: .7em; height: .7em; }
.figure { overflow: auto; border: 1px solid #d0d7de; border-radius: 6px; padding: .5rem; }
svg text { font: 12px ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; fill: #1f2328; }
svg .section-title { font: 600 13px system-ui, sans-serif; }
svg .tick { stroke: #d8dee4; }
svg .tick-label { fill: #59636e; font-size: 11px; }
svg .row:nth-child(even) .stripe { fill: #f6f8fa; }
svg .stripe { fill: transparent; }
svg .bar { fill: #6e8fb5; }
svg .bar.critical { fill: #d1242f; }
svg .edge { fill: none; stroke: #8c959f; stroke-width: 1.3; }
svg .edge.critical { stroke: #d1242f; stroke-width: 2.2; }
svg .race { fill: none; stroke: #bc4c00; stroke-width: 2; stroke-dasharray: 6 4; }
svg rect.node { fill: #eef3fa; stroke: #6e8fb5; stroke-width: 1.3; }
svg rect.node.critical { fill: #ffebe9; stroke: #d1242f; stroke-width: 2.2; }
svg .node-label { text-anchor: middle; dominant-baseline: central; }
#arrow path { fill: #8c959f; }
#arrow-critical path { fill: #d1242f; }
@media print {
  body { max-width: none; padding: 0; font-size: 11px; }
  .figure { overflow: visible; border: none; padding: 0; }
  h2 { break-after: avoid; }
  tr, svg .row { break-inside: avoid; }
  * { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
}
"""


def page_head(title: str, style: str = STYLE) -> list[str]:
    """The lines of a report page up to its body: doctype, charset, the
    content security policy, viewport, `title` (escaped) and `style`."""
    return [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escaped(title)}</title>",
        f"<style>{style}</style>",
        "</head>",
    ]


def escaped(value: object) -> str:
    """Runbook text (or any value) made safe for HTML content and attributes."""
    return html.escape(shown(str(value), keep_line_breaks=True), quote=True)


def prose(value: str) -> str:
    """A finding's words, escaped, with its `quoted` names as code."""
    return QUOTED.sub(r"<code>\1</code>", escaped(value))


def code(value: object) -> str:
    return f"<code>{escaped(value)}</code>"


def codes(values: Iterable[str]) -> str:
    return ", ".join(code(value) for value in values)


def short_label(step_id: str) -> str:
    """A step id short enough for an SVG label."""
    return step_id if len(step_id) <= LABEL_CHARS else step_id[: LABEL_CHARS - 1] + "…"


def px(value: float) -> str:
    """SVG coordinates: two decimals at most."""
    return f"{round(value, 2):g}"


def tick_step(horizon: float) -> float:
    """A round number of minutes between ticks, for at most MAX_TICKS of them."""
    for step in (1, 2, 5, 10, 15, 20, 30, 60, 120, 240, 480, 720, 1440, 2880, 10080):
        if horizon / step <= MAX_TICKS:
            return step
    return 10080 * (horizon // (10080 * MAX_TICKS) + 1)
