#!/usr/bin/env python3
"""Benchmark `recoverylint check` against a bare C-backed YAML parse of the same files.

    python benchmarks/run.py [--workdir DIR] [--repeat N] [--case NAME] [--timeout S]
                             [--max-memory-mb M]

Generates the corpus with generate.py when it is missing or stale, then, for each
case, times N runs of (i) a bare parse, a child process composing every file with
ruamel.yaml's C parser, and (ii) `recoverylint check` as a whole process, and
compares the medians. Writes benchmarks/results.json and benchmarks/RESULTS.md.
Exits 1 when a target is missed or a check run fails.
"""

from __future__ import annotations

import argparse
import compileall
import datetime
import hashlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
GENERATOR = HERE / "generate.py"
PEAK = HERE / "peak.py"
MAX_FILE_SIZE = "100000000"  # the default 10 MB limit would reject the 50,000-step file

# Composes every file the way recoverylint's source stage does, and nothing else.
# It reports whether the C parser was really used: without ruamel.yaml.clib,
# pure=False silently falls back to the pure-Python parser and the baseline is void.
BARE_PARSE = """
import json, pathlib, sys
from ruamel.yaml import YAML
from ruamel.yaml.main import CParser
root = pathlib.Path(sys.argv[1])
files = sorted(root.rglob('*.yaml')) if root.is_dir() else [root]
c_parser = CParser is not None and YAML(typ='safe', pure=False).Parser is CParser
for f in files:
    YAML(typ='safe', pure=False).compose(f.read_text(encoding='utf-8'))
print(json.dumps({'files': len(files), 'c_parser': c_parser}))
"""

STEP_LINE = re.compile(rb"^\s*- id: ", re.M)


@dataclass(frozen=True)
class Case:
    name: str
    path: str  # relative to the corpus directory ("repo:" + a path: to the repository)
    target_ratio: float | None = None
    max_peak_mb: float | None = None
    # Issue 16's goals, recorded beside the figures and not yet gating the run:
    # CPU time of check / bare parse, and the check's own median wall and CPU seconds
    # (on a shared machine wall time stretches with the others' load: CPU time is the fair one).
    cpu_ratio_goal: float | None = None
    check_s_goal: float | None = None
    check_cpu_s_goal: float | None = None
    one_process_too: bool = False  # also time `check --jobs 1` (is the default --jobs ever slower?)
    peak_mb_goal: float | None = None  # peak memory of check, and of plan when plan_too
    plan_too: bool = False  # also measure `plan` of the file (its peak memory)


CASES = (
    Case("many", "many", target_ratio=1.5, cpu_ratio_goal=1.2, one_process_too=True),
    Case("small", "repo:examples/hybrid-clean.yaml", check_s_goal=0.12, check_cpu_s_goal=0.12),
    Case("steps-1000", "single/steps-1000.yaml"),
    Case("steps-10000", "single/steps-10000.yaml", target_ratio=2.0),
    Case("steps-50000", "single/steps-50000.yaml", max_peak_mb=1024.0, peak_mb_goal=500.0, plan_too=True),
)


@dataclass
class Run:
    seconds: float
    cpu_s: float  # user + system of the process and every process it waited for
    peak_mb: float
    exit_code: int  # negative: killed by that signal
    timed_out: bool
    stdout: bytes
    stderr: bytes


@dataclass
class Result:
    case: str
    files: int
    mb: float
    steps: int
    bare_s: float | None = None
    check_s: float | None = None
    ratio: float | None = None
    target_ratio: float | None = None
    peak_mb: float | None = None
    max_peak_mb: float | None = None
    bare_peak_mb: float | None = None
    c_parser: bool | None = None
    findings: int | None = None
    status: str = "pass"
    error: str | None = None
    bare_cpu_s: float | None = None
    check_cpu_s: float | None = None
    cpu_ratio: float | None = None
    cpu_ratio_goal: float | None = None
    check_s_goal: float | None = None
    check_cpu_s_goal: float | None = None
    one_process_s: float | None = None  # `check --jobs 1`, when timed
    one_process_cpu_s: float | None = None
    peak_mb_goal: float | None = None
    plan_peak_mb: float | None = None  # `plan` of the file, when measured: the largest of the runs
    plan_s: float | None = None
    plan_cpu_s: float | None = None
    bare_runs_s: list[float] = field(default_factory=list)
    check_runs_s: list[float] = field(default_factory=list)
    check_exit_codes: list[int] = field(default_factory=list)
    bare_cpu_runs_s: list[float] = field(default_factory=list)
    check_cpu_runs_s: list[float] = field(default_factory=list)
    one_process_runs_s: list[float] = field(default_factory=list)
    one_process_cpu_runs_s: list[float] = field(default_factory=list)
    plan_runs_s: list[float] = field(default_factory=list)
    plan_cpu_runs_s: list[float] = field(default_factory=list)
    plan_peak_runs_mb: list[float] = field(default_factory=list)


