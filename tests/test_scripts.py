"""Every script a Section writes in: Arabic and Hebrew right to left and joined, Devanagari
shaped, in recorded (PDF/A-validated) PDFs whose text comes back in reading order."""

from __future__ import annotations

import re
import subprocess
import unicodedata

import pytest
from hypothesis import given, settings, strategies as st

from assembler.writers import bidi_levels

ARABIC = ("تلتزم الجمعية بالشفافية في جميع أعمالها، وفقاً للمادة 12 من النظام الأساسي (Statute). "
          "ويحق لكل عضو أن يطّلع على القرارات والمحاضر خلال 30 يوماً من اعتمادها، وأن يقدم "
          "ملاحظاته كتابةً إلى الأمانة العامة.")
HEBREW = ("האגודה מחויבת לשקיפות בכל פעולותיה, בהתאם לסעיף 12 לתקנון (Statute). כל חבר רשאי "
          "לעיין בהחלטות ובפרוטוקולים בתוך 30 יום מאישורם, ולהגיש את הערותיו בכתב למזכירות הכללית.")
HINDI = ("संघ अपने सभी कार्यों में पारदर्शिता के लिए प्रतिबद्ध है। प्रत्येक सदस्य को निर्णयों और "
         "कार्यवृत्तों को उनकी स्वीकृति के 30 दिनों के भीतर देखने का अधिकार है। क्षत्रिय, द्वितीय, श्रीमान।")
SHORT = {"ar": "لا استثناء لأي لجنة.", "he": "אין חריגים לאף ועדה.", "hi": "किसी समिति को छूट नहीं।"}
LETTERS = {"ar": "\u0600-\u06ff", "he": "\u0590-\u05ff", "hi": "\u0900-\u097f"}
BIDI_CONTROLS = re.compile("[\u202a-\u202e]")   # pdftotext marks right-to-left runs with these


def record(ws, lang: str, text: str, repeat: int = 1):
    ws.clause("purpose", " ".join([text] * repeat))
    ws.clause("scope", SHORT[lang])
    ws.write("templates/policy.yaml", f"title: Transparency policy\nlanguage: {lang}\n"
                                      "body:\n  - numbered: [purpose, scope]\n")
    result = ws.run("assemble", "policy")
    assert result.code == 0, result   # recorded: validated as PDF/A-2b as it was written
    return ws.root / "versions" / "policy" / "policy.pdf"


def script_words(text: str, lang: str) -> list[str]:
    """The words of ``text`` in ``lang``'s script, in order (running heads, in Latin, and
    punctuation, which extractors place by their own rules, left out)."""
    return [word for word in re.findall(r"\w+", text) if re.match(f"[{LETTERS[lang]}]", word)]


