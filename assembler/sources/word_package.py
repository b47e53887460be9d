"""Opening an untrusted Word file (DOCX): the zip checked before anything is decompressed,
every XML part parsed with defusedxml (defusedxml lives here and nowhere else).

The checks: file size, number of entries, total expanded size and expansion ratio (a zip
bomb is refused unread), encryption, parts that lie about their size; an XML part that
declares a DTD or an entity is refused in any encoding (a byte search for ``<!DOCTYPE``
misses a UTF-16 part). Used by the import of Word documents and by the reader of the
DOCX files Sections send back.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
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
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
# Word's tracked changes: what they insert and what they delete (moves included)
INSERTED = frozenset({W + "ins", W + "moveTo"})
DELETED = frozenset({W + "del", W + "moveFrom"})


def fail(path: Path, message: str) -> InvalidInput:
    """The error for a file that cannot be read: one problem naming it."""
    return InvalidInput(Problem(str(path), message))


class WordPackage:
    """A DOCX opened for reading (use in a ``with``): its parts, parsed safely."""

    def __init__(self, path: Path, data: bytes):
        self.path = Path(path)
        size = len(data)
        if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":   # an OLE compound file, not a zip
            if "EncryptedPackage".encode("utf-16-le") in data:
                raise fail(self.path, "is encrypted (password protected); remove the password in "
                           "Word (File > Info > Protect Document) and try again")
            raise fail(self.path, "is an old Word 97-2003 file (.doc), not a .docx; save it as "
                       ".docx and try again")
        if size > MAX_FILE_BYTES:
            raise fail(self.path, f"{size:,} bytes is over the limit of {MAX_FILE_BYTES:,} for a "
                       "Word file; remove pictures and try again")
        try:
            self.archive = zipfile.ZipFile(io.BytesIO(data))
            infos = self.archive.infolist()
        except (zipfile.BadZipFile, OSError, ValueError):
            raise fail(self.path, "is not a valid Word file (not a zip container); save it "
                       "from Word as .docx and try again") from None
        if len(infos) > MAX_ENTRIES:
            raise fail(self.path, f"has {len(infos):,} parts (limit {MAX_ENTRIES:,}); refused unread")
        total = sum(info.file_size for info in infos)
        if total > MAX_TOTAL_BYTES:
            raise fail(self.path, f"would expand to {total:,} bytes (limit {MAX_TOTAL_BYTES:,}): a "
                       "zip bomb or not a Word file; refused unread")
        for info in infos:
            if info.flag_bits & 0x1:
                raise fail(self.path, "is encrypted; remove the password in Word and try again")
            if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise fail(self.path, f"part {info.filename} expands "
                           f"{info.file_size // max(info.compress_size, 1)} times (limit {MAX_RATIO}):"
                           " a zip bomb; refused unread")
        if "EncryptedPackage" in self.archive.namelist():
            raise fail(self.path, "is encrypted; remove the password in Word and try again")

    def __enter__(self) -> WordPackage:
        return self

    def __exit__(self, *exc: object) -> None:
        self.archive.close()

    def part(self, name: str) -> ET.Element | None:
        """Part ``name`` parsed, None when absent; a DTD or entity declaration is refused."""
        try:
            info = self.archive.getinfo(name)
        except KeyError:
            return None
        try:
            with self.archive.open(info) as stream:
                data = stream.read(info.file_size + 1)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            raise fail(self.path, f"part {name} is damaged; save the file again in Word") from None
        if len(data) > info.file_size:
            raise fail(self.path, f"part {name} is larger than its zip entry says; refused")
        try:
            root: ET.Element = SafeET.fromstring(data, forbid_dtd=True)
            return root
        except DefusedXmlException:
            raise fail(self.path, f"part {name} declares a DTD or entities, which Word never "
                       "writes; refused before parsing") from None
        except ET.ParseError as exc:
            raise fail(self.path, f"part {name} is not well-formed XML ({exc}); save the file "
                       "again in Word") from None

    def relationships(self) -> dict[str, tuple[str, str, bool]]:
        """The main document's relationships: id -> (type's last word, target, external)."""
        rels = self.part("word/_rels/document.xml.rels")
        found = {}
        for rel in rels if rels is not None else []:
            found[rel.get("Id", "")] = (rel.get("Type", "").rsplit("/", 1)[-1], rel.get("Target", ""),
                                        rel.get("TargetMode") == "External")
        return found

    def related(self, kind: str) -> str | None:
        """The part the main document links to with a relationship of ``kind`` (e.g.
        comments), as a path inside the package."""
        for rel_kind, target, external in self.relationships().values():
            if rel_kind == kind and not external:
                return posixpath.normpath(posixpath.join("word", target)).lstrip("/")
        return None

    def related_part(self, kind: str) -> ET.Element | None:
        name = self.related(kind)
        return self.part(name) if name else None
