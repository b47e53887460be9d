"""Review rounds as records in the workspace: where their files live, what they hold, and
how they are found again from the branch tip alone.

A round lives in ``versions/<doc>/rounds/<round-id>/``: ``round.json`` (who was invited,
the base version, the deadline, whether it is closed), ``pack/`` (what the Sections got),
``feedback/<SECTION>.json`` with the original files beside it, ``dispositions.json``, and,
once closed, the round redline and ``disposition.csv``. Every step is a commit of its own
with trailers (``Round:``, ``Action: round-…``), so plain git tells the same story.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from assembler.errors import InvalidInput, NotFoundError, Problem, UsageError, did_you_mean
from assembler.history import manifest as mf, reading as history
from assembler.repo.store import GitStore
from assembler.review.vocabulary import DECISIONS  # noqa: F401  (rd.DECISIONS in the steps)
from assembler.sources.files import decode_source

if TYPE_CHECKING:
    from assembler.review.feedback import Item

SCHEMA = "policy-assembler/round/1"
SECTION_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,15}$")
_VERSION_LIKE = re.compile(r"^v\d+$")
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f<>]")


def slug(name: str) -> str:
    """The round id for a name: "Section review 1" -> "section-review-1"."""
    text = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60].strip("-")
    if not text or _VERSION_LIKE.match(text) or text in ("open", "close"):
        raise UsageError(f"--name {name!r} gives no usable round id; use letters and digits, "
                         "for example --name 'Section review 1'")
    return text


def folder(document: str, round_id: str) -> str:
    return f"versions/{document}/rounds/{round_id}"


@dataclass(frozen=True)
class Section:
    id: str
    name: str
    contact: str = ""

    @property
    def email(self) -> str:
        return self.contact if re.fullmatch(r"[^@\s<>]+@[^@\s<>]+", self.contact) else ""


@dataclass
class Round:
    """One round as recorded at the branch tip."""

    id: str
    name: str
    document: str
    base: int
    base_commit: str
    compared_with: int | None
    compared_reason: str
    deadline: str | None
    sections: list[Section]
    opened_at: str
    opened_by: str
    closed: dict | None = None
    pack: dict[str, str] = field(default_factory=dict)            # file name -> SHA-256
    cancelled: dict | None = None                                 # at, by, reason
    feedback: dict[str, dict] = field(default_factory=dict)       # section id -> record
    dispositions: dict[str, dict] = field(default_factory=dict)   # item id -> decision

    @property
    def path(self) -> str:
        return folder(self.document, self.id)

    @property
    def state(self) -> str:
        return "closed" if self.closed else "cancelled" if self.cancelled else "open"

    @property
    def ended(self) -> bool:
        """Closed by a version, or cancelled: the round takes nothing more."""
        return bool(self.closed or self.cancelled)

    def section(self, section_id: str) -> Section:
        for section in self.sections:
            if section.id.lower() == section_id.lower():
                return section
        known = [s.id for s in self.sections]
        raise UsageError(f"Section '{section_id}' was not invited to round '{self.id}'"
                         f"{did_you_mean(section_id, known)}; invited: {', '.join(known) or 'none'}")

    def items(self) -> list[Item]:
        from assembler.review.feedback import Item
        found = []
        for section in self.sections:
            for data in self.feedback.get(section.id, {}).get("items", []):
                found.append(Item.from_data(data))
        return found

    def item(self, item_id: str) -> Item:
        items = {i.id.lower(): i for i in self.items()}
        if item_id.lower() not in items:
            known = [i.id for i in self.items()]
            raise NotFoundError(f"round '{self.id}' has no feedback item '{item_id}'"
                                f"{did_you_mean(item_id, known)}; items: "
                                f"{', '.join(known[:12]) or 'none yet'}")
        return items[item_id.lower()]

    def undecided(self) -> list[Item]:
        return [i for i in self.items() if i.id not in self.dispositions]

    def record(self) -> dict:
        """``round.json``: everything but feedback and dispositions (their own files)."""
        return {"schema": SCHEMA, "id": self.id, "name": self.name, "document": self.document,
                "base": {"version": self.base, "commit": self.base_commit},
                "compared_with": ({"version": self.compared_with, "reason": self.compared_reason}
                                  if self.compared_with else None),
                "deadline": self.deadline,
                "sections": [{"id": s.id, "name": s.name, "contact": s.contact}
                             for s in self.sections],
                "opened_at": self.opened_at, "opened_by": self.opened_by, "pack": self.pack,
                "closed": self.closed, **({"cancelled": self.cancelled} if self.cancelled else {})}

    def days_left(self, today: date) -> int | None:
        return (date.fromisoformat(self.deadline) - today).days if self.deadline else None

    def report(self, today: date) -> dict:
        """What ``round status`` shows: Sections and who responded (and on which review
        branch), items per paragraph, decisions, deadline and days left; ``feedback`` lists
        every item with its decision and note."""
        items = self.items()
        per_clause: dict[str, int] = {}
        for item in items:
            per_clause[item.target] = per_clause.get(item.target, 0) + 1
        undecided = [i.id for i in self.undecided()]
        return {"id": self.id, "name": self.name, "document": self.document, "base": self.base,
                "state": self.state, "deadline": self.deadline,
                "days_left": self.days_left(today) if not self.ended else None,
                "answered_by": (self.closed or {}).get("version"),
                "sections": [{"id": s.id, "name": s.name, "responded": s.id in self.feedback,
                              "items": len(self.feedback.get(s.id, {}).get("items", [])),
                              "branch": self.feedback.get(s.id, {}).get("branch")}
                             for s in self.sections],
                "items": len(items), "decided": len(items) - len(undecided),
                "undecided": undecided, "items_per_clause": per_clause,
                "decisions": {k: v["decision"] for k, v in self.dispositions.items()},
                "feedback": [dict(i.data(), decision=self.dispositions.get(i.id, {}).get("decision"),
                                  note=self.dispositions.get(i.id, {}).get("note", "")) for i in items]}

    def progress(self) -> str:
        """One line for a version's log entry: opened, who responded, items, state."""
        state = (f"closed by v{self.closed['version']}" if self.closed else
                 f"cancelled {self.cancelled['at'][:10]}" if self.cancelled else
                 f"open{', due ' + self.deadline if self.deadline else ''}")
        responded = sum(1 for s in self.sections if s.id in self.feedback)
        return (f"round {self.id} ({self.name}): opened {self.opened_at[:10]}, {responded} of "
                f"{len(self.sections)} Sections responded, {len(self.items())} items, {state}")


