"""The schema's fast validator is generated ahead of time, not at every start (issue 16)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from recoverylint import _schema_check
from recoverylint.compiled_schema import GENERATED, fast_check, generate_source
from recoverylint.schema import schema_text, validate
from recoverylint.source import parse

REPO = Path(__file__).resolve().parents[1]
SMALL = "runbook: small\nsteps:\n  - id: a\n    run: echo hi\n"


def test_the_generated_validator_is_the_bundled_schemas():
    # Fails when schemas/runbook.schema.json changed and the module was not
    # regenerated: run `python -m recoverylint.compiled_schema`.
    assert GENERATED.read_text(encoding="utf-8") == generate_source(schema_text())


def test_the_generated_validator_is_used_for_the_bundled_schema():
    check, invalid = fast_check(schema_text())
    assert check is _schema_check.check_runbook
    assert invalid is _schema_check.JsonSchemaValueException
    check(parse(SMALL).data)
    with pytest.raises(invalid):
        check({"runbook": "x", "steps": [{"name": "no id"}]})


def test_another_schema_is_compiled_at_first_use():
    import fastjsonschema

    # The same schema written differently: another hash, so the generated module does not apply.
    check, invalid = fast_check(schema_text() + "\n ")
    assert check is not _schema_check.check_runbook
    assert invalid is fastjsonschema.JsonSchemaException
    check(parse(SMALL).data)
    with pytest.raises(invalid):
        check({"runbook": "x", "steps": [{"name": "no id"}]})


def test_a_schema_error_is_still_found_and_located():
    problems = validate(parse("runbook: small\nsteps:\n  - id: a\n    nmae: look\n"))
    assert [(p.span.line, p.span.column) for p in problems] == [(4, 5)]


def test_a_small_check_imports_neither_fastjsonschema_nor_jsonschema(tmp_path):
    runbook = tmp_path / "small.yaml"
    runbook.write_text(SMALL, encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(REPO))
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "recoverylint", "check", str(runbook), "--no-cache"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60, check=False,
    )
    assert done.returncode == 1, done.stderr  # RL501 and RL505: warnings of a runbook without roles
    assert "RL501" in done.stdout
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    assert "recoverylint._schema_check" in imported
    assert not {"fastjsonschema", "jsonschema"} & imported
