"""Document -> PDF bytes with reportlab (reportlab lives here and nowhere else).

A4 (or Letter) pages with a title block, numbered clauses with hanging numbers, headings in
the PDF outline, a running header, a footer with provenance and "Page X of Y", an optional
DRAFT watermark, and document information. Text is set in DejaVu Serif, shipped with the
package, so every machine embeds the same font and Greek, Cyrillic and typographic
punctuation render. Every text run is escaped before it meets reportlab's paragraph markup:
clause text is data, never markup. Output is deterministic (invariant mode, the version's
time instead of the clock).
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.enums import TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from assembler.errors import InvalidInput, Problem
from assembler.model import nodes as m
from assembler.version import TOOL_NAME, __version__
from assembler.writers import CJK_FONT, bidi_levels
from assembler.writers.options import RenderOptions, language, right_to_left
from assembler.writers.pdf import markup, page, shaping
from assembler.writers.pdf.archival import archival
from assembler.writers.pdf.page import MUTED, RULE
from assembler.writers.pdf.markup import (
    BAR_HEX,
    DELETE_HEX,
    FALLBACK,
    INSERT_HEX,
    MONO,
    SANS,
    SERIF,
    MissingGlyph,
    _whole,
    escape,
    inline_markup,
    note,
    pilcrow,
)
from assembler.writers.redline_text import heading_note, list_note

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FALLBACK_FONT = CJK_FONT   # Chinese and Japanese, which DejaVu lacks (see assembler.writers)
INDIC = "PolicyDevanagari"   # Hindi, Marathi, Nepali…: Noto Sans Devanagari, shipped
INDIC_FACES = {INDIC: "NotoSansDevanagari-Regular.ttf", INDIC + "-Bold": "NotoSansDevanagari-Bold.ttf"}
INK = colors.HexColor("#1a1a1a")
_registered = False


def _font_unit_metrics(face) -> None:
    """Put the advance widths of glyphs past a font's long metrics back into font units.

    reportlab reads them already scaled to thousandths of an em (the width it draws with)
    and writes that number into the embedded subset's ``hmtx``, so a font with few long
    metrics (DejaVu Sans Mono has three) is embedded with widths that disagree with the
    PDF's own: a PDF/A violation. The drawing widths are not touched."""
    scale = face.unitsPerEm / 1000
    face.hmetrics = [(aw if isinstance(aw, int) else round(aw * scale), lsb) for aw, lsb in face.hmetrics]


def register_fonts() -> None:
    """Register the shipped DejaVu faces once, as families so bold and italic really change."""
    global _registered
    if _registered:
        return
    faces = {SERIF: "DejaVuSerif.ttf", SERIF + "-Bold": "DejaVuSerif-Bold.ttf",
             SERIF + "-Italic": "DejaVuSerif-Italic.ttf",
             SERIF + "-BoldItalic": "DejaVuSerif-BoldItalic.ttf",
             SANS: "DejaVuSans.ttf", SANS + "-Bold": "DejaVuSans-Bold.ttf", MONO: "DejaVuSansMono.ttf"}
    points: dict[str, frozenset[int]] = {}
    shaping.install()
    for name, file in faces.items():
        font = TTFont(name, str(FONT_DIR / file), shapable=True)
        _font_unit_metrics(font.face)
        pdfmetrics.registerFont(font)
        points[name] = frozenset(c for c, glyph in font.face.charToGlyph.items() if glyph)
    fallbacks = [(SANS, points[SANS]), (SERIF, points[SERIF])]
    for name, file in INDIC_FACES.items():
        font = TTFont(name, str(FONT_DIR / file), shapable=True)
        _font_unit_metrics(font.face)
        pdfmetrics.registerFont(font)
    pdfmetrics.registerFontFamily(INDIC, normal=INDIC, bold=INDIC + "-Bold", italic=INDIC,
                                  boldItalic=INDIC + "-Bold")
    fallbacks.append((INDIC, frozenset(c for c, glyph in pdfmetrics.getFont(INDIC).face.charToGlyph.items()
                                      if glyph and c < 0xF0000)))
    if FALLBACK_FONT.is_file():
        font = TTFont(FALLBACK, str(FALLBACK_FONT))
        _font_unit_metrics(font.face)
        pdfmetrics.registerFont(font)
        pdfmetrics.registerFontFamily(FALLBACK, normal=FALLBACK, bold=FALLBACK, italic=FALLBACK,
                                      boldItalic=FALLBACK)
        fallbacks.append((FALLBACK, frozenset(c for c, glyph in font.face.charToGlyph.items() if glyph)))
    text_faces = [p for n, p in points.items() if n != MONO]
    markup.MAIN.update(frozenset.intersection(*text_faces))
    markup.FALLBACKS[:] = fallbacks
    pdfmetrics.registerFontFamily(SERIF, normal=SERIF, bold=SERIF + "-Bold",
                                  italic=SERIF + "-Italic", boldItalic=SERIF + "-BoldItalic")
    pdfmetrics.registerFontFamily(SANS, normal=SANS, bold=SANS + "-Bold", italic=SANS,
                                  boldItalic=SANS + "-Bold")
    _registered = True


