"""Model blocks -> clause Markdown: the text an editor would have written for them.

The inverse of :mod:`assembler.sources.markup` for what clause text may hold (paragraphs,
emphasis, links, line breaks, bullet and ordered lists, pipe tables): reading the text back
gives the same blocks. Every text run is escaped, so ``*``, ``[``, ``<`` or ``{{`` in the
words stay words. The import writes clause files with it, and the canonical Markdown writer
builds on it (adding CriticMarkup for redlines).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from assembler.model import nodes as m

if TYPE_CHECKING:
    from collections.abc import Callable

_SPECIAL = re.compile(r"([\\`*_\[\]<>])|(\{(?=\{))|(&(?=#?[A-Za-z0-9]+;))")
_LINE_START = re.compile(r"^(#{1,6}(?:\s|$)|[-+](?:\s|$)|>|=+\s*$)")
_LINE_START_NUMBER = re.compile(r"^(\d{1,9})([.)])(\s|$)")



def escape_text(text: str) -> str:
    """``text`` with Markdown's active characters backslash-escaped."""
    return _SPECIAL.sub(lambda match: "\\" + match.group(0), text)


def escape_line_start(line: str) -> str:
    """``line`` made safe to start a line: no heading, bullet, quote or number marker."""
    if _LINE_START.match(line):
        return "\\" + line
    number = _LINE_START_NUMBER.match(line)
    if number:
        return number.group(1) + "\\" + line[len(number.group(1)):]
    return line


def inlines(nodes: tuple[m.Inline, ...], link_note: Callable[[m.Link], str] | None = None,
            placeholders: bool = True) -> str:
    """Inline nodes as Markdown text (hard breaks as a backslash at the end of a line; a
    redline's insertions and deletions as CriticMarkup, a changed link target as a
    ``link_note`` comment). Variables and references are written as placeholders, or as
    the text a reader sees when ``placeholders`` is false (a built document)."""

    def again(content: tuple[m.Inline, ...]) -> str:
        return inlines(content, link_note, placeholders)

    out: list[str] = []
    for node in nodes:
        if isinstance(node, m.Text):
            out.append(escape_text(node.text))
        elif isinstance(node, m.Emph):
            out.append("*" + again(node.content) + "*")
        elif isinstance(node, m.Strong):
            out.append("**" + again(node.content) + "**")
        elif isinstance(node, m.Code):
            ticks = "`" * (max((len(r) for r in re.findall(r"`+", node.text)), default=0) + 1)
            pad = " " if node.text.startswith("`") or node.text.endswith("`") else ""
            out.append(f"{ticks}{pad}{node.text}{pad}{ticks}")
        elif isinstance(node, m.Link):
            target = node.target
            if re.search(r"[\s()<>]", target):
                target = "<" + target.replace("<", "%3C").replace(">", "%3E") + ">"
            out.append("[" + again(node.content) + "](" + target + ")")
            if node.old_target is not None and link_note is not None:
                out.append("{>>" + escape_text(link_note(node)) + "<<}")
        elif isinstance(node, m.LineBreak):
            out.append("\\\n")
        elif isinstance(node, m.Var):
            out.append("{{ %s }}" % node.name if placeholders else escape_text("{{ %s }}" % node.name))
        elif isinstance(node, m.Ref):
            if placeholders and node.label is None:
                out.append("{{ ref:%s }}" % node.target)
            else:
                out.append(escape_text(node.label or node.target))
        elif isinstance(node, m.Ins):
            out.append("{++" + again(node.content) + "++}")
        elif isinstance(node, m.Del):
            out.append("{--" + again(node.content) + "--}")
    text = "".join(out)
    return "\n".join(escape_line_start(line) for line in text.split("\n"))


def indent(lines: list[str], first: str, rest: str) -> list[str]:
    """``lines`` with ``first`` before the first line and ``rest`` before the others."""
    out = []
    for index, line in enumerate(lines):
        prefix = first if index == 0 else rest
        out.append(prefix + line if line else "")
    return out


def list_lines(marker_lines: list[tuple[str, list[list[str]]]], loose: bool = False) -> list[str]:
    """A list from (marker, chunks of lines) pairs; a list whose items hold more than one
    block is written loose (blank lines between items)."""
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
        out.extend(indent(item_lines or [""], marker, pad))
    return out


def cell_markdown(cell: m.Cell, link_note: Callable[[m.Link], str] | None = None,
                  placeholders: bool = True) -> str:
    """One table cell on one line, its pipes escaped (GFM splits cells before it reads
    inlines, so a pipe anywhere in the cell, a link target too, needs its backslash)."""
    text = escape_text(cell) if isinstance(cell, str) else inlines(cell, link_note, placeholders)
    return text.replace("|", "\\|").replace("\n", " ")


def table_lines(table: m.Table, link_note: Callable[[m.Link], str] | None = None,
                placeholders: bool = True) -> list[list[str]]:
    """A pipe table (GFM) under its caption, as chunks of lines."""

    def row(cells: tuple[m.Cell, ...]) -> str:
        return "| " + " | ".join(cell_markdown(c, link_note, placeholders) for c in cells) + " |"

    width = max([len(table.header), *(len(r) for r in table.rows)])
    header = tuple(table.header) + ("",) * (width - len(table.header))
    lines = [row(header), "|" + "|".join("---" for _ in header) + "|"]
    lines += [row(tuple(cells) + ("",) * (width - len(cells))) for cells in table.rows]
    caption = [escape_line_start(escape_text(table.caption))] if table.caption else []
    return ([caption] if caption else []) + [lines]


def block_chunks(block: m.Block) -> list[list[str]]:
    """A clause-text block (paragraph, bullet or ordered list, table) as chunks of lines,
    to be separated by blank lines."""
    if isinstance(block, m.Paragraph):
        return [inlines(block.content).split("\n")]
    if isinstance(block, m.BulletList):
        return [list_lines([("- ", blocks_chunks(item)) for item in block.items])]
    if isinstance(block, m.OrderedList):
        return [list_lines([(f"{block.start + i}. ", blocks_chunks(item))
                            for i, item in enumerate(block.items)])]
    if isinstance(block, m.Table):
        return table_lines(block)
    raise TypeError(f"{type(block).__name__} cannot stand in clause text")


def blocks_chunks(blocks: tuple[m.Block, ...]) -> list[list[str]]:
    chunks: list[list[str]] = []
    for block in blocks:
        chunks.extend(block_chunks(block))
    return chunks


def clause_body(blocks: tuple[m.Block, ...]) -> str:
    """Clause text for ``blocks``, ending in one newline."""
    return "\n\n".join("\n".join(chunk) for chunk in blocks_chunks(blocks)).rstrip("\n") + "\n"
