"""`check --fix`, `--unsafe-fixes` and `--diff` as users run them."""

import os
import shutil
import stat
import tempfile
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recoverylint.cli import cli
from recoverylint.engine import check_text
from recoverylint.fix import FLOW_COMMENT, fix_text
from recoverylint.finding import Fix, Issue, RemoveNeed
from recoverylint.capabilities import Capability
from recoverylint.rules import Rule, registry
from recoverylint.settings import Settings

EXAMPLES = Path(__file__).parent.parent / "examples"

REDUNDANT = textwrap.dedent(
    """\
    # Disk full on the primary.
    runbook: redundant
    flow: parallel
    given: [alert]
    roles:
      lead: {authority: [observe, decide]}   # one person
    steps:
      - id: triage
        role: lead
        inputs: [alert]
        outputs: [scope]
      - id: check-disk
        role: lead
        needs: [triage]
        inputs: [scope]
        outputs: [disk]
      - id: decide
        role: lead
        needs:
          - check-disk   # the disk usage decides
          - triage       # already implied through check-disk
        inputs: [disk]
    """
)
# REDUNDANT as `--fix` leaves it: the implied wait for `triage` goes, with its comment.
REDUNDANT_FIXED = REDUNDANT.replace("      - triage       # already implied through check-disk\n", "")

FALSE_GATE = textwrap.dedent(
    """\
    runbook: false-gate
    flow: parallel
    given: [alert]
    roles:
      lead: {authority: [observe, decide], people: 2}
    steps:
      - id: triage
        role: lead
        inputs: [alert]
        outputs: [scope]
      - id: post-status
        role: lead
        needs: [triage]
        inputs: [scope]
      - id: check-disk
        role: lead
        needs: [triage, post-status]  # waits for the status post for nothing
        inputs: [scope]
        outputs: [disk]
      - id: decide
        role: lead
        needs: [check-disk]
        inputs: [disk]
    """
)

# A checklist a team of three can work in parallel: the unsafe fix applies.
CHECKLIST = textwrap.dedent(
    """\
    runbook: checklist
    given: [alert]
    team: {size: 3}
    roles:
      lead: {authority: [observe, decide], people: 3}
    steps:
      - id: triage
        role: lead
        inputs: [alert]
        outputs: [scope]
      - id: check-disk   # disk first, by habit
        role: lead
        inputs: [scope]
        outputs: [disk]
      - id: check-deploys
        role: lead
        inputs: [scope]
        outputs: [deploys]
      - id: decide
        role: lead
        inputs: [disk, deploys]
    """
)


def run(*args):
    return CliRunner().invoke(cli, ["check", "--no-color", *args], catch_exceptions=False)


def write(tmp_path: Path, text: str, name: str = "runbook.yaml") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode())
    return path


def test_fix_removes_a_redundant_need_and_keeps_everything_else(tmp_path):
    path = write(tmp_path, REDUNDANT)
    before = run(str(path))
    assert "RL203" in before.output and "[*] 1 fixable with --fix." in before.output
    result = run(str(path), "--fix")
    assert result.exit_code == 0, result.output
    assert "Applied 1 fix in 1 file." in result.output
    assert path.read_text() == REDUNDANT_FIXED
    assert check_text(path.read_text()).findings == []
    # A second run has nothing left to do.
    again = run(str(path), "--fix")
    assert "Applied 0 fixes in 0 files." in again.output
    assert path.read_text() == REDUNDANT_FIXED


def test_fix_removes_a_false_gate_the_step_does_not_need(tmp_path):
    # `triage` also looks redundant (implied through the false gate): the
    # false gate goes first, and then `triage` is what the step waits for.
    path = write(tmp_path, FALSE_GATE)
    assert sorted(f.code for f in check_text(FALSE_GATE).findings) == ["RL201", "RL203"]
    result = run(str(path), "--fix")
    assert result.exit_code == 0, result.output
    # ruamel.yaml keeps the comment in its column.
    assert path.read_text() == FALSE_GATE.replace(
        "needs: [triage, post-status]  # waits", "needs: [triage]               # waits"
    )


def test_a_false_gate_is_not_removed_when_the_step_would_lose_what_it_needs(tmp_path):
    # check-disk needs triage's scope, and waits for it only through post-status.
    text = FALSE_GATE.replace("needs: [triage, post-status]", "needs: [post-status]")
    findings = check_text(text).findings
    assert [f.code for f in findings] == ["RL201"] and findings[0].fix is None
    path = write(tmp_path, text)
    assert run(str(path), "--fix").exit_code == 1
    assert path.read_text() == text


