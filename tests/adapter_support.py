"""What the adapter tests share: read a fixture as its format, and the two
graphs as sets of step-id pairs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from recoverylint.adapters import Adapted, detect, input_formats
from recoverylint.engine import check_text
from recoverylint.graphs import build_graphs
from recoverylint.model import Runbook
from recoverylint.source import parse

FIXTURES = Path(__file__).parent / "adapters"


def adapt(text: str, format_name: str, path: str = "fixture.yaml") -> Adapted:
    """`text` read by the named adapter, after checking that detection picks it."""
    document = parse(text)
    found = detect(document)
    assert found is not None and found.name == format_name, f"detected as {found and found.name}"
    return input_formats()[format_name].build(document, path, 5.0)


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def order_edges(runbook: Runbook) -> set[tuple[str, str]]:
    """The declared order O: (waited for, waiting) pairs."""
    return {(edge.source, edge.target) for edge in runbook.declared_edges}


def data_edges(runbook: Runbook) -> set[tuple[str, str]]:
    """The required order D: (required, requiring) pairs."""
    graphs, cycle = build_graphs(runbook)
    assert graphs is not None, f"O has a cycle: {cycle}"
    steps = runbook.steps
    return {
        (steps[pred].id, steps[node].id)
        for node, preds in enumerate(graphs.required_preds)
        for pred in preds
    }


def codes(text: str) -> list[tuple[str, int]]:
    """The findings of a document checked whole: (code, line), sorted."""
    return sorted((f.code, f.span.line) for f in check_text(text).findings)


def names(refs) -> list[str]:
    return [ref.name for ref in refs]


def step(runbook: Runbook, step_id: str):
    return next(s for s in runbook.steps if s.id == step_id)


def check_json(path) -> subprocess.CompletedProcess:
    """`recoverylint check --format json` on one file, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "recoverylint", "check", "--format", "json", "--no-cache", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
