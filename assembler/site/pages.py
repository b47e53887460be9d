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
from assembler.site.messages import direction, words
from assembler.writers import html_writer

STYLE = package_files("assembler.site").joinpath("site.css").read_text(encoding="utf-8")


@dataclass
class Draft:
    """What a Section is writing: the form's fields, and the preview of a proposal (HTML)."""

    paragraph: str = ""
    comment: str = ""
    proposed: str = ""
    preview: str = ""
    comment_only: bool = False    # previewed without proposed wording


def word_diff(old: str, new: str) -> str:
    """``old`` to ``new`` as a word diff in HTML (escaped text, <ins> and <del>), by the same
    engine as the redlines."""
    return html_writer.inlines(worddiff.diff_inlines((m.Text(old),), (m.Text(new),)))


def page(title: str, body: str, lang: str = "en") -> str:
    dir_ = ' dir="rtl"' if direction(lang) == "rtl" else ""
    return (f'<!DOCTYPE html>\n<html lang="{escape(lang)}"{dir_}><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{escape(title)}</title><link rel="stylesheet" href="/site.css"></head>'
            f"<body>{body}</body></html>\n")


def _header(kicker: str, view: dict, line: str, t=words("en")) -> str:
    title = t("{document} version {version}", document=view["document"], version=view["version"])
    return (f'<header class="site"><div class="inner"><div class="meta">{escape(kicker)}</div>'
            f'<h1><bdi>{escape(view["name"])}</bdi>: {escape(title)}</h1>'
            f'<div class="meta">{line}</div></div></header><main>')


def _messages(flash: str, problems: list[str] | None) -> str:
    out = [f'<p class="flash" role="status">{escape(flash)}</p>'] if flash else []
    out += [f'<p class="problem" role="alert">{escape(p)}</p>' for p in problems or []]
    return "".join(out)


def section_page(view: dict, csrf: str, files: list[str], choices: list[tuple[str, str]],
                 changes: str | None, changes_view: str, draft: Draft, flash: str = "",
                 problems: list[str] | None = None, lang: str = "en",
                 document_language: tuple[str, str] = ("en", "ltr")) -> str:
    """A Section's page for one round, in ``lang``: what is asked and by when, the draft and
    what changed (side by side or inline), the pack, the form to comment or propose wording,
    and what the Section has sent with the editors' decisions. The document's own text keeps
    its language and direction (``document_language``) inside a page in another."""
    t = words(lang)
    text_lang = f' lang="{escape(document_language[0])}" dir="{escape(document_language[1])}"'
    section = view["sections"][0]
    r = escape(view["round"])
    date = view["deadline"] if direction(lang) == "ltr" else f"\u2066{view['deadline']}\u2069"   # 2026-12-01 stays
    due = t("Responses are due by {date}.", date=date) if view["deadline"] else t("No deadline is set.")
    state = "" if view["state"] == "open" else " " + t("This round is {state} and takes no more feedback.",
                                                      state=t(view["state"]))
    parts = [_header(f"{section['name']} · {t('review round')}", view, escape(due + state), t),
             _messages(flash, problems)]
    parts.append(f'<h2 id="draft">{escape(t("The draft"))}</h2><iframe title="{escape(t("The draft under review"))}" '
                 f'sandbox src="/review/{r}/files/draft.html"></iframe>')
    redlines = [name for name in files if name.startswith("redline-") and name.endswith(".html")]
    if changes is not None and redlines:
        side = changes_view != "inline"
        both, inline = escape(t("Side by side")), escape(t("Inline"))
        tabs = (f'<nav class="views" aria-label="{escape(t("How to show the changes"))}">'
                + (f'<span aria-current="page">{both}</span>' if side else
                   f'<a href="/review/{r}?changes=side#changes">{both}</a>')
                + (f'<a href="/review/{r}?changes=inline#changes">{inline}</a>' if side else
                   f'<span aria-current="page">{inline}</span>') + "</nav>")
        shown = (f'<div class="sbs-box" tabindex="0" aria-label="{escape(t("Changes side by side"))}"{text_lang}>'
                 f'{changes}</div>'
                 if side else f'<iframe title="{escape(t("Changes inline"))}" sandbox '
                 f'src="/review/{r}/files/{escape(redlines[0])}"></iframe>')
        parts.append(f'<h2 id="changes">{escape(t("What changed since the version you last saw"))}</h2>{tabs}{shown}')
    parts.append(_files(view["round"], files, t))
    if view["state"] == "open":
        parts.append(_respond_form(r, csrf, choices, draft, t))
    parts.append(f"<h2>{escape(t('What your Section has sent'))}</h2>" + items_table(view["items"], t) + "</main>")
    return page(f"{view['name']} · {section['name']}", "".join(parts), lang)


