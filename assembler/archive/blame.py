"""Blame: for every sentence (or paragraph) of a version, the version that introduced it in
its current wording, with the clause, commit, author, date, and the round and feedback
items that led to it.

A sentence is attributed to the first version of the unbroken run of versions, ending at
the one asked about, in which the same clause held the same sentence: a sentence changed
and later reverted is attributed to the version that reverted it, as ``git blame`` does.
The versions' own document models (``<doc>.json``, read in one batch) are compared, so
what is blamed is exactly the text a reader saw.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass

from assembler.history import manifest as mf, reading as history
from assembler.model.paragraphs import normalize
from assembler.repo.store import GitStore

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)]*\s+(?=\S)")


@dataclass(frozen=True)
class BlameLine:
    clause: str | None        # None: the title or text outside any clause
    number: str | None        # the clause's number in the version blamed
    text: str
    version: int
    commit: str
    author: str
    date: str
    round: str | None = None
    items: tuple[str, ...] = ()   # feedback items of that round that led to the change

    def data(self) -> dict:
        return {**asdict(self), "items": list(self.items)}


def sentences(text: str) -> list[str]:
    """``text`` cut after ., ! or ? followed by space (abbreviations may cut early: the cut
    is the same in every version, so blame stays consistent)."""
    out, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        out.append(text[start:match.end()].strip())
        start = match.end()
    rest = text[start:].strip()
    if rest:
        out.append(rest)
    return out


_INLINE_WRAPPERS = ("emph", "strong", "link", "ins", "del")


def _light(node: dict):
    """``json.loads`` object hook: a document's JSON read straight into the little blame
    needs (plain text per paragraph, clause id and number), without building the model:
    reading a thousand versions this way is several times faster."""
    kind = node.get("type")
    if kind is None:                      # an origin, the document's variables or meta
        return node
    if kind == "text" or kind == "code":
        return node["text"]
    if kind in _INLINE_WRAPPERS:
        return "".join(part for part in node["content"] if isinstance(part, str))
    if kind == "linebreak":
        return "\n"
    if kind == "var":
        return "{{ %s }}" % node["name"]
    if kind == "ref":
        return node["label"] if node.get("label") is not None else "{{ ref:%s }}" % node["target"]
    if kind in ("paragraph", "heading"):
        return ("P", "".join(part for part in node["content"] if isinstance(part, str)))
    if kind in ("bullet_list", "ordered_list"):
        return ("L", node["items"])
    if kind == "clause":
        return ("C", node["id"], node.get("number"), node["blocks"])
    if kind == "clause_list":
        return ("L", [node["items"]])
    return node


def units(raw: bytes, paragraphs: bool = False,
          cache: dict | None = None) -> list[tuple[str | None, str | None, str]]:
    """(clause id, number, text) for every sentence or paragraph of a version's JSON model,
    in reading order (the same paragraphs as :func:`paragraphs.base_paragraphs`)."""
    cache = {} if cache is None else cache
    data = json.loads(raw, object_hook=_light)
    out: list[tuple[str | None, str | None, str]] = []

    def emit(clause, number, text: str) -> None:
        parts = cache.get(text)
        if parts is None:
            flat = normalize(text)
            parts = cache[text] = [flat] if paragraphs else sentences(flat)
        out.extend((clause, number, part) for part in parts if part)

    def walk(blocks, clause) -> None:
        for block in blocks:
            if not isinstance(block, tuple):
                continue
            if block[0] == "P":
                emit(clause[1] if clause else None, clause[2] if clause else None, block[1])
            elif block[0] == "L":
                for item in block[1]:
                    walk(item, clause)
            elif block[0] == "C":
                walk(block[3], block)

    emit(None, None, "".join(part for part in data["title"] if isinstance(part, str)))
    walk(data["blocks"], None)
    return out


def _keys(texts: list[str]) -> list[tuple[str, int]]:
    """Identity of each unit within its clause: its text, and which repeat of that text."""
    seen: dict[str, int] = {}
    keys = []
    for text in texts:
        seen[text] = seen.get(text, 0) + 1
        keys.append((text, seen[text]))
    return keys


def blame(store: GitStore, document: str, label: str | None, paragraphs: bool = False,
          rounds: list | None = None) -> tuple[history.Version, list[BlameLine]]:
    """The blame of ``document`` at version ``label`` (None: the latest)."""
    versions = history.read_versions(store, document)
    target = history.find_version(history.read_versions(store), document, label)
    chain = [v for v in versions if v.number <= target.number]
    raw = store.iter_many([(v.commit, history.output_file(document, ".json"))
                           for v in chain])
    # clause -> (its units' texts, {unit key: version since which it reads so}); a clause
    # whose texts did not change keeps its entry untouched, which keeps long histories fast
    since: dict[str | None, tuple[tuple[str, ...], dict]] = {}
    found: list = []
    cache: dict[str, list[str]] = {}
    for version, data in zip(chain, raw):
        if data is None:
            continue
        found = units(data, paragraphs, cache)
        groups: dict[str | None, list[str]] = {}
        for clause, _number, text in found:
            groups.setdefault(clause, []).append(text)
        current = {}
        for clause, texts in groups.items():
            signature = tuple(texts)
            old = since.get(clause)
            if old is not None and old[0] == signature:
                current[clause] = old
                continue
            before = old[1] if old else {}
            current[clause] = (signature, {key: before.get(key, version) for key in _keys(texts)})
        since = current
    last_units = []
    for clause in dict.fromkeys(c for c, _n, _t in found):
        keys = iter(_keys([t for c, _n, t in found if c == clause]))
        last_units += [((clause,) + next(keys), unit) for unit in found if unit[0] == clause]
    order = {id(unit): i for i, unit in enumerate(found)}
    last_units.sort(key=lambda pair: order[id(pair[1])])
    by_round = {r.id: r for r in (rounds or []) if r.document == document}
    lines = []
    for key, (clause, number, text) in last_units:
        origin = since[clause][1][key[1:]]
        items: tuple[str, ...] = ()
        if origin.round and origin.round in by_round and clause:
            r = by_round[origin.round]
            items = tuple(i.id for i in r.items() if i.clause == clause and
                          r.dispositions.get(i.id, {}).get("decision") in ("accepted", "partly"))
        lines.append(BlameLine(clause, number, text, origin.number, origin.commit, origin.author,
                               mf.iso_time(origin.time), origin.round, items))
    return target, lines
