"""What a check imports (issue 16: a small runbook's check is mostly the
interpreter starting and importing, and pre-commit pays it per call).
Structural, not timed: the heavy parsers and libraries are imported by the
runs that need them, and by no other."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from recoverylint.cache import DIGESTS_FOLDER, RACY_SECONDS

ROOT = Path(__file__).resolve().parent.parent

# Runs the command line in a fresh interpreter and prints, after it, the
# top-level packages that were imported.
IMPORTED_BY_RUN = """
import json, runpy, sys
sys.argv = ["recoverylint", *sys.argv[1:]]
try:
    runpy.run_module("recoverylint", run_name="__main__")
except SystemExit as end:
    code = end.code
print(json.dumps({"exit": code, "modules": sorted(sys.modules)}))
"""

# Parsers of other formats and libraries wanted only to explain a failure or draw a plan.
HEAVY = {
    "bashlex", "markdown_it", "jsonschema", "fastjsonschema", "networkx", "pygments", "numpy", "pygls", "lsprotocol",
}


def imported_by(*arguments: str, cwd: Path) -> tuple[int, set[str]]:
    """The exit code of the run, and the top-level packages it imported."""
    code, modules = modules_imported_by(*arguments, cwd=cwd)
    return code, {name.split(".")[0] for name in modules}


def modules_imported_by(*arguments: str, cwd: Path, stdin: str = "") -> tuple[int, set[str]]:
    """The exit code of the run, and every module it imported (full names)."""
    done = subprocess.run(
        [sys.executable, "-c", IMPORTED_BY_RUN, *arguments], input=stdin,
        cwd=cwd, capture_output=True, text=True, timeout=120, check=False,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    report = json.loads(done.stdout.strip().splitlines()[-1])
    return report["exit"], set(report["modules"])


def test_a_small_native_check_imports_no_heavy_parser(tmp_path: Path) -> None:
    code, modules = imported_by("check", str(ROOT / "examples" / "hybrid-clean.yaml"), cwd=tmp_path)
    assert code == 0
    assert "recoverylint" in modules and "ruamel" in modules  # the run did read YAML
    assert modules & HEAVY == set()


# Modules a plain check of a clean file has no use for: the planner, the
# fixer (it judges fixes only for a file that offers one), and the standard
# library's modules wanted only for a diff, a bug's traceback, a name that is
# not known or a file written.
NOT_FOR_A_CHECK = {
    "recoverylint.plan", "recoverylint.fix", "recoverylint.report.diff", "difflib", "traceback", "secrets", "shutil",
}


def test_a_small_native_check_imports_no_other_format(tmp_path: Path) -> None:
    """The names, keys and suffixes of the formats are in the registry's
    table: the native file is detected by the native format's module, and no
    other format's module is imported (they took a third of the start)."""
    code, modules = modules_imported_by("check", str(ROOT / "examples" / "hybrid-clean.yaml"), cwd=tmp_path)
    assert code == 0
    formats = {name for name in modules if name.startswith("recoverylint.adapters.")}
    assert formats == {"recoverylint.adapters.native"}
    assert modules & NOT_FOR_A_CHECK == set()


def test_detection_imports_the_formats_up_to_the_one_that_claims_the_file(tmp_path: Path) -> None:
    """The same check can fail: an SSM document is tried as native first
    (the lower priority), then claimed by the SSM format; the formats after
    it are never imported."""
    document = ROOT / "tests" / "adapters" / "ssm" / "approve.yaml"
    _, modules = modules_imported_by("check", str(document), "--no-cache", cwd=tmp_path)
    formats = {name for name in modules if name.startswith("recoverylint.adapters.") and ".adapters._" not in name}
    assert formats == {"recoverylint.adapters.native", "recoverylint.adapters.ssm"}


def test_a_warm_rerun_imports_no_heavy_parser(tmp_path: Path) -> None:
    runbook = str(ROOT / "examples" / "orders-db-outage.yaml")
    first_code, _ = imported_by("check", runbook, "--format", "json", cwd=tmp_path)
    assert (tmp_path / ".recoverylint_cache").is_dir()
    code, modules = imported_by("check", runbook, "--format", "json", cwd=tmp_path)
    assert code == first_code
    assert modules & HEAVY == set()


def test_a_markdown_page_imports_its_parsers_when_read(tmp_path: Path) -> None:
    """The same structural check can fail: a run that reads a page and its
    shell commands imports markdown_it and bashlex then."""
    page = ROOT / "tests" / "adapters" / "markdown" / "pod-crashloop.md"
    _, modules = imported_by("check", str(page), "--no-cache", cwd=tmp_path)
    assert {"markdown_it", "bashlex"} <= modules


# What a check with --no-cache of a runbook with no configuration file above
# it has no use for: the cache and its hashing (OpenSSL), the TOML parser
# (read only for a pyproject.toml), and the fixer (a JSON report shows no fix).
NOT_FOR_A_PLAIN_JSON_CHECK = {"hashlib", "_hashlib", "tomllib", "recoverylint.cache", "recoverylint.fix"}


