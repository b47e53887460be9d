"""A Word document being imported -> :class:`SourceDocument`.

Read straight from the package's XML (opened by :class:`WordPackage`, which refuses zip
bombs and DTDs): ``Title`` is the title; ``Heading 1``-``9`` styles and outline levels
(on the paragraph or its style chain) are headings; numbered paragraphs (``w:numPr``,
directly or through the style) become numbered entries, nested by level, and bulleted
ones bullet lists; bold, italic, links, line breaks and tables come across; a footnote
becomes ``[n]`` in the text and a paragraph ``[n] …`` after it. Tracked changes are
refused unless the caller accepts or rejects them all; comments are left out with a note.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from assembler.errors import InvalidInput, Problem
from assembler.model import nodes as m
from assembler.sources.docx_structure import WordParagraph, joined, pieces, trim
from assembler.sources.outline import SourceDocument
from assembler.sources.word_package import DELETED, INSERTED, R, W, WordPackage, fail

if TYPE_CHECKING:
    from collections.abc import Iterator
    from xml.etree.ElementTree import Element

# (text or a finished inline, bold, italic): a run's content before it becomes inlines
Segment = tuple["str | m.Inline", bool, bool]

_FORMAT_CHANGES = {W + "rPrChange", W + "pPrChange", W + "sectPrChange", W + "tblPrChange",
                   W + "trPrChange", W + "tcPrChange", W + "numberingChange"}
_PASS_THROUGH = {W + "smartTag", W + "customXml", W + "fldSimple", W + "dir", W + "bdo"}


def _on(element: Element | None) -> bool:
    """A toggle property (``<w:b/>``, ``<w:b w:val="false"/>``) as a boolean."""
    return element is not None and element.get(W + "val", "true") not in ("false", "0", "off", "none")


@dataclass
class _Style:
    name: str
    based_on: str | None
    outline: int | None
    num: tuple[str, int] | None
    bold: bool | None
    italic: bool | None


class _Reader:
    def __init__(self, package: WordPackage, tracked: str):
        self.package = package
        self.path = package.path
        self.tracked = tracked
        self.changes = 0
        self.comments = 0
        self.pictures = 0
        self.styles = self._styles()
        self.numbering = self._numbering()
        self.links = {rid: target for rid, (kind, target, _ext) in package.relationships().items()
                      if kind == "hyperlink"}
        self.footnote_text = self._footnotes()
        self.footnotes_used = 0
        self.counters: dict[tuple[str, int], int] = {}

    # ------------------------------------------------------------ package parts

    def _styles(self) -> dict[str, _Style]:
        root = self.package.related_part("styles")
        found: dict[str, _Style] = {}
        for style in root.iter(W + "style") if root is not None else []:
            name_el, based_el = style.find(W + "name"), style.find(W + "basedOn")
            ppr, rpr = style.find(W + "pPr"), style.find(W + "rPr")
            outline = ppr.find(W + "outlineLvl") if ppr is not None else None
            found[style.get(W + "styleId", "")] = _Style(
                (name_el.get(W + "val", "") if name_el is not None else "").lower(),
                based_el.get(W + "val") if based_el is not None else None,
                int(outline.get(W + "val", "9")) if outline is not None else None,
                _num_pr(ppr.find(W + "numPr") if ppr is not None else None),
                _on(rpr.find(W + "b")) if rpr is not None and rpr.find(W + "b") is not None else None,
                _on(rpr.find(W + "i")) if rpr is not None and rpr.find(W + "i") is not None else None)
        return found

    def _numbering(self) -> dict[str, dict[int, tuple[str, int]]]:
        """numId -> level -> (number format, start)."""
        root = self.package.related_part("numbering")
        if root is None:
            return {}
        abstract: dict[str, dict[int, tuple[str, int]]] = {}
        for node in root.iter(W + "abstractNum"):
            levels = {}
            for lvl in node.iter(W + "lvl"):
                fmt, start = lvl.find(W + "numFmt"), lvl.find(W + "start")
                levels[int(lvl.get(W + "ilvl", "0"))] = (
                    fmt.get(W + "val", "decimal") if fmt is not None else "decimal",
                    int(start.get(W + "val", "1")) if start is not None else 1)
            abstract[node.get(W + "abstractNumId", "")] = levels
        found: dict[str, dict[int, tuple[str, int]]] = {}
        for num in root.iter(W + "num"):
            ref = num.find(W + "abstractNumId")
            levels = dict(abstract.get(ref.get(W + "val", "") if ref is not None else "", {}))
            for override in num.iter(W + "lvlOverride"):
                start = override.find(W + "startOverride")
                level = int(override.get(W + "ilvl", "0"))
                if start is not None and level in levels:
                    levels[level] = (levels[level][0], int(start.get(W + "val", "1")))
            found[num.get(W + "numId", "")] = levels
        return found

    def _footnotes(self) -> dict[str, list[m.Inline]]:
        root = self.package.related_part("footnotes")
        found: dict[str, list[m.Inline]] = {}
        for note in root.iter(W + "footnote") if root is not None else []:
            if note.get(W + "type") in ("separator", "continuationSeparator", "continuationNotice"):
                continue
            content: list[m.Inline] = []
            for p in note.iter(W + "p"):
                if content:
                    content.append(m.Text(" "))
                content.extend(self.inlines(p, []))
            found[note.get(W + "id", "")] = content
        return found

    # ------------------------------------------------------------ styles

    def _style_chain(self, style_id: str | None) -> Iterator[_Style]:
        """The style and the styles it is based on, nearest first."""
        seen = set()
        while style_id and style_id in self.styles and style_id not in seen:
            seen.add(style_id)
            yield self.styles[style_id]
            style_id = self.styles[style_id].based_on

    def heading_level(self, style_id: str | None, ppr: Element | None) -> int | None:
        direct = ppr.find(W + "outlineLvl") if ppr is not None else None
        if direct is not None and direct.get(W + "val", "9") != "9":
            return int(str(direct.get(W + "val", "0"))) + 1
        for style in self._style_chain(style_id):
            if style.name.startswith("heading ") and style.name[8:].strip().isdigit():
                return int(style.name[8:].strip())
            if style.outline is not None and style.outline < 9:
                return style.outline + 1
        return None

    # ------------------------------------------------------------ paragraphs

    def paragraph(self, p: Element, where: str) -> WordParagraph:
        ppr = p.find(W + "pPr")
        style_el = ppr.find(W + "pStyle") if ppr is not None else None
        style_id = style_el.get(W + "val") if style_el is not None else None
        notes: list[m.Block] = []
        para = WordParagraph(self.inlines(p, notes), where, notes=notes)
        para.title = any(s.name == "title" for s in self._style_chain(style_id))
        para.heading = None if para.title else self.heading_level(style_id, ppr)
        num = _num_pr(ppr.find(W + "numPr") if ppr is not None else None)
        if num is None:
            num = next((s.num for s in self._style_chain(style_id) if s.num), None)
        if num is not None and num[0] != "0" and num[0] in self.numbering and para.heading is None:
            para.num = num
            fmt = self.numbering[num[0]].get(num[1], ("decimal", 1))[0]
            para.ordered = fmt not in ("bullet", "none")
        mark = ppr.find(W + "rPr") if ppr is not None else None
        if mark is not None:
            for child in mark:
                if child.tag in INSERTED | DELETED:
                    self.changes += 1
                    removed = "accept" if child.tag in DELETED else "reject"
                    para.joins_next = para.joins_next or self.tracked == removed
        if ppr is not None and ppr.find(W + "pPrChange") is not None:
            self.changes += 1
        return para

    def inlines(self, element: Element, notes: list[m.Block]) -> list[m.Inline]:
        """The inlines of a paragraph (or a hyperlink inside one)."""
        segments: list[Segment] = []
        self._collect(element, segments, notes, False)
        return _build(segments)

    def _collect(self, element: Element, out: list[Segment], notes: list[m.Block], deleted: bool) -> None:
        for child in element:
            tag = child.tag
            if tag in INSERTED or tag in DELETED:
                self.changes += 1
                removed = (tag in DELETED) == (self.tracked != "reject")
                if not removed:
                    self._collect(child, out, notes, tag in DELETED)
            elif tag == W + "r":
                self._word_run(child, out, notes, deleted)
            elif tag == W + "hyperlink":
                target = self.links.get(child.get(R + "id", ""), "")
                if not target and child.get(W + "anchor"):
                    target = "#" + child.get(W + "anchor", "")
                inner: list[Segment] = []
                self._collect(child, inner, notes, deleted)
                content = _unlinked(_build(inner))   # a link cannot hold a link
                if target and content:
                    out.append((m.Link(tuple(content), target), False, False))
                else:
                    out.extend(inner)
            elif tag in _PASS_THROUGH:
                self._collect(child, out, notes, deleted)
            elif tag == W + "sdt":
                sdt_content = child.find(W + "sdtContent")
                if sdt_content is not None:
                    self._collect(sdt_content, out, notes, deleted)
            elif tag == W + "commentReference" or tag == W + "commentRangeStart":
                self.comments += tag == W + "commentRangeStart"

    def _word_run(self, run: Element, out: list[Segment], notes: list[m.Block], deleted: bool) -> None:
        rpr = run.find(W + "rPr")
        bold, italic = self._run_format(rpr)
        if rpr is not None and rpr.find(W + "rPrChange") is not None:
            self.changes += 1
        for node in run:
            tag = node.tag
            if tag == W + "t" or (tag == W + "delText" and deleted):
                out.append((node.text or "", bold, italic))
            elif tag in (W + "tab", W + "ptab"):
                out.append(("\t", bold, italic))
            elif tag in (W + "br", W + "cr"):
                if node.get(W + "type") not in ("page", "column"):
                    out.append((m.LineBreak(), False, False))
            elif tag == W + "noBreakHyphen":
                out.append(("\u2011", bold, italic))
            elif tag == W + "sym":
                out.append((chr(int(node.get(W + "char", "20"), 16)), bold, italic))
            elif tag == W + "footnoteReference":
                text = self.footnote_text.get(node.get(W + "id", ""))
                if text is not None:
                    self.footnotes_used += 1
                    label = f"[{self.footnotes_used}]"
                    out.append((label, False, False))
                    notes.append(m.Paragraph(m.merge_text([m.Text(label + " "), *trim(tuple(text))])))
            elif tag in (W + "drawing", W + "pict", W + "object"):
                self.pictures += 1

    def _run_format(self, rpr: Element | None) -> tuple[bool, bool]:
        bold = italic = None
        if rpr is not None:
            if rpr.find(W + "b") is not None:
                bold = _on(rpr.find(W + "b"))
            if rpr.find(W + "i") is not None:
                italic = _on(rpr.find(W + "i"))
            style = rpr.find(W + "rStyle")
            for s in self._style_chain(style.get(W + "val") if style is not None else None):
                bold = s.bold if bold is None else bold
                italic = s.italic if italic is None else italic
        return bool(bold), bool(italic)

    # ------------------------------------------------------------ tables

    def table(self, tbl: Element) -> m.Table:
        rows: list[tuple[m.Cell, ...]] = []
        for tr in tbl.findall(W + "tr"):
            cells: list[m.Cell] = []
            for tc in tr.findall(W + "tc"):
                content: list[m.Inline] = []
                for p in tc.iter(W + "p"):
                    inl = [m.Text(" ") if isinstance(n, m.LineBreak) else n for n in self.inlines(p, [])]
                    if inl and content:
                        content.append(m.Text(" "))
                    content.extend(inl)
                cells.append(trim(m.merge_text(content)))
            rows.append(tuple(cells))
        return m.Table("", rows[0] if rows else (), tuple(rows[1:]))


def _unlinked(nodes: list[m.Inline]) -> list[m.Inline]:
    """``nodes`` with any link replaced by its words."""
    out: list[m.Inline] = []
    for node in nodes:
        if isinstance(node, m.Link):
            out.extend(_unlinked(list(node.content)))
        elif isinstance(node, (m.Emph, m.Strong)):
            out.append(type(node)(tuple(_unlinked(list(node.content)))))
        else:
            out.append(node)
    return list(m.merge_text(out))


def _num_pr(num_pr: Element | None) -> tuple[str, int] | None:
    if num_pr is None:
        return None
    num_id, level = num_pr.find(W + "numId"), num_pr.find(W + "ilvl")
    if num_id is None:
        return None
    return num_id.get(W + "val", "0"), int(level.get(W + "val", "0")) if level is not None else 0


def _build(segments: list[Segment]) -> list[m.Inline]:
    """Inlines from (text or node, bold, italic) segments: neighbours of the same format
    joined, emphasis wrapped round words only (spaces stay outside, as Markdown needs)."""
    out: list[m.Inline] = []
    groups: list[tuple[bool, bool, list[m.Inline]]] = []
    for item, bold, italic in segments:
        node = m.Text(item.replace("\t", " ")) if isinstance(item, str) else item
        if groups and groups[-1][:2] == (bold, italic):
            groups[-1][2].append(node)
        else:
            groups.append((bold, italic, [node]))
    for bold, italic, items in groups:
        content = m.merge_text(items)
        if not (bold or italic) or not m.plain_text(content).strip():
            out.extend(content)
            continue
        lead = trail = ""
        inner = list(content)
        if isinstance(inner[0], m.Text):
            lead = inner[0].text[: len(inner[0].text) - len(inner[0].text.lstrip())]
            inner[0] = m.Text(inner[0].text.lstrip())
        if isinstance(inner[-1], m.Text):
            trail = inner[-1].text[len(inner[-1].text.rstrip()):]
            inner[-1] = m.Text(inner[-1].text.rstrip())
        wrapped: m.Inline = m.Emph(m.merge_text(inner)) if italic else m.Strong(m.merge_text(inner))
        if bold and italic:
            wrapped = m.Strong((wrapped,))
        out.extend([m.Text(lead), wrapped, m.Text(trail)])
    return list(m.merge_text(out))


def read_docx(path: Path, data: bytes, tracked: str = "refuse") -> SourceDocument:
    """The pieces of the Word document ``data`` (read from ``path``); ``tracked`` says what
    to do with tracked changes: ``refuse`` (an error), ``accept`` or ``reject`` them all."""
    path = Path(path)
    with WordPackage(path, data) as package:
        document = package.part("word/document.xml")
        body = document.find(W + "body") if document is not None else None
        if body is None:
            raise fail(path, "is a zip but not a Word document (no word/document.xml)")
        reader = _Reader(package, tracked)
        items: list[WordParagraph | m.Table] = []
        count = 0

        def walk(container: Element) -> None:
            nonlocal count
            for child in container:
                if child.tag == W + "p":
                    count += 1
                    items.append(reader.paragraph(child, f"paragraph {count}"))
                elif child.tag == W + "tbl":
                    items.append(reader.table(child))
                elif child.tag == W + "sdt" and child.find(W + "sdtContent") is not None:
                    walk(child.find(W + "sdtContent"))  # type: ignore[arg-type]
                elif child.tag in INSERTED | DELETED:
                    walk(child)

        walk(body)
        comments = package.related_part("comments")
    if reader.changes and tracked == "refuse":
        raise InvalidInput(Problem(str(path), f"has {reader.changes} tracked change"
                                   f"{'s' if reader.changes != 1 else ''}; accept or reject them in "
                                   "Word first, or import with --accept-changes or --reject-changes"))
    notes = []
    if comments is not None and len(list(comments.iter(W + "comment"))):
        count_comments = len(list(comments.iter(W + "comment")))
        notes.append(f"{count_comments} comment{'s' if count_comments != 1 else ''} left out")
    if reader.pictures:
        notes.append(f"{reader.pictures} picture{'s' if reader.pictures != 1 else ''} left out")
    if reader.changes:
        notes.append(f"{reader.changes} tracked changes {tracked}ed")
    return pieces(path, joined(items), notes)