def dumps(data: dict) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _from_record(data: dict) -> Round:
    compared = data.get("compared_with") or {}
    return Round(data["id"], data["name"], data["document"], int(data["base"]["version"]),
                 data["base"]["commit"], compared.get("version"), compared.get("reason", ""),
                 data.get("deadline"), [Section(s["id"], s["name"], s.get("contact", ""))
                                        for s in data["sections"]],
                 data["opened_at"], data["opened_by"], data.get("closed"), data.get("pack", {}),
                 cancelled=data.get("cancelled"))


def read_rounds(store: GitStore, commit: str | None) -> list[Round]:
    """Every round recorded in ``commit`` (the branch tip), oldest first."""
    if not commit:
        return []
    blobs = store.tree_blobs(commit, "versions/")
    found: list[Round] = []
    for path in sorted(blobs):
        parts = path.split("/")
        if len(parts) in (5, 6) and parts[-3] == "rounds" and parts[-1] == "round.json":   # a language's too
            data = json.loads(store.read_file(commit, path))
            if data.get("schema") != SCHEMA:
                continue
            found.append(_from_record(data))
    for r in found:
        for section in r.sections:   # feedback/<SECTION>.json; the files received lie beside it
            raw = store.read_file(commit, f"{r.path}/feedback/{section.id}.json")
            if raw:
                record = json.loads(raw)
                r.feedback[record["section"]] = record
        raw = store.read_file(commit, r.path + "/dispositions.json")
        if raw:
            r.dispositions = json.loads(raw)["items"]
    return sorted(found, key=lambda r: (r.opened_at, r.document, r.id))


def find_round(rounds: list[Round], text: str) -> Round:
    """A round by id, name (any case) or ``DOC/ROUND``."""
    doc, sep, rest = text.partition("/")
    wanted = (rest if sep else text).strip().lower()
    matches = [r for r in rounds if (not sep or r.document == doc)
               and (r.id == wanted or r.name.lower() == wanted)]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise UsageError(f"round '{text}' exists for several documents; write "
                         + " or ".join(f"{r.document}/{r.id}" for r in matches))
    known = [r.id for r in rounds]
    raise NotFoundError(f"no round '{text}'{did_you_mean(wanted, known)}; rounds: "
                        f"{', '.join(known) or 'none (open one with assembler round open)'}")


