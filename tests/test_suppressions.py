"""`# recoverylint: disable=` comments, and RL010 for those that silence nothing."""

import textwrap

import pytest
from click.testing import CliRunner

import recoverylint.suppress as suppress_module
from recoverylint.cli import cli
from recoverylint.engine import check_file, check_text
from recoverylint.finding import Severity
from recoverylint.settings import Settings

# Clean but for one RL105: `issuing-ca` (line 20) is output and never used.
BASE = textwrap.dedent(
    """\
    runbook: checkout-tls-expired
    title: Checkout TLS certificate expired
    service: checkout-web
    given: [alert]
    roles:
      commander:
        authority: [decide, approve, communicate]
      oncall:
        authority: [observe, apply]
    resources:
      lb/checkout: {kind: load-balancer}
    steps:
      - id: check-cert
        title: Find the expired certificate
        role: oncall
        phase: diagnose
        duration: 3m
        inputs: [alert]
        reads: [lb/checkout/tls]
        outputs: [expired-cert, issuing-ca]
        run: openssl x509 -noout -dates -issuer -in cert.pem
      - id: renew-cert
        title: Issue and upload a new certificate
        role: oncall
        phase: remediate
        duration: 10m
        inputs: [expired-cert]
        writes: [lb/checkout/tls]
        rollback: re-attach the previous certificate to the listener
      - id: check-handshake
        title: Check the TLS handshake from outside
        role: oncall
        phase: verify
        duration: 2m
        verifies: [renew-cert]
        reads: [lb/checkout/tls]
      - id: resolve
        title: Declare the incident resolved
        role: commander
        phase: close
        duration: 1m
    """
)
OUTPUTS = "    outputs: [expired-cert, issuing-ca]"
OUTPUTS_LINE = 20
INPUTS = "    inputs: [alert]"
INPUTS_LINE = 18


def commented(line: str, comment: str, text: str = BASE) -> str:
    """`text` with `comment` appended to its one line that is `line`."""
    assert text.count(line + "\n") == 1
    return text.replace(line + "\n", f"{line}  {comment}\n")


def codes(result, *wanted):
    return [(f.code, f.span.line) for f in result.findings if f.code in wanted]


def test_the_base_runbook_has_exactly_one_finding():
    assert [(f.code, f.span.line) for f in check_text(BASE).findings] == [("RL105", OUTPUTS_LINE)]


def test_a_comment_on_the_line_of_a_finding_silences_it():
    result = check_text(commented(OUTPUTS, "# recoverylint: disable=RL105 -- the CA goes in the record"))
    assert result.findings == []
    assert result.suppressed == 1


def test_a_comment_on_a_line_without_the_finding_is_reported_at_its_code():
    text = commented(INPUTS, "# recoverylint: disable=RL105")
    result = check_text(text)
    assert codes(result, "RL105", "RL010") == [("RL010", INPUTS_LINE), ("RL105", OUTPUTS_LINE)]
    unused = result.findings[0]
    assert unused.message == "`# recoverylint: disable=RL105` silences nothing on this line: remove it"
    assert unused.severity is Severity.INFO
    assert unused.suggestion == "remove the comment"
    written = text.splitlines()[INPUTS_LINE - 1]
    assert written[unused.span.column - 1 : unused.span.end_column - 1] == "RL105"
    assert result.suppressed == 0


def test_a_comment_on_a_step_id_line_silences_findings_anywhere_in_the_step():
    result = check_text(commented("  - id: check-cert", "# recoverylint: disable=RL105"))
    assert result.findings == []
    assert result.suppressed == 1


def test_an_unused_step_suppression_names_its_step():
    result = check_text(commented("  - id: renew-cert", "# recoverylint: disable=RL105"))
    unused = [f for f in result.findings if f.code == "RL010"]
    assert [f.message for f in unused] == [
        "`# recoverylint: disable=RL105` silences nothing in step `renew-cert`: remove it"
    ]
    assert unused[0].steps == ("renew-cert",)
    assert codes(result, "RL105") == [("RL105", OUTPUTS_LINE)]  # another step's finding stays


