"""A fact missing on a path of the run: RL307 when some path has a producer
and a failure jump or a branch skips it, RL302 (naming the path) when no path
to the step has one.  The two bugs of real recovery documents: an `onFailure`
path reading an output of a step that has not run yet, and a rollback branch
reading an output only the test branch makes."""

from __future__ import annotations

from pathlib import Path

from recoverylint.engine import check_file

FIXTURES = Path(__file__).parent.parent / "adapters" / "ssm"


def found(name: str, code: str) -> list[tuple[int, int, str]]:
    result = check_file(FIXTURES / name, name)
    return [(f.span.line, f.span.column, f.message) for f in result.findings if f.code == code]


def test_a_failure_jump_past_the_producer_is_rl307_naming_the_failure() -> None:
    # Rollback follows Verify in list order (RecordState has run there), and
    # InjectFault's onFailure jumps to it before RecordState runs.
    assert found("failure-path-skips-producer.yaml", "RL307") == [
        (
            38,
            17,
            "when `InjectFault` fails, `Rollback` runs without `RecordState` having run:"
            " nothing else before it outputs `RecordState.State`",
        )
    ]
    assert found("failure-path-skips-producer.yaml", "RL302") == []


def test_a_step_reached_only_by_failing_is_rl302_naming_the_failure() -> None:
    assert found("failure-only-path.yaml", "RL302") == [
        (
            39,
            17,
            "`Rollback` uses `RecordState.State`, but no path of the run reaches it through a step"
            " that outputs it: `Rollback` runs when `InjectFault` fails, and `RecordState` only when"
            " it does not",
        )
    ]
    assert found("failure-only-path.yaml", "RL307") == []


def test_a_rollback_branch_reading_the_test_branch_is_rl302_naming_the_branch() -> None:
    assert found("rollback-branch-reads-test-branch.yaml", "RL302") == [
        (
            33,
            19,
            "`Rollback` uses `RunTest.BackupId`, but no path of the run reaches it through a step"
            " that outputs it: `RunTest` runs only on another branch of `Choose`",
        )
    ]


def test_the_failed_steps_own_output_is_not_called_missing() -> None:
    # What a failing step still records depends on how far it got: a cleanup
    # reading it is no finding (the chaos documents' rollbacks do this).
    from recoverylint.engine import check_text

    text = """\
schemaVersion: '0.3'
mainSteps:
  - name: Inject
    action: aws:executeScript
    onFailure: step:Rollback
    inputs: {Runtime: python3.8, Handler: h, Script: 'def h(e, c): return {}'}
    outputs:
      - {Name: Undo, Selector: $.Payload.undo, Type: String}
  - name: Wait
    action: aws:sleep
    inputs: {Duration: PT5M}
  - name: Rollback
    action: aws:executeScript
    inputs: {Runtime: python3.8, Handler: h, Script: 'def h(e, c): return {}', InputPayload: {undo: '{{ Inject.Undo }}'}}
"""
    codes = [f.code for f in check_text(text).findings]
    assert "RL307" not in codes and "RL302" not in codes
