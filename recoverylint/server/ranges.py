"""Positions between the model (1-based lines, columns in characters) and
the protocol (0-based lines, columns in the code units the client and the
server agreed on: UTF-16 unless the client offers another)."""

from __future__ import annotations

from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

from ..model import Span
from .documents import DocumentVersion


def to_position(document: DocumentVersion, codec: PositionCodec, line: int, column: int) -> types.Position:
    """A 1-based line and character column as the client counts."""
    text = document.line(line)
    return types.Position(line=max(line - 1, 0), character=codec.client_num_units(text[: max(column - 1, 0)]))


def to_range(document: DocumentVersion, codec: PositionCodec, span: Span) -> types.Range:
    return types.Range(
        start=to_position(document, codec, span.line, span.column),
        end=to_position(document, codec, span.end_line, span.end_column),
    )


def from_position(document: DocumentVersion, codec: PositionCodec, position: types.Position) -> tuple[int, int]:
    """The 1-based line and character column of a client's position."""
    text = document.line(position.line + 1)
    units = 0
    for index, char in enumerate(text):
        if units >= position.character:
            return position.line + 1, index + 1
        units += codec.impl.code_units_for_char(char)
    return position.line + 1, len(text) + 1


def offset_position(document: DocumentVersion, codec: PositionCodec, offset: int) -> types.Position:
    """The client position of a character offset into the document's text."""
    return to_position(document, codec, *document.line_index.position(offset))