def test_a_step_suppression_stops_at_the_end_of_its_step():
    # check-cert's comment must not reach renew-cert's unknown fact on line 27.
    text = commented("  - id: check-cert", "# recoverylint: disable=RL104").replace(
        "inputs: [expired-cert]", "inputs: [expired-cert, ghost]"
    )
    result = check_text(text)
    assert codes(result, "RL104", "RL010") == [("RL010", 13), ("RL104", 27)]


def test_disable_file_silences_the_code_anywhere():
    result = check_text(BASE + "# recoverylint: disable-file=RL105\n")
    assert result.findings == []
    assert result.suppressed == 1


def test_an_unused_disable_file_is_reported():
    result = check_text("# recoverylint: disable-file=RL201\n" + BASE)
    assert [(f.code, f.span.line, f.span.column, f.message) for f in result.findings if f.code == "RL010"] == [
        ("RL010", 1, 30, "`# recoverylint: disable-file=RL201` silences nothing in this file: remove it")
    ]


@pytest.mark.parametrize("prefix", ["RL1", "RL10", "rl105"])
def test_codes_may_be_prefixes_and_any_case(prefix):
    result = check_text(commented(OUTPUTS, f"# recoverylint: disable={prefix}"))
    assert result.findings == []
    assert result.suppressed == 1


def test_each_code_of_a_comment_is_judged_on_its_own():
    text = commented(OUTPUTS, "# recoverylint: disable=RL105, RL4 -- known")
    result = check_text(text)
    assert [f.code for f in result.findings] == ["RL010"]
    unused = result.findings[0]
    assert unused.message == "`# recoverylint: disable=RL4` silences nothing on this line: remove it"
    assert unused.suggestion == "remove `RL4` from the comment"
    written = text.splitlines()[OUTPUTS_LINE - 1]
    assert (unused.span.line, written[unused.span.column - 1 : unused.span.end_column - 1]) == (
        OUTPUTS_LINE,
        "RL4",
    )
    assert result.suppressed == 1


@pytest.mark.parametrize(
    "comment, at, words",
    [
        ("# recoverylint: disabel=RL105", "# recoverylint: disabel=RL105", "malformed suppression comment"),
        ("# recoverylint: disable=", "# recoverylint: disable=", "a rule code is missing"),
        ("# recoverylint: disable=RL105,", "# recoverylint: disable=RL105,", "a rule code is missing"),
        ("# recoverylint: disable=RL999", "RL999", "is no recoverylint rule code"),
        ("# recoverylint: disable=RL2O1", "RL2O1", "is no recoverylint rule code"),
        ("# recoverylint: disable=all", "all", "would silence every rule, which is not supported"),
        ("# recoverylint: disable=RL001", "RL001", "cannot be silenced by a comment"),
        ("# recoverylint: disable-file=RL010", "RL010", "cannot be silenced by a comment"),
        ("# recoverylint: disable-file=RL0", "RL0", "cannot be silenced by a comment"),
    ],
)
def test_comments_that_cannot_be_read_are_rl010_at_their_position(comment, at, words):
    text = commented(INPUTS, comment)
    result = check_text(text)
    problems = [f for f in result.findings if f.code == "RL010"]
    assert len(problems) == 1, problems
    problem = problems[0]
    assert words in problem.message
    written = text.splitlines()[problem.span.line - 1]
    assert problem.span.line == INPUTS_LINE
    assert written[problem.span.column - 1 : problem.span.end_column - 1] == at


def test_a_code_after_a_blank_is_read_as_the_reason_and_said_so():
    text = commented(OUTPUTS, "# recoverylint: disable=RL105 RL4")
    result = check_text(text)
    assert [f.message for f in result.findings] == [
        "`RL4` is read as the reason, not as a code: codes are separated by commas"
    ]
    assert result.suppressed == 1


def test_a_malformed_comment_silences_nothing():
    result = check_text(commented(OUTPUTS, "# recoverylint: disabel=RL105"))
    assert sorted(f.code for f in result.findings) == ["RL010", "RL105"]
    assert result.suppressed == 0


def test_other_codes_on_the_same_line_still_show():
    text = textwrap.dedent(
        """\
        runbook: one-line-steps
        given: [alert]
        steps:
          - {id: probe, inputs: [alert, ghost], outputs: [spare]}  # recoverylint: disable=RL105
        """
    )
    result = check_text(text)
    on_line = {f.code for f in result.findings if f.span.line == 4}
    assert "RL105" not in on_line
    assert "RL104" in on_line  # `ghost` is output by no step: not silenced
    assert result.suppressed == 1


