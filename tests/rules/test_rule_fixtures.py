"""Every rule against its fixtures, as bpmnlint's RuleTester and ruff's
`test_case` table run theirs: `RLnnn/bad-*.yaml` gives exactly the findings
of rule RLnnn written in `bad-*.out` beside it, `RLnnn/good-*.yaml` gives no
finding of RLnnn, and every rule has at least one fixture.

RECOVERYLINT_UPDATE_FIXTURES=1 rewrites the .out files from the real output
(see README.md here); CI never sets it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from recoverylint.catalog import engine_codes
from recoverylint.engine import check_text
from recoverylint.finding import Finding
from recoverylint.report import Report
from recoverylint.report.concise import one_line, render
from recoverylint.rules import registry

FIXTURES = Path(__file__).parent
UPDATE = os.environ.get("RECOVERYLINT_UPDATE_FIXTURES") == "1"
BAD = "bad-"
GOOD = "good-"


def fixture_paths() -> list[Path]:
    return sorted(FIXTURES.glob("RL[0-9][0-9][0-9]/*.yaml"))


def findings_of_its_rule(path: Path) -> list[Finding]:
    """The findings of the rule the fixture's folder names, in file order."""
    result = check_text(path.read_text(encoding="utf-8"), display_path=path.name)
    assert result.internal_error is None, result.internal_error
    return [found for found in result.findings if found.code == path.parent.name]


def written(found: Finding) -> str:
    """A finding as `--format concise` writes it, then what that line leaves
    out (where it ends, the suggestion, the places it relates, its fix, the
    steps it names), one indented line each, so that the .out says all a test
    could assert."""
    lines = [
        render(Report((found,), (found.path,))),
        f"    ends: {found.span.end_line}:{found.span.end_column}\n",
    ]
    if found.suggestion is not None:
        lines.append(f"    suggestion: {one_line(found.suggestion)}\n")
    for related in found.related:
        lines.append(f"    related: {related.span.line}:{related.span.column}: {one_line(related.message)}\n")
    if found.fix is not None:
        safety = "safe" if found.fix.safe else "unsafe"
        lines.append(f"    fix ({safety}): {one_line(found.fix.description)}\n")
    if found.steps:
        lines.append(f"    steps: {', '.join(found.steps)}\n")
    return "".join(lines)


def fixture_id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


@pytest.mark.parametrize("path", fixture_paths(), ids=fixture_id)
def test_fixture(path: Path) -> None:
    found = findings_of_its_rule(path)
    expected = path.with_suffix(".out")
    if path.name.startswith(GOOD):
        assert not expected.exists(), f"{expected.name}: a good fixture has no expected output"
        assert [written(item) for item in found] == []
        return
    assert path.name.startswith(BAD), f"{path.name}: a fixture is named bad-*.yaml or good-*.yaml"
    assert found, f"{path.name}: a bad fixture gives at least one {path.parent.name} finding"
    output = "".join(written(item) for item in found)
    if UPDATE:
        expected.write_text(output, encoding="utf-8")
    assert expected.exists(), f"{expected.name} is missing (RECOVERYLINT_UPDATE_FIXTURES=1 writes it)"
    assert output == expected.read_text(encoding="utf-8")


@pytest.mark.parametrize("code", sorted(registry()))
def test_every_rule_has_a_fixture(code: str) -> None:
    folder = FIXTURES / code
    fixtures = [path.name for path in folder.glob("*.yaml")] if folder.is_dir() else []
    assert any(name.startswith((BAD, GOOD)) for name in fixtures), f"{code} has no fixture in {folder}"


def test_every_output_has_its_bad_fixture() -> None:
    """An .out left behind by a renamed or deleted fixture would test nothing."""
    orphans = [
        str(out.relative_to(FIXTURES))
        for out in FIXTURES.glob("RL[0-9][0-9][0-9]/*.out")
        if not out.name.startswith(BAD) or not out.with_suffix(".yaml").exists()
    ]
    assert orphans == []


def test_fixture_folders_name_codes() -> None:
    """A folder for a code that is not a rule's nor the engine's (RL001-RL003)
    would have its fixtures filter every finding away, and so pass whatever
    they hold."""
    folders = {path.name for path in FIXTURES.glob("RL*") if path.is_dir()}
    assert folders <= set(registry()) | set(engine_codes())


def test_ci_never_rewrites_the_outputs() -> None:
    """Rewriting the .out files would make every fixture pass.  CI runs
    .ci/run, which runs the README's test command."""
    root = Path(__file__).parents[2]
    for ci in (root / ".ci" / "run", root / "README.md"):
        assert "RECOVERYLINT_UPDATE_FIXTURES" not in ci.read_text(encoding="utf-8"), ci


def test_the_readme_shows_real_fixtures_and_output() -> None:
    readme = (FIXTURES / "README.md").read_text(encoding="utf-8")
    named = re.findall(r"tests/rules/(RL\d{3}/[\w-]+\.(?:yaml|out))", readme)
    assert named and all((FIXTURES / name).exists() for name in named)
    first_finding = (FIXTURES / "RL101" / "bad-reports-both-duplicates.out").read_text(encoding="utf-8")
    shown = "".join(f"    {line}\n" for line in first_finding.splitlines()[:5])
    assert shown in readme
