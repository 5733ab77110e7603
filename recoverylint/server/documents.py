"""The documents an editor has open, each checked once per version: hovers,
definitions and code actions of a version read the check its diagnostics
came from, never a new one.  No protocol types here."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlparse

from ..editor_session import EditorCheck, check_editor_text
from ..model import Runbook, Span
from ..source import LineIndex, editor_lines
from ..suppress import Comment, find_comments
from .names import NameUse, name_uses

if TYPE_CHECKING:
    from ..baseline import Baseline
    from ..fix import FixOutcome


def path_of(uri: str) -> Path:
    """The file a document's URI names (an unsaved document's name, as the
    editor gives it, for any other scheme: its configuration is then the
    working folder's)."""
    parsed = urlparse(uri)
    if parsed.scheme == "file":
        return Path(unquote(parsed.path))
    return Path(unquote(parsed.path or uri).lstrip("/") or "untitled")


@dataclass(frozen=True)
class DocumentVersion:
    """One version of an open document, and its check."""

    uri: str
    version: int | None
    check: EditorCheck

    @cached_property
    def lines(self) -> list[str]:
        """The text's lines as editors count them (LF, CR LF, CR)."""
        return editor_lines(self.check.text)

    @cached_property
    def line_index(self) -> LineIndex:
        """Where each line starts: a fix's offsets become positions through it."""
        return LineIndex(self.check.text)

    @cached_property
    def safe_fixes_applied(self) -> FixOutcome | None:
        """The text with every safe fix applied, as `check --fix` writes it:
        worked out on first use, once per version (None: no configuration)."""
        check = self.check
        if check.settings is None:
            return None
        from ..fix import fix_text

        return fix_text(check.text, check.shown, check.settings)

    @cached_property
    def suppression_comments(self) -> list[Comment]:
        """The `# recoverylint:` comments of the text (never words inside a value)."""
        return find_comments(self.check.text)

    @cached_property
    def uses(self) -> list[NameUse]:
        runbook = self.check.runbook
        return [] if runbook is None else list(name_uses(runbook))

    def line(self, number: int) -> str:
        """A 1-based line's text ('' past the end)."""
        return self.lines[number - 1] if 0 < number <= len(self.lines) else ""

    def name_span(self, use: NameUse) -> Span:
        """Where the name itself is written: inside its quotes when quoted,
        so that a rename keeps them."""
        span = use.span
        if span.line != span.end_line:
            return span
        written = self.line(span.line)[span.column - 1:span.end_column - 1]
        if len(written) == len(use.name) + 2 and written[0] in "'\"" and written[-1] == written[0]:
            return Span(span.line, span.column + 1, span.end_line, span.end_column - 1)
        return span


class DocumentStore:
    """The newest checked version of each open document, by URI."""

    def __init__(self, config_file: Path | None = None, baseline: Baseline | None = None) -> None:
        self.config_file = config_file
        self.baseline = baseline
        self._versions: dict[str, DocumentVersion] = {}
        # The newest model of each document that could be read: completion
        # on a half-typed document offers the names it had.
        self._runbooks: dict[str, Runbook] = {}
        self._lock = threading.Lock()

    def check(self, uri: str, version: int | None, text: str) -> DocumentVersion:
        """The check of this version: done once, then kept until a newer one."""
        with self._lock:
            known = self._versions.get(uri)
        if known is not None and known.version == version and known.check.text == text:
            return known
        checked = DocumentVersion(
            uri, version, check_editor_text(path_of(uri), text, self.config_file, self.baseline)
        )
        with self._lock:
            self._versions[uri] = checked
            if checked.check.runbook is not None:
                self._runbooks[uri] = checked.check.runbook
        return checked

    def last_runbook(self, uri: str) -> Runbook | None:
        with self._lock:
            return self._runbooks.get(uri)

    def get(self, uri: str) -> DocumentVersion | None:
        with self._lock:
            return self._versions.get(uri)

    def drop_checks(self, uri: str | None = None) -> None:
        """Forget the checks of one document's version, or of every document's
        (a configuration changed): the next request checks the text again."""
        with self._lock:
            if uri is None:
                self._versions.clear()
            else:
                self._versions.pop(uri, None)

    def forget(self, uri: str) -> None:
        with self._lock:
            self._versions.pop(uri, None)
            self._runbooks.pop(uri, None)
