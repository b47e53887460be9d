"""The page around the text: running head and foot on every page ("Page X of Y", provenance),
the DRAFT watermark, and a canvas whose time is the version's (reportlab lives here too).

Text drawn straight on the page goes through the same faces as the body, and text in a
script that needs shaping or reads right to left is set as a one-line paragraph.
"""

from __future__ import annotations

import hashlib
import time

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import TimeStamp
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas

from assembler.model import nodes as m
from assembler.writers import bidi_levels
from assembler.writers.options import RenderOptions
from assembler.writers.pdf import shaping
from assembler.writers.pdf.markup import SANS, escape, faces

MUTED = colors.HexColor("#5f6368")
RULE = colors.HexColor("#c9ccd1")


class FixedStamp(TimeStamp):
    """reportlab's document time, fixed to the version's time (never the clock)."""

    def __init__(self, epoch: int):
        lt = time.gmtime(epoch)
        self.t, self.lt, self.YMDhms = epoch, lt, tuple(lt)[:6]
        self.dhh = self.dmm = 0
        self.tzname = "UTC"


def canvas_class(decorate, epoch: int):
    class NumberedCanvas(canvas.Canvas):
        """Holds pages until the end so that each footer can say "Page X of Y"."""

        def __init__(self, *args, **kwargs):
            kwargs["invariant"] = 1
            # every page starts in an embedded font (reportlab's default, Helvetica, would be
            # named on every page without being embedded, which PDF/A forbids)
            kwargs["initialFontName"] = SANS
            super().__init__(*args, **kwargs)
            self._doc._timeStamp = FixedStamp(epoch)
            # The file ID is a digest that reportlab seeds from SOURCE_DATE_EPOCH when that is
            # set; seed it as invariant mode does, so only ``epoch`` shapes the bytes.
            self._doc.signature = hashlib.md5(b"a reportlab document" + b"946684800.0",
                                              usedforsecurity=False)
            self._pages: list[dict] = []

        def showPage(self):
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                decorate(self, total)
                super().showPage()
            super().save()

    return NumberedCanvas


def decorator(doc: m.Document, options: RenderOptions, size, margins):
    left, right, top, bottom = margins
    width, height = size
    title = m.plain_text(_without_deletions(doc.title))
    short = title if len(title) <= 90 else title[:87].rsplit(" ", 1)[0] + "…"
    if options.redline is not None:
        right_head = f"Redline {options.redline.old.label} → {options.redline.new.label}"
    elif options.report:
        right_head = options.report
    elif options.version:
        right_head = f"{doc.id} v{options.version} · {options.status_label}"
    else:
        right_head = "Preview, not a recorded version"
    provenance = options.provenance(doc)

    def decorate(canv: canvas.Canvas, total: int) -> None:
        page = canv.getPageNumber()
        canv.saveState()
        if options.watermark:
            canv.setFillColor(colors.HexColor("#9aa0a6"))
            canv.setFillAlpha(0.13)
            canv.setFont(SANS + "-Bold", 110)
            canv.translate(width / 2, height / 2)
            canv.rotate(50)
            canv.drawCentredString(0, -38, "DRAFT")
            canv.rotate(-50)
            canv.translate(-width / 2, -height / 2)
            canv.setFillAlpha(1)
        canv.setFont(SANS, 7.5)
        canv.setFillColor(MUTED)
        canv.setStrokeColor(RULE)
        canv.setLineWidth(0.5)
        line_width = width - left - right
        if page > 1:
            y = height - top + 14
            head = fit(right_head, line_width * 0.55)
            draw(canv, left, y, fit(short, line_width - width_of(head) - 12))
            draw(canv, width - right, y, head, right=True)
            canv.line(left, y - 4, width - right, y - 4)
        y = bottom - 20
        canv.line(left, y + 10, width - right, y + 10)
        pages = f"Page {page} of {total}"
        draw(canv, left, y, fit(provenance, line_width - width_of(pages) - 12))
        draw(canv, width - right, y, pages, right=True)
        canv.restoreState()

    return decorate


def one_line(text: str) -> str:
    """Running-head text on one line: line breaks and tabs (which no font draws) as spaces."""
    return " ".join(text.split())


def width_of(text: str, size: float = 7.5) -> float:
    return sum(pdfmetrics.stringWidth(run, face, size) for face, run in faces(one_line(text), SANS))


def draw(canv: canvas.Canvas, x: float, y: float, text: str, size: float = 7.5,
          right: bool = False) -> None:
    """``text`` in the running head or foot, each character in a face that has it (ending at
    ``x`` when ``right``)."""
    text = one_line(text)
    if shaping.needs_shaping(text) or bidi_levels.has_right_to_left(text):
        # joined, and in reading order: a one-line paragraph, placed by the width it takes
        style = ParagraphStyle(f"head{size}", fontName=SANS, fontSize=size, leading=size + 2,
                               textColor=MUTED)
        para = shaping.paragraph(escape(text), style)
        room = 4 * width_of(text, size) + 100
        para.wrapOn(canv, room, size * 4)
        line = para.blPara.lines[0]
        used = room - line.extraSpace
        start = x - used if right else x
        if para.style.alignment == TA_RIGHT:
            start -= room - used
        para.drawOn(canv, start, y - para.height + size)   # reportlab: first baseline = top - font size
        return
    if right:
        x -= width_of(text, size)
    for face, run in faces(text, SANS):
        canv.setFont(face, size)
        canv.drawString(x, y, run)
        x += pdfmetrics.stringWidth(run, face, size)


def fit(text: str, room: float, size: float = 7.5) -> str:
    """``text`` cut short with "…" so that it fits in ``room`` points (running heads with
    long labels must not run into each other)."""
    text = one_line(text)
    if width_of(text, size) <= room:
        return text
    while text and width_of(text + "…", size) > room:
        text = text[:-1]
    return text.rstrip() + "…"




def _without_deletions(nodes):
    """Inlines as the new version reads them (a redline's running header)."""
    out = []
    for node in nodes:
        if isinstance(node, m.Del):
            continue
        if isinstance(node, m.Ins):
            out.extend(_without_deletions(node.content))
        else:
            out.append(node)
    return tuple(out)
