"""A round's review pack: the draft's PDF and DOCX marked with the round, the redline from
the version compared with, and a cover page; and the check that a returned DOCX is one."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from assembler.errors import InvalidInput, NotFoundError, Problem
from assembler.history import manifest as mf, reading as history
from assembler.repo.store import GitStore
from assembler.review import rounds as rd

if TYPE_CHECKING:   # imported where used, so the command line starts fast
    from assembler.model import nodes as m

PACK_PROPERTIES = ("PolicyAssemblerDocument", "PolicyAssemblerRound", "PolicyAssemblerVersion")


def draft_name(document: str, version: int) -> str:
    """The pack's draft's file name without extension: ``resolution-v2``, ``resolution.fr-v2``."""
    return f"{history.file_name(document, '')}-v{version}"


def pack_files(ws, store: GitStore, r: rd.Round, base_doc: m.Document, seen, epoch: int) -> dict[str, bytes]:
    """The review pack: the base version's PDF and DOCX (marked with the round), the
    redline from the version compared with, and a cover page."""
    from assembler.model import nodes as m
    from assembler.review import round_papers as papers
    from assembler.writers.docx.custom_properties import with_custom_properties
    from assembler.writers.options import RenderOptions
    doc = r.document
    pack = f"{r.path}/pack"
    files: dict[str, bytes] = {}
    described: dict[str, str] = {}
    pdf = store.read_file(r.base_commit, history.output_file(doc, ".pdf"))
    docx = store.read_file(r.base_commit, history.output_file(doc, ".docx"))
    if pdf is None or docx is None:
        raise NotFoundError(f"{doc} v{r.base} has no PDF or DOCX output to send; assemble a "
                            "version with all formats first")
    marks = dict(zip(PACK_PROPERTIES, (doc, r.id, str(r.base))))
    draft = draft_name(doc, r.base)
    files[f"{pack}/{draft}.pdf"] = pdf
    files[f"{pack}/{draft}.docx"] = with_custom_properties(docx, marks, epoch)
    described[f"{draft}.pdf"] = "the draft to review"
    described[f"{draft}.docx"] = "the same draft for Word: edit it with Track Changes"
    if r.compared_with:
        result, info = ws.redline(doc, f"v{r.compared_with}", f"v{r.base}")
        for fmt in ("pdf", "docx", "html"):
            name = f"redline-v{r.compared_with}-v{r.base}.{fmt}"
            files[f"{pack}/{name}"] = ws.render_redline(result, info, fmt)
            described[name] = {"pdf": "what changed since version "
                               f"{r.compared_with}, for reading", "docx": "the same "
                               "changes as Word tracked changes", "html": "the same, for a "
                               "browser"}[fmt]
    base_time = history.find_version(seen, doc, str(r.base)).time
    cover = papers.cover_document(r, m.plain_text(base_doc.title), mf.iso_time(base_time),
                                  described, papers.iso_day(epoch))
    options = RenderOptions(version=r.base, status="in review", epoch=epoch, author=r.opened_by,
                            paper=dict(base_doc.meta).get("paper", "A4"))
    files[f"{pack}/cover.pdf"] = ws.render(cover, "pdf", options)
    files[f"{pack}/cover.md"] = ws.render(cover, "md", options)
    return files


def compared_with(existing: list[rd.Round], mine, base: int) -> tuple[int | None, str]:
    """What the pack's redline starts from: the previous round's base, else the last
    adopted version (None when there is neither, or it is the base itself)."""
    if existing and existing[-1].base != base:
        return existing[-1].base, f"the version reviewed in round '{existing[-1].name}'"
    adopted = [v.number for v in mine if v.status == "adopted" and v.number < base]
    if adopted:
        return adopted[-1], "the last adopted version"
    return None, ""


def check_pack(properties: dict[str, str], r: rd.Round, file: Path) -> None:
    found = [properties.get(k) for k in PACK_PROPERTIES]
    wanted = [r.document, r.id, str(r.base)]
    if not any(found):
        raise InvalidInput(Problem(str(file), f"is not a review pack of round '{r.id}' (it carries no "
                                   "round marks); send back the DOCX from "
                                   f"{r.path}/pack/{draft_name(r.document, r.base)}.docx"))
    if found != wanted:
        raise InvalidInput(Problem(str(file), f"belongs to round '{found[1]}' of {found[0]} "
                                   f"v{found[2]}, not to round '{r.id}' of {r.document} v{r.base}"))