@pytest.mark.parametrize(
    "text",
    [
        BASE.replace(
            "    run: openssl x509 -noout -dates -issuer -in cert.pem\n",
            "    run: |\n      openssl x509 -noout -dates -issuer -in cert.pem\n"
            "      # recoverylint: disable-file=RL105\n",
        ),
        BASE.replace(
            "    run: openssl x509 -noout -dates -issuer -in cert.pem\n",
            "    run: >-\n      openssl x509 -noout -dates\n\n"
            "        # recoverylint: disable-file=RL105\n",
        ),
        BASE.replace(
            "title: Checkout TLS certificate expired",
            'title: "Checkout TLS # recoverylint: disable-file=RL105"',
        ),
        BASE.replace(
            "title: Checkout TLS certificate expired",
            "title: 'Checkout TLS\n  # recoverylint: disable-file=RL105\n  expired'",
        ),
        BASE.replace(
            "title: Checkout TLS certificate expired",
            "title: Checkout#recoverylint:disable-file=RL105",
        ),
    ],
    ids=["literal-block", "folded-block", "double-quoted", "multi-line-single-quoted", "no-blank-before"],
)
def test_text_of_values_is_not_a_suppression(text):
    result = check_text(text)
    assert [f.code for f in result.findings] == ["RL105"]
    assert result.suppressed == 0


@pytest.mark.parametrize(
    "block",
    [
        "    run: |\n      openssl x509 -noout -dates -issuer -in cert.pem\n"
        "    # recoverylint: disable-file=RL105\n",
        "    run: |  # recoverylint: disable-file=RL105\n"
        "      openssl x509 -noout -dates -issuer -in cert.pem\n",
    ],
    ids=["after-the-block", "on-the-header-line"],
)
def test_comments_around_a_block_scalar_are_comments(block):
    text = BASE.replace("    run: openssl x509 -noout -dates -issuer -in cert.pem\n", block)
    result = check_text(text)
    assert result.findings == []
    assert result.suppressed == 1


def test_rl010_is_turned_off_by_the_settings_while_suppressions_still_work():
    text = commented(OUTPUTS, "# recoverylint: disable=RL105,RL4,RL999")
    result = check_text(text, settings=Settings(ignore=("RL010",)))
    assert result.findings == []
    assert result.suppressed == 1


def test_rl010_severity_follows_the_settings():
    text = commented(OUTPUTS, "# recoverylint: disable=RL4")
    result = check_text(text, settings=Settings(severity={"RL010": Severity.WARNING}))
    assert [f.severity for f in result.findings if f.code == "RL010"] == [Severity.WARNING]


def test_a_suppression_of_a_code_the_settings_turn_off_is_not_reported():
    text = commented(OUTPUTS, "# recoverylint: disable=RL105")
    assert check_text(text, settings=Settings(ignore=("RL105",))).findings == []
    # A prefix is judged on the codes of it that ran: here RL105 ran and
    # found something to silence, so the suppression is used.
    text = commented(OUTPUTS, "# recoverylint: disable=RL10")
    result = check_text(text, settings=Settings(ignore=("RL104",)))
    assert result.findings == []


def test_a_stale_prefix_is_reported_even_when_one_of_its_codes_is_off():
    text = commented(INPUTS, "# recoverylint: disable=RL10")
    result = check_text(text, settings=Settings(ignore=("RL104",)))
    assert codes(result, "RL010") == [("RL010", INPUTS_LINE)]


def test_a_suppression_of_a_rule_that_could_not_run_is_not_reported():
    cycle = textwrap.dedent(
        """\
        runbook: looped
        given: [alert]
        steps:
          - id: first
            needs: [second]  # recoverylint: disable=RL201
          - id: second
        """
    )
    result = check_text(cycle)
    assert "RL103" in {f.code for f in result.findings}  # the order has a cycle: RL201 cannot run
    assert "RL010" not in {f.code for f in result.findings}
    fine = cycle.replace("    needs: [second]  #", "    inputs: [alert]  #")
    assert "RL010" in {f.code for f in check_text(fine).findings}


def test_rl001_cannot_be_suppressed():
    text = "runbook: broken  # recoverylint: disable-file=RL001\nsteps: [\n"
    assert [f.code for f in check_text(text).findings] == ["RL001"]


