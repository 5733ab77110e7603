#!/usr/bin/env python3
"""A 10,000-step Markdown runbook: `recoverylint check` against a bare parse.

    python benchmarks/markdown.py [--steps N] [--repeat R] [--workdir DIR]

The page (generated, deterministic) has a Diagnosis and a Mitigation
section, each a numbered list whose items hold a command in inline code or
a fenced block (kubectl, oc, systemctl, helm, curl, ceph, etcdctl; some
assigning a variable a later item uses).  The bare parse is the least any
tool must do to read such a page: markdown-it-py's parse of the page and
bashlex's parse of each command.  Each runs in a fresh process; the CPU
time (user + system, from `os.wait4`) of the median run is reported, and
the ratio check / bare parse.  The issue's target is a ratio within 2.
Writes benchmarks/markdown_results.json; exits 1 when the ratio is over 2
or a run fails.
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
RESULTS = HERE / "markdown_results.json"
TARGET_RATIO = 2.0

BARE_PARSE = """
import pathlib, sys
import bashlex
from markdown_it import MarkdownIt
for token in MarkdownIt("commonmark").parse(pathlib.Path(sys.argv[1]).read_text(encoding="utf-8")):
    codes = [token.content] if token.type == "fence" else [
        child.content for child in token.children or () if child.type == "code_inline"
    ]
    for code in codes:
        bashlex.parse(code)
"""

_COMMANDS = (
    "oc get pods -n ns{n} -l app=web{n}",
    "kubectl describe deployment/web{n} -n ns{n}",
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


def page(steps: int) -> str:
    """A runbook of `steps` list items, half diagnosis, half mitigation."""
    half = steps // 2
    lines = ["# Generated", "", "## Diagnosis", ""]
    for n in range(half):
        if n % 10 == 0:
            marker = f"{n + 1}. "
            indent = " " * len(marker)  # the item's content column, so that the block is in it
            lines += [f"{marker}Find the pod:", f"{indent}```bash", f"{indent}POD{n}=$(oc get pods -n ns{n} -o name)", f"{indent}```"]
        elif n % 10 == 1:
            lines.append(f"{n + 1}. Read its logs: `oc logs $POD{n - 1} -n ns{n - 1}`")
        else:
            lines.append(f"{n + 1}. Look: `{_COMMANDS[n % len(_COMMANDS)].format(n=n)}`")
    lines += ["", "## Mitigation", ""]
    for n in range(steps - half):
        lines.append(f"{n + 1}. Change: `{_CHANGES[n % len(_CHANGES)].format(n=n)}`")
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
    target = options.workdir / f"markdown-{options.steps}.md"
    target.write_text(page(options.steps), encoding="utf-8")
    bare = [cpu_seconds([sys.executable, "-c", BARE_PARSE, str(target)]) for _ in range(options.repeat)]
    check = [
        cpu_seconds([sys.executable, "-m", "recoverylint", "check", "--no-cache", "--max-file-size", "100000000", str(target)])
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
