#!/usr/bin/env python3
"""Pathological shapes of runbook: each must be checked and planned in seconds,
under 1 GB, whatever the answer (findings, or RL001 past a documented limit).

    python benchmarks/pathological.py [--shape NAME]... [--workdir DIR]
                                      [--timeout S] [--max-memory-mb M]

For each shape, in a fresh process each: the bare parse of the file (the least
any tool must do: ruamel.yaml's C-backed compose), `recoverylint check` and
`recoverylint plan`.  Wall time, CPU time (user + system) and peak RSS come
from `os.wait4` on that process.  The ratios are check (plan) over the bare
parse.  Writes benchmarks/pathological_results.json; exits 1 when a shape
misses its bounds (SECONDS_BOUND of CPU time, MEMORY_BOUND_MB peak) or a run
fails.  CPU time, not wall time, is bounded: on a shared machine the load
stretches wall time however little the run does (each run is one thread).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Optional

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
RESULTS = HERE / "pathological_results.json"
SECONDS_BOUND = 10.0  # CPU time of check or plan on any shape
MEMORY_BOUND_MB = 1024.0
MAX_FILE_SIZE = "100000000"

BARE_PARSE = """
import pathlib, sys
from ruamel.yaml import YAML
YAML(typ='safe', pure=False).compose(pathlib.Path(sys.argv[1]).read_text(encoding='utf-8'))
"""


def _steps(count: int, prefix: str, indent: str, extra: Callable[[int], str] = lambda i: "") -> str:
    return "".join(f"{indent}- id: {prefix}{i}\n{extra(i)}" for i in range(count))


def wide_block() -> str:
    """One `parallel:` block of 20,000 steps between a first and a last step."""
    return (
        "runbook: wide-block\nsteps:\n  - id: start\n  - parallel:\n"
        + _steps(20_000, "s", "      ")
        + "  - id: finish\n"
    )


def sequential_wide_blocks() -> str:
    """Six `parallel:` blocks of 3,000 steps one after another (issue 13, item 4)."""
    blocks = "".join(
        "  - parallel:\n" + _steps(3_000, f"b{block}s", "      ") for block in range(6)
    )
    return "runbook: sequential-wide-blocks\nsteps:\n" + blocks


def adjacent_blocks() -> str:
    """Two adjacent `parallel:` blocks of 2,000 steps."""
    blocks = "".join("  - parallel:\n" + _steps(2_000, f"b{block}s", "      ") for block in range(2))
    return "runbook: adjacent-blocks\nsteps:\n" + blocks


def twenty_stages() -> str:
    """Twenty gated stages of 200 parallel steps."""
    stages = "".join(
        f"  - stage: st{stage}\n    flow: parallel\n    steps:\n" + _steps(200, f"st{stage}s", "      ")
        for stage in range(20)
    )
    return "runbook: twenty-stages\nstages:\n" + stages


def deep_resource_path() -> str:
    """A resource path of 60,000 segments, written by one step and read by another."""
    path = "/".join(["seg"] * 60_000)
    return (
        "runbook: deep-resource-path\nflow: parallel\nsteps:\n"
        f"  - id: writer\n    writes: [{path}]\n"
        f"  - id: reader\n    reads: [{path}]\n"
    )


def glob_writes_reads() -> str:
    """3,000 steps writing and reading glob names of one tree (issue 13, item 5)."""
    def uses(i: int) -> str:
        return f"    writes: ['k8s/c{i % 50}/*/p{i}']\n    reads: ['k8s/*/d{i % 7}/*']\n"
    return "runbook: glob-writes-reads\nflow: parallel\nsteps:\n" + _steps(3_000, "s", "  ", uses)


def dense_implicit_verifications() -> str:
    """2,200 changes of one resource and 2,200 verify-phase steps reading it
    without `verifies` (each implicitly verifies every change)."""
    changes = _steps(2_200, "change", "  ", lambda i: "    writes: [db]\n")
    checks = _steps(2_200, "check", "  ", lambda i: "    phase: verify\n    reads: [db]\n")
    return "runbook: dense-implicit-verifications\nflow: parallel\nsteps:\n" + changes + checks


def dense_decisions() -> str:
    """A step deciding between 5,000 alternatives, each followed by a step,
    and 1,000 more decisions between two steps each."""
    alternatives = ", ".join(f"alt{i}" for i in range(5_000))
    body = f"  - id: decide\n    decides: [{alternatives}]\n"
    body += _steps(5_000, "alt", "  ", lambda i: "    needs: [decide]\n")
    body += _steps(5_000, "after", "  ", lambda i: f"    needs: [alt{i}]\n")
    for i in range(1_000):
        body += f"  - id: d{i}\n    decides: [d{i}a, d{i}b]\n"
        body += f"  - id: d{i}a\n    needs: [d{i}]\n  - id: d{i}b\n    needs: [d{i}]\n"
    return "runbook: dense-decisions\nflow: parallel\nsteps:\n" + body


def orquesta_transitions() -> str:
    """A StackStorm Orquesta workflow of 4,000 tasks, each with 19 guarded
    transitions to the tasks after it (issue 13, item 5)."""
    tasks = []
    count = 4_000
    for i in range(count):
        lines = [f"  t{i}:", "    action: core.noop"]
        targets = [j for j in range(i + 1, min(i + 20, count))]
        if targets:
            lines.append("    next:")
            for k, target in enumerate(targets):
                lines += [f"      - when: <% ctx(x) = {k} %>", f"        do: t{target}"]
        tasks.append("\n".join(lines))
    return "version: 1.0\ndescription: many guarded transitions\ntasks:\n" + "\n".join(tasks) + "\n"


def decision_chain() -> str:
    """6,000 two-way decisions one after another, each taken after the two
    alternatives of the one before join."""
    body = "  - id: d0\n    decides: [d0a, d0b]\n"
    for i in range(6_000):
        if i:
            body += f"  - id: d{i}\n    needs: [d{i - 1}a, d{i - 1}b]\n    decides: [d{i}a, d{i}b]\n"
        body += f"  - id: d{i}a\n    needs: [d{i}]\n  - id: d{i}b\n    needs: [d{i}]\n"
    return "runbook: decision-chain\nflow: parallel\nsteps:\n" + body


def explicit_verifications() -> str:
    """700 changes and 700 checks, each naming every change in its `verifies`,
    all in one parallel block (a check can run while every change applies)."""
    changes = _steps(700, "change", "  ", lambda i: "    phase: remediate\n")
    names = ", ".join(f"change{i}" for i in range(700))
    checks = _steps(700, "check", "  ", lambda i: f"    phase: verify\n    verifies: [{names}]\n")
    return "runbook: explicit-verifications\nflow: parallel\nsteps:\n" + changes + checks


def actionchain_long() -> str:
    """A StackStorm ActionChain of 20,000 tasks, each going on to the next on
    success and to one cleanup task on failure."""
    count = 20_000
    tasks = [
        f"  - name: t{i}\n    ref: core.local\n    params: {{cmd: step {i}}}\n"
        f"    on-success: {f't{i + 1}' if i + 1 < count else 'cleanup'}\n    on-failure: cleanup\n"
        for i in range(count)
    ]
    return "chain:\n" + "".join(tasks) + "  - name: cleanup\n    ref: core.local\n    params: {cmd: cleanup}\n"


SHAPES: dict[str, Callable[[], str]] = {
    "wide-block": wide_block,
    "sequential-wide-blocks": sequential_wide_blocks,
    "adjacent-blocks": adjacent_blocks,
    "twenty-stages": twenty_stages,
    "deep-resource-path": deep_resource_path,
    "glob-writes-reads": glob_writes_reads,
    "dense-implicit-verifications": dense_implicit_verifications,
    "dense-decisions": dense_decisions,
    "orquesta-transitions": orquesta_transitions,
    "decision-chain": decision_chain,
    "explicit-verifications": explicit_verifications,
    "actionchain-long": actionchain_long,
}


@dataclass
class Run:
    wall_s: float
    cpu_s: float
    peak_mb: float
    exit_code: int  # negative: killed by that signal
    timed_out: bool
    stderr_tail: str


def measure(cmd: list[str], timeout: float, max_memory_mb: int, output: Path) -> Run:
    """Run `cmd` in its own process; its wall and CPU time and peak RSS, from wait4."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        p for p in (str(REPO), os.environ.get("PYTHONPATH")) if p
    ))

    def cap() -> None:
        if max_memory_mb:
            limit = max_memory_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    with open(output, "wb") as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env, preexec_fn=cap,
                                cwd=tempfile.gettempdir())
        timed_out = threading.Event()

        def kill() -> None:
            timed_out.set()
            try:
                proc.kill()
            except ProcessLookupError:
                pass

        killer = threading.Timer(timeout, kill)
        killer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            killer.cancel()
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        tail = "\n".join(err.read().decode("utf-8", "replace").rstrip().splitlines()[-5:])
    return Run(
        round(wall, 3),
        round(usage.ru_utime + usage.ru_stime, 3),
        round(usage.ru_maxrss / 1024, 1),  # KiB on Linux
        proc.returncode,
        timed_out.is_set(),
        tail,
    )


