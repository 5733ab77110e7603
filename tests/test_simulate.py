"""`plan --simulate`: the Monte Carlo of both orders, on hand-made runbooks
whose answers are known, through the package API and the command line."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_startup_imports import imported_by

from recoverylint.cli import cli
from recoverylint.engine import plan_file, plan_text
from recoverylint.plan import Plan
from recoverylint.report.plan_simulation import LISTED
from recoverylint.review.summary import percentile
from recoverylint.simulate import MAX_RUNS, MAX_SAMPLES, Simulation, simulate

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import simulate as benchmark  # noqa: E402

EXAMPLE = ROOT / "examples" / "orders-db-outage.yaml"
EXAMPLE_DURATIONS = ROOT / "examples" / "durations" / "orders-db-outage.yaml"


def plan_of(text: str) -> Plan:
    result, plan = plan_text(textwrap.dedent(text).lstrip("\n"), "t.yaml")
    assert plan is not None, [f.message for f in result.findings]
    return plan


def index_of(plan: Plan, simulation: Simulation, order: str) -> dict[str, float]:
    """Step id -> criticality index in `order` (declared or required)."""
    shares = getattr(simulation, order).criticality
    return {plan.runbook.steps[node].id: share for node, share in zip(simulation.steps, shares, strict=True)}


def plan_command(*arguments: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["plan", *arguments, "--no-color"])
    return result.exit_code, result.output


PARALLEL_CONSTANT = """
    runbook: two-at-once
    flow: parallel
    steps:
      - {id: long, duration: 10m}
      - {id: short, duration: 5m}
      - {id: fixed-range, duration: {min: 7m, likely: 7m, max: 7m}}
    """


def test_two_parallel_constant_steps_take_the_longer():
    plan = plan_of(PARALLEL_CONSTANT)
    simulation = simulate(plan, 500, 0)
    for outcome in (simulation.declared, simulation.required):
        assert (outcome.p50, outcome.p90, outcome.mean, outcome.deterministic) == (10, 10, 10, 10)
        assert outcome.merge_bias == 0
    assert index_of(plan, simulation, "declared") == {"long": 1.0, "short": 0.0, "fixed-range": 0.0}
    assert simulation.saved_p50 == simulation.saved_p90 == 0


def test_a_range_with_min_likely_and_max_equal_is_constant(tmp_path):
    plan = plan_of(PARALLEL_CONSTANT)
    simulation = simulate(plan, 500, 0)
    assert simulation.varying_steps == ()
    exit_code, output = plan_command(str(_written(tmp_path, PARALLEL_CONSTANT)), "--simulate", "500")
    assert exit_code == 0
    assert "(0 of 3 steps vary)" in output
    assert "No step's minutes vary (no range with min < max): every run is the plan's critical path." in output


def _written(folder: Path, text: str, name: str = "runbook.yaml") -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


MERGE = """
    runbook: merge
    steps:
      - {id: start, duration: 2m, outputs: [x]}
      - {id: left, inputs: [x], outputs: [y], duration: {min: 0m, likely: 5m, max: 10m}}
      - {id: right, inputs: [x], outputs: [z], duration: {min: 0m, likely: 5m, max: 10m}}
      - {id: finish, inputs: [y, z], duration: 1m}
    """


def test_where_two_equal_paths_merge_the_mean_exceeds_the_deterministic_path():
    """Written as a checklist (declared: one chain), the work requires start,
    then left and right at once, then finish.  left and right are Beta(3, 3)
    over 0..10 min (symmetric: mean 5, sd 10 * sqrt(9 / (36 * 7)) = 1.89 min).
    The mean of the larger of two such draws is near 5 + 1.89 / sqrt(pi) =
    6.07 (exact for normal ones): the required path through the merge is 1.07
    min longer on average than the deterministic 2 + 5 + 1 = 8 min, and each
    branch is critical in about half the runs."""
    plan = plan_of(MERGE)
    simulation = simulate(plan, 20_000, 0)
    required = simulation.required
    assert required.deterministic == required.at_mean_durations == 8
    assert required.mean == pytest.approx(8 + 1.07, abs=0.1)
    assert required.merge_bias == pytest.approx(1.07, abs=0.1)
    shares = index_of(plan, simulation, "required")
    assert shares["start"] == shares["finish"] == 1.0
    assert shares["left"] == pytest.approx(0.5, abs=0.02)
    assert shares["left"] + shares["right"] == 1.0  # one branch per run, never both
    # The declared chain: 2 + 5 + 5 + 1 = 13 min at the mean, no merge, every step critical.
    declared = simulation.declared
    assert declared.deterministic == declared.at_mean_durations == 13
    assert declared.mean == pytest.approx(13, abs=0.05)
    assert set(index_of(plan, simulation, "declared").values()) == {1.0}
    # Each run saves the shorter branch, min(left, right): its median is
    # 10 x where I_x(3, 3) = 10x^3 - 15x^4 + 6x^5 = 1 - 1/sqrt(2), x = 0.3856.
    assert simulation.saved_p50 == pytest.approx(3.856, abs=0.05)


TWO_SKEWED = """
    runbook: two-skewed
    steps:
      - {id: a, duration: {min: 0m, likely: 0m, max: 10m}}
      - {id: b, duration: {min: 0m, likely: 0m, max: 10m}}
    """


def test_the_saving_is_each_runs_saving_not_a_difference_of_percentiles():
    """A checklist of two independent steps, each 10 Beta(1, 5) min (likely =
    min): the declared order takes a + b, the required max(a, b), so each run
    saves min(a, b), which is 10 Beta(1, 10) min: survival (1 - x/10)^10, P50
    10 (1 - 0.5^0.1) = 0.670, P90 10 (1 - 0.1^0.1) = 2.057, mean 10/11 = 0.909.
    The difference of the orders' own P50s and P90s is another figure (about
    0.83 and 1.57 here), which the saving is not."""
    plan = plan_of(TWO_SKEWED)
    simulation = simulate(plan, 20_000, 0)
    assert simulation.saved_p50 == pytest.approx(0.670, abs=0.03)
    assert simulation.saved_p90 == pytest.approx(2.057, abs=0.06)
    assert simulation.saved_mean == pytest.approx(0.909, abs=0.03)
    assert simulation.declared.p50 - simulation.required.p50 > simulation.saved_p50 + 0.1
    assert simulation.declared.p90 - simulation.required.p90 < simulation.saved_p90 - 0.3
    # The orders' own figures are their own runs' percentiles, unchanged.
    assert simulation.declared.p50 == pytest.approx(2.99, abs=0.1)  # the median of a + b, 10 Beta(1, 5) each


ONE_RANGED = """
    runbook: one-ranged
    steps:
      - {id: only, duration: {min: 0m, max: 10m}}
    """


def test_percentiles_are_nearest_rank_values_seen_in_a_run():
    """Of two runs of one step, the nearest-rank P50 is the shorter run (rank
    ceil(0.5 x 2) = 1) and P90 the longer (rank 2), as `review` ranks them:
    no interpolation, so their mean is the runs' mean."""
    simulation = simulate(plan_of(ONE_RANGED), 2, 0)
    for outcome in (simulation.declared, simulation.required):
        runs = [outcome.p50, outcome.p90]
        assert outcome.p50 < outcome.p90
        assert outcome.mean == pytest.approx(sum(runs) / 2)
        assert outcome.p50 == percentile(runs, 50) and outcome.p90 == percentile(runs, 90)
    assert simulation.saved_p50 == simulation.saved_p90 == 0  # the same draws in both orders