# ---------------------------------------------------------------- styles

def _styles() -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("body", fontName=SERIF, fontSize=10.5, leading=15, textColor=INK,
                          alignment=TA_JUSTIFY, spaceAfter=7, allowWidows=0, allowOrphans=0)
    return {
        "body": body,
        "title": ParagraphStyle("title", parent=body, fontName=SERIF + "-Bold", fontSize=19,
                                leading=24, alignment=TA_LEFT, spaceAfter=8),
        "meta": ParagraphStyle("meta", parent=body, fontName=SANS, fontSize=8.5, leading=12,
                               textColor=MUTED, alignment=TA_LEFT, spaceAfter=0),
        "heading": ParagraphStyle("heading", parent=body, fontName=SANS + "-Bold", fontSize=12,
                                  leading=16, alignment=TA_LEFT, spaceBefore=12, spaceAfter=6,
                                  keepWithNext=1),
        "subheading": ParagraphStyle("subheading", parent=body, fontName=SANS + "-Bold",
                                     fontSize=10.5, leading=14, alignment=TA_LEFT, spaceBefore=9,
                                     spaceAfter=4, keepWithNext=1),
    }


class _Marked(shaping.BidiParagraph):
    """A paragraph that draws a change bar in the margin beside each line holding a change
    (every line when the whole block changed); in the right margin when it reads right to left."""

    def __init__(self, text, style, bulletText=None, whole: bool = False, margin: float = 0,
                 **kwargs):
        super().__init__(text, style, bulletText=bulletText, **kwargs)
        self._whole, self._margin = whole, margin

    def split(self, avail_width, avail_height):
        parts = super().split(avail_width, avail_height)
        return [_Marked.adopt(part, self._whole, self._margin) for part in parts]

    @staticmethod
    def adopt(part, whole: bool, margin: float):
        """Both halves of a paragraph split across pages keep their bars."""
        if isinstance(part, Paragraph):
            part.__class__ = _Marked
            part._whole, part._margin = whole, margin
        return part

    def draw(self):
        super().draw()
        lines = getattr(self.blPara, "lines", [])
        leading = self.style.leading
        canv = self.canv
        canv.saveState()
        canv.setStrokeColor(colors.HexColor(BAR_HEX))
        canv.setLineWidth(2)
        x = self.width + 9 if self.style.wordWrap == "RTL" else -self._margin - 9
        for index, line in enumerate(lines):
            if self._whole or _line_changed(line):
                top = self.height - index * leading
                canv.line(x, top - leading + 2, x, top + 1)
        canv.restoreState()


_BAR_COLOR = colors.HexColor(BAR_HEX)


def _line_changed(line) -> bool:
    for frag in getattr(line, "words", []) or []:
        if getattr(frag, "us_lines", None) or getattr(frag, "underline", False) or getattr(frag, "strike", False):
            return True
        if getattr(frag, "textColor", None) == _BAR_COLOR:  # a note: link, level, list
            return True
    return False


class _Anchor(Flowable):
    """A zero-size mark that puts an outline entry (bookmark) where it stands."""

    def __init__(self, key: str, text: str, level: int):
        super().__init__()
        self.key, self.text, self.level = key, text, level
        self.width = self.height = 0

    def draw(self):
        self.canv.bookmarkPage(self.key)
        self.canv.addOutlineEntry(self.text, self.key, level=self.level, closed=self.level > 0)


# ---------------------------------------------------------------- blocks -> flowables

