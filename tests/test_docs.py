"""The manual (docs/, built by MkDocs) and the README hold true: the site
builds with --strict (no broken link or anchor), every command output they show
is what the command prints today, the rule catalog is generated, and the tour's
runbook is clean and names every phase."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from test_readme import DOCUMENTS, ROOT, block_after, fenced_blocks

from recoverylint.catalog import catalog_codes, rule_doc
from recoverylint.cli import cli

PROMPT = "$ recoverylint "
# A line of a shown output that stands for lines left out.
ELISION = "..."
# The only `text` blocks that are no command's output shown after a `$` line,
# and the test that holds each to the real thing.
CHECKED_ELSEWHERE = {
    "recoverylint check [PATHS]...": "test_the_command_synopses_name_real_options",
    "recoverylint: examples/checklist-disk-full.yaml: not fixed:": "tests/test_cli_fix.py",
    "bad-a-change-without-title.yaml:5:9: RL901": "tests/test_architecture.py",
}


def shown_runs() -> list[tuple[str, str, str]]:
    """(document, command line, shown output) of every `text` block that
    starts with `$ recoverylint `."""
    runs = []
    for path in DOCUMENTS:
        for info, text in fenced_blocks(path):
            if info == "text" and text.startswith(PROMPT):
                command, _, output = text.partition("\n")
                runs.append((path.relative_to(ROOT).as_posix(), command[2:], output))
    return runs


def printed_by(command: str, sandbox: Path) -> str:
    """What `command` prints (stdout, then stderr as a terminal shows it), run
    in a folder that sees the project's examples and fixtures where the docs
    name them, with no colour and no cache."""
    args = shlex.split(command)[1:]
    if args[0] in ("check", "plan"):
        args.append("--no-color")
    if args[0] == "check":
        args.append("--no-cache")
    old = os.getcwd()
    os.chdir(sandbox)
    try:
        result = CliRunner().invoke(cli, args, env={"GITHUB_ACTIONS": None, "NO_COLOR": None})
    finally:
        os.chdir(old)
    assert result.exit_code in (0, 1), result.output
    return result.output


def assert_shows(shown: str, printed: str) -> None:
    """`shown` is `printed`, or parts of it in order where `...` lines stand
    for what is left out (at the start, between parts, at the end)."""
    lines = shown.rstrip("\n").split("\n")
    if ELISION not in lines:
        assert printed == shown
        return
    parts, current = [], []
    for line in lines:
        if line == ELISION:
            parts.append(current)
            current = []
        else:
            current.append(line)
    parts.append(current)
    texts = ["\n".join(part).strip("\n") for part in parts]
    if texts[0]:
        assert printed.startswith(texts[0] + "\n"), printed
    if texts[-1]:
        assert printed.rstrip("\n").endswith("\n" + texts[-1]), printed
    position = 0
    for text in texts:
        if text:
            found = printed.find(text, position)
            assert found >= 0, f"not printed, or not in this order:\n{text}\n--- printed:\n{printed}"
            position = found + len(text)


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("docs-sandbox")
    for name in ("examples", "tests", "schemas"):
        (folder / name).symlink_to(ROOT / name)
    (folder / "runbooks").mkdir()  # where the docs' `convert -o` writes
    return folder


@pytest.mark.parametrize(("document", "command", "shown"), shown_runs(),
                         ids=[f"{doc}: {cmd}" for doc, cmd, _ in shown_runs()])
def test_every_shown_output_is_what_the_command_prints(document, command, shown, sandbox):
    printed = printed_by(command, sandbox)
    if os.environ.get("RECOVERYLINT_UPDATE_GOLDEN") and ELISION not in shown.split("\n"):
        # A change of output on purpose: write it in, as the golden files are.
        path = ROOT / document
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace(f"$ {command}\n{shown}", f"$ {command}\n{printed}", 1), encoding="utf-8")
        return
    assert_shows(shown, printed)


def test_the_docs_show_outputs():
    """The mechanism above has something to check: a run in the README and
    in most pages of the manual."""
    documents = {document for document, _, _ in shown_runs()}
    assert {"README.md", "docs/index.md", "docs/plan.md", "docs/formats.md", "docs/format.md"} <= documents


def test_every_other_text_block_is_checked_elsewhere():
    for path in DOCUMENTS:
        for info, text in fenced_blocks(path):
            if info == "text" and not text.startswith(PROMPT):
                assert any(text.lstrip().startswith(first) for first in CHECKED_ELSEWHERE), (
                    f"{path.name}: a text block no test checks: {text[:80]!r}"
                )


def test_the_elision_check_can_fail():
    assert_shows("a\n...\nc\n", "a\nb\nc\n")
    for shown in ("a\n...\nd\n", "c\n...\na\n", "b\n...\n", "x\n"):
        with pytest.raises(AssertionError):
            assert_shows(shown, "a\nb\nc\n")


def test_the_command_synopses_name_real_options():
    """Each option the synopses (README's commands, docs/cli.md) show is one
    the command takes, and docs/cli.md shows every option each command takes."""
    synopsis = block_after("recoverylint check [PATHS]...   files", "text")
    commands: dict[str, set[str]] = {}
    current = ""
    for line in synopsis.splitlines():
        if line.startswith("recoverylint "):
            current = line.split()[1]
            commands.setdefault(current, set())
        commands[current] |= set(re.findall(r"(?<![\w-])(--?[a-z][\w-]*)", line))
    every_command = set(cli.list_commands(click.Context(cli)))  # the lazy ones (review, server) too
    assert {name for name in commands if not name.startswith("-")} == every_command
    front_page = block_after("recoverylint check [PATHS]...   lint", "text")
    assert {line.split()[1] for line in front_page.splitlines()} == every_command
    for command, shown in commands.items():
        if command.startswith("-"):
            continue
        helped = CliRunner().invoke(cli, [command, "--help"], terminal_width=200).output
        # Each option line of the help: its names (and an off switch after `/`), before the metavar.
        heads = re.findall(r"^  (-[^ ].*?)(?: [A-Z\[]|\s{2,}|$)", helped, re.MULTILINE)
        real = {name for head in heads for name in re.findall(r"--?[a-z][\w-]*", head)} - {"-h", "--help"}
        assert shown - {"-"} <= real | {"--format", "--version"}, (command, shown - real)
        assert real <= shown, (command, real - shown)


def test_mkdocs_builds_strict(tmp_path):
    """Every link and anchor of the manual resolves; the rule catalog is
    generated into the rules page."""
    built = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        check=False, cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert built.returncode == 0, built.stdout + built.stderr
    rules_page = (tmp_path / "site" / "rules" / "index.html").read_text(encoding="utf-8")
    for code in catalog_codes():
        assert f'id="{code.lower()}"' in rules_page
    assert rule_doc("RL201").summary.split(";")[0] in rules_page


def test_every_page_is_in_the_site_navigation():
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    for path in DOCUMENTS[1:]:
        assert f": {path.name}\n" in nav, path.name


def test_the_rules_table_names_each_rule_as_the_catalog_does():
    rows = re.findall(r"^\| (RL\d{3}) \| ([\w-]+) \| (\w+)", (ROOT / "docs" / "rules.md").read_text(encoding="utf-8"),
                      re.MULTILINE)
    assert [code for code, _, _ in rows] == catalog_codes()
    for code, name, severity in rows:
        assert (name, severity) == (rule_doc(code).name, rule_doc(code).severity.value), code


def tour_runbook(path: Path) -> str:
    (tour,) = [text for info, text in fenced_blocks(path)
               if info == "yaml" and text.startswith("# yaml-language-server") and "runbook:" in text]
    return tour


def test_the_tour_is_one_runbook_that_is_clean(tmp_path):
    """Issue 16 item 7: the README's tour and the format page's are the same
    runbook, and recoverylint finds nothing in it, even at info."""
    tour = tour_runbook(ROOT / "README.md")
    assert tour_runbook(ROOT / "docs" / "format.md") == tour
    (tmp_path / "tour.yaml").write_text(tour, encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(tmp_path / "tour.yaml"), "--no-cache",
                                      "--fail-on", "info", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["findings"] == []


def test_the_tour_lists_every_phase():
    schema = json.loads((ROOT / "schemas" / "runbook.schema.json").read_text(encoding="utf-8"))
    phases = schema["$defs"]["phase"]["enum"]
    used = re.findall(r"^\s+phase: (\w+)", tour_runbook(ROOT / "README.md"), re.MULTILINE)
    assert sorted(used) == sorted(phases)
    for path in (ROOT / "README.md", ROOT / "docs" / "format.md"):
        text = " ".join(path.read_text(encoding="utf-8").split())
        assert ", ".join(f"`{phase}`" for phase in phases[:-1]) + f" and `{phases[-1]}`" in text, path.name


def test_the_integration_examples_pin_no_missing_tag():
    """Issue 16 item 8: no `rev: vX` or `@vX` of a tag the project never made."""
    text = (ROOT / "docs" / "integrations.md").read_text(encoding="utf-8")
    assert "rev: main" in text
    assert "uses: recoverylint/recoverylint@main" in text
    assert not re.search(r"rev: v\d|recoverylint@v\d", text)


def test_the_real_run_says_what_each_example_gets(sandbox):
    """The numbers in the words before the manual's real run."""
    text = " ".join((ROOT / "docs" / "index.md").read_text(encoding="utf-8").split())
    assert ("reports five false gates in the checklist runbook, one gate and one unused output "
            "in the database outage") in text
    assert "`hybrid-clean.yaml` has no finding" in text
    printed = printed_by("recoverylint check examples/ --format concise", sandbox).splitlines()

    def codes(example: str) -> list[str]:
        return sorted(line.split()[1] for line in printed if line.startswith(f"examples/{example}:"))

    assert codes("checklist-disk-full.yaml") == ["RL201"] * 5
    assert codes("orders-db-outage.yaml") == ["RL105", "RL201"]
    assert codes("hybrid-clean.yaml") == []
    # The README's words: false gates, a race on an input, concurrent writes,
    # undecided alternatives, a close before its verification; exit status 1.
    assert "`recoverylint check examples/` (exit status 1) reports false gates, a race on an input, " \
        "concurrent writes, alternatives nobody decides between and a close that does not wait for " \
        "its verification" in one_line(ROOT / "README.md")
    found = {line.split()[1] for line in printed}
    assert {"RL201", "RL301", "RL401", "RL403", "RL306"} <= found
    old = os.getcwd()
    os.chdir(sandbox)
    try:
        assert CliRunner().invoke(cli, ["check", "examples/", "--no-cache"]).exit_code == 1
    finally:
        os.chdir(old)


def one_line(path: Path) -> str:
    return " ".join(path.read_text(encoding="utf-8").split())


def test_the_cache_figures_are_the_last_cache_benchmark():
    run = json.loads((ROOT / "benchmarks" / "cache_results.json").read_text(encoding="utf-8"))
    meta = run["meta"]
    median = {timing["mode"]: timing["median_s"] for timing in run["timings"]}
    assert (
        f"On {meta['files']:,} generated runbooks ({meta['corpus_mb']:.0f} MB, {meta['findings']:,} findings; "
        f"`benchmarks/cache.py`, medians of {meta['repeat']} on a busy {meta['cpus']}-core machine), "
        f"a run with `--no-cache` took {median['no-cache']:.1f} s, a cold run filling the cache "
        f"{median['cold, filling']:.1f} s (about {(run['filling_over_cold'] - 1) * 100:.0f}% more) and the warm re-run "
        f"{median['warm']:.2f} s: **{run['warm_over_cold']:.3f} of the run without the cache** "
        f"({run['warm_over_cold_cpu']:.3f} in CPU time)."
    ) in one_line(ROOT / "docs" / "performance.md")


def test_the_plan_scaling_table_is_the_last_plan_benchmark():
    run = json.loads((ROOT / "benchmarks" / "plan_results.json").read_text(encoding="utf-8"))
    page = (ROOT / "docs" / "performance.md").read_text(encoding="utf-8")
    for row in run["rows"]:
        assert (f"| {row['steps']:,} | {row['edges']:,} | {row['check_s']:.2f} s | {row['plan_s']:.2f} s "
                f"| {row['plan_us_per_step']:.0f} µs |") in page
    assert f"The cost per step grows {run['growth']:.1f}x" in " ".join(page.split())


def test_the_parallel_and_progress_thresholds_are_the_code_s():
    from recoverylint import cli as cli_module
    from recoverylint.runner import PARALLEL_MIN_FILES

    page = one_line(ROOT / "docs" / "performance.md")
    assert f"Below {PARALLEL_MIN_FILES} files one process is faster" in page
    assert f"a run of {cli_module._PROGRESS_MIN_FILES} files or more shows click's progress bar" in page


def test_the_schema_comment_names_no_missing_document():
    """Issue 16 item 8: the schema's `$comment` sends its reader to a page that exists."""
    schema = json.loads((ROOT / "schemas" / "runbook.schema.json").read_text(encoding="utf-8"))
    named = re.findall(r"[\w./-]+\.md\b", schema["$comment"])
    assert named
    for name in named:
        assert (ROOT / name).is_file(), name
