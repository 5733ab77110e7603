"""Reading files safely (issue 13, items 3, 10 and 19): one helper opens every
file the tool reads, and refuses what would hang, exhaust memory or follow a
link where recoverylint owns the path; each real file is checked and fixed
once, whatever names reach it."""

import ast
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_cli_fix import REDUNDANT, REDUNDANT_FIXED

from recoverylint import baseline as baseline_module
from recoverylint.cli import cli
from recoverylint.engine import check_file
from recoverylint.files import (
    LinkRefused,
    NotRegularFile,
    TooLargeFile,
    UnreadableFile,
    read_file,
    read_head,
)

PACKAGE = Path(__file__).resolve().parent.parent / "recoverylint"
EXAMPLES = PACKAGE.parent / "examples"

needs_posix = pytest.mark.skipif(os.name != "posix", reason="FIFOs, devices and O_NOFOLLOW are POSIX")


def run(*args):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def run_process(*args, cwd=None):
    """The CLI in its own process: a hang fails the test instead of stopping the suite."""
    return subprocess.run(
        [sys.executable, "-m", "recoverylint", *args],
        capture_output=True, text=True, timeout=30, cwd=cwd,
    )


# -- The helper ------------------------------------------------------------------------


@needs_posix
def test_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    # In a process of its own: opening a FIFO without O_NONBLOCK waits forever for a writer.
    code = (
        "import sys\nfrom recoverylint.files import read_file, NotRegularFile\n"
        "try:\n    read_file(sys.argv[1], 100)\nexcept NotRegularFile as error:\n    print(error)\n"
    )
    done = subprocess.run([sys.executable, "-c", code, str(fifo)], capture_output=True, text=True, timeout=30)
    assert done.stdout == f"cannot read {fifo}: not a regular file: it is a FIFO (named pipe)\n"


@needs_posix
@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_a_device_is_refused_not_read():
    with pytest.raises(NotRegularFile, match="it is a character device"):
        read_file("/dev/zero", 1 << 40)  # a limit that would never stop it: only the type does


def test_a_folder_is_refused(tmp_path):
    with pytest.raises(NotRegularFile, match="it is a folder"):
        read_file(tmp_path, 100)


def test_a_huge_sparse_file_is_refused_without_reading_it(tmp_path, monkeypatch):
    sparse = tmp_path / "sparse"
    with open(sparse, "wb") as file:
        file.truncate(3 * 1024**3)
    reads = []
    real_read = os.read
    monkeypatch.setattr(os, "read", lambda fd, n: reads.append(n) or real_read(fd, n))
    with pytest.raises(TooLargeFile, match=f"the file is {3 * 1024**3:,} bytes, over the limit of 1,000 bytes"):
        read_file(sparse, 1000)
    assert reads == []


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="needs a file whose size fstat does not tell")
def test_the_read_stops_one_byte_past_the_limit_whatever_fstat_says(monkeypatch):
    assert os.stat("/proc/self/status").st_size == 0  # fstat says empty; it is not
    read = []
    real_read = os.read
    monkeypatch.setattr(os, "read", lambda fd, n: read.append(len(real_read(fd, n))) or b"x" * read[-1])
    with pytest.raises(TooLargeFile, match="more than 10 bytes, over the limit of 10 bytes"):
        read_file("/proc/self/status", 10)
    assert sum(read) == 11


def test_a_file_within_its_limit_is_read_whole(tmp_path):
    data = bytes(range(256)) * 1000
    (tmp_path / "f").write_bytes(data)
    assert read_file(tmp_path / "f", len(data)) == data
    with pytest.raises(TooLargeFile):
        read_file(tmp_path / "f", len(data) - 1)
    assert read_head(tmp_path / "f", 10) == data[:10]


@needs_posix
def test_a_link_is_followed_only_when_asked(tmp_path):
    (tmp_path / "target").write_bytes(b"data")
    (tmp_path / "link").symlink_to("target")
    assert read_file(tmp_path / "link", 100) == b"data"
    with pytest.raises(LinkRefused, match="it is a symbolic link, which is not followed here"):
        read_file(tmp_path / "link", 100, follow_links=False)


def test_an_error_is_an_os_error_naming_the_file(tmp_path):
    missing = tmp_path / "missing.yaml"
    with pytest.raises(UnreadableFile) as caught:
        read_file(missing, 100)
    assert isinstance(caught.value, OSError) and caught.value.filename == str(missing)
    assert str(caught.value) == f"cannot read {missing}: No such file or directory"


# -- Every read of the package goes through it ------------------------------------------

# Calls that read a file some other way than recoverylint.files.
RAW_READS = {"open", "read_text", "read_bytes", "load", "fdopen", "read", "readlines"}


