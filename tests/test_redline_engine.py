"""The comparison engine: alignment by clause identity, word diffs, and the round trip
accept(compare(a, b)) == b, reject(compare(a, b)) == a, over generated documents."""

from __future__ import annotations

import dataclasses
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assembler.model import nodes as m
from assembler.build import redline
from assembler.build.transforms import number_clauses, resolve_references
from conftest import REPO

ORIGIN = m.Origin("clause", "x", "clauses/x.md", "0" * 40)
WORDS = ["the", "policy", "states", "rights", ",", ".", "respect", "protect", "—", "Ελλάδα",
         "Київ", "and", "of", "sex", "workers", "  "]


def doc(*clauses, title="Title") -> m.Document:
    return m.Document("d", (m.Text(title),), (m.ClauseList(tuple(clauses)),), ORIGIN)


def clause(cid: str, *texts: str) -> m.Clause:
    return m.Clause(cid, tuple(m.Paragraph((m.Text(t),)) for t in texts),
                    dataclasses.replace(ORIGIN, id=cid))


def finished(document: m.Document) -> m.Document:
    """Numbered and cross-referenced, as assembly leaves a document (a reference to a clause
    the document lacks, which assembly refuses, becomes plain text)."""
    ids = {c.id for c in m.iter_clauses(document.blocks)}

    def inl(nodes):
        return tuple(m.Text("see above") if isinstance(n, m.Ref) and n.target not in ids else
                     dataclasses.replace(n, content=inl(n.content)) if isinstance(n, m.CONTAINERS) else n
                     for n in nodes)

    def blk(node):
        if isinstance(node, m.Clause):
            return dataclasses.replace(node, blocks=tuple(blk(b) for b in node.blocks))
        if isinstance(node, m.ClauseList):
            return dataclasses.replace(node, items=tuple(blk(b) for b in node.items))
        if isinstance(node, (m.BulletList, m.OrderedList)):
            return dataclasses.replace(node, items=tuple(tuple(blk(b) for b in i) for i in node.items))
        if isinstance(node, (m.Paragraph, m.Heading)):
            return dataclasses.replace(node, content=m.merge_text(inl(node.content)))
        return node

    document = dataclasses.replace(document, title=inl(document.title),
                                   blocks=tuple(blk(b) for b in document.blocks))
    return resolve_references(number_clauses(document))[0]


def roundtrip(a: m.Document, b: m.Document) -> redline.Redline:
    a, b = finished(a), finished(b)
    result = redline.compare(a, b)
    n = redline.normalize_document
    assert n(redline.accept(result)) == n(b)
    assert n(redline.reject(result)) == n(a)
    return result


def marks(nodes) -> list[tuple[str, str]]:
    out = []
    for node in nodes:
        if isinstance(node, (m.Ins, m.Del)):
            out.append((type(node).__name__, m.plain_text(node.content)))
        elif isinstance(node, m.CONTAINERS):
            out.extend(marks(node.content))
    return out


def test_two_inserted_commas_show_as_two_inserted_commas_and_nothing_else():
    a = doc(title="Resolution on state obligations to respect protect and fulfil")
    b = doc(title="Decision on state obligations to respect, protect, and fulfil")
    result = roundtrip(a, b)
    assert marks(result.document.title) == [("Del", "Resolution"), ("Ins", "Decision"),
                                           ("Ins", ","), ("Ins", ",")]


def test_renumbering_alone_is_no_change():
    a = doc(clause("a", "First."), clause("b", "Second."))
    b = doc(clause("new", "Inserted."), clause("a", "First."), clause("b", "Second."))
    result = roundtrip(a, b)
    items = result.document.blocks[0].items
    assert [(c.id, c.change, c.number, c.old_number) for c in items] == [
        ("new", "inserted", "1", None), ("a", None, "2", "1"), ("b", None, "3", "2")]
    assert result.summary["clauses_added"] == 1 and result.summary["clauses_modified"] == 0


