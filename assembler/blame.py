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

from . import history
from . import manifest as mf
from . import model as m
from .codec import document_from_data
from .paragraphs import base_paragraphs
from .store import GitStore

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


def units(doc: m.Document, paragraphs: bool = False) -> list[tuple[str | None, str | None, str]]:
    """(clause id, number, text) for every sentence or paragraph of ``doc``, in order."""
    out = []
    for para in base_paragraphs(doc):
        for part in ([para.text] if paragraphs else sentences(para.text)):
            if part:
                out.append((para.clause, para.number, part))
    return out


def _keys(found: list[tuple[str | None, str | None, str]]) -> list[tuple]:
    """Identity of each unit: clause, text, and which repeat of that text in the clause."""
    seen: dict[tuple, int] = {}
    keys = []
    for clause, _number, text in found:
        base = (clause, text)
        seen[base] = seen.get(base, 0) + 1
        keys.append((clause, text, seen[base]))
    return keys


def blame(store: GitStore, document: str, label: str | None, paragraphs: bool = False,
          rounds: list | None = None) -> tuple[history.Version, list[BlameLine]]:
    """The blame of ``document`` at version ``label`` (None: the latest)."""
    versions = history.read_versions(store, document)
    target = history.find_version(history.read_versions(store), document, label)
    chain = [v for v in versions if v.number <= target.number]
    raw = store.read_many([(v.commit, history.output_path(document, f"{document}.json"))
                           for v in chain])
    since: dict[tuple, history.Version] = {}
    last_units: list = []
    for version, data in zip(chain, raw):
        if data is None:
            continue
        found = units(document_from_data(json.loads(data)), paragraphs)
        keys = _keys(found)
        since = {key: since.get(key, version) for key in keys}
        last_units = list(zip(keys, found))
    by_round = {r.id: r for r in (rounds or []) if r.document == document}
    lines = []
    for key, (clause, number, text) in last_units:
        origin = since[key]
        items: tuple[str, ...] = ()
        if origin.round and origin.round in by_round and clause:
            r = by_round[origin.round]
            items = tuple(i.id for i in r.items() if i.clause == clause and
                          r.dispositions.get(i.id, {}).get("decision") in ("accepted", "partly"))
        lines.append(BlameLine(clause, number, text, origin.number, origin.commit, origin.author,
                               mf.iso_time(origin.time), origin.round, items))
    return target, lines
