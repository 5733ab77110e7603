"""Validating a document against the bundled JSON Schema, errors located at their nodes."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .model import Span
from .resources import schema_path
from .source import Document, read_text


@dataclass(frozen=True)
class SchemaProblem:
    message: str
    span: Span
    json_path: str
    help: str | None = None  # what to write instead, in the runbook's words


@lru_cache(maxsize=1)
def schema_text() -> str:
    return read_text(schema_path())


@lru_cache(maxsize=1)
def _schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(schema_text())  # our own schema: a JSON object
    return schema


@lru_cache(maxsize=1)
def _fast_check() -> tuple[Callable[[Any], Any], type[Exception]]:
    """The fast validator and the exception it raises: generated ahead of time
    (compiled_schema.py), compiled here only when the schema changed since."""
    from .compiled_schema import fast_check

    return fast_check(schema_text())


@lru_cache(maxsize=1)
def _full_validator() -> Any:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(_schema())


def validate(document: Document) -> list[SchemaProblem]:
    """Every way the document breaks the schema; [] when it is valid."""
    check, invalid = _fast_check()
    try:
        check(document.data)
        return []
    except invalid:
        pass
    problems: dict[tuple[str, str], SchemaProblem] = {}
    for error in _full_validator().iter_errors(document.data):
        for leaf in _leaf_errors(error):
            for problem in _locate(document, leaf):
                problems.setdefault((problem.json_path, problem.message), problem)
    return sorted(problems.values(), key=lambda p: (p.span.line, p.span.column, p.message))


# A flow item is a step or a block: its key says which branch was meant.
_FLOW_BRANCH = {"id": 0, "parallel": 1, "sequence": 2}


def _leaf_errors(error: Any) -> Iterator[Any]:
    """For "matches none of oneOf/anyOf", the errors of the branch that was meant."""
    from jsonschema.exceptions import best_match

    if error.validator not in ("oneOf", "anyOf") or not error.context or not error.path:
        yield error
        return
    instance = error.instance
    if isinstance(instance, dict) and len(error.validator_value) == len(_FLOW_BRANCH):
        # Without `parallel` or `sequence`, an item is a step missing its `id`.
        branch = next((b for key, b in _FLOW_BRANCH.items() if key in instance), 0)
        chosen = [e for e in error.context if e.schema_path and e.schema_path[0] == branch]
        if chosen:
            for deeper in chosen:
                yield from _leaf_errors(deeper)
            return
    # A value of the wrong type for one branch is no news when another branch
    # takes its type: what that branch says is the explanation (a list of
    # words is never what a mapping meant, as in `clock`).
    candidates = [
        e for e in error.context
        if e.validator != "type" and not (e.validator == "enum" and isinstance(e.instance, (dict, list)))
    ] or error.context
    deeper = best_match(candidates)
    # A missing key explains a mapping (a range without `max`), never a scalar.
    if deeper is None or (
        deeper.validator in ("required", "not") and not deeper.path and not isinstance(instance, dict)
    ):
        yield error
    elif isinstance(instance, dict):
        # A mapping meant the branch that explains it: every error of that branch.
        for sibling in candidates:
            if list(sibling.schema_path)[:1] == list(deeper.schema_path)[:1]:
                yield from _leaf_errors(sibling)
    else:
        yield from _leaf_errors(deeper)


def json_path(parts: Iterable[Any]) -> str:
    text = "$"
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def _locate(document: Document, error: Any) -> list[SchemaProblem]:
    path = list(error.absolute_path)
    where = json_path(path)
    instance = error.instance
    if error.validator == "additionalProperties" and isinstance(instance, dict):
        allowed = list(error.schema.get("properties", {}))
        patterns = [re.compile(p) for p in error.schema.get("patternProperties", {})]
        extra = [
            key for key in instance
            if key not in allowed and not any(p.search(key) for p in patterns)
        ]
        container = _container_at(document.data, path)
        return [
            SchemaProblem(
                f"`{json_path([*path, key])}`: " + message,
                document.key_span(container, key) if container is not None else document.span_at(path),
                where,
                help,
            )
            for key in extra
            for message, help in [_unknown_key(str(key), allowed, path)]
        ]
    if error.validator == "oneOf" and not path and isinstance(instance, dict):
        # The top level: a flow of `steps`, or `stages`.
        if "steps" in instance and "stages" in instance:
            return [SchemaProblem(
                "`$`: a runbook has `steps` or `stages`, not both",
                document.key_span(instance, "stages"),
                where,
                "keep `steps` for one flow, or move every step into `stages`",
            )]
        return [SchemaProblem(
            "`$`: a runbook needs `steps` (a flow of steps) or `stages`",
            document.root_span,
            where,
            "add `steps:` and list the steps under it, each with an `id`",
        )]
    message, help = _explained(error, path)
    return [SchemaProblem(f"`{where}`: {_brief(message)}", document.span_at(path), where, help)]


# Keys other tools use for what a runbook calls otherwise: spelling alone
# would not lead from them to the key meant.
_SYNONYMS = {
    "depends_on": "needs", "dependsOn": "needs", "depends": "needs", "requires": "needs",
    "after": "needs", "dependencies": "needs", "name": "id", "owner": "role", "assignee": "role",
    "command": "run", "cmd": "run", "script": "run", "timeout": "duration", "time": "duration",
    "undo": "rollback", "revert": "rollback", "approver": "approval", "check": "verifies",
    "id": "step",  # in a `needs` entry
}


def _unknown_key(key: str, allowed: list[str], path: list[Any]) -> tuple[str, str | None]:
    from .words import closest, listed

    if not allowed:  # only names matching a pattern: roles, resources
        owner = _last_key(path)
        return (
            f"`{key}` is not a valid name",
            f"name it with at least one character{' and no spaces or empty segments' if owner == 'resources' else ''}",
        )
    meant = _SYNONYMS.get(key) if _SYNONYMS.get(key) in allowed else closest(key, allowed)
    if meant:
        return f"unknown key `{key}`", f"did you mean `{meant}`?"
    return f"unknown key `{key}`", "the keys here are " + listed((f"`{k}`" for k in allowed), limit=len(allowed))


_TYPE_WORDS = {
    "array": "a list",
    "object": "a mapping of keys to values",
    "string": "text",
    "boolean": "`true` or `false`",
    "integer": "a whole number",
    "number": "a number",
}


def _kind_of(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return f"`{_flow(value)}`"
    if isinstance(value, (int, float)):
        return f"the number `{_flow(value)}`"
    if isinstance(value, str):
        return f"the text `{value}`"
    return "a list" if isinstance(value, list) else "a mapping"


def _explained(error: Any, path: list[Any]) -> tuple[str, str | None]:
    """The error in a responder's words, and what to write instead."""
    keyword, instance, schema = error.validator, error.instance, error.schema
    subject = _subject(path)
    about = _description(path)
    if keyword == "type":
        expected = error.validator_value
        words = " or ".join(_TYPE_WORDS.get(t, t) for t in ([expected] if isinstance(expected, str) else expected))
        return f"{subject} must be {words}, not {_kind_of(instance)}", _retyped(path, expected, instance, schema)
    if keyword == "enum":
        from .words import closest, listed

        allowed = [str(_flow(v)) for v in error.validator_value]
        near = closest(str(instance), allowed) if isinstance(instance, str) else None
        choices = listed((f"`{v}`" for v in allowed), limit=len(allowed))
        return (
            f"{subject} cannot be {_kind_of(instance)}: it is one of {choices}",
            f"did you mean {_write(path, near)}?" if near else about,
        )
    if keyword == "const":
        const = _flow(error.validator_value)
        return f"{subject} cannot be {_kind_of(instance)}: only `{const}` is allowed", f"write {_write(path, const)}"
    if keyword in ("minimum", "maximum"):
        bound = _flow(error.validator_value)
        side = "at least" if keyword == "minimum" else "at most"
        return f"{subject} is `{_flow(instance)}`, but it must be {side} `{bound}`", _description_of(schema) or about
    if keyword == "minLength":
        return f"{subject} is empty text", about
    if keyword == "minItems":
        item = "step or block" if _last_key(path) in ("parallel", "sequence") else "item"
        return f"{subject} is an empty list", f"list at least one {item} under it, or leave it out"
    if keyword == "minProperties":
        keys = list(schema.get("properties", {}))
        written = " or ".join(_write(path, f"{{{key}: …}}") for key in keys)
        return f"{subject} is an empty mapping", f"write {written}" if keys else about
    if keyword == "uniqueItems":
        repeated = list(dict.fromkeys(v for i, v in enumerate(instance) if v in instance[:i]))
        once = ", ".join(str(_flow(v)) for v in dict.fromkeys(instance))
        return (
            f"{subject} lists " + ", ".join(f"`{_flow(v)}`" for v in repeated) + " more than once",
            f"write {_write(path, f'[{once}]')}",
        )
    if keyword == "required":
        missing = [key for key in error.validator_value if key not in instance]
        what = _DEF_NOUNS.get(_def_name(schema) or "", "it")
        first = missing[0] if missing else ""
        return (
            f"{what} has no " + " and no ".join(f"`{key}`" for key in missing),
            _add_key(first, instance, schema),
        )
    if keyword == "pattern":
        noun, fixed = _pattern_noun(error.validator_value, instance, path)
        return f"`{instance}` is not {noun}", fixed or _description_of(schema) or about
    # oneOf/anyOf left unexplained by a branch: what the value should be.
    return f"{subject} cannot be {_kind_of(instance)}", about


