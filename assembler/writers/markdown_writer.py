"""Document -> canonical Markdown: one line per paragraph, numbers written out, diffable.

Every text run is escaped so that the output, read back as CommonMark, gives the same
words: clause text can hold ``*``, ``[``, ``<`` or ``{{`` and stay text.
"""

from __future__ import annotations

import dataclasses
import re

from assembler.model import nodes as m
from assembler.writers.redline_text import PILCROW, heading_note, link_note, list_note

_SPECIAL = re.compile(r"([\\`*_\[\]<>])|(\{(?=\{))|(&(?=#?[A-Za-z0-9]+;))")
_LINE_START = re.compile(r"^(#{1,6}(?:\s|$)|[-+](?:\s|$)|>|=+\s*$)")
_LINE_START_NUMBER = re.compile(r"^(\d{1,9})([.)])(\s|$)")


def escape_text(text: str) -> str:
    """``text`` with Markdown's active characters backslash-escaped."""
    return _SPECIAL.sub(lambda match: "\\" + match.group(0), text)


def _escape_line_start(line: str) -> str:
    if _LINE_START.match(line):
        return "\\" + line
    number = _LINE_START_NUMBER.match(line)
    if number:
        return number.group(1) + "\\" + line[len(number.group(1)):]
    return line


def inlines(nodes: tuple[m.Inline, ...]) -> str:
    """Inline nodes as Markdown text (hard breaks as a backslash at the end of a line)."""
    out: list[str] = []
    for node in nodes:
        if isinstance(node, m.Text):
            out.append(escape_text(node.text))
        elif isinstance(node, m.Emph):
            out.append("*" + inlines(node.content) + "*")
        elif isinstance(node, m.Strong):
            out.append("**" + inlines(node.content) + "**")
        elif isinstance(node, m.Code):
            ticks = "`" * (max((len(r) for r in re.findall(r"`+", node.text)), default=0) + 1)
            pad = " " if node.text.startswith("`") or node.text.endswith("`") else ""
            out.append(f"{ticks}{pad}{node.text}{pad}{ticks}")
        elif isinstance(node, m.Link):
            target = node.target
            if re.search(r"[\s()<>]", target):
                target = "<" + target.replace("<", "%3C").replace(">", "%3E") + ">"
            out.append("[" + inlines(node.content) + "](" + target + ")")
            if node.old_target is not None:
                out.append("{>>" + escape_text(link_note(node)) + "<<}")
        elif isinstance(node, m.LineBreak):
            out.append("\\\n")
        elif isinstance(node, m.Var):
            out.append(escape_text("{{ %s }}" % node.name))
        elif isinstance(node, m.Ref):
            out.append(escape_text(node.label or node.target))
        elif isinstance(node, m.Ins):
            out.append("{++" + inlines(node.content) + "++}")
        elif isinstance(node, m.Del):
            out.append("{--" + inlines(node.content) + "--}")
    text = "".join(out)
    return "\n".join(_escape_line_start(line) for line in text.split("\n"))


def _indent(lines: list[str], first: str, rest: str) -> list[str]:
    out = []
    for index, line in enumerate(lines):
        prefix = first if index == 0 else rest
        out.append(prefix + line if line else "")
    return out


def _items(marker_lines: list[tuple[str, list[list[str]]]], loose: bool = False) -> list[str]:
    """Render list items given (marker, list of block-line-lists) pairs; a list whose items
    hold more than one block is written loose (blank lines between items)."""
    loose = loose or any(len(blocks) > 1 for _, blocks in marker_lines)
    out: list[str] = []
    for marker, blocks in marker_lines:
        pad = " " * len(marker)
        item_lines: list[str] = []
        for index, block in enumerate(blocks):
            if index:
                item_lines.append("")
            item_lines.extend(block)
        if loose and out:
            out.append("")
        out.extend(_indent(item_lines or [""], marker, pad))
    return out


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
        return restyled + [_items([("- ", _flatten(item)) for item in node.items])]
    if isinstance(node, m.OrderedList):
        return restyled + [_items([(f"{node.start + i}. ", _flatten(item)) for i, item in enumerate(node.items)])]
    if isinstance(node, m.Clause):
        return _flatten(_marked(node))
    if isinstance(node, m.Table):
        return _table(node)
    if isinstance(node, m.ClauseList):
        nested = any("." in (clause.number or "") for clause in node.items)
        visible = [c for c in node.items if c.change != m.MOVED_AWAY]
        return [_items([(_marker(clause), _clause_chunks(clause)) for clause in visible],
                       loose=nested)]
    raise TypeError(node)


def _table(table: m.Table) -> list[list[str]]:
    """A pipe table (GFM) under its caption; cell text escaped, pipes and newlines too."""

    def row(cells) -> str:
        return "| " + " | ".join((escape_text(c) if isinstance(c, str) else inlines(c))
                                 .replace("|", "\\|").replace("\n", " ") for c in cells) + " |"

    lines = [row(table.header), "|" + "|".join("---" for _ in table.header) + "|"]
    lines += [row(cells) for cells in table.rows]
    caption = [_escape_line_start(escape_text(table.caption))] if table.caption else []
    return ([caption] if caption else []) + [lines]


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
