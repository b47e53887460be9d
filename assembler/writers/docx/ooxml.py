"""WordprocessingML written as text, for the parts python-docx has no API for (pure strings)."""

from __future__ import annotations

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _level(ilvl: int, fmt: str, text: str, left: int, hanging: int, start: int = 1) -> str:
    return (f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="{start}"/><w:numFmt w:val="{fmt}"/>'
            f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
            f'<w:pPr><w:ind w:left="{left}" w:hanging="{hanging}"/></w:pPr></w:lvl>')


def _abstract(abstract_id: int, levels: list[str]) -> str:
    return (f'<w:abstractNum xmlns:w="{W_NS}" w:abstractNumId="{abstract_id}">'
            f'<w:multiLevelType w:val="multilevel"/>' + "".join(levels) + "</w:abstractNum>")


def abstract_numbering(indent: int, ids: tuple[int, int, int]) -> list[str]:
    """``w:abstractNum`` elements for clause lists (1., 1.1., …), bullets and ordered lists,
    six levels each, ``indent`` twips a level."""
    clause = [_level(i, "decimal", "".join(f"%{n}." for n in range(1, i + 2)),
                     indent * (i + 1) + 113 * i, indent + 113 * i) for i in range(6)]
    bullet = [_level(i, "bullet", "\u2022", indent * (i + 2), 284) for i in range(6)]
    ordered = [_level(i, "decimal", f"%{i + 1}.", indent * (i + 2), 397) for i in range(6)]
    return [_abstract(ids[0], clause), _abstract(ids[1], bullet), _abstract(ids[2], ordered)]
