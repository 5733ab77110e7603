"""A real `recoverylint server` over stdio, driven by pytest-lsp's client with
the recorded capabilities of VS Code and of Neovim 0.7 (the one Debian ships).

The client runs in an event loop of its own thread (server_support.LoopThread),
not in pytest-asyncio's: Playwright's sync API keeps a loop running in the main
thread for as long as the session's browser lives, and pytest-asyncio cannot
start one there then."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from .server_support import ROOT, SERVER, LoopThread, Session

CLIENTS = ["visual-studio-code", "neovim@v0.7.0"]


@pytest.fixture(scope="module", params=CLIENTS)
def client(request: pytest.FixtureRequest) -> Iterator[Session]:
    loop = LoopThread()
    lsp = loop.run(ClientServerConfig(server_command=SERVER).start())
    assert isinstance(lsp, LanguageClient)
    try:
        loop.run(lsp.initialize_session(
            types.InitializeParams(capabilities=client_capabilities(request.param), root_uri=ROOT.as_uri())
        ))
        yield Session(lsp, loop)
        loop.run(lsp.shutdown_session())
    finally:
        loop.run(lsp.stop())
        loop.close()
