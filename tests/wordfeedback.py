"""Make a returned review pack the way Word writes one: tracked insertions and deletions
(``w:ins``/``w:del`` with ``w:delText``), an inserted paragraph, and comments in
``word/comments.xml`` anchored with ``commentRangeStart``/``commentRangeEnd``.

Test support only (lxml keeps every namespace prefix, as Word needs).
"""

from __future__ import annotations

import copy
import io
import zipfile

from lxml import etree

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = "{%s}" % W_NS
DATE = "2026-12-01T10:00:00Z"
COMMENTS_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml"
COMMENTS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments"


class WordEdits:
    """Edits on a copy of a DOCX; ``save()`` gives the new bytes."""

    def __init__(self, data: bytes, author: str = "Reviewer"):
        self.zip = zipfile.ZipFile(io.BytesIO(data))
        self.parts = {name: self.zip.read(name) for name in self.zip.namelist()}
        self.doc = etree.fromstring(self.parts["word/document.xml"])
        self.author = author
        self.next_id = 100
        self.comments: list[tuple[int, str]] = []

    def _id(self) -> str:
        self.next_id += 1
        return str(self.next_id)

    def paragraph(self, containing: str):
        for p in self.doc.iter(W + "p"):
            if containing in "".join(t.text or "" for t in p.iter(W + "t")):
                return p
        raise AssertionError(f"no paragraph contains {containing!r}")

    def _mark(self, kind: str):
        el = etree.Element(W + kind)
        el.set(W + "id", self._id())
        el.set(W + "author", self.author)
        el.set(W + "date", DATE)
        return el

    def replace(self, containing: str, old: str, new: str) -> None:
        """In the paragraph holding ``containing``: ``old`` deleted and ``new`` inserted, tracked."""
        p = self.paragraph(containing)
        for run in p.findall(W + "r"):
            t = run.find(W + "t")
            if t is None or old not in (t.text or ""):
                continue
            before, after = t.text.split(old, 1)
            rpr = run.find(W + "rPr")
            pieces = []
            if before:
                pieces.append(self._run(before, rpr))
            if old:
                deletion = self._mark("del")
                deletion.append(self._run(old, rpr, deleted=True))
                pieces.append(deletion)
            if new:
                insertion = self._mark("ins")
                insertion.append(self._run(new, rpr))
                pieces.append(insertion)
            if after:
                pieces.append(self._run(after, rpr))
            for piece in pieces:
                run.addprevious(piece)
            p.remove(run)
            return
        raise AssertionError(f"no single run holds {old!r}")

    def insert_paragraph_after(self, containing: str, text: str) -> None:
        """A new paragraph after the one holding ``containing``, as Word tracks Enter + typing:
        the earlier paragraph's mark is the inserted one."""
        p = self.paragraph(containing)
        new = copy.deepcopy(p)
        for child in list(new):
            if child.tag != W + "pPr":
                new.remove(child)
        insertion = self._mark("ins")
        insertion.append(self._run(text, None))
        new.append(insertion)
        ppr = p.find(W + "pPr")
        if ppr is None:
            ppr = etree.SubElement(p, W + "pPr")
            p.insert(0, ppr)
        rpr = ppr.find(W + "rPr")
        if rpr is None:
            rpr = etree.SubElement(ppr, W + "rPr")
        rpr.append(self._mark("ins"))
        p.addnext(new)

    def comment(self, containing: str, text: str) -> None:
        p = self.paragraph(containing)
        cid = self._id()
        start = etree.Element(W + "commentRangeStart")
        start.set(W + "id", cid)
        end = etree.Element(W + "commentRangeEnd")
        end.set(W + "id", cid)
        runs = [c for c in p if c.tag != W + "pPr"]
        runs[0].addprevious(start)
        runs[-1].addnext(end)
        ref_run = etree.SubElement(p, W + "r")
        etree.SubElement(ref_run, W + "commentReference").set(W + "id", cid)
        self.comments.append((int(cid), text))

    def empty_insertion(self, containing: str) -> None:
        """An insertion holding nothing, as LibreOffice wraps a comment's anchor when Track
        Changes is on."""
        self.paragraph(containing).append(self._mark("ins"))

    def edit_untracked(self, containing: str, old: str, new: str) -> None:
        for t in self.paragraph(containing).iter(W + "t"):
            if old in (t.text or ""):
                t.text = t.text.replace(old, new, 1)
                return
        raise AssertionError(old)

    @staticmethod
    def _run(text: str, rpr, deleted: bool = False):
        run = etree.Element(W + "r")
        if rpr is not None:
            run.append(copy.deepcopy(rpr))
        t = etree.SubElement(run, W + ("delText" if deleted else "t"))
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        t.text = text
        return run

    def save(self) -> bytes:
        parts = dict(self.parts)
        parts["word/document.xml"] = etree.tostring(self.doc, xml_declaration=True,
                                                    encoding="UTF-8", standalone=True)
        if self.comments:
            root = etree.Element(W + "comments", nsmap={"w": W_NS})
            for cid, text in self.comments:
                c = etree.SubElement(root, W + "comment")
                c.set(W + "id", str(cid))
                c.set(W + "author", self.author)
                c.set(W + "date", DATE)
                run = etree.SubElement(etree.SubElement(c, W + "p"), W + "r")
                etree.SubElement(run, W + "t").text = text
            parts["word/comments.xml"] = etree.tostring(root, xml_declaration=True,
                                                        encoding="UTF-8", standalone=True)
            types = parts["[Content_Types].xml"].decode()
            if "/word/comments.xml" not in types:
                types = types.replace("</Types>", f'<Override PartName="/word/comments.xml" '
                                      f'ContentType="{COMMENTS_TYPE}"/></Types>')
            parts["[Content_Types].xml"] = types.encode()
            rels = parts["word/_rels/document.xml.rels"].decode()
            if COMMENTS_REL not in rels:
                rels = rels.replace("</Relationships>", f'<Relationship Id="rIdComments9" '
                                    f'Type="{COMMENTS_REL}" Target="comments.xml"/></Relationships>')
            parts["word/_rels/document.xml.rels"] = rels.encode()
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data in parts.items():
                z.writestr(name, data)
        return out.getvalue()
