"""Rule modules stand alone: what two rules share lives in a `rules/_*.py`
helper, so no `rules/rlNNN.py` imports another (issue 15, item 4)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import recoverylint.rules

RULES = Path(recoverylint.rules.__file__).parent
RULE_MODULE = re.compile(r"rl\d{3}")


def _imported_modules(path: Path) -> set[str]:
    """The module names a file imports, relative ones as written (`.rl301`)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            names.add(base)
            # `from . import rl301` names the module in the alias.
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def _rule_modules_imported(path: Path) -> list[str]:
    return sorted(
        name
        for name in _imported_modules(path)
        if RULE_MODULE.fullmatch(name.rsplit(".", 1)[-1]) and ("rules" in name or name.startswith("."))
    )


def test_no_rule_module_imports_another() -> None:
    rule_files = sorted(RULES.glob("rl[0-9][0-9][0-9].py"))
    assert len(rule_files) > 30  # the catalog's rules are all found
    offenders = {path.name: _rule_modules_imported(path) for path in rule_files}
    assert {name: found for name, found in offenders.items() if found} == {}


def test_the_check_sees_a_sibling_import(tmp_path: Path) -> None:
    # The shapes the rule modules used to have, and one more.
    for number, line in enumerate(
        (
            "from .rl301 import producer_order\n",
            "from . import rl403\n",
            "import recoverylint.rules.rl404\n",
        )
    ):
        module = tmp_path / f"rl9{number:02d}.py"
        module.write_text(line, encoding="utf-8")
        assert _rule_modules_imported(module)
    helper_user = tmp_path / "rl999.py"
    helper_user.write_text("from ._producers import producer_order\nfrom ..words import quoted\n", encoding="utf-8")
    assert _rule_modules_imported(helper_user) == []
