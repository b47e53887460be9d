"""What a redline says in numbers and lists: the summary and the change list for scripts.

Pure walks over a marked document (the output of :func:`assembler.redline.compare`); no
diffing happens here.
"""

from __future__ import annotations

import re

from . import model as m

_WORDS = re.compile(r"\w+(?:['’]\w+)*")


def _words(nodes) -> int:
    """Words a reader would count (punctuation alone is not a word)."""
    return len(_WORDS.findall(m.plain_text(nodes)))


def _marked_words(nodes) -> tuple[int, int]:
    inserted = deleted = 0
    for node in nodes:
        if isinstance(node, m.Ins):
            inserted += _words(node.content)
        elif isinstance(node, m.Del):
            deleted += _words(node.content)
        elif isinstance(node, (m.Emph, m.Strong, m.Link)):
            i, d = _marked_words(node.content)
            inserted, deleted = inserted + i, deleted + d
    return inserted, deleted


def _block_words(block) -> int:
    return sum(_words((node,)) for node in m.iter_inlines((block,))
               if not isinstance(node, m.CONTAINERS))


def summarize(doc: m.Document) -> dict:
    """Counts of words and clauses changed, and the list of changed clauses with numbers."""
    counts = {"words_inserted": 0, "words_deleted": 0, "clauses_added": 0, "clauses_removed": 0,
              "clauses_moved": 0, "clauses_modified": 0}
    changed: list[dict] = []
    i, d = _marked_words(doc.title)
    counts["words_inserted"] += i
    counts["words_deleted"] += d
    title_changed = bool(i or d)

    def own_marks(blocks) -> tuple[int, int]:
        ins = dels = 0
        for block in blocks:
            if isinstance(block, m.ClauseList):
                continue
            change = getattr(block, "change", None)
            if change == m.INSERTED:
                ins += _block_words(block)
            elif change == m.DELETED:
                dels += _block_words(block)
            elif isinstance(block, (m.Paragraph, m.Heading)):
                a, b = _marked_words(block.content)
                ins, dels = ins + a, dels + b
            elif isinstance(block, (m.BulletList, m.OrderedList)):
                for item in block.items:
                    a, b = own_marks(item)
                    ins, dels = ins + a, dels + b
        return ins, dels

    def walk(blocks):
        for block in blocks:
            if isinstance(block, m.ClauseList):
                walk(block.items)
            elif isinstance(block, m.Clause):
                own = tuple(b for b in block.blocks if not isinstance(b, m.ClauseList))
                entry = {"clause": block.id, "title": block.title, "number": block.number,
                         "old_number": block.old_number}
                if block.change == m.INSERTED:
                    counts["clauses_added"] += 1
                    counts["words_inserted"] += sum(_block_words(b) for b in own)
                    changed.append({**entry, "change": "added", "old_number": None})
                elif block.change == m.DELETED:
                    counts["clauses_removed"] += 1
                    counts["words_deleted"] += sum(_block_words(b) for b in own)
                    changed.append({**entry, "change": "removed", "number": None})
                elif block.change == m.MOVED_AWAY:
                    pass
                else:
                    ins, dels = own_marks(own)
                    counts["words_inserted"] += ins
                    counts["words_deleted"] += dels
                    if block.change == m.MOVED:
                        counts["clauses_moved"] += 1
                        changed.append({**entry, "change": f"moved from {block.old_number}"
                                        + (" and modified" if ins or dels else "")})
                    elif ins or dels:
                        counts["clauses_modified"] += 1
                        changed.append({**entry, "change": "modified"})
                walk(tuple(b for b in block.blocks if isinstance(b, m.ClauseList)))
            else:
                change = getattr(block, "change", None)
                if change == m.INSERTED:
                    counts["words_inserted"] += _block_words(block)
                elif change == m.DELETED:
                    counts["words_deleted"] += _block_words(block)
                elif isinstance(block, (m.Paragraph, m.Heading)):
                    a, b = _marked_words(block.content)
                    counts["words_inserted"] += a
                    counts["words_deleted"] += b

    walk(doc.blocks)
    return {**counts, "title_changed": title_changed, "changed_clauses": changed,
            "changes": sum(counts.values()) > 0 or title_changed}


# ---------------------------------------------------------------- the change list for scripts

def change_list(result) -> list[dict]:
    """Every change region: where (clause id and numbers, or the title), what kind, and the
    old and new text of the region."""
    out: list[dict] = []

    def regions(nodes, where: dict) -> None:
        for node in nodes:
            if isinstance(node, m.Ins):
                out.append({**where, "kind": "insert", "text": m.plain_text(node.content)})
            elif isinstance(node, m.Del):
                out.append({**where, "kind": "delete", "text": m.plain_text(node.content)})
            elif isinstance(node, (m.Emph, m.Strong, m.Link)):
                regions(node.content, where)

    regions(result.document.title, {"clause": None, "number": None, "old_number": None,
                                    "part": "title"})

    def walk(blocks, clause=None):
        for block in blocks:
            if isinstance(block, m.ClauseList):
                walk(block.items, clause)
            elif isinstance(block, m.Clause):
                where = {"clause": block.id, "number": block.number, "old_number": block.old_number,
                         "part": "clause"}
                if block.change in (m.INSERTED, m.DELETED):
                    text = " ".join(m.plain_text(b.content) for b in block.blocks
                                    if isinstance(b, (m.Paragraph, m.Heading)))
                    out.append({**where, "kind": "clause " + ("added" if block.change == m.INSERTED
                                                             else "removed"), "text": text})
                    walk([b for b in block.blocks if isinstance(b, m.ClauseList)], block)
                    continue
                if block.change == m.MOVED:
                    out.append({**where, "kind": "clause moved", "text": ""})
                if block.change != m.MOVED_AWAY:
                    walk(block.blocks, block)
            elif isinstance(block, (m.Paragraph, m.Heading)):
                where = ({"clause": clause.id, "number": clause.number, "old_number": clause.old_number,
                          "part": "clause"} if clause else
                         {"clause": None, "number": None, "old_number": None, "part": "text"})
                if block.change in (m.INSERTED, m.DELETED):
                    out.append({**where, "kind": "insert" if block.change == m.INSERTED else "delete",
                                "text": m.plain_text(block.content)})
                else:
                    regions(block.content, where)
            elif isinstance(block, (m.BulletList, m.OrderedList)):
                for item in block.items:
                    walk(item, clause)

    walk(result.document.blocks)
    return out