def test_a_range_with_no_likely_simulates_crowded_at_its_max():
    """{min: 0m, max: 10m} reads as likely = max: 10 Beta(5, 1) min, whose
    CDF is (x/10)^5: P50 10 x 0.5^0.2 = 8.71, P90 10 x 0.9^0.2 = 9.79, mean
    50/6 = 8.33. The manual says so with these figures."""
    simulation = simulate(plan_of(ONE_RANGED), 20_000, 0)
    required = simulation.required
    assert required.deterministic == 10
    assert required.p50 == pytest.approx(8.71, abs=0.03)
    assert required.p90 == pytest.approx(9.79, abs=0.02)
    assert required.mean == pytest.approx(8.33, abs=0.02)
    manual = " ".join((ROOT / "docs" / "plan.md").read_text(encoding="utf-8").split())
    assert (
        "`{min: 0m, max: 10m}` simulates as 10 Beta(5, 1) minutes: a median of 8.71 min, a P90 of 9.79 min and"
        " a mean of 8.33 min" in manual
    )


def test_with_no_planned_steps_the_criticality_index_is_none(tmp_path):
    runbook = _written(tmp_path, "runbook: empty\nsteps: []\n", "empty.yaml")
    exit_code, output = plan_command(str(runbook), "--simulate", "10")
    assert exit_code == 0
    criticality = output.split("Criticality index (share of runs in which a step is on the critical path):\n")[1]
    assert criticality.startswith("  none\n\n")
    exit_code, output = plan_command(str(runbook), "--simulate", "10", "--format", "html")
    assert exit_code == 0
    section = output.split('<section id="simulation">')[1].split("</section>")[0]
    assert "<p>Criticality index: none (no planned steps).</p>" in section
    assert section.count("<table>") == 1  # the figures, no empty criticality table