class _Builder:
    def __init__(self, styles: dict[str, ParagraphStyle], redline: bool = False, rtl: bool = False):
        self.styles = styles
        self.redline = redline
        self.rtl = rtl
        self.flow: list = []
        self.anchors = 0
        self.heading_seen = False

    def anchor(self, text: str, level: int) -> _Anchor:
        self.anchors += 1
        return _Anchor(f"a{self.anchors}", text[:120], level)

    def paragraph(self, markup: str, indent: float = 0, bullet: str | None = None,
                  bullet_indent: float = 0, change=None, marked: bool = False,
                  prefix: str = "") -> Paragraph:
        style = self.styles["body"]
        markup = prefix + _whole(change, markup)
        if change in (m.INSERTED, m.DELETED):
            style = ParagraphStyle(f"body-{change}", parent=style,
                                   bulletColor=colors.HexColor(INSERT_HEX if change == m.INSERTED else DELETE_HEX))
        if indent or bullet:
            # The number ends just before the text (a hanging, right-aligned number), so text
            # extractors read "4. The…" as one line. Placed from the start: reportlab's
            # end-anchored bullets shorten the first line.
            # Right to left, the same from the right margin.
            gap = pdfmetrics.stringWidth(bullet or "", SERIF, style.fontSize) + 6
            side = "rightIndent" if self.rtl else "leftIndent"
            style = ParagraphStyle(f"body{indent}-{gap:.1f}-{side}", parent=style, **{side: indent},
                                   bulletIndent=max(indent - gap, bullet_indent),
                                   bulletFontName=SERIF, bulletFontSize=style.fontSize)
        if bullet and self.rtl:
            bullet = bidi_levels.mirrored(bullet) if not bullet[:1].isdigit() else "." + bullet.rstrip(".")
        bullet_markup = escape(bullet) if bullet else None  # bullets take no markup: colour via style
        if self.redline and (change or marked or "<u>" in markup or "<strike>" in markup
                             or BAR_HEX in markup):
            return shaping.paragraph(markup, style, bullet_markup, self.rtl, _Marked,
                         whole=bool(change) or marked, margin=indent)
        return shaping.paragraph(markup, style, bullet_markup, self.rtl)

    def blocks(self, blocks, indent: float = 0, inherited=None) -> None:
        for block in blocks:
            self.block(block, indent, inherited)

    def block(self, block, indent: float, inherited=None) -> None:
        change = getattr(block, "change", None) or inherited
        if isinstance(block, m.Paragraph):
            self.flow.append(self.paragraph(inline_markup(block.content) + pilcrow(block.break_change),
                                            indent, change=change))
        elif isinstance(block, m.Heading):
            text = m.plain_text(block.content)
            style = self.styles["heading" if block.level <= 2 else "subheading"]
            level = " " + note(heading_note(block)) if block.old_level is not None else ""
            heading = shaping.paragraph(_whole(change, inline_markup(block.content)) + level, style, rtl=self.rtl)
            self.flow.append(KeepTogether([self.anchor(text, 1), heading]))
            self.heading_seen = True
        elif isinstance(block, m.Clause):
            if block.change != m.MOVED_AWAY:
                self.blocks(block.blocks, indent, _whole_change(block))
        elif isinstance(block, m.ClauseList):
            for clause in block.items:
                if clause.change != m.MOVED_AWAY:
                    self.clause(clause, indent)
        elif isinstance(block, (m.BulletList, m.OrderedList)):
            restyled = list_note(block)
            for offset, item in enumerate(block.items):
                marker = "•" if isinstance(block, m.BulletList) else f"{block.start + offset}."
                self.item(item, marker, indent, 14, change,
                          prefix=note(restyled) + " " if restyled and offset == 0 else "")
        elif isinstance(block, m.Table):
            self.flow.extend(self.table(block))

    def table(self, block: m.Table) -> list:
        """A report table: caption as a heading (in the outline), a repeated header row, small
        sans-serif cells that wrap, a hairline under each row."""
        size = 7.5 if block.caption else 9   # a report's dense table, or a table in clause text
        head = ParagraphStyle("th", parent=self.styles["meta"], fontName=SANS + "-Bold",
                              textColor=INK, fontSize=size, leading=size + 2)
        cell = ParagraphStyle("td", parent=head, fontName=SANS, fontSize=size, leading=size + 2)
        def paragraph(text: m.Cell, style: ParagraphStyle) -> Paragraph:
            return shaping.paragraph(escape(text).replace("\n", "<br/>") if isinstance(text, str)
                         else inline_markup(text), style, rtl=self.rtl)

        rows = [[paragraph(text, head) for text in block.header]]
        rows += [[paragraph(text, cell) for text in row] for row in block.rows]
        total = sum(block.widths) if block.widths else len(block.header)
        widths = [f"{100 * w / total:.2f}%" for w in (block.widths or [1] * len(block.header))]
        table = Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
        table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), SANS),  # not Helvetica: PDF/A embeds every font
                                   ("LINEBELOW", (0, 0), (-1, 0), 0.8, INK),
                                   ("LINEBELOW", (0, 1), (-1, -1), 0.3, RULE),
                                   ("VALIGN", (0, 0), (-1, -1), "TOP"),
                                   ("LEFTPADDING", (0, 0), (-1, -1), 3),
                                   ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                                   ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                                   ("BOTTOMPADDING", (0, 0), (-1, -1), 3.5)]))
        flow: list = [CondPageBreak(min(70, 22 + 7 * len(block.rows)) * mm)]
        if block.caption:
            flow.append(KeepTogether([self.anchor(block.caption, 1),
                                      Paragraph(escape(block.caption), self.styles["heading"])]))
        return flow + [table, Spacer(1, 8)]

    def clause(self, clause: m.Clause, indent: float) -> None:
        number = f"{clause.number}." if clause.number else ""  # a removed clause: its note says where it was
        width = 24 if number.count(".") <= 1 else 30
        if indent == 0 and clause.number:
            label = f"{clause.number}. {clause.title}" if clause.title else number
            self.flow.append(self.anchor(label, 2 if self.heading_seen else 1))
        from assembler.writers.redline_text import clause_note
        note = clause_note(clause) if self.redline else None
        prefix = (f'<font name="{SANS}" size="7.5" color="{BAR_HEX}">[{escape(note)}]</font> '
                  if note else "")
        self.item(clause.blocks, number, indent, width, _whole_change(clause), prefix,
                  clause.change == m.MOVED)

    def item(self, blocks, marker: str, indent: float, width: float, change=None,
             prefix: str = "", marked: bool = False) -> None:
        first = True
        for block in blocks:
            if isinstance(block, m.Paragraph) and first:
                own = getattr(block, "change", None) or change
                self.flow.append(self.paragraph(inline_markup(block.content) + pilcrow(block.break_change),
                                                indent + width,
                                                marker, indent, change=own, marked=marked,
                                                prefix=prefix))
                first = False
            elif isinstance(block, m.ClauseList):
                for clause in block.items:
                    if clause.change != m.MOVED_AWAY:
                        self.clause(clause, indent + width)
            else:
                if first and marker:
                    self.flow.append(self.paragraph("", indent + width, marker, indent, prefix=prefix))
                    first = False
                self.block(block, indent + width, change)