def test_a_moved_clause_is_shown_once_with_its_old_number():
    a = doc(clause("a", "A."), clause("b", "B."), clause("c", "C."), clause("d", "D."))
    b = doc(clause("a", "A."), clause("c", "C."), clause("d", "D."), clause("b", "B, changed."))
    result = roundtrip(a, b)
    items = result.document.blocks[0].items
    moved = [c for c in items if c.change == "moved"]
    assert [(c.id, c.number, c.old_number) for c in moved] == [("b", "4", "2")]
    assert [c.id for c in items if c.change == "moved-away"] == ["b"]
    assert result.summary["clauses_moved"] == 1
    assert result.summary["changed_clauses"][0]["change"] == "moved from 2 and modified"


def test_a_removed_clause_is_one_deletion():
    result = roundtrip(doc(clause("a", "A."), clause("b", "B.")), doc(clause("a", "A.")))
    assert result.summary["clauses_removed"] == 1 and result.summary["words_deleted"] == 1


def test_formatting_survives_in_both_directions():
    a = m.Document("d", (m.Text("T"),), (m.Paragraph((m.Text("A "), m.Emph((m.Text("bold move"),)),
                                                       m.Text(" here."))),), ORIGIN)
    b = m.Document("d", (m.Text("T"),), (m.Paragraph((m.Text("A "), m.Emph((m.Text("bold new move"),)),
                                                       m.Link((m.Text("here"),), "https://x.org"),
                                                       m.Text("."))),), ORIGIN)
    roundtrip(a, b)


def test_identical_documents_have_no_changes():
    a = doc(clause("a", "Same."))
    assert roundtrip(a, a).summary["changes"] is False


# ---------------------------------------------------------------- property tests
# Generated documents hold what real policies hold: headings, bullet and ordered lists inside
# clauses (nested too), emphasis, links whose targets change, line breaks, code, filled
# variables and cross-references, unspaced scripts; the id pool makes moves and moves with
# edits common.

WORDS_RICH = WORDS + ["カースト", "、", "肌の色", "“quoted”", "(a)", "Section’s", ":", ";", "—"]
TARGETS = ["https://example.org/a", "https://example.org/b", "mailto:x@example.org", "#part"]
text = st.lists(st.sampled_from(WORDS_RICH), min_size=1, max_size=12).map(lambda ws: " ".join(ws).strip() or "x")
leaf = st.one_of(
    text.map(m.Text),
    text.map(m.Text),
    st.just(m.LineBreak()),
    st.sampled_from(["x = 1", "id"]).map(m.Code),
    st.sampled_from(["c0", "c3", "c7"]).map(lambda t: m.Ref(t)),
)
inline = st.one_of(
    leaf,
    text.map(lambda t: m.Emph((m.Text(t),))),
    text.map(lambda t: m.Strong((m.Text(t),))),
    st.tuples(text, st.sampled_from(TARGETS)).map(lambda p: m.Link((m.Text(p[0]),), p[1])),
    st.tuples(text, st.sampled_from(TARGETS)).map(lambda p: m.Emph((m.Link((m.Text(p[0]),), p[1]),))),
)
paragraph = st.lists(inline, min_size=1, max_size=4).map(lambda c: m.Paragraph(m.merge_text(c)))
heading = st.tuples(st.integers(2, 4), text).map(lambda p: m.Heading(p[0], (m.Text(p[1]),)))


@st.composite
def lists(draw, depth=0):
    items = []
    for _ in range(draw(st.integers(1, 4))):
        item = (draw(paragraph),)
        if depth == 0 and draw(st.booleans()) and draw(st.booleans()):
            item += (draw(lists(depth=1)),)
        items.append(item)
    if draw(st.booleans()):
        return m.BulletList(tuple(items))
    return m.OrderedList(tuple(items), draw(st.integers(1, 3)))


cell = st.lists(st.one_of(text.map(m.Text), text.map(lambda t: m.Emph((m.Text(t),))),
                          st.tuples(text, st.sampled_from(TARGETS)).map(lambda p: m.Link((m.Text(p[0]),), p[1]))),
                max_size=2).map(m.merge_text)


@st.composite
def tables(draw):
    """A pipe table as clause text holds one: a header and rows of inline cells (the two
    versions of a document may differ in rows, cells and columns)."""
    width = draw(st.integers(1, 3))
    header = tuple(draw(cell) for _ in range(width))
    rows = tuple(tuple(draw(cell) for _ in range(width)) for _ in range(draw(st.integers(0, 4))))
    return m.Table("", header, rows)


