"""Document -> DOCX bytes with python-docx (python-docx lives here and nowhere else).

Styles come from a reference document (``templates/reference.docx``, editable in Word);
styles it lacks are added with our defaults. Numbered clauses use real Word numbering
(our own ``abstractNum``; each list a ``num`` with a start override), so an editor who
continues in Word gets working lists that match the assembled numbers; headings are Word
headings; the header and footer carry title, version, status, provenance and "Page X of Y";
core properties are all set from the version, and the zip is repacked with fixed times.
"""

from __future__ import annotations

import datetime as dt
from io import BytesIO

from docx import Document as open_docx
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, RGBColor, Twips
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from assembler.model import nodes as m
from assembler.version import TOOL_NAME, __version__
from assembler.writers.docx.ooxml import abstract_numbering
from assembler.writers.docx.zippack import repack
from assembler.writers.options import RenderOptions, language, right_to_left

CLAUSE_LIST, BULLET_LIST, ORDERED_LIST = 990, 991, 992
BODY_FONT, HEADING_FONT = "Cambria", "Calibri"
INDENT_TWIPS = 567     # 1 cm per level
MUTED = RGBColor(0x5F, 0x63, 0x68)

# name -> (base style, justified, left indent in twips)
PARAGRAPH_STYLES = {"Clause": ("Normal", True, 0), "Clause Continuation": ("Clause", True, INDENT_TWIPS)}


# ---------------------------------------------------------------- styles

def _ensure_styles(document) -> None:
    """Add the styles the writer uses when the reference document does not define them."""
    styles = document.styles
    names = {s.name for s in styles}
    normal = styles["Normal"]
    if "Clause" not in names:  # a reference document of ours already tuned Normal
        normal.font.name = BODY_FONT
        normal.font.size = Pt(11)
        normal.paragraph_format.space_after = Pt(6)
        normal.paragraph_format.line_spacing = 1.15
        for name, size, before in (("Title", 20, 0), ("Heading 1", 14, 14), ("Heading 2", 12, 10),
                                   ("Heading 3", 11, 8)):
            style = styles[name] if name in names else styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
            style.font.name = HEADING_FONT
            style.font.size = Pt(size)
            style.font.bold = True
            style.font.color.rgb = RGBColor(0x1A, 0x1A, 0x1A)
            style.paragraph_format.space_before = Pt(before)
            style.paragraph_format.space_after = Pt(6)
            style.paragraph_format.keep_with_next = True
    for name, (base, justified, indent) in PARAGRAPH_STYLES.items():
        if name in names:
            continue
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style, style.quick_style = styles[base], True
        fmt = style.paragraph_format
        fmt.space_before, fmt.space_after = Pt(0), Pt(6)
        if justified:
            fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        if indent:
            fmt.left_indent = Pt(indent / 20)
    if "Document Meta" not in names:
        style = styles.add_style("Document Meta", WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles["Normal"]
        style.font.size = Pt(9)
        style.font.color.rgb = MUTED
        style.paragraph_format.space_after = Pt(14)


def _lang(document, code: str, rtl: bool = False) -> None:
    """Set the document's default language (spelling and hyphenation in Word); for a
    language written right to left, also its complex-script language, right-to-left runs
    and right-to-left paragraphs, so Word lays the text out from the right."""
    defaults = document.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}") if defaults is not None else None
    if rpr is not None:
        lang = rpr.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            rpr.append(lang)
        lang.set(qn("w:val"), code)
        if rtl:
            lang.set(qn("w:bidi"), code)
            lang.addprevious(OxmlElement("w:rtl"))   # the schema puts rtl before lang
    if rtl and defaults is not None:
        ppr_default = defaults.find(qn("w:pPrDefault"))
        if ppr_default is None:
            ppr_default = OxmlElement("w:pPrDefault")
            defaults.append(ppr_default)
        ppr = ppr_default.find(qn("w:pPr"))
        if ppr is None:
            ppr = OxmlElement("w:pPr")
            ppr_default.append(ppr)
        ppr.insert(0, OxmlElement("w:bidi"))


# ---------------------------------------------------------------- numbering

