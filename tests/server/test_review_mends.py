"""What a review of the server found, mended: each through the protocol."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams
from pygls.workspace.position_codec import PositionCodec
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import make_test_lsp_client

from recoverylint.cli import cli
from recoverylint.engine import plan_text
from recoverylint.fix import fix_text
from recoverylint.server.actions import FIX_ALL, code_actions, resolve_fix_all
from recoverylint.server.documents import DocumentStore
from recoverylint.words import minutes

from .server_support import (
    DEMO,
    SERVER,
    apply_edits,
    at,
    change_document,
    close_document,
    document,
    expect_diagnostics,
    in_server_loop,
    open_document,
    shown,
)
from .test_features import RESOURCES, actions_at, codes, edited, hover_text

# `left` and `right` tie: both are 5 min before `join`; the plan keeps one chain.
TIE = """runbook: tie
flow: parallel
roles:
  sre: {authority: [decide, observe], people: 3}
steps:
  - id: left
    role: sre
    duration: 5m
    outputs: [a]
  - id: right
    role: sre
    duration: 5m
    outputs: [b]
  - id: join
    role: sre
    duration: 1m
    needs: [left, right]
    inputs: [a, b]
  - id: aside
    role: sre
    duration: 1m
"""


@in_server_loop
async def test_hover_says_a_step_of_a_tied_path_is_on_a_critical_path(client: LanguageClient, tmp_path: Path) -> None:
    path = tmp_path / "tie.yaml"
    assert await open_document(client, path, TIE) == []
    _, plan = plan_text(TIE)
    assert plan is not None and plan.required.critical_path == (0, 2)  # `left` and `join`: `right` ties, left out
    assert plan.required.timings[1].slack == 0
    left = await hover_text(client, path, 6, 11)
    assert "slack 0 min, on the critical path." in left
    right = await hover_text(client, path, 10, 11)
    assert "In the required order: earliest start 0 min, slack 0 min, on a critical path (no slack)." in right
    aside = await hover_text(client, path, 19, 11)
    assert f"slack {minutes(plan.required.timings[3].slack)}, not on the critical path." in aside
    close_document(client, path)


@in_server_loop
async def test_rename_refuses_a_name_that_would_break_the_runbook(client: LanguageClient, tmp_path: Path) -> None:
    path = tmp_path / "resources.yaml"
    await open_document(client, path, RESOURCES)
    uri = path.as_uri()

    async def rename(line: int, column: int, new_name: str) -> str:
        renamed = await client.text_document_rename_async(
            types.RenameParams(text_document=document(path), position=at(line, column), new_name=new_name)
        )
        assert renamed is not None and renamed.changes is not None
        return apply_edits(RESOURCES, list(renamed.changes[uri]))

    for new_name in ("null", "123", "true", "-x", ".x", "a/b", "0x1F", "~"):  # the step `probe`
        with pytest.raises(JsonRpcException) as refused:
            await rename(9, 10, new_name)
        assert refused.value.code == JsonRpcInvalidParams.CODE, new_name
    for new_name in ("123", "false", "Null"):  # the role `sre`, the resource `orders-db`
        with pytest.raises(JsonRpcException, match="number, a boolean or null"):
            await rename(4, 3, new_name)
        with pytest.raises(JsonRpcException, match="number, a boolean or null"):
            await rename(6, 4, new_name)
    with pytest.raises(JsonRpcException, match="the schema accepts"):
        await rename(6, 4, "/db")  # a resource name is a path of non-empty segments
    for line, column, new_name in ((9, 10, "Probe.2"), (4, 3, "on-call"), (6, 4, "k8s/orders-db")):
        result = await rename(line, column, new_name)
        assert not {"RL001", "RL002"} & set(codes(result)), new_name
    close_document(client, path)


@in_server_loop
async def test_a_marker_inside_a_quoted_value_gets_a_comment_of_its_own(client: LanguageClient, tmp_path: Path) -> None:
    path = tmp_path / "demo.yaml"
    notify = (
        "  - id: notify\n    role: sre\n    duration: 2m\n    needs: [check-deploys, check]\n    inputs: [deploys]\n"
    )
    one_line = (
        '  - {id: notify, role: sre, duration: 2m, needs: [check-deploys, check], inputs: [deploys],'
        ' title: "not # recoverylint: disable=RL105"}\n'
    )
    text = DEMO.replace("runbook: demo\n", 'runbook: demo\ntitle: "quote # recoverylint: disable-file=RL105"\n')
    text = text.replace(notify, one_line)
    assert codes(text) == ["RL201", "RL203"]
    await open_document(client, path, text)
    actions = await actions_at(client, path, 17, 67)  # `check` in the needs of `notify`, on one line
    assert "Suppress RL203 for this step" not in actions  # the step's line is the finding's
    on_line = edited(actions["Suppress RL203 on this line"], path, text)
    assert on_line.splitlines()[16] == one_line.rstrip("\n") + "  # recoverylint: disable=RL203"
    assert codes(on_line) == ["RL201"]
    whole = edited(actions["Suppress RL203 for this file"], path, text)
    assert whole == "# recoverylint: disable-file=RL203\n" + text
    assert codes(whole) == ["RL201"]
    close_document(client, path)


@in_server_loop
async def test_a_diagnostic_links_the_rule_as_sarif_does(client: LanguageClient, tmp_path: Path) -> None:
    path = tmp_path / "demo.yaml"
    diagnostics = await open_document(client, path, DEMO)
    done = CliRunner().invoke(cli, ["check", "--format", "sarif", str(path)])
    rules = json.loads(done.output)["runs"][0]["tool"]["driver"]["rules"]
    help_uris = {rule["id"]: rule["helpUri"] for rule in rules}
    assert {str(d.code) for d in diagnostics} == {"RL201", "RL203"}
    for diagnostic in diagnostics:
        assert diagnostic.code_description is not None
        assert diagnostic.code_description.href == help_uris[str(diagnostic.code)]
    close_document(client, path)


def action_params(path: Path, line: int, column: int, only: list[str] | None) -> types.CodeActionParams:
    return types.CodeActionParams(
        text_document=document(path), range=types.Range(start=at(line, column), end=at(line, column)),
        context=types.CodeActionContext(diagnostics=[], only=only),
    )


@in_server_loop
async def test_every_safe_fix_is_worked_out_only_when_asked_for(client: LanguageClient, tmp_path: Path) -> None:
    path = tmp_path / "demo.yaml"
    await open_document(client, path, DEMO)
    quick = await client.text_document_code_action_async(action_params(path, 19, 29, [types.CodeActionKind.QuickFix]))
    assert quick is not None and quick
    assert {a.kind for a in quick if isinstance(a, types.CodeAction)} == {types.CodeActionKind.QuickFix}
    on_save = await client.text_document_code_action_async(
        action_params(path, 1, 1, [types.CodeActionKind.SourceFixAll])
    )
    assert on_save is not None and len(on_save) == 1 and isinstance(on_save[0], types.CodeAction)
    assert on_save[0].kind == FIX_ALL  # asked for: its edit is there, nothing else is
    assert edited(on_save[0], path, DEMO) == fix_text(DEMO, str(path)).text
    anything = await client.text_document_code_action_async(action_params(path, 1, 1, None))
    assert anything is not None
    offered = [a for a in anything if isinstance(a, types.CodeAction) and a.kind == FIX_ALL]
    assert len(offered) == 1 and offered[0].edit is None  # for the client to resolve when picked
    waiting = expect_diagnostics(client, path.as_uri())
    await change_document(client, path, 2, DEMO.replace("duration: 2m", "duration: 3m"))
    await waiting
    with pytest.raises(JsonRpcException, match="changed since"):  # an edit of version 1 for version 2
        await client.code_action_resolve_async(offered[0])
    close_document(client, path)


def test_every_safe_fix_is_worked_out_once_per_version(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Code actions at every cursor move never run `check --fix`'s work; the
    fix-all's edit is worked out once per document version."""
    import recoverylint.fix

    calls: list[str] = []
    real_fix_text = recoverylint.fix.fix_text

    def counted(text: str, *args: Any, **kwargs: Any) -> Any:
        calls.append(text)
        return real_fix_text(text, *args, **kwargs)

    monkeypatch.setattr(recoverylint.fix, "fix_text", counted)
    store, codec = DocumentStore(), PositionCodec()
    path = tmp_path / "demo.yaml"
    uri = path.as_uri()
    version = store.check(uri, 1, DEMO)
    lines = DEMO.count("\n")
    for line in range(1, lines + 1):  # the cursor moving down the file
        for only in (None, [types.CodeActionKind.QuickFix]):
            params = action_params(path, line, 5, only)
            assert all(a.edit is not None for a in code_actions(version, codec, params, resolvable=True)
                       if a.kind != FIX_ALL)
    assert calls == []
    first = resolve_fix_all(version, codec)
    again = resolve_fix_all(store.check(uri, 1, DEMO), codec)
    on_save = code_actions(version, codec, action_params(path, 1, 1, [FIX_ALL]), resolvable=True)
    assert first == again == on_save[0] and first is not None and calls == [DEMO]
    changed = DEMO.replace("duration: 2m", "duration: 3m")
    assert resolve_fix_all(store.check(uri, 2, changed), codec) is not None
    assert calls == [DEMO, changed]


