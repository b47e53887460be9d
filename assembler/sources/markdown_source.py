"""A Markdown (or plain text) document being imported -> :class:`SourceDocument`.

Headings stay headings; a numbered list becomes numbered entries (one clause each), a list
that ends an item its sub-clauses; paragraphs, bullet lists and pipe tables are blocks of
clause text. Raw HTML is read as :mod:`assembler.sources.markup` allows for imports.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from assembler.errors import InvalidInput
from assembler.model import nodes as m
from assembler.sources import markup
from assembler.sources.outline import Entry, Piece, SourceDocument

if TYPE_CHECKING:
    from collections.abc import Sequence

    from assembler.sources.markup import Token

MAX_HEADING_LEVEL = 6


def _children(tokens: Sequence[Token], start: int, stop: int) -> list[tuple[int, int]]:
    """The (open, close) index ranges of the blocks directly inside ``start:stop``."""
    out = []
    i = start
    while i < stop:
        close = markup.matching(tokens, i)
        out.append((i, close))
        i = close + 1
    return out


def read_markdown(text: str, rel: str) -> SourceDocument:
    """The pieces of Markdown ``text`` (from file ``rel``); raises :class:`InvalidInput`
    naming the line of anything that cannot be imported."""
    tokens = markup.import_tokens(text)
    reader = markup.import_reader(text, rel)
    pieces: list[Piece] = []

    def where(tok: Token) -> str:
        return f"line {tok.map[0] + 1 if tok.map else 1}"

    def entries(open_index: int) -> tuple[Entry, ...]:
        out = []
        for item_open, item_close in _children(tokens, open_index + 1, markup.matching(tokens, open_index)):
            inner = _children(tokens, item_open + 1, item_close)
            children: tuple[Entry, ...] = ()
            start = 1
            if inner and tokens[inner[-1][0]].type == "ordered_list_open":
                last_open = inner[-1][0]
                children = entries(last_open)
                start = int(tokens[last_open].attrGet("start") or 1)
                inner = inner[:-1]
            blocks: list[m.Block] = []
            for a, b in inner:
                blocks.extend(reader.blocks(tokens, a, b + 1))
            out.append(Entry(tuple(blocks), where(tokens[item_open]), children, start))
        return tuple(out)

    for open_index, close in _children(tokens, 0, len(tokens)):
        tok = tokens[open_index]
        if tok.type == "heading_open":
            content = reader.inlines(tokens[open_index + 1].children or [], tok.map[0] if tok.map else 0)
            pieces.append(Piece(where(tok), heading=m.Heading(int(tok.tag[1:]), content)))
        elif tok.type == "ordered_list_open":
            pieces.append(Piece(where(tok), entries=entries(open_index),
                                start=int(tok.attrGet("start") or 1)))
        else:
            for block in reader.blocks(tokens, open_index, close + 1):
                pieces.append(Piece(where(tok), block=block))
    if reader.problems:
        raise InvalidInput(reader.problems)
    return SourceDocument(rel, pieces, notes=reader.notes)
