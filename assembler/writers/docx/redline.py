"""A redline's blocks as Word tracked changes (part of the DOCX writer; python-docx here too).

Every mark of the model becomes the markup a reviewer can accept or reject in Word or
LibreOffice, chosen from what LibreOffice (the client the tests drive) accepts and rejects
exactly:

- inserted and deleted words: ``w:ins`` / ``w:del``; a whole paragraph also tracks the
  paragraph mark before it (as Word does for a paragraph typed after another), and a split
  or joined paragraph tracks only its own mark;
- a clause or list number (literal text: tracked numbered paragraphs show old and new
  numbers side by side in LibreOffice): the old number deleted, the new one inserted;
- a link whose target changed: the old hyperlink's words deleted, the new hyperlink's
  inserted (a tracked change inside a field's instruction is dropped by LibreOffice);
- a heading whose level changed: ``w:pPrChange`` holding the old style;
- a moved clause: its old text as ``w:moveFrom`` at the old place; at the new place the
  text it kept as ``w:moveTo`` and its new words as ``w:ins``. The words it lost stand
  only at the old place, inside the moved-away text: LibreOffice ignores a deletion nested
  in an insertion or a move, so such words would survive Accept All. (A Word comment
  "moved from N" was tried too: LibreOffice 7.4 then fails to load the file through UNO.)

Tracking the mark before a whole paragraph, not its own, also keeps the document's last
paragraph mark untracked, which LibreOffice cannot remove (it would leave an empty
paragraph behind).
"""

from __future__ import annotations

import dataclasses

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

from assembler.model import nodes as m
from assembler.writers.docx.writer import INDENT_TWIPS, _runs, _Tracker, _Writer

_TRACKED_MARKS = ("w:ins", "w:del", "w:moveFrom", "w:moveTo")
_WHOLE = {m.INSERTED: "ins", m.DELETED: "del", m.MOVED: "moveTo", m.MOVED_AWAY: "moveFrom"}


