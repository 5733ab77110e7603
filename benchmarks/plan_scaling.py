"""How `plan` scales: the plan of generated runbooks of 1,000 to 10,000 steps,
timed in one process against the check of the same runbook.

The target (issue 4): cost near linear in steps plus edges.  Reported per
size: seconds to check (parse, graphs, rules), seconds to plan on top of the
built graphs, and the plan's microseconds per step; the growth of that last
figure from 1,000 to 10,000 steps must stay under 2x (a quadratic algorithm
would show 10x).  Medians of three runs.  Exits 1 when the target is missed.

    python benchmarks/plan_scaling.py [--sizes 1000,10000]
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from generate import single_runbook  # noqa: E402

from recoverylint.engine import check_text  # noqa: E402
from recoverylint.graphs import build_graphs  # noqa: E402
from recoverylint.plan import build_plan  # noqa: E402

MAX_GROWTH = 2.0  # per-step cost at the largest size over the smallest


def measure(size: int, repeat: int) -> dict[str, float]:
    text = single_runbook(size)
    checks, plans = [], []
    for _ in range(repeat):
        # As the command line runs: the cyclic collector paused (nothing built has cycles).
        gc.collect()
        gc.disable()
        started = time.perf_counter()
        result = check_text(text, f"steps-{size}.yaml")
        checked = time.perf_counter()
        graphs, _ = build_graphs(result.runbook)
        built = time.perf_counter()
        plan = build_plan(graphs)
        planned = time.perf_counter()
        gc.enable()
        checks.append(checked - started)
        plans.append(planned - built)
    edges = sum(len(preds) for preds in plan.required.preds) + sum(
        len(preds) for preds in plan.declared.preds
    )
    plan_s = statistics.median(plans)
    return {
        "steps": size,
        "edges": edges,
        "check_s": round(statistics.median(checks), 3),
        "plan_s": round(plan_s, 3),
        "plan_us_per_step": round(plan_s / size * 1e6, 1),
        "required_minutes": plan.required.staffed_makespan,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,2000,5000,10000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",")]
    rows = [measure(size, args.repeat) for size in sizes]
    print(f"{'steps':>7} {'edges':>8} {'check s':>8} {'plan s':>8} {'plan µs/step':>13}")
    for row in rows:
        print(
            f"{row['steps']:>7} {row['edges']:>8} {row['check_s']:>8.3f} {row['plan_s']:>8.3f}"
            f" {row['plan_us_per_step']:>13.1f}"
        )
    growth = rows[-1]["plan_us_per_step"] / rows[0]["plan_us_per_step"]
    verdict = "pass" if growth <= MAX_GROWTH else "FAIL"
    print(f"per-step growth {rows[0]['steps']} → {rows[-1]['steps']} steps: {growth:.2f}x"
          f" (target <= {MAX_GROWTH:g}x): {verdict}")
    (HERE / "plan_results.json").write_text(
        json.dumps({"rows": rows, "growth": round(growth, 2), "verdict": verdict}, indent=2) + "\n",
        encoding="utf-8",
    )
    return 0 if verdict == "pass" else 1


if __name__ == "__main__":
    sys.exit(main())