def raw_reads(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        function = node.func
        name = function.id if isinstance(function, ast.Name) else getattr(function, "attr", None)
        owner = ast.unparse(function.value) if isinstance(function, ast.Attribute) else ""
        if name not in RAW_READS:
            continue
        if isinstance(function, ast.Name) and name != "open":
            continue  # source.read_text / read_bytes: the package's own, built on files.read_file
        if name == "load" and owner not in ("json", "tomllib", "tomli", "yaml", "pickle"):
            continue
        if name == "read" and owner != "os":
            continue  # file.read() on what some allowed open returned
        if owner == "os" and name == "open" and "O_WRONLY" in ast.unparse(node):
            continue  # opened to write, never to read
        found.append(f"line {node.lineno}: {ast.unparse(node)[:80]}")
    return found


def test_no_module_but_files_reads_a_file_itself():
    offenders = {}
    for module in sorted(PACKAGE.rglob("*.py")):
        if module.name == "files.py" and module.parent == PACKAGE:
            continue
        found = raw_reads(ast.parse(module.read_text(encoding="utf-8")))
        if found:
            offenders[str(module.relative_to(PACKAGE))] = found
    assert offenders == {}


def test_the_scan_finds_each_way_of_reading():
    sample = textwrap.dedent(
        """\
        open(p)
        path.read_text()
        path.read_bytes()
        json.load(f)
        tomllib.load(f)
        os.fdopen(fd)
        os.read(fd, 10)
        os.open(p, os.O_RDONLY)
        path.open("rb")
        """
    )
    assert len(raw_reads(ast.parse(sample))) == 9
    allowed = 'json.loads(t)\nread_text(p)\nos.open(p, os.O_WRONLY | os.O_CREAT)\nfile.read()\n'
    assert raw_reads(ast.parse(allowed)) == []


# Modules that run programs, open connections or build objects from data.
NEVER_IMPORTED = {
    "subprocess", "socket", "ssl", "http", "urllib.request", "ftplib", "smtplib",
    "pickle", "marshal", "shelve", "dill", "ctypes", "multiprocessing.connection",
}


def forbidden(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names = [node.module or ""] + [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("eval", "exec"):
            names = [node.func.id]
        bad = [n for n in names if n in ("eval", "exec") or any(n == m or n.startswith(m + ".") for m in NEVER_IMPORTED)]
        if bad:
            found.append(f"line {node.lineno}: {bad[0]}")
    return found


def test_no_module_runs_programs_fetches_or_unpickles():
    """What docs/security.md says is never done."""
    offenders = {}
    for module in sorted(PACKAGE.rglob("*.py")):
        found = forbidden(ast.parse(module.read_text(encoding="utf-8")))
        if found:
            offenders[str(module.relative_to(PACKAGE))] = found
    assert offenders == {}


def test_the_scan_finds_each_forbidden_import():
    sample = "import subprocess\nfrom urllib import request\nimport pickle as p\neval('1')\nfrom http.client import HTTPConnection\n"
    assert len(forbidden(ast.parse(sample))) == 5
    assert forbidden(ast.parse("import json\nfrom urllib.parse import quote\nast.literal_eval('1')\n")) == []


# -- Baselines ---------------------------------------------------------------------------


@needs_posix
def test_a_fifo_baseline_is_an_error_not_a_hang(tmp_path):
    fifo = tmp_path / "baseline.json"
    os.mkfifo(fifo)
    done = run_process("check", str(EXAMPLES / "orders-db-outage.yaml"), "--baseline", str(fifo), "--no-cache")
    assert done.returncode == 2
    assert f"cannot read baseline {fifo}: not a regular file: it is a FIFO (named pipe)" in done.stderr


@needs_posix
@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_a_device_baseline_is_an_error_not_8_gb_of_memory():
    done = run_process("check", str(EXAMPLES / "orders-db-outage.yaml"), "--baseline", "/dev/zero", "--no-cache")
    assert done.returncode == 2
    assert "cannot read baseline /dev/zero: not a regular file: it is a character device" in done.stderr


def test_a_baseline_over_its_limit_is_an_error(tmp_path, monkeypatch):
    baseline = tmp_path / "baseline.json"
    assert run("check", str(EXAMPLES / "orders-db-outage.yaml"), "--write-baseline", str(baseline))[0] == 0
    monkeypatch.setattr(baseline_module, "MAX_BASELINE_SIZE", 100)
    code, output = run("check", str(EXAMPLES / "orders-db-outage.yaml"), "--baseline", str(baseline), "--no-cache")
    assert code == 2
    size = baseline.stat().st_size
    assert f"cannot read baseline {baseline}: the file is {size:,} bytes, over the limit of 100 bytes" in output


# -- UTF-32 (item 19) ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "encoding, named",
    [("utf-32", "UTF-32"), ("utf-32-le", "UTF-32"), ("utf-32-be", "UTF-32"), ("utf-16", "UTF-16"), ("utf-16-be", "UTF-16")],
)
def test_a_file_in_another_unicode_encoding_is_named_as_it_is(tmp_path, encoding, named):
    path = tmp_path / "wide.yaml"
    # A BOM on the -le/-be codecs too: that mark is what tells the encoding.
    text = "runbook: wide\nsteps: []\n"
    path.write_bytes(("\ufeff" + text).encode(encoding) if encoding.endswith(("le", "be")) else text.encode(encoding))
    (finding,) = check_file(path, "wide.yaml").findings
    assert (finding.code, finding.message) == ("RL001", f"the file is {named} encoded; recoverylint reads UTF-8 only")


# -- Each real file once (item 10) -----------------------------------------------------------


@pytest.fixture
def linked(tmp_path, monkeypatch):
    """The repro: a folder holding `current.yaml -> v3.yaml`."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "v3.yaml").write_text(REDUNDANT, encoding="utf-8")
    (tmp_path / "current.yaml").symlink_to("v3.yaml")
    return tmp_path


@needs_posix
def test_a_file_reached_through_a_link_is_fixed_once(linked):
    code, output = run("check", "--fix", ".", "--no-cache")
    assert "changed while it was being fixed" not in output
    assert (code, "Applied 1 fix in 1 file." in output) == (0, True)
    assert (linked / "v3.yaml").read_text(encoding="utf-8") == REDUNDANT_FIXED
    assert (linked / "current.yaml").is_symlink()


@needs_posix
@pytest.mark.parametrize("names", [(".",), ("current.yaml", "v3.yaml"), ("v3.yaml", "./v3.yaml", ".")])
def test_a_file_reached_by_several_names_is_reported_once_under_the_first(linked, names):
    code, output = run("check", *names, "--format", "json", "--no-cache")
    document = json.loads(output)
    assert document["summary"]["files"] == 1
    (finding,) = document["findings"]
    first = "current.yaml" if names[0] in (".", "current.yaml") else "v3.yaml"
    assert (finding["code"], finding["path"]) == ("RL203", first)


# -- docs/security.md --------------------------------------------------------------------

SECURITY = PACKAGE.parent / "docs" / "security.md"
# Units the table writes defaults in, as the code counts them.
UNITS = {"bytes": 1, "day": 24 * 60 * 60, "days": 24 * 60 * 60}


def documented_limits() -> dict[str, tuple[int, str]]:
    """`name` -> (default as the code counts it, the file it is defined in), from the table."""
    text = SECURITY.read_text(encoding="utf-8")
    table = text[text.index("| Limit | Default |") :].split("\n\n")[0].splitlines()[2:]
    rows = {}
    for row in table:
        name, default, where, _ = (cell.strip() for cell in row.strip("|").split("|"))
        number, unit = default.split(" ", 1)
        rows[name.strip("`")] = (int(number.replace(",", "")) * UNITS.get(unit, 1), where.strip("`"))
    return rows


def test_every_limit_in_the_security_page_is_the_codes():
    from dataclasses import fields

    from recoverylint import baseline, cache, config
    from recoverylint.limits import AnalysisLimits
    from recoverylint.reading import Limits

    rows = documented_limits()
    expected = {}
    for limits, module in ((Limits, "reading"), (AnalysisLimits, "limits")):
        for field in fields(limits):  # every field: a new limit must be documented
            expected[f"{limits.__name__}.{field.name}"] = (getattr(limits(), field.name), f"recoverylint/{module}.py")
    for module, names in (
        (baseline, ["MAX_BASELINE_SIZE"]),
        (cache, ["MAX_ENTRY_SIZE", "MAX_BUNDLED_FILE_SIZE", "KEEP_UNUSED", "KEEP_OTHER_TOOLS", "PRUNE_EVERY"]),
        (config, ["MAX_DURATION_MINUTES"]),
    ):
        for name in names:
            expected[name] = (getattr(module, name), f"recoverylint/{module.__name__.split('.')[-1]}.py")
    assert rows == expected


def test_the_security_page_states_no_other_figure():
    """Numbers outside the table would not be checked against the code."""
    import re

    text = SECURITY.read_text(encoding="utf-8")
    prose = text[: text.index("| Limit | Default |")]
    figures = set(re.findall(r"\b\d[\d,]*\b", prose))
    assert figures <= {"2"}  # exit status 2: a configuration or baseline error (tests above and in test_config.py)
