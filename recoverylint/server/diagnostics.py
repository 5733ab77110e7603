"""A document version's findings as the protocol's diagnostics."""

from __future__ import annotations

from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

from ..finding import Finding, Severity
from ..model import Span
from ..report.sarif import help_uri
from .documents import DocumentVersion
from .ranges import to_range

SOURCE = "recoverylint"

_SEVERITIES = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
}


def diagnostics(document: DocumentVersion, codec: PositionCodec) -> list[types.Diagnostic]:
    """Each finding of the version; a text that could not be checked (its
    configuration is broken, or a bug of ours) is one error at its top,
    saying why, so that the editor never shows it as clean."""
    check = document.check
    if check.error is not None or check.internal_error is not None:
        why = (
            f"not checked: {check.error}" if check.error is not None
            else "not checked: an internal error of recoverylint (please report it); its log has the traceback"
        )
        top = to_range(document, codec, Span(1, 1, 1, 1))
        return [types.Diagnostic(range=top, message=why, severity=types.DiagnosticSeverity.Error, source=SOURCE)]
    return [diagnostic(document, codec, item) for item in check.findings]


def diagnostic(document: DocumentVersion, codec: PositionCodec, item: Finding) -> types.Diagnostic:
    message = item.message if item.suggestion is None else f"{item.message}\n{item.suggestion}"
    related = [
        types.DiagnosticRelatedInformation(
            location=types.Location(uri=document.uri, range=to_range(document, codec, other.span)),
            message=other.message,
        )
        for other in item.related
    ]
    return types.Diagnostic(
        range=to_range(document, codec, item.span),
        message=message,
        severity=_SEVERITIES[item.severity],
        code=item.code,
        code_description=types.CodeDescription(href=help_uri(item.code)),
        source=SOURCE,
        related_information=related or None,
        data={"name": item.name},
    )
