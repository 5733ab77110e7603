"""Directory discovery and JSON files: a found `.json` is checked when its
first megabyte shows a format kept as JSON (an SSM document, an Argo or
Tekton object, a Rundeck job list); every other JSON file of a folder
(package.json, lock files, schemas, a big data file) is skipped without a
parse and never reported, and `node_modules` is not entered.  A JSON file
named on the command line is checked as before."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from review_support import corpus_folder

from recoverylint.adapters import JSON_SIGNATURES, format_names, json_signature
from recoverylint.cli import cli
from recoverylint.engine import check_file, discover

# Two reads one after the other: the second waits for nothing it uses (RL201
# at the second step's name, line 11, column 15).
SSM_READS = """\
{
  "schemaVersion": "0.3",
  "description": "Look at an instance and its volumes",
  "mainSteps": [
    {
      "name": "DescribeInstance",
      "action": "aws:executeAwsApi",
      "inputs": {"Service": "ec2", "Api": "DescribeInstances", "InstanceIds": ["{{ InstanceId }}"]}
    },
    {
      "name": "DescribeVolumes",
      "action": "aws:executeAwsApi",
      "inputs": {"Service": "ec2", "Api": "DescribeVolumes", "VolumeIds": ["{{ VolumeId }}"]}
    }
  ]
}
"""
NATIVE_GATE = "runbook: vendored\nsteps:\n  - id: a\n    duration: 1m\n  - id: b\n    duration: 1m\n"
PACKAGE_JSON = '{"name": "site", "version": "1.0.0", "scripts": {"build": "tsc"}, "jobs": 2}\n'
# JSON with comments, as TypeScript and VS Code write it: not YAML either.
TSCONFIG = '{\n  // where the build goes\n  "compilerOptions": {"outDir": "dist"},\n  "tasks": [1, 2]\n}\n'
# A JSON Schema of SSM documents names their keys: read, and skipped as no document.
SSM_SCHEMA = json.dumps(
    {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {"schemaVersion": {"type": "string"}, "mainSteps": {"type": "array"}},
    },
    indent=2,
)


def check(*arguments: str) -> tuple[Result, dict]:
    result = CliRunner().invoke(cli, ["check", "--no-cache", "--format", "json", *arguments])
    return result, json.loads(result.stdout) if result.stdout.startswith("{") else {}


def positions(report: dict) -> list[tuple[str, int, int, str]]:
    return [(f["path"], f["line"], f["column"], f["code"]) for f in report["findings"]]


def big_json(path: Path, size: int) -> None:
    """A data file of `size` bytes or more, with keys of formats in it (`kind`,
    `jobs`, `tasks`, `hosts`) but the signature of none."""
    entry = {"kind": "Package", "jobs": {"build": {}}, "tasks": ["x"], "hosts": "all", "padding": "p" * 200}
    count = size // len(json.dumps(entry)) + 1
    path.write_text(json.dumps({"packages": [entry] * count}), encoding="utf-8")


@pytest.fixture
def repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository whose only runbook is one JSON SSM document, among the
    JSON files a JavaScript project keeps."""
    (tmp_path / "runbooks").mkdir()
    (tmp_path / "runbooks" / "reads.json").write_text(SSM_READS, encoding="utf-8")
    (tmp_path / "package.json").write_text(PACKAGE_JSON, encoding="utf-8")
    (tmp_path / "package-lock.json").write_text('{"lockfileVersion": 3, "packages": {}}\n', encoding="utf-8")
    (tmp_path / "tsconfig.json").write_text(TSCONFIG, encoding="utf-8")
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "ssm.schema.json").write_text(SSM_SCHEMA, encoding="utf-8")
    big_json(tmp_path / "data.json", 2_000_000)
    # npm's dependencies: a runbook of each kind inside, never looked at.
    package = tmp_path / "node_modules" / "aws-runbooks"
    package.mkdir(parents=True)
    (package / "package.json").write_text(PACKAGE_JSON, encoding="utf-8")
    (package / "reads.json").write_text(SSM_READS, encoding="utf-8")
    (package / "gate.yaml").write_text(NATIVE_GATE, encoding="utf-8")
    # Hidden folders are not entered; vendor/ is, and its JSON is no document.
    (tmp_path / ".vscode").mkdir()
    (tmp_path / ".vscode" / "settings.json").write_text('{\n  // tabs\n  "tasks": 4\n}\n', encoding="utf-8")
    (tmp_path / ".venv" / "share").mkdir(parents=True)
    (tmp_path / ".venv" / "share" / "reads.json").write_text(SSM_READS, encoding="utf-8")
    (tmp_path / "vendor" / "composer").mkdir(parents=True)
    (tmp_path / "vendor" / "composer" / "installed.json").write_text('{"packages": []}\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_a_folder_checks_its_json_ssm_document_and_skips_the_other_json(repository: Path) -> None:
    # Read, data.json (2 MB) would be RL001 under this limit: it is skipped unread.
    result, report = check(".", "--max-file-size", "1000000")
    assert result.exit_code == 1, result.output
    assert positions(report) == [("runbooks/reads.json", 11, 15, "RL201")]
    assert report["summary"]["files"] == 1
    assert result.stderr == ""
    found = sorted(path.relative_to(repository).as_posix() for path, _ in discover([repository]))
    # The schema names SSM's keys: it is read, detected as no document, and skipped.
    assert found == ["runbooks/reads.json", "schemas/ssm.schema.json"]


def test_a_folder_with_json_that_is_no_runbook_finds_none(repository: Path) -> None:
    (repository / "runbooks" / "reads.json").unlink()
    result, report = check(".")
    assert result.exit_code == 0, result.output
    assert report["findings"] == [] and report["summary"]["files"] == 0
    assert "recoverylint: warning: no runbook found under the given path(s): ." in result.stderr


def test_json_named_explicitly_is_checked_as_before(repository: Path) -> None:
    result, report = check("package.json")
    assert result.exit_code == 1
    assert positions(report) == [("package.json", 1, 1, "RL003")]
    # Named, the document inside node_modules is checked; so is a folder of it.
    result, report = check("node_modules/aws-runbooks/reads.json")
    assert positions(report) == [("node_modules/aws-runbooks/reads.json", 11, 15, "RL201")]
    result, report = check("node_modules/aws-runbooks")
    assert sorted({p[0] for p in positions(report)}) == [
        "node_modules/aws-runbooks/gate.yaml",
        "node_modules/aws-runbooks/reads.json",
    ]
    assert result.exit_code == 1


def test_skip_non_runbooks_judges_named_json_by_its_head(repository: Path) -> None:
    # What pre-commit's hook runs on the files a commit changes: the SSM
    # document is checked; package.json, the lock file, tsconfig, the schema
    # and the 2 MB data file (over a 1 MB limit, so RL001 if it were read)
    # are neither read whole nor reported.
    named = ["package.json", "package-lock.json", "tsconfig.json", "schemas/ssm.schema.json", "data.json"]
    result, report = check("--skip-non-runbooks", "--max-file-size", "1000000", *named, "runbooks/reads.json")
    assert result.exit_code == 1, result.output
    assert positions(report) == [("runbooks/reads.json", 11, 15, "RL201")]
    assert report["summary"]["files"] == 1
    result, report = check("--skip-non-runbooks", "--max-file-size", "1000000", *named)
    assert result.exit_code == 0, result.output
    assert report["findings"] == []
    # Without the option, named files are checked as before.
    result, report = check("--max-file-size", "1000000", "data.json")
    assert [f["code"] for f in report["findings"]] == ["RL001"]


def test_the_signature_is_read_from_the_first_megabyte(tmp_path: Path) -> None:
    late = json.loads(SSM_READS)
    late = {"schemaVersion": "0.3", "description": "d" * (1 << 20), "mainSteps": late["mainSteps"]}
    (tmp_path / "late.json").write_text(json.dumps(late, indent=2), encoding="utf-8")
    assert list(discover([tmp_path])) == []
    result, report = check(str(tmp_path / "late.json"))
    assert result.exit_code == 1
    assert [f["code"] for f in report["findings"]] == ["RL201"]


def test_a_broken_json_document_found_in_a_folder_is_rl001_at_its_place(tmp_path: Path) -> None:
    # Cut short inside its second step: an SSM document still, so reported, not skipped.
    (tmp_path / "cut.json").write_text(SSM_READS[: SSM_READS.index('"DescribeVolumes"')], encoding="utf-8")
    result, report = check(str(tmp_path))
    assert result.exit_code == 1
    # Where the value of the cut `name` is missing: line 11, just past `"name": `.
    assert [(f["code"], f["line"], f["column"]) for f in report["findings"]] == [("RL001", 11, 15)]
    assert "Traceback" not in result.output


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_fifo_named_json_in_a_folder_is_skipped_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.json")
    (tmp_path / "reads.json").write_text(SSM_READS, encoding="utf-8")
    assert [path.name for path, _ in discover([tmp_path])] == ["reads.json"]


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (SSM_READS, "ssm"),
        ('\ufeff{"schemaVersion": "1.2", "runtimeConfig": {}}', "ssm"),
        ('{"apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow"}', "argo"),
        ('{"apiVersion": "tekton.dev/v1", "kind": "Pipeline"}', "tekton"),
        ('[{"name": "restart", "sequence": {"commands": []}}]', "rundeck"),
        # A native runbook is YAML: plan and review reports in JSON have `runbook` too.
        ('{"runbook": "checkout", "steps": []}', None),
        ('{"mainSteps": []}', None),  # no schemaVersion: no SSM document
        ('{"properties": {"sequence": {"type": "object"}}}', None),  # no job list
        (PACKAGE_JSON, None),
    ],
)
def test_json_signatures(head: str, expected: str | None) -> None:
    assert json_signature(head) == expected