def _retyped(path: list[Any], expected: Any, instance: Any, schema: dict[str, Any]) -> str | None:
    """For a value of the wrong type, the same value written as the type wanted."""
    scalar = isinstance(instance, (str, int, float)) and not isinstance(instance, bool)
    if expected == "array":
        if scalar:
            return f"write {_write(path, f'[{_flow(instance)}]')}"
        return "list the items under it, one `- item` a line, or leave it out"
    if expected == "object":
        keys = list(schema.get("properties", {}))
        if scalar and "kind" in keys:
            return f"write {_write(path, f'{{kind: {_flow(instance)}}}')}"
        if keys:
            from .words import listed

            return "write its keys under it: " + listed((f"`{k}`" for k in keys), limit=len(keys))
        return "write `name: {…}` entries under it"
    if expected == "boolean":
        return f"write {_write(path, 'true')} or {_write(path, 'false')}"
    if expected == "string":
        if isinstance(instance, (bool, int, float)):
            return f"quote it: {_write(path, repr(str(_flow(instance))))}"
        return "write one value, as text"
    example = (schema.get("examples") or [1])[0]
    return f"write a number, e.g. {_write(path, _flow(example))}"


def _add_key(key: str, instance: Any, schema: dict[str, Any]) -> str:
    """How to add the missing key, with the value it most likely has."""
    if key == "id" and isinstance(instance, dict):
        named = next((instance[k] for k in ("name", "title") if isinstance(instance.get(k), str)), None)
        if named:
            return f"add `id: {_slug(named, lower=False)}`: every step has an id other steps refer to"
    about = _description_of(schema.get("properties", {}).get(key, {}))
    return f"add `{key}`" + (f": {about[0].lower()}{about[1:]}" if about else "")


