"""Document -> one self-contained, semantic, accessible HTML page.

No external resources, no scripts: one inline stylesheet (screen and print). Numbered
clauses are an ``<ol>`` whose items show the document's own numbers (4, 4.2). Every text
run and attribute is escaped; only http, https, mailto and in-page links become links.
"""

from __future__ import annotations

from html import escape

from assembler.model import nodes as m
from assembler.version import TOOL_NAME, __version__
from assembler.writers.options import RenderOptions, language, right_to_left

RTL_ATTRIBUTE = ' dir="rtl"'   # on <html>, for a language written right to left
from assembler.writers.redline_text import (
    LEGEND,
    PILCROW,
    clause_note,
    heading,
    heading_note,
    link_note,
    list_note,
    summary_lines,
)

STYLE = """
:root { --ink: #1a1a1a; --muted: #5f6368; --rule: #d5d8dc; --link: #1f4e79; }
html { font-family: "DejaVu Serif", Cambria, Georgia, serif; color: var(--ink); background: #fff; }
body { max-width: 44rem; margin: 2.5rem auto 4rem; padding: 0 1.25rem; line-height: 1.55;
       font-size: 1.02rem; }
header.document { border-bottom: 1px solid var(--rule); margin-bottom: 1.5rem; }
h1 { font-size: 1.7rem; line-height: 1.25; margin: 0 0 .4rem; }
h2 { font-size: 1.2rem; margin: 1.8rem 0 .6rem; }
h3, h4, h5, h6 { font-size: 1.05rem; margin: 1.4rem 0 .5rem; }
.meta, footer { font-family: "DejaVu Sans", Calibri, Arial, sans-serif; font-size: .8rem;
                color: var(--muted); }
.meta { margin: 0 0 1rem; }
p { margin: 0 0 .6rem; text-align: justify; hyphens: auto; }
ol.clauses { list-style: none; padding: 0; margin: 0 0 .8rem; }
ol.clauses > li { display: grid; grid-template-columns: 2.6rem 1fr; margin-bottom: .45rem; }
ol.clauses ol.clauses { grid-column: 2; margin-top: .4rem; }
ol.clauses ol.clauses > li { grid-template-columns: 3.2rem 1fr; }
.num { grid-column: 1; font-variant-numeric: tabular-nums; }
.clause-body { grid-column: 2; }
.clause-body > :last-child { margin-bottom: 0; }
a { color: var(--link); }
code { font-family: "DejaVu Sans Mono", Consolas, monospace; font-size: .9em; }
footer { border-top: 1px solid var(--rule); margin-top: 2.5rem; padding-top: .6rem; }
@media print {
  @page { size: A4; margin: 24mm 25mm; }
  body { max-width: none; margin: 0; padding: 0; font-size: 10.5pt; }
  a { color: inherit; text-decoration: none; }
  h2, h3 { break-after: avoid; }
  ol.clauses > li { break-inside: avoid-page; }
}
"""


TABLE_STYLE = """
body:has(table.report) { max-width: 60rem; }
table.report { border-collapse: collapse; width: 100%; margin: 1rem 0 1.5rem; font-size: .85rem;
               font-family: "DejaVu Sans", Calibri, Arial, sans-serif; }
table.report caption { text-align: left; font-weight: bold; font-size: 1.05rem; padding: .4rem 0; }
table.report th { text-align: left; border-bottom: 2px solid var(--ink); padding: .3rem .4rem; }
table.report td { vertical-align: top; border-bottom: 1px solid var(--rule); padding: .3rem .4rem; }
@media print { table.report tr { break-inside: avoid; } }
"""


