"""An existing document (.txt or .md) -> clause files and a template (pure; no I/O).

The document is read as CommonMark (plain text is valid CommonMark). The first level-1
heading, or else the first paragraph, is the title; paragraphs before the first numbered
list are preamble clauses; each numbered item becomes one clause; what follows the last
list becomes closing clauses; other headings stay headings in the template. A paragraph
that interrupts a numbered list which then carries on with the next number (a stray blank
line inside an item) is joined back to the item it belongs to.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from assembler.sources import markup, yamlfile

STOPWORDS = set("""a an and are as at be by for from has have in into is it its of on or
that the their them these this those to was were which while with will can also such
any all so than then there""".split())
TERMINAL = tuple(".!?:;")


@dataclass
class Segment:
    kind: str            # "para", "item" or "heading"
    text: str
    number: int = 0
    level: int = 0
    extra: list[str] = field(default_factory=list)   # further paragraphs of an item


@dataclass
class ImportPlan:
    """What an import would write: workspace-relative path -> text, template first."""

    template_id: str
    template_path: str
    files: dict[str, str]
    clause_ids: list[str]


def segments(text: str) -> list[Segment]:
    """The document's top-level pieces in order: paragraphs, numbered items, headings."""
    lines = text.split("\n")
    out: list[Segment] = []
    for entry in markup.outline(text):
        chunk = lines[entry.start: entry.end]
        if entry.kind == "heading":
            out.append(Segment("heading", entry.text, level=entry.level))
        elif entry.kind == "item":
            marker = re.match(r"^\s*\d+[.)]\s*", chunk[0])
            width = marker.end() if marker else 0
            body = [chunk[0][width:]] + [line[width:] if not line[:width].strip() else line.lstrip()
                                         for line in chunk[1:]]
            out.append(Segment("item", "\n".join(body).strip("\n"), number=entry.number))
        else:
            out.append(Segment("para", "\n".join(chunk).strip("\n")))
    return out


def _join_strays(parts: list[Segment]) -> list[Segment]:
    """Attach paragraphs that interrupt a numbered sequence to the item before them."""
    out: list[Segment] = []
    for index, seg in enumerate(parts):
        if seg.kind == "para" and out and out[-1].kind == "item":
            following = next((p for p in parts[index + 1:] if p.kind != "para"), None)
            if following is not None and following.kind == "item" and following.number == out[-1].number + 1:
                item = out[-1]
                last = item.extra[-1] if item.extra else item.text
                if not last.rstrip().endswith(TERMINAL) or seg.text[:1].islower():
                    if item.extra:
                        item.extra[-1] = last.rstrip() + " " + seg.text.strip()
                    else:
                        item.text = last.rstrip() + " " + seg.text.strip()
                else:
                    item.extra.append(seg.text)
                continue
        out.append(seg)
    return out


def plain_words(markdown: str) -> list[str]:
    """Words of a Markdown snippet with link targets and emphasis marks removed."""
    text = re.sub(r"\]\([^)]*\)", "", markdown)
    text = re.sub(r"[\[\]*_`\\]", "", text)
    return text.split()


def slug(text: str, taken: set[str], max_words: int = 5) -> str:
    """A short, meaningful, unique id from ``text``: key words, lower case, ASCII, hyphens."""
    ascii_text = unicodedata.normalize("NFKD", " ".join(plain_words(text)))
    ascii_text = ascii_text.encode("ascii", "ignore").decode().lower().replace("'s ", " ")
    words = re.findall(r"[a-z0-9]+", ascii_text)
    keep = [w for w in words if w not in STOPWORDS and len(w) > 1] or words or ["clause"]
    chosen: list[str] = []
    for word in keep[:max_words]:
        if chosen and len("-".join(chosen + [word])) > 40:
            break
        chosen.append(word)
    base = "-".join(chosen)[:40] or "clause"
    candidate, counter = base, 2
    while candidate in taken:
        candidate = f"{base}-{counter}"
        counter += 1
    taken.add(candidate)
    return candidate


def _title(text: str, limit: int = 72) -> str:
    words = " ".join(plain_words(text))
    sentence = re.split(r"(?<=[.;:])\s", words, maxsplit=1)[0]
    if len(sentence) <= limit:
        return sentence
    return sentence[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def _protect(body: str) -> str:
    """Clause text as written, with literal ``{{`` kept literal."""
    return body.replace("{{", "\\{\\{")


def _clause_file(clause_id: str, body: str, tag: str) -> str:
    front = yamlfile.dump({"id": clause_id, "title": _title(body), "tags": [tag]})
    return f"---\n{front}---\n{_protect(body).rstrip()}\n"


def plan_import(text: str, template_id: str, taken_ids: set[str], is_markdown: bool) -> ImportPlan:
    """Split ``text`` into clause files under ``clauses/<template_id>/`` and a template."""
    parts = _join_strays(segments(text))
    if not parts:
        raise ValueError("the document has no text to import")
    title_index = 0
    if is_markdown:
        title_index = next((i for i, p in enumerate(parts) if p.kind == "heading" and p.level == 1), 0)
    title_seg = parts.pop(title_index)
    title = " ".join(title_seg.text.split())
    taken = set(taken_ids)
    files: dict[str, str] = {}
    clause_ids: list[str] = []
    preamble: list[str | dict[str, object]] = []   # template items: clause ids, headings, lists
    body: list[str | dict[str, object]] = []
    closing: list[str | dict[str, object]] = []
    seen_item = False
    current_list: list[str] | None = None
    last_number = 0
    for seg in parts:
        if seg.kind == "heading":
            (body if seen_item else preamble).append({"heading": " ".join(seg.text.split()),
                                                      "level": max(seg.level, 2)})
            current_list = None
            continue
        text_body = "\n\n".join([seg.text] + seg.extra)
        clause_id = slug(seg.text, taken)
        clause_ids.append(clause_id)
        files[f"clauses/{template_id}/{clause_id}.md"] = _clause_file(clause_id, text_body, template_id)
        if seg.kind == "item":
            if closing:   # a list after closing paragraphs: those were body paragraphs after all
                body.extend(closing)
                closing = []
            if current_list is None or seg.number != last_number + 1:
                current_list = []
                entry: dict[str, object] = {"numbered": current_list}
                if seg.number != 1:
                    entry["start"] = seg.number
                body.append(entry)
            current_list.append(clause_id)
            last_number = seg.number
            seen_item = True
        else:
            current_list = None
            (closing if seen_item else preamble).append(clause_id)
    template: dict[str, object] = {"id": template_id, "title": title}
    if preamble:
        template["preamble"] = preamble
    template["body"] = body or []
    if closing:
        template["closing"] = closing
    if not body:
        template["body"] = template.pop("preamble", [])
    template_path = f"templates/{template_id}.yaml"
    ordered = {template_path: yamlfile.dump(template)}
    ordered.update(files)
    return ImportPlan(template_id, template_path, ordered, clause_ids)
