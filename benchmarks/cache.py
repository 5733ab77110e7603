#!/usr/bin/env python3
"""Benchmark `recoverylint check`'s result cache on 1,000 runbooks.

    python benchmarks/cache.py [--workdir DIR] [--repeat N] [--timeout S]

Times, as whole processes through the real command line, N rounds of
(i) a run with `--no-cache` in one worker process per CPU (what the
default `--jobs` gives on an idle machine: given, so that the load the
benchmark's own runs leave does not decide it), (ii) the same in one process
(`--jobs 1`: what the default gives on a busy machine), (iii) a cold run,
one worker per CPU, that fills an empty cache and (iv) a warm re-run over
the unchanged files, and compares the medians of wall time (the target) and
of CPU time (which a busy machine hardly moves).
Every run must print the same JSON report.  Writes benchmarks/cache_results.json
and prints a Markdown table; exits 1 when warm / cold is over the target.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

# benchmarks/run.py (this folder is the script's first path entry): the same corpus, made once.
from run import ensure_corpus, snapshot, tail

HERE = Path(__file__).resolve().parent
TARGET = 0.2  # warm run / cold run
GOAL = 0.05  # issue 16's goal for warm / cold, recorded beside the figure
CACHE_FOLDER = ".recoverylint_cache"
# The cache's entries: <tool>/<shard>/<key>.json (not its memos in digests/, which a warm run may write).
ENTRIES = "*/*/*.json"
MODES = ("no-cache", "no-cache, one process", "cold, filling", "warm")
# The arguments each mode adds to the check.
CPUS = str(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)
EXTRA = {
    "no-cache": ("--no-cache", "--jobs", CPUS),
    "no-cache, one process": ("--no-cache", "--jobs", "1"),
    "cold, filling": ("--jobs", CPUS),
}
NO_CACHE = ("no-cache", "no-cache, one process")


@dataclass
class Timings:
    mode: str
    runs_s: list[float] = field(default_factory=list)  # wall clock
    cpu_runs_s: list[float] = field(default_factory=list)  # user + system, worker processes included
    exit_codes: list[int] = field(default_factory=list)
    # The load average of the last minute as each run started (by default
    # `check` runs as many workers as it leaves CPUs idle: runner.default_jobs).
    load_1min: list[float] = field(default_factory=list)
    median_s: float | None = None
    cpu_median_s: float | None = None


def check_command(corpus: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "recoverylint", "check", str(corpus / "many"), "--format", "json", *extra]


def timed(cmd: list[str], source: Path, cwd: Path, report: Path, timeout: float) -> tuple[float, float, int]:
    """Wall time (interpreter start included), CPU time and exit code of `cmd`
    run with recoverylint from `source`; its stdout goes to `report` (a file,
    not a pipe: the report is tens of MB).  CPU time hardly depends on what
    else the machine runs; wall time does."""
    env = {k: v for k, v in os.environ.items() if k != "RECOVERYLINT_CACHE_DIR"}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(source), os.environ.get("PYTHONPATH")) if p)
    with open(report, "wb") as out, open(cwd / "stderr", "w+b") as err:
        start = time.perf_counter()
        process = subprocess.Popen(cmd, stdout=out, stderr=err, cwd=cwd, env=env)
        # A blocking wait, the timeout kept by a timer: Popen.wait(timeout)
        # polls with sleeps growing to 50 ms, which added up to 50 ms to the
        # wall time of a run of a fifth of a second (a warm run's).
        killer = threading.Timer(timeout, process.kill)
        killer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            killer.cancel()
        seconds = time.perf_counter() - start
        process.returncode = code = os.waitstatus_to_exitcode(status)
        if code == -signal.SIGKILL and seconds >= timeout:
            raise SystemExit(f"{' '.join(cmd)} was still running after {timeout:.0f} s")
        # user + system of the run and of the worker processes it waited for
        cpu = usage.ru_utime + usage.ru_stime
        err.seek(0)
        if code not in (0, 1):  # 1: findings were reported
            raise SystemExit(f"{' '.join(cmd)} exited {code}:\n{tail(err.read())}")
    return seconds, cpu, code


def folder_size(folder: Path) -> tuple[int, int]:
    """Entries (ENTRIES: not the memos of digests/) and bytes under `folder`."""
    files = [f for f in folder.rglob("*") if f.is_file()]
    return len(list(folder.glob(ENTRIES))), sum(f.stat().st_size for f in files)


def markdown(
    timings: dict[str, Timings], ratio: float, cpu_ratio: float, fill_ratio: float, meta: dict
) -> str:
    cold = timings["no-cache"].median_s or 0.0
    lines = [
        (
            f"{meta['files']:,} runbooks ({meta['corpus_mb']:.1f} MB, {meta['findings']:,} findings),"
            f" {meta['cpus']} CPUs, Python {meta['python']}, median of {meta['repeat']} runs:"
        ),
        "",
        "| run | median s | runs s | / no-cache | CPU s (median) |",
        "|---|---:|---|---:|---:|",
    ]
    for mode in MODES:
        t = timings[mode]
        runs = ", ".join(f"{s:.2f}" for s in t.runs_s)
        lines.append(
            f"| {mode} | {t.median_s:.2f} | {runs} | {(t.median_s or 0.0) / cold:.2f} | {t.cpu_median_s:.2f} |"
        )
    lines += [
        "",
        (
            f"warm / cold = {ratio:.2f} (target <= {TARGET:g}: {'pass' if ratio <= TARGET else 'FAIL'};"
            f" in CPU time {cpu_ratio:.2f}; issue 16's goal <= {GOAL:g}:"
            f" {'met' if max(ratio, cpu_ratio) <= GOAL else 'not met'});"
            f" filling the cache costs {100 * (fill_ratio - 1):+.0f}% on a cold run;"
            f" the cache holds {meta['entries']:,} entries, {meta['cache_mb']:.1f} MB."
        ),
        "",
        (
            f"warm / cold in one process = {timings['warm'].median_s / timings['no-cache, one process'].median_s:.3f};"
            " load average as each run without the cache started: "
            + ", ".join(f"{load:.2f}" for load in timings["no-cache"].load_1min)
            + f" (each run without the cache, but the one-process one, and each cold run had {CPUS} worker processes)"
        ),
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "recoverylint-bench",
                    help="where the generated corpus lives, shared with run.py (default: %(default)s)")
    ap.add_argument("--repeat", type=int, default=3, help="rounds; medians are reported (default: 3)")
    ap.add_argument("--timeout", type=float, default=900.0, help="seconds before a run is abandoned")
    args = ap.parse_args(argv)
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")
    corpus = ensure_corpus(args.workdir.resolve())
    many = sorted((corpus / "many").glob("*.yaml"))
    for file in many:  # warm the page cache, so that the first run is not the only one reading the disk
        file.read_bytes()

    timings = {mode: Timings(mode) for mode in MODES}
    first_report: bytes | None = None  # every run must print the same
    with tempfile.TemporaryDirectory(prefix="rlcache-") as scratch:
        source = snapshot(Path(scratch) / "source")
        cwd = Path(scratch) / "work"  # the cache is made in the current directory
        cwd.mkdir()
        cache = cwd / CACHE_FOLDER
        for round_number in range(1, args.repeat + 1):
            # The three modes in turn, so that drift in machine load hits all alike.
            for mode in MODES:
                print(f"round {round_number}/{args.repeat}: {mode}", flush=True)
                if mode != "warm":
                    shutil.rmtree(cache, ignore_errors=True)
                extra = EXTRA.get(mode, ())
                report = cwd / "report.json"
                filled = set(cache.glob(ENTRIES))
                timings[mode].load_1min.append(round(os.getloadavg()[0], 2))
                seconds, cpu, code = timed(check_command(corpus, *extra), source, cwd, report, args.timeout)
                timings[mode].runs_s.append(round(seconds, 3))
                timings[mode].cpu_runs_s.append(round(cpu, 3))
                timings[mode].exit_codes.append(code)
                output = report.read_bytes()
                first_report = first_report or output
                if output != first_report:
                    raise SystemExit(f"the {mode} run printed another report than the first run")
                if mode in NO_CACHE and cache.exists():
                    raise SystemExit(f"--no-cache wrote {cache}")
                if mode == "warm" and set(cache.glob(ENTRIES)) != filled:
                    raise SystemExit("the warm run missed the cache: it wrote entries")
        entries, cache_bytes = folder_size(cache)

    for t in timings.values():
        t.median_s = round(statistics.median(t.runs_s), 3)
        t.cpu_median_s = round(statistics.median(t.cpu_runs_s), 3)
    cold = timings["no-cache"].median_s
    ratio = round(timings["warm"].median_s / cold, 3)
    cpu_ratio = round(timings["warm"].cpu_median_s / timings["no-cache"].cpu_median_s, 3)
    fill_ratio = round(timings["cold, filling"].median_s / cold, 3)
    one_process_ratio = round(timings["warm"].median_s / timings["no-cache, one process"].median_s, 3)
    meta = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "repeat": args.repeat,
        "corpus": str(corpus / "many"),
        "files": len(many),
        "corpus_mb": round(sum(f.stat().st_size for f in many) / 1e6, 2),
        "findings": len(json.loads(first_report or b"")["findings"]),
        "entries": entries,
        "cache_mb": round(cache_bytes / 1e6, 2),
    }
    results = {
        "meta": meta,
        "timings": [asdict(t) for t in timings.values()],
        "warm_over_cold": ratio,
        "warm_over_cold_cpu": cpu_ratio,
        "warm_over_one_process": one_process_ratio,
        "filling_over_cold": fill_ratio,
        "target": TARGET,
        "goal": GOAL,
        "status": "pass" if ratio <= TARGET else "fail",
    }
    (HERE / "cache_results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print()
    print(markdown(timings, ratio, cpu_ratio, fill_ratio, meta))
    print(f"\nwrote {HERE / 'cache_results.json'}")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
