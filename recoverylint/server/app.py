"""The language server: its features registered on pygls, didChange
debounced (the newest version wins), and every handler guarded: an error of
ours in one request is logged (window/logMessage) and answered as a JSON-RPC
error, and the server goes on serving."""

from __future__ import annotations

import asyncio
import traceback
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TypeVar

from lsprotocol import types
from pygls.exceptions import JsonRpcContentModified, JsonRpcException, JsonRpcInvalidParams
from pygls.lsp.server import LanguageServer
from pygls.workspace.position_codec import PositionCodec

from .. import __version__
from ..baseline import Baseline
from ..config import PYPROJECT, YAML_CONFIG
from . import actions, completion, diagnostics, navigation, symbols
from .documents import DocumentStore, DocumentVersion, path_of
from .ranges import from_position

# How long an edit waits for the next one before the document is checked:
# typing checks once per pause, not once per key.
DEBOUNCE_SECONDS = 0.15

# The configuration files whose change changes the findings of open documents.
CONFIGURATION_FILES = (YAML_CONFIG, PYPROJECT)

Result = TypeVar("Result")


class RecoverylintServer(LanguageServer):
    def __init__(self, store: DocumentStore) -> None:
        super().__init__("recoverylint", __version__)
        self.store = store
        self.pending: dict[str, asyncio.TimerHandle] = {}

    def log(self, message: str, kind: types.MessageType = types.MessageType.Error) -> None:
        self.window_log_message(types.LogMessageParams(type=kind, message=message))

    def current(self, uri: str) -> DocumentVersion:
        """The check of the document's newest version (made now when an edit
        is still waiting for its pause)."""
        document = self.workspace.get_text_document(uri)
        return self.store.check(uri, document.version, document.source)

    def publish(self, uri: str) -> None:
        version = self.current(uri)
        if version.check.internal_error is not None:  # its diagnostic says to look here
            self.log(f"recoverylint: internal error while checking {uri}:\n{version.check.internal_error}")
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
            uri=uri,
            version=version.version,
            diagnostics=diagnostics.diagnostics(version, self.workspace.position_codec),
        ))


