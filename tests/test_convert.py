"""recoverylint.convert: any format's model written as a native runbook that
says the same steps and the same waits, with ids a native runbook accepts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from recoverylint.convert import to_native
from recoverylint.engine import check_text
from recoverylint.model import DeclaredEdge, Duration, DurationBasis, EdgeKind, Need, Ref, Runbook, Span, Step
from recoverylint.source import parse

ROOT = Path(__file__).resolve().parents[1]
ORQUESTA = ROOT / "tests" / "adapters" / "orquesta" / "restart.yaml"
HERE = Span(1, 1, 1, 2)
HEADER = (
    "# Converted by recoverylint from {path} ({format}).\n"
    "# Each step keeps its original name as its title.  Add what the original could\n"
    "# not say: roles, phases, durations, verifications and rollbacks.\n"
)


def read(text: str, path: str) -> Runbook:
    runbook = check_text(text, path).runbook
    assert runbook is not None
    return runbook


def waits(runbook: Runbook) -> set[tuple[str, str]]:
    return {(edge.source, edge.target) for edge in runbook.declared_edges}


def minutes(likely: float, minimum: float | None = None, maximum: float | None = None) -> Duration:
    return Duration(
        likely, likely if minimum is None else minimum, likely if maximum is None else maximum, DurationBasis.GIVEN
    )


def test_a_workflow_reads_back_as_a_native_runbook_with_the_same_steps_and_waits() -> None:
    workflow = read(ORQUESTA.read_text(encoding="utf-8"), "restart.yaml")
    assert workflow.format == "orquesta"
    native = read(to_native(workflow, "StackStorm Orquesta"), "restart.native.yaml")
    assert native.format == "native"
    assert [step.id for step in native.steps] == [step.id for step in workflow.steps]
    # Every declared wait, and each wait the work requires (a need with its
    # reason, such as those through the tasks after a pack's action): written as needs.
    required = {(need.step, step.id) for step in workflow.steps for need in step.needs if need.reason}
    assert waits(native) == waits(workflow) | required and waits(native)
    readback = check_text(to_native(workflow, "StackStorm Orquesta"), "restart.native.yaml")
    assert [found.code for found in readback.findings if found.code in ("RL001", "RL002", "RL003")] == []


def test_the_header_names_the_file_and_the_format_and_a_missing_title_is_made() -> None:
    runbook = Runbook(
        id="My Runbook!", path="ops/x.yaml", span=HERE, steps=(Step(id="a", span=HERE, index=0),), declared_edges=()
    )
    written = to_native(runbook, "Test Format")
    assert written.startswith(HEADER.format(path="ops/x.yaml", format="Test Format"))
    data = parse(written).data
    assert (data["runbook"], data["title"], data["flow"]) == (
        "my-runbook",
        "My Runbook! (converted from Test Format)",
        "parallel",
    )


def test_ids_are_made_valid_and_unique_and_the_original_name_is_the_title() -> None:
    steps = (
        Step(id="do it", span=HERE, index=0),
        Step(id="do it", span=HERE, index=1),
        Step(id="---", span=HERE, index=2),
    )
    edges = (DeclaredEdge("do it", "---", EdgeKind.NEEDS, HERE),)
    data = parse(to_native(Runbook(id="r", path="r.yaml", span=HERE, steps=steps, declared_edges=edges), "T")).data
    assert [(step["id"], step["title"]) for step in data["steps"]] == [
        ("do-it", "do it"),
        ("do-it-2", "do it"),
        ("step", "---"),
    ]


def test_durations_in_minutes_seconds_or_as_a_range() -> None:
    steps = (
        Step(id="a", span=HERE, index=0, duration=minutes(5)),
        Step(id="b", span=HERE, index=1, duration=minutes(1.5)),
        Step(id="c", span=HERE, index=2, duration=minutes(5, 2, 10)),
        Step(id="d", span=HERE, index=3),
    )
    written = to_native(Runbook(id="r", path="r.yaml", span=HERE, steps=steps, declared_edges=()), "T")
    assert [step.get("duration") for step in parse(written).data["steps"]] == [
        "5m",
        "90s",
        {"min": "2m", "likely": "5m", "max": "10m"},
        None,
    ]
    assert "duration: {min: 2m, likely: 5m, max: 10m}\n" in written


def test_a_wait_keeps_its_reason_and_resources_are_declared_with_their_parents() -> None:
    steps = (
        Step(id="a", span=HERE, index=0, writes=(Ref("db  /x//", HERE),)),
        Step(
            id="b",
            span=HERE,
            index=1,
            needs=(Need("a", HERE, "it frees the lock"),),
            reads=(Ref("db/x", HERE), Ref("cache", HERE)),
        ),
    )
    runbook = Runbook(
        id="r",
        path="r.yaml",
        span=HERE,
        steps=steps,
        declared_edges=(DeclaredEdge("a", "b", EdgeKind.NEEDS, HERE),),
        parents={"db/x": Ref("db", HERE)},
    )
    data = parse(to_native(runbook, "T")).data
    assert data["resources"] == {"db/x": {"parent": "db"}, "cache": {}, "db": {}}
    assert data["steps"][0]["writes"] == ["db/x"]
    assert data["steps"][1]["needs"] == [{"step": "a", "reason": "it frees the lock"}]


def test_the_convert_command_prints_the_conversion_and_refuses_a_native_runbook() -> None:
    def convert(path: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "recoverylint", "convert", str(path.relative_to(ROOT))],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=ROOT,
        )

    done = convert(ORQUESTA)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(
        HEADER.format(path="tests/adapters/orquesta/restart.yaml", format="StackStorm Orquesta")
    )
    refused = convert(ROOT / "examples" / "orders-db-outage.yaml")
    assert refused.returncode == 2 and refused.stdout == ""
    assert "examples/orders-db-outage.yaml is already a native runbook" in refused.stderr
