"""Diagnostics over stdio: the findings `check` gives for the same file, with
codes, severities, ranges, rule links and related places; configuration,
suppressions and baselines applied; every input format; a document edited
into validity; edits debounced, the newest version winning."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from recoverylint.session import CheckRequest, run_check

from .server_support import (
    DEMO,
    ROOT,
    SERVER,
    change_document,
    close_document,
    expect_diagnostics,
    in_server_loop,
    open_document,
    shown,
)

RULES = "https://github.com/recoverylint/recoverylint/blob/main/rules/{}.yaml"


def checked(path: Path) -> list[tuple[str, int, int]]:
    """What `check PATH` finds: (code, line, column), sorted."""
    run = run_check(CheckRequest(paths=(path,)))
    return sorted((f.code, f.span.line, f.span.column) for f in run.report.findings)


@in_server_loop
async def test_diagnostics_are_the_findings_of_check(client: LanguageClient, tmp_path: Path) -> None:
    path = tmp_path / "demo.yaml"
    found = await open_document(client, path, DEMO)
    assert shown(found) == checked(path) == [("RL201", 24, 13), ("RL203", 19, 28)]
    by_code = {d.code: d for d in found}
    redundant = by_code["RL203"]
    assert redundant.severity == types.DiagnosticSeverity.Information
    assert by_code["RL201"].severity == types.DiagnosticSeverity.Warning
    assert redundant.source == "recoverylint"
    assert redundant.code_description is not None
    assert redundant.code_description.href == RULES.format("RL203")
    assert redundant.range == types.Range(
        start=types.Position(line=18, character=27), end=types.Position(line=18, character=32)
    )
    assert redundant.message.startswith("`notify` needs `check` redundantly")
    close_document(client, path)


@in_server_loop
async def test_related_information_points_at_the_other_steps(client: LanguageClient) -> None:
    path = ROOT / "examples" / "parallel-deploy-races.yaml"
    found = await open_document(client, path)
    assert shown(found) == checked(path)
    race = next(d for d in found if d.code == "RL401")
    run = run_check(CheckRequest(paths=(path,)))
    expected = next(f for f in run.report.findings if f.code == "RL401")
    assert race.related_information is not None
    assert [(r.location.uri, r.location.range.start.line + 1, r.message) for r in race.related_information] == [
        (path.as_uri(), other.span.line, other.message) for other in expected.related
    ]
    close_document(client, path)


# One runbook of each input format the adapters' tests hold.
FORMAT_FILES = sorted(
    next(p for p in sorted(folder.iterdir()) if p.suffix in (".yaml", ".yml", ".md", ".json"))
    for folder in (ROOT / "tests" / "adapters").iterdir()
    if folder.is_dir() and any(p.suffix in (".yaml", ".yml", ".md", ".json") for p in folder.iterdir())
)


@pytest.mark.parametrize("path", FORMAT_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
@in_server_loop
async def test_every_input_format(client: LanguageClient, path: Path) -> None:
    found = await open_document(client, path, language="markdown" if path.suffix == ".md" else "yaml")
    assert shown(found) == checked(path)
    close_document(client, path)


@in_server_loop
async def test_configuration_and_suppressions_apply(client: LanguageClient, tmp_path: Path) -> None:
    (tmp_path / ".recoverylint.yaml").write_text("ignore: [RL201]\n")
    text = DEMO.replace("needs: [check-deploys, check]", "needs: [check-deploys, check]  # recoverylint: disable=RL203")
    found = await open_document(client, tmp_path / "demo.yaml", text)
    assert found == []
    close_document(client, tmp_path / "demo.yaml")


@in_server_loop
async def test_a_broken_configuration_is_one_error_at_the_top(client: LanguageClient, tmp_path: Path) -> None:
    (tmp_path / ".recoverylint.yaml").write_text("ignore: [RL999]\n")
    found = await open_document(client, tmp_path / "demo.yaml", DEMO)
    assert len(found) == 1
    assert found[0].severity == types.DiagnosticSeverity.Error
    assert found[0].message.startswith("not checked: ")
    assert "RL999" in found[0].message
    close_document(client, tmp_path / "demo.yaml")


# A runbook typed from nothing to clean, one edit at a time: what each
# version is told shrinks to nothing.
TYPED = [
    "runbook: demo\nsteps:\n  - id: check\n    needs: [",
    "runbook: demo\nsteps:\n  - id: check\n    needs: [nothing]\n",
    "runbook: demo\nsteps:\n  - id: check\n",
    "runbook: demo\nroles:\n  sre: {authority: [decide, observe]}\nsteps:\n  - id: check\n",
    "runbook: demo\nroles:\n  sre: {authority: [decide, observe]}\nsteps:\n  - id: check\n    role: sre\n",
]


@in_server_loop
async def test_a_document_edited_step_by_step_into_validity(client: LanguageClient, tmp_path: Path) -> None:
    path = tmp_path / "typed.yaml"
    seen = [shown(await open_document(client, path, TYPED[0]))]
    for version, text in enumerate(TYPED[1:], start=2):
        waiting = expect_diagnostics(client, path.as_uri())
        await change_document(client, path, version, text)
        seen.append(shown(await waiting))
    codes = [[code for code, _, _ in found] for found in seen]
    assert codes[0] == ["RL001"]  # half-typed: not YAML yet, said where
    assert seen[0][0][1:] == (4, 13)
    assert codes[1:] == [["RL102", "RL501", "RL505"], ["RL501", "RL505"], ["RL501"], []]
    for number, text in enumerate(TYPED):
        path.write_text(text)
        assert seen[number] == checked(path)
    close_document(client, path)


@in_server_loop
async def test_edits_are_debounced_and_the_newest_version_wins(client: LanguageClient, tmp_path: Path) -> None:
    path = tmp_path / "typed.yaml"
    await open_document(client, path, TYPED[0])
    waiting = expect_diagnostics(client, path.as_uri())
    for version, text in enumerate(TYPED[1:], start=2):
        await change_document(client, path, version, text)
    published = await waiting  # the first diagnostics after the burst
    assert published == []  # those of the last version, the clean one
    close_document(client, path)


@in_server_loop
async def test_a_baseline_hides_the_findings_it_records(tmp_path: Path) -> None:
    path = tmp_path / "demo.yaml"
    path.write_text(DEMO)
    baseline = tmp_path / "baseline.json"
    run_check(CheckRequest(paths=(path,), write_baseline_file=baseline))
    assert len(json.loads(baseline.read_text())["findings"]) == 2
    config = ClientServerConfig(server_command=[*SERVER, "--baseline", str(baseline)])
    client = await config.start()
    try:
        await client.initialize_session(types.InitializeParams(capabilities=client_capabilities("visual-studio-code")))
        assert await open_document(client, path, DEMO) == []
        waiting = expect_diagnostics(client, path.as_uri())
        await change_document(client, path, 2, DEMO + "  - id: new-step\n    role: sre\n    needs: [check]\n")
        assert [code for code, _, _ in shown(await waiting)] == ["RL201"]  # new, so shown
        await client.shutdown_session()
    finally:
        await client.stop()