def registering_client(registrations: list[types.Registration]) -> Callable[[], LanguageClient]:
    """pytest-lsp's client, noting the capabilities the server registers."""

    def make() -> LanguageClient:
        client = make_test_lsp_client()

        @client.feature(types.CLIENT_REGISTER_CAPABILITY)  # type: ignore[misc]
        def register(params: types.RegistrationParams) -> None:
            registrations.extend(params.registrations)

        return client

    return make


@in_server_loop
async def test_a_configuration_change_rechecks_every_open_document(tmp_path: Path) -> None:
    registrations: list[types.Registration] = []
    config = ClientServerConfig(server_command=SERVER, client_factory=registering_client(registrations))
    client = await config.start()
    try:
        await client.initialize_session(types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"), root_uri=tmp_path.as_uri()
        ))
        path = tmp_path / "demo.yaml"
        assert shown(await open_document(client, path, DEMO)) == [("RL201", 24, 13), ("RL203", 19, 28)]
        assert [r.method for r in registrations] == [types.WORKSPACE_DID_CHANGE_WATCHED_FILES]
        options = registrations[0].register_options
        assert isinstance(options, dict)  # as the client reads it off the wire
        assert [w["globPattern"] for w in options["watchers"]] == ["**/.recoverylint.yaml", "**/pyproject.toml"]
        config_file = tmp_path / ".recoverylint.yaml"
        config_file.write_text("ignore: [RL203]\n", encoding="utf-8")
        waiting = expect_diagnostics(client, path.as_uri())
        client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[
            types.FileEvent(uri=config_file.as_uri(), type=types.FileChangeType.Created)
        ]))
        assert shown(await waiting) == [("RL201", 24, 13)]
        config_file.write_text("ignore: [RL201]\n", encoding="utf-8")  # changed with no event: the save re-checks
        waiting = expect_diagnostics(client, path.as_uri())
        client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=document(path)))
        assert shown(await waiting) == [("RL203", 19, 28)]
        await client.shutdown_session()
    finally:
        await client.stop()


