"""A source document's pieces -> clause files and a template (pure; no I/O).

Headings become template headings at their level; a numbered list becomes numbered
clauses (a list ending an item, its sub-clauses); every other paragraph, bullet list or
table becomes a clause of its own, except that a list or table right after a paragraph
ending in a colon ("… include:") belongs to that paragraph's clause. The first level-1
heading is the title (in plain text: the first paragraph). A paragraph that interrupts a
numbered list which then carries on with the next number (a stray blank line inside an
item) is joined back to the item it belongs to.

Clause text is written from the model (:mod:`assembler.sources.clause_markdown`), so it
reads back as the same blocks. Clause ids are short and readable: the key words of the
section heading, then of the clause (``definitions-account``). When a document is imported
again into an existing template (``previous``), each clause keeps the id of the old clause
whose text it recognisably is, so the history shows edits, not replacements.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from assembler.model import nodes as m
from assembler.sources import clause_markdown, yamlfile
from assembler.sources.outline import Entry, Piece, SourceDocument, source_tokens

STOPWORDS = set("""a an and are as at be by for from has have in into is it its of on or
that the their them these this those to was were which while with will can also such
any all so than then there we our us you your they""".split())
TERMINAL = tuple(".!?:;")
MATCH_THRESHOLD = 0.5   # how alike (0-1, by words) an old and a new clause must be to share an id


@dataclass
class ReportRow:
    """One line of ``import --report``: where in the source, what it was, what it became."""

    where: str
    what: str
    became: str


@dataclass
class PreviousClause:
    """A clause of the template being imported into: its file and its text's words."""

    path: str
    words: list[str]


@dataclass
class ImportPlan:
    """What an import would write: workspace-relative path -> text, template first; the
    clause files to delete (an update that no longer has them); what became what; and the
    source as the build must reproduce it."""

    template_id: str
    template_path: str
    files: dict[str, str]
    clause_ids: list[str]
    report: list[ReportRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    expected: list[tuple[str, str]] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)     # ids carried over from ``previous``


@dataclass
class _Numbered:
    """A numbered list of the template: its first number and its clauses."""

    start: int
    units: list[_Unit]


@dataclass
class _Unit:
    """A clause to write: its blocks, where it came from, the section it sits in."""

    blocks: list[m.Block]
    where: str
    section: str
    what: str
    id: str = ""
    children: list[_Unit] = field(default_factory=list)   # sub-clauses (numbered)


# ---------------------------------------------------------------- ids and titles

def plain_words(markdown: str) -> list[str]:
    """Words of a Markdown snippet with link targets and emphasis marks removed."""
    text = re.sub(r"\]\([^)]*\)", "", markdown)
    text = re.sub(r"[\[\]*_`\\]", "", text)
    return text.split()


def _key_words(text: str) -> list[str]:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    words = re.findall(r"[a-z0-9]+", ascii_text.replace("'s ", " "))
    return [w for w in words if w not in STOPWORDS and len(w) > 1] or words


def slug(text: str, taken: set[str], max_words: int = 5, prefix: str = "") -> str:
    """A short, meaningful, unique id from ``text`` (after ``prefix``, the key words of its
    section): key words, lower case, ASCII, hyphens; added to ``taken``."""
    head = _key_words(prefix)[:2]
    budget = 3 if head else max_words
    chosen: list[str] = list(head)
    for word in [w for w in _key_words(" ".join(plain_words(text))) if w not in head][:budget]:
        if len(chosen) > len(head) and len("-".join(chosen + [word])) > 40:
            break
        chosen.append(word)
    base = "-".join(chosen)[:40].strip("-") or "clause"
    candidate, counter = base, 2
    while candidate in taken:
        candidate = f"{base}-{counter}"
        counter += 1
    taken.add(candidate)
    return candidate


def _first_text(blocks: list[m.Block]) -> str:
    """The first words a reader sees in ``blocks``."""
    for block in blocks:
        if isinstance(block, (m.Paragraph, m.Heading)):
            return m.plain_text(block.content)
        if isinstance(block, (m.BulletList, m.OrderedList)) and block.items:
            return _first_text(list(block.items[0]))
        if isinstance(block, m.Table):
            return " ".join(m.cell_text(c) for c in block.header)
    return ""


