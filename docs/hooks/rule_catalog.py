"""MkDocs hook: the rule catalog in rules.md is generated from rules/RLnnn.yaml
through the same `explanation` that `recoverylint rule` prints, so no rule's
words are copied by hand into the manual."""

from __future__ import annotations

from typing import Any

from recoverylint.catalog import catalog_codes, explanation, rule_doc

MARKER = "<!-- rule-catalog -->"


def catalog_markdown() -> str:
    """Every rule's entry, each under a `### RLnnn name` heading."""
    entries = []
    for code in catalog_codes():
        doc = rule_doc(code)
        body = explanation(doc, heading=lambda title: "##" + title)
        entries.append(f"### {doc.code} {doc.name} {{ #{doc.code.lower()} }}\n\n"
                       f"Default severity: {doc.severity.value}.\n\n{body}")
    return "\n".join(entries)


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    if page.file.src_uri != "rules.md":
        return markdown
    if MARKER not in markdown:
        raise ValueError(f"rules.md lost its {MARKER} marker")
    return markdown.replace(MARKER, catalog_markdown())
