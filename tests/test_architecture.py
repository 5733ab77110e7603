"""docs/architecture.md kept true: its module table lists exactly the
modules of recoverylint/, the core it names imports no click and no reporter,
and its two recipes are the real fixtures the suite loads (the example rule
in tests/recipes/, registered and run on its bad and good runbooks; the
example format, tests/formats/tiny_format.py)."""

from __future__ import annotations

import ast
import importlib.util
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import fields
from pathlib import Path
from types import ModuleType

import pytest

import recoverylint.catalog as catalog
import recoverylint.engine as engine
import recoverylint.rules as rules
from recoverylint.capabilities import Capability
from recoverylint.catalog import RuleDoc, rule_doc
from recoverylint.engine import check_text
from recoverylint.resources import data_dir

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "recoverylint"
PAGE = ROOT / "docs" / "architecture.md"
RECIPES = Path(__file__).parent / "recipes"
# Every rule module is `rules/rlnnn.py`: the table names them in one row.
RULE_MODULE = re.compile(r"rules/rl\d{3}\.py")
RULE_MODULES_ROW = "rules/rlnnn.py"


def _load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


# A finding as the rule fixtures' .out files write it (one writer for both).
written = _load("recipe_fixture_writer", Path(__file__).parent / "rules" / "test_rule_fixtures.py").written


def page() -> str:
    return PAGE.read_text(encoding="utf-8")


def table_rows() -> dict[str, str]:
    """The module table: a module's path under recoverylint/ -> its layer."""
    rows = {}
    for line in page().splitlines():
        match = re.match(r"\| `([^`]+)` \| (core|session|output|command line) \|", line)
        if match:
            assert match[1] not in rows, f"{match[1]} is listed twice"
            rows[match[1]] = match[2]
    return rows


def existing_modules() -> set[str]:
    """Every module (`engine.py`) and package (`graphs/`) of recoverylint/."""
    found = set()
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE).as_posix()
        if path.name == "__init__.py":
            relative = relative.removesuffix("__init__.py") or "__init__.py"
        found.add(RULE_MODULES_ROW if RULE_MODULE.fullmatch(relative) else relative)
    return found


def test_the_table_lists_exactly_the_modules_that_exist() -> None:
    listed = set(table_rows())
    assert len(listed) > 60  # the table was found and read
    assert sorted(existing_modules() - listed) == [], "modules missing from docs/architecture.md"
    assert sorted(listed - existing_modules()) == [], "docs/architecture.md lists modules that do not exist"


def files_of(row: str) -> list[Path]:
    if row == RULE_MODULES_ROW:
        return sorted(path for path in (PACKAGE / "rules").glob("rl*.py"))
    if row.endswith("/"):
        return [PACKAGE / row / "__init__.py"]
    return [PACKAGE / row]


def imported_modules(path: Path) -> list[str]:
    """The modules a file imports, relative ones resolved to recoverylint's dotted names."""
    package = ["recoverylint", *path.relative_to(PACKAGE).parent.parts]
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, node.module] if node.module else base)
            found.append(module)
            if not node.module:  # `from . import x`: x may be a module
                found.extend(f"{module}.{alias.name}" for alias in node.names)
    return found


def layer_of(module: str, rows: dict[str, str]) -> str | None:
    """The layer of a recoverylint module named by its dotted name."""
    parts = module.split(".")[1:]
    for end in range(len(parts), 0, -1):
        candidate = "/".join(parts[:end])
        for row in (f"{candidate}.py", f"{candidate}/"):
            if row in rows:
                return rows[row]
        if RULE_MODULE.fullmatch(f"{candidate}.py"):
            return rows[RULE_MODULES_ROW]
    return None


def test_the_core_imports_no_click_and_nothing_above_it() -> None:
    rows = table_rows()
    core = [path for row, layer in rows.items() if layer == "core" for path in files_of(row)]
    assert len(core) > 80  # every rule, adapter and graph module is looked at
    offending = {
        f"{path.relative_to(PACKAGE).as_posix()} imports {name}"
        for path in core
        for name in imported_modules(path)
        if name.split(".")[0] == "click"
        or (name.startswith("recoverylint.") and layer_of(name, rows) not in (None, "core"))
    }
    assert sorted(offending) == []


def test_the_layering_check_sees_a_reporter_import() -> None:
    # The check above would pass on a parse that finds nothing: it must see cli.py's.
    rows = table_rows()
    names = imported_modules(PACKAGE / "cli.py")
    assert "click" in names
    assert "output" in {layer_of(name, rows) for name in names}


