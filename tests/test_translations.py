"""One policy in many languages, on the corpus's Contributor Covenant: translations linked
clause by clause to the source text they translate, staleness computed from git, language
versions recorded on their own, XLIFF for translators, and bad input refused in one line."""

from __future__ import annotations

import json
import os
import re
import subprocess

import pytest
import test_xliff
from conftest import REPO, WS
from hypothesis import HealthCheck, Phase, given, settings, strategies as st

from assembler.model import nodes as m
from assembler.model.paragraphs import clause_texts
from assembler.sources.readers import read_json_document
from assembler.workspace import Workspace

CORPUS = REPO.parent / "shared" / "corpus" / "covenant"
BOTH = ("de", "es", "fr", "ja")          # translations of 2.0 and 2.1 that follow the English paragraph for paragraph


def english_texts(ws: WS, version: int) -> dict[str, str]:
    """Each clause's English text as recorded in covenant v``version``."""
    raw = subprocess.run(["git", "show", f"covenant/v{version}:versions/covenant/covenant.json"],
                         cwd=ws.root, capture_output=True, check=True).stdout
    return clause_texts(read_json_document(raw, f"covenant v{version}"))


def status(ws: WS, lang: str) -> dict:
    result = ws.run("translations", "status", "covenant", "--lang", lang, "--json")
    assert result.code in (0, 1), result
    return json.loads(result.stdout)


@pytest.fixture
def covenant(tmp_path) -> WS:
    """English 2.0 imported and recorded as v1, with its translations imported and each
    language recorded as its own v1."""
    Workspace.init(tmp_path / "ws")
    ws = WS(tmp_path / "ws")
    assert ws.run("import", str(CORPUS / "en/2.0.md"), "--template", "covenant", "-m", "English 2.0").code == 0
    for lang in BOTH:
        result = ws.run("translations", "import", str(CORPUS / lang / "2.0.md"), "--doc", "covenant", "--lang", lang)
        assert result.code == 0 and "wrote 21 " in result.stdout, result
        assert ws.run("assemble", "covenant", "--lang", lang, "-m", f"{lang} 2.0").code == 0
    return ws


def test_exactly_the_clauses_whose_english_changed_go_stale_and_the_new_translations_make_them_current(covenant):
    for lang in BOTH:
        report = status(covenant, lang)
        assert report["counts"] == {"current": 21, "stale": 0, "missing": 0} and report["template_missing"] == []
    result = covenant.run("import", str(CORPUS / "en/2.1.md"), "--into", "covenant")
    assert result.code == 0, result
    before, after = english_texts(covenant, 1), english_texts(covenant, 2)
    changed = sorted(c for c in after if before.get(c, "").split() != after[c].split())
    assert changed == ["attribution-code-conduct-adapted", "pledge-members-contributors-leaders"]
    for lang in BOTH:
        report = status(covenant, lang)
        stale = sorted(c["clause"] for c in report["clauses"] if c["state"] == "stale")
        assert stale == changed, lang
        assert report["counts"] == {"current": 19, "stale": 2, "missing": 0}
        pledge = next(c for c in report["clauses"] if c["clause"] == "pledge-members-contributors-leaders")
        assert ["+", "caste, color, "] in pledge["source_changes"]          # what the translator must carry over
    refused = covenant.run("assemble", "covenant", "--lang", "fr")
    assert refused.code == 4 and "the fr translation of 'attribution-code-conduct-adapted' is stale" in refused.stderr
    for lang in BOTH:
        assert covenant.run("translations", "import", str(CORPUS / lang / "2.1.md"), "--doc", "covenant",
                            "--lang", lang).code == 0
        assert status(covenant, lang)["counts"] == {"current": 21, "stale": 0, "missing": 0}
        assert covenant.run("assemble", "covenant", "--lang", lang, "-m", f"{lang} 2.1").code == 0
    manifest = json.loads((covenant.root / "versions/covenant/fr/manifest.json").read_text())
    assert manifest["document"] == "covenant/fr" and manifest["version"] == 2
    assert manifest["translation"]["source_version"] == 2 and manifest["translation"]["stale"] == []
    tags = subprocess.run(["git", "tag"], cwd=covenant.root, capture_output=True, text=True).stdout.split()
    assert {"covenant/v1", "covenant/v2", "covenant/fr/v1", "covenant/fr/v2", "covenant/ja/v2"} <= set(tags)
    french = (covenant.root / "versions/covenant/fr/covenant.fr.md").read_text()
    assert "caste" in french or "caste" in french.lower() or "couleur" in french   # 2.1's French wording
    verify = covenant.run("verify")
    assert verify.code == 0 and "10 versions checked, all ok" in verify.stdout, verify


