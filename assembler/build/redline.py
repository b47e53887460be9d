"""Comparing two documents: compare, accept, reject.

Blocks are aligned by clause identity, not position: a clause that moved is shown once, at
its new place, marked with its old number (and a placeholder stands where it was, so that
rejecting restores it); renumbering alone is no change; an added or removed clause is one
insertion or deletion. Inside an aligned pair the text is diffed unit by unit
(:mod:`assembler.worddiff`).

What a reader cannot see is no change: a longer or shorter run of spaces, a different
Markdown spelling of the same emphasis or bullet. What a reader can see always is one: a
link whose words stay but whose target changed is marked on the link (``old_target``), a
heading whose level changed carries ``old_level``, a list that changed kind or start
carries ``old_kind``/``old_start``, and a paragraph split in two or two joined into one
carries the inserted or deleted break (``break_change``), as Word tracks a paragraph mark.

``accept(compare(a, b))`` equals ``b`` and ``reject(compare(a, b))`` equals ``a``, both
normalised (neighbouring runs of the same formatting joined, space runs as one space).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import TYPE_CHECKING, Any, TypeVar, Union, cast

from assembler.build.changes import summarize
from assembler.build.transforms import number_clauses, resolve_references
from assembler.build.worddiff import diff_inlines, normalize, paragraph_run
from assembler.build.wordunits import UNIT
from assembler.errors import InvalidInput, Problem
from assembler.model import nodes as m

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Sequence
    from typing import TypedDict

    class _ListMarks(TypedDict, total=False):
        old_kind: str
        old_start: int

T = TypeVar("T")   # what a replaced region holds: blocks, or list items
ListItem = tuple[m.Block, ...]
# Blocks that carry a ``change`` mark (a clause list's clauses carry their own).
MarkedBlock = Union[m.Paragraph, m.Heading, m.BulletList, m.OrderedList, m.Clause, m.Table]

MAX_WORDS = 2_000_000           # per document; documented in README.md


# ---------------------------------------------------------------- blocks

@dataclass
class _Context:
    old_by_id: dict[str, m.Clause]
    new_ids: set[str]


def _mark(block: MarkedBlock, change: str) -> m.Block:
    return dataclasses.replace(block, change=change)


def _key(block: m.Block) -> tuple[object, ...]:
    """What must match for two blocks to be aligned as the same block."""
    if isinstance(block, m.Clause):
        return ("clause", block.id)
    if isinstance(block, m.ClauseList):
        return ("clauses",)
    if isinstance(block, (m.BulletList, m.OrderedList)):
        return ("list",)  # a list that changed kind is the same list, restyled
    if isinstance(block, m.Table):
        return ("table", block.caption)  # an edited table is the same table, compared cell by cell
    return (type(block).__name__, " ".join(m.plain_text(block.content).split()))


def _same_shape(old: Sequence[m.Block], new: Sequence[m.Block]) -> bool:
    """Whether the two sequences pair up by position with nothing to align: the same
    length, at most one paragraph and otherwise clause lists, in the same places."""
    if len(old) != len(new):
        return False
    paragraphs = 0
    for a, b in zip(old, new):
        if type(a) is not type(b) or not isinstance(a, (m.Paragraph, m.ClauseList)):
            return False
        paragraphs += isinstance(a, m.Paragraph)
    return paragraphs <= 1


def _compare_blocks(old: Sequence[m.Block], new: Sequence[m.Block], ctx: _Context) -> list[m.Block]:
    """Merge two block sequences: clauses by id, other blocks by kind and text."""
    if _same_shape(old, new):  # the common clause: one paragraph (and its sub-clauses) each side
        return [_compare_pair(o, n, ctx) for o, n in zip(old, new)]
    out: list[m.Block] = []
    matcher = SequenceMatcher(None, [_key(b) for b in old], [_key(b) for b in new], autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        olds, news = list(old[i1:i2]), list(new[j1:j2])
        if op == "equal":
            out.extend(_compare_pair(o, n, ctx) for o, n in zip(olds, news))
        elif len(olds) == len(news) == 1 and isinstance(olds[0], m.Paragraph) and isinstance(news[0], m.Paragraph):
            out.append(_compare_pair(olds[0], news[0], ctx))  # one edited paragraph, the common case
        elif olds and news and all(isinstance(b, m.Paragraph) for b in olds + news):
            out.extend(paragraph_run(cast("list[m.Paragraph]", olds), cast("list[m.Paragraph]", news)))
        else:
            out.extend(_merge_region(olds, news, ctx, _compare_pair, _gone, _arrived, _similarity))
    return out


def _merge_region(olds: list[T], news: list[T], ctx: _Context, pair: Callable[[T, T, _Context], T],
                  gone: Callable[[T, _Context], T], arrived: Callable[[T, _Context], T],
                  similarity: Callable[[T, T], float]) -> list[T]:
    """A replaced region: similar old and new elements paired as edits, the rest gone or
    arrived, in document order."""
    out: list[T] = []
    last_old = last_new = 0
    for i, j in _similar_pairs(olds, news, similarity):
        out.extend(gone(x, ctx) for x in olds[last_old:i])
        out.extend(arrived(x, ctx) for x in news[last_new:j])
        out.append(pair(olds[i], news[j], ctx))
        last_old, last_new = i + 1, j + 1
    out.extend(gone(x, ctx) for x in olds[last_old:])
    out.extend(arrived(x, ctx) for x in news[last_new:])
    return out


MAX_PAIRING = 40_000  # pairs scored in one replaced region; past it, no pairing


def _text_similarity(x: str, y: str) -> float:
    """How alike two texts are, by their words: 0 (unrelated) to 1."""
    a = [w for w in UNIT.findall(x) if not w.isspace()]
    b = [w for w in UNIT.findall(y) if not w.isspace()]
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < 0.5:
        return 0.0
    # a paragraph that kept most of its old words was edited, even if it grew a lot
    kept = sum(block.size for block in matcher.get_matching_blocks())
    return max(matcher.ratio(), kept / max(1, min(len(a), len(b))) * 0.75)


def _similarity(a: m.Block, b: m.Block) -> float:
    if isinstance(a, (m.BulletList, m.OrderedList)) and isinstance(b, (m.BulletList, m.OrderedList)):
        return 0.6  # two lists: compare item by item
    if isinstance(a, m.Table) and isinstance(b, m.Table):
        return 0.6  # two tables: compare cell by cell
    if (type(a) is not type(b) or not isinstance(a, (m.Paragraph, m.Heading))
            or not isinstance(b, (m.Paragraph, m.Heading))):  # clauses, clause lists, tables
        return 0.0
    return _text_similarity(m.plain_text(a.content), m.plain_text(b.content))


def _similar_pairs(olds: list[T], news: list[T],
                   similarity: Callable[[T, T], float]) -> list[tuple[int, int]]:
    """Pairs (i, j), increasing in both, of similar elements: the best-scoring alignment."""
    if not olds or not news or len(olds) * len(news) > MAX_PAIRING:
        return []
    if len(olds) == len(news) == 1 and similarity(olds[0], news[0]) > 0:
        return [(0, 0)]  # one replaced by one of its kind that shares words: an edit
    n, k = len(olds), len(news)
    sim = [[similarity(olds[i], news[j]) for j in range(k)] for i in range(n)]
    score = [[0.0] * (k + 1) for _ in range(n + 1)]
    for i in reversed(range(n)):
        for j in reversed(range(k)):
            best = max(score[i + 1][j], score[i][j + 1])
            if sim[i][j] >= 0.5:
                best = max(best, sim[i][j] + score[i + 1][j + 1])
            score[i][j] = best
    pairs: list[tuple[int, int]] = []
    i, j = 0, 0
    while i < n and j < k:
        if sim[i][j] >= 0.5 and score[i][j] == sim[i][j] + score[i + 1][j + 1]:
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif score[i][j] == score[i + 1][j]:
            i += 1
        else:
            j += 1
    return pairs


def _gone(block: m.Block, ctx: _Context) -> m.Block:
    if isinstance(block, m.Clause):
        return _gone_clause(block, ctx)
    if isinstance(block, m.ClauseList):
        return dataclasses.replace(block, items=tuple(_gone_clause(c, ctx) for c in block.items),
                                   old_start=block.start)
    return _mark(block, m.DELETED)


def _gone_clause(block: m.Clause, ctx: _Context) -> m.Clause:
    change = m.MOVED_AWAY if block.id in ctx.new_ids else m.DELETED
    return dataclasses.replace(block, change=change, old_number=block.number, number=None)


def _arrived(block: m.Block, ctx: _Context) -> m.Block:
    if isinstance(block, m.Clause):
        return _arrived_clause(block, ctx)
    if isinstance(block, m.ClauseList):
        return dataclasses.replace(block, items=tuple(_arrived_clause(c, ctx) for c in block.items),
                                   old_start=block.start)
    return _mark(block, m.INSERTED)


def _arrived_clause(block: m.Clause, ctx: _Context) -> m.Clause:
    before = ctx.old_by_id.get(block.id)
    if before is not None:
        merged = _compare_clauses(before, block, ctx)
        return dataclasses.replace(merged, change=m.MOVED)
    return dataclasses.replace(block, change=m.INSERTED)


# List items are tuples of blocks: aligned by their text, edited items compared block by block.

def _item_text(item: ListItem) -> str:
    return " ".join(m.plain_text(node.content) for node in _item_blocks(item))


def _item_blocks(blocks: Iterable[m.Block]) -> Iterator[m.Paragraph | m.Heading]:
    for block in blocks:
        if isinstance(block, (m.Paragraph, m.Heading)):
            yield block
        elif isinstance(block, (m.BulletList, m.OrderedList)):
            for item in block.items:
                yield from _item_blocks(item)


def _compare_items(old_items: tuple[ListItem, ...], new_items: tuple[ListItem, ...],
                   ctx: _Context) -> tuple[ListItem, ...]:
    old_keys = [" ".join(_item_text(i).split()) for i in old_items]
    new_keys = [" ".join(_item_text(i).split()) for i in new_items]
    out: list[ListItem] = []
    matcher = SequenceMatcher(None, old_keys, new_keys, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        olds, news = list(old_items[i1:i2]), list(new_items[j1:j2])
        if op == "equal":
            out.extend(_compare_item(o, n, ctx) for o, n in zip(olds, news))
        else:
            out.extend(_merge_region(
                olds, news, ctx, _compare_item,
                lambda item, c: tuple(_gone(b, c) for b in item),
                lambda item, c: tuple(_arrived(b, c) for b in item),
                lambda a, b: _text_similarity(_item_text(a), _item_text(b))))
    return tuple(out)


def _compare_item(old: ListItem, new: ListItem, ctx: _Context) -> ListItem:
    return tuple(_compare_blocks(old, new, ctx))


def _compare_pair(old: m.Block, new: m.Block, ctx: _Context) -> m.Block:
    """An aligned pair: ``old`` is of the same kind as ``new`` (a list may have changed kind)."""
    if isinstance(new, m.Clause) and isinstance(old, m.Clause):
        return _compare_clauses(old, new, ctx)
    if isinstance(new, m.ClauseList) and isinstance(old, m.ClauseList):
        items = cast("list[m.Clause]", _compare_blocks(old.items, new.items, ctx))  # clauses give clauses
        return dataclasses.replace(new, items=tuple(items), old_start=old.start)
    if isinstance(new, m.Heading) and isinstance(old, m.Heading):
        return dataclasses.replace(new, content=diff_inlines(old.content, new.content),
                                   old_level=old.level if old.level != new.level else None)
    if isinstance(new, m.Paragraph) and isinstance(old, m.Paragraph):
        return dataclasses.replace(new, content=diff_inlines(old.content, new.content))
    if isinstance(new, (m.BulletList, m.OrderedList)) and isinstance(old, (m.BulletList, m.OrderedList)):
        marks: _ListMarks = {}  # only what differs
        if type(old) is not type(new):
            marks["old_kind"] = "bullet" if isinstance(old, m.BulletList) else "ordered"
        if isinstance(old, m.OrderedList) and (marks or isinstance(new, m.OrderedList)
                                               and old.start != new.start):
            marks["old_start"] = old.start
        return dataclasses.replace(new, items=_compare_items(old.items, new.items, ctx), **marks)
    if isinstance(new, m.Table) and isinstance(old, m.Table):
        return _compare_tables(old, new)
    return new


def _cell_inlines(cell: m.Cell) -> tuple[m.Inline, ...]:
    return (m.Text(cell),) if isinstance(cell, str) else cell


def _compare_cells(old: tuple[m.Cell, ...], new: tuple[m.Cell, ...]) -> tuple[m.Cell, ...]:
    """A row's cells word-diffed in place (a column added or removed: its cells inserted or
    deleted whole)."""
    width = max(len(old), len(new))
    out: list[m.Cell] = []
    for index in range(width):
        before = old[index] if index < len(old) else ""
        after = new[index] if index < len(new) else ""
        if before == after:
            out.append(after)
        else:
            out.append(diff_inlines(_cell_inlines(before), _cell_inlines(after)))
    return tuple(out)


def _whole_row(row: tuple[m.Cell, ...], mark: type[m.Ins] | type[m.Del]) -> tuple[m.Cell, ...]:
    return tuple((mark(_cell_inlines(cell)),) if m.cell_text(cell).strip() else cell for cell in row)


def _compare_tables(old: m.Table, new: m.Table) -> m.Table:
    """Two versions of a table, cell by cell: the header's cells diffed in place, rows
    aligned by their text (an edited row is paired with the row it replaced, in order),
    rows only one side has marked inserted or deleted."""
    def key(row: tuple[m.Cell, ...]) -> tuple[str, ...]:
        return tuple(" ".join(m.cell_text(c).split()) for c in row)

    rows: list[tuple[m.Cell, ...]] = []
    changes: list[str | None] = []
    matcher = SequenceMatcher(None, [key(r) for r in old.rows], [key(r) for r in new.rows], autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        olds, news = old.rows[i1:i2], new.rows[j1:j2]
        paired = min(len(olds), len(news)) if op in ("equal", "replace") else 0
        for o, n in zip(olds[:paired], news[:paired]):
            rows.append(_compare_cells(o, n))
            changes.append(None)
        for o in olds[paired:]:
            rows.append(_whole_row(o, m.Del))
            changes.append(m.DELETED)
        for n in news[paired:]:
            rows.append(_whole_row(n, m.Ins))
            changes.append(m.INSERTED)
    marks = tuple(changes) if any(changes) else ()
    resized = len(old.header) != len(new.header)
    return dataclasses.replace(new, header=_compare_cells(old.header, new.header), rows=tuple(rows),
                               row_changes=marks, old_columns=len(old.header) if resized else None,
                               new_columns=len(new.header) if resized else None)


def _compare_clauses(old: m.Clause, new: m.Clause, ctx: _Context) -> m.Clause:
    return dataclasses.replace(new, blocks=tuple(_compare_blocks(old.blocks, new.blocks, ctx)),
                               old_number=old.number)


# ---------------------------------------------------------------- the public engine

@dataclass(frozen=True)
class Redline:
    """The merged document (new structure, old text kept in marks) and both sides' headers."""

    document: m.Document
    old: m.Document
    new: m.Document
    summary: dict[str, Any] = field(default_factory=dict)


