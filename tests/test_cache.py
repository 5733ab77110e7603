"""The per-file result cache: what it keys on, what it stores, and that no
entry it did not write whole can crash a run or change a finding."""

import errno
import json
import os
import subprocess
import sys
import textwrap
import threading
import time
import typing
from dataclasses import fields, replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import assume, example, given
from hypothesis import strategies as st

from recoverylint import cache as cache_module
from recoverylint import runner as runner_module
from recoverylint.cache import (
    CACHEDIR_TAG,
    DAY,
    KEEP_UNUSED,
    PRUNE_STAMP,
    ResultCache,
)
from recoverylint.cli import cli
from recoverylint.console import run_console
from recoverylint.durations import MeasuredDurations, exactly
from recoverylint.engine import FileResult, check_file
from recoverylint.files import write_new
from recoverylint.finding import (
    Edit,
    Finding,
    Fix,
    MakeFlowParallel,
    RemoveNeed,
    RemoveNeeds,
    Severity,
)
from recoverylint.model import DurationBasis
from recoverylint.report import PART_WRITERS, WrittenFindings, format_names, written_findings
from recoverylint.settings import Settings
from recoverylint.source import Limits

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

# One finding of each shape: a suppressed one, a safe fix (RemoveNeed), an
# unsafe one (MakeFlowParallel).
SHAPES = textwrap.dedent(
    """\
    runbook: shapes
    given: [alert]
    steps:
      - id: a
        inputs: [alert]
        outputs: [x, unused]  # recoverylint: disable=RL105
      - id: b
        inputs: [x]
      - id: c
        outputs: [y]
        needs: [a]
      - id: d
        inputs: [y]
    """
)
# Files whose result is not a plain list of findings, as bytes.
ODD_FILES = {
    "bom.yaml": b"\xef\xbb\xbf" + SHAPES.encode(),
    "not-yaml.yaml": b"runbook: [unclosed\n",
    "latin1.yaml": "runbook: caf\xe9\n".encode("latin-1"),
    "invalid.yaml": b"runbook: r\nsteps: 3\n",
    "not-a-runbook.yaml": b"name: some other tool's file\n",
}


@pytest.fixture(autouse=True)
def no_kept_runs(request, monkeypatch):
    """No run keeps its results whole (see cache's Runs) but in the tests
    asking for it (`keeps_runs`): whether one is kept depends on whether the
    test's files were written two seconds before its run (RACY_SECONDS),
    which a slow machine decides, and the other tests count entries."""
    if "keeps_runs" not in request.fixturenames:
        monkeypatch.setattr(ResultCache, "put_run", lambda self, run, statuses, results: None)


@pytest.fixture
def keeps_runs():
    """This test's runs keep their results whole (see no_kept_runs)."""


@pytest.fixture
def runbooks(tmp_path):
    """Every example, plus SHAPES and ODD_FILES, as files in one folder."""
    folder = tmp_path / "runbooks"
    folder.mkdir()
    for runbook in sorted(EXAMPLES.glob("*.yaml")):
        (folder / runbook.name).write_bytes(runbook.read_bytes())
    (folder / "shapes.yaml").write_text(SHAPES, encoding="utf-8")
    for name, data in ODD_FILES.items():
        (folder / name).write_bytes(data)
    return sorted(folder.iterdir())


@pytest.fixture
def cache(tmp_path):
    return ResultCache(tmp_path / ".recoverylint_cache")


def stored(cache, path, explicit=True, settings=None, limits=None):
    """Check `path` afresh, store the result, and return (key, fresh result)."""
    settings, limits = settings or Settings(), limits or Limits()
    data = path.read_bytes()
    fresh = check_file(path, str(path), explicit, limits, settings)
    key = cache.key(data, settings, limits, explicit)
    cache.put(key, fresh)
    return key, fresh


def hit_of(cache, key, display_path, data=None):
    """The stored result of `key`, its findings shown at `display_path` (None on a miss)."""
    entry = cache.read(key)
    return None if entry is None else entry.result(display_path, data)


def written_of(cache, key, display_path, formats):
    """The stored result of `key` and its findings as written in `formats` for
    `display_path`, as a warm run of those formats reads them (None on a miss)."""
    entry = cache.read(key, display_path, formats)
    return None if entry is None else entry.written(display_path, formats)


def assert_same(hit, fresh):
    """Every field `check` uses; `runbook` and `graphs` are never stored, and
    the text only serves to show the lines of findings (what a user sees of
    it, in every output format, is compared through the command line below)."""
    assert hit is not None
    assert hit.path == fresh.path
    assert hit.findings == fresh.findings  # each Finding compares all of its fields
    assert (hit.skipped, hit.format, hit.suppressed, hit.internal_error) == (
        fresh.skipped,
        fresh.format,
        fresh.suppressed,
        fresh.internal_error,
    )
    assert hit.text == (fresh.text if fresh.findings else None)


def entry_files(cache):
    return sorted(cache.directory.glob("*/*/*.json"))


# An entry is a JSON header line, the findings' JSON, then the written parts.
HEADER_FIELDS = ("key", "skipped", "format", "suppressed", "text", "counts", "parts")


def read_entry(entry):
    """An entry without parts, as one dict of its header's and findings' fields."""
    header, body = entry.read_bytes().split(b"\n", 1)
    return {**json.loads(header), **json.loads(body)}


def entry_of(fields):
    """The bytes of an entry of `fields` (HEADER_FIELDS and the findings'):
    no parts, and the counts of the findings' severities unless given."""
    findings = fields.get("findings")
    rows = findings if isinstance(findings, list) else []
    counts = [sum(isinstance(r, list) and len(r) > 1 and r[1] == s for r in rows) for s in ("error", "warning", "info")]
    header = {"counts": counts, "parts": [], **{k: v for k, v in fields.items() if k in HEADER_FIELDS}}
    body = {k: v for k, v in fields.items() if k not in HEADER_FIELDS}
    return json.dumps(header).encode() + b"\n" + json.dumps(body).encode()


# -- What is stored ------------------------------------------------------------


def test_the_stored_shapes_are_the_ones_this_test_knows():
    # The cache writes each field explicitly: when one of these changes,
    # teach recoverylint/cache.py the new field, then update this list.
    assert [f.name for f in fields(Finding)] == [
        "code", "name", "severity", "message", "path", "span",
        "suggestion", "steps", "related", "fix",
    ]  # fmt: skip
    assert [f.name for f in fields(FileResult)] == [
        "path", "findings", "runbook", "text", "internal_error", "skipped", "format", "suppressed",
        "graphs",
    ]  # fmt: skip
    assert [f.name for f in fields(Fix)] == ["description", "safe", "edit"]
    assert typing.get_args(Edit) == (RemoveNeed, RemoveNeeds, MakeFlowParallel)


@pytest.mark.parametrize("explicit", [True, False])
def test_a_hit_equals_a_fresh_check_of_every_example(cache, runbooks, explicit):
    seen = set()
    for path in runbooks:
        key, fresh = stored(cache, path, explicit)
        assert_same(hit_of(cache, key, str(path), path.read_bytes()), fresh)
        for f in fresh.findings:
            seen |= {f.code}
            seen |= {"related"} if f.related else set()
            seen |= {"suggestion"} if f.suggestion else set()
            seen |= {type(f.fix.edit).__name__} if f.fix else set()
        seen |= {"suppressed"} if fresh.suppressed else set()
        seen |= {"skipped"} if fresh.skipped else set()
        seen |= {"no text"} if fresh.text is None and not fresh.skipped else set()
        seen |= {"clean"} if fresh.text is not None and not fresh.findings else set()
    wanted = {"related", "suggestion", "RemoveNeed", "MakeFlowParallel", "suppressed", "RL001", "RL002", "clean"}
    wanted |= {"RL003", "no text"} if explicit else {"skipped"}
    assert wanted <= seen


def test_the_display_path_is_the_callers(cache, runbooks):
    path = runbooks[0]
    key, fresh = stored(cache, path)
    assert fresh.findings
    hit = hit_of(cache, key, "elsewhere/copy.yaml", path.read_bytes())
    assert hit.path == "elsewhere/copy.yaml"
    assert {f.path for f in hit.findings} == {"elsewhere/copy.yaml"}
    assert hit.findings == [replace(f, path="elsewhere/copy.yaml") for f in fresh.findings]
    assert str(path) not in entry_files(cache)[0].read_text(encoding="utf-8")


def test_the_text_comes_back_only_from_the_bytes_given(cache, tmp_path):
    path = tmp_path / "bom.yaml"
    path.write_bytes(ODD_FILES["bom.yaml"])
    key, fresh = stored(cache, path)
    assert fresh.text is not None and not fresh.text.startswith("\ufeff")
    assert hit_of(cache, key, str(path), path.read_bytes()).text == fresh.text
    assert hit_of(cache, key, str(path)).text is None  # then the report reads the file itself


def test_internal_errors_are_never_stored(cache, tmp_path):
    broken = FileResult("x.yaml", internal_error="Traceback ...")
    key = cache.key(b"runbook: x\n", Settings(), Limits(), True)
    cache.put(key, broken)
    assert hit_of(cache, key, "x.yaml") is None
    assert entry_files(cache) == []


def test_entries_are_plain_json(cache, runbooks):
    key, fresh = stored(cache, runbooks[0])
    (entry,) = entry_files(cache)
    stored_entry = read_entry(entry)
    assert stored_entry["key"] == key and stored_entry["parts"] == [] and "shown" not in stored_entry
    assert len(stored_entry["findings"]) == len(fresh.findings) == sum(stored_entry["counts"])


# -- What the key depends on -----------------------------------------------------


def changed_settings():
    """One change of each field of Settings (a new field must be added here)."""
    changes = {
        "select": Settings(select=("RL2",)),
        "ignore": Settings(ignore=("RL105",)),
        "severity": Settings(severity={"RL501": Severity.ERROR}),
        "default_duration": Settings(default_duration=10.0),
        "span_of_control": Settings(span_of_control=3),
        "input_format": Settings(input_format="native"),
        "cost_currency": Settings(cost_currency="EUR"),
        "durations": Settings(
            durations=MeasuredDurations({"disk-full": {"check-disk": exactly(3.0, DurationBasis.MEASURED)}})
        ),
    }
    assert set(changes) == {f.name for f in fields(Settings)}
    return changes


@pytest.mark.parametrize("name", sorted(changed_settings()))
def test_a_change_of_settings_is_a_miss(cache, runbooks, name):
    path = EXAMPLES / "checklist-disk-full.yaml"
    key, _ = stored(cache, path)
    settings = changed_settings()[name]
    other = cache.key(path.read_bytes(), settings, Limits(), True)
    assert other != key
    assert hit_of(cache, other, str(path)) is None


def test_severity_overrides_are_keyed_by_content_not_order(cache):
    data = b"runbook: r\n"
    one = Settings(severity={"RL501": Severity.ERROR, "RL105": Severity.INFO})
    other = Settings(severity={"RL105": Severity.INFO, "RL501": Severity.ERROR})
    assert cache.key(data, one, Limits(), True) == cache.key(data, other, Limits(), True)
    changed = Settings(severity={"RL105": Severity.INFO, "RL501": Severity.WARNING})
    assert cache.key(data, one, Limits(), True) != cache.key(data, changed, Limits(), True)


@pytest.mark.parametrize(
    "limits",
    [
        Limits(max_file_size=1000),
        Limits(max_depth=10),
        Limits(max_alias_nodes=5),
        Limits(max_documents=2),
    ],
    ids=["max_file_size", "max_depth", "max_alias_nodes", "max_documents"],
)
def test_a_change_of_limits_is_a_miss(cache, limits):
    assert {f.name for f in fields(Limits)} == {
        "max_file_size", "max_depth", "max_alias_nodes", "max_documents",
    }
    path = EXAMPLES / "checklist-disk-full.yaml"
    key, _ = stored(cache, path)
    other = cache.key(path.read_bytes(), Settings(), limits, True)
    assert other != key
    assert hit_of(cache, other, str(path)) is None