class RedlineWriter(_Writer):
    """Blocks with native tracked changes (see the module's docstring)."""

    def __init__(self, document, tracker: _Tracker):
        super().__init__(document)
        self.tracker = tracker
        self.moves: dict[str, str] = {}

    def write(self, blocks) -> None:
        self.blocks(blocks, 0)

    # -------------------------------------------------------- paragraphs

    def text_paragraph(self, style: str, content, change=None, prefix=None, indent=None,
                       break_change=None):
        paragraph = self.paragraph(style)
        if indent is not None:
            level_left, hanging = indent
            paragraph.paragraph_format.left_indent = Pt(level_left / 20)
            paragraph.paragraph_format.first_line_indent = Pt(-hanging / 20) if hanging else None
        if prefix:
            prefix(paragraph)
        if change == m.MOVED:
            self._moved_runs(paragraph, content)
            self._track_break_before(paragraph, "ins")
        elif change in _WHOLE:
            kind = _WHOLE[change]
            self.tracker.wrap(paragraph, kind, lambda: _runs(paragraph, content))
            self._track_break_before(paragraph, "del" if kind == "moveFrom" else kind)
        else:
            _runs(paragraph, content, tracker=self.tracker)
            if break_change is not None:
                self.tracker.mark_paragraph(paragraph, "ins" if break_change == m.INSERTED else "del")
        return paragraph

    def _track_break_before(self, paragraph, kind: str) -> None:
        """A whole paragraph inserted (or deleted) takes the break before it with it, as
        Word records a paragraph typed after another: the previous paragraph's mark is
        tracked, this one's stays. (LibreOffice joins neighbouring changes of one author
        into one range; a paragraph tracking its own mark then lost the break before it
        together with an inserted word that ended the previous paragraph.) Where the
        previous mark carries another change, or there is no paragraph before, this
        paragraph tracks its own mark."""
        previous = paragraph._p.getprevious()
        if previous is not None and previous.tag == qn("w:p"):
            mark = _tracked_mark(previous)
            if mark is None:
                self.tracker.mark_element(previous, kind)
                return
            if mark.tag == qn(f"w:{kind}"):
                return
        self.tracker.mark_paragraph(paragraph, kind)

    def _moved_runs(self, paragraph, content) -> None:
        """Moved text at its new place: kept words as moveTo, new words as ins."""
        pending: list = []

        def flush():
            if pending:
                nodes = tuple(pending)
                self.tracker.wrap(paragraph, "moveTo", lambda: _runs(paragraph, nodes))
                pending.clear()

        for node in content:
            if isinstance(node, m.Ins):
                flush()
                self.tracker.wrap(paragraph, "ins", lambda n=node: _runs(paragraph, n.content))
            elif not isinstance(node, m.Del):
                pending.append(node)
        flush()

    def _number(self, old: str | None, new: str | None):
        """A prefix adding the number as each side reads it (tracked where they differ)."""
        def add(paragraph):
            if old and new and old == new:
                paragraph.add_run(new + "\t")
                return
            if old:
                self.tracker.wrap(paragraph, "del", lambda: paragraph.add_run(old + ("" if new else "\t")))
            if new:
                self.tracker.wrap(paragraph, "ins", lambda: paragraph.add_run(new + ("\t" if old is None else "")))
            if old and new:
                paragraph.add_run("\t")
        return add

    # -------------------------------------------------------- blocks

    def block(self, block, depth: int, style: str, inherited=None) -> None:
        own = getattr(block, "change", None)
        if inherited == m.MOVED and own == m.DELETED:
            return  # words a moved clause lost stand at its old place only
        change = own or inherited
        if isinstance(block, m.Paragraph):
            self.text_paragraph(style, block.content, change, break_change=block.break_change)
        elif isinstance(block, m.Heading):
            paragraph = self.text_paragraph(_heading_style(block.level), block.content, change)
            if block.old_level is not None and change is None:
                self._restyled(paragraph, _heading_style(block.old_level))
        elif isinstance(block, m.Clause):
            for child in block.blocks:
                self.block(child, depth, style, _clause_change(block) or inherited)
        elif isinstance(block, m.ClauseList):
            self.clause_list(block, 0, inherited)
        elif isinstance(block, m.Table):
            self.table(block)
        elif isinstance(block, (m.BulletList, m.OrderedList)):
            self.list_block(block, depth, style, change)

    def _restyled(self, paragraph, old_style_name: str) -> None:
        """Track a change of paragraph style (a heading's level) as Word does."""
        styles = self.document.styles
        if old_style_name not in styles:
            return
        old_id = styles[old_style_name].style_id
        ppr = paragraph._p.get_or_add_pPr()
        if ppr.pStyle is not None and ppr.pStyle.val == old_id:
            return
        change = self.tracker.element("pPrChange")
        inner = OxmlElement("w:pPr")
        pstyle = OxmlElement("w:pStyle")
        pstyle.set(qn("w:val"), old_id)
        inner.append(pstyle)
        change.append(inner)
        ppr.append(change)  # pPrChange is the last child of pPr

    def list_block(self, block, depth: int, style: str, change) -> None:
        """A list inside a clause, its markers literal text: tracked where old and new differ
        (an item added or removed, the list's kind or start changed)."""
        new_bullets = isinstance(block, m.BulletList)
        old_bullets = block.old_kind == "bullet" or (block.old_kind is None and new_bullets)
        old_start = block.old_start if block.old_start is not None else getattr(block, "start", 1)
        old_index = new_index = 0
        for item in block.items:
            item_change = change or _item_change(item)
            if change == m.MOVED and item_change == m.DELETED:
                continue
            old_marker = new_marker = None
            if item_change not in (m.INSERTED, m.MOVED):
                old_marker = "•" if old_bullets else f"{old_start + old_index}."
                old_index += 1
            if item_change not in (m.DELETED, m.MOVED_AWAY):
                new_marker = "•" if new_bullets else f"{block.start + new_index}."
                new_index += 1
            for index, child in enumerate(item):
                if isinstance(child, m.Paragraph) and index == 0:
                    self.text_paragraph(style, child.content, child.change or change,
                                        self._number(old_marker, new_marker),
                                        (INDENT_TWIPS * (depth + 2), 397), child.break_change)
                else:
                    self.block(child, depth + 1, style, change)

    def clause_list(self, block: m.ClauseList, level: int, inherited=None) -> None:
        left = INDENT_TWIPS * (level + 1) + 113 * level
        hanging = INDENT_TWIPS + 113 * level
        for clause in block.items:
            change = _clause_change(clause) or inherited
            blocks = _new_side(clause.blocks) if change == m.MOVED else clause.blocks
            first = self.body_length()
            old = f"{clause.old_number}." if clause.old_number and change not in (m.INSERTED, m.MOVED) else None
            new = f"{clause.number}." if clause.number and change not in (m.DELETED, m.MOVED_AWAY) else None
            for child in blocks:
                if isinstance(child, m.ClauseList):
                    self.clause_list(child, level + 1, change)
                elif (old or new) and isinstance(child, m.Paragraph):
                    # the first paragraph each side sees carries that side's number
                    own = getattr(child, "change", None) or change
                    mine_old = old if own not in (m.INSERTED, m.MOVED) else None
                    mine_new = new if own not in (m.DELETED, m.MOVED_AWAY) else None
                    self.text_paragraph("Clause", child.content, own, self._number(mine_old, mine_new),
                                        (left, hanging), child.break_change)
                    old = None if mine_old else old
                    new = None if mine_new else new
                else:
                    before = self.body_length()
                    self.block(child, level + 1, "Clause Continuation", change)
                    for paragraph in self.paragraphs_since(before):
                        paragraph.paragraph_format.left_indent = Pt(left / 20)
            if clause.change in (m.MOVED, m.MOVED_AWAY):
                self._move_range(clause, self.paragraphs_since(first))

    # -------------------------------------------------------- moves

    def _move_range(self, clause: m.Clause, paragraphs) -> None:
        """Name the moved text's old and new place as one move (Word links the two)."""
        own = list(paragraphs)
        if not own:
            return
        name = self.moves.setdefault(clause.id, f"move{len(self.moves) + 1}")
        side = "moveFrom" if clause.change == m.MOVED_AWAY else "moveTo"
        start = self.tracker.element(f"{side}RangeStart")
        start.set(qn("w:name"), name)
        end = OxmlElement(f"w:{side}RangeEnd")
        end.set(qn("w:id"), start.get(qn("w:id")))
        first, last = own[0]._p, own[-1]._p
        ppr = first.find(qn("w:pPr"))
        if ppr is not None:
            ppr.addnext(start)
        else:
            first.insert(0, start)
        last.append(end)

