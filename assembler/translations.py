"""A document in other languages, clause by clause: which translations are current, stale
or missing, the language's sources for assembly, and translated clause files written back.

A translated clause names the source clause file's git blob it was made from
(``source-blob``), so staleness is computed, never guessed: the translation is current when
the source clause's text (its body, not its front matter) still reads as that blob's did,
and stale otherwise, with the source change the translator must carry over.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from assembler.errors import InvalidInput, Problem, UsageError
from assembler.sources.languages import problem_with

if TYPE_CHECKING:
    from assembler.model import nodes as m
    from assembler.sources.clauses import ClauseLibrary, ClauseSource
    from assembler.sources.templates import TemplateSet
    from assembler.workspace import Built, Workspace

CURRENT, STALE, MISSING = "current", "stale", "missing"
STALE_MARK = "[Translation out of date] "
MISSING_MARK = "[Not yet translated] "


@dataclass(frozen=True)
class ClauseTranslation:
    """One clause of the document and its translation into one language."""

    clause: str
    number: str | None
    lang: str
    state: str                       # CURRENT, STALE or MISSING
    source_path: str
    source_blob: str                 # what a translation made now records as its source-blob
    source_text: str
    path: str | None = None          # the translation's file
    translation: str | None = None
    previous_source: str | None = None   # stale: the source text the translation was made from

    def diff(self) -> list[list[str]]:
        """The source change since the translation, as [op, text] pairs ('=', '-', '+')."""
        if self.state != STALE or self.previous_source is None:
            return []
        from assembler.build import worddiff
        from assembler.model import nodes as m
        out: list[list[str]] = []
        for node in worddiff.diff_inlines((m.Text(self.previous_source),), (m.Text(self.source_text),)):
            op = "+" if isinstance(node, m.Ins) else "-" if isinstance(node, m.Del) else "="
            out.append([op, m.plain_text(node.content) if isinstance(node, (m.Ins, m.Del)) else m.plain_text((node,))])
        return out

    def data(self) -> dict:
        return {"clause": self.clause, "number": self.number, "lang": self.lang, "state": self.state,
                "path": self.path, "source_path": self.source_path, "source_blob": self.source_blob,
                "source_changes": self.diff()}


@dataclass
class Report:
    """The translation status of one document in one language."""

    document: str
    lang: str
    clauses: list[ClauseTranslation]
    template_missing: list[str] = field(default_factory=list)   # template words with no translation

    def count(self, state: str) -> int:
        return sum(1 for c in self.clauses if c.state == state)

    @property
    def complete(self) -> bool:
        return not self.template_missing and all(c.state == CURRENT for c in self.clauses)

    def data(self) -> dict:
        return {"document": self.document, "lang": self.lang,
                "counts": {s: self.count(s) for s in (CURRENT, STALE, MISSING)},
                "template_missing": self.template_missing, "clauses": [c.data() for c in self.clauses]}


def check_language(lang: str) -> str:
    """``lang`` when it is a BCP 47 tag; else a usage error saying so."""
    problem = problem_with(lang)
    if problem:
        raise UsageError(f"--lang: {problem}")
    return lang


def body_text(data: bytes) -> str:
    """A clause file's text without its front matter and the blank lines around it, exactly
    as written otherwise (a line's two trailing spaces are a line break in Markdown)."""
    from assembler.sources.clauses import split_front_matter
    try:
        _front, body, _line = split_front_matter(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return ""
    return trimmed(body)


def trimmed(text: str) -> str:
    """``text`` without the blank lines before and after it, every other line as it is."""
    lines = text.split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(lines)


def status(ws: Workspace, template_id: str, lang: str, library: ClauseLibrary | None = None) -> Report:
    """Every clause the document uses, in document order, with its ``lang`` translation's state."""
    from assembler.model import nodes as m
    check_language(lang)
    library = library or ws.clauses()
    templates = ws.templates()
    source = ws._build(template_id, {}, templates, library, require_values=False).document
    _, missing_words = templates.localized(lang)
    clauses = []
    with ws.store() as store:
        for node in m.iter_clauses(source.blocks):
            clauses.append(_state(store, library, node.id, node.number, lang))
    return Report(template_id, lang, clauses, missing_words.get(template_id, []))


def _state(store, library: ClauseLibrary, clause_id: str, number: str | None, lang: str) -> ClauseTranslation:
    source = library.get(clause_id)
    assert source is not None   # the document was just assembled from it
    current_text = body_text(source.data)
    base = ClauseTranslation(clause_id, number, lang, MISSING, source.path, source.blob, current_text)
    found = library.translation(clause_id, lang)
    if found is None:
        return base
    base = dataclasses.replace(base, path=found.path, translation=body_text(found.data))
    if found.source_blob == source.blob:
        return dataclasses.replace(base, state=CURRENT)
    previous = None
    if found.source_blob and store.has_object(found.source_blob):
        previous = body_text(store.read_blob(found.source_blob))
    if previous is not None and previous.split() == current_text.split():
        return dataclasses.replace(base, state=CURRENT)   # spacing and line breaks only: the same text
    return dataclasses.replace(base, state=STALE, previous_source=previous)


def languages(ws: Workspace, template_id: str) -> list[str]:
    """The languages the document has translations in (clauses or template words)."""
    library = ws.clauses()
    template = ws.template(template_id)
    found = {lang for (_clause, lang) in library.translations} | set(template.translations)
    return sorted(found)


def localized_sources(ws: Workspace, template_id: str, lang: str, allow_stale: bool,
                      marks: dict | None = None) -> tuple[TemplateSet, ClauseLibrary, dict]:
    """(templates, clause library) that assemble the document in ``lang``, and what to mark:
    ``{"language", "of", "stale": [ids], "missing": [ids], "template_missing": [words]}``.

    Stale or missing translations are refused unless ``allow_stale``; then a stale clause is
    assembled from its translation and a missing one from its source, both marked. ``marks``
    (a recorded version's) replaces the computed states, so a version rebuilds as recorded."""
    check_language(lang)
    library = ws.clauses()
    templates, missing_words = ws.templates().localized(lang)
    if marks is None:
        report = status(ws, template_id, lang, library)
        marks = {"language": lang, "of": template_id,
                 "stale": [c.clause for c in report.clauses if c.state == STALE],
                 "missing": [c.clause for c in report.clauses if c.state == MISSING],
                 "template_missing": missing_words.get(template_id, [])}
        if not allow_stale and (marks["stale"] or marks["missing"] or marks["template_missing"]):
            raise InvalidInput(_refusals(report, ws.template(template_id).path))
    for (clause_id, tag), translated in library.translations.items():
        if tag == lang.lower() and clause_id in library.by_id and clause_id not in marks["missing"]:
            library.by_id[clause_id] = translated
    return templates, library, marks


def _refusals(report: Report, template_path: str) -> list[Problem]:
    out = []
    for c in report.clauses:
        if c.state == STALE:
            out.append(Problem(c.path or c.source_path, f"the {c.lang} translation of '{c.clause}' is stale: "
                               f"{c.source_path} changed since it was translated; update it (assembler "
                               f"translations status {report.document} --lang {c.lang}) or assemble with "
                               "--allow-stale", rule="PA123"))
        elif c.state == MISSING:
            out.append(Problem(c.source_path, f"'{c.clause}' has no {c.lang} translation; add one or "
                               "assemble with --allow-stale", rule="PA123"))
    for words in report.template_missing:
        out.append(Problem(template_path, f"translations: {report.lang}: no translation of '{words[:60]}'; "
                           "add it under 'title:' or 'text:'", rule="PA123"))
    return out


def build(ws: Workspace, template_id: str, variables: dict[str, str], lang: str, allow_stale: bool,
          marks: dict | None = None) -> Built:
    """The document in ``lang`` (id ``<template>/<lang>``), with the source clauses each
    translation stands for among its sources, so the version rebuilds from its commit."""
    from assembler.history.manifest import Source
    from assembler.model import nodes as m
    from assembler.workspace import Built
    templates, library, marks = localized_sources(ws, template_id, lang, allow_stale, marks)
    built = ws._build(template_id, variables, templates, library)
    doc = dataclasses.replace(mark(built.document, marks), id=f"{template_id}/{lang}")
    sources, files = list(built.sources), dict(built.files)
    originals = ws.clauses()
    for clause in m.iter_clauses(doc.blocks):
        original = originals.get(clause.id)
        if original is not None and original.path != clause.origin.path:
            sources.append(Source("source", original.id, original.path, original.blob))
            files[original.path] = original.data
    return Built(doc, tuple(sources), files, marks)


def warnings(ws: Workspace) -> list[Problem]:
    """Stale translations, one per clause and language: not errors (the source documents
    are fine), but each language version assembled now would refuse or mark them."""
    from assembler.errors import AssemblerError
    library = ws.clauses()
    if not library.translations:
        return []
    found = []
    for template in ws.templates():
        for lang in sorted({tag for (_c, tag) in library.translations} | set(template.translations)):
            try:
                report = status(ws, template.id, lang, library)
            except AssemblerError:
                continue   # check reports why the document does not assemble
            found += [Problem(c.path or c.source_path, f"the {lang} translation of '{c.clause}' is stale: "
                              f"{c.source_path} changed since it was translated (assembler translations "
                              f"status {template.id} --lang {lang})", rule="PA123")
                      for c in report.clauses if c.state == STALE]
    return found


def mark(doc: m.Document, marks: dict) -> m.Document:
    """``doc`` with each stale or missing translation visibly marked at its clause's start,
    so every output (PDF, DOCX, HTML) shows it."""
    from assembler.model import nodes as m
    labels = {**{c: MISSING_MARK for c in marks.get("missing", [])},
              **{c: STALE_MARK for c in marks.get("stale", [])}}
    if not labels:
        return doc

    def block(node: m.Block) -> m.Block:
        if isinstance(node, m.Clause):
            blocks = tuple(block(b) for b in node.blocks)
            if node.id in labels:
                label = (m.Strong((m.Text(labels[node.id].rstrip()),)), m.Text(" "))
                if blocks and isinstance(blocks[0], m.Paragraph):
                    blocks = (dataclasses.replace(blocks[0], content=label + blocks[0].content),) + blocks[1:]
                else:
                    blocks = (m.Paragraph(label),) + blocks
            return dataclasses.replace(node, blocks=blocks)
        if isinstance(node, m.ClauseList):
            return dataclasses.replace(node, items=tuple(block(c) for c in node.items))
        return node

    return dataclasses.replace(doc, blocks=tuple(block(b) for b in doc.blocks))


def translation_path(source: ClauseSource, lang: str) -> str:
    """Where a new translation of ``source`` goes: ``<its folder>/<lang>/<its file name>``."""
    folder, _, name = source.path.rpartition("/")
    return f"{folder}/{lang}/{name}"


def translation_file(source: ClauseSource, lang: str, text: str, title: str | None = None) -> bytes:
    """A translated clause file for ``source`` in ``lang`` holding ``text``, made from the
    source file as it is now (its blob is the ``source-blob``)."""
    import json
    lines = ["---", f"lang: {lang}", f"translation-of: {source.id}", f"source-blob: {source.blob}"]
    if title:
        lines.append(f"title: {json.dumps(title, ensure_ascii=False)}")
    return ("\n".join(lines) + "\n---\n" + trimmed(text) + "\n").encode("utf-8")
