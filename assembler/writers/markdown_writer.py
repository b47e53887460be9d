"""Document -> canonical Markdown: one line per paragraph, numbers written out, diffable.

Every text run is escaped so that the output, read back as CommonMark, gives the same
words: clause text can hold ``*``, ``[``, ``<`` or ``{{`` and stay text.
"""

from __future__ import annotations

import dataclasses

from assembler.model import nodes as m
from assembler.sources import clause_markdown as cm
from assembler.writers.redline_text import PILCROW, heading_note, link_note, list_note


def inlines(nodes: tuple[m.Inline, ...]) -> str:
    """Inline nodes as the built document shows them: variables and references as their
    text, changed link targets noted."""
    return cm.inlines(nodes, link_note, placeholders=False)


def _critic(change: str | None, text: str) -> str:
    """A whole block inserted or deleted, in CriticMarkup."""
    if change == m.INSERTED:
        return "{++" + text + "++}"
    if change in (m.DELETED, m.MOVED_AWAY):
        return "{--" + text + "--}"
    return text


def block_lines(node: m.Block) -> list[list[str]]:
    """A block as a list of chunks (each a list of lines) to be separated by blank lines."""
    change = getattr(node, "change", None)
    if isinstance(node, m.Paragraph):
        mark = {m.INSERTED: "{++" + PILCROW + "++}", m.DELETED: "{--" + PILCROW + "--}"}.get(
            node.break_change, "")
        return [(_critic(change, inlines(node.content)) + mark).split("\n")]
    if isinstance(node, m.Heading):
        level = " {>>" + heading_note(node) + "<<}" if node.old_level is not None else ""
        return [["#" * node.level + " " + _critic(change, inlines(node.content)) + level]]
    restyled = [["{>>" + list_note(node) + "<<}"]] if isinstance(node, (m.BulletList, m.OrderedList)) \
        and list_note(node) else []
    if isinstance(node, m.BulletList):
        return restyled + [cm.list_lines([("- ", _flatten(item)) for item in node.items])]
    if isinstance(node, m.OrderedList):
        return restyled + [cm.list_lines([(f"{node.start + i}. ", _flatten(item))
                                          for i, item in enumerate(node.items)])]
    if isinstance(node, m.Clause):
        return _flatten(_marked(node))
    if isinstance(node, m.Table):
        return cm.table_lines(node, link_note, placeholders=False)
    if isinstance(node, m.ClauseList):
        nested = any("." in (clause.number or "") for clause in node.items)
        visible = [c for c in node.items if c.change != m.MOVED_AWAY]
        return [cm.list_lines([(_marker(clause), _clause_chunks(clause)) for clause in visible],
                              loose=nested)]
    raise TypeError(node)


def _marker(clause: m.Clause) -> str:
    number = clause.number or clause.old_number
    return f"{number}. " if number else "- "


def _marked(clause: m.Clause) -> tuple[m.Block, ...]:
    """A clause's blocks with a whole-clause change pushed down onto its paragraphs."""
    if clause.change in (m.INSERTED, m.DELETED, m.MOVED_AWAY):
        return tuple(b if isinstance(b, m.ClauseList) or getattr(b, "change", None)
                     else dataclasses.replace(b, change=clause.change) for b in clause.blocks)
    return clause.blocks


def _clause_chunks(clause: m.Clause) -> list[list[str]]:
    chunks = _flatten(_marked(clause))
    from assembler.writers.redline_text import clause_note
    note = clause_note(clause)
    if note and chunks:
        chunks[0] = ["{>>" + note + "<<} " + chunks[0][0]] + chunks[0][1:]
    return chunks


def _flatten(blocks: tuple[m.Block, ...]) -> list[list[str]]:
    chunks: list[list[str]] = []
    for block in blocks:
        chunks.extend(block_lines(block))
    return chunks


def write(doc: m.Document, options=None) -> bytes:
    """The document as canonical Markdown, UTF-8, ending in one newline (a redline: with
    CriticMarkup marks and a summary comment first)."""
    chunks = [["# " + inlines(doc.title)]] + _flatten(doc.blocks)
    info = getattr(options, "redline", None)
    if info is not None:
        from assembler.writers.redline_text import heading, summary_lines
        note = [f"{{>>{heading(doc.id, info)}<<}}", ""] + [f"- {line}" for line in summary_lines(info)]
        chunks.insert(1, note)
    text = "\n\n".join("\n".join(chunk) for chunk in chunks)
    return (text.rstrip("\n") + "\n").encode("utf-8")
