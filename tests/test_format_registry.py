"""The registry's table of formats (issue 16: what a run needs to know of
every format before reading a file, without importing each format's module)
says what the modules themselves say."""

from __future__ import annotations

import importlib
from pathlib import Path

from recoverylint import adapters

ADAPTERS = Path(adapters.__file__).parent


def test_each_entry_is_what_its_module_defines() -> None:
    for known in adapters.KNOWN_FORMATS:
        module_format = importlib.import_module(known.module).FORMAT
        assert adapters.known_of(module_format, known.module) == known, known.module
        # A format found by its suffixes is read by its own parser.
        assert (module_format.parse is not None) == bool(known.suffixes), known.module


def test_every_format_module_has_an_entry() -> None:
    """A module of the package defining FORMAT and missing from the table
    would be imported by every run (or, named nowhere, never used)."""
    defining = {
        f"recoverylint.adapters.{path.stem}"
        for path in ADAPTERS.glob("*.py")
        if not path.stem.startswith("_") and "\nFORMAT = " in path.read_text(encoding="utf-8")
    }
    assert defining == {known.module for known in adapters.KNOWN_FORMATS}
    assert [known.module for known in adapters.KNOWN_FORMATS] == adapters.FORMAT_MODULES
    names = [known.name for known in adapters.KNOWN_FORMATS]
    assert len(set(names)) == len(names)


def test_the_registry_answers_as_the_formats_do() -> None:
    formats = adapters.input_formats()
    assert adapters.format_names() == tuple(formats)
    assert [f.priority for f in formats.values()] == sorted(f.priority for f in formats.values())
    assert adapters.format_suffixes() == tuple(s for f in formats.values() for s in f.suffixes)
    for name, input_format in formats.items():
        assert adapters.input_format(name) is input_format
    assert adapters.own_parser("RUNBOOK.MD", None) is formats["markdown"]
    assert adapters.own_parser("runbook.yaml", None) is None
