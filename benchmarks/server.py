#!/usr/bin/env python3
"""Diagnostics latency of `recoverylint server` after an edit (issue 19).

    python benchmarks/server.py [--edits N]

For a 1,000-step runbook (benchmarks/generate.py's single/steps-1000.yaml)
and a 50-step one, each edit changes one step's duration and the diagnostics
of the new version are timed two ways:

- the server's work: the document layer checks the new text and the
  findings become diagnostics (CPU and wall time, in this process);
- end to end: the real server over stdio (pytest-lsp's client), from the
  didChange to the publishDiagnostics of that version: wall time, less the
  debounce the server waits for the next keystroke, and the CPU time the
  server process spent (read from /proc).

Targets: 300 ms for 1,000 steps, 50 ms for 50 steps, after the debounce.

Code actions on a 2,000-step runbook: an editor asks for them at every move
of the cursor (the moves here go down the file, from finding to finding).  Each request is timed in
this process and over stdio; every safe fix at once (a whole `check --fix`)
is offered without its edit and worked out when resolved: the first resolve,
and a second one of the same version (cached), are timed too.

Medians go to benchmarks/server_results.json.  On a shared machine wall
time includes waiting for a CPU: CPU time is the figure to compare with the
targets; both are written.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402  (benchmarks/ is not a package)
from lsprotocol import types  # noqa: E402
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities  # noqa: E402

from recoverylint.server.actions import FIX_ALL, code_actions, resolve_fix_all  # noqa: E402
from recoverylint.server.app import DEBOUNCE_SECONDS  # noqa: E402
from recoverylint.server.diagnostics import diagnostics  # noqa: E402
from recoverylint.server.documents import DocumentStore  # noqa: E402

RESULTS = HERE / "server_results.json"
CASES = ((1000, 300.0), (50, 50.0))  # steps, target in ms
CODE_ACTION_STEPS = 2000
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def edited(text: str, edit: int) -> str:
    """The runbook with one step's duration changed (a different one each edit)."""
    marker = "duration: "
    start = -1
    for _ in range(edit % max(1, text.count(marker)) + 1):
        start = text.index(marker, start + 1)
    end = text.index("\n", start)
    return f"{text[:start]}{marker}{7 + edit % 50}m{text[end:]}"


def work(path: Path, text: str, edits: int) -> dict[str, float]:
    """The server's own work per edit, in this process (ms, medians)."""
    from pygls.workspace.position_codec import PositionCodec

    store = DocumentStore()
    uri = path.as_uri()
    codec = PositionCodec()
    store.check(uri, 0, text)  # the document as opened
    cpu, wall, found = [], [], 0
    for edit in range(1, edits + 1):
        started_cpu, started = time.process_time(), time.perf_counter()
        version = store.check(uri, edit, edited(text, edit))
        found = len(diagnostics(version, codec))
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return {"cpu_ms": round(statistics.median(cpu), 1), "wall_ms": round(statistics.median(wall), 1),
            "diagnostics": found}


def cursor_move(uri: str, stops: list[types.Position], move: int, moves: int) -> types.CodeActionParams:
    """A code action request at the finding `move` of `moves` down the file."""
    at = stops[move * len(stops) // moves]
    return types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=types.Range(start=at, end=at),
        context=types.CodeActionContext(diagnostics=[]),
    )


def code_action_work(path: Path, text: str, moves: int) -> tuple[list[types.Position], dict[str, Any]]:
    """Code action requests at cursor moves, in this process (ms, medians),
    and resolving the fix-all action, first and again; the positions of the
    findings, where the cursor stops."""
    from pygls.workspace.position_codec import PositionCodec

    store = DocumentStore()
    uri = path.as_uri()
    codec = PositionCodec()
    version = store.check(uri, 0, text)
    stops = [types.Position(line=f.span.line - 1, character=f.span.column - 1) for f in version.check.findings]
    cpu, wall, offered = [], [], 0
    for move in range(moves):
        params = cursor_move(uri, stops, move, moves)
        started_cpu, started = time.process_time(), time.perf_counter()
        found = code_actions(version, codec, params, resolvable=True)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        offered = max(offered, len(found))
        assert all(action.edit is None for action in found if action.kind == FIX_ALL)
    resolves = []
    for _ in range(2):
        started_cpu = time.process_time()
        resolved = resolve_fix_all(version, codec)
        resolves.append(round((time.process_time() - started_cpu) * 1000, 1))
    outcome = version.safe_fixes_applied
    return stops, {
        "moves": moves,
        "request_cpu_ms": round(statistics.median(cpu), 2),
        "request_wall_ms": round(statistics.median(wall), 2),
        "most_actions_offered": offered,
        "resolve_fix_all_cpu_ms": resolves[0],
        "resolve_again_cpu_ms": resolves[1],
        "fix_all_resolved": resolved is not None,
        "fixes_applied": 0 if outcome is None else len(outcome.applied),
    }


