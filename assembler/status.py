"""What a person needs to know before acting in a workspace: one read-only report.

For each document: its latest version and status, and whether assembling now would change
it; source files changed since the last commit (what the next assembly would commit); open
review rounds with their deadline and the Sections that have not answered; and versions not
yet pushed to the upstream branch. Nothing is written.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date


@dataclass
class Status:
    documents: list[dict] = field(default_factory=list)
    unrecorded: list[dict] = field(default_factory=list)      # {"path", "change"}
    rounds: list[dict] = field(default_factory=list)
    unpushed: list[dict] = field(default_factory=list)        # {"document", "version", "commit"}
    upstream: str | None = None
    in_progress: str | None = None                            # an unfinished sync merge, rebase…
    problems: list[str] = field(default_factory=list)         # why the sources cannot assemble

    def data(self) -> dict:
        return asdict(self)


def status(workspace, today: date | None = None) -> Status:
    """The report for ``workspace`` (see the module docstring)."""
    from assembler.archive.archivist import Archive
    from assembler.errors import InvalidInput
    from assembler.history import manifest as mf
    from assembler.history.worktree import source_changes
    from assembler.repo import refs
    from assembler.review.workflow import Review
    today = today or date.today()
    report = Status()
    versions = workspace.log()
    try:
        impact = {entry["document"]: entry for entry in Archive(workspace).impact()}
    except InvalidInput as exc:      # a status is wanted most when the sources are broken
        impact, report.problems = {}, exc.lines()
    for doc in sorted(set(impact) | {v.document for v in versions}):
        mine = [v for v in versions if v.document == doc]
        latest = mine[-1] if mine else None
        entry = impact.get(doc, {})
        report.documents.append({
            "document": doc, "latest": latest.number if latest else None,
            "status": latest.status if latest else None,
            "date": mf.iso_time(latest.time)[:10] if latest else None,
            "would_change": bool(entry.get("changes")) if entry else None,
            "template": doc in impact})
    with workspace.store() as store:
        report.in_progress = store.operation_in_progress()
        tip = store.resolve(store.head_ref())
        for path, data in sorted(source_changes(store, workspace.root).items()):
            known = tip is not None and store.read_file(tip, path) is not None
            report.unrecorded.append({"path": path, "change": "deleted" if data is None else
                                      "modified" if known else "new"})
        upstream = refs.upstream(store)
        if upstream:
            report.upstream = upstream
            ahead = set(refs.commits(store, "HEAD", upstream))
            report.unpushed = [{"document": v.document, "version": v.number, "commit": v.commit}
                               for v in versions if v.commit in ahead]
    for r in Review(workspace).rounds():
        if r.ended:
            continue
        waiting = [s.id for s in r.sections if s.id not in r.feedback]
        report.rounds.append({"document": r.document, "round": r.id, "name": r.name,
                              "base": r.base, "deadline": r.deadline,
                              "days_left": r.days_left(today), "items": len(r.items()),
                              "undecided": len(r.undecided()), "not_answered": waiting})
    return report


def lines(report: Status) -> list[str]:
    """The report as short lines for a terminal."""
    from assembler.review.vocabulary import due_phrase
    out = [f"in progress: {report.in_progress}"] if report.in_progress else []
    out.append("documents:")
    for d in report.documents:
        if d["latest"] is None:
            out.append(f"  {d['document']}: never recorded (assembler assemble {d['document']})")
            continue
        change = ("; assembling now would change it" if d["would_change"] else
                  "; up to date with its sources" if d["would_change"] is False else
                  "; the sources cannot be assembled (below)" if report.problems else
                  "; its template is gone")
        out.append(f"  {d['document']}: v{d['latest']} {d['status']} ({d['date']}){change}")
    if report.unrecorded:
        out.append("sources changed since the last commit (the next assemble commits them):")
        out.extend(f"  {u['change']:<9} {u['path']}" for u in report.unrecorded)
    else:
        out.append("sources: nothing changed since the last commit")
    if report.problems:
        out.append("sources that cannot be assembled (assembler check lists them all):")
        out.extend(f"  {line}" for line in report.problems[:10])
    for r in report.rounds:
        due = due_phrase(r["deadline"], r["days_left"])
        waiting = ", ".join(r["not_answered"]) or "nobody"
        out.append(f"round {r['document']}/{r['round']} on v{r['base']}{due}: {r['items']} item(s), "
                   f"{r['undecided']} undecided; not answered: {waiting}")
    if not report.rounds:
        out.append("rounds: none open")
    if report.upstream is None:
        out.append("sharing: no upstream branch (assembler clone sets one; or git push -u origin main)")
    elif report.unpushed:
        out.append(f"not yet pushed to {report.upstream} (assembler sync): "
                   + ", ".join(f"{u['document']} v{u['version']}" for u in report.unpushed))
    else:
        out.append(f"sharing: every version is on {report.upstream}")
    return out
