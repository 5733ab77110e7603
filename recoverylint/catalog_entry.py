"""One rule's catalog entry, `rules/RLnnn.yaml`, read into a RuleDoc: its
words, examples and facts.  Imported when a rule's words are wanted (a
finding, `recoverylint rule`, SARIF's help), not by a run that only asks
the catalog which codes have a flag (`catalog`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from .catalog import CatalogError
from .finding import Severity
from .source import parse, read_text


class FixAvailability(Enum):
    """Whether a rule's findings may carry a fix, and how safe it is (as
    ruff's docs say it): `unsafe` when any of its fixes may change what the
    runbook means, `safe` when every one keeps it."""

    SAFE = "safe"
    UNSAFE = "unsafe"
    NONE = "none"


@dataclass(frozen=True)
class RuleDoc:
    code: str
    name: str
    severity: Severity
    family: str
    summary: str
    rationale: str
    how_to_fix: str
    examples: dict[str, list[str]]  # "bad"/"good" -> runbook texts
    fix: FixAvailability = FixAvailability.NONE
    engine: bool = False  # raised by the engine itself (reading, suppressions), not a rule module
    always_on: bool = False  # reading the file: never turned off, or a broken file would look clean
    blocks_plan: bool = False  # a runbook with this finding cannot be planned
    fix_first: bool = False  # its fixes are tried before other rules' ones


def read_entry(code: str, path: Path) -> RuleDoc:
    """The entry of `code`, from its file at `path`."""
    data: Any = parse(read_text(path)).data
    examples = data.get("examples") or {}
    return RuleDoc(
        code=data["code"],
        name=data["name"],
        severity=Severity(data["severity"]),
        family=data["family"],
        summary=data["summary"].strip(),
        rationale=data["rationale"].strip(),
        how_to_fix=data["how_to_fix"].strip(),
        examples={kind: _as_list(examples.get(kind)) for kind in ("bad", "good")},
        fix=FixAvailability(data["fix"]),
        engine=_flag(data, "engine", code),
        always_on=_flag(data, "always_on", code),
        blocks_plan=_flag(data, "blocks_plan", code),
        fix_first=_flag(data, "fix_first", code),
    )


def _flag(data: Any, key: str, code: str) -> bool:
    value = data.get(key, False)
    if not isinstance(value, bool):
        raise CatalogError(f"{code}: `{key}` must be true or false, not {value!r}")
    return value


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


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
        heading("## How to fix"), doc.how_to_fix, "",
    ]
    for title, kind in (("## Example", "bad"), ("## Use instead", "good")):
        if doc.examples[kind]:
            out.append(heading(title))
            for text in doc.examples[kind]:
                out += ["```yaml", example(text.rstrip("\n") + "\n").rstrip("\n"), "```", ""]
    return "\n".join(out).rstrip("\n") + "\n"
