"""Translations coming in and going out: a translated document (Markdown, text or Word) laid
over the structure of the document it translates, and XLIFF 2.0 for translators' tools.

Both ways in write the same files, all or nothing: one translated clause file per clause
(``lang``, ``translation-of`` and the ``source-blob`` of the source text as it is now) and
the template's own words under ``translations: <lang>:`` in the template. Nothing is
committed: ``assembler assemble DOC --lang L`` records them with the language's next version.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from assembler.errors import InvalidInput, NotFoundError, Problem
from assembler.translations import (
    MISSING,
    body_text,
    check_language,
    status,
    translation_file,
    translation_path,
)

if TYPE_CHECKING:
    from assembler.sources.templates import Item, Template, TemplateSet
    from assembler.workspace import Workspace

TEMPLATE_UNIT = "template."     # XLIFF unit ids of the template's own words: template.0 is the title
MAX_XLIFF_BYTES = 20 * 1024 * 1024


@dataclass
class TranslationResult:
    document: str
    lang: str
    written: list[str] = field(default_factory=list)
    clauses: list[str] = field(default_factory=list)
    words: int = 0                     # template words (title, headings, text) given

    def data(self) -> dict:
        return {"document": self.document, "lang": self.lang, "written": self.written,
                "clauses": self.clauses, "template_words": self.words}


# ------------------------------------------------------------------ a translated document

def import_translation(ws: Workspace, file: Path, template_id: str, lang: str) -> TranslationResult:
    """``file`` as the ``lang`` translation of document ``template_id``: its clauses and
    headings, in order, must match the document's (same count, same places)."""
    from assembler.document_import import read_source
    from assembler.sources.clauses import parse_clause
    from assembler.sources.importer import plan_import
    from assembler.sources.templates import parse_template
    check_language(lang)
    templates = ws.templates()
    template = ws.template(template_id, templates)
    source = read_source(Path(file))
    try:
        plan = plan_import(source, "translation", set())
    except ValueError as exc:
        raise InvalidInput(Problem(str(file), str(exc))) from None
    planned, _ = parse_template(plan.template_path, plan.files[plan.template_path].encode("utf-8"))
    assert planned is not None   # the importer writes templates that parse
    mine, theirs = _shape(template, templates), _shape(planned, None)
    if [kind for kind, _ in mine] != [kind for kind, _ in theirs]:
        raise InvalidInput(Problem(str(file), f"does not follow the structure of '{template_id}': "
                                   f"{_first_difference(mine, theirs)}; translate paragraph for "
                                   "paragraph and heading for heading"))
    paths = {c.id: rel for rel in plan.files if rel != plan.template_path
             for c in [parse_clause(rel, plan.files[rel].encode("utf-8"))[0]] if c is not None}
    bodies, words = {}, {template.title_source: planned.title_source}
    for (kind, key), (_, value) in zip(mine, theirs):
        if kind == "clause":
            bodies[key] = body_text(plan.files[paths[value]].encode("utf-8"))
        else:
            words[key] = value
    return apply(ws, template_id, lang, bodies, words)


def _shape(template: Template, templates: TemplateSet | None) -> list[tuple[str, str]]:
    """The template's items in order, includes followed: ("clause", id) or ("words", source)."""
    from assembler.sources.templates import ClauseItem, HeadingItem, IncludeItem, NumberedItem, TextItem
    out: list[tuple[str, str]] = []

    def walk(items: tuple[Item, ...]) -> None:
        for item in items:
            if isinstance(item, ClauseItem):
                out.append(("clause", item.ref))
                walk(item.children)
            elif isinstance(item, (HeadingItem, TextItem)):
                out.append(("words", item.source))
            elif isinstance(item, NumberedItem):
                walk(item.items)
            elif isinstance(item, IncludeItem) and templates and templates.get(item.template):
                walk(templates.get(item.template).items)

    walk(template.items)
    return out


