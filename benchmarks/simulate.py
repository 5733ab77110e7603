"""What `plan --simulate` costs: 10,000 runs of the generated 1,000-step
runbook, every step given a range, against a plain plan of it.

CPU seconds (time.process_time, so other work on a busy machine does not
count), medians of three, in one process: the plain plan is the check and
plan of the runbook's text (what `plan` does without --simulate); the
simulation is `simulate` on that plan.  The issue's target: 10,000 runs
within a few seconds (vectorised over runs, not a Python loop per run).
Writes benchmarks/simulate_results.json.

    python benchmarks/simulate.py [--runs 10000] [--steps 1000]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from generate import single_runbook  # noqa: E402

from recoverylint.durations import MeasuredDurations  # noqa: E402
from recoverylint.engine import plan_text  # noqa: E402
from recoverylint.model import Duration, DurationBasis  # noqa: E402
from recoverylint.plan import Plan  # noqa: E402
from recoverylint.settings import Settings  # noqa: E402
from recoverylint.simulate import simulate  # noqa: E402

TARGET_CPU_S = 5.0  # "within a few seconds"


def ranged_plan(steps: int) -> Plan:
    """The plan of the generated runbook of `steps` steps, each step's minutes
    a range around its likely ones (from half to three times them; 1 to 3 min
    for a step with none), as a durations file would give them."""
    text = single_runbook(steps)
    _, plain = plan_text(text, f"steps-{steps}.yaml")
    assert plain is not None
    runbook = plain.runbook
    ranges = {}
    for step in runbook.steps:
        duration = runbook.duration_of(step)
        likely = duration.likely if duration is not None and duration.likely > 0 else 2.0
        ranges[step.id] = Duration(likely, likely / 2, likely * 3, DurationBasis.MEASURED)
    settings = Settings(durations=MeasuredDurations({runbook.id: ranges}))
    _, plan = plan_text(text, f"steps-{steps}.yaml", settings)
    assert plan is not None
    return plan


def cpu_seconds(work: Callable[[], object]) -> float:
    started = time.process_time()
    work()
    return time.process_time() - started


def measure(steps: int, runs: int, repeat: int) -> dict[str, object]:
    text = single_runbook(steps)
    plan = ranged_plan(steps)
    plans = [cpu_seconds(lambda: plan_text(text, f"steps-{steps}.yaml")) for _ in range(repeat)]
    simulations = [cpu_seconds(lambda: simulate(plan, runs, 0)) for _ in range(repeat)]
    simulate_s = statistics.median(simulations)
    plan_s = statistics.median(plans)
    return {
        "steps": steps,
        "planned_steps": len(plan.planned),
        "runs": runs,
        "plan_cpu_s": round(plan_s, 3),
        "simulate_cpu_s": round(simulate_s, 3),
        "simulate_over_plan": round(simulate_s / plan_s, 2),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "target_cpu_s": TARGET_CPU_S,
        "verdict": "pass" if simulate_s <= TARGET_CPU_S else "FAIL",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    result = measure(args.steps, args.runs, args.repeat)
    print(
        f"{result['runs']:,} runs of {result['steps']:,} steps: {result['simulate_cpu_s']} CPU s"
        f" ({result['simulate_over_plan']}x the plain plan's {result['plan_cpu_s']} s);"
        f" peak {result['peak_mb']} MB; target <= {TARGET_CPU_S:g} s: {result['verdict']}"
    )
    (HERE / "simulate_results.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0 if result["verdict"] == "pass" else 1


if __name__ == "__main__":
    sys.exit(main())
