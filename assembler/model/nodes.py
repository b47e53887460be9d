"""The document model: one tree that every reader produces and every writer consumes.

Frozen dataclasses with closed unions of inline and block nodes. This module imports
nothing else of ours, so readers, transforms, writers and the store can all share it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Union

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

# ---------------------------------------------------------------- provenance

@dataclass(frozen=True)
class Origin:
    """Where a block came from: a clause file or the template itself.

    ``kind`` is "clause" or "template"; ``id`` the clause or template id; ``path`` the
    workspace-relative POSIX path; ``blob`` the git blob id of the file's bytes, so a
    block can be traced to the exact text it was made from.
    """

    kind: str
    id: str
    path: str
    blob: str


# ---------------------------------------------------------------- inlines

@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Emph:
    content: tuple[Inline, ...]


@dataclass(frozen=True)
class Strong:
    content: tuple[Inline, ...]


@dataclass(frozen=True)
class Code:
    text: str


@dataclass(frozen=True)
class Link:
    """A link; in a redline, ``old_target`` is where the same words linked before (None when
    the target did not change)."""

    content: tuple[Inline, ...]
    target: str
    old_target: str | None = None


@dataclass(frozen=True)
class LineBreak:
    pass


@dataclass(frozen=True)
class Var:
    """A variable placeholder ``{{ name }}``; replaced by text when variables are filled."""

    name: str
    line: int = 0
    column: int = 0


@dataclass(frozen=True)
class Ref:
    """A cross-reference ``{{ ref:clause-id }}``; ``label`` is the target's number once resolved."""

    target: str
    label: str | None = None
    line: int = 0
    column: int = 0


@dataclass(frozen=True)
class Ins:
    """Redline mark: text the new version inserted."""

    content: tuple[Inline, ...]


@dataclass(frozen=True)
class Del:
    """Redline mark: text the new version deleted."""

    content: tuple[Inline, ...]


Inline = Union[Text, Emph, Strong, Code, Link, LineBreak, Var, Ref, Ins, Del]
INLINE_TYPES = (Text, Emph, Strong, Code, Link, LineBreak, Var, Ref, Ins, Del)
CONTAINERS = (Emph, Strong, Link, Ins, Del)

# Block-level redline marks (the ``change`` field of blocks; None when unchanged):
INSERTED, DELETED = "inserted", "deleted"
MOVED = "moved"            # a clause at its new place; ``old_number`` says where it was
MOVED_AWAY = "moved-away"  # where a moved clause used to stand (its old content)
# A paragraph's ``break_change``: the break after it was INSERTED (the new version split the
# paragraph there) or DELETED (the new version joined it with the next one).


# ---------------------------------------------------------------- blocks

@dataclass(frozen=True)
class Paragraph:
    content: tuple[Inline, ...]
    origin: Origin | None = None
    change: str | None = None
    break_change: str | None = None


@dataclass(frozen=True)
class Heading:
    """A heading; in a redline, ``old_level`` is its level before (None when unchanged)."""

    level: int
    content: tuple[Inline, ...]
    origin: Origin | None = None
    change: str | None = None
    old_level: int | None = None


@dataclass(frozen=True)
class BulletList:
    """A bullet list written inside a clause body (not numbered by the document).

    In a redline, ``old_kind`` is "ordered" when the list was numbered before, starting at
    ``old_start``.
    """

    items: tuple[tuple[Block, ...], ...]
    origin: Origin | None = None
    change: str | None = None
    old_kind: str | None = None
    old_start: int | None = None


@dataclass(frozen=True)
class OrderedList:
    """An ordered list written inside a clause body: (a), (b)… lists keep their own count.

    In a redline, ``old_kind`` is "bullet" when the list had bullets before, and
    ``old_start`` the number it started at before when that changed.
    """

    items: tuple[tuple[Block, ...], ...]
    start: int = 1
    origin: Origin | None = None
    change: str | None = None
    old_kind: str | None = None
    old_start: int | None = None


@dataclass(frozen=True)
class Clause:
    """One clause as it stands in the document: its own blocks, and its number if numbered.

    ``blocks`` may end with a nested :class:`ClauseList` (sub-clauses, numbered 4.1, 4.2…).
    """

    id: str
    blocks: tuple[Block, ...]
    origin: Origin
    number: str | None = None
    title: str = ""
    change: str | None = None
    old_number: str | None = None


