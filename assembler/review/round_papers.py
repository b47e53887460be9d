"""The papers of a review round, as document models and tables: the cover page of a review
pack, and the disposition table (every feedback item, its decision and what it led to).

Pure: rounds and documents in, model values and CSV bytes out; the writers draw them.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

from assembler.model import nodes as m
from assembler.model.paragraphs import clause_texts
from assembler.review.feedback import Item, normalize_paragraphs
from assembler.review.pack import draft_name
from assembler.review.rounds import Round

DISPOSITION_COLUMNS = ("item", "section", "section_name", "kind", "clause", "number_in_base",
                       "target", "comment", "proposed_text", "quote", "decision", "note",
                       "decided_by", "decided_at", "new_number", "change", "proposed_change")
CONTEXT_WORDS = 8   # unchanged words kept on each side of a proposed change


def _long_date(iso: str) -> str:
    day = date.fromisoformat(iso[:10])
    return f"{day.day} {day.strftime('%B %Y')}"


def _p(*parts) -> m.Paragraph:
    return m.Paragraph(tuple(m.Text(p) if isinstance(p, str) else p for p in parts))


def cover_document(r: Round, title: str, base_date: str, files: dict[str, str],
                   today: date) -> m.Document:
    """The cover page: round, what is asked, the files, how to respond, who is invited."""
    blocks: list[m.Block] = [
        _p(f"You are invited to review version {r.base} of ", m.Emph((m.Text(title),)),
           f" ({r.document}), recorded on {_long_date(base_date)}."),
    ]
    if r.deadline:
        left = (date.fromisoformat(r.deadline) - today).days
        blocks.append(_p(m.Strong((m.Text(f"Please respond by {_long_date(r.deadline)}"),)),
                         f" ({left} days from the opening of this round)." if left >= 0 else "."))
    blocks.append(m.Heading(2, (m.Text("What is in this pack"),)))
    blocks.append(m.BulletList(tuple((_p(m.Code(name), f": {what}"),) for name, what in files.items())))
    if r.compared_with:
        blocks.append(_p(f"The redline marks every change from version {r.compared_with} "
                         f"({r.compared_reason}) to version {r.base}: insertions underlined, "
                         "deletions struck through, a bar in the margin beside each change."))
    else:
        blocks.append(_p("This is the first review of this document: there is no earlier "
                         "version to compare with, so the pack has no redline."))
    blocks.append(m.Heading(2, (m.Text("How to respond"),)))
    blocks.append(m.OrderedList((
        (_p(m.Strong((m.Text("In Word or LibreOffice."),)),
            f" Open {draft_name(r.document, r.base)}.docx, turn on Track Changes, edit the wording where "
            "you propose a change, add comments where you have a remark, save, and send the file "
            "back. Please change nothing with Track Changes off: such edits cannot be read back."),),
        (_p(m.Strong((m.Text("As text."),)),
            " A Markdown or plain text file with one heading per paragraph you comment on, "
            "using the paragraph numbers of this version (", m.Code("## 3"), "), a clause id, "
            "or ", m.Code("## General"), ". Under the heading write your comment; a paragraph "
            "starting with ", m.Code("Proposed:"), " gives the wording you propose."),),
    )))
    blocks.append(_p("Every remark becomes a numbered item (for example NL-1). Each item gets a "
                     "decision (accepted, partly, rejected or noted) and the next draft comes "
                     "with a table of all decisions and a redline of what changed."))
    blocks.append(m.Table("Sections invited", ("Section", "Name", "Contact"),
                          tuple((s.id, s.name, s.contact) for s in r.sections), (1, 3, 3)))
    blocks.append(_p(f"Round id {r.id} · base commit {r.base_commit[:12]}"))
    origin = m.Origin("template", r.document, "", "")
    return m.Document(r.document, (m.Text(f"{r.name}: review of {r.document} v{r.base}"),),
                      tuple(blocks), origin, (), (("language", "en"),))


def disposition_rows(r: Round, changed: list[dict], new_doc: m.Document) -> list[dict]:
    """One row per feedback item: who said what on which clause, the decision, the change.

    ``changed`` is the round redline's list of changed clauses (base -> answering version).
    """
    by_clause = {entry["clause"]: entry for entry in changed}
    new_numbers = {c.id: c.number for c in m.iter_clauses(new_doc.blocks)}
    new_texts = clause_texts(new_doc)
    names = {s.id: s.name for s in r.sections}
    rows = []
    for item in r.items():
        decision = r.dispositions.get(item.id, {})
        rows.append({
            "item": item.id, "section": item.section, "section_name": names.get(item.section, ""),
            "kind": item.kind, "clause": item.clause or "", "number_in_base": item.number or "",
            "target": item.target, "comment": item.comment, "proposed_text": item.proposed or "",
            "quote": item.quote, "decision": decision.get("decision", "undecided"),
            "note": decision.get("note", ""), "decided_by": decision.get("by", ""),
            "decided_at": decision.get("at", ""), "new_number": new_numbers.get(item.clause or "", "") or "",
            "change": _change(item, by_clause, new_numbers, new_texts),
            "base_text": item.old or "",
            "proposed_change": (marked_text(proposal_diff(item.old or "", item.proposed))
                                if item.kind == "edit" and item.proposed else ""),
        })
    return rows


def proposal_diff(old: str, proposed: str) -> tuple[m.Inline, ...]:
    """What an edit proposes, as a word diff against the text the Section read, rendered
    (their Markdown emphasis and links as such), long unchanged stretches cut to a few words
    around each change."""
    from assembler.build.worddiff import diff_inlines
    from assembler.sources.markup import parse_inline
    new, _problems = parse_inline(" ".join(proposed.split()), "proposal", 0)
    return _compact(diff_inlines((m.Text(" ".join(old.split())),), new))


def _compact(nodes: tuple[m.Inline, ...]) -> tuple[m.Inline, ...]:
    if not any(isinstance(n, (m.Ins, m.Del)) for n in nodes):
        return nodes
    out: list[m.Inline] = []
    for index, node in enumerate(nodes):
        if not isinstance(node, m.Text):
            out.append(node)
            continue
        words = node.text.split(" ")
        head = CONTEXT_WORDS if index > 0 else 0                 # after a change
        tail = CONTEXT_WORDS if index < len(nodes) - 1 else 0    # before a change
        if len(words) <= head + tail + 1:
            out.append(node)
            continue
        kept = " ".join(words[:head]) + " … " + " ".join(words[len(words) - tail:]) if tail else \
            " ".join(words[:head]) + " …"
        out.append(m.Text(kept.lstrip() if not head else kept))
    return tuple(out)


def marked_text(nodes: tuple[m.Inline, ...]) -> str:
    """Inlines as plain text with [-deleted-] and {+inserted+} marks (for CSV)."""
    parts = []
    for node in nodes:
        if isinstance(node, m.Ins):
            parts.append("{+" + m.plain_text(node.content) + "+}")
        elif isinstance(node, m.Del):
            parts.append("[-" + m.plain_text(node.content) + "-]")
        else:
            parts.append(m.plain_text((node,)))
    return "".join(parts)


def _change(item: Item, by_clause: dict, new_numbers: dict, new_texts: dict) -> str:
    if not item.clause:
        return "—"
    entry = by_clause.get(item.clause)
    if item.clause not in new_numbers:
        return "clause removed" if entry else "—"
    now = new_numbers[item.clause]
    if entry is None:
        return "no change"
    text = (f"now {now}: " if now and now != item.number else "") + entry["change"]
    if item.kind == "edit" and item.proposed and \
            normalize_paragraphs(new_texts.get(item.clause, "")) == normalize_paragraphs(item.proposed):
        text += ", as proposed"
    return text


def disposition_csv(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, DISPOSITION_COLUMNS, lineterminator="\r\n", extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        # a cell starting with = + - @ is a formula to a spreadsheet: quote it as text
        writer.writerow({k: ("'" + v if isinstance(v, str) and v and v[0] in "=+-@\t\r" else v)
                         for k, v in row.items()})
    return out.getvalue().encode("utf-8")


def disposition_table(rows: list[dict]) -> m.Table:
    def clause_cell(row):
        return row["number_in_base"] or ("general" if row["target"] == "general" else "—")

    def feedback_cell(row) -> m.Cell:
        where = f"[{row['target']}] " if not row["number_in_base"] and row["target"] != "general" else ""
        comment = " ".join(row["comment"].split())
        if row["kind"] == "edit" and row["proposed_text"]:   # the proposal as a word diff, rendered
            note = (m.Text(f" ({comment})"),) if comment else ()
            diff = proposal_diff(row["base_text"], row["proposed_text"])
            return (m.Text(where + "Proposed: "),) + diff + note
        text = comment
        if row["kind"] == "edit":
            text = "delete the clause" + (f" ({comment})" if comment else "")
        text = where + text
        return text if len(text) <= 260 else text[:257].rstrip() + "…"

    return m.Table("Disposition of Section feedback",
                   ("Item", "Section", "Para.", "Feedback", "Decision", "Note", "Change"),
                   tuple((r["item"], r["section"], clause_cell(r), feedback_cell(r), r["decision"],
                          r["note"], r["change"]) for r in rows),
                   (0.85, 1.05, 1.25, 4.4, 1.15, 2.0, 1.5))


def iso_day(epoch: int) -> date:
    return datetime.utcfromtimestamp(epoch).date()