class _Numbering:
    """Our numbering definitions, and a fresh ``num`` for every list (so each restarts)."""

    def __init__(self, document):
        self.root = document.part.numbering_part.element
        first_num = self.root.find(qn("w:num"))
        for definition in abstract_numbering(INDENT_TWIPS, (CLAUSE_LIST, BULLET_LIST, ORDERED_LIST)):
            element = parse_xml(definition)
            if first_num is not None:
                first_num.addprevious(element)
            else:
                self.root.append(element)
        used = [int(n.get(qn("w:numId"))) for n in self.root.findall(qn("w:num"))]
        self.next_id = max(used, default=0) + 1

    def new(self, abstract_id: int, start: int = 1) -> int:
        num_id = self.next_id
        self.next_id += 1
        self.root.append(parse_xml(
            f'<w:num {nsdecls("w")} w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/>'
            f'<w:lvlOverride w:ilvl="0"><w:startOverride w:val="{start}"/></w:lvlOverride></w:num>'))
        return num_id


def _number(paragraph, num_id: int, level: int) -> None:
    paragraph._p.get_or_add_pPr().append(parse_xml(
        f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/><w:numId w:val="{num_id}"/></w:numPr>'))


# ---------------------------------------------------------------- inlines

class _Tracker:
    """Makes tracked-change wrappers (w:ins / w:del) with unique ids, one author and date."""

    def __init__(self, author: str, epoch: int):
        self.author = author or TOOL_NAME
        self.date = dt.datetime.fromtimestamp(epoch, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        self.next_id = 1

    def element(self, kind: str):
        element = OxmlElement(f"w:{kind}")
        element.set(qn("w:id"), str(self.next_id))
        element.set(qn("w:author"), self.author)
        element.set(qn("w:date"), self.date)
        self.next_id += 1
        return element

    def wrap(self, paragraph, kind: str, add) -> None:
        """Run ``add()`` (which appends runs to ``paragraph``) and track what it added.

        ``kind`` is ins, del, moveFrom or moveTo. Runs are wrapped from outside; a hyperlink
        is wrapped from inside (``w:hyperlink/w:ins/w:r``), the one nesting that keeps the
        link's words through accept and reject in a real client.
        """
        before = len(paragraph._p)
        add()
        group: list = []

        def flush():
            if group:
                self._enclose(group, kind)
                group.clear()

        for child in list(paragraph._p)[before:]:
            if child.tag == qn("w:r"):
                group.append(child)
            elif child.tag == qn("w:hyperlink"):
                flush()
                runs = [run for run in child if run.tag == qn("w:r")]
                if runs:
                    self._enclose(runs, kind)
        flush()

    def _enclose(self, runs: list, kind: str) -> None:
        wrapper = self.element(kind)
        runs[0].addprevious(wrapper)
        for run in runs:
            wrapper.append(run)
            if kind in ("del", "moveFrom"):
                for text in run.iter(qn("w:t")):
                    text.tag = qn("w:delText")
                    text.set(qn("xml:space"), "preserve")

    def mark_paragraph(self, paragraph, kind: str) -> None:
        """Track the paragraph mark too, so accepting or rejecting leaves no empty paragraph."""
        self.mark_element(paragraph._p, kind)

    def mark_element(self, p, kind: str) -> None:
        """Track the mark of the paragraph element ``p``."""
        ppr = p.get_or_add_pPr()
        rpr = ppr.find(qn("w:rPr"))
        if rpr is None:
            rpr = OxmlElement("w:rPr")
            restyled = ppr.find(qn("w:pPrChange"))  # which must stay pPr's last child
            if restyled is not None:
                restyled.addprevious(rpr)
            else:
                ppr.append(rpr)
        rpr.append(self.element(kind))


def _text_run(paragraph, text: str) -> Run:
    """``paragraph.add_run(text)`` with its (empty) run properties, made cheap for plain
    text (python-docx appends text one character at a time, to turn tabs and newlines into
    their elements): the same XML."""
    if "\t" in text or "\n" in text or "\r" in text:
        run = paragraph.add_run(text)
        run.bold = None
        return run
    r = OxmlElement("w:r")
    r.append(OxmlElement("w:rPr"))
    t = OxmlElement("w:t")
    t.text = text
    if len(text.strip()) < len(text):
        t.set(qn("xml:space"), "preserve")
    r.append(t)
    paragraph._p.append(r)
    return Run(r, paragraph)


def _runs(paragraph, nodes, bold=False, italic=False, mono=False, tracker=None) -> None:
    for node in nodes:
        if isinstance(node, _Shown):
            before = len(paragraph.runs)
            _runs(paragraph, node.node.content, bold, italic, mono)
            inserted = isinstance(node.node, m.Ins)
            for run in paragraph.runs[before:]:
                run.font.color.rgb = RGBColor(0x0B, 0x6B, 0x2E) if inserted else RGBColor(0xA3, 0x16, 0x2B)
                run.font.underline = inserted or None
                run.font.strike = not inserted or None
        elif isinstance(node, (m.Ins, m.Del)) and tracker is not None:
            kind = "ins" if isinstance(node, m.Ins) else "del"
            tracker.wrap(paragraph, kind, lambda n=node: _runs(paragraph, n.content, bold, italic, mono))
        elif isinstance(node, (m.Ins, m.Del)):
            _runs(paragraph, node.content, bold, italic, mono)
        elif isinstance(node, (m.Text, m.Code, m.Ref, m.Var)):
            text = (node.text if isinstance(node, (m.Text, m.Code)) else
                    (node.label or node.target) if isinstance(node, m.Ref) else "{{ %s }}" % node.name)
            run = _text_run(paragraph, text)
            if bold:
                run.bold = True
            if italic:
                run.italic = True
            if mono or isinstance(node, m.Code):
                run.font.name = "Consolas"
        elif isinstance(node, m.Emph):
            _runs(paragraph, node.content, bold, True, mono, tracker)
        elif isinstance(node, m.Strong):
            _runs(paragraph, node.content, True, italic, mono, tracker)
        elif isinstance(node, m.LineBreak):
            paragraph.add_run().add_break()
        elif isinstance(node, m.Link) and node.old_target is not None and tracker is not None:
            # a new target for the same words: the old link deleted, the new one inserted
            for kind, target in (("del", node.old_target), ("ins", node.target)):
                tracker.wrap(paragraph, kind, lambda t=target: _link(paragraph, t, node.content, bold, italic, mono))
        elif isinstance(node, m.Link):
            _link(paragraph, node.target, node.content, bold, italic, mono, tracker)


def _link(paragraph, target: str, content, bold: bool, italic: bool, mono: bool, tracker=None) -> None:
    """A link to a web or mail address as a Word hyperlink; any other link as its words."""
    if target.startswith(("http://", "https://", "mailto:")):
        _hyperlink(paragraph, target, content, bold, italic)
    else:
        _runs(paragraph, content, bold, italic, mono, tracker)


def _marked_as_formatting(nodes):
    """Inlines whose Ins/Del marks are drawn as formatting, not tracked (a table cell that
    shows a proposal as a word diff is no change to accept or reject)."""
    return tuple(_Shown(n) if isinstance(n, (m.Ins, m.Del)) else n for n in nodes)


class _Shown:
    """An Ins or Del to draw with colour and underline or strike-through."""

    def __init__(self, node):
        self.node = node


def _hyperlink(paragraph, url: str, content, bold: bool, italic: bool) -> None:
    """An external link: the runs of ``content`` inside a w:hyperlink, blue and underlined."""
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), paragraph.part.relate_to(url, RT.HYPERLINK, is_external=True))
    before = len(paragraph._p)
    _runs(paragraph, content, bold, italic)
    for element in list(paragraph._p)[before:]:
        run = Run(element, paragraph)
        run.font.color.rgb, run.font.underline = RGBColor(0x1F, 0x4E, 0x79), True
        link.append(element)
    paragraph._p.append(link)


# ---------------------------------------------------------------- blocks

class _Writer:
    def __init__(self, document):
        self.document = document
        self.numbering = _Numbering(document)
        self._style_ids: dict[str, str] = {}
        body = document.element.body
        self._section = body[-1] if len(body) and body[-1].tag == qn("w:sectPr") else None

    def paragraph(self, style: str):
        """A new paragraph of ``style`` at the end of the body. (python-docx's
        ``add_paragraph(style=…)`` looks the style up among all styles and the section
        properties up by XPath for every paragraph: a third of a long document's time.)"""
        style_id = self._style_ids.get(style)
        if style_id is None:
            style_id = self._style_ids[style] = self.document.styles[style].style_id
        p = OxmlElement("w:p")
        p.get_or_add_pPr().get_or_add_pStyle().val = style_id
        if self._section is not None:
            self._section.addprevious(p)
        else:
            self.document.element.body.append(p)
        return Paragraph(p, self.document._body)

    def body_length(self) -> int:
        """How many blocks the body holds now (a mark for :meth:`paragraphs_since`); the
        section properties, which stay last, are not counted."""
        body = self.document.element.body
        return len(body) - (1 if len(body) and body[-1].tag == qn("w:sectPr") else 0)

    def paragraphs_since(self, mark: int) -> list:
        """The paragraphs added since ``body_length()`` returned ``mark`` (cheap, unlike
        ``document.paragraphs``, which wraps every paragraph of the document)."""
        body = self.document.element.body
        return [Paragraph(p, self.document._body) for p in body[mark:] if p.tag == qn("w:p")]

    def blocks(self, blocks, depth: int, style: str = "Clause") -> None:
        for block in blocks:
            self.block(block, depth, style)

    def block(self, block, depth: int, style: str) -> None:
        if isinstance(block, m.Paragraph):
            paragraph = self.paragraph(style)
            _runs(paragraph, block.content)
        elif isinstance(block, m.Heading):
            paragraph = self.paragraph(f"Heading {min(max(block.level - 1, 1), 9)}")
            _runs(paragraph, block.content)
        elif isinstance(block, m.Clause):
            self.blocks(block.blocks, depth, style)
        elif isinstance(block, m.ClauseList):
            num_id = self.numbering.new(CLAUSE_LIST, block.start)
            self.clause_list(block, num_id, 0)
        elif isinstance(block, m.Table):
            self.table(block)
        elif isinstance(block, (m.BulletList, m.OrderedList)):
            abstract = BULLET_LIST if isinstance(block, m.BulletList) else ORDERED_LIST
            start = block.start if isinstance(block, m.OrderedList) else 1
            num_id = self.numbering.new(abstract, start)
            for item in block.items:
                self.numbered_item(item, num_id, depth, style)

    def table(self, block: m.Table) -> None:
        """A table: a report's (caption as a heading, small type) or one in clause text; a
        bold header row repeated on each page. In a redline with tracked changes
        (``self.tracker``), changed words and inserted or deleted rows are tracked; in any
        other document a word diff's marks become colour, underline and strike."""
        if block.caption:
            self.paragraph("Heading 1").add_run(block.caption)
        tracker = getattr(self, "tracker", None)
        width = max(len(row) for row in (block.header, *block.rows))
        table = self.document.add_table(rows=1 + len(block.rows), cols=width)
        table.style = self.document.styles["Table Grid"] if "Table Grid" in self.document.styles else None
        size = Pt(8) if block.caption else Pt(10)
        for r, row in enumerate((block.header,) + block.rows):
            for c, text in enumerate(row):
                paragraph = table.cell(r, c).paragraphs[0]
                if isinstance(text, str):
                    runs = [paragraph.add_run(text)]
                else:
                    before = len(paragraph.runs)
                    _runs(paragraph, text if tracker else _marked_as_formatting(text), tracker=tracker)
                    runs = paragraph.runs[before:]
                for run in runs:
                    run.font.size = size
                    run.bold = True if r == 0 else run.bold
        for row, mark in zip(table.rows[1:], block.row_changes):
            if mark in (m.INSERTED, m.DELETED) and tracker is not None:
                row._tr.get_or_add_trPr().append(tracker.element("ins" if mark == m.INSERTED else "del"))
        header = table.rows[0]._tr.get_or_add_trPr()
        header.append(OxmlElement("w:tblHeader"))

    def clause_list(self, block: m.ClauseList, num_id: int, level: int) -> None:
        for clause in block.items:
            first = True
            for child in clause.blocks:
                if isinstance(child, m.ClauseList):
                    self.clause_list(child, num_id, level + 1)
                elif first and isinstance(child, m.Paragraph):
                    paragraph = self.paragraph("Clause")
                    _number(paragraph, num_id, level)
                    _runs(paragraph, child.content)
                    first = False
                else:
                    if first:
                        _number(self.paragraph("Clause"), num_id, level)
                        first = False
                    self.continuation(child, level)

    def continuation(self, block, level: int) -> None:
        """A further block of a numbered clause: aligned with the clause's text."""
        before = self.body_length()
        self.block(block, level + 1, "Clause Continuation")
        for paragraph in self.paragraphs_since(before):
            if paragraph.style.name == "Clause Continuation":
                paragraph.paragraph_format.left_indent = Pt((INDENT_TWIPS * (level + 1) + 113 * level) / 20)

    def numbered_item(self, item, num_id: int, depth: int, style: str) -> None:
        first = True
        for child in item:
            if first and isinstance(child, m.Paragraph):
                paragraph = self.paragraph(style)
                _number(paragraph, num_id, min(depth, 5))
                _runs(paragraph, child.content)
                first = False
            else:
                self.block(child, depth + 1, style)


def _header_footer(document, doc: m.Document, options: RenderOptions) -> None:
    section = document.sections[0]
    title = m.plain_text(tuple(n for n in doc.title if not isinstance(n, m.Del)))
    header = section.header.paragraphs[0]
    header.text = ""
    run = header.add_run(title if len(title) <= 100 else title[:97].rsplit(" ", 1)[0] + "…")
    run.font.size, run.font.color.rgb = Pt(8), MUTED
    if options.watermark:
        header._p.append(_watermark_run())
    footer = section.footer.paragraphs[0]
    footer.text = ""
    width = section.page_width - section.left_margin - section.right_margin
    tabs = footer.paragraph_format.tab_stops
    for inherited in (Twips(4680), Twips(9360)):  # the Footer style's own stops (Letter width)
        tabs.add_tab_stop(inherited, WD_TAB_ALIGNMENT.CLEAR)
    tabs.add_tab_stop(width, WD_TAB_ALIGNMENT.RIGHT)
    if right_to_left(doc):   # the provenance line is Latin text: left to right, as it reads
        left_to_right = OxmlElement("w:bidi")
        left_to_right.set(qn("w:val"), "0")
        footer._p.get_or_add_pPr().find(qn("w:tabs")).addnext(left_to_right)
    run = footer.add_run(options.provenance(doc) + "\tPage ")
    run.font.size, run.font.color.rgb = Pt(8), MUTED
    for index, field in enumerate(("PAGE", "NUMPAGES")):
        simple = parse_xml(f'<w:fldSimple {nsdecls("w")} w:instr=" {field} "><w:r><w:rPr>'
                           f'<w:sz w:val="16"/><w:color w:val="5F6368"/></w:rPr><w:t>1</w:t></w:r>'
                           "</w:fldSimple>")
        footer._p.append(simple)
        if index == 0:
            run = footer.add_run(" of ")
            run.font.size, run.font.color.rgb = Pt(8), MUTED


def _watermark_run():
    """A DRAFT watermark as Word makes one (Design > Watermark): a light grey WordArt text
    shape behind the page, anchored in the header so it stands on every page."""
    return parse_xml(
        f'<w:r {nsdecls("w")} xmlns:v="urn:schemas-microsoft-com:vml" '
        'xmlns:o="urn:schemas-microsoft-com:office:office"><w:pict>'
        '<v:shapetype id="_x0000_t136" coordsize="21600,21600" o:spt="136" adj="10800" '
        'path="m@7,l@8,m@5,21600l@6,21600e"><v:path textpathok="t" o:connecttype="custom"/>'
        '<v:textpath on="t" fitshape="t"/></v:shapetype>'
        '<v:shape id="PowerPlusWaterMarkObject" o:spid="_x0000_s2049" type="#_x0000_t136" '
        'style="position:absolute;margin-left:0;margin-top:0;width:470pt;height:150pt;rotation:315;'
        'z-index:-251657216;mso-position-horizontal:center;mso-position-horizontal-relative:margin;'
        'mso-position-vertical:center;mso-position-vertical-relative:margin" o:allowincell="f" '
        'fillcolor="#d9dbde" stroked="f"><v:fill opacity=".5"/>'
        '<v:textpath style="font-family:&quot;DejaVu Sans&quot;;font-size:1pt" string="DRAFT"/>'
        '</v:shape></w:pict></w:r>')


def _properties(document, doc: m.Document, options: RenderOptions) -> None:
    props = document.core_properties
    moment = dt.datetime.fromtimestamp(options.epoch, dt.timezone.utc).replace(tzinfo=None)
    props.title = m.plain_text(tuple(n for n in doc.title if not isinstance(n, m.Del)))
    props.author = options.author or TOOL_NAME
    props.last_modified_by = options.author or TOOL_NAME
    props.subject = f"{doc.id} " + (f"version {options.version}" if options.version else "preview")
    keywords = [doc.id, f"v{options.version}" if options.version else "preview", options.status_label]
    if options.sources_digest:
        keywords.append(f"sources {options.sources_digest}")
    props.keywords = "; ".join(keywords)
    props.revision = options.version or 1
    props.created = props.modified = props.last_printed = moment
    props.category = "policy"
    props.content_status = options.status_label if options.version else "Preview"
    props.comments = f"Assembled by {TOOL_NAME} {__version__}. {options.provenance(doc)}"
    props.identifier = f"{doc.id}/v{options.version}" if options.version else doc.id
    props.language = language(doc)
    props.version = f"v{options.version}" if options.version else "preview"


def _empty_body(document) -> None:
    body = document.element.body
    for child in [c for c in body if c.tag != qn("w:sectPr")]:
        body.remove(child)


def _base(options: RenderOptions):
    document = open_docx(BytesIO(options.reference_docx)) if options.reference_docx else open_docx()
    _empty_body(document)
    _ensure_styles(document)
    return document


def write(doc: m.Document, options: RenderOptions | None = None) -> bytes:
    """The document as DOCX bytes."""
    options = options or RenderOptions()
    document = _base(options)
    section = document.sections[0]
    if options.paper.upper() == "LETTER":
        section.page_width, section.page_height = Mm(215.9), Mm(279.4)
    else:
        section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(25)
    section.top_margin = section.bottom_margin = Mm(24)
    _lang(document, language(doc), right_to_left(doc))
    title = document.add_paragraph(style="Title")
    if options.redline is not None:
        info = options.redline
        tracker = _Tracker(info.new.author or options.author, options.epoch)
        _runs(title, doc.title, tracker=tracker)
        document.add_paragraph(options.meta_line(doc), style="Document Meta")
        from assembler.writers.docx.redline import RedlineWriter
        RedlineWriter(document, tracker).write(doc.blocks)
    else:
        _runs(title, doc.title)
        document.add_paragraph(options.meta_line(doc), style="Document Meta")
        _Writer(document).blocks(doc.blocks, 0)
    _header_footer(document, doc, options)
    _properties(document, doc, options)
    buffer = BytesIO()
    document.save(buffer)
    return repack(buffer.getvalue(), options.epoch)


def default_reference(epoch: int = 0) -> bytes:
    """The reference document ``assembler init`` puts in ``templates/reference.docx``."""
    document = open_docx()
    _empty_body(document)
    _ensure_styles(document)
    props = document.core_properties
    moment = dt.datetime.fromtimestamp(max(epoch, 315532800), dt.timezone.utc).replace(tzinfo=None)
    props.title, props.author, props.last_modified_by = "Reference styles", TOOL_NAME, TOOL_NAME
    props.created = props.modified = props.last_printed = moment
    props.revision = 1
    props.comments = ("Styles for documents assembled by Policy Assembler: edit Normal, Title, "
                      "Heading 1-3, Clause, Clause Continuation and Document Meta in Word.")
    document.add_paragraph("Reference styles for Policy Assembler. Edit the styles, not this text.")
    buffer = BytesIO()
    document.save(buffer)
    return repack(buffer.getvalue(), max(epoch, 315532800))
