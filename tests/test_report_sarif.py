"""`recoverylint check --format sarif`: its structure, golden files, and
Microsoft's SARIF Multitool (SARIF 2.1.0 and GitHub's ingestion rules)."""

import json
import os
import re
import subprocess
import sys
import textwrap
import types
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, unquote_to_bytes, urlparse

import jsonschema
import pytest
from click.testing import CliRunner
from conftest import need

from recoverylint import __version__
from recoverylint.baseline import fingerprint
from recoverylint.catalog import catalog_codes, rule_doc
from recoverylint.cli import cli
from recoverylint.engine import check_text
from recoverylint.report import Report
from recoverylint.report.sarif import FINGERPRINT_KEY, render

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(path.name for path in (REPO / "examples").glob("*.yaml"))
GOLDEN = Path(__file__).parent / "golden" / "check" / "sarif"
# Set RECOVERYLINT_UPDATE_GOLDEN=1 to rewrite the golden files after a
# deliberate change of output; the diff then shows in review.
UPDATE = os.environ.get("RECOVERYLINT_UPDATE_GOLDEN") == "1"
LEVEL = {"error": "error", "warning": "warning", "info": "note"}

REDUNDANT_NEED = """\
runbook: redundant
title: A need the sequence already implies
given: [alert]
steps:
  - id: look
    inputs: [alert]
    outputs: [facts]
  - id: act
    inputs: [facts]
    outputs: [done]
  - id: close
    needs: [look]
    inputs: [done]
"""


def run(*args, cwd=REPO):
    """`recoverylint ARGS` in `cwd`, as a user runs it."""
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(cli, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)


def sarif(*args, cwd=REPO) -> dict:
    """The SARIF document of `recoverylint check ARGS --format sarif`."""
    result = run("check", *args, "--format", "sarif", cwd=cwd)
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def results_of(document: dict) -> list[dict]:
    (sarif_run,) = document["runs"]
    return sarif_run["results"]


def line_starts(text: str) -> list[int]:
    """Where each line of `text` starts (YAML's line breaks: CRLF, CR, LF)."""
    return [0] + [match.end() for match in re.finditer(r"\r\n|\r|\n", text)]


def apply_replacements(text: str, fix: dict) -> str:
    """Apply a SARIF fix's line/column replacements to the text they were made for."""
    starts = line_starts(text)

    def offset(line: int, column: int) -> int:
        assert 1 <= line <= len(starts) and column >= 1
        return starts[line - 1] + column - 1

    (change,) = fix["artifactChanges"]
    spans = []
    for replacement in change["replacements"]:
        region = replacement["deletedRegion"]
        start = offset(region["startLine"], region["startColumn"])
        end = offset(region["endLine"], region["endColumn"])
        assert start <= end <= len(text)
        spans.append((start, end, replacement["insertedContent"]["text"]))
    for start, end, inserted in sorted(spans, reverse=True):  # from the end: offsets stay valid
        text = text[:start] + inserted + text[end:]
    return text


# -- Golden files ----------------------------------------------------------


@pytest.mark.parametrize("example", EXAMPLES)
def test_golden(example):
    result = run("check", f"examples/{example}", "--format", "sarif")
    assert result.exit_code in (0, 1), result.output
    golden = GOLDEN / f"{Path(example).stem}.sarif"
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(result.stdout, encoding="utf-8")
    assert result.stdout == golden.read_text(encoding="utf-8")


def test_the_output_is_stable_and_holds_no_machine_details():
    first = run("check", "examples/", "--format", "sarif").stdout
    assert first == run("check", "examples/", "--format", "sarif").stdout
    assert str(REPO) not in first and "file://" not in first
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:", first)  # no timestamps


# -- Structure -------------------------------------------------------------


def test_a_clean_run_embeds_no_rule():
    document = sarif("examples/hybrid-clean.yaml")
    assert document["version"] == "2.1.0"
    assert document["$schema"].endswith("sarif-schema-2.1.0.json")
    (sarif_run,) = document["runs"]
    driver = sarif_run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("recoverylint", __version__)
    assert driver["informationUri"].startswith("https://")
    assert sarif_run["columnKind"] == "unicodeCodePoints"
    assert results_of(document) == []
    assert driver["rules"] == []