def _files(round_id: str, files: list[str], t=words("en")) -> str:
    """The review pack's files, each a download."""
    r = escape(round_id)
    return f'<h2>{escape(t("Review pack"))}</h2><ul class="files">' + "".join(
        f'<li><a href="/review/{r}/files/{escape(name)}" download>{escape(name)}</a></li>'
        for name in files) + "</ul>"


def _respond_form(r: str, csrf: str, choices: list[tuple[str, str]], draft: Draft, t) -> str:
    options = "".join(f'<option value="{escape(value)}"{" selected" if value == draft.paragraph else ""}>'
                      f"{escape(label)}</option>" for value, label in choices)
    preview = (f'<div class="diff" aria-label="{escape(t("Your change to the wording"))}"><div class="meta">'
               f'{escape(t("Your change, word by word:"))}</div>{draft.preview}</div>' if draft.preview else
               f'<p class="note">{escape(t("No wording proposed: this sends a comment."))}</p>'
               if draft.comment_only else "")
    return (f'<h2 id="respond">{escape(t("Comment or propose new wording"))}</h2>'
            f'<form method="post" action="/review/{r}/feedback#respond">'
            f'<input type="hidden" name="csrf" value="{escape(csrf)}">'
            f'<div class="choices"><div><label for="paragraph">{escape(t("Paragraph"))}</label>'
            f'<select id="paragraph" name="paragraph">{options}</select></div>'
            f'<button type="submit" name="action" value="load" class="secondary">{escape(t("Edit its wording"))}'
            f'</button></div><label for="comment">{escape(t("Comment"))}</label>'
            f'<textarea id="comment" name="comment" dir="auto" maxlength="50000">{escape(draft.comment)}</textarea>'
            f'<label for="proposed">{escape(t("Proposed wording (leave empty to comment only)"))}</label>'
            f'<textarea id="proposed" name="proposed" class="wording" dir="auto" maxlength="50000">'
            f'{escape(draft.proposed)}</textarea>'
            f"{preview}"
            '<div class="buttons"><button type="submit" name="action" value="preview" class="secondary">'
            f'{escape(t("Preview the change"))}</button><button type="submit" name="action" value="send">'
            f'{escape(t("Send to the editors"))}</button></div></form>')


def items_table(items: list[dict], t=words("en")) -> str:
    if not items:
        return f'<p class="note">{escape(t("Nothing yet."))}</p>'
    rows = []
    for data in items:
        item = _item(data)
        decision = data.get("decision") or {}
        note = f" — {escape(decision['note'])}" if decision.get("note") else ""
        rows.append(f"<tr><td>{escape(item.id)}</td><td>{escape(item.target)}</td>"
                    f'<td dir="auto">{escape(item.summary)}</td><td>{_badge(decision, t)}{note}</td></tr>')
    head = "".join(f"<th>{escape(t(word))}</th>" for word in ("Item", "Paragraph", "What was sent", "Decision"))
    return f'<table class="items"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def _item(data: dict) -> Item:
    return Item.from_data({k: v for k, v in data.items() if k not in ("decision", "diff")})


def _badge(decision: dict, t=words("en")) -> str:
    chosen = decision.get("decision")
    return f'<span class="badge {escape(chosen)}">{escape(t(chosen))}</span>' if chosen else \
        f'<span class="badge">{escape(t("not decided yet"))}</span>'


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
