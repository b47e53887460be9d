"""Section review rounds on the bundled example: open, feedback in Markdown and as a Word
file with tracked changes and comments, decisions, applied edits, close; then plain git,
verify and the papers a reviewer reads."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile

import pytest

from assembler.writers.docx.custom_properties import with_custom_properties
from test_versions import git
from tools import pdftotext, soffice_convert
from wordfeedback import WordEdits

ROUND = "section-review-1"
PACK = f"versions/resolution/rounds/{ROUND}/pack"
SECTIONS = """\
- id: NL
  name: Netherlands Section
  contact: nl@example.org
- id: FR
  name: France Section
  contact: fr@example.org
- id: ZA
  name: South Africa Section
"""
NL_FEEDBACK = """\
# Feedback from the Netherlands Section

We welcome the draft.

## 4
The harm reduction principle needs a definition.

## Paragraph 12
Proposed: The policy will be fully consistent with {org}'s positions with respect to consent to sexual activity, including in contexts that involve abuse of power.

"Positions of authority" is covered by "abuse of power".
"""
ORG = "Amnesty International"


@pytest.fixture
def in_review(example, monkeypatch):
    """The example as v1 (adopted) and v2 (one clause edited), a round open on v2 for three
    Sections with a deadline."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795000000")   # 2026-11-18
    git(example, "add", "-A")
    git(example, "commit", "-qm", "Import the example")
    assert example.run("assemble", "resolution", "-m", "First draft").code == 0
    assert example.run("adopt", "resolution", "v1").code == 0
    harm = example.root / "clauses/resolution/harm-reduction.md"
    harm.write_text(harm.read_text().replace("The harm reduction principle.",
                                             "The harm reduction principle, applied in every context."))
    assert example.run("assemble", "resolution", "-m", "Second draft").code == 0
    example.write("sections.yaml", SECTIONS)
    result = example.run("round", "open", "resolution", "--name", "Section review 1",
                         "--sections", str(example.root / "sections.yaml"), "--deadline", "2026-12-01")
    assert result.code == 0, result
    (example.root / "sections.yaml").unlink()
    return example


def returned_docx(ws, author="Camille Martin") -> WordEdits:
    return WordEdits((ws.root / PACK / "resolution-v2.docx").read_bytes(), author=author)


def french_feedback(ws, tmp_path):
    word = returned_docx(ws)
    word.replace("States have an obligation to ensure that sex workers are protected",
                 "can use criminal law", "can rely on criminal law")
    word.comment("Evidence that sex workers often engage", "Please cite the research here.")
    path = tmp_path / "fr-returned.docx"
    path.write_bytes(word.save())
    return path


def head(ws) -> str:
    return git(ws, "rev-parse", "HEAD").strip()


def test_opening_a_round_writes_the_review_pack_in_one_tagged_commit(in_review):
    pack = in_review.root / PACK
    names = sorted(p.name for p in pack.iterdir())
    assert names == ["cover.md", "cover.pdf", "redline-v1-v2.docx", "redline-v1-v2.html",
                     "redline-v1-v2.pdf", "resolution-v2.docx", "resolution-v2.pdf"]
    assert (pack / "resolution-v2.pdf").read_bytes() == \
        (in_review.root / "versions/resolution/resolution.pdf").read_bytes()
    with zipfile.ZipFile(pack / "resolution-v2.docx") as z:
        custom = z.read("docProps/custom.xml").decode()
    assert "PolicyAssemblerRound" in custom and ROUND in custom
    redline = " ".join(pdftotext((pack / "redline-v1-v2.pdf").read_bytes()).split())
    assert "applied in every context" in redline and "Redline v1 → v2" in redline
    cover = " ".join(pdftotext((pack / "cover.pdf").read_bytes()).split())
    assert "Please respond by 1 December 2026" in cover and "South Africa Section" in cover
    assert pdftotext((pack / "cover.pdf").read_bytes()).count("\f") == 1, "the cover is one page"
    assert git(in_review, "rev-parse", f"resolution/{ROUND}/open^{{commit}}").strip() == head(in_review)
    assert "Action: round-open" in git(in_review, "log", "-1", "--format=%B")
    assert git(in_review, "status", "--porcelain") == ""
    log = in_review.run("log", "resolution").stdout
    assert re.search(r"resolution v2\s+in review", log)
    assert f"round {ROUND} (Section review 1)" in log


