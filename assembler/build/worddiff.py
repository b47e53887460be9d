"""Comparing inline text unit by unit (diff-match-patch lives here and nowhere else).

The text of two paragraphs is cut into units (a word, a character of a script written without
spaces, a space run or a punctuation mark, with its formatting; see
:mod:`assembler.wordunits`); each unit becomes one character for diff-match-patch, as the
library does for lines, then ``diff_cleanupSemantic``. The time limit is off (``Diff_Timeout
= 0``): a redline never depends on machine load. A run of spaces equals any other; a link's
target is compared apart from its words, so a new target is a link change
(``Link.old_target``), not new words. Paragraphs that replace paragraphs are diffed as one
text with the breaks as units, so a split or a join is a moved break (``break_change``).
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, NamedTuple, TypeAlias, cast

from assembler.build.wordunits import UNIT
from assembler.model import nodes as m

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from typing import Protocol

# A token's formatting, outermost first: ("emph",), ("strong",), ("link", target[, old_target]).
Style: TypeAlias = "tuple[tuple[str, ...], ...]"

# ---------------------------------------------------------------- tokens

class Token(NamedTuple):
    """One unit of text or an atom, with the formatting around it.

    A named tuple rather than a dataclass: documents have hundreds of thousands of tokens.
    ``style`` holds ("emph",), ("strong",) or ("link", target), outermost first; a link
    whose target changed carries ("link", target, old_target).
    """

    kind: str               # "text", "code", "br", "ref", or "para" (a paragraph break)
    value: str              # the text (for a ref: its target)
    style: Style = ()
    label: str | None = None


PARA = Token("para", "")


_make = tuple.__new__  # a Token without NamedTuple's Python-level __new__: 700k tokens add up


def tokens(nodes: Iterable[m.Inline], style: Style = ()) -> list[Token]:
    """``nodes`` as a flat list of tokens (Ins/Del must not occur)."""
    out: list[Token] = []
    for node in nodes:
        if isinstance(node, m.Text):
            out.extend([_make(Token, ("text", piece, style, None)) for piece in UNIT.findall(node.text)])
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


def _wrap(head: tuple[str, ...], content: tuple[m.Inline, ...]) -> m.Inline:
    if head[0] == "emph":
        return m.Emph(content)
    if head[0] == "strong":
        return m.Strong(content)
    return m.Link(content, head[1], head[2] if len(head) > 2 else None)


def build(toks: list[Token], depth: int = 0) -> tuple[m.Inline, ...]:
    """Inline nodes from tokens: runs sharing formatting become one node, and neighbouring
    words one Text (made once: documents have hundreds of thousands of words)."""
    out: list[m.Inline] = []
    i, count = 0, len(toks)
    while i < count:
        token = toks[i]
        style = token.style
        if len(style) > depth:
            head = style[depth]
            j = i + 1
            while j < count and len(toks[j].style) > depth and toks[j].style[depth] == head:
                j += 1
            out.append(_wrap(head, build(toks[i:j], depth + 1)))
            i = j
        elif token.kind == "text":
            j = i + 1
            while j < count and toks[j].kind == "text" and len(toks[j].style) <= depth:
                j += 1
            out.append(m.Text("".join(t.value for t in toks[i:j])))
            i = j
        else:
            out.append(_leaf(token))
            i += 1
    return m.merge_text(out)


def normalize(nodes: Iterable[m.Inline]) -> tuple[m.Inline, ...]:
    """The canonical form of inlines (what accept and reject give back)."""
    return build(tokens(nodes))


# ---------------------------------------------------------------- unit diff

if TYPE_CHECKING:
    class _Engine(Protocol):
        """What is used of diff-match-patch (untyped): a diff is a list of (op, text)."""

        Diff_Timeout: float

        def diff_main(self, text1: str, text2: str, checklines: bool = ...) -> list[tuple[int, str]]: ...
        def diff_cleanupSemantic(self, diffs: list[tuple[int, str]]) -> None: ...
        def diff_commonPrefix(self, text1: str, text2: str) -> int: ...
        def diff_commonSuffix(self, text1: str, text2: str) -> int: ...
        def patch_make(self, a: str, b: list[tuple[int, str]]) -> list[object]: ...
        def patch_apply(self, patches: list[object], text: str) -> tuple[str, list[bool]]: ...


def _engine() -> _Engine:
    # imported on first diff: a fast start
    from diff_match_patch import diff_match_patch  # type: ignore[import-untyped]
    engine: _Engine = diff_match_patch()
    engine.Diff_Timeout = 0  # never trade a minimal diff for time
    return engine


_DMP = _engine()  # for its binary-search common prefix and suffix


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


class _Keys:
    """What two tokens must share to be the same for a reader: kind, text (any run of
    spaces is one space) and formatting, but not a link's target, which is compared
    apart so that a new target is a link change rather than new words. Each distinct token
    becomes one character for diff-match-patch; one table serves a whole comparison."""

    def __init__(self) -> None:
        self.chars: dict[Token, str] = {}   # a token -> its character
        self.keys: dict[tuple[str, str, Style], str] = {}    # a reader's key -> its character

    def char(self, token: Token) -> str:
        kind, value, style = token[0], token[1], token[2]
        if kind == "text" and value[:1].isspace():
            value = " "
        key = (kind, value, tuple(("link",) if head[0] == "link" else head for head in style))
        char = self.keys.get(key)
        if char is None:
            char = self.keys[key] = chr(0x100 + len(self.keys))
        self.chars[token] = char
        return char

    def encode(self, toks: list[Token]) -> str:
        get, miss = self.chars.get, self.char
        return "".join([get(token) or miss(token) for token in toks])


_KEYS = _Keys()  # tokens are plain values: their characters can be kept between comparisons


def _keys() -> _Keys:
    """The shared table, started afresh before it nears the surrogate range (characters
    must stay below U+D800) or grows large."""
    global _KEYS
    if len(_KEYS.keys) >= 0xD000 or len(_KEYS.chars) > 500_000:
        _KEYS = _Keys()
    return _KEYS


def _ops(a: list[Token], b: list[Token]) -> Iterator[tuple[int, list[Token], list[Token]]]:
    """The diff of two token lists as (op, old tokens, new tokens); op is 0 (same), -1
    (deleted) or 1 (inserted)."""
    keys = _keys()
    engine = _engine()
    diffs = engine.diff_main(keys.encode(a), keys.encode(b), False)
    engine.diff_cleanupSemantic(diffs)
    i = j = 0
    for op, chars in diffs:
        count = len(chars)
        if op == 0:
            yield 0, a[i: i + count], _relinked(a[i: i + count], b[j: j + count])
            i, j = i + count, j + count
        elif op == -1:
            yield -1, a[i: i + count], []
            i += count
        else:
            yield 1, [], b[j: j + count]
            j += count


def _relinked(olds: list[Token], news: list[Token]) -> list[Token]:
    """``news`` with every link whose target changed carrying its old target too."""
    out = news
    for index, (old, new) in enumerate(zip(olds, news)):
        if old.style != new.style:
            if out is news:
                out = list(news)
            style = tuple(h if h == g else (h[0], h[1], g[1]) for h, g in zip(new.style, old.style))
            out[index] = new._replace(style=style)
    return out


def diff_inlines(old: tuple[m.Inline, ...], new: tuple[m.Inline, ...]) -> tuple[m.Inline, ...]:
    """``new`` with Ins/Del marks (and changed link targets) showing how it differs from
    ``old``, unit by unit. What both share at the start and the end is kept as it stands
    and only the middle is cut into units: an edit touches a few words of a paragraph."""
    if old == new:
        return tuple(old)
    head, old_mid, new_mid, tail = _common_ends(tuple(old), tuple(new))
    a, b = tokens(old_mid), tokens(new_mid)
    out: list[m.Inline] = list(head)
    if a == b:
        out.extend(build(b))
    else:
        for op, olds, news in _ops(a, b):
            if op == 0:
                out.extend(build(news))
            elif op == -1:
                out.append(m.Del(build(olds)))
            else:
                out.append(m.Ins(build(news)))
    out.extend(tail)
    return m.merge_text(out)


def _common_ends(old: tuple[m.Inline, ...], new: tuple[m.Inline, ...]
                 ) -> tuple[list[m.Inline], list[m.Inline], list[m.Inline], list[m.Inline]]:
    """(shared start, old middle, new middle, shared end): whole equal nodes, then the
    equal start and end of the first and last text, cut where a word begins (so both
    middles cut into the same units as the whole would)."""
    limit = min(len(old), len(new))
    i = 0
    while i < limit and old[i] == new[i]:
        i += 1
    j = 0
    while j < limit - i and old[-1 - j] == new[-1 - j]:
        j += 1
    head, tail = list(old[:i]), list(old[len(old) - j:])
    o, n = list(old[i: len(old) - j]), list(new[i: len(new) - j])
    if o and n and isinstance(o[0], m.Text) and isinstance(n[0], m.Text):
        x, y = o[0].text, n[0].text
        cut = _word_start(x, y, _DMP.diff_commonPrefix(x, y))
        if cut:
            head.append(m.Text(x[:cut]))
            o[0], n[0] = m.Text(x[cut:]), m.Text(y[cut:])
    if o and n and isinstance(o[-1], m.Text) and isinstance(n[-1], m.Text):
        x, y = o[-1].text, n[-1].text
        cut = _space_start(x, y, _DMP.diff_commonSuffix(x, y))
        if cut:
            tail.insert(0, m.Text(x[len(x) - cut:]))
            o[-1], n[-1] = m.Text(x[: len(x) - cut]), m.Text(y[: len(y) - cut])
    return head, _dropped_empty(o), _dropped_empty(n), tail


def _word_start(x: str, y: str, shared: int) -> int:
    """The longest shared start of ``x`` and ``y`` (at most ``shared`` long) that ends in a
    space with a word after it in both; 0 when there is none."""
    i = min(shared, len(x) - 1, len(y) - 1)
    while i > 0 and not (x[i - 1].isspace() and not x[i].isspace() and not y[i].isspace()):
        i -= 1
    return max(i, 0)


def _space_start(x: str, y: str, shared: int) -> int:
    """The length of the longest shared end of ``x`` and ``y`` (at most ``shared``) that
    starts with a space after a word in both; 0 when there is none."""
    c = min(shared, len(x) - 1, len(y) - 1)
    while c > 0 and not (x[len(x) - c].isspace() and not x[len(x) - c - 1].isspace()
                         and not y[len(y) - c - 1].isspace()):
        c -= 1
    return max(c, 0)


def _dropped_empty(nodes: list[m.Inline]) -> list[m.Inline]:
    return [node for node in nodes if not (isinstance(node, m.Text) and not node.text)]


def paragraph_run(olds: list[m.Paragraph], news: list[m.Paragraph]) -> list[m.Paragraph]:
    """Paragraphs replaced by paragraphs, diffed as one text with the breaks as units, so a
    paragraph split in two or two joined into one is a moved break, not new words."""
    def stream(paragraphs: list[m.Paragraph]) -> list[Token]:
        out: list[Token] = []
        for index, paragraph in enumerate(paragraphs):
            if index:
                out.append(PARA)
            out.extend(tokens(paragraph.content))
        return out

    merged: list[m.Paragraph] = []
    content: list[m.Inline] = []

    def close(break_change: str | None) -> None:
        origin = news[min(len(merged), len(news) - 1)].origin
        merged.append(m.Paragraph(m.merge_text(content), origin, None, break_change))
        content.clear()

    for op, olds_t, news_t in _ops(stream(olds), stream(news)):
        run = news_t if op != -1 else olds_t
        mark = (None, m.Ins, m.Del)[op]
        breaks = run.count(PARA)  # searched in C: runs hold most of a document's words
        start = 0
        while True:
            stop = run.index(PARA, start) if breaks else len(run)
            piece = build(run[start:stop])
            if piece:
                content.extend(piece if mark is None else (mark(piece),))
            if not breaks:
                break
            close((None, m.INSERTED, m.DELETED)[op])
            breaks -= 1
            start = stop + 1
    close(None)
    return _whole_paragraphs(merged)


def _whole_paragraphs(paragraphs: list[m.Paragraph]) -> list[m.Paragraph]:
    """A paragraph all of whose text was inserted (or deleted) together with a break next to
    it is an inserted (or deleted) paragraph, as a reader would say."""
    out = list(paragraphs)
    for index, paragraph in enumerate(out):
        for mark, change in ((m.Ins, m.INSERTED), (m.Del, m.DELETED)):
            if not paragraph.content or not all(isinstance(n, mark) for n in paragraph.content):
                continue
            marked = cast("tuple[m.Ins | m.Del, ...]", paragraph.content)  # all checked above
            content = tuple(n for node in marked for n in node.content)
            if paragraph.break_change == change:       # its own break went with it
                out[index] = m.Paragraph(content, paragraph.origin, change)
            elif (index and out[index - 1].break_change == change
                  and paragraph.break_change is None):  # the break before it went with it
                out[index - 1] = dataclasses.replace(out[index - 1], break_change=None)
                out[index] = m.Paragraph(content, paragraph.origin, change)
    return out