@dataclass(frozen=True)
class ClauseList:
    """A numbered list of clauses; numbers are given by the numbering transform."""

    items: tuple[Clause, ...]
    start: int = 1
    origin: Origin | None = None
    old_start: int | None = None


@dataclass(frozen=True)
class Table:
    """A table: a pipe table in clause text, or a generated report such as a disposition
    table. Each cell is plain text or inlines (a proposal shown as a word diff, a redlined
    cell, with their Ins/Del marks); the first row is the header.

    ``widths`` are relative column widths, a hint for paged writers (PDF, DOCX); in a
    redline, ``row_changes`` says per body row whether it was inserted or deleted (None
    when the row is in both versions), and ``old_columns`` how many columns the old
    version had when that changed (the table then has as many as the wider version).
    """

    caption: str
    header: tuple[Cell, ...]
    rows: tuple[tuple[Cell, ...], ...]
    widths: tuple[float, ...] = ()
    origin: Origin | None = None
    change: str | None = None
    row_changes: tuple[str | None, ...] = ()
    old_columns: int | None = None
    new_columns: int | None = None


Cell = Union[str, tuple[Inline, ...]]


def cell_text(cell: Cell) -> str:
    """What a reader sees in a table cell, as plain text."""
    return cell if isinstance(cell, str) else plain_text(cell)


Block = Union[Paragraph, Heading, BulletList, OrderedList, Clause, ClauseList, Table]
BLOCK_TYPES = (Paragraph, Heading, BulletList, OrderedList, Clause, ClauseList, Table)


@dataclass(frozen=True)
class Document:
    """An assembled document: id, title, blocks, and metadata (template, variables…)."""

    id: str
    title: tuple[Inline, ...]
    blocks: tuple[Block, ...]
    origin: Origin
    variables: tuple[tuple[str, str], ...] = ()
    meta: tuple[tuple[str, str], ...] = field(default=())


# ---------------------------------------------------------------- walking helpers

def plain_text(inlines: tuple[Inline, ...]) -> str:
    """The text a reader sees in ``inlines``, without markup."""
    parts: list[str] = []
    for node in inlines:
        if isinstance(node, (Text, Code)):
            parts.append(node.text)
        elif isinstance(node, CONTAINERS):
            parts.append(plain_text(node.content))
        elif isinstance(node, LineBreak):
            parts.append("\n")
        elif isinstance(node, Var):
            parts.append("{{ %s }}" % node.name)
        elif isinstance(node, Ref):
            parts.append(node.label if node.label is not None else "{{ ref:%s }}" % node.target)
    return "".join(parts)


def iter_inlines(blocks: tuple[Block, ...]) -> Iterator[Inline]:
    """Every inline node in ``blocks`` (containers and their contents), in document order."""

    def inner(nodes: tuple[Inline, ...]) -> Iterator[Inline]:
        for node in nodes:
            yield node
            if isinstance(node, CONTAINERS):
                yield from inner(node.content)

    for block in blocks:
        if isinstance(block, (Paragraph, Heading)):
            yield from inner(block.content)
        elif isinstance(block, (BulletList, OrderedList)):
            for item in block.items:
                yield from iter_inlines(item)
        elif isinstance(block, Clause):
            yield from iter_inlines(block.blocks)
        elif isinstance(block, ClauseList):
            yield from iter_inlines(block.items)
        elif isinstance(block, Table):
            for row in (block.header, *block.rows):
                for cell in row:
                    if not isinstance(cell, str):
                        yield from inner(cell)


def iter_clauses(blocks: tuple[Block, ...]) -> Iterator[Clause]:
    """Every :class:`Clause` in ``blocks``, depth first, in document order."""
    for block in blocks:
        if isinstance(block, Clause):
            yield block
            yield from iter_clauses(block.blocks)
        elif isinstance(block, ClauseList):
            yield from iter_clauses(block.items)


def merge_text(nodes: Iterable[Inline]) -> tuple[Inline, ...]:
    """``nodes`` with neighbouring Text nodes joined and empty ones dropped."""
    out: list[Inline] = []
    for node in nodes:
        if isinstance(node, Text):
            if not node.text:
                continue
            if out and isinstance(out[-1], Text):
                out[-1] = Text(out[-1].text + node.text)
                continue
        out.append(node)
    return tuple(out)