def test_each_signature_finds_a_document_its_format_reads(tmp_path: Path) -> None:
    documents = {
        "ssm": json.loads(SSM_READS),
        "argo": {
            "apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow", "metadata": {"name": "w"},
            "spec": {"entrypoint": "main", "templates": [
                {"name": "main", "steps": [[{"name": "a", "template": "echo"}]]},
                {"name": "echo", "container": {"image": "alpine"}},
            ]},
        },
        "tekton": {
            "apiVersion": "tekton.dev/v1", "kind": "Pipeline", "metadata": {"name": "p"},
            "spec": {"tasks": [{"name": "a", "taskRef": {"name": "t"}}]},
        },
        "rundeck": [{"name": "restart", "sequence": {"commands": [{"exec": "uptime"}]}}],
    }
    assert set(documents) == set(JSON_SIGNATURES) <= set(format_names())
    for name, document in documents.items():
        (tmp_path / f"{name}.json").write_text(json.dumps(document, indent=2), encoding="utf-8")
    read = {path.stem: check_file(path, path.name, explicit=False) for path, _ in discover([tmp_path])}
    assert {stem: (result.format, result.skipped) for stem, result in read.items()} == {
        name: (name, False) for name in documents
    }


def test_a_folder_of_real_json_ssm_documents_is_checked() -> None:
    """ResizeInstance's folder holds one JSON document only: before, "no
    runbook found"; its finding is at the step's name (hand-checked in
    docs/real-world-review.md, SSM)."""
    folder = corpus_folder("ssm-more") / "aws-systems-manager/Documents/Automation/ResizeInstance"
    result, report = check(str(folder))
    assert result.exit_code == 1
    assert [(Path(f["path"]).name, f["line"], f["column"], f["end_column"]) for f in report["findings"]] == [
        ("aws-ResizeInstance.json", 75, 15, 45)
    ]
    line = (folder / "Documents/aws-ResizeInstance.json").read_text(encoding="utf-8").splitlines()[74]
    assert line[14:44] == '"deleteCloudFormationTemplate"'
    # The whole corpus, JSON and YAML: this is its one finding (docs/formats.md's table).
    result, report = check(str(corpus_folder("ssm-more")))
    assert result.exit_code == 1
    assert (report["summary"]["files"], len(report["findings"])) == (72, 1)