def summary(report: Path, command: str, run: Run) -> dict:
    """What `check --format json` found (codes and counts); whether `plan`
    made a plan, and if not, why (the first line it printed on stderr)."""
    try:
        data = json.loads(report.read_text(encoding="utf-8"))
    except ValueError:
        data = None
    if command == "check":
        codes: dict[str, int] = {}
        for item in (data or {}).get("findings", []):
            codes[item["code"]] = codes.get(item["code"], 0) + 1
        return {"findings": dict(sorted(codes.items()))}
    if isinstance(data, dict) and "declared" in data:
        return {"planned": True}
    return {"planned": False, "why": run.stderr_tail.splitlines()[0] if run.stderr_tail else ""}


def failed(run: Run, allowed: tuple[int, ...]) -> Optional[str]:
    if run.timed_out:
        return "timed out"
    if run.exit_code not in allowed:
        return f"exited {run.exit_code}: {run.stderr_tail}"
    if run.cpu_s > SECONDS_BOUND:
        return f"took {run.cpu_s:.1f} s of CPU, over {SECONDS_BOUND:g} s"
    if run.peak_mb >= MEMORY_BOUND_MB:
        return f"peaked at {run.peak_mb:.0f} MB, over {MEMORY_BOUND_MB:g} MB"
    return None


