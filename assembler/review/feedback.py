"""A Section's feedback turned into items addressed to clauses of the base version.

Two inputs: Markdown or plain text (a heading names the paragraph number as the Section
saw it, or a clause id, or "General"; a paragraph starting "Proposed:" proposes new
wording), and the review pack's DOCX returned with Word tracked changes and comments.
Both are mapped back to clause ids through the base version's document model; nothing
here writes anything.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import asdict, dataclass

from assembler.errors import InvalidInput, Problem, did_you_mean
from assembler.model import nodes as m
from assembler.model.paragraphs import BaseParagraph, base_paragraphs, clause_texts, normalize
from assembler.review.docx_reader import ReturnedDocx
from assembler.sources.files import decode_source, forbidden_characters

KINDS = ("comment", "edit")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_NUMBER = re.compile(r"^(?:¶|§|para(?:graph)?\.?|consideration|clause|item|no\.?|number|nr\.?)?"
                     r"\s*(\d{1,4}(?:\.\d{1,4})*)\.?$", re.I)
_GENERAL = re.compile(r"^(general|overall|whole document|general comments?)$", re.I)
_PROPOSED = re.compile(r"^(?:proposed(?: text| wording)?|replace with|new text)\s*:\s*", re.I)
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Item:
    """One piece of feedback: a comment, or a proposed edit (old text -> proposed text)."""

    id: str                  # "NL-3": Section id and a number that never changes
    section: str
    kind: str                # "comment" or "edit"
    clause: str | None       # None: the document as a whole, or text outside any clause
    number: str | None       # the clause's number as the Section saw it in the base
    target: str              # what the Section addressed, for people: "3", "preamble", "title"
    comment: str = ""
    old: str | None = None       # an edit: the clause's text in the base version
    proposed: str | None = None  # an edit: the text the Section proposes
    quote: str = ""              # a Word comment: the words it was anchored to
    author: str = ""             # the name Word recorded, when there is one
    source: str = ""             # the file it came from, as stored in the round
    line: int | None = None

    def data(self) -> dict:
        return asdict(self)

    @classmethod
    def from_data(cls, data: dict) -> "Item":
        return cls(**{k: data.get(k) for k in cls.__dataclass_fields__ if k in data})

    @property
    def summary(self) -> str:
        """One line for a table: the comment, or what the edit proposes."""
        text = self.comment
        if self.kind == "edit":
            change = "delete the clause" if not self.proposed else f"proposes: {self.proposed}"
            text = f"{change}" + (f" ({self.comment})" if self.comment else "")
        text = _SPACE.sub(" ", text).strip()
        return text if len(text) <= 220 else text[:217].rstrip() + "…"


# ---------------------------------------------------------------- Markdown and text

def read_text_feedback(text: str, rel: str, section: str, doc: m.Document, label: str,
                       first_number: int) -> list[Item]:
    """Items from Markdown/plain text; problems name ``rel`` and the line."""
    clauses = {c.id: c for c in m.iter_clauses(doc.blocks)}
    sections: list[tuple[int, str, list[str]]] = []   # (line, target, body lines)
    preface: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        heading = _HEADING.match(line)
        if heading:
            target = heading.group(2).strip()
            if len(heading.group(1)) == 1 and not sections and not _target_like(target, clauses):
                continue   # "# Feedback from …": a title, not an address
            sections.append((number, target, []))
        elif sections:
            sections[-1][2].append(line)
        else:
            preface.append(line)
    if "".join(preface).strip():
        sections.insert(0, (1, "General", preface))
    entries = [(line, target, *_split_body(body)) for line, target, body in sections]
    return build_items(entries, rel, section, doc, label, first_number,
                       empty="holds no feedback; write a heading per paragraph ('## 3') with the "
                             "comment under it")


def build_items(entries: list[tuple[int, str, str, str | None]], rel: str, section: str,
                doc: m.Document, label: str, first_number: int, empty: str,
                examples: str = "'## 3', '## preamble' or '## General'") -> list[Item]:
    """Items numbered from ``first_number`` from (line, target, comment, proposed or None)
    entries, however they arrived (a Markdown file, a web form, the JSON API): the target is
    a paragraph number the Section saw, a clause id, or 'General'. Every problem names
    ``rel`` and the entry's line; ``empty`` says what is wrong when there are no entries,
    ``examples`` how a target is written where the entries came from."""
    clauses = {c.id: c for c in m.iter_clauses(doc.blocks)}
    by_number = {c.number: c for c in clauses.values() if c.number}
    texts = clause_texts(doc)
    problems: list[Problem] = []
    items: list[Item] = []
    for line, target, comment, proposed in entries:
        clause, shown = None, "general"
        target = target.strip()
        if not _GENERAL.match(target):
            found = _NUMBER.match(target)
            if found:
                clause = by_number.get(found.group(1))
                if clause is None:
                    known = sorted(by_number, key=lambda n: [int(p) for p in n.split(".")])
                    span = f"{known[0]}–{known[-1]}" if known else "none"
                    problems.append(Problem(rel, f"paragraph {found.group(1)} does not exist in "
                                            f"{label} (its numbers are {span}); address a number "
                                            "the Section saw, a clause id, or 'General'", line))
                    continue
            elif target in clauses:
                clause = clauses[target]
            else:
                problems.append(Problem(rel, f"'{target}' is neither a paragraph number nor a clause "
                                        f"of {label}{did_you_mean(target, clauses)}; write for example "
                                        f"{examples}", line))
                continue
            shown = clause.number or clause.id
        if not comment and proposed is None:
            problems.append(Problem(rel, f"'{target}' has no text under it; write the comment "
                                    "below the heading", line))
            continue
        if proposed is not None and clause is None:
            problems.append(Problem(rel, "a proposed text needs a clause: put it under a paragraph "
                                    "number or clause id, not 'General'", line))
            continue
        kind = "edit" if proposed is not None else "comment"
        items.append(Item(f"{section}-{first_number + len(items)}", section, kind,
                          clause.id if clause else None, clause.number if clause else None, shown,
                          comment, texts.get(clause.id) if kind == "edit" and clause else None,
                          proposed, source=rel, line=line))
    if problems:
        raise InvalidInput(problems)
    if not items:
        raise InvalidInput(Problem(rel, empty))
    return items


def _target_like(target: str, clauses) -> bool:
    return bool(_GENERAL.match(target) or _NUMBER.match(target) or target in clauses)


def _split_body(lines: list[str]) -> tuple[str, str | None]:
    """(comment, proposed text or None) from the lines under one heading."""
    paragraphs = [" ".join(p.split()) for p in "\n".join(lines).split("\n\n") if p.strip()]
    comment, proposed = [], None
    for paragraph in paragraphs:
        match = _PROPOSED.match(paragraph)
        if match and proposed is None:
            proposed = paragraph[match.end():].strip()
        else:
            comment.append(paragraph)
    return "\n\n".join(comment), proposed


def read_feedback_text(data: bytes, rel: str, section: str, doc: m.Document, label: str,
                       first_number: int) -> list[Item]:
    """Items from the bytes of a Markdown/text file (UTF-8, no control or bidi characters)."""
    text, problems = decode_source(data, rel)
    if problems:
        raise InvalidInput(problems)
    return read_text_feedback(text, rel, section, doc, label, first_number)


# ---------------------------------------------------------------- a returned DOCX

def docx_items(returned: ReturnedDocx, rel: str, section: str, doc: m.Document, label: str,
               first_number: int) -> tuple[list[Item], list[str]]:
    """Items from a review pack DOCX with tracked changes and comments, and notes for people.

    The returned paragraphs, read as they were before the Section's changes, are aligned with
    the base version's paragraphs; an edit becomes one item per clause (old and proposed
    text), a comment one item on the clause it is anchored in. Text that reads differently
    without tracked changes is refused: the Section's intent would be guesswork.
    """
    base = base_paragraphs(doc)
    texts = clause_texts(doc)
    groups = _original_paragraphs(returned)
    old_side = [normalize(g["original"]) for g in groups]
    matcher = difflib.SequenceMatcher(None, old_side, [b.text for b in base], autojunk=False)
    where: dict[int, BaseParagraph] = {}
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            where[block.a + k] = base[block.b + k]
    matched_base = {id(v) for v in where.values()}
    problems = [Problem(rel, f"paragraph {b.label} of {label} is missing or reads differently "
                        "without tracked changes; ask the Section to edit with Track Changes on "
                        "(or to send their feedback as Markdown)")
                for b in base if b.clause and b.text and id(b) not in matched_base]
    if problems:
        raise InvalidInput(problems[:5])
    notes: list[str] = []
    edits: dict[str, dict] = {}
    outside: list[tuple[dict, BaseParagraph | None]] = []
    for index, group in enumerate(groups):
        target = where.get(index)
        if group["changed"]:
            if target is None or target.clause is None:
                outside.append((group, target))
            else:
                entry = edits.setdefault(target.clause, {"target": target, "parts": {}})
                entry["parts"][target.text] = normalize_paragraphs(group["proposed"])
    items: list[Item] = []

    def add(**fields) -> None:
        items.append(Item(f"{section}-{first_number + len(items)}", section, source=rel, **fields))

    for clause_id, entry in edits.items():
        target = entry["target"]
        old = texts[clause_id]
        new_parts = [entry["parts"].get(p, p) for p in old.split("\n\n")]
        proposed = "\n\n".join(p for p in new_parts if p)
        if proposed == old:
            continue  # a tracked change that changes nothing (an empty w:ins around a comment)
        add(kind="edit", clause=clause_id, number=target.number, target=target.label,
            old=old, proposed=proposed)
    for group, target in outside:
        shown = target.label if target else f"paragraph {group['index']} of the file"
        if normalize_paragraphs(group["proposed"]) == normalize(group["original"]):
            continue
        add(kind="edit", clause=None, number=None, target=shown, old=normalize(group["original"]),
            proposed=normalize_paragraphs(group["proposed"]),
            comment="a tracked change outside any clause")
        notes.append(f"{items[-1].id}: a tracked change to {shown}, outside any clause; recorded "
                     "as a general item (it cannot be applied to a clause)")
    for group_index, group in enumerate(groups):
        for cid in group["comments"]:
            comment = returned.comments.get(cid)
            if comment is None or not comment.text:
                continue
            target = where.get(group_index)
            if target is not None and target.clause:
                add(kind="comment", clause=target.clause, number=target.number,
                    target=target.label, comment=comment.text, quote=comment.quote,
                    author=comment.author)
            else:
                shown = target.label if target else "text outside the clauses"
                add(kind="comment", clause=None, number=None, target=shown, comment=comment.text,
                    quote=comment.quote, author=comment.author)
                notes.append(f"{items[-1].id}: a comment on {shown}, outside any clause; "
                             "recorded as a general comment")
    refused = [Problem(rel, f"{item.id} ({item.target}): {reason}; remove it and send the file again")
               for item in items for text in (item.proposed, item.comment, item.quote) if text
               for _index, reason in forbidden_characters(text)]
    if refused:
        raise InvalidInput(refused[:5])
    if returned.format_changes:
        notes.append(f"{returned.format_changes} formatting change(s) ignored: only wording is "
                     "feedback")
    if not items:
        raise InvalidInput(Problem(rel, "has no tracked changes and no comments; ask the Section "
                                   "to edit with Track Changes on, or to add comments"))
    return items, notes


def normalize_paragraphs(text: str) -> str:
    return "\n\n".join(normalize(p) for p in text.split("\n\n") if normalize(p))


def _original_paragraphs(returned: ReturnedDocx) -> list[dict]:
    """The returned paragraphs regrouped as the base had them: a paragraph whose mark was
    inserted by the Section belongs with the next one."""
    groups: list[dict] = []
    pending: dict | None = None
    for p in returned.paragraphs:
        if pending is None:
            pending = {"index": p.index, "original": "", "proposed": "", "changed": False,
                       "comments": []}
        pending["original"] += p.original
        if pending["proposed"] and p.proposed:
            pending["proposed"] += "\n\n"
        pending["proposed"] += p.proposed
        pending["changed"] = pending["changed"] or p.changed
        pending["comments"] += p.comments
        if p.mark != "ins":
            groups.append(pending)
            pending = None
    if pending is not None:
        groups.append(pending)
    return groups


# ---------------------------------------------------------------- applying an edit

def variables_touched(body: str, variables: dict, old: str, proposed: str) -> list[str]:
    """The variables of a clause whose value, as the Section read it, their edit changed."""
    from assembler.sources.markup import PLACEHOLDER, VARIABLE_NAME
    names = sorted({inner for inner in (match.group(1).strip() for match in PLACEHOLDER.finditer(body))
                    if VARIABLE_NAME.match(inner)})
    touched = []
    for name in names:
        value = str(variables.get(name) or "")
        # some of the value's occurrences come from the variable, and the edit removed one
        if value and body.count(value) < old.count(value) and proposed.count(value) < old.count(value):
            touched.append(name)
    return touched


def variable_message(item, path: str, touched: list[str], variables: dict) -> str:
    shown = ", ".join(f"'{name}' (\"{variables[name]}\")" for name in touched)
    return (f"{item.id} changes text that comes from the variable {shown}, not from {path}; "
            "change the variable instead (the template's default, or --var on round close) "
            f"and apply the rest by hand. Proposed text: {item.proposed}")