def test_every_step_of_a_chain_is_always_critical():
    plan = plan_of(
        """
        runbook: chain
        steps:
          - {id: a, duration: {min: 1m, likely: 2m, max: 9m}, outputs: [x]}
          - {id: b, duration: {min: 3m, likely: 4m, max: 5m}, inputs: [x], outputs: [y]}
          - {id: c, duration: {min: 0m, likely: 1m, max: 2m}, inputs: [y]}
        """
    )
    simulation = simulate(plan, 10_000, 3)
    for order in ("declared", "required"):
        assert set(index_of(plan, simulation, order).values()) == {1.0}
    # No merge, no bias: the mean of a sum is the sum of the means, up to sampling.
    means = (1 + 8 + 9) / 6 + (3 + 16 + 5) / 6 + (0 + 4 + 2) / 6
    assert simulation.required.at_mean_durations == pytest.approx(means)
    assert abs(simulation.required.merge_bias) < 0.05


def test_with_constant_minutes_the_runs_are_the_plan_and_its_critical_paths():
    """The example has no ranges: every run is the plan's critical path method,
    and the steps always critical are exactly those of the plan's critical path."""
    _, plan = plan_file(EXAMPLE, "orders-db-outage.yaml")
    assert plan is not None
    simulation = simulate(plan, 50, 0)
    for order in ("declared", "required"):
        schedule, outcome = getattr(plan, order), getattr(simulation, order)
        assert outcome.p50 == outcome.p90 == outcome.mean == schedule.length
        critical = [node for node, share in zip(simulation.steps, outcome.criticality, strict=True) if share]
        assert critical == sorted(schedule.critical_path)
        assert set(outcome.criticality) == {0.0, 1.0}


def test_the_same_seed_gives_the_same_output_and_another_seed_another():
    arguments = [str(EXAMPLE), "--durations", str(EXAMPLE_DURATIONS), "--simulate", "2000", "--format", "json"]
    first = plan_command(*arguments, "--seed", "7")
    assert first[0] == 0
    assert plan_command(*arguments, "--seed", "7") == first
    other = plan_command(*arguments, "--seed", "8")
    assert json.loads(other[1])["simulation"]["declared"] != json.loads(first[1])["simulation"]["declared"]
    # No --seed is seed 0.
    assert plan_command(*arguments) == plan_command(*arguments, "--seed", "0")
    simulated = json.loads(first[1])["simulation"]
    assert (simulated["runs"], simulated["seed"]) == (2000, 7)
    # The mean of the runs' savings is the difference of the means; P50 and P90 are not (see below).
    assert simulated["saved_mean_minutes"] == pytest.approx(
        simulated["declared"]["mean_minutes"] - simulated["required"]["mean_minutes"], abs=1e-6
    )
    ids = [item["id"] for item in simulated["criticality"]]
    assert ids[0] == "triage-alert" and "failover-to-replica" not in ids  # planned steps, file order


def test_the_plan_is_unchanged_without_simulate():
    exit_code, output = plan_command(str(EXAMPLE), "--format", "json")
    assert exit_code == 0
    assert "simulation" not in json.loads(output)
    assert "Simulation:" not in plan_command(str(EXAMPLE))[1]


