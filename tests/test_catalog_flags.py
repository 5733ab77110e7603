"""The catalog's flags table (issue 16: parsing every rule's file to learn
which codes are always on, the engine's, plan-blocking or fixed first cost
each run about 5 ms).  The table is generated from the files, and a file
whose bytes are not the ones it was made from is read instead."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from recoverylint import catalog
from recoverylint.resources import data_dir

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def rules_copy(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """A scratch rules folder the catalog reads instead of the real one,
    each file a link to the real one until a test writes its own."""
    for entry in data_dir("rules").glob("*.yaml"):
        (tmp_path / entry.name).symlink_to(entry)
    monkeypatch.setattr(catalog, "data_dir", lambda name: tmp_path)
    catalog._codes_where.cache_clear()
    catalog.rule_doc.cache_clear()
    yield tmp_path
    monkeypatch.undo()
    catalog._codes_where.cache_clear()
    catalog.rule_doc.cache_clear()


def test_the_table_is_the_one_the_rule_files_give() -> None:
    written = catalog.FLAGS_TABLE.read_text(encoding="utf-8")
    assert written == catalog.flags_table_source(), "rules/ changed: run `python -m recoverylint.catalog`"


def test_the_table_gives_the_flags_the_files_set() -> None:
    for flag, codes in catalog._codes_where().items():
        assert codes == tuple(code for code in catalog.catalog_codes() if getattr(catalog.rule_doc(code), flag))
    assert catalog.always_on_codes() == ("RL001", "RL002", "RL003")
    assert catalog.fix_first_codes() == ("RL201",)


def test_an_entry_edited_since_the_table_was_made_is_read(rules_copy: Path) -> None:
    real = rules_copy / "RL201.yaml"
    edited = real.read_text(encoding="utf-8").replace("fix_first: true\n", "")
    real.unlink()
    real.write_text(edited, encoding="utf-8")
    assert catalog.fix_first_codes() == ()
    assert catalog.rule_doc.cache_info().currsize == 1  # only the edited file was parsed


def test_an_entry_added_since_the_table_was_made_is_read(rules_copy: Path) -> None:
    recipe = (ROOT / "tests" / "recipes" / "RL901.yaml").read_text(encoding="utf-8")
    (rules_copy / "RL901.yaml").write_text(recipe + "blocks_plan: true\n", encoding="utf-8")
    assert catalog.plan_blocking_codes()[-1] == "RL901"
    assert "RL901" not in catalog.always_on_codes()


RULE_FILES_PARSED = """
import json, runpy, sys
sys.argv = ["recoverylint", *sys.argv[1:]]
try:
    runpy.run_module("recoverylint", run_name="__main__")
except SystemExit as end:
    code = end.code
from recoverylint.catalog import rule_doc
print(json.dumps({"exit": code, "parsed": rule_doc.cache_info().currsize,
                  "entries imported": "recoverylint.catalog_entry" in sys.modules}))
"""


def rule_files_parsed_by_check(runbook: Path, cwd: Path) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", RULE_FILES_PARSED, "check", str(runbook), "--no-cache"],
        cwd=cwd, capture_output=True, text=True, timeout=120, check=False,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    report: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


def test_a_clean_check_parses_no_rule_file(tmp_path: Path) -> None:
    """Structural, not timed: the flags come from the table, and a clean file
    has no finding whose rule's words are needed (nor the class holding them)."""
    clean = rule_files_parsed_by_check(ROOT / "examples" / "hybrid-clean.yaml", tmp_path)
    assert clean == {"exit": 0, "parsed": 0, "entries imported": False}
    with_findings = rule_files_parsed_by_check(ROOT / "examples" / "checklist-disk-full.yaml", tmp_path)
    assert with_findings["exit"] == 1 and with_findings["entries imported"] is True
    assert 0 < int(str(with_findings["parsed"])) < len(catalog.catalog_codes())  # the words of its findings' rules
