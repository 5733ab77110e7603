"""`plan --format json` (and text) of a big runbook is written in pieces
(issue 16: the plan's memory at 50,000 steps): the bytes are those json.dumps
writes of the whole document, and writing never holds the document, nor its
text twice."""

import json
import tracemalloc

from click.testing import CliRunner

from recoverylint.cli import cli
from recoverylint.engine import plan_text
from recoverylint.report import plan_json
from recoverylint.report import plan_text as text_report
from recoverylint.report.shown import json_safe

CHAINS, LENGTH = 26, 100


def wide_runbook(title: str = "Wide \\u202e\\u0007 recovery", links: int = LENGTH) -> str:
    """26 chains of 100 steps (or `links`), written link by link across the
    chains, every other one writing one cache (a race with the write of
    another chain before it), each waiting for the one before it in its chain
    (needlessly where one of the two writes nothing), a decision whose
    smaller branch the plan leaves out, and a title holding characters a
    terminal would act on (YAML escapes in double quotes)."""
    lines = [
        "runbook: wide",
        f'title: "{title}"',
        "flow: parallel",
        "resources:",
        "  cache: {kind: cache}",
        "steps:",
        "  - {id: decide, duration: 1m, decides: [big, small]}",
        "  - {id: big, duration: 9m, needs: [decide]}",
        "  - {id: small, duration: 1m, needs: [decide]}",
    ]
    for link in range(links):
        for chain in range(CHAINS):
            writes = ", writes: [cache]" if link % 2 else ""
            needs = f", needs: [s{chain}-{link - 1}]" if link else ""
            lines.append(f"  - {{id: s{chain}-{link}, duration: {1 + link % 7}m{writes}{needs}}}")
    return "\n".join(lines) + "\n"


def test_json_of_a_big_plan_is_what_json_dumps_writes_of_it(tmp_path):
    (tmp_path / "wide.yaml").write_text(wide_runbook(), encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(cli, ["plan", str(tmp_path / "wide.yaml"), "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    # Every long array spans several chunks, and the text is over a
    # megabyte: several pieces, joined where a piece ends inside an array.
    assert len(document["steps"]) == CHAINS * LENGTH + 2
    assert len(document["races"]) > 1000
    assert len(document["false_gates"]) > 2000
    assert len(document["required"]["waves"]) > 1000
    assert [item["id"] for item in document["left_out"]] == ["small"]
    assert document["races"][0]["resource"] == "cache"
    assert document["title"] == "Wide \u202e\u0007 recovery"
    assert len(result.stdout) > 1 << 20
    assert result.stdout == json_safe(json.dumps(document, indent=2, ensure_ascii=False)) + "\n"
    assert "\\u202e" in result.stdout  # the escape json_safe writes, piece by piece
    written = tmp_path / "plan.json"
    result = runner.invoke(cli, ["plan", str(tmp_path / "wide.yaml"), "--format", "json", "-o", str(written)])
    assert result.exit_code == 0, result.output
    assert written.read_text(encoding="utf-8") == json.dumps(document, indent=2, ensure_ascii=False).replace(
        "\u202e", "\\u202e"
    ).replace("\u0007", "\\u0007") + "\n"


def test_json_of_a_plan_with_empty_and_one_item_arrays():
    _, plan = plan_text("runbook: one\nsteps:\n  - {id: only, duration: 2m}\n", "one.yaml")
    assert plan is not None
    text = plan_json.render(plan)
    document = json.loads(text)
    assert document["races"] == [] and len(document["steps"]) == 1
    assert text == json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def test_writing_the_json_holds_the_text_once_and_a_chunk():
    """The pieces hold the text; making them adds a piece and a chunk of
    records with their encoding, never the whole document as records and
    tokens (which took over nine times the text)."""
    _, plan = plan_text(wide_runbook("Wide recovery"), "wide.yaml")
    assert plan is not None
    tracemalloc.start()
    try:
        pieces = plan_json.pieces(plan)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    size = sum(map(len, pieces))
    assert len(pieces) >= 2
    assert peak < 2 * size, (peak, size)


def test_json_safe_keeps_indented_json_without_acting_characters_as_it_is():
    """An LF of indented JSON is indentation, not a character to escape: the
    text comes back as it is, not rebuilt line by line."""
    text = json.dumps({"steps": [{"id": f"s{index}"} for index in range(1000)]}, indent=2)
    assert json_safe(text) is text
    assert json_safe(text[:-1] + "\u2028}") == text[:-1] + "\\u2028}"


def test_text_of_a_big_plan_is_written_in_pieces_of_whole_lines(tmp_path):
    (tmp_path / "wide.yaml").write_text(wide_runbook(links=200), encoding="utf-8")
    _, plan = plan_text(wide_runbook(links=200), str(tmp_path / "wide.yaml"))
    assert plan is not None
    pieces = text_report.pieces(plan, colour=False)
    assert len(pieces) >= 2
    assert all(piece.endswith("\n") for piece in pieces)
    result = CliRunner().invoke(cli, ["plan", str(tmp_path / "wide.yaml")], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.stdout == "".join(pieces) == text_report.render(plan, colour=False)
    assert result.stdout.count("\n") > 10_000


def test_records_promised_flat_holding_a_list_or_a_mapping_are_written_as_json_dumps_writes_them():
    """A record of a `flat` array with a list, a mapping or nothing in it is
    written by the general encoder: what indent=2 writes, byte for byte."""
    records = [
        {"id": "a", "minutes": 2.5, "late": None},
        {"id": "b", "waits_for": ["a", "c"], "minutes": 1},
        {"id": "c", "people": {"sre": 2}, "waits_for": []},
        {},
        {"id": "d", "critical": True},
    ]
    for chunk in ([records[0], records[4]], records[:2], records[2:3], records[3:4], records):
        written = "".join(plan_json._pieces({"steps": plan_json._Records(chunk, flat=True)}, ""))
        assert written == json.dumps({"steps": chunk}, indent=2, ensure_ascii=False), chunk