def test_a_stale_translation_assembled_anyway_is_marked_in_every_output(covenant):
    assert covenant.run("import", str(CORPUS / "en/2.1.md"), "--into", "covenant").code == 0
    result = covenant.run("assemble", "covenant", "--lang", "de", "--allow-stale", "-m", "German, partly stale")
    assert result.code == 0, result
    folder = covenant.root / "versions/covenant/de"
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["translation"]["stale"] == ["pledge-members-contributors-leaders", "attribution-code-conduct-adapted"]
    pdf = subprocess.run(["pdftotext", "-layout", str(folder / "covenant.de.pdf"), "-"], capture_output=True,
                         text=True, check=True).stdout
    assert pdf.count("[Translation out of date]") == 2
    assert (folder / "covenant.de.md").read_text().count("**\\[Translation out of date\\]**") == 2
    from docx import Document
    docx = "\n".join(p.text for p in Document(str(folder / "covenant.de.docx")).paragraphs)
    assert docx.count("[Translation out of date]") == 2
    assert covenant.run("verify", "covenant/de").code == 0         # rebuilt byte for byte, marks and all
    check = covenant.run("check")
    assert check.code == 0 and "warning:" in check.stdout and "stale" in check.stdout


def test_an_arabic_version_reads_back_in_arabic(tmp_path):
    """The corpus's Arabic 2.1 splits the last English paragraph in two, which the import
    refuses with the place; with those two paragraphs joined (as a translator following the
    English would write them) it imports, and the Arabic PDF gives its text back."""
    Workspace.init(tmp_path / "ws")
    ws = WS(tmp_path / "ws")
    assert ws.run("import", str(CORPUS / "en/2.1.md"), "--template", "covenant", "-m", "English 2.1").code == 0
    refused = ws.run("translations", "import", str(CORPUS / "ar/2.1.md"), "--doc", "covenant", "--lang", "ar")
    assert refused.code == 4 and "under 'الإسناد' (the document's 'Attribution') it has 4 paragraph(s) where " \
                                 "the document has 3" in refused.stderr
    assert not list((ws.root / "clauses").rglob("ar"))                  # nothing written
    text = (CORPUS / "ar/2.1.md").read_text(encoding="utf-8")
    joined = re.sub(r"(\[الأسئلة المتكررة\]\.)\n\n", r"\1 ", text)
    assert joined != text
    (tmp_path / "ar.md").write_text(joined, encoding="utf-8")
    assert ws.run("translations", "import", str(tmp_path / "ar.md"), "--doc", "covenant", "--lang", "ar").code == 0
    assert ws.run("assemble", "covenant", "--lang", "ar", "-m", "Arabic 2.1").code == 0
    html = (ws.root / "versions/covenant/ar/covenant.ar.html").read_text()
    assert '<html lang="ar" dir="rtl">' in html
    pdf = subprocess.run(["pdftotext", str(ws.root / "versions/covenant/ar/covenant.ar.pdf"), "-"],
                         capture_output=True, text=True, check=True).stdout
    for words in ("ميثاق المساهمين", "تعهدنا", "الإسناد"):
        assert words in pdf, words
    assert not re.search("[\uFB50-\uFDFF\uFE70-\uFEFF]", pdf)               # letters, not presentation forms


