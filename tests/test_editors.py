"""The Editors page's snippets (docs/editors.md) read the concise format as documented.

Each editor's pattern is taken from the document itself and applied to the
concise output of every example (and to awkward lines), the way that editor
applies it: VS Code's problem-matcher regexp (with Node's RegExp when Node is
installed), Vim's errorformat translated as Vim's quickfix.c translates it
(and in real Vim when installed), Emacs' compilation regexp translated to
Python's syntax (and in real Emacs when installed)."""

import json
import re
import shutil
import subprocess
from pathlib import Path

from conftest import need

from recoverylint.engine import check_file
from recoverylint.finding import Finding, Severity
from recoverylint.model import Span
from recoverylint.report import Report, concise

REPO = Path(__file__).resolve().parent.parent
# The manual's Editors page, where every snippet below comes from.
DOC = (REPO / "docs" / "editors.md").read_text(encoding="utf-8")
EXAMPLES = sorted((REPO / "examples").glob("*.yaml"))
# Lines that are no finding: notes the command prints on stderr, which `:make`
# and `M-x compile` collect too, and the `full` format's summaries (should a
# summary ever be added to the concise format, no pattern may take it).
OTHER_LINES = [
    "Found 18 findings in 4 files (6 errors, 11 warnings, 1 info).",
    "All checks passed! (4 files checked)",
    "recoverylint: 2 findings silenced by suppression comments.",
    "recoverylint: 3 findings in the baseline .recoverylint-baseline.json not shown.",
    "examples/x.yaml: internal error in recoverylint 0.1.0 (please report it); this file was not checked:",
    '  File "/usr/lib/python3/dist-packages/recoverylint/engine.py", line 12, in check_file',
]


def fenced_blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", text, re.DOTALL | re.MULTILINE)


def the_block(language: str, containing: str) -> str:
    (block,) = [block for block in fenced_blocks(DOC, language) if containing in block]
    return block


def cases() -> list[tuple[str, Finding]]:
    """(concise line, its finding) for every finding of every example, and for
    findings whose paths and messages could confuse a pattern."""
    findings: list[Finding] = []
    for path in EXAMPLES:
        findings.extend(check_file(path, f"examples/{path.name}").findings)
    awkward = [
        ("dir with spaces/a:b.yaml", "see `x.yaml:3:4: RL201 [error] y` and 100%"),
        ("C:/runbooks/ünïcode.yaml", "a message: with: colons [warning] and [info]"),
        ("odd\nname.yaml", "first line\nsecond line"),
    ]
    severities = list(Severity)
    for index, (path, message) in enumerate(awkward):
        findings.append(
            Finding("RL305", "unreconciled-outputs", severities[index % 3], message, path, Span(12, 7, 12, 9))
        )
    text = concise.render(Report(tuple(findings), ()))
    lines = text.splitlines()
    assert len(lines) == len(findings) > 3
    return list(zip(lines, findings))


CASES = cases()


def expected(item: Finding) -> dict:
    return {
        "file": concise.one_line(item.path),
        "line": item.span.line,
        "column": item.span.column,
        "code": item.code,
        "severity": item.severity.value,
        "message": concise.one_line(item.message),
    }


# -- VS Code ------------------------------------------------------------------


def problem_matcher() -> dict:
    tasks = json.loads(the_block("json", '"problemMatcher"'))
    (task,) = tasks["tasks"]
    assert task["command"] == "recoverylint check --format concise"
    return task["problemMatcher"]


def vscode_fields(match) -> dict:
    pattern = problem_matcher()["pattern"]
    return {
        "file": match.group(pattern["file"]),
        "line": int(match.group(pattern["line"])),
        "column": int(match.group(pattern["column"])),
        "code": match.group(pattern["code"]),
        "severity": match.group(pattern["severity"]),
        "message": match.group(pattern["message"]),
    }


def test_vscode_problem_matcher_reads_every_finding():
    regexp = re.compile(problem_matcher()["pattern"]["regexp"])
    for line, item in CASES:
        match = regexp.match(line)
        assert match, line
        assert vscode_fields(match) == expected(item)
    for other in OTHER_LINES:
        assert not regexp.match(other)


def test_vscode_problem_matcher_in_javascripts_own_regexp():
    node = shutil.which("node")
    if node is None:
        need(False, "Node.js")
    pattern = problem_matcher()["pattern"]
    script = (
        "const [regexp, lines] = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        "const re = new RegExp(regexp);"
        "process.stdout.write(JSON.stringify(lines.map(line => { const m = re.exec(line); return m && Array.from(m); })));"
    )
    lines = [line for line, _ in CASES] + OTHER_LINES
    done = subprocess.run(
        [node, "-e", script], input=json.dumps([pattern["regexp"], lines]), capture_output=True, text=True, check=True
    )
    groups = json.loads(done.stdout)
    for (line, item), found in zip(CASES, groups):
        assert found is not None, line
        fields = {key: found[pattern[key]] for key in ("file", "line", "column", "code", "severity", "message")}
        assert fields == {key: str(value) for key, value in expected(item).items()}
    assert groups[len(CASES):] == [None] * len(OTHER_LINES)


