"""`check`'s machine formats (concise, json-lines, github, junit, gitlab), each
read back the way its consumer reads it: golden files of the examples through
the command line, then the consumers' own rules on hard inputs."""

import json
import os
import re
from pathlib import Path

import jsonschema
import pytest
import xmlschema
from click.testing import CliRunner
from junitparser import Error as JUnitError
from junitparser import Failure as JUnitFailure
from junitparser import JUnitXml

from recoverylint.baseline import fingerprint
from recoverylint.cli import cli
from recoverylint.finding import Finding, Related, Severity
from recoverylint.model import Span
from recoverylint.report import (
    PART_WRITERS,
    Report,
    concise,
    github,
    gitlab,
    json_lines,
    junit,
    pieces_utf8,
    render,
    written_findings,
)

REPO = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).parent / "golden" / "check"
VENDOR = Path(__file__).parent / "vendor"
EXAMPLES = sorted(path.stem for path in (REPO / "examples").glob("*.yaml"))
FORMATS = {
    "full": "txt", "concise": "txt", "json": "json", "json-lines": "jsonl", "github": "txt", "junit": "xml",
    "gitlab": "json",
}
# Set RECOVERYLINT_UPDATE_GOLDEN=1 to rewrite the golden files after a
# deliberate change of output; the diff then shows in review.
UPDATE = os.environ.get("RECOVERYLINT_UPDATE_GOLDEN") == "1"

JUNIT_SCHEMA = xmlschema.XMLSchema(str(VENDOR / "junit-10.xsd"))
GITLAB_SCHEMA = json.loads((VENDOR / "gitlab-codeclimate.json").read_text(encoding="utf-8"))
# GitLab's severities, most severe first (Gitlab::Ci::Reports::CodequalityReports::SEVERITY_PRIORITIES).
GITLAB_SEVERITIES = ("blocker", "critical", "major", "minor", "info")

# Text that each consumer's syntax must survive: its own separators, escapes
# that look already escaped, line breaks, and characters XML 1.0 forbids.
AWKWARD_PATH = "runbooks/50% done, v2: final/a::b.yaml"
AWKWARD_MESSAGE = "`a,b` is 100% done: see %0A and %25\nsecond line\r\nthird, last::end"


def run_check(*args: str, cache: Path):
    old = os.getcwd()
    os.chdir(REPO)
    try:
        return CliRunner().invoke(
            cli, ["check", *args], env={"RECOVERYLINT_CACHE_DIR": str(cache)}, catch_exceptions=False
        )
    finally:
        os.chdir(old)


def finding(
    line: int = 3,
    *,
    path: str = "runbooks/a.yaml",
    message: str = "`b` waits for `a` but uses nothing from it",
    severity: Severity = Severity.WARNING,
    end: tuple[int, int] = (0, 0),
    code: str = "RL201",
    related: tuple[Related, ...] = (),
) -> Finding:
    end_line, end_column = end if end != (0, 0) else (line, 12)
    return Finding(
        code, "false-sequential-gate", severity, message, path, Span(line, 5, end_line, end_column),
        suggestion="needs: []", steps=("b",), related=related,
    )


def report(*findings: Finding, files: tuple[str, ...] = (), unchecked: tuple[str, ...] = ()) -> Report:
    paths = tuple(dict.fromkeys([*files, *(f.path for f in findings), *unchecked]))
    return Report(tuple(sorted(findings, key=lambda f: f.sort_key)), paths, unchecked)


# -- Golden files: the examples through the command line --------------------


@pytest.mark.parametrize("example", EXAMPLES)
@pytest.mark.parametrize("output_format", FORMATS)
def test_golden(output_format, example, tmp_path):
    result = run_check(f"examples/{example}.yaml", "--format", output_format, cache=tmp_path)
    assert result.exit_code in (0, 1), result.output
    assert result.stderr == ""
    golden = GOLDEN / output_format / f"{example}.{FORMATS[output_format]}"
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(result.stdout, encoding="utf-8")
    assert result.stdout == golden.read_text(encoding="utf-8")


def example_findings(example: str, tmp_path: Path) -> list[dict]:
    """The example's findings as the `json` format gives them."""
    result = run_check(f"examples/{example}.yaml", "--format", "json", cache=tmp_path)
    return json.loads(result.stdout)["findings"]


def test_the_examples_cover_clean_files_and_every_severity(tmp_path):
    counts = {example: len(example_findings(example, tmp_path)) for example in EXAMPLES}
    assert 0 in counts.values()  # a clean file's output is exercised too
    severities = {item["severity"] for example in EXAMPLES for item in example_findings(example, tmp_path)}
    assert severities == {"error", "warning", "info"}


