"""Issue 15 item 5: the shared wording is one leaf module, the core returns
data and the reporters write the words (the decision checklist's among them)."""

import ast
import json
import subprocess
import sys
import textwrap
from dataclasses import fields
from pathlib import Path

import pytest
from click.testing import CliRunner

from recoverylint.analysis import decision_checklist
from recoverylint.cli import cli
from recoverylint.graphs import build_graphs
from recoverylint.native import build_runbook
from recoverylint.source import parse

PACKAGE = Path(__file__).resolve().parent.parent / "recoverylint"

# The core: it hands data to the reporters and never imports them.
CORE = ["model.py", "graphs", "rules", "analysis.py", "plan.py", "requirements.py", "engine.py", "adapters"]


def imported_modules(path: Path) -> list[str]:
    """The modules a file imports, relative ones written with their dots (`..report`)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            found.append("." * node.level + (node.module or ""))
    return found


def loaded_by(module: str) -> list[str]:
    """The recoverylint modules a fresh interpreter loads to import `module`."""
    code = f"import sys, {module}; print('\\n'.join(sorted(m for m in sys.modules if m.startswith('recoverylint'))))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    return done.stdout.split()


def test_the_words_module_imports_nothing_of_recoverylint():
    imports = imported_modules(PACKAGE / "words.py")
    assert imports, "the parse found the module's imports"
    assert [name for name in imports if name.startswith(".") or name.startswith("recoverylint")] == []
    assert loaded_by("recoverylint.words") == ["recoverylint", "recoverylint.words"]


def test_rules_share_the_words_module_and_keep_no_copy():
    assert not (PACKAGE / "rules" / "_words.py").exists()
    users = [
        path.relative_to(PACKAGE).as_posix()
        for path in sorted(PACKAGE.rglob("*.py"))
        if {".words", "..words", "recoverylint.words"} & set(imported_modules(path))
    ]
    # adapters, configuration, suppressions, fixes, the CLI and the rules all word lists alike
    for user in ["adapters/_builder.py", "config.py", "suppress.py", "fix/__init__.py", "cli.py", "rules/rl201.py"]:
        assert user in users


@pytest.mark.parametrize(
    "reporter",
    [
        "recoverylint.report.plan_words",
        "recoverylint.report.plan_text",
        "recoverylint.report.plan_json",
        "recoverylint.report.plan_html",
        "recoverylint.report.plan_mermaid",
        "recoverylint.report.plan_dot",
        "recoverylint.report.full",
    ],
)
def test_a_reporter_writes_its_words_without_loading_the_rules(reporter):
    loaded = loaded_by(reporter)
    assert reporter in loaded
    assert [name for name in loaded if name.startswith("recoverylint.rules")] == []


def core_files() -> list[Path]:
    paths = []
    for name in CORE:
        path = PACKAGE / name
        paths.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path])
    return paths


def test_the_core_imports_no_reporter_and_no_click():
    files = core_files()
    assert len(files) > 40  # every rule and adapter is looked at
    offending = {
        path.relative_to(PACKAGE).as_posix(): name
        for path in files
        for name in imported_modules(path)
        if name.split(".")[0] == "click"
        or name.lstrip(".").split(".")[0] == "report"
        or name.startswith("recoverylint.report")
    }
    assert offending == {}


def checklist_of(text: str):
    runbook = build_runbook(parse(textwrap.dedent(text).lstrip("\n")), "t.yaml")
    graphs, cycle = build_graphs(runbook)
    assert cycle is None
    return decision_checklist(runbook, graphs)


EVERY_SETTING = """
    runbook: r
    criticality: high
    regulated: true
    team: {size: 4, drilled: true}
    tooling: {automation: false}
    steps:
      - id: only
"""


def test_the_checklist_answers_in_data_not_sentences():
    for text in (EVERY_SETTING, "runbook: r\nsteps:\n  - id: only\n"):
        for answer in checklist_of(text).answers:
            values = [getattr(answer, field.name) for field in fields(answer)]
            words = [value for value in values if isinstance(value, str)]
            assert words, "the answer names its setting"
            assert [word for word in words if " " in word] == []
    answers = checklist_of(EVERY_SETTING).answers
    assert [(a.setting, a.written, a.line) for a in answers] == [
        ("team.size", "4", 4),
        ("step-pairs", None, None),
        ("tooling.automation", "false", 5),
        ("criticality", "high", 2),
        ("team.drilled", "true", 4),
        ("regulated", "true", 3),
    ]
    assert answers[1].pairs == (0, 0)


def plan_checklist(tmp_path: Path, text: str) -> list[dict]:
    path = tmp_path / "r.yaml"
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    result = CliRunner().invoke(cli, ["plan", str(path), "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)["checklist"]["answers"]


def test_the_plan_words_the_checklist(tmp_path):
    assert plan_checklist(tmp_path, EVERY_SETTING) == [
        {"question": "team.size >= 3", "value": "team.size 4", "favours_parallel": True,
         "source": "team.size 4 at line 4"},
        {"question": "most step pairs independent", "value": "0 of 0 step pairs", "favours_parallel": False,
         "source": "0 of 0 step pairs independent in the required order"},
        {"question": "tooling.automation", "value": "tooling.automation false", "favours_parallel": False,
         "source": "tooling.automation false at line 5"},
        {"question": "criticality critical or high", "value": "criticality high", "favours_parallel": True,
         "source": "criticality high at line 2"},
        {"question": "team.drilled", "value": "team.drilled true", "favours_parallel": True,
         "source": "team.drilled true at line 4"},
        {"question": "not regulated", "value": "regulated true", "favours_parallel": False,
         "source": "regulated true at line 3"},
    ]


def test_the_plan_words_settings_left_out(tmp_path):
    answers = plan_checklist(tmp_path, "runbook: r\nsteps:\n  - id: a\n  - id: b\n")
    assert [(a["value"], a["source"]) for a in answers] == [
        ("not set", "team.size not set, which counts against parallel"),
        ("1 of 1 step pairs", "1 of 1 step pairs independent in the required order"),
        ("not set", "tooling.automation not set, which counts against parallel"),
        ("not set", "criticality not set, which counts against parallel"),
        ("not set", "team.drilled not set, which counts against parallel"),
        ("not set", "regulated not set, which means false"),
    ]