def test_only_the_rules_reported_are_embedded_each_linked_to_its_catalog_entry():
    document = sarif("examples/")
    driver = document["runs"][0]["tool"]["driver"]
    reported = {result["ruleId"] for result in results_of(document)}
    assert 0 < len(reported) < len(catalog_codes())
    # In catalog order, once each: what GitHub code scanning reads.
    assert [rule["id"] for rule in driver["rules"]] == [code for code in catalog_codes() if code in reported]
    for rule in driver["rules"]:
        assert rule["helpUri"] == f"{driver['informationUri']}/blob/main/rules/{rule['id']}.yaml"
        assert (REPO / "rules" / f"{rule['id']}.yaml").is_file()  # the file the link names
        doc = rule_doc(rule["id"])
        assert rule["name"] == doc.name
        assert rule["shortDescription"]["text"] == doc.summary
        assert rule["fullDescription"]["text"] == doc.rationale
        assert rule["defaultConfiguration"]["level"] == LEVEL[doc.severity.value]
        assert rule["helpUri"].startswith("https://")
        assert doc.how_to_fix in rule["help"]["text"]
        markdown = rule["help"]["markdown"]
        headings = re.findall(r"^## .*$", markdown, re.MULTILINE)
        assert headings[:4] == ["## What it does", "## Why it matters", "## How to fix", "## Example"]
        assert f"## What it does\n{doc.summary}\n" in markdown
        assert f"```yaml\n{doc.examples['bad'][0]}" in markdown


def test_results_match_the_findings():
    findings = json.loads(run("check", "examples/", "--format", "json").stdout)["findings"]
    document = sarif("examples/")
    rules = document["runs"][0]["tool"]["driver"]["rules"]
    results = results_of(document)
    assert len(results) == len(findings) > 0
    for result, finding in zip(results, findings):
        assert result["ruleId"] == finding["code"] == rules[result["ruleIndex"]]["id"]
        assert result["level"] == LEVEL[finding["severity"]]
        text = result["message"]["text"]
        assert text.startswith(finding["message"])
        assert finding["suggestion"] is None or text.endswith(finding["suggestion"])
        (location,) = result["locations"]
        artifact = location["physicalLocation"]["artifactLocation"]
        assert (artifact["uri"], artifact["uriBaseId"]) == (finding["path"], "%SRCROOT%")
        assert location["physicalLocation"]["region"] == {
            "startLine": finding["line"],
            "startColumn": finding["column"],
            "endLine": finding["end_line"],
            "endColumn": finding["end_column"],
        }
        assert len(result["partialFingerprints"][FINGERPRINT_KEY]) == 32
    sarif_run = document["runs"][0]
    assert "%SRCROOT%" in sarif_run["originalUriBaseIds"]
    artifacts = [artifact["location"]["uri"] for artifact in sarif_run["artifacts"]]
    assert artifacts == [f"examples/{name}" for name in EXAMPLES]  # clean files too
    for result in results:
        artifact = result["locations"][0]["physicalLocation"]["artifactLocation"]
        assert artifacts[artifact["index"]] == artifact["uri"]
    assert sarif_run["invocations"] == [{"executionSuccessful": True}]


def test_related_locations(tmp_path):
    (tmp_path / "twice.yaml").write_text(
        textwrap.dedent(
            """\
            runbook: twice
            title: One id for two steps
            steps:
              - id: look
              - id: look
            """
        )
    )
    first, second = [r for r in results_of(sarif("twice.yaml", cwd=tmp_path)) if r["ruleId"] == "RL101"]
    for result, other_line in ((first, 5), (second, 4)):  # each copy points at the other
        (related,) = result["relatedLocations"]
        assert related["message"]["text"]
        assert related["physicalLocation"]["artifactLocation"]["uri"] == "twice.yaml"
        assert related["physicalLocation"]["region"]["startLine"] == other_line


def test_paths_become_uris(tmp_path):
    work, elsewhere = tmp_path / "work", tmp_path / "elsewhere"
    (work / "disk runbooks").mkdir(parents=True)
    elsewhere.mkdir()
    (work / "disk runbooks" / "plein é.yaml").write_text(REDUNDANT_NEED)
    (elsewhere / "outside.yaml").write_text(REDUNDANT_NEED)
    document = sarif("disk runbooks", str(elsewhere / "outside.yaml"), cwd=work)
    artifacts = [result["locations"][0]["physicalLocation"]["artifactLocation"] for result in results_of(document)]
    assert {"uri": "disk%20runbooks/plein%20%C3%A9.yaml", "uriBaseId": "%SRCROOT%", "index": 0} in artifacts
    # Outside the working directory: an absolute file:// URI, no base id.
    assert {"uri": (elsewhere / "outside.yaml").as_uri(), "index": 1} in artifacts


