"""The rule catalog is complete, and every rule's own examples behave as documented."""

import pytest

from recoverylint.catalog import catalog_codes, engine_codes, rule_doc
from recoverylint.engine import check_text
from recoverylint.rules import registry

CODES = catalog_codes()


def test_every_rule_has_a_catalog_entry_and_every_entry_a_rule():
    implemented = set(registry()) | set(engine_codes())
    assert implemented == set(CODES)


@pytest.mark.parametrize("code", CODES)
def test_catalog_entry_is_complete(code):
    doc = rule_doc(code)
    assert doc.code == code
    assert doc.name and doc.summary and doc.rationale and doc.how_to_fix
    assert "TODO" not in doc.rationale + doc.how_to_fix
    assert doc.examples["bad"] and doc.examples["good"]


EXAMPLES = [
    (code, kind, number, text)
    for code in CODES
    for kind in ("bad", "good")
    for number, text in enumerate(rule_doc(code).examples[kind])
]


@pytest.mark.parametrize(
    "code, kind, number, text", EXAMPLES, ids=[f"{c}-{k}-{n}" for c, k, n, _ in EXAMPLES]
)
def test_catalog_example(code, kind, number, text):
    found = [(f.code, f.span.line, f.message) for f in check_text(text).findings]
    if kind == "bad":
        assert any(c == code for c, _, _ in found), found
    else:
        assert found == []
