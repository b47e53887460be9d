"""Complex scripts in reportlab paragraphs: shaping with HarfBuzz, text that extracts as it was
written, and right-to-left lines (uharfbuzz lives here and nowhere else).

reportlab lays out words left to right, one glyph per character. Arabic joins its letters,
Devanagari builds conjuncts and moves vowel signs, and both need HarfBuzz. reportlab can call
HarfBuzz itself, but it gives glyphs that have no character of their own an arbitrary private
code, so ``pdftotext`` and copy-and-paste read them as nothing; and its right-to-left support
needs ``rlbidi``, which is not on the package index. So:

* :func:`shape_frag_word` replaces reportlab's word shaper, for words in scripts that need
  shaping only (every other word keeps reportlab's plain path and its bytes). Each glyph is
  drawn with a code whose ToUnicode entry is the text it stands for: the first glyph of a
  cluster carries the cluster's characters, in the order a text extractor reads them back.
* :func:`to_unicode_cmap` writes those entries (reportlab's own writes one code point each).
* :class:`BidiParagraph` is a paragraph whose base direction is right to left: each line is
  reordered for display by the Unicode Bidirectional Algorithm (:mod:`assembler.writers.bidi_levels`)
  when it is drawn, its hanging number stands on the right and its last line ends at the right.
"""

from __future__ import annotations

import html
import re
import unicodedata
from itertools import groupby

import uharfbuzz as hb
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.rl_accel import fp_str
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import ShapeData, ShapedStr, TTFont, makeShapedFragWord
from reportlab.pdfgen import textobject
from reportlab.platypus import paragraph as _paragraph
from reportlab.platypus.paragraph import Paragraph

from assembler.writers import bidi_levels

# Scripts whose words HarfBuzz must shape: Hebrew (marks), Arabic, Syriac, Thaana, N'Ko, the
# Indic scripts from Devanagari to Sinhala, Myanmar, Khmer, and the presentation forms.
COMPLEX = re.compile("[\u0590-\u08ff\u0900-\u0dff\u1000-\u109f\u1780-\u17ff\ua8e0-\ua8ff"
                     "\ufb1d-\ufdff\ufe70-\ufefc]")
_FEATURES = {"kern": True, "liga": True}
# Codes for glyphs that stand for other text than their own character (a joined Arabic form,
# a conjunct, a moved vowel sign): Supplementary Private Use Area-A, which no text font maps.
# The codes never reach the file: each is drawn through a per-document subset code whose
# ToUnicode entry is the text in SOURCES.
_FIRST_PRIVATE = 0xF0000
SOURCES: dict[int, str] = {}
_codes: dict[tuple[str, int, str], int] = {}
_hb_fonts: dict[str, hb.Font] = {}


def install() -> None:
    """Put :func:`shape_frag_word` and :func:`to_unicode_cmap` in reportlab's place (once)."""
    _paragraph.shapeFragWord = shape_frag_word
    ttfonts.makeToUnicodeCMap = to_unicode_cmap
    if textobject.PDFTextObject.setRise is not _set_rise:
        _original_set_rise[:] = [textobject.PDFTextObject.setRise]
        textobject.PDFTextObject.setRise = _set_rise


_original_set_rise: list = []


def _set_rise(self, rise) -> None:
    """reportlab's ``setRise``, which fails when a shaped run's first glyph is raised (an
    Arabic vowel mark): it looks at the operator before, and there is none yet."""
    if not self._code:
        self._rise = rise
        self._y -= rise
        self._code.append(f"{fp_str(rise)} Ts")
    else:
        _original_set_rise[0](self, rise)


def needs_shaping(text: str) -> bool:
    return bool(COMPLEX.search(text))


def _hb_font(font: TTFont) -> hb.Font:
    shaper = _hb_fonts.get(font.fontName)
    if shaper is None:
        shaper = _hb_fonts[font.fontName] = hb.Font(hb.Face(hb.Blob(font.face._ttf_data)))
    return shaper