def _whole_change(clause: m.Clause):
    return clause.change if clause.change in (m.INSERTED, m.DELETED) else None


def write(doc: m.Document, options: RenderOptions | None = None) -> bytes:
    """The document as PDF bytes (PDF/A-2b). A character no configured font can show is an
    error naming it and its script, never an empty box."""
    try:
        return _write(doc, options or RenderOptions())
    except MissingGlyph as missing:
        raise InvalidInput(Problem(_holder(doc, missing.char), f"the PDF cannot show "
                                   f"{missing.describe()}: no font the toolkit has covers it; "
                                   "install the fonts for that script or write the text without it")
                           ) from None


def _holder(doc: m.Document, char: str) -> str:
    """The clause file that holds ``char`` (else the template, else the document id)."""
    for clause in m.iter_clauses(doc.blocks):
        own = tuple(b for b in clause.blocks if not isinstance(b, m.ClauseList))
        if any(char in node.text for node in m.iter_inlines(own) if isinstance(node, (m.Text, m.Code))):
            return f"{clause.origin.path} (clause {clause.id})"
    return doc.origin.path or doc.id


def _write(doc: m.Document, options: RenderOptions) -> bytes:
    register_fonts()
    styles = _styles()
    size = LETTER if options.paper.upper() == "LETTER" else A4
    margins = (25 * mm, 25 * mm, 24 * mm, 24 * mm)
    title = m.plain_text(doc.title)
    builder = _Builder(styles, redline=options.redline is not None, rtl=right_to_left(doc))
    if options.redline is not None:
        builder.flow.extend(_summary_page(doc, options, styles, builder))
    builder.flow.append(builder.anchor(title if options.redline is None else "Marked document", 0))
    builder.flow.append(shaping.paragraph(inline_markup(doc.title), styles["title"], rtl=builder.rtl,
                              **({"kind": _Marked, "margin": 0} if options.redline else {})))
    builder.flow.append(Paragraph(escape(options.meta_line(doc)), styles["meta"]))
    builder.flow.append(_Rule())
    builder.flow.append(Spacer(1, 10))
    builder.blocks(doc.blocks)
    buffer = BytesIO()
    keywords = [doc.id, options.report or (f"v{options.version}" if options.version else "preview"),
                options.status_label]
    if options.sources_digest:
        keywords.append(f"sources {options.sources_digest}")
    template = BaseDocTemplate(
        buffer, pagesize=size, leftMargin=margins[0], rightMargin=margins[1],
        topMargin=margins[2], bottomMargin=margins[3], title=title, author=options.author,
        subject=f"{doc.id} " + (f"version {options.version} ({options.status_label})"
                                if options.version else "(preview)"),
        keywords=keywords, creator=f"{TOOL_NAME} {__version__}", invariant=1,
        lang=language(doc))
    frame = Frame(margins[0], margins[3], size[0] - margins[0] - margins[1],
                  size[1] - margins[2] - margins[3], id="body", leftPadding=0, rightPadding=0,
                  topPadding=0, bottomPadding=0)
    template.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    template.build(builder.flow, canvasmaker=page.canvas_class(page.decorator(doc, options, size, margins),
                                                              options.epoch))
    kept = options.version is not None or options.redline is not None or bool(options.report)
    return archival(buffer.getvalue(), options.epoch, validate=kept)