def _tracked_mark(p):
    rpr = p.find(f"{qn('w:pPr')}/{qn('w:rPr')}")
    if rpr is None:
        return None
    for child in rpr:
        if child.tag in [qn(tag) for tag in _TRACKED_MARKS]:
            return child
    return None


def _heading_style(level: int) -> str:
    return f"Heading {min(max(level - 1, 1), 9)}"


def _clause_change(clause: m.Clause):
    """How a whole clause is tracked: inserted, deleted, moved here or moved away."""
    return clause.change if clause.change in _WHOLE else None


def _item_change(item):
    """INSERTED or DELETED when every block of a list item is; else None."""
    changes = {getattr(block, "change", None) for block in item}
    return changes.pop() if len(changes) == 1 and changes & {m.INSERTED, m.DELETED} else None


def _new_side(blocks) -> tuple:
    """A moved clause's blocks as the new version has them, new words still marked: what
    its new place shows (deleted words and paragraphs stand at the old place)."""
    out: list = []
    joining = False
    for block in blocks:
        if getattr(block, "change", None) == m.DELETED:
            continue
        if isinstance(block, m.Paragraph):
            content = tuple(n for n in block.content if not isinstance(n, m.Del))
            if joining and out and isinstance(out[-1], m.Paragraph):
                out[-1] = dataclasses.replace(out[-1], content=out[-1].content + content)
            else:
                out.append(dataclasses.replace(block, content=content, break_change=None))
            joining = block.break_change == m.DELETED
            continue
        joining = False
        if isinstance(block, m.Heading):
            block = dataclasses.replace(block, content=tuple(n for n in block.content
                                                             if not isinstance(n, m.Del)))
        elif isinstance(block, (m.BulletList, m.OrderedList)):
            items = (_new_side(item) for item in block.items)
            block = dataclasses.replace(block, items=tuple(item for item in items if item))
        out.append(block)
    return tuple(out)