def test_fingerprints_survive_lines_inserted_above(tmp_path):
    text = (REPO / "examples" / "checklist-disk-full.yaml").read_text(encoding="utf-8")
    (tmp_path / "runbook.yaml").write_text(text, encoding="utf-8")
    before = results_of(sarif("runbook.yaml", cwd=tmp_path))
    (tmp_path / "runbook.yaml").write_text("# Owner: storage team\n# Reviewed: quarterly\n" + text, encoding="utf-8")
    after = results_of(sarif("runbook.yaml", cwd=tmp_path))
    assert len(before) == len(after) > 1
    for old, new in zip(before, after):
        assert old["partialFingerprints"] == new["partialFingerprints"]
        old_line = old["locations"][0]["physicalLocation"]["region"]["startLine"]
        assert new["locations"][0]["physicalLocation"]["region"]["startLine"] == old_line + 2
    # The fingerprint is the baseline's identity of the finding.
    (finding, *_) = check_text(text, "runbook.yaml").findings
    assert before[0]["partialFingerprints"] == {FINGERPRINT_KEY: fingerprint(finding)}


def test_a_redundant_need_comes_with_a_fix_that_applies(tmp_path):
    (tmp_path / "redundant.yaml").write_text(REDUNDANT_NEED)
    (result,) = [r for r in results_of(sarif("redundant.yaml", cwd=tmp_path)) if r["ruleId"] == "RL203"]
    (fix,) = result["fixes"]
    assert "`look`" in fix["description"]["text"] and fix["properties"] == {"safe": True}
    (change,) = fix["artifactChanges"]
    assert change["artifactLocation"]["uri"] == "redundant.yaml"
    fixed = apply_replacements(REDUNDANT_NEED, fix)
    assert "needs: [look]" not in fixed
    assert [f.code for f in check_text(fixed).findings if f.code in ("RL001", "RL002", "RL203")] == []


@pytest.mark.parametrize("example", EXAMPLES)
def test_fixes_make_the_same_change_as_the_fixer(example):
    """Line/column replacements, applied as a SARIF consumer does, give the
    text recoverylint's own fixer writes."""
    from recoverylint.fix import apply_edits, applying_fixes
    from recoverylint.settings import Settings
    from recoverylint.source import Limits

    text = (REPO / "examples" / example).read_text(encoding="utf-8")
    # A check offers only the fixes --fix would apply (issue 16).
    checked = check_text(text, f"examples/{example}")
    findings = applying_fixes(text, f"examples/{example}", Settings(), Limits(), checked).findings
    results = results_of(sarif(f"examples/{example}"))
    assert [r["ruleId"] for r in results] == [f.code for f in findings]
    for result, finding in zip(results, findings):
        if finding.fix is None:
            assert "fixes" not in result
            continue
        (fix,) = result["fixes"]
        assert fix["description"]["text"] == finding.fix.description
        assert fix["artifactChanges"][0]["artifactLocation"]["uri"] == f"examples/{example}"
        assert apply_replacements(text, fix) == apply_edits(text, [finding.fix.edit]) != text


# -- render() alone: cases the CLI cannot easily produce --------------------


def _report(text: str, **fields) -> Report:
    findings = tuple(check_text(text, "redundant.yaml").findings)
    return Report(findings, ("redundant.yaml",), source_text=lambda path: text, **fields)


def test_a_fix_that_cannot_be_applied_is_left_out(monkeypatch):
    class FixError(Exception):
        pass

    def replacements(text, edits):
        raise FixError("the file changed")

    stand_in = types.SimpleNamespace(FixError=FixError, replacements=replacements)
    monkeypatch.setitem(sys.modules, "recoverylint.fix", stand_in)
    (result,) = [r for r in results_of(json.loads(render(_report(REDUNDANT_NEED)))) if r["ruleId"] == "RL203"]
    assert "fixes" not in result


