"""A clause through time: every commit that changed its file, word by word, and where it is
used (templates, recorded versions, open review rounds); and the impact of pending edits on
every document.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from assembler.build import redline as redline_mod, worddiff
from assembler.errors import AssemblerError, NotFoundError, did_you_mean
from assembler.history import manifest as mf, reading as history
from assembler.model import nodes as m
from assembler.repo.store import GitStore
from assembler.review import rounds as rd
from assembler.sources.clauses import split_front_matter
from assembler.sources.readers import read_json_document


@dataclass
class ClauseChange:
    commit: str
    author: str
    date: str
    message: str
    diff: list[tuple[str, str]]      # ("=", text), ("+", inserted), ("-", deleted)


@dataclass
class ClauseHistory:
    clause: str
    path: str
    changes: list[ClauseChange] = field(default_factory=list)
    templates: list[str] = field(default_factory=list)
    versions: list[dict] = field(default_factory=list)      # {document, version, blob}
    open_rounds: list[str] = field(default_factory=list)

    def data(self) -> dict:
        data = asdict(self)
        data["changes"] = [{**asdict(c), "diff": [list(p) for p in c.diff]} for c in self.changes]
        return data


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """The word diff of two texts as ("=", "+", "-") segments."""
    marked = worddiff.diff_inlines((m.Text(old),) if old else (), (m.Text(new),) if new else ())
    out: list[tuple[str, str]] = []
    for node in marked:
        kind = "+" if isinstance(node, m.Ins) else "-" if isinstance(node, m.Del) else "="
        text = m.plain_text(node.content) if isinstance(node, (m.Ins, m.Del)) else m.plain_text((node,))
        if out and out[-1][0] == kind:
            out[-1] = (kind, out[-1][1] + text)
        else:
            out.append((kind, text))
    return out


def _body(data: bytes | None) -> str:
    if not data:
        return ""
    try:
        return split_front_matter(data.decode("utf-8"))[1].strip()
    except (UnicodeDecodeError, ValueError):
        return ""


def read(store: GitStore, ws, clause_id: str) -> ClauseHistory:
    library = ws.clauses()
    source = library.get(clause_id)
    branch = store.head_ref()
    versions = history.read_versions(store)
    manifests = store.read_many([(v.commit, history.manifest_path(v.document)) for v in versions])
    used: list[dict] = []
    past_path = None
    for version, raw in zip(versions, manifests):
        if raw is None:
            continue
        for entry in json.loads(raw).get("clauses", []):
            if entry.get("id") == clause_id:
                used.append({"document": version.document, "version": version.number,
                             "blob": entry.get("blob")})
                past_path = entry.get("path")
    path = source.path if source else past_path
    if path is None:
        known = [c.id for c in library]
        raise NotFoundError(f"no clause '{clause_id}'{did_you_mean(clause_id, known)} in clauses/ "
                            "or in any recorded version")
    result = ClauseHistory(clause_id, path, versions=used)
    entries = list(reversed(store.log(branch, (path,)))) if store.resolve(branch) else []
    for entry in entries:
        parent = entry.parents[0] if entry.parents else None
        old = _body(store.read_file(parent, path)) if parent else ""
        new = _body(store.read_file(entry.commit, path))
        if old == new:
            continue
        result.changes.append(ClauseChange(entry.commit, entry.author, mf.iso_time(entry.time),
                                           entry.subject, word_diff(old, new)))
    documents_using: set[str] = set()
    for template in ws.templates():
        try:
            built = ws.assemble_sources(template.id)
        except AssemblerError:
            continue
        if any(c.id == clause_id for c in m.iter_clauses(built.document.blocks)):
            result.templates.append(template.id)
            documents_using.add(built.document.id)
    for r in rd.read_rounds(store, store.resolve(branch)):
        if not r.ended and r.document in documents_using:
            result.open_rounds.append(f"{r.document}/{r.id}")
    return result


def impact(ws) -> list[dict]:
    """For each template, and each language it has versions in: would assembling now (with
    the template's own variable values, as ``assemble`` without ``--var`` does; stale
    translations marked, as ``--allow-stale`` does) change its document? With the summary."""
    found = []
    with ws.store() as store:
        versions = history.read_versions(store)
        for template in ws.templates():
            languages = sorted({v.document.split("/", 1)[1] for v in versions
                                if v.document.startswith(template.id + "/")})
            for lang in [None, *languages]:
                document = f"{template.id}/{lang}" if lang else template.id
                mine = [v for v in versions if v.document == document]
                if not mine:
                    found.append({"document": document, "latest": None, "changes": True,
                                  "summary": None, "note": "never recorded"})
                    continue
                latest = mine[-1]
                built = ws.assemble_sources(template.id, {}, lang, allow_stale=True)
                raw = store.read_file(latest.commit, history.output_file(document, ".json"))
                old = read_json_document(raw, f"{document}@v{latest.number}")
                result = redline_mod.compare(old, built.document)
                found.append({"document": document, "latest": latest.number,
                              "changes": bool(result.summary.get("changes")), "summary": result.summary,
                              "note": ""})
    return found
