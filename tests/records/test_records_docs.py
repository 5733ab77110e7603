"""docs/records.md kept true: its example timeline is read as the page says,
the export commands it shows are the ones the errors name, and the formats
and the size limit it names are the code's."""

from __future__ import annotations

import re
from pathlib import Path

from recoverylint.records import RECORD_FORMATS, argo, github, read_records, ssm, tekton
from recoverylint.records.model import RunStatus
from recoverylint.source import DEFAULT_MAX_FILE_SIZE

PAGE = Path(__file__).resolve().parent.parent.parent / "docs" / "records.md"


def page() -> str:
    return PAGE.read_text(encoding="utf-8")


def test_the_example_timeline_reads_as_the_page_says(tmp_path):
    (example,) = re.findall(r"```csv\n(.*?)```", page(), re.S)
    path = tmp_path / "example.csv"
    path.write_text(example, encoding="utf-8")
    (record,) = read_records([path])
    assert [(s.name, s.start, s.end, s.who, s.status) for s in record.steps] == [
        ("restart-db", 0.0, 5.0, "ana", RunStatus.SUCCEEDED),
        ("verify", 10.0, 20.0, "bo", RunStatus.SUCCEEDED),
        ("page-owner", None, None, None, RunStatus.NOT_RUN),
    ]
    said = " ".join(page().split())
    assert "is read as `restart-db` from minute 0 to 5 (by ana), `verify` from minute 10 to 20" in said
    assert "and `page-owner` not run." in said


def test_the_export_commands_are_the_ones_errors_name():
    commands = re.findall(r"```sh\n(.*?)```", page(), re.S)
    shown = "\n".join(commands)
    for export in (ssm.EXPORT, argo.EXPORT, tekton.EXPORT, github.EXPORT):
        assert export in shown, export


def test_the_formats_and_the_limit_named_are_the_code_s():
    said = " ".join(page().split())
    names = re.search(r"`--record-format`, one of (.*?)\)", said)
    assert names is not None
    assert re.findall(r"`([a-z-]+)`", names[1]) == list(RECORD_FORMATS)
    assert f"{DEFAULT_MAX_FILE_SIZE // (1024 * 1024)} MB by default" in said
