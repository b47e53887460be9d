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
    from markdown_it.token import Token as Token  # re-exported for the import readers

_PARSERS: dict[bool, MarkdownIt] = {}   # made on first use (see _markdown), by html on/off


def _markdown(html: bool = False) -> MarkdownIt:
    """The CommonMark parser with GFM pipe tables (markdown-it-py, imported on first use so
    commands that parse no Markdown start without it). Raw HTML is recognised only in
    documents being imported (``html``), where :class:`_Reader` turns the little it
    accepts into the model and refuses the rest; in clause text it is plain text."""
    if html not in _PARSERS:
        from markdown_it import MarkdownIt
        parser = MarkdownIt("commonmark", {"html": html, "linkify": False, "typographer": False})
        parser.enable("table")
        parser.disable("text_join")  # keep backslash escapes apart so "\{\{" stays literal
        # unsafe schemes are refused with a message, not hidden
        parser.validateLink = lambda url: True  # type: ignore[method-assign]
        _PARSERS[html] = parser
    return _PARSERS[html]

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


_INLINE_HTML = {"i": "em", "em": "em", "b": "strong", "strong": "strong", "a": "link"}
_HTML_TAG = re.compile(r"^<(/?)([A-Za-z][A-Za-z0-9]*)\b([^>]*?)(/?)>$", re.S)
_HTML_HREF = re.compile(r"""\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.I)
_PAGE_BREAK = re.compile(r"^<p\s+style\s*=\s*[\"']\s*page-break-(?:after|before)\s*:\s*always;?\s*[\"']\s*>"
                         r"\s*</p>\s*$", re.I)
_COMMENTS = re.compile(r"^(\s*<!--.*?-->\s*)+$", re.S)


class _Reader:
    """State for one parse: the source lines (for columns) and the problems found.

    Three uses: clause text (strict), a document compared from elsewhere (``lenient``: keep
    every word, refuse nothing), and a document being imported (``importing``: raw HTML is
    recognised, the little a policy uses becomes the model, comments and page breaks are
    left out with a note in ``notes``, and ``{{`` is just text)."""

    def __init__(self, source: str, rel: str, first_line: int, lenient: bool = False,
                 importing: bool = False):
        self.lines = source.split("\n")
        self.rel = rel
        self.first_line = first_line
        self.problems: list[Problem] = []
        self.lenient = lenient
        self.importing = importing
        self.notes: list[str] = []

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
                close = matching(tokens, i)
                items = self.list_items(tokens, i + 1, close)
                if tok.type == "bullet_list_open":
                    out.append(m.BulletList(items))
                else:
                    out.append(m.OrderedList(items, int(tok.attrGet("start") or 1)))
                i = close + 1
            elif tok.type == "table_open":
                close = matching(tokens, i)
                out.append(self.table(tokens, i, close))
                i = close + 1
            elif self.importing and tok.type in ("html_block", "hr"):
                self._imported_aside(tok)
                i += 1
            elif self.importing and tok.type in ("fence", "code_block"):
                lines = [line for line in tok.content.rstrip("\n").split("\n") if line.strip()]
                content: list[m.Inline] = []
                for line in lines:
                    content.extend([m.Code(line), m.LineBreak()])
                if content:
                    out.append(m.Paragraph(tuple(content[:-1])))
                self.notes.append(f"line {self.first_line + (tok.map[0] if tok.map else 0)}: "
                                  "code block imported as code text, line by line")
                i += 1
            elif self.importing and tok.type == "blockquote_open":
                close = matching(tokens, i)
                self.notes.append(f"line {self.first_line + (tok.map[0] if tok.map else 0)}: "
                                  "block quote imported as plain paragraphs")
                out.extend(self.blocks(tokens, i + 1, close))
                i = close + 1
            elif self.lenient:
                i = self._kept(tokens, i, out)
            else:
                reason = _REFUSED_BLOCKS.get(tok.type, f"unsupported markup ({tok.type})")
                self.problem(reason, tok.map[0] if tok.map else 0, tok.markup)
                i = matching(tokens, i) + 1 if tok.nesting == 1 else i + 1
        return tuple(out)

    def _kept(self, tokens: Sequence[Token], i: int, out: list[m.Block]) -> int:
        """A block that clause text may not hold, kept as what a reader sees of it (a
        document compared from elsewhere must not lose words): a heading as a heading, a
        quote's blocks as blocks, code and raw HTML as their text, a rule as a line of
        asterisks. Returns the index after the block."""
        tok = tokens[i]
        close = matching(tokens, i) if tok.nesting == 1 else i
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

    def _imported_aside(self, tok: Token) -> None:
        """What an imported document holds outside its text: HTML comments (licence and
        SPDX lines), page breaks and horizontal rules are left out with a note; any other
        raw HTML block is refused, naming its line."""
        line = self.first_line + (tok.map[0] if tok.map else 0)
        if tok.type == "hr":
            self.notes.append(f"line {line}: horizontal rule left out (the template's headings "
                              "separate the sections)")
        elif _COMMENTS.match(tok.content):
            for comment in re.findall(r"<!--(.*?)-->", tok.content, re.S):
                self.notes.append(f"line {line}: HTML comment left out: {' '.join(comment.split())}")
        elif _PAGE_BREAK.match(tok.content.strip()):
            self.notes.append(f"line {line}: page break left out")
        else:
            first = tok.content.strip().split("\n")[0]
            self.problem(f"raw HTML block '{first[:60]}' cannot be imported; rewrite it as "
                         "Markdown (or delete it)", tok.map[0] if tok.map else 0, first[:10])

    def table(self, tokens: Sequence[Token], start: int, stop: int) -> m.Table:
        """A pipe table: its header cells and rows, each cell inlines (a line break in a
        cell becomes a space, as a pipe table cannot hold one)."""
        rows: list[tuple[m.Cell, ...]] = []
        cells: list[m.Cell] = []
        for i in range(start, stop):
            tok = tokens[i]
            if tok.type == "tr_open":
                cells = []
            elif tok.type == "inline":
                content = self.inlines(tok.children or [], tok.map[0] if tok.map else 0)
                cells.append(m.merge_text(m.Text(" ") if isinstance(n, m.LineBreak) else n
                                          for n in content))
            elif tok.type == "tr_close":
                rows.append(tuple(cells))
        header = rows[0] if rows else ()
        return m.Table("", header, tuple(rows[1:]))

    def list_items(self, tokens: Sequence[Token], start: int, stop: int) -> tuple[tuple[m.Block, ...], ...]:
        items: list[tuple[m.Block, ...]] = []
        i = start
        while i < stop:
            close = matching(tokens, i)  # tokens[i] is list_item_open
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
                if self.importing:
                    out.append(m.Text(tok.content))
                else:
                    out.extend(self.placeholders(tok.content, state["line"]))
            elif kind == "html_inline" and self.importing:
                i = self._inline_html(children, i, stop, state, out)
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
                close = matching(children, i)
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

    def _inline_html(self, children: Sequence[Token], i: int, stop: int, state: dict[str, int],
                     out: list[m.Inline]) -> int:
        """Inline HTML in an imported document: ``<i>``, ``<em>``, ``<b>``, ``<strong>``
        and ``<a href>`` become emphasis and links, ``<br>`` a line break, a comment is
        left out with a note; anything else is refused. Returns the index of the last
        token used."""
        content = children[i].content
        line = state["line"]
        if content.startswith("<!--"):
            self.notes.append(f"line {self.first_line + line}: HTML comment left out: "
                              f"{' '.join(content[4:-3].split())}")
            return i
        tag = _HTML_TAG.match(content.strip())
        name = tag.group(2).lower() if tag else ""
        if tag and name == "br" and not tag.group(1):
            out.append(m.LineBreak())
            return i
        if tag and not tag.group(1) and not tag.group(4) and name in _INLINE_HTML:
            depth, j = 1, i + 1
            while j < stop:
                other = _HTML_TAG.match(children[j].content.strip()) if children[j].type == "html_inline" else None
                if other and other.group(2).lower() == name:
                    depth += -1 if other.group(1) else 1
                    if depth == 0:
                        break
                j += 1
            if j < stop:
                inner, _ = self._inline_run(children, i + 1, j, state)
                inner_t = m.merge_text(inner)
                kind = _INLINE_HTML[name]
                if kind == "em":
                    out.append(m.Emph(inner_t))
                elif kind == "strong":
                    out.append(m.Strong(inner_t))
                else:
                    href = _HTML_HREF.search(tag.group(3))
                    target = html.unescape(next(g for g in href.groups() if g is not None)) if href else ""
                    if target and self.link_ok(target, line):
                        out.append(m.Link(inner_t, target))
                    else:
                        out.extend(inner_t)
                return j
        self.problem(f"raw HTML '{content[:40]}' cannot be imported; only <i>, <em>, <b>, "
                     "<strong>, <a href> and <br> are understood: rewrite it as Markdown",
                     line, content[:10])
        return i

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
        close = matching(tokens, i)
        if tok.type == "heading_open":
            out.append(OutlineEntry("heading", *_span(tok), level=int(tok.tag[1:]),
                                    text=tokens[i + 1].content))
        elif tok.type == "ordered_list_open":
            number = int(tok.attrGet("start") or 1)
            j = i + 1
            while j < close:
                out.append(OutlineEntry("item", *_span(tokens[j]), number=number))
                number += 1
                j = matching(tokens, j) + 1
        elif tok.map:
            out.append(OutlineEntry("block", *_span(tok)))
        i = close + 1
    return out


def _span(tok: Token) -> tuple[int, int]:
    """The 0-based source line range of a block token (markdown-it gives every one its map)."""
    start, end = cast("list[int]", tok.map)
    return start, end


def matching(tokens: Sequence[Token], i: int) -> int:
    """Index of the token closing the one opened at ``i``."""
    depth = 0
    for j in range(i, len(tokens)):
        depth += tokens[j].nesting
        if depth == 0:
            return j
    return len(tokens) - 1


_ASIDE_LINE = re.compile(r"^\s*(<!--.*?-->\s*)+$")


def import_tokens(source: str, env: dict[str, object] | None = None, offset: int = 0) -> list[Token]:
    """A whole document being imported, as markdown-it tokens (raw HTML recognised).

    A page break or comment line directly followed by text (no blank line between) opens
    an HTML block in CommonMark that swallows the text, a heading too; publishing tools
    such as Jekyll read the text as Markdown, and so does the import: the lines after
    the break or comment are parsed on their own (with the document's link references)."""
    env = {} if env is None else env
    tokens = _markdown(html=True).parse(source, env)
    out: list[Token] = []
    for tok in tokens:
        if tok.map:
            tok.map = [tok.map[0] + offset, tok.map[1] + offset]
        if tok.type == "html_block" and tok.map:
            lines = tok.content.rstrip("\n").split("\n")
            head = 0
            while head < len(lines) and (_PAGE_BREAK.match(lines[head].strip())
                                         or _ASIDE_LINE.match(lines[head])):
                head += 1
            if 0 < head < len(lines):
                tok.content = "\n".join(lines[:head]) + "\n"
                start = tok.map[0]
                tok.map = [start, start + head]
                out.append(tok)
                out.extend(import_tokens("\n".join(lines[head:]) + "\n", env, start + head))
                continue
        out.append(tok)
    return out


def import_reader(source: str, rel: str) -> _Reader:
    """A reader for a document being imported (see :class:`_Reader`)."""
    return _Reader(source, rel, 1, importing=True)


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