def test_xliff_export_and_import_round_trip_and_refuse_other_text(covenant, tmp_path):
    from lxml import etree
    out = tmp_path / "fr.xlf"
    assert covenant.run("import", str(CORPUS / "en/2.1.md"), "--into", "covenant").code == 0
    assert covenant.run("translations", "export", "covenant", "--lang", "fr", "--xliff", str(out)).code == 0
    tree = etree.parse(str(out))
    test_xliff.assert_valid(out.read_bytes())             # the OASIS core and metadata schemas
    ns = {"x": "urn:oasis:names:tc:xliff:document:2.0"}
    units = {u.get("id"): u for u in tree.getroot().iterfind(".//x:unit", ns)}
    assert len([u for u in units if not u.startswith("template.")]) == 21
    pledge = units["pledge-members-contributors-leaders"]
    assert "caste, color" in "".join(pledge.find(".//x:source", ns).itertext())
    assert "race, religion" in etree.tostring(pledge, encoding="unicode")      # the previous source text
    # the translator brings the two stale units up to date in the file
    french = (CORPUS / "fr/2.1.md").read_text(encoding="utf-8")
    for unit_id in ("pledge-members-contributors-leaders", "attribution-code-conduct-adapted"):
        target = units[unit_id].find(".//x:target", ns)
        target.text = (target.text or "") + " (mis à jour)"
    tree.write(str(out), xml_declaration=True, encoding="UTF-8")
    before = covenant.snapshot()
    result = covenant.run("translations", "import", str(out))
    assert result.code == 0, result
    report = status(covenant, "fr")
    assert report["counts"] == {"current": 21, "stale": 0, "missing": 0}
    assert "(mis à jour)" in (covenant.root / "clauses/covenant/fr/pledge-members-contributors-leaders.md").read_text()
    assert covenant.snapshot() != before and french
    # the same file again after the English changed once more: made for other source text
    pledge_file = covenant.root / "clauses/covenant/pledge-members-contributors-leaders.md"
    pledge_file.write_text(pledge_file.read_text().replace("caste, color", "caste, colour"))
    before = covenant.snapshot()
    refused = covenant.run("translations", "import", str(out))
    assert refused.code == 4 and "unit 'pledge-members-contributors-leaders': its source text is not clause" \
        in refused.stderr and len(refused.stderr.strip().splitlines()) == 1
    assert covenant.snapshot() == before
    other = covenant.run("translations", "import", str(out), "--doc", "resolution")
    assert other.code == 4 and "was exported for document 'covenant', not 'resolution'" in other.stderr
    ghost = tmp_path / "ghost.xlf"
    ghost.write_bytes(out.read_bytes().replace(b'id="scope-code-conduct-applies"', b'id="no-such-clause"'))
    refused = covenant.run("translations", "import", str(ghost))
    assert refused.code == 4 and "unit 'no-such-clause': 'covenant' has no clause 'no-such-clause'" in refused.stderr
    assert covenant.snapshot() == before


def test_bad_translation_input_is_one_clear_line_and_nothing_is_written(covenant, tmp_path):
    before = covenant.snapshot()
    bad_lang = covenant.run("assemble", "covenant", "--lang", "french")
    assert bad_lang.code == 2 and bad_lang.stderr.strip() == (
        "error: --lang: 'french' is not a BCP 47 language tag such as 'fr', 'pt-BR' or 'zh-Hans'")
    underscore = covenant.run("translations", "status", "covenant", "--lang", "pt_BR")
    assert underscore.code == 2 and "did you mean 'pt-BR'?" in underscore.stderr
    assert covenant.snapshot() == before
    covenant.write("clauses/covenant/fr/ghost.md", "---\nlang: fr\ntranslation-of: no-such-clause\n"
                   "source-blob: " + "0" * 40 + "\n---\nFantôme.\n")
    ghost = covenant.run("check")
    assert ghost.code == 4 and ("clauses/covenant/fr/ghost.md:2: translation-of: there is no clause "
                                "'no-such-clause'; name the clause this translates [PA122]") in ghost.stdout
    refused = covenant.run("assemble", "covenant", "--lang", "fr")
    assert refused.code == 4 and "no-such-clause" in refused.stderr
    (covenant.root / "clauses/covenant/fr/ghost.md").unlink()
    covenant.write("clauses/covenant/fr/bad-tag.md", "---\nlang: fr_FR\ntranslation-of: scope-code-conduct-applies\n"
                   "source-blob: " + "0" * 40 + "\n---\nPortée.\n")
    tag = covenant.run("check")
    assert tag.code == 4 and "clauses/covenant/fr/bad-tag.md:2: lang: 'fr_FR' is not a BCP 47 language tag; " \
                             "did you mean 'fr-FR'?" in tag.stdout
    (covenant.root / "clauses/covenant/fr/bad-tag.md").unlink()
    structure = covenant.run("translations", "import", str(CORPUS / "hi/2.0.md"), "--doc", "covenant", "--lang", "hi")
    assert structure.code == 4 and len(structure.stderr.strip().splitlines()) == 1
    not_xliff = tmp_path / "x.xlf"
    not_xliff.write_text("<html><body>not a translation</body></html>")
    wrong = covenant.run("translations", "import", str(not_xliff))
    assert wrong.code == 4 and str(not_xliff) in wrong.stderr and len(wrong.stderr.strip().splitlines()) == 1
    assert covenant.snapshot() == before


