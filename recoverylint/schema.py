"""Validating a document against the bundled JSON Schema, errors located at their nodes."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Iterable, Iterator

from .model import Span
from .resources import schema_path
from .source import Document, read_text


@dataclass(frozen=True)
class SchemaProblem:
    message: str
    span: Span
    json_path: str


@lru_cache(maxsize=1)
def schema_text() -> str:
    return read_text(schema_path())


@lru_cache(maxsize=1)
def _schema() -> dict:
    return json.loads(schema_text())


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
    problems = {}
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
        branch = next((b for key, b in _FLOW_BRANCH.items() if key in instance), None)
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
    if deeper is None or deeper.validator in ("required", "not") and not deeper.path:
        yield error
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
        allowed = set(error.schema.get("properties", {}))
        patterns = [re.compile(p) for p in error.schema.get("patternProperties", {})]
        extra = [
            key for key in instance
            if key not in allowed and not any(p.search(key) for p in patterns)
        ]
        container = _container_at(document.data, path)
        return [
            SchemaProblem(
                f"`{json_path(path + [key])}`: "
                + (f"unknown key `{key}`{_suggest(key, allowed)}" if allowed else f"`{key}` is not a valid name"),
                document.key_span(container, key) if container is not None else document.span_at(path),
                where,
            )
            for key in extra
        ]
    if error.validator == "oneOf" and not path and isinstance(instance, dict):
        # The top level: a flow of `steps`, or `stages`.
        if "steps" in instance and "stages" in instance:
            return [SchemaProblem(
                "`$`: a runbook has `steps` or `stages`, not both",
                document.key_span(instance, "stages"),
                where,
            )]
        return [SchemaProblem("`$`: a runbook needs `steps` (a flow of steps) or `stages`", document.root_span, where)]
    message = error.message
    if error.validator == "pattern" and error.schema.get("description"):
        message = f"{instance!r} is not valid here: {error.schema['description']}"
    return [SchemaProblem(f"`{where}`: {_brief(message)}", document.span_at(path), where)]


def _container_at(data: Any, path: list) -> Any:
    node = data
    for part in path:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return None
    return node if isinstance(node, dict) else None


def _brief(message: str, limit: int = 200) -> str:
    return message if len(message) <= limit else message[: limit - 1] + "…"


def _suggest(name: str, candidates: set[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, sorted(candidates), n=1)
    return f" (did you mean `{close[0]}`?)" if close else ""