def test_a_round_from_open_to_close_answers_exactly_the_applied_edits(in_review, tmp_path):
    ws = in_review
    nl = ws.write("nl.md", NL_FEEDBACK.format(org=ORG))
    result = ws.run("round", "feedback", ROUND, "--section", "NL", str(nl))
    assert result.code == 0, result
    assert "recorded 3 item(s) from Netherlands Section" in result.stdout
    fr = french_feedback(ws, tmp_path)
    result = ws.run("round", "feedback", ROUND, "--section", "FR", str(fr), "--json")
    assert result.code == 0, result
    items = {i["id"]: i for i in json.loads(result.stdout)["items"]}
    assert items["FR-1"]["kind"] == "edit" and items["FR-1"]["clause"] == "protection-from-exploitation"
    assert items["FR-1"]["number"] == "6" and "can rely on criminal law" in items["FR-1"]["proposed"]
    assert "can use criminal law" in items["FR-1"]["old"]
    assert items["FR-2"] == {**items["FR-2"], "kind": "comment", "number": "8",
                             "comment": "Please cite the research here.", "author": "Camille Martin"}
    assert items["FR-2"]["quote"].startswith("Evidence that sex workers often engage")
    nl.unlink()

    status = json.loads(ws.run("round", "status", ROUND, "--json").stdout)
    assert [(s["id"], s["responded"], s["items"]) for s in status["sections"]] == \
        [("NL", True, 3), ("FR", True, 2), ("ZA", False, 0)]
    assert status["days_left"] == 13 and status["undecided"] == ["NL-1", "NL-2", "NL-3", "FR-1", "FR-2"]

    for item, decision in (("NL-1", "noted"), ("NL-2", "rejected"), ("NL-3", "accepted"),
                           ("FR-1", "accepted"), ("FR-2", "partly")):
        assert ws.run("round", "dispose", ROUND, item, decision, "--note", f"note on {item}").code == 0
    before = head(ws)
    for item in ("NL-3", "FR-1"):
        result = ws.run("round", "apply", ROUND, item)
        assert result.code == 0, result
    assert head(ws) == before, "apply commits nothing"
    assert sorted(git(ws, "status", "--porcelain").split()) == sorted([
        "M", "clauses/resolution/consent-to-sexual-activity.md",
        "M", "clauses/resolution/protection-from-exploitation.md"])

    result = ws.run("round", "close", ROUND, "-m", "Answer Section feedback")
    assert result.code == 0, result
    assert "resolution v3 answers v2" in result.stdout

    # the round redline shows exactly the applied edits
    changes = json.loads(_redline_json(ws, tmp_path))
    touched = {c["clause"] for c in changes["changes"]}
    assert touched == {"consent-to-sexual-activity", "protection-from-exploitation"}
    assert sorted((c["kind"], c["text"].strip()) for c in changes["changes"]) == sorted([
        ("delete", "or positions of authority"), ("delete", "use"), ("insert", "rely on")])
    folder = ws.root / f"versions/resolution/rounds/{ROUND}"
    redline = " ".join(pdftotext((folder / "redline-v2-v3.pdf").read_bytes()).split())
    assert "Disposition of Section feedback" in redline
    for item in ("NL-1", "NL-2", "NL-3", "FR-1", "FR-2"):
        assert item in redline

    rows = list(csv.DictReader(io.StringIO((folder / "disposition.csv").read_text())))
    assert [(r["item"], r["section"], r["decision"]) for r in rows] == [
        ("NL-1", "NL", "noted"), ("NL-2", "NL", "rejected"), ("NL-3", "NL", "accepted"),
        ("FR-1", "FR", "accepted"), ("FR-2", "FR", "partly")]
    by_id = {r["item"]: r for r in rows}
    assert by_id["FR-1"]["change"] == "modified, as proposed"
    assert by_id["NL-3"]["change"] == "modified, as proposed"
    assert by_id["NL-2"]["change"] == "no change" and by_id["NL-2"]["note"] == "note on NL-2"

    # plain git: one commit per step, each with the right author, and both round tags
    steps = git(ws, "log", "--format=%an <%ae>|%s", f"resolution/{ROUND}/open~1..HEAD").splitlines()
    assert [s.split("|")[0] for s in reversed(steps)] == (
        ["Test Editor <editor@example.org>", "Netherlands Section <nl@example.org>",
         "France Section <fr@example.org>"] + ["Test Editor <editor@example.org>"] * 6)
    assert steps[0].endswith("|Answer Section feedback")
    assert git(ws, "rev-parse", f"resolution/{ROUND}/close^{{commit}}").strip() == head(ws) == \
        git(ws, "rev-parse", "resolution/v3^{commit}").strip()
    trailers = git(ws, "log", "-1", "--format=%(trailers:only)")
    assert f"Round: {ROUND}" in trailers and "Round-Step: close" in trailers
    manifest = json.loads((ws.root / "versions/resolution/manifest.json").read_text())
    assert manifest["round"] == ROUND and manifest["version"] == 3
    assert git(ws, "status", "--porcelain") == ""
    log = ws.run("log", "resolution").stdout
    assert f"[answers round {ROUND}]" in log and "2 of 3 Sections responded, 5 items, closed by v3" in log

    verified = ws.run("verify")
    assert verified.code == 0, verified