def test_a_template_keeps_its_words_in_other_languages_when_a_revision_is_imported(covenant):
    template = covenant.root / "templates/covenant.yaml"
    assert "translations:" in template.read_text() and '"Our Pledge": "Notre engagement"' in template.read_text()
    assert covenant.run("import", str(CORPUS / "en/2.1.md"), "--into", "covenant").code == 0
    assert '"Our Pledge": "Notre engagement"' in template.read_text()
    french = m.plain_text(Workspace(covenant.root).build("covenant").title)
    assert french == "Contributor Covenant Code of Conduct"        # the source document is unchanged


def test_a_round_on_a_language_version_sends_that_languages_pack(covenant, tmp_path):
    assert covenant.run("import", str(CORPUS / "en/2.1.md"), "--into", "covenant").code == 0
    assert covenant.run("translations", "import", str(CORPUS / "fr/2.1.md"), "--doc", "covenant", "--lang", "fr").code == 0
    assert covenant.run("assemble", "covenant", "--lang", "fr", "-m", "French 2.1").code == 0
    assert covenant.run("adopt", "covenant/fr", "v1").code == 0
    report = json.loads(covenant.run("status", "--json").stdout)
    assert {d["document"]: d["would_change"] for d in report["documents"]}["covenant/fr"] is False
    sections = tmp_path / "sections.yaml"
    sections.write_text("- id: FR\n  name: Section France\n")
    opened = covenant.run("round", "open", "covenant/fr", "--name", "Revue 1", "--sections", str(sections))
    assert opened.code == 0, opened
    pack = covenant.root / "versions/covenant/fr/rounds/revue-1/pack"
    assert sorted(p.name for p in pack.iterdir()) == sorted([
        "cover.md", "cover.pdf", "covenant.fr-v2.docx", "covenant.fr-v2.pdf",
        "redline-v1-v2.docx", "redline-v1-v2.html", "redline-v1-v2.pdf"])
    redline = subprocess.run(["pdftotext", str(pack / "redline-v1-v2.pdf"), "-"], capture_output=True,
                             text=True, check=True).stdout
    assert "Notre engagement" in redline and "caste" in redline
    status_json = json.loads(covenant.run("round", "status", "revue-1", "--json").stdout)
    assert status_json["document"] == "covenant/fr" and status_json["base"] == 2


def test_the_templates_words_and_variables_in_a_language_and_hand_written_translations(example):
    """A translation written by hand (the front matter an editor types) and the template's
    French title and variable value: the French build uses them, the English one is unchanged."""
    from assembler.sources.files import git_blob_id
    root = example.root
    source = root / "clauses/resolution/gender-equality.md"
    example.write("clauses/resolution/fr/gender-equality.md",
                  "---\nlang: fr\ntranslation-of: gender-equality\nsource-blob: "
                  f"{git_blob_id(source.read_bytes())}\n---\n"
                  "L'engagement primordial d'{{ organisation }} en faveur de l'égalité des genres.\n")
    template = root / "templates/resolution.yaml"
    template.write_text(template.read_text() + "translations:\n  fr:\n    title: Décision sur les droits\n"
                        "    variables: {organisation: Amnistie internationale}\n")
    french = example.run("build", "resolution", "--lang", "fr", "--allow-stale", "--format", "md")
    assert french.code == 0, french
    assert french.stdout.startswith("# Décision sur les droits\n")
    assert "2. L'engagement primordial d'Amnistie internationale en faveur de l'égalité des genres." in french.stdout
    assert french.stdout.count("**\\[Not yet translated\\]**") == 15
    english = example.run("build", "resolution", "--format", "md")
    assert "Amnesty International's overarching commitment" in english.stdout and "Amnistie" not in english.stdout
    report = json.loads(example.run("translations", "status", "resolution", "--lang", "fr", "--json").stdout)
    assert report["counts"] == {"current": 1, "stale": 0, "missing": 15} and report["template_missing"] == []