def measure(cmd: list[str], timeout: float, max_memory_mb: int, source: Path = REPO) -> Run:
    """Run cmd as a whole process through peak.py: wall time including interpreter
    start, CPU time, exit code, and the child's own peak RSS.  `source` is put
    first on the path (a compiled snapshot of the package: see `snapshot`).

    CPU time is cmd's own, its workers included, as wait4 gives it to peak.py
    (not peak.py's own start, about 0.03 s, which is no part of what a user
    pays): on a busy machine wall time stretches with the load, CPU time
    hardly moves.

    Each run gets a fresh working directory and XDG cache so no run can reuse a
    cache written by an earlier one. Output goes to files, not pipes, so a large
    JSON report cannot block the child."""
    with tempfile.TemporaryDirectory(prefix="rlbench-") as scratch:
        tmp = Path(scratch)
        env = dict(os.environ, XDG_CACHE_HOME=str(tmp / "cache"))
        # The repo first on the path: `-m recoverylint` then works uninstalled too.
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(source), os.environ.get("PYTHONPATH")) if p)
        with open(tmp / "out", "w+b") as out, open(tmp / "err", "w+b") as err:
            wrapper = [sys.executable, str(PEAK), "--report", str(tmp / "report.json"),
                       "--timeout", str(timeout), "--max-memory-mb", str(max_memory_mb), "--"]
            done = subprocess.run(wrapper + cmd, stdout=out, stderr=err, cwd=scratch, env=env)
            out.seek(0)
            err.seek(0)
            stdout, stderr = out.read(), err.read()
        if done.returncode != 0:
            raise RuntimeError(f"peak.py failed ({done.returncode}):\n{tail(stderr)}")
        report = json.loads((tmp / "report.json").read_text(encoding="utf-8"))
        return Run(report["seconds"], report["cpu_s"], report["peak_mb"], report["exit_code"], report["timed_out"],
                   stdout, stderr)


def snapshot(into: Path) -> Path:
    """A compiled copy of the package and its data as they are now: what an
    installed recoverylint runs (a checkout run with PYTHONDONTWRITEBYTECODE
    would compile every module at every start), and safe from edits to the
    checkout while the benchmark runs."""
    for name in ("recoverylint", "rules", "schemas"):
        shutil.copytree(REPO / name, into / name, ignore=shutil.ignore_patterns("__pycache__"))
    compileall.compile_dir(into / "recoverylint", quiet=1)
    return into


def tail(data: bytes, lines: int = 15) -> str:
    return "\n".join(data.decode("utf-8", "replace").rstrip().splitlines()[-lines:])


def ensure_corpus(workdir: Path) -> Path:
    """Generate the corpus unless one from this exact generator is already there."""
    corpus = workdir / "corpus"
    stamp = corpus / ".generator-sha256"
    digest = hashlib.sha256(GENERATOR.read_bytes()).hexdigest()
    if stamp.is_file() and stamp.read_text().strip() == digest:
        return corpus
    print(f"generating corpus in {corpus} ...", flush=True)
    start = time.perf_counter()
    subprocess.run([sys.executable, str(GENERATOR), str(corpus)], check=True)
    stamp.write_text(digest + "\n")
    print(f"  done in {time.perf_counter() - start:.1f} s", flush=True)
    return corpus


def describe(path: Path) -> tuple[int, int, int]:
    """Files, bytes and steps of a case; reading the files also warms the page cache."""
    files = sorted(path.rglob("*.yaml")) if path.is_dir() else [path]
    size = steps = 0
    for f in files:
        data = f.read_bytes()
        size += len(data)
        steps += len(STEP_LINE.findall(data))
    return len(files), size, steps


def count_findings(stdout: bytes) -> int | None:
    try:
        report = json.loads(stdout)
    except ValueError:
        return None
    findings = report.get("findings") if isinstance(report, dict) else None
    return len(findings) if isinstance(findings, list) else None


