"""Import of structured documents: Word files (tracked changes, comments, footnotes, nested
numbering, tables), raw HTML in Markdown, pipe tables, updates with --into, and every bad
input refused with one line, exit 4, nothing written."""

from __future__ import annotations

import json
import subprocess
import textwrap
from pathlib import Path

import pytest
from docx import Document as WordDocument

from tests.tools import require
from tests.wordfeedback import WordEdits


def word_file(path: Path, *paragraphs: tuple[str, str]) -> Path:
    """A DOCX written by python-docx: (style, text) paragraphs."""
    doc = WordDocument()
    for style, text in paragraphs:
        doc.add_paragraph(text, style=style)
    doc.save(str(path))
    return path


def pandoc_docx(tmp_path: Path, markdown: str, name: str = "policy") -> Path:
    """A DOCX made by pandoc from ``markdown`` (as an organisation's Word files often are)."""
    source = tmp_path / f"{name}.md"
    source.write_text(textwrap.dedent(markdown).lstrip(), encoding="utf-8")
    target = tmp_path / f"{name}.docx"
    subprocess.run([require("pandoc"), "-f", "gfm+footnotes", str(source), "-o", str(target)], check=True)
    return target


FEES = [("Title", "Membership fees"), ("Heading 1", "Fees"),
        ("Normal", "Fees are due in January of each year."),
        ("Normal", "The Board may waive a fee.")]


# ---------------------------------------------------------------- Word

def test_a_word_file_with_tracked_changes_is_refused_unless_told_what_to_do(ws, tmp_path):
    edits = WordEdits(word_file(tmp_path / "plain.docx", *FEES).read_bytes())
    edits.replace("Fees are due", "January", "March")
    edits.comment("The Board", "Which Board?")
    tracked = tmp_path / "fees.docx"
    tracked.write_bytes(edits.save())
    before = ws.snapshot()
    refused = ws.run("import", str(tracked))
    assert refused.code == 4
    assert refused.stderr == (f"error: {tracked}: has 2 tracked changes; accept or reject them in "
                              "Word first, or import with --accept-changes or --reject-changes\n")
    assert ws.snapshot() == before
    accepted = ws.run("import", str(tracked), "--accept-changes", "--template", "accepted")
    assert accepted.code == 0, accepted
    assert "note: 1 comment left out" in accepted.stderr
    assert "Fees are due in March of each year." in ws.run("build", "accepted").stdout
    rejected = ws.run("import", str(tracked), "--reject-changes", "--template", "rejected")
    assert rejected.code == 0, rejected
    out = ws.run("build", "rejected").stdout
    assert out.startswith("# Membership fees\n\n# Fees\n")
    assert "Fees are due in January of each year." in out and "Which Board" not in out
    both = ws.run("import", str(tracked), "--accept-changes", "--reject-changes")
    assert both.code == 2 and "choose one of" in both.stderr


def test_an_inserted_paragraph_is_taken_or_left_as_a_whole(ws, tmp_path):
    edits = WordEdits(word_file(tmp_path / "plain.docx", *FEES).read_bytes())
    edits.insert_paragraph_after("Fees are due", "Students pay half.")
    tracked = tmp_path / "fees.docx"
    tracked.write_bytes(edits.save())
    assert ws.run("import", str(tracked), "--accept-changes", "--template", "a").code == 0
    assert ws.run("import", str(tracked), "--reject-changes", "--template", "r").code == 0
    accepted, rejected = ws.run("build", "a").stdout, ws.run("build", "r").stdout
    assert "January of each year.\n\nStudents pay half.\n\nThe Board" in accepted
    assert "January of each year.\n\nThe Board" in rejected and "Students" not in rejected


