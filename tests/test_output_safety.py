"""Positions and text as every output shows them (issue 13: items 8, 9, 16, 17).

Lines are what editors count (LF, CR LF, CR), whatever else the YAML reader
counts as a line break; text from a file, a file name or a configuration never
drives the terminal nor starts a line of its own; and a stdout that cannot be
written is one line of error, never a traceback.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from recoverylint.cli import cli
from recoverylint.report.shown import json_safe, shown
from recoverylint.source import LONGEST_LINE, editor_lines, parse

REPO = Path(__file__).resolve().parent.parent
FORMATS = ("full", "concise", "json", "json-lines", "sarif", "github", "junit", "gitlab")


def run(*args: str, cwd: Path, env: dict[str, str] | None = None):
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(cli, [*args], env={"RECOVERYLINT_CACHE_DIR": str(cwd / ".cache"), **(env or {})})
    finally:
        os.chdir(old)


# -- 8. Lines are the editor's -----------------------------------------------

# A repeated step id after a title holding each break libyaml counts and
# editors do not: the ids are on lines 4 and 6 of every editor.
SEPARATORS = "runbook: r\ntitle: \"one\u2028two\u2029three\x85four\"\nsteps:\n  - id: a\n    title: x\n  - id: a\n"


# Where each format writes a finding's line.
LINE_OF = {
    "full": r"^r\.yaml:(\d+):",
    "concise": r"^r\.yaml:(\d+):",
    "json": r'"line": (\d+)',
    "json-lines": r'"line": (\d+)',
    "sarif": r'"startLine": (\d+)',
    "github": r",line=(\d+),",
    "junit": r" at (\d+):9",
    "gitlab": r'"begin": (\d+)',
}


@pytest.mark.parametrize("output_format", FORMATS)
def test_a_line_separator_in_a_value_shifts_no_line(output_format, tmp_path):
    (tmp_path / "r.yaml").write_text(SEPARATORS, encoding="utf-8")
    result = run("check", "r.yaml", "--format", output_format, "--select", "RL101", cwd=tmp_path)
    assert result.exit_code == 1, result.output
    lines = [int(line) for line in re.findall(LINE_OF[output_format], result.stdout, re.MULTILINE)]
    assert sorted(set(lines)) == [4, 6]
    if output_format == "full":
        # The source lines shown are the editor's lines 4 and 6.
        assert "4 |   - id: a" in result.stdout and "6 |   - id: a" in result.stdout


def test_columns_after_a_line_separator_are_counted_on_the_editors_line(tmp_path):
    document = parse("a: \"x\u2028y\"\nb: [1, \u2028 2]\n")
    assert document.value_span(document.data, "b").line == 2
    assert (document.value_span(document.data["b"], 1).line, document.value_span(document.data["b"], 1).column) == (2, 10)


def test_an_error_after_a_line_separator_is_on_the_editors_line():
    with pytest.raises(Exception) as raised:
        parse("a: \"x\u2028y\"\nb: 1\nb: 2\n")
    assert (raised.value.line, raised.value.column) == (3, 1)
    assert "first defined on line 2" in raised.value.message
    with pytest.raises(Exception) as raised:
        parse("a: \"x\u2028y\"\nb: [1\n")
    assert raised.value.line == 3


def test_a_suppression_after_a_line_separator_still_silences_its_line(tmp_path):
    (tmp_path / "r.yaml").write_text(
        "runbook: r\ntitle: \"a\u2028b\"\nsteps:\n  - id: a  # recoverylint: disable=RL501\n    title: x\n",
        encoding="utf-8",
    )
    result = run("check", "r.yaml", "--format", "json", "--select", "RL501,RL010", cwd=tmp_path)
    assert json.loads(result.stdout)["findings"] == []


def test_the_diff_of_a_file_with_line_separators_applies_with_git(tmp_path):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    text = 'runbook: r\ntitle: "one\u2028two\x85three"\nflow: parallel\nsteps:\n  - id: a\n  - id: b\n    needs: [a]\n  - id: c\n    needs: [a, b]\n'
    (tmp_path / "r.yaml").write_text(text, encoding="utf-8")
    result = run("check", "r.yaml", "--diff", cwd=tmp_path)
    assert result.exit_code == 1, result.output
    assert "@@ -4,6 +4,6 @@\n steps:\n" in result.stdout  # `steps:` is the editor's line 4
    (tmp_path / "fix.patch").write_text(result.stdout, encoding="utf-8")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    applied = subprocess.run(["git", "apply", "fix.patch"], cwd=tmp_path, capture_output=True, text=True)
    assert applied.returncode == 0, applied.stderr
    assert "needs: [a, b]" not in (tmp_path / "r.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "text, span",
    [
        ("a: |\n  x", (1, 1, 2, 4)),  # ends in a block scalar without a final line break
        ("a: x", (1, 1, 1, 5)),
        ("a:\n  b: 1", (1, 1, 2, 7)),
        ("a: x\n", (1, 1, 2, 1)),  # after the final break: the empty line editors show
        ("a: x\r\nb: y", (1, 1, 2, 5)),
        ('a: "\u2028"\nb: x', (1, 1, 2, 5)),
    ],
)
def test_a_span_never_ends_past_the_text(text, span):
    """libyaml ends a text without a final line break on a line of its own."""
    root = parse(text).root_span
    assert (root.line, root.column, root.end_line, root.end_column) == span


def test_an_error_at_the_end_of_a_text_without_a_final_break_is_on_its_last_line():
    with pytest.raises(Exception) as raised:
        parse("a: [1,\n  2")
    assert (raised.value.line, raised.value.column) == (2, 4)


def test_editor_lines_split_only_where_editors_do():
    assert editor_lines("a\u2028b\r\nc\rd\x85e\n") == ["a\u2028b", "c", "d\x85e"]
    assert editor_lines("a\n\nb") == ["a", "", "b"]


# -- 9. A column never spills into the line -----------------------------------


def test_a_line_longer_than_a_packed_column_is_refused_clearly(tmp_path):
    line = "{runbook: r, title: \"" + "x" * (1 << 24) + "\", steps: [{id: a}, {id: a}]}\n"
    (tmp_path / "long.yaml").write_text(line, encoding="utf-8")
    result = run("check", "long.yaml", "--format", "concise", "--max-file-size", str(1 << 26), cwd=tmp_path)
    assert result.stdout == (
        f"long.yaml:1:1: RL001 [error] line 1 is longer than {LONGEST_LINE:,} characters,"
        " the longest recoverylint reads\n"
    )
    (tmp_path / "long.yaml").write_text("runbook: r\n" + line, encoding="utf-8")
    result = run("check", "long.yaml", "--format", "concise", "--max-file-size", str(1 << 26), cwd=tmp_path)
    assert result.stdout.startswith("long.yaml:2:1: RL001 [error] line 2 is longer than")


def test_a_line_just_within_the_limit_keeps_its_columns():
    value = "x" * (LONGEST_LINE - len("a: [, b]"))
    document = parse(f"a: [{value}, b]\n")
    span = document.value_span(document.data["a"], 1)
    assert (span.line, span.column) == (1, LONGEST_LINE - 1)


# -- 17. Nothing from outside drives the terminal or starts a line -------------

OSC = "\x1b]0;pwned\x07"


def test_shown_writes_every_acting_character_as_an_escape():
    assert shown(f"a{OSC}b\u202ec\x9bd\udcff") == "a\\x1b]0;pwned\\x07b\\u202ec\\x9bd\\udcff"
    assert shown("one\ntwo\r\nthree\u2028four") == "one\\ntwo\\nthree\\nfour"
    assert shown("one\ntwo\r\nthree\u2028four", keep_line_breaks=True) == "one\ntwo\r\nthree\\nfour"
    assert shown("tab\tstays") == "tab\tstays"
    assert json.loads(json_safe(json.dumps({"a": f"{OSC}\u2028"}, ensure_ascii=False))) == {"a": f"{OSC}\u2028"}


@pytest.mark.parametrize("output_format", FORMATS)
def test_an_escape_in_a_file_name_reaches_no_output(output_format, tmp_path):
    name = f"e{OSC}\u2028::error::x.yaml"
    (tmp_path / name).write_text((REPO / "examples" / "orders-db-outage.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    result = run("check", name, "--format", output_format, cwd=tmp_path)
    assert result.exit_code == 1
    for text in (result.stdout, result.stderr):
        assert not set(text) & set("\x1b\x07\u2028")
        assert not any(line.startswith("::error::") for line in text.splitlines())


def test_an_escape_in_a_runbook_title_reaches_no_output(tmp_path):
    (tmp_path / "r.yaml").write_text(
        'runbook: r\ntitle: "\\e]0;pwned\\a"\nroles:\n  lead: {authority: [decide]}\n'
        'steps:\n  - id: a\n    role: lead\n    title: "\\e]2;t\\a\\u202e"\n',
        encoding="utf-8",
    )
    for output_format in ("text", "json", "mermaid", "mermaid-gantt", "dot", "html"):
        result = run("plan", "r.yaml", "--format", output_format, cwd=tmp_path)
        assert result.exit_code == 0, result.output
        assert not set(result.stdout) & set("\x1b\x07\u202e"), output_format


def test_an_escape_in_a_step_id_reaches_no_plan_output(tmp_path):
    # A format's step ids are whatever its workflow says: a GitHub job id may hold anything.
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "w.yml").write_text(
        'on: push\njobs:\n  "a\\e]0;pwned\\a\\u202e":\n    runs-on: x\n    steps: [{run: echo}]\n'
        '  b:\n    needs: ["a\\e]0;pwned\\a\\u202e"]\n    runs-on: x\n    steps: [{run: echo}]\n',
        encoding="utf-8",
    )
    for output_format in ("text", "json", "mermaid", "mermaid-gantt", "dot", "html"):
        result = run("plan", ".github/workflows/w.yml", "--format", output_format, cwd=tmp_path)
        assert result.exit_code == 0, result.output
        assert not set(result.stdout) & set("\x1b\x07\u202e"), output_format


def test_a_bidi_override_in_a_converted_title_is_escaped_and_read_back_the_same(tmp_path):
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "w.yml").write_text(
        'on: push\njobs:\n  "caf\u00e9\\u202e":\n    runs-on: x\n    steps: [{run: echo}]\n', encoding="utf-8"
    )
    result = run("convert", ".github/workflows/w.yml", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert "\u202e" not in result.stdout and '"caf\\xE9\\u202E"' in result.stdout
    assert parse(result.stdout).data["steps"][0]["title"] == "caf\u00e9\u202e"


def test_a_configured_code_with_a_line_break_prints_one_line(tmp_path):
    (tmp_path / ".recoverylint.yaml").write_text(
        'select: ["RL2\\n::error file=x::pwned\\e]0;t\\a"]\n', encoding="utf-8"
    )
    (tmp_path / "a.yaml").write_text("runbook: a\nsteps:\n  - id: a\n", encoding="utf-8")
    result = run("check", "a.yaml", cwd=tmp_path)
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith("recoverylint: error: .recoverylint.yaml:1:10: key `select`: `RL2\\n::error")
    assert "\x1b" not in line


def test_an_escape_in_a_file_that_cannot_be_planned_is_neutralised(tmp_path):
    name = f"p{OSC}.yaml"
    (tmp_path / name).write_text("runbook: r\nsteps:\n  - id: a\n  - id: a\n", encoding="utf-8")
    result = run("plan", name, cwd=tmp_path)
    assert result.exit_code == 2
    assert "\x1b" not in result.stderr and "p\\x1b]0;pwned\\x07.yaml" in result.stderr


# -- 16. An output that cannot be written -------------------------------------


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "recoverylint", *args]


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
@pytest.mark.parametrize(
    "args",
    [
        ("check", "--no-cache", "examples/orders-db-outage.yaml"),
        ("check", "--no-cache", "--format", "sarif", "examples/orders-db-outage.yaml"),
        ("plan", "examples/orders-db-outage.yaml"),
        ("rules",),
        ("rule", "RL201"),
        ("schema",),
        ("convert", "tests/adapters/orquesta/restart.yaml"),
        ("--help",),
    ],
)
def test_stdout_on_a_full_disk_is_one_line_of_error(args):
    with open("/dev/full", "w") as full:
        result = subprocess.run(command(*args), cwd=REPO, stdout=full, stderr=subprocess.PIPE, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr == "recoverylint: error: cannot write to stdout: No space left on device\n"


def test_a_closed_pipe_ends_the_run_quietly():
    process = subprocess.Popen(
        command("rule", "RL201"), cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    process.stdout.close()  # the reader left before the first byte
    stderr = process.stderr.read()
    assert process.wait(timeout=60) == 2
    assert stderr == b""


# -- 14. Ctrl-C ----------------------------------------------------------------


def processes_naming(text: str) -> list[int]:
    """Ids of the live processes whose command line holds `text`."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and text.encode() in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc for the workers")
