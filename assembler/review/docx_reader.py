"""Reading a DOCX a Section sends back: paragraphs before and after their tracked changes,
their comments, and the custom properties that say which review pack it came from.

The file is untrusted: :class:`assembler.sources.word_package.WordPackage` checks the zip
before any XML is parsed and parses every part safely. Text is only collected, never
interpreted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree as ET

from assembler.sources.word_package import DELETED, INSERTED, W, WordPackage, fail

_SKIPPED = {W + "pPr", W + "rPr", W + "sdtPr", W + "instrText", W + "delInstrText",
            W + "drawing", W + "pict", W + "object", W + "footnoteReference",
            W + "endnoteReference",
            "{http://schemas.openxmlformats.org/markup-compatibility/2006}AlternateContent"}


@dataclass
class Comment:
    id: str
    author: str
    date: str
    text: str
    quote: str = ""


@dataclass
class ReturnedParagraph:
    """One paragraph of the returned file: its text before and after the tracked changes."""

    index: int                      # 1-based, in body order
    original: str = ""
    proposed: str = ""
    mark: str | None = None         # "ins" or "del" when the paragraph mark itself is tracked
    tracked: int = 0                # tracked insertions and deletions inside it
    comments: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.tracked or self.mark)


@dataclass
class ReturnedDocx:
    properties: dict[str, str]
    paragraphs: list[ReturnedParagraph]
    comments: dict[str, Comment]
    format_changes: int


class _Walker:
    """Collects each paragraph's text as it was and as proposed, comment anchors and quotes."""

    def __init__(self):
        self.paragraphs: list[ReturnedParagraph] = []
        self.format_changes = 0
        self.open_quotes: dict[str, list[str]] = {}
        self.quotes: dict[str, str] = {}

    def body(self, body: ET.Element) -> None:
        for paragraph in body.iter(W + "p"):
            current = ReturnedParagraph(len(self.paragraphs) + 1)
            self.paragraphs.append(current)
            self.walk(paragraph, current, None)

    def text(self, p: ReturnedParagraph, text: str, state: str | None) -> None:
        if state != "ins":
            p.original += text
            for parts in self.open_quotes.values():
                parts.append(text)
        if state != "del":
            p.proposed += text

    def walk(self, element: ET.Element, p: ReturnedParagraph, state: str | None) -> None:
        for child in element:
            tag = child.tag
            if tag == W + "pPr":
                mark = child.find(f"{W}rPr")
                if mark is not None and mark.find(W + "ins") is not None:
                    p.mark = "ins"
                elif mark is not None and mark.find(W + "del") is not None:
                    p.mark = "del"
                self.format_changes += len(child.findall(W + "pPrChange"))
            elif tag == W + "rPr":
                self.format_changes += len(child.findall(W + "rPrChange"))
            elif tag == W + "p":
                continue  # a paragraph nested in a text box: its own entry (body.iter finds it)
            elif tag in _SKIPPED:
                continue
            elif tag in INSERTED or tag in DELETED:
                p.tracked += 1
                self.walk(child, p, "ins" if tag in INSERTED else "del")
            elif tag == W + "t":
                self.text(p, child.text or "", state)
            elif tag == W + "delText":
                self.text(p, child.text or "", "del")
            elif tag in (W + "tab", W + "ptab"):
                self.text(p, "\t", state)
            elif tag in (W + "br", W + "cr"):
                self.text(p, "\n", state)
            elif tag == W + "noBreakHyphen":
                self.text(p, "-", state)
            elif tag == W + "commentRangeStart":
                cid = child.get(W + "id", "")
                p.comments.append(cid)
                self.open_quotes[cid] = []
            elif tag == W + "commentRangeEnd":
                cid = child.get(W + "id", "")
                self.quotes[cid] = "".join(self.open_quotes.pop(cid, []))
            elif tag == W + "commentReference":
                cid = child.get(W + "id", "")
                if cid not in p.comments and cid not in self.quotes:
                    p.comments.append(cid)
            else:
                self.walk(child, p, state)


def _comments(root: ET.Element | None, quotes: dict[str, str]) -> dict[str, Comment]:
    found: dict[str, Comment] = {}
    if root is None:
        return found
    for comment in root.iter(W + "comment"):
        cid = comment.get(W + "id", "")
        paragraphs = []
        for paragraph in comment.iter(W + "p"):
            paragraphs.append("".join(t.text or "" for t in paragraph.iter(W + "t")))
        found[cid] = Comment(cid, comment.get(W + "author", ""), comment.get(W + "date", ""),
                             "\n".join(paragraphs).strip(), quotes.get(cid, "").strip())
    return found


def _custom_properties(root: ET.Element | None) -> dict[str, str]:
    found: dict[str, str] = {}
    if root is None:
        return found
    for prop in root:
        name = prop.get("name")
        if name and len(prop):
            found[name] = (prop[0].text or "").strip()
    return found


def read_returned_docx(path: Path, data: bytes) -> ReturnedDocx:
    """The paragraphs, comments and custom properties of the DOCX ``data`` (read from ``path``).

    Raises :class:`InvalidInput` naming the file for anything that is not a sound Word file.
    """
    path = Path(path)
    with WordPackage(path, data) as package:
        document = package.part("word/document.xml")
        if document is None or document.find(W + "body") is None:
            raise fail(path, "is a zip but not a Word document (no word/document.xml); send "
                       "the review pack's DOCX with your tracked changes")
        walker = _Walker()
        walker.body(document.find(W + "body"))
        comments = _comments(package.related_part("comments"), walker.quotes)
        properties = _custom_properties(package.part("docProps/custom.xml"))
    return ReturnedDocx(properties, walker.paragraphs, comments, walker.format_changes)
