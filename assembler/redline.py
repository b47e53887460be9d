"""Comparing two documents: compare, accept, reject (diff-match-patch lives here and nowhere else).

Blocks are aligned by clause identity, not position: a clause that moved is shown once, at
its new place, marked with its old number (and a placeholder stands where it was, so that
rejecting restores it); renumbering alone is no change; an added or removed clause is one
insertion or deletion. Inside an aligned pair the text is diffed word by word: each word,
space run and punctuation mark (with its formatting) becomes one character for
diff-match-patch, as the library does for lines, then ``diff_cleanupSemantic``. The time
limit is off (``Diff_Timeout = 0``): a redline never depends on machine load.

``accept(compare(a, b))`` equals ``b`` and ``reject(compare(a, b))`` equals ``a``, both
normalised (neighbouring runs of the same formatting joined).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import NamedTuple

from diff_match_patch import diff_match_patch

from . import model as m
from .errors import InvalidInput, Problem
from .changes import summarize
from .transforms import number_clauses, resolve_references

MAX_WORDS = 2_000_000           # per document; documented in README.md
_WORD = re.compile(r"\w+(?:['’]\w+)*|\s+|[^\w\s]", re.UNICODE)


# ---------------------------------------------------------------- tokens

class Token(NamedTuple):
    """One word, space run, punctuation mark or atom, with the formatting around it.

    A named tuple rather than a dataclass: documents have hundreds of thousands of tokens.
    """

    kind: str               # "text", "code", "br", "ref"
    value: str              # the text (for a ref: its target)
    style: tuple = ()       # ("emph",), ("strong",), ("link", target), outermost first
    label: str | None = None

    @property
    def key(self) -> tuple:
        return self[:3]


def tokens(nodes, style: tuple = ()) -> list[Token]:
    """``nodes`` as a flat list of tokens (Ins/Del must not occur)."""
    out: list[Token] = []
    for node in nodes:
        if isinstance(node, m.Text):
            out.extend([Token("text", piece, style) for piece in _WORD.findall(node.text)])
        elif isinstance(node, m.Emph):
            out.extend(tokens(node.content, style + (("emph",),)))
        elif isinstance(node, m.Strong):
            out.extend(tokens(node.content, style + (("strong",),)))
        elif isinstance(node, m.Link):
            out.extend(tokens(node.content, style + (("link", node.target),)))
        elif isinstance(node, m.Code):
            out.append(Token("code", node.text, style))
        elif isinstance(node, m.LineBreak):
            out.append(Token("br", "", style))
        elif isinstance(node, m.Ref):
            out.append(Token("ref", node.target, style, node.label))
        elif isinstance(node, m.Var):
            out.append(Token("text", "{{ %s }}" % node.name, style))
        else:
            raise TypeError(f"cannot compare {node!r}")
    return out


def _leaf(token: Token) -> m.Inline:
    if token.kind == "text":
        return m.Text(token.value)
    if token.kind == "code":
        return m.Code(token.value)
    if token.kind == "br":
        return m.LineBreak()
    return m.Ref(token.value, token.label)


def _wrap(head: tuple, content: tuple) -> m.Inline:
    if head[0] == "emph":
        return m.Emph(content)
    if head[0] == "strong":
        return m.Strong(content)
    return m.Link(content, head[1])


def build(toks: list[Token], depth: int = 0) -> tuple[m.Inline, ...]:
    """Inline nodes from tokens: runs sharing formatting become one node."""
    out: list[m.Inline] = []
    i = 0
    while i < len(toks):
        style = toks[i].style
        if len(style) > depth:
            head = style[depth]
            j = i
            while j < len(toks) and len(toks[j].style) > depth and toks[j].style[depth] == head:
                j += 1
            out.append(_wrap(head, build(toks[i:j], depth + 1)))
            i = j
        else:
            out.append(_leaf(toks[i]))
            i += 1
    return m.merge_text(out)


def normalize(nodes) -> tuple[m.Inline, ...]:
    """The canonical form of inlines (what accept and reject give back)."""
    return build(tokens(nodes))


# ---------------------------------------------------------------- word diff

def _engine() -> diff_match_patch:
    engine = diff_match_patch()
    engine.Diff_Timeout = 0  # never trade a minimal diff for time
    return engine


def patch_text(old: str, new: str, target: str) -> str | None:
    """``target`` with the edit that turns ``old`` into ``new`` applied (diff-match-patch's
    fuzzy patching, so ``target`` may differ a little from ``old``); None when any part of
    the edit finds no place in ``target``."""
    engine = _engine()
    diffs = engine.diff_main(old, new)
    engine.diff_cleanupSemantic(diffs)
    patches = engine.patch_make(old, diffs)
    result, applied = engine.patch_apply(patches, target)
    return result if all(applied) else None


def diff_inlines(old, new) -> tuple[m.Inline, ...]:
    """``new`` with Ins/Del marks showing how it differs from ``old``, word by word."""
    if old == new:
        return tuple(old)
    a, b = tokens(old), tokens(new)
    if [t[:3] for t in a] == [t[:3] for t in b]:
        return build(b)
    table: dict[tuple, str] = {}

    def encode(toks):
        chars = []
        for token in toks:
            key = token[:3]
            char = table.get(key)
            if char is None:
                char = table[key] = chr(0x100 + len(table))
            chars.append(char)
        return "".join(chars)

    engine = _engine()
    diffs = engine.diff_main(encode(a), encode(b), False)
    engine.diff_cleanupSemantic(diffs)
    out: list[m.Inline] = []
    i = j = 0
    for op, chars in diffs:
        count = len(chars)
        if op == 0:
            out.extend(build(b[j: j + count]))
            i, j = i + count, j + count
        elif op == -1:
            out.append(m.Del(build(a[i: i + count])))
            i += count
        else:
            out.append(m.Ins(build(b[j: j + count])))
            j += count
    return tuple(out)


# ---------------------------------------------------------------- blocks

@dataclass
class _Context:
    old_by_id: dict[str, m.Clause]
    new_ids: set[str]


def _mark(block: m.Block, change: str) -> m.Block:
    return dataclasses.replace(block, change=change)


def _compare_blocks(old: tuple, new: tuple, ctx: _Context) -> list[m.Block]:
    """Merge two block sequences: clauses by id, other blocks by kind and text."""
    def key(block):
        if isinstance(block, m.Clause):
            return ("clause", block.id)
        if isinstance(block, m.ClauseList):
            return ("list",)
        if isinstance(block, (m.BulletList, m.OrderedList)):
            return (type(block).__name__,)
        return (type(block).__name__, m.plain_text(block.content))

    out: list[m.Block] = []
    matcher = SequenceMatcher(None, [key(b) for b in old], [key(b) for b in new], autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        olds, news = list(old[i1:i2]), list(new[j1:j2])
        if op == "equal":
            out.extend(_compare_pair(o, n, ctx) for o, n in zip(olds, news))
            continue
        # pair similar blocks of the same kind that are not clauses (an edited paragraph)
        last_old = last_new = 0
        for i, j in _similar_pairs(olds, news):
            out.extend(_gone(block, ctx) for block in olds[last_old:i])
            out.extend(_arrived(block, ctx) for block in news[last_new:j])
            out.append(_compare_pair(olds[i], news[j], ctx))
            last_old, last_new = i + 1, j + 1
        out.extend(_gone(block, ctx) for block in olds[last_old:])
        out.extend(_arrived(block, ctx) for block in news[last_new:])
    return out


MAX_PAIRING = 40_000  # block pairs scored in one replaced region; past it, no pairing


def _similarity(a: m.Block, b: m.Block) -> float:
    if type(a) is not type(b) or isinstance(a, (m.Clause, m.ClauseList)):
        return 0.0
    if isinstance(a, (m.Paragraph, m.Heading)):
        x = [w for w in _WORD.findall(m.plain_text(a.content)) if not w.isspace()]
        y = [w for w in _WORD.findall(m.plain_text(b.content)) if not w.isspace()]
        matcher = SequenceMatcher(None, x, y, autojunk=False)
        if matcher.real_quick_ratio() < 0.5:
            return 0.0
        # a paragraph that kept most of its old words was edited, even if it grew a lot
        kept = sum(block.size for block in matcher.get_matching_blocks())
        return max(matcher.ratio(), kept / max(1, min(len(x), len(y))) * 0.75)
    return 0.6  # two lists of the same kind: compare item by item


def _similar_pairs(olds: list, news: list) -> list[tuple[int, int]]:
    """Pairs (i, j), increasing in both, of similar blocks: the best-scoring alignment."""
    if not olds or not news or len(olds) * len(news) > MAX_PAIRING:
        return []
    if len(olds) == len(news) == 1 and _similarity(olds[0], news[0]) > 0:
        return [(0, 0)]  # one block replaced by one of its kind that shares words: an edit
    n, k = len(olds), len(news)
    sim = [[_similarity(olds[i], news[j]) for j in range(k)] for i in range(n)]
    score = [[0.0] * (k + 1) for _ in range(n + 1)]
    for i in reversed(range(n)):
        for j in reversed(range(k)):
            best = max(score[i + 1][j], score[i][j + 1])
            if sim[i][j] >= 0.5:
                best = max(best, sim[i][j] + score[i + 1][j + 1])
            score[i][j] = best
    pairs, i, j = [], 0, 0
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
        change = m.MOVED_AWAY if block.id in ctx.new_ids else m.DELETED
        return dataclasses.replace(block, change=change, old_number=block.number, number=None)
    if isinstance(block, m.ClauseList):
        return dataclasses.replace(block, items=tuple(_gone(c, ctx) for c in block.items),
                                   old_start=block.start)
    return _mark(block, m.DELETED)


def _arrived(block: m.Block, ctx: _Context) -> m.Block:
    if isinstance(block, m.Clause):
        before = ctx.old_by_id.get(block.id)
        if before is not None:
            merged = _compare_pair(before, block, ctx)
            return dataclasses.replace(merged, change=m.MOVED)
        return _mark(block, m.INSERTED)
    if isinstance(block, m.ClauseList):
        return dataclasses.replace(block, items=tuple(_arrived(c, ctx) for c in block.items),
                                   old_start=block.start)
    return _mark(block, m.INSERTED)


def _compare_pair(old: m.Block, new: m.Block, ctx: _Context) -> m.Block:
    if isinstance(new, m.Clause):
        return dataclasses.replace(new, blocks=tuple(_compare_blocks(old.blocks, new.blocks, ctx)),
                                   old_number=old.number)
    if isinstance(new, m.ClauseList):
        items = _compare_blocks(old.items, new.items, ctx)
        return dataclasses.replace(new, items=tuple(items), old_start=old.start)
    if isinstance(new, (m.Paragraph, m.Heading)):
        if isinstance(new, m.Heading) and old.level != new.level:
            return new
        return dataclasses.replace(new, content=diff_inlines(old.content, new.content))
    if isinstance(new, (m.BulletList, m.OrderedList)):
        items = []
        for index in range(max(len(old.items), len(new.items))):
            if index >= len(new.items):
                items.append(tuple(_mark(b, m.DELETED) for b in old.items[index]))
            elif index >= len(old.items):
                items.append(tuple(_mark(b, m.INSERTED) for b in new.items[index]))
            else:
                items.append(tuple(_compare_blocks(old.items[index], new.items[index], ctx)))
        return dataclasses.replace(new, items=tuple(items))
    return new


# ---------------------------------------------------------------- the public engine

@dataclass(frozen=True)
class Redline:
    """The merged document (new structure, old text kept in marks) and both sides' headers."""

    document: m.Document
    old: m.Document
    new: m.Document
    summary: dict = field(default_factory=dict)


