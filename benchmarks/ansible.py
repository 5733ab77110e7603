#!/usr/bin/env python3
"""A 10,000-step Ansible playbook: `recoverylint check` against a bare parse.

    python benchmarks/ansible.py [--steps N] [--repeat R] [--workdir DIR]

The playbook (generated, deterministic) is plays of one hundred tasks, in
groups of ten: a `command` reading pods (`kubectl get`, registered), a
`shell` pipeline reading a service's status, a `template` writing the
host's config and notifying a handler, a `set_fact` from the registered
result, a `uri` GET of a health endpoint, a `k8s` scale of a deployment
under a `when` naming the fact, a block with a `service` restart and a
rescue running `systemctl reset-failed`, a `debug`, and an `assert`.  Each
play has its handler.  Commands differ from group to group (names carry the
group's number), so that no parse is shared.  The bare parse is the least
any tool must do to read it: ruamel.yaml composing the file with its C
parser, and bashlex parsing each command (as benchmarks/markdown.py's bare
parse parses each fenced command).  Each runs in a fresh process; the CPU
time (user + system, from `os.wait4`) of the median run is reported, and
the ratio check / bare parse.  The issue's target is a ratio within 2.
Writes benchmarks/ansible_results.json; exits 1 when the ratio is over 2 or
a run fails.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _format_benchmark import run_format_benchmark

GROUP = 10  # steps per group (the handler of each play is one more step)
PLAY = 100  # steps of tasks per play

BARE_PARSE = """
import pathlib, sys
import bashlex
from ruamel.yaml import YAML
data = YAML(typ='safe', pure=False).load(pathlib.Path(sys.argv[1]).read_text(encoding='utf-8'))
def commands(tasks):
    for task in tasks:
        for key in ('block', 'rescue', 'always'):
            yield from commands(task.get(key) or [])
        for key in ('command', 'shell', 'ansible.builtin.command', 'ansible.builtin.shell'):
            if isinstance(task.get(key), str):
                yield task[key]
for play in data:
    for section in ('tasks', 'handlers'):
        for command in commands(play.get(section) or []):
            bashlex.parse(command)
"""


def _group(number: int) -> list[str]:
    """Ten tasks (eleven steps with the rescue, less the handler's share)."""
    return [
        f"  - name: Get pods {number}",
        f"    ansible.builtin.command: kubectl get pods -n app{number} -l tier=web",
        f"    register: pods{number}",
        f"  - name: Status {number}",
        f"    ansible.builtin.shell: systemctl status api{number} | head -n 5",
        f"  - name: Write config {number}",
        f"    ansible.builtin.template: {{src: api.j2, dest: /etc/api{number}.conf}}",
        "    notify: restart api",
        f"  - name: Keep count {number}",
        "    ansible.builtin.set_fact:",
        f'      count{number}: "{{{{ pods{number}.stdout_lines | length }}}}"',
        f"  - name: Health {number}",
        f"    ansible.builtin.uri: {{url: 'https://api{number}.example.com/health'}}",
        f"  - name: Scale {number}",
        "    kubernetes.core.k8s:",
        "      kind: Deployment",
        f"      name: web{number}",
        f"      namespace: app{number}",
        "      state: present",
        f"    when: count{number} | int < 3",
        "  - block:",
        f"    - name: Restart {number}",
        f"      ansible.builtin.service: {{name: worker{number}, state: restarted}}",
        "    rescue:",
        f"    - name: Reset {number}",
        f"      ansible.builtin.command: systemctl reset-failed worker{number}",
        f"  - name: Report {number}",
        f"    ansible.builtin.debug: {{msg: 'group {number} done'}}",
        f"  - name: Check {number}",
        f"    ansible.builtin.assert: {{that: ['pods{number}.rc == 0']}}",
    ]


def playbook(steps: int) -> str:
    """A playbook of `steps` steps of tasks (a multiple of one hundred) and
    one handler step per play."""
    lines: list[str] = []
    for play in range(steps // PLAY):
        lines += [
            f"- name: Play {play}",
            f"  hosts: group{play}",
            "  handlers:",
            "  - name: restart api",
            f"    ansible.builtin.service: {{name: api{play}, state: restarted}}",
            "  tasks:",
        ]
        for group in range(PLAY // GROUP):
            lines += _group(play * (PLAY // GROUP) + group)
    return "\n".join(lines) + "\n"


def main() -> int:
    return run_format_benchmark(__doc__, "ansible", "yml", playbook, BARE_PARSE)


if __name__ == "__main__":
    sys.exit(main())