def test_diff_shows_the_fix_and_writes_nothing(tmp_path):
    path = write(tmp_path, REDUNDANT)
    result = CliRunner().invoke(cli, ["check", str(path), "--diff"])
    assert result.exit_code == 1
    shown = str(path)
    assert f"--- a/{shown}" in result.stdout and f"+++ b/{shown}" in result.stdout
    assert "-      - triage       # already implied through check-disk\n" in result.stdout
    assert "would apply 1 fix in 1 file" in result.stderr
    assert path.read_text() == REDUNDANT
    clean = write(tmp_path, REDUNDANT_FIXED, "clean.yaml")
    nothing = CliRunner().invoke(cli, ["check", str(clean), "--diff"])
    assert nothing.exit_code == 0 and nothing.stdout == ""


def test_unsafe_fix_restructures_a_checklist_into_the_order_the_work_needs(tmp_path):
    path = write(tmp_path, CHECKLIST)
    safe_only = run(str(path), "--fix")
    assert safe_only.exit_code == 1 and path.read_text() == CHECKLIST
    result = run(str(path), "--fix", "--unsafe-fixes")
    assert result.exit_code == 0, result.output
    fixed = path.read_text()
    assert "flow: parallel  # " in fixed and "--unsafe-fixes" in fixed
    assert "  - id: check-disk   # disk first, by habit\n" in fixed  # comments stay
    assert check_text(fixed).findings == []
    from recoverylint.source import parse

    steps = {step["id"]: step.get("needs") for step in parse(fixed).data["steps"]}
    assert steps == {
        "triage": None,
        "check-disk": ["triage"],
        "check-deploys": ["triage"],
        "decide": ["check-disk", "check-deploys"],
    }
    again = run(str(path), "--fix", "--unsafe-fixes")
    assert again.exit_code == 0 and path.read_text() == fixed


def test_an_unsafe_fix_that_would_add_findings_is_refused_and_said(tmp_path):
    # One on-call DBA cannot run five checks at once: restructuring would add
    # RL405 (understaffed parallelism), so the checklist stays as it is.
    path = tmp_path / "checklist.yaml"
    shutil.copy(EXAMPLES / "checklist-disk-full.yaml", path)
    before = path.read_bytes()
    result = run(str(path), "--fix", "--unsafe-fixes")
    assert result.exit_code == 1
    assert "not fixed: restructure the checklist" in result.output
    assert "RL405" in result.output
    assert path.read_bytes() == before


def test_a_fix_that_adds_findings_is_never_written(monkeypatch):
    """The re-check guard itself: a rule offering a wrong fix (removing a wait
    the step needs) has it refused."""
    def wrong_fix(ctx):
        step = ctx.runbook.steps[3]  # `decide` uses what `check-disk` outputs
        yield Issue(step.span, "remove a real need", fix=Fix("drop it", True, RemoveNeed(step.id, "check-disk")))

    monkeypatch.setitem(registry(), "RL203", Rule("RL203", wrong_fix, frozenset({Capability.GRAPHS})))
    outcome = fix_text(FALSE_GATE, "x.yaml", Settings(select=("RL203",)))
    assert outcome.text is None and outcome.applied == ()
    ((fix, why),) = outcome.refused
    # Judged with every rule on, although this run selects only RL203.
    assert fix.description == "drop it" and why.startswith("it would add 1 finding (RL301): ")


FIXTURES = Path(__file__).parent / "fix"


@pytest.mark.parametrize(
    "runbook",
    [*sorted(EXAMPLES.glob("*.yaml")), FIXTURES / "api-latency.yaml"],
    ids=lambda path: path.name,
)
def test_fixing_twice_changes_nothing_the_second_time(tmp_path, runbook):
    path = tmp_path / runbook.name
    shutil.copy(runbook, path)
    run(str(path), "--fix", "--unsafe-fixes")
    once = path.read_bytes()
    # The examples' fixes are refused or absent; the fixture's first run restructures it.
    assert (once != runbook.read_bytes()) == (runbook.parent == FIXTURES)
    run(str(path), "--fix", "--unsafe-fixes")
    assert path.read_bytes() == once