REDLINE_STYLE = """
ins { color: #0b6b2e; text-decoration: underline; text-decoration-thickness: 1.5px; background: #e8f5ec; }
del { color: #a3162b; text-decoration: line-through; background: #fbeaec; }
a.relinked { text-decoration: underline dotted #c77c02; text-decoration-thickness: 2px; }
.changed { border-left: 3px solid #c77c02; padding-left: .5rem; margin-left: -.8rem; }
.note { font-family: "DejaVu Sans", Calibri, Arial, sans-serif; font-size: .8rem; color: #c77c02; }
section.summary { border: 1px solid var(--rule); padding: .4rem 1rem; margin-bottom: 1.5rem; }
section.summary h2 { font-size: 1rem; margin-top: .6rem; }
.legend { font-size: .85rem; color: var(--muted); }
"""


def inlines(nodes: tuple[m.Inline, ...]) -> str:
    out: list[str] = []
    for node in nodes:
        if isinstance(node, m.Text):
            out.append(escape(node.text, quote=False))
        elif isinstance(node, m.Emph):
            out.append(f"<em>{inlines(node.content)}</em>")
        elif isinstance(node, m.Strong):
            out.append(f"<strong>{inlines(node.content)}</strong>")
        elif isinstance(node, m.Code):
            out.append(f"<code>{escape(node.text, quote=False)}</code>")
        elif isinstance(node, m.Link):
            if node.target.startswith(("http://", "https://", "mailto:", "#")) and node.target != "#":
                changed = ' class="relinked"' if node.old_target is not None else ""
                out.append(f'<a href="{escape(node.target)}"{changed}>{inlines(node.content)}</a>')
            else:
                out.append(inlines(node.content))
            if node.old_target is not None:
                out.append(f' <span class="note">[{escape(link_note(node))}]</span>')
        elif isinstance(node, m.LineBreak):
            out.append("<br>")
        elif isinstance(node, m.Ref):
            label = escape(node.label or node.target, quote=False)
            out.append(f'<a href="#clause-{escape(node.target)}">{label}</a>')
        elif isinstance(node, m.Var):
            out.append(escape("{{ %s }}" % node.name, quote=False))
        elif isinstance(node, m.Ins):
            out.append(f"<ins>{inlines(node.content)}</ins>")
        elif isinstance(node, m.Del):
            out.append(f"<del>{inlines(node.content)}</del>")
    return "".join(out)


def _whole(change, html: str) -> str:
    if change == m.INSERTED:
        return f"<ins>{html}</ins>"
    if change in (m.DELETED, m.MOVED_AWAY):
        return f"<del>{html}</del>"
    return html


def _changed_attr(change) -> str:
    return f' class="changed {change}"' if change else ""


def blocks(nodes, out: list[str], inherited=None) -> None:
    for node in nodes:
        block(node, out, inherited)


def block(node: m.Block, out: list[str], inherited=None) -> None:
    change = getattr(node, "change", None) or inherited
    if isinstance(node, m.Paragraph):
        mark = {m.INSERTED: f'<ins class="pilcrow">{PILCROW}</ins>',
                m.DELETED: f'<del class="pilcrow">{PILCROW}</del>'}.get(node.break_change, "")
        change_attr = _changed_attr(change or ("restructured" if mark else None))
        out.append(f"<p{change_attr}>{_whole(change, inlines(node.content))}{mark}</p>")
    elif isinstance(node, m.Heading):
        level = min(max(node.level, 2), 6)
        note = (f' <span class="note">[{escape(heading_note(node))}]</span>'
                if node.old_level is not None else "")
        out.append(f"<h{level}{_changed_attr(change or ('restructured' if note else None))}>"
                   f"{_whole(change, inlines(node.content))}{note}</h{level}>")
    elif isinstance(node, m.Clause):
        out.append(f'<section class="clause" id="clause-{escape(node.id)}">')
        blocks(node.blocks, out, _whole_change(node))
        out.append("</section>")
    elif isinstance(node, m.ClauseList):
        out.append(f'<ol class="clauses" start="{node.start}">')
        for clause in node.items:
            if clause.change == m.MOVED_AWAY:
                continue
            number = escape(clause.number or clause.old_number or "")
            note = clause_note(clause)
            note_html = f'<span class="note">{escape(note)}</span> ' if note else ""
            anchor = "" if clause.change == m.DELETED else f' id="clause-{escape(clause.id)}"'
            out.append(f'<li{anchor}{_changed_attr(clause.change)}><span class="num">'
                       f'{number}.</span><div class="clause-body">{note_html}')
            blocks(clause.blocks, out, _whole_change(clause))
            out.append("</div></li>")
        out.append("</ol>")
    elif isinstance(node, m.Table):
        out.append(_table(node))
    elif isinstance(node, (m.BulletList, m.OrderedList)):
        note = list_note(node)
        if note:
            out.append(f'<p class="note changed">[{escape(note)}]</p>')
        items = "".join(_item(item, change) for item in node.items)
        if isinstance(node, m.BulletList):
            out.append("<ul>" + items + "</ul>")
        else:
            out.append(f'<ol start="{node.start}">' + items + "</ol>")