def failure(run: Run, timeout: float, max_memory_mb: int) -> str | None:
    """Why a check run failed, or None. Exit 1 only means findings were reported, but
    a run that crashed (MemoryError exits 1 too) leaves no JSON report behind."""
    if run.timed_out:
        return f"timed out after {timeout:.0f} s"
    if run.exit_code < 0:
        return f"was killed by signal {-run.exit_code} at a peak of {run.peak_mb:.0f} MB"
    if b"MemoryError" in run.stderr:
        return f"ran out of memory under the {max_memory_mb} MB cap (--max-memory-mb)"
    if run.exit_code not in (0, 1):
        return f"exited {run.exit_code}"
    try:
        json.loads(run.stdout)
    except ValueError:
        return f"exited {run.exit_code} without a JSON report on stdout"
    return None


def case_path(case: Case, corpus: Path) -> Path:
    return REPO / case.path[len("repo:"):] if case.path.startswith("repo:") else corpus / case.path


def bench_case(
    case: Case, corpus: Path, repeat: int, timeout: float, max_memory_mb: int, source: Path = REPO
) -> Result:
    path = case_path(case, corpus)
    files, size, steps = describe(path)
    res = Result(case.name, files, round(size / 1e6, 2), steps,
                 target_ratio=case.target_ratio, max_peak_mb=case.max_peak_mb,
                 cpu_ratio_goal=case.cpu_ratio_goal, check_s_goal=case.check_s_goal,
                 check_cpu_s_goal=case.check_cpu_s_goal, peak_mb_goal=case.peak_mb_goal)
    bare_cmd = [sys.executable, "-c", BARE_PARSE, str(path)]
    check_cmd = [sys.executable, "-m", "recoverylint", "check", str(path),
                 "--format", "json", "--max-file-size", MAX_FILE_SIZE, "--no-cache"]
    bare_peaks: list[float] = []
    check_peaks: list[float] = []
    for i in range(repeat):
        # Alternate the two so drift in machine load hits both alike.
        print(f"  {case.name}: run {i + 1}/{repeat} bare parse", flush=True)
        bare = measure(bare_cmd, timeout, max_memory_mb, source)
        if bare.exit_code != 0:
            res.status, res.error = "error", f"bare parse exited {bare.exit_code}:\n{tail(bare.stderr)}"
            return res
        res.bare_runs_s.append(bare.seconds)
        res.bare_cpu_runs_s.append(round(bare.cpu_s, 3))
        bare_peaks.append(bare.peak_mb)
        info = json.loads(bare.stdout)
        res.c_parser = info["c_parser"]
        print(f"  {case.name}: run {i + 1}/{repeat} recoverylint check", flush=True)
        check = measure(check_cmd, timeout, max_memory_mb, source)
        res.check_exit_codes.append(check.exit_code)
        check_peaks.append(check.peak_mb)
        why = failure(check, timeout, max_memory_mb)
        if why:
            res.status, res.error = "error", f"recoverylint check {why}:\n{tail(check.stderr)}"
            print(f"  {case.name}: FAILED, {res.error}", file=sys.stderr, flush=True)
            break
        res.check_runs_s.append(check.seconds)
        res.check_cpu_runs_s.append(round(check.cpu_s, 3))
        res.findings = count_findings(check.stdout)
        if case.one_process_too:
            print(f"  {case.name}: run {i + 1}/{repeat} recoverylint check --jobs 1", flush=True)
            one = measure([*check_cmd, "--jobs", "1"], timeout, max_memory_mb, source)
            why = failure(one, timeout, max_memory_mb)
            if why:
                res.status, res.error = "error", f"recoverylint check --jobs 1 {why}:\n{tail(one.stderr)}"
                break
            res.one_process_runs_s.append(one.seconds)
            res.one_process_cpu_runs_s.append(round(one.cpu_s, 3))
        if case.plan_too:
            print(f"  {case.name}: run {i + 1}/{repeat} recoverylint plan", flush=True)
            plan_cmd = [sys.executable, "-m", "recoverylint", "plan", str(path),
                        "--format", "json", "--max-file-size", MAX_FILE_SIZE]
            planned = measure(plan_cmd, timeout, max_memory_mb, source)
            why = failure(planned, timeout, max_memory_mb)
            if why:
                res.status, res.error = "error", f"recoverylint plan {why}:\n{tail(planned.stderr)}"
                break
            res.plan_runs_s.append(planned.seconds)
            res.plan_cpu_runs_s.append(round(planned.cpu_s, 3))
            res.plan_peak_runs_mb.append(planned.peak_mb)
    res.bare_s = round(statistics.median(res.bare_runs_s), 3)
    res.bare_peak_mb = max(bare_peaks)
    res.peak_mb = max(check_peaks)  # the worst run: a limit must hold every time
    if res.status == "error":
        return res
    res.check_s = round(statistics.median(res.check_runs_s), 3)
    res.ratio = round(res.check_s / res.bare_s, 2)
    res.bare_cpu_s = round(statistics.median(res.bare_cpu_runs_s), 3)
    res.check_cpu_s = round(statistics.median(res.check_cpu_runs_s), 3)
    res.cpu_ratio = round(res.check_cpu_s / res.bare_cpu_s, 2)
    if res.one_process_runs_s:
        res.one_process_s = round(statistics.median(res.one_process_runs_s), 3)
        res.one_process_cpu_s = round(statistics.median(res.one_process_cpu_runs_s), 3)
    if res.plan_runs_s:
        res.plan_s = round(statistics.median(res.plan_runs_s), 3)
        res.plan_cpu_s = round(statistics.median(res.plan_cpu_runs_s), 3)
        res.plan_peak_mb = max(res.plan_peak_runs_mb)
    if case.target_ratio is not None and res.ratio > case.target_ratio:
        res.status = "fail"
    if case.max_peak_mb is not None and res.peak_mb >= case.max_peak_mb:
        res.status = "fail"
    return res