def test_fix_keeps_crlf_a_bom_and_the_file_mode_and_writes_through_links(tmp_path):
    text = "\ufeff" + REDUNDANT.replace("\n", "\r\n")
    target = tmp_path / "real.yaml"
    target.write_bytes(text.encode())
    target.chmod(0o640)
    link = tmp_path / "link.yaml"
    link.symlink_to(target)
    assert run(str(link), "--fix").exit_code == 0
    assert link.is_symlink()
    fixed = target.read_bytes()
    assert fixed.startswith(b"\xef\xbb\xbf") and b"\r\n" in fixed and b"\n" not in fixed.replace(b"\r\n", b"")
    assert b"already implied" not in fixed
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]


def test_unsafe_fixes_alone_is_a_usage_error(tmp_path):
    path = write(tmp_path, REDUNDANT)
    assert run(str(path), "--unsafe-fixes").exit_code == 2


def test_readme_shows_what_fixing_prints(tmp_path, monkeypatch):
    section = (Path(__file__).parent.parent / "docs" / "fixing.md").read_text()
    shown_diff = section.split("```diff\n")[1].split("```")[0]
    monkeypatch.chdir(tmp_path)
    shutil.copy(FIXTURES / "api-latency.yaml", tmp_path)
    result = CliRunner().invoke(cli, ["check", "api-latency.yaml", "--diff", "--unsafe-fixes"])
    assert result.exit_code == 1
    assert result.stdout.split("\n", 2)[2] == shown_diff  # after the ---/+++ lines
    refused = section.split("```text\n")[1].split("```")[0].strip()
    monkeypatch.chdir(EXAMPLES.parent)
    result = CliRunner().invoke(
        cli, ["check", "examples/checklist-disk-full.yaml", "--diff", "--unsafe-fixes"]
    )
    assert refused in result.stderr


def test_a_runbook_changed_while_it_was_fixed_is_left_as_it_is(tmp_path, monkeypatch):
    """Someone saves the file between the check and the write: their version wins."""
    from recoverylint import runner

    path = write(tmp_path, REDUNDANT)
    theirs = REDUNDANT.replace("# Disk full", "# Disk really full")
    real_check_one = runner._check_one

    def edited_meanwhile(task, data, limits, fix):
        checked = real_check_one(task, data, limits, fix)
        path.write_text(theirs)
        return checked

    monkeypatch.setattr(runner, "_check_one", edited_meanwhile)
    result = CliRunner().invoke(cli, ["check", str(path), "--fix"])
    assert result.exit_code == 2
    assert "changed while it was being fixed" in result.stderr
    assert "internal error" not in result.stderr
    assert path.read_text() == theirs


# -- Issue 13: reasons stay, fixing reaches a fixed point, comments stay ----------

# `c` uses what `b` outputs (which needs `a`'s): D has a→b→c, so the real
# prerequisite of `c` is `b` alone; its wait for `a` has a reason.
REASONED = textwrap.dedent(
    """\
    runbook: reasoned
    given: [alert]
    team: {size: 3}
    roles:
      lead: {authority: [observe, decide], people: 3}
    steps:
      - id: a
        role: lead
        inputs: [alert]
        outputs: [x]
      - id: b
        role: lead
        inputs: [x]
        outputs: [y]
      - id: c
        role: lead
        needs:
          - {step: a, reason: "the lock must be held"}
        inputs: [y]
      - id: d
        role: lead
        inputs: [alert]
    """
)


def test_the_restructure_keeps_an_entry_with_a_reason(tmp_path):
    path = write(tmp_path, REASONED)
    result = run(str(path), "--fix", "--unsafe-fixes")
    assert result.exit_code == 0, result.output
    fixed = path.read_text()
    assert '      - {step: a, reason: "the lock must be held"}\n      - b\n' in fixed
    from recoverylint.source import parse

    needs = {step["id"]: step.get("needs") for step in parse(fixed).data["steps"]}
    assert needs == {
        "a": None,
        "b": ["a"],
        "c": [{"step": "a", "reason": "the lock must be held"}, "b"],
        "d": None,
    }


PARALLEL_CHAIN = textwrap.dedent(
    """\
    runbook: chain
    flow: parallel
    given: [alert]
    roles:
      lead: {authority: [observe, decide], people: 3}
    steps:
      - id: a
        role: lead
        inputs: [alert]
      - id: b
        role: lead
        needs: [a]
        inputs: [alert]
      - id: c
        role: lead
        needs: [a, b]
        inputs: [alert]
    """
)


