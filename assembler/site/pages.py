"""The review site's pages as HTML strings: every value from a workspace (names, clause text,
comments) goes through :func:`html.escape` or the HTML writer, which escapes; no template
engine, no script, no inline style (the site's CSS is ``site.css``, which the
Content-Security-Policy allows). Forms post back to the site, so everything works without
JavaScript: loading a clause's wording, previewing a proposal as a word diff, sending."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from importlib.resources import files as package_files

from assembler.build import worddiff
from assembler.model import nodes as m
from assembler.review.feedback import Item
from assembler.review.vocabulary import DECISIONS
from assembler.writers import html_writer

STYLE = package_files("assembler.site").joinpath("site.css").read_text(encoding="utf-8")


@dataclass
class Draft:
    """What a Section is writing: the form's fields, and the preview of a proposal (HTML)."""

    paragraph: str = ""
    comment: str = ""
    proposed: str = ""
    preview: str = ""


def word_diff(old: str, new: str) -> str:
    """``old`` to ``new`` as a word diff in HTML (escaped text, <ins> and <del>), by the same
    engine as the redlines."""
    return html_writer.inlines(worddiff.diff_inlines((m.Text(old),), (m.Text(new),)))


def page(title: str, body: str, lang: str = "en") -> str:
    return (f'<!DOCTYPE html>\n<html lang="{escape(lang)}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{escape(title)}</title><link rel="stylesheet" href="/site.css"></head>'
            f"<body>{body}</body></html>\n")


def _header(kicker: str, view: dict, line: str) -> str:
    return (f'<header class="site"><div class="inner"><div class="meta">{escape(kicker)}</div>'
            f'<h1>{escape(view["name"])}: {escape(view["document"])} version {view["version"]}</h1>'
            f'<div class="meta">{line}</div></div></header><main>')


def _messages(flash: str, problems: list[str] | None) -> str:
    out = [f'<p class="flash" role="status">{escape(flash)}</p>'] if flash else []
    out += [f'<p class="problem" role="alert">{escape(p)}</p>' for p in problems or []]
    return "".join(out)


def section_page(view: dict, csrf: str, files: list[str], choices: list[tuple[str, str]],
                 changes: str | None, changes_view: str, draft: Draft, flash: str = "",
                 problems: list[str] | None = None) -> str:
    """A Section's page for one round: what is asked and by when, the draft and what changed
    (side by side or inline), the pack, the form to comment or propose wording, and what
    the Section has sent with the editors' decisions."""
    section = view["sections"][0]
    r = escape(view["round"])
    due = f"Responses are due by {escape(view['deadline'])}." if view["deadline"] else "No deadline is set."
    state = "" if view["state"] == "open" else f" This round is {escape(view['state'])} and takes no more feedback."
    parts = [_header(f"{section['name']} · review round", view, due + state), _messages(flash, problems)]
    parts.append('<h2 id="draft">The draft</h2><iframe title="The draft under review" sandbox '
                 f'src="/review/{r}/files/draft.html"></iframe>')
    redlines = [name for name in files if name.startswith("redline-") and name.endswith(".html")]
    if changes is not None and redlines:
        side = changes_view != "inline"
        tabs = ('<nav class="views" aria-label="How to show the changes">'
                + ('<span aria-current="page">Side by side</span>' if side else
                   f'<a href="/review/{r}?changes=side#changes">Side by side</a>')
                + (f'<a href="/review/{r}?changes=inline#changes">Inline</a>' if side else
                   '<span aria-current="page">Inline</span>') + "</nav>")
        shown = (f'<div class="sbs-box" tabindex="0" aria-label="Changes side by side">{changes}</div>' if side else
                 f'<iframe title="Changes inline" sandbox src="/review/{r}/files/{escape(redlines[0])}"></iframe>')
        parts.append(f'<h2 id="changes">What changed since the version you last saw</h2>{tabs}{shown}')
    parts.append(_files(view["round"], files))
    if view["state"] == "open":
        parts.append(_respond_form(r, csrf, choices, draft))
    parts.append("<h2>What your Section has sent</h2>" + items_table(view["items"]) + "</main>")
    return page(f"{view['name']} · {section['name']}", "".join(parts))