def fmt(value: float | int | None, spec: str = "") -> str:
    return "-" if value is None else format(value, spec)


def target_text(res: Result) -> str:
    parts = []
    if res.target_ratio is not None:
        parts.append(f"<= {res.target_ratio:g}")
    if res.max_peak_mb is not None:
        parts.append(f"peak < {res.max_peak_mb:g} MB")
    return ", ".join(parts) or "none"


HEADERS = ("case", "files", "MB", "steps", "bare parse s (CPU s)", "check s (CPU s)", "ratio",
           "CPU ratio", "target", "peak MB (check)", "result")


def with_cpu(seconds: float | None, cpu_s: float | None) -> str:
    return f"{fmt(seconds, '.2f')} ({fmt(cpu_s, '.2f')})"


def rows(results: list[Result]) -> list[tuple[str, ...]]:
    return [(r.case, str(r.files), fmt(r.mb, ".2f"), str(r.steps), with_cpu(r.bare_s, r.bare_cpu_s),
             with_cpu(r.check_s, r.check_cpu_s), fmt(r.ratio, ".2f"), fmt(r.cpu_ratio, ".2f"),
             target_text(r), fmt(r.peak_mb, ".0f"), r.status)
            for r in results]


def goals_text(results: list[Result]) -> list[str]:
    """Issue 16's goals beside what the run measured (met or not)."""
    lines = []
    for r in results:
        if r.cpu_ratio_goal is not None and r.cpu_ratio is not None:
            met = "met" if r.cpu_ratio <= r.cpu_ratio_goal else "not met"
            lines.append(f"- {r.case}: CPU ratio {r.cpu_ratio:.2f}, goal <= {r.cpu_ratio_goal:g}: {met}")
        if r.check_s_goal is not None and r.check_s is not None:
            met = "met" if r.check_s <= r.check_s_goal else "not met"
            lines.append(f"- {r.case}: check {r.check_s:.2f} s, goal <= {r.check_s_goal:g} s: {met}")
        if r.check_cpu_s_goal is not None and r.check_cpu_s is not None:
            met = "met" if r.check_cpu_s <= r.check_cpu_s_goal else "not met"
            lines.append(f"- {r.case}: check {r.check_cpu_s:.2f} s CPU, goal <= {r.check_cpu_s_goal:g} s: {met}")
        if r.peak_mb_goal is not None and r.peak_mb is not None:
            lines.append(f"- {r.case}: {peak_goal_text(r)}")
        if r.one_process_s is not None and r.check_s is not None:
            lines.append(f"- {r.case}: default --jobs {with_cpu(r.check_s, r.check_cpu_s)} s,"
                         f" --jobs 1 {with_cpu(r.one_process_s, r.one_process_cpu_s)} s")
    return lines


def peak_goal_text(r: Result) -> str:
    """The peak memory of check (and plan) against issue 16's goal."""
    goal = r.peak_mb_goal
    peaks = [r.peak_mb] + ([] if r.plan_peak_mb is None else [r.plan_peak_mb])
    met = "met" if goal is not None and all(p is not None and p <= goal for p in peaks) else "not met"
    plan = "" if r.plan_peak_mb is None else f" and {r.plan_peak_mb:.0f} MB for plan"
    return f"peak {r.peak_mb:.0f} MB for check{plan} (goal <= {r.peak_mb_goal:g} MB: {met})"