_DEF_NOUNS = {
    "step": "this step", "stage": "this stage", "durationRange": "this range",
    "need": "this wait", "parallelBlock": "this block", "sequenceBlock": "this block",
}


def _def_name(schema: dict[str, Any]) -> str | None:
    definitions: dict[str, dict[str, Any]] = _schema()["$defs"]
    for name, definition in definitions.items():
        if definition is schema or any(branch is schema for branch in definition.get("oneOf", ())):
            return name
    return None


def _pattern_noun(pattern: str, value: Any, path: list[Any]) -> tuple[str, str | None]:
    """What a value of this pattern is, and the value fixed, when it can be."""
    defs = _schema()["$defs"]
    text = str(value)
    if pattern == _schema()["properties"]["runbook"]["pattern"]:
        return "a runbook id", _fixed(path, _slug(text, lower=True))
    if pattern == defs["stepId"]["pattern"]:
        return "a step id", _fixed(path, _slug(text, lower=False))
    if pattern == defs["resourceName"]["pattern"]:
        name = "/".join(_slug(part, lower=False) or "-" for part in text.split("/") if part.strip())
        return "a resource name", _fixed(path, name)
    if pattern == defs["duration"]["oneOf"][1]["pattern"]:
        return "a duration", _fixed(path, _duration_written(text))
    if pattern == _schema()["properties"]["cost_currency"]["pattern"]:
        code = text.strip().upper()
        return "a currency code", _fixed(path, code if re.fullmatch("[A-Z]{3}", code) else None)
    return "valid here", None


