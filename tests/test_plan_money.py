"""plan's money and its text table with huge numbers (issue 13, item 19)."""

from __future__ import annotations

import json
import os
import re
from decimal import Decimal
from pathlib import Path

from click.testing import CliRunner

from recoverylint.cli import cli
from recoverylint.plan import cost_of
from recoverylint.report.plan_words import money

# Seven steps of about a year each, no waits: a year of downtime at the
# largest cost per minute the schema allows.
STEPS = "".join(
    f"  - id: {name}\n    role: lead\n    duration: {minutes}\n"
    for name, minutes in zip("abcdefg", ["525600", "525599.99", *["525600"] * 4, "525599.33"])
)
BIG = (
    "runbook: big\ncost_per_minute: 1000000000000\nroles:\n"
    "  lead: {authority: [decide, observe], people: 7}\nsteps:\n" + STEPS
)


def plan_text(tmp_path: Path, text: str) -> str:
    (tmp_path / "big.yaml").write_text(text, encoding="utf-8")
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = CliRunner().invoke(cli, ["plan", "big.yaml", "--no-color"])
    finally:
        os.chdir(old)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_the_table_keeps_its_columns_apart_for_huge_numbers(tmp_path):
    text = plan_text(tmp_path, BIG)
    table = text.split("\n\n")[1].splitlines()
    assert [re.split(r" {2,}", row.strip()) for row in table] == [
        ["declared", "required"],
        ["fully sequential", "3,679,199.32 min"],
        ["critical path", "3,679,199.32 min", "525,600 min"],
        ["staffed schedule", "3,679,199.32 min", "525,600 min"],
        ["joins (sync overhead)", "0 (0 min)", "0 (0 min)"],
    ]
    # The columns still line up: every value ends where its header does.
    header = table[0]
    assert all(row.endswith("min") and len(row) == len(header) for row in table[2:4])


def test_the_table_of_everyday_numbers_is_as_it_was(tmp_path):
    text = plan_text(tmp_path, BIG.replace("525600", "5").replace("525599.99", "4").replace("525599.33", "3"))
    assert f"\n  {'':<24}{'declared':>14}{'required':>14}\n" in text
    assert f"\n  {'critical path':<24}{'32 min':>14}{'5 min':>14}\n" in text


def test_money_is_exact_to_the_cent(tmp_path):
    text = plan_text(tmp_path, BIG)
    assert "Saved: 3,153,599.32 min per incident (3,153,599,320,000,000,000 USD at 1,000,000,000,000 USD per minute)." in text
    # Binary floating point would have said 3,153,599,319,999,999,488.
    assert cost_of(3153599.32, 1e12) == Decimal("3153599320000000000.00")
    assert money(cost_of(525600, 1000000000000.0002), "USD") == "525,600,000,000,000,105.12 USD"
    assert money(cost_of(0.1, 0.2), "EUR") == "0.02 EUR"
    assert money(cost_of(-0.001, 1), "USD") == "0 USD"


def test_the_html_and_json_plans_show_the_same_money(tmp_path):
    (tmp_path / "big.yaml").write_text(BIG, encoding="utf-8")
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        html = CliRunner().invoke(cli, ["plan", "big.yaml", "--format", "html"]).stdout
        document = json.loads(CliRunner().invoke(cli, ["plan", "big.yaml", "--format", "json"]).stdout)
    finally:
        os.chdir(old)
    assert "worth 3,153,599,320,000,000,000 USD per incident at 1,000,000,000,000 USD per minute" in html
    assert document["saved_cost"] == 3153599.32e12


def test_the_gantt_axis_keeps_its_labels_apart_for_huge_numbers(tmp_path):
    text = plan_text(tmp_path, BIG)
    axis = text.split("critical steps in red):\n")[1].splitlines()[0]
    assert axis.split() == ["0", "613,200", "1,226,400", "1,839,600", "2,452,800", "3,066,000", "3,679,200"]


# -- The money's currency (issue 16, item 8) --------------------------------


def plan_in(tmp_path: Path, text: str, config: str | None = None, output: str = "text") -> str:
    (tmp_path / "big.yaml").write_text(text, encoding="utf-8")
    if config is not None:
        (tmp_path / ".recoverylint.yaml").write_text(config, encoding="utf-8")
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = CliRunner().invoke(cli, ["plan", "big.yaml", "--no-color", "--format", output])
    finally:
        os.chdir(old)
    assert result.exit_code == 0, result.output
    return result.stdout


SMALL = BIG.replace("1000000000000", "1500").replace("525600", "5").replace("525599.99", "4").replace("525599.33", "3")


def test_money_is_in_usd_unless_said_otherwise(tmp_path):
    assert "Saved: 27 min per incident (40,500 USD at 1,500 USD per minute)." in plan_in(tmp_path, SMALL)
    assert json.loads(plan_in(tmp_path, SMALL, output="json"))["cost_currency"] == "USD"


def test_the_configuration_names_the_currency_and_the_runbook_wins(tmp_path):
    assert "(40,500 EUR at 1,500 EUR per minute)" in plan_in(tmp_path, SMALL, "cost-currency: EUR\n")
    own = SMALL.replace("cost_per_minute: 1500\n", "cost_per_minute: 1500\ncost_currency: GBP\n")
    assert "(40,500 GBP at 1,500 GBP per minute)" in plan_in(tmp_path, own, "cost-currency: EUR\n")
    html = plan_in(tmp_path, own, "cost-currency: EUR\n", output="html")
    assert "worth 40,500 GBP per incident at 1,500 GBP per minute" in html
    assert json.loads(plan_in(tmp_path, own, output="json"))["cost_currency"] == "GBP"


def test_a_currency_that_is_no_code_is_an_error_at_its_value(tmp_path):
    (tmp_path / ".recoverylint.yaml").write_text("cost-currency: euros\n", encoding="utf-8")
    (tmp_path / "big.yaml").write_text(SMALL, encoding="utf-8")
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = CliRunner().invoke(cli, ["plan", "big.yaml"])
    finally:
        os.chdir(old)
    assert result.exit_code == 2
    assert ".recoverylint.yaml:1:16: key `cost-currency`: must be a currency code of three capital letters" in result.output