def test_the_text_names_steps_of_unknown_duration(tmp_path):
    runbook = _written(
        tmp_path,
        """
        runbook: unknown
        flow: parallel
        steps:
          - {id: measured, duration: {min: 1m, likely: 2m, max: 4m}}
          - {id: guessed}
        """,
        "unknown.yaml",
    )
    exit_code, output = plan_command(str(runbook), "--simulate", "100")
    assert exit_code == 0
    assert "No duration (0 min in every run): guessed." in output
    assert "(1 of 2 steps vary)" in output


def test_the_html_report_shows_the_simulation_escaped(tmp_path):
    runbook = _written(
        tmp_path,
        """
        runbook: html
        flow: parallel
        steps:
          - {id: a, duration: {min: 1m, likely: 2m, max: 4m}}
          - {id: b, duration: 3m}
        """,
        "html.yaml",
    )
    exit_code, output = plan_command(str(runbook), "--simulate", "100", "--format", "html")
    assert exit_code == 0
    section = output.split('<section id="simulation">')[1].split("</section>")[0]
    assert "<h2>Simulation: 100 runs, seed 0; each step&#x27;s minutes" in section  # text escaped
    assert '<th scope="row"><code>b</code></th><td class="number">' in section  # a criticality row


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--seed", "3"], "--seed is the seed of --simulate's draws: give --simulate N too"),
        (["--simulate", "10", "--format", "dot"], "--simulate shows in the text, json and html formats, not in dot"),
        (["--simulate", "0"], "0 is not in the range x>=1"),
        (["--simulate", "10", "--seed", "-1"], "-1 is not in the range x>=0"),
        (["--simulate", str(MAX_RUNS + 1)], f"--simulate takes 1 to {MAX_RUNS:,} runs, not {MAX_RUNS + 1:,}"),
    ],
)
def test_usage_errors_exit_2(arguments, message):
    exit_code, output = plan_command(str(EXAMPLE), *arguments)
    assert exit_code == 2
    assert message in output
    assert "Traceback" not in output


@pytest.fixture(scope="module")
def big_plan() -> Plan:
    """The generated 1,000-step runbook, every step with a range (as the benchmark plans it)."""
    return benchmark.ranged_plan(1000)


def test_runs_times_steps_past_the_memory_budget_is_a_usage_error(big_plan, tmp_path):
    """Checked before anything is drawn: 20,000 runs of 998 steps would hold
    about 20 million samples."""
    runs = MAX_SAMPLES // len(big_plan.planned) + 1
    with pytest.raises(ValueError, match=r"at most [\d,]+ runs of this runbook"):
        simulate(big_plan, runs, 0)
    # Through the command line: the same runbook written out, the error on one line, exit 2.
    runbook = tmp_path / "steps-1000.yaml"
    runbook.write_text(benchmark.single_runbook(1000), encoding="utf-8")
    exit_code, output = plan_command(str(runbook), "--simulate", str(runs))
    assert exit_code == 2
    assert f"{runs:,} runs of 998 steps would hold" in output
    assert output.count("\n") == 1


def _python_lines(work) -> int:
    """How many Python lines `work` runs (numpy's own C loops run none)."""
    count = 0

    def trace(frame, event, arg):
        nonlocal count
        if event == "line":
            count += 1
        return trace

    sys.settrace(trace)
    try:
        work()
    finally:
        sys.settrace(None)
    return count


def test_ten_thousand_runs_of_a_thousand_steps_are_vectorised(big_plan):
    """The Python work is the same for 100 runs and for 10,000: what grows
    with runs is inside numpy's arrays, not a loop per run."""
    few = _python_lines(lambda: simulate(big_plan, 100, 0))
    results = []
    many = _python_lines(lambda: results.append(simulate(big_plan, 10_000, 0)))
    assert many == few
    simulation = results[0]
    assert simulation.runs == 10_000 and len(simulation.steps) == 998
    assert len(simulation.varying_steps) == 998
    # Merging paths make the simulated mean longer than the path at mean minutes.
    assert simulation.required.merge_bias > 0