def _table(table: m.Table) -> str:
    head = "".join(f"<th>{_cell(cell)}</th>" for cell in table.header)
    marks = table.row_changes or (None,) * len(table.rows)
    rows = "".join(f"<tr{_changed_attr(mark)}>" + "".join(f"<td>{_cell(cell)}</td>" for cell in row)
                   + "</tr>" for row, mark in zip(table.rows, marks))
    caption = f"<caption>{escape(table.caption)}</caption>" if table.caption else ""
    return (f'<table class="report">{caption}<thead><tr>{head}</tr></thead>'
            f"<tbody>{rows}</tbody></table>")


def _cell(cell: m.Cell) -> str:
    return escape(cell, quote=False) if isinstance(cell, str) else inlines(cell)


def _whole_change(clause: m.Clause):
    return clause.change if clause.change in (m.INSERTED, m.DELETED) else None


def _item(item, inherited=None) -> str:
    inner: list[str] = []
    blocks(item, inner, inherited)
    return "<li>" + "".join(inner) + "</li>"


def _redline_summary(doc: m.Document, options: RenderOptions) -> list[str]:
    info = options.redline
    lines = summary_lines(info)
    out = ['<section class="summary" aria-label="Summary of changes">',
           f"<h2>{escape(heading(doc.id, info))}</h2>", "<ul>"]
    out.extend(f"<li>{escape(line)}</li>" for line in lines)
    out += ["</ul>", f'<p class="legend">{escape(LEGEND)} Example: <ins>inserted</ins>, '
            "<del>deleted</del>.</p>", "</section>"]
    return out


def write(doc: m.Document, options: RenderOptions | None = None) -> bytes:
    """The document as a UTF-8 HTML page."""
    options = options or RenderOptions()
    title = m.plain_text(doc.title)
    meta = options.meta_line(doc)
    body: list[str] = []
    if options.redline is not None:
        body.extend(_redline_summary(doc, options))
    blocks(doc.blocks, body)
    keywords = ", ".join(k for k in (doc.id, f"v{options.version}" if options.version else "preview",
                                     options.status_label) if k)
    page = [
        "<!DOCTYPE html>",
        f'<html lang="{escape(language(doc))}"{RTL_ATTRIBUTE if right_to_left(doc) else ""}>',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title>",
        f'<meta name="generator" content="{TOOL_NAME} {__version__}">',
        f'<meta name="keywords" content="{escape(keywords)}">',
        f'<meta name="author" content="{escape(options.author)}">' if options.author else "",
        f"<style>{STYLE}{REDLINE_STYLE if options.redline else ''}"
        f"{TABLE_STYLE if any(isinstance(b, m.Table) for b in doc.blocks) else ''}</style>",
        "</head>",
        "<body>",
        '<header class="document">',
        f"<h1>{inlines(doc.title)}</h1>",
        f'<p class="meta">{escape(meta)}</p>',
        "</header>",
        "<main>",
        *body,
        "</main>",
        f"<footer>{escape(options.provenance(doc))}</footer>",
        "</body>",
        "</html>",
    ]
    return ("\n".join(line for line in page if line) + "\n").encode("utf-8")
