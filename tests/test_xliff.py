"""XLIFF 2.0 export and import (assembler.sources.xliff): schema-valid, exact, strict on input.

Written files are validated against the official OASIS XLIFF 2.0 core and Metadata module
schemas kept in tests/data/xliff (see its README.md); nothing is fetched at test time.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st
from lxml import etree

from assembler.errors import InvalidInput
from assembler.sources.xliff import (
    MAX_BYTES,
    MDA_NS,
    STATES,
    XLIFF_NS,
    Unit,
    XliffFile,
    read_xliff,
    write_xliff,
)

SCHEMAS = Path(__file__).parent / "data" / "xliff"
REL = "translations/resolution.fr.xlf"
BLOB = "3b18e512dba79e4c8300dd08aeb37f8e728b8dad"
NS = {"x": XLIFF_NS}


@functools.cache
def schema() -> etree.XMLSchema:
    """XLIFF 2.0 core + Metadata module, as one schema that imports both official files."""
    wrapper = (f'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">'
               f'<xs:import namespace="{XLIFF_NS}" schemaLocation="xliff_core_2.0.xsd"/>'
               f'<xs:import namespace="{MDA_NS}" schemaLocation="modules/metadata.xsd"/>'
               f'</xs:schema>')
    return etree.XMLSchema(etree.fromstring(wrapper, base_url=(SCHEMAS / "all.xsd").as_uri()))


def assert_valid(data: bytes) -> None:
    schema().assertValid(etree.fromstring(data))


SAMPLE = XliffFile("resolution", "en", "fr", (
    Unit("preamble", "The Board,\n\nhaving regard to <script>alert(1)</script> & \"quotes\" ]]>",
         "Le Conseil,\n\nvu <script>alert(1)</script> & « guillemets » ]]>", "current",
         source_blob=BLOB),
    Unit("article-1.2", "  Members shall pay {{fee}} by 1 March.\r\n", "Les membres paient.",
         "stale", previous_source="Members shall pay by 1 March.", source_blob=BLOB),
    Unit("annex_b", "مرحبا — שלום — 漢字 — 👩‍⚖️\n", None, "missing"),
))


# --- what is written ------------------------------------------------------------------------

def test_written_file_with_every_state_validates_against_the_oasis_schemas():
    data = write_xliff(SAMPLE)
    assert_valid(data)
    root = etree.fromstring(data)
    assert (root.get("version"), root.get("srcLang"), root.get("trgLang")) == ("2.0", "en", "fr")
    assert [f.get("id") for f in root.findall("x:file", NS)] == ["resolution"]
    states = [s.get("state") for s in root.iterfind(".//x:segment", NS)]
    assert states == ["final", "initial", "initial"]
    assert root.find(".//x:unit[@id='annex_b']//x:target", NS) is None


def test_the_schema_check_is_not_vacuous():
    root = etree.fromstring(write_xliff(SAMPLE))
    meta = root.find(f".//{{{MDA_NS}}}meta")
    del meta.attrib["type"]          # the Metadata module requires it
    with pytest.raises(etree.DocumentInvalid):
        schema().assertValid(root)
    root = etree.fromstring(write_xliff(SAMPLE))
    root.find(".//x:segment", NS).set("state", "stale")   # not an XLIFF core state
    with pytest.raises(etree.DocumentInvalid):
        schema().assertValid(root)


def test_writing_is_deterministic():
    copy = XliffFile(SAMPLE.document, SAMPLE.source_lang, SAMPLE.target_lang, tuple(SAMPLE.units))
    assert write_xliff(SAMPLE) == write_xliff(SAMPLE) == write_xliff(copy)


def test_text_is_written_as_text_never_as_markup():
    data = write_xliff(SAMPLE)
    assert b"<script>" not in data and b"&lt;script&gt;" in data
    source = etree.fromstring(data).find(".//x:source", NS)
    assert len(source) == 0 and source.text == SAMPLE.units[0].source


@pytest.mark.parametrize("unit, complaint", [
    (Unit("c1", "bell \x07 here", None, "missing"), "unit c1: source holds U+0007"),
    (Unit("c1", "ok", "form\x0cfeed", "current"), "unit c1: target holds U+000C"),
    (Unit("c1", "ok", "fine", "stale", previous_source="\ufffe"), "unit c1: previous_source holds U+FFFE"),
    (Unit("c1", "lone \ud800", None, "missing"), "unit c1: source holds U+D800"),
    (Unit("c1", "ok", "oui", "missing"), "unit c1: a missing unit has no target"),
    (Unit("c1", "ok", None, "current"), "unit c1: a current unit needs a target"),
    (Unit("c1", "ok", " \n", "stale"), "unit c1: a stale unit needs a target"),
    (Unit("c1", "ok", "oui", "current", previous_source="old"), "only a stale unit"),
    (Unit("c1", "ok", "oui", "done"), "state 'done'"),
    (Unit("c 1", "ok", None, "missing"), "unit 'c 1': the id must be a clause id"),
    (Unit("c1", "ok", None, "missing", source_blob="abc"), "not a 40-hex git blob id"),
])
def test_what_xml_or_the_unit_rules_cannot_carry_is_refused_on_write(unit, complaint):
    with pytest.raises(ValueError, match=re.escape(complaint)):
        write_xliff(XliffFile("resolution", "en", "fr", (unit,)))


def test_duplicate_ids_bad_languages_and_no_units_are_refused_on_write():
    unit = Unit("c1", "ok", None, "missing")
    with pytest.raises(ValueError, match="unit c1: the id is used twice"):
        write_xliff(XliffFile("resolution", "en", "fr", (unit, unit)))
    with pytest.raises(ValueError, match="'fr_FR' is not a BCP 47 language tag"):
        write_xliff(XliffFile("resolution", "en", "fr_FR", (unit,)))
    with pytest.raises(ValueError, match="no units"):
        write_xliff(XliffFile("resolution", "en", "fr", ()))


# --- round trip -----------------------------------------------------------------------------

_NOT_XML = "".join(map(chr, [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF]))
_TRICKY = ["<script>alert(1)</script>", "&amp;", "&lt;b&gt;", "]]>", "<![CDATA[x]]>", '"', "'",
           "\n", "\n\n", "\r\n", "\r", " ", "\t", "<pc id='1'>x</pc>", "<!-- c -->", "&#1;",
           "{{var}}", "مرحبا", "שלום", "漢字", "👩‍⚖️", "\u200f", "\xa0"]
texts = st.lists(st.one_of(st.text(st.characters(codec="utf-8", exclude_characters=_NOT_XML)),
                           st.sampled_from(_TRICKY)), max_size=6).map("".join)
ids = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,20}", fullmatch=True)
blobs = st.one_of(st.just(""), st.from_regex(r"[0-9a-f]{40}", fullmatch=True))


@st.composite
def units(draw: st.DrawFn, uid: str) -> Unit:
    state = draw(st.sampled_from(STATES))
    target = None if state == "missing" else draw(texts.filter(str.strip))
    previous = draw(st.none() | texts) if state == "stale" else None
    return Unit(uid, draw(texts), target, state, previous, draw(blobs))


xliff_files = st.builds(
    XliffFile, st.sampled_from(["resolution", "policy-2024.v1", "A_b"]),
    st.sampled_from(["en", "en-GB"]), st.sampled_from(["fr", "ar", "he", "zh-Hans", "pt-BR"]),
    st.lists(ids, min_size=1, max_size=5, unique=True).flatmap(
        lambda uids: st.tuples(*(units(uid) for uid in uids))))


@settings(max_examples=200, deadline=None)
@given(xliff_files)
def test_read_gives_back_exactly_what_was_written(f):
    data = write_xliff(f)
    assert read_xliff(data, REL) == f
    assert_valid(data)


# --- what translators send back -------------------------------------------------------------

def _translate(data: bytes, unit_id: str, text: str, state: str | None) -> bytes:
    """``data`` after a translator types ``text`` as the target of ``unit_id`` (with lxml)."""
    root = etree.fromstring(data)
    segment = root.find(f".//x:unit[@id='{unit_id}']/x:segment", NS)
    target = segment.find("x:target", NS)
    if target is None:
        target = etree.SubElement(segment, f"{{{XLIFF_NS}}}target")
    target.text = text
    if state:
        segment.set("state", state)
    return etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8")


def test_a_target_filled_in_for_a_missing_unit_reads_back():
    text = "مرحبا — traduit\n\nsecond paragraphe <b> & co\n"
    data = _translate(write_xliff(SAMPLE), "annex_b", text, state=None)
    assert_valid(data)
    unit = {u.id: u for u in read_xliff(data, REL).units}["annex_b"]
    assert (unit.target, unit.state, unit.source) == (text, "current", SAMPLE.units[2].source)


def test_a_stale_unit_stays_stale_until_the_translator_confirms_it():
    data = write_xliff(SAMPLE)
    untouched = {u.id: u for u in read_xliff(data, REL).units}["article-1.2"]
    assert untouched == SAMPLE.units[1]
    confirmed = _translate(data, "article-1.2", "Les membres paient {{fee}}.", state="translated")
    unit = {u.id: u for u in read_xliff(confirmed, REL).units}["article-1.2"]
    assert (unit.target, unit.state, unit.previous_source) == \
        ("Les membres paient {{fee}}.", "current", None)


@pytest.mark.parametrize("blank", ["", "   ", "\n\t\n"])
def test_an_empty_or_blank_target_counts_as_missing(blank):
    unit = read_xliff(_translate(write_xliff(SAMPLE), "preamble", blank, None), REL).units[0]
    assert (unit.target, unit.state) == (None, "missing")


# --- what is refused on read ----------------------------------------------------------------

def _xliff(units: str = '<unit id="c1"><segment><source>Hi</source></segment></unit>',
           root: str = f'xmlns="{XLIFF_NS}" version="2.0" srcLang="en" trgLang="fr"',
           files: str = '<file id="resolution">{units}</file>') -> bytes:
    """A small XLIFF file, root on line 2 and the first unit on line 3."""
    body = files.format(units=units)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<xliff {root}>\n{body}\n</xliff>\n'.encode()


_SEG = "<segment><source>Hi</source></segment>"
BAD = {
    "not XML": (b'<?xml version="1.0"?>\n<xliff>\n<file></xliff>', "not well-formed XML", 3),
    "empty": (b"", "not well-formed XML", None),
    "wrong root": (b'<?xml version="1.0"?><html/>', "not an XLIFF 2.0 file (root <html>", 1),
    "XLIFF 1.2": (_xliff(root='xmlns="urn:oasis:names:tc:xliff:document:1.2" version="1.2" '
                              'srcLang="en" trgLang="fr"'), "not an XLIFF 2.0 file", 2),
    "wrong version": (_xliff(root=f'xmlns="{XLIFF_NS}" version="2.1" srcLang="en" trgLang="fr"'),
                      "version '2.1'", 2),
    "no namespace": (_xliff(root='version="2.0" srcLang="en" trgLang="fr"'),
                     "in namespace 'none'", 2),
    "no trgLang": (_xliff(root=f'xmlns="{XLIFF_NS}" version="2.0" srcLang="en"'),
                   "<xliff trgLang> must give the language: it is missing", 2),
    "no srcLang": (_xliff(root=f'xmlns="{XLIFF_NS}" version="2.0" trgLang="fr"'),
                   "<xliff srcLang> must give the language", 2),
    "bad language": (_xliff(root=f'xmlns="{XLIFF_NS}" version="2.0" srcLang="en" trgLang="fr_FR"'),
                     "'fr_FR' is not a BCP 47 language tag; did you mean 'fr-FR'?", 2),
    "two files": (_xliff(files='<file id="a">{units}</file>\n<file id="b">{units}</file>'),
                  "holds 2 <file> elements", 2),
    "no file": (_xliff(files=""), "holds 0 <file> elements", 2),
    "unit without id": (_xliff(units=f"<unit>{_SEG}</unit>"), "a <unit> has no id", 3),
    "bad unit id": (_xliff(units=f'<unit id="a:b">{_SEG}</unit>'),
                    "unit 'a:b': the id is not a clause id", 3),
    "duplicate id": (_xliff(units=f'<unit id="c1">{_SEG}</unit>\n<unit id="c1">{_SEG}</unit>'),
                     "unit c1: the id is used by an earlier unit too", 4),
    "no source": (_xliff(units='<unit id="c1"><segment><target>Salut</target></segment></unit>'),
                  "unit c1: the segment has no <source>", 3),
    "two segments": (_xliff(units=f'<unit id="c1">{_SEG}{_SEG}</unit>'), "unit c1: holds 2 segments", 3),
    "markup in target": (_xliff(units='<unit id="c1"><segment><source>Hi</source>\n<target>'
                                      '<pc id="1">Salut</pc></target></segment></unit>'),
                         "unit c1: target holds markup <pc>; translators should keep the clause "
                         "text as plain text", 4),
    "markup in source": (_xliff(units='<unit id="c1"><segment><source>a <ph id="1"/></source>'
                                      '</segment></unit>'), "unit c1: source holds markup <ph>", 3),
    "bad source blob": (_xliff(units=f'<unit id="c1"><mda:metadata xmlns:mda="{MDA_NS}"><mda:metaGroup '
                                     'category="policy-assembler"><mda:meta type="source-blob">zz'
                                     f'</mda:meta></mda:metaGroup></mda:metadata>{_SEG}</unit>'),
                        "unit c1: source-blob 'zz' is not a 40-hex git blob id", 3),
    "DOCTYPE with entity": (b'<?xml version="1.0"?>\n<!DOCTYPE xliff [<!ENTITY x SYSTEM '
                            b'"file:///etc/passwd">]>\n' + _xliff(units='<unit id="c1"><segment>'
                            '<source>&x;</source></segment></unit>').split(b"\n", 1)[1],
                            "the file has a DOCTYPE", 1),
    "entity expansion": (b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
                         b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n<x>&b;</x>',
                         "the file has a DOCTYPE", 1),
    "larger than 20 MB": (b" " * (MAX_BYTES + 1), "more than the 20 MB allowed", None),
}


@pytest.mark.parametrize("name", BAD)
def test_bad_input_gives_one_clear_problem(name):
    data, complaint, line = BAD[name]
    with pytest.raises(InvalidInput) as caught:
        read_xliff(data, REL)
    [problem] = caught.value.problems
    assert problem.path == REL and complaint in problem.message, problem
    if line is not None:
        assert problem.line == line
    assert str(problem).startswith(REL) and "\n" not in str(problem)


def test_every_bad_unit_is_reported_not_just_the_first():
    data = _xliff(units=f"<unit>{_SEG}</unit>\n<unit id='c2'><segment/></unit>\n<unit id='c3'>{_SEG}</unit>")
    with pytest.raises(InvalidInput) as caught:
        read_xliff(data, REL)
    assert [p.line for p in caught.value.problems] == [3, 4]
