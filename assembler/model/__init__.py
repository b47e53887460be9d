"""The document model: one tree that every reader makes and every writer reads (standard
library only). The node types are re-exported here (``from assembler import model``); the
JSON codec is :mod:`assembler.model.codec` and paragraphs as readers see them
:mod:`assembler.model.paragraphs`."""

from assembler.model.nodes import (  # noqa: F401  (the public model)
    BLOCK_TYPES,
    CONTAINERS,
    INLINE_TYPES,
    MOVED,
    MOVED_AWAY,
    Block,
    BulletList,
    Cell,
    Clause,
    ClauseList,
    Code,
    Del,
    Document,
    Emph,
    Heading,
    Inline,
    Ins,
    LineBreak,
    Link,
    OrderedList,
    Origin,
    Paragraph,
    Ref,
    Strong,
    Table,
    Text,
    Var,
    cell_text,
    iter_clauses,
    iter_inlines,
    merge_text,
    plain_text,
)