def _first_difference(mine: list[tuple[str, str]], theirs: list[tuple[str, str]]) -> str:
    """Where the two structures part, for people: the section and its paragraph counts."""
    def sections(shape: list[tuple[str, str]]) -> list[tuple[str, int]]:
        out = [("the start", 0)]
        for kind, value in shape:
            if kind == "clause":
                out[-1] = (out[-1][0], out[-1][1] + 1)
            else:
                out.append((f"'{value[:40]}'", 0))
        return out

    a, b = sections(mine), sections(theirs)
    for n, ((name, count), (their_name, their_count)) in enumerate(zip(a, b)):
        if count != their_count:
            where = name if n == 0 else f"under {their_name} (the document's {name})"
            return f"{where} it has {their_count} paragraph(s) where the document has {count}"
    return f"it has {len(b) - 1} heading(s) or text(s) where the document has {len(a) - 1}"


# ------------------------------------------------------------------ XLIFF

def export_xliff(ws: Workspace, template_id: str, lang: str) -> bytes:
    """The document's clauses (and the template's words) for translators, one unit each,
    with the existing translation and its state; a stale unit carries the source text the
    translation was made from."""
    from assembler.sources.xliff import Unit, XliffFile, write_xliff
    report = status(ws, template_id, lang)
    template = ws.template(template_id)
    units = [Unit(c.clause, c.source_text, c.translation, c.state, c.previous_source, c.source_blob)
             for c in report.clauses]
    given = template.translations.get(lang.lower())
    for number, words in enumerate(template.strings()):
        target = (given.title if number == 0 else given.text.get(words)) if given else None
        units.append(Unit(f"{TEMPLATE_UNIT}{number}", words, target, MISSING if target is None else "current",
                          None, template.blob))
    return write_xliff(XliffFile(template_id, template.language, lang, tuple(units)))


def import_xliff(ws: Workspace, file: Path, document: str | None = None) -> TranslationResult:
    """The translations in an XLIFF file exported by :func:`export_xliff`, refused when it
    was made for another document or for source text other than the clauses' as they are."""
    from assembler.sources.xliff import read_xliff
    file = Path(file)
    try:
        if file.stat().st_size > MAX_XLIFF_BYTES:
            raise InvalidInput(Problem(str(file), f"over {MAX_XLIFF_BYTES:,} bytes; an XLIFF of one document is far smaller"))
        data = file.read_bytes()
    except FileNotFoundError:
        raise NotFoundError(f"{file}: no such file") from None
    found = read_xliff(data, str(file))
    if document and found.document != document:
        raise InvalidInput(Problem(str(file), f"was exported for document '{found.document}', not '{document}'"))
    templates = ws.templates()
    if templates.get(found.document) is None:
        raise InvalidInput(Problem(str(file), f"was exported for document '{found.document}', which this "
                                   "workspace does not have"))
    check_language(found.target_lang)
    template = templates.get(found.document)
    report = status(ws, found.document, found.target_lang)
    sources = {c.clause: c for c in report.clauses}
    strings = template.strings()
    problems: list[Problem] = []
    bodies: dict[str, str] = {}
    words: dict[str, str] = {}
    for unit in found.units:
        if unit.id.startswith(TEMPLATE_UNIT) and unit.id[len(TEMPLATE_UNIT):].isdigit():
            number = int(unit.id[len(TEMPLATE_UNIT):])
            if number >= len(strings) or strings[number] != unit.source:
                problems.append(Problem(str(file), f"unit '{unit.id}': the template's words changed since "
                                        "the export; export again (assembler translations export)"))
            elif unit.target is not None:
                words[unit.source] = unit.target
            continue
        clause = sources.get(unit.id)
        if clause is None:
            problems.append(Problem(str(file), f"unit '{unit.id}': '{found.document}' has no clause "
                                    f"'{unit.id}'; the file was made for another document or version"))
        elif not _same(unit.source, clause.source_text):
            problems.append(Problem(str(file), f"unit '{unit.id}': its source text is not clause "
                                    f"'{unit.id}' as it reads now ({clause.source_path} changed since the "
                                    "export, or the file was made for other text); export again"))
        elif unit.target is not None:
            bodies[unit.id] = unit.target
    if problems:
        raise InvalidInput(problems)
    return apply(ws, found.document, found.target_lang, bodies, words)


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())