def _summary_page(doc: m.Document, options: RenderOptions, styles, builder) -> list:
    """The first page of a redline: what changed, in numbers and by clause, and a legend."""
    from assembler.writers.redline_text import LEGEND, clause_label, heading
    info = options.redline
    s = info.summary
    flow = [builder.anchor("Summary of changes", 0),
            Paragraph(escape(heading(doc.id, info)), styles["title"]),
            Paragraph(escape(f"{info.old.label}: {info.old.date_label}"
                             + (f", {info.old.author}" if info.old.author else "")
                             + f" · {info.new.label}: {info.new.date_label}"
                             + (f", {info.new.author}" if info.new.author else "")), styles["meta"]),
            _Rule(), Spacer(1, 8)]
    if not s.get("changes"):
        flow.append(Paragraph("<b>No changes.</b> The two versions read the same.", styles["body"]))
    else:
        rows = [("Words inserted", s["words_inserted"]), ("Words deleted", s["words_deleted"]),
                ("Punctuation and symbols inserted", s.get("punctuation_inserted", 0)),
                ("Punctuation and symbols deleted", s.get("punctuation_deleted", 0)),
                ("Spacing changes", s.get("spacing_changes", 0)),
                ("Links with a new target", s.get("links_changed", 0)),
                ("Structural changes", s.get("structure_changes", 0)),
                ("Clauses added", s["clauses_added"]), ("Clauses removed", s["clauses_removed"]),
                ("Clauses moved", s["clauses_moved"]), ("Clauses modified", s["clauses_modified"])]
        cell = ParagraphStyle("cell", parent=styles["body"], alignment=TA_LEFT, spaceAfter=0)
        table = Table([[Paragraph(label, cell), Paragraph(f"<b>{value}</b>", cell)] for label, value in rows],
                      colWidths=[78 * mm, 20 * mm], hAlign="LEFT")
        table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), SANS),  # not Helvetica: PDF/A embeds every font
                                   ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
                                   ("TOPPADDING", (0, 0), (-1, -1), 3),
                                   ("BOTTOMPADDING", (0, 0), (-1, -1), 4)]))
        flow += [table, Spacer(1, 8)]
        if s.get("title_changed"):
            flow.append(Paragraph("The title changed.", styles["body"]))
        if s["changed_clauses"]:
            flow.append(Paragraph("Changed clauses", styles["heading"]))
            for entry in s["changed_clauses"]:
                flow.append(Paragraph(f"{escape(clause_label(entry))}: <i>{escape(entry['change'])}</i>",
                                      styles["body"]))
    legend = (f'{escape(LEGEND)} Example: <u><font color="{INSERT_HEX}">inserted</font></u>, '
              f'<strike><font color="{DELETE_HEX}">deleted</font></strike>.')
    flow += [Spacer(1, 8), Paragraph(legend, styles["meta"]), PageBreak()]
    return flow


class _Rule(Flowable):
    """A thin full-width rule under the title block."""

    def wrap(self, avail_width, avail_height):
        self.width = avail_width
        return avail_width, 6

    def draw(self):
        self.canv.setStrokeColor(RULE)
        self.canv.setLineWidth(0.8)
        self.canv.line(0, 2, self.width, 2)