def _files(round_id: str, files: list[str]) -> str:
    """The review pack's files, each a download."""
    r = escape(round_id)
    return '<h2>Review pack</h2><ul class="files">' + "".join(
        f'<li><a href="/review/{r}/files/{escape(name)}" download>{escape(name)}</a></li>'
        for name in files) + "</ul>"


def _respond_form(r: str, csrf: str, choices: list[tuple[str, str]], draft: Draft) -> str:
    options = "".join(f'<option value="{escape(value)}"{" selected" if value == draft.paragraph else ""}>'
                      f"{escape(label)}</option>" for value, label in choices)
    preview = (f'<div class="diff" aria-label="Your change to the wording"><div class="meta">Your change, '
               f"word by word:</div>{draft.preview}</div>" if draft.preview else "")
    return (f'<h2 id="respond">Comment or propose new wording</h2>'
            f'<form method="post" action="/review/{r}/feedback#respond">'
            f'<input type="hidden" name="csrf" value="{escape(csrf)}">'
            '<div class="choices"><div><label for="paragraph">Paragraph</label>'
            f'<select id="paragraph" name="paragraph">{options}</select></div>'
            '<button type="submit" name="action" value="load" class="secondary">Edit its wording</button></div>'
            '<label for="comment">Comment</label>'
            f'<textarea id="comment" name="comment" maxlength="50000">{escape(draft.comment)}</textarea>'
            '<label for="proposed">Proposed wording (leave empty to comment only)</label>'
            f'<textarea id="proposed" name="proposed" class="wording" maxlength="50000">{escape(draft.proposed)}</textarea>'
            f"{preview}"
            '<div class="buttons"><button type="submit" name="action" value="preview" class="secondary">'
            'Preview the change</button><button type="submit" name="action" value="send">Send to the editors'
            "</button></div></form>")


def items_table(items: list[dict]) -> str:
    if not items:
        return '<p class="note">Nothing yet.</p>'
    rows = []
    for data in items:
        item = _item(data)
        decision = data.get("decision") or {}
        note = f" — {escape(decision['note'])}" if decision.get("note") else ""
        rows.append(f"<tr><td>{escape(item.id)}</td><td>{escape(item.target)}</td>"
                    f"<td>{escape(item.summary)}</td><td>{_badge(decision)}{note}</td></tr>")
    return ('<table class="items"><thead><tr><th>Item</th><th>Paragraph</th><th>What was sent</th>'
            f"<th>Decision</th></tr></thead><tbody>{''.join(rows)}</tbody></table>")


def _item(data: dict) -> Item:
    return Item.from_data({k: v for k, v in data.items() if k not in ("decision", "diff")})


def _badge(decision: dict) -> str:
    chosen = decision.get("decision")
    return f'<span class="badge {escape(chosen)}">{escape(chosen)}</span>' if chosen else \
        '<span class="badge">not decided yet</span>'


