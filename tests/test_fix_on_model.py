"""`--fix` judges removals of `needs` entries on the runbook model and edits
the text once (issue 16): the work is bounded structurally, by counting the
round trips through ruamel and the full checks, never by timing."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

import recoverylint.fix as fixing
import recoverylint.fix.edits as edits
from recoverylint.cli import cli
from recoverylint.engine import check_text
from recoverylint.fix import apply_edits, fix_text


def redundant(steps: int) -> str:
    """A chain in which every step also needs the one two before it:
    `steps - 2` redundant entries (RL203), each with a safe fix."""
    lines = [
        "runbook: many-redundant",
        "flow: parallel",
        "given: [alert]",
        "roles:",
        "  lead: {authority: [observe, decide], people: 1}",
        "steps:",
    ]
    for number in range(steps):
        lines += [f"  - id: s{number}", "    role: lead", "    duration: 1m"]
        lines.append("    inputs: [alert]" if number == 0 else f"    inputs: [f{number - 1}]")
        lines.append(f"    outputs: [f{number}]")
        if number >= 2:
            lines.append(f"    needs: [s{number - 1}, s{number - 2}]   # both, to be sure")
        elif number == 1:
            lines += ["    needs:", "      - s0"]
    return "\n".join(lines) + "\n"


def refused(steps: int) -> str:
    """A chain of `needs` that are all false gates, each of whose removal
    would let two steps of a one-person role run at once (RL405)."""
    lines = [
        "runbook: all-refused",
        "flow: parallel",
        "given: [alert]",
        "roles:",
        "  lead: {authority: [observe, decide], people: 1}",
        "steps:",
    ]
    for number in range(steps):
        lines += [f"  - id: s{number}", "    role: lead", "    duration: 1m", "    inputs: [alert]"]
        if number:
            lines.append(f"    needs: [s{number - 1}]")
    return "\n".join(lines) + "\n"


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How often fixing loads a text into ruamel, checks a text in full, and
    runs every rule or only some on a model."""
    calls: Counter[str] = Counter()
    load, checked, run_rules = edits._load, fixing._checked, fixing.run_rules

    def counting_load(body: str):  # type: ignore[no-untyped-def]
        calls["ruamel"] += 1
        return load(body)

    def counting_checked(*args):  # type: ignore[no-untyped-def]
        calls["check"] += 1
        return checked(*args)

    def counting_rules(runbook, codes=None, **options):  # type: ignore[no-untyped-def]
        calls["all rules" if codes is None else "some rules"] += 1
        return run_rules(runbook, codes, **options)

    monkeypatch.setattr(edits, "_load", counting_load)
    monkeypatch.setattr(fixing, "_checked", counting_checked)
    monkeypatch.setattr(fixing, "run_rules", counting_rules)
    return calls


def test_many_fixes_are_judged_on_the_model_and_written_once(counted: Counter[str]) -> None:
    text = redundant(300)
    before = check_text(text)
    assert sum(f.code == "RL203" for f in before.findings) == 298
    outcome = fix_text(text, "many.yaml", result=before)
    assert len(outcome.applied) == 298 and outcome.refused == ()
    # One judgement of all the fixes together (whose findings offer no
    # more), one check of the text written: no ruamel round trip.
    assert counted == Counter({"all rules": 1, "check": 1})
    assert outcome.text is not None
    # The text is what ruamel's edits make of the same fixes, comments kept.
    assert outcome.text == apply_edits(text, [fix.edit for fix in outcome.applied])
    assert outcome.text.count("# both, to be sure") == 298
    assert [f.code for f in outcome.result.findings if f.code == "RL203"] == []
    again = fix_text(outcome.text, "many.yaml")
    assert again.text is None and again.applied == ()


def test_refusing_every_fix_takes_one_judgement_by_every_rule(counted: Counter[str]) -> None:
    """Each fix on its own is judged first by the rules that refused them
    together: RL405 refuses each, and no other rule runs for it."""
    text = refused(120)
    outcome = fix_text(text, "refused.yaml")
    assert outcome.text is None and outcome.applied == ()
    assert len(outcome.refused) == 119
    assert counted["all rules"] == 1 and counted["some rules"] == 119
    assert counted["ruamel"] == 0
    # The refusal names the role and the steps it would overload.
    fix, why = outcome.refused[-1]
    assert fix.description == "remove `s118` from the `needs` of `s119` (a false gate)"
    assert why == (
        "it would add 1 finding (RL405): 2 steps of `lead` can run at once (`s0` and `s119`)"
        " but the role has 1 person"
    )


def test_400_refusals_end_within_a_generous_bound(tmp_path: Path) -> None:
    """200 refusals took 119 s before, and the time grew with the square:
    bounded by structure above, here by a whole run that must end."""
    import subprocess
    import sys

    path = tmp_path / "refused.yaml"
    path.write_text(refused(400))
    run = subprocess.run(
        [sys.executable, "-m", "recoverylint", "check", "--no-cache", "--fix", str(path)],
        capture_output=True, text=True, timeout=60,
    )
    assert run.returncode == 1
    assert (run.stdout + run.stderr).count("not fixed:") == 399


def test_after_fix_a_refused_fix_is_not_counted_as_fixable(tmp_path: Path) -> None:
    """Issue 16, newcomer item 2: `--fix --unsafe-fixes` said "Applied 0
    fixes" and then "[*] 49 fixable with --fix" again."""
    path = tmp_path / "refused.yaml"
    path.write_text(refused(50))
    result = CliRunner().invoke(cli, ["check", "--no-cache", "--fix", "--unsafe-fixes", str(path)])
    assert result.exit_code == 1
    assert "Applied 0 fixes in 0 files." in result.output
    assert "fixable with" not in result.output
    assert "= fix:" not in result.output
    assert result.output.count("not fixed:") == 49
    assert path.read_text() == refused(50)


def test_a_layout_the_cut_cannot_follow_is_written_by_ruamel(counted: Counter[str]) -> None:
    """A block list left empty becomes `needs: []`, as edits.py writes it."""
    text = (
        "runbook: r\n"
        "given: [alert]\n"
        "steps:\n"
        "  - id: a\n"
        "    inputs: [alert]\n"
        "    outputs: [x]\n"
        "  - id: b\n"
        "    inputs: [x]\n"
        "    needs:\n"
        "      - a   # the sequence does it already\n"
    )
    outcome = fix_text(text, "sequence.yaml")
    assert [fix.description for fix in outcome.applied] == ["remove `a` from the `needs` of `b` (redundant)"]
    assert outcome.text == text.replace("    needs:\n      - a   # the sequence does it already\n", "    needs: []\n")
    assert counted["ruamel"] == 1