async def code_action_end_to_end(
    path: Path, text: str, stops: list[types.Position], moves: int
) -> dict[str, float]:
    """Code action requests at cursor moves over stdio: wall time of each
    answer and the server's CPU time for it (ms, medians)."""
    config = ClientServerConfig(server_command=[sys.executable, "-m", "recoverylint", "server"])
    client = await config.start()
    assert isinstance(client, LanguageClient)
    await client.initialize_session(types.InitializeParams(capabilities=client_capabilities("visual-studio-code")))
    assert client._server is not None
    pid = client._server.pid
    uri = path.as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=uri, language_id="yaml", version=0, text=text)
    ))
    await client.text_document_code_action_async(cursor_move(uri, stops, 0, moves))  # the document checked
    wall, cpu = [], []
    for move in range(moves):
        before, sent = process_cpu_ms(pid), time.perf_counter()
        await client.text_document_code_action_async(cursor_move(uri, stops, move, moves))
        wall.append((time.perf_counter() - sent) * 1000)
        cpu.append(process_cpu_ms(pid) - before)
    await client.shutdown_session()
    await client.stop()  # type: ignore[no-untyped-call]
    return {"request_wall_ms": round(statistics.median(wall), 1), "server_cpu_ms": round(statistics.median(cpu), 1)}


def process_cpu_ms(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / CLOCK_TICKS  # utime + stime


async def end_to_end(path: Path, text: str, edits: int) -> dict[str, float]:
    """Over stdio: didChange to the publishDiagnostics of that version (ms, medians)."""
    published: dict[int, float] = {}
    uri = path.as_uri()

    def timing_client() -> LanguageClient:
        # pytest-lsp's client, with only the one notification this reads.
        client = LanguageClient()

        @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)  # type: ignore[untyped-decorator]
        def on_diagnostics(params: types.PublishDiagnosticsParams) -> None:
            if params.uri == uri and params.version is not None:
                published[params.version] = time.perf_counter()

        return client

    config = ClientServerConfig(
        server_command=[sys.executable, "-m", "recoverylint", "server"], client_factory=timing_client
    )
    client = await config.start()

    assert isinstance(client, LanguageClient)
    await client.initialize_session(types.InitializeParams(capabilities=client_capabilities("visual-studio-code")))
    assert client._server is not None
    pid = client._server.pid  # the server process, for its CPU time
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=uri, language_id="yaml", version=0, text=text)
    ))
    await _until(lambda: 0 in published)
    wall, cpu = [], []
    for edit in range(1, edits + 1):
        before = process_cpu_ms(pid)
        sent = time.perf_counter()
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=edit),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=edited(text, edit))],
        ))
        await _until(lambda edit=edit: edit in published)  # type: ignore[misc]
        wall.append((published[edit] - sent) * 1000 - DEBOUNCE_SECONDS * 1000)
        cpu.append(process_cpu_ms(pid) - before)
    await client.shutdown_session()
    await client.stop()  # type: ignore[no-untyped-call]
    return {"after_debounce_wall_ms": round(statistics.median(wall), 1),
            "server_cpu_ms": round(statistics.median(cpu), 1)}


async def _until(done: Callable[[], bool]) -> None:
    for _ in range(60_000):
        if done():
            return
        await asyncio.sleep(0.001)
    raise TimeoutError("no diagnostics within a minute")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--edits", type=int, default=15)
    parser.add_argument("--moves", type=int, default=100, help="cursor moves asking for code actions")
    args = parser.parse_args(argv)
    results = []
    with tempfile.TemporaryDirectory(prefix="rl-server-") as scratch:
        for steps, target in CASES:
            path = Path(scratch) / f"steps-{steps}.yaml"
            text = generate.single_runbook(steps)
            path.write_text(text, encoding="utf-8")
            done = work(path, text, args.edits)
            result: dict[str, Any] = {
                "steps": steps,
                "target_ms": target,
                "work": done,
                "end_to_end": asyncio.run(end_to_end(path, text, args.edits)),
            }
            result["met_cpu"] = done["cpu_ms"] <= target
            print(json.dumps(result), flush=True)
            results.append(result)
        path = Path(scratch) / f"steps-{CODE_ACTION_STEPS}.yaml"
        text = generate.single_runbook(CODE_ACTION_STEPS)
        path.write_text(text, encoding="utf-8")
        stops, in_process = code_action_work(path, text, args.moves)
        code_action_result = {
            "steps": CODE_ACTION_STEPS,
            "work": in_process,
            "end_to_end": asyncio.run(code_action_end_to_end(path, text, stops, args.moves)),
        }
        print(json.dumps(code_action_result), flush=True)
    RESULTS.write_text(json.dumps({
        "meta": {
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "python": platform.python_version(),
            "edits": args.edits,
            "moves": args.moves,
            "debounce_ms": DEBOUNCE_SECONDS * 1000,
            "load_average": os.getloadavg()[0],
        },
        "results": results,
        "code_actions": code_action_result,
    }, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
