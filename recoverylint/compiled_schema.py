"""The bundled schema's fast validator, generated once instead of at every start.

fastjsonschema turns the schema into Python source (300 KB); generating and
compiling it took 43 ms of every run, more than a small runbook's whole
check.  The source is generated ahead of time into `_schema_check.py`, which
Python compiles once to bytecode like any module, and which records the hash
of the schema it was made from: when the schema changes and the module was
not regenerated, the validator is compiled at first use as before (slower,
never wrong).  Regenerate with:

    python -m recoverylint.compiled_schema

The generated module raises its own exception class, so that a valid
document is checked without importing fastjsonschema at all.  Its messages
are never read (schema.py asks jsonschema why a document is invalid), so the
generated code builds none: it no longer names every value it checks, such
as `data.steps[3].needs[0]` through `str.format(**locals())` (that was half
of the time it took on a valid document), and it raises its exception bare.
A valid document raises too, inside each `oneOf`/`anyOf` branch it does not
take (a duration written as text fails the branch of numbers): a message and
the schema's definition as a dict literal were built there for nothing, a
quarter of the check's time; and a branch that starts by testing the
value's type is not entered, rather than raising.  Nothing is
ever generated or cached at run time outside the package: code read from a
writable cache folder would run whatever anyone wrote there.
"""

from __future__ import annotations

import json
import re
import sys
from binascii import crc32
from collections.abc import Callable
from pathlib import Path
from typing import Any

GENERATED = Path(__file__).resolve().parent / "_schema_check.py"
_ENTRY_POINT = "check_runbook"
_FASTJSONSCHEMA_IMPORT = "from fastjsonschema import JsonSchemaValueException, JsonSchemaValuesException\n"
_OWN_EXCEPTIONS = '''\
class JsonSchemaValueException(ValueError):
    """The document breaks the schema (schema.py then asks jsonschema why)."""


class JsonSchemaValuesException(ValueError):
    def __init__(self, errors):
        super().__init__("several errors")
'''


# A generated call of a definition's validator, with the name of the value
# it checks (`(name_prefix or "data") + ".steps[{data__steps_x}]".format(**locals())`).
_NAMED_CALL = re.compile(r'custom_formats, \(name_prefix or "data"\) \+ "[^"]*"(?:\.format\(\*\*locals\(\)\))?\)')
# After `_NAMED_CALL` is taken out, only a signature (`def`) or a `raise`
# may mention name_prefix: a value named any other way (a keyword argument,
# an f-string) would be named at every check, correct but slow again.
_NAME_OUTSIDE_RAISE = re.compile(r"^(?!\s*(?:def|raise) ).*\bname_prefix\b", re.MULTILINE)
# fastjsonschema writes each raise on one line, its message and definition
# as the arguments: the generated check raises the class bare instead.
_RAISE_WITH_ARGUMENTS = re.compile(r"^(\s*raise JsonSchemaValueException)\(.*\)$", re.MULTILINE)
# The only handler fastjsonschema writes: a branch of `oneOf`/`anyOf` that
# fails.  One that read the exception would need its message back.
_BRANCH_HANDLER = "except (JsonSchemaValueException, JsonSchemaValuesException): pass"
# A branch of `oneOf`/`anyOf` that starts by raising when a test holds (a
# value of another type): raised and caught at once, the branch counts for
# nothing, so the test is asked before the `try` instead.  A duration
# written as text no longer raises in the branch of numbers, nor a need
# written as a step id in the branch of mappings.
_BRANCH_OPENING_WITH_A_TEST = re.compile(
    r"^(?P<indent> *)if (?P<open>data\w*_one_of_count\d+ < 2|not data\w*_any_of_count\d+):\n"
    r"(?P=indent)    try:\n"
    r"(?P=indent)        if (?P<test>.+):\n"
    r"(?P=indent)            raise JsonSchemaValueException\n",
    re.MULTILINE,
)


def schema_digest(schema_text: str) -> str:
    # Size and CRC-32, not SHA-256: importing hashlib (OpenSSL) costs 3 ms,
    # only to tell a schema edited since the module was generated
    # (tests/test_compiled_schema.py catches that too).  The saving is a
    # `--no-cache` run's: the cache (cache.py) imports hashlib anyway.
    data = schema_text.encode()
    return f"{len(data)}:{crc32(data):08x}"


def _draft7(schema_text: str) -> dict[str, Any]:
    # fastjsonschema knows drafts up to 7; the schema keeps to keywords that
    # mean the same in draft 7 and 2020-12 (a test holds both to agreement).
    return dict(json.loads(schema_text), **{"$schema": "http://json-schema.org/draft-07/schema#"})


def generate_source(schema_text: str) -> str:
    """The source of `_schema_check.py` for a schema."""
    import fastjsonschema

    # use_default=False: fastjsonschema would otherwise fill defaults into the data.
    code = fastjsonschema.compile_to_code(_draft7(schema_text), use_default=False)
    if _FASTJSONSCHEMA_IMPORT not in code:  # another fastjsonschema: its output must be looked at again
        raise RuntimeError("fastjsonschema's generated code no longer imports its exceptions as expected")
    name = code.split("def ", 1)[1].split("(", 1)[0]  # the first function: the whole schema's
    header = (
        '"""Generated by `python -m recoverylint.compiled_schema` from schemas/runbook.schema.json:'
        ' do not edit."""\n# ruff: noqa\n# mypy: ignore-errors\n'
        f'SCHEMA_DIGEST = "{schema_digest(schema_text)}"\n'
    )
    body = _NAMED_CALL.sub("custom_formats, None)", code.replace(_FASTJSONSCHEMA_IMPORT, _OWN_EXCEPTIONS))
    if _NAME_OUTSIDE_RAISE.search(body):  # a call still naming its value: look at the output again
        raise RuntimeError("fastjsonschema's generated code names the values it checks in a new way")
    body = _RAISE_WITH_ARGUMENTS.sub(r"\1", body)
    if "JsonSchemaValueException(" in body.replace("class JsonSchemaValueException(", ""):
        raise RuntimeError("fastjsonschema's generated code raises its exception in a new way")
    if body.count("except") != body.count(_BRANCH_HANDLER):
        raise RuntimeError("fastjsonschema's generated code handles its exception in a new way")
    body = _BRANCH_OPENING_WITH_A_TEST.sub(r"\g<indent>if \g<open> and not (\g<test>):\n\g<indent>    try:\n", body)
    return f"{header}{body}\n\n{_ENTRY_POINT} = {name}\n"


def fast_check(schema_text: str) -> tuple[Callable[[Any], Any], type[Exception]]:
    """The validator of `schema_text` and the exception it raises on invalid
    data: the generated module's when it was made from this schema."""
    from . import _schema_check

    if getattr(_schema_check, "SCHEMA_DIGEST", None) == schema_digest(schema_text):
        return getattr(_schema_check, _ENTRY_POINT), _schema_check.JsonSchemaValueException
    import fastjsonschema

    check = fastjsonschema.compile(_draft7(schema_text), use_default=False)
    return check, fastjsonschema.JsonSchemaException


def main() -> int:
    from .schema import schema_text

    GENERATED.write_text(generate_source(schema_text()), encoding="utf-8")
    print(f"wrote {GENERATED}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
