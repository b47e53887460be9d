"""Revisions that once read as "no changes" or as noise, and the ones that crashed: each kind
of change is counted for what it is, in the JSON summary, the terminal and the PDF."""

from __future__ import annotations

import json
import re
import zipfile

import pytest

from conftest import run_cli
from test_versions import git
from tools import libreoffice_resolve, pdftotext

OLD = """# Policy on data

## Definitions

1. **Data** — information held by the Section, in any form.
2. **Member** — a person who has joined the Section.

Members shall not, in any case, share data. Read [the guide](https://example.org/guide/v1) 
and the [annex](https://example.org/annex/v1).

- first duty  
- second duty

Members *must* report a breach.
"""


def redline_json(tmp_path, old: str, new: str, *extra: str) -> dict:
    (tmp_path / "old.md").write_text(old)
    (tmp_path / "new.md").write_text(new)
    result = run_cli("redline", "--files", "old.md", "new.md", "--json", "r.json", *extra, cwd=tmp_path)
    assert result.code == 0, result
    return json.loads((tmp_path / "r.json").read_text())


def test_a_punctuation_only_revision_is_counted_and_never_no_changes(tmp_path):
    new = OLD.replace(" — ", ": ").replace("shall not, in any case, share", "shall; not in any case share")
    data = redline_json(tmp_path, OLD, new, "--pdf", "r.pdf")
    s = data["summary"]
    assert (s["words_inserted"], s["words_deleted"]) == (0, 0)
    assert s["punctuation_inserted"] == 3 and s["punctuation_deleted"] == 4 and s["changes"] is True
    assert {c["text"].strip() for c in data["changes"]} == {"—", ":", ";", ","}
    terminal = run_cli("redline", "--files", "old.md", "new.md", "--no-color", cwd=tmp_path).stdout
    assert "No changes" not in terminal and "punctuation and symbols: 3 inserted, 4 deleted" in terminal
    first_page = pdftotext((tmp_path / "r.pdf").read_bytes(), "-l", "1")
    assert "Punctuation and symbols inserted 3" in " ".join(first_page.split())


def test_a_heading_level_only_revision_is_a_structural_change(tmp_path):
    data = redline_json(tmp_path, OLD, OLD.replace("## Definitions", "### Definitions"), "--docx", "r.docx")
    s = data["summary"]
    assert (s["words_inserted"], s["words_deleted"], s["structure_changes"], s["changes"]) == (0, 0, 1, True)
    assert [c for c in data["changes"] if c["kind"] == "heading level"] == [
        {"clause": None, "number": None, "old_number": None, "part": "text", "kind": "heading level",
         "text": "Definitions", "old_level": 2, "level": 3}]
    xml = zipfile.ZipFile(tmp_path / "r.docx").read("word/document.xml").decode()
    assert re.search(r'<w:pStyle w:val="Heading2"/>.*?<w:pPrChange [^>]*><w:pPr><w:pStyle w:val="Heading1"/>', xml)


def test_a_link_only_revision_is_a_link_change_with_no_words(tmp_path):
    new = OLD.replace("guide/v1", "guide/v2").replace("annex/v1", "annex/v2")
    data = redline_json(tmp_path, OLD, new, "--html", "r.html", "--pdf", "r.pdf", "--docx", "r.docx")
    s = data["summary"]
    assert (s["words_inserted"], s["words_deleted"], s["links_changed"], s["changes"]) == (0, 0, 2, True)
    links = [c for c in data["changes"] if c["kind"] == "link"]
    assert [(c["text"], c["old_target"], c["target"]) for c in links] == [
        ("the guide", "https://example.org/guide/v1", "https://example.org/guide/v2"),
        ("annex", "https://example.org/annex/v1", "https://example.org/annex/v2")]
    assert len(data["changes"]) == 2
    page = (tmp_path / "r.html").read_text()
    assert '<a href="https://example.org/guide/v2" class="relinked">the guide</a>' in page
    assert "link changed: was https://example.org/guide/v1" in page and "<ins>" not in page.split("</section>", 1)[1]
    assert "link changed: was https://example.org/annex/v1" in " ".join(pdftotext((tmp_path / "r.pdf").read_bytes()).split())
    rels = zipfile.ZipFile(tmp_path / "r.docx").read("word/_rels/document.xml.rels").decode()
    assert "guide/v1" in rels and "guide/v2" in rels


