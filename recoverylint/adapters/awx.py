"""AWX / Automation Controller workflows as runbooks: a mapping with
`workflow_nodes` (the controller's export and the `workflow_job_template`
module's), or tower-cli's schema (a list of nodes, each nesting the nodes
after it).

- Steps: each node.  In `workflow_nodes` a node's id is its `identifier`
  (a repeated one is RL101; a node without one is `node-<number>`, numbered
  past every identifier written) and names the nodes after it in `success_nodes`,
  `failure_nodes` and `always_nodes` (identifiers, or mappings with one);
  a name that is no node is RL102.  In the schema, a node is a mapping
  with its template (`job_template`, `project`, `inventory_source`,
  `workflow`, `approval`...) and the nodes after it nested under a key
  starting with `success`, `failure` or `always` (`success_nodes`,
  `success`...), as tower-cli reads them; its id is its template's name
  made a word (`-2`, `-3`... when taken).  A node that is not a mapping, or a list of nodes that is not a
  list, makes the file unreadable (RL002).
- Declared order O: nodes no edge leads to start together.  Each edge is a
  wait: a success edge (the node runs only when its parent succeeded), an
  always edge, and a failure edge, the parent's failure path (the node
  runs only when the parent fails).  A node with several parents waits
  until each has finished or will not run, then runs when one of their
  edges holds (with `all_parents_must_converge`, when all do).  Every
  edge says when the node after it runs (the parent's outcome), and what
  a job template does is not in the workflow: every wait is required.
- Approval nodes (`type: workflow_approval_template`, or the schema's
  `approval`) approve the nodes after them, and stop the run when denied
  (every later change needs them).
- Resources: none.  What a job template or a nested workflow touches is
  not in this file (never guessed), and the controller itself runs two
  updates of one project or inventory source one after the other.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..capabilities import Capability
from ..finding import Issue
from ..model import EdgeKind, Ref, Span
from ..source import Document
from . import Adapted, AdapterError, InputFormat, documents
from ._builder import RunbookBuilder, StepDraft, text
from ._step_ids import StepIds

NAME = "awx"
# The kinds of template a schema node runs (the key naming it).
TEMPLATE_KEYS = ("job_template", "workflow", "project", "inventory_source", "approval", "unified_job_template")
EDGES = ("success", "failure", "always")
_ENDED = {"success": "succeeded", "failure": "failed", "always": "ended"}


def detect(document: Document) -> bool:
    return any(_kind(doc.data) is not None for doc in documents(document))


def _kind(data: Any) -> str | None:
    """`nodes` for a mapping with a `workflow_nodes` list, `schema` for
    tower-cli's list of nodes, else None."""
    if isinstance(data, dict) and isinstance(data.get("workflow_nodes"), list):
        return "nodes"
    if (
        isinstance(data, list)
        and data
        and all(isinstance(node, dict) and any(key in node for key in TEMPLATE_KEYS) for node in data)
        and not any("hosts" in node or "sequence" in node for node in data)
    ):
        return "schema"
    return None


def build(document: Document, path: str, default_duration: float | None) -> Adapted:
    doc = next(doc for doc in documents(document) if _kind(doc.data) is not None)
    builder = RunbookBuilder(document, path, NAME, default_duration, wait_key="success_nodes")
    reader = _Reader(builder, doc)
    if _kind(doc.data) == "nodes":
        reader.nodes(doc.data["workflow_nodes"], doc.data)
        title = text(doc.data.get("name"))
    else:
        reader.schema(doc.data, None, None, doc.data)
        title = None
    reader.finish()
    return builder.build(Path(path).stem, doc.root_span, title=title)