def _size(doc: m.Document) -> int:
    """About how many words ``doc`` holds (cheap: no tokenising)."""
    return sum(len(node.text.split()) for node in m.iter_inlines(doc.blocks)
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

    def inlines(nodes):
        out = []
        for node in nodes:
            if isinstance(node, m.Ins):
                if keep_new:
                    out.extend(inlines(node.content))
            elif isinstance(node, m.Del):
                if not keep_new:
                    out.extend(inlines(node.content))
            elif isinstance(node, (m.Emph, m.Strong, m.Link)):
                out.append(dataclasses.replace(node, content=inlines(node.content)))
            else:
                out.append(node)
        return tuple(out)

    def block(node):
        if isinstance(node, (m.Paragraph, m.Heading)):
            return dataclasses.replace(node, content=normalize(inlines(node.content)), change=None)
        if isinstance(node, (m.BulletList, m.OrderedList)):
            items = tuple(blocks(item) for item in node.items)
            return dataclasses.replace(node, items=tuple(i for i in items if i), change=None)
        if isinstance(node, m.Clause):
            return dataclasses.replace(node, blocks=blocks(node.blocks), change=None, old_number=None,
                                       number=node.number if keep_new else node.old_number)
        if isinstance(node, m.ClauseList):
            start = node.start if keep_new or node.old_start is None else node.old_start
            return dataclasses.replace(node, items=blocks(node.items), start=start, old_start=None)
        return node

    def blocks(nodes):
        kept = tuple(block(n) for n in nodes if getattr(n, "change", None) not in drop)
        return tuple(b for b in kept if not (isinstance(b, m.ClauseList) and not b.items))

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


def normalize_document(doc: m.Document) -> m.Document:
    """``doc``'s content in canonical form, provenance left out: what a reader can see,
    and what accept/reject must reproduce exactly."""

    def strip(node):
        if isinstance(node, (m.Clause, m.ClauseList)):
            inner = "blocks" if isinstance(node, m.Clause) else "items"
            node = dataclasses.replace(node, **{inner: tuple(strip(b) for b in getattr(node, inner))})
        elif isinstance(node, (m.BulletList, m.OrderedList)):
            node = dataclasses.replace(node, items=tuple(tuple(strip(b) for b in i) for i in node.items))
        return dataclasses.replace(node, origin=None)

    doc = _resolve(doc, keep_new=True)
    return dataclasses.replace(doc, blocks=tuple(strip(b) for b in doc.blocks), origin=None)