@pytest.mark.parametrize("case,message", [
    ("not a zip", "is not a valid Word file (not a zip container); save it from Word as .docx"),
    ("encrypted", "is encrypted (password protected); remove the password in Word"),
    ("old doc", "is an old Word 97-2003 file (.doc), not a .docx"),
    ("deep heading", "paragraph 2: a level-7 heading is deeper than the 6 levels a template has"),
])
def test_bad_word_files_get_one_line_and_nothing_is_written(ws, tmp_path, case, message):
    path = tmp_path / "bad.docx"
    compound = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
    if case == "not a zip":
        path.write_bytes(b"Fees are due in January.\n")
    elif case == "encrypted":   # what Word writes: a compound file holding the encrypted package
        path.write_bytes(compound + "EncryptedPackage".encode("utf-16-le") + b"\0" * 64)
    elif case == "old doc":
        path.write_bytes(compound + "WordDocument".encode("utf-16-le") + b"\0" * 64)
    else:
        word_file(path, ("Title", "Fees"), ("Heading 7", "Too deep"), ("Normal", "Text."))
    before = ws.snapshot()
    result = ws.run("import", str(path))
    assert result.code == 4, result
    assert result.stderr.startswith(f"error: {path}: ") and message in result.stderr
    assert result.stderr.count("\n") == 1
    assert ws.snapshot() == before


def test_a_structured_word_document_keeps_headings_numbering_bullets_links_and_footnotes(ws, tmp_path):
    source = pandoc_docx(tmp_path, """
        # Data policy

        ## Definitions

        An **account** is what a *member* uses.[^law]

        ## Rules

        1. Data is open by default, see [the portal](https://example.org/portal).
        2. Personal data is protected:
           1. collected only with consent;
           2. kept no longer than needed.
        3. Exceptions:
           - security,
           - privacy.

        | Data | Open |
        |---|---|
        | Budgets | yes |

        [^law]: As defined in the Members Act.
        """)
    result = ws.run("import", str(source), "--template", "data", "--report")
    assert result.code == 0, result
    assert "template heading 'Definitions'" in result.stdout
    assert "clause definitions-account" in result.stdout
    out = ws.run("build", "data").stdout
    assert out.startswith("# Data policy\n\n## Definitions\n\nAn **account** is what a *member* uses.\\[1\\]"
                          "\n\n\\[1\\] As defined in the Members Act.\n\n## Rules\n\n")
    assert "1. Data is open by default, see [the portal](https://example.org/portal)." in out
    assert "2. Personal data is protected:\n\n   2.1. collected only with consent;\n\n   2.2. kept" in out
    assert "3. Exceptions:\n\n   - security,\n   - privacy." in out
    assert "| Data | Open |\n|---|---|\n| Budgets | yes |" in out


# ---------------------------------------------------------------- Markdown

def test_inline_html_becomes_the_models_marks_and_other_html_is_refused(ws, tmp_path):
    good = tmp_path / "good.md"
    good.write_text("# Policy\n\nA <b>bold</b>, <strong>strong</strong>, <em>em</em> and <i>i</i> "
                    "word,<br>then <a href=\"mailto:board@example.org\">the Board</a>.\n")
    assert ws.run("import", str(good), "--template", "good").code == 0
    assert ("A **bold**, **strong**, *em* and *i* word,\\\nthen [the Board](mailto:board@example.org)."
            in ws.run("build", "good").stdout)
    bad = tmp_path / "bad.md"
    bad.write_text("# Policy\n\nFirst.\n\nA <span class=\"x\">styled</span> word.\n")
    before = ws.snapshot()
    result = ws.run("import", str(bad))
    assert result.code == 4
    assert result.stderr.startswith(f"error: {bad}:5:")
    assert "raw HTML '<span class=\"x\">' cannot be imported" in result.stderr
    assert ws.snapshot() == before


def test_a_horizontal_rule_is_left_out_with_a_note_not_refused(ws, tmp_path):
    source = tmp_path / "rule.md"
    source.write_text("# Policy\n\nBefore.\n\n---\n\nAfter.\n")
    result = ws.run("import", str(source), "--report")
    assert result.code == 0, result
    assert "left out: line 5: horizontal rule left out" in result.stdout
    assert ws.run("build", "rule").stdout == "# Policy\n\nBefore.\n\nAfter.\n"


