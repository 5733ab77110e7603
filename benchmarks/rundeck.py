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

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _format_benchmark import SHELL_CHANGES, run_format_benchmark

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


def job(steps: int) -> str:
    """A job of `steps` commands, half reads, half changes; every fifth a script."""
    half = steps // 2
    lines = [
        "- name: generated", "  options:", "  - name: namespace", "  sequence:",
        "    keepgoing: false", "    strategy: node-first", "    commands:",
    ]
    for n in range(steps):
        command = (_COMMANDS if n < half else SHELL_CHANGES)[n % (len(_COMMANDS) if n < half else len(SHELL_CHANGES))]
        written = command.format(n=n)
        if n % 5 == 0:
            lines += [f"    - description: Step {n}", "      script: |-", "        #!/bin/bash", f"        {written}"]
        else:
            lines.append(f"    - exec: '{written}'")
    return "\n".join(lines) + "\n"


def main() -> int:
    return run_format_benchmark(__doc__, "rundeck", "yaml", job, BARE_PARSE)


if __name__ == "__main__":
    sys.exit(main())