def test_one_fix_run_removes_every_needless_wait_and_a_second_changes_nothing(tmp_path):
    # The first run used to remove `a` from `c` only; the second then removed more.
    path = write(tmp_path, PARALLEL_CHAIN)
    result = run(str(path), "--fix")
    assert result.exit_code == 0, result.output
    fixed = path.read_text()
    assert fixed == PARALLEL_CHAIN.replace("needs: [a]", "needs: []").replace("needs: [a, b]", "needs: []")
    assert check_text(fixed).findings == []
    run(str(path), "--fix")
    assert path.read_text() == fixed


COMMENTED_CHECKLIST = textwrap.dedent(
    """\
    runbook: commented
    given: [alert]
    team: {size: 3}
    roles:
      lead: {authority: [observe, decide], people: 3}
    steps:
      - id: a
        role: lead
        inputs: [alert]
        outputs: [x]
      - id: b
        role: lead
        inputs: [alert]
        outputs: [y]
      - id: c
        role: lead
        needs:
          # the first one
          - a   # a's comment
          # before b
          - b   # b's comment
        inputs: [x]
      - id: d
        role: lead
        inputs: [y]
    """
)


def test_the_restructure_keeps_comments_with_their_entries_and_other_lines_as_they_are(tmp_path):
    path = write(tmp_path, COMMENTED_CHECKLIST)
    result = run(str(path), "--fix", "--unsafe-fixes")
    assert result.exit_code == 0, result.output
    # `c` keeps `a` where it was, with its comment; only `b`'s line goes
    # (with its own comment), and `d` gets its wait.
    assert path.read_text() == COMMENTED_CHECKLIST.replace(
        "steps:\n", "flow: parallel  # " + FLOW_COMMENT + "\nsteps:\n"
    ).replace("      - b   # b's comment\n", "").replace(
        "  - id: d\n    role: lead\n", "  - id: d\n    role: lead\n    needs:\n      - b\n"
    )


# Random small runbooks: every fix run, safe or unsafe, reaches a fixed point
# and touches nothing but `needs` (and `flow`, restructured), every comment kept.

IDS = ("a", "b", "c", "d")


@st.composite
def small_runbooks(draw) -> tuple[str, dict[str, list[tuple[str, str]]]]:
    """A runbook, and per step the (entry name, its comment) of its `needs`."""
    count = draw(st.integers(2, len(IDS)))
    lines = ["# header comment", "runbook: random", "given: [alert]", "team: {size: 3}"]
    if draw(st.booleans()):
        lines.append("flow: parallel")
    lines += ["roles:", "  lead: {authority: [observe, decide], people: 3}", "steps:"]
    comments = 0
    commented: dict[str, list[tuple[str, str]]] = {}

    def comment() -> str:
        nonlocal comments
        comments += 1
        return f"# comment {comments}"

    for index, step_id in enumerate(IDS[:count]):
        earlier = list(IDS[:index])
        lines += [f"  - id: {step_id}", "    role: lead"]
        if draw(st.booleans()):
            lines.append(f"    {comment()}")
        needs = draw(st.lists(st.sampled_from(earlier), unique=True, max_size=3)) if earlier else []
        reasoned = set(draw(st.lists(st.sampled_from(needs), unique=True))) if needs else set()
        entries = [f'{{step: {n}, reason: "why {n}"}}' if n in reasoned else n for n in needs]
        commented[step_id] = []
        if needs and draw(st.booleans()):
            lines.append(f"    needs: [{', '.join(entries)}]")
        elif needs:
            lines.append("    needs:")
            for name, entry in zip(needs, entries):
                if draw(st.booleans()):
                    lines.append(f"      {comment()}")
                text = comment()
                lines.append(f"      - {entry}   {text}")
                commented[step_id].append((name, text))
        uses = draw(st.lists(st.sampled_from(earlier), unique=True, max_size=2)) if earlier else []
        lines.append(f"    inputs: [{', '.join(['alert'] + [f'f-{n}' for n in uses])}]")
        lines.append(f"    outputs: [f-{step_id}]")
    return "\n".join(lines) + "\n", commented