def test_the_recorded_benchmark_is_ten_thousand_runs_of_a_thousand_steps_within_a_few_seconds():
    recorded = json.loads((ROOT / "benchmarks" / "simulate_results.json").read_text(encoding="utf-8"))
    assert (recorded["steps"], recorded["runs"]) == (1000, 10_000)
    assert recorded["verdict"] == "pass"
    assert recorded["simulate_cpu_s"] <= recorded["target_cpu_s"] == benchmark.TARGET_CPU_S


def test_a_plain_plan_imports_no_numpy_and_a_simulation_does(tmp_path):
    code, modules = imported_by("plan", str(EXAMPLE), cwd=tmp_path)
    assert code == 0
    assert "numpy" not in modules
    code, modules = imported_by("plan", str(EXAMPLE), "--simulate", "10", cwd=tmp_path)
    assert code == 0
    assert "numpy" in modules


def test_the_manual_quotes_the_recorded_benchmark_and_the_limits():
    manual = " ".join((ROOT / "docs" / "plan.md").read_text(encoding="utf-8").split())
    recorded = json.loads((ROOT / "benchmarks" / "simulate_results.json").read_text(encoding="utf-8"))
    assert (
        f"measures {recorded['runs']:,} runs of the generated {recorded['steps']:,}-step runbook, every step"
        f" given a range: {recorded['simulate_cpu_s']} CPU seconds, {recorded['simulate_over_plan']} times a"
        f" plain plan of it ({recorded['plan_cpu_s']} s), at a peak of {recorded['peak_mb']} MB."
    ) in manual
    assert f"`--simulate` takes 1 to {MAX_RUNS:,} runs, and at most {MAX_SAMPLES:,} samples" in manual
    assert LISTED == 10 and "the table lists the ten highest" in manual


MEMORY_AT_THE_LIMIT = """
import resource, sys
sys.path.insert(0, sys.argv[1])
import simulate as benchmark
from recoverylint.simulate import MAX_SAMPLES, simulate
plan = benchmark.ranged_plan(1000)
widest = max(len(preds) for schedule in (plan.declared, plan.required) for preds in schedule.preds)
runs = MAX_SAMPLES // (len(plan.planned) + widest)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
simulate(plan, runs, 0)
grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) * 1024
print(runs * (len(plan.planned) + widest), grown)
"""


def test_at_the_sample_limit_memory_is_about_35_bytes_a_sample():
    """The limit the manual and simulate.py state holds memory to what they
    say: a fresh process simulates as many runs as the limit allows."""
    done = subprocess.run(
        [sys.executable, "-c", MEMORY_AT_THE_LIMIT, str(ROOT / "benchmarks")],
        capture_output=True, text=True, timeout=300, check=True, cwd=ROOT,
    )
    samples, grown = map(int, done.stdout.split())
    assert MAX_SAMPLES * 0.95 < samples <= MAX_SAMPLES
    assert grown / samples < 40


def test_the_html_simulation_renders_in_the_browser(page, tmp_path):
    from test_plan_html import _open

    from recoverylint.report.plan_html import render

    result, plan = plan_file(EXAMPLE, "examples/orders-db-outage.yaml")
    assert plan is not None
    simulation = simulate(plan, 1000, 0)
    report = tmp_path / "plan.html"
    report.write_text(render(plan, result.findings, simulation), encoding="utf-8")
    seen = _open(page, report)
    tables = page.evaluate(
        """() => [...document.querySelectorAll("#simulation table")].map(
            (table) => [...table.querySelectorAll("tbody tr")].map(
                (row) => [...row.children].map((cell) => cell.textContent)))"""
    )
    figures, critical = tables
    assert figures[0] == ["P50", "63 min", "61 min", "2 min"]  # constant minutes: the plan's paths
    assert [row[0] for row in critical] == [plan.runbook.steps[node].id for node in sorted(plan.declared.critical_path)]
    assert all(row[1] == "100.0%" for row in critical)
    assert seen == {"errors": [], "dialogs": []}


def test_the_help_states_the_runs_limit_of_the_code():
    helped = " ".join(CliRunner().invoke(cli, ["plan", "--help"]).output.split())
    assert f"(at most {MAX_RUNS:,} runs)" in helped
    assert "--seed S The seed of --simulate's draws (default 0)" in helped
