"""The README's performance table and benchmarks/RESULTS.md quote the last
run of benchmarks/run.py (benchmarks/results.json) as it is, and that run
met its targets."""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = json.loads((ROOT / "benchmarks" / "results.json").read_text(encoding="utf-8"))["results"]
# The README's row for each case of the run, in its order.
ROWS = {
    "many": "1,000 runbooks of 20-60 steps",
    "steps-1000": "one runbook of 1,000 steps",
    "steps-10000": "one runbook of 10,000 steps",
    "steps-50000": "one runbook of 50,000 steps",
}


def readme_row(label: str) -> list[str]:
    text = (ROOT / "docs" / "performance.md").read_text(encoding="utf-8").split("# Performance", 1)[1]
    line = next(line for line in text.splitlines() if line.startswith(f"| {label}"))
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def test_the_readme_quotes_the_last_run() -> None:
    assert [result["case"] for result in RESULTS] == list(ROWS)
    for result in RESULTS:
        _, bare, check, ratio, _, peak = readme_row(ROWS[result["case"]])
        assert bare == f"{result['bare_s']:.2f} s"
        assert check == f"{result['check_s']:.2f} s"
        assert ratio == f"{result['ratio']:.2f}x"
        assert re.match(rf"{result['peak_mb']:.0f} MB\b", peak), (peak, result["peak_mb"])


def test_the_last_run_met_every_target() -> None:
    assert all(result["status"] == "pass" for result in RESULTS)
    assert all(result["ratio"] <= result["target_ratio"] for result in RESULTS if result["target_ratio"])
    assert all(result["peak_mb"] < result["max_peak_mb"] for result in RESULTS if result["max_peak_mb"])


def test_results_md_is_the_same_run() -> None:
    text = (ROOT / "benchmarks" / "RESULTS.md").read_text(encoding="utf-8")
    for result in RESULTS:
        assert f"| {result['case']} | {result['files']} |" in text
        assert f"| {result['ratio']:.2f} |" in text