def test_a_pipe_table_renders_in_every_format(ws, tmp_path):
    source = tmp_path / "fees.md"
    source.write_text("# Fees\n\nThe fees are:\n\n| Member | Fee |\n|---|---|\n| Individual | 40 EUR |\n"
                      "| Section \\| branch | *400* EUR |\n")
    assert ws.run("import", str(source)).code == 0
    md = ws.run("build", "fees").stdout
    assert "| Member | Fee |\n|---|---|\n| Individual | 40 EUR |\n| Section \\| branch | *400* EUR |" in md
    html = ws.run("build", "fees", "--format", "html").stdout
    assert "<th>Member</th>" in html and "<td>Section | branch</td>" in html and "<em>400</em>" in html
    for fmt in ("docx", "pdf"):
        assert ws.run("build", "fees", "--format", fmt, "-o", str(tmp_path / f"fees.{fmt}")).code == 0
    from tests.tools import pdftotext
    text = pdftotext((tmp_path / "fees.pdf").read_bytes())
    assert "Individual" in text and "Section | branch" in text
    from docx import Document
    table = Document(str(tmp_path / "fees.docx")).tables[0]
    assert [[c.text for c in row.cells] for row in table.rows] == [
        ["Member", "Fee"], ["Individual", "40 EUR"], ["Section | branch", "400 EUR"]]


def test_into_refuses_to_overwrite_uncommitted_edits(ws, tmp_path):
    first = tmp_path / "v1.md"
    first.write_text("# Policy\n\n## Scope\n\nThis applies to members.\n")
    assert ws.run("import", str(first), "--template", "policy", "-m", "First").code == 0
    clause = next((ws.root / "clauses" / "policy").glob("*.md"))
    clause.write_text(clause.read_text() + "\nAn editor's unsaved thought.\n")
    second = tmp_path / "v2.md"
    second.write_text("# Policy\n\n## Scope\n\nThis applies to all members.\n")
    before = ws.snapshot()
    result = ws.run("import", str(second), "--into", "policy")
    assert result.code == 5
    assert "has uncommitted edits" in result.stderr
    assert ws.snapshot() == before


def test_into_keeps_ids_of_edited_clauses_and_records_the_next_version(ws, tmp_path):
    first = tmp_path / "v1.md"
    first.write_text("# Policy\n\n## Scope\n\nThis applies to members.\n\n"
                     "## Fees\n\nFees are due in January.\n\nLate fees are 10%.\n")
    assert ws.run("import", str(first), "--template", "policy", "-m", "Adopted text",
                  "--date", "2020-03-01").code == 0
    ids = sorted(p.stem for p in (ws.root / "clauses" / "policy").glob("*.md"))
    second = tmp_path / "v2.md"
    second.write_text("# Policy\n\n## Scope\n\nThis applies to all members.\n\n"
                      "## Fees\n\nFees are due in March.\n\nStudents pay half.\n")
    result = ws.run("import", str(second), "--into", "policy", "-m", "Revised", "--date", "2021-03-01",
                    "--json")
    assert result.code == 0, result
    data = json.loads(result.stdout)
    assert data["version"] == 2
    assert set(data["kept"]) == {"scope-applies-members", "fees-due-january"}
    assert len(data["deleted"]) == 1 and "late" in data["deleted"][0]
    now = sorted(p.stem for p in (ws.root / "clauses" / "policy").glob("*.md"))
    assert set(ids) - set(now) == {"fees-late-10"} and "fees-students-pay-half" in now
    redline = ws.run("redline", "policy", "v1", "v2", "--no-color").stdout
    assert "[+all +]" in redline and "[-January-][+March+]" in redline
    log = json.loads(ws.run("log", "policy", "--json").stdout)
    assert [(v["message"], v["date"][:10]) for v in log] == [("Adopted text", "2020-03-01"),
                                                              ("Revised", "2021-03-01")]
    bad_date = ws.run("import", str(first), "--into", "policy", "--date", "March 2022")
    assert bad_date.code == 2 and "--date 'March 2022' is not a date" in bad_date.stderr