def create_server(config_file: Path | None = None, baseline: Baseline | None = None) -> RecoverylintServer:
    server = RecoverylintServer(DocumentStore(config_file, baseline))

    def guarded(
        name: str, handler: Callable[[Any], Result], notification: bool = False
    ) -> Callable[[Any], Result | None]:
        def run(params: Any) -> Result | None:
            try:
                return handler(params)
            except JsonRpcException:
                raise  # the client's mistake, answered as such
            except Exception:
                server.log(f"recoverylint: internal error in {name}:\n{traceback.format_exc()}")
                if notification:
                    return None  # nothing waits for an answer: logged, and the server goes on
                raise  # answered as a JSON-RPC internal error

        return run

    def on(method: str, handler: Callable[[Any], Any], options: Any = None, notification: bool = False) -> None:
        server.feature(method, options)(guarded(method, handler, notification))

    def did_open(params: types.DidOpenTextDocumentParams) -> None:
        server.publish(params.text_document.uri)

    def did_change(params: types.DidChangeTextDocumentParams) -> None:
        uri = params.text_document.uri
        waiting = server.pending.pop(uri, None)
        if waiting is not None:
            waiting.cancel()  # a newer version came: only the newest is checked
        loop = asyncio.get_running_loop()
        checked_later = guarded(types.TEXT_DOCUMENT_DID_CHANGE, publish_pending, notification=True)
        server.pending[uri] = loop.call_later(DEBOUNCE_SECONDS, checked_later, uri)

    def publish_pending(uri: str) -> None:
        server.pending.pop(uri, None)
        if uri in {document.uri for document in server.workspace.text_documents.values()}:
            server.publish(uri)

    def did_save(params: types.DidSaveTextDocumentParams) -> None:
        uri = params.text_document.uri
        if path_of(uri).name in CONFIGURATION_FILES:  # a client that watches no files for us
            configuration_changed(None)
            return
        server.store.drop_checks(uri)  # what the text reads from disk may have changed
        server.publish(uri)

    def initialized(params: types.InitializedParams) -> None:
        workspace = server.client_capabilities.workspace
        watching = None if workspace is None else workspace.did_change_watched_files
        if watching is None or not watching.dynamic_registration:
            return  # saving a configuration file in the editor still re-checks (did_save)
        watchers = [types.FileSystemWatcher(glob_pattern=f"**/{name}") for name in CONFIGURATION_FILES]
        asked = server.client_register_capability(types.RegistrationParams(registrations=[types.Registration(
            id="recoverylint-configuration-files",
            method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
            register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers),
        )]))
        asked.add_done_callback(registration_refused)

    def registration_refused(answer: Future[None]) -> None:
        refused = None if answer.cancelled() else answer.exception()
        if refused is not None:  # saving a configuration file in the editor still re-checks
            server.log(f"recoverylint: the client does not watch the configuration files: {refused}",
                       types.MessageType.Warning)

    def configuration_changed(params: types.DidChangeWatchedFilesParams | None) -> None:
        """Every open document checked again, as its configuration may have changed."""
        server.store.drop_checks()
        for uri in [document.uri for document in server.workspace.text_documents.values()]:
            server.publish(uri)

    def did_close(params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        waiting = server.pending.pop(uri, None)
        if waiting is not None:
            waiting.cancel()
        server.store.forget(uri)
        server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    def codec() -> PositionCodec:  # the position encoding is chosen at initialize
        return server.workspace.position_codec

    def code_action(params: types.CodeActionParams) -> list[types.CodeAction]:
        return actions.code_actions(server.current(params.text_document.uri), codec(), params, resolvable())

    def resolvable() -> bool:
        """Whether the client can fill in an action's edit when it is picked."""
        text_document = server.client_capabilities.text_document
        asked = None if text_document is None else text_document.code_action
        return (
            asked is not None and bool(asked.data_support) and asked.resolve_support is not None
            and "edit" in asked.resolve_support.properties
        )

    def resolve_code_action(action: types.CodeAction) -> types.CodeAction:
        data = action.data
        if action.kind != actions.FIX_ALL or not isinstance(data, dict) or not isinstance(data.get("uri"), str):
            return action  # an action of ours is complete but the fix-all
        document = server.current(data["uri"])
        if document.version != data.get("version"):
            raise JsonRpcContentModified("the document changed since this action was offered: ask again")
        resolved = actions.resolve_fix_all(document, codec())
        # Nothing left to apply (the fixes were judged unsafe here): an empty edit.
        return resolved or types.CodeAction(
            title=action.title, kind=action.kind, edit=types.WorkspaceEdit(changes={document.uri: []})
        )

    def hover(params: types.HoverParams) -> types.Hover | None:
        return navigation.hover(server.current(params.text_document.uri), codec(), params.position)

    def definition(params: types.DefinitionParams) -> list[types.Location] | None:
        return navigation.definition(server.current(params.text_document.uri), codec(), params.position)

    def references(params: types.ReferenceParams) -> list[types.Location] | None:
        return navigation.references(server.current(params.text_document.uri), codec(), params)

    def prepare_rename(params: types.PrepareRenameParams) -> types.Range | None:
        return navigation.prepare_rename(server.current(params.text_document.uri), codec(), params.position)

    def rename(params: types.RenameParams) -> types.WorkspaceEdit | None:
        try:
            return navigation.rename(server.current(params.text_document.uri), codec(), params)
        except navigation.RenameRefused as refused:
            raise JsonRpcInvalidParams(str(refused)) from None

    def complete(params: types.CompletionParams) -> types.CompletionList:
        uri = params.text_document.uri
        document = server.current(uri)
        line, column = from_position(document, codec(), params.position)
        runbook = document.check.runbook or server.store.last_runbook(uri)
        items = completion.completions(document.lines, line, column, runbook)
        return types.CompletionList(is_incomplete=False, items=items)

    def document_symbols(params: types.DocumentSymbolParams) -> list[types.DocumentSymbol]:
        return symbols.document_symbols(server.current(params.text_document.uri), codec())

    def inlay_hints(params: types.InlayHintParams) -> list[types.InlayHint]:
        return symbols.saved_hint(server.current(params.text_document.uri), codec(), params.range)

    on(types.INITIALIZED, initialized, notification=True)
    on(types.WORKSPACE_DID_CHANGE_WATCHED_FILES, configuration_changed, notification=True)
    on(types.TEXT_DOCUMENT_DID_OPEN, did_open, notification=True)
    on(types.TEXT_DOCUMENT_DID_CHANGE, did_change, notification=True)
    on(types.TEXT_DOCUMENT_DID_SAVE, did_save, notification=True)
    on(types.TEXT_DOCUMENT_DID_CLOSE, did_close, notification=True)
    on(types.TEXT_DOCUMENT_CODE_ACTION, code_action, types.CodeActionOptions(code_action_kinds=[
        types.CodeActionKind.QuickFix, types.CodeActionKind.RefactorRewrite, types.CodeActionKind.SourceFixAll,
    ], resolve_provider=True))
    on(types.CODE_ACTION_RESOLVE, resolve_code_action)
    on(types.TEXT_DOCUMENT_HOVER, hover)
    on(types.TEXT_DOCUMENT_DEFINITION, definition)
    on(types.TEXT_DOCUMENT_REFERENCES, references)
    on(types.TEXT_DOCUMENT_PREPARE_RENAME, prepare_rename)
    on(types.TEXT_DOCUMENT_RENAME, rename)  # pygls offers prepareRename to clients that support it
    on(types.TEXT_DOCUMENT_COMPLETION, complete, types.CompletionOptions(trigger_characters=[" ", "[", ",", "-"]))
    on(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL, document_symbols)
    on(types.TEXT_DOCUMENT_INLAY_HINT, inlay_hints)
    return server
