"""A redline (or any document) as text for a terminal: colours on a terminal, plain marks
([+inserted+], [-deleted-]) elsewhere, so the output also reads in a log or a pipe."""

from __future__ import annotations

import textwrap

from assembler.model import nodes as m
from assembler.writers.options import RenderOptions
from assembler.writers.redline_text import (
    PILCROW,
    clause_note,
    heading,
    heading_note,
    link_note,
    list_note,
    summary_lines,
)

GREEN, RED, DIM, BOLD, RESET = "\033[32;4m", "\033[31;9m", "\033[2m", "\033[1m", "\033[0m"


class _Marks:
    def __init__(self, color: bool):
        self.color = color

    def ins(self, text: str) -> str:
        return f"{GREEN}{text}{RESET}" if self.color else f"[+{text}+]"

    def dele(self, text: str) -> str:
        return f"{RED}{text}{RESET}" if self.color else f"[-{text}-]"

    def note(self, text: str) -> str:
        return f"{DIM}({text}){RESET}" if self.color else f"({text})"


def _inlines(nodes, marks: _Marks) -> str:
    out = []
    for node in nodes:
        if isinstance(node, m.Ins):
            out.append(marks.ins(m.plain_text(node.content)))
        elif isinstance(node, m.Del):
            out.append(marks.dele(m.plain_text(node.content)))
        elif isinstance(node, m.Link) and node.old_target is not None:
            out.append(_inlines(node.content, marks) + " " + marks.note(link_note(node)))
        elif isinstance(node, (m.Emph, m.Strong, m.Link)):
            out.append(_inlines(node.content, marks))
        else:
            out.append(m.plain_text((node,)))
    return "".join(out)


def _whole(change, text: str, marks: _Marks) -> str:
    if change == m.INSERTED:
        return marks.ins(text)
    if change == m.DELETED:
        return marks.dele(text)
    return text


def _blocks(blocks, marks: _Marks, indent: str, out: list[str], inherited=None) -> None:
    for block in blocks:
        change = getattr(block, "change", None) or inherited
        if isinstance(block, (m.Paragraph, m.Heading)):
            text = _whole(change, _inlines(block.content, marks), marks)
            if isinstance(block, m.Heading) and block.old_level is not None:
                text += " " + marks.note(heading_note(block))
            if isinstance(block, m.Paragraph) and block.break_change is not None:
                text += (marks.ins if block.break_change == m.INSERTED else marks.dele)(PILCROW)
            out.append(indent + text)
        elif isinstance(block, m.Clause):
            _blocks(block.blocks, marks, indent, out, block.change if block.change in (m.INSERTED, m.DELETED) else None)
        elif isinstance(block, m.ClauseList):
            for clause in block.items:
                if clause.change == m.MOVED_AWAY:
                    continue
                number = clause.number or clause.old_number or "-"
                note = clause_note(clause)
                inner: list[str] = []
                whole = clause.change if clause.change in (m.INSERTED, m.DELETED) else None
                _blocks(clause.blocks, marks, indent + "    ", inner, whole)
                head = f"{indent}{number}. " + (marks.note(note) + " " if note else "")
                if inner:
                    inner[0] = head + inner[0].lstrip()
                out.extend(inner or [head])
        elif isinstance(block, (m.BulletList, m.OrderedList)):
            if list_note(block):
                out.append(indent + marks.note(list_note(block)))
            for item in block.items:
                _blocks(item, marks, indent + "  - ", out, change)
        elif isinstance(block, m.Table):
            out.extend(["", indent + block.caption] if block.caption else [""])
            for row in (block.header,) + block.rows:
                out.append(indent + " | ".join((cell if isinstance(cell, str) else _inlines(cell, marks))
                                               .replace("\n", " ") for cell in row))


def write(doc: m.Document, options: RenderOptions | None = None, color: bool = False) -> bytes:
    """The document as terminal text (UTF-8)."""
    marks = _Marks(color)
    out: list[str] = []
    info = options.redline if options else None
    if info is not None:
        out.append((BOLD if color else "") + heading(doc.id, info) + (RESET if color else ""))
        out.extend("  " + line for line in summary_lines(info))
        out.append("")
    out.append("# " + _inlines(doc.title, marks))
    out.append("")
    body: list[str] = []
    _blocks(doc.blocks, marks, "", body)
    for line in body:
        out.append(line)
    return ("\n".join(out).rstrip() + "\n").encode("utf-8")


def wrap(text: str, width: int = 100) -> str:
    return "\n".join(textwrap.fill(line, width) if line else line for line in text.splitlines())
