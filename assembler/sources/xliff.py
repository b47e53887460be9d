"""XLIFF 2.0 exchange: one document's clauses out to translators, their translations back in.

Files are OASIS XLIFF Version 2.0 core plus its Metadata module (``mda``), which translation
tools (OmegaT, memoQ, Trados, Okapi, Weblate, Poedit) read. One ``<file id=document>`` holds
one ``<unit id=clause>`` per clause, each a single ``<segment>`` with ``<source>`` and, when a
translation exists, ``<target>``. Our own state and source blob ride in the unit's
``mda:metadata``; a stale unit's previous source is a ``<note category="previous-source">``,
which tools show to the translator (like gettext's ``--previous``). Clause text is always XML
text, never markup, and every unit is ``xml:space="preserve"``, so newlines and spaces survive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree  # type: ignore[import-untyped]  # no stubs in the test extras

from assembler.errors import InvalidInput, Problem
from assembler.sources.languages import is_language_tag, problem_with
from assembler.sources.markup import CLAUSE_ID

XLIFF_NS = "urn:oasis:names:tc:xliff:document:2.0"
MDA_NS = "urn:oasis:names:tc:xliff:metadata:2.0"
_NS = {"x": XLIFF_NS, "mda": MDA_NS}
_X, _MDA = f"{{{XLIFF_NS}}}", f"{{{MDA_NS}}}"  # Clark-notation prefixes for tags
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
META_CATEGORY = "policy-assembler"
PREVIOUS_SOURCE = "previous-source"
MAX_BYTES = 20_000_000          # 20 MB: far beyond any document's clauses
STATES = ("current", "stale", "missing")
_SEGMENT_STATE = {"current": "final", "stale": "initial", "missing": "initial"}
_BLOB = re.compile(r"[0-9a-f]{40}")
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ID_RULE = "letters, digits, '.', '_', '-', starting with a letter or digit"


@dataclass(frozen=True)
class Unit:
    """One clause: its source text and, unless ``state`` is "missing", a translation of it."""

    id: str
    source: str
    target: str | None
    state: str                          # "current" | "stale" | "missing"
    previous_source: str | None = None  # stale: the source the translation was made from
    source_blob: str = ""               # 40-hex git blob id of ``source``, or "" when unknown


@dataclass(frozen=True)
class XliffFile:
    """One document's units for translation from ``source_lang`` into ``target_lang``."""

    document: str
    source_lang: str
    target_lang: str
    units: tuple[Unit, ...]


def write_xliff(f: XliffFile) -> bytes:
    """``f`` as pretty-printed UTF-8 XLIFF 2.0; the same ``f`` always gives the same bytes, so
    exports diff cleanly. Raises ValueError, naming the unit, for what a unit's rules or XML 1.0
    do not allow (a blank target on a translated unit, control characters, ...)."""
    _check(f)
    root = etree.Element(_X + "xliff", nsmap={None: XLIFF_NS, "mda": MDA_NS}, version="2.0",
                         srcLang=f.source_lang, trgLang=f.target_lang)
    # canResegment="no": a tool must not split a clause, or its translation could not come back
    file_el = etree.SubElement(root, _X + "file", id=f.document, canResegment="no")
    for unit in f.units:
        _write_unit(file_el, unit)
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return data


def _write_unit(file_el: etree._Element, unit: Unit) -> None:
    el = etree.SubElement(file_el, _X + "unit", {"id": unit.id, _XML_SPACE: "preserve"})
    group = etree.SubElement(etree.SubElement(el, _MDA + "metadata"), _MDA + "metaGroup",
                             category=META_CATEGORY)
    etree.SubElement(group, _MDA + "meta", type="state").text = unit.state
    if unit.source_blob:
        etree.SubElement(group, _MDA + "meta", type="source-blob").text = unit.source_blob
    if unit.previous_source is not None:
        notes = etree.SubElement(el, _X + "notes")
        etree.SubElement(notes, _X + "note", category=PREVIOUS_SOURCE).text = unit.previous_source
    segment = etree.SubElement(el, _X + "segment", state=_SEGMENT_STATE[unit.state])
    etree.SubElement(segment, _X + "source").text = unit.source
    if unit.target is not None:
        etree.SubElement(segment, _X + "target").text = unit.target


def _check(f: XliffFile) -> None:
    """Raise ValueError for the first thing in ``f`` that write_xliff cannot write faithfully."""
    if not CLAUSE_ID.fullmatch(f.document):
        raise ValueError(f"document id {f.document!r}: use {_ID_RULE}")
    for lang in (f.source_lang, f.target_lang):
        if not is_language_tag(lang):
            raise ValueError(f"document {f.document}: {problem_with(lang)}")
    if not f.units:
        raise ValueError(f"document {f.document}: no units; an XLIFF file needs at least one")
    seen: set[str] = set()
    for u in f.units:
        if not CLAUSE_ID.fullmatch(u.id):
            raise ValueError(f"unit {u.id!r}: the id must be a clause id ({_ID_RULE})")
        if u.id in seen:
            raise ValueError(f"unit {u.id}: the id is used twice")
        seen.add(u.id)
        if u.state not in STATES:
            raise ValueError(f"unit {u.id}: state {u.state!r} is not one of {', '.join(STATES)}")
        if u.state == "missing" and u.target is not None:
            raise ValueError(f"unit {u.id}: a missing unit has no target (target must be None)")
        if u.state != "missing" and not (u.target or "").strip():
            raise ValueError(f"unit {u.id}: a {u.state} unit needs a target that is not blank")
        if u.previous_source is not None and u.state != "stale":
            raise ValueError(f"unit {u.id}: only a stale unit has a previous source")
        if u.source_blob and not _BLOB.fullmatch(u.source_blob):
            raise ValueError(f"unit {u.id}: source_blob {u.source_blob!r} is not a 40-hex git blob id")
        for field in ("source", "target", "previous_source"):
            bad = _NOT_XML.search(getattr(u, field) or "")
            if bad:
                raise ValueError(f"unit {u.id}: {field} holds U+{ord(bad.group()):04X}, a character "
                                 "XML 1.0 cannot carry; remove it from the clause")