# -- Vim ------------------------------------------------------------------------


def vim_errorformat() -> str:
    (value,) = re.findall(r"^CompilerSet errorformat=(.+)$", the_block("vim", "errorformat"), re.MULTILINE)
    # :set unescapes a backslash before a space (`\ `); nothing else here.
    return value.replace("\\ ", " ")


def efm_to_python(part: str) -> tuple[str, re.Pattern, list[str]]:
    """One errorformat part as Vim's quickfix.c compiles it (efm_to_regpat):
    the prefix (`%-G`...), the anchored pattern, and its fields in order.
    Covers what the README's Editors section uses: %f (before a literal: `.\\{-1,}`),
    %l, %c, %v (`\\d\\+`), %m (`.\\+`), %. and %# (`.` and `*`)."""
    prefix, fields, pattern = "", [], "^"
    index = 0
    if part.startswith("%-") or (part.startswith("%") and part[1:2] in "DXAEWICZGOPQ"):
        end = 3 if part.startswith("%-") else 2
        prefix, index = part[:end], end
    conversions = {"f": "(.+?)", "l": r"(\d+)", "c": r"(\d+)", "v": r"(\d+)", "m": "(.+)"}
    while index < len(part):
        character = part[index]
        if character == "%":
            code = part[index + 1]
            if code in conversions:
                pattern += conversions[code]
                fields.append(code)
            elif code in ".#":
                pattern += {".": ".", "#": "*"}[code]
            else:
                raise AssertionError(f"%{code} is not translated here")
            index += 2
        else:
            pattern += re.escape(character)
            index += 1
    return prefix, re.compile(pattern + "$"), fields


def vim_reads(line: str):
    """What Vim makes of one line: the first part that matches decides."""
    for part in re.split(r"(?<!\\),", vim_errorformat()):
        prefix, pattern, fields = efm_to_python(part)
        match = pattern.match(line)
        if match:
            return prefix, dict(zip(fields, match.groups()))
    return None


def test_vim_errorformat_reads_every_finding_and_drops_the_rest():
    for line, item in CASES:
        prefix, fields = vim_reads(line)
        want = expected(item)
        assert prefix == ""
        assert fields == {
            "f": want["file"],
            "l": str(want["line"]),
            "v": str(want["column"]),
            "m": f"{want['code']} [{want['severity']}] {want['message']}",
        }
    for other in OTHER_LINES:
        assert vim_reads(other)[0] == "%-G"  # ignored, not an invalid entry


def test_vim_itself_reads_the_compiler_plugin(tmp_path):
    vim = shutil.which("vim")
    if vim is None:
        need(False, "Vim")
    (tmp_path / "compiler").mkdir()
    (tmp_path / "compiler" / "recoverylint.vim").write_text(the_block("vim", "errorformat"), encoding="utf-8")
    errors = tmp_path / "errors.txt"
    errors.write_text("\n".join([line for line, _ in CASES] + OTHER_LINES) + "\n", encoding="utf-8")
    read = tmp_path / "quickfix.jsonl"
    subprocess.run(
        [
            vim, "-u", "NONE", "-i", "NONE", "-N", "-es", "--cmd", f"set rtp^={tmp_path} encoding=utf-8",
            "-c", "compiler recoverylint",
            "-c", f"cgetfile {errors}",
            "-c", (
                "call writefile(map(getqflist(), {_, e -> json_encode({'file': bufname(e.bufnr),"
                " 'line': e.lnum, 'column': e.col, 'screen': e.vcol, 'valid': e.valid, 'text': e.text})}),"
                f" '{read}')"
            ),
            "-c", "qa!",
        ],
        cwd=tmp_path, check=True, timeout=60,
    )
    entries = [json.loads(line) for line in read.read_text(encoding="utf-8").splitlines()]
    assert entries == [
        {
            "file": want["file"], "line": want["line"], "column": want["column"], "screen": 1, "valid": 1,
            "text": f"{want['code']} [{want['severity']}] {want['message']}",
        }
        for want in (expected(item) for _, item in CASES)
    ]


# -- Emacs ----------------------------------------------------------------------