def _fixed(path: list[Any], value: str | None) -> str | None:
    return f"write {_write(path, value)}" if value else None


_UNITS = {"h": "h", "hr": "h", "hrs": "h", "hour": "h", "hours": "h", "m": "m", "min": "m",
          "mins": "m", "minute": "m", "minutes": "m", "s": "s", "sec": "s", "secs": "s",
          "second": "s", "seconds": "s"}


def _duration_written(text: str) -> str | None:
    """`10 mins` as `10m`, `1 hour 30 minutes` as `1h30m`; None when it does not read so."""
    parts = re.findall(r"([0-9]+)\s*([A-Za-z]+)", text)
    if not parts or re.sub(r"[0-9]+\s*[A-Za-z]+", "", text).strip(" ,and"):
        return None
    if any(unit.lower() not in _UNITS for _, unit in parts):
        return None
    units = [_UNITS[unit.lower()] for _, unit in parts]
    if units != sorted(units, key="hms".index) or len(set(units)) != len(units):
        return None
    return "".join(f"{int(number)}{unit}" for (number, _), unit in zip(parts, units, strict=True))


def _slug(text: str, lower: bool) -> str | None:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", text.lower() if lower else text).strip("-._")
    return slug or None


def _last_key(path: list[Any]) -> str | None:
    return next((part for part in reversed(path) if isinstance(part, str)), None)


def _subject(path: list[Any]) -> str:
    if not path:
        return "the runbook"
    if isinstance(path[-1], str):
        return f"`{path[-1]}`"
    owner = _last_key(path)
    return f"item {path[-1] + 1} of `{owner}`" if owner else f"item {path[-1] + 1}"


def _write(path: list[Any], value: Any) -> str:
    """`key: value` for a key, `- value` for a list item."""
    if path and isinstance(path[-1], str):
        return f"`{path[-1]}: {value}`"
    return f"`- {value}`"


def _flow(value: Any) -> Any:
    """A value as YAML writes it: `true`, not `True`."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _description(path: list[Any]) -> str | None:
    """What the schema says about the key at `path` (its property's description)."""
    node: Any = _schema()
    described: str | None = None
    for part in path:
        node = _resolved(node)
        if isinstance(part, int):
            node = _resolved(node.get("items", {})) if isinstance(node, dict) else {}
            continue
        properties = node.get("properties", {}) if isinstance(node, dict) else {}
        if part in properties:
            node = properties[part]
        else:
            pattern = next(iter(node.get("patternProperties", {}).values()), None) if isinstance(node, dict) else None
            node = pattern or {}
        described = _description_of(node) or _description_of(_resolved(node))
    return described


def _resolved(node: Any) -> Any:
    """A `$ref` followed, and a flow item taken as a step (its most common branch)."""
    while isinstance(node, dict) and "$ref" in node:
        node = _schema()["$defs"][node["$ref"].rsplit("/", 1)[-1]]
    if isinstance(node, dict) and "anyOf" in node and "properties" not in node:
        branches = [_resolved(b) for b in node["anyOf"]]
        node = next((b for b in branches if "properties" in b), node)
    return node


def _description_of(node: Any) -> str | None:
    """The first sentence of a description, without "Required." (said of a
    key, not of what is wrong with it): a help line, not the reference."""
    text = node.get("description") if isinstance(node, dict) else None
    if not isinstance(text, str) or not text:
        return None
    text = text.removeprefix("Required. ")
    end = re.search(r"(?<!e\.g)(?<!i\.e)\.\s", text)
    return text[: end.start() + 1] if end else text


def _container_at(data: Any, path: list[Any]) -> Any:
    node = data
    for part in path:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return None
    return node if isinstance(node, dict) else None


def _brief(message: str, limit: int = 200) -> str:
    return message if len(message) <= limit else message[: limit - 1] + "…"
