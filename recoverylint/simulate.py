"""`plan --simulate`: a seeded Monte Carlo of both orders' recovery time.

Each run draws every planned step's minutes from a beta-PERT distribution
over its {min, likely, max} (a step whose min equals its max is constant; a
step of unknown duration counts 0, as in the plan), and takes the critical
path of the declared and of the required order with those minutes, paying
`sync_overhead` at every join as the plan does.  Both orders see the same
draws in a run, so their difference is the saving of that run: the saving's
P50 and P90 are those of the per-run savings, not the difference of the two
orders' P50s and P90s.  Percentiles are nearest-rank, as `review` gives
them: the value at rank ceil(P/100 * runs), always one seen in a run.

The work is vectorised over runs: one array of shape (runs,) per step,
propagated through each order's reduced predecessors (the plan's
`Schedule.preds`) in topological order, so the Python work grows with steps
and edges, never with runs.  A deterministic critical path understates a
plan whose paths merge (the maximum of uncertain paths is longer, on average,
than the longest of their averages): the simulation says by how much.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from .graphs import topological_order
from .plan import Plan, Schedule

MAX_RUNS = 1_000_000
# Samples held at once: runs x (planned steps + the predecessors of the
# widest join).  About 35 bytes each (minutes drawn, finish times, path
# lengths and choices, kept for the walk back along each run's critical
# path): 15,000,000 is about 500 MB, 10,000 runs of a 1,500-step runbook
# (11,627 runs of the benchmark's 1,000 steps, at the limit, added 383 MB).
MAX_SAMPLES = 15_000_000
# Nearest-rank percentiles (numpy's name for it), as `review` gives them.
_PERCENTILE_METHOD: Final = "inverted_cdf"
# Times are rounded as the plan rounds them, so that paths of equal length
# tie as they do there (1/3 min + 2/3 min against 1 min).
_DIGITS = 9

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int32]


class SimulationTooLarge(ValueError):
    """More runs, or runs of more steps, than the simulation may hold."""


@dataclass(frozen=True)
class OrderOutcome:
    """One order's recovery time over the runs (minutes), and how often each
    planned step is on its critical path."""

    deterministic: float  # the plan's critical path: likely durations
    at_mean_durations: float  # the critical path with each step at its PERT mean
    p50: float
    p90: float
    mean: float
    criticality: tuple[float, ...]  # per step of Simulation.steps: share of runs

    @property
    def merge_bias(self) -> float:
        """What a deterministic critical path leaves out where paths merge:
        the simulated mean less the critical path at mean durations (0 for
        a chain, up to sampling)."""
        return round(self.mean - self.at_mean_durations, _DIGITS)


@dataclass(frozen=True)
class Simulation:
    runs: int
    seed: int
    steps: tuple[int, ...]  # the planned steps, file order
    declared: OrderOutcome
    required: OrderOutcome
    # The saving of each run (declared less required, same draws) over the runs.
    saved_p50: float
    saved_p90: float
    saved_mean: float
    varying_steps: tuple[int, ...]  # planned steps whose minutes vary (min < max)
    unknown_steps: tuple[int, ...]  # planned steps with no duration: 0 min in every run


def check_simulation_size(plan: Plan, runs: int) -> None:
    """SimulationTooLarge unless `runs` runs of this plan fit the limits:
    checked before anything is drawn."""
    if not 1 <= runs <= MAX_RUNS:
        raise SimulationTooLarge(f"--simulate takes 1 to {MAX_RUNS:,} runs, not {runs:,}")
    widest = max(
        (len(preds) for schedule in (plan.declared, plan.required) for preds in schedule.preds), default=0
    )
    samples = runs * (len(plan.planned) + widest)
    if samples > MAX_SAMPLES:
        most = max(1, MAX_SAMPLES // (len(plan.planned) + widest))
        raise SimulationTooLarge(
            f"{runs:,} runs of {len(plan.planned):,} steps would hold {samples:,} samples, over the"
            f" {MAX_SAMPLES:,} the simulation may hold: at most {most:,} runs of this runbook"
        )


def simulate(plan: Plan, runs: int, seed: int) -> Simulation:
    """`runs` runs of both orders of `plan`, drawn from `seed`: the same seed,
    the same result.  SimulationTooLarge past the limits."""
    check_simulation_size(plan, runs)
    runbook = plan.runbook
    durations = [runbook.duration_of(runbook.steps[node]) for node in plan.planned]
    low = np.array([0.0 if d is None else d.minimum for d in durations])
    likely = np.array([0.0 if d is None else d.likely for d in durations])
    high = np.array([0.0 if d is None else d.maximum for d in durations])
    width = high - low
    span = np.where(width > 0, width, 1.0)  # a constant step's draw is scaled by its width, 0
    alpha = 1 + 4 * (likely - low) / span
    beta = 1 + 4 * (high - likely) / span

    # One array of draws, scaled and shifted in place: a step's minutes are
    # min + (max - min) * Beta(alpha, beta), exactly min (= likely) when constant.
    drawn: Floats = np.random.default_rng(seed).beta(alpha[:, np.newaxis], beta[:, np.newaxis], size=(len(low), runs))
    drawn *= width[:, np.newaxis]
    drawn += low[:, np.newaxis]
    rows = np.flatnonzero(width > 0)
    means = ((low + 4 * likely + high) / 6)[:, np.newaxis]

    overhead = runbook.sync_overhead
    declared, declared_length = _outcome(plan.declared, plan.planned, drawn, means, overhead)
    required, required_length = _outcome(plan.required, plan.planned, drawn, means, overhead)
    saved_p50, saved_p90, saved_mean = _figures(np.round(declared_length - required_length, _DIGITS))
    return Simulation(
        runs=runs,
        seed=seed,
        steps=plan.planned,
        declared=declared,
        required=required,
        saved_p50=saved_p50,
        saved_p90=saved_p90,
        saved_mean=saved_mean,
        varying_steps=tuple(plan.planned[row] for row in rows),
        unknown_steps=plan.unknown_steps,
    )


def _figures(values: Floats) -> tuple[float, float, float]:
    """The nearest-rank P50 and P90 of `values`, and their mean."""
    p50, p90 = np.quantile(values, [0.5, 0.9], method=_PERCENTILE_METHOD)
    return round(float(p50), _DIGITS), round(float(p90), _DIGITS), round(float(values.mean()), _DIGITS)


def _outcome(
    schedule: Schedule, planned: Sequence[int], drawn: Floats, means: Floats, overhead: float
) -> tuple[OrderOutcome, Floats]:
    """The order's figures over the runs, and each run's recovery time."""
    row_of = {node: row for row, node in enumerate(planned)}
    preds = [sorted(row_of[pred] for pred in schedule.preds[node]) for node in planned]
    order = topological_order(preds)
    assert order is not None  # the plan's orders are acyclic
    length, on_path = _critical_paths(order, preds, drawn, overhead)
    at_means, _ = _critical_paths(order, preds, means, overhead)
    p50, p90, mean = _figures(length)
    runs = drawn.shape[1]
    outcome = OrderOutcome(
        deterministic=schedule.length,
        at_mean_durations=round(float(at_means[0]), _DIGITS),
        p50=p50,
        p90=p90,
        mean=mean,
        criticality=tuple(float(count) / runs for count in on_path.sum(axis=1)),
    )
    return outcome, length


def _critical_paths(
    order: list[int], preds: list[list[int]], drawn: Floats, overhead: float
) -> tuple[Floats, npt.NDArray[np.bool_]]:
    """Each run's critical path length, and which steps (rows) are on its
    critical path, chosen as the plan chooses it: from the step finishing
    last, back through the predecessor each step waited for last; of those
    finishing at once, the one ending the most steps, then the first in file
    order (rows are in file order, and argmax takes the first of equals)."""
    count, runs = drawn.shape
    finish: Floats = np.zeros((count, runs))
    chain: Ints = np.ones((count, runs), dtype=np.int32)  # steps on the path ending at a step
    waited_for: dict[int, Ints] = {}  # join row -> per run, the predecessor it waited for last
    for row in order:
        row_preds = preds[row]
        if len(row_preds) == 1:
            pred = row_preds[0]
            np.add(finish[pred], drawn[row], out=finish[row])
            np.add(chain[pred], 1, out=chain[row])
        elif row_preds:
            arrived = finish[row_preds]
            last = arrived.max(axis=0)
            # Of the predecessors finishing last, the longest chain: others score -1.
            score = np.where(arrived == last, chain[row_preds], -1)
            picked = score.argmax(axis=0)
            waited_for[row] = np.asarray(row_preds, dtype=np.int32)[picked]
            np.add(score.max(axis=0), 1, out=chain[row])
            start = np.round(last + overhead, _DIGITS)
            np.add(start, drawn[row], out=finish[row])
        else:
            finish[row] = drawn[row]
        np.round(finish[row], _DIGITS, out=finish[row])

    on_path = np.zeros((count, runs), dtype=np.bool_)
    if not count:
        return np.zeros(runs), on_path
    length = finish.max(axis=0)
    every_run = np.arange(runs)
    last_step = np.where(finish == length, chain, -1).argmax(axis=0)
    on_path[last_step, every_run] = True
    for row in reversed(order):
        row_preds = preds[row]
        if len(row_preds) == 1:
            on_path[row_preds[0]] |= on_path[row]
        elif row_preds:
            runs_here = np.flatnonzero(on_path[row])
            on_path[waited_for[row][runs_here], runs_here] = True
    return length, on_path