def _title(text: str, limit: int = 72) -> str:
    words = " ".join(text.split())
    sentence = re.split(r"(?<=[.;:])\s", words, maxsplit=1)[0]
    if len(sentence) <= limit:
        return sentence
    return sentence[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def block_words(blocks: list[m.Block]) -> list[str]:
    """The words a reader sees in ``blocks`` (lists and table cells included)."""
    return " ".join(m.plain_text(n.content) if isinstance(n, (m.Paragraph, m.Heading)) else ""
                    for n in _flat(blocks)).split()


def _flat(blocks: list[m.Block]) -> list[m.Block]:
    out: list[m.Block] = []
    for block in blocks:
        if isinstance(block, (m.BulletList, m.OrderedList)):
            for item in block.items:
                out.extend(_flat(list(item)))
        elif isinstance(block, m.Table):
            out.extend(m.Paragraph(c if not isinstance(c, str) else (m.Text(c),))
                       for row in (block.header, *block.rows) for c in row)
        else:
            out.append(block)
    return out


# ---------------------------------------------------------------- reading the pieces

def _last_number(piece: Piece) -> int:
    return piece.start + len(piece.entries) - 1


def _join_strays(pieces: list[Piece]) -> list[Piece]:
    """Numbered lists that carry on after a stray paragraph or blank line become one list,
    the paragraph joined to the item before it."""
    out: list[Piece] = []
    for index, piece in enumerate(pieces):
        last = out[-1] if out else None
        if last is not None and last.entries and piece.entries and piece.start == _last_number(last) + 1:
            out[-1] = dataclasses.replace(last, entries=last.entries + piece.entries)
            continue
        if last is not None and last.entries and isinstance(piece.block, m.Paragraph):
            following = next((p for p in pieces[index + 1:] if not isinstance(p.block, m.Paragraph)), None)
            if following is not None and following.entries and following.start == _last_number(last) + 1:
                out[-1] = dataclasses.replace(last, entries=last.entries[:-1] + (
                    _joined(last.entries[-1], piece.block),))
                continue
        out.append(piece)
    return out


def _joined(entry: Entry, paragraph: m.Paragraph) -> Entry:
    """``entry`` with ``paragraph`` added: to its last paragraph when that sentence does not
    end (or the paragraph starts in lower case), else as a paragraph of its own."""
    blocks = list(entry.blocks)
    last = blocks[-1] if blocks else None
    text = m.plain_text(paragraph.content)
    if isinstance(last, m.Paragraph) and (not m.plain_text(last.content).rstrip().endswith(TERMINAL)
                                          or text[:1].islower()):
        blocks[-1] = dataclasses.replace(last, content=m.merge_text(
            (*last.content, m.Text(" "), *paragraph.content)))
    else:
        blocks.append(paragraph)
    return dataclasses.replace(entry, blocks=tuple(blocks))


def _count(n: int, what: str) -> str:
    return f"{n} {what}{'' if n == 1 else 's'}"


def _describe(block: m.Block) -> str:
    if isinstance(block, m.Paragraph):
        return "paragraph"
    if isinstance(block, m.BulletList):
        return f"bullet list ({_count(len(block.items), 'item')})"
    if isinstance(block, m.OrderedList):
        return f"numbered list in text ({_count(len(block.items), 'item')})"
    if isinstance(block, m.Table):
        return f"table ({_count(1 + len(block.rows), 'row')})"
    return type(block).__name__.lower()


def _take_title(source: SourceDocument, pieces: list[Piece]) -> tuple[tuple[m.Inline, ...], str]:
    """The document's title and where it came from; its piece is taken out of ``pieces``."""
    if source.title is not None:
        return source.title, "the title"
    index = next((i for i, p in enumerate(pieces) if p.heading is not None and p.heading.level == 1), None)
    if index is None:
        index = next((i for i, p in enumerate(pieces) if p.heading is not None
                      or isinstance(p.block, m.Paragraph)), None)
    if index is None:
        raise ValueError("the document has no heading or paragraph to take its title from")
    piece = pieces.pop(index)
    content = piece.heading.content if piece.heading is not None else piece.block.content  # type: ignore[union-attr]
    return content, piece.where


# ---------------------------------------------------------------- the plan

def plan_import(source: SourceDocument, template_id: str, taken_ids: set[str],
                previous: dict[str, PreviousClause] | None = None) -> ImportPlan:
    """Split ``source`` into clause files under ``clauses/<template_id>/`` and a template.
    ``previous`` holds the clauses of the template when this is an update (``--into``)."""
    pieces = _join_strays(list(source.pieces))
    if not pieces:
        raise ValueError("the document has no text to import")
    title, title_where = _take_title(source, pieces)
    report = [ReportRow(title_where, "title", f"template {template_id} (title)")]
    expected = source_tokens((title, title_where), pieces)
    structured = any(p.heading is not None for p in pieces)

    # 1. units: what becomes a clause, and the template's items around them
    section = ""
    layout: list[Piece | _Numbered | _Unit] = []   # a heading's piece, a numbered list, a clause
    for piece in pieces:
        if piece.heading is not None:
            section = m.plain_text(piece.heading.content)
            layout.append(piece)
        elif piece.entries:
            layout.append(_Numbered(piece.start, [_entry_unit(e, section) for e in piece.entries]))
        else:
            block = piece.block
            assert block is not None
            prior = layout[-1] if layout else None
            if (isinstance(prior, _Unit) and not isinstance(block, m.Paragraph)
                    and isinstance(prior.blocks[-1], m.Paragraph)
                    and m.plain_text(prior.blocks[-1].content).rstrip().endswith(":")):
                prior.blocks.append(block)
                prior.what += f" + {_describe(block)}"
                continue
            layout.append(_Unit([block], piece.where, section, _describe(block)))

    units = [u for step in layout for u in _units_of(step)]
    taken = set(taken_ids)
    kept = _match_previous(units, previous or {}, taken)
    for unit in units:
        if not unit.id:
            unit.id = slug(_first_text(unit.blocks) or unit.what, taken,
                           prefix=unit.section if structured else "")

    # 2. files and the template
    files: dict[str, str] = {}
    clause_paths: dict[str, str] = {}
    for unit in units:
        path = previous[unit.id].path if previous and unit.id in previous else \
            f"clauses/{template_id}/{unit.id}.md"
        clause_paths[unit.id] = path
        files[path] = _clause_file(unit, template_id)

    def reported(unit: _Unit) -> None:
        report.append(ReportRow(unit.where, unit.what, f"clause {unit.id} ({clause_paths[unit.id]})"))
        for child in unit.children:
            reported(child)

    def entry_item(unit: _Unit) -> object:
        if not unit.children:
            return unit.id
        return {"clause": unit.id, "numbered": [entry_item(c) for c in unit.children]}

    preamble: list[object] = []
    body: list[object] = []
    closing: list[object] = []
    seen_list = False
    for step in layout:
        if isinstance(step, Piece):
            assert step.heading is not None
            heading = step.heading
            text = clause_markdown.inlines(heading.content, block=False)
            report.append(ReportRow(step.where, f"heading (level {heading.level})",
                                    f"template heading '{m.plain_text(heading.content)}'"))
            (body if seen_list or structured else preamble).append({"heading": text, "level": heading.level})
        elif isinstance(step, _Numbered):
            if closing:   # a list after closing paragraphs: those were body paragraphs after all
                body.extend(closing)
                closing = []
            for unit in step.units:
                reported(unit)
            entry: dict[str, object] = {"numbered": [entry_item(u) for u in step.units]}
            if step.start != 1:
                entry["start"] = step.start
            body.append(entry)
            seen_list = True
        else:
            reported(step)
            if structured:
                body.append(step.id)
            else:
                (closing if seen_list else preamble).append(step.id)
    template: dict[str, object] = {"id": template_id, "title": clause_markdown.inlines(title, block=False)}
    if preamble and body:
        template["preamble"] = preamble
        template["body"] = body
    else:
        template["body"] = body or preamble
    if closing:
        template["closing"] = closing
    template_path = f"templates/{template_id}.yaml"
    ordered = {template_path: yamlfile.dump(template)}
    ordered.update(files)
    deleted = sorted(p.path for i, p in (previous or {}).items() if i not in clause_paths)
    return ImportPlan(template_id, template_path, ordered, [u.id for u in units], report,
                      list(source.notes), expected, deleted, kept)


def _entry_unit(entry: Entry, section: str) -> _Unit:
    return _Unit(list(entry.blocks), entry.where, section, "numbered item",
                 children=[_entry_unit(c, section) for c in entry.children])


def _units_of(step: Piece | _Numbered | _Unit) -> list[_Unit]:
    """Every clause unit in a layout step, sub-clauses after their parent."""
    if isinstance(step, _Unit):
        return [step]
    out: list[_Unit] = []

    def walk(units: list[_Unit]) -> None:
        for unit in units:
            out.append(unit)
            walk(unit.children)

    if isinstance(step, _Numbered):
        walk(step.units)
    return out


def _match_previous(units: list[_Unit], previous: dict[str, PreviousClause], taken: set[str]) -> list[str]:
    """Give each unit the id of the previous clause whose text it recognisably is (the same
    words first, then the most alike above :data:`MATCH_THRESHOLD`, each old clause once);
    returns the ids kept."""
    if not previous:
        return []
    taken.update(previous)
    words = [block_words(u.blocks) for u in units]
    free = dict(previous)
    for unit, these in zip(units, words):
        same = next((i for i, p in free.items() if p.words == these), None)
        if same is not None:
            unit.id = same
            del free[same]
    scored = []
    for index, (unit, these) in enumerate(zip(units, words)):
        if unit.id:
            continue
        for old_id, old in free.items():
            matcher = SequenceMatcher(None, old.words, these, autojunk=False)
            if matcher.real_quick_ratio() < MATCH_THRESHOLD or matcher.quick_ratio() < MATCH_THRESHOLD:
                continue
            ratio = matcher.ratio()
            if ratio >= MATCH_THRESHOLD:
                scored.append((-ratio, index, old_id))
    for _score, index, old_id in sorted(scored):
        if units[index].id or old_id not in free:
            continue
        units[index].id = old_id
        del free[old_id]
    return [u.id for u in units if u.id]


def _clause_file(unit: _Unit, template_id: str) -> str:
    front = yamlfile.dump({"id": unit.id, "title": _title(_first_text(unit.blocks)) or unit.id,
                           "tags": [template_id]})
    body = clause_markdown.clause_body(tuple(unit.blocks)) if unit.blocks else ""
    return f"---\n{front}---\n{body}"
