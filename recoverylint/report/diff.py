"""`check --diff`: fixes as a unified diff that `git apply` takes."""

from __future__ import annotations

import difflib

from .shown import git_quoted


def unified_diff(shown: str, before: str, after: str) -> str:
    lines = difflib.unified_diff(
        _git_lines(before), _git_lines(after), git_quoted(f"a/{shown}"), git_quoted(f"b/{shown}")
    )
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


def _git_lines(text: str) -> list[str]:
    """The lines of `text` as `git apply` counts them: each ends at a LF (a
    CR, NEL or U+2028 is part of its line, where str.splitlines would split)."""
    *ended, last = text.split("\n")
    return [line + "\n" for line in ended] + ([last] if last else [])
