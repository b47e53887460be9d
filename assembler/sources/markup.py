"""Clause markup -> model blocks and inlines (markdown-it-py lives here and nowhere else).

Clause bodies are CommonMark with raw HTML switched off, so ``<b>`` or ``</para>`` in a
clause is text, never markup. Two placeholders are recognised in text, and only there:
``{{ name }}`` (a variable) and ``{{ ref:clause-id }}`` (a cross-reference). A literal
brace pair is written ``\\{\\{``. Headings, images, code blocks and quotes are refused with
a pointer to the place: documents get their structure from templates.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast
from urllib.parse import urlsplit

from assembler.errors import Problem
from assembler.model import nodes as m

if TYPE_CHECKING:
    from collections.abc import Sequence

    from markdown_it import MarkdownIt
    from markdown_it.token import Token

_PARSER: list[MarkdownIt] = []   # the one markdown-it parser, made on first use (see _markdown)


def _markdown() -> MarkdownIt:
    """The CommonMark parser (markdown-it-py, imported on first use so commands that parse
    no Markdown start without it)."""
    if not _PARSER:
        from markdown_it import MarkdownIt
        parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
        parser.disable("text_join")  # keep backslash escapes apart so "\{\{" stays literal
        # unsafe schemes are refused with a message, not hidden
        parser.validateLink = lambda url: True  # type: ignore[method-assign]
        _PARSER.append(parser)
    return _PARSER[0]

PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}", re.S)
VARIABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
REF = re.compile(r"^ref\s*:\s*(\S+)$")
CLAUSE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
SAFE_SCHEMES = {"http", "https", "mailto"}

_REFUSED_BLOCKS = {
    "heading_open": "headings are not allowed in clause text; put headings in the template "
                    "('- heading: ...')",
    "blockquote_open": "block quotes are not supported in clause text",
    "fence": "code blocks are not supported in clause text",
    "code_block": "indented code blocks are not supported in clause text; remove the "
                  "leading spaces",
    "hr": "horizontal rules are not supported in clause text",
    "html_block": "raw HTML is not supported in clause text",
}


class _Reader:
    """State for one parse: the source lines (for columns) and the problems found."""

    def __init__(self, source: str, rel: str, first_line: int, lenient: bool = False):
        self.lines = source.split("\n")
        self.rel = rel
        self.first_line = first_line
        self.problems: list[Problem] = []
        self.lenient = lenient  # a document from elsewhere: keep every word, refuse nothing

    def problem(self, message: str, line_index: int, needle: str = "", rule: str = "PA130") -> None:
        column = 0
        if 0 <= line_index < len(self.lines) and needle:
            found = self.lines[line_index].find(needle)
            column = found + 1 if found >= 0 else 0
        self.problems.append(Problem(self.rel, message, self.first_line + line_index, column, rule))

    # -------------------------------------------------------- blocks

    def blocks(self, tokens: Sequence[Token], start: int, stop: int) -> tuple[m.Block, ...]:
        out: list[m.Block] = []
        i = start
        while i < stop:
            tok = tokens[i]
            if tok.type == "paragraph_open":
                inline = tokens[i + 1]
                out.append(m.Paragraph(self.inlines(inline.children or [], _span(tok)[0])))
                i += 3
            elif tok.type in ("bullet_list_open", "ordered_list_open"):
                close = _matching(tokens, i)
                items = self.list_items(tokens, i + 1, close)
                if tok.type == "bullet_list_open":
                    out.append(m.BulletList(items))
                else:
                    out.append(m.OrderedList(items, int(tok.attrGet("start") or 1)))
                i = close + 1
            elif self.lenient:
                i = self._kept(tokens, i, out)
            else:
                reason = _REFUSED_BLOCKS.get(tok.type, f"unsupported markup ({tok.type})")
                self.problem(reason, tok.map[0] if tok.map else 0, tok.markup)
                i = _matching(tokens, i) + 1 if tok.nesting == 1 else i + 1
        return tuple(out)

    def _kept(self, tokens: Sequence[Token], i: int, out: list[m.Block]) -> int:
        """A block that clause text may not hold, kept as what a reader sees of it (a
        document compared from elsewhere must not lose words): a heading as a heading, a
        quote's blocks as blocks, code and raw HTML as their text, a rule as a line of
        asterisks. Returns the index after the block."""
        tok = tokens[i]
        close = _matching(tokens, i) if tok.nesting == 1 else i
        if tok.type == "heading_open":
            out.append(m.Heading(int(tok.tag[1:]), self.inlines(tokens[i + 1].children or [],
                                                                tok.map[0] if tok.map else 0)))
        elif tok.type == "blockquote_open":
            out.extend(self.blocks(tokens, i + 1, close))
        elif tok.type in ("fence", "code_block"):
            out.append(m.Paragraph((m.Code(tok.content.rstrip("\n")),)))
        elif tok.type == "html_block":
            visible = " ".join(_visible_html_text(tok.content).split())
            if visible:
                out.append(m.Paragraph((m.Text(visible),)))
        elif tok.type == "hr":
            out.append(m.Paragraph((m.Text("* * *"),)))
        return close + 1

    def list_items(self, tokens: Sequence[Token], start: int, stop: int) -> tuple[tuple[m.Block, ...], ...]:
        items: list[tuple[m.Block, ...]] = []
        i = start
        while i < stop:
            close = _matching(tokens, i)  # tokens[i] is list_item_open
            items.append(self.blocks(tokens, i + 1, close))
            i = close + 1
        return tuple(items)

    # -------------------------------------------------------- inlines

    def inlines(self, children: Sequence[Token], line_index: int) -> tuple[m.Inline, ...]:
        state = {"line": line_index}
        nodes, _ = self._inline_run(children, 0, len(children), state)
        return m.merge_text(nodes)

    def _inline_run(self, children: Sequence[Token], i: int, stop: int,
                    state: dict[str, int]) -> tuple[list[m.Inline], int]:
        out: list[m.Inline] = []
        while i < stop:
            tok = children[i]
            kind = tok.type
            if kind == "text":
                out.extend(self.placeholders(tok.content, state["line"]))
            elif kind == "text_special":
                out.append(m.Text(tok.content))
            elif kind == "softbreak":
                out.append(m.Text(" "))
                state["line"] += 1
            elif kind == "hardbreak":
                out.append(m.LineBreak())
                state["line"] += 1
            elif kind == "code_inline":
                out.append(m.Code(tok.content))
            elif kind in ("em_open", "strong_open", "link_open"):
                close = _matching(children, i)
                inner, _ = self._inline_run(children, i + 1, close, state)
                inner_t = m.merge_text(inner)
                if kind == "em_open":
                    out.append(m.Emph(inner_t))
                elif kind == "strong_open":
                    out.append(m.Strong(inner_t))
                else:
                    href = str(tok.attrGet("href") or "")
                    if self.link_ok(href, state["line"]):
                        out.append(m.Link(inner_t, href))
                    else:
                        out.extend(inner_t)
                i = close
            elif kind == "image" and self.lenient:
                out.append(m.Text(tok.content or "[image]"))
            elif kind == "image":
                self.problem("images are not supported in clause text", state["line"], "![")
            else:
                self.problem(f"unsupported markup ({kind})", state["line"], tok.markup)
            i += 1
        return out, i

    def link_ok(self, href: str, line_index: int) -> bool:
        scheme = urlsplit(href).scheme.lower() if ":" in href else ""
        if scheme and scheme not in SAFE_SCHEMES:
            self.problem(f"link target '{href}' uses the scheme '{scheme}:'; only http, https, "
                         "mailto and '#' links are allowed", line_index, href[:10])
            return False
        return True

    def placeholders(self, text: str, line_index: int) -> list[m.Inline]:
        """Split ``text`` into Text, Var and Ref nodes; report malformed placeholders."""
        out: list[m.Inline] = []
        pos = 0
        for match in PLACEHOLDER.finditer(text):
            out.append(m.Text(text[pos: match.start()]))
            here = line_index + text.count("\n", 0, match.start())
            line_no = self.first_line + here
            column = self._column(here, match.group(0))
            inner = match.group(1).strip()
            ref = REF.match(inner)
            if ref and CLAUSE_ID.match(ref.group(1)):
                out.append(m.Ref(ref.group(1), None, line_no, column))
            elif VARIABLE_NAME.match(inner):
                out.append(m.Var(inner, line_no, column))
            else:
                self.problem(f"malformed placeholder '{match.group(0)}'; write "
                             "'{{ variable_name }}' or '{{ ref:clause-id }}' (a literal brace "
                             "pair is written '\\{\\{')", here, match.group(0), "PA131")
                out.append(m.Text(match.group(0)))
            pos = match.end()
        rest = text[pos:]
        if "{{" in rest:
            self.problem("'{{' without a closing '}}'; close the placeholder or write a "
                         "literal brace pair as '\\{\\{'", line_index, "{{", "PA131")
        out.append(m.Text(rest))
        return out

    def _column(self, line_index: int, needle: str) -> int:
        if 0 <= line_index < len(self.lines):
            found = self.lines[line_index].find(needle)
            return found + 1 if found >= 0 else 0
        return 0


@dataclass(frozen=True)
class OutlineEntry:
    """A top-level piece of a Markdown document: ``kind`` is heading, item or block;
    ``start``/``end`` are its 0-based source line range."""

    kind: str
    start: int
    end: int
    level: int = 0
    number: int = 0
    text: str = ""


def outline(source: str) -> list[OutlineEntry]:
    """The top-level headings, numbered-list items and other blocks of ``source``, in order."""
    tokens = _markdown().parse(source)
    out: list[OutlineEntry] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        close = _matching(tokens, i)
        if tok.type == "heading_open":
            out.append(OutlineEntry("heading", *_span(tok), level=int(tok.tag[1:]),
                                    text=tokens[i + 1].content))
        elif tok.type == "ordered_list_open":
            number = int(tok.attrGet("start") or 1)
            j = i + 1
            while j < close:
                out.append(OutlineEntry("item", *_span(tokens[j]), number=number))
                number += 1
                j = _matching(tokens, j) + 1
        elif tok.map:
            out.append(OutlineEntry("block", *_span(tok)))
        i = close + 1
    return out


def _span(tok: Token) -> tuple[int, int]:
    """The 0-based source line range of a block token (markdown-it gives every one its map)."""
    start, end = cast("list[int]", tok.map)
    return start, end


def _matching(tokens: Sequence[Token], i: int) -> int:
    """Index of the token closing the one opened at ``i``."""
    depth = 0
    for j in range(i, len(tokens)):
        depth += tokens[j].nesting
        if depth == 0:
            return j
    return len(tokens) - 1


def parse_blocks(source: str, rel: str, first_line: int = 1,
                 lenient: bool = False) -> tuple[tuple[m.Block, ...], list[Problem]]:
    """Parse a clause body into blocks; ``first_line`` is the body's line in ``rel``.
    ``lenient`` keeps what clause text may not hold (see ``_Reader._kept``)."""
    reader = _Reader(source, rel, first_line, lenient)
    tokens = _markdown().parse(source)
    return reader.blocks(tokens, 0, len(tokens)), reader.problems


def parse_inline(source: str, rel: str, line: int) -> tuple[tuple[m.Inline, ...], list[Problem]]:
    """Parse one line of inline markup (a title or heading) into inlines."""
    reader = _Reader(source, rel, line)
    tokens = _markdown().parseInline(source)
    children = tokens[0].children if tokens else []
    return reader.inlines(children or [], 0), reader.problems


def markdown_document(source: str, doc_id: str) -> m.Document:
    """A canonical Markdown file the toolkit wrote, read back for comparison.

    Such a file has no clause identities: the level-1 heading is the title, other headings
    stay headings, and every top-level numbered item becomes its blocks (the item's number
    left out, so renumbering is no change). Any other Markdown is read too, without
    refusing anything (a policy written elsewhere, compared with ``redline --files``): no
    word of either file may be lost to the comparison.
    """
    lines = source.split("\n")
    title: tuple[m.Inline, ...] = ()
    blocks: list[m.Block] = []
    for entry in outline(source):
        chunk = "\n".join(lines[entry.start: entry.end])
        if entry.kind == "heading":
            content, _ = parse_inline(entry.text, doc_id, entry.start + 1)
            if entry.level == 1 and not title:
                title = content
            else:
                blocks.append(m.Heading(entry.level, content))
            continue
        if entry.kind == "item":
            chunk = _item_body(chunk)
        parsed, _ = parse_blocks(chunk, doc_id, entry.start + 1, lenient=True)
        blocks.extend(parsed)
    origin = m.Origin("file", doc_id, doc_id, "")
    return m.Document(doc_id, title, tuple(blocks), origin)


def _visible_html_text(markup: str) -> str:
    """What a reader sees of raw HTML: comments and tags gone, entities decoded. Only for
    comparing documents: the text is data, never rendered as markup."""
    text = re.sub(r"<!--.*?-->", " ", markup, flags=re.S)
    return html.unescape(re.sub(r"<[^>]*>", " ", text))


def _item_body(chunk: str) -> str:
    """A numbered item's text without its number, continuation lines dedented by the
    marker's width (so lists nested in the item stay nested)."""
    marker = re.match(r"^\s*\d+[.)][ \t]*", chunk)
    width = len(marker.group(0)) if marker else 0
    lines = chunk.split("\n")
    rest = [line[width:] if line[:width].strip() == "" else line.lstrip() for line in lines[1:]]
    return "\n".join([lines[0][width:]] + rest)
