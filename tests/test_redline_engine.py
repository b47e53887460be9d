"""The comparison engine: alignment by clause identity, word diffs, and the round trip
accept(compare(a, b)) == b, reject(compare(a, b)) == a, over generated documents."""

from __future__ import annotations

import dataclasses
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assembler import model as m
from assembler import redline
from assembler.transforms import number_clauses, resolve_references

ORIGIN = m.Origin("clause", "x", "clauses/x.md", "0" * 40)
WORDS = ["the", "policy", "states", "rights", ",", ".", "respect", "protect", "—", "Ελλάδα",
         "Київ", "and", "of", "sex", "workers", "  "]


def doc(*clauses, title="Title") -> m.Document:
    return m.Document("d", (m.Text(title),), (m.ClauseList(tuple(clauses)),), ORIGIN)


def clause(cid: str, *texts: str) -> m.Clause:
    return m.Clause(cid, tuple(m.Paragraph((m.Text(t),)) for t in texts),
                    dataclasses.replace(ORIGIN, id=cid))


def finished(document: m.Document) -> m.Document:
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

text = st.lists(st.sampled_from(WORDS), min_size=1, max_size=12).map(lambda ws: " ".join(ws).strip() or "x")
inline = st.one_of(
    text.map(m.Text),
    text.map(lambda t: m.Emph((m.Text(t),))),
    text.map(lambda t: m.Strong((m.Text(t),))),
    text.map(lambda t: m.Link((m.Text(t),), "https://example.org/" + str(len(t)))),
)
paragraph = st.lists(inline, min_size=1, max_size=4).map(lambda c: m.Paragraph(m.merge_text(c)))


@st.composite
def documents(draw, pool=tuple(f"c{n}" for n in range(12))):
    ids = draw(st.lists(st.sampled_from(pool), unique=True, max_size=8))
    top, nested = ids[:5], ids[5:]
    clauses = []
    for index, cid in enumerate(top):
        blocks = tuple(draw(st.lists(paragraph, min_size=1, max_size=2)))
        if index == 0 and nested:
            subs = tuple(m.Clause(n, (draw(paragraph),), dataclasses.replace(ORIGIN, id=n)) for n in nested)
            blocks += (m.ClauseList(subs),)
        clauses.append(m.Clause(cid, blocks, dataclasses.replace(ORIGIN, id=cid)))
    before = tuple(draw(st.lists(paragraph, max_size=2)))
    after = tuple(draw(st.lists(paragraph, max_size=2)))
    body = before + ((m.ClauseList(tuple(clauses), draw(st.integers(1, 3))),) if clauses else ()) + after
    return m.Document("d", (draw(inline),), body, ORIGIN)


@settings(max_examples=int(os.environ.get("REDLINE_EXAMPLES", "300")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(documents(), documents())
def test_accept_gives_the_new_and_reject_the_old_document(a, b):
    roundtrip(a, b)


@settings(max_examples=100, deadline=None)
@given(documents())
def test_a_document_compared_with_itself_has_no_marks(a):
    result = roundtrip(a, a)
    assert not result.summary["changes"]


def test_documents_over_the_size_limit_are_refused_not_diffed_coarsely(monkeypatch):
    import pytest
    from assembler.errors import InvalidInput
    monkeypatch.setattr(redline, "MAX_WORDS", 5)
    with pytest.raises(InvalidInput) as caught:
        redline.compare(doc(clause("a", "one two three four five six")), doc(clause("a", "one")))
    assert "over the comparison limit of 5" in str(caught.value)