# ---------------------------------------------------------------- the Sections file

def read_sections(path: Path) -> list[Section]:
    """Sections from YAML (a list of id/name/contact mappings) or CSV (a header row
    id,name,contact); problems name the file and line."""
    rel = str(path)
    try:
        text, problems = decode_source(path.read_bytes(), rel)
    except OSError as exc:
        raise NotFoundError(f"{rel}: cannot read the Sections file ({exc.strerror})") from None
    if problems:
        raise InvalidInput(problems)
    rows: list[tuple[int, dict]] = []
    if path.suffix.lower() == ".csv":
        reader = csv.DictReader(io.StringIO(text))
        if not reader.fieldnames or "id" not in [f.strip().lower() for f in reader.fieldnames]:
            raise InvalidInput(Problem(rel, "a Sections CSV needs a header row: id,name,contact", 1))
        for row in reader:
            rows.append((reader.line_num, {(k or "").strip().lower(): (v or "").strip()
                                           for k, v in row.items()}))
    else:
        try:
            from assembler.sources import yamlfile
            root = yamlfile.parse(text, rel)
            if root is None:
                raise InvalidInput(Problem(rel, "lists no Sections"))
            for node in yamlfile.sequence(root, rel, "the Sections file"):
                mapping = yamlfile.mapping(node, rel, "a Section")
                yamlfile.unknown_keys(node, {"id", "name", "contact"}, rel, "a Section")
                rows.append((node.line, {k: yamlfile.text(v, rel, k) for k, v in mapping.items()}))
        except yamlfile.YamlProblem as exc:
            raise InvalidInput(exc.problem) from None
    sections: list[Section] = []
    problems = []
    for line, row in rows:
        sid, name = row.get("id", ""), row.get("name") or row.get("id", "")
        if not SECTION_ID.match(sid):
            problems.append(Problem(rel, f"Section id {sid!r} must be a short code of letters, "
                                    "digits or _ starting with a letter (for example NL)", line))
        elif any(s.id.lower() == sid.lower() for s in sections):
            problems.append(Problem(rel, f"Section id '{sid}' appears twice", line))
        elif _UNSAFE_NAME.search(name) or _UNSAFE_NAME.search(row.get("contact", "")):
            problems.append(Problem(rel, f"Section '{sid}': the name and contact may not hold "
                                    "control characters or < >", line))
        else:
            sections.append(Section(sid, name, row.get("contact", "")))
    if problems:
        raise InvalidInput(problems)
    if not sections:
        raise InvalidInput(Problem(rel, "lists no Sections"))
    return sections


def parse_deadline(text: str | None) -> str | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise UsageError(f"--deadline {text!r}: write a date as YYYY-MM-DD") from None


def check_rounds(store: GitStore, doc: str, branch: str) -> list[str]:
    """The files a round recorded still hash as recorded: the review pack (hashes in
    round.json) and every feedback file received (hashes in feedback/<SECTION>.json)."""
    problems = []
    tip = store.resolve(branch)
    blobs = store.tree_blobs(tip, f"{history.folder(doc)}/rounds") if tip else {}
    for r in read_rounds(store, tip):
        if r.document != doc:
            continue
        recorded = [(f"{r.path}/pack/{name}", digest) for name, digest in r.pack.items()]
        recorded += [(f"{r.path}/{name}", digest)
                     for name, digest in (r.closed or {}).get("files", {}).items()]
        for path, digest in recorded:
            data = store.read_file(tip, path) if path in blobs else None
            if data is None:
                problems.append(f"{path}: missing, but round '{r.id}' recorded it")
            elif mf.sha256(data) != digest:
                problems.append(f"{path}: SHA-256 differs from the one round '{r.id}' recorded")
        for section, record in r.feedback.items():
            for submission in record.get("submissions", []):
                path = f"{r.path}/feedback/{submission['file']}"
                data = store.read_file(tip, path) if path in blobs else None
                if data is None or mf.sha256(data) != submission.get("sha256"):
                    what = "missing" if data is None else "altered"
                    problems.append(f"{path}: {what}; it is the feedback file {section} sent")
    return problems