def test_a_json_check_without_cache_or_configuration_imports_none_of_them(tmp_path: Path) -> None:
    """pre-commit's call: one file, no cache wanted, a JSON report. The
    runbook offers fixes (a checklist with false gates): the JSON report
    does not show them, so none is judged."""
    folder = tmp_path / "runbooks"
    folder.mkdir()
    runbook = folder / "checklist.yaml"
    runbook.write_bytes((ROOT / "examples" / "checklist-disk-full.yaml").read_bytes())
    code, modules = modules_imported_by("check", str(runbook), "--format", "json", "--no-cache", cwd=folder)
    assert code == 1  # it has findings: the run did check it
    assert modules & NOT_FOR_A_PLAIN_JSON_CHECK == set()


def test_the_same_imports_come_when_a_run_needs_them(tmp_path: Path) -> None:
    """The same structural check can fail: a pyproject.toml above the file
    brings the TOML parser, the cache brings hashing, a full report judges
    the fixes it shows."""
    folder = tmp_path / "runbooks"
    folder.mkdir()
    runbook = folder / "checklist.yaml"
    runbook.write_bytes((ROOT / "examples" / "checklist-disk-full.yaml").read_bytes())
    (folder / "pyproject.toml").write_text('[project]\nname = "ops"\n', encoding="utf-8")
    code, modules = modules_imported_by("check", str(runbook), "--format", "full", cwd=folder)
    assert code == 1
    assert modules >= NOT_FOR_A_PLAIN_JSON_CHECK


def test_a_full_report_judges_fixes_without_the_text_editor(tmp_path: Path) -> None:
    """A full report counts the fixes `--fix` would apply, judged on the
    model: the text editor (ruamel's round trip, difflib) is imported only
    by a run that writes a restructured checklist's text (`--diff --unsafe-fixes`)."""
    runbook = tmp_path / "checklist.yaml"
    runbook.write_bytes((ROOT / "examples" / "checklist-disk-full.yaml").read_bytes())
    code, modules = modules_imported_by("check", str(runbook), "--no-cache", cwd=tmp_path)
    assert code == 1
    assert "recoverylint.fix" in modules  # the fixes were judged
    assert modules & {"recoverylint.fix.edits", "difflib"} == set()
    _, modules = modules_imported_by("check", str(runbook), "--no-cache", "--diff", "--unsafe-fixes", cwd=tmp_path)
    assert modules >= {"recoverylint.fix.edits", "difflib"}


# What a plain check does not build (each frozen dataclass costs startup
# time): the plan and convert sessions, standard input's and --fix's parts of
# a check, and the views of `plan` and `rule`.
NOT_BUILT_BY_A_CHECK = {"recoverylint.session_plan", "recoverylint.stdin_and_fixes", "recoverylint.report.views"}


def test_a_plain_check_builds_no_session_part_it_does_not_use(tmp_path: Path) -> None:
    code, modules = modules_imported_by(
        "check", str(ROOT / "examples" / "hybrid-clean.yaml"), "--format", "json", "--no-cache", cwd=tmp_path
    )
    assert code == 0
    assert "recoverylint.session" in modules
    assert modules & NOT_BUILT_BY_A_CHECK == set()


def test_the_runs_that_use_those_parts_import_them(tmp_path: Path) -> None:
    """The same check can fail: `plan` imports its session and view, a
    runbook read from standard input the check's part that holds it."""
    runbook = ROOT / "examples" / "hybrid-clean.yaml"
    code, modules = modules_imported_by("plan", str(runbook), cwd=tmp_path)
    assert code == 0
    assert {"recoverylint.session_plan", "recoverylint.report.views"} <= modules
    code, modules = modules_imported_by(
        "check", "-", "--format", "json", cwd=tmp_path, stdin=runbook.read_text(encoding="utf-8")
    )
    assert code == 0
    assert "recoverylint.stdin_and_fixes" in modules


# What a check imports to check a file and a warm re-run, whose results are
# all in the cache, has no use for.
CHECKING_A_FILE = {"recoverylint.graphs", "recoverylint.rules", "recoverylint.suppress"}


def test_a_warm_rerun_imports_neither_graphs_nor_rules(tmp_path: Path) -> None:
    """pre-commit's call with the cache: the first run checks the file (and
    imports the graphs and the rules), the second takes its result from the
    cache without them."""
    runbook = str(ROOT / "examples" / "orders-db-outage.yaml")
    first_code, first = modules_imported_by("check", runbook, "--format", "json", cwd=tmp_path)
    assert first >= CHECKING_A_FILE
    code, modules = modules_imported_by("check", runbook, "--format", "json", cwd=tmp_path)
    assert code == first_code
    assert "recoverylint.cache" in modules  # it did read the cache
    assert modules & CHECKING_A_FILE == set()


