"""Model blocks -> clause Markdown: the text an editor would have written for them.

The inverse of :mod:`assembler.sources.markup` for what clause text may hold (paragraphs,
emphasis, links, line breaks, bullet and ordered lists, pipe tables): reading the text back
gives the same blocks. Every text run is escaped, so ``*``, ``[``, ``<`` or ``{{`` in the
words stay words. The import writes clause files with it, and the canonical Markdown writer
builds on it (adding CriticMarkup for redlines).
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
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
            placeholders: bool = True, block: bool = True) -> str:
    """Inline nodes as Markdown text (hard breaks as a backslash at the end of a line; a
    redline's insertions and deletions as CriticMarkup, a changed link target as a
    ``link_note`` comment). Variables and references are written as placeholders, or as
    the text a reader sees when ``placeholders`` is false (a built document). A line that
    would open a block (``1.``, ``#``, ``-``) is escaped unless ``block`` is false: a
    template's title or heading is read as inline text only."""

    def again(content: tuple[m.Inline, ...]) -> str:
        return inlines(content, link_note, placeholders, block)

    out: list[str] = []
    for node in _codes_joined(writable_emphasis(nodes)):
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
    if not block:
        return text
    return "\n".join(escape_line_start(line) for line in text.split("\n"))


def _is_punctuation(char: str) -> bool:
    return unicodedata.category(char)[0] in "PS"


def _written_edge(node: m.Inline, last: bool) -> str:
    """The first (or last) character Markdown writes for ``node``; for an emphasis, the
    character inside its ``*`` run (runs side by side are one run, and what flanks the
    run decides)."""
    if isinstance(node, m.Text):
        text = escape_text(node.text)
        return text[-1:] if last else text[:1]
    if isinstance(node, m.Link):
        return ")" if last else "["
    if isinstance(node, m.Code):
        return "`"
    if isinstance(node, (m.Emph, m.Strong)):
        return _written_edge(node.content[-1 if last else 0], last) if node.content else "*"
    if isinstance(node, m.LineBreak):
        return "\n" if last else "\\"
    return "}" if last else "{"


def _flanks(mark: str, outside: str) -> bool:
    """Whether ``*`` between ``outside`` and the emphasis's edge ``mark`` may open (or
    close) it: not next to a space, and next to punctuation only with space or
    punctuation (or nothing) on the other side."""
    return bool(mark) and not mark.isspace() and (
        not _is_punctuation(mark) or not outside or outside.isspace() or _is_punctuation(outside))


def _moved_out(node: m.Inline, emphasis: type[m.Emph] | type[m.Strong]) -> m.Inline:
    """An edge node taken out of an emphasis: a link keeps the slant inside it."""
    if isinstance(node, m.Link):
        return dataclasses.replace(node, content=(emphasis(node.content),))
    return node


def writable_emphasis(nodes: tuple[m.Inline, ...]) -> tuple[m.Inline, ...]:
    """``nodes`` with emphasis Markdown can write: ``*`` and ``**`` open only before a
    letter or after a space or punctuation, and close likewise (CommonMark's flanking
    rules), so what stands at the edge of an emphasis and would break them moves outside
    it: a space or punctuation character ("the*,*" cannot be written: the comma loses its
    slant), a link (which keeps the slant inside: ``[*text*](…)``), a code span. The
    words stay; at most the slant of an edge character changes."""
    out: list[m.Inline] = []
    items = _neighbours_joined(nodes)
    for index, node in enumerate(items):
        if not isinstance(node, (m.Emph, m.Strong)):
            out.append(dataclasses.replace(node, content=writable_emphasis(node.content))
                       if isinstance(node, m.CONTAINERS) else node)
            continue
        kind = type(node)
        content = list(writable_emphasis(node.content))
        lead: list[m.Inline] = []
        trail: list[m.Inline] = []
        following = items[index + 1] if index + 1 < len(items) else None
        after = _written_edge(following, last=False) if following is not None else ""
        while content:
            before = _written_edge(lead[-1], True) if lead else _written_edge(out[-1], True) if out else ""
            first = content[0]
            if isinstance(first, m.Text) and not first.text:
                content.pop(0)
            elif _flanks(_written_edge(first, last=False), before):
                break
            elif isinstance(first, m.Text):
                lead.append(m.Text(first.text[0]))
                content[0] = m.Text(first.text[1:])
            else:
                lead.append(_moved_out(content.pop(0), kind))
        while content:
            outside = _written_edge(trail[0], False) if trail else after
            end = content[-1]
            if isinstance(end, m.Text) and not end.text:
                content.pop()
            elif _flanks(_written_edge(end, last=True), outside):
                break
            elif isinstance(end, m.Text):
                trail.insert(0, m.Text(end.text[-1]))
                content[-1] = m.Text(end.text[:-1])
            else:
                trail.insert(0, _moved_out(content.pop(), kind))
        out.extend(lead)
        if content:
            out.append(kind(m.merge_text(content)))
        out.extend(trail)
    return m.merge_text(out)


def _neighbours_joined(nodes: tuple[m.Inline, ...]) -> list[m.Inline]:
    """``nodes`` with side-by-side emphasis of one kind as one ("*a**b*" reads back as
    something else)."""
    joined: list[m.Inline] = []
    for node in m.merge_text(nodes):
        if isinstance(node, (m.Emph, m.Strong)) and joined and type(joined[-1]) is type(node):
            previous = joined.pop()
            assert isinstance(previous, (m.Emph, m.Strong))
            node = type(node)(m.merge_text(previous.content + node.content))
        joined.append(node)
    return joined


def _codes_joined(nodes: tuple[m.Inline, ...]) -> list[m.Inline]:
    """``nodes`` with neighbouring code spans as one (two spans side by side would read
    back as one span holding the backticks between them)."""
    out: list[m.Inline] = []
    for node in nodes:
        if isinstance(node, m.Code) and out and isinstance(out[-1], m.Code):
            out[-1] = m.Code(out[-1].text + node.text)
        else:
            out.append(node)
    return out


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


def block_chunks(block: m.Block, second: bool = False) -> list[list[str]]:
    """A clause-text block (paragraph, bullet or ordered list, table) as chunks of lines,
    to be separated by blank lines; a list right after a list of its kind (``second``)
    takes the other marker (``*``, ``)``), else Markdown would read the two as one."""
    if isinstance(block, m.Paragraph):
        content = list(block.content)   # a line break cannot open or end a paragraph
        while content and isinstance(content[0], m.LineBreak):
            content.pop(0)
        while content and isinstance(content[-1], m.LineBreak):
            content.pop()
        return [inlines(tuple(content)).split("\n")] if content else []
    if isinstance(block, (m.BulletList, m.OrderedList)):
        items = [chunks for chunks in (blocks_chunks(item) for item in block.items) if chunks]
        if not items:   # an empty item or list cannot be written
            return []
        if isinstance(block, m.BulletList):
            return [list_lines([("* " if second else "- ", chunks) for chunks in items])]
        delimiter = ")" if second else "."
        return [list_lines([(f"{block.start + i}{delimiter} ", chunks) for i, chunks in enumerate(items)])]
    if isinstance(block, m.Table):
        return table_lines(block)
    raise TypeError(f"{type(block).__name__} cannot stand in clause text")


def blocks_chunks(blocks: tuple[m.Block, ...]) -> list[list[str]]:
    chunks: list[list[str]] = []
    previous: type | None = None
    second = False
    for block in blocks:
        alternate = (type(block) is previous and isinstance(block, (m.BulletList, m.OrderedList))
                     and not second)
        written = block_chunks(block, alternate)
        if written:   # a block that writes nothing (an empty paragraph) separates nothing
            chunks.extend(written)
            previous, second = type(block), alternate
    return chunks


def clause_body(blocks: tuple[m.Block, ...]) -> str:
    """Clause text for ``blocks``, ending in one newline."""
    return "\n\n".join("\n".join(chunk) for chunk in blocks_chunks(blocks)).rstrip("\n") + "\n"