def read_xliff(data: bytes, rel: str) -> XliffFile:
    """The document, languages and units of an XLIFF 2.0 file (``rel`` names it in messages).

    A target that is absent, empty or only whitespace reads as missing. A unit with a target is
    "stale" while it was exported stale and its segment is still "initial" (nobody confirmed an
    updated translation), else "current". Raises InvalidInput with one Problem per fault for
    anything this toolkit cannot take back: not XML, a DOCTYPE, not XLIFF 2.0, languages, not
    exactly one <file>, unit ids, segments, markup inside the text, more than 20 MB."""
    def refused(message: str, line: int | None = 0, column: int | None = 0) -> InvalidInput:
        return InvalidInput(Problem(rel, message, line or 0, column or 0))

    if len(data) > MAX_BYTES:
        raise refused(f"the file is {len(data):,} bytes, more than the 20 MB allowed")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as e:
        raise refused(f"not well-formed XML: {e.msg}", *e.position) from None
    if root.getroottree().docinfo.doctype:
        raise refused("the file has a DOCTYPE; XLIFF files may not declare a DTD or entities", 1)
    name = etree.QName(root)
    if name.namespace != XLIFF_NS or name.localname != "xliff" or root.get("version") != "2.0":
        raise refused(f"not an XLIFF 2.0 file (root <{name.localname}> in namespace "
                      f"{name.namespace or 'none'!r}, version {root.get('version')!r}); export it "
                      f"from the translation tool as XLIFF 2.0 ({XLIFF_NS})", root.sourceline)
    langs = {attr: root.get(attr, "") for attr in ("srcLang", "trgLang")}
    for attr, lang in langs.items():
        if not is_language_tag(lang):
            why = problem_with(lang) if lang else "it is missing"
            raise refused(f"<xliff {attr}> must give the language: {why}", root.sourceline)
    files = root.findall("x:file", _NS)
    if len(files) != 1:
        raise refused(f"the file holds {len(files)} <file> elements; an export of one document "
                      "holds exactly one", root.sourceline)
    document = files[0].get("id", "")
    if not CLAUSE_ID.fullmatch(document):
        raise refused(f"<file id> {document!r} is not a document id ({_ID_RULE})", files[0].sourceline)
    units: dict[str, Unit] = {}
    problems: list[Problem] = []
    for el in files[0].iter(_X + "unit"):
        unit = _read_unit(el, rel)
        if isinstance(unit, Problem):
            problems.append(unit)
        elif unit.id in units:
            problems.append(Problem(rel, f"unit {unit.id}: the id is used by an earlier unit too; "
                                         "each clause may appear once", el.sourceline or 0))
        else:
            units[unit.id] = unit
    if problems:
        raise InvalidInput(problems)
    return XliffFile(document, langs["srcLang"], langs["trgLang"], tuple(units.values()))


def _read_unit(el: etree._Element, rel: str) -> Unit | Problem:
    """The unit ``el`` holds, or the first Problem with it."""
    uid = el.get("id", "")
    line = el.sourceline or 0
    if not uid:
        return Problem(rel, "a <unit> has no id; every unit needs its clause id", line)
    if not CLAUSE_ID.fullmatch(uid):
        return Problem(rel, f"unit {uid!r}: the id is not a clause id ({_ID_RULE})", line)
    segments = el.findall("x:segment", _NS)
    if len(segments) != 1 or el.find("x:ignorable", _NS) is not None:
        return Problem(rel, f"unit {uid}: holds {len(segments)} segments (and ignorables); keep "
                            "each clause as one segment (do not split or join it)", line)
    segment = segments[0]
    source_el, target_el = segment.find("x:source", _NS), segment.find("x:target", _NS)
    if source_el is None:
        return Problem(rel, f"unit {uid}: the segment has no <source>", segment.sourceline or line)
    for what, text_el in (("source", source_el), ("target", target_el)):
        child = None if text_el is None else next(text_el.iterchildren(etree.Element), None)
        if child is not None:
            return Problem(rel, f"unit {uid}: {what} holds markup <{etree.QName(child).localname}>; "
                                "translators should keep the clause text as plain text, with no "
                                "tags, placeholders or formatting codes", child.sourceline or line)
    target = None if target_el is None else _text(target_el)
    meta = {m.get("type"): _text(m).strip() for m in el.iterfind(
        f"mda:metadata/mda:metaGroup[@category='{META_CATEGORY}']/mda:meta", _NS)}
    blob = meta.get("source-blob", "")
    if blob and not _BLOB.fullmatch(blob):
        return Problem(rel, f"unit {uid}: source-blob {blob!r} is not a 40-hex git blob id; the "
                            "policy-assembler metadata must be left as exported", line)
    if target is None or not target.strip():
        target, state = None, "missing"
    elif meta.get("state") == "stale" and segment.get("state", "initial") == "initial":
        state = "stale"
    else:
        state = "current"
    previous = next((_text(n) for n in el.iterfind(
        f"x:notes/x:note[@category='{PREVIOUS_SOURCE}']", _NS)), None)
    return Unit(uid, _text(source_el), target, state,
                previous if state == "stale" else None, blob)


def _text(el: etree._Element) -> str:
    """All text in ``el`` (comments and processing instructions left out)."""
    return "".join(el.itertext())
