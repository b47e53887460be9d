"""A document's paragraphs as a reader sees them: plain text, in reading order, each with
the clause (id and number) it belongs to. Feedback is mapped back to clauses through these,
and blame compares versions with them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assembler.model import nodes as m

_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class BaseParagraph:
    text: str                # normalized text, as a Section's file shows it
    clause: str | None
    number: str | None
    label: str               # "3", "preamble-1", "the title", "heading 'Closing'"


def normalize(text: str) -> str:
    """Whitespace runs (line breaks, no-break spaces) as one space; soft hyphens dropped."""
    return _SPACE.sub(" ", text.replace("\u00ad", "")).strip()


def base_paragraphs(doc: m.Document) -> list[BaseParagraph]:
    """Every paragraph of ``doc`` in reading order, with the clause it belongs to."""
    out = [BaseParagraph(normalize(m.plain_text(doc.title)), None, None, "the title")]

    def walk(blocks: tuple[m.Block, ...], clause: m.Clause | None) -> None:
        for block in blocks:
            if isinstance(block, m.Paragraph):
                out.append(_para(block.content, clause))
            elif isinstance(block, m.Heading):
                text = normalize(m.plain_text(block.content))
                out.append(_para(block.content, clause) if clause else
                           BaseParagraph(text, None, None, f"the heading '{text[:40]}'"))
            elif isinstance(block, (m.BulletList, m.OrderedList)):
                for item in block.items:
                    walk(item, clause)
            elif isinstance(block, m.Clause):
                walk(block.blocks, block)
            elif isinstance(block, m.ClauseList):
                walk(block.items, clause)

    walk(doc.blocks, None)
    return out


def _para(content: tuple[m.Inline, ...], clause: m.Clause | None) -> BaseParagraph:
    text = normalize(m.plain_text(content))
    if clause is None:
        return BaseParagraph(text, None, None, f"the text '{text[:40]}'")
    return BaseParagraph(text, clause.id, clause.number, clause.number or clause.id)


def clause_texts(doc: m.Document) -> dict[str, str]:
    """clause id -> its own paragraphs' text (sub-clauses excluded), blank-line separated."""
    texts: dict[str, list[str]] = {}
    for para in base_paragraphs(doc):
        if para.clause:
            texts.setdefault(para.clause, []).append(para.text)
    return {k: "\n\n".join(v) for k, v in texts.items()}