# ------------------------------------------------------------------ writing

def apply(ws: Workspace, template_id: str, lang: str, bodies: dict[str, str],
          words: dict[str, str]) -> TranslationResult:
    """Write ``bodies`` (clause id -> translated text) as translated clause files and
    ``words`` (source words -> translation; the title's too) into the template, all or
    nothing, after proving every file reads back as meant."""
    from assembler.document_import import refuse_uncommitted, write_files
    from assembler.sources.clauses import parse_clause
    from assembler.sources.templates import parse_template
    library = ws.clauses()
    template = ws.template(template_id)
    files: dict[str, bytes] = {}
    replaced: set[str] = set()
    for clause_id, text in bodies.items():
        source = library.get(clause_id)
        if source is None:
            raise InvalidInput(Problem(template.path, f"there is no clause '{clause_id}' to translate"))
        existing = library.translation(clause_id, lang)
        path = existing.path if existing else translation_path(source, lang)
        if existing:
            replaced.add(path)
        files[path] = translation_file(source, lang, text)
    given = len(words)
    if words:
        words = dict(words)
        title = words.pop(template.title_source, None)
        files[template.path] = with_template_words(template.data.decode("utf-8"), lang, title, words)
    problems: list[Problem] = []
    for rel, data in files.items():
        if rel == template.path:
            problems += parse_template(rel, data)[1]
        else:
            clause, found = parse_clause(rel, data)
            problems += found + (clause.blocks()[1] if clause else [])
    if problems:
        raise InvalidInput(problems)
    refuse_uncommitted(ws, replaced, "importing a translation over them")
    write_files(ws.root, files)
    return TranslationResult(template_id, lang, sorted(files), sorted(bodies), given)


_KEY = re.compile(r"^(\s+)(\S[^:]*):\s*$")


def translations_section(text: str) -> str:
    """The template text's top-level ``translations:`` section (its lines as written), or ""."""
    lines = text.rstrip("\n").split("\n")
    top, end = _section(lines)
    return "" if top is None else "\n".join(lines[top:end]) + "\n"


def _section(lines: list[str]) -> tuple[int | None, int]:
    """(first line, end) of the top-level ``translations:`` section; (None, end of file) if none."""
    top = next((n for n, line in enumerate(lines) if re.match(r"^translations:\s*$", line)), None)
    if top is None:
        return None, len(lines)
    end = next((n for n in range(top + 1, len(lines)) if lines[n] and not lines[n][0].isspace()
                and not lines[n].startswith("#")), len(lines))
    return top, end


def with_template_words(text: str, lang: str, title: str | None, words: dict[str, str]) -> bytes:
    """The template's text with ``translations: <lang>:`` set to ``title`` and ``words``;
    the rest of the file (comments, order, other languages) as it was. Strings are written
    as JSON strings, which YAML reads as the same text."""
    block = [f"  {lang}:"]
    if title is not None:
        block.append(f"    title: {json.dumps(title, ensure_ascii=False)}")
    if words:
        block.append("    text:")
        block += [f"      {json.dumps(k, ensure_ascii=False)}: {json.dumps(v, ensure_ascii=False)}"
                  for k, v in words.items()]
    lines = text.rstrip("\n").split("\n")
    top, end = _section(lines)
    if top is None:
        return ("\n".join(lines + ["translations:"] + block) + "\n").encode("utf-8")
    start = next((n for n in range(top + 1, end) if _KEY.match(lines[n]) and
                  _KEY.match(lines[n]).group(2).strip("'\"").lower() == lang.lower()), None)
    if start is None:
        lines[top + 1:top + 1] = block
    else:
        indent = len(_KEY.match(lines[start]).group(1))
        stop = next((n for n in range(start + 1, end) if lines[n].strip() and not lines[n].lstrip().startswith("#")
                     and len(lines[n]) - len(lines[n].lstrip()) <= indent), end)
        lines[start:stop] = block
    return ("\n".join(lines) + "\n").encode("utf-8")