# ---------------------------------------------------------------- clause text round trip

def _without_positions(blocks):
    """Blocks as a reader compares them: placeholders without their source positions,
    space runs as one space, no space at a paragraph's edges."""
    import dataclasses

    from assembler.build.redline import normalize_document
    from assembler.model import nodes as m
    from assembler.sources.clause_markdown import writable_emphasis
    origin = m.Origin("clause", "c", "c.md", "")

    def writable(node):   # emphasis as Markdown can write it, before runs are joined
        if isinstance(node, m.Paragraph):
            return dataclasses.replace(node, content=writable_emphasis(node.content))
        if isinstance(node, (m.BulletList, m.OrderedList)):
            return dataclasses.replace(node, items=tuple(tuple(writable(b) for b in i) for i in node.items))
        if isinstance(node, m.Table):
            return dataclasses.replace(node, header=tuple(writable_emphasis(c) for c in node.header),
                                       rows=tuple(tuple(writable_emphasis(c) for c in r) for r in node.rows))
        return node

    clause = m.Clause("c", tuple(writable(b) for b in blocks), origin)
    doc = normalize_document(m.Document("d", (), (clause,), origin))

    def inl(nodes):
        return tuple(m.Ref(n.target) if isinstance(n, m.Ref) else m.Var(n.name) if isinstance(n, m.Var) else
                     dataclasses.replace(n, content=inl(n.content)) if isinstance(n, m.CONTAINERS) else n
                     for n in nodes)

    def edges(nodes):
        nodes = list(writable_emphasis(nodes))
        while nodes and (isinstance(nodes[0], m.LineBreak) or nodes[0] == m.Text(" ")):
            nodes.pop(0)
        while nodes and (isinstance(nodes[-1], m.LineBreak) or nodes[-1] == m.Text(" ")):
            nodes.pop()
        joined = []
        for node in m.merge_text(nodes):
            if isinstance(node, m.Code) and joined and isinstance(joined[-1], m.Code):
                joined[-1] = m.Code(joined[-1].text + node.text)
            else:
                joined.append(node)
        return tuple(joined)

    def seq(nodes):   # what can be written: no empty paragraph, item or list
        out = tuple(blk(b) for b in nodes)
        return tuple(b for b in out if not (isinstance(b, m.Paragraph) and not b.content)
                     and not (isinstance(b, (m.BulletList, m.OrderedList)) and not b.items))

    def blk(node):
        if isinstance(node, (m.BulletList, m.OrderedList)):
            return dataclasses.replace(node, items=tuple(i for i in (seq(i) for i in node.items) if i))
        if isinstance(node, m.Paragraph):
            return dataclasses.replace(node, content=edges(inl(node.content)))
        if isinstance(node, m.Table):
            return dataclasses.replace(node, header=tuple(edges(inl(c)) for c in node.header),
                                       rows=tuple(tuple(edges(inl(c)) for c in r) for r in node.rows))
        return node

    return seq(doc.blocks[0].blocks)


def test_clause_text_written_from_the_model_reads_back_as_the_same_blocks():
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from assembler.sources.clause_markdown import clause_body
    from assembler.sources.markup import parse_blocks
    from tests.test_redline_engine import lists, paragraph, tables

    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(st.one_of(paragraph, lists(), tables()), min_size=1, max_size=4))
    def check(blocks):
        text = clause_body(tuple(blocks))
        parsed, problems = parse_blocks(text, "c.md")
        assert not problems, (text, problems)
        assert _without_positions(parsed) == _without_positions(blocks), text

    check()
