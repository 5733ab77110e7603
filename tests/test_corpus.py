"""Every file of the real-world corpora (`../shared/corpora` beside the
checkout, see its MANIFEST.md; RECOVERYLINT_CORPORA names another place) is
found by directory discovery (the JSON SSM documents of ssm-more included)
and read without a crash, and without RL001 unless it is not valid YAML;
docs/formats.md's corpus table is what this run finds.  The project keeps no copy of
these files: CI has them beside the checkout.

Regenerate the table with RECOVERYLINT_UPDATE_GOLDEN=1.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

import pytest
from review_support import CORPORA, corpus_folder
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from recoverylint.engine import FileResult, check_file, discover

README = Path(__file__).parent.parent / "docs" / "formats.md"
TABLE_START, TABLE_END = "<!-- corpus-table:start -->", "<!-- corpus-table:end -->"
# What each corpus holds, as its own documents say (`kind`s, or the keys of
# the format): checked apart from the adapters, so that a file they skip is
# known not to be a workflow of a format recoverylint reads.
WORKFLOW_KINDS = {
    "argo": {"Workflow", "WorkflowTemplate", "ClusterWorkflowTemplate", "CronWorkflow"},
    "tekton": {"Pipeline", "PipelineRun"},
}


# The corpora of the formats recoverylint reads, by folder and format.
FORMATS = {
    "argo": "argo",
    "github-actions": "github-actions",
    "ssm": "ssm",
    "ssm-more": "ssm",
    "stackstorm-actionchain": "actionchain",
    "stackstorm-orquesta": "orquesta",
    "tekton": "tekton",
    "xsoar": "xsoar",
    "rundeck": "rundeck",
}


@pytest.fixture(scope="module")
def checked() -> dict[str, list[tuple[Path, FileResult]]]:
    by_corpus: dict[str, list[tuple[Path, FileResult]]] = {}
    for name in FORMATS:
        corpus = corpus_folder(name)
        by_corpus[name] = [
            (path, check_file(path, str(path.relative_to(CORPORA)), explicit=False))
            for path, _ in discover([corpus])
        ]
    return by_corpus


def test_the_whole_corpus_is_found(checked) -> None:
    found = sum(len(results) for results in checked.values())
    on_disk = [p for name in FORMATS for p in (CORPORA / name).rglob("*") if p.suffix in (".yaml", ".yml")]
    # A JSON file is found when it is a workflow of its corpus's format, as
    # the standard library's JSON parser reads it (every one of these is).
    json_workflows = [
        p
        for name in FORMATS
        for p in (CORPORA / name).rglob("*.json")
        if _is_workflow(FORMATS[name], json.loads(p.read_text(encoding="utf-8")))
    ]
    assert len(json_workflows) == 36
    assert {p.parts[len(CORPORA.parts)] for p in json_workflows} == {"ssm-more"}
    assert found == len(on_disk) + len(json_workflows) == 1050
    assert {p for results in checked.values() for p, _ in results} == set(on_disk) | set(json_workflows)


def test_no_file_crashes(checked) -> None:
    crashed = [str(path) for results in checked.values() for path, r in results if r.internal_error]
    assert crashed == []


def strict_yaml_problem(path: Path) -> str | None:
    """Why a strict YAML parser (another than ours) refuses the file, or None."""
    try:
        list(YAML(typ="safe", pure=True).load_all(path.read_text(encoding="utf-8")))
    except YAMLError as error:
        return str(error).splitlines()[0]
    return None


def test_rl001_only_on_files_that_are_not_valid_yaml(checked) -> None:
    unreadable = {
        path: [f.message for f in r.findings if f.code == "RL001"]
        for results in checked.values()
        for path, r in results
        if any(f.code == "RL001" for f in r.findings)
    }
    for path in unreadable:
        assert strict_yaml_problem(path) is not None, (path, unreadable[path])
    # One file of the Argo examples repeats a key (`annotations`).
    assert [p.name for p in unreadable] == ["k8s-patch-json-workflow.yaml"]
    assert "duplicate key `annotations`" in unreadable[next(iter(unreadable))][0]


def test_every_workflow_is_read_and_only_workflows_are(checked) -> None:
    """A file is skipped only when it holds no workflow of its corpus's format."""
    yaml = YAML(typ="safe", pure=True)
    for corpus, results in checked.items():
        for path, result in results:
            if strict_yaml_problem(path) is not None:
                continue
            documents = [d for d in yaml.load_all(path.read_text(encoding="utf-8")) if d is not None]
            assert result.skipped == (
                not any(_is_workflow(FORMATS[corpus], d) for d in documents)
            ), path


def _is_workflow(format_name: str, document: object) -> bool:
    if format_name == "rundeck":  # a list of jobs, each with a `sequence` of steps
        return isinstance(document, list) and any(
            isinstance(job, dict) and isinstance(job.get("sequence"), dict) for job in document
        )
    if not isinstance(document, dict):
        return False
    spec = document.get("spec") if isinstance(document.get("spec"), dict) else {}
    if format_name == "argo":
        if document.get("kind") not in WORKFLOW_KINDS["argo"]:
            return False
        spec = spec.get("workflowSpec", spec) if document.get("kind") == "CronWorkflow" else spec
        templates = spec.get("templates") or []
        return any(isinstance(t, dict) and ("steps" in t or "dag" in t) for t in templates)
    if format_name == "tekton":
        if document.get("kind") == "Pipeline":
            return "tasks" in spec
        return document.get("kind") == "PipelineRun" and "pipelineSpec" in spec
    if format_name == "github-actions":
        return isinstance(document.get("jobs"), dict)
    if format_name == "ssm":
        return "mainSteps" in document or "runtimeConfig" in document
    if format_name == "orquesta":
        return isinstance(document.get("tasks"), dict)
    if format_name == "actionchain":
        return isinstance(document.get("chain"), list)
    if format_name == "xsoar":
        return "starttaskid" in document and isinstance(document.get("tasks"), dict)
    raise AssertionError(f"a format this test does not know: {format_name}")


def test_the_formats_read_are_the_corpus_formats(checked) -> None:
    for corpus, results in checked.items():
        formats = {r.format for _, r in results if not r.skipped and r.format is not None}
        assert formats == {FORMATS[corpus]}, corpus


def corpus_table(checked) -> str:
    lines = [
        "| corpus | files | checked | not workflows | steps | findings per rule |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for corpus, results in checked.items():
        read = [r for _, r in results if not r.skipped]
        steps = sum(len(r.runbook.steps) for r in read if r.runbook is not None)
        codes = Counter(f.code for r in read for f in r.findings)
        per_rule = ", ".join(f"{code} {count}" for code, count in sorted(codes.items())) or "none"
        lines.append(
            f"| {corpus} | {len(results)} | {len(read)} | {len(results) - len(read)} | {steps}"
            f" | {per_rule} |"
        )
    return "\n".join(lines)


def test_the_readme_table_is_this_run(checked) -> None:
    table = corpus_table(checked)
    text = README.read_text(encoding="utf-8")
    before, start, rest = text.partition(TABLE_START)
    _, end, after = rest.partition(TABLE_END)
    assert start and end, "the README has no corpus table markers"
    if os.environ.get("RECOVERYLINT_UPDATE_GOLDEN"):
        README.write_text(f"{before}{TABLE_START}\n{table}\n{TABLE_END}{after}", encoding="utf-8")
        return
    assert rest.partition(TABLE_END)[0].strip() == table