def test_a_change_of_the_files_bytes_is_a_miss(cache, tmp_path):
    path = tmp_path / "r.yaml"
    path.write_bytes((EXAMPLES / "checklist-disk-full.yaml").read_bytes())
    key, _ = stored(cache, path)
    path.write_bytes(path.read_bytes().replace(b"check-disk", b"check-disks"))
    other = cache.key(path.read_bytes(), Settings(), Limits(), True)
    assert other != key
    assert hit_of(cache, other, str(path)) is None


def test_being_named_explicitly_is_part_of_the_key(cache, tmp_path):
    path = tmp_path / "other.yaml"
    path.write_bytes(ODD_FILES["not-a-runbook.yaml"])
    named, as_named = stored(cache, path, explicit=True)
    found, as_found = stored(cache, path, explicit=False)
    assert named != found
    assert [f.code for f in hit_of(cache, named, str(path)).findings] == ["RL003"]
    assert hit_of(cache, found, str(path)).skipped
    assert ([f.code for f in as_named.findings], as_found.skipped) == (["RL003"], True)


def test_another_state_of_the_tool_is_a_miss(tmp_path):
    directory = tmp_path / "cache"
    path = EXAMPLES / "checklist-disk-full.yaml"
    before = ResultCache(directory, tool="a" * 64)
    key, _ = stored(before, path)
    after = ResultCache(directory, tool="b" * 64)
    assert after.key(path.read_bytes(), Settings(), Limits(), True) != key
    assert hit_of(after, key, str(path)) is None  # even asked for the old key
    assert hit_of(before, key, str(path)) is not None