clause_block = st.one_of(paragraph, paragraph, lists(), tables())


@st.composite
def documents(draw, pool=tuple(f"c{n}" for n in range(12))):
    ids = draw(st.lists(st.sampled_from(pool), unique=True, max_size=8))
    top, nested = ids[:5], ids[5:]
    clauses = []
    for index, cid in enumerate(top):
        blocks = (draw(paragraph),) + tuple(draw(st.lists(clause_block, max_size=2)))
        if index == 0 and nested:
            subs = tuple(m.Clause(n, (draw(paragraph),), dataclasses.replace(ORIGIN, id=n)) for n in nested)
            blocks += (m.ClauseList(subs),)
        clauses.append(m.Clause(cid, blocks, dataclasses.replace(ORIGIN, id=cid)))
    before = tuple(draw(st.lists(st.one_of(paragraph, heading), max_size=3)))
    after = tuple(draw(st.lists(st.one_of(paragraph, heading, lists()), max_size=3)))
    body = before + ((m.ClauseList(tuple(clauses), draw(st.integers(1, 3))),) if clauses else ()) + after
    return m.Document("d", (draw(inline),), body, ORIGIN)


def content(doc: m.Document) -> m.Document:
    """What a reader compares: the normalised document without clause numbers, list starts of
    clause lists or reference labels (renumbering alone is no change)."""
    def inl(nodes):
        return tuple(m.Ref(n.target) if isinstance(n, m.Ref) else
                     dataclasses.replace(n, content=inl(n.content)) if isinstance(n, m.CONTAINERS) else n
                     for n in nodes)

    def blk(node):
        if isinstance(node, m.Clause):
            return dataclasses.replace(node, number=None, blocks=tuple(blk(b) for b in node.blocks))
        if isinstance(node, m.ClauseList):
            return dataclasses.replace(node, start=1, items=tuple(blk(b) for b in node.items))
        if isinstance(node, (m.BulletList, m.OrderedList)):
            return dataclasses.replace(node, items=tuple(tuple(blk(b) for b in i) for i in node.items))
        if isinstance(node, (m.Paragraph, m.Heading)):
            return dataclasses.replace(node, content=inl(node.content))
        if isinstance(node, m.Table):
            return dataclasses.replace(node, header=tuple(inl(c) for c in node.header),
                                       rows=tuple(tuple(inl(c) for c in row) for row in node.rows))
        return node

    doc = redline.normalize_document(doc)
    return dataclasses.replace(doc, title=inl(doc.title), blocks=tuple(blk(b) for b in doc.blocks))


@settings(max_examples=int(os.environ.get("REDLINE_EXAMPLES", "300")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(documents(), documents())
def test_accept_gives_the_new_and_reject_the_old_document(a, b):
    result = roundtrip(a, b)
    assert result.summary["changes"] == (content(finished(a)) != content(finished(b)))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_a_document_compared_with_itself_has_no_marks(a):
    result = roundtrip(a, a)
    assert not result.summary["changes"]


@settings(max_examples=int(os.environ.get("REDLINE_WRITER_EXAMPLES", "25")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(documents(), documents())
def test_every_writer_draws_every_redline(a, b):
    from assembler.workspace import Workspace
    from assembler.writers.options import RedlineInfo, Side
    result = redline.compare(finished(a), finished(b))
    info = RedlineInfo(Side("v1", 0), Side("v2", 0), result.summary)
    workspace = Workspace(REPO)  # rendering reads nothing from it
    for fmt in ("md", "html", "terminal", "json", "docx", "pdf"):
        assert workspace.render_redline(result, info, fmt)


def test_documents_over_the_size_limit_are_refused_not_diffed_coarsely(monkeypatch):
    import pytest
    from assembler.errors import InvalidInput
    monkeypatch.setattr(redline, "MAX_WORDS", 5)
    with pytest.raises(InvalidInput) as caught:
        redline.compare(doc(clause("a", "one two three four five six")), doc(clause("a", "one")))
    assert "over the comparison limit of 5" in str(caught.value)