def _size(doc: m.Document) -> int:
    """About how many words ``doc`` holds (cheap: no tokenising)."""
    return sum(node.text.count(" ") + 1 for node in m.iter_inlines(doc.blocks)
               if isinstance(node, m.Text))


def compare(old: m.Document, new: m.Document) -> Redline:
    """The redline from ``old`` to ``new``."""
    for side, doc in (("old", old), ("new", new)):
        words = _size(doc)
        if words > MAX_WORDS:
            raise InvalidInput(Problem(doc.id, f"the {side} document has about {words:,} words, "
                                       f"over the comparison limit of {MAX_WORDS:,}; compare "
                                       "smaller documents"))
    ctx = _Context({c.id: c for c in m.iter_clauses(old.blocks)},
                   {c.id for c in m.iter_clauses(new.blocks)})
    blocks = tuple(_compare_blocks(old.blocks, new.blocks, ctx))
    merged = dataclasses.replace(new, title=diff_inlines(old.title, new.title), blocks=blocks)
    headers = (dataclasses.replace(old, blocks=()), dataclasses.replace(new, blocks=()))
    return Redline(merged, headers[0], headers[1], summarize(merged))


def _resolve(doc: m.Document, keep_new: bool) -> m.Document:
    drop = {m.DELETED, m.MOVED_AWAY} if keep_new else {m.INSERTED, m.MOVED}
    join = m.DELETED if keep_new else m.INSERTED  # the breaks that this side does not have

    def inlines(nodes: tuple[m.Inline, ...]) -> tuple[m.Inline, ...]:
        out: list[m.Inline] = []
        for node in nodes:
            if isinstance(node, m.Ins):
                if keep_new:
                    out.extend(inlines(node.content))
            elif isinstance(node, m.Del):
                if not keep_new:
                    out.extend(inlines(node.content))
            elif isinstance(node, m.Link):
                target = node.target if keep_new or node.old_target is None else node.old_target
                out.append(m.Link(inlines(node.content), target))
            elif isinstance(node, (m.Emph, m.Strong)):
                out.append(dataclasses.replace(node, content=inlines(node.content)))
            else:
                out.append(node)
        return tuple(out)

    def as_list(node: m.BulletList | m.OrderedList) -> m.BulletList | m.OrderedList:
        """A list in the kind and start this side had."""
        if keep_new or node.old_kind is None and node.old_start is None:
            return node
        if node.old_kind == "bullet":
            return m.BulletList(node.items, node.origin, node.change)
        return m.OrderedList(node.items, node.old_start or 1, node.origin, node.change)

    def block(node: m.Block) -> m.Block:
        if isinstance(node, m.Paragraph):
            return dataclasses.replace(node, content=normalize(inlines(node.content)), change=None,
                                       break_change=None)
        if isinstance(node, m.Heading):
            level = node.level if keep_new or node.old_level is None else node.old_level
            return dataclasses.replace(node, content=normalize(inlines(node.content)), change=None,
                                       level=level, old_level=None)
        if isinstance(node, (m.BulletList, m.OrderedList)):
            node = as_list(node)
            items = tuple(blocks(item) for item in node.items)
            return dataclasses.replace(node, items=tuple(i for i in items if i), change=None,
                                       old_kind=None, old_start=None)
        if isinstance(node, m.Clause):
            return dataclasses.replace(node, blocks=blocks(node.blocks), change=None, old_number=None,
                                       number=node.number if keep_new else node.old_number)
        if isinstance(node, m.ClauseList):
            start = node.start if keep_new or node.old_start is None else node.old_start
            clauses = cast("tuple[m.Clause, ...]", blocks(node.items))  # clauses give clauses
            return dataclasses.replace(node, items=clauses, start=start, old_start=None)
        if isinstance(node, m.Table):
            return table(node)
        return dataclasses.replace(node, change=None)

    def cell(value: m.Cell) -> m.Cell:
        return value if isinstance(value, str) else normalize(inlines(value))

    def table(node: m.Table) -> m.Table:
        """The table as this side had it: its rows and its number of columns."""
        width = node.new_columns if keep_new else node.old_columns
        if width is None:
            width = len(node.header)

        def cells(row: tuple[m.Cell, ...]) -> tuple[m.Cell, ...]:
            return tuple(cell(c) for c in row[:width])

        marks = node.row_changes or (None,) * len(node.rows)
        rows = tuple(cells(row) for row, mark in zip(node.rows, marks) if mark not in drop)
        return dataclasses.replace(node, header=cells(node.header), rows=rows, change=None,
                                   row_changes=(), old_columns=None, new_columns=None)

    def blocks(nodes: tuple[m.Block, ...]) -> tuple[m.Block, ...]:
        out: list[m.Block] = []
        joining = False
        for node in nodes:
            if getattr(node, "change", None) in drop:
                continue
            resolved = block(node)
            if joining and isinstance(resolved, m.Paragraph) and out and isinstance(out[-1], m.Paragraph):
                out[-1] = dataclasses.replace(out[-1], content=normalize(out[-1].content + resolved.content))
            else:
                out.append(resolved)
            joining = isinstance(node, m.Paragraph) and node.break_change == join
        return tuple(b for b in out if not (isinstance(b, m.ClauseList) and not b.items))

    side = dataclasses.replace(doc, title=normalize(inlines(doc.title)), blocks=blocks(doc.blocks))
    side = number_clauses(side)
    return resolve_references(side)[0]