def test_the_fingerprint_follows_the_code(tmp_path, monkeypatch):
    """A copy of the package with one byte changed has another fingerprint."""
    import recoverylint

    package = Path(recoverylint.__file__).parent
    copy = tmp_path / "recoverylint"
    copy.mkdir()
    for file in package.rglob("*.py"):
        target = copy / file.relative_to(package)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(file.read_bytes())
    fingerprint = """
import sys
sys.path.insert(0, sys.argv[1])
from recoverylint.cache import tool_fingerprint
print(tool_fingerprint())
"""

    def fingerprint_of_copy() -> str:
        # The copy has no rules/ and schemas/ beside it: data_dir looks beside the package.
        for name in ("rules", "schemas"):
            if not (tmp_path / name).exists():
                (tmp_path / name).symlink_to(package.parent / name)
        done = subprocess.run(
            [sys.executable, "-c", fingerprint, str(tmp_path)],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        return done.stdout.strip()

    first = fingerprint_of_copy()
    assert first == fingerprint_of_copy()
    rule = copy / "rules" / "rl201.py"
    rule.write_text(rule.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert fingerprint_of_copy() != first


KEY_IN_A_PROCESS = """
import json, sys
from pathlib import Path
from recoverylint.cache import ResultCache, _canonical, tool_fingerprint
from recoverylint.finding import Severity
from recoverylint.settings import Settings
from recoverylint.source import Limits

settings = Settings(
    select=("RL2", "RL3", "RL501"),
    ignore=("RL201", "RL305"),
    severity={code: Severity.ERROR for code in ("RL501", "RL105", "RL303", "RL201", "RL701")},
    default_duration=7.5,
)
cache = ResultCache(Path(sys.argv[1]))
print(json.dumps({
    "tool": tool_fingerprint(),
    "key": cache.key(b"runbook: r\\n", settings, Limits(max_depth=50), False),
    "set": _canonical(frozenset({"RL501", "RL105", "RL303", "RL201", "RL701", "b", "a"})),
}))
"""


def test_keys_are_the_same_in_every_process(tmp_path):
    seen = []
    for seed in ("1", "2", "12345"):
        done = subprocess.run(
            [sys.executable, "-c", KEY_IN_A_PROCESS, str(tmp_path / "cache")],
            capture_output=True,
            text=True,
            check=True,
            env=dict(os.environ, PYTHONHASHSEED=seed),
        )
        seen.append(json.loads(done.stdout))
    assert seen[0] == seen[1] == seen[2]
    assert seen[0]["set"] == sorted(seen[0]["set"])


def test_a_setting_of_an_unknown_type_is_refused_not_ignored(cache):
    class Unknown:
        pass

    with pytest.raises(TypeError):
        cache.key(b"", replace(Settings(), span_of_control=Unknown()), Limits(), True)


# -- Entries it did not write whole ---------------------------------------------


def bad_entries(key):
    """Files that are not an entry of `key` as this module writes it."""
    good = {"key": key, "skipped": False, "format": "native", "suppressed": 0, "text": False, "fixes": [], "findings": []}
    # A finding without its path, name and fix: code, severity, message, span,
    # suggestion, steps, related; then the index of its fix.
    row = ["RL201", "warning", "m", [1, 2, 1, 3], None, ["a"], [], None]
    fix = ["d", True, ["RemoveNeed", "a", "b", 0]]

    def entry(**changes):
        return entry_of(dict(good, **changes))

    def finding(index, value):
        return entry(findings=[row[:index] + [value] + row[index + 1 :]])

    def span(index, value):
        return finding(3, [1, 2, 1, 3][:index] + [value] + [1, 2, 1, 3][index + 1 :])

    return {
        "empty": b"",
        "not json": b"\x80\x81 not json",
        "truncated": entry(findings=[row])[:-7],
        "null": b"null",
        "a list": b"[1, 2, 3]",
        "another key": entry(key="0" * 64),
        "no findings": entry_of({k: v for k, v in good.items() if k != "findings"}),
        "no header line": json.dumps(good).encode(),
        "counts not the findings'": entry(findings=[row], counts=[1, 0, 0]),
        "parts past the start": entry(parts=[["json", 10_000]]),
        "a part of no length": entry(parts=[["json", "1"]]),
        "findings not a list": entry(findings={"0": row}),
        "suppressed a string": entry(suppressed="1"),
        "suppressed negative": entry(suppressed=-1),
        "skipped a number": entry(skipped=1),
        "a short finding": entry(findings=[row[:-2] + row[-1:]]),
        "an empty finding": entry(findings=[[]]),
        "a finding as an object": entry(findings=[dict(enumerate(row))]),
        "an unknown severity": finding(1, "fatal"),
        "a severity that is a list": finding(1, ["warning"]),
        "a line that is true": span(0, True),
        "a line that is a float": span(0, 1.0),
        "a span of three": finding(3, [1, 2, 1]),
        "a span as an object": finding(3, {"line": 1, "column": 2, "end_line": 1, "end_column": 3}),
        "a message that is null": finding(2, None),
        # What a check could not give: SARIF would look the rule up and crash.
        "a rule not in the catalog": finding(0, "RL999"),
        "a code that is a list": finding(0, ["RL201"]),
        "a finding of its code alone": entry(findings=[["RL201", None]]),
        "an input format not read": entry(format="cobol"),
        "line 0": span(0, 0),
        "column 0": span(1, 0),
        "ending on a line before it starts": span(2, 0),
        "ending before it starts on its line": span(3, 1),
        "a related place at line 0": finding(6, [["m", [0, 1, 1, 2]]]),
        "a step that is a number": finding(5, [1]),
        "related not a list": finding(6, "x"),
        "a related place too short": finding(6, [["m", [1, 2, 3]]]),
        "a related place flat": finding(6, [["m", 1, 2, 1, 3]]),
        "a fix past the end": finding(7, 0),
        "a fix at -1": entry(fixes=[fix], findings=[row[:7] + [-1]]),
        "a fix that is true": entry(fixes=[fix], findings=[row[:7] + [True]]),
        "an unknown edit": entry(fixes=[["d", True, ["Rewrite", "a"]]]),
        "an edit without its kind": entry(fixes=[["d", True, ["a", "b", 0]]]),
        "an edit of another kind's fields": entry(fixes=[["d", True, ["RemoveNeeds", "a", "b", 0]]]),
        "an occurrence at -1": entry(fixes=[["d", True, ["RemoveNeed", "a", "b", -1]]]),
        "a fix as an object": entry(fixes=[{"description": "d", "safe": True, "edit": fix[2]}]),
        "a parallel edit of triples": entry(fixes=[["d", True, ["MakeFlowParallel", [["a", [], "x"]]]]]),
        "nested a million deep": b"[" * 1_000_000 + b"]" * 1_000_000,
    }


@pytest.mark.parametrize("name", sorted(bad_entries("k")))
def test_an_entry_not_written_whole_is_a_miss(cache, name):
    data = b"runbook: r\n"
    key = cache.key(data, Settings(), Limits(), True)
    entry = cache._entry(key)
    entry.parent.mkdir(parents=True, exist_ok=True)
    entry.write_bytes(bad_entries(key)[name])
    assert hit_of(cache, key, "r.yaml", data) is None


def test_the_bad_entries_differ_from_a_good_one_only_in_their_fault(cache):
    """The good entry that `bad_entries` spoils is read back: each bad one is
    a miss for its fault, not for a mistake in the test."""
    key = cache.key(b"runbook: r\n", Settings(), Limits(), True)
    good = {
        "key": key, "skipped": False, "format": "native", "suppressed": 0, "text": False,
        "fixes": [["d", True, ["RemoveNeed", "a", "b", 0]], ["e", False, ["MakeFlowParallel", [["a", []], ["b", ["a"]]]]]],
        "findings": [["RL201", "warning", "m", [1, 2, 1, 3], None, ["a"], [["r", [1, 1, 1, 2]]], 0],
                     ["RL201", "warning", "n", [2, 2, 2, 3], "s", [], [], 1]],
    }  # fmt: skip
    entry = cache._entry(key)
    entry.parent.mkdir(parents=True, exist_ok=True)
    entry.write_bytes(entry_of(good))
    hit, other = hit_of(cache, key, "r.yaml").findings
    assert (hit.code, hit.path, hit.span.column, hit.steps, hit.related[0].message) == ("RL201", "r.yaml", 2, ("a",), "r")
    assert hit.name == other.name == "false-sequential-gate"  # the catalog's, not stored
    assert hit.fix == Fix("d", True, RemoveNeed("a", "b", 0))
    assert (other.suggestion, other.fix) == ("s", Fix("e", False, MakeFlowParallel((("a", ()), ("b", ("a",))))))


# -- The directory ---------------------------------------------------------------


def test_the_directory_says_it_is_a_cache(cache):
    assert (cache.directory / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"
    tag = (cache.directory / "CACHEDIR.TAG").read_bytes()
    assert tag.startswith(b"Signature: 8a477f597d28d172789f06886806bc55")
    assert tag.decode() == CACHEDIR_TAG


def test_entries_are_sharded_by_key_and_leave_no_temporary_files(cache, runbooks):
    for path in runbooks:
        key, _ = stored(cache, path)
        entry = cache._entry(key)
        assert entry.is_file()
        assert (entry.parent.name, entry.name) == (key[:2], f"{key[2:]}.json")
    assert not list(cache.directory.rglob("*.tmp"))


def test_a_directory_that_cannot_be_created_turns_caching_off(tmp_path, runbooks):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    cache = ResultCache(blocker / ".recoverylint_cache")
    assert cache.note and "cannot write" in cache.note
    key, _ = stored(cache, runbooks[0])  # no exception
    assert hit_of(cache, key, str(runbooks[0])) is None


def test_a_failed_write_turns_caching_off_for_the_run(cache, runbooks, monkeypatch):
    def read_only(name, data, dir_fd, mode=0o666):
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(cache_module, "write_new", read_only)
    stored(cache, runbooks[0])
    assert cache.note and "Read-only file system" in cache.note
    monkeypatch.undo()
    stored(cache, runbooks[1])  # writing stays off for this run
    assert entry_files(cache) == []


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs a user that permissions apply to")
def test_a_read_only_cache_is_still_read(tmp_path, runbooks):
    directory = tmp_path / "cache"
    key, fresh = stored(ResultCache(directory), runbooks[0])
    for folder in (directory, *directory.rglob("*")):
        if folder.is_dir():
            folder.chmod(0o555)
    try:
        cache = ResultCache(directory)
        assert_same(hit_of(cache, key, str(runbooks[0]), runbooks[0].read_bytes()), fresh)
        stored(cache, runbooks[1])
        assert cache.note
    finally:
        for folder in (directory, *directory.rglob("*")):
            if folder.is_dir():
                folder.chmod(0o755)


def test_parallel_writers_of_one_key_never_show_a_reader_a_torn_entry(cache, runbooks):
    path = EXAMPLES / "parallel-deploy-races.yaml"
    key, fresh = stored(cache, path)
    failures = []

    def write():
        for _ in range(100):
            cache.put(key, fresh)

    def read():
        for _ in range(300):
            hit = hit_of(cache, key, str(path), path.read_bytes())
            if hit is None or hit.findings != fresh.findings:
                failures.append(hit)

    threads = [threading.Thread(target=write) for _ in range(3)] + [threading.Thread(target=read)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert len(entry_files(cache)) == 1 and not list(cache.directory.rglob("*.tmp"))


# -- Cleaning ---------------------------------------------------------------------


def age(path: Path, days: float) -> None:
    then = time.time() - days * DAY
    os.utime(path, (then, then))


def test_cleaning_deletes_what_was_not_used_and_only_that(tmp_path, runbooks):
    directory = tmp_path / "cache"
    current = ResultCache(directory, tool="a" * 64)
    old_key, _ = stored(current, runbooks[0])
    fresh_key, _ = stored(current, runbooks[1])
    age(current._entry(old_key), KEEP_UNUSED / DAY + 1)
    age(current._entry(fresh_key), KEEP_UNUSED / DAY - 1)
    stale_tool = ResultCache(directory, tool="b" * 64)
    stored(stale_tool, runbooks[0])
    age(stale_tool._entries, 2)
    busy_tool = ResultCache(directory, tool="c" * 64)
    stored(busy_tool, runbooks[0])
    foreign = directory / "notes.txt"
    foreign.write_text("not the cache's")
    age(foreign, 400)

    age(directory / PRUNE_STAMP, 0.5)
    ResultCache(directory, tool="a" * 64)  # cleaned less than a day ago: nothing happens
    assert current._entry(old_key).exists() and stale_tool._entries.exists()

    age(directory / PRUNE_STAMP, 1.5)
    ResultCache(directory, tool="a" * 64)
    assert not current._entry(old_key).exists()
    assert current._entry(fresh_key).exists()
    assert not stale_tool._entries.exists()
    assert busy_tool._entries.exists()
    assert foreign.exists()
    assert time.time() - (directory / PRUNE_STAMP).stat().st_mtime < 60


def test_a_hit_marks_its_entry_used(cache, runbooks):
    key, _ = stored(cache, runbooks[0])
    age(cache._entry(key), 10)
    assert hit_of(ResultCache(cache.directory), key, "r.yaml") is not None
    assert time.time() - cache._entry(key).stat().st_mtime < 60


# -- Through the command line ------------------------------------------------------

CLI_HAS_CACHE = any("--no-cache" in p.opts for p in cli.commands["check"].params)
needs_cli_cache = pytest.mark.skipif(not CLI_HAS_CACHE, reason="`check --no-cache` is not wired yet")


@pytest.fixture
def in_tmp(tmp_path, monkeypatch, runbooks):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("RECOVERYLINT_CACHE_DIR", raising=False)
    return tmp_path


def run_check(*args):
    result = CliRunner().invoke(cli, ["check", *args], catch_exceptions=False)
    return result.exit_code, result.output


@needs_cli_cache
@pytest.mark.parametrize("output_format", format_names("check"))
def test_a_warm_run_prints_what_a_cold_one_does(in_tmp, output_format):
    cold = run_check("runbooks", "--format", output_format, "--no-cache")
    assert not (in_tmp / ".recoverylint_cache").exists()
    filling = run_check("runbooks", "--format", output_format)
    assert list((in_tmp / ".recoverylint_cache").glob("*/*/*.json"))
    warm = run_check("runbooks", "--format", output_format)
    assert cold == filling == warm


@needs_cli_cache
def test_fail_on_applies_to_cached_findings(in_tmp):
    target = "runbooks/orders-db-outage.yaml"  # warnings and infos, no errors
    assert run_check(target)[0] == 1
    assert run_check(target, "--fail-on", "error")[0] == 0
    assert run_check(target, "--fail-on", "warning")[0] == 1


# -- Reports joined from stored parts (issue 16: a warm run of 0.05 of a cold one) --


@needs_cli_cache
@pytest.mark.parametrize("output_format", sorted(PART_WRITERS))
def test_a_warm_run_of_a_part_format_decodes_no_finding(in_tmp, monkeypatch, output_format):
    cold = run_check("runbooks", "--format", output_format, "--no-cache")
    assert run_check("runbooks", "--format", output_format) == cold  # filling: parts written and stored

    def no_decoding(*args):
        raise AssertionError("a finding was decoded")

    with monkeypatch.context() as patched:
        patched.setattr(cache_module, "_result_from_json", no_decoding)
        assert run_check("runbooks", "--format", output_format) == cold
    # The same entries serve the formats that need the findings themselves.
    for other in ("full", "sarif"):
        assert run_check("runbooks", "--format", other) == run_check("runbooks", "--format", other, "--no-cache")


@needs_cli_cache
@pytest.mark.parametrize("output_format", sorted(PART_WRITERS))
def test_a_report_of_parts_written_to_a_file_or_beside_another_is_the_same(in_tmp, output_format):
    def stdout(*args):
        result = CliRunner().invoke(cli, ["check", "runbooks", *args], catch_exceptions=False)
        return result.exit_code, result.stdout

    code, cold = stdout("--format", output_format, "--no-cache")
    for _ in ("filling", "warm"):
        assert stdout("--format", output_format, "-o", "out.txt") == (code, "")
        assert (in_tmp / "out.txt").read_text(encoding="utf-8") == cold
        assert stdout("--format", output_format, "--report", f"full:{in_tmp / 'full.txt'}") == (code, cold)
        stdout("--no-cache", "-o", "full-alone.txt")
        assert (in_tmp / "full.txt").read_text(encoding="utf-8") == (in_tmp / "full-alone.txt").read_text(encoding="utf-8")


@needs_cli_cache
def test_parts_written_for_another_path_are_written_again_for_this_one(in_tmp):
    assert run_check("runbooks", "--format", "json")[0] == 1
    (in_tmp / "runbooks").rename(in_tmp / "moved")  # the same bytes: the same entries
    moved = run_check("moved", "--format", "json")
    assert "moved/" in moved[1] and "runbooks/" not in moved[1]
    assert moved == run_check("moved", "--format", "json", "--no-cache")
    assert run_check("moved", "--format", "json") == moved  # the entries now hold this path's parts


@needs_cli_cache
@pytest.mark.parametrize("output_format", sorted(PART_WRITERS))
def test_fail_on_applies_to_findings_kept_written(in_tmp, output_format):
    target = "runbooks/orders-db-outage.yaml"  # warnings and infos, no errors
    for _ in ("filling", "warm"):
        assert run_check(target, "--format", output_format)[0] == 1
        assert run_check(target, "--format", output_format, "--fail-on", "error")[0] == 0
        assert run_check(target, "--format", output_format, "--fail-on", "warning")[0] == 1
        assert run_check(target, "--format", output_format, "--exit-zero")[0] == 0


@pytest.mark.parametrize(
    "character", ["\x1b", "\x07", "\r", "\x00", "\x7f", "\x9b", "\u200e", "\u2028", "\u202e", "\u2066"]
)
def test_a_stored_part_that_would_act_on_a_terminal_is_a_miss(cache, runbooks, character):
    path = EXAMPLES / "orders-db-outage.yaml"
    key, fresh = stored(cache, path)
    honest = written_findings(sorted(fresh.findings, key=lambda f: f.sort_key), ("json",))
    first = fresh.findings[0].message
    assert b"\\u001b" not in honest.parts["json"]
    escaped = replace(honest, parts={"json": honest.parts["json"].replace(first.encode(), b"m\\u001b", 1)})
    cache.put(key, fresh, escaped)
    assert written_of(cache, key, str(path), ("json",)) == (written_of(cache, key, str(path), ())[0], escaped)
    forged = replace(honest, parts={"json": honest.parts["json"].replace(first.encode(), f"m{character}".encode(), 1)})
    cache.put(key, fresh, forged)
    assert written_of(cache, key, str(path), ("json",)) is None
    assert_same(hit_of(cache, key, str(path), path.read_bytes()), fresh)  # the findings are still read


@pytest.mark.parametrize("character", ["\x1b", "\x7f", "\x9b", "\u202e", "\t", "é", "…"])
def test_a_stored_json_lines_part_is_printable_ascii(cache, character):
    """json-lines writes ASCII (every other character escaped) and one record a
    line: a stored part holding anything else, acting on a terminal or not, is
    a miss."""
    path = EXAMPLES / "orders-db-outage.yaml"
    key, fresh = stored(cache, path)
    honest = written_findings(sorted(fresh.findings, key=lambda f: f.sort_key), ("json-lines",))
    cache.put(key, fresh, honest)
    assert written_of(cache, key, str(path), ("json-lines",))[1] == honest
    first = fresh.findings[0].message
    forged = honest.parts["json-lines"].replace(first.encode(), f"m{character}".encode(), 1)
    cache.put(key, fresh, replace(honest, parts={"json-lines": forged}))
    assert written_of(cache, key, str(path), ("json-lines",)) is None
    assert_same(hit_of(cache, key, str(path), path.read_bytes()), fresh)  # the findings are still read


def test_parts_of_other_formats_or_paths_are_not_given(cache):
    path = EXAMPLES / "orders-db-outage.yaml"
    key, fresh = stored(cache, path)
    assert written_of(cache, key, str(path), ("json",)) is None  # stored without parts
    json_part = b'{"code": "RL101"}, {"code": "RL102"}'
    cache.put(key, fresh, WrittenFindings({"json": json_part}, 0, 1, 1))
    assert written_of(cache, key, str(path), ("json-lines",)) is None
    assert written_of(cache, key, "elsewhere.yaml", ("json",)) is None
    result, written = written_of(cache, key, str(path), ("json",))
    assert (result.path, result.findings, written.parts) == (str(path), [], {"json": json_part})


def no_decoding(*args):
    raise AssertionError("a finding was decoded")


def copies(folder, count):
    """`count` files of the same bytes (one entry) in `folder`."""
    folder.mkdir()
    for number in range(count):
        (folder / f"copy-{number}.yaml").write_bytes((EXAMPLES / "orders-db-outage.yaml").read_bytes())


@needs_cli_cache
def test_identical_files_are_warm_from_the_third_run(in_tmp, monkeypatch):
    copies(in_tmp / "copies", 2)
    cold = run_check("copies", "--format", "json", "--no-cache")
    assert run_check("copies", "--format", "json") == cold  # both checked; one path's parts stored
    assert run_check("copies", "--format", "json") == cold  # the other path's parts added beside them
    with monkeypatch.context() as patched:
        patched.setattr(cache_module, "_result_from_json", no_decoding)
        patched.setattr(cache_module, "write_new", no_decoding)
        assert run_check("copies", "--format", "json") == cold


@needs_cli_cache
def test_alternating_part_formats_stay_warm(in_tmp, monkeypatch):
    cold = {name: run_check("runbooks", "--format", name, "--no-cache") for name in ("json", "json-lines")}
    for name in ("json", "json-lines"):
        assert run_check("runbooks", "--format", name) == cold[name]  # the json-lines parts join the json ones
    with monkeypatch.context() as patched:
        patched.setattr(cache_module, "_result_from_json", no_decoding)
        patched.setattr(cache_module, "write_new", no_decoding)
        for name in ("json", "json-lines", "json"):
            assert run_check("runbooks", "--format", name) == cold[name]


@needs_cli_cache
def test_many_copies_rewrite_their_entry_once_a_run_and_keep_a_few_paths(in_tmp, monkeypatch):
    copies(in_tmp / "copies", cache_module.MAX_SHOWN_PATHS + 2)
    cold = run_check("copies", "--format", "json", "--no-cache")
    assert run_check("copies", "--format", "json") == cold
    real_write = cache_module.write_new
    writes = []
    monkeypatch.setattr(
        cache_module, "write_new", lambda *args, **k: writes.append(args[0]) or real_write(*args, **k)
    )
    for run in range(1, 4):
        assert run_check("copies", "--format", "json") == cold
        # One rewrite a run, not one per copy missing its path (and the memos beside).
        assert len([name for name in writes if cache_module._ENTRY_FILE.fullmatch(name)]) == run
    (entry,) = sorted((in_tmp / ".recoverylint_cache").glob("*/*/*.json"))
    header = json.loads(entry.read_bytes().split(b"\n", 1)[0])
    paths = {path for path, _, _ in header["parts"]}
    assert len(paths) == cache_module.MAX_SHOWN_PATHS


@needs_cli_cache
def test_an_entry_of_another_path_is_read_once(in_tmp, monkeypatch, runbooks):
    assert run_check("runbooks", "--format", "json")[0] == 1
    (in_tmp / "runbooks").rename(in_tmp / "moved")
    real_open = cache_module.open_regular
    reads = []
    monkeypatch.setattr(
        cache_module, "open_regular", lambda name, *a, **k: reads.append(name) or real_open(name, *a, **k)
    )
    assert run_check("moved", "--format", "json") == run_check("moved", "--format", "json", "--no-cache")
    reads = [name for name in reads if cache_module._ENTRY_FILE.fullmatch(name)]  # not the memos
    assert len(reads) == len(set(reads)) == len(runbooks)


def corrupt_record(part):
    """`part` with its second record's `{` made an `X`."""
    second = part.index(b'{"code": ', 1)
    return part[:second] + b"X" + part[second + 1 :]


@pytest.mark.parametrize("output_format", sorted(PART_WRITERS))
@pytest.mark.parametrize("corrupt", [corrupt_record, lambda part: b""], ids=["record", "empty"])
def test_a_stored_part_of_another_number_of_records_is_a_miss(cache, output_format, corrupt):
    path = EXAMPLES / "orders-db-outage.yaml"
    key, fresh = stored(cache, path)
    assert len(fresh.findings) > 1
    honest = written_findings(sorted(fresh.findings, key=lambda f: f.sort_key), (output_format,))
    cache.put(key, fresh, honest)
    assert written_of(cache, key, str(path), (output_format,))[1] == honest
    cache.put(key, fresh, replace(honest, parts={output_format: corrupt(honest.parts[output_format])}))
    assert written_of(cache, key, str(path), (output_format,)) is None
    assert_same(hit_of(cache, key, str(path), path.read_bytes()), fresh)  # the findings are still read


def test_json_lines_parts_hold_one_record_a_line(cache):
    path = EXAMPLES / "orders-db-outage.yaml"
    key, fresh = stored(cache, path)
    honest = written_findings(sorted(fresh.findings, key=lambda f: f.sort_key), ("json-lines",))
    joined = honest.parts["json-lines"].replace(b"\n", b" ", 1)  # two records on one line
    cache.put(key, fresh, replace(honest, parts={"json-lines": joined}))
    assert written_of(cache, key, str(path), ("json-lines",)) is None


@needs_cli_cache
@pytest.mark.parametrize("output_format", sorted(PART_WRITERS))
def test_a_corrupt_stored_part_is_never_printed(in_tmp, output_format):
    cold = run_check("runbooks", "--format", output_format, "--no-cache")
    assert run_check("runbooks", "--format", output_format) == cold  # filling: parts stored
    for entry in sorted((in_tmp / ".recoverylint_cache").glob("*/*/*.json")):
        raw = entry.read_bytes()
        if raw.count(b'{"code": ') > 1:
            entry.write_bytes(corrupt_record(raw))
            break
    else:
        raise AssertionError("no entry of two findings")
    assert run_check("runbooks", "--format", output_format) == cold


@needs_cli_cache
@pytest.mark.parametrize("output_format", PART_WRITERS)
def test_a_cut_entry_is_never_printed(in_tmp, output_format):
    # A part is placed counting from the entry's end: cut by a few bytes, it
    # would begin inside the findings' JSON (the review's repro printed
    # `"findings": ["],[],3]]}{"code": ...`, which no JSON reader takes).
    cold = run_check("runbooks", "--format", output_format, "--no-cache")
    assert run_check("runbooks", "--format", output_format) == cold  # filling: parts stored
    entries = sorted((in_tmp / ".recoverylint_cache").glob("*/*/*.json"))
    for entry in entries:
        entry.write_bytes(entry.read_bytes()[:-10])
    assert run_check("runbooks", "--format", output_format) == cold


# -- Links and files that are not entries (issue 13, items 1, 3 and 15) -------------

LINK_WARNING = "warning: results are not cached in this run"


def listing(folder: Path) -> list[str]:
    """Every path under `folder` (links not followed), to show nothing changed."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def test_a_cache_folder_that_is_a_link_is_neither_written_nor_pruned(in_tmp):
    # The repro: `ln -s v .recoverylint_cache` with an old folder v/0123456789abcdef/.
    target = in_tmp / "v"
    old = target / "0123456789abcdef"
    (old / "ab").mkdir(parents=True)
    (old / "ab" / "notes.txt").write_text("someone's")
    for folder in (old / "ab", old):
        age(folder, 3)
    (in_tmp / ".recoverylint_cache").symlink_to("v")
    before = listing(target)

    code, output = run_check("runbooks")
    assert listing(target) == before  # nothing deleted, no .gitignore, CACHEDIR.TAG, last-pruned
    assert output.count(LINK_WARNING) == 1
    assert "recoverylint follows no link in its cache" in output
    without_warning = "".join(line for line in output.splitlines(True) if LINK_WARNING not in line)
    assert (code, without_warning) == run_check("runbooks", "--no-cache")


def test_a_cache_link_to_the_repository_root_writes_nothing_there(in_tmp):
    # The repro: `ln -s . .recoverylint_cache` in a git repository.
    (in_tmp / ".git").mkdir()
    (in_tmp / ".recoverylint_cache").symlink_to(".")
    code, output = run_check("runbooks")
    assert code == 1 and LINK_WARNING in output
    for name in (".gitignore", "CACHEDIR.TAG", PRUNE_STAMP):
        assert not (in_tmp / name).exists()


@pytest.mark.parametrize("component", ["tool folder", "shard", "entry"])
def test_a_link_inside_the_cache_is_never_followed(tmp_path, runbooks, component):
    """A link committed inside a cache folder, to a forged entry that hides a
    file's findings: believed before, refused now, and nothing is written
    where it points."""
    path = EXAMPLES / "parallel-deploy-races.yaml"
    data = path.read_bytes()
    honest = ResultCache(tmp_path / "honest", tool="a" * 64)
    key, fresh = stored(honest, path)
    assert fresh.findings
    forged = read_entry(honest._entry(key))
    forged["findings"] = []
    del forged["counts"]
    honest._entry(key).write_bytes(entry_of(forged))
    elsewhere = {"tool folder": honest._entries, "shard": honest._entry(key).parent, "entry": honest._entry(key)}

    directory = tmp_path / "cache"
    cache = ResultCache(directory, tool="a" * 64)
    link = {"tool folder": cache._entries, "shard": cache._entry(key).parent, "entry": cache._entry(key)}[component]
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(elsewhere[component])
    assert hit_of(honest, key, "r.yaml", data).findings == []  # the forgery, read where it lies
    before = listing(tmp_path / "honest")

    cache = ResultCache(directory, tool="a" * 64)
    assert hit_of(cache, key, "r.yaml", data) is None
    cache.put(key, fresh)
    assert cache.note and cache.note.startswith(LINK_WARNING) and str(link) in cache.note
    assert listing(tmp_path / "honest") == before


def test_a_fifo_entry_is_a_miss_not_a_hang(in_tmp):
    assert run_check("runbooks")[0] == 1
    for entry in list((in_tmp / ".recoverylint_cache").glob("*/*/*.json")):
        entry.unlink()
        os.mkfifo(entry)
    done = subprocess.run(
        [sys.executable, "-m", "recoverylint", "check", "runbooks"],
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stdout == run_check("runbooks", "--no-cache")[1]


def test_a_huge_sparse_entry_is_a_miss_without_reading_it(cache, monkeypatch):
    data = b"runbook: r\n"
    key = cache.key(data, Settings(), Limits(), True)
    entry = cache._entry(key)
    entry.parent.mkdir(parents=True)
    with open(entry, "wb") as file:
        file.truncate(3 * 1024**3)  # 3 GB of nothing: it took 17 s to be read
    reads = []
    real_read, real_pread = os.read, os.pread
    monkeypatch.setattr(os, "read", lambda fd, n: reads.append(n) or real_read(fd, n))
    monkeypatch.setattr(os, "pread", lambda fd, n, at: reads.append(n) or real_pread(fd, n, at))
    assert hit_of(cache, key, "r.yaml", data) is None
    assert reads == []
    assert cache_module.MAX_ENTRY_SIZE < 3 * 1024**3


def test_cleaning_deletes_only_what_proves_to_be_an_entry(tmp_path, runbooks):
    directory = tmp_path / "cache"
    stale = ResultCache(directory, tool="b" * 64)
    key, _ = stored(stale, runbooks[0])
    shard = stale._entry(key).parent
    # Names an entry could have, contents no entry has; and names no entry has.
    foreign = {
        shard / ("0" * 62 + ".json"): b'{"key":"' + b"1" * 64 + b'"}',
        shard / ("1" * 62 + ".json"): b"user data",
        shard / "notes.txt": b"user data",
        stale._entries / "README": b"user data",
    }
    for path, content in foreign.items():
        path.write_bytes(content)
    (tmp_path / "elsewhere").mkdir()
    (shard / ("2" * 62 + ".json")).symlink_to(tmp_path / "elsewhere")
    for path in [*stale._entries.rglob("*"), stale._entries]:
        age(path, 3)
    age(directory / PRUNE_STAMP, 2)

    ResultCache(directory, tool="a" * 64)
    assert not stale._entry(key).exists()  # an entry of an old tool state: gone
    assert {p: p.read_bytes() for p in foreign} == foreign
    assert (shard / ("2" * 62 + ".json")).is_symlink() and (tmp_path / "elsewhere").is_dir()


def test_cleaning_a_stale_tool_folder_removes_it_once_empty(tmp_path, runbooks):
    directory = tmp_path / "cache"
    stale = ResultCache(directory, tool="b" * 64)
    stored(stale, runbooks[0])
    for path in [*stale._entries.rglob("*"), stale._entries]:
        age(path, 3)
    age(directory / PRUNE_STAMP, 2)
    ResultCache(directory, tool="a" * 64)
    assert not stale._entries.exists()


@needs_cli_cache
def test_an_entry_of_a_rule_not_in_the_catalog_is_a_miss_not_a_sarif_crash(in_tmp):
    # The repro: an entry naming a rule that does not exist, then SARIF.
    target = "runbooks/orders-db-outage.yaml"
    cold = run_check(target, "--format", "sarif", "--no-cache")
    assert run_check(target, "--format", "sarif") == cold
    (entry,) = (in_tmp / ".recoverylint_cache").glob("*/*/*.json")
    stored_entry = read_entry(entry)
    assert stored_entry["findings"]
    for row in stored_entry["findings"]:
        row[0] = "RL999"
    entry.write_bytes(entry_of(stored_entry))
    assert run_check(target, "--format", "sarif") == cold


def test_a_folder_of_the_users_is_not_made_a_cache(in_tmp, monkeypatch):
    # `RECOVERYLINT_CACHE_DIR=.` at the top of a repository: no `.gitignore` of `*` there.
    monkeypatch.setenv("RECOVERYLINT_CACHE_DIR", str(in_tmp))
    before = listing(in_tmp)
    code, output = run_check("runbooks")
    assert listing(in_tmp) == before
    assert output.count("warning: results are not cached in this run") == 1
    assert f"{in_tmp} holds files that are not recoverylint's and no CACHEDIR.TAG of it" in output


@pytest.mark.parametrize(
    "present",
    [[], ["CACHEDIR.TAG.0123456789ab.tmp"], [".gitignore", "last-pruned"]],
    ids=["empty", "another run writing its tag", "an older run's files"],
)
def test_a_folder_holding_only_what_the_cache_writes_is_a_cache(tmp_path, runbooks, present):
    directory = tmp_path / "cache"
    directory.mkdir()
    for name in present:
        (directory / name).write_text("")
    cache = ResultCache(directory)
    assert cache.note is None
    key, fresh = stored(cache, runbooks[0])
    assert_same(hit_of(cache, key, str(runbooks[0]), runbooks[0].read_bytes()), fresh)
    assert (directory / "CACHEDIR.TAG").read_text() == CACHEDIR_TAG


# -- A warm run reads the header and its parts, not the findings (issue 16) ----------


def preads(monkeypatch):
    """The (offset, size) of every os.pread from now on."""
    done = []
    real_pread = os.pread
    monkeypatch.setattr(os, "pread", lambda fd, size, at: done.append((at, size)) or real_pread(fd, size, at))
    return done


def first_read_of_the_header_alone(monkeypatch, entry):
    """The first read of an entry made the length of its header line (and
    its end): the findings and the parts are then read only when asked."""
    head = entry.read_bytes().index(b"\n") + 1
    monkeypatch.setattr(cache_module, "_HEAD_READ", head)
    return head


@pytest.mark.parametrize("output_format", sorted(PART_WRITERS))
def test_a_path_s_parts_are_read_without_the_findings(cache, monkeypatch, output_format):
    path = EXAMPLES / "orders-db-outage.yaml"
    key, fresh = stored(cache, path)
    written = written_findings(sorted(fresh.findings, key=lambda f: f.sort_key), ("json", "json-lines"))
    cache.put(key, fresh, written)
    elsewhere = written_findings(sorted(fresh.findings, key=lambda f: f.sort_key), ("json",))
    cache.put(key, replace(fresh, path="elsewhere.yaml"), elsewhere, kept=cache.read(key))
    head = first_read_of_the_header_alone(monkeypatch, cache._entry(key))
    done = preads(monkeypatch)
    result, read = written_of(cache, key, str(path), (output_format,))
    assert read.parts == {output_format: written.parts[output_format]} and result.path == str(path)
    assert done[0] == (0, head)
    assert [size for _, size in done[1:]] == [len(written.parts[output_format])]  # that part alone


def test_an_entry_without_the_path_s_parts_is_read_whole(cache, monkeypatch):
    path = EXAMPLES / "orders-db-outage.yaml"
    key, fresh = stored(cache, path)
    size = cache._entry(key).stat().st_size
    head = first_read_of_the_header_alone(monkeypatch, cache._entry(key))
    done = preads(monkeypatch)
    entry = cache.read(key, "elsewhere.yaml", ("json",))
    assert entry.findings is not None and entry.written("elsewhere.yaml", ("json",)) is None
    assert_same(entry.result(str(path)), replace(fresh, text=None))
    assert done == [(0, head), (0, size)]
    done.clear()
    assert_same(hit_of(cache, key, str(path)), replace(fresh, text=None))
    assert done == [(0, size)]  # asked for no part: read whole at once


def test_a_header_longer_than_the_first_read_is_read_whole(cache):
    path = EXAMPLES / "orders-db-outage.yaml"
    key, fresh = stored(cache, path)
    honest = written_findings(sorted(fresh.findings, key=lambda f: f.sort_key), ("json",))
    long_path = "d/" * cache_module._HEAD_READ + "r.yaml"  # the header names it: past the first read
    cache.put(key, replace(fresh, path=long_path), honest)
    result, written = written_of(cache, key, long_path, ("json",))
    assert written == honest and result.path == long_path
    assert_same(hit_of(cache, key, str(path)), replace(fresh, text=None))


def test_an_entry_cut_while_it_is_read_is_a_miss(cache, monkeypatch):
    path = EXAMPLES / "orders-db-outage.yaml"
    key, fresh = stored(cache, path)
    cache.put(key, fresh, written_findings(sorted(fresh.findings, key=lambda f: f.sort_key), ("json",)))
    real_read_at = cache_module.read_at
    monkeypatch.setattr(cache_module, "read_at", lambda fd, at, size: real_read_at(fd, at, size)[:-1])
    assert written_of(cache, key, str(path), ("json",)) is None
    assert hit_of(cache, key, str(path)) is None


@needs_cli_cache
def test_a_corrupt_part_read_alone_falls_back_to_the_findings(in_tmp, monkeypatch):
    cold = run_check("runbooks", "--format", "json", "--no-cache")
    assert run_check("runbooks", "--format", "json") == cold
    corrupted = 0
    for entry in sorted((in_tmp / ".recoverylint_cache").glob("*/*/*.json")):
        raw = entry.read_bytes()
        if raw.count(b'{"code": ') > 1:
            entry.write_bytes(corrupt_record(raw))
            corrupted += 1
    assert corrupted > 1
    assert run_check("runbooks", "--format", "json") == cold  # the findings read, the parts written again
    with monkeypatch.context() as patched:
        patched.setattr(cache_module, "_result_from_json", no_decoding)
        assert run_check("runbooks", "--format", "json") == cold  # and stored


# Bytes around the edges of what a stored part may hold: plain and control
# bytes, characters that act on a terminal and ones that do not, broken and
# overlong sequences, surrogates.
PART_FRAGMENTS = [
    b"a", b" ", b"~", b"\n", b"\t", b"\r", b"\x1b", b"\x7f", b"\x00", b"\x1f",
    *(c.encode() for c in "…é😀\u202e\u2028\u2066\x9b\x85\u200f"),
    b"\x80", b"\xa6", b"\xc2", b"\xe2", b"\xe2\x80", b"\xed\xa0\x80", b"\xc0\xaf", b"\xff",
]  # fmt: skip
RECORD = b'{"code": "RL201", "message": "m"}'


@given(st.lists(st.sampled_from(PART_FRAGMENTS) | st.binary(max_size=4), max_size=12).map(b"".join))
def test_a_stored_part_is_taken_only_in_printable_ascii(inside):
    """json writes printable ASCII, json-lines that and a line break after
    each record: any other byte in a part, wherever it is, makes it a miss."""
    part = RECORD[:-1] + inside + b"}"
    assume(part.count(b'{"code": "RL') == 1)
    for name, stored in (("json", part), ("json-lines", part + b"\n")):
        if all(0x20 <= byte < 0x7F for byte in inside):
            assert cache_module._checked_part(stored, name, 1) == stored
        else:
            with pytest.raises(ValueError):
                cache_module._checked_part(stored, name, 1)


# -- The code's digest, remembered ------------------------------------------------


def counting_code_digests(monkeypatch):
    """The contents digests worked out from now on (a list that grows)."""
    worked_out = []
    real = cache_module._code_digest

    def counted(files):
        worked_out.append(len(files))
        return real(files)

    monkeypatch.setattr(cache_module, "_code_digest", counted)
    return worked_out


def test_the_code_s_digest_is_read_back_while_no_file_changes(tmp_path, monkeypatch, not_racy):
    worked_out = counting_code_digests(monkeypatch)
    first = ResultCache(tmp_path / "cache")
    assert worked_out and first._tool == cache_module.tool_fingerprint()
    assert (tmp_path / "cache" / cache_module.CODE_DIGEST).is_file()
    worked_out.clear()
    again = ResultCache(tmp_path / "cache")
    assert worked_out == [] and again._tool == first._tool


def test_a_changed_file_has_the_code_s_digest_worked_out_again(tmp_path, monkeypatch, not_racy):
    """The same shortcut can fail: a file written since (same size, its time
    set back) has a new change time, so its status differs."""
    code = tmp_path / "code.py"
    code.write_text("a = 1\n")
    monkeypatch.setattr(cache_module, "_bundled_files", lambda: [("package/code.py", str(code))])
    worked_out = counting_code_digests(monkeypatch)
    first = ResultCache(tmp_path / "cache")._tool
    assert ResultCache(tmp_path / "cache")._tool == first and len(worked_out) == 1
    written = code.stat()
    time.sleep(0.01)
    code.write_text("a = 2\n")
    os.utime(code, ns=(written.st_atime_ns, written.st_mtime_ns))
    changed = ResultCache(tmp_path / "cache")._tool
    assert len(worked_out) == 2 and changed != first


def test_the_code_s_digest_is_not_kept_while_a_file_of_it_is_just_written(tmp_path, monkeypatch):
    """A second write in the same tick of the clock would leave its status
    as it was: the digest of code written within RACY_SECONDS is not kept."""
    code = tmp_path / "code.py"
    code.write_text("a = 1\n")
    monkeypatch.setattr(cache_module, "_bundled_files", lambda: [("package/code.py", str(code))])
    worked_out = counting_code_digests(monkeypatch)
    ResultCache(tmp_path / "cache")
    ResultCache(tmp_path / "cache")
    assert len(worked_out) == 2 and not (tmp_path / "cache" / cache_module.CODE_DIGEST).exists()


@pytest.mark.parametrize(
    "remembered", [b"", b"garbage\n", b"0" * 64 + b" " + b"1" * 64, (b"f" * 64 + b" ") * 2 + b"\n", b"A" * 129 + b"\n"]
)
def test_a_remembered_digest_of_another_shape_is_worked_out_again(tmp_path, monkeypatch, remembered):
    folder = tmp_path / "cache"
    ResultCache(folder)
    (folder / cache_module.CODE_DIGEST).write_bytes(remembered)
    worked_out = counting_code_digests(monkeypatch)
    assert ResultCache(folder)._tool == cache_module.tool_fingerprint()
    assert len(worked_out) == 1


INSTALLED_BEFORE_AND_AFTER_IMPORT = """
import json, sys
from recoverylint.cache import DEPENDENCIES, _installed
before = {name: _installed(name) for name in DEPENDENCIES}
looked_up_alone = "ruamel" not in sys.modules
import ruamel.yaml
after = {name: _installed(name) for name in DEPENDENCIES}
print(json.dumps([looked_up_alone, before == after, before["ruamel.yaml"] is not None]))
"""


def test_a_dependency_is_found_alike_without_importing_its_package():
    """A warm run imports nothing of ruamel; the fingerprint it works out must
    be the one of a run that did import it."""
    done = subprocess.run(
        [sys.executable, "-c", INSTALLED_BEFORE_AND_AFTER_IMPORT], capture_output=True, text=True, check=True
    )
    assert json.loads(done.stdout) == [True, True, True]


# -- Remembered hashes ---------------------------------------------------------------


@pytest.fixture
def not_racy(monkeypatch):
    """Files the test wrote a moment ago are taken as written long before the
    run (the cache does not trust the status of a file written within
    RACY_SECONDS of its run)."""
    monkeypatch.setattr(cache_module, "RACY_SECONDS", -60)


@pytest.fixture
def file_by_file(monkeypatch):
    """No run's results are taken whole (see cache's Runs): each file's
    entry is looked up, as when another file of the run has changed."""
    monkeypatch.setattr(ResultCache, "read_run", lambda self, run, statuses: None)


def counting_reads(monkeypatch):
    """The runbooks read from now on (a list that grows)."""
    reads = []
    real = runner_module.read_bytes
    monkeypatch.setattr(runner_module, "read_bytes", lambda path, *a: reads.append(path) or real(path, *a))
    return reads


@needs_cli_cache
@pytest.mark.parametrize("output_format", format_names("check"))
def test_a_warm_run_reads_no_runbook_whose_status_is_unchanged(in_tmp, monkeypatch, not_racy, output_format):
    cold = run_check("runbooks", "--format", output_format, "--no-cache")
    assert run_check("runbooks", "--format", output_format) == cold  # filling: the hashes remembered
    reads = counting_reads(monkeypatch)
    assert run_check("runbooks", "--format", output_format) == cold
    if output_format in PART_WRITERS:
        assert reads == []
    else:  # the files whose lines the report shows, and those alone
        assert 0 < len(reads) < len(list((in_tmp / "runbooks").iterdir()))


@needs_cli_cache
def test_a_runbook_rewritten_to_the_same_size_and_time_is_read_again(in_tmp, monkeypatch, not_racy):
    """The same shortcut can fail: the rewrite renews the change time, which
    no one can set back."""
    path = in_tmp / "runbooks" / "shapes.yaml"
    before = run_check(str(path), "--format", "json")
    status = path.stat()
    path.write_text(SHAPES.replace("inputs: [y]", "inputs: [z]"), encoding="utf-8")
    os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (status.st_size, status.st_mtime_ns)
    reads = counting_reads(monkeypatch)
    after = run_check(str(path), "--format", "json")
    assert reads == [path] and after == run_check(str(path), "--format", "json", "--no-cache") != before


@needs_cli_cache
def test_a_runbook_written_just_before_the_run_is_read_every_time(in_tmp, monkeypatch):
    """Within RACY_SECONDS of the run, a second write in the same tick of the
    clock would leave the status as it was: such a file's hash is not remembered."""
    run_check("runbooks", "--format", "json")
    reads = counting_reads(monkeypatch)
    run_check("runbooks", "--format", "json")
    assert len(reads) == len(list((in_tmp / "runbooks").iterdir()))
    assert memos(in_tmp, "folder") == []


def memos(folder, owner_key):
    """The memo files of the cache in `folder`: the remembered hashes
    (`owner_key` "folder") or the checked parts ("tool")."""
    found = (folder / ".recoverylint_cache" / cache_module.DIGESTS_FOLDER).glob("*.json")
    return [file for file in found if owner_key in json.loads(file.read_bytes())]


def folder_moved(memo):
    memo["folder"] = "/elsewhere"


def record_broken(memo):
    name = sorted(memo["files"])[0]
    memo["files"][name][5] = "zz" * 32


def record_short(memo):
    name = sorted(memo["files"])[0]
    memo["files"][name] = memo["files"][name][:5]


@needs_cli_cache
@pytest.mark.parametrize(
    "spoil", [lambda memo: b"", lambda memo: b"garbage", lambda memo: b"[]", folder_moved, record_broken, record_short]
)
def test_remembered_hashes_not_as_written_are_worked_out_again(in_tmp, monkeypatch, not_racy, file_by_file, spoil):
    cold = run_check("runbooks", "--format", "json", "--no-cache")
    run_check("runbooks", "--format", "json")
    (remembered,) = memos(in_tmp, "folder")
    memo = json.loads(remembered.read_bytes())
    assert memo["folder"] == str(in_tmp / "runbooks")
    spoiled = spoil(memo)
    remembered.write_bytes(json.dumps(memo).encode() if spoiled is None else spoiled)
    reads = counting_reads(monkeypatch)
    assert run_check("runbooks", "--format", "json") == cold
    assert len(reads) == len(list((in_tmp / "runbooks").iterdir()))
    assert json.loads(remembered.read_bytes())["folder"] == str(in_tmp / "runbooks")  # written again


@needs_cli_cache
def test_another_user_does_not_take_the_hashes_one_remembered(in_tmp, monkeypatch, not_racy):
    """A hit by a remembered hash reads no file: what one user could read,
    another may not, so each has hashes of their own."""
    cold = run_check("runbooks", "--format", "json", "--no-cache")
    run_check("runbooks", "--format", "json")
    monkeypatch.setattr(os, "geteuid", lambda: 4242)
    reads = counting_reads(monkeypatch)
    assert run_check("runbooks", "--format", "json") == cold
    assert len(reads) == len(list((in_tmp / "runbooks").iterdir()))
    assert len(memos(in_tmp, "folder")) == 2


def test_cleaning_deletes_remembered_hashes_not_written_for_long(tmp_path, runbooks, not_racy):
    directory = tmp_path / "cache"
    cache = ResultCache(directory, tool="a" * 64)
    for path in runbooks[:2]:
        cache.remember_digest(path, path.stat(), cache_module.content_digest(path.read_bytes()))
    other = tmp_path / "other" / "r.yaml"
    other.parent.mkdir()
    other.write_text(SHAPES)
    cache.remember_digest(other, other.stat(), cache_module.content_digest(other.read_bytes()))
    cache.save_memos()
    folder = directory / cache_module.DIGESTS_FOLDER
    old, kept = sorted(folder.iterdir(), key=lambda file: b"other" in file.read_bytes())[::-1]
    foreign = folder / ("f" * 32 + ".json")
    foreign.write_text("not the cache's")
    for file in (old, foreign):
        age(file, KEEP_UNUSED / DAY + 1)
    age(directory / PRUNE_STAMP, 1.5)
    ResultCache(directory, tool="a" * 64)
    assert not old.exists() and kept.exists() and foreign.exists()
    assert ResultCache(directory, tool="a" * 64).remembered_digest(runbooks[0], runbooks[0].stat()) is not None


def test_past_max_remembered_a_folder_keeps_the_latest(tmp_path, monkeypatch, runbooks, not_racy):
    monkeypatch.setattr(cache_module, "MAX_REMEMBERED", 2)
    cache = ResultCache(tmp_path / "cache", tool="a" * 64)
    first, second, third = runbooks[:3]
    for path in (third, first, second):
        cache.remember_digest(path, path.stat(), cache_module.content_digest(path.read_bytes()))
    cache.save_memos()
    again = ResultCache(tmp_path / "cache", tool="a" * 64)
    kept = [path for path in (first, second, third) if again.remembered_digest(path, path.stat()) is not None]
    assert kept == [first, second]


# -- Checked parts -----------------------------------------------------------------


def counting_part_checks(monkeypatch):
    """The stored parts checked from now on (a list that grows)."""
    checks = []
    real = cache_module._checked_part
    monkeypatch.setattr(cache_module, "_checked_part", lambda part, *a: checks.append(part) or real(part, *a))
    return checks


def filled(output_format="json"):
    """The cold report, after a run that filled the cache (its entries' parts
    checked as they were written, and remembered so)."""
    cold = run_check("runbooks", "--format", output_format, "--no-cache")
    assert run_check("runbooks", "--format", output_format) == cold
    return cold


@needs_cli_cache
@pytest.mark.parametrize("output_format", sorted(PART_WRITERS))
def test_a_part_checked_once_is_not_checked_again_while_its_entry_is_unchanged(in_tmp, monkeypatch, output_format):
    cold = filled(output_format)
    (memo,) = memos(in_tmp, "checked_in")
    assert memo.stat().st_mode & 0o777 == 0o600
    checks = counting_part_checks(monkeypatch)
    assert run_check("runbooks", "--format", output_format) == cold
    assert checks == []
    # Another format's parts added rewrite the entries: their parts are checked as written, again.
    other = next(name for name in PART_WRITERS if name != output_format)
    assert run_check("runbooks", "--format", other) == run_check("runbooks", "--format", other, "--no-cache")
    assert checks
    checks.clear()
    assert run_check("runbooks", "--format", output_format) == cold
    assert run_check("runbooks", "--format", other)[0] == cold[0]
    assert checks == []


@needs_cli_cache
def test_an_entry_rewritten_in_place_has_its_parts_checked_again(in_tmp, monkeypatch):
    """A write renews the entry file's change time, even with its size and
    modification time put back: a part spoiled so is refused."""
    cold = filled()
    spoiled = 0
    for entry in sorted((in_tmp / ".recoverylint_cache").glob("*/*/*.json")):
        raw = entry.read_bytes()
        if raw.count(b'{"code": ') > 1:
            status = entry.stat()
            time.sleep(0.01)  # a tick of the file system's clock
            with open(entry, "r+b") as file:  # in place: the same inode
                file.write(corrupt_record(raw))
            os.utime(entry, ns=(status.st_atime_ns, status.st_mtime_ns))
            assert (entry.stat().st_ino, entry.stat().st_size) == (status.st_ino, status.st_size)
            spoiled += 1
    assert spoiled > 1
    checks = counting_part_checks(monkeypatch)
    assert run_check("runbooks", "--format", "json") == cold  # refused, the findings read and written again
    assert sum(b'X"code": ' in part for part in checks) == spoiled
    checks.clear()
    assert run_check("runbooks", "--format", "json") == cold
    assert checks == []  # the entries rewritten, their parts checked as written


@needs_cli_cache
def test_an_entry_read_just_after_it_was_written_is_checked_every_time(in_tmp, monkeypatch):
    """Within RACY_SECONDS of the run, a second write in the same tick of the
    clock would leave the entry file's status as it was: a part checked when
    read is remembered only in an entry file written before that."""
    cold = filled()
    (memo,) = memos(in_tmp, "checked_in")
    memo.unlink()
    for _ in range(2):
        checks = counting_part_checks(monkeypatch)
        assert run_check("runbooks", "--format", "json") == cold
        assert checks and memos(in_tmp, "checked_in") == []


@needs_cli_cache
def test_an_entry_read_is_remembered_once_its_parts_are_checked(in_tmp, monkeypatch, not_racy, file_by_file):
    cold = filled()
    (memo,) = memos(in_tmp, "checked_in")
    memo.unlink()
    with monkeypatch.context() as patched:
        checks = counting_part_checks(patched)
        assert run_check("runbooks", "--format", "json") == cold
        assert checks and memos(in_tmp, "checked_in")
    checks = counting_part_checks(monkeypatch)
    assert run_check("runbooks", "--format", "json") == cold
    assert checks == []


@needs_cli_cache
def test_parts_checked_in_turns_are_all_remembered(in_tmp, monkeypatch, not_racy):
    """An entry holding both formats' parts, read by runs of one format then
    the other: each run adds the parts it checked to those remembered."""
    both = ("--format", "json", "--report", f"json-lines:{in_tmp / 'report.jsonl'}")
    cold = run_check("runbooks", *both, "--no-cache")
    assert run_check("runbooks", *both) == cold
    (memo,) = memos(in_tmp, "checked_in")
    memo.unlink()
    checks = counting_part_checks(monkeypatch)
    for output_format in ("json", "json-lines"):
        run_check("runbooks", "--format", output_format)
    assert checks
    checks.clear()
    for output_format in ("json", "json-lines"):
        run_check("runbooks", "--format", output_format)
    assert checks == []


def owned_by_another_user(memo: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("only root can give a file to another user")
    os.chown(memo, 4242, -1)


def another_folder(memo: Path) -> None:
    stored = json.loads(memo.read_bytes())
    stored["checked_in"] = "/elsewhere"
    memo.write_bytes(json.dumps(stored).encode())


def parts_of_another_shape(memo: Path) -> None:
    stored = json.loads(memo.read_bytes())
    for record in stored["files"].values():
        record[6] = [["path"]]
    memo.write_bytes(json.dumps(stored).encode())


def another_entry(memo: Path) -> None:
    stored = json.loads(memo.read_bytes())
    for record in stored["files"].values():
        record[0] = "0" * 64
    memo.write_bytes(json.dumps(stored).encode())


@needs_cli_cache
@pytest.mark.parametrize(
    "spoil",
    [
        owned_by_another_user,
        lambda memo: memo.chmod(0o622),  # writable by others
        lambda memo: memo.chmod(0o660),  # by the group
        lambda memo: memo.write_bytes(b"garbage"),
        another_folder,
        parts_of_another_shape,
        another_entry,
    ],
    ids=[
        "another owner", "writable by others", "writable by the group", "garbage", "another folder",
        "another shape", "another entry",
    ],
)
def test_checked_parts_another_user_could_have_written_or_not_as_written_are_checked_again(
    in_tmp, monkeypatch, not_racy, file_by_file, spoil
):
    """Anyone may write a cache folder in a shared CI workspace: a memo that
    could be another user's would let a part that acts on a terminal pass."""
    cold = filled()
    (memo,) = memos(in_tmp, "checked_in")
    spoil(memo)
    checks = counting_part_checks(monkeypatch)
    assert run_check("runbooks", "--format", "json") == cold
    assert checks  # and remembered again, as this user's
    (memo,) = memos(in_tmp, "checked_in")
    assert memo.stat().st_uid == os.geteuid() and memo.stat().st_mode & 0o777 == 0o600
    checks.clear()
    assert run_check("runbooks", "--format", "json") == cold
    assert checks == []


@needs_cli_cache
def test_remembered_hashes_another_user_could_have_written_are_worked_out_again(in_tmp, monkeypatch, not_racy, file_by_file):
    cold = run_check("runbooks", "--format", "json", "--no-cache")
    run_check("runbooks", "--format", "json")
    (memo,) = memos(in_tmp, "folder")
    memo.chmod(0o666)
    reads = counting_reads(monkeypatch)
    assert run_check("runbooks", "--format", "json") == cold
    assert len(reads) == len(list((in_tmp / "runbooks").iterdir()))


@needs_cli_cache
def test_an_entry_file_another_user_could_write_has_its_parts_checked_every_time(in_tmp, monkeypatch, not_racy, file_by_file):
    """Entries are made writable by their owner alone, whatever the umask; one
    that is not (or another user's) could change without its status changing
    (a write through a shared mapping), so its remembered check is not used."""
    old_umask = os.umask(0)
    try:
        cold = filled()
    finally:
        os.umask(old_umask)
    entries = sorted((in_tmp / ".recoverylint_cache").glob("*/*/*.json"))
    assert {entry.stat().st_mode & 0o777 for entry in entries} == {0o644}
    checks = counting_part_checks(monkeypatch)
    assert run_check("runbooks", "--format", "json") == cold
    assert checks == []
    for entry in entries:
        entry.chmod(0o666)
    assert run_check("runbooks", "--format", "json") == cold
    assert checks
    checks.clear()
    assert run_check("runbooks", "--format", "json") == cold
    assert checks  # and never remembered so


def test_a_write_that_fails_when_closed_leaves_the_old_file(tmp_path, monkeypatch):
    """close reports a write that failed late (NFS, a quota): the new file is
    then not renamed over the old one."""
    folder = os.open(tmp_path, os.O_RDONLY)
    try:
        write_new("memo", b"old", folder)
        open_descriptors = len(os.listdir("/proc/self/fd"))
        real_close = os.close
        failed = []

        def close(descriptor):
            real_close(descriptor)
            if not failed:
                failed.append(descriptor)
                raise OSError(errno.EDQUOT, "Disk quota exceeded")

        with monkeypatch.context() as patched:
            patched.setattr(os, "close", close)
            with pytest.raises(OSError):
                write_new("memo", b"new", folder)
        assert [file.name for file in tmp_path.iterdir()] == ["memo"]
        assert (tmp_path / "memo").read_bytes() == b"old"
        assert len(os.listdir("/proc/self/fd")) == open_descriptors
    finally:
        os.close(folder)


@needs_cli_cache
def test_a_memo_over_its_size_limit_keeps_the_latest_records_that_fit(in_tmp, monkeypatch):
    """A memo read back must be at most MAX_DIGESTS_SIZE: one written bigger
    would be refused, and written again, at every run."""
    monkeypatch.setattr(cache_module, "MAX_DIGESTS_SIZE", 600)
    cold = filled()
    (memo,) = memos(in_tmp, "checked_in")
    assert memo.stat().st_size <= 600
    assert 0 < len(json.loads(memo.read_bytes())["files"]) < len(list((in_tmp / "runbooks").iterdir()))
    assert run_check("runbooks", "--format", "json") == cold


def test_a_memo_of_one_record_too_big_is_written_empty(tmp_path, monkeypatch, runbooks, not_racy):
    monkeypatch.setattr(cache_module, "MAX_DIGESTS_SIZE", 60)
    cache = ResultCache(tmp_path / "cache", tool="a" * 64)
    path = runbooks[0]
    cache.remember_digest(path, path.stat(), cache_module.content_digest(path.read_bytes()))
    cache.save_memos()
    (memo,) = (tmp_path / "cache" / cache_module.DIGESTS_FOLDER).iterdir()
    assert json.loads(memo.read_bytes())["files"] == {}


AS_WRITTEN = "the record as written"
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False) | st.text(max_size=70),
    lambda children: st.lists(children, max_size=8) | st.dictionaries(st.text(max_size=8), children, max_size=6),
    max_leaves=30,
)


@given(
    record=st.just(AS_WRITTEN) | JSON_VALUES | st.tuples(st.integers(0, 6), JSON_VALUES),
    memo_of=st.sampled_from(["folder", "checked_in"]),
)
@example(record=AS_WRITTEN, memo_of="folder")
@example(record=AS_WRITTEN, memo_of="checked_in")
def test_no_memo_makes_a_lookup_fail(tmp_path_factory, record, memo_of):
    """A memo of any JSON, or a record as written but for one field, is a
    miss or a remembered answer: never an exception."""
    folder = tmp_path_factory.mktemp("memo")
    runbook = folder / "r.yaml"
    runbook.write_text(SHAPES)
    runbook.chmod(0o644)  # whatever the umask: a file only its owner may write (the entry it stands for)
    status = runbook.stat()
    key = "a" * 64
    if memo_of == "folder":
        as_written = [*cache_module._status_fields(status), "b" * 64]
        name = cache_module._digests_name(str(folder))
    else:
        as_written = [key, *cache_module._status_fields(status), [["r.yaml", "json"]]]
        name = cache_module._checked_name(str(folder))
    if record == AS_WRITTEN:
        record = as_written
    elif isinstance(record, tuple):  # one field of a record as written replaced
        index, value = record
        record = as_written[:]
        record[index % len(as_written)] = value
    digests = folder / ".cache" / cache_module.DIGESTS_FOLDER
    digests.mkdir(parents=True)
    memo = digests / name
    memo.write_text(json.dumps({"files": {"r.yaml": record}, memo_of: str(folder)}))
    memo.chmod(0o600)
    cache = ResultCache(folder / ".cache", tool="c" * 64)
    taken = json.dumps(record) == json.dumps(as_written)  # not `==`: 5.0 == 5, and True == 1
    if memo_of == "folder":
        remembered = cache.remembered_digest(runbook, status)
        assert remembered == (bytes.fromhex("b" * 64) if taken else None)
    else:
        checked = cache._checked_parts(runbook, key, status)
        assert checked == ({("r.yaml", "json")} if taken else frozenset())


def test_a_memo_another_user_could_have_written_is_not_read(tmp_path, monkeypatch, runbooks):
    """Its status is taken first: a planted memo of a hostile size costs no read."""
    cache = ResultCache(tmp_path / "cache", tool="a" * 64)
    digests = tmp_path / "cache" / cache_module.DIGESTS_FOLDER
    digests.mkdir()
    folder = str(runbooks[0].parent)
    for name in (cache_module._digests_name(folder), cache_module._checked_name(folder)):
        with open(digests / name, "wb") as planted:
            planted.truncate(cache_module.MAX_DIGESTS_SIZE)
        (digests / name).chmod(0o666)
    read = []
    real_read_at = cache_module.read_at
    monkeypatch.setattr(cache_module, "read_at", lambda fd, at, size: read.append(size) or real_read_at(fd, at, size))
    status = runbooks[0].stat()
    assert cache.remembered_digest(runbooks[0], status) is None
    assert cache._checked_parts(runbooks[0], "a" * 64, status) == frozenset()
    assert read == []


# -- Runs ---------------------------------------------------------------------------


# The cache's entries: <tool>/<shard>/<key>.json.
ENTRIES = "*/*/*.json"


def run_entries(folder):
    """The entries of the cache in `folder` that keep a whole run (see cache's Runs)."""
    found = (folder / ".recoverylint_cache").glob(ENTRIES)
    return [entry for entry in found if b'"run":' in entry.read_bytes().split(b"\n", 1)[0]]


def counting_entry_reads(monkeypatch):
    """The keys of the files' entries read from now on (a list that grows)."""
    reads = []
    real = ResultCache.read
    monkeypatch.setattr(ResultCache, "read", lambda self, key, *a, **k: reads.append(key) or real(self, key, *a, **k))
    return reads


@needs_cli_cache
@pytest.mark.parametrize("output_format", sorted(PART_WRITERS))
def test_a_warm_run_of_unchanged_files_reads_one_entry_for_them_all(keeps_runs, in_tmp, monkeypatch, not_racy, output_format):
    cold = run_check("runbooks", "--format", output_format, "--no-cache")
    assert run_check("runbooks", "--format", output_format) == cold  # filling: each file's entry, and the run's
    (kept,) = run_entries(in_tmp)
    reads = counting_entry_reads(monkeypatch)
    assert run_check("runbooks", "--format", output_format) == cold
    assert reads == []
    assert run_entries(in_tmp) == [kept]


@needs_cli_cache
def test_each_part_format_keeps_a_run_of_its_own(keeps_runs, in_tmp, monkeypatch, not_racy):
    cold = {name: run_check("runbooks", "--format", name, "--no-cache") for name in PART_WRITERS}
    for name in PART_WRITERS:
        run_check("runbooks", "--format", name)
    assert len(run_entries(in_tmp)) == len(PART_WRITERS)
    reads = counting_entry_reads(monkeypatch)
    for name in [*PART_WRITERS, *PART_WRITERS]:
        assert run_check("runbooks", "--format", name) == cold[name]
    assert reads == []


def rewrite_one(folder):
    target = folder / "shapes.yaml"
    target.write_text(target.read_text(encoding="utf-8") + "  - id: e\n    inputs: [x]\n", encoding="utf-8")


def add_one(folder):
    (folder / "added.yaml").write_text(SHAPES.replace("shapes", "added"), encoding="utf-8")


def remove_one(folder):
    (folder / "shapes.yaml").unlink()


def replace_one(folder):
    """The same name, size and times, another file (inode)."""
    target = folder / "shapes.yaml"
    status = target.stat()
    copy = folder / "shapes.copy"
    copy.write_bytes(target.read_bytes().replace(b"id: d", b"id: D"))
    os.utime(copy, ns=(status.st_atime_ns, status.st_mtime_ns))
    os.replace(copy, target)


@needs_cli_cache
@pytest.mark.parametrize("change", [rewrite_one, add_one, remove_one, replace_one])
def test_a_run_with_a_file_changed_added_or_removed_reads_each_file_s_entry(keeps_runs, in_tmp, monkeypatch, not_racy, change):
    run_check("runbooks", "--format", "json")
    change(in_tmp / "runbooks")
    fresh = run_check("runbooks", "--format", "json", "--no-cache")
    reads = counting_entry_reads(monkeypatch)
    assert run_check("runbooks", "--format", "json") == fresh
    assert reads  # each file's, the changed one's a miss
    reads.clear()
    assert run_check("runbooks", "--format", "json") == fresh  # kept anew, and taken whole
    assert reads == []
    assert len(run_entries(in_tmp)) == 1  # the run where the last was: replaced


@needs_cli_cache
def test_a_run_with_other_settings_or_another_file_list_does_not_take_another_s_results(keeps_runs, in_tmp, monkeypatch, not_racy):
    run_check("runbooks", "--format", "json")
    ignoring = run_check("runbooks", "--format", "json", "--ignore", "RL201", "--no-cache")
    assert run_check("runbooks", "--format", "json", "--ignore", "RL201") == ignoring
    one = run_check("runbooks/shapes.yaml", "--format", "json", "--no-cache")
    assert run_check("runbooks/shapes.yaml", "--format", "json") == one
    found = run_check("runbooks/shapes.yaml", "runbooks", "--format", "json", "--no-cache")  # named: explicit
    assert run_check("runbooks/shapes.yaml", "runbooks", "--format", "json") == found


@needs_cli_cache
def test_a_run_of_some_files_named_keeps_its_own_entry_beside_the_folder_s(keeps_runs, in_tmp, monkeypatch, not_racy):
    """A hook naming the files changed and a check of the whole folder, in
    turn, each take their own results whole: neither replaces the other's."""
    commands = (("runbooks",), ("runbooks/shapes.yaml",), ("runbooks/shapes.yaml", "runbooks/hybrid-clean.yaml"))
    cold = {command: run_check(*command, "--format", "json", "--no-cache") for command in commands}
    for command in commands:
        run_check(*command, "--format", "json")
    assert len(run_entries(in_tmp)) == len(commands)
    reads = counting_entry_reads(monkeypatch)
    for command in (*commands, *commands):
        assert run_check(*command, "--format", "json") == cold[command]
    assert reads == []


@needs_cli_cache
def test_a_run_entry_written_a_day_ago_is_not_taken_and_its_files_entries_are_marked_used(
    keeps_runs, in_tmp, monkeypatch, not_racy
):
    cold = run_check("runbooks", "--format", "json")
    (kept,) = run_entries(in_tmp)
    entries = [entry for entry in (in_tmp / ".recoverylint_cache").glob(ENTRIES) if entry != kept]
    for entry in [kept, *entries]:
        age(entry, 10)
    reads = counting_entry_reads(monkeypatch)
    assert run_check("runbooks", "--format", "json") == cold
    assert reads
    assert all(time.time() - entry.stat().st_mtime < 60 for entry in [*run_entries(in_tmp), *entries])


@needs_cli_cache
@pytest.mark.skipif(os.name != "posix", reason="permissions and owners are POSIX's")
@pytest.mark.parametrize("spoil", ["another owner", "writable by others", "writable by the group"])
def test_a_run_entry_another_user_could_have_written_is_not_taken(keeps_runs, in_tmp, monkeypatch, not_racy, spoil):
    """Its parts are printed as they are, unchecked: only this user's own are."""
    cold = run_check("runbooks", "--format", "json")
    (kept,) = run_entries(in_tmp)
    if spoil == "another owner":
        monkeypatch.setattr(os, "geteuid", lambda: os.stat(kept).st_uid + 4242)
    else:
        kept.chmod(0o646 if spoil == "writable by others" else 0o664)
    reads = counting_entry_reads(monkeypatch)
    assert run_check("runbooks", "--format", "json") == cold
    assert reads


def spoiled_runs():
    """Ways a run entry (bytes) is not as put_run writes it."""

    def header(entry, change):
        head, rest = entry.split(b"\n", 1)
        fields = json.loads(head)
        change(fields)
        return json.dumps(fields, separators=(",", ":")).encode() + b"\n" + rest

    def longer_part(fields):
        fields["files"][0][11][0] += 1

    def status_field(fields):
        fields["files"][0][0] = "0"

    def counts(fields):
        fields["files"][0][8] = -1

    def record(fields):
        fields["files"][0] = fields["files"][0][:11]

    def extra(fields):
        fields["extra"] = 1

    def input_format(fields):
        fields["files"][0][6] = "no such format"

    def formats(fields):
        fields["formats"] = ["json", "json"]

    def files(fields):
        fields["files"].pop()

    return {
        "empty": lambda entry: b"",
        "no header line": lambda entry: entry.replace(b"\n", b" ", 1),
        "cut": lambda entry: entry[:-1],
        "longer": lambda entry: entry + b"{}",
        "garbage header": lambda entry: b"[\n" + entry,
        **{
            name: (lambda change: lambda entry: header(entry, change))(change)
            for name, change in [
                ("a part longer", longer_part), ("a status not a number", status_field), ("a negative count", counts),
                ("a record short", record), ("another key", extra), ("an unknown input format", input_format),
                ("other formats", formats), ("a file missing", files),
            ]
        },
    }


@needs_cli_cache
@pytest.mark.parametrize("name", sorted(spoiled_runs()))
def test_a_run_entry_not_as_written_is_never_printed(keeps_runs, in_tmp, monkeypatch, not_racy, name):
    cold = run_check("runbooks", "--format", "json")
    (kept,) = run_entries(in_tmp)
    kept.write_bytes(spoiled_runs()[name](kept.read_bytes()))
    reads = counting_entry_reads(monkeypatch)
    assert run_check("runbooks", "--format", "json") == cold
    assert reads
    reads.clear()
    assert run_check("runbooks", "--format", "json") == cold  # kept anew
    assert reads == []


@needs_cli_cache
def test_no_run_is_kept_with_a_file_written_within_racy_seconds(keeps_runs, in_tmp, monkeypatch):
    """A second write in the same tick of the clock would leave its status as it was."""
    monkeypatch.setattr(cache_module, "RACY_SECONDS", 3600)  # the files were written a moment ago, however slow the machine
    cold = run_check("runbooks", "--format", "json")
    assert run_entries(in_tmp) == []
    reads = counting_entry_reads(monkeypatch)
    assert run_check("runbooks", "--format", "json") == cold
    assert reads


def test_a_run_over_the_entry_size_is_not_kept(keeps_runs, tmp_path, monkeypatch, runbooks):
    monkeypatch.setattr(cache_module, "RACY_SECONDS", -60)
    cache = ResultCache(tmp_path / "cache", tool="a" * 64)
    files = [(path, path.name, False, Settings(), True) for path in runbooks[:2]]
    run = cache.run_key(files, Limits(), ("json",))
    statuses = [path.stat() for path in runbooks[:2]]
    results = [(FileResult(path.name), WrittenFindings({"json": b'{"code": "RL201"}'}, 1)) for path in runbooks[:2]]
    monkeypatch.setattr(cache_module, "MAX_ENTRY_SIZE", 100)
    cache.put_run(run, statuses, results)
    assert cache.read_run(run, statuses) is None
    monkeypatch.setattr(cache_module, "MAX_ENTRY_SIZE", 64 * 1024 * 1024)
    cache.put_run(run, statuses, results)
    kept = cache.read_run(run, statuses)
    assert [(result.path, {name: bytes(part) for name, part in written.parts.items()}) for result, written in kept] == [
        (path.name, {"json": b'{"code": "RL201"}'}) for path in runbooks[:2]
    ]
    assert cache.read_run(run, [statuses[0], runbooks[2].stat()]) is None  # another file's status


@needs_cli_cache
def test_cleaning_deletes_kept_runs_as_entries(keeps_runs, in_tmp, not_racy):
    run_check("runbooks", "--format", "json")
    (kept,) = run_entries(in_tmp)
    age(kept, KEEP_UNUSED / DAY + 1)
    age(in_tmp / ".recoverylint_cache" / PRUNE_STAMP, 1.5)
    ResultCache(in_tmp / ".recoverylint_cache")
    assert not kept.exists()
    run_check("runbooks", "--format", "json")
    assert run_entries(in_tmp)
    assert CliRunner().invoke(cli, ["clean"]).exit_code == 0
    assert not (in_tmp / ".recoverylint_cache").exists()


@given(field=st.integers(0, 11), value=JSON_VALUES, top=st.sampled_from(["key", "run", "formats", "files", None]))
@example(field=5, value=False, top=None)  # as written
def test_no_run_entry_makes_a_run_fail(tmp_path_factory, field, value, top):
    """A run entry as written but for one field of its header, or of its
    first file's record, is taken as written or not at all: never an exception."""
    folder = tmp_path_factory.mktemp("run")
    runbook = folder / "r.yaml"
    runbook.write_text(SHAPES)
    status = runbook.stat()
    cache = ResultCache(folder / ".cache", tool="c" * 64)
    run = cache.run_key([(runbook, "r.yaml", False, Settings(), True)], Limits(), ("json",))
    entry = folder / ".cache" / ("c" * 16) / run.key[:2] / f"{run.key[2:]}.json"
    entry.parent.mkdir(parents=True)
    record = [*cache_module._status_fields(status), False, "native", 0, 1, 0, 0, [len(RECORD)]]
    header = {"key": run.key, "run": run.run, "formats": ["json"], "files": [record]}
    if top is None:
        record[field] = value
    else:
        header[top] = value
    entry.write_bytes(json.dumps(header).encode() + b"\n" + RECORD)
    entry.chmod(0o644)
    kept = cache.read_run(run, [status])
    if top is None and field == 5 and value is False:
        assert kept is not None
    if kept is not None:
        ((result, written),) = kept
        assert bytes(written.parts["json"]) == RECORD and result.path == "r.yaml"


@needs_cli_cache
def test_a_run_entry_cut_while_its_parts_are_written_fails_the_run(keeps_runs, in_tmp, monkeypatch, not_racy, capsys):
    """Its parts are read as the report is written: an entry cut meanwhile
    (by no writer of recoverylint's, which replace files) ends the run with
    a clear error, not a report with a file's findings missing."""
    run_check("runbooks", "--format", "json")
    (kept,) = run_entries(in_tmp)
    real = cache_module._kept_run

    def cut_after_reading_the_header(*args):
        found = real(*args)
        with open(kept, "r+b") as entry:
            entry.truncate(kept.stat().st_size // 2)
        return found

    monkeypatch.setattr(cache_module, "_kept_run", cut_after_reading_the_header)
    monkeypatch.setattr(sys, "argv", ["recoverylint", "check", "runbooks", "--format", "json"])
    capsys.readouterr()
    with pytest.raises(SystemExit) as exited:
        run_console(cli)  # the console script, as a user runs it
    assert exited.value.code == 2
    assert "it became shorter while it was read; run again (with --no-cache" in capsys.readouterr().err