def without_needs(document) -> dict:
    plain = dict(document)
    plain.pop("flow", None)
    plain["steps"] = [{k: v for k, v in step.items() if k != "needs"} for step in document["steps"]]
    return plain


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_runbooks(), st.booleans())
def test_random_runbooks_fixed_twice_change_nothing_the_second_time(written, unsafe):
    from recoverylint.source import parse

    text, commented = written
    options = ["--fix", "--unsafe-fixes"] if unsafe else ["--fix"]
    with tempfile.TemporaryDirectory() as folder:
        path = write(Path(folder), text)
        run(str(path), "--no-cache", *options)
        once = path.read_text()
        run(str(path), "--no-cache", *options)
        assert path.read_text() == once
    before, after = parse(text).data, parse(once).data
    assert without_needs(after) == without_needs(before)
    if not unsafe:
        assert after.get("flow") == before.get("flow")
    # Every comment line stays, and so does the comment of every entry left.
    kept_lines = set(once.splitlines())
    for line in text.splitlines():
        if line.lstrip().startswith("#"):
            assert line in kept_lines
    for step in after["steps"]:
        left = [entry["step"] if isinstance(entry, dict) else entry for entry in step.get("needs") or []]
        for name, note in commented[step["id"]]:
            if name in left:
                assert any(note in line and f"{name}" in line for line in kept_lines), (name, note)


# Issue 16, item 2: three checks of one person, in a sequence that needs none
# of them: restructuring it as `flow: parallel` would let the three run at once.
ONE_PERSON_CHECKLIST = textwrap.dedent(
    """\
    runbook: status-posts
    given: [alert]
    roles:
      lead: {authority: [observe, decide, communicate], people: 1}
    steps:
      - id: check-dashboard
        role: lead
        duration: 5m
        inputs: [alert]
      - id: check-logs
        role: lead
        duration: 5m
        inputs: [alert]
      - id: check-traces
        role: lead
        duration: 5m
        inputs: [alert]
    """
)


def test_a_plain_check_counts_no_fix_that_fix_would_refuse(tmp_path: Path) -> None:
    """`[*] 2 fixable with --fix --unsafe-fixes` was said of a restructure
    that `--fix --unsafe-fixes` then refused (it would overload `lead`)."""
    path = tmp_path / "checklist.yaml"
    path.write_text(ONE_PERSON_CHECKLIST)
    runner = CliRunner()
    checked = runner.invoke(cli, ["check", "--no-cache", str(path)])
    assert checked.exit_code == 1
    assert [line for line in checked.output.splitlines() if line.startswith("Found")] == [
        "Found 2 findings in 1 file (0 errors, 2 warnings, 0 infos)."
    ]
    assert "fixable with" not in checked.output
    assert "= fix:" not in checked.output
    fixed = runner.invoke(cli, ["check", "--no-cache", "--fix", "--unsafe-fixes", str(path)])
    assert "Applied 0 fixes in 0 files." in fixed.output
    assert (
        "not fixed: restructure the checklist as `flow: parallel`, each step needing only what it requires:"
        " it would add 1 finding (RL405): 3 steps of `lead` can run at once (`check-dashboard`, `check-logs`"
        " and `check-traces`) but the role has 1 person." in fixed.output
    )
    assert path.read_text() == ONE_PERSON_CHECKLIST


def test_a_plain_check_still_counts_the_fixes_fix_applies(tmp_path: Path) -> None:
    """The same three checks by a role of three people: the restructure is
    kept, so the check counts it, and `--fix --unsafe-fixes` applies it."""
    path = tmp_path / "checklist.yaml"
    path.write_text(ONE_PERSON_CHECKLIST.replace("people: 1", "people: 3"))
    runner = CliRunner()
    checked = runner.invoke(cli, ["check", "--no-cache", str(path)])
    assert checked.exit_code == 1
    assert checked.output.splitlines()[-1] == "[*] 2 fixable with --fix --unsafe-fixes."
    fixed = runner.invoke(cli, ["check", "--no-cache", "--fix", "--unsafe-fixes", str(path)])
    assert "Applied 1 fix in 1 file." in fixed.output
    assert "flow: parallel" in path.read_text()


def test_a_check_of_refused_safe_fixes_counts_none(tmp_path: Path) -> None:
    """Safe fixes too: each removal of a false gate would let two steps run
    at once that the team of one must do."""
    from test_fix_on_model import refused

    path = tmp_path / "refused.yaml"
    path.write_text(refused(20))
    checked = CliRunner().invoke(cli, ["check", "--no-cache", str(path)])
    assert checked.exit_code == 1
    assert checked.output.count("RL201 [warning]") == 19
    assert "fixable with" not in checked.output and "= fix:" not in checked.output


