"""The bad-input zoo: hostile and broken files through the real CLI.

Every case runs `python -m recoverylint check` as a subprocess on a file
written at run time, and checks that the file becomes a finding (the right
code, at the right place), never a crash, a hang or a side effect:

- the finding's code, and its line and column where they are meaningful;
- exit status 1 (findings), never 2 (internal error) or a signal;
- no "Traceback" in stdout or stderr;
- the run takes well under the subprocess timeout;
- the file's bytes and mtime are unchanged, and no file appears beside it.
"""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from recoverylint import source
from recoverylint.engine import check_text
from recoverylint.source import DEFAULT_MAX_DEPTH, SourceError

# A hang must fail the test, not the whole run.
TIMEOUT = 10.0
# Generous: the interpreter's start-up and imports are most of it.
MAX_ELAPSED = 5.0


# --- running the CLI -------------------------------------------------------


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    elapsed: float
    report: dict | None = field(default=None)

    @property
    def findings(self) -> list[dict]:
        assert self.report is not None, f"no JSON report:\n{self.stdout}\n{self.stderr}"
        return self.report["findings"]


def run_cli(*args: str, cwd: Path, output_format: str | None = "json") -> Run:
    command = [sys.executable, "-m", "recoverylint", "check", *args]
    if output_format is not None:
        command += ["--format", output_format]
    env = dict(os.environ, NO_COLOR="1", PYTHONDONTWRITEBYTECODE="1")
    start = time.perf_counter()
    proc = subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT, env=env
    )
    elapsed = time.perf_counter() - start
    run = Run(proc.returncode, proc.stdout, proc.stderr, elapsed)
    if output_format == "json" and proc.stdout.strip():
        try:
            run.report = json.loads(proc.stdout)
        except json.JSONDecodeError:
            run.report = None
    return run