def _redline_json(ws, tmp_path) -> str:
    target = tmp_path / "round.json"
    assert ws.run("redline", "resolution", "v2", "v3", "--json", str(target)).code == 0
    return target.read_text()


def test_a_word_file_saved_again_by_libreoffice_gives_the_same_items(in_review, tmp_path):
    word = french_feedback(in_review, tmp_path)
    saved = soffice_convert(word, "docx:MS Word 2007 XML", tmp_path / "lo")
    result = in_review.run("round", "feedback", ROUND, "--section", "FR", str(saved), "--json")
    assert result.code == 0, result
    items = json.loads(result.stdout)["items"]
    assert [(i["kind"], i["clause"], i["number"]) for i in items] == [
        ("edit", "protection-from-exploitation", "6"),
        ("comment", "economic-social-and-cultural-rights", "8")]
    assert "can rely on criminal law" in items[0]["proposed"]
    assert items[1]["comment"] == "Please cite the research here."


def test_a_new_paragraph_and_a_deletion_in_word_become_edits_of_their_clauses(in_review, tmp_path):
    word = returned_docx(in_review)
    word.insert_paragraph_after("overarching commitment to advancing gender equality",
                                "A new consideration on labour rights.")
    word.replace("The harm reduction principle", ", applied in every context", "")
    path = tmp_path / "za.docx"
    path.write_bytes(word.save())
    result = in_review.run("round", "feedback", ROUND, "--section", "ZA", str(path), "--json")
    assert result.code == 0, result
    items = json.loads(result.stdout)["items"]
    assert [(i["id"], i["number"]) for i in items] == [("ZA-1", "2"), ("ZA-2", "4")]
    assert items[0]["proposed"].endswith("women's rights.\n\nA new consideration on labour rights.")
    assert items[1]["proposed"] == "The harm reduction principle."


# ---------------------------------------------------------------- bad input

def refused(ws, args, code, *needles):
    """Run a command that must fail: its exit code, its words, and nothing recorded."""
    before_head, before_files = head(ws), ws.snapshot()
    result = ws.run(*args)
    assert result.code == code, result
    for needle in needles:
        assert needle in result.stderr, (needle, result.stderr)
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) <= 5
    assert head(ws) == before_head
    after = {k: v for k, v in ws.snapshot().items() if not k.startswith(".git/")}
    assert after == {k: v for k, v in before_files.items() if not k.startswith(".git/")}
    return result


def test_unknown_rounds_sections_and_items_are_named(in_review, tmp_path):
    nl = tmp_path / "nl.md"
    nl.write_text("## 4\nToo vague.\n")
    refused(in_review, ["round", "feedback", "section-reveiw-1", "--section", "NL", str(nl)], 3,
            "no round 'section-reveiw-1'", "did you mean 'section-review-1'")
    refused(in_review, ["round", "feedback", ROUND, "--section", "DE", str(nl)], 2,
            "Section 'DE' was not invited", "NL, FR, ZA")
    refused(in_review, ["round", "dispose", ROUND, "NL-9", "accepted"], 3, "no feedback item 'NL-9'")


def test_a_paragraph_number_the_section_never_saw_names_file_and_line(in_review, tmp_path):
    nl = tmp_path / "nl.md"
    nl.write_text("## 4\nFine.\n\n## 14\nWhat about this?\n\n## no-such-clause\nHm.\n")
    result = refused(in_review, ["round", "feedback", ROUND, "--section", "NL", str(nl)], 4)
    assert f"{nl}:4: paragraph 14 does not exist in resolution v2 (its numbers are 1–13)" in result.stderr
    assert f"{nl}:7: 'no-such-clause' is neither a paragraph number nor a clause" in result.stderr


@pytest.mark.parametrize("case", ["another round", "no marks", "not a zip", "zip bomb", "doctype",
                                  "utf-16 doctype",
                                  "untracked edit", "nothing marked"])