def test_unchecked_files_make_the_invocation_unsuccessful():
    report = Report((), ("a.yaml", "b c.yaml"), unchecked=("b c.yaml",))
    (sarif_run,) = json.loads(render(report))["runs"]
    (invocation,) = sarif_run["invocations"]
    assert invocation["executionSuccessful"] is False
    (notification,) = invocation["toolExecutionNotifications"]
    assert notification["level"] == "error"
    assert "b c.yaml" in notification["message"]["text"]
    assert notification["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "b%20c.yaml"


# -- Microsoft's SARIF Multitool ------------------------------------------

MULTITOOL = REPO / "tests" / "js" / "node_modules" / "@microsoft" / f"sarif-multitool-{sys.platform}" / "Sarif.Multitool"
# The SARIF 2.1.0 JSON Schema the multitool ships.  The multitool reports
# unknown properties, but skips in silence a document whose values have the
# wrong type or are not in an enum (a level "info"): jsonschema catches those.
SARIF_SCHEMA = MULTITOOL.parent / "sarif-2.1.0.json"
# GitHub's ingestion rules GH1001-GH1007 are off by default, even with the
# Ghas rule kind: this configuration turns them on, as errors.
GITHUB_RULES = (
    "GH1001.ProvideRequiredLocationProperties",
    "GH1002.InlineThreadFlowLocations",
    "GH1003.ProvideRequiredRegionProperties",
    "GH1004.ReviewArraysThatExceedConfigurableDefaults",
    "GH1005.LocationsMustBeRelativeUrisOrFilePaths",
    "GH1006.ProvideCheckoutPath",
    "GH1007.ProvideFullyFormattedMessageStrings",
)
# This one fetches every URI of the document over the network (a note at
# most, and slow): the tests run offline.
URLS_REACHABLE = "SARIF2006.UrisShouldBeReachable"


@dataclass(frozen=True)
class Problem:
    rule: str  # the multitool's rule id, or "schema"
    level: str
    where: str

    def __str__(self) -> str:
        return f"{self.level} {self.rule} at {self.where}"


def _broken(document: dict) -> dict:
    """A copy of a SARIF document with mistakes the multitool must catch."""
    broken = json.loads(json.dumps(document))
    results = broken["runs"][0]["results"]
    results[0]["ruleIndex"] = 999  # SARIF1009: no such rule
    del results[0]["locations"][0]["physicalLocation"]["region"]  # GH1003
    results[1]["locations"][0]["physicalLocation"]["artifactLocation"] = {"uri": "file:///elsewhere/x.yaml"}  # GH1006
    del results[2]["message"]["text"]  # GH1015
    results[3]["suggestion"] = "not a SARIF property"  # JSON1005
    return broken


def _mistyped(document: dict) -> dict:
    """A copy of a SARIF document with values the schema does not allow."""
    mistyped = json.loads(json.dumps(document))
    result = mistyped["runs"][0]["results"][0]
    result["level"] = "info"
    result["ruleIndex"] = str(result["ruleIndex"])
    return mistyped


def _multitool_problems(folder: Path, names: list[str]) -> dict[str, list[Problem]]:
    """Errors and warnings of the SARIF Multitool for `folder/NAME.sarif`,
    all validated in one run of the tool (it is slow to start)."""
    options = "".join(
        f'<Properties Key="{rule}.Options"><Property Key="RuleEnabled" Value="{state}"'
        f' Type="Driver.RuleEnabledState" /></Properties>\n'
        for rule, state in [*((rule, "Error") for rule in GITHUB_RULES), (URLS_REACHABLE, "Disabled")]
    )
    (folder / "github.xml").write_text(f'<?xml version="1.0" encoding="utf-8"?>\n<Properties>\n{options}</Properties>\n')
    output = folder / "validation.sarif"
    done = subprocess.run(
        [
            str(MULTITOOL), "validate",
            # The files first: a list-valued option would take them as its values.
            *(str(folder / f"{name}.sarif") for name in names),
            "--output", str(output),
            "--config", str(folder / "github.xml"),
            # Ghas: GitHub code scanning's ingestion rules (GH....), beside the spec's.
            "--rule-kind", "Sarif;Ghas",
        ],
        check=False,  # its status is asserted below, with its output
        capture_output=True,
        text=True,
        timeout=300,
        # .NET without ICU: the tool then needs no system library beyond libc.
        env={**os.environ, "DOTNET_SYSTEM_GLOBALIZATION_INVARIANT": "1"},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"Done. {len(names)} files scanned." in done.stdout, done.stdout
    (validation,) = json.loads(output.read_text(encoding="utf-8-sig"))["runs"]
    for invocation in validation["invocations"]:
        assert invocation["executionSuccessful"], done.stdout
    problems: dict[str, list[Problem]] = {name: [] for name in names}
    for result in validation.get("results", []):
        level = result.get("level", "warning")  # SARIF's default level
        if level in ("error", "warning"):
            location = result["locations"][0]["physicalLocation"]
            path = PurePosixPath(unquote(urlparse(location["artifactLocation"]["uri"]).path))
            line = location.get("region", {}).get("startLine")
            problems[path.stem].append(Problem(result["ruleId"], level, f"{path.name}:{line}"))
    return problems


@pytest.fixture(scope="module")
def validated(tmp_path_factory) -> dict[str, list[Problem]]:
    """What the SARIF Multitool and the SARIF JSON Schema find wrong, per document."""
    need(MULTITOOL.exists(), "the SARIF Multitool npm package (tests/js)")
    folder = tmp_path_factory.mktemp("sarif")
    documents = {f"example-{Path(name).stem}": sarif(f"examples/{name}") for name in EXAMPLES}

    broken_yaml = folder / "yaml"
    broken_yaml.mkdir()
    (broken_yaml / "broken.yaml").write_text("runbook: broken\nsteps: [\n  - id: a\n")
    documents["yaml-error"] = sarif("broken.yaml", cwd=broken_yaml)
    assert [r["ruleId"] for r in results_of(documents["yaml-error"])] == ["RL001"]

    catalog = folder / "catalog"  # every rule's bad examples: every rule fires
    catalog.mkdir()
    for code in catalog_codes():
        for number, example in enumerate(rule_doc(code).examples["bad"]):
            (catalog / f"{code}-{number}.yaml").write_text(example, encoding="utf-8")
    # Named one by one: RL003 (not a runbook) is only for files named so.
    documents["catalog"] = sarif(*sorted(path.name for path in catalog.iterdir()), cwd=catalog)
    assert {r["ruleId"] for r in results_of(documents["catalog"])} == set(catalog_codes())

    documents["unchecked"] = json.loads(render(_report(REDUNDANT_NEED, unchecked=("redundant.yaml",))))
    documents["broken"] = _broken(documents["example-checklist-disk-full"])
    documents["mistyped"] = _mistyped(documents["example-checklist-disk-full"])

    for name, document in documents.items():
        (folder / f"{name}.sarif").write_text(json.dumps(document, indent=2), encoding="utf-8")
    problems = _multitool_problems(folder, list(documents))
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8-sig"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    for name, document in documents.items():
        for error in validator.iter_errors(document):
            problems[name].append(Problem("schema", "error", f"{error.json_path}: {error.message}"))
    return problems


@pytest.mark.parametrize("name", [f"example-{Path(name).stem}" for name in EXAMPLES] + ["yaml-error", "catalog", "unchecked"])
def test_the_validators_accept_our_sarif(validated, name):
    assert [str(problem) for problem in validated[name]] == []


def test_the_validators_reject_broken_documents(validated):
    flagged = {problem.rule for problem in validated["broken"] if problem.level == "error"}
    assert {"SARIF1009", "GH1003", "GH1006", "GH1015", "JSON1005", "schema"} <= flagged, validated["broken"]
    mistyped = [problem.where for problem in validated["mistyped"] if problem.rule == "schema"]
    assert any(where.startswith("$.runs[0].results[0].level:") for where in mistyped), mistyped
    assert any(where.startswith("$.runs[0].results[0].ruleIndex:") for where in mistyped), mistyped


def test_fixes_beyond_the_budget_are_left_out_and_said(tmp_path, monkeypatch):
    """Working out a fix is slow: past MAX_FIXES a report says how many it left out."""
    from recoverylint.report import sarif

    monkeypatch.setattr(sarif, "MAX_FIXES", 1)
    monkeypatch.chdir(tmp_path)
    for name in ("first.yaml", "second.yaml"):
        (tmp_path / name).write_text(REDUNDANT_NEED)  # a fix --fix applies: a check offers it
    result = CliRunner().invoke(cli, ["check", "first.yaml", "second.yaml", "--format", "sarif"])
    run = json.loads(result.stdout)["runs"][0]
    with_fixes = [r for r in run["results"] if "fixes" in r]
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in with_fixes} == {
        "first.yaml"
    }
    (note,) = run["invocations"][0]["toolExecutionNotifications"]
    assert note["level"] == "note" and "1 more" in note["message"]["text"]


@pytest.mark.skipif(sys.platform != "linux", reason="file names of any bytes")
def test_the_uri_of_a_file_name_that_is_not_utf8_names_the_file(tmp_path):
    name = b"disk \xff\xe9.yaml"
    (tmp_path / os.fsdecode(name)).write_text((REPO / "examples" / "orders-db-outage.yaml").read_text(encoding="utf-8"))
    document = sarif(".", "--no-cache", cwd=tmp_path)
    (artifact,) = document["runs"][0]["artifacts"]
    uri = artifact["location"]["uri"]
    assert uri == "disk%20%FF%E9.yaml"
    # The URI's bytes are the file's name: a SARIF viewer opens that file.
    assert unquote_to_bytes(uri) == name
    assert (tmp_path / os.fsdecode(unquote_to_bytes(uri))).is_file()
