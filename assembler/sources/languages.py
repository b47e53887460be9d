"""Language tags (BCP 47, RFC 5646) as clause files, templates and the command line give them.

The form is checked, not the IANA registry (which would have to be shipped and kept up to
date): a primary language of 2-3 letters, then optional extended language, script (4
letters), region (2 letters or 3 digits), variants, extensions and a private-use part, as
RFC 5646's ABNF says. Its 5-8 letter primary subtags are reserved for languages the registry
has never assigned, so ``french`` is refused. ``pt-BR``, ``zh-Hans-CN``, ``sr-Latn`` and
``es-419`` are tags; ``french``, ``fr_FR`` and ``e`` are not.
"""

from __future__ import annotations

import re

_TAG = re.compile(
    r"^[A-Za-z]{2,3}(?:-[A-Za-z]{3}){0,3}"                       # language (and extlang)
    r"(?:-[A-Za-z]{4})?"                                        # script
    r"(?:-(?:[A-Za-z]{2}|[0-9]{3}))?"                           # region
    r"(?:-(?:[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*"           # variants
    r"(?:-[0-9A-WY-Za-wy-z](?:-[A-Za-z0-9]{2,8})+)*"            # extensions
    r"(?:-x(?:-[A-Za-z0-9]{1,8})+)?$")                          # private use


def is_language_tag(text: str) -> bool:
    """Whether ``text`` is a well-formed BCP 47 language tag."""
    return len(text) <= 64 and bool(_TAG.match(text))


def problem_with(text: str) -> str | None:
    """Why ``text`` is not a language tag (one phrase), or None when it is one."""
    if is_language_tag(text):
        return None
    hint = f"; did you mean '{text.replace('_', '-')}'?" if is_language_tag(text.replace("_", "-")) else \
        " such as 'fr', 'pt-BR' or 'zh-Hans'"
    return f"'{text}' is not a BCP 47 language tag{hint}"


def same_language(a: str, b: str) -> bool:
    """Tags compare without regard to case (``pt-br`` is ``pt-BR``)."""
    return a.lower() == b.lower()
