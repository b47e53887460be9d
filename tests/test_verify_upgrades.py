"""Verification across toolkit and library upgrades: fixity always, the content (JSON model,
Markdown) rebuilt byte for byte always, renderings (HTML, DOCX, PDF) byte-compared against
the renderer the manifest records, so a later writer is a note, and tampering still fails."""

from __future__ import annotations

import hashlib
import json

import pytest

from assembler import writers
from assembler.workspace import Workspace
from test_versions import git


def recorded(ws) -> None:
    ws.clause("scope", "This policy applies to every member.")
    ws.clause("fees", "Fees are due in January.")
    ws.write("templates/policy.yaml", "title: Membership policy\nbody:\n  - numbered: [scope, fees]\n")
    assert ws.run("assemble", "policy", "-m", "First").code == 0
    ws.clause("fees", "Fees are due in March.")
    assert ws.run("assemble", "policy", "-m", "Second").code == 0


@pytest.fixture
def later_pdf_writer(monkeypatch):
    """Upgrade to a later toolkit whose PDF writer makes other bytes (its format version
    bumped, as a writer change must): call it after recording."""
    def upgrade() -> None:
        from assembler.writers.pdf import writer as pdf_writer
        original = pdf_writer.write
        monkeypatch.setattr(pdf_writer, "write",
                            lambda doc, options=None: original(doc, options).replace(b"%%EOF", b"%later\n%%EOF"))
        monkeypatch.setitem(writers.FORMAT_VERSIONS, "pdf", writers.FORMAT_VERSIONS["pdf"] + 1)
        monkeypatch.setattr(writers, "_IDENTITY", {})
    return upgrade


def test_the_manifest_records_what_rendered_the_outputs(ws):
    recorded(ws)
    manifest = json.loads((ws.root / "versions/policy/manifest.json").read_text())
    renderer = manifest["renderer"]
    assert renderer["formats"] == writers.FORMAT_VERSIONS
    assert set(renderer["libraries"]) == {"python-docx", "reportlab", "pikepdf", "uharfbuzz", "python-bidi"}
    from assembler.writers.pdf.writer import FONT_DIR   # digests of the files the PDF embeds
    assert renderer["fonts"]["DejaVuSerif.ttf"] == hashlib.sha256((FONT_DIR / "DejaVuSerif.ttf").read_bytes()).hexdigest()


def test_a_later_writer_is_a_note_not_a_failure_and_strict_fails_it(ws, later_pdf_writer):
    recorded(ws)
    later_pdf_writer()
    result = ws.run("verify", "--jobs", "1")
    assert result.code == 0, result.stdout
    notes = [line for line in result.stdout.splitlines() if "policy.pdf: rendered by" in line]
    assert len(notes) == 2   # both versions
    pdf_version = writers.FORMAT_VERSIONS["pdf"]
    assert f"pdf writer {pdf_version - 1}" in notes[0] and f"pdf writer {pdf_version}" in notes[0]
    assert "not byte-compared; content identical" in notes[0] and notes[0].lstrip().startswith("note:")
    assert "2 versions checked, all ok" in result.stdout
    strict = ws.run("verify", "--jobs", "1", "--strict")
    assert strict.code == 1 and "error: versions/policy/policy.pdf: rendered by" in strict.stdout
    report = Workspace(ws.root).verify(jobs=1)
    assert report.ok and all(len(check.rendered_elsewhere) == 1 for check in report.versions)


def test_a_tampered_rendering_still_fails_with_the_same_writer(ws):
    recorded(ws)
    pdf = ws.root / "versions/policy/policy.pdf"
    tampered = pdf.read_bytes().replace(b"%%EOF", b"%tampered\n%%EOF")
    pdf.write_bytes(tampered)
    manifest_path = ws.root / "versions/policy/manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["outputs"]["policy.pdf"] = {"sha256": hashlib.sha256(tampered).hexdigest(), "bytes": len(tampered)}
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    git(ws, "commit", "-qa", "--amend", "--no-edit")   # the hashes agree: only a rebuild can tell
    git(ws, "tag", "-f", "-a", "policy/v2", "-m", "policy v2")
    result = ws.run("verify", "--jobs", "1")
    assert result.code == 1
    assert ("error: versions/policy/policy.pdf: rebuilding from commit" in result.stdout
            and "gives different bytes" in result.stdout)


def test_a_changed_content_output_always_fails(ws, later_pdf_writer, monkeypatch):
    recorded(ws)
    later_pdf_writer()
    from assembler.writers import markdown_writer
    original = markdown_writer.write
    monkeypatch.setattr(markdown_writer, "write", lambda doc, options=None: original(doc, options) + b"\n")
    result = ws.run("verify", "--jobs", "1")
    assert result.code == 1
    assert "versions/policy/policy.md: rebuilding from commit" in result.stdout