@pytest.mark.parametrize("noise", ["trailing spaces", "bullet markers", "emphasis syntax"])
def test_noise_only_revisions_show_no_change(tmp_path, noise):
    new = {"trailing spaces": "\n".join(line.rstrip() for line in OLD.split("\n")),
           "bullet markers": OLD.replace("- first", "* first").replace("- second", "* second"),
           "emphasis syntax": OLD.replace("*must*", "_must_").replace("**Data**", "__Data__")}[noise]
    assert new != OLD
    data = redline_json(tmp_path, OLD, new)
    assert data["summary"]["changes"] is False and data["changes"] == []
    assert (data["summary"]["words_inserted"], data["summary"]["words_deleted"]) == (0, 0)


def test_a_paragraph_split_is_a_moved_paragraph_mark_not_new_words(tmp_path):
    data = redline_json(tmp_path, OLD, OLD.replace("share data. Read", "share data.\n\nRead"), "--docx", "r.docx")
    s = data["summary"]
    assert (s["words_inserted"], s["words_deleted"], s["structure_changes"]) == (0, 0, 1)
    assert [c["kind"] for c in data["changes"]] == ["delete", "paragraph split"]  # the space, the break
    accepted, rejected = libreoffice_resolve([(tmp_path / "r.docx", "accept"), (tmp_path / "r.docx", "reject")], tmp_path)
    assert "share data.\nRead" in accepted and "share data. Read" in rejected


def test_a_list_in_a_clause_no_longer_crashes_the_docx_redline(ws, tmp_path):
    ws.write("clauses/a.md", "---\nid: a\n---\nIntro:\n\n- one\n- two\n")
    ws.write("clauses/b.md", "---\nid: b\n---\nPlain text.\n")
    ws.write("templates/t.yaml", "title: T\nbody:\n  - numbered: [a, b]\n")
    assert ws.run("assemble", "t", "-m", "v1").code == 0
    ws.write("clauses/b.md", "---\nid: b\n---\nPlain text changed.\n")
    ws.write("clauses/a.md", "---\nid: a\n---\nIntro:\n\n- one\n- one and a half\n- two\n")
    assert ws.run("assemble", "t", "-m", "v2").code == 0
    docx = tmp_path / "x.docx"
    result = ws.run("redline", "t", "v1", "v2", "--docx", str(docx))
    assert result.code == 0, result
    ws.write("clauses/a.md", "---\nid: a\n---\nIntro:\n\n1. one\n2. one and a half\n3. two\n")
    assert ws.run("assemble", "t", "-m", "v3").code == 0
    restyled = tmp_path / "y.docx"
    assert ws.run("redline", "t", "v2", "v3", "--docx", str(restyled), "--json", str(tmp_path / "y.json")).code == 0
    summary = json.loads((tmp_path / "y.json").read_text())["summary"]
    assert (summary["words_inserted"], summary["words_deleted"], summary["structure_changes"]) == (0, 0, 1)
    texts = libreoffice_resolve([(docx, "accept"), (docx, "reject"), (restyled, "accept"),
                                 (restyled, "reject")], tmp_path)
    accepted, rejected, numbered, bulleted = texts
    assert "•\tone and a half" in accepted and "one and a half" not in rejected
    assert "Plain text changed." in accepted and "Plain text." in rejected
    assert "2.\tone and a half" in numbered and "•\tone and a half" in bulleted