def text_table(results: list[Result]) -> str:
    table = [HEADERS, *rows(results)]
    widths = [max(len(row[i]) for row in table) for i in range(len(HEADERS))]
    return "\n".join("  ".join(cell.rjust(w) if i else cell.ljust(w) for i, (cell, w) in
                               enumerate(zip(row, widths, strict=True))) for row in table)


def markdown(results: list[Result], meta: dict[str, object]) -> str:
    lines = [
        "# recoverylint benchmark results",
        "",
        f"- date: {meta['date']}",
        f"- python: {meta['python']} ({meta['implementation']}, {meta['platform']})",
        f"- CPUs: {meta['cpus']}",
        f"- runs per measurement: {meta['repeat']} (medians shown; peak memory is the largest of the runs)",
        f"- bare parse used the C parser: {meta['c_parser']}",
        "",
        "| " + " | ".join(HEADERS) + " |",
        "|" + "|".join("---" if i == 0 else "---:" for i in range(len(HEADERS))) + "|",
    ]
    lines += ["| " + " | ".join(row) + " |" for row in rows(results)]
    goals = goals_text(results)
    if goals:
        lines += ["", "Goals of issue 16:", "", *goals]
    errors = [r for r in results if r.error]
    if errors:
        lines += ["", "## Errors", ""]
        for r in errors:
            lines += [f"### {r.case}", "", "```", r.error or "", "```", ""]
    lines += ["", "Produced by `python benchmarks/run.py`; see benchmarks/README.md for how to read it.", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "recoverylint-bench",
                    help="where the generated corpus lives (default: %(default)s)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per measurement; the median is used")
    ap.add_argument("--case", action="append", choices=[c.name for c in CASES],
                    help="run only this case (repeatable; default: all)")
    ap.add_argument("--timeout", type=float, default=900.0, help="seconds before a run is killed")
    ap.add_argument("--max-memory-mb", type=int, default=4096,
                    help="address-space cap for every measured process, so a runaway run fails "
                         "alone instead of invoking the OOM killer; 0: no cap (default: %(default)s)")
    args = ap.parse_args(argv)
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")
    corpus = ensure_corpus(args.workdir.resolve())
    measured = []
    with tempfile.TemporaryDirectory(prefix="rlbench-source-") as scratch:
        source = snapshot(Path(scratch))
        for case in (c for c in CASES if not args.case or c.name in args.case):
            print(f"{case.name} ...", flush=True)
            measured.append(bench_case(case, corpus, args.repeat, args.timeout, args.max_memory_mb, source))
    results = kept_results(measured)
    c_parser = all(r.c_parser for r in results if r.c_parser is not None)
    if not c_parser:
        print("WARNING: the bare parse did not use ruamel.yaml.clib's CParser (is ruamel.yaml.clib "
              "installed for this interpreter?); its times are not the intended baseline.", file=sys.stderr)
    meta = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "repeat": args.repeat,
        "max_memory_mb": args.max_memory_mb,
        "c_parser": c_parser,
        "corpus": str(corpus),
    }
    print()
    print(text_table(measured))
    print("\n".join(goals_text(measured)))
    (HERE / "results.json").write_text(
        json.dumps({"meta": meta, "results": [asdict(r) for r in results]}, indent=2) + "\n", encoding="utf-8")
    (HERE / "RESULTS.md").write_text(markdown(results, meta), encoding="utf-8")
    print(f"\nwrote {HERE / 'results.json'} and {HERE / 'RESULTS.md'}")
    return 0 if all(r.status == "pass" for r in measured) else 1


def kept_results(measured: list[Result]) -> list[Result]:
    """The results to write: the cases measured now, and for the others (with
    --case) their last results as results.json has them, in CASES order."""
    by_case = {r.case: r for r in measured}
    try:
        last = json.loads((HERE / "results.json").read_text(encoding="utf-8"))["results"]
    except (OSError, ValueError, KeyError):
        last = []
    known = {f.name for f in fields(Result)}
    for stored in last:
        if stored.get("case") not in by_case:
            by_case[stored["case"]] = Result(**{k: v for k, v in stored.items() if k in known})
    return [by_case[c.name] for c in CASES if c.name in by_case]


if __name__ == "__main__":
    sys.exit(main())
