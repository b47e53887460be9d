"""The Unicode Bidirectional Algorithm (UAX #9) for laying out lines of mixed-direction text
(python-bidi lives here and nowhere else).

python-bidi's reference implementation resolves each character's embedding level (rules
P2-P3, X, W, N and I); this module answers those levels for one line and reorders units of
a line for display (rule L2), so a writer that sets text in a left-to-right engine can put
Arabic and Hebrew words in the order a reader expects.
"""

from __future__ import annotations

import unicodedata

import bidi
from bidi import algorithm as _uba
from bidi.mirror import MIRRORED

STRONG_RIGHT = frozenset({"R", "AL"})


def right_to_left(text: str) -> bool:
    """Whether ``text`` is a right-to-left paragraph by its first strong character (P2-P3)."""
    return bool(text) and bidi.get_base_level(text) == 1


def has_right_to_left(text: str) -> bool:
    """Whether ``text`` holds any right-to-left letter (Arabic, Hebrew, Syriac, Thaana…)."""
    return any(unicodedata.bidirectional(char) in STRONG_RIGHT for char in text)


def levels(text: str, base: int) -> list[int]:
    """The resolved embedding level of each character of ``text`` (odd: right to left) in a
    paragraph of base level ``base`` (0 or 1). Explicit embedding marks, which the algorithm
    removes, take the level of the character before them."""
    storage = _uba.get_empty_storage()
    storage["base_level"] = base
    storage["base_dir"] = "LR"[base]
    _uba.get_embedding_levels(text, storage, False, False)
    for index, char in enumerate(storage["chars"]):
        char["index"] = index
    _uba.explicit_embed_and_overrides(storage, False)
    _uba.resolve_weak_types(storage, False)
    _uba.resolve_neutral_types(storage, False)
    _uba.resolve_implicit_levels(storage, False)
    out = [-1] * len(text)
    for char in storage["chars"]:
        out[char["index"]] = char["level"]
    previous = base
    for index, level in enumerate(out):
        out[index] = previous = level if level >= 0 else previous
    # L1: whitespace at the end of a line takes the paragraph's level
    end = len(text)
    while end and text[end - 1].isspace():
        end -= 1
        out[end] = base
    return out


def visual_order(unit_levels: list[int]) -> list[int]:
    """Indices of units (characters, words) in display order, left to right, from their
    levels (L2: reverse every run at or above each level, from the highest to the lowest odd)."""
    order = list(range(len(unit_levels)))
    if not unit_levels:
        return order
    highest = max(unit_levels)
    lowest_odd = min(level for level in unit_levels) | 1
    for level in range(highest, lowest_odd - 1, -1):
        index = 0
        while index < len(order):
            if unit_levels[order[index]] >= level:
                end = index
                while end < len(order) and unit_levels[order[end]] >= level:
                    end += 1
                order[index:end] = order[index:end][::-1]
                index = end
            else:
                index += 1
    return order


def mirrored(text: str) -> str:
    """``text`` as it reads in a right-to-left run: characters reversed, brackets mirrored."""
    return "".join(MIRRORED.get(char, char) for char in reversed(text))