def accept(redline: Redline) -> m.Document:
    """The new document: every change accepted."""
    doc = _resolve(redline.document, keep_new=True)
    return dataclasses.replace(doc, id=redline.new.id, variables=redline.new.variables,
                               meta=redline.new.meta, origin=redline.new.origin)


def reject(redline: Redline) -> m.Document:
    """The old document: every change rejected."""
    doc = _resolve(redline.document, keep_new=False)
    return dataclasses.replace(doc, id=redline.old.id, variables=redline.old.variables,
                               meta=redline.old.meta, origin=redline.old.origin)


# Provenance left out: None, though the model types a clause's and a document's origin as present.
_NO_ORIGIN = cast(m.Origin, None)


def normalize_document(doc: m.Document) -> m.Document:
    """``doc``'s content in canonical form, provenance left out: what a reader can see,
    and what accept/reject must reproduce exactly (space runs read as one space)."""

    def spaces(nodes: tuple[m.Inline, ...]) -> tuple[m.Inline, ...]:
        out: list[m.Inline] = []
        for node in nodes:
            if isinstance(node, m.Text):
                out.append(m.Text(_one_space(node.text)))
            elif isinstance(node, (m.Emph, m.Strong, m.Link)):
                out.append(dataclasses.replace(node, content=spaces(node.content)))
            else:
                out.append(node)
        return tuple(out)

    def strip(node: m.Block) -> m.Block:
        if isinstance(node, m.Clause):
            node = dataclasses.replace(node, blocks=tuple(strip(b) for b in node.blocks))
        elif isinstance(node, m.ClauseList):
            items = cast("tuple[m.Clause, ...]", tuple(strip(b) for b in node.items))  # clauses stay clauses
            node = dataclasses.replace(node, items=items)
        elif isinstance(node, (m.BulletList, m.OrderedList)):
            node = dataclasses.replace(node, items=tuple(tuple(strip(b) for b in i) for i in node.items))
        elif isinstance(node, (m.Paragraph, m.Heading)):
            node = dataclasses.replace(node, content=spaces(node.content))
        elif isinstance(node, m.Table):
            def cell(value: m.Cell) -> m.Cell:
                return value if isinstance(value, str) else spaces(value)
            node = dataclasses.replace(node, header=tuple(cell(c) for c in node.header),
                                       rows=tuple(tuple(cell(c) for c in row) for row in node.rows))
        return dataclasses.replace(node, origin=_NO_ORIGIN)

    doc = _resolve(doc, keep_new=True)
    return dataclasses.replace(doc, title=spaces(doc.title), blocks=tuple(strip(b) for b in doc.blocks),
                               origin=_NO_ORIGIN)


def _one_space(text: str) -> str:
    """``text`` with every run of spaces (of any kind) written as one space."""
    return "".join(" " if piece[:1].isspace() else piece for piece in UNIT.findall(text))
