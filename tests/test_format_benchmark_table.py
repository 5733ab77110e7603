"""docs/performance.md's table of the formats at 10,000 steps is the
benchmarks' recorded results (benchmarks/<format>_results.json)."""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
START, END = "<!-- format-benchmarks:start -->", "<!-- format-benchmarks:end -->"


def test_the_table_is_the_recorded_results() -> None:
    text = (ROOT / "docs" / "performance.md").read_text(encoding="utf-8")
    table = text.split(START, 1)[1].split(END, 1)[0].strip().splitlines()[2:]
    shown = {}
    for row in table:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        shown[cells[0]] = (cells[2], cells[3], cells[4])
    recorded = {}
    for results in sorted((ROOT / "benchmarks").glob("*_results.json")):
        result = json.loads(results.read_text(encoding="utf-8"))
        if "bare_parse_cpu_s" in result and result.get("steps") == 10_000:
            name = results.name.removesuffix("_results.json")
            recorded[name] = (
                f"{result['bare_parse_cpu_s']:.2f} s", f"{result['check_cpu_s']:.2f} s", f"{result['ratio']:.2f}x"
            )
    assert shown == recorded
    assert {"markdown", "rundeck", "ansible", "awx", "xsoar"} <= set(shown)
