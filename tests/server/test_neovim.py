"""A real editor: Debian's Neovim 0.7, headless, attaches `recoverylint
server` to a runbook and writes the diagnostics it received (as Neovim's own
diagnostic list holds them) to a file this test reads."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from recoverylint.session import CheckRequest, run_check

from .server_support import DEMO

NVIM = shutil.which("nvim")
SCRIPT = Path(__file__).with_name("neovim_attach.lua")


def test_neovim_shows_the_findings_of_check(tmp_path: Path) -> None:
    if NVIM is None:
        if os.environ.get("CI") == "true":
            pytest.fail("nvim is not installed (CI installs Debian's neovim)")
        pytest.skip("nvim is not installed")
    runbook = tmp_path / "demo.yaml"
    runbook.write_text(DEMO)
    out = tmp_path / "diagnostics.json"
    environment = {
        **os.environ,
        "RUNBOOK": str(runbook),
        "OUT": str(out),
        "SERVER_COMMAND": json.dumps([sys.executable, "-m", "recoverylint", "server"]),
        "HOME": str(tmp_path),  # no user configuration, no shada written elsewhere
    }
    subprocess.run(
        [NVIM, "--headless", "-u", "NONE", "-i", "NONE", "-c", f"luafile {SCRIPT}"],
        cwd=tmp_path, env=environment, timeout=120, check=False, capture_output=True,
    )
    written = out.read_text()
    assert not written.startswith("error"), written
    received = json.loads(written)
    assert received["uri"] == runbook.as_uri()
    expected = run_check(CheckRequest(paths=(runbook,))).report.findings
    assert sorted((d["code"], d["line"], d["column"]) for d in received["diagnostics"]) == sorted(
        (f.code, f.span.line, f.span.column) for f in expected
    )
    assert len(expected) == 2
