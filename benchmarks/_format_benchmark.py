"""What benchmarks/markdown.py, rundeck.py, ansible.py and xsoar.py share:
one generated file of a format, `recoverylint check` of it against a bare
parse, each in a fresh process, the CPU time of the median run compared.

Each writes benchmarks/<format>_results.json, of one shape, and exits 1
when the ratio check / bare parse is over the issue's target (2) or a run
fails.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
TARGET_RATIO = 2.0
# Shell commands that change something, for the formats whose steps run shell.
SHELL_CHANGES = (
    "oc rollout restart deployment/web{n} -n ns{n}",
    "kubectl scale deployment web{n} --replicas=3 -n ns{n}",
    "systemctl restart unit{n}",
    "helm rollback release{n} 1 -n ns{n}",
    "curl -X POST https://svc{n}.example.com/reset",
)


def cpu_seconds(arguments: list[str]) -> float:
    """The CPU time of one run in a fresh process (user + system)."""
    process = subprocess.Popen(arguments, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=REPO)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in (0, 1):
        raise SystemExit(f"{arguments} failed: {process.stderr.read().decode() if process.stderr else ''}")
    return usage.ru_utime + usage.ru_stime


def run_format_benchmark(
    doc: str | None, name: str, suffix: str, generate: Callable[[int], str], bare_parse: str
) -> int:
    """Parse the command line (the benchmark's `doc` its help), generate the
    file of `name` (with `suffix`), measure both, write the results; the exit
    code is 0 when the ratio meets the target, 1 when not."""
    parser = argparse.ArgumentParser(description=(doc or "").split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "recoverylint-bench")
    options = parser.parse_args()
    options.workdir.mkdir(parents=True, exist_ok=True)
    target = options.workdir / f"{name}-{options.steps}.{suffix}"
    target.write_text(generate(options.steps), encoding="utf-8")
    bare = [cpu_seconds([sys.executable, "-c", bare_parse, str(target)]) for _ in range(options.repeat)]
    check = [
        cpu_seconds([sys.executable, "-m", "recoverylint", "check", "--no-cache", "--max-file-size", "100000000",
                     str(target)])
        for _ in range(options.repeat)
    ]
    result = {
        "steps": options.steps,
        "bytes": target.stat().st_size,
        "bare_parse_cpu_s": round(statistics.median(bare), 2),
        "check_cpu_s": round(statistics.median(check), 2),
        "ratio": round(statistics.median(check) / statistics.median(bare), 2),
        "target_ratio": TARGET_RATIO,
        "python": platform.python_version(),
        "machine": platform.machine(),
    }
    (HERE / f"{name}_results.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))
    return 0 if result["ratio"] <= TARGET_RATIO else 1