def test_a_docx_that_cannot_be_this_rounds_feedback_is_refused_before_anything_is_recorded(
        in_review, tmp_path, case):
    pack = (in_review.root / PACK / "resolution-v2.docx").read_bytes()
    path = tmp_path / "returned.docx"
    needle = {"another round": "belongs to round 'other-round' of policy v7",
              "no marks": "is not a review pack of round",
              "not a zip": "is not a valid Word file",
              "zip bomb": "zip bomb",
              "doctype": "declares a DTD or entities",
              "utf-16 doctype": "declares a DTD or entities",
              "untracked edit": "reads differently without tracked changes",
              "nothing marked": "has no tracked changes and no comments"}[case]
    if case == "another round":
        data = with_custom_properties(pack, {"PolicyAssemblerDocument": "policy",
                                             "PolicyAssemblerRound": "other-round",
                                             "PolicyAssemblerVersion": "7"}, 0)
    elif case == "no marks":
        data = (in_review.root / "versions/resolution/resolution.docx").read_bytes()
    elif case == "not a zip":
        data = b"%PDF-1.4 this is not a Word file"
    elif case == "zip bomb":
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("word/document.xml", b"<" + b" " * (8 * 1024 * 1024) + b"/>")
        data = out.getvalue()
    elif case == "doctype":
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(pack)) as source, zipfile.ZipFile(out, "w") as z:
            for name in source.namelist():
                content = source.read(name)
                if name == "word/document.xml":
                    content = content.replace(b"?>", b'?><!DOCTYPE d [<!ENTITY a "aaaa">]>', 1)
                z.writestr(name, content)
        data = out.getvalue()
    elif case == "utf-16 doctype":  # issue 13.10: a byte search for <!DOCTYPE misses this part
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(pack)) as source, zipfile.ZipFile(out, "w") as z:
            for name in source.namelist():
                content = source.read(name)
                if name == "word/document.xml":
                    text = content.decode("utf-8").replace("UTF-8", "UTF-16", 1)
                    text = text.replace("?>", '?><!DOCTYPE d [<!ENTITY a "aaaa">]>', 1)
                    content = text.encode("utf-16")
                z.writestr(name, content)
        data = out.getvalue()
    elif case == "untracked edit":
        word = WordEdits(pack)
        word.edit_untracked("The harm reduction principle", "principle", "idea")
        word.comment("The harm reduction idea", "Changed quietly.")
        data = word.save()
    else:
        data = pack
    path.write_bytes(data)
    result = refused(in_review, ["round", "feedback", ROUND, "--section", "FR", str(path)], 4, needle)
    assert str(path) in result.stderr


def test_feedback_after_the_round_is_closed_is_refused(in_review, tmp_path):
    ws = in_review
    nl = ws.write("nl.md", NL_FEEDBACK.format(org=ORG))
    assert ws.run("round", "feedback", ROUND, "--section", "NL", str(nl)).code == 0
    nl.unlink()
    refused(ws, ["round", "close", ROUND], 5, "3 item(s) of round 'section-review-1' have no decision",
            "NL-1, NL-2, NL-3", "--force")
    refused(ws, ["round", "apply", ROUND, "NL-3"], 5, "NL-3 is undecided")
    refused(ws, ["round", "close", ROUND, "--force"], 5, "nothing answers round")
    assert ws.run("round", "dispose", ROUND, "NL-3", "accepted").code == 0
    assert ws.run("round", "apply", ROUND, "NL-3").code == 0
    assert ws.run("round", "apply", ROUND, "NL-3").stdout.endswith("nothing to do\n")
    result = ws.run("round", "close", ROUND, "--force")
    assert result.code == 0, result
    later = tmp_path / "late.md"
    later.write_text("## 3\nLate remark.\n")
    refused(ws, ["round", "feedback", ROUND, "--section", "ZA", str(later)], 5, "was closed on")
    refused(ws, ["round", "dispose", ROUND, "NL-1", "noted"], 5, "was closed on")
    rows = list(csv.DictReader(io.StringIO(
        (ws.root / f"versions/resolution/rounds/{ROUND}/disposition.csv").read_text())))
    assert [r["decision"] for r in rows] == ["undecided", "undecided", "accepted"]
    closed = json.loads((ws.root / f"versions/resolution/rounds/{ROUND}/round.json").read_text())["closed"]
    assert closed["version"] == 3 and closed["undecided"] == ["NL-1", "NL-2"]


def test_a_second_round_waits_for_the_first_and_reuses_its_sections(in_review):
    refused(in_review, ["round", "open", "resolution", "--name", "Section review 2"], 5,
            "round 'section-review-1' of resolution is still open")