def test_a_bug_while_counting_fixes_is_reported_for_its_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Judging the fixes a check counts is our code on the user's file: a
    bug there is an internal error of that file, and the others are checked."""
    import recoverylint.fix as fixing

    def broken(*args: object) -> None:
        raise RuntimeError("a bug while judging")

    monkeypatch.setattr(fixing, "applying_fixes", broken)
    (tmp_path / "fixable.yaml").write_text(ONE_PERSON_CHECKLIST.replace("people: 1", "people: 3"))
    shutil.copy(EXAMPLES / "hybrid-clean.yaml", tmp_path / "clean.yaml")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["check", "--no-cache", "fixable.yaml", "clean.yaml"], catch_exceptions=False)
    assert result.exit_code == 2
    assert "fixable.yaml: internal error in recoverylint" in result.output
    assert "RuntimeError: a bug while judging" in result.output
    assert "1 file could not be checked" in result.output


@pytest.mark.parametrize(
    "layout",
    [
        # the checklist inside a `sequence:` block: the restructure rewrites only top-level steps
        lambda text: text.replace("steps:\n  - id:", "steps:\n  - sequence:\n    - id:").replace(
            "\n  - id:", "\n    - id:"
        ).replace("\n    role:", "\n      role:").replace("\n    duration:", "\n      duration:").replace(
            "\n    inputs:", "\n      inputs:"
        ),
        # a step taking keys from a YAML merge key, which the restructure does not rewrite
        lambda text: text.replace("  - id: check-traces\n    role: lead\n", "  - id: check-traces\n    <<: {role: lead}\n"),
    ],
    ids=["sequence-block", "merge-key"],
)
def test_a_plain_check_counts_no_restructure_its_layout_refuses(tmp_path: Path, layout) -> None:
    """Counted on the model, a restructure must still be one `--fix` would
    write: a layout it refuses is counted as refused."""
    path = tmp_path / "checklist.yaml"
    path.write_text(layout(ONE_PERSON_CHECKLIST.replace("people: 1", "people: 3")))
    runner = CliRunner()
    checked = runner.invoke(cli, ["check", "--no-cache", str(path)])
    assert checked.exit_code == 1, checked.output
    assert "fixable with" not in checked.output
    fixed = runner.invoke(cli, ["check", "--no-cache", "--fix", "--unsafe-fixes", str(path)])
    assert "Applied 0 fixes" in fixed.output


def test_after_a_safe_fix_the_unsafe_fixes_counted_are_judged(tmp_path: Path, monkeypatch) -> None:
    """`check --fix` judged only the safe fixes and counted (and cached) the
    unsafe restructure that `--fix --unsafe-fixes` refuses; the next warm
    check said it again."""
    monkeypatch.setenv("RECOVERYLINT_CACHE_DIR", str(tmp_path / "cache"))
    path = tmp_path / "checklist.yaml"
    path.write_text(ONE_PERSON_CHECKLIST)
    runner = CliRunner()
    for arguments in (["--fix"], []):
        checked = runner.invoke(cli, ["check", *arguments, str(path)])
        assert "fixable with" not in checked.output, (arguments, checked.output)


def test_a_report_that_shows_no_fix_judges_none(tmp_path: Path, monkeypatch) -> None:
    """Judging the fixes offered costs graph builds: a report that never shows
    a fix (concise, json, github...) does not pay for it, and its cached
    results do not stand for a report that counts fixes."""
    import recoverylint.fix as fixing

    monkeypatch.setenv("RECOVERYLINT_CACHE_DIR", str(tmp_path / "cache"))
    path = tmp_path / "checklist.yaml"
    path.write_text(ONE_PERSON_CHECKLIST)
    judged = []
    applying = fixing.applying_fixes

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        judged.append(args[1])
        return applying(*args, **kwargs)

    monkeypatch.setattr(fixing, "applying_fixes", counting)
    runner = CliRunner()
    for output_format in ("concise", "json", "github", "json-lines", "junit", "gitlab"):
        done = runner.invoke(cli, ["check", "--format", output_format, str(path)])
        assert done.exit_code == 1, done.output
    assert judged == []
    full = runner.invoke(cli, ["check", str(path)])  # the concise run's cache entry does not serve it
    assert judged == [str(path)] and "fixable with" not in full.output
    runner.invoke(cli, ["check", "--format", "concise", "--report", f"sarif:{tmp_path / 'out.sarif'}", str(path)])
    assert len(judged) == 1  # the full run's entry, judged, serves a run with a SARIF report
