"""The native format: recoverylint's own runbook, checked against the JSON
schema before `recoverylint.native` builds its model."""

from __future__ import annotations

from ..capabilities import EVERY
from ..durations import inverted_ranges
from ..finding import Issue
from ..limits import TooLarge
from ..model import NATIVE
from ..native import build_runbook
from ..schema import validate
from ..source import Document
from . import NOT_A_RUNBOOK, Adapted, AdapterError, InputFormat, is_native


def detect(document: Document) -> bool:
    return is_native(document.data)


def build(document: Document, path: str, default_duration: float | None) -> Adapted:
    if document.rest:
        second = Issue(document.rest[0].start_span, "a second YAML document: a runbook file holds one document")
        raise AdapterError(second, code="RL001")
    problems = [Issue(p.span, p.message, suggestion=p.help) for p in validate(document)]
    problems = problems or [Issue(span, message) for span, message in inverted_ranges(document)]
    if problems:
        raise AdapterError(*problems)
    try:
        return Adapted(build_runbook(document, path, default_duration=default_duration))
    except TooLarge as error:
        if error.span is not None:
            raise
        # Said at the runbook's name when nothing in it says what is too large.
        raise TooLarge(str(error), document.value_span(document.data, "runbook")) from None


FORMAT = InputFormat(
    name=NATIVE,
    title="recoverylint runbook",
    detect=detect,
    build=build,
    keys=("runbook",),
    priority=0,
    provides=EVERY,
    not_this_format=NOT_A_RUNBOOK,
)
