"""Redlines of real, published policy revisions (../shared/corpus): every pair in every
format, read back by real clients; Word's tracked changes accepted and rejected in
LibreOffice give exactly the new and the old text.

The corpus is read where it lies, never copied into the repository. Outside CI a checkout
without it skips these tests; in CI its absence fails them.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from assembler.model import nodes as m
from assembler.sources.readers import read_document_file
from assembler.build.wordunits import UNSPACED
from conftest import REPO, run_cli
from tools import libreoffice_resolve, pdftotext

CORPUS = REPO.parent / "shared" / "corpus"


def _corpus_pairs() -> list[tuple[str, Path, Path]]:
    if not CORPUS.is_dir():
        return []
    pairs = [(old.name[: -len(".old.md")], old, old.with_name(old.name.replace(".old.md", ".new.md")))
             for old in sorted((CORPUS / "pairs").glob("*.old.md"))]
    english = sorted((CORPUS / "covenant" / "en").glob("*.md"), key=lambda p: [int(x) for x in p.stem.split(".")])
    pairs += [(f"covenant-en-{a.stem}-to-{b.stem}", a, b) for a, b in zip(english, english[1:])]
    return pairs


PAIRS = _corpus_pairs()


@pytest.fixture(scope="module", autouse=True)
def corpus_present():
    if not PAIRS:
        message = f"the corpus is not at {CORPUS}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="module")
def redlines(tmp_path_factory):
    """Every pair redlined once through the command line, in all five formats."""
    out = tmp_path_factory.mktemp("corpus-redlines")
    made = {}
    for name, old, new in PAIRS:
        files = {fmt: out / f"{name}.{fmt}" for fmt in ("json", "pdf", "docx", "html", "md")}
        args = [arg for fmt, path in files.items() for arg in (f"--{fmt}", str(path))]
        result = run_cli("redline", "--files", str(old), str(new), *args, cwd=out)
        made[name] = (result, files)
    return made


def test_the_corpus_holds_the_pairs_the_tests_promise():
    assert len(PAIRS) >= 16  # 10 published revision pairs, 6 consecutive English Covenants


@pytest.mark.parametrize("name", [p[0] for p in PAIRS])
def test_every_pair_redlines_in_every_format_and_reports_its_changes(redlines, name):
    result, files = redlines[name]
    assert result.code == 0, result
    data = json.loads(files["json"].read_text())
    assert data["summary"]["changes"] is True
    assert data["changes"], "a real revision has change regions"
    text = " ".join(pdftotext(files["pdf"].read_bytes()).split())
    assert "read the same" not in text and "Page 1 of" in text
    inserted = [c["text"].strip() for c in data["changes"] if c["kind"] == "insert" and c["text"].strip()]
    on_pages = set(re.findall(r"\w+", text))
    drawable = [p for p in inserted if not re.search(f"[{UNSPACED}]", p)]  # CJK fonts: issue 16
    for phrase in drawable[:20]:  # every inserted phrase is on the PDF's pages
        assert set(re.findall(r"\w+", phrase)) <= on_pages, phrase
    assert drawable or "-ja-" in name
    if "-ja-" in name:  # the change is marked in the characters it inserts, not the sentence
        assert "カースト、肌の色、" in inserted
    page = files["html"].read_text()
    assert "<ins>" in page or "<del>" in page
    assert "{++" in files["md"].read_text() or "{--" in files["md"].read_text()


def reading_words(doc: m.Document) -> list[str]:
    """The words of ``doc`` in reading order, as a word processor shows them."""
    lines = [m.plain_text(doc.title)]

    def walk(blocks):
        for block in blocks:
            if isinstance(block, (m.Paragraph, m.Heading)):
                lines.append(m.plain_text(block.content))
            elif isinstance(block, (m.BulletList, m.OrderedList)):
                for item in block.items:
                    walk(item)
            elif isinstance(block, m.Clause):
                walk(block.blocks)
            elif isinstance(block, m.ClauseList):
                walk(block.items)

    walk(doc.blocks)
    return " ".join(lines).split()


def office_words(text: str) -> list[str]:
    """LibreOffice's text of a redline DOCX, its "changes from" line and list markers left out."""
    lines = [line for line in text.splitlines() if " · changes from " not in line]
    lines = [re.sub(r"^\s*(•|\d+(\.\d+)*\.)\t", "", line) for line in lines]
    return " ".join(lines).split()


def test_libreoffice_accept_all_gives_the_new_and_reject_all_the_old_text(redlines, tmp_path):
    jobs, expected = [], []
    for name, old, new in PAIRS:
        docx = redlines[name][1]["docx"]
        jobs += [(docx, "accept"), (docx, "reject")]
        expected += [(name, "accept", reading_words(read_document_file(new))),
                     (name, "reject", reading_words(read_document_file(old)))]
    texts = libreoffice_resolve(jobs, tmp_path)
    wrong = [(name, mode) for (name, mode, words), text in zip(expected, texts) if office_words(text) != words]
    assert wrong == []
