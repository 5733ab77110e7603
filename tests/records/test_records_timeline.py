"""Hand-made timelines (CSV and JSON, absolute and relative) read through the
package API, read_records, with the answers worked out by hand."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from recoverylint.records import read_records, record_files
from recoverylint.records.model import RecordError, RunStatus


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def only(paths: list[Path]):
    (record,) = read_records(paths)
    return record


def test_csv_absolute_with_zones_columns_in_any_order(tmp_path):
    path = write(
        tmp_path,
        "incident.csv",
        "Who,End,STEP,start\n"
        "ana,2024-05-01T14:05:00Z,restart db,2024-05-01T14:00:00Z\n"
        # 16:10+02:00 is 14:10Z: minute 10; it ends at 14:20Z, minute 20.
        "bo,2024-05-01T14:20:00Z,verify,2024-05-01T16:10:00+02:00\n"
        ",,page the owner,\n",
    )
    record = only([path])
    assert record.record_format == "timeline"
    assert record.origin == datetime(2024, 5, 1, 14, 0, tzinfo=timezone.utc)
    assert [(s.name, s.start, s.end, s.status, s.who) for s in record.steps] == [
        ("restart db", 0.0, 5.0, RunStatus.SUCCEEDED, "ana"),
        ("verify", 10.0, 20.0, RunStatus.SUCCEEDED, "bo"),
        ("page the owner", None, None, RunStatus.NOT_RUN, None),
    ]
    assert (record.start, record.end) == (0.0, 20.0)
    assert [s.position.line for s in record.steps] == [2, 3, 4]


def test_json_relative_minutes_and_statuses(tmp_path):
    path = write(
        tmp_path,
        "incident.json",
        '{"steps": [\n'
        '  {"step": "drain", "start": 0, "end": 4.5, "who": "ana"},\n'
        '  {"step": "failover", "start": "4.5", "end": 12, "status": "Failed"},\n'
        '  {"step": "announce", "start": 12, "end": null, "status": "running"}\n'
        "]}\n",
    )
    record = only([path])
    assert record.origin is None
    assert [(s.name, s.start, s.end, s.status) for s in record.steps] == [
        ("drain", 0.0, 4.5, RunStatus.SUCCEEDED),
        ("failover", 4.5, 12.0, RunStatus.FAILED),
        ("announce", 12.0, None, RunStatus.RUNNING),
    ]
    assert (record.steps[1].position.line, record.steps[1].position.column) == (3, 12)  # the value of "step"
    assert (record.start, record.end) == (0.0, 12.0)


def test_json_list_of_rows_absolute(tmp_path):
    path = write(
        tmp_path,
        "rows.json",
        '[{"step": "a", "start": "2024-01-31T23:58:00Z", "end": "2024-02-01T00:03:30Z"}]',
    )
    record = only([path])
    # 23:58 to 00:03:30 the next day: 5.5 minutes.
    assert [(s.start, s.end) for s in record.steps] == [(0.0, 5.5)]


def test_quoted_header_and_a_cell_spanning_lines(tmp_path):
    path = write(
        tmp_path,
        "t.txt",  # not named .csv: known by its header
        '"Step";"Start";"End"\n"drain\nthe pool";0;2\nverify\u2028now;2;3\n',
    )
    record = only([path])
    assert [(s.name, s.end) for s in record.steps] == [("drain\nthe pool", 2.0), ("verify\u2028now", 3.0)]
    # drain's row starts on line 2; U+2028 ends no line in an editor: verify is on line 4.
    assert [s.position.line for s in record.steps] == [2, 4]


def test_semicolon_csv(tmp_path):
    path = write(tmp_path, "t.csv", "step;start;end\nx;0;1,5\n")
    with pytest.raises(RecordError, match=r"t.csv:2:\d+: row 1: `end`"):
        read_records([path])
    path = write(tmp_path, "t.csv", "step;start;end\nx;0;1.5\n")
    assert [(s.start, s.end) for s in only([path]).steps] == [(0.0, 1.5)]


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        (
            "step,start,end\nx,2024-05-01T14:00:00,2024-05-01T14:01:00Z\n",
            "2:3",
            "row 1: `start`: `2024-05-01T14:00:00` has no time zone",
        ),
        (
            "step,start,end\nx,0,3\ny,2024-05-01T14:00:00Z,\n",
            "3:3",
            "row 2: `start` is a date and time but row 1 gave minutes from the start",
        ),
        ("step,start,end\nx,5,3\n", "2:5", "row 1: `x` ends (3 min) before it starts (5 min)"),
        (
            "step,start,end\nx,2024-05-01T14:05:00Z,2024-05-01T14:00:00Z\n",
            "2:24",
            "`x` ends",
        ),
        ("step,start,end\nx,yesterday,3\n", "2:3", "`yesterday` is not an ISO 8601 time"),
        ("step,start,end\nx,2024-13-01T00:00:00Z,\n", "2:3", "is not a valid time"),
        ("step,start,end\nx,-3,3\n", "2:3", "must be minutes from the start (0 or more)"),
        ("step,start,end\n,0,3\n", "2:1", "row 1: the step has no name"),
        ("step,start,end\nx,0,3,finished\n", "1:1", None),
        ("step,start,end,status\nx,0,3,meh\n", "2:7", "unknown status `meh`"),
        ("step,start,end\n", "1:1", "the record has no step"),
        ("step,start,end,Step\nx,0,1,y\n", "1:1", "the header names `step` twice"),
        ("name,began\nx,0\n", "1:1", "not a record of a run (expected a timeline"),
        ("", "1:1", "not a record of a run"),
    ],
)
def test_bad_csv_timelines_name_the_row(tmp_path, text, where, message):
    path = write(tmp_path, "t.csv", text)
    if message is None:  # a cell past the header's columns is ignored, not an error
        assert only([path]).steps[0].name == "x"
        return
    with pytest.raises(RecordError) as raised:
        read_records([path])
    assert str(raised.value).startswith(f"{path}:{where}: "), str(raised.value)
    assert message in raised.value.message


def test_malformed_json_has_its_line_and_column(tmp_path):
    path = write(tmp_path, "t.json", '{"steps": [\n  {"step": "a",, "start": 0}\n]}')
    with pytest.raises(RecordError, match=r"t.json:2:16: malformed JSON"):
        read_records([path])


def test_a_folder_is_its_record_files_sorted(tmp_path):
    write(tmp_path, "b.csv", "step,start,end\nb,0,1\n")
    write(tmp_path, "a.json", '[{"step": "a", "start": 0, "end": 2}]')
    write(tmp_path, "notes.txt", "not a record")
    (tmp_path / "sub").mkdir()
    write(tmp_path / "sub", "c.yaml", "steps:\n  - {step: c, start: 0, end: 3}\n")
    assert record_files([tmp_path]) == [tmp_path / "a.json", tmp_path / "b.csv", tmp_path / "sub" / "c.yaml"]
    records = read_records([tmp_path])
    assert [r.steps[0].name for r in records] == ["a", "b", "c"]
    assert records[2].steps[0].position.line == 2


def test_a_hundred_thousand_rows_are_read(tmp_path):
    rows = "".join(f"step {n},{n},{n + 1}\n" for n in range(100_000))
    path = write(tmp_path, "big.csv", "step,start,end\n" + rows)
    record = only([path])
    assert len(record.steps) == 100_000
    assert (record.steps[-1].name, record.steps[-1].start, record.end) == ("step 99999", 99999.0, 100000.0)
