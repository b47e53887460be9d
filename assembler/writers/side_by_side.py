"""A redline as two aligned columns, before and after, as an HTML fragment for the review site.

One row per clause (its own paragraphs; sub-clauses get rows of their own) or per block
outside clauses. Because each row holds both sides, the columns stay level with each other
as the reader scrolls, with no script to keep two panes in step, and a row that changed is
marked. The before side keeps what was deleted (struck) and drops what was inserted; the
after side the other way round. Everything is written by :mod:`html_writer`, so escaping
and link rules are the same as in the recorded HTML.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from html import escape

from assembler.model import nodes as m
from assembler.writers import html_writer

BEFORE, AFTER = "before", "after"
_DROPPED_MARK = {BEFORE: m.Ins, AFTER: m.Del}
_ABSENT = {BEFORE: (m.INSERTED, m.MOVED), AFTER: (m.DELETED, m.MOVED_AWAY)}
_JOINED = {BEFORE: m.INSERTED, AFTER: m.DELETED}   # a paragraph break only the other side has


@dataclass(frozen=True)
class Row:
    """One aligned row: the clause number (or "") and each side's blocks."""

    number: str
    before: tuple[m.Block, ...]
    after: tuple[m.Block, ...]
    changed: bool
    whole: str | None = None    # INSERTED or DELETED: the row's clause came or went as a whole


def rows(doc: m.Document) -> list[Row]:
    """The redline ``doc`` as aligned rows, in document order."""
    out: list[Row] = []

    def add(number: str, own: tuple[m.Block, ...], change: str | None, hidden: frozenset[str],
            whole: str | None) -> None:
        hide = hidden | {side for side in (BEFORE, AFTER) if change in _ABSENT[side]}
        before = () if BEFORE in hide else _side(own, BEFORE)
        after = () if AFTER in hide else _side(own, AFTER)
        if before or after:
            whole = whole or (change if change in (m.INSERTED, m.DELETED) else None)
            out.append(Row(number, before, after, bool(change or hidden) or _marked(own), whole))

    def clause(c: m.Clause, hidden: frozenset[str], whole: str | None) -> None:
        """A clause's own row, then its sub-clauses': they come, go and move with it (a
        moved clause's old place holds its old sub-clauses, its new place the new ones)."""
        number = c.number or c.old_number or ""
        if c.change == m.MOVED and c.old_number:
            number = f"{c.number} (was {c.old_number})"
        add(number, tuple(b for b in c.blocks if not isinstance(b, m.ClauseList)), c.change, hidden, whole)
        walk(tuple(b for b in c.blocks if isinstance(b, m.ClauseList)),
             hidden | {side for side in (BEFORE, AFTER) if c.change in _ABSENT[side]},
             whole or (c.change if c.change in (m.INSERTED, m.DELETED) else None))

    def walk(blocks: tuple[m.Block, ...], hidden: frozenset[str] = frozenset(), whole: str | None = None) -> None:
        run: list[m.Block] = []   # blocks outside clauses; a paragraph one side has as two shares a row
        joining = {BEFORE: False, AFTER: False}   # a side's last paragraph continues in the next
        for block in blocks:
            if isinstance(block, (m.ClauseList, m.Clause)):
                if run:
                    add("", tuple(run), None, hidden, whole)
                    run = []
                for item in block.items if isinstance(block, m.ClauseList) else (block,):
                    clause(item, hidden, whole)
                continue
            run.append(block)
            for side in (BEFORE, AFTER):
                if getattr(block, "change", None) not in _ABSENT[side]:
                    joining[side] = getattr(block, "break_change", None) == _JOINED[side]
            if not any(joining.values()):
                add("", tuple(run), getattr(block, "change", None) if len(run) == 1 else None, hidden, whole)
                run = []
        if run:
            add("", tuple(run), None, hidden, whole)

    walk(doc.blocks)
    return out


