"""Cortex XSOAR: a task reading context needs every command before it that may
have written it (the order D requires), yet uses the facts of the latest
ones only, those its other needs do not already put before it.  One fact
per pair of command and reader made the 10,000-step benchmark playbook
RL001 ("over 1,000,000 uses of context"), and a million edges of D each time
under the limit; the order D requires is the same as it was."""

from __future__ import annotations

import json

from format_support import checked_in_a_fresh_process, load_benchmark
from hypothesis import given, settings
from hypothesis import strategies as st

from recoverylint.engine import check_text

HEAD = "id: p\nversion: -1\nname: P\nstarttaskid: '1'\ntasks:\n"


def _playbook(*tasks: str) -> str:
    return HEAD + "".join(f"  {task}\n" for task in tasks)


def _task(key: int, body: str, arguments: str = "", then: int | None = None) -> str:
    """Task `key`: a regular task of `body` (its `task`), with `arguments`
    (its `scriptarguments`), leading to task `then`."""
    task = f"'{key}': {{type: regular, task: {{{body}}}"
    task += f", scriptarguments: {{{arguments}}}" if arguments else ""
    return task + (f", nexttasks: {{'#none#': ['{then}']}}}}" if then else "}")


def _graphs(text: str):
    result = check_text(text, "playbook.yml", keep_graphs=True)
    assert result.internal_error is None and result.graphs is not None, result.findings
    assert not [f for f in result.findings if f.code == "RL001"]
    return result.graphs


def test_the_benchmark_playbook_of_10000_steps_is_analysed_in_full(tmp_path):
    """benchmarks/xsoar.py's playbook, as its benchmark checks it: it ended
    in RL001 after reading a million uses of context; now it is analysed."""
    path = tmp_path / "playbook.yml"
    path.write_text(load_benchmark("xsoar").playbook(10_000), encoding="utf-8")
    done = checked_in_a_fresh_process(path)
    assert done.returncode == 1, done.stderr
    findings = json.loads(done.stdout)["findings"]
    assert findings and {f["code"] for f in findings} == {"RL201"}


def test_every_command_before_a_reader_is_before_it_in_d_through_few_edges():
    """The benchmark's groups: each command (enrichment, listing, block,
    sub-playbook) may have written what each later reader of context reads;
    D orders every such pair, with a few edges per step, not one per pair."""
    graphs = _graphs(load_benchmark("xsoar").playbook(300))
    steps = graphs.steps
    writers = [s.index for s in steps if s.title.startswith(("Enrich", "List hosts", "Block hosts", "Hunt"))]
    reading = ("List hosts", "Keep hosts", "Any hosts", "Block hosts", "Enrich more")
    readers = [s.index for s in steps if s.title.startswith(reading)]
    pairs = [(w, r) for r in readers for w in writers if graphs.before(w, r)]
    assert len(pairs) > 10_000
    assert all(graphs.requires(w, r) for w, r in pairs)
    assert sum(len(preds) for preds in graphs.required_preds) < 3 * len(steps)


def test_a_severity_read_uses_only_the_latest_sub_playbook_the_others_come_through_its_condition():
    """`Read severity` of each group waits (where the branches meet) for that
    group's `Hunt`, which its condition chooses after reading context every
    earlier command may have written: the earlier hunts are before it already."""
    graphs = _graphs(load_benchmark("xsoar").playbook(50))
    steps = {step.id: step for step in graphs.steps}
    assert [ref.name for ref in steps["read-severity-4"].inputs] == ["hunt-4.incident.severity"]
    hunts = [steps[f"hunt-{group}"].index for group in range(5)]
    assert all(graphs.requires(hunt, steps["read-severity-4"].index) for hunt in hunts)


# Tasks by key: `e` commands reading a playbook input only, `d` a command
# reading what `e1` may have written, `r` a script writing no context.
CHAIN = _playbook(
    _task(1, "name: e1, script: '|||ip'", "ip: {simple: '${inputs.IP}'}", then=2),
    _task(2, "name: d, script: '|||domain'", "domain: {simple: '${IP.Domain}'}", then=3),
    _task(3, "name: e3, script: '|||url'", "url: {simple: '${inputs.URL}'}", then=4),
    _task(4, "name: r, scriptName: Print", "value: {simple: '${Domain.Name} ${URL.Data}'}"),
)


def test_a_reader_uses_the_latest_commands_and_needs_every_one():
    """`r` uses `d`'s facts and `e3`'s (neither is before the other in D),
    not `e1`'s: `d` read what `e1` may have written, so `e1` is before it."""
    graphs = _graphs(CHAIN)
    steps = {step.id: step for step in graphs.steps}
    assert [ref.name for ref in steps["r"].inputs] == ["d.Domain", "e3.Domain", "d.URL", "e3.URL"]
    assert [ref.name for ref in steps["d"].inputs] == ["e1.IP"]
    assert all(graphs.requires(steps[name].index, steps["r"].index) for name in ("e1", "d", "e3"))
    assert [graphs.steps[p].id for p in graphs.real_prerequisites(steps["r"].index)] == ["d", "e3"]


