#!/usr/bin/env python3
"""A 10,000-step Rundeck job: `recoverylint check` against a bare parse.

    python benchmarks/rundeck.py [--steps N] [--repeat R] [--workdir DIR]

The job (generated, deterministic) runs its steps `node-first`; each step
an `exec` or a `script` (kubectl, oc, systemctl, helm, curl, ceph, etcdctl:
reads, then changes), some using a job option.  The bare parse is the least
any tool must do to read such a job: ruamel.yaml's load of the file with
its C parser (as benchmarks/run.py's bare parse) and bashlex's parse of
each command.  Each runs in a
fresh process; the CPU time (user + system, from `os.wait4`) of the median
run is reported, and the ratio check / bare parse.  The issue's target is a
ratio within 2.  Writes benchmarks/rundeck_results.json; exits 1 when the
ratio is over 2 or a run fails.
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
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
RESULTS = HERE / "rundeck_results.json"
TARGET_RATIO = 2.0

BARE_PARSE = """
import pathlib, sys
import bashlex
from ruamel.yaml import YAML
for job in YAML(typ="safe", pure=False).load(pathlib.Path(sys.argv[1]).read_text(encoding="utf-8")):
    for command in job["sequence"]["commands"]:
        bashlex.parse(command.get("exec") or command["script"])
"""

_COMMANDS = (
    "oc get pods -n ns{n} -l app=web{n}",
    "kubectl describe deployment/web{n} -n ${{option.namespace}}",
    "systemctl status unit{n}",
    "helm status release{n} -n ns{n}",
    "curl -s https://svc{n}.example.com/health",
    "ceph osd tree",
    "etcdctl endpoint health",
)
_CHANGES = (
    "oc rollout restart deployment/web{n} -n ns{n}",
    "kubectl scale deployment web{n} --replicas=3 -n ns{n}",
    "systemctl restart unit{n}",
    "helm rollback release{n} 1 -n ns{n}",
    "curl -X POST https://svc{n}.example.com/reset",
)


def job(steps: int) -> str:
    """A job of `steps` commands, half reads, half changes; every fifth a script."""
    half = steps // 2
    lines = [
        "- name: generated", "  options:", "  - name: namespace", "  sequence:",
        "    keepgoing: false", "    strategy: node-first", "    commands:",
    ]
    for n in range(steps):
        command = (_COMMANDS if n < half else _CHANGES)[n % (len(_COMMANDS) if n < half else len(_CHANGES))]
        written = command.format(n=n)
        if n % 5 == 0:
            lines += [f"    - description: Step {n}", "      script: |-", "        #!/bin/bash", f"        {written}"]
        else:
            lines.append(f"    - exec: '{written}'")
    return "\n".join(lines) + "\n"


def cpu_seconds(arguments: list[str]) -> float:
    """The CPU time of one run in a fresh process (user + system)."""
    process = subprocess.Popen(arguments, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=REPO)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in (0, 1):
        raise SystemExit(f"{arguments} failed: {process.stderr.read().decode() if process.stderr else ''}")
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "recoverylint-bench")
    options = parser.parse_args()
    options.workdir.mkdir(parents=True, exist_ok=True)
    target = options.workdir / f"rundeck-{options.steps}.yaml"
    target.write_text(job(options.steps), encoding="utf-8")
    bare = [cpu_seconds([sys.executable, "-c", BARE_PARSE, str(target)]) for _ in range(options.repeat)]
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
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))
    return 0 if result["ratio"] <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
