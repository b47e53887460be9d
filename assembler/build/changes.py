"""What a redline says in numbers and lists: the summary and the change list for scripts.

Pure walks over a marked document (the output of :func:`assembler.redline.compare`); no
diffing happens here. Every mark the engine can make is counted somewhere, so the summary
never says "no changes" while the body shows one:

- words (and characters of scripts written without spaces) inserted and deleted;
- punctuation marks and symbols inserted and deleted ("shall not," / "shall; not");
- spacing: an inserted or deleted space alone ("a,b" / "a, b");
- links whose words stayed but whose target changed;
- structure: a heading's level, a list's kind or start, a paragraph split or joined, a
  line break inserted or deleted;
- clauses added, removed, moved and modified.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from assembler.build.wordunits import count_symbols, count_words
from assembler.model import nodes as m

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from typing import Protocol

    from assembler.build.redline import Redline

    class _Labelled(Protocol):
        @property
        def label(self) -> str: ...

    class RedlineSides(Protocol):
        """What :func:`redline_json` reads besides the redline (the writers' RedlineInfo)."""

        @property
        def old(self) -> _Labelled: ...
        @property
        def new(self) -> _Labelled: ...
        @property
        def summary(self) -> dict[str, Any]: ...

TEXT_COUNTS = ("words_inserted", "words_deleted", "punctuation_inserted", "punctuation_deleted",
               "spacing_changes", "links_changed", "structure_changes")
CLAUSE_COUNTS = ("clauses_added", "clauses_removed", "clauses_moved", "clauses_modified")


def _line_breaks(nodes: tuple[m.Inline, ...]) -> int:
    return sum(1 for node in m.iter_inlines((m.Paragraph(tuple(nodes)),))
               if isinstance(node, m.LineBreak))


class _Tally:
    """Counts of the text and structure marks in some blocks or inlines."""

    def __init__(self) -> None:
        self.counts = dict.fromkeys(TEXT_COUNTS, 0)

    def any(self) -> bool:
        return any(self.counts.values())

    def add(self, other: "_Tally") -> None:
        for key, value in other.counts.items():
            self.counts[key] += value

    def marked(self, nodes: tuple[m.Inline, ...], side: str) -> None:
        """``nodes`` were all inserted (side "inserted") or deleted ("deleted")."""
        text = m.plain_text(tuple(nodes))
        words, symbols, breaks = count_words(text), count_symbols(text), _line_breaks(nodes)
        self.counts[f"words_{side}"] += words
        self.counts[f"punctuation_{side}"] += symbols
        self.counts["structure_changes"] += breaks
        if text and not (words or symbols or breaks):
            self.counts["spacing_changes"] += 1

    def inlines(self, nodes: tuple[m.Inline, ...]) -> None:
        for node in nodes:
            if isinstance(node, m.Ins):
                self.marked(node.content, "inserted")
            elif isinstance(node, m.Del):
                self.marked(node.content, "deleted")
            elif isinstance(node, m.Link):
                if node.old_target is not None:
                    self.counts["links_changed"] += 1
                self.inlines(node.content)
            elif isinstance(node, (m.Emph, m.Strong)):
                self.inlines(node.content)

    def block(self, block: m.Block, whole: str | None = None) -> None:
        """Count ``block``; ``whole`` is the change of an enclosing block inserted or deleted whole."""
        change = getattr(block, "change", None) or whole
        if change == m.MOVED_AWAY:
            return
        if change in (m.INSERTED, m.DELETED):
            side = "inserted" if change == m.INSERTED else "deleted"
            if isinstance(block, m.Table):
                self.marked(tuple(m.Text(" ".join(m.cell_text(c) for c in row))
                                  for row in (block.header,) + block.rows), side)
            for node in _own_inline_runs(block):
                self.marked(node, side)
            return
        if isinstance(block, m.Paragraph):
            self.inlines(block.content)
            self.counts["structure_changes"] += block.break_change is not None
        elif isinstance(block, m.Heading):
            self.inlines(block.content)
            self.counts["structure_changes"] += block.old_level is not None
        elif isinstance(block, (m.BulletList, m.OrderedList)):
            self.counts["structure_changes"] += block.old_kind is not None or block.old_start is not None
            for item in block.items:
                for child in item:
                    self.block(child)
        elif isinstance(block, m.Table):
            self.counts["structure_changes"] += sum(1 for mark in block.row_changes if mark)
            for row in (block.header, *block.rows):
                for cell in row:
                    if not isinstance(cell, str):
                        self.inlines(cell)


def _own_inline_runs(block: m.Block) -> Iterator[tuple[m.Inline, ...]]:
    """The inline content of every paragraph and heading in ``block`` (lists included)."""
    if isinstance(block, (m.Paragraph, m.Heading)):
        yield block.content
    elif isinstance(block, (m.BulletList, m.OrderedList)):
        for item in block.items:
            for child in item:
                yield from _own_inline_runs(child)


def summarize(doc: m.Document) -> dict[str, Any]:
    """Counts of every kind of change, and the list of changed clauses with numbers."""
    total = _Tally()
    clauses = dict.fromkeys(CLAUSE_COUNTS, 0)
    changed: list[dict[str, str | None]] = []
    title = _Tally()
    title.inlines(doc.title)
    total.add(title)

    def walk(blocks: Sequence[m.Block], whole: str | None = None) -> None:
        for block in blocks:
            if isinstance(block, m.ClauseList):
                walk(block.items, whole)
                continue
            if not isinstance(block, m.Clause):
                total.block(block, whole)
                continue
            change = block.change or whole
            own = [b for b in block.blocks if not isinstance(b, m.ClauseList)]
            nested = [b for b in block.blocks if isinstance(b, m.ClauseList)]
            entry = {"clause": block.id, "title": block.title, "number": block.number,
                     "old_number": block.old_number}
            tally = _Tally()
            for child in own:
                tally.block(child, change if change in (m.INSERTED, m.DELETED) else None)
            total.add(tally)
            if change == m.INSERTED:
                clauses["clauses_added"] += 1
                changed.append({**entry, "change": "added", "old_number": None})
            elif change == m.DELETED:
                clauses["clauses_removed"] += 1
                changed.append({**entry, "change": "removed", "number": None})
            elif change == m.MOVED:
                clauses["clauses_moved"] += 1
                changed.append({**entry, "change": f"moved from {block.old_number}"
                                + (" and modified" if tally.any() else "")})
            elif change != m.MOVED_AWAY and tally.any():
                clauses["clauses_modified"] += 1
                changed.append({**entry, "change": "modified"})
            if change != m.MOVED_AWAY:
                walk(nested, change if change in (m.INSERTED, m.DELETED) else None)

    walk(doc.blocks)
    changes = total.any() or any(clauses.values())
    return {**total.counts, **clauses, "title_changed": title.any(), "changed_clauses": changed,
            "changes": changes}


# ---------------------------------------------------------------- the change list for scripts

def change_list(result: Redline) -> list[dict[str, str | int | None]]:
    """Every change region: where (clause id and numbers, or the title), what kind, and the
    old and new text of the region (for a link: its old and new target; for structure: what
    it was and is)."""
    out: list[dict[str, str | int | None]] = []

    def regions(nodes: tuple[m.Inline, ...], where: dict[str, str | None]) -> None:
        for node in nodes:
            if isinstance(node, m.Ins):
                out.append({**where, "kind": "insert", "text": m.plain_text(node.content)})
            elif isinstance(node, m.Del):
                out.append({**where, "kind": "delete", "text": m.plain_text(node.content)})
            elif isinstance(node, m.Link):
                if node.old_target is not None:
                    out.append({**where, "kind": "link", "text": m.plain_text(node.content),
                                "old_target": node.old_target, "target": node.target})
                regions(node.content, where)
            elif isinstance(node, (m.Emph, m.Strong)):
                regions(node.content, where)

    regions(result.document.title, {"clause": None, "number": None, "old_number": None,
                                    "part": "title"})

    def place(clause: m.Clause | None) -> dict[str, str | None]:
        return ({"clause": clause.id, "number": clause.number, "old_number": clause.old_number,
                 "part": "clause"} if clause else
                {"clause": None, "number": None, "old_number": None, "part": "text"})

    def walk(blocks: Sequence[m.Block], clause: m.Clause | None = None) -> None:
        for block in blocks:
            if isinstance(block, m.ClauseList):
                walk(block.items, clause)
            elif isinstance(block, m.Clause):
                where = place(block)
                if block.change in (m.INSERTED, m.DELETED):
                    text = " ".join(m.plain_text(run) for b in block.blocks for run in _own_inline_runs(b))
                    out.append({**where, "kind": "clause " + ("added" if block.change == m.INSERTED
                                                             else "removed"), "text": text})
                    walk([b for b in block.blocks if isinstance(b, m.ClauseList)], block)
                    continue
                if block.change == m.MOVED:
                    out.append({**where, "kind": "clause moved", "text": ""})
                if block.change != m.MOVED_AWAY:
                    walk(block.blocks, block)
            elif isinstance(block, (m.Paragraph, m.Heading)):
                where = place(clause)
                if block.change in (m.INSERTED, m.DELETED):
                    out.append({**where, "kind": "insert" if block.change == m.INSERTED else "delete",
                                "text": m.plain_text(block.content)})
                    continue
                regions(block.content, where)
                if isinstance(block, m.Heading) and block.old_level is not None:
                    out.append({**where, "kind": "heading level", "text": m.plain_text(block.content),
                                "old_level": block.old_level, "level": block.level})
                if isinstance(block, m.Paragraph) and block.break_change is not None:
                    out.append({**where, "kind": "paragraph split" if block.break_change == m.INSERTED
                                else "paragraphs joined", "text": _tail(block.content)})
            elif isinstance(block, (m.BulletList, m.OrderedList)):
                if block.change in (m.INSERTED, m.DELETED):
                    text = " ".join(m.plain_text(run) for run in _own_inline_runs(block))
                    out.append({**place(clause), "kind": "insert" if block.change == m.INSERTED
                                else "delete", "text": text})
                    continue
                if block.old_kind is not None or block.old_start is not None:
                    out.append({**place(clause), "kind": "list restyled", "text": "",
                                "old_list": _list_label(block.old_kind, block.old_start, block),
                                "list": _list_label(None, None, block)})
                for item in block.items:
                    walk(item, clause)
            elif isinstance(block, m.Table):
                marks = block.row_changes or (None,) * len(block.rows)
                for row, mark in zip((block.header, *block.rows), (None, *marks)):
                    if mark in (m.INSERTED, m.DELETED):
                        out.append({**place(clause), "kind": "row " + ("added" if mark == m.INSERTED
                                                                       else "removed"),
                                    "text": " | ".join(m.cell_text(_side(c) if mark == m.INSERTED
                                                                   else c) if not isinstance(c, str)
                                                       else c for c in row)})
                        continue
                    for cell in row:
                        if not isinstance(cell, str):
                            regions(cell, place(clause))

    walk(result.document.blocks)
    return out


def _list_label(old_kind: str | None, old_start: int | None, block: m.BulletList | m.OrderedList) -> str:
    """'bullets' or 'numbered from N', as the list was (with old marks) or is."""
    kind = old_kind or ("bullet" if isinstance(block, m.BulletList) else "ordered")
    if kind == "bullet":
        return "bullets"
    start = old_start if old_kind or old_start is not None else getattr(block, "start", 1)
    return f"numbered from {start}"


def _tail(nodes: tuple[m.Inline, ...]) -> str:
    """The last words before a paragraph break, to say where it is."""
    text = " ".join(m.plain_text(_side(nodes)).split())
    return text if len(text) <= 60 else "…" + text[-59:]


def _side(nodes: tuple[m.Inline, ...]) -> tuple[m.Inline, ...]:
    return tuple(node for node in nodes if not isinstance(node, m.Del))


def redline_json(result: Redline, info: RedlineSides) -> bytes:
    """The redline for scripts: document, labels, summary (indented), then one change a line
    (written by the C encoder, which ``indent`` would turn off: 7,000 changes in 0.03 s)."""
    head = {"document": result.document.id, "old": info.old.label, "new": info.new.label,
            "summary": info.summary}
    text = json.dumps(head, ensure_ascii=False, indent=2)[:-2]
    entries = ",\n".join("    " + json.dumps(entry, ensure_ascii=False)
                         for entry in change_list(result))
    text += ',\n  "changes": [' + (f"\n{entries}\n  ]" if entries else "]") + "\n}\n"
    return text.encode("utf-8")