def snapshot(directory: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under `directory`: its bytes and its mtime (ns)."""
    files = {}
    for root, _dirs, names in os.walk(directory):
        for name in names:
            path = Path(root) / name
            files[str(path.relative_to(directory))] = (path.read_bytes(), path.stat().st_mtime_ns)
    return files


def assert_sane(run: Run) -> None:
    """No crash, no traceback, no hang: whatever the input."""
    assert "Traceback" not in run.stdout, run.stdout
    assert "Traceback" not in run.stderr, run.stderr
    assert "internal error" not in run.stderr, run.stderr
    assert run.elapsed < MAX_ELAPSED, f"took {run.elapsed:.2f}s"


@dataclass(frozen=True)
class Case:
    id: str
    content: bytes
    code: str
    line: int | None = None  # None: not meaningful for this case
    column: int | None = None
    message: str | None = None  # a fragment the message must contain
    args: tuple[str, ...] = ()
    name: str = "runbook.yaml"


def check_one_file(tmp_path: Path, case: Case) -> tuple[Run, dict]:
    """Write the case's file alone in a directory, run the CLI there on it,
    check the common properties, and return the run and its only finding."""
    home = tmp_path / "case"
    home.mkdir()
    target = home / case.name
    target.write_bytes(case.content)
    # An old mtime, so that any rewrite of the file would show.
    os.utime(target, ns=(1_000_000_000_000_000_000, 1_000_000_000_000_000_000))
    before = snapshot(home)

    run = run_cli(case.name, *case.args, cwd=home)

    assert_sane(run)
    assert run.returncode == 1, (run.returncode, run.stdout, run.stderr)
    assert snapshot(home) == before, "the check changed or created files"
    assert sorted(os.listdir(tmp_path)) == ["case"], "the check created files"
    assert run.report is not None
    assert run.report["summary"]["files"] == 1
    findings = run.findings
    assert len(findings) == 1, findings  # a broken file gets one finding, no rule runs
    found = findings[0]
    assert found["code"] == case.code, found
    assert found["path"] == case.name
    assert found["severity"] == "error"
    assert found["message"]
    if case.line is not None:
        assert found["line"] == case.line, found
    if case.column is not None:
        assert found["column"] == case.column, found
    if case.message is not None:
        assert case.message in found["message"], found
    assert (found["end_line"], found["end_column"]) >= (found["line"], found["column"])
    return run, found


# --- the zoo ---------------------------------------------------------------


def billion_laughs(levels: int = 9, width: int = 10) -> str:
    lines = ["lol0: &a0 [" + ", ".join(["lol"] * width) + "]"]
    for level in range(1, levels + 1):
        lines.append(f"lol{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * width) + "]")
    return "runbook: laughs\n" + "\n".join(lines) + "\nsteps: []\n"


def random_invalid_utf8() -> tuple[bytes, int, int]:
    """A runbook prefix, then an invalid byte, then random bytes; and where the
    invalid byte is (1-based line and column, counted in characters)."""
    prefix = "runbook: rnd\ntitle: héllo wörld "
    rng = random.Random(20240611)
    tail = bytes(rng.randrange(256) for _ in range(512))
    return prefix.encode() + b"\xff" + tail, 2, len("title: héllo wörld ") + 1


RANDOM_BYTES, RANDOM_LINE, RANDOM_COLUMN = random_invalid_utf8()
MINIMAL_RUNBOOK = "runbook: ok\nsteps:\n  - id: first\n  - id: second\n"

CASES = [
    Case(
        "syntax-error",
        b"runbook: broken\nsteps:\n  - id: a\n   title: misindented\n",
        "RL001", 4, 4, "YAML syntax error",
    ),
    Case(
        "unclosed-flow-sequence",
        b"runbook: broken\ngiven: [alert, page\nsteps: []\n",
        "RL001", message="YAML syntax error",
    ),
    Case(
        "duplicate-top-level-key",
        b"runbook: dup\ntitle: first\nsteps:\n  - id: a\ntitle: second\n",
        "RL001", 5, 1, "duplicate key `title`",
    ),
    Case(
        "duplicate-key-in-step",
        b"runbook: dup\nsteps:\n  - id: a\n    title: t\n    id: b\n",
        "RL001", 5, 5, "duplicate key `id`",
    ),
    Case("alias-bomb", billion_laughs().encode(), "RL001", message="alias"),
    Case(
        "python-object-tag",
        b'runbook: pwn\nsteps: !!python/object/apply:os.system ["touch PWNED"]\n',
        "RL001", 2, 8, "!!python/object/apply:os.system",
    ),
    Case(
        "python-object-tag-at-root",
        b'!!python/object/apply:os.system ["touch PWNED"]\n',
        "RL001", 1, 1, "not allowed",
    ),
    Case(
        "python-name-tag",
        b"runbook: pwn\ntitle: !!python/name:os.system ''\nsteps: []\n",
        "RL001", 2, 8, "not allowed",
    ),
    Case("nul-and-control-bytes", bytes(range(16)), "RL001", 1, 1, "U+0000"),
    Case(
        "control-character-mid-file",
        b"runbook: ctl\ntitle: a\x07b\nsteps: []\n",
        "RL001", 2, 9, "U+0007",
    ),
    # Old-Mac line endings: YAML (and the parser, for every other finding)
    # counts a lone CR as a line break, so the bad byte is on line 2.
    Case(
        "invalid-utf8-cr-line-endings", b"runbook: cr\rtitle: \xff\rsteps: []\r",
        "RL001", 2, 8, "invalid UTF-8",
    ),
    Case(
        "control-character-cr-line-endings", b"runbook: cr\rtitle: a\x01\rsteps: []\r",
        "RL001", 2, 9, "U+0001",
    ),
    Case(
        "invalid-utf8-crlf-line-endings", b"runbook: crlf\r\ntitle: \xff\r\nsteps: []\r\n",
        "RL001", 2, 8, "invalid UTF-8",
    ),
    Case(
        "schema-error-cr-line-endings", b"runbook: cr\rsteps: []\rcolour: red\r",
        "RL002", 3, 1, "unknown key `colour`",
    ),
    Case("png-header", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "RL001", 1, 1, "invalid UTF-8"),
    Case(
        "random-bytes-invalid-utf8", RANDOM_BYTES, "RL001", RANDOM_LINE, RANDOM_COLUMN,
        "invalid UTF-8: byte 0xff",
    ),
    Case("utf16", "runbook: wide\nsteps: []\n".encode("utf-16"), "RL001", 1, 1, "UTF-16"),
    Case("empty-file", b"", "RL003", 1, 1),
    Case("only-a-comment", b"# nothing here\n", "RL003", 1, 1),
    Case(
        "deep-brackets", b"[" * 100_000, "RL001", 1, DEFAULT_MAX_DEPTH + 1, "nesting deeper",
    ),
    Case(
        "deep-balanced-brackets", b"[" * 100_000 + b"]" * 100_000,
        "RL001", 1, DEFAULT_MAX_DEPTH + 1, "nesting deeper",
    ),
    Case("deep-block-sequence", b"- " * 100_000 + b"x\n", "RL001", 1, message="nesting deeper"),
    Case("deep-braces", b"{" * 100_000, "RL001", 1),
    Case("not-a-runbook", b"name: hello\nitems: [1, 2]\n", "RL003", 1, 1, "no top-level `runbook` key"),
    Case("top-level-list", b"- runbook: x\n- steps: []\n", "RL003", 1, 1),
    Case("top-level-scalar", b"just a sentence\n", "RL003", 1, 1),
    Case(
        "over-max-file-size", (MINIMAL_RUNBOOK + "# padding\n" * 20).encode(),
        "RL001", 1, 1, "over the limit of 100 bytes", args=("--max-file-size", "100"),
    ),
    Case(
        "two-documents",
        b"runbook: first\nsteps: []\n---\nrunbook: second\nsteps: []\n",
        "RL001", 3, 1, "second YAML document",
    ),
    Case(
        "two-explicit-documents",
        b"---\nrunbook: first\nsteps: []\n...\n---\nrunbook: second\nsteps: []\n",
        "RL001", 5, 1, "second YAML document",
    ),
    Case(
        "schema-unknown-key",
        b"runbook: sch\nsteps:\n  - id: a\n    colour: red\n",
        "RL002", 4, 5, "`$.steps[0].colour`: unknown key `colour`",
    ),
    Case(
        "schema-bad-duration",
        b"runbook: sch\nsteps:\n  - id: a\n    duration: soon\n",
        "RL002", 4, 15, "$.steps[0].duration",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_zoo(tmp_path: Path, case: Case) -> None:
    check_one_file(tmp_path, case)


def byte_at(raw: bytes, line: int, column: int) -> tuple[int, str]:
    """The byte at a 1-based line and character column of `raw`, and the
    character there when the line up to it is valid UTF-8."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    data = re.split(rb"\r\n|\r|\n", raw)[line - 1]  # YAML's line breaks
    for offset in range(len(data) + 1):
        try:
            chars = len(data[:offset].decode("utf-8"))
        except UnicodeDecodeError:
            continue
        if chars == column - 1 and offset < len(data):
            return data[offset], data[offset:].decode("utf-8", "replace")[:1]
    raise AssertionError(f"no character at {line}:{column}")


@pytest.mark.parametrize("seed", range(6))
def test_random_bytes_located_at_an_offending_byte(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    raw = bytes(rng.randrange(256) for _ in range(2048))
    _run, found = check_one_file(tmp_path, Case(f"random-{seed}", raw, "RL001"))
    byte, char = byte_at(raw, found["line"], found["column"])
    message = found["message"]
    if message.startswith("invalid UTF-8"):
        assert f"byte 0x{byte:02x}" in message, (found, byte)
    else:
        assert f"U+{ord(char):04X}" in message, (found, char)


def test_alias_bomb_points_at_an_alias(tmp_path: Path) -> None:
    text = billion_laughs()
    _run, found = check_one_file(tmp_path, Case("bomb", text.encode(), "RL001", message="alias bomb"))
    assert "*a" in text.splitlines()[found["line"] - 1]


def test_python_tag_runs_nothing(tmp_path: Path) -> None:
    content = b'runbook: pwn\nsteps: !!python/object/apply:os.system ["touch PWNED"]\n'
    check_one_file(tmp_path, Case("pwn", content, "RL001", 2, 8))
    assert not (tmp_path / "case" / "PWNED").exists()
    assert not (tmp_path / "PWNED").exists()


# --- in-process: the limits act early --------------------------------------
# (CPU time, not wall time: another process on a busy machine does not count)


def test_alias_bomb_rejected_fast_in_process() -> None:
    text = billion_laughs()
    start = time.process_time()
    with pytest.raises(SourceError, match="alias"):
        source.parse(text)
    assert time.process_time() - start < 0.5
    start = time.process_time()
    findings = check_text(text).findings
    assert time.process_time() - start < 0.5
    assert [f.code for f in findings] == ["RL001"]


@pytest.mark.parametrize(
    "text",
    ["[" * 100_000, "[" * 100_000 + "]" * 100_000, "- " * 100_000 + "x", "{" * 100_000],
    ids=["open-brackets", "balanced-brackets", "block-sequence", "braces"],
)
def test_deep_nesting_in_process(text: str) -> None:
    start = time.process_time()
    try:
        source.parse(text)
    except SourceError as error:  # anything else (RecursionError...) fails the test
        assert error.line == 1
    else:
        pytest.fail("100,000 levels of nesting were accepted")
    assert time.process_time() - start < 0.5
    assert [f.code for f in check_text(text).findings] == ["RL001"]


HUGE_NUMBERS = {
    # A plain integer longer than Python's int-to-str digit limit (4300 digits).
    "integer-over-4300-digits": ("runbook: big\nformat: " + "9" * 5000 + "\nsteps: []\n", 2),
    # Durations that are valid by the schema but overflow a float.
    "duration-400-digit-minutes": (
        "runbook: big\nsteps:\n  - id: a\n    duration: " + "9" * 400 + "\n  - id: b\n", 4
    ),
    "duration-400-digit-hours": (
        "runbook: big\nsteps:\n  - id: a\n    duration: " + "9" * 400 + "h\n  - id: b\n", 4
    ),
    "default-duration-400-digits": (
        "runbook: big\ndefault_duration: " + "9" * 400 + "\nsteps:\n  - id: a\n  - id: b\n", None
    ),
}


@pytest.mark.parametrize("text, line", HUGE_NUMBERS.values(), ids=HUGE_NUMBERS.keys())
def test_huge_numbers(tmp_path: Path, text: str, line: int | None) -> None:
    """A finding (RL001/RL002, or a rule's on the runbook), never an internal error."""
    home = tmp_path / "case"
    home.mkdir()
    (home / "big.yaml").write_text(text)
    before = snapshot(home)
    run = run_cli("big.yaml", cwd=home)
    assert_sane(run)
    assert run.returncode == 1, (run.returncode, run.stdout, run.stderr[-2000:])
    assert snapshot(home) == before
    assert run.findings
    engine = [f for f in run.findings if f["code"] in ("RL001", "RL002")]
    if engine and line is not None:
        assert engine[0]["line"] == line, engine


def test_huge_integer_in_process() -> None:
    text = "runbook: big\nformat: " + "9" * 5000 + "\nsteps: []\n"
    try:
        result = check_text(text)
    except Exception as error:  # noqa: BLE001 - the point is that nothing escapes
        pytest.fail(f"check_text raised {type(error).__name__}: {error}")
    assert result.findings and result.findings[0].span.line == 2


# --- directories, missing paths, full output --------------------------------

GOOD_BUT_IMPERFECT = """\
runbook: good-one
given: [alert]
steps:
  - id: check-disk
    inputs: [alert]
    outputs: [disk-usage]
  - id: check-logs
    inputs: [alert]
    outputs: [log-summary]
  - id: fix
    inputs: [disk-usage, log-summary]
"""
BROKEN_RUNBOOK = "runbook: broken\nsteps:\n  - id: a\n   title: misindented\n"


def test_directory_mixing_good_and_bad_files(tmp_path: Path) -> None:
    folder = tmp_path / "runbooks"
    (folder / "nested").mkdir(parents=True)
    (folder / "good.yaml").write_text(GOOD_BUT_IMPERFECT)
    (folder / "broken.yaml").write_text(BROKEN_RUNBOOK)
    # YAML that is not a runbook: skipped silently, valid or not.
    (folder / "values.yaml").write_text("replicas: 3\nimage: orders:1.2\n")
    (folder / "nested" / "config.yml").write_text("a: [1,\n  b: {\n")
    (folder / "nested" / "list.yaml").write_text("- runbook: not-top-level\n")
    (folder / "empty.yaml").write_text("")
    (folder / "README.md").write_text("runbook: this is markdown, not YAML\n")
    before = snapshot(tmp_path)

    run = run_cli("runbooks", cwd=tmp_path)

    assert_sane(run)
    assert run.returncode == 1, (run.stdout, run.stderr)
    assert snapshot(tmp_path) == before
    assert run.report is not None
    assert run.report["summary"]["files"] == 2
    by_file: dict[str, list[dict]] = {}
    for found in run.findings:
        by_file.setdefault(found["path"], []).append(found)
    assert sorted(by_file) == ["runbooks/broken.yaml", "runbooks/good.yaml"]
    assert [(f["code"], f["line"], f["column"]) for f in by_file["runbooks/broken.yaml"]] == [
        ("RL001", 4, 4)
    ]
    good_codes = {f["code"] for f in by_file["runbooks/good.yaml"]}
    assert "RL201" in good_codes
    assert "RL001" not in good_codes
    rl201 = next(f for f in by_file["runbooks/good.yaml"] if f["code"] == "RL201")
    assert rl201["line"] == 7  # at `check-logs`, the step that waits needlessly
    assert run.report["summary"]["errors"] == 1


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    run = run_cli("no-such-runbook.yaml", cwd=tmp_path)
    assert_sane(run)
    assert run.returncode == 2, (run.stdout, run.stderr)
    assert "no-such-runbook.yaml" in run.stderr
    assert "does not exist" in run.stderr
    assert run.report is None
    assert os.listdir(tmp_path) == []


def test_full_format_on_a_broken_file(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text(BROKEN_RUNBOOK)
    before = snapshot(tmp_path)
    run = run_cli("broken.yaml", cwd=tmp_path, output_format="full")
    assert_sane(run)
    assert run.returncode == 1, (run.stdout, run.stderr)
    assert "broken.yaml:4:4: RL001" in run.stdout
    assert snapshot(tmp_path) == before


def test_full_format_on_binary_file(tmp_path: Path) -> None:
    (tmp_path / "blob.yaml").write_bytes(RANDOM_BYTES)
    run = run_cli("blob.yaml", cwd=tmp_path, output_format="full")
    assert_sane(run)
    assert run.returncode == 1, (run.stdout, run.stderr)
    assert f"blob.yaml:{RANDOM_LINE}:{RANDOM_COLUMN}: RL001" in run.stdout


def test_a_stream_of_millions_of_documents_is_refused_early() -> None:
    text = "---\n" * 2_500_000  # 10 MB: the size limit alone would let it in
    start = time.process_time()
    findings = check_text(text).findings
    assert time.process_time() - start < 0.5
    assert [(f.code, f.span.line) for f in findings] == [("RL001", 1001)]
    assert "more than 1,000 YAML documents in one file" in findings[0].message


def test_a_broken_json_document_is_a_json_syntax_error(tmp_path: Path) -> None:
    """JSON is read by the YAML parser, but a `.json` file's RL001 names the
    language the file is written in; the same bytes as `.yaml` say YAML."""
    broken = b'{"schemaVersion": "0.3",\n "mainSteps": [{"name": "a", "action": "aws:sleep"}\n'
    (tmp_path / "restart.json").write_bytes(broken)
    (tmp_path / "restart.yaml").write_bytes(broken)
    run = run_cli("restart.json", "restart.yaml", "--no-cache", cwd=tmp_path)
    assert run.returncode == 1
    assert [(f["path"], f["code"], f["line"], f["message"].split(":")[0]) for f in run.findings] == [
        ("restart.json", "RL001", 3, "JSON syntax error"),
        ("restart.yaml", "RL001", 3, "YAML syntax error"),
    ]
