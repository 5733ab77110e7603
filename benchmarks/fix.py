#!/usr/bin/env python3
"""`check --fix` against a plain `check` of the same runbook, in the same run.

    python benchmarks/fix.py [--repeat N] [--workdir DIR] [--timeout S]

Two shapes of issue 16, each at its sizes:

- redundant: a chain of 1,000 steps in which every step also needs the one
  two before it: 998 redundant `needs` entries (RL203), each a safe fix that
  applies;
- refused: a chain of `needs` that are all false gates (RL201), each of whose
  removal would let two steps run at once that one person must do (RL405):
  every fix is refused;
- one-person: the same chain of one one-person role, the shape issue 16
  measured: RL201 now offers no fix there, so `--fix` only checks.

Each command runs in a fresh process on a fresh copy of the file (`--fix`
rewrites it), `--repeat` times; the medians of wall time and CPU time (user +
system, from `os.wait4`) are kept, and the ratio of `--fix` over the plain
check for both.  A plain check judges the fixes its findings offer too (it
counts only those `--fix` would apply), so the ratio compares like with like;
`unjudged` is a check that offers no fix to judge (`--ignore` of the rules
that offer fixes: RL201, RL203, RL702), and `ratio_cpu_unjudged` is `--fix`
over it: what fixing costs beyond a check that judges nothing.  CPU time is the fair ratio on a shared machine: the load
stretches wall time however little a run does.  Writes
benchmarks/fix_results.json.

Before the fixes were judged on the runbook model (issue 16, measured on the
same 2-core machine): redundant 1,000 took 9.4x a check; refused 50 steps took
7.9 s, 200 steps 119 s and 1,000 steps over 300 s.  Judged on the model, but
each refused fix alone: refused 1,000 steps took 17.1x a check in CPU time
(9.24 s), before the fixes that fail together were halved within a budget.
"""

from __future__ import annotations

import argparse
import datetime
import json
import platform
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from pathological import Run, measure

RESULTS = HERE / "fix_results.json"
CASES = (
    ("redundant", 1000), ("refused", 50), ("refused", 200), ("refused", 1000), ("one-person", 1000)
)


def redundant(steps: int) -> str:
    """A chain in which every step also needs the one two before it:
    `steps - 2` redundant entries (RL203), each with a safe fix that applies."""
    lines = [
        "runbook: many-redundant",
        "flow: parallel",
        "given: [alert]",
        "roles:",
        "  lead: {authority: [observe, decide], people: 1}",
        "steps:",
    ]
    for number in range(steps):
        lines += [f"  - id: s{number}", "    role: lead", "    duration: 1m"]
        lines.append("    inputs: [alert]" if number == 0 else f"    inputs: [f{number - 1}]")
        lines.append(f"    outputs: [f{number}]")
        if number >= 2:
            lines.append(f"    needs: [s{number - 1}, s{number - 2}]   # both, to be sure")
        elif number == 1:
            lines += ["    needs:", "      - s0"]
    return "\n".join(lines) + "\n"


def refused(steps: int) -> str:
    """A chain of `needs` that are all false gates, of two one-person roles
    in turn and a team of one, each of whose removal would let two steps run
    at once that one person must do (RL405): every fix is refused."""
    lines = [
        "runbook: all-refused",
        "flow: parallel",
        "given: [alert]",
        "team: {size: 1}",
        "roles:",
        "  lead: {authority: [observe, decide], people: 1}",
        "  scribe: {authority: [observe, decide], people: 1}",
        "steps:",
    ]
    for number in range(steps):
        role = ("lead", "scribe")[number % 2]
        lines += [f"  - id: s{number}", f"    role: {role}", "    duration: 1m", "    inputs: [alert]"]
        if number:
            lines.append(f"    needs: [s{number - 1}]")
    return "\n".join(lines) + "\n"


def one_person(steps: int) -> str:
    """A chain of `needs` that are all false gates of one one-person role:
    RL201 offers no fix there (removing one would let that person's steps
    run at once), so `--fix` has nothing to judge."""
    return refused(steps).replace("role: scribe", "role: lead")


SHAPES = {"redundant": redundant, "refused": refused, "one-person": one_person}
# The rules whose findings offer fixes: ignored, a check has none to judge.
FIXING_RULES = "RL201,RL203,RL702"


def _median(runs: list[Run]) -> dict[str, float]:
    return {
        "wall_s": round(statistics.median(run.wall_s for run in runs), 3),
        "cpu_s": round(statistics.median(run.cpu_s for run in runs), 3),
    }


def bench(shape: str, steps: int, workdir: Path, repeat: int, timeout: float) -> dict[str, object]:
    source = workdir / f"{shape}-{steps}.yaml"
    source.write_text(SHAPES[shape](steps), encoding="utf-8")
    python = sys.executable
    measured: dict[str, object] = {"shape": shape, "steps": steps}
    for name, options in (("check", []), ("unjudged", ["--ignore", FIXING_RULES]), ("fix", ["--fix"])):
        runs = []
        for _ in range(repeat):
            copy = workdir / f"run-{source.name}"
            shutil.copy(source, copy)
            output = workdir / "output.txt"
            run = measure(
                [python, "-m", "recoverylint", "check", "--no-cache", *options, str(copy)],
                timeout, 0, output,
            )
            if run.timed_out or run.exit_code not in (0, 1):
                raise SystemExit(f"{name} of {source.name} failed: {run}")
            runs.append(run)
        measured[name] = _median(runs)
        if name == "fix":
            text = output.read_text(encoding="utf-8") + run.stderr_tail
            applied = [line for line in text.splitlines() if line.startswith("Applied ")]
            measured["applied"] = applied[-1] if applied else ""
    check, unjudged, fix = measured["check"], measured["unjudged"], measured["fix"]
    assert isinstance(check, dict) and isinstance(unjudged, dict) and isinstance(fix, dict)
    measured["ratio_wall"] = round(fix["wall_s"] / check["wall_s"], 2)
    measured["ratio_cpu"] = round(fix["cpu_s"] / check["cpu_s"], 2)
    measured["ratio_cpu_unjudged"] = round(fix["cpu_s"] / unjudged["cpu_s"], 2)
    return measured


def row(result: dict[str, object]) -> str:
    check, unjudged, fix = result["check"], result["unjudged"], result["fix"]
    assert isinstance(check, dict) and isinstance(unjudged, dict) and isinstance(fix, dict)
    return (
        f"| `--fix`, {result['shape']}, {result['steps']:,} steps | {fix['cpu_s']:.2f} s CPU"
        f" ({fix['wall_s']:.2f} s wall) | {check['cpu_s']:.2f} s CPU ({check['wall_s']:.2f} s wall)"
        f" | {result['ratio_cpu']:.1f}x CPU ({result['ratio_wall']:.1f}x wall)"
        f" | {unjudged['cpu_s']:.2f} s CPU | {result['ratio_cpu_unjudged']:.1f}x CPU |"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--timeout", type=float, default=600.0)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="rl-fix-") as scratch:
        workdir = args.workdir or Path(scratch)
        workdir.mkdir(parents=True, exist_ok=True)
        results = []
        for shape, steps in CASES:
            result = bench(shape, steps, workdir, args.repeat, args.timeout)
            print(row(result), flush=True)
            results.append(result)
    RESULTS.write_text(json.dumps({
        "meta": {
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "python": platform.python_version(),
            "repeat": args.repeat,
        },
        "results": results,
    }, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
