"""Completion: the names of steps, roles, resources and facts where the
schema expects one, and the schema's keys (with their descriptions) where a
key is being written.  Read from the line as typed, so that it works on a
half-typed document; the names come from its last version that was read."""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

from lsprotocol import types

from ..model import Runbook
from .names import STEP_LIST_KEYS, Kind

# Keys whose value (or list of values) names something, beyond a step's.
_VALUE_KINDS: dict[str, Kind] = {
    **STEP_LIST_KEYS, "given": Kind.FACT, "parent": Kind.RESOURCE,
}
_KEY_LINE = re.compile(r"^(?P<indent>[ ]*)(?P<dash>-[ ]+)?(?P<key>[A-Za-z_][\w-]*)[ ]*:(?:[ ]|$)")
_DASH_LINE = re.compile(r"^(?P<indent>[ ]*)-(?:[ ]|$)")
# The cursor after `key: ` or inside `key: [a, b, ` (the name being typed last).
_VALUE_AT = re.compile(r"^[ ]*(?:-[ ]+)?(?P<key>[A-Za-z_][\w-]*)[ ]*:[ ]*(?:\[[^\]]*?)?(?P<typed>[\w./*-]*)$")
_ITEM_AT = re.compile(r"^(?P<indent>[ ]*)-[ ]+(?P<typed>[\w./*-]*)$")
_KEY_AT = re.compile(r"^(?P<indent>[ ]*)(?P<dash>-[ ]+)?(?P<typed>[A-Za-z_]\w*)?$")


def completions(lines: list[str], line: int, column: int, runbook: Runbook | None) -> list[types.CompletionItem]:
    """Items for the 1-based line and character column of the cursor."""
    before = lines[line - 1][: column - 1] if line <= len(lines) else ""
    value = _VALUE_AT.match(before)
    if value is not None and value.group("key") in _VALUE_KINDS:
        return _names(_VALUE_KINDS[value.group("key")], runbook)
    item = _ITEM_AT.match(before)
    if item is not None:
        owner = _ancestors(lines, line, len(item.group("indent")) + 2)
        if len(owner) >= 2 and owner[0] == "-" and owner[1] in _VALUE_KINDS:
            return _names(_VALUE_KINDS[owner[1]], runbook)
    key = _KEY_AT.match(before)
    if key is not None:
        column_of_key = len(key.group("indent")) + len(key.group("dash") or "")
        chain = _ancestors(lines, line, column_of_key)
        if key.group("dash"):
            chain = ["-", *chain]
        return _keys(_properties(chain))
    return []


def _ancestors(lines: list[str], line: int, column: int) -> list[str]:
    """The keys (and `-` for list items) that hold a key at this column of
    this 1-based line, innermost first, judged by indentation."""
    chain: list[str] = []
    threshold = column
    list_indent = -1  # the column of the dashes of the list last entered: its other items are siblings
    for number in range(line - 1, 0, -1):
        text = lines[number - 1]
        stripped = text.strip()
        if not stripped or stripped.startswith("#"):
            continue
        keyed = _KEY_LINE.match(text)
        dash = _DASH_LINE.match(text)
        indent = len(text) - len(text.lstrip(" "))
        if indent >= threshold or (dash is not None and indent == list_indent):
            continue
        if dash is not None:
            chain.append("-")
            threshold = list_indent = indent
            threshold += 1  # its list may sit at the column of its key
        elif keyed is not None:
            chain.append(keyed.group("key"))
            threshold = indent
        if threshold == 0:
            break
    return chain


@cache
def _schema() -> dict[str, Any]:
    from ..schema import schema_text

    loaded: dict[str, Any] = json.loads(schema_text())
    return loaded


def _properties(chain: list[str]) -> dict[str, Any]:
    """The schema's properties of the mapping the chain leads into."""
    schema = _schema()
    definitions = schema["$defs"]
    if not chain:
        return dict(schema["properties"])
    head, rest = chain[0], chain[1:]
    if head == "-" and rest and rest[0] in ("steps", "parallel", "sequence"):
        return {**definitions["step"]["properties"], **definitions["parallelBlock"]["properties"],
                **definitions["sequenceBlock"]["properties"]}
    if head == "-" and rest and rest[0] == "stages":
        return dict(definitions["stage"]["properties"])
    if head in ("team", "tooling") and not rest:
        return dict(definitions[head]["properties"])
    if rest == ["roles"]:
        return dict(definitions["role"]["properties"])
    if rest == ["resources"]:
        return dict(definitions["resource"]["properties"])
    return {}


def _keys(properties: dict[str, Any]) -> list[types.CompletionItem]:
    return [
        types.CompletionItem(
            label=name,
            kind=types.CompletionItemKind.Property,
            detail="recoverylint runbook key",
            documentation=types.MarkupContent(kind=types.MarkupKind.Markdown, value=str(spec.get("description", ""))),
            insert_text=f"{name}: ",
        )
        for name, spec in properties.items()
    ]


def _names(kind: Kind, runbook: Runbook | None) -> list[types.CompletionItem]:
    if runbook is None:
        return []
    names: dict[str, str] = {}  # name -> what it is, in first-seen order
    if kind is Kind.STEP:
        names = {step.id: step.title or "step" for step in runbook.steps}
    elif kind is Kind.ROLE:
        names = {name: "role" for name in runbook.roles}
    elif kind is Kind.RESOURCE:
        names = {name: "resource" for name in runbook.resources or {}}
        for step in runbook.steps:
            for ref in (*step.reads, *step.writes):
                names.setdefault(ref.name, "resource")
    else:
        names = {ref.name: "fact (given)" for ref in runbook.given}
        for step in runbook.steps:
            for ref in step.outputs:
                names.setdefault(ref.name, f"fact (output of {step.id})")
            for ref in step.inputs:
                names.setdefault(ref.name, "fact")
    item_kind = {Kind.STEP: types.CompletionItemKind.Function, Kind.ROLE: types.CompletionItemKind.Class,
                 Kind.RESOURCE: types.CompletionItemKind.Module, Kind.FACT: types.CompletionItemKind.Constant}[kind]
    return [types.CompletionItem(label=name, kind=item_kind, detail=detail) for name, detail in names.items()]
