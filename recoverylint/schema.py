"""Validating a document against the bundled JSON Schema, errors located at their nodes."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Iterator

from .model import Span
from .resources import schema_path
from .source import Document


@dataclass(frozen=True)
class SchemaProblem:
    message: str
    span: Span
    json_path: str


@lru_cache(maxsize=1)
def schema_text() -> str:
    return schema_path().read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _schema() -> dict:
    return json.loads(schema_text())


@lru_cache(maxsize=1)
def _fast_check() -> Callable[[Any], Any]:
    import fastjsonschema

    # fastjsonschema knows drafts up to 7; the schema keeps to keywords that
    # mean the same in draft 7 and 2020-12 (a test holds both to agreement).
    draft7 = dict(_schema(), **{"$schema": "http://json-schema.org/draft-07/schema#"})
    # use_default=False: fastjsonschema would otherwise fill defaults into the data.
    return fastjsonschema.compile(draft7, use_default=False)


@lru_cache(maxsize=1)
def _full_validator() -> Any:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(_schema())


def validate(document: Document) -> list[SchemaProblem]:
    """Every way the document breaks the schema; [] when it is valid."""
    import fastjsonschema

    try:
        _fast_check()(document.data)
        return []
    except fastjsonschema.JsonSchemaException:
        pass
    problems = []
    seen = set()
    for error in _full_validator().iter_errors(document.data):
        problem = _locate(document, _most_relevant(error))
        if (problem.json_path, problem.message) not in seen:
            seen.add((problem.json_path, problem.message))
            problems.append(problem)
    return sorted(problems, key=lambda p: (p.span.line, p.span.column, p.message))


# A flow item is a step or a block: its key says which branch was meant.
_FLOW_BRANCH = {"id": 0, "parallel": 1, "sequence": 2}


def _most_relevant(error: Any) -> Any:
    """For "matches none of oneOf/anyOf", the branch error that says what is wrong."""
    from jsonschema.exceptions import best_match

    while error.validator in ("oneOf", "anyOf") and error.context:
        instance = error.instance
        branch = None
        if isinstance(instance, dict) and len(error.validator_value) == 3:
            branch = next((b for key, b in _FLOW_BRANCH.items() if key in instance), None)
        if branch is not None:
            chosen = [e for e in error.context if e.schema_path and e.schema_path[0] == branch]
            deeper = best_match(chosen) if chosen else None
        else:
            deeper = best_match(error.context)
        if deeper is None or deeper.validator in ("required", "not") and not deeper.path:
            break
        error = deeper
    return error


def json_path(parts: Iterator[Any]) -> str:
    text = "$"
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def _locate(document: Document, error: Any) -> SchemaProblem:
    path = list(error.absolute_path)
    where = json_path(iter(path))
    instance = error.instance
    if error.validator == "additionalProperties" and isinstance(instance, dict):
        allowed = set(error.schema.get("properties", {}))
        extra = [key for key in instance if key not in allowed]
        if extra:
            key = extra[0]
            container = _container_at(document.data, path)
            span = document.key_span(container, key) if container is not None else document.span_at(path)
            return SchemaProblem(
                f"`{json_path(iter(path + [key]))}`: unknown key `{key}`"
                + _suggest(key, allowed),
                span,
                where,
            )
    return SchemaProblem(f"`{where}`: {_brief(error.message)}", document.span_at(path), where)


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
