"""Code actions: each safe fix as a quick fix, a restructure (an unsafe fix)
as a refactor of its own, every safe fix at once, and suppression comments
for a finding's line, its step and the whole file."""

from __future__ import annotations

import re

from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

from ..engine import own_parser
from ..finding import Finding
from ..suppress import UNSUPPRESSIBLE
from .documents import DocumentVersion
from .names import contains
from .ranges import from_position, offset_position, to_position

# The list of codes of a suppression comment (one suppress.find_comments
# found: never words inside a value), to add a code to it.
_DISABLE = r"#[ \t]*recoverylint:[ \t]*{kind}[ \t]*=[ \t]*[^\s,]+(?:[ \t]*,[ \t]*[^\s,]+)*"
_DISABLE_LINE = re.compile(_DISABLE.format(kind="disable"))
_DISABLE_FILE = re.compile(_DISABLE.format(kind="disable-file"))


FIX_ALL = f"{types.CodeActionKind.SourceFixAll.value}.recoverylint"
_PER_FINDING = (types.CodeActionKind.QuickFix, types.CodeActionKind.RefactorRewrite)


def code_actions(
    document: DocumentVersion, codec: PositionCodec, params: types.CodeActionParams, resolvable: bool
) -> list[types.CodeAction]:
    """The actions for the findings the requested range touches, of the kinds
    asked for.  Every safe fix at once (a whole `check --fix`) is worked out
    only when `only` asks for it; else, when the client can resolve an
    action (`resolvable`), it is offered without its edit, worked out when
    picked: editors ask for actions at every move of the cursor."""
    wanted = params.context.only

    def asked(kind: str) -> bool:
        return not wanted or any(_within(kind, one) for one in wanted)

    actions: list[types.CodeAction] = []
    if any(asked(kind) for kind in _PER_FINDING):
        start = from_position(document, codec, params.range.start)
        end = from_position(document, codec, params.range.end)
        for item in document.check.findings:
            span = item.span
            if (span.end_line, span.end_column) < start or (span.line, span.column) > end:
                continue
            if item.fix is not None:
                fix_action = _fix_action(document, codec, item)
                if fix_action is not None:
                    actions.append(fix_action)
            actions.extend(_suppressions(document, codec, item))
        actions = [action for action in actions if action.kind is not None and asked(action.kind)]
    if asked(FIX_ALL) and _has_safe_fix(document):
        fix_all = _unresolved_fix_all(document) if resolvable and not wanted else resolve_fix_all(document, codec)
        if fix_all is not None:
            actions.append(fix_all)
    return actions


def _within(kind: str, wanted: str) -> bool:
    return kind == wanted or kind.startswith(f"{wanted}.")


def _fix_action(document: DocumentVersion, codec: PositionCodec, item: Finding) -> types.CodeAction | None:
    from ..fix import FixError, replacements

    fix = item.fix
    assert fix is not None
    try:
        changes = replacements(document.check.text, [fix.edit])
    except FixError:
        return None  # the fix cannot be written in this text: `check --fix` says why
    edits = [
        types.TextEdit(
            range=types.Range(
                start=offset_position(document, codec, change.offset),
                end=offset_position(document, codec, change.offset + change.length),
            ),
            new_text=change.text,
        )
        for change in changes
    ]
    if fix.safe:
        title, kind = f"Fix {item.code}: {fix.description}", types.CodeActionKind.QuickFix
    else:  # it changes when steps may run: a refactor a person reviews, never a quick fix
        title = f"Restructure ({item.code}, review it: it changes when steps may run): {fix.description}"
        kind = types.CodeActionKind.RefactorRewrite
    return types.CodeAction(
        title=title,
        kind=kind,
        diagnostics=None,
        is_preferred=fix.safe,
        edit=types.WorkspaceEdit(changes={document.uri: edits}),
    )


def _has_safe_fix(document: DocumentVersion) -> bool:
    check = document.check
    return check.settings is not None and any(f.fix is not None and f.fix.safe for f in check.findings)


def _unresolved_fix_all(document: DocumentVersion) -> types.CodeAction:
    """Every safe fix, its edit left for codeAction/resolve (`data` names the version)."""
    return types.CodeAction(
        title="Apply every safe fix of recoverylint",
        kind=FIX_ALL,
        data={"uri": document.uri, "version": document.version},
    )


def resolve_fix_all(document: DocumentVersion, codec: PositionCodec) -> types.CodeAction | None:
    """Every safe fix, as `check --fix` applies them (judged, to a fixed point):
    worked out once per document version; None when none can be applied."""
    outcome = document.safe_fixes_applied
    if outcome is None or outcome.text is None:
        return None
    whole = types.Range(
        start=types.Position(line=0, character=0),
        end=offset_position(document, codec, len(document.check.text)),
    )
    return types.CodeAction(
        title=f"Apply every safe fix of recoverylint ({len(outcome.applied)})",
        kind=FIX_ALL,
        edit=types.WorkspaceEdit(changes={document.uri: [types.TextEdit(range=whole, new_text=outcome.text)]}),
    )


def _suppressions(document: DocumentVersion, codec: PositionCodec, item: Finding) -> list[types.CodeAction]:
    """Suppression comments for the finding: only in a file read as YAML, whose
    comments the engine reads, and never for what no comment silences."""
    check = document.check
    forced = None if check.settings is None else check.settings.input_format
    if item.code in UNSUPPRESSIBLE or own_parser(check.shown, forced) is not None:
        return []
    code = item.code
    actions = [_suppress(document, codec, f"Suppress {code} on this line", item.span.line, code)]
    step_line = _step_line(document, item)
    if step_line is not None and step_line != item.span.line:
        actions.append(_suppress(document, codec, f"Suppress {code} for this step", step_line, code))
    actions.append(_suppress_file(document, codec, code))
    return actions


def _step_line(document: DocumentVersion, item: Finding) -> int | None:
    """The line of the id of the step the finding is inside (its comment covers the step)."""
    runbook = document.check.runbook
    if runbook is None:
        return None
    for step in runbook.steps:
        extent = step.extent
        if extent is not None and contains(extent, item.span.line, item.span.column):
            return step.span.line
    return None


def _suppress(document: DocumentVersion, codec: PositionCodec, title: str, line: int, code: str) -> types.CodeAction:
    for comment in document.suppression_comments:
        existing = _DISABLE_LINE.match(comment.text) if comment.line == line else None
        if existing is not None:  # one comment per line: the code joins its list
            return _insert(document, codec, title, line, comment.column + existing.end(), f",{code}")
    text = document.line(line)
    return _insert(document, codec, title, line, len(text.rstrip()) + 1, f"  # recoverylint: disable={code}")


def _suppress_file(document: DocumentVersion, codec: PositionCodec, code: str) -> types.CodeAction:
    title = f"Suppress {code} for this file"
    for comment in document.suppression_comments:
        existing = _DISABLE_FILE.match(comment.text)
        if existing is not None:
            return _insert(document, codec, title, comment.line, comment.column + existing.end(), f",{code}")
    return _insert(document, codec, title, 1, 1, f"# recoverylint: disable-file={code}\n")


def _insert(
    document: DocumentVersion, codec: PositionCodec, title: str, line: int, column: int, text: str
) -> types.CodeAction:
    at = to_position(document, codec, line, column)
    edit = types.TextEdit(range=types.Range(start=at, end=at), new_text=text)
    return types.CodeAction(
        title=title,
        kind=types.CodeActionKind.QuickFix,
        edit=types.WorkspaceEdit(changes={document.uri: [edit]}),
    )