def bench(name: str, workdir: Path, timeout: float, max_memory_mb: int) -> dict:
    path = workdir / f"{name}.yaml"
    path.write_text(SHAPES[name](), encoding="utf-8")
    result: dict = {"shape": name, "bytes": path.stat().st_size}
    python = sys.executable
    commands = {
        "bare": ([python, "-c", BARE_PARSE, str(path)], (0,)),
        "check": ([python, "-m", "recoverylint", "check", str(path), "--format", "json",
                   "--no-cache", "--max-file-size", MAX_FILE_SIZE], (0, 1)),
        "plan": ([python, "-m", "recoverylint", "plan", str(path), "--format", "json",
                  "--max-file-size", MAX_FILE_SIZE], (0, 1, 2)),
    }
    problems = []
    for what, (cmd, allowed) in commands.items():
        print(f"  {name}: {what}", flush=True)
        output = workdir / f"{name}.{what}.out"
        run = measure(cmd, timeout, max_memory_mb, output)
        result[what] = asdict(run)
        if what != "bare":
            result[what].update(summary(output, what, run))
        why = failed(run, allowed)
        if why:
            problems.append(f"{what} {why}")
    for what in ("check", "plan"):
        result[f"{what}_ratio"] = round(result[what]["wall_s"] / result["bare"]["wall_s"], 2)
    result["status"] = "fail: " + "; ".join(problems) if problems else "pass"
    return result


def table(results: list[dict]) -> str:
    headers = ("shape", "KB", "bare s", "check s (cpu)", "check MB", "plan s (cpu)", "plan MB",
               "check/bare", "plan/bare", "result")
    rows = [headers] + [
        (
            r["shape"], f"{r['bytes'] / 1000:.0f}", f"{r['bare']['wall_s']:.2f}",
            f"{r['check']['wall_s']:.2f} ({r['check']['cpu_s']:.2f})", f"{r['check']['peak_mb']:.0f}",
            f"{r['plan']['wall_s']:.2f} ({r['plan']['cpu_s']:.2f})", f"{r['plan']['peak_mb']:.0f}",
            f"{r['check_ratio']:.1f}", f"{r['plan_ratio']:.1f}", r["status"],
        )
        for r in results
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(headers))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows)


def answer(run: dict, command: str) -> str:
    """What a run answered, in a few words: its findings' codes, or whether it planned."""
    if command == "plan":
        return "planned" if run.get("planned") else "RL001, not planned"
    codes = run.get("findings", {})
    if "RL001" in codes:
        return "RL001"
    return ", ".join(f"{code} {count:,}" for code, count in codes.items()) or "clean"


def markdown(results: list[dict]) -> str:
    """The README's table of a run."""
    lines = [
        "| shape | KB | bare parse s | check s (CPU s) | check / bare | check MB | check answers"
        " | plan s (CPU s) | plan / bare | plan MB | plan answers |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        check, plan = r["check"], r["plan"]
        lines.append(
            f"| {r['shape']} | {r['bytes'] / 1000:,.0f} | {r['bare']['wall_s']:.2f}"
            f" | {check['wall_s']:.2f} ({check['cpu_s']:.2f}) | {r['check_ratio']:.1f} | {check['peak_mb']:.0f}"
            f" | {answer(check, 'check')} | {plan['wall_s']:.2f} ({plan['cpu_s']:.2f}) | {r['plan_ratio']:.1f}"
            f" | {plan['peak_mb']:.0f} | {answer(plan, 'plan')} |"
        )
    return "\n".join(lines)


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shape", action="append", choices=sorted(SHAPES))
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--max-memory-mb", type=int, default=4096)
    parser.add_argument("--no-save", action="store_true", help="do not write the results file")
    args = parser.parse_args(argv)
    names = args.shape or list(SHAPES)
    with tempfile.TemporaryDirectory(prefix="rl-pathological-") as scratch:
        workdir = args.workdir or Path(scratch)
        workdir.mkdir(parents=True, exist_ok=True)
        results = [bench(name, workdir, args.timeout, args.max_memory_mb) for name in names]
    print(table(results))
    print()
    print(markdown(results))
    if not args.no_save:
        RESULTS.write_text(json.dumps({
            "meta": {
                "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
                "python": platform.python_version(),
                "cpus": os.cpu_count(),
                "seconds_bound": SECONDS_BOUND,
                "memory_bound_mb": MEMORY_BOUND_MB,
            },
            "results": results,
        }, indent=2) + "\n", encoding="utf-8")
    return 0 if all(r["status"] == "pass" for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
