"""The audit trail of a document, from the git history alone: versions with their statuses,
authors, commits and output hashes; review rounds with the Sections invited and responding;
every feedback item and its decision; and a timeline of every recorded step.

``trail()`` gathers it as plain data; ``report_document()`` turns it into a document model
(tables under headings) that the PDF writer draws; ``timeline_csv()`` gives the CSV.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass

from assembler.history import manifest as mf, reading as history
from assembler.model import nodes as m
from assembler.repo.store import GitStore
from assembler.review import rounds as rd

TIMELINE_COLUMNS = ("date", "event", "version", "round", "section", "item", "decision", "author",
                    "email", "commit", "detail")
_EVENTS = {"assemble": "version recorded", "adopt": "version adopted", "round-open": "round opened", "round-cancel": "round cancelled",
           "round-feedback": "feedback received", "round-dispose": "decision recorded"}


@dataclass
class Trail:
    document: str
    tip: str
    versions: list[dict]
    rounds: list[dict]
    items: list[dict]
    timeline: list[dict]

    def data(self) -> dict:
        return {"schema": "policy-assembler/audit/1", "document": self.document, "tip": self.tip,
                "versions": self.versions, "rounds": self.rounds, "items": self.items,
                "timeline": self.timeline}


def trail(store: GitStore, document: str) -> Trail:
    branch = store.head_ref()
    tip = store.resolve(branch) or ""
    all_versions = history.read_versions(store)
    versions = [v for v in all_versions if v.document == document]
    if not versions:
        history.find_version(all_versions, document, None)   # raises, naming known documents
    manifests = store.read_many([(v.commit, history.manifest_path(document)) for v in versions])
    version_rows = []
    for v, raw in zip(versions, manifests):
        manifest = json.loads(raw) if raw else {}
        version_rows.append({**v.data(), "outputs": {name: o["sha256"] for name, o in
                                                     manifest.get("outputs", {}).items()},
                             "sources_digest": manifest.get("sources_digest"),
                             "tool": manifest.get("tool", {})})
    from assembler.review.branches import review_refs, take_review_branches
    rounds = [r for r in rd.read_rounds(store, tip) if r.document == document]
    for r in rounds:
        take_review_branches(store, r)   # feedback a Section recorded on its review branch
    round_rows, item_rows = [], []
    for r in rounds:
        round_rows.append({**r.record(), "responded": [s.id for s in r.sections if s.id in r.feedback],
                           "items": len(r.items())})
        for item in r.items():
            decision = r.dispositions.get(item.id, {})
            item_rows.append({"round": r.id, "item": item.id, "section": item.section,
                              "kind": item.kind, "clause": item.clause, "number": item.number,
                              "summary": item.summary, "decision": decision.get("decision", "undecided"),
                              "note": decision.get("note", ""), "decided_by": decision.get("by", ""),
                              "decided_at": decision.get("at", "")})
    entries = list(reversed(store.log(branch)))
    on_branch = {entry.commit for entry in entries}
    branch_of: dict[str, str] = {}
    for r in rounds:
        for ref in review_refs(store, r.id).values():
            for entry in reversed(store.log(ref)):
                if entry.commit not in on_branch and entry.commit not in branch_of:
                    branch_of[entry.commit] = ref.removeprefix("refs/heads/").removeprefix("refs/remotes/")
                    entries.append(entry)
    entries.sort(key=lambda entry: entry.time)   # stable: the branch's own order within a second
    timeline = []
    for entry in entries:
        if entry.trailer("Document") != document:
            continue
        action = (entry.trailer("Action") or "").lower()
        event = _EVENTS.get(action, action or "commit")
        if action == "assemble" and entry.trailer("Round-Step") == "close":
            event = "round closed, version recorded"
        timeline.append({"date": mf.iso_time(entry.time), "event": event,
                         "version": entry.trailer("Version") or "", "round": entry.trailer("Round") or "",
                         "section": entry.trailer("Section") or "", "item": entry.trailer("Item") or "",
                         "decision": entry.trailer("Decision") or "", "author": entry.author,
                         "email": entry.email, "commit": entry.commit,
                         "detail": entry.subject + (f" (on review branch {branch_of[entry.commit]})"
                                                    if entry.commit in branch_of else "")})
    return Trail(document, tip, version_rows, round_rows, item_rows, timeline)


def timeline_csv(t: Trail) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, TIMELINE_COLUMNS, lineterminator="\r\n", extrasaction="ignore")
    writer.writeheader()
    for row in t.timeline:
        writer.writerow({k: ("'" + v if isinstance(v, str) and v and v[0] in "=+-@\t\r" else v)
                         for k, v in row.items()})
    return out.getvalue().encode("utf-8")


def _p(text: str) -> m.Paragraph:
    return m.Paragraph((m.Text(text),))


def report_document(t: Trail) -> m.Document:
    """The audit report as a document: summary, timeline, versions, rounds, feedback."""
    adopted = [v for v in t.versions if v["status"] == "adopted"]
    blocks: list[m.Block] = [
        _p(f"This report lists every recorded step in the history of {t.document}, read from the "
           f"git history at commit {t.tip[:12]}: {len(t.versions)} version(s)"
           + (f", v{adopted[-1]['version']} adopted" if adopted else ", none adopted yet")
           + f", {len(t.rounds)} review round(s), {len(t.items)} feedback item(s)."),
        m.Table("Timeline", ("Date (UTC)", "Event", "Ver.", "Round / item", "By", "Commit", "Detail"),
                tuple((e["date"].replace("T", " ")[:16], e["event"], e["version"],
                       " ".join(x for x in (e["round"], e["item"], e["decision"]) if x),
                       e["author"], e["commit"][:8], e["detail"]) for e in t.timeline),
                (1.45, 1.5, 0.7, 2.1, 1.4, 1.2, 2.65)),
        m.Table("Versions", ("Ver.", "Status", "Date", "Author", "Commit", "Answers round",
                             "PDF SHA-256"),
                tuple((f"v{v['version']}", v["status"], v["date"][:10], v["author"], v["commit"][:12],
                       v["round"] or "", v["outputs"].get(history.file_name(t.document, ".pdf"), "")[:16] + "…")
                      for v in t.versions), (0.6, 1.1, 1.1, 1.5, 1.4, 1.7, 2.2)),
    ]
    if t.rounds:
        blocks.append(m.Table("Review rounds", ("Round", "Base", "Opened", "Deadline", "Invited",
                                                "Responded", "Items", "Closed"),
                              tuple((r["name"], f"v{r['base']['version']}", r["opened_at"][:10],
                                     r["deadline"] or "", ", ".join(s["id"] for s in r["sections"]),
                                     ", ".join(r["responded"]) or "none", str(r["items"]),
                                     f"v{r['closed']['version']} {r['closed']['at'][:10]}" if r["closed"] else "open")
                                    for r in t.rounds), (2.0, 0.7, 1.2, 1.2, 1.3, 1.3, 0.7, 1.5)))
    if t.items:
        blocks.append(m.Table("Feedback and decisions", ("Item", "Round", "Para.", "Feedback",
                                                         "Decision", "Note", "By"),
                              tuple((i["item"], i["round"], i["number"] or ("—" if i["clause"] else "general"),
                                     i["summary"], i["decision"], i["note"], i["decided_by"])
                                    for i in t.items), (0.75, 1.7, 0.75, 3.8, 1.1, 1.8, 1.1)))
    origin = m.Origin("template", t.document, "", "")
    return m.Document(t.document, (m.Text(f"Audit trail: {t.document}"),), tuple(blocks), origin,
                      (), (("language", "en"),))


def report_pdf(workspace, t: Trail) -> bytes:
    """The audit report as PDF, the same bytes from ``assembler audit --pdf`` and in a BagIt
    export: dated by the trail's latest event, authored by the toolkit."""
    from assembler.version import TOOL_NAME, __version__
    from assembler.writers.options import RenderOptions
    epoch = max((mf.epoch_of(e["date"]) for e in t.timeline), default=0)
    options = RenderOptions(epoch=epoch, author=f"{TOOL_NAME} {__version__}",
                            report=f"audit trail at {t.tip[:12]}")
    return workspace.render(report_document(t), "pdf", options)
