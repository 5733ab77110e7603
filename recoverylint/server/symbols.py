"""The outline (steps, under their stages when the runbook has stages) and
the inlay hint at the top with what the required order saves."""

from __future__ import annotations

from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

from ..model import Span, Step
from .documents import DocumentVersion
from .ranges import to_range


def document_symbols(document: DocumentVersion, codec: PositionCodec) -> list[types.DocumentSymbol]:
    runbook = document.check.runbook
    if runbook is None:
        return []
    steps = {step.id: _step_symbol(document, codec, step) for step in runbook.steps}
    if not runbook.stages:
        return list(steps.values())
    symbols = []
    placed: set[str] = set()
    for stage in runbook.stages:
        children = [steps[step_id] for step_id in stage.steps if step_id in steps]
        placed.update(stage.steps)
        spans = [stage.span, *(s.extent or s.span for s in runbook.steps if s.id in set(stage.steps))]
        whole = to_range(document, codec, _covering(spans))
        symbols.append(types.DocumentSymbol(
            name=stage.name, kind=types.SymbolKind.Namespace, detail=f"stage, {len(children)} steps",
            range=whole, selection_range=to_range(document, codec, stage.span), children=children,
        ))
    return symbols + [symbol for step_id, symbol in steps.items() if step_id not in placed]


def _step_symbol(document: DocumentVersion, codec: PositionCodec, step: Step) -> types.DocumentSymbol:
    selection = to_range(document, codec, step.span)
    whole = to_range(document, codec, _covering([step.span, step.extent or step.span]))
    return types.DocumentSymbol(
        name=step.id, kind=types.SymbolKind.Function, detail=step.title or "", range=whole, selection_range=selection,
    )


def _covering(spans: list[Span]) -> Span:
    start = min((s.line, s.column) for s in spans)
    end = max((s.end_line, s.end_column) for s in spans)
    return Span(*start, *end)


def saved_hint(document: DocumentVersion, codec: PositionCodec, wanted: types.Range) -> list[types.InlayHint]:
    """At the end of the first line: the minutes the required order saves
    (in plan's words), when the runbook can be planned."""
    if wanted.start.line > 0:
        return []
    plan = document.check.plan
    if plan is None:
        return []
    from .navigation import saved_words

    first = document.line(1)
    at = to_range(document, codec, Span(1, len(first) + 1, 1, len(first) + 1)).start
    return [types.InlayHint(position=at, label=f"  {saved_words(plan)}", kind=None, padding_left=True)]