def emacs_entry() -> tuple[str, dict]:
    block = the_block("elisp", "compilation-error-regexp-alist-alist")
    (entry,) = re.findall(r"'\(recoverylint\s+\"((?:[^\"\\]|\\.)*)\"\s+(\d+) (\d+) (\d+) \((\d+) \. (\d+)\)\)", block)
    string, file, line, column, warning, info = entry
    regexp = re.sub(r"\\(.)", r"\1", string)  # the Lisp string's own escapes
    groups = {"file": int(file), "line": int(line), "column": int(column), "warning": int(warning), "info": int(info)}
    return regexp, groups


def emacs_to_python(regexp: str) -> str:
    """An Emacs regexp in Python's syntax: `\\(`, `\\)`, `\\|`, `\\{`, `\\}` are
    the operators, and `(`, `)`, `|`, `{`, `}` alone are literal."""
    out, index = "", 0
    while index < len(regexp):
        character = regexp[index]
        if character == "\\":
            following = regexp[index + 1]
            out += following if following in "()|{}" else "\\" + following
            index += 2
        else:
            out += "\\" + character if character in "()|{}" else character
            index += 1
    return out


def emacs_type(match, groups: dict) -> str:
    # TYPE (WARNING . INFO): the message is a warning when that group matched,
    # an info when the other did, an error otherwise (compile.el).
    if match.group(groups["warning"]) is not None:
        return "warning"
    return "info" if match.group(groups["info"]) is not None else "error"


def test_emacs_regexp_reads_every_finding_with_its_severity():
    regexp, groups = emacs_entry()
    pattern = re.compile(emacs_to_python(regexp))
    for line, item in CASES:
        match = pattern.match(line)  # compilation mode matches from a line's start
        want = expected(item)
        assert match, line
        assert (match.group(groups["file"]), int(match.group(groups["line"])), int(match.group(groups["column"]))) == (
            want["file"], want["line"], want["column"]
        )
        assert emacs_type(match, groups) == want["severity"]
    for other in OTHER_LINES:
        assert not pattern.match(other)


def test_emacs_itself_reads_the_compilation_entry(tmp_path):
    emacs = shutil.which("emacs")
    if emacs is None:
        need(False, "Emacs")
    init = tmp_path / "init.el"
    init.write_text(the_block("elisp", "compilation-error-regexp-alist-alist"), encoding="utf-8")
    errors = tmp_path / "errors.txt"
    errors.write_text("\n".join([line for line, _ in CASES] + OTHER_LINES) + "\n", encoding="utf-8")
    # Each line of the output in compilation mode: what compile.el made of it.
    probe = f"""
(require 'compile)
(load-file {json.dumps(str(init))})
(with-current-buffer (get-buffer-create "*compilation*")
  (let ((coding-system-for-read 'utf-8)) (insert-file-contents {json.dumps(str(errors))}))
  (compilation-mode)
  (compilation--ensure-parse (point-max))
  (goto-char (point-min))
  (while (not (eobp))
    (let ((message (get-text-property (point) 'compilation-message)))
      (princ
       (if (null message)
           "none\\n"
         (let ((loc (compilation--message->loc message)))
           (format "%s\\t%s\\t%s\\t%s\\t%s\\n"
                   (compilation--message->rule message)
                   (caar (compilation--loc->file-struct loc))
                   (compilation--loc->line loc)
                   (compilation--loc->col loc)
                   (compilation--message->type message))))))
    (forward-line 1)))
"""
    done = subprocess.run(
        [emacs, "--batch", "--no-site-file", "--eval", f"(progn {probe})"],
        capture_output=True, timeout=120, check=True,
    )
    rows = done.stdout.decode("utf-8").splitlines()
    emacs_types = {"error": "2", "warning": "1", "info": "0"}
    assert rows[: len(CASES)] == [
        f"recoverylint\t{want['file']}\t{want['line']}\t{want['column']}\t{emacs_types[want['severity']]}"
        for want in (expected(item) for _, item in CASES)
    ]
    # Emacs' own rules may take a traceback's `File "...", line 12`; ours takes none of them.
    assert len(rows) == len(CASES) + len(OTHER_LINES)
    assert not any(row.startswith("recoverylint\t") for row in rows[len(CASES):])


# -- The language server --------------------------------------------------------
# Each editor's snippet starts `recoverylint server`, and is read by that
# editor's own syntax: JSON, TOML, Emacs Lisp (in real Emacs when installed)
# and Lua (run in real Neovim, where it starts the server on a runbook).

SERVER_SECTION = DOC[DOC.index("## The language server"):DOC.index("## The concise format")]


def server_block(language: str, containing: str) -> str:
    (block,) = [block for block in fenced_blocks(SERVER_SECTION, language) if containing in block]
    return block


