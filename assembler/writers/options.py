"""What writers need besides the document: version, status, time, author, provenance, paper."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone

from assembler.model import nodes as m

STATUS_LABELS = {"draft": "Draft", "in review": "Draft for Section review",
                 "adopted": "Adopted", "superseded": "Superseded"}
PAPERS = ("A4", "Letter")


@dataclass(frozen=True)
class Side:
    """One side of a redline, for headers: "v1 · 28 November 2026 · Ana Editor"."""

    label: str
    epoch: int | None = None
    author: str = ""

    @property
    def date_label(self) -> str:
        if self.epoch is None:
            return "not recorded"
        moment = datetime.fromtimestamp(self.epoch, timezone.utc)
        return f"{moment.day} {moment.strftime('%B %Y')}"


@dataclass(frozen=True)
class RedlineInfo:
    """What a redline's writers print besides the marked document: both sides and a summary."""

    old: Side
    new: Side
    summary: dict


@dataclass(frozen=True)
class RenderOptions:
    """Everything a writer may print besides the document itself.

    ``version`` None means a preview (``assembler build``), not a recorded version.
    ``epoch`` is the version's commit time (or SOURCE_DATE_EPOCH), never the clock, so the
    same inputs give the same bytes.
    """

    version: int | None = None
    status: str = "draft"
    epoch: int = 0
    author: str = ""
    sources_digest: str = ""
    paper: str = "A4"
    watermark: bool = False
    reference_docx: bytes | None = None
    redline: RedlineInfo | None = None
    report: str = ""       # a generated report (an audit trail): says what it is instead of a version

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status.capitalize())

    @property
    def date_label(self) -> str:
        """The version's date for people: '28 November 2026'."""
        moment = datetime.fromtimestamp(self.epoch, timezone.utc)
        return f"{moment.day} {moment.strftime('%B %Y')}"

    def meta_line(self, doc: m.Document) -> str:
        """The line under the title, the same in every format (plain text: each writer
        escapes it for its markup): which changes a redline shows, what a report is, or
        the version, its status and date."""
        if self.redline is not None:
            info = self.redline
            return (f"{doc.id} · changes from {info.old.label} ({info.old.date_label}) to "
                    f"{info.new.label} ({info.new.date_label})")
        if self.report:
            return f"{doc.id} · {self.report} · {self.date_label}"
        if self.version:
            return f"{doc.id} · version {self.version} · {self.status_label} · {self.date_label}"
        return f"{doc.id} · preview, not a recorded version"

    def provenance(self, doc: m.Document) -> str:
        """One line saying which version this is and what it was made from."""
        if self.redline is not None:
            return f"{doc.id} · redline {self.redline.old.label} → {self.redline.new.label}"
        if self.report:
            return f"{doc.id} · {self.report}"
        if self.version is None:
            return f"{doc.id} · Preview, not a recorded version"
        parts = [f"{doc.id} v{self.version}", self.status_label]
        if self.sources_digest:
            parts.append(f"sources {self.sources_digest}")
        return " · ".join(parts)


def sources_digest(sources: list[tuple[str, str]], variables: dict[str, str]) -> str:
    """A short, stable digest of the exact sources (path, blob id) and variables of a version.

    A file cannot carry the id of the commit that contains it; this digest names the
    version's inputs instead, and ``assembler verify`` recomputes it from the commit.
    """
    payload = json.dumps({"sources": sorted(sources), "variables": variables}, sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:12]


def language(doc: m.Document) -> str:
    return dict(doc.meta).get("language", "en")


# Languages written right to left (BCP 47 primary subtags).
RTL_LANGUAGES = frozenset({"ar", "he", "iw", "fa", "ur", "yi", "ps", "dv", "sd", "ug", "ckb", "syr"})


def right_to_left(doc: m.Document) -> bool:
    """Whether the document's language is written right to left (Arabic, Hebrew…)."""
    return language(doc).split("-")[0].lower() in RTL_LANGUAGES