def _code(font: TTFont, glyph: int, text: str, advance: float) -> int:
    """The code to draw ``glyph`` with so that it extracts as ``text``: the character itself
    when the glyph is that character's own, else a private code registered with the font."""
    face = font.face
    if len(text) == 1 and face.charToGlyph.get(ord(text)) == glyph:
        return ord(text)
    key = (font.fontName, glyph, text)
    code = _codes.get(key)
    if code is None:
        code = _codes[key] = _FIRST_PRIVATE + len(_codes)
        face.charToGlyph[code] = glyph
        face.charWidths[code] = advance
        SOURCES[code] = text
    return code


def shape_frag_word(word, features=None, force=False):
    """reportlab's frag word ``[width, (frag, text), …]`` shaped by HarfBuzz when it holds a
    script that needs it (else ``word`` itself), as reportlab's own shaper returns it.

    A word set in more than one font (a bold word and the plain colon after it, a link and
    its full stop) is shaped font by font, and its parts stand in display order: right to
    left when the word is."""
    if isinstance(word, ttfonts.ShapedFragWord):
        return word
    pairs = word[1:]
    if any(hasattr(frag, "cbDefn") for frag, _ in pairs):
        return word        # an image or anchor inside the word: leave it as it is
    if not COMPLEX.search("".join(piece for _, piece in pairs)):
        return word
    if any(isinstance(piece, ShapedStr) for _, piece in pairs):
        return makeShapedFragWord(word)(word)   # shaped already (the rest of a split paragraph)
    runs = [_shape_run(list(run), features) for _, run in groupby(pairs, key=lambda pair: pair[0].fontName)]
    if any(backwards for _, _, backwards in runs):
        runs.reverse()
    return makeShapedFragWord(word)([sum(width for _, width, _ in runs)]
                                    + [pair for shaped, _, _ in runs for pair in shaped])


def _shape_run(pairs: list, features) -> tuple[list, float, bool]:
    """(pairs, width, right to left) for part of a word set in one font: shaped by HarfBuzz
    when it holds a script that needs it, else as it was."""
    frags: list = []
    text = ""
    for frag, piece in pairs:
        frags.extend([frag] * len(piece))
        text += piece
    font = pdfmetrics.getFont(frags[0].fontName)
    if not COMPLEX.search(text) or not isinstance(font, TTFont):
        return pairs, sum(pdfmetrics.stringWidth(piece, f.fontName, f.fontSize) for f, piece in pairs), False
    buffer = hb.Buffer()
    buffer.add_str(text)
    buffer.guess_segment_properties()
    buffer.cluster_level = hb.BufferClusterLevel.MONOTONE_GRAPHEMES
    hb.shape(_hb_font(font), buffer, features or _FEATURES)
    glyphs = list(zip(buffer.glyph_infos, buffer.glyph_positions))
    backwards = buffer.direction == "rtl"
    texts = _glyph_texts(text, glyphs, backwards)
    scale = 1000 / font.face.unitsPerEm
    shaped: list = []
    total = 0.0
    run_frag, run_text, run_data = None, "", []
    for (info, position), own in zip(glyphs, texts):
        metrics = font.face.hmetrics
        advance = metrics[info.codepoint][0] * scale if info.codepoint < len(metrics) else position.x_advance * scale
        code = _code(font, info.codepoint, own, advance)
        frag = frags[info.cluster]
        if frag is not run_frag:
            if run_frag is not None:
                shaped.append((run_frag, ShapedStr(run_text, shapeData=run_data)))
            run_frag, run_text, run_data = frag, "", []
        run_text += chr(code)
        run_data.append(ShapeData(info.cluster, position.x_advance * scale, position.y_advance * scale,
                                  position.x_offset * scale, position.y_offset * scale, advance))
        total += position.x_advance * scale * frag.fontSize / 1000
    if run_frag is not None:
        shaped.append((run_frag, ShapedStr(run_text, shapeData=run_data)))
    return shaped, total, backwards


