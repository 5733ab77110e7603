"""Every `plan` format is written through its registry entry: in pieces
where the format has a way to write them, else as one piece, and the pieces
join to what `render` writes of the same plan."""

import pytest
from test_plan_json_pieces import wide_runbook

from recoverylint.engine import plan_text
from recoverylint.report import format_names, render
from recoverylint.report.plans import pieces
from recoverylint.report.views import PlanView


@pytest.fixture(scope="module")
def planned():
    result, plan = plan_text(wide_runbook("Wide recovery", links=4), "wide.yaml")
    assert plan is not None
    return result, plan


@pytest.mark.parametrize("colour", [False, True])
@pytest.mark.parametrize("name", format_names("plan"))
def test_the_pieces_of_each_plan_format_join_to_its_whole_output(planned, name, colour):
    result, plan = planned
    view = PlanView(plan, tuple(result.findings), colour)
    written = pieces(name, view)
    assert written and all(isinstance(piece, str) for piece in written)
    assert "".join(written) == render("plan", name, view)
