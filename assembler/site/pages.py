"""The review site's pages as HTML strings: every value from a workspace (names, clause text,
comments) goes through :func:`html.escape`; no template engine, no inline script or style
(the site's CSS is one file of its own, which the Content-Security-Policy allows)."""

from __future__ import annotations

from html import escape

from assembler.review.feedback import Item
from assembler.review.vocabulary import DECISIONS

STYLE = """\
:root { color-scheme: light; --ink: #1a1a1a; --muted: #5f6368; --rule: #d5d8dc; --accent: #1f4e79;
        --ins: #0b6b2e; --del: #a3162b; }
* { box-sizing: border-box; }
body { margin: 0; font: 17px/1.55 "DejaVu Serif", Georgia, serif; color: var(--ink); background: #fafafa; }
header, main { max-width: 60rem; margin: 0 auto; padding: 1rem 1.25rem; }
header { border-bottom: 1px solid var(--rule); background: #fff; max-width: none; padding: 1rem 0; }
header .inner { max-width: 60rem; margin: 0 auto; padding: 0 1.25rem; }
h1 { font-size: 1.5rem; margin: .2rem 0; }
h2 { font: 600 1.05rem/1.3 "DejaVu Sans", Arial, sans-serif; margin: 2rem 0 .6rem; }
.meta, .note, label, th, button, .files a { font-family: "DejaVu Sans", Arial, sans-serif; }
.meta { color: var(--muted); font-size: .9rem; }
.files { display: flex; flex-wrap: wrap; gap: .5rem; padding: 0; list-style: none; }
.files a { display: inline-block; padding: .35rem .7rem; border: 1px solid var(--rule); border-radius: 4px;
           background: #fff; color: var(--accent); text-decoration: none; font-size: .9rem; }
iframe { width: 100%; height: 32rem; border: 1px solid var(--rule); background: #fff; }
form { background: #fff; border: 1px solid var(--rule); padding: 1rem; border-radius: 4px; }
label { display: block; font-size: .9rem; margin: .6rem 0 .2rem; }
input, select, textarea { width: 100%; font: inherit; padding: .45rem; border: 1px solid #aab; border-radius: 3px; }
textarea { min-height: 6rem; }
button { margin-top: .8rem; padding: .55rem 1.1rem; font-size: 1rem; border: 0; border-radius: 4px;
         background: var(--accent); color: #fff; cursor: pointer; }
table { border-collapse: collapse; width: 100%; background: #fff; font-size: .95rem; }
th, td { text-align: start; vertical-align: top; padding: .45rem; border-bottom: 1px solid var(--rule); }
th { font-size: .85rem; color: var(--muted); }
.flash { background: #e7f3ea; border-left: 4px solid var(--ins); padding: .6rem .9rem; }
form.item { margin-bottom: 1rem; }
.problem { background: #fbeaec; border-left: 4px solid var(--del); padding: .6rem .9rem; }
@media (max-width: 40rem) { body { font-size: 16px; } iframe { height: 24rem; } th:nth-child(3), td:nth-child(3) { display: none; } }
@media print { header, form, .files, iframe { display: none; } body { background: #fff; } }
"""


def page(title: str, body: str, lang: str = "en") -> str:
    return (f'<!DOCTYPE html>\n<html lang="{escape(lang)}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{escape(title)}</title><link rel="stylesheet" href="/site.css"></head>'
            f"<body>{body}</body></html>\n")