def write(doc: m.Document, before_label: str, after_label: str) -> str:
    """The rows as a ``<table class="sbs">``: number, before, after."""
    body = []
    for row in rows(doc):
        cells = []
        for side, label in ((row.before, before_label), (row.after, after_label)):
            html: list[str] = []
            html_writer.blocks(side, html, row.whole)
            cells.append(f'<td data-side="{escape(label)}">{"".join(html)}</td>')
        mark = ' class="changed"' if row.changed else ""
        body.append(f'<tr{mark}><th scope="row">{escape(row.number)}</th>{"".join(cells)}</tr>')
    return ('<table class="sbs"><thead><tr><th scope="col"><span class="sr">Paragraph</span></th>'
            f'<th scope="col">{escape(before_label)}</th><th scope="col">{escape(after_label)}</th></tr>'
            f'</thead><tbody>{"".join(body)}</tbody></table>')


def _marked(blocks: tuple[m.Block, ...]) -> bool:
    """Whether any block carries a change of its own or an inline mark."""
    for block in blocks:
        if getattr(block, "change", None) or getattr(block, "break_change", None):
            return True
        if isinstance(block, (m.Paragraph, m.Heading)) and _has_marks(block.content):
            return True
        if isinstance(block, (m.BulletList, m.OrderedList)) and any(_marked(i) for i in block.items):
            return True
        if isinstance(block, m.Table) and (any(block.row_changes) or block.old_columns is not None or any(
                not isinstance(c, str) and _has_marks(c) for row in (block.header, *block.rows) for c in row)):
            return True
    return False


def _has_marks(nodes: tuple[m.Inline, ...]) -> bool:
    return any(isinstance(n, (m.Ins, m.Del)) or (isinstance(n, m.Link) and n.old_target is not None)
               or (isinstance(n, m.CONTAINERS) and _has_marks(n.content)) for n in nodes)


def _side(blocks: tuple[m.Block, ...], side: str) -> tuple[m.Block, ...]:
    """The blocks as one side shows them: blocks absent from that side left out, and two
    paragraphs that side has as one (a paragraph break the other version made) joined."""
    out: list[m.Block] = []
    joined: tuple[m.Inline, ...] | None = None   # the start of a paragraph the next one continues
    for block in blocks:
        if getattr(block, "change", None) in _ABSENT[side]:
            continue
        if isinstance(block, m.Paragraph):
            content = (joined or ()) + _inlines(block.content, side)
            if block.break_change == _JOINED[side]:
                joined = content
                continue
            joined = None
            keep = block.break_change if block.break_change else None
            block = dataclasses.replace(block, content=content, break_change=keep)
        elif isinstance(block, m.Heading):
            block = dataclasses.replace(block, content=_inlines(block.content, side), old_level=None)
        elif isinstance(block, (m.BulletList, m.OrderedList)):
            block = dataclasses.replace(block, items=tuple(_side(i, side) for i in block.items),
                                        old_kind=None, old_start=None)
        elif isinstance(block, m.Table):
            block = _table(block, side)
        out.append(block)
    if joined is not None:
        out.append(m.Paragraph(joined))
    return tuple(out)


def _table(table: m.Table, side: str) -> m.Table:
    marks = table.row_changes or (None,) * len(table.rows)
    kept = [(row, mark) for row, mark in zip(table.rows, marks) if mark not in _ABSENT[side]]
    return dataclasses.replace(
        table, header=tuple(_cell(c, side) for c in table.header),
        rows=tuple(tuple(_cell(c, side) for c in row) for row, _ in kept),
        row_changes=tuple(mark for _, mark in kept))


def _cell(cell: m.Cell, side: str) -> m.Cell:
    return cell if isinstance(cell, str) else _inlines(cell, side)


def _inlines(nodes: tuple[m.Inline, ...], side: str) -> tuple[m.Inline, ...]:
    out: list[m.Inline] = []
    for node in nodes:
        if isinstance(node, _DROPPED_MARK[side]):
            continue
        if isinstance(node, m.Link) and side == BEFORE and node.old_target is not None:
            node = dataclasses.replace(node, target=node.old_target, old_target=None)
        if isinstance(node, m.CONTAINERS):
            node = dataclasses.replace(node, content=_inlines(node.content, side))
        out.append(node)
    return tuple(out)
