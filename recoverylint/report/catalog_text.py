"""`rules` and `rule`: the rule catalog for people (text) or tools (json)."""

from __future__ import annotations

import json
from typing import Any

from ..catalog import RuleDoc, explanation
from . import RuleView


def rules_text(docs: tuple[RuleDoc, ...]) -> str:
    """One rule a line: code, name, default severity and summary, in columns."""
    name_width = max((len(doc.name) for doc in docs), default=0)
    severity_width = max((len(doc.severity.value) for doc in docs), default=0)
    return "".join(
        f"{doc.code}  {doc.name:<{name_width}}  {doc.severity.value:<{severity_width}}  {doc.summary}\n"
        for doc in docs
    )


def rules_json(docs: tuple[RuleDoc, ...]) -> str:
    return json.dumps([_entry(doc) for doc in docs], indent=2, ensure_ascii=False) + "\n"


def rule_json(view: RuleView) -> str:
    doc = view.doc
    entry = {**_entry(doc), "rationale": doc.rationale, "fix": doc.how_to_fix, "examples": doc.examples}
    return json.dumps(entry, indent=2, ensure_ascii=False) + "\n"


def _entry(doc: RuleDoc) -> dict[str, Any]:
    return {
        "code": doc.code,
        "name": doc.name,
        "severity": doc.severity.value,
        "family": doc.family,
        "summary": doc.summary,
    }


def rule_text(view: RuleView) -> str:
    """A catalog entry for a person, in a fixed Markdown layout (as `ruff rule` prints)."""
    import click

    doc, colour = view.doc, view.colour

    def heading(text: str) -> str:
        return click.style(text, bold=True) if colour else text

    if colour:  # pygments is imported only when colouring: it costs startup time
        from pygments import highlight
        from pygments.formatters import TerminalFormatter
        from pygments.lexers import YamlLexer

        lexer, formatter = YamlLexer(), TerminalFormatter()

        def example(text: str) -> str:
            return str(highlight(text, lexer, formatter))

    else:

        def example(text: str) -> str:
            return text

    title = heading(f"{doc.code} {doc.name} ({doc.severity.value}, {doc.family})")
    return f"{title}\n\n{explanation(doc, heading, example)}"
