"""The units a reader sees in text, which redlines compare and count.

A word is a run of letters and digits (with inner apostrophes: "Section's"). Scripts written
without spaces between words (Chinese, Japanese kana and kanji, Thai, Lao, Khmer, Myanmar)
have no such runs, so each of their characters is a unit of its own: a revision that
inserts three characters marks three characters, not the whole sentence. Every other
character that is neither a letter, a digit nor a space is punctuation or a symbol, one unit
each; a run of spaces is one unit.
"""

from __future__ import annotations

import re

# Scripts written without spaces between words: each character is one unit.
UNSPACED = ("\u0e00-\u0eff"        # Thai, Lao
            "\u1000-\u109f"        # Myanmar
            "\u1780-\u17ff"        # Khmer
            "\u3005-\u3007"        # 々 〆 〇
            "\u3040-\u30ff"        # Hiragana, Katakana
            "\u31f0-\u31ff"        # Katakana extensions
            "\u3400-\u4dbf"        # CJK extension A
            "\u4e00-\u9fff"        # CJK unified ideographs
            "\uf900-\ufaff"        # CJK compatibility ideographs
            "\uff66-\uff9f"        # half-width Katakana
            "\U00020000-\U0003134f")  # CJK extensions B-G

_SPACED_WORD = rf"[^\W{UNSPACED}]+(?:['’][^\W{UNSPACED}]+)*"

# One unit: a word, one character of an unspaced script, a space run, or one other character.
UNIT = re.compile(rf"{_SPACED_WORD}|[{UNSPACED}]|\s+|[^\w\s]")
# What counts as a word in a summary: spaced words and unspaced characters.
WORD = re.compile(rf"{_SPACED_WORD}|[{UNSPACED}]")
# Punctuation and symbols (what is neither a word unit nor a space).
SYMBOL = re.compile(r"[^\w\s]")


def units(text: str) -> list[str]:
    """``text`` cut into units; joined again they give ``text`` back."""
    return UNIT.findall(text)


def count_words(text: str) -> int:
    """How many words (and unspaced-script characters) ``text`` holds."""
    return len(WORD.findall(text))


def count_symbols(text: str) -> int:
    """How many punctuation marks and symbols ``text`` holds."""
    return len(SYMBOL.findall(text))
