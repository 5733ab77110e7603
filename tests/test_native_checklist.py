"""Runbook.plain_checklist: the native reader says whether the runbook is the
layout the restructure as `flow: parallel` rewrites (a sequential top-level
`steps` of steps only, no stages, no merge key into the runbook's mapping
or a step), so that counting fixes need not read the text again to know."""

from __future__ import annotations

import pytest

from recoverylint.adapters.native import build
from recoverylint.source import parse

ROLES = "roles:\n  sre: {authority: [apply]}\n"
STEPS = "steps:\n  - id: a\n    role: sre\n  - id: b\n    role: sre\n"
# A role takes the keys of another through a merge key (common anchor reuse).
MERGE_IN_A_ROLE = (
    "runbook: r\nroles:\n  sre: &sre {authority: [apply]}\n  lead:\n    <<: *sre\n    people: 2\n"
    "steps:\n  - id: a\n    role: lead\n  - id: b\n    role: lead\n"
)


@pytest.mark.parametrize(
    "text, plain",
    [
        pytest.param(f"runbook: r\n{ROLES}{STEPS}", True, id="checklist"),
        pytest.param(f"runbook: r\nflow: sequential\n{ROLES}{STEPS}", True, id="said-sequential"),
        pytest.param(f"runbook: r\n{ROLES}title: 'a <<: b'\n{STEPS}", True, id="merge-key-only-in-text"),
        pytest.param(f"runbook: r\nflow: parallel\n{ROLES}{STEPS}", False, id="parallel-flow"),
        pytest.param(
            f"runbook: r\n{ROLES}steps:\n  - id: a\n  - parallel:\n      - id: b\n      - id: c\n",
            False,
            id="a-block",
        ),
        pytest.param(f"runbook: r\n{ROLES}steps:\n  - sequence:\n      - id: a\n", False, id="a-sequence"),
        pytest.param(
            f"runbook: r\n{ROLES}stages:\n  - stage: s\n    steps:\n      - id: a\n", False, id="stages"
        ),
        pytest.param(
            f"runbook: r\n{ROLES}steps:\n  - &first {{id: a, role: sre}}\n  - <<: *first\n    id: b\n",
            False,
            id="merge-key-in-a-step",
        ),
        pytest.param(
            "<<: {runbook: r}\n" + ROLES + STEPS, False, id="merge-key-in-the-top-level-mapping"
        ),
        # The editor refuses a merge key only in the top-level mapping or in a step.
        pytest.param(MERGE_IN_A_ROLE, True, id="merge-key-elsewhere"),
    ],
)
def test_plain_checklist(text, plain):
    adapted = build(parse(text), "r.yaml", None)
    assert adapted.runbook.plain_checklist is plain


def test_other_formats_are_no_plain_checklist():
    from recoverylint.adapters._builder import RunbookBuilder

    builder = RunbookBuilder(parse("a: 1\n"), "a.yaml", "tiny", None)
    assert builder.build("a", parse("a: 1\n").root_span).runbook.plain_checklist is False


def test_a_merge_key_elsewhere_keeps_the_restructure(tmp_path):
    from click.testing import CliRunner

    from recoverylint.cli import cli
    from recoverylint.fix import FLOW_COMMENT

    path = tmp_path / "merge.yaml"
    path.write_text(MERGE_IN_A_ROLE)
    shown = CliRunner().invoke(cli, ["check", str(path), "--no-cache"])
    assert "or let `--fix --unsafe-fixes` restructure" in shown.stdout
    result = CliRunner().invoke(cli, ["check", str(path), "--fix", "--unsafe-fixes", "--no-cache"])
    assert "Applied 1 fix in 1 file" in result.output, result.output
    assert path.read_text() == MERGE_IN_A_ROLE.replace("steps:\n", f"flow: parallel  # {FLOW_COMMENT}\nsteps:\n", 1)
