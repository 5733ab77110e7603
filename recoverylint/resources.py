"""Where the bundled data (schema, rule catalog) lives, installed or not."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """`schemas` or `rules`: inside the wheel, or at the root of a source checkout."""
    packaged = _PACKAGE / "_data" / name
    if packaged.is_dir():
        return packaged
    return _PACKAGE.parent / name


def schema_path() -> Path:
    return data_dir("schemas") / "runbook.schema.json"
