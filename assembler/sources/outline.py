"""A document being imported, as its readers see it: headings, blocks and numbered lists,
each with the place it came from (``line 12``, ``paragraph 7``), and what the import must
reproduce (:func:`signature`).

Readers (Markdown, DOCX) produce a :class:`SourceDocument`; the importer turns its pieces
into a template and clause files; after the build, :func:`first_difference` compares the
built document with the source, so that an import is checked, not hoped for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from assembler.model import nodes as m

if TYPE_CHECKING:
    from collections.abc import Iterator


@dataclass(frozen=True)
class Entry:
    """One item of a numbered list (one clause): its own blocks, and the numbered list
    that ends it (its sub-clauses, 4.1, 4.2…)."""

    blocks: tuple[m.Block, ...]
    where: str
    children: tuple[Entry, ...] = ()
    children_start: int = 1


@dataclass(frozen=True)
class Piece:
    """A top-level piece of the source: a heading, a block (paragraph, bullet list,
    table), or a numbered list (``entries``, numbered from ``start``)."""

    where: str
    heading: m.Heading | None = None
    block: m.Block | None = None
    entries: tuple[Entry, ...] = ()
    start: int = 1


@dataclass
class SourceDocument:
    """What a reader made of a source file: its pieces in order, a title when the format
    marks one (a DOCX ``Title`` paragraph), and notes on what was left out."""

    path: str
    pieces: list[Piece]
    title: tuple[m.Inline, ...] | None = None
    notes: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- what must be reproduced

def _words(nodes: tuple[m.Inline, ...]) -> list[str]:
    return m.plain_text(nodes).split()


def _block_tokens(block: m.Block) -> Iterator[str]:
    """A block's words in reading order, with a marker for every list item and table cell
    (numbers are not words: renumbering is the template's business)."""
    if isinstance(block, (m.Paragraph, m.Heading)):
        if isinstance(block, m.Heading):
            yield f"<h{block.level}>"
        yield from _words(block.content)
    elif isinstance(block, (m.BulletList, m.OrderedList)):
        for item in block.items:
            yield "<item>"
            for inner in item:
                yield from _block_tokens(inner)
    elif isinstance(block, m.Table):
        for row in (block.header, *block.rows):
            yield "<row>"
            for cell in row:
                yield "<cell>"
                yield from (cell.split() if isinstance(cell, str) else _words(cell))
    elif isinstance(block, m.Clause):
        for inner in block.blocks:
            yield from _block_tokens(inner)
    elif isinstance(block, m.ClauseList):
        for clause in block.items:
            yield "<item>"
            yield from _block_tokens(clause)


def document_tokens(doc: m.Document) -> list[tuple[str, str]]:
    """(token, where) for a built document: the title as a level-1 heading, then every
    block; ``where`` names the clause a token sits in."""
    out = [("<h1>", "title")] + [(w, "title") for w in _words(doc.title)]

    def walk(blocks: tuple[m.Block, ...], where: str) -> None:
        for block in blocks:
            if isinstance(block, m.Clause):
                here = f"clause {block.id}"
                for inner in block.blocks:
                    if isinstance(inner, m.ClauseList):
                        walk((inner,), here)
                    else:
                        out.extend((t, here) for t in _block_tokens(inner))
            elif isinstance(block, m.ClauseList):
                for clause in block.items:
                    out.append(("<item>", f"clause {clause.id}"))
                    walk((clause,), where)
            else:
                out.extend((t, where) for t in _block_tokens(block))

    walk(doc.blocks, "the template")
    return out


def source_tokens(title: tuple[tuple[m.Inline, ...], str], pieces: list[Piece]) -> list[tuple[str, str]]:
    """(token, where) for the source, as the import means to reproduce it."""
    content, where = title
    out = [("<h1>", where)] + [(w, where) for w in _words(content)]

    def entries(items: tuple[Entry, ...]) -> None:
        for entry in items:
            out.append(("<item>", entry.where))
            for block in entry.blocks:
                out.extend((t, entry.where) for t in _block_tokens(block))
            entries(entry.children)

    for piece in pieces:
        if piece.heading is not None:
            out.extend((t, piece.where) for t in _block_tokens(piece.heading))
        elif piece.block is not None:
            out.extend((t, piece.where) for t in _block_tokens(piece.block))
        else:
            entries(piece.entries)
    return out


def _describe(token: str) -> str:
    if token.startswith("<h"):
        return f"a level-{token[2:-1]} heading"
    return {"<item>": "a list item", "<row>": "a table row", "<cell>": "a table cell"}.get(token, f"'{token}'")


def first_difference(source: list[tuple[str, str]], built: list[tuple[str, str]]) -> str | None:
    """Where the built document parts from the source, in words a user can act on, or
    None when both hold the same words, headings (at the same levels), list items and
    table cells in the same order."""
    for index, (a, b) in enumerate(zip(source, built)):
        if a[0] != b[0]:
            context = " ".join(t for t, _ in source[max(0, index - 4): index] if not t.startswith("<"))
            after = f" after '{context}'" if context else ""
            return (f"the built document parts from the source at {a[1]}{after}: the source has "
                    f"{_describe(a[0])}, the build ({b[1]}) has {_describe(b[0])}")
    if len(source) != len(built):
        if len(source) > len(built):
            token, where = source[len(built)]
            return f"the built document stops short: the source goes on at {where} with {_describe(token)}"
        token, where = built[len(source)]
        return f"the built document has more than the source: {_describe(token)} in {where}"
    return None
