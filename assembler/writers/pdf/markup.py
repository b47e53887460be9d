"""reportlab paragraph markup built from the model: tags only from the model, text escaped.

Pure string work with no reportlab import, so the PDF writer stays about layout. Clause
text is data: every run goes through :func:`escape` before it meets the markup.
"""

from __future__ import annotations

import re
import unicodedata
from xml.sax.saxutils import escape as _xml_escape, quoteattr

from assembler.model import nodes as m
from assembler.writers.redline_text import PILCROW, link_note

SERIF, SANS, MONO = "PolicySerif", "PolicySans", "PolicyMono"
FALLBACK = "PolicyFallback"   # a system font for scripts DejaVu lacks (CJK), when installed
# What the fonts can show, filled in by the writer when it registers them: the code points
# every text face has, and the faces to switch to, in order, for a character outside them.
MAIN: set[int] = set()
FALLBACKS: list[tuple[str, frozenset[int]]] = []
_BEYOND_LATIN = re.compile("[^\x00-\u024f\u2000-\u206f]")


class MissingGlyph(ValueError):
    """A character that no configured font can show (it would print as an empty box)."""

    def __init__(self, char: str):
        super().__init__(char)
        self.char = char

    def describe(self) -> str:
        name = unicodedata.name(self.char, "")
        script = name.split(" ")[0].title() if name else "unknown"
        return f"'{self.char}' (U+{ord(self.char):04X} {name or 'unnamed'}, {script} script)"


def face_for(char: str, main: str) -> str | None:
    """The face to set ``char`` in: ``main`` when the document faces show it, else the
    first fallback that has it; None when no font has it."""
    if not MAIN or ord(char) in MAIN or char.isspace() or unicodedata.category(char)[0] == "C":
        return main
    return next((name for name, points in FALLBACKS if ord(char) in points), None)


def faces(text: str, main: str) -> list[tuple[str, str]]:
    """``text`` cut into (face, text) runs: ``main`` where the document faces show it, the
    first fallback that has a character elsewhere (for text drawn straight on the page, such
    as running heads). Raises :class:`MissingGlyph` for a character no font shows."""
    runs: list[tuple[str, str]] = []
    for char in text:
        face = face_for(char, main)
        if face is None:
            raise MissingGlyph(char)
        if runs and runs[-1][0] == face:
            runs[-1] = (face, runs[-1][1] + char)
        else:
            runs.append((face, char))
    return runs


def _joins(char: str, face: str) -> bool:
    """Whether ``char``, not a letter, can stay in a run set in the fallback ``face`` (a space,
    a full stop or a digit in Arabic text belongs to the words around it)."""
    if unicodedata.category(char)[0] == "L" or char == "&" or char == ";":
        return False
    return char == " " or any(name == face and ord(char) in points for name, points in FALLBACKS)


def escape(text: str) -> str:
    """``text`` as paragraph markup: XML-escaped, and every character the document faces
    lack set in a face that has it (DejaVu Sans for Arabic and Hebrew, the fallback for
    Chinese and Japanese). Raises :class:`MissingGlyph` for a character no font shows."""
    escaped = _xml_escape(text)
    if not MAIN or not _BEYOND_LATIN.search(escaped):
        return escaped
    out: list[str] = []
    current: str | None = None
    for char in escaped:
        if current is not None and _joins(char, current):
            out.append(char)   # a space or sign between words of a script keeps the run whole
            continue
        face: str | None = face_for(char, "")
        if face is None:
            raise MissingGlyph(char)
        face = face or None   # "" is the paragraph's own face: no tag
        if face != current:
            if current is not None:
                out.append("</font>")
            if face is not None:
                out.append(f'<font face="{face}">')
            current = face
        out.append(char)
    if current is not None:
        out.append("</font>")
    return "".join(out)

INSERT_HEX, DELETE_HEX, BAR_HEX = "#0b6b2e", "#a3162b", "#c77c02"
__all__ = ["SERIF", "SANS", "MONO", "INSERT_HEX", "DELETE_HEX", "BAR_HEX", "escape",
           "inline_markup", "_whole", "note", "pilcrow"]


def inline_markup(nodes: tuple[m.Inline, ...]) -> str:
    """reportlab paragraph markup for ``nodes``: tags only from the model, text escaped."""
    out: list[str] = []
    for node in nodes:
        if isinstance(node, m.Text):
            out.append(escape(_bind_dashes(node.text)))
        elif isinstance(node, m.Emph):
            out.append("<i>" + inline_markup(node.content) + "</i>")
        elif isinstance(node, m.Strong):
            out.append("<b>" + inline_markup(node.content) + "</b>")
        elif isinstance(node, m.Code):
            out.append(f'<font face="{MONO}">' + escape(node.text) + "</font>")
        elif isinstance(node, m.Link):
            inner = inline_markup(node.content)
            if node.target.startswith(("http://", "https://", "mailto:")):
                out.append(f'<a href={quoteattr(node.target)} color="#1f4e79">' + inner + "</a>")
            else:  # "#" and relative links have no place to go in a PDF: keep the words
                out.append(inner)
            if node.old_target is not None:
                out.append(" " + note(link_note(node)))
        elif isinstance(node, m.LineBreak):
            out.append("<br/>")
        elif isinstance(node, m.Ref):
            out.append(escape(node.label or node.target))
        elif isinstance(node, m.Var):
            out.append(escape("{{ %s }}" % node.name))
        elif isinstance(node, m.Ins):
            if out and out[-1].startswith("<strike>"):
                out.append(" ")  # "old new", not "oldnew": a replacement reads as two words
            out.append(_inserted(inline_markup(node.content)))
        elif isinstance(node, m.Del):
            out.append(_deleted(inline_markup(node.content)))
    return "".join(out)


def note(text: str) -> str:
    """A redline's note in the text: small, orange, in brackets (the change bar sees it)."""
    return f'<font name="{SANS}" size="7.5" color="{BAR_HEX}">[{escape(text)}]</font>'


def pilcrow(break_change) -> str:
    """The mark of a paragraph split (an inserted ¶) or joined (a deleted ¶), or ''."""
    if break_change == m.INSERTED:
        return _inserted(PILCROW)
    if break_change == m.DELETED:
        return _deleted(PILCROW)
    return ""


def _inserted(markup: str) -> str:
    return f'<u><font color="{INSERT_HEX}">{markup}</font></u>' if markup else ""


def _deleted(markup: str) -> str:
    return f'<strike><font color="{DELETE_HEX}">{markup}</font></strike>' if markup else ""


def _whole(change, markup: str) -> str:
    if change == m.INSERTED:
        return _inserted(markup)
    if change in (m.DELETED, m.MOVED_AWAY):
        return _deleted(markup)
    return markup


def _bind_dashes(text: str) -> str:
    """A spaced dash never starts a line: tie it to the word before with a no-break space.

    A hyphen used as a dash is tied to the word after as well: a line ending in "-" reads
    as a hyphenated word to text extractors, which would join the lines and drop it.
    """
    text = re.sub(r" - ", "\u00a0-\u00a0", text)
    return re.sub(r" ([–—]) ", "\u00a0\\1 ", text)
