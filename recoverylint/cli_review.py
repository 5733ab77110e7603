"""`recoverylint review`: finished runs of a runbook against the order its
work requires.  click's declarations and printing only: the run is
review.session's, the output the reporters'."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .cli import _session_result
from .cli_options import chosen_format, config_file_option, input_format_option, max_file_size_option, output_option
from .console import internal_error, say, stdout_dash, write_output
from .exits import EXIT_ERROR
from .records import RECORD_FORMATS
from .report import format_names
from .report.shown import shown as displayable

if TYPE_CHECKING:
    from .review.session import ReviewRequest, ReviewRun

REVIEW_FORMATS = format_names("review")


@click.command(
    short_help="Review finished runs (records) of one runbook: minutes lost, waits, order violations, MTTR.",
)
@click.argument("runbook", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("records", nargs=-1, required=True, metavar="RECORD...", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--record-format", type=click.Choice(RECORD_FORMATS), default=None,
    help="Read every record as this format (default: detect each file's).",
)
@click.option(
    "--format", "output_format", type=click.Choice(REVIEW_FORMATS), default="text", show_default=True,
    help="text: the summary and each incident; json; markdown: for a postmortem document;"
    " html: one self-contained report.",
)
@output_option("the review")
@click.option(
    "--write-durations", "durations_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
    metavar="FILE",
    help="Write each step's learned minutes (shortest run, median, P90 of its successful runs) to"
    " FILE, a durations file `check --durations` and `plan --durations` read.",
)
@click.option("--force", is_flag=True, help="With --write-durations, replace an existing file.")
@input_format_option
@config_file_option
@max_file_size_option
def review(
    runbook: Path, records: tuple[Path, ...], record_format: str | None, output_format: str,
    output_file: Path | None, durations_file: Path | None, force: bool, input_format: str | None,
    config_file: Path | None, max_file_size: int | None,
) -> None:
    """Review RECORD... (records of finished runs, or folders of them) against
    RUNBOOK: per incident the minutes it took, the minutes the required order
    needed with the incident's own step durations, the minutes lost, every wait
    the work did not need (a gate, or nobody of the role free), and the orders
    it broke (RV101-RV105); over all incidents MTTR (mean, P50, P90 by nearest
    rank), the trend per month, the costliest gates and each step's learned
    duration.

    A record that cannot be read, or is of another runbook, is named on
    stderr (file:line:column: why) and in the report, and the others are
    reviewed.

    Exit status: 0 reviewed, 1 when an incident broke an order the runbook
    requires (a violation), 2 when the runbook or a record cannot be read, a
    record is of another runbook, or on a usage error (with records of the
    runbook beside them, after their review is written).
    """
    from .report import render
    from .review.session import ReviewRequest

    output_file = stdout_dash(output_file)
    request = ReviewRequest(
        runbook, records, record_format, config_file, chosen_format(input_format), max_file_size,
        output_file, durations_file, force,
    )
    reviewed = _session_result(lambda: _reviewed(request))
    for note in reviewed.notes:
        click.echo(displayable(note), err=True)
    for error in reviewed.review.errors:
        say(f"error: {error}")
    try:
        text = render("review", output_format, reviewed.review)
    except Exception:  # a bug of ours in one format: say so, as for plan
        import traceback

        internal_error(reviewed.shown, traceback.format_exc(limit=-8), f"no {output_format} was written")
    write_output(output_file, text, f"the {output_format} review of {reviewed.shown}")
    sys.exit(reviewed.exit_code)


def _reviewed(request: ReviewRequest) -> ReviewRun:
    """The review run, or, when no record could be reviewed, each record's
    error in a line of its own and exit 2."""
    from .review.session import NothingReviewed, run_review

    try:
        return run_review(request)
    except NothingReviewed as error:
        for unread in error.errors:
            say(f"error: {unread}")
        sys.exit(EXIT_ERROR)
