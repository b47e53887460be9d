"""The document model: one tree that every reader makes and every writer reads (standard
library only). The node types are re-exported here (``from assembler import model``); the
JSON codec is :mod:`assembler.model.codec` and paragraphs as readers see them
:mod:`assembler.model.paragraphs`."""

from assembler.model.nodes import (  # noqa: F401  (the public model)
    Origin,
    Text,
    Emph,
    Strong,
    Code,
    Link,
    LineBreak,
    Var,
    Ref,
    Ins,
    Del,
    Inline,
    INLINE_TYPES,
    CONTAINERS,
    MOVED,
    MOVED_AWAY,
    Paragraph,
    Heading,
    BulletList,
    OrderedList,
    Clause,
    ClauseList,
    Table,
    Cell,
    cell_text,
    Block,
    BLOCK_TYPES,
    Document,
    plain_text,
    iter_inlines,
    iter_clauses,
    merge_text,
)