def section_page(view: dict, csrf: str, files: list[str], flash: str = "", problems: list[str] | None = None) -> str:
    """A Section's page for one round: what is asked and by when, the draft and the changes,
    the pack to download, the form to comment or propose, and what the Section has sent."""
    section = view["sections"][0]
    due = f"Responses are due by {escape(view['deadline'])}." if view["deadline"] else "No deadline is set."
    state = "" if view["state"] == "open" else f" This round is {escape(view['state'])} and takes no more feedback."
    parts = [f'<header><div class="inner"><div class="meta">{escape(section["name"])} · review round</div>'
             f'<h1>{escape(view["name"])}: {escape(view["document"])} version {view["version"]}</h1>'
             f'<div class="meta">{due}{state}</div></div></header><main>']
    if flash:
        parts.append(f'<p class="flash" role="status">{escape(flash)}</p>')
    for problem in problems or []:
        parts.append(f'<p class="problem" role="alert">{escape(problem)}</p>')
    parts.append('<h2>The draft</h2><iframe title="The draft under review" sandbox '
                 f'src="/review/{escape(view["round"])}/files/draft.html"></iframe>')
    redlines = [name for name in files if name.startswith("redline-") and name.endswith(".html")]
    if redlines:
        parts.append('<h2>What changed since the version you last saw</h2><iframe title="Changes" sandbox '
                     f'src="/review/{escape(view["round"])}/files/{escape(redlines[0])}"></iframe>')
    parts.append('<h2>Review pack</h2><ul class="files">' + "".join(
        f'<li><a href="/review/{escape(view["round"])}/files/{escape(name)}" download>{escape(name)}</a></li>'
        for name in files) + "</ul>")
    if view["state"] == "open":
        parts.append(
            f'<h2>Send a comment or new wording</h2><form method="post" action="/review/{escape(view["round"])}/feedback">'
            f'<input type="hidden" name="csrf" value="{escape(csrf)}">'
            '<label for="paragraph">Paragraph (its number, or General)</label>'
            '<input id="paragraph" name="paragraph" required maxlength="80" placeholder="4">'
            '<label for="comment">Comment</label><textarea id="comment" name="comment" maxlength="50000"></textarea>'
            '<label for="proposed">Proposed wording (leave empty to comment only)</label>'
            '<textarea id="proposed" name="proposed" maxlength="50000"></textarea>'
            '<button type="submit">Send to the editors</button></form>')
    parts.append("<h2>What your Section has sent</h2>" + items_table(view["items"]) + "</main>")
    return page(f"{view['name']} · {section['name']}", "".join(parts))


def items_table(items: list[dict]) -> str:
    if not items:
        return '<p class="note">Nothing yet.</p>'
    rows = []
    for data in items:
        item = Item.from_data({k: v for k, v in data.items() if k != "decision"})
        decision = data.get("decision") or {}
        decided = decision.get("decision") or "not decided yet"
        note = f" — {escape(decision['note'])}" if decision.get("note") else ""
        rows.append(f"<tr><td>{escape(item.id)}</td><td>{escape(item.target)}</td>"
                    f"<td>{escape(item.summary)}</td><td>{escape(str(decided))}{note}</td></tr>")
    return ('<table><thead><tr><th>Item</th><th>Paragraph</th><th>What was sent</th><th>Decision</th></tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>")


def editor_page(view: dict, csrf: str, flash: str = "", problems: list[str] | None = None) -> str:
    """The editors' page for one round: who has answered, and every item with a form to
    decide it (accepted, partly, rejected, noted, with a note)."""
    waiting = [s["name"] for s in view["sections"] if not s["responded"]]
    parts = [f'<header><div class="inner"><div class="meta">Editors · review round</div>'
             f'<h1>{escape(view["name"])}: {escape(view["document"])} version {view["version"]}</h1>'
             f'<div class="meta">{len(view["sections"]) - len(waiting)} of {len(view["sections"])} Sections '
             f'have answered.{" Waiting for: " + escape(", ".join(waiting)) + "." if waiting else ""}</div>'
             "</div></header><main>"]
    if flash:
        parts.append(f'<p class="flash" role="status">{escape(flash)}</p>')
    for problem in problems or []:
        parts.append(f'<p class="problem" role="alert">{escape(problem)}</p>')
    parts.append("<h2>Items</h2>")
    if not view["items"]:
        parts.append('<p class="note">No Section has sent anything yet.</p>')
    for data in view["items"]:
        item = Item.from_data({k: v for k, v in data.items() if k != "decision"})
        decision = data.get("decision") or {}
        options = ('' if decision else '<option value="" disabled selected>not decided yet: choose</option>') + "".join(
            f'<option value="{d}"{" selected" if decision.get("decision") == d else ""}>{d}</option>' for d in DECISIONS)
        proposed = f"<p><b>Proposes:</b> {escape(item.proposed)}</p>" if item.proposed else ""
        parts.append(
            f'<form method="post" action="/review/{escape(view["round"])}/decide" class="item">'
            f'<p class="meta">{escape(item.id)} · paragraph {escape(item.target)} · {escape(item.kind)}</p>'
            f"<p>{escape(item.comment)}</p>{proposed}"
            f'<input type="hidden" name="csrf" value="{escape(csrf)}">'
            f'<input type="hidden" name="item" value="{escape(item.id)}">'
            f'<label for="d-{escape(item.id)}">Decision</label><select id="d-{escape(item.id)}" name="decision" required>{options}</select>'
            f'<label for="n-{escape(item.id)}">Note to the Section</label>'
            f'<input id="n-{escape(item.id)}" name="note" maxlength="2000" value="{escape(decision.get("note", ""))}">'
            '<button type="submit">Record the decision</button></form>')
    parts.append("</main>")
    return page(f"{view['name']} · editors", "".join(parts))


def refused_page(message: str) -> str:
    return page("Review link", f'<main><h1>This link does not open a review</h1><p>{escape(message)}</p></main>')