def test_ctrl_c_stops_the_run_and_its_workers_at_once(tmp_path):
    import signal
    import time

    steps = "\n".join(
        f"  - id: s{i}\n    role: lead\n    outputs: [o{i}]" + (f"\n    inputs: [o{i - 1}]\n    needs: [s{i - 1}]" if i else "")
        for i in range(1500)
    )
    folder = tmp_path / "interrupted-runbooks"
    folder.mkdir()
    for number in range(60):  # many seconds of work for two processes
        (folder / f"r{number}.yaml").write_text(
            f"runbook: r{number}\nroles:\n  lead: {{authority: [decide, observe]}}\nsteps:\n{steps}\n", encoding="utf-8"
        )
    process = subprocess.Popen(
        command("check", "--no-cache", "--jobs", "2", str(folder)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        # As a terminal's Ctrl-C would: SIGINT reaches the run (a shell
        # starts background commands with it ignored).
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 30
    while len(processes_naming(str(folder))) < 3 and time.monotonic() < deadline:
        time.sleep(0.1)  # until both workers are checking
    assert len(processes_naming(str(folder))) >= 3
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=20)
    assert process.returncode == 130
    assert stdout == b""  # no report of a run that did not finish
    assert b"Traceback" not in stderr
    assert processes_naming(str(folder)) == []  # the workers were ended, not left to finish


@pytest.mark.skipif(sys.platform != "linux", reason="file names of any bytes")
def test_the_diff_of_a_file_with_a_hostile_name_applies_and_drives_no_terminal(tmp_path):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    name = os.fsdecode(b"r\x1b]0;x\x07 \"q\" \xff\xc3\xa9.yaml")
    (tmp_path / name).write_text(
        "runbook: r\nflow: parallel\nsteps:\n  - id: a\n  - id: b\n    needs: [a]\n  - id: c\n    needs: [a, b]\n",
        encoding="utf-8",
    )
    result = subprocess.run(command("check", "--no-cache", "--diff", "."), cwd=tmp_path, capture_output=True, timeout=60)
    assert result.returncode == 1, result.stderr
    assert result.stdout.startswith(b'--- "a/r\\033]0;x\\007 \\"q\\" \\377\\303\\251.yaml"\n')
    assert b"\x1b" not in result.stdout + result.stderr
    (tmp_path / "fix.patch").write_bytes(result.stdout)
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    applied = subprocess.run(["git", "apply", "fix.patch"], cwd=tmp_path, capture_output=True, text=True)
    assert applied.returncode == 0, applied.stderr
    assert "needs: [a, b]" not in (tmp_path / name).read_text(encoding="utf-8")


def test_an_option_value_in_a_usage_error_is_neutralised(tmp_path):
    result = subprocess.run(
        command("check", "--select", "RL2\n::error::x\x1b]0;t\x07", "."), cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "\x1b" not in result.stderr
    assert not any(line.startswith("::error") for line in result.stderr.splitlines())
    assert "`RL2\\n::error::x\\x1b]0;t\\x07` is not a rule code" in result.stderr
