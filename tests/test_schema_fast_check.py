"""The generated fast check (recoverylint/_schema_check.py) passes and fails
exactly the documents the schema does, so that schema.validate's errors,
which jsonschema gives whenever the fast check fails, are unchanged by how
the check is generated (issue 16: it no longer names every value it checks)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import fastjsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from jsonschema import Draft202012Validator
from test_robustness_hypothesis import runbook_shaped
from test_schema_errors import KEYWORD_CASES

from recoverylint import _schema_check, compiled_schema, schema
from recoverylint.adapters import is_native
from recoverylint.compiled_schema import GENERATED, generate_source
from recoverylint.source import SourceError, parse

TESTS = Path(__file__).resolve().parent


def _native_fixtures() -> dict[str, str]:
    """Every native runbook of the tests: the files, and the runbook of each
    schema keyword's RL002 case."""
    found = {}
    for path in sorted([*TESTS.rglob("*.yaml"), *TESTS.rglob("*.yml")]):
        try:
            text = path.read_text(encoding="utf-8")
            data = parse(text).data
        except (SourceError, UnicodeDecodeError):
            continue
        if is_native(data):
            found[str(path.relative_to(TESTS))] = text
    for keyword, (text, *_) in KEYWORD_CASES.items():
        found[f"test_schema_errors.py:{keyword}"] = text
    return found


FIXTURES = _native_fixtures()
WITH_RL002 = sorted(name for name, text in FIXTURES.items() if schema.validate(parse(text)))


def _accepts(check: object, data: object) -> bool:
    try:
        check(data)  # type: ignore[operator]
    except (_schema_check.JsonSchemaValueException, fastjsonschema.JsonSchemaException):
        return False
    return True


def test_there_are_fixtures_of_both_kinds():
    full = Draft202012Validator(json.loads(schema.schema_text()))
    valid = [name for name, text in FIXTURES.items() if full.is_valid(parse(text).data)]
    assert len(valid) >= 50
    assert len(FIXTURES) - len(valid) == len(WITH_RL002) >= 15


def test_the_fast_check_agrees_with_jsonschema_and_fastjsonschema_on_every_fixture():
    full = Draft202012Validator(json.loads(schema.schema_text()))
    as_generated_by_fastjsonschema = fastjsonschema.compile(
        dict(json.loads(schema.schema_text()), **{"$schema": "http://json-schema.org/draft-07/schema#"}),
        use_default=False,
    )
    for name, text in FIXTURES.items():
        data = parse(text).data
        accepted = _accepts(_schema_check.check_runbook, data)
        assert accepted == full.is_valid(data), name
        assert accepted == _accepts(as_generated_by_fastjsonschema, data), name


_FULL = Draft202012Validator(json.loads(schema.schema_text()))
_AS_GENERATED_BY_FASTJSONSCHEMA = fastjsonschema.compile(
    dict(json.loads(schema.schema_text()), **{"$schema": "http://json-schema.org/draft-07/schema#"}),
    use_default=False,
)


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(runbook_shaped)
def test_the_fast_check_agrees_on_runbook_shaped_documents(document):
    # Valid runbooks and ones with a few values, keys or flows wrong: the
    # branches of `oneOf`/`anyOf` (durations, needs, clocks, flow items) fail
    # and pass in every combination.
    accepted = _accepts(_schema_check.check_runbook, document)
    assert accepted == _FULL.is_valid(document)
    assert accepted == _accepts(_AS_GENERATED_BY_FASTJSONSCHEMA, document)


def test_the_generated_check_raises_bare():
    # A message and the schema's definition, built at every branch of
    # `oneOf`/`anyOf` a valid value does not take, were a quarter of the
    # check's time on a valid runbook; nothing reads them.
    generated = GENERATED.read_text(encoding="utf-8")
    raises = [line.strip() for line in generated.splitlines() if "raise " in line]
    assert len(raises) > 100
    assert set(raises) == {"raise JsonSchemaValueException"}
    # Nor does a branch raise only to be caught at once: a duration written as
    # text in the branch of numbers, a need written as an id in that of mappings.
    tested_first = re.findall(r"_one_of_count\d+ < 2 and not \((.*)\):$", generated, re.MULTILINE)
    assert "not isinstance(data, (int, float, Decimal)) or isinstance(data, bool)" in tested_first  # a number
    assert tested_first.count("not isinstance(data, (str))") == 1  # a duration's text
    assert tested_first.count("not isinstance(data, (dict))") == 1  # a need's mapping
    assert not compiled_schema._BRANCH_OPENING_WITH_A_TEST.search(generated)


@pytest.mark.parametrize(
    ("change", "refusal"),
    [
        pytest.param(
            lambda code: code.replace(
                "except (JsonSchemaValueException, JsonSchemaValuesException): pass",
                "except (JsonSchemaValueException, JsonSchemaValuesException) as error: errors.append(error)",
                1,
            ),
            "handles its exception in a new way",
            id="a-handler-reading-the-exception",
        ),
        pytest.param(
            lambda code: code.replace(", rule=", ",\n    rule=", 1),
            "raises its exception in a new way",
            id="a-raise-over-two-lines",
        ),
    ],
)
def test_generated_code_shaped_otherwise_stops_the_generation(change, refusal, monkeypatch):
    compile_to_code = fastjsonschema.compile_to_code

    def shaped_otherwise(*args: object, **kwargs: object) -> str:
        code = compile_to_code(*args, **kwargs)
        changed = change(code)
        assert changed != code  # the shape the generator knows was there to change
        return changed

    monkeypatch.setattr(fastjsonschema, "compile_to_code", shaped_otherwise)
    with pytest.raises(RuntimeError, match=refusal):
        generate_source(schema.schema_text())


def test_the_generated_check_names_no_value_it_checks():
    # Names like `data.steps[3].needs[0]`, made for every value through
    # str.format(**locals()), were half its time on a valid runbook; they
    # are only made now when it raises.
    generated = GENERATED.read_text(encoding="utf-8")
    assert "custom_formats, (name_prefix" not in generated
    calls = [line for line in generated.splitlines() if ".format(**locals())" in line]
    assert all(line.lstrip().startswith("raise ") for line in calls)


# fastjsonschema's call of a definition's validator, naming the value it checks.
_NAMING_CALL = re.compile(r'custom_formats, \(name_prefix or "data"\) \+ ("[^"]*")(\.format\(\*\*locals\(\)\))?\)')


@pytest.mark.parametrize(
    "spelling",
    [
        pytest.param(r'custom_formats, name_prefix=(name_prefix or "data") + \1\2)', id="keyword-argument"),
        pytest.param(r'custom_formats, f"{name_prefix or \'data\'}" + \1\2)', id="f-string"),
    ],
)
def test_a_new_way_of_naming_values_stops_the_generation(spelling, monkeypatch):
    compile_to_code = fastjsonschema.compile_to_code

    def naming_another_way(*args: object, **kwargs: object) -> str:
        code, count = _NAMING_CALL.subn(spelling, compile_to_code(*args, **kwargs))
        assert count > 0  # the spelling the generator knows was there to change
        return code

    monkeypatch.setattr(fastjsonschema, "compile_to_code", naming_another_way)
    with pytest.raises(RuntimeError, match="names the values it checks in a new way"):
        generate_source(schema.schema_text())