def _glyph_texts(text: str, glyphs: list, backwards: bool) -> list[str]:
    """The text each glyph stands for, so that a text extractor reading the glyphs in display
    order gets ``text`` back: a cluster's characters are dealt out to its glyphs that sit on
    the baseline, one each and the rest to the last (a conjunct, a ligature), and a raised or
    lowered mark stands for nothing. Right to left, the characters are dealt in reverse, since
    extractors reverse right-to-left text."""
    out = [""] * len(glyphs)
    index = 0
    while index < len(glyphs):
        cluster = glyphs[index][0].cluster
        end = index
        while end < len(glyphs) and glyphs[end][0].cluster == cluster:
            end += 1
        following = [info.cluster for info, _ in glyphs if info.cluster > cluster]
        chars = text[cluster:min(following, default=len(text))]
        if backwards:
            chars = chars[::-1]
        carriers = [at for at in range(index, end) if glyphs[at][1].y_offset == 0] or list(range(index, end))
        for number, at in enumerate(carriers):
            last = number == len(carriers) - 1
            out[at] = chars[number:] if last else chars[number:number + 1]
        index = end
    return out


def to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """A ToUnicode CMap for one font subset: each code to the text its glyph stands for
    (several characters for a ligature or conjunct, none for the later glyphs of a cluster)."""
    entries = []
    for index, code in enumerate(subset):
        text = SOURCES.get(code, chr(code) if code < 0x110000 else "")
        entries.append(f"<{index:02X}> <{text.encode('utf-16-be').hex().upper()}>")
    lines = ["/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
             "/CIDSystemInfo", f"<< /Registry ({fontname})", f"/Ordering ({fontname})",
             "/Supplement 0", ">> def", f"/CMapName /{fontname} def", "/CMapType 2 def",
             "1 begincodespacerange", f"<00> <{len(subset) - 1:02X}>", "endcodespacerange"]
    for start in range(0, len(entries), 100):   # a CMap section holds at most 100 entries
        chunk = entries[start:start + 100]
        lines += [f"{len(chunk)} beginbfchar", *chunk, "endbfchar"]
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines)


# ---------------------------------------------------------------- right-to-left lines

class BidiParagraph(Paragraph):
    """A paragraph that reads right to left: lines broken as usual, each reordered for
    display when drawn (the stored lines stay in reading order, so a split across pages
    still divides the text where it should)."""

    def draw(self):
        lines = getattr(self.blPara, "lines", None)
        if self.style.wordWrap != "RTL" or self.blPara.kind != 1 or not lines:
            return super().draw()
        stored = lines
        # reportlab reverses a right-to-left line's fragments itself: hand it the reverse
        self.blPara.lines = [_copy_line(line, visual_fragments(line.words, 1)[::-1]) for line in lines]
        try:
            super().draw()
        finally:
            self.blPara.lines = stored


def _copy_line(line, words):
    copy = line.__class__(**line.__dict__)
    copy.words = words
    return copy


def _logical(piece: str) -> str:
    """What ``piece`` (drawn characters, maybe private codes) reads as, in reading order."""
    text = "".join(SOURCES.get(ord(char), char) for char in piece)
    if isinstance(piece, ShapedStr) and bidi_levels.has_right_to_left(text):
        return text[::-1]   # shaped right to left: drawn in display order
    return text


def _word_logical(word: list[tuple[object, str]]) -> str:
    """What a unit of a line reads as: its parts in reading order (a right-to-left shaped
    word holds its parts in display order)."""
    text = "".join(_logical(piece) for _, piece in word)
    if len(word) > 1 and any(_shaped(piece) for _, piece in word) and bidi_levels.has_right_to_left(text):
        return "".join(_logical(piece) for _, piece in reversed(word))
    return text


def _shaped(piece: str) -> bool:
    """Whether HarfBuzz set ``piece`` (its glyphs are in display order already); a bracket
    or space cut from a fragment that also holds shaped words is not."""
    return isinstance(piece, ShapedStr) and any(ord(char) in SOURCES or COMPLEX.match(char) for char in piece)


