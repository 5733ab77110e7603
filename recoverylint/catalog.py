"""The rule catalog: `rules/RLnnn.yaml`, one file of words and examples per rule."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable

from .finding import Severity
from .resources import data_dir
from .source import parse, read_text


@dataclass(frozen=True)
class RuleDoc:
    code: str
    name: str
    severity: Severity
    family: str
    summary: str
    rationale: str
    fix: str
    examples: dict[str, list[str]]  # "bad"/"good" -> runbook texts


class CatalogError(Exception):
    pass


@lru_cache(maxsize=None)
def rule_doc(code: str) -> RuleDoc:
    path = data_dir("rules") / f"{code}.yaml"
    if not path.is_file():
        raise CatalogError(f"no catalog entry for {code} (expected {path})")
    data: Any = parse(read_text(path)).data
    examples = data.get("examples") or {}
    return RuleDoc(
        code=data["code"],
        name=data["name"],
        severity=Severity(data["severity"]),
        family=data["family"],
        summary=data["summary"].strip(),
        rationale=data["rationale"].strip(),
        fix=data["fix"].strip(),
        examples={kind: _as_list(examples.get(kind)) for kind in ("bad", "good")},
    )


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def catalog_codes() -> list[str]:
    return sorted(path.stem for path in data_dir("rules").glob("RL[0-9][0-9][0-9].yaml"))


def _as_is(text: str) -> str:
    return text


def explanation(
    doc: RuleDoc,
    heading: Callable[[str], str] = _as_is,
    example: Callable[[str], str] = _as_is,
) -> str:
    """A catalog entry in ruff's fixed Markdown layout: what it does, why it
    matters, how to fix, example, use instead (`recoverylint rule`, SARIF's
    help).  `heading` and `example` may style headings and example runbooks."""
    out = [
        heading("## What it does"), doc.summary, "",
        heading("## Why it matters"), doc.rationale, "",
        heading("## How to fix"), doc.fix, "",
    ]
    for title, kind in (("## Example", "bad"), ("## Use instead", "good")):
        if doc.examples[kind]:
            out.append(heading(title))
            for text in doc.examples[kind]:
                out += ["```yaml", example(text.rstrip("\n") + "\n").rstrip("\n"), "```", ""]
    return "\n".join(out).rstrip("\n") + "\n"