def test_the_parts_moved_out_keep_their_public_names() -> None:
    import recoverylint.report as report
    import recoverylint.report.views as views
    import recoverylint.session as session
    import recoverylint.session_plan as session_plan
    import recoverylint.stdin_and_fixes as stdin_and_fixes
    from recoverylint.report import PlanView, RuleView
    from recoverylint.session import ConvertRequest, FixedFile, PlanRequest, StandardInput, run_convert, run_plan

    assert (PlanView, RuleView) == (views.PlanView, views.RuleView)
    assert (PlanRequest, run_plan, ConvertRequest, run_convert) == (
        session_plan.PlanRequest, session_plan.run_plan, session_plan.ConvertRequest, session_plan.run_convert,
    )
    assert (StandardInput, FixedFile) == (stdin_and_fixes.StandardInput, stdin_and_fixes.FixedFile)
    for module in (session, report):
        with pytest.raises(AttributeError, match="NoSuchName"):
            getattr(module, "NoSuchName")  # noqa: B009


# What a run that checks no file has no use for (issue 16): the model and
# its findings, the YAML parser, the formats' registry, the engine and the
# durations.  A warm re-run takes every result from the cache; it needs the
# light parts only (severity, reading, formats, discovery).
NOT_FOR_A_RUN_THAT_CHECKS_NO_FILE = {
    "recoverylint.model", "recoverylint.finding", "recoverylint.source", "recoverylint.adapters",
    "recoverylint.engine", "recoverylint.durations", "recoverylint.capabilities", "ruamel", "_ruamel_yaml",
}


def heavy_modules_in(modules: set[str]) -> set[str]:
    """The modules of NOT_FOR_A_RUN_THAT_CHECKS_NO_FILE imported, or any of their submodules."""
    return {name for name in modules if name.partition(".")[0] in {"ruamel", "_ruamel_yaml"}} | (
        modules & NOT_FOR_A_RUN_THAT_CHECKS_NO_FILE
    )


def test_a_warm_rerun_imports_neither_the_model_nor_the_parser(tmp_path: Path) -> None:
    """Three runbooks of a folder, two with findings: the first run checks
    them (the same structural check can fail: it imports all of these), the
    second takes every result, its JSON written, from the cache."""
    folder = tmp_path / "runbooks"
    folder.mkdir()
    for name in ("orders-db-outage.yaml", "hybrid-clean.yaml", "checklist-disk-full.yaml"):
        (folder / name).write_bytes((ROOT / "examples" / name).read_bytes())
    # Older than the cache's racy window, so that the first run remembers the
    # files' hashes and the second reads none of them (as the benchmark's does).
    time.sleep(RACY_SECONDS + 0.2)
    first_code, first = modules_imported_by("check", str(folder), "--format", "json", cwd=tmp_path)
    assert first >= NOT_FOR_A_RUN_THAT_CHECKS_NO_FILE
    assert any((tmp_path / ".recoverylint_cache" / DIGESTS_FOLDER).iterdir())
    code, modules = modules_imported_by("check", str(folder), "--format", "json", cwd=tmp_path)
    assert code == first_code == 1
    assert modules & CHECKING_A_FILE == set()  # every result came from the cache
    assert heavy_modules_in(modules) == set()


@pytest.mark.parametrize("report", ["json", "full"])
def test_a_check_of_an_empty_folder_imports_neither_the_model_nor_the_parser(tmp_path: Path, report: str) -> None:
    (tmp_path / "empty").mkdir()
    code, modules = modules_imported_by("check", str(tmp_path / "empty"), "--format", report, cwd=tmp_path)
    assert code == 0
    assert "recoverylint.session" in modules  # it did run a check
    assert heavy_modules_in(modules) == set()


def test_the_light_parts_keep_their_public_names() -> None:
    """What moved out of the heavy modules is the same object under its old name."""
    import recoverylint.adapters as adapters
    import recoverylint.discovery as discovery
    import recoverylint.engine as engine
    import recoverylint.finding as finding
    import recoverylint.formats as formats
    import recoverylint.reading as reading
    import recoverylint.severity as severity
    import recoverylint.source as source

    assert finding.Severity is severity.Severity
    for name in (
        "Limits", "SourceError", "read_bytes", "read_text", "check_size", "decode", "decode_accepted",
        "LineIndex", "editor_lines", "DEFAULT_MAX_FILE_SIZE", "DEFAULT_MAX_DEPTH", "DEFAULT_MAX_ALIAS_NODES",
        "DEFAULT_MAX_DOCUMENTS",
    ):
        assert getattr(source, name) is getattr(reading, name), name
    for name in (
        "KnownFormat", "KNOWN_FORMATS", "FORMAT_MODULES", "known_formats", "known_of", "format_of",
        "format_names", "format_suffixes", "discovery_keys", "JSON_SIGNATURES", "json_signature",
    ):
        assert getattr(adapters, name) is getattr(formats, name), name
    for name in ("discover", "file_identity", "YAML_SUFFIXES"):
        assert getattr(engine, name) is getattr(discovery, name), name


def test_a_refusal_read_without_the_model_still_has_its_span() -> None:
    """SourceError imports the model's Span only when its span is asked for."""
    from recoverylint.model import Span
    from recoverylint.reading import SourceError, decode

    with pytest.raises(SourceError) as refused:
        decode(b"a: 1\nb: \x01\n")
    assert refused.value.span == Span(2, 4, 2, 5)
