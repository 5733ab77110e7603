#!/usr/bin/env python3
"""A 10,000-node AWX workflow: `recoverylint check` against a bare parse.

    python benchmarks/awx.py [--steps N] [--repeat R] [--workdir DIR]

The workflow (generated, deterministic) is a `workflow_nodes` list of job
templates, each node's success leading to the next two, every tenth node's
failure to a node five further on, and every fiftieth an approval node.
The bare parse is the least any tool must do to read it: ruamel.yaml's
load of the file with its C parser (as benchmarks/run.py's bare parse).
Each runs in a fresh process; the CPU time (user + system, from
`os.wait4`) of the median run is reported, and the ratio check / bare
parse.  The issue's target is a ratio within 2.  Writes
benchmarks/awx_results.json; exits 1 when the ratio is over 2 or a run
fails.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _format_benchmark import run_format_benchmark

BARE_PARSE = """
import pathlib, sys
from ruamel.yaml import YAML
YAML(typ="safe", pure=False).load(pathlib.Path(sys.argv[1]).read_text(encoding="utf-8"))
"""

APPROVAL_EVERY = 50
FAILURE_EVERY = 10


def workflow(steps: int) -> str:
    """A workflow of `steps` nodes."""
    lines = ["name: generated", "workflow_nodes:"]
    for node in range(steps):
        kind = "workflow_approval_template" if node % APPROVAL_EVERY == 0 else "job_template"
        lines += [f"  - identifier: n{node}", f"    unified_job_template: {{name: Job {node}, type: {kind}}}"]
        following = [f"n{later}" for later in (node + 1, node + 2) if later < steps]
        if following:
            lines.append(f"    success_nodes: [{', '.join(following)}]")
        if node % FAILURE_EVERY == 0 and node + 5 < steps:
            lines.append(f"    failure_nodes: [n{node + 5}]")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(run_format_benchmark(__doc__, "awx", "yml", workflow, BARE_PARSE))
