"""Word paragraphs as read -> the pieces of a source document: headings, paragraphs, and
list runs arranged by their numbering levels (numbered items at the top as numbered entries,
a trailing run of numbered sub-items as sub-clauses, bullets as bullet lists). Pure: the
reading of the XML is :mod:`assembler.sources.docx_source`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import groupby
from pathlib import Path

from assembler.errors import InvalidInput, Problem
from assembler.model import nodes as m
from assembler.sources.outline import Entry, Piece, SourceDocument

MAX_HEADING_LEVEL = 6   # as deep as a template heading goes


@dataclass
class WordParagraph:
    """A body paragraph as read: its inlines, heading level, list membership."""

    content: list[m.Inline]
    where: str
    heading: int | None = None
    title: bool = False
    num: tuple[str, int] | None = None     # (numId, level)
    ordered: bool = False
    notes: list[m.Block] = field(default_factory=list)   # its footnotes, as paragraphs
    joins_next: bool = False               # its paragraph mark was removed by a change taken


def trim(nodes: tuple[m.Inline, ...]) -> tuple[m.Inline, ...]:
    """``nodes`` without leading and trailing spaces (and line breaks)."""
    out = list(nodes)
    while out and (isinstance(out[0], m.LineBreak) or isinstance(out[0], m.Text) and not out[0].text.strip()):
        out.pop(0)
    while out and (isinstance(out[-1], m.LineBreak) or isinstance(out[-1], m.Text) and not out[-1].text.strip()):
        out.pop()
    if out and isinstance(out[0], m.Text):
        out[0] = m.Text(out[0].text.lstrip())
    if out and isinstance(out[-1], m.Text):
        out[-1] = m.Text(out[-1].text.rstrip())
    return tuple(out)


# ---------------------------------------------------------------- structure

@dataclass
class _Node:
    para: WordParagraph
    children: list[_Node] = field(default_factory=list)


def _tree(run: list[WordParagraph]) -> list[_Node]:
    """List paragraphs nested by their level."""
    roots: list[_Node] = []
    stack: list[tuple[int, _Node]] = []
    for para in run:
        level = para.num[1] if para.num else 0
        node = _Node(para)
        while stack and stack[-1][0] >= level:
            stack.pop()
        (stack[-1][1].children if stack else roots).append(node)
        stack.append((level, node))
    return roots


def _item_blocks(node: _Node) -> tuple[m.Block, ...]:
    """A list item's own blocks: its paragraph (and footnotes), its sub-lists as text."""
    blocks: list[m.Block] = []
    if node.para.content:
        blocks.append(m.Paragraph(trim(tuple(node.para.content))))
    blocks.extend(node.para.notes)
    blocks.extend(_text_lists(node.children))
    return tuple(blocks)


def _text_lists(nodes: list[_Node]) -> list[m.Block]:
    """Sibling items as lists inside clause text (a change of kind starts a new list)."""
    out: list[m.Block] = []
    for ordered, group in groupby(nodes, key=lambda node: node.para.ordered):
        items = tuple(_item_blocks(n) for n in group)
        out.append(m.OrderedList(items) if ordered else m.BulletList(items))
    return out


def _entries(nodes: list[_Node]) -> tuple[Entry, ...]:
    """Numbered items as entries: a trailing run of numbered sub-items, its sub-clauses."""
    out = []
    for node in nodes:
        tail = len(node.children)
        while tail > 0 and node.children[tail - 1].para.ordered:
            tail -= 1
        own = _Node(node.para, node.children[:tail])
        out.append(Entry(_item_blocks(own), node.para.where, _entries(node.children[tail:])))
    return tuple(out)


def joined(items: list[WordParagraph | m.Table]) -> list[WordParagraph | m.Table]:
    """Paragraphs whose mark a taken change removed, joined with the next one."""
    out: list[WordParagraph | m.Table] = []
    carry: WordParagraph | None = None
    for item in items:
        if carry is not None and isinstance(item, WordParagraph):
            item.content = carry.content + item.content
            item.notes = carry.notes + item.notes
            carry = None
        if isinstance(item, WordParagraph) and item.joins_next:
            carry = item
            continue
        out.append(item)
    if carry is not None:
        out.append(carry)
    return out


def pieces(path: Path, items: list[WordParagraph | m.Table], notes: list[str]) -> SourceDocument:
    pieces: list[Piece] = []
    title: tuple[m.Inline, ...] | None = None
    counters: dict[str, int] = {}   # numId -> top-level items numbered so far
    index = 0
    while index < len(items):
        item = items[index]
        if isinstance(item, m.Table):
            pieces.append(Piece(f"table after paragraph {_last_where(items, index)}", block=item))
            index += 1
            continue
        content = trim(tuple(item.content))
        if item.num is not None:
            end = index
            while end < len(items) and isinstance(items[end], WordParagraph) and items[end].num is not None:  # type: ignore[union-attr]
                end += 1
            run = [p for p in items[index:end] if isinstance(p, WordParagraph)]
            pieces.extend(_list_pieces(run, counters))
            index = end
            continue
        index += 1
        if not content and not item.notes:
            continue
        if item.title and title is None:
            title = content
        elif item.heading is not None:
            if item.heading > MAX_HEADING_LEVEL:
                raise InvalidInput(Problem(str(path), f"{item.where}: a level-{item.heading} heading "
                                           f"is deeper than the {MAX_HEADING_LEVEL} levels a template "
                                           "has; give it a higher level (Heading 1-6) in Word"))
            pieces.append(Piece(item.where, heading=m.Heading(item.heading, content)))
        else:
            pieces.append(Piece(item.where, block=m.Paragraph(content)))
        for note in item.notes:
            pieces.append(Piece(item.where, block=note))
    return SourceDocument(str(path), pieces, title, notes)


def _last_where(items: list[WordParagraph | m.Table], index: int) -> str:
    before = [i for i in items[:index] if isinstance(i, WordParagraph)]
    return before[-1].where.split()[-1] if before else "0"


def _list_pieces(run: list[WordParagraph], counters: dict[str, int]) -> list[Piece]:
    """One run of list paragraphs: numbered items at the top become numbered entries
    (numbered on from earlier items of the same Word list), bulleted ones a bullet list."""
    out: list[Piece] = []
    for ordered, grouped in groupby(_tree(run), key=lambda node: node.para.ordered):
        group = list(grouped)
        first = group[0].para
        if ordered:
            num_id = first.num[0] if first.num else ""
            start = counters.get(num_id, 0) + 1
            counters[num_id] = start + len(group) - 1
            out.append(Piece(first.where, entries=_entries(group), start=start))
        else:
            out.append(Piece(first.where, block=_text_lists(group)[0]))
    return out
