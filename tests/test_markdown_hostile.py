"""Hostile and malformed Markdown pages (the hostile-input tests of the
YAML formats, extended): each is checked by the CLI with a finding or
nothing to say, never a traceback, and well inside a generous timeout
(several of these inputs would take minutes if read in quadratic time)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

N = 100_000
HEAD = "# X\n## Mitigation\n"

CASES = {
    "deeply-nested-lists": HEAD + "".join("  " * depth + "- a\n" for depth in range(2_000)),
    "deeply-nested-quotes": HEAD + ">" * N + " - `oc get pods`\n",
    "unclosed-fence": HEAD + "```bash\n" + "oc get pods\n" * 20_000,
    "backticks": HEAD + "- " + "`" * N + "\n",
    "brackets": HEAD + "- " + "[" * N + "\n",
    "many-inline-commands-on-one-line": HEAD + "- " + "`oc get pods` " * 20_000 + "\n",
    "unclosed-substitutions": HEAD + "```bash\necho " + "$(" * 5_000 + "\n```\n",
    "nested-substitutions": HEAD + "```bash\nx=" + "$(oc get pods " * 300 + ")" * 300 + "\n```\n",
    "nested-braces": HEAD + "```bash\n" + "{ " * 5_000 + "oc get pods" + " }" * 5_000 + "\n```\n",
    "nested-ifs": HEAD + "```bash\n" + "if true; then " * 500 + "oc get pods; " + "fi; " * 500 + "\n```\n",
    "unclosed-quote": HEAD + "```bash\noc get pods '" + "a" * N + "\n```\n",
    "long-heredoc": HEAD + "```bash\ncat <<EOF\n" + "a\n" * 10_000 + "\n```\n",
    "no-text": "",
    "only-headings": "## Mitigation\n" * 10_000,
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_page_is_checked_without_a_traceback(tmp_path, name):
    page = tmp_path / f"{name}.md"
    page.write_text(CASES[name], encoding="utf-8")
    outcome = subprocess.run(
        [sys.executable, "-m", "recoverylint", "check", "--no-cache", "--format", "json", str(page)],
        capture_output=True, text=True, timeout=60,
    )
    assert outcome.returncode in (0, 1), outcome.stderr
    assert "Traceback" not in outcome.stderr and "internal error" not in outcome.stderr
    findings = json.loads(outcome.stdout)["findings"]
    assert all(item["line"] >= 1 and item["column"] >= 1 for item in findings)


def test_a_control_character_is_rl001_at_its_place(tmp_path):
    page = tmp_path / "nul.md"
    page.write_text(HEAD + "- `oc get pods \x00`\n", encoding="utf-8")
    outcome = subprocess.run(
        [sys.executable, "-m", "recoverylint", "check", "--no-cache", "--format", "json", str(page)],
        capture_output=True, text=True, timeout=60,
    )
    assert outcome.returncode == 1
    [finding] = json.loads(outcome.stdout)["findings"]
    assert (finding["code"], finding["line"], finding["column"]) == ("RL001", 3, 16)


def test_a_binary_file_named_md_is_rl001(tmp_path):
    page = tmp_path / "image.md"
    page.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    outcome = subprocess.run(
        [sys.executable, "-m", "recoverylint", "check", "--no-cache", str(page)],
        capture_output=True, text=True, timeout=60,
    )
    assert outcome.returncode == 1 and "RL001" in outcome.stdout, outcome.stderr