@in_server_loop
async def test_saving_a_configuration_file_rechecks_when_the_client_watches_nothing(tmp_path: Path) -> None:
    registrations: list[types.Registration] = []
    config = ClientServerConfig(server_command=SERVER, client_factory=registering_client(registrations))
    client = await config.start()
    try:
        await client.initialize_session(types.InitializeParams(
            capabilities=client_capabilities("neovim@v0.7.0"), root_uri=tmp_path.as_uri()
        ))
        path = tmp_path / "demo.yaml"
        assert shown(await open_document(client, path, DEMO)) == [("RL201", 24, 13), ("RL203", 19, 28)]
        config_file = tmp_path / ".recoverylint.yaml"
        config_file.write_text("ignore: [RL203]\n", encoding="utf-8")
        waiting = expect_diagnostics(client, path.as_uri())
        client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=document(config_file)))
        assert shown(await waiting) == [("RL201", 24, 13)]
        assert registrations == []  # Neovim 0.7 watches no files for a server
        await client.shutdown_session()
    finally:
        await client.stop()


@in_server_loop
async def test_a_refused_registration_is_a_warning_and_the_server_serves_on(tmp_path: Path) -> None:
    client = await ClientServerConfig(server_command=SERVER).start()  # answers registerCapability with an error
    try:
        await client.initialize_session(types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"), root_uri=tmp_path.as_uri()
        ))
        path = tmp_path / "demo.yaml"
        assert shown(await open_document(client, path, DEMO)) == [("RL201", 24, 13), ("RL203", 19, 28)]
        for _ in range(6000):  # the answer to the registration may come after the diagnostics
            warnings = [m.message for m in client.log_messages if m.type == types.MessageType.Warning]
            if any("does not watch the configuration files" in message for message in warnings):
                break
            await asyncio.sleep(0.01)
        else:
            raise AssertionError(f"no warning; the log: {client.log_messages}")
        await client.shutdown_session()
    finally:
        await client.stop()