def test_a_task_named_incident_leaves_the_commands_before_it_in_the_reader_s_facts():
    """A command task named `Incident` may write `severity`: its fact is
    `incident.severity`, the name of the field `setIncident` sets, a fact of
    two producers that D orders by the latest (the `setIncident`).  So it
    brings nothing before the reader, and `e1`, before it, keeps its fact."""
    graphs = _graphs(_playbook(
        _task(1, "name: e1, script: '|||ip'", then=2),
        _task(2, "name: Incident, script: '|||domain'", "d: {simple: '${IP.Domain}'}", then=3),
        _task(3, "name: s, scriptName: setIncident", "severity: {simple: '3'}", then=4),
        _task(4, "name: r, scriptName: Print", "value: {simple: '${severity} ${incident.severity}'}"),
    ))
    steps = {step.id: step for step in graphs.steps}
    assert [ref.name for ref in steps["r"].inputs] == ["e1.severity", "incident.severity"]
    assert graphs.requires(steps["e1"].index, steps["r"].index)


def test_commands_that_read_nothing_before_readers_that_write_nothing_are_rl001_within_bounds(tmp_path):
    """1,100 commands that read no context, then 1,000 tasks each reading
    what all of them may have written: no need of a reader brings another
    before it, so 1,100,000 uses, past `max_edges`: RL001, not minutes."""
    commands = [_task(n, f"name: c{n}, script: '|||ip'", then=n + 1) for n in range(1, 1_101)]
    readers = [
        _task(n, f"name: r{n}, scriptName: Print", "v: {simple: '${IP}'}", then=n + 1) for n in range(1_101, 2_101)
    ]
    path = tmp_path / "wide.yml"
    path.write_text(_playbook(*commands, *readers, "'2101': {type: title, task: {name: done}}"), encoding="utf-8")
    done = checked_in_a_fresh_process(path)
    assert done.returncode == 1, done.stderr
    found = json.loads(done.stdout)["findings"]
    assert [(f["code"], f["message"]) for f in found] == [
        ("RL001", "too large to analyse: over 1,000,000 uses of context")
    ]


# Random playbooks: what each kind of task does is known by construction.
KINDS = {
    "command": "{name: tKEY, script: '|||ip'}",  # reads nothing, may write any context
    "command-reading": "{name: tKEY, script: '|||domain'}, scriptarguments: {d: {simple: '${IP.Name}'}}",
    "sub-playbook": "{name: tKEY, playbookName: Hunt}",  # may write context and incident fields
    "print": "{name: tKEY, scriptName: Print}, scriptarguments: {v: {simple: '${IP.Name}'}}",
    "severity": "{name: tKEY, scriptName: Print}, scriptarguments: {v: {simple: '${incident.severity}'}}",
    "set": "{name: tKEY, scriptName: Set}, scriptarguments: {key: {simple: IP}, value: {simple: '1'}}",
    "set-severity": "{name: tKEY, scriptName: setIncident}, scriptarguments: {severity: {simple: '2'}}",
}
WRITE_CONTEXT = {"command", "command-reading", "sub-playbook"}
READ_CONTEXT = {"command-reading", "print"}


@st.composite
def playbooks(draw: st.DrawFn) -> tuple[str, list[str]]:
    """Tasks `1`..`n` of random kinds, each leading to one to three later
    tasks (some as a condition's branches), a few jumping back."""
    count = draw(st.integers(3, 18))
    kinds = [draw(st.sampled_from(sorted(KINDS))) for _ in range(count)]
    lines = []
    for key in range(1, count + 1):
        later = list(range(key + 1, count + 1))
        targets = draw(st.lists(st.sampled_from(later), min_size=1, max_size=3, unique=True)) if later else []
        if targets and draw(st.integers(0, 4)) == 0:
            targets.append(draw(st.integers(1, key)))  # a jump back: no wait
        task = KINDS[kinds[key - 1]].replace("KEY", str(key))
        if len(targets) > 1 and kinds[key - 1] == "print" and draw(st.booleans()):
            # A condition reading context, its branches meeting again further
            # on; two of its labels may lead to one task (two waits for one).
            targets += [targets[0]] if draw(st.booleans()) else []
            branches = ", ".join(f"'l{n}': ['{target}']" for n, target in enumerate(targets))
            lines.append(
                f"'{key}': {{type: condition, task: {{name: t{key}}}, nexttasks: {{{branches}}},"
                " conditions: [{label: l0, condition: [[{operator: isExists,"
                " left: {value: {simple: IP.Name}, iscontext: true}}]]}]}"
            )
            kinds[key - 1] = "condition"
            continue
        kind = "playbook" if kinds[key - 1] == "sub-playbook" else "regular"
        nexttasks = ", ".join(f"'{target}'" for target in targets)
        lines.append(f"'{key}': {{type: {kind}, task: {task}, nexttasks: {{'#none#': [{nexttasks}]}}}}")
    return _playbook(*lines), kinds


@settings(max_examples=150, deadline=None, database=None)
@given(playbooks())
def test_d_orders_every_task_that_may_have_written_what_a_task_reads_before_it(generated):
    text, kinds = generated
    graphs = _graphs(text)
    kind_of = {step.index: kinds[int(step.id.removeprefix("t")) - 1] for step in graphs.steps}
    for reader, kind in kind_of.items():
        reads_context = kind in READ_CONTEXT or kind == "condition"
        for writer, writer_kind in kind_of.items():
            if not graphs.before(writer, reader):
                continue
            may_have_written = writer_kind in WRITE_CONTEXT if reads_context else writer_kind == "sub-playbook"
            if (reads_context or kind == "severity") and may_have_written:
                assert graphs.requires(writer, reader), (graphs.steps[writer].id, graphs.steps[reader].id)
