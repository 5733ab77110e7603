#!/usr/bin/env python3
"""A 10,000-step Cortex XSOAR playbook: `recoverylint check` against a bare parse.

    python benchmarks/xsoar.py [--steps N] [--repeat R] [--workdir DIR]

The playbook (generated, deterministic) runs groups of ten tasks: an
enrichment command reading a playbook input, an integration command
listing what it found, a `Set` of a context key, a condition reading that
key whose two branches (a containment command, a sub-playbook) meet again at
a title task, a task reading an incident field, then three more enrichment
commands reading earlier context.  The bare parse is the least any tool
must do to read it: ruamel.yaml composing the file with its C parser (as
benchmarks/run.py's bare parse does).  Each runs in a fresh process; the
CPU time (user + system, from `os.wait4`) of the median run is reported,
and the ratio check / bare parse.  The issue's target is a ratio within 2.
Writes benchmarks/xsoar_results.json; exits 1 when the ratio is over 2 or
a run fails.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _format_benchmark import run_format_benchmark

GROUP = 10  # steps per group (the title task of each group is no step)

BARE_PARSE = """
import pathlib, sys
from ruamel.yaml import YAML
YAML(typ='safe', pure=False).compose(pathlib.Path(sys.argv[1]).read_text(encoding='utf-8'))
"""


def _task(key: int, kind: str, name: str, nexttasks: dict[str, list[int]], extra: list[str]) -> list[str]:
    lines = [
        f'  "{key}":', f'    id: "{key}"', f"    taskid: task-{key}", f"    type: {kind}", "    task:",
        f"      id: task-{key}", "      version: -1", f"      name: {name}", *extra[:1], "    nexttasks:",
    ]
    for label, targets in nexttasks.items():
        lines.append(f"      '{label}':")
        lines += [f'      - "{target}"' for target in targets]
    lines += extra[1:]
    lines += ["    separatecontext: false", "    view: |-", '      {"position": {"x": 50, "y": 50}}']
    return lines


def playbook(steps: int) -> str:
    """A playbook of `steps` steps (a multiple of ten), in groups of ten."""
    lines = ["id: generated", "version: -1", "name: Generated", 'starttaskid: "0"', "tasks:"]
    lines += _task(0, "start", "''", {"#none#": [1]}, [""])
    key = 1
    for group in range(steps // GROUP):
        k = key
        # k: enrich, k+1: list, k+2: Set, k+3: condition, k+4/k+5: branches,
        # k+6: title, k+7: incident field, k+8..k+10: enrichment using context.
        lines += _task(k, "regular", f"Enrich {group}", {"#none#": [k + 1]},
                       ["      script: '|||ip'", "    scriptarguments:", "      ip:",
                        "        simple: ${inputs.IP}"])
        lines += _task(k + 1, "regular", f"List hosts {group}", {"#none#": [k + 2]},
                       ["      script: Vendor|||vendor-list-hosts", "    scriptarguments:", "      query:",
                        "        simple: ${IP.Address}"])
        lines += _task(k + 2, "regular", f"Keep hosts {group}", {"#none#": [k + 3]},
                       ["      scriptName: Set", "    scriptarguments:", "      key:",
                        f"        simple: Hosts{group}", "      value:", "        simple: ${Vendor.Host}"])
        lines += _task(k + 3, "condition", f"Any hosts {group}", {"#default#": [k + 5], "yes": [k + 4]},
                       ["", "    conditions:", "    - label: 'yes'", "      condition:", "      - - operator: isExists",
                        "          left:", "            value:", f"              simple: Hosts{group}",
                        "            iscontext: true"])
        lines += _task(k + 4, "regular", f"Block hosts {group}", {"#none#": [k + 6]},
                       ["      script: Vendor|||vendor-block-host", "    scriptarguments:", "      host:",
                        f"        simple: ${{Hosts{group}}}"])
        lines += _task(k + 5, "playbook", f"Hunt {group}", {"#none#": [k + 6]},
                       ["      playbookName: Hunt", "    scriptarguments:", "      IP:", "        complex:",
                        "          root: inputs.IP"])
        lines += _task(k + 6, "title", f"Section {group}", {"#none#": [k + 7]}, [""])
        lines += _task(k + 7, "regular", f"Read severity {group}", {"#none#": [k + 8]},
                       ["      scriptName: Print", "    scriptarguments:", "      value:",
                        "        simple: ${incident.severity}"])
        for offset in range(8, 11):  # the last leads to the next group, or to `Done`
            lines += _task(k + offset, "regular", f"Enrich more {group}-{offset}", {"#none#": [k + offset + 1]},
                           ["      script: '|||domain'", "    scriptarguments:", "      domain:",
                            f"        simple: ${{Domain{offset}.Name}}"])
        key += GROUP + 1
    lines += _task(key, "title", "Done", {}, [""])
    lines += ["inputs:", "- key: IP", "  value: {}", "outputs: []"]
    return "\n".join(lines) + "\n"


def main() -> int:
    return run_format_benchmark(__doc__, "xsoar", "yml", playbook, BARE_PARSE)


if __name__ == "__main__":
    sys.exit(main())
