"""Reading a DOCX a Section sends back: paragraphs before and after their tracked changes,
their comments, and the custom properties that say which review pack it came from.

The file is untrusted. It is checked as a zip before any XML is parsed (file size, number
of entries, total size, expansion ratio: a zip bomb is refused unread), and every XML part
is parsed with defusedxml (defusedxml lives here and nowhere else), which refuses a DTD or an
entity declaration in any encoding: a byte search for ``<!DOCTYPE`` misses a UTF-16 part.
Text is only collected, never interpreted.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree as ET

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

from assembler.errors import InvalidInput, Problem

MAX_FILE_BYTES = 25 * 1024 * 1024
MAX_ENTRIES = 2000
MAX_TOTAL_BYTES = 200 * 1024 * 1024
MAX_RATIO = 100           # uncompressed / compressed, for entries over RATIO_FLOOR bytes
RATIO_FLOOR = 1024 * 1024
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_INSERTED = {W + "ins", W + "moveTo"}
_DELETED = {W + "del", W + "moveFrom"}
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


def _fail(path: Path, message: str) -> InvalidInput:
    return InvalidInput(Problem(str(path), message))


def _open_zip(path: Path, data: bytes) -> zipfile.ZipFile:
    """The zip, after the checks that need no decompression."""
    size = len(data)
    if size > MAX_FILE_BYTES:
        raise _fail(path, f"{size:,} bytes is over the limit of {MAX_FILE_BYTES:,} for a returned "
                    "DOCX; remove pictures or send the comments as Markdown")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _fail(path, "is not a valid Word file (not a zip container); save it from Word "
                    "as .docx and send it again") from None
    if len(infos) > MAX_ENTRIES:
        raise _fail(path, f"has {len(infos):,} parts (limit {MAX_ENTRIES:,}); refused unread")
    total = sum(info.file_size for info in infos)
    if total > MAX_TOTAL_BYTES:
        raise _fail(path, f"would expand to {total:,} bytes (limit {MAX_TOTAL_BYTES:,}): a zip "
                    "bomb or not a review pack; refused unread")
    for info in infos:
        if info.flag_bits & 0x1:
            raise _fail(path, "is encrypted; remove the password in Word and send it again")
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise _fail(path, f"part {info.filename} expands {info.file_size // max(info.compress_size, 1)}"
                        f" times (limit {MAX_RATIO}): a zip bomb; refused unread")
    return archive


def _part(archive: zipfile.ZipFile, path: Path, name: str) -> ET.Element | None:
    """Part ``name`` parsed, None when absent; a DTD or entity declaration is refused."""
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    try:
        with archive.open(info) as stream:
            data = stream.read(info.file_size + 1)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise _fail(path, f"part {name} is damaged; save the file again in Word") from None
    if len(data) > info.file_size:
        raise _fail(path, f"part {name} is larger than its zip entry says; refused")
    try:
        return SafeET.fromstring(data, forbid_dtd=True)
    except DefusedXmlException:
        raise _fail(path, f"part {name} declares a DTD or entities, which Word never writes; "
                    "refused before parsing") from None
    except ET.ParseError as exc:
        raise _fail(path, f"part {name} is not well-formed XML ({exc}); save the file again "
                    "in Word") from None


def _related(archive, path: Path, kind: str) -> str | None:
    """The part the main document links to with a relationship of ``kind`` (e.g. comments)."""
    rels = _part(archive, path, "word/_rels/document.xml.rels")
    if rels is None:
        return None
    for rel in rels:
        if rel.get("Type", "").endswith("/" + kind) and rel.get("TargetMode") != "External":
            target = posixpath.normpath(posixpath.join("word", rel.get("Target", "")))
            return target.lstrip("/")
    return None


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
            elif tag in _INSERTED or tag in _DELETED:
                p.tracked += 1
                self.walk(child, p, "ins" if tag in _INSERTED else "del")
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
    with _open_zip(path, data) as archive:
        document = _part(archive, path, "word/document.xml")
        if document is None or document.find(W + "body") is None:
            raise _fail(path, "is a zip but not a Word document (no word/document.xml); send "
                        "the review pack's DOCX with your tracked changes")
        walker = _Walker()
        walker.body(document.find(W + "body"))
        comments_part = _related(archive, path, "comments")
        comments = _comments(_part(archive, path, comments_part) if comments_part else None,
                             walker.quotes)
        properties = _custom_properties(_part(archive, path, "docProps/custom.xml"))
    return ReturnedDocx(properties, walker.paragraphs, comments, walker.format_changes)
