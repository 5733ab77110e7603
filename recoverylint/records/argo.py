"""An Argo Workflow object (YAML or JSON: `argo get NAME -o json`, or
`kubectl get workflow NAME -o yaml`) with its `status.nodes`.

A step is a node that runs a task or a step (Pod, Container, HTTP, Plugin,
Suspend, Skipped); a retried one is its `Retry` node, whose children are the
attempts: attempts counts them, and its times run from the first attempt's
start to the last one's end.  A DAG or Steps node inside another template
is the task or step calling that template: a step, as recoverylint's Argo
adapter makes it, from its start until its template's first step starts.
The workflow's own DAG or Steps node, StepGroup and TaskGroup nodes are
structure, not steps.  `status.compressedNodes` (base64 of gzip of the JSON node map) is
decoded within the file size limit; node status offloaded to a database is
not in the object, and the error says how to export it."""

from __future__ import annotations

import base64
import binascii
import json
import zlib
from dataclasses import replace
from datetime import datetime
from typing import Any

from ..source import Limits
from ._source import RecordData
from ._steps import RunFacts, TimedStep, check_order, instant_at, text_at, timed_record
from .model import ExecutionRecord, RecordError, RecordPosition, RunStatus

FORMAT = "argo"
EXPORT = "argo get NAME -n NAMESPACE -o json"

_STRUCTURE = frozenset(("DAG", "Steps", "StepGroup", "TaskGroup"))
_PHASES = {
    "Succeeded": RunStatus.SUCCEEDED,
    "Failed": RunStatus.FAILED,
    "Error": RunStatus.FAILED,
    "Skipped": RunStatus.SKIPPED,
    "Omitted": RunStatus.SKIPPED,
    "Running": RunStatus.RUNNING,
    "Pending": RunStatus.NOT_RUN,
}


def claims(data: Any) -> bool:
    """A Workflow; one saved without apiVersion and kind (Argo's own test data)
    is known by its spec's entrypoint or templates and its status's nodes."""
    if not isinstance(data, dict):
        return False
    if "kind" in data or "apiVersion" in data:
        return data.get("kind") == "Workflow" and str(data.get("apiVersion", "")).startswith("argoproj.io/")
    spec, status = data.get("spec"), data.get("status")
    return (
        isinstance(spec, dict)
        and any(key in spec for key in ("entrypoint", "templates", "workflowTemplateRef"))
        and isinstance(status, dict)
        and any(key in status for key in ("nodes", "compressedNodes", "offloadNodeStatusVersion"))
    )


def read(record: RecordData, limits: Limits) -> ExecutionRecord:
    data = record.data
    status = data.get("status")
    if not isinstance(status, dict) or not status:
        raise RecordError(record.start, "the Workflow has no `status`: it has not run, or was exported without it"
                          f" (export a run with `{EXPORT}`)")
    nodes = _nodes(record, status, limits)
    attempts_of = _attempts(nodes.data)
    steps: list[TimedStep] = []
    for node_id, node in nodes.data.items():
        if not isinstance(node, dict) or node_id in attempts_of.retried:
            continue
        if str(node.get("type")) in _STRUCTURE:
            if _calls_a_template(node):
                steps.append(_caller_step(nodes, node_id, node))
            continue
        attempts = [nodes.data[child] for child in attempts_of.children.get(node_id, [])]
        steps.append(_step(nodes, node_id, node, attempts))
    # The node map is keyed by generated ids: the steps are put in the order they ran.
    steps.sort(key=lambda step: (step.start is None, step.start or datetime.min, step.name))
    facts = RunFacts(
        record.path,
        FORMAT,
        record.start,
        runbook_name=_runbook_name(data),
        start=instant_at(record, status, "startedAt"),
        end=instant_at(record, status, "finishedAt"),
        status=_phase(status),
        end_position=record.at(status, "finishedAt"),
    )
    return timed_record(facts, steps)


class _Attempts:
    """The children of each Retry node that are attempts, and every node that is one."""

    def __init__(self) -> None:
        self.children: dict[str, list[str]] = {}
        self.retried: set[str] = set()


def _attempts(nodes: dict[str, Any]) -> _Attempts:
    found = _Attempts()
    for node_id, node in nodes.items():
        if isinstance(node, dict) and node.get("type") == "Retry" and isinstance(node.get("children"), list):
            children = [
                child for child in node["children"] if isinstance(child, str) and isinstance(nodes.get(child), dict)
            ]
            found.children[node_id] = children
            found.retried.update(children)
    return found


def _nodes(record: RecordData, status: dict[str, Any], limits: Limits) -> RecordData:
    """The node map, with where each node's facts were written."""
    nodes = status.get("nodes")
    if isinstance(nodes, dict) and nodes:
        return RecordData(record.path, nodes, record.document)
    compressed = status.get("compressedNodes")
    if compressed is not None:
        here = record.at(status, "compressedNodes")
        decoded = _decompressed(compressed, here, limits)
        if not isinstance(decoded, dict) or not decoded:
            raise RecordError(here, "`compressedNodes` holds no map of nodes")
        return RecordData(record.path, decoded, None, here)
    if status.get("offloadNodeStatusVersion"):
        raise RecordError(
            record.at(status, "offloadNodeStatusVersion"),
            "the Workflow's node status is offloaded to the database (offloadNodeStatusVersion), not in"
            f" this object: export it with `{EXPORT}` where the Argo server reaches its offload database"
            " (`kubectl get workflow` does not include offloaded nodes)",
        )
    raise RecordError(record.at(status, "nodes") if "nodes" in status else record.start,
                      "the Workflow's status has no nodes: no step of it ran")