def test_a_suppression_in_a_schema_invalid_file_is_not_judged_by_rules_that_did_not_run():
    text = "runbook: x  # recoverylint: disable=RL105\nsteps: 3\n"
    assert {f.code for f in check_text(text).findings} == {"RL002"}


def test_schema_violations_cannot_be_suppressed_as_the_rules_did_not_run():
    text = "runbook: x\nsteps: 3  # recoverylint: disable=RL002\n"
    result = check_text(text)
    assert [(f.code, f.span.line) for f in result.findings] == [("RL002", 2), ("RL010", 2)]
    assert "no rule runs on a file that breaks the schema" in result.findings[1].message
    assert result.suppressed == 0


def test_one_finding_silenced_by_two_comments_leaves_both_used():
    text = commented(OUTPUTS, "# recoverylint: disable=RL105") + "# recoverylint: disable-file=RL1\n"
    result = check_text(text)
    assert result.findings == []
    assert result.suppressed == 1


def test_suppressions_in_a_crlf_file(tmp_path):
    text = commented(OUTPUTS, "# recoverylint: disable=RL105") + "# recoverylint: disable-file=RL201\n"
    path = tmp_path / "crlf.yaml"
    path.write_bytes(text.replace("\n", "\r\n").encode())
    result = check_file(path, "crlf.yaml")
    assert result.suppressed == 1
    assert [(f.code, f.span.line, f.span.column) for f in result.findings] == [("RL010", 42, 30)]


def test_files_without_the_mark_do_not_look_for_comments(monkeypatch):
    def fail(text):
        raise AssertionError("comments searched in a file without `recoverylint:`")

    monkeypatch.setattr(suppress_module, "find_comments", fail)
    assert [f.code for f in check_text(BASE).findings] == ["RL105"]


def test_the_command_line_reports_unused_suppressions_and_honours_used_ones(tmp_path):
    silenced = tmp_path / "silenced.yaml"
    silenced.write_text(commented(OUTPUTS, "# recoverylint: disable=RL105"))
    result = CliRunner().invoke(cli, ["check", str(silenced), "--no-color"])
    assert result.exit_code == 0, result.output
    assert "All checks passed! (1 file checked)" in result.output
    assert "1 finding silenced by suppression comments." in result.output

    stale = tmp_path / "stale.yaml"
    comment = "# recoverylint: disable=RL105,RL201"
    stale.write_text(commented(OUTPUTS, comment))
    column = len(f"{OUTPUTS}  {comment}") - len("RL201") + 1
    result = CliRunner().invoke(cli, ["check", str(stale), "--no-color", "--fail-on", "info"])
    assert result.exit_code == 1
    assert (
        f"stale.yaml:{OUTPUTS_LINE}:{column}: RL010 [info]"
        " `# recoverylint: disable=RL201` silences nothing on this line: remove it"
    ) in result.output
    assert "Found 1 finding in 1 file" in result.output


def test_the_pure_python_scanner_finds_the_same_comments(monkeypatch):
    text = BASE.replace(
        "    run: openssl x509 -noout -dates -issuer -in cert.pem\n",
        "    run: |\n      openssl x509 -noout -dates -issuer -in cert.pem\n"
        "      # recoverylint: disable-file=RL104\n"
        "    # recoverylint: disable-file=RL105\n",
    ).replace("title: Checkout TLS certificate expired", "title: 'a # recoverylint: disable=RL1'")
    expected = suppress_module.find_comments(text)
    monkeypatch.setattr(suppress_module, "CParser", None)
    assert suppress_module.find_comments(text) == expected
    assert [(c.line, c.column) for c in expected] == [(24, 5)]


def test_a_comment_on_a_line_of_several_steps_covers_them_all():
    text = textwrap.dedent(
        """\
        runbook: flow-steps
        given: [alert]
        steps: [{id: a, inputs: [alert]}, {id: b, inputs: [alert]}]  # recoverylint: disable=RL105
        """
    )
    unused = [f for f in check_text(text).findings if f.code == "RL010"]
    assert [(f.message, f.steps) for f in unused] == [
        ("`# recoverylint: disable=RL105` silences nothing in steps `a` and `b`: remove it", ("a", "b"))
    ]
