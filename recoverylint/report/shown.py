"""Text from outside recoverylint, as every output shows it.

A runbook's words, a file name and a configuration's values reach the terminal,
a CI log and report files.  There, a control character is an instruction: an
escape sequence retitles or redraws the terminal (`\\e]0;title\\a`), a line
break starts a line of its own, which an editor reads as a finding and a
GitHub runner as a workflow command, and a bidirectional override reorders
what is read.  Every reporter and every message of the command line passes
such text through `shown` (or, for JSON, `json_safe`): the characters are
written as visible escapes (`\\x1b`, `\\u202e`), and line breaks as `\\n`.
"""

from __future__ import annotations

import os
import re

# Every character a terminal, a log reader or a line-oriented consumer acts
# on: C0 controls but tab, DEL, C1 controls, the Unicode line and paragraph
# separators, bidirectional marks, embeddings, overrides and isolates, and
# lone surrogates (an undecodable byte of a file name).  `\r\n` is one break.
_ACTING = re.compile(
    "\r\n|[\x00-\x08\x0a-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
# The same characters one by one but LF, for JSON text, where json.dumps has
# escaped CR and LF in strings: no pair to find, a class alone is scanned twice
# as fast, and an LF is indentation (matching each one of indented JSON would
# call a function per line).
_JSON_ACTING = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
# Line breaks for str.splitlines, VS Code or a terminal: shown as `\n`.
_LINE_BREAKS = frozenset(("\r\n", "\n", "\r", "\v", "\f", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"))
# What a format that escapes line breaks itself (a GitHub command's %0A, XML) may keep.
_KEPT_BREAKS = frozenset(("\r\n", "\n", "\r"))


def shown(text: str, *, keep_line_breaks: bool = False) -> str:
    """`text` with nothing a terminal or a line-oriented reader would act on:
    on one line (each line break written `\\n`) unless `keep_line_breaks`
    (LF and CR are then left for the format to escape), and every other such
    character written as its escape, `\\x1b` or `\\u202e`."""

    def visible(match: re.Match[str]) -> str:
        found = match.group()
        if keep_line_breaks and found in _KEPT_BREAKS:
            return found
        if found in _LINE_BREAKS:
            return "\\n"
        return escape(found)

    return _ACTING.sub(visible, text)


def json_safe(json_text: str) -> str:
    """JSON written with `ensure_ascii=False`, with the same characters
    written as JSON escapes (`\\u001b`): the data is unchanged, and printing
    the document drives no terminal and splits no line."""

    def escaped(match: re.Match[str]) -> str:
        return f"\\u{ord(match.group()):04x}"

    if _JSON_ACTING.search(json_text) is None:  # the usual case: one scan, no copy
        return json_text
    return _JSON_ACTING.sub(escaped, json_text)


# How a shown path writes a byte of a file name that is not UTF-8 (cli._display).
_UNDECODABLE_BYTE = re.compile(r"\\x([89a-f][0-9a-f])")


def real_name(path: str) -> str:
    """The file name a shown path stands for, its undecodable bytes as
    Python holds them (surrogates, which os.fsencode turns back into the bytes)."""
    return _UNDECODABLE_BYTE.sub(lambda match: chr(0xDC00 + int(match.group(1), 16)), path)


def git_quoted(path: str) -> str:
    """A shown path as git writes it in a diff header: as it is when plain,
    else quoted C-style, each byte that is not printable ASCII in octal (what
    `git apply` reads back as the file's name, and drives no terminal)."""
    name = os.fsencode(real_name(path))
    if all(_plain_in_git(byte) for byte in name):
        return path
    return '"' + "".join(_git_escaped(byte) for byte in name) + '"'


def _plain_in_git(byte: int) -> bool:
    return 0x20 <= byte < 0x7F and byte not in b'"\\'


def _git_escaped(byte: int) -> str:
    if _plain_in_git(byte):
        return chr(byte)
    if byte in b'"\\':
        return "\\" + chr(byte)
    return f"\\{byte:03o}"


def escape(character: str) -> str:
    """A character as Python writes it in a string: `\\x1b`, `\\u202e`."""
    code = ord(character)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
