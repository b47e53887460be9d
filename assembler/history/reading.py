"""Reading the version history from git alone: versions, statuses, labels, files of a version.

Commit trailers are the source of truth (``Document:``, ``Version:``, ``Action:``); tags
are a convenience that may be missing in a clone, so nothing here needs them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assembler.errors import NotFoundError, UsageError, did_you_mean
from assembler.history import manifest as mf
from assembler.repo.store import GitStore, LogEntry

LABEL = re.compile(r"^v?([1-9][0-9]{0,8})$")


@dataclass
class Version:
    """One recorded version of a document, as the history tells it."""

    document: str
    number: int
    commit: str
    author: str
    email: str
    time: int
    message: str
    status: str = "draft"
    tag: str | None = None
    round: str | None = None
    events: list[LogEntry] = field(default_factory=list)

    @property
    def tag_name(self) -> str:
        return f"{self.document}/v{self.number}"

    def data(self) -> dict:
        return {"document": self.document, "version": self.number, "status": self.status,
                "date": mf.iso_time(self.time), "author": self.author, "email": self.email,
                "message": self.message, "commit": self.commit, "tag": self.tag,
                "round": self.round}


def folder(document: str) -> str:
    return f"versions/{document}"


def output_path(document: str, name: str) -> str:
    return f"{folder(document)}/{name}"


def file_name(document: str, extension: str) -> str:
    """An output's file name: ``resolution.pdf``; a language version ``resolution/fr``
    names its files ``resolution.fr.pdf``."""
    return document.replace("/", ".") + extension


def output_file(document: str, extension: str) -> str:
    """The path of one of the latest version's outputs: ``versions/resolution/resolution.json``."""
    return output_path(document, file_name(document, extension))


def manifest_path(document: str) -> str:
    return f"{folder(document)}/manifest.json"


def _number(entry: LogEntry) -> int | None:
    value = entry.trailer("Version") or ""
    return int(value) if value.isdigit() else None


def read_versions(store: GitStore, document: str | None = None) -> list[Version]:
    """Every version on the current branch, or up to a detached HEAD (of ``document``, or
    all), oldest first."""
    entries = store.log(store.head_ref())   # empty on a branch with no commit yet
    versions: dict[tuple[str, int], Version] = {}
    adoptions: list[tuple[str, int]] = []
    in_review: dict[tuple[str, str], tuple[str, int]] = {}   # (doc, round) -> (doc, base)
    for entry in reversed(entries):
        doc = entry.trailer("Document")
        number = _number(entry)
        if not doc or number is None or (document and doc != document):
            continue
        action = (entry.trailer("Action") or "").lower()
        round_id = entry.trailer("Round")
        if action == "round-open" and round_id:
            in_review[(doc, round_id)] = (doc, number)
        if action == "assemble" and round_id and entry.trailer("Round-Step") == "close":
            in_review.pop((doc, round_id), None)
        if action == "round-cancel" and round_id:
            in_review.pop((doc, round_id), None)
        if action == "assemble":
            versions[(doc, number)] = Version(doc, number, entry.commit, entry.author, entry.email,
                                              entry.time, entry.subject, round=round_id)
        elif action == "adopt" and (doc, number) in versions:
            adoptions.append((doc, number))
            versions[(doc, number)].events.append(entry)
    latest_adopted: dict[str, int] = {}
    for doc, number in adoptions:
        latest_adopted[doc] = max(latest_adopted.get(doc, 0), number)
    tags: dict[str, str] = {}
    for doc in {d for d, _ in versions}:
        tags.update(store.tags(doc + "/"))
    reviewed = set(in_review.values())
    for (doc, number), version in versions.items():
        adopted = latest_adopted.get(doc)
        if adopted == number:
            version.status = "adopted"
        elif adopted and number < adopted:
            version.status = "superseded"
        elif (doc, number) in reviewed:
            version.status = "in review"
        if tags.get(version.tag_name) == version.commit:
            version.tag = version.tag_name
    return sorted(versions.values(), key=lambda v: (v.document, v.number))


def documents(versions: list[Version]) -> list[str]:
    return sorted({v.document for v in versions})


def is_document_id(text: str) -> bool:
    """A template id, or one and a language tag: ``resolution``, ``resolution/fr``."""
    from assembler.sources.languages import is_language_tag
    from assembler.sources.markup import CLAUSE_ID
    name, slash, lang = text.partition("/")
    return bool(CLAUSE_ID.match(name)) and (not slash or is_language_tag(lang))


def parse_ref(text: str) -> tuple[str, str | None]:
    """``DOC@vN`` (or ``DOC``) -> (document, label or None); strict, never passed to git."""
    doc, sep, label = text.partition("@")
    if not is_document_id(doc) or (sep and not label):
        raise UsageError(f"'{text}' is not a version reference; write DOCUMENT@vN (for example "
                         "resolution@v2) or DOCUMENT@latest")
    return doc, (label if sep else None)


def find_version(versions: list[Version], document: str, label: str | None) -> Version:
    """The version ``label`` (``v3``, ``3``, ``latest`` or None for latest) of ``document``."""
    mine = [v for v in versions if v.document == document]
    if not mine:
        known = documents(versions)
        raise NotFoundError(f"no recorded versions of '{document}'{did_you_mean(document, known)}; "
                            f"documents with versions: {', '.join(known) or 'none'} "
                            "(record one with 'assembler assemble')")
    if label in (None, "latest"):
        return mine[-1]
    match = LABEL.match(label)
    if not match:
        raise UsageError(f"'{label}' is not a version label; write v1, v2, … or latest")
    number = int(match.group(1))
    for version in mine:
        if version.number == number:
            return version
    raise NotFoundError(f"'{document}' has no version v{number}; it has v1 to v{mine[-1].number}")


def read_manifest(store: GitStore, commit: str, document: str) -> dict | None:
    data = store.read_file(commit, manifest_path(document))
    if data is None:
        return None
    try:
        return mf.loads(data)
    except ValueError:
        return None