def editor_page(view: dict, csrf: str, order: list[str], files: list[str], flash: str = "",
                problems: list[str] | None = None) -> str:
    """The editors' page for one round: who has answered, every item grouped by the
    paragraph it addresses (in document order, ``order``), a form to decide each, a button
    to write an accepted edit into its clause, and the form that closes the round."""
    waiting = [s["name"] for s in view["sections"] if not s["responded"]]
    answered = len(view["sections"]) - len(waiting)
    line = (f'{answered} of {len(view["sections"])} Sections have answered.'
            + (f" Waiting for: {escape(', '.join(waiting))}." if waiting else ""))
    if view["state"] != "open":
        line += f" This round is {escape(view['state'])}."
    parts = [_header("Editors · review round", view, line), _messages(flash, problems),
             _files(view["round"], files), "<h2>Items</h2>"]
    if not view["items"]:
        parts.append('<p class="note">No Section has sent anything yet.</p>')
    names = {s["id"]: s["name"] for s in view["sections"]}
    rank = {target: n for n, target in enumerate(order)}
    groups: dict[str, list[dict]] = {}
    for data in view["items"]:
        groups.setdefault(data["target"], []).append(data)
    for target in sorted(groups, key=lambda t: (t != "general", rank.get(t, len(rank)), t)):
        title = "General comments" if target == "general" else f"Paragraph {target}"
        parts.append(f"<h3>{escape(title)}</h3>")
        parts += [_editor_item(view, data, csrf, names) for data in groups[target]]
    if view["state"] == "open":
        parts.append(_close_form(view, csrf))
    parts.append("</main>")
    return page(f"{view['name']} · editors", "".join(parts))


def _editor_item(view: dict, data: dict, csrf: str, names: dict[str, str]) -> str:
    item = _item(data)
    r, i = escape(view["round"]), escape(item.id)
    decision = data.get("decision") or {}
    what = "proposes new wording" if item.kind == "edit" else "comments"
    body = f'<p class="text">{escape(item.comment)}</p>' if item.comment else ""
    if item.kind == "edit":
        body += f'<div class="diff" aria-label="Proposed change">{data.get("diff", "")}</div>'
    hidden = f'<input type="hidden" name="csrf" value="{escape(csrf)}"><input type="hidden" name="item" value="{i}">'
    out = [f'<article class="item" id="item-{i}"><p class="meta">{i} · {escape(names.get(item.section, item.section))} '
           f"{what} · {_badge(decision)}</p>{body}"]
    if view["state"] == "open":
        options = ('' if decision else '<option value="" disabled selected>choose</option>') + "".join(
            f'<option value="{d}"{" selected" if decision.get("decision") == d else ""}>{d}</option>'
            for d in DECISIONS)
        out.append(f'<form method="post" action="/review/{r}/decide" class="decide">{hidden}'
                   f'<div><label for="d-{i}">Decision</label><select id="d-{i}" name="decision" required>'
                   f'{options}</select></div><div><label for="n-{i}">Note to the Section</label>'
                   f'<input id="n-{i}" name="note" maxlength="2000" value="{escape(decision.get("note", ""))}"></div>'
                   '<button type="submit">Record</button></form>')
        if item.kind == "edit" and item.proposed and decision.get("decision") in ("accepted", "partly"):
            out.append(f'<form method="post" action="/review/{r}/apply" class="apply">{hidden}'
                       '<div class="buttons"><button type="submit" class="secondary">Write this wording into '
                       "the clause</button></div></form>")
    elif decision.get("note"):
        out.append(f'<p class="note">{escape(decision["note"])}</p>')
    out.append("</article>")
    return "".join(out)


def _close_form(view: dict, csrf: str) -> str:
    undecided = [d["id"] for d in view["items"] if not d.get("decision")]
    force = ("" if not undecided else
             f'<label><input type="checkbox" name="force" value="1"> Close although {len(undecided)} item(s) '
             f'have no decision ({escape(", ".join(undecided))})</label>')
    return (f'<h2 id="close">Close the round</h2><form method="post" action="/review/{escape(view["round"])}/close">'
            f'<input type="hidden" name="csrf" value="{escape(csrf)}">'
            '<p class="note">Assembles the answering version from the clauses as they are now (with the '
            "wording written in above), records the round's redline and disposition table with it, "
            "and takes no more feedback.</p>"
            '<label for="message">Message for the record</label>'
            f'<input id="message" name="message" maxlength="2000" placeholder="Answer round {escape(view["name"])}">'
            f'{force}<div class="buttons"><button type="submit">Close the round</button></div></form>')


def refused_page(message: str) -> str:
    return page("Review link", f'<main><h1>This link does not open a review</h1><p>{escape(message)}</p></main>')