def _words(fragments) -> list[list[tuple[object, str]]]:
    """A line's fragments cut into units of (frag, piece) lists: runs of spaces, and words
    (a word may span fragments, such as a bold ending or an inserted letter)."""
    units: list[list[tuple[object, str]]] = []
    joinable = False      # the last unit is a word that the next piece continues
    for frag in fragments:
        text = getattr(frag, "text", "")
        if hasattr(frag, "cbDefn") or not text:
            units.append([(frag, text)])
            joinable = False
            continue
        for match in re.finditer(r"\s+|\S+", text):
            piece = text[match.start():match.end()]
            space = piece[0].isspace()
            if joinable and not space:
                units[-1].append((frag, piece))
            else:
                units.append([(frag, piece)])
            joinable = not space
    return units


def visual_fragments(fragments, base: int) -> list:
    """A line's fragments, in reading order, as fragments in display order (left to right).

    A word HarfBuzz shaped is one unit (it put its glyphs in display order); other text is
    cut where its bidirectional level changes, and a right-to-left piece of it is reversed
    and its brackets mirrored."""
    words = _words(fragments)
    logical = [_word_logical(word) for word in words]
    char_levels = bidi_levels.levels("".join(logical), base)
    units: list[tuple[list, int]] = []
    at = 0
    for word, text in zip(words, logical):
        own = char_levels[at:at + len(text)] or [base]
        at += len(text)
        if any(_shaped(piece) for _, piece in word) or not text:
            strong = [lv for lv, ch in zip(own, text) if unicodedata.bidirectional(ch) in ("L", "R", "AL")]
            units.append((word, (strong or own)[0]))
            continue
        offset = 0
        for frag, piece in word:   # plain text: cut where the level changes
            start = 0
            for index in range(1, len(piece) + 1):
                if index == len(piece) or own[offset + index] != own[offset + start]:
                    part = piece[start:index]
                    level = own[offset + start]
                    units.append(([(frag, bidi_levels.mirrored(part) if level % 2 else part)], level))
                    start = index
            offset += len(piece)
    out: list = []
    sources: list = []
    for index in bidi_levels.visual_order([level for _, level in units]):
        for frag, piece in units[index][0]:
            if sources and sources[-1] is frag and not hasattr(frag, "cbDefn"):
                out[-1].text = out[-1].text + piece   # one fragment, one underline
            else:
                out.append(frag if hasattr(frag, "cbDefn") else frag.clone(text=piece))
                sources.append(frag)
    return out


# ---------------------------------------------------------------- choosing the paragraph

_TAGS = re.compile(r"<[^>]*>")
_VARIANTS: dict[tuple[str, bool, bool], ParagraphStyle] = {}


def paragraph(markup: str, style: ParagraphStyle, bullet: str | None = None, rtl: bool = False,
          kind: type = Paragraph, **kwargs) -> Paragraph:
    """A paragraph of ``markup`` in ``style``: shaped by HarfBuzz when it holds a script that
    needs it, and laid out right to left when the document reads so (``rtl``) or its own
    first strong letter is Arabic or Hebrew."""
    text = html.unescape(_TAGS.sub("", markup))
    shaped = needs_shaping(text)
    right = rtl or bidi_levels.right_to_left(text)
    if shaped or right:
        key = (style.name, shaped, right)
        variant = _VARIANTS.get(key)
        if variant is None:
            variant = _VARIANTS[key] = ParagraphStyle(
                f"{style.name}-{'s' if shaped else ''}{'r' if right else ''}", parent=style,
                shaping=int(shaped), wordWrap="RTL" if right else None,
                alignment=TA_RIGHT if right and style.alignment == TA_LEFT else style.alignment)
        style = variant
        if right and kind is Paragraph:
            kind = BidiParagraph
    return kind(markup, style, bulletText=bullet, **kwargs)