def test_a_sections_file_with_a_repeated_id_is_refused_with_its_line(example, tmp_path):
    git(example, "add", "-A")
    git(example, "commit", "-qm", "Import the example")
    assert example.run("assemble", "resolution").code == 0
    sections = tmp_path / "sections.csv"
    sections.write_text("id,name,contact\nNL,Netherlands,\nFR,France,\nNL,Nederland,\n")
    refused(example, ["round", "open", "resolution", "--name", "R1", "--sections", str(sections)], 4,
            f"{sections}:4: Section id 'NL' appears twice")


def test_a_version_assembled_while_a_round_is_open_still_verifies(in_review):
    ws = in_review
    nl = ws.write("../nl.md", "## 4\nNeeds a definition.\n")
    assert ws.run("round", "feedback", ROUND, "--section", "NL", str(nl)).code == 0
    assert ws.run("round", "dispose", ROUND, "NL-1", "noted").code == 0
    trafficking = ws.root / "clauses/resolution/trafficking.md"
    trafficking.write_text(trafficking.read_text().replace("prevent and combat", "prevent, investigate and combat"))
    assert ws.run("assemble", "resolution", "-m", "Interim draft").code == 0
    assert ws.run("round", "feedback", ROUND, "--section", "NL", str(nl)).code == 0   # NL.json changes
    assert ws.run("round", "dispose", ROUND, "NL-2", "noted").code == 0   # dispositions.json too
    log = ws.run("log", "resolution").stdout
    assert re.search(r"resolution v3\s+draft", log) and re.search(r"resolution v2\s+in review", log)
    verified = ws.run("verify")
    assert verified.code == 0, verified


def test_a_round_on_a_version_whose_clauses_hold_lists_opens_and_closes(example):
    """A list in a clause once crashed the DOCX redline, so no such round could be closed."""
    git(example, "add", "-A")
    git(example, "commit", "-qm", "Import the example")
    assert example.run("assemble", "resolution", "-m", "First draft").code == 0
    assert example.run("adopt", "resolution", "v1").code == 0  # the pack's redline starts here
    harm = example.root / "clauses/resolution/harm-reduction.md"
    harm.write_text(harm.read_text().rstrip("\n") + "\n\n- in health care\n- in policing\n")
    assert example.run("assemble", "resolution", "-m", "Second draft").code == 0
    example.write("sections.yaml", SECTIONS)
    result = example.run("round", "open", "resolution", "--name", "Section review 1",
                         "--sections", str(example.root / "sections.yaml"))
    assert result.code == 0, result
    (example.root / "sections.yaml").unlink()
    harm.write_text(harm.read_text().replace("- in policing\n", "- in policing\n- in housing\n"))
    result = example.run("round", "close", ROUND, "--force", "-m", "Answer the Sections")
    assert result.code == 0, result
    rounds = example.root / f"versions/resolution/rounds/{ROUND}"
    assert (rounds / "redline-v2-v3.docx").is_file() and (rounds / "pack" / "redline-v1-v2.docx").is_file()


def test_every_kind_of_pdf_is_pdf_a_2b_with_every_font_embedded(in_review, tmp_path):
    """Recorded versions, the review pack (cover, redline, version), the audit report and a
    watermarked preview: pikepdf's PDF/A-2b validator passes each, and poppler's pdffonts
    (a second judge) finds every font embedded."""
    import subprocess

    import pikepdf
    from pikepdf import pdfa

    from tools import require
    assert in_review.run("audit", "resolution", "--pdf", str(tmp_path / "audit.pdf")).code == 0
    assert in_review.run("build", "resolution", "--format", "pdf", "--watermark",
                         "-o", str(tmp_path / "draft.pdf")).code == 0
    pdfs = sorted(in_review.root.rglob("*.pdf")) + [tmp_path / "audit.pdf", tmp_path / "draft.pdf"]
    assert {"resolution.pdf", "cover.pdf", "redline-v1-v2.pdf", "audit.pdf", "draft.pdf"} <= {p.name for p in pdfs}
    for path in pdfs:
        with pikepdf.open(path) as pdf:
            report = pdfa.check(pdf, "2b")
            assert report.verdict == "pass", (path, [str(f) for f in report.findings])
            assert pdf.open_metadata()["pdfaid:part"] == "2"
        fonts = subprocess.run([require("pdffonts"), str(path)], capture_output=True, text=True,
                               check=True).stdout.splitlines()[2:]
        assert fonts and all(line.split()[-5] == "yes" for line in fonts), (path, fonts)