def pdftotext(path, *args: str) -> str:
    return subprocess.run(["pdftotext", *args, str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


@pytest.mark.parametrize("lang,text", [("ar", ARABIC), ("he", HEBREW)])
def test_right_to_left_text_reads_back_in_order_and_lines_run_from_the_right(ws, lang, text):
    pdf = record(ws, lang, text, repeat=30)   # long enough to be split across pages
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert int(re.search(r"Pages:\s+(\d+)", info).group(1)) >= 2
    extracted = BIDI_CONTROLS.sub(" ", pdftotext(pdf))
    body = script_words(" ".join([text] * 30), lang) + script_words(SHORT[lang], lang)
    assert script_words(extracted, lang) == body
    assert "Statute" in extracted and "12" in extracted
    # "(Statute)." inside right-to-left text: the full stop ends the sentence at the left
    assert ">.(Statute)</word>" in pdftotext(pdf, "-bbox", "-l", "1")
    # The short clause's line (the last of the last page) is set from the right margin: its
    # first word stands rightmost, its last word leftmost, and the line ends far from the
    # left margin. (pdftotext -bbox spells each word in display order.)
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    boxes = [(float(x0), float(y0), float(x1), word.strip(".")[::-1]) for x0, y0, x1, word in re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>',
        pdftotext(pdf, "-bbox", "-f", str(pages), "-l", str(pages)))]
    first_word, *_, last_word = SHORT[lang].rstrip(".").split()
    last_line = max(b[1] for b in boxes if b[3] == first_word)
    line = {b[3]: b for b in boxes if abs(b[1] - last_line) < 1}
    assert line[first_word][2] > 500 and line[last_word][0] > 300
    assert line[last_word][2] < line[first_word][0]


def test_right_to_left_pages_render_joined_letters(ws, tmp_path):
    """Joined Arabic is narrower than the same letters standing alone: the rendered line of a
    shaped word takes less ink width than its isolated forms would."""
    pdf = record(ws, "ar", ARABIC)
    subprocess.run(["pdftoppm", "-r", "60", "-gray", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
                   check=True)
    page = (tmp_path / "page-1.pgm").read_bytes()
    width, height = map(int, page.split(b"\n")[1].split())
    pixels = page[-width * height:]
    ink = [x for y in range(height) for x in range(width) if pixels[y * width + x] < 128]
    assert ink and max(ink) > width * 0.85   # text reaches the right margin
    extracted = pdftotext(pdf)
    # Joined forms come back as the letters that were written, never presentation forms
    assert not any("\ufb50" <= char <= "\ufeff" for char in extracted)
    assert all(unicodedata.category(char) != "Co" for char in extracted)   # no private codes


def test_devanagari_is_shaped_and_reads_back(ws, tmp_path):
    pdf = record(ws, "hi", HINDI)
    extracted = pdftotext(pdf)
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    assert "NotoSansDevanagari" in fonts
    # conjuncts (क्ष, द्वि, श्री) and the vowel sign drawn before its consonant (ि) come back
    # as written; pdftotext may put a space inside a word where a mark sits, so compare
    # without spaces
    assert "".join(HINDI.split()) in "".join(extracted.split())
    subprocess.run(["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p")], check=True)
    assert (tmp_path / "p-1.png").stat().st_size > 2000


def test_an_arabic_redline_marks_changes_in_reading_order(ws, tmp_path):
    record(ws, "ar", ARABIC)
    ws.clause("purpose", ARABIC.replace("خلال 30 يوماً", "خلال 15 يوماً").replace("كتابةً", "كتابةً أو إلكترونياً"))
    assert ws.run("assemble", "policy", "-m", "shorter").code == 0
    assert ws.run("redline", "policy", "v1", "v2", "--pdf", str(tmp_path / "r.pdf")).code == 0
    text = BIDI_CONTROLS.sub(" ", pdftotext(tmp_path / "r.pdf"))
    assert re.search(r"كتابةً\s+أو\s+إلكترونياً\s+إلى", text)
    # the deleted "30" reads first, so it stands to the right of the inserted "15" (pdftotext
    # prints neighbouring numbers left to right, so their places are compared instead)
    boxes = {word: float(x0) for x0, word in re.findall(r'<word xMin="([\d.]+)"[^>]*>(\d+)</word>',
                                                       pdftotext(tmp_path / "r.pdf", "-bbox", "-f", "2"))}
    assert boxes["30"] > boxes["15"]


_MIXED = st.lists(st.sampled_from(["سياسة", "القسم", "שלום", "ועדה", "policy", "Section", "12", "3.5",
                                   " ", " ", "(", ")", ".", "،", ",", "-", "«", "»"]), max_size=18)


@settings(max_examples=200, deadline=None)
@given(parts=_MIXED, base=st.sampled_from([0, 1]))
def test_display_order_agrees_with_the_reference_algorithm(parts, base):
    """Our L2 reordering over python-bidi's resolved levels gives python-bidi's own display
    string (its reference implementation mirrors brackets too)."""
    from bidi import algorithm
    text = "".join(parts)
    levels = bidi_levels.levels(text, base)
    shown = "".join(text[i] if levels[i] % 2 == 0 else bidi_levels.mirrored(text[i])
                    for i in bidi_levels.visual_order(levels))
    expected = algorithm.get_display(text, base_dir="LR"[base])
    assert shown.rstrip() == expected.rstrip() or shown == expected


@pytest.mark.parametrize("lang,file", [("ar", "ar/2.1.md"), ("hi", "hi/2.0.md")])
def test_the_corpus_translations_render_every_word_as_written(ws, lang, file):
    """The Contributor Covenant in Arabic and Hindi, imported from ../shared/corpus: headings,
    numbered lists, bold labels followed by a plain colon, links followed by a full stop.
    Every word of the script comes back from the PDF as it was written; a word set in two
    fonts (bold text and its colon) is shaped, not left unjoined and reversed."""
    from test_import_corpus import CORPUS
    source = CORPUS / "covenant" / file
    assert ws.run("import", str(source), "--template", "covenant").code == 0
    template = ws.root / "templates/covenant.yaml"
    template.write_text(template.read_text().replace("\n", f"\nlanguage: {lang}\n", 1))
    assert ws.run("assemble", "covenant").code == 0      # recorded: validated as PDF/A-2b
    pdf = ws.root / "versions/covenant/covenant.pdf"
    markdown = (ws.root / "versions/covenant/covenant.md").read_text()
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    text = pdftotext(pdf, "-f", "1", "-l", "1")
    for page in range(2, pages + 1):   # later pages without the running head (the title again)
        text += pdftotext(pdf, "-f", str(page), "-l", str(page), "-y", "75", "-H", "800", "-x", "0", "-W", "600")
    text = BIDI_CONTROLS.sub(" ", text)
    if lang == "hi":   # compare letters: pdftotext may put a space inside a word at a mark
        assert re.findall(f"[{LETTERS[lang]}]", text) == re.findall(f"[{LETTERS[lang]}]", markdown)
        return
    written, read = script_words(markdown, lang), script_words(text, lang)
    assert sorted(read) == sorted(written)        # every word, none reversed or broken
    # and in order, but for one line justified wide before a long web address, which
    # pdftotext cuts into separate blocks
    import difflib
    assert difflib.SequenceMatcher(None, written, read, autojunk=False).ratio() > 0.98
