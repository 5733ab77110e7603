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

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _format_benchmark import SHELL_CHANGES, run_format_benchmark

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
        lines.append(f"{n + 1}. Change: `{SHELL_CHANGES[n % len(SHELL_CHANGES)].format(n=n)}`")
    return "\n".join(lines) + "\n"


def main() -> int:
    return run_format_benchmark(__doc__, "markdown", "md", page, BARE_PARSE)


if __name__ == "__main__":
    sys.exit(main())