def test_a_moved_and_edited_clause_shows_its_inner_edits_in_every_format(example, tmp_path):
    git(example, "add", "-A")
    git(example, "commit", "-qm", "Import")
    assert example.run("assemble", "resolution").code == 0
    template = example.root / "templates/resolution.yaml"
    text = template.read_text()
    template.write_text(text.replace("      - harm-reduction\n", "").replace(
        "      - regulation-of-sex-work\n", "      - regulation-of-sex-work\n      - harm-reduction\n"))
    clause = example.root / "clauses/resolution/harm-reduction.md"
    clause.write_text(clause.read_text().replace("The harm reduction principle.",
                                                 "The harm reduction principle, applied with care."))
    assert example.run("assemble", "resolution").code == 0
    out = {fmt: tmp_path / f"r.{fmt}" for fmt in ("pdf", "html", "docx")}
    assert example.run("redline", "resolution", "v1", "v2", *[a for f, p in out.items()
                                                              for a in (f"--{f}", str(p))]).code == 0
    pdf = " ".join(pdftotext(out["pdf"].read_bytes()).split())
    assert "[moved from 4] The harm reduction principle. , applied with care." in pdf \
        or re.search(r"moved from 4\] The harm reduction principle.{0,4}, applied with care", pdf)
    page = out["html"].read_text()
    moved = page[page.rindex("moved from 4"):][:400]
    assert "<ins>, applied with care</ins>" in moved
    xml = zipfile.ZipFile(out["docx"]).read("word/document.xml").decode()
    assert "<w:moveFrom " in xml and "<w:moveTo " in xml and 'w:name="move1"' in xml
    moved_to = xml[xml.index("<w:moveToRangeStart"):xml.index("<w:moveToRangeEnd")]
    assert re.search(r"<w:ins [^>]*><w:r>(<w:rPr/>)?<w:t[^>]*>, applied with care</w:t>", moved_to)
    accepted, rejected = libreoffice_resolve([(out["docx"], "accept"), (out["docx"], "reject")], tmp_path)
    new_md = example.run("show", "resolution@v2").stdout
    old_md = example.run("show", "resolution@v1").stdout
    assert "The harm reduction principle, applied with care." in accepted and "principle, applied" in new_md
    assert "applied with care" not in rejected and "The harm reduction principle." in rejected
    assert accepted.count("harm reduction principle") == new_md.count("harm reduction principle")
    assert rejected.count("harm reduction principle") == old_md.count("harm reduction principle")


def test_a_table_is_redlined_cell_by_cell_and_word_accepts_and_rejects_it(tmp_path):
    old = "# Fees\n\n| Member | Fee |\n|---|---|\n| Individual | 40 EUR |\n| Section | 400 EUR |\n| Retired | 10 EUR |\n"
    new = "# Fees\n\n| Member | Fee |\n|---|---|\n| Individual | 45 EUR |\n| Section | 400 EUR |\n| Student | 20 EUR |\n| Family | 60 EUR |\n"
    data = redline_json(tmp_path, old, new, "--docx", "r.docx", "--html", "r.html", "--md", "r.md")
    s = data["summary"]
    assert s["changes"] is True and s["structure_changes"] == 1   # one row added
    assert {(c["kind"], c["text"]) for c in data["changes"]} >= {("delete", "40"), ("insert", "45")}
    md = (tmp_path / "r.md").read_text()
    assert "| Individual | {--40--}{++45++} EUR |" in md and "| Section | 400 EUR |" in md
    html = (tmp_path / "r.html").read_text()
    assert '<tr class="changed inserted"><td><ins>Family</ins></td>' in html
    with zipfile.ZipFile(tmp_path / "r.docx") as docx:
        body = docx.read("word/document.xml").decode()
    assert "<w:trPr><w:ins " in body or "<w:trPr><w:tblHeader/><w:ins " in body or re.search(r"<w:trPr>.*?<w:ins ", body)
    accepted, rejected = libreoffice_resolve([(tmp_path / "r.docx", "accept"), (tmp_path / "r.docx", "reject")],
                                             tmp_path)
    assert "45 EUR" in accepted and "40 EUR" not in accepted and "Family" in accepted and "Retired" not in accepted
    assert "40 EUR" in rejected and "45 EUR" not in rejected and "Family" not in rejected and "Retired" in rejected
