"""The rule catalog is complete, and every rule's own examples behave as documented."""

import json
from pathlib import Path

import pytest

from recoverylint.catalog import (
    FixAvailability,
    always_on_codes,
    catalog_codes,
    engine_codes,
    fix_first_codes,
    plan_blocking_codes,
    rule_doc,
)
from recoverylint.engine import check_text, plan_text
from recoverylint.finding import Fix
from recoverylint.rules import registry
from recoverylint.settings import Settings

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


# The catalog's fields say what the engine does: each is checked against it.


def test_engine_codes_are_the_catalog_codes_no_rule_module_raises():
    assert set(engine_codes()).isdisjoint(registry())
    assert set(engine_codes()) | set(registry()) == set(CODES)
    assert set(always_on_codes()) <= set(engine_codes())


@pytest.mark.parametrize("code", CODES)
def test_always_on_codes_are_reported_whatever_the_configuration_turns_off(code):
    turned_off = Settings(select=(), ignore=("RL",))
    found = {f.code for f in check_text(rule_doc(code).examples["bad"][0], settings=turned_off).findings}
    assert (code in found) == rule_doc(code).always_on
    assert turned_off.enabled(code) == rule_doc(code).always_on


@pytest.mark.parametrize("code", CODES)
def test_plan_blocking_codes_are_those_whose_findings_keep_a_runbook_from_a_plan(code):
    result, plan = plan_text(rule_doc(code).examples["bad"][0])
    assert code in {f.code for f in result.findings}
    assert (plan is None) == (code in plan_blocking_codes())


def _fixes_by_code() -> dict[str, list[Fix]]:
    """The fixes the findings carry on every runbook the project has at hand
    for fixing: the catalog's examples and the fix fixtures."""
    texts = [text for code in CODES for kind in ("bad", "good") for text in rule_doc(code).examples[kind]]
    texts += [path.read_text() for path in sorted((Path(__file__).parent / "fix").rglob("*.yaml"))]
    found: dict[str, list[Fix]] = {}
    for text in texts:
        for item in check_text(text).findings:
            if item.fix is not None:
                found.setdefault(item.code, []).append(item.fix)
    return found


FIXES = _fixes_by_code()


@pytest.mark.parametrize("code", CODES)
def test_fix_field_says_whether_findings_carry_a_fix_and_how_safe(code):
    fixes = FIXES.get(code, [])
    availability = rule_doc(code).fix
    if availability is FixAvailability.NONE:
        assert fixes == []
    elif availability is FixAvailability.SAFE:
        assert fixes and all(fix.safe for fix in fixes)
    else:
        assert any(not fix.safe for fix in fixes)


def test_fixes_tried_first_are_of_rules_whose_findings_carry_fixes():
    assert fix_first_codes()
    assert all(rule_doc(code).fix is not FixAvailability.NONE for code in fix_first_codes())


def test_the_rules_and_rules_commands_still_say_how_to_fix_under_their_old_key():
    from click.testing import CliRunner

    from recoverylint.cli import cli

    shown = CliRunner().invoke(cli, ["rule", "RL203", "--format", "json"])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.output)["fix"] == rule_doc("RL203").how_to_fix
