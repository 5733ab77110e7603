"""Code actions, hover, definition, references, rename, completion, the
outline and the inlay hint, over stdio, each checked against what the
package's own API says of the same runbook."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import LanguageClient

from recoverylint.catalog import rule_doc
from recoverylint.engine import check_text, plan_text
from recoverylint.fix import fix_text
from recoverylint.words import minutes

from .server_support import (
    DEMO,
    ROOT,
    apply_edits,
    at,
    change_document,
    close_document,
    document,
    expect_diagnostics,
    in_server_loop,
    open_document,
)


def codes(text: str) -> list[str]:
    return sorted(f.code for f in check_text(text, "demo.yaml").findings)


async def actions_at(client: LanguageClient, path: Path, line: int, column: int) -> dict[str, types.CodeAction]:
    found = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=document(path), range=types.Range(start=at(line, column), end=at(line, column)),
        context=types.CodeActionContext(diagnostics=[]),
    ))
    assert found is not None
    return {action.title: action for action in found if isinstance(action, types.CodeAction)}


def edited(action: types.CodeAction, path: Path, text: str) -> str:
    assert action.edit is not None and action.edit.changes is not None
    return apply_edits(text, list(action.edit.changes[path.as_uri()]))


@in_server_loop
async def test_code_actions_fix_and_suppress(client: LanguageClient, tmp_path: Path) -> None:
    path = tmp_path / "demo.yaml"
    await open_document(client, path, DEMO)
    assert codes(DEMO) == ["RL201", "RL203"]
    actions = await actions_at(client, path, 19, 29)  # on `check`, redundant in the needs of `notify`
    fix = actions["Fix RL203: remove `check` from the `needs` of `notify` (redundant)"]
    assert fix.kind == types.CodeActionKind.QuickFix and fix.is_preferred
    fixed = edited(fix, path, DEMO)
    assert "needs: [check-deploys]\n" in fixed
    assert codes(fixed) == ["RL201"]
    for title in ("Suppress RL203 on this line", "Suppress RL203 for this step", "Suppress RL203 for this file"):
        silenced = edited(actions[title], path, DEMO)
        assert "# recoverylint: disable" in silenced
        assert codes(silenced) == ["RL201"], title  # silenced, and no RL010: the comment is used
    step_line = edited(actions["Suppress RL203 for this step"], path, DEMO).splitlines()[15]
    assert step_line == "  - id: notify  # recoverylint: disable=RL203"
    offered = actions["Apply every safe fix of recoverylint"]
    assert offered.kind == "source.fixAll.recoverylint" and offered.edit is None  # worked out when picked
    every = await client.code_action_resolve_async(offered)
    fixed_by_check = fix_text(DEMO, str(path))
    assert every.title == f"Apply every safe fix of recoverylint ({len(fixed_by_check.applied)})"
    assert edited(every, path, DEMO) == fixed_by_check.text
    assert codes(edited(every, path, DEMO)) == []
    close_document(client, path)


@in_server_loop
async def test_a_second_suppression_joins_the_comment_of_its_line(client: LanguageClient, tmp_path: Path) -> None:
    path = tmp_path / "demo.yaml"
    text = DEMO.replace("    needs: [check]\n", "    needs: [check]  # recoverylint: disable=RL105\n")
    await open_document(client, path, text)
    actions = await actions_at(client, path, 24, 14)
    silenced = edited(actions["Suppress RL201 on this line"], path, text)
    assert "needs: [check]  # recoverylint: disable=RL105,RL201\n" in silenced
    close_document(client, path)


@in_server_loop
async def test_the_restructure_is_a_refactor_of_its_own(client: LanguageClient) -> None:
    path = ROOT / "examples" / "checklist-disk-full.yaml"
    text = path.read_text()
    await open_document(client, path)
    actions = await actions_at(client, path, 87, 9)
    restructure = [a for title, a in actions.items() if title.startswith("Restructure")]
    assert len(restructure) == 1
    assert restructure[0].kind == types.CodeActionKind.RefactorRewrite and not restructure[0].is_preferred
    assert not any(a.kind == types.CodeActionKind.QuickFix and a.title.startswith("Fix") for a in actions.values())
    result = edited(restructure[0], path, text)
    assert "flow: parallel" in result
    assert not {"RL001", "RL002", "RL201"} & set(codes(result))
    close_document(client, path)


async def hover_text(client: LanguageClient, path: Path, line: int, column: int) -> str:
    found = await client.text_document_hover_async(
        types.HoverParams(text_document=document(path), position=at(line, column))
    )
    assert found is not None and isinstance(found.contents, types.MarkupContent)
    return found.contents.value


@in_server_loop
async def test_hover(client: LanguageClient, tmp_path: Path) -> None:
    path = tmp_path / "demo.yaml"
    await open_document(client, path, DEMO)
    _, plan = plan_text(DEMO)
    assert plan is not None
    notify = 2
    words = await hover_text(client, path, 16, 11)  # the id of `notify`
    timing = plan.required.timings[notify]
    assert "Really needs first (required order): `check-deploys`" in words
    assert f"earliest start {minutes(timing.earliest_start)}, slack {minutes(timing.slack)}" in words
    assert "on the critical path" in words
    logs = await hover_text(client, path, 21, 11)  # `check-logs`: waits for `check` needlessly
    assert "Really needs first (required order): nothing" in logs
    assert "Waits needlessly for: `check`" in logs
    assert "not on the critical path" in logs
    on_finding = await hover_text(client, path, 24, 14)  # RL201's range
    doc = rule_doc("RL201")
    assert f"**RL201** {doc.name}: {doc.summary}" in on_finding
    assert f"**How to fix:** {doc.how_to_fix}" in on_finding
    role = await hover_text(client, path, 7, 12)  # `role: sre`
    assert "**role `sre`**: declared at line 4." in role
    assert "Used by 4 steps: `check`, `check-deploys`, `notify`, `check-logs`" in role
    close_document(client, path)


@in_server_loop
async def test_definition_references_and_rename(client: LanguageClient, tmp_path: Path) -> None:
    path = tmp_path / "demo.yaml"
    await open_document(client, path, DEMO)
    found = await client.text_document_definition_async(
        types.DefinitionParams(text_document=document(path), position=at(13, 14))  # `check` in needs
    )
    assert isinstance(found, list)
    assert [(d.range.start.line + 1, d.range.start.character + 1, d.range.end.character + 1) for d in found] == [
        (6, 9, 14)
    ]
    fact = await client.text_document_definition_async(
        types.DefinitionParams(text_document=document(path), position=at(14, 15))  # `usage` in inputs
    )
    assert isinstance(fact, list) and [d.range.start.line + 1 for d in fact] == [9]
    refs = await client.text_document_references_async(types.ReferenceParams(
        text_document=document(path), position=at(6, 12), context=types.ReferenceContext(include_declaration=True),
    ))
    assert refs is not None
    # `check`, never `check-deploys` nor `check-logs`, which begin with it.
    assert sorted((r.range.start.line + 1, r.range.start.character + 1) for r in refs) == [
        (6, 9), (13, 13), (19, 28), (24, 13)
    ]
    prepared = await client.text_document_prepare_rename_async(
        types.PrepareRenameParams(text_document=document(path), position=at(24, 14))
    )
    assert isinstance(prepared, types.Range) and prepared.start == at(24, 13)
    renamed = await client.text_document_rename_async(
        types.RenameParams(text_document=document(path), position=at(24, 14), new_name="probe")
    )
    assert renamed is not None and renamed.changes is not None
    result = apply_edits(DEMO, list(renamed.changes[path.as_uri()]))
    assert result == DEMO.replace("id: check\n", "id: probe\n").replace("[check]", "[probe]").replace(
        "check-deploys, check]", "check-deploys, probe]"
    )
    assert codes(result) == codes(DEMO)
    role = await client.text_document_rename_async(
        types.RenameParams(text_document=document(path), position=at(4, 3), new_name="oncall")
    )
    assert role is not None and role.changes is not None
    assert apply_edits(DEMO, list(role.changes[path.as_uri()])) == DEMO.replace("sre", "oncall")
    with pytest.raises(JsonRpcException, match="cannot be a step name"):
        await client.text_document_rename_async(
            types.RenameParams(text_document=document(path), position=at(24, 14), new_name="two words")
        )
    close_document(client, path)


@in_server_loop
async def test_rename_keeps_quotes(client: LanguageClient, tmp_path: Path) -> None:
    path = tmp_path / "quoted.yaml"
    text = DEMO.replace("needs: [check]\n    inputs", "needs: ['check']\n    inputs")
    await open_document(client, path, text)
    renamed = await client.text_document_rename_async(
        types.RenameParams(text_document=document(path), position=at(6, 12), new_name="probe")
    )
    assert renamed is not None and renamed.changes is not None
    assert "needs: ['probe']" in apply_edits(text, list(renamed.changes[path.as_uri()]))
    close_document(client, path)


async def labels(client: LanguageClient, path: Path, line: int, column: int) -> dict[str, types.CompletionItem]:
    found = await client.text_document_completion_async(
        types.CompletionParams(text_document=document(path), position=at(line, column))
    )
    assert isinstance(found, types.CompletionList)
    return {item.label: item for item in found.items}


@in_server_loop
async def test_completion(client: LanguageClient, tmp_path: Path) -> None:
    path = tmp_path / "demo.yaml"
    await open_document(client, path, DEMO)
    # Being typed: not a runbook yet; the names are those of the version before.
    text = DEMO + "  - id: restart\n    needs: [\n    role: \n    inputs: [usage, \n    writes:\n      - \n    \n"
    waiting = expect_diagnostics(client, path.as_uri())
    await change_document(client, path, 2, text)
    assert [d.code for d in await waiting] == ["RL001"]
    steps = await labels(client, path, 26, 13)
    assert list(steps) == ["check", "check-deploys", "notify", "check-logs"]
    assert list(await labels(client, path, 27, 11)) == ["sre"]
    assert list(await labels(client, path, 28, 21)) == ["usage", "deploys"]
    assert list(await labels(client, path, 30, 9)) == []  # a resource: this runbook names none
    keys = await labels(client, path, 31, 5)
    assert {"needs", "verifies", "rollback", "duration"} <= set(keys)
    assert "runbook" not in keys
    needs = keys["needs"].documentation
    assert isinstance(needs, types.MarkupContent) and needs.value.startswith("Steps that must end before this one")
    top = await labels(client, path, 32, 1)
    assert {"runbook", "roles", "steps", "flow"} <= set(top) and "needs" not in top
    close_document(client, path)


@in_server_loop
async def test_completion_in_a_half_typed_document(client: LanguageClient, tmp_path: Path) -> None:
    path = tmp_path / "demo.yaml"
    await open_document(client, path, DEMO)
    broken = DEMO + "  - id: restart\n    needs: [\n"  # not YAML: names from the last version read
    waiting = expect_diagnostics(client, path.as_uri())
    await change_document(client, path, 2, broken)
    assert [d.code for d in await waiting] == ["RL001"]
    assert list(await labels(client, path, 26, 13)) == ["check", "check-deploys", "notify", "check-logs"]
    close_document(client, path)


@in_server_loop
async def test_outline_and_saved_minutes(client: LanguageClient, tmp_path: Path) -> None:
    path = tmp_path / "demo.yaml"
    await open_document(client, path, DEMO)
    symbols = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=document(path))
    )
    assert symbols is not None
    names = [s.name for s in symbols if isinstance(s, types.DocumentSymbol)]
    assert names == ["check", "check-deploys", "notify", "check-logs"]
    close_document(client, path)
    staged = ROOT / "examples" / "hybrid-clean.yaml"
    await open_document(client, staged)
    outline = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=document(staged))
    )
    assert outline is not None
    stages = [s for s in outline if isinstance(s, types.DocumentSymbol)]
    assert [s.name for s in stages] == ["triage", "investigate", "remediate", "verify", "close"]
    assert stages[0].kind == types.SymbolKind.Namespace
    assert [c.name for c in stages[0].children or []] == ["declare-incident", "assess-impact"]
    close_document(client, staged)
    saving = ROOT / "examples" / "orders-db-outage.yaml"
    await open_document(client, saving)
    hints = await client.text_document_inlay_hint_async(types.InlayHintParams(
        text_document=document(saving), range=types.Range(start=at(1, 1), end=at(400, 1)),
    ))
    assert hints is not None and len(hints) == 1
    assert hints[0].position.line == 0
    assert hints[0].label == "  Saved: 2 min per incident (3,000 USD at 1,500 USD per minute)."
    close_document(client, saving)


@in_server_loop
async def test_the_server_survives_an_error_in_a_request(client: LanguageClient, tmp_path: Path) -> None:
    """A hover on a document never opened, whose file does not exist: the
    request fails, the error is logged, and the server goes on serving."""
    missing = tmp_path / "never-written.yaml"
    logged = len(client.log_messages)
    with pytest.raises(JsonRpcException):
        await client.text_document_hover_async(types.HoverParams(text_document=document(missing), position=at(1, 1)))
    errors = [m.message for m in client.log_messages[logged:] if m.type == types.MessageType.Error]
    assert any("internal error in textDocument/hover" in m and "FileNotFoundError" in m for m in errors)
    path = tmp_path / "demo.yaml"
    assert len(await open_document(client, path, DEMO)) == 2
    assert "**step `notify`**" in await hover_text(client, path, 16, 11)
    close_document(client, path)


RESOURCES = """runbook: resources
flow: parallel
roles:
  sre: {authority: [decide, observe, apply, communicate], people: 2}