class _Reader:
    def __init__(self, builder: RunbookBuilder, doc: Document) -> None:
        self.builder = builder
        self.doc = doc
        self.ids = StepIds("node")
        # (parent, child, edge, where), read before every node is known.
        self.links: list[tuple[str, str, str, Span]] = []

    def _step(self, step_id: str, node: dict[str, Any], holder: Any, place: Any) -> StepDraft:
        kind, name = _template(node)
        key = next((key for key in ("identifier", *TEMPLATE_KEYS) if key in node), None)
        span = self.doc.value_span(node, key) if key else self.doc.value_span(holder, place)
        draft = self.builder.step(
            step_id, span, title=f"{kind} {name}" if name else kind, extent=self.doc.value_span(holder, place)
        )
        if kind == "approval":
            draft.guard = True
        return draft

    def nodes(self, nodes: list[Any], holder: dict[str, Any]) -> None:
        for index, node in enumerate(nodes):
            if not isinstance(node, dict):
                raise AdapterError(
                    Issue(self.doc.value_span(nodes, index), "a node of `workflow_nodes` must be a mapping")
                )
        # A written identifier is the node's id even when repeated (RL101 says
        # so, as links to it are ambiguous); a node without one gets an id no
        # written identifier has.
        written = [text(node.get("identifier")) for node in nodes]
        self.ids.taken.update(identifier for identifier in written if identifier is not None)
        for index, node in enumerate(nodes):
            step_id = written[index] or self.ids.fresh(f"node-{index + 1}")
            self._step(step_id, node, nodes, index)
            for edge in EDGES:
                children = node.get(f"{edge}_nodes")
                if children is None:
                    continue
                if not isinstance(children, list):
                    raise AdapterError(
                        Issue(self.doc.value_span(node, f"{edge}_nodes"), f"`{edge}_nodes` must be a list")
                    )
                for number, child in enumerate(children):
                    target = text(child.get("identifier")) if isinstance(child, dict) else text(child)
                    at = self.doc.value_span(children, number)
                    if target is None:
                        raise AdapterError(Issue(at, f"an entry of `{edge}_nodes` must name a node by its identifier"))
                    self.links.append((step_id, target, edge, at))

    def schema(self, nodes: Any, parent: str | None, edge: str | None, holder: Any, place: Any = None) -> None:
        if not isinstance(nodes, list):
            raise AdapterError(Issue(self.doc.value_span(holder, place), f"`{place}` must be a list of nodes"))
        for index, node in enumerate(nodes):
            if not isinstance(node, dict):
                raise AdapterError(Issue(self.doc.value_span(nodes, index), "a node must be a mapping"))
            kind, name = _template(node)
            step_id = self.ids.fresh(name or kind)
            draft = self._step(step_id, node, nodes, index)
            if parent is not None and edge is not None:
                self.links.append((parent, step_id, edge, draft.span))
            # tower-cli reads links under any key starting with the edge's name.
            for key in node:
                child_edge = next((edge for edge in EDGES if isinstance(key, str) and key.startswith(edge)), None)
                if child_edge is not None:
                    self.schema(node[key], step_id, child_edge, node, key)

    def finish(self) -> None:
        """The edges, once every node is known."""
        by_id = self.builder.by_id
        for parent, child, edge, at in self.links:
            if child not in by_id:
                self.builder.unknown(child, at, f"the `{edge}` node")
                continue
            if parent not in by_id:
                continue
            self.builder.wait(parent, child, at, EdgeKind.SEQUENCE)
            self.builder.require(parent, child, at, f"`{child}` runs only when `{parent}` has {_ENDED[edge]}")
            draft = by_id[child]
            if edge == "failure":
                by_id[parent].on_failure.append(Ref(child, at))
                draft.condition = Ref(f"{parent} failed", at)
            if by_id[parent].guard:
                by_id[parent].approves.append(Ref(child, at))


def _template(node: dict[str, Any]) -> tuple[str, str | None]:
    """What a node runs: the kind of template and its name."""
    template = node.get("unified_job_template")
    if isinstance(template, dict):
        kind = text(template.get("type")) or "job_template"
        kind = "approval" if "approval" in kind else kind.removesuffix("_template") if kind != "job_template" else kind
        return kind, text(template.get("name"))
    if "approval_node" in node or node.get("type") == "workflow_approval":
        return "approval", text(node.get("name")) or text(node.get("identifier"))
    for key in TEMPLATE_KEYS:
        if key in node:
            value = node[key]
            name = text(value.get("name")) if isinstance(value, dict) else text(value)
            return ("job_template" if key == "unified_job_template" else key), name
    return "node", text(node.get("identifier"))


FORMAT = InputFormat(
    name=NAME,
    title="AWX workflow",
    detect=detect,
    build=build,
    keys=("workflow_nodes", "job_template", "success_nodes", "inventory_source"),
    priority=78,
    wait_key="success_nodes",
    lacks=((Capability.ROLES, "an AWX workflow's approvers are set in the controller, not in the workflow"),),
)
