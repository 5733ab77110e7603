"""Bounds on the analysis, so that no runbook can exhaust memory or time.

The graphs keep ancestor bitsets (memory grows with the square of the step
count), and a few shapes of runbook imply work in the square of their size
(two wide blocks one after the other, thousands of steps racing for one fact,
globs matching every name).  Each bound is checked before the work or the
memory it guards is spent; past one, a runbook is reported (RL001), not
analysed.  The figures are what a 2-core machine pays in a few seconds and
well under 1 GB (measured by benchmarks/pathological.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .model import Span


@dataclass(frozen=True)
class AnalysisLimits:
    # Ancestor bitsets take steps² bits: 50,000 steps take about 300 MB.
    max_steps: int = 100_000
    # Edges of D (and of O as written).  Each costs a set entry and a visit
    # in every pass of the rules and the plan over the graph, and the plan
    # may add as many again ordering races: about 1 KB and 10 µs each in all.
    # The generated 50,000-step runbook has under 200,000; 2,200 changes
    # that 2,200 checks each verify implicitly would have 4,840,000.  The
    # same figure bounds the steps the branches of decisions cover and the
    # edges the Orquesta reader follows through loops to find alternatives.
    max_edges: int = 1_000_000
    # Pairs of steps O orders directly, a block boundary or a stage gate
    # counted as every step after it waiting for every step before it (the
    # runbook keeps such a boundary as one join).  The rules go through a
    # join once per step after it (a false gate is one mask operation per
    # waiting step); the plan's schedules still look at O's waits pair by
    # pair, about 0.55 µs each: two adjacent blocks of 2,000 steps
    # (4,000,000 pairs) take 0.4 s of CPU to check and 2.2 s to plan, in
    # 110 MB; two of 3,000 (9,000,000) would take 5 s to plan, and six
    # blocks of 3,000 (45,000,000) half a minute.
    max_declared_pairs: int = 5_000_000
    # Pairs of a verify-phase step without `verifies` and a change it checks
    # implicitly (each change writing what it reads): rules report such pairs
    # one by one (a check that can run before its change), about 60 µs each
    # with the report, so 2,200 changes each checked by 2,200 steps took a
    # minute.  The generated 50,000-step runbook has under 5,000.
    max_implicit_verifications: int = 100_000
    # A resource name's length and segments: every question about a name
    # (who owns it, what overlaps it) walks it; real names are a few dozen
    # characters of a few segments.
    max_resource_name_length: int = 1_000
    max_resource_segments: int = 64
    # Trie nodes visited, globs matched and overlapping names found while
    # working out which resource names overlap which, and names visited
    # ordering their uses in D: about a microsecond each.
    max_resource_work: int = 10_000_000


class TooLarge(Exception):
    """The runbook is over an analysis limit; `span`, when known, is where
    the runbook says what is over it."""

    def __init__(self, message: str, span: Span | None = None) -> None:
        super().__init__(message)
        self.span = span
