"""Bounds on the analysis, so that no runbook can exhaust memory or time.

The graphs keep ancestor bitsets (memory grows with the square of the step
count), and a few shapes of runbook imply edges in the square of their size
(a stage of thousands of parallel threads gated on another; thousands of steps
racing for one fact).  Past these bounds a runbook is reported, not analysed.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AnalysisLimits:
    max_steps: int = 100_000
    max_edges: int = 5_000_000  # in O or in D


class TooLarge(Exception):
    """The runbook is over an analysis limit."""
