"""Nothing a document holds stops the server: every prefix of a runbook, as
it is typed, gets its diagnostics and answers every request, with no error
logged; positions count UTF-16 code units as the protocol says; and a plain
`check` never imports the server's libraries."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types
from pytest_lsp import LanguageClient

from recoverylint.engine import check_text

from .server_support import (
    DEMO,
    at,
    change_document,
    close_document,
    document,
    expect_diagnostics,
    in_server_loop,
    open_document,
)


@in_server_loop
async def test_every_prefix_of_a_runbook_is_answered(client: LanguageClient, tmp_path: Path) -> None:
    path = tmp_path / "typed.yaml"
    await open_document(client, path, "")
    logged = len(client.log_messages)
    ids = document(path)
    for version, end in enumerate(range(1, len(DEMO) + 1, 5), start=2):
        text = DEMO[:end]
        waiting = expect_diagnostics(client, path.as_uri())
        await change_document(client, path, version, text)
        found = await waiting
        expected = check_text(text, str(path)).findings
        assert sorted(str(d.code) for d in found) == sorted(f.code for f in expected), text
        lines = text.split("\n")
        cursor = at(len(lines), len(lines[-1]) + 1)
        everywhere = types.Range(start=at(1, 1), end=cursor)
        await client.text_document_hover_async(types.HoverParams(text_document=ids, position=cursor))
        await client.text_document_completion_async(types.CompletionParams(text_document=ids, position=cursor))
        await client.text_document_definition_async(types.DefinitionParams(text_document=ids, position=cursor))
        await client.text_document_document_symbol_async(types.DocumentSymbolParams(text_document=ids))
        await client.text_document_inlay_hint_async(types.InlayHintParams(text_document=ids, range=everywhere))
        await client.text_document_code_action_async(types.CodeActionParams(
            text_document=ids, range=everywhere, context=types.CodeActionContext(diagnostics=[]),
        ))
    assert [m.message for m in client.log_messages[logged:] if m.type == types.MessageType.Error] == []
    close_document(client, path)


@in_server_loop
async def test_positions_are_utf16_code_units(client: LanguageClient, tmp_path: Path) -> None:
    # An emoji is one character, two UTF-16 code units: RL203's `check`
    # after it starts one unit later than its character column.
    text = DEMO.replace(
        "  - id: notify\n    role: sre\n    duration: 2m\n    needs: [check-deploys, check]\n",
        '  - {id: notify, title: "\U0001F525", role: sre, duration: 2m, needs: [check-deploys, check],\n',
    ).replace("    inputs: [deploys]\n", "     inputs: [deploys]}\n", 1)
    (finding,) = [f for f in check_text(text).findings if f.code == "RL203"]
    found = await open_document(client, tmp_path / "emoji.yaml", text)
    (redundant,) = [d for d in found if d.code == "RL203"]
    assert redundant.range.start == at(finding.span.line, finding.span.column + 1)
    assert redundant.range.end.character - redundant.range.start.character == len("check")
    close_document(client, tmp_path / "emoji.yaml")


def test_a_plain_check_imports_no_language_server_library() -> None:
    from test_startup_imports import ROOT, imported_by

    code, modules = imported_by("check", "examples/hybrid-clean.yaml", cwd=ROOT)
    assert code == 0
    assert not {"pygls", "lsprotocol", "cattrs"} & modules


@in_server_loop
async def test_a_lone_surrogate_is_a_finding_where_it_is(client: LanguageClient, tmp_path: Path) -> None:
    path = tmp_path / "surrogate.yaml"
    text = "runbook: demo\nsteps:\n  - id: a\ud800b\n"
    uri = path.as_uri()
    waiting = expect_diagnostics(client, uri)
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=uri, language_id="yaml", version=1, text=text)
    ))
    (found,) = await waiting
    assert found.code == "RL001" and found.range.start == at(3, 10)
    assert "invalid UTF-8" in found.message
    close_document(client, path)