def test_the_server_section_has_a_snippet_for_each_editor():
    assert re.findall(r"^### (.+)$", SERVER_SECTION, re.MULTILINE) == ["VS Code", "Neovim", "Emacs", "Helix", "Zed"]
    assert "`recoverylint server`" in SERVER_SECTION


def test_vscode_generic_client_settings_start_the_server():
    settings = json.loads(server_block("json", "glspc"))
    assert [settings["glspc.server.command"], *settings["glspc.server.commandArguments"]] == ["recoverylint", "server"]
    assert "yaml" in settings["glspc.server.languageId"]


def test_helix_languages_toml_starts_the_server():
    import tomllib

    languages = tomllib.loads(server_block("toml", "language-server"))
    assert languages["language-server"]["recoverylint"] == {"command": "recoverylint", "args": ["server"]}
    (yaml,) = languages["language"]
    assert yaml["name"] == "yaml" and "recoverylint" in yaml["language-servers"]


def test_zed_settings_start_the_server():
    settings = json.loads(server_block("json", '"lsp"'))
    assert settings["lsp"]["recoverylint"]["binary"] == {"path": "recoverylint", "arguments": ["server"]}
    assert "recoverylint" in settings["languages"]["YAML"]["language_servers"]


def test_emacs_eglot_entry_starts_the_server(tmp_path):
    block = server_block("elisp", "eglot-server-programs")
    assert '("recoverylint" "server")' in block
    depth = 0
    for char in re.sub(r'"(?:[^"\\]|\\.)*"', '""', block):  # parentheses outside strings balance
        depth += {"(": 1, ")": -1}.get(char, 0)
        assert depth >= 0
    assert depth == 0
    emacs = shutil.which("emacs")
    if emacs is None:
        need(False, "Emacs")
    snippet = tmp_path / "eglot.el"
    snippet.write_text(block, encoding="utf-8")
    # Emacs 28 (Debian's) has no eglot: the entry is read and run as eglot
    # would run it once loaded, into the list eglot reads.
    probe = f"""(progn
      (defvar eglot-server-programs nil)
      (load-file {json.dumps(str(snippet))})
      (provide 'eglot)
      (princ (format "%S" eglot-server-programs)))"""
    done = subprocess.run([emacs, "--batch", "--no-site-file", "--eval", probe], capture_output=True, timeout=120,
                          check=True)
    assert done.stdout.decode() == '(((yaml-mode yaml-ts-mode markdown-mode) "recoverylint" "server"))'


def test_neovim_snippet_starts_the_server_on_a_runbook(tmp_path):
    import os
    import sys

    nvim = shutil.which("nvim")
    if nvim is None:
        if os.environ.get("CI") == "true":
            raise AssertionError("nvim is not installed (CI installs Debian's neovim)")
        import pytest

        pytest.skip("nvim is not installed")
    block = server_block("lua", "start_client")
    assert 'cmd = { "recoverylint", "server" }' in block
    snippet = tmp_path / "init.lua"
    snippet.write_text(block, encoding="utf-8")
    # `recoverylint` on the PATH is this checkout's, as an installed one would be.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "recoverylint"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m recoverylint "$@"\n', encoding="utf-8")
    shim.chmod(0o755)
    runbook = tmp_path / "disk.yaml"
    runbook.write_text(EXAMPLES[0].read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "codes.json"
    driver = tmp_path / "driver.lua"
    driver.write_text(
        f"vim.cmd('luafile {snippet}')\n"
        f"vim.cmd('edit {runbook}')\n"
        "vim.bo.filetype = 'yaml'\n"
        "vim.wait(60000, function() return #vim.diagnostic.get(0) > 0 end, 50)\n"
        "local codes = {}\n"
        "for _, item in ipairs(vim.diagnostic.get(0)) do table.insert(codes, item.code) end\n"
        f"vim.fn.writefile({{vim.fn.json_encode(codes)}}, '{out}')\n"
        "for _, client in pairs(vim.lsp.get_active_clients()) do client.stop() end\n"
        "vim.wait(5000, function() return #vim.lsp.get_active_clients() == 0 end, 50)\n"
        "vim.cmd('qall!')\n",
        encoding="utf-8",
    )
    subprocess.run(
        [nvim, "--headless", "-u", "NONE", "-i", "NONE", "-c", f"luafile {driver}"],
        cwd=tmp_path, timeout=120, check=False, capture_output=True,
        env={**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "HOME": str(tmp_path)},
    )
    codes = json.loads(out.read_text(encoding="utf-8"))
    expected = check_file(runbook, str(runbook)).findings
    assert sorted(codes) == sorted(f.code for f in expected) and codes
