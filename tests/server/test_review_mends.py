"""What a review of the server found, mended: each through the protocol."""

from __future__ import annotations

from pathlib import Path

from pytest_lsp import LanguageClient

from recoverylint.engine import plan_text
from recoverylint.words import minutes

from .server_support import close_document, in_server_loop, open_document
from .test_features import hover_text

# `left` and `right` tie: both are 5 min before `join`; the plan keeps one chain.
TIE = """runbook: tie
flow: parallel
roles:
  sre: {authority: [decide, observe], people: 3}
steps:
  - id: left
    role: sre
    duration: 5m
    outputs: [a]
  - id: right
    role: sre
    duration: 5m
    outputs: [b]
  - id: join
    role: sre
    duration: 1m
    needs: [left, right]
    inputs: [a, b]
  - id: aside
    role: sre
    duration: 1m
"""


@in_server_loop
async def test_hover_says_a_step_of_a_tied_path_is_on_a_critical_path(client: LanguageClient, tmp_path: Path) -> None:
    path = tmp_path / "tie.yaml"
    assert await open_document(client, path, TIE) == []
    _, plan = plan_text(TIE)
    assert plan is not None and plan.required.critical_path == (0, 2)  # `left` and `join`: `right` ties, left out
    assert plan.required.timings[1].slack == 0
    left = await hover_text(client, path, 6, 11)
    assert "slack 0 min, on the critical path." in left
    right = await hover_text(client, path, 10, 11)
    assert "In the required order: earliest start 0 min, slack 0 min, on a critical path (no slack)." in right
    aside = await hover_text(client, path, 19, 11)
    assert f"slack {minutes(plan.required.timings[3].slack)}, not on the critical path." in aside
    close_document(client, path)