# -- concise ------------------------------------------------------------------


@pytest.mark.parametrize("example", EXAMPLES)
def test_concise_is_one_line_per_finding_and_nothing_else(example, tmp_path):
    expected = example_findings(example, tmp_path)
    lines = (GOLDEN / "concise" / f"{example}.txt").read_text(encoding="utf-8").splitlines()
    assert lines == [
        f"{item['path']}:{item['line']}:{item['column']}: {item['code']} [{item['severity']}] {item['message']}"
        for item in expected
    ]


def test_concise_never_breaks_a_finding_over_two_lines():
    text = concise.render(
        report(finding(path="odd\nname.yaml", message="one\ntwo\r\nthree\rfour\u2028five\x85six\n"))
    )
    assert text == "odd\\nname.yaml:3:5: RL201 [warning] one\\ntwo\\nthree\\nfour\\nfive\\nsix\\n\n"
    assert len(text.splitlines()) == 1


def test_concise_prints_nothing_for_a_clean_run():
    assert concise.render(report(files=("clean.yaml",))) == ""


# -- json-lines ---------------------------------------------------------------


@pytest.mark.parametrize("example", EXAMPLES)
def test_json_lines_are_the_json_formats_findings(example, tmp_path):
    lines = (GOLDEN / "json-lines" / f"{example}.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == example_findings(example, tmp_path)


def test_json_lines_keep_one_object_a_line_whatever_the_message_holds():
    message = "a\u2028b\u2029c\x85d\ne \udcff"  # U+DCFF: a path byte that was not UTF-8
    text = json_lines.render(report(finding(message=message), finding(5)))
    lines = text.splitlines()  # str.splitlines splits at U+2028 too
    assert len(lines) == 2
    assert json.loads(lines[0])["message"] == message
    text.encode("utf-8")  # writable to a UTF-8 stream (no lone surrogate left raw)


# -- github ---------------------------------------------------------------------
# The runner's side, mirrored from actions/runner src/Runner.Common/ActionCommand.cs
# (TryParseV2, UnescapeData, UnescapeProperty): replacements applied in this order.

RUNNER_DATA_ESCAPES = (("%0D", "\r"), ("%0A", "\n"), ("%25", "%"))
RUNNER_PROPERTY_ESCAPES = (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%"))
RUNNER_ISSUE_COMMANDS = {"error", "warning", "notice"}


def runner_unescape(text: str, escapes) -> str:
    for escaped, character in escapes:
        text = text.replace(escaped, character)
    return text


def runner_parse(line: str):
    """(command, properties, message) as the runner reads one log line, or None."""
    message = line.lstrip()
    if not message.startswith("::"):
        return None
    end = message.find("::", 2)
    if end < 0:
        return None
    info = message[2:end]
    name, _, rest = info.partition(" ")
    if name not in RUNNER_ISSUE_COMMANDS:
        return None
    properties = {}
    for written in filter(None, rest.strip().split(",")):
        pair = [part for part in written.split("=", 1) if part]
        if len(pair) == 2:
            properties[pair[0]] = runner_unescape(pair[1], RUNNER_PROPERTY_ESCAPES)
    return name, properties, runner_unescape(message[end + 2:], RUNNER_DATA_ESCAPES)


def annotation_lines(text: str) -> list[str]:
    assert text.endswith("\n") or text == ""
    lines = text.split("\n")[:-1]
    assert not any("\r" in line for line in lines)  # the runner reads a line at \r as well
    return lines


@pytest.mark.parametrize("example", EXAMPLES)
def test_github_annotations_of_the_examples_read_back(example, tmp_path):
    expected = example_findings(example, tmp_path)
    lines = annotation_lines((GOLDEN / "github" / f"{example}.txt").read_text(encoding="utf-8"))
    command = {"error": "error", "warning": "warning", "info": "notice"}
    assert [runner_parse(line) for line in lines] == [
        (
            command[item["severity"]],
            {
                "file": item["path"],
                "line": str(item["line"]),
                "col": str(item["column"]),
                "endLine": str(item["end_line"]),
                "endColumn": str(item["end_column"]),
                "title": f"{item['code']} {item['name']}",
            },
            item["message"],
        )
        for item in expected
    ]


def test_github_escapes_survive_the_runner():
    item = finding(path=AWKWARD_PATH, message=AWKWARD_MESSAGE, severity=Severity.ERROR)
    (line,) = annotation_lines(github.render(report(item)))
    assert line == (
        "::error file=runbooks/50%25 done%2C v2%3A final/a%3A%3Ab.yaml,line=3,col=5,endLine=3,endColumn=12,"
        "title=RL201 false-sequential-gate::"
        "`a,b` is 100%25 done: see %250A and %2525%0Asecond line%0D%0Athird, last::end"
    )
    name, properties, message = runner_parse(line)
    assert (name, properties["file"], message) == ("error", AWKWARD_PATH, AWKWARD_MESSAGE)


@pytest.mark.parametrize("text", ["%", "%25", "%0A", ":,", "a\r\nb", "%%3A%2C,,::", "\n%\r"])
def test_github_escaping_round_trips(text):
    assert runner_unescape(github.escape_data(text), RUNNER_DATA_ESCAPES) == text
    escaped = github.escape_property(text)
    assert not set(escaped) & set(":,\r\n")  # nothing that ends a property value or the line
    assert runner_unescape(escaped, RUNNER_PROPERTY_ESCAPES) == text


def test_github_sends_columns_only_for_a_span_on_one_line():
    # The runner drops col and endColumn when line and endLine differ; an end at
    # column 1 is the previous line's end.
    spanning = finding(3, end=(6, 4))
    ending_at_a_line_start = finding(8, end=(10, 1))
    lines = annotation_lines(github.render(report(spanning, ending_at_a_line_start)))
    properties = [runner_parse(line)[1] for line in lines]
    assert properties[0] == {"file": "runbooks/a.yaml", "line": "3", "endLine": "6", "title": "RL201 false-sequential-gate"}
    assert (properties[1]["line"], properties[1]["endLine"]) == ("8", "9")


def test_github_severities_and_unchecked_files():
    findings = [finding(1, severity=Severity.ERROR), finding(2), finding(4, severity=Severity.INFO)]
    text = github.render(report(*findings, unchecked=("runbooks/b, c.yaml",)))
    parsed = [runner_parse(line) for line in annotation_lines(text)]
    assert [name for name, _, _ in parsed] == ["error", "warning", "notice", "error"]
    _, properties, message = parsed[-1]
    assert properties == {"file": "runbooks/b, c.yaml", "title": "recoverylint internal error"}
    assert "could not check this file" in message


def test_github_render_is_the_annotations_alone():
    shown = report(finding(), unchecked=("x.yaml",))
    assert github.render(shown) == github.annotations(shown)
    assert github.annotations(report(files=("clean.yaml",))) == ""


# -- junit ------------------------------------------------------------------------


def assert_valid_junit(text: str) -> JUnitXml:
    """The document as the xUnit plugin's schema and junitparser read it."""
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    JUNIT_SCHEMA.validate(text)  # raises on any departure from the schema (or from XML 1.0)
    return JUnitXml.fromstring(text.encode("utf-8"))


@pytest.mark.parametrize("example", EXAMPLES)
def test_junit_of_the_examples_is_read_back_by_junit_consumers(example, tmp_path):
    expected = example_findings(example, tmp_path)
    document = assert_valid_junit((GOLDEN / "junit" / f"{example}.xml").read_text(encoding="utf-8"))
    (suite,) = list(document)
    path = f"examples/{example}.yaml"
    assert (suite.name, suite.failures, suite.errors) == (path, len(expected), 0)
    assert suite.tests == max(1, len(expected))
    assert (document.tests, document.failures, document.errors) == (suite.tests, suite.failures, 0)
    cases = list(suite)
    if not expected:
        (case,) = cases
        assert (case.classname, case.name, case.is_passed) == (path, "no findings", True)
        return
    assert [case.name for case in cases] == [
        f"{item['code']} {item['name']} at {item['line']}:{item['column']}" for item in expected
    ]
    for case, item in zip(cases, expected):
        (failure,) = case.result
        assert isinstance(failure, JUnitFailure) and case.classname == path
        assert (failure.type, failure.message) == (item["severity"], item["message"])
        assert f"{path}:{item['line']}:{item['column']}: {item['code']}" in failure.text


def test_junit_counts_files_findings_and_unchecked_files():
    findings = [
        finding(3, path="a.yaml", related=(Related("`a` is here", Span(1, 3, 1, 4)),)),
        finding(9, path="a.yaml", severity=Severity.INFO),
        finding(2, path="c.yaml", severity=Severity.ERROR),
    ]
    text = junit.render(report(*findings, files=("a.yaml", "b.yaml", "c.yaml", "d.yaml"), unchecked=("c.yaml", "d.yaml")))
    document = assert_valid_junit(text)
    suites = {suite.name: suite for suite in document}
    counts = {name: (suite.tests, suite.failures, suite.errors) for name, suite in suites.items()}
    assert counts == {"a.yaml": (2, 2, 0), "b.yaml": (1, 0, 0), "c.yaml": (2, 1, 1), "d.yaml": (1, 0, 1)}
    assert (document.tests, document.failures, document.errors) == (6, 3, 2)
    (error,) = next(iter(suites["d.yaml"])).result
    assert isinstance(error, JUnitError) and error.type == "internal-error"
    first = next(iter(suites["a.yaml"])).result[0]
    assert first.text.splitlines() == [
        "a.yaml:3:5: RL201 [warning] `b` waits for `a` but uses nothing from it",
        "help: needs: []",
        "a.yaml:1:3: note: `a` is here",
    ]


def test_junit_replaces_what_xml_cannot_hold():
    message = "colour \x1b[31mred\x1b[0m, nul \x00, tab\tand\nlines, \ufffe, \U0001f600 <&>\""
    path = "dir/\udcffname.yaml"  # an undecodable byte of a file name
    document = assert_valid_junit(junit.render(report(finding(message=message, path=path))))
    (suite,) = list(document)
    assert suite.name == "dir/\\udcffname.yaml"
    (failure,) = next(iter(suite)).result
    assert failure.message == "colour \\x1b[31mred\\x1b[0m, nul \\x00, tab\tand\nlines, \\ufffe, \U0001f600 <&>\""


def test_junit_schema_rejects_a_document_that_is_not_junit():
    """The validation above has teeth: what Jenkins would refuse fails here."""
    valid = junit.render(report(finding()))
    for broken in (
        valid.replace('<testsuite name="runbooks/a.yaml" tests="1"', '<testsuite name="runbooks/a.yaml"'),
        valid.replace("<failure ", "<failed ").replace("</failure>", "</failed>"),
        valid.replace("nothing", "nothing\x01"),
    ):
        assert broken != valid
        with pytest.raises((xmlschema.XMLSchemaException, SyntaxError)):
            JUNIT_SCHEMA.validate(broken)


# -- gitlab ---------------------------------------------------------------------------


def gitlab_keeps(text: str) -> dict:
    """The entries GitLab keeps, by fingerprint, as its Code Quality parser does:
    Gitlab::Ci::Parsers::Codequality::CodeClimate stops at the first entry
    that fails app/validators/json_schemas/codeclimate.json, and
    CodequalityReports#add_degradation keeps the last entry of a fingerprint."""
    kept = {}
    for entry in json.loads(text):
        if not jsonschema.Draft7Validator(GITLAB_SCHEMA).is_valid(entry):
            break
        kept[entry["fingerprint"]] = entry
    return kept


@pytest.mark.parametrize("example", EXAMPLES)
def test_gitlab_report_of_the_examples_is_kept_whole(example, tmp_path):
    expected = example_findings(example, tmp_path)
    text = (GOLDEN / "gitlab" / f"{example}.json").read_text(encoding="utf-8")
    entries = json.loads(text)
    for entry in entries:
        jsonschema.validate(entry, GITLAB_SCHEMA, cls=jsonschema.Draft7Validator)
    assert list(gitlab_keeps(text).values()) == entries
    severity = {"error": "critical", "warning": "minor", "info": "info"}
    assert [
        (e["check_name"], e["severity"], e["location"]["path"], e["location"]["lines"]["begin"], e["description"])
        for e in entries
    ] == [
        (i["code"], severity[i["severity"]], i["path"], i["line"], f"{i['code']} {i['message']}")
        for i in expected
    ]


def test_gitlab_fingerprints_identical_findings_apart_and_stably():
    twins = [finding(10), finding(20), finding(30, message="another")]
    entries = json.loads(gitlab.render(report(*twins)))
    prints = [entry["fingerprint"] for entry in entries]
    assert len(set(prints)) == 3 and len(gitlab_keeps(gitlab.render(report(*twins)))) == 3
    assert prints[0] == fingerprint(twins[0]) and prints[2] == fingerprint(twins[2])
    # Lines added above move them: the fingerprints stay, as baselines' do.
    moved = [finding(15), finding(25), finding(35, message="another")]
    assert [entry["fingerprint"] for entry in json.loads(gitlab.render(report(*moved)))] == prints


def test_gitlab_severities_lines_and_unchecked_files():
    findings = [
        finding(1, severity=Severity.ERROR, end=(4, 2)),
        finding(6, end=(9, 1)),  # ends where line 9 starts: its last line is 8
        finding(11, severity=Severity.INFO),
    ]
    text = gitlab.render(report(*findings, unchecked=("runbooks/b.yaml",)))
    entries = list(gitlab_keeps(text).values())
    assert len(entries) == 4
    assert [entry["severity"] for entry in entries] == ["critical", "minor", "info", "blocker"]
    assert all(entry["severity"] in GITLAB_SEVERITIES for entry in entries)
    assert [entry["location"]["lines"] for entry in entries[:3]] == [
        {"begin": 1, "end": 4}, {"begin": 6, "end": 8}, {"begin": 11, "end": 11},
    ]
    assert entries[3]["location"] == {"path": "runbooks/b.yaml", "lines": {"begin": 1}}
    assert entries[3]["check_name"] == "internal-error"


def test_gitlab_report_of_nothing_is_an_empty_array():
    assert json.loads(gitlab.render(report(files=("clean.yaml",)))) == []


# -- Files that could not be checked, through the command line ---------------


@pytest.fixture
def one_file_unchecked(tmp_path, monkeypatch):
    """A folder of two runbooks (copies of examples) where an internal error
    keeps recoverylint from checking `broken.yaml`."""
    from recoverylint import engine

    real_run_rules = engine.run_rules

    def broken_for_one(runbook, *args, **kwargs):
        if runbook.id == "broken":
            raise RuntimeError("a bug")
        return real_run_rules(runbook, *args, **kwargs)

    monkeypatch.setattr(engine, "run_rules", broken_for_one)
    folder = tmp_path / "runbooks"
    folder.mkdir()
    clean = (REPO / "examples" / "hybrid-clean.yaml").read_text(encoding="utf-8")
    (folder / "broken.yaml").write_text(re.sub(r"(?m)^runbook: .*$", "runbook: broken", clean), encoding="utf-8")
    (folder / "gated.yaml").write_text((REPO / "examples" / "checklist-disk-full.yaml").read_text(encoding="utf-8"))
    return folder


@pytest.mark.parametrize("output_format", ["github", "junit", "gitlab"])
def test_a_file_that_could_not_be_checked_is_reported(output_format, one_file_unchecked, tmp_path):
    result = run_check(str(one_file_unchecked), "--format", output_format, cache=tmp_path / "cache")
    assert result.exit_code == 2
    assert "broken.yaml: internal error in recoverylint" in result.stderr
    broken, gated = str(one_file_unchecked / "broken.yaml"), str(one_file_unchecked / "gated.yaml")
    if output_format == "github":
        reported = [runner_parse(line) for line in annotation_lines(result.stdout)]
        assert reported[-1][:2] == ("error", {"file": broken, "title": "recoverylint internal error"})
        assert {properties["file"] for _, properties, _ in reported[:-1]} == {gated}
    elif output_format == "junit":
        suites = {suite.name: suite for suite in assert_valid_junit(result.stdout)}
        assert (suites[broken].tests, suites[broken].failures, suites[broken].errors) == (1, 0, 1)
        assert (suites[gated].failures, suites[gated].errors) == (5, 0)
    else:
        entries = list(gitlab_keeps(result.stdout).values())
        assert entries[-1]["location"]["path"] == broken and entries[-1]["severity"] == "blocker"
        assert len(entries) == 6


# -- Reports joined from each file's part (issue 16) ------------------------------


@pytest.mark.parametrize("output_format", sorted(PART_WRITERS))
def test_a_report_of_written_parts_is_the_report_of_its_findings(output_format):
    files = {
        "runbooks/a.yaml": [
            finding(3, path="runbooks/a.yaml"), finding(9, path="runbooks/a.yaml", severity=Severity.ERROR)
        ],
        "runbooks/b.yaml": [],  # clean: an empty part, and no separator for it
        "runbooks/c.yaml": [finding(1, path="runbooks/c.yaml", message="\x1b]0;t\x07 \u2028 caf\u00e9 \u2026")],
    }
    whole = report(*(f for found in files.values() for f in found), files=tuple(files))
    written = Report((), whole.files, written=tuple(written_findings(found, PART_WRITERS) for found in files.values()))
    expected = render("check", output_format, whole)
    assert render("check", output_format, written) == expected
    assert b"".join(pieces_utf8(output_format, written)) == expected.encode()
    if output_format == "json":
        assert json.loads(expected)["summary"] == {"files": 3, "errors": 1, "warnings": 2, "infos": 0}
    with pytest.raises(ValueError, match="cannot be written as full"):
        render("check", "full", written)