def _decompressed(compressed: Any, here: RecordPosition, limits: Limits) -> Any:
    """The JSON of base64 of gzip, refused past the file size limit once decompressed."""
    if not isinstance(compressed, str):
        raise RecordError(here, "`compressedNodes` must be base64 text")
    try:
        packed = base64.b64decode(compressed, validate=True)
        inflater = zlib.decompressobj(wbits=47)  # 32 + 15: a gzip or zlib header, read from the data
        text = inflater.decompress(packed, limits.max_file_size + 1)
        if len(text) > limits.max_file_size or inflater.unconsumed_tail:
            raise RecordError(here, f"`compressedNodes` decompresses to more than {limits.max_file_size:,} bytes,"
                              " the file size limit (raise it with --max-file-size)")
        if not inflater.eof:
            raise RecordError(here, "`compressedNodes` is cut short: its gzip data does not end")
        return json.loads(text.decode("utf-8"))
    except (binascii.Error, ValueError) as error:  # ValueError: bad UTF-8 or JSON
        raise RecordError(here, f"`compressedNodes` is not base64 of gzipped JSON: {error}") from None
    except zlib.error as error:
        raise RecordError(here, f"`compressedNodes` is not base64 of gzipped JSON: {error}") from None
    except RecursionError:
        raise RecordError(here, "`compressedNodes` holds JSON nested too deep") from None


def _step(nodes: RecordData, node_id: str, node: dict[str, Any], attempts: list[Any]) -> TimedStep:
    name = text_at(node, "displayName") or text_at(node, "name") or node_id
    start, end = instant_at(nodes, node, "startedAt"), instant_at(nodes, node, "finishedAt")
    ran = [attempt for attempt in attempts if isinstance(attempt, dict)]
    if ran:
        spans = [(instant_at(nodes, attempt, "startedAt"), instant_at(nodes, attempt, "finishedAt")) for attempt in ran]
        for attempt, (began, ended) in zip(ran, spans, strict=True):
            check_order(text_at(attempt, "displayName") or name, began, ended, nodes.at(attempt, "finishedAt"))
        starts = [began for began, _ in spans if began is not None]
        ends = [ended for _, ended in spans if ended is not None]
        start = min(starts) if starts else start
        end = max(ends) if ends else end
    status = _phase(node)
    if node.get("type") == "Skipped" and status is None:
        status = RunStatus.SKIPPED
    if status is None:
        status = RunStatus.NOT_RUN if start is None else (RunStatus.SUCCEEDED if end else RunStatus.RUNNING)
    elif status is RunStatus.NOT_RUN and start is not None:
        status = RunStatus.RUNNING  # Pending, but its pod was started
    return TimedStep(
        name,
        start,
        end,
        status,
        nodes.at(node, "displayName" if "displayName" in node else "type"),
        nodes.at(node, "finishedAt"),
        attempts=max(len(ran), 1),
    )


def _calls_a_template(node: dict[str, Any]) -> bool:
    """A DAG or Steps node inside another template (it has a boundaryID) is
    a task or step whose template is a dag or steps: recoverylint's Argo
    adapter makes it a step, which its template's first steps wait for.  The
    workflow's own entrypoint node has no boundaryID, and StepGroup and
    TaskGroup nodes group steps: structure."""
    return node.get("type") in ("DAG", "Steps") and bool(text_at(node, "boundaryID"))


def _caller_step(nodes: RecordData, node_id: str, node: dict[str, Any]) -> TimedStep:
    """The step that calls a nested template, as the adapter has it: the
    steps of its template wait for it and require it, so it runs from the
    node's start until the first of them starts (its own work: entering the
    template), not over them; the node's end when none of them started."""
    step = _step(nodes, node_id, node, [])
    children = node.get("children")
    starts = [
        began
        for child in (children if isinstance(children, list) else [])
        if isinstance(child, str) and isinstance(nodes.data.get(child), dict)
        and (began := instant_at(nodes, nodes.data[child], "startedAt")) is not None
        and (step.start is None or began >= step.start)
    ]
    return replace(step, end=min(starts)) if starts else step


def _phase(mapping: dict[str, Any]) -> RunStatus | None:
    phase = mapping.get("phase")
    return _PHASES.get(phase) if isinstance(phase, str) else None


def _runbook_name(data: dict[str, Any]) -> str | None:
    template = text_at(data, "spec", "workflowTemplateRef", "name")
    if template:
        return template
    generated = text_at(data, "metadata", "generateName")
    if generated and generated.rstrip("-"):
        return generated.rstrip("-")
    return text_at(data, "metadata", "name")