resources:
  orders-db: {kind: database}
  orders-db-replica: {kind: database, parent: orders-db}
steps:
  - id: probe
    role: sre
    duration: 1m
    reads: [orders-db]
    observes: [orders-db-replica]
  - id: vacuum
    role: sre
    duration: 5m
    writes: [orders-db]
    rollback: probe
"""


@in_server_loop
async def test_resources_navigate_and_rename(client: LanguageClient, tmp_path: Path) -> None:
    path = tmp_path / "resources.yaml"
    await open_document(client, path, RESOURCES)
    found = await client.text_document_definition_async(
        types.DefinitionParams(text_document=document(path), position=at(17, 14))  # `orders-db` in writes
    )
    assert isinstance(found, list) and [(d.range.start.line + 1, d.range.start.character + 1) for d in found] == [
        (6, 3)
    ]
    refs = await client.text_document_references_async(types.ReferenceParams(
        text_document=document(path), position=at(6, 4), context=types.ReferenceContext(include_declaration=False),
    ))
    assert refs is not None  # a parent, a read and a write; never `orders-db-replica`
    assert sorted((r.range.start.line + 1, r.range.start.character + 1) for r in refs) == [(7, 47), (12, 13), (17, 14)]
    words = await hover_text(client, path, 12, 13)
    assert "**resource `orders-db`**: declared at line 6." in words
    assert "Used by 2 steps: `probe`, `vacuum`" in words
    renamed = await client.text_document_rename_async(
        types.RenameParams(text_document=document(path), position=at(6, 4), new_name="ledger-db")
    )
    assert renamed is not None and renamed.changes is not None
    result = apply_edits(RESOURCES, list(renamed.changes[path.as_uri()]))
    assert result == RESOURCES.replace("orders-db:", "ledger-db:").replace("parent: orders-db}", "parent: ledger-db}") \
        .replace("[orders-db]", "[ledger-db]")
    rollback = await client.text_document_references_async(types.ReferenceParams(
        text_document=document(path), position=at(9, 10), context=types.ReferenceContext(include_declaration=True),
    ))
    assert rollback is not None and sorted(r.range.start.line + 1 for r in rollback) == [9, 18]
    with pytest.raises(JsonRpcException, match="already"):  # two steps would become one
        await client.text_document_rename_async(
            types.RenameParams(text_document=document(path), position=at(9, 10), new_name="vacuum")
        )
    close_document(client, path)


@in_server_loop
async def test_save_publishes_and_close_clears(client: LanguageClient, tmp_path: Path) -> None:
    path = tmp_path / "demo.yaml"
    await open_document(client, path, DEMO)
    waiting = expect_diagnostics(client, path.as_uri())
    client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=document(path)))
    assert sorted(str(d.code) for d in await waiting) == ["RL201", "RL203"]
    waiting = expect_diagnostics(client, path.as_uri())
    close_document(client, path)
    assert await waiting == []