WORDS = ["policy", "rights", "Section", "سياسة", "حقوق", "מדיניות", "権利", "नीति", "«droits»", "1.", "—", "(a)"]


@st.composite
def clause_bodies(draw) -> str:
    """Clause text as rich as real clauses: paragraphs with emphasis, links and hard line
    breaks, bullet and ordered lists, in several scripts."""
    def sentence() -> str:
        words = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=8))
        i = draw(st.integers(0, len(words) - 1))
        style = draw(st.sampled_from(["", "*", "**", "link"]))
        if style == "link":
            words[i] = f"[{words[i]}](https://example.org/{i})"
        elif style:
            words[i] = f"{style}{words[i]}{style}"
        text = " ".join(words)
        return "x " + text if text[0] in "-*+#>0123456789|" else text   # a paragraph, not a block marker

    blocks = []
    for kind in draw(st.lists(st.sampled_from(["para", "break", "bullets", "ordered"]), min_size=1, max_size=4)):
        if kind == "para":
            blocks.append(sentence())
        elif kind == "break":
            blocks.append(sentence() + "  \n" + sentence())
        else:
            items = draw(st.integers(1, 3))
            blocks.append("\n".join((f"{n + 1}. " if kind == "ordered" else "- ") + sentence() for n in range(items)))
    return "\n\n".join(blocks)


@settings(max_examples=int(os.environ.get("TRANSLATION_EXAMPLES", "25")), deadline=None,
          phases=(Phase.explicit, Phase.reuse, Phase.generate),   # a whole workspace per example: shrinking
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])   # would take minutes
@given(source=clause_bodies(), target=clause_bodies())
def test_any_clause_text_goes_to_xliff_and_back_to_a_current_translation_exactly(tmp_path_factory, source, target):
    from lxml import etree
    root = tmp_path_factory.mktemp("ws") / "ws"
    Workspace.init(root)
    ws = WS(root)
    ws.write("clauses/c.md", source + "\n")
    ws.write("templates/doc.yaml", "title: Doc\nbody: [c]\n")
    assert ws.run("assemble", "doc", "-m", "source").code == 0
    out = root.parent / "ar.xlf"
    assert ws.run("translations", "export", "doc", "--lang", "ar", "--xliff", str(out)).code == 0
    tree = etree.parse(str(out))
    ns = {"x": "urn:oasis:names:tc:xliff:document:2.0"}
    unit = next(u for u in tree.getroot().iterfind(".//x:unit", ns) if u.get("id") == "c")
    assert "".join(unit.find(".//x:source", ns).itertext()) == source
    title = next(u for u in tree.getroot().iterfind(".//x:unit", ns) if u.get("id") == "template.0")
    for translated, text in ((unit, target), (title, "وثيقة")):
        segment = translated.find(".//x:segment", ns)
        etree.SubElement(segment, "{urn:oasis:names:tc:xliff:document:2.0}target").text = text
        segment.set("state", "final")
    tree.write(str(out), xml_declaration=True, encoding="UTF-8")
    result = ws.run("translations", "import", str(out))
    assert result.code == 0, result
    written = (root / "clauses/ar/c.md").read_text(encoding="utf-8")
    assert written.split("---\n", 2)[2] == target + "\n"
    assert status_of(ws, "doc", "ar")["counts"] == {"current": 1, "stale": 0, "missing": 0}
    arabic = Workspace(root).assemble_sources("doc", {}, "ar").document
    ws.write("clauses/c.md", target + "\n")              # the same text as the source clause
    same = Workspace(root).build("doc")
    assert Workspace(root).render(arabic, "md").split(b"\n", 1)[1] == Workspace(root).render(same, "md").split(b"\n", 1)[1]
    assert m.plain_text(arabic.title) == "وثيقة"


def status_of(ws: WS, document: str, lang: str) -> dict:
    result = ws.run("translations", "status", document, "--lang", lang, "--json")
    return json.loads(result.stdout)