def fenced_files() -> list[tuple[str, str]]:
    """The page's code blocks that show a file: `<!-- file: path -->` above the fence."""
    return re.findall(r"<!-- file: (\S+) -->\n```[a-z]*\n(.*?)```\n", page(), flags=re.DOTALL)


def test_the_recipes_show_the_fixtures_verbatim() -> None:
    shown = dict(fenced_files())
    assert sorted(shown) == [
        "tests/formats/tiny_format.py",
        "tests/recipes/RL901.yaml",
        "tests/recipes/RL901/bad-a-change-without-title.out",
        "tests/recipes/RL901/bad-a-change-without-title.yaml",
        "tests/recipes/RL901/good-a-titled-change.yaml",
        "tests/recipes/rl901.py",
    ]
    for path, text in shown.items():
        assert text == (ROOT / path).read_text(encoding="utf-8"), f"{path} as the page shows it is stale"


@pytest.fixture
def recipe_rule(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Callable[[Path], list[str]]]:
    """The recipe's steps done in a scratch copy: its catalog entry beside the
    real ones, its module imported as `recoverylint.rules.rl901` (where the
    recipe puts it), registered by its own @rule."""
    for entry in data_dir("rules").glob("*.yaml"):
        (tmp_path / entry.name).symlink_to(entry)
    (tmp_path / "RL901.yaml").symlink_to(RECIPES / "RL901.yaml")
    monkeypatch.setattr(catalog, "data_dir", lambda name: tmp_path)
    monkeypatch.setattr(rules, "_REGISTRY", dict(rules.registry()))
    caches = [rule_doc, catalog._codes_where, engine._skipped_rules]
    for cached in caches:
        cached.cache_clear()
    monkeypatch.delitem(sys.modules, "recoverylint.rules.rl901", raising=False)
    _load("recoverylint.rules.rl901", RECIPES / "rl901.py")

    def findings(path: Path) -> list[str]:
        result = check_text(path.read_text(encoding="utf-8"), display_path=path.name)
        assert result.internal_error is None, result.internal_error
        return [written(found) for found in result.findings if found.code == "RL901"]

    yield findings
    monkeypatch.undo()
    for cached in caches:
        cached.cache_clear()


def test_the_recipe_rule_runs_on_its_bad_and_good_runbooks(recipe_rule: Callable[[Path], list[str]]) -> None:
    assert "RL901" in rules.registry()
    assert rule_doc("RL901").name == "untitled-change"
    bad = RECIPES / "RL901" / "bad-a-change-without-title.yaml"
    assert "".join(recipe_rule(bad)) == bad.with_suffix(".out").read_text(encoding="utf-8")
    assert recipe_rule(RECIPES / "RL901" / "good-a-titled-change.yaml") == []


def test_the_recipe_rule_is_not_registered_outside_the_recipe_test() -> None:
    assert "RL901" not in rules.registry()
    assert not (ROOT / "rules" / "RL901.yaml").exists()


def test_the_page_is_in_the_nav_and_linked() -> None:
    assert "architecture.md" in (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert "docs/architecture.md" in (ROOT / "README.md").read_text(encoding="utf-8")
    assert "(architecture.md)" in (ROOT / "docs" / "index.md").read_text(encoding="utf-8")


def test_design_names_exactly_the_rules_that_need_the_graphs() -> None:
    design = (ROOT / "docs" / "design.md").read_text(encoding="utf-8")
    listed = re.search(r"declared with `@graph_rule`: ([^)]+)\)", " ".join(design.split()))
    assert listed is not None
    patterns = [re.escape(word).replace("xx", r"\d\d") for word in re.split(r",\s*", listed[1])]
    codes = set(rules.registry())
    named = {code for code in codes if any(re.fullmatch(pattern, code) for pattern in patterns)}
    assert named == {code for code, rule in rules.registry().items() if Capability.GRAPHS in rule.needs}


def test_integrations_names_every_flag_of_the_catalog() -> None:
    paragraph = " ".join((ROOT / "docs" / "integrations.md").read_text(encoding="utf-8").split())
    flags = [field.name for field in fields(RuleDoc) if field.type == "bool"]
    assert flags == ["engine", "always_on", "blocks_plan", "fix_first"]
    for flag in flags:
        assert f"`{flag}: true`" in paragraph
