"""Suppression comments, and RL010 for those that silence nothing.

    steps:
      - id: probe-db  # recoverylint: disable=RL105 -- the output feeds a dashboard
        ...
        writes: [db/main]  # recoverylint: disable=RL4,RL502
    # recoverylint: disable-file=RL702

`disable=` on a line silences the findings that start on that line; on the
line of a step's id it silences those anywhere inside that step; `disable-file=`
silences them in the whole file.  Codes are full codes or prefixes (`RL4`).

Only real YAML comments count: a `recoverylint:` inside a quoted string or
a `run: |` block is text of the runbook, not an instruction to the linter.
RL001-RL003 (the rules did not run) and RL010 itself cannot be silenced.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.tokens import ScalarToken, StreamEndToken

try:  # libyaml through ruamel.yaml.clib: its scanner is many times faster
    from _ruamel_yaml import CParser
except ImportError:  # pragma: no cover - CPython wheels ship it
    CParser = None

from .finding import Finding, Issue
from .model import Runbook, Span, Step
from .source import LineIndex
from .words import closest, quoted

CODE = "RL010"
# Text every suppression comment holds: files without it skip this module.
_MARK = "recoverylint:"
# Codes no comment silences, and why.  RL001-RL003 mean the rules did not
# run: silenced, an unchecked file would pass as clean.
_UNSUPPRESSIBLE_BECAUSE = {
    "RL001": "the file is not readable YAML, so neither its comments nor its steps are read",
    "RL002": "no rule runs on a file that breaks the schema, so silenced it would pass unchecked",
    "RL003": "a file without `runbook` is not checked at all, so silenced it would pass unchecked",
    # `disable-file=RL010` would hide every stale suppression at once.
    CODE: "stale suppressions would then hide themselves; turn RL010 off with `ignore`"
    " in the configuration instead",
}
UNSUPPRESSIBLE = frozenset(_UNSUPPRESSIBLE_BECAUSE)

_CANDIDATE = re.compile(r"#[ \t]*recoverylint:")
# What libyaml counts as a line break (and str.splitlines, on YAML's characters).
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
_OTHER_BREAK = re.compile("\r(?!\n)|[\x85\u2028\u2029]")
_REST_OF_LINE = re.compile("[^\r\n\x85\u2028\u2029]*")
_HEAD = re.compile(r"#[ \t]*recoverylint:[ \t]*")
_KIND = re.compile(r"(disable-file|disable)[ \t]*=[ \t]*")
_CODE_TEXT = re.compile(r"[^\s,]+")
_SEPARATOR = re.compile(r"[ \t]*,[ \t]*")
_FREE_TEXT = re.compile(r"[ \t]+(\S+)")
_CODE_SHAPE = re.compile(r"RL[0-9]{1,3}", re.IGNORECASE)
_EVERYTHING = frozenset({"ALL", "RL", "*"})
_BLOCK_STYLES = ("|", ">")

_FORM = "`# recoverylint: disable=RL201,RL4` or `# recoverylint: disable-file=RL702`"


@dataclass(frozen=True)
class Comment:
    """A YAML comment that starts with `# recoverylint:`."""

    line: int  # 1-based
    column: int  # 1-based, of the `#`
    text: str  # from the `#` to the end of the line, trailing blanks removed


@dataclass
class Entry:
    """One code of one suppression comment: what it silences and whether it did."""

    kind: str  # "disable" or "disable-file"
    text: str  # the code as written
    span: Span
    covered: frozenset[str]  # the suppressible codes it names
    alone: bool  # the only code of its comment
    steps: tuple[Step, ...] = ()  # a `disable` on a step's id line: those steps
    used: bool = False

    def matches(self, code: str) -> bool:
        return code in self.covered


@dataclass
class Suppressions:
    """The suppression comments of one file, ready to match findings."""

    entries: list[Entry] = field(default_factory=list)
    problems: list[Issue] = field(default_factory=list)  # malformed or unknown codes
    by_line: dict[int, list[Entry]] = field(default_factory=dict)
    whole_file: list[Entry] = field(default_factory=list)
    # Steps never overlap: their extents, sorted, are found by bisection.
    extent_starts: list[tuple[int, int]] = field(default_factory=list)
    extents: list[tuple[tuple[int, int], list[Entry]]] = field(default_factory=list)

    def covering(self, span: Span) -> Iterator[Entry]:
        """Entries whose reach includes a finding that starts at `span`."""
        yield from self.by_line.get(span.line, ())
        start = (span.line, span.column)
        found = bisect_right(self.extent_starts, start) - 1
        if found >= 0:
            end, entries = self.extents[found]
            if start < end:
                yield from entries
        yield from self.whole_file


def suppress(
    text: str,
    findings: list[Finding],
    runbook: Runbook | None,
    known: Collection[str],
    checked: Callable[[], frozenset[str]],
) -> tuple[list[Finding], int, list[Issue]]:
    """Findings left once the file's suppression comments are applied, how many
    were silenced, and the RL010 issues: suppressions that silence nothing and
    comments that cannot be read.

    `known` is every code recoverylint has; `checked()` the codes actually
    checked on this file (called only when some suppression went unused): a
    suppression of a code the settings turn off, or of a rule that could not
    run (the order has a cycle), is not reported, as it may matter once that
    changes."""
    if _MARK not in text:
        return findings, 0, []
    comments = find_comments(text)
    if not comments:
        return findings, 0, []
    table = _table(comments, runbook, known)
    kept: list[Finding] = []
    for item in findings:
        hits = [entry for entry in table.covering(item.span) if entry.matches(item.code)]
        if not hits:
            kept.append(item)
            continue
        for entry in hits:
            entry.used = True
    issues = list(table.problems)
    unused = [entry for entry in table.entries if not entry.used]
    if unused:
        ran = checked()
        # A prefix is judged on the codes of it that ran: otherwise one
        # ignored code would keep every prefix suppression from being checked.
        issues.extend(_unused(entry) for entry in unused if entry.covered & ran)
    return kept, len(findings) - len(kept), issues


def find_comments(text: str) -> list[Comment]:
    """The comments of `text` that start with `# recoverylint:`, in file order."""
    candidates: list[tuple[int, int, int]] = []  # 0-based line, column; offset
    # Counting LF alone is right unless the file has another kind of break.
    only_lf = _OTHER_BREAK.search(text) is None
    line, line_start, counted_to = 0, 0, 0
    for match in _CANDIDATE.finditer(text):
        offset = match.start()
        if only_lf:
            line += text.count("\n", counted_to, offset)
            line_start = text.rfind("\n", 0, offset) + 1
        else:
            for line_break in _LINE_BREAK.finditer(text, counted_to, offset):
                line += 1
                line_start = line_break.end()
        counted_to = offset
        # A comment starts a line or follows a blank; `a#b` is part of a value.
        if offset == line_start or text[offset - 1] in " \t":
            candidates.append((line, offset - line_start, offset))
    if not candidates:
        return []
    comments = []
    editor = LineIndex(text)  # findings count lines as editors do
    for _line, _column, offset in _outside_values(text, candidates):
        found = _REST_OF_LINE.match(text, offset)
        assert found is not None  # the pattern matches an empty rest too
        rest = found.group().rstrip()
        line, column = editor.position(offset)
        comments.append(Comment(line, column, rest))
    return comments


def _outside_values(
    text: str, candidates: list[tuple[int, int, int]]
) -> Iterator[tuple[int, int, int]]:
    """The candidates no scalar contains (quoted, plain or block), found with
    the YAML scanner itself; it stops once past the last candidate."""
    waiting = iter(candidates)
    candidate = next(waiting, None)
    if candidate is None:
        return
    line, column = candidate[0], candidate[1]
    # Millions of tokens on big files: the common cases are decided first.
    for token in _tokens(text):
        cls = token.__class__
        if cls is not ScalarToken:
            if cls is StreamEndToken:
                break
            continue
        end = token.end_mark
        if end.line < line or (end.line == line and end.column <= column):
            continue  # ends before the candidate
        start = token.start_mark
        # After a `|` or `>`, the rest of its line is a comment at most.
        start_at = (start.line + 1, 0) if token.style in _BLOCK_STYLES else (start.line, start.column)
        end_at = (end.line, end.column)
        while candidate is not None and (line, column) < end_at:
            if (line, column) < start_at:
                yield candidate  # between values: a comment
            candidate = next(waiting, None)
            if candidate is not None:
                line, column = candidate[0], candidate[1]
        if candidate is None:
            return
    while candidate is not None:
        yield candidate
        candidate = next(waiting, None)


def _tokens(text: str) -> Iterable[Any]:
    tokens: Iterable[Any]
    if CParser is not None:
        parser = CParser(text)
        tokens = iter(parser.get_token, None)
    else:
        tokens = YAML(typ="safe", pure=True).scan(text)
    return tokens


def _table(comments: list[Comment], runbook: Runbook | None, known: Collection[str]) -> Suppressions:
    steps_on_line: dict[int, list[Step]] = {}
    if runbook is not None:
        for step in runbook.steps:
            if step.extent is not None:
                steps_on_line.setdefault(step.span.line, []).append(step)
    table = Suppressions()
    extents: list[tuple[tuple[int, int], tuple[int, int], list[Entry]]] = []
    for comment in comments:
        entries = _parse(comment, known, table.problems)
        if not entries:
            continue
        table.entries.extend(entries)
        if entries[0].kind == "disable-file":
            table.whole_file.extend(entries)
            continue
        table.by_line.setdefault(comment.line, []).extend(entries)
        steps = tuple(steps_on_line.get(comment.line, ()))
        for entry in entries:
            entry.steps = steps
        for step in steps:
            extent = step.extent
            assert extent is not None
            extents.append(
                ((extent.line, extent.column), (extent.end_line, extent.end_column), entries)
            )
    extents.sort(key=lambda item: item[0])
    table.extent_starts = [start for start, _, _ in extents]
    table.extents = [(end, entries) for _, end, entries in extents]
    return table


def _parse(comment: Comment, known: Collection[str], problems: list[Issue]) -> list[Entry]:
    """The entries of one comment; what cannot be read goes to `problems`."""
    text = comment.text
    position = _HEAD.match(text).end()  # type: ignore[union-attr]  # found by _CANDIDATE
    kind_match = _KIND.match(text, position)
    if kind_match is None:
        problems.append(
            Issue(
                _span(comment, 0, len(text)),
                f"malformed suppression comment `{_shown(text)}`: write {_FORM}",
            )
        )
        return []
    kind = kind_match.group(1)
    position = kind_match.end()
    written: list[tuple[str, int]] = []  # code text, offset in the comment
    while True:
        code_match = _CODE_TEXT.match(text, position)
        if code_match is None:
            problems.append(
                Issue(
                    _span(comment, 0, len(text)),
                    f"malformed suppression comment `{_shown(text)}`: a rule code is missing"
                    " after `=` or `,`",
                    suggestion=f"write {_FORM}",
                )
            )
            return []
        written.append((code_match.group(), code_match.start()))
        separator = _SEPARATOR.match(text, code_match.end())
        if separator is None:
            position = code_match.end()
            break
        position = separator.end()
    free_text = _FREE_TEXT.match(text, position)
    if free_text and _CODE_SHAPE.match(free_text.group(1)):
        word = free_text.group(1)
        problems.append(
            Issue(
                _span(comment, free_text.start(1), free_text.end(1)),
                f"`{word}` is read as the reason, not as a code: codes are separated by commas",
                suggestion=f"write `, {word}` to silence it too, or put the reason after ` -- `",
            )
        )
    entries = []
    for code_text, offset in written:
        span = _span(comment, offset, offset + len(code_text))
        covered = _covered(code_text, known, span, problems)
        if covered:
            entries.append(Entry(kind, code_text, span, covered, alone=len(written) == 1))
    return entries


def _covered(code_text: str, known: Collection[str], span: Span, problems: list[Issue]) -> frozenset[str]:
    """The suppressible codes `code_text` names; none (and a problem) when it names none."""
    code = code_text.upper()
    if code in _EVERYTHING:
        problems.append(
            Issue(
                span,
                f"`{code_text}` would silence every rule, which is not supported: a suppression"
                " names the codes it silences, so that the rules added later still report here",
                suggestion="name the codes of the findings to silence, e.g. `disable=RL105`",
            )
        )
        return frozenset()
    named = frozenset(c for c in known if c.startswith(code)) if _CODE_SHAPE.fullmatch(code) else frozenset()
    if not named:
        guess = closest(code, known)
        problems.append(
            Issue(
                span,
                f"`{code_text}` is no recoverylint rule code or prefix, so it silences nothing",
                suggestion=(
                    f"did you mean `{guess}`?" if guess else "write a code such as `RL201` or a prefix such as `RL2`"
                ),
            )
        )
        return frozenset()
    covered = named - UNSUPPRESSIBLE
    if not covered:
        if len(named) == 1:
            (only,) = named
            reason = _UNSUPPRESSIBLE_BECAUSE[only]
        else:
            reason = (
                f"{quoted(sorted(named))} say that the file was not checked"
                " or that a suppression is stale"
            )
        problems.append(
            Issue(
                span,
                f"`{code_text}` cannot be silenced by a comment: {reason}",
                suggestion=f"remove `{code_text}` from the comment",
            )
        )
    return covered


def _unused(entry: Entry) -> Issue:
    written = f"`# recoverylint: {entry.kind}={entry.text}`"
    if entry.kind == "disable-file":
        where = "in this file"
    elif entry.steps:
        noun = "step" if len(entry.steps) == 1 else "steps"
        where = f"in {noun} {quoted(step.id for step in entry.steps)}"
    else:
        where = "on this line"
    return Issue(
        entry.span,
        f"{written} silences nothing {where}: remove it",
        suggestion="remove the comment" if entry.alone else f"remove `{entry.text}` from the comment",
        steps=tuple(step.id for step in entry.steps),
    )


def _span(comment: Comment, start: int, end: int) -> Span:
    """Span of `comment.text[start:end]`."""
    return Span(comment.line, comment.column + start, comment.line, comment.column + end)


def _shown(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
