"""Property tests: no input crashes recoverylint, in-process.

(a) YAML-ish text and raw bytes: `source.decode`/`source.parse` raise nothing
    but SourceError, and `engine.check_text` raises nothing at all.
(b) Runbook-shaped documents (duplicate ids, unknown references, cycles,
    nested blocks, stages, sometimes invalid values), dumped as JSON or YAML:
    `check_text` never raises and every finding is well formed.
(c) On the same documents, the fast schema gate and the full validator agree.
"""

from __future__ import annotations

import copy
import io
import json
import math
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from ruamel.yaml import YAML

from recoverylint import schema as rl_schema
from recoverylint.engine import check_text
from recoverylint.finding import Finding, Severity
from recoverylint.source import SourceError, decode, parse

# database=None: write no example database into the working tree.
COMMON = dict(
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
CODE = re.compile(r"RL\d{3}")


def assert_well_formed(findings: list[Finding], text: str) -> None:
    lines = max(1, len(text.splitlines()) + 1)
    for f in findings:
        assert CODE.fullmatch(f.code), f
        assert isinstance(f.severity, Severity), f
        assert f.name, f
        assert isinstance(f.message, str) and f.message.strip(), f
        span = f.span
        assert span.line >= 1 and span.column >= 1, f
        assert (span.end_line, span.end_column) >= (span.line, span.column), f
        assert span.line <= lines, (f, lines)


def check_never_raises(text: str) -> None:
    try:
        result = check_text(text)
    except Exception as error:  # noqa: BLE001 - any exception is the bug
        pytest.fail(f"check_text raised {type(error).__name__}: {error!r:.300}\ninput: {text!r:.500}")
    assert result.internal_error is None
    assert_well_formed(result.findings, text)


def parse_only_source_errors(text: str) -> None:
    try:
        parse(text)
    except SourceError as error:
        assert error.line >= 1 and error.column >= 1
        assert error.message
    except Exception as error:  # noqa: BLE001
        pytest.fail(f"parse raised {type(error).__name__}: {error!r:.300}\ninput: {text!r:.500}")


# --- (a) YAML-ish text and raw bytes -----------------------------------------

YAML_ALPHABET = "-:[]{}&*!|>'\"#%@\n ,?.~<=\\\t\r" + "abcxyz" + "ABNTF" + "0123456789" + "é\u2028\ufeff"
TOKENS = [
    "runbook: ", "runbook: rb\n", "steps:\n", "stages:\n", "  - id: ", "  - ", "    ",
    "needs: [", "]", "[", "{", "}", ", ", ": ", "\n", "\n  ", "\n    ", "- ",
    "&a ", "*a", "&b ", "*b", "<<: ", "<<: *a\n", "!!str ", "!!int ", "!!float ", "!!null ",
    "!!map ", "!!seq ", "!!omap ", "!!set ", "!!binary ", "!local ", "!<tag:x> ",
    "!!python/object/apply:os.system ", "---\n", "...\n", "%YAML 1.2\n", "%TAG ! tag:x,2000:\n",
    "? ", "0x1F", "0o17", "1e3", "-.5", ".inf", "-.Inf", ".nan", "~", "null", "true", "False",
    "'", "''", '"', '"\\u0041\\x00"', "|\n", ">-\n", "|+2\n", "# c\n", "a", "id", "x",
    "parallel:\n", "sequence:\n", "- stage: s\n", "gate: false\n", "duration: 5m\n",
]

yamlish_text = st.one_of(
    st.text(alphabet=YAML_ALPHABET, max_size=200),
    st.lists(st.sampled_from(TOKENS) | st.text(alphabet=YAML_ALPHABET, max_size=5), max_size=40).map(
        "".join
    ),
    st.text(alphabet=YAML_ALPHABET, max_size=120).map(lambda t: "runbook: rb\nsteps:\n" + t),
)


@settings(max_examples=400, **COMMON)
@given(yamlish_text)
@example("[" * 5000)
@example("a: &a [" + ", ".join(["*a"] * 3) + "]")
def test_yamlish_text_parse_raises_only_source_error(text: str) -> None:
    parse_only_source_errors(text)


@settings(max_examples=400, **COMMON)
@given(yamlish_text)
@example("runbook: rb\nsteps:\n  - id: a\n    needs: [a]\n")
def test_yamlish_text_check_text_never_raises(text: str) -> None:
    check_never_raises(text)


@settings(max_examples=400, **COMMON)
@given(st.one_of(st.binary(max_size=300), st.binary(max_size=100).map(lambda b: b"runbook: rb\n" + b)))
def test_random_bytes_decode_then_check(raw: bytes) -> None:
    try:
        text = decode(raw)
    except SourceError as error:
        assert error.line >= 1 and error.column >= 1 and error.message
        return
    except Exception as error:  # noqa: BLE001
        pytest.fail(f"decode raised {type(error).__name__}: {error!r}\ninput: {raw!r}")
    parse_only_source_errors(text)
    check_never_raises(text)


# Found by the properties above once a 4,400-digit token was among TOKENS; kept
# as plain examples so that the properties go on exploring past it.
HUGE_NUMBERS = {
    "int": "runbook: big\nformat: " + "9" * 5000 + "\nsteps: []\n",
    "duration-minutes": "runbook: big\nsteps:\n  - id: a\n    duration: " + "9" * 400 + "\n  - id: b\n",
    "duration-hours": "runbook: big\nsteps:\n  - id: a\n    duration: " + "9" * 400 + "h\n  - id: b\n",
    "sync-overhead": "runbook: big\nsync_overhead: " + "9" * 400 + "\nsteps: [{id: a}]\n",
    "signed-int": "runbook: big\nsteps: [{id: a, duration: -" + "1" * 4400 + "}]\n",
    "int-tag": "runbook: big\nformat: !!int " + "7" * 4400 + "\nsteps: []\n",
}


@pytest.mark.parametrize("text", HUGE_NUMBERS.values(), ids=HUGE_NUMBERS.keys())
def test_huge_numbers(text: str) -> None:
    parse_only_source_errors(text)
    check_never_raises(text)


# --- (b) runbook-shaped documents ----------------------------------------------

IDS = ["a", "b", "c", "d", "e", "f"]
ROLES = ["commander", "ops", "dba", "comms"]
FACTS = ["alert", "disk", "logs", "cause", "fixed"]
STEP_RESOURCES = ["db", "db/disk", "k8s/orders", "k8s/orders/pods", "k8s/orders/*", "status-page", "cache/*/keys", "*"]
DECLARED_RESOURCES = ["db", "db/disk", "k8s/orders", "status-page"]
CLOCKS = ["clock", "recovery"]
PHASES = ["detect", "triage", "diagnose", "remediate", "verify", "communicate", "close"]
AUTHORITY = ["observe", "communicate", "apply", "approve", "decide", "emergency"]
# Values of the wrong type or shape, put anywhere by the mutator.
INVALID_VALUES = [None, 0, -1, 2, 3.5, True, "", "Not An Id!", "5 minutes", "-x", [], {}, ["x"], {"k": 1}, [None], [{"id": 3}]]

step_id = st.sampled_from(IDS)
role_name = st.sampled_from(ROLES + ["ghost"])
facts = st.lists(st.sampled_from(FACTS), max_size=3)
resources_used = st.lists(st.sampled_from(STEP_RESOURCES), max_size=3)
ids = st.lists(step_id, max_size=3)
# Valid by the schema, but too large for a float: rare, so that the
# properties go on exploring everything else too.
huge_duration = st.sampled_from([10**400, "9" * 400 + "h", "9" * 400 + "m"])
normal_duration = st.one_of(
    st.sampled_from(["90s", "5m", "1h30m", "2h", "0m", "1h30m15s"]),
    st.integers(0, 120),
    st.floats(0, 100, allow_nan=False, allow_infinity=False),
)
any_duration = st.integers(0, 15).flatmap(lambda n: huge_duration if n == 0 else normal_duration)
# BMP only: json.dumps escapes an astral character as a surrogate pair, which
# libyaml (YAML 1.1) refuses in a double-quoted scalar.
short_text = st.text(st.characters(max_codepoint=0xFFFF, exclude_categories=("Cs",)), max_size=15)


def _slots(node: Any, out: list) -> list:
    """Every (container, key) in a document: where a mutation can land."""
    if isinstance(node, dict):
        for key, value in node.items():
            out.append((node, key))
            _slots(value, out)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            out.append((node, index))
            _slots(value, out)
    return out


def runbook_strategies(duration: st.SearchStrategy) -> tuple[st.SearchStrategy, st.SearchStrategy]:
    """Runbook-shaped documents: (schema-valid ones, ones with a few things wrong)."""
    need = st.one_of(
        step_id,
        st.fixed_dictionaries({"step": step_id}, optional={"reason": st.sampled_from(["writes must stop", "why not"])}),
    )

    step = st.fixed_dictionaries(
        {"id": step_id},
        optional={
            "title": short_text,
            "role": role_name,
            "phase": st.sampled_from(PHASES),
            "duration": duration,
            "needs": st.lists(need, max_size=3),
            "inputs": facts,
            "outputs": facts,
            "reads": resources_used,
            "writes": resources_used,
            "approval": role_name,
            "pre_approved": st.booleans(),
            "verifies": ids,
            "excludes": ids,
            "decides": ids,
            "approves": ids,
            "rollback": st.one_of(step_id, st.just("restore the snapshot")),
            "run": short_text,
            "guard": st.booleans(),
            "observes": resources_used,
            "clock": st.one_of(
                st.sampled_from(["start", "stop"]),
                st.fixed_dictionaries({}, optional={"start": st.sampled_from(CLOCKS), "stop": st.sampled_from(CLOCKS)}).filter(bool),
            ),
            "when": st.sampled_from(["the lag is high", "the cache is cold"]),
        },
    )

    flow_item = st.recursive(
        step,
        lambda children: st.one_of(
            st.fixed_dictionaries({"parallel": st.lists(children, min_size=1, max_size=4)}),
            st.fixed_dictionaries({"sequence": st.lists(children, min_size=1, max_size=4)}),
        ),
        max_leaves=8,
    )
    flow_items = st.lists(flow_item, max_size=6)

    stage = st.fixed_dictionaries(
        {"stage": st.sampled_from(["triage", "investigate", "fix", "verify"]), "steps": st.lists(flow_item, max_size=4)},
        optional={
            "flow": st.sampled_from(["sequential", "parallel"]),
            "gate": st.booleans(),
            "title": short_text,
        },
    )

    role = st.fixed_dictionaries(
        {},
        optional={
            "authority": st.lists(st.sampled_from(AUTHORITY), unique=True, max_size=4),
            "people": st.integers(1, 3),
            "approval": role_name,
            "description": short_text,
        },
    )
    resource = st.fixed_dictionaries(
        {},
        optional={
            "kind": st.sampled_from(["database", "pods", "page"]),
            "concurrency": st.sampled_from(["exclusive", "shared"]),
            "parent": st.sampled_from(DECLARED_RESOURCES + ["cluster/a"]),
        },
    )

    top_level = st.fixed_dictionaries(
        {"runbook": st.sampled_from(["orders-db-outage", "rb", "x1.y_z"])},
        optional={
            "title": short_text,
            "service": st.just("orders-db"),
            "format": st.just(1),
            "criticality": st.sampled_from(["critical", "high", "medium", "low"]),
            "regulated": st.booleans(),
            "team": st.fixed_dictionaries({}, optional={"size": st.integers(1, 6), "drilled": st.booleans()}),
            "tooling": st.fixed_dictionaries({}, optional={"automation": st.booleans(), "observability": st.booleans()}),
            "cost_per_minute": st.integers(0, 5000),
            "sync_overhead": duration,
            "default_duration": duration,
            "given": facts,
            "flow": st.sampled_from(["sequential", "parallel"]),
            "roles": st.dictionaries(st.sampled_from(ROLES), role, max_size=4),
            "resources": st.dictionaries(st.sampled_from(DECLARED_RESOURCES), resource, max_size=4),
        },
    )

    @st.composite
    def valid(draw: Any) -> dict:
        document = draw(top_level)
        if draw(st.booleans()):
            document["steps"] = draw(flow_items)
        else:
            document["stages"] = draw(st.lists(stage, min_size=1, max_size=3))
        return document

    @st.composite
    def mutated(draw: Any) -> dict:
        """A runbook-shaped document with a few things wrong with it."""
        document = draw(valid())
        for _ in range(draw(st.integers(1, 3))):
            slots = _slots(document, [])
            kind = draw(st.sampled_from(["value", "unknown-key", "delete", "both-flows", "no-flow"]))
            if kind == "both-flows":
                document.setdefault("steps", [])
                document.setdefault("stages", [{"stage": "s", "steps": []}])
            elif kind == "no-flow":
                document.pop("steps", None)
                document.pop("stages", None)
            elif not slots:
                continue
            else:
                container, key = draw(st.sampled_from(slots))
                if kind == "value":
                    container[key] = copy.deepcopy(draw(st.sampled_from(INVALID_VALUES)))
                elif kind == "unknown-key":
                    dicts = [c for c, _k in slots if isinstance(c, dict)] + [document]
                    draw(st.sampled_from(dicts))[draw(st.sampled_from(["colour", "depends_on", "Id", "x"]))] = 1
                elif isinstance(container, dict):
                    del container[key]
                else:
                    container.pop(key)
        return document

    return valid(), mutated()


# Strategies for "valid" runbooks never draw the huge durations, so that a
# test over them says whether the rules run, not again whether floats overflow.
valid_shaped_runbook, mutated_runbook = runbook_strategies(any_duration)
valid_normal_runbook, _ = runbook_strategies(normal_duration)
runbook_shaped = st.one_of(valid_shaped_runbook, mutated_runbook)

_ruamel = YAML(typ="safe", pure=True)
_ruamel.default_flow_style = False


def dump(document: dict, style: str) -> str:
    if style == "json":
        return json.dumps(document)
    if style == "json-indented":
        return json.dumps(document, indent=2)
    stream = io.StringIO()
    _ruamel.dump(document, stream)
    return stream.getvalue()


styles = st.sampled_from(["json", "json-indented", "yaml"])


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


@settings(max_examples=150, **COMMON)
@given(runbook_shaped, styles)
def test_runbook_shaped_documents_never_crash(document: dict, style: str) -> None:
    text = dump(document, style)
    if style.startswith("json"):
        # JSON is YAML: it must read back as exactly the same data.
        assert _same(parse(text).data, document)
    check_never_raises(text)


@settings(max_examples=100, **COMMON)
@given(valid_normal_runbook, styles)
def test_valid_shaped_documents_reach_the_rules(document: dict, style: str) -> None:
    """Schema-valid documents are not stopped by RL001-RL003: the rules run."""
    text = dump(document, style)
    result = check_text(text)
    assert_well_formed(result.findings, text)
    engine_codes = {f.code for f in result.findings} & {"RL001", "RL002", "RL003"}
    assert not engine_codes, [f for f in result.findings if f.code in engine_codes]
    assert result.runbook is not None
    # Every finding the rules make of this model is in the file's report.
    from recoverylint.engine import run_rules

    made = {(f.code, f.span, f.message) for f in run_rules(result.runbook)}
    assert made <= {(f.code, f.span, f.message) for f in result.findings}


# --- (c) the fast schema gate agrees with the full validator -------------------

_FULL = Draft202012Validator(rl_schema._schema())


@settings(max_examples=150, **COMMON)
@given(runbook_shaped, styles)
def test_fast_gate_and_full_validator_agree(document: dict, style: str) -> None:
    parsed = parse(dump(document, style))
    full_ok = _FULL.is_valid(parsed.data)
    # What the engine sees: no RL002 exactly when the document is valid.
    problems = rl_schema.validate(parsed)
    assert (problems == []) == full_ok, (problems, list(_FULL.iter_errors(parsed.data))[:3])
    # And the gate itself: validate() trusts fastjsonschema's "valid" without a
    # second look, and returns [] as well when it says "invalid" but jsonschema
    # finds nothing, so the two must accept exactly the same documents.
    check, invalid = rl_schema._fast_check()
    try:
        check(parsed.data)
        fast_ok = True
    except invalid:
        fast_ok = False
    assert fast_ok == full_ok, (fast_ok, full_ok)
