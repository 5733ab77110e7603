"""A real `recoverylint server` over stdio, driven by pytest-lsp with the
recorded capabilities of VS Code and of Neovim 0.7 (the one Debian ships)."""

from __future__ import annotations

import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from .server_support import ROOT, SERVER

CLIENTS = ["visual-studio-code", "neovim@v0.7.0"]


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER), params=CLIENTS, scope="module")
async def client(lsp_client: LanguageClient, request):  # type: ignore[no-untyped-def]
    await lsp_client.initialize_session(
        types.InitializeParams(capabilities=client_capabilities(request.param), root_uri=ROOT.as_uri())
    )
    yield
    await lsp_client.shutdown_session()
