"""The review site's side-by-side redline: over generated documents (clauses, sub-clauses,
headings, lists, tables, moves), the before column reads exactly as the old document and the
after column as the new one, row by row in document order."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from test_redline_engine import documents, finished

from assembler.build import redline
from assembler.model import nodes as m
from assembler.writers import side_by_side


def words(blocks) -> list[str]:
    """The words a reader sees in ``blocks``, in order (clause numbers and reference labels,
    which renumbering changes without changing the text, left out)."""
    out: list[str] = []   # text pieces, joined and split into words at the end

    def inline(nodes) -> None:
        for node in nodes:
            if isinstance(node, (m.Text, m.Code)):
                out.append(node.text)
            elif isinstance(node, m.Var):
                out.append(node.name)
            elif isinstance(node, m.CONTAINERS):
                inline(node.content)

    def block(node) -> None:
        if isinstance(node, (m.Paragraph, m.Heading)):
            inline(node.content)
            out.append(" ")
        elif isinstance(node, (m.BulletList, m.OrderedList)):
            for item in node.items:
                for inner in item:
                    block(inner)
        elif isinstance(node, m.Table):
            for cell in node.header + tuple(c for row in node.rows for c in row):
                out.append(cell) if isinstance(cell, str) else inline(cell)
                out.append(" ")
        elif isinstance(node, m.Clause):
            for inner in node.blocks:
                block(inner)
        elif isinstance(node, m.ClauseList):
            for inner in node.items:
                block(inner)

    for node in blocks:
        block(node)
    return "".join(out).split()


@settings(max_examples=int(os.environ.get("REDLINE_EXAMPLES", "200")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(documents(), documents())
def test_each_column_reads_as_its_own_version(a, b):
    a, b = finished(a), finished(b)
    rows = side_by_side.rows(redline.compare(a, b).document)
    assert [w for row in rows for w in words(row.before)] == words(a.blocks)
    assert [w for row in rows for w in words(row.after)] == words(b.blocks)
    assert all(row.changed for row in rows if words(row.before) != words(row.after))


def test_a_changed_clause_is_one_marked_row_with_each_side_escaped():
    import dataclasses
    origin = m.Origin("clause", "x", "clauses/x.md", "0" * 40)

    def doc(text: str) -> m.Document:
        clause = m.Clause("c", (m.Paragraph((m.Text(text),)),), dataclasses.replace(origin, id="c"))
        return finished(m.Document("d", (m.Text("T"),), (m.ClauseList((clause,)),), origin))

    html = side_by_side.write(redline.compare(doc("Keep <b>this</b> now."), doc("Keep <b>that</b> now.")).document,
                              "Version 1", "Version <2>")
    assert '<tr class="changed"><th scope="row">1</th>' in html
    assert "&lt;b&gt;<del>this</del>&lt;/b&gt;" in html and "<b>" not in html
    before, after = html.split('<td data-side="Version 1">')[1].split('<td data-side="Version &lt;2&gt;">')
    assert "<del>" in before and "<ins>" not in before and "<ins>" in after and "<del>" not in after
