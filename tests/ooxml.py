"""Reading DOCX files part by part for tests: XML parts, pretty-printed, and sanity checks."""

from __future__ import annotations

import re
import zipfile
from io import BytesIO
from xml.dom import minidom
from xml.etree import ElementTree

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


def parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def pretty(xml: bytes) -> str:
    """An XML part as indented text, for readable golden files and diffs."""
    text = minidom.parseString(xml).toprettyxml(indent="  ")
    return "\n".join(line for line in text.splitlines() if line.strip()) + "\n"


def sanity_problems(data: bytes) -> list[str]:
    """What is wrong with a DOCX at the OOXML level (empty when nothing is)."""
    problems = []
    found = parts(data)
    trees = {}
    for name, raw in found.items():
        if name.endswith((".xml", ".rels")):
            try:
                trees[name] = ElementTree.fromstring(raw)
            except ElementTree.ParseError as exc:
                problems.append(f"{name}: not well-formed ({exc})")
    document = trees.get("word/document.xml")
    if document is None:
        return problems + ["word/document.xml missing"]
    numbering = trees.get("word/numbering.xml")
    num_ids = {n.get(W + "numId") for n in numbering.iter(W + "num")} if numbering is not None else set()
    abstract_ids = ({a.get(W + "abstractNumId") for a in numbering.iter(W + "abstractNum")}
                    if numbering is not None else set())
    for num in (numbering.iter(W + "num") if numbering is not None else []):
        ref = num.find(W + "abstractNumId").get(W + "val")
        if ref not in abstract_ids:
            problems.append(f"numbering: num {num.get(W + 'numId')} names missing abstractNum {ref}")
    styles = {s.get(W + "styleId") for s in trees["word/styles.xml"].iter(W + "style")}
    rels = {r.get("Id") for r in trees["word/_rels/document.xml.rels"]}
    for element in document.iter():
        if element.tag == W + "numId" and element.get(W + "val") not in num_ids:
            problems.append(f"document: numId {element.get(W + 'val')} is not defined")
        if element.tag in (W + "pStyle", W + "rStyle") and element.get(W + "val") not in styles:
            problems.append(f"document: style {element.get(W + 'val')} is not defined")
        rid = element.get(R + "id")
        if rid and rid not in rels:
            problems.append(f"document: relationship {rid} is not defined")
    types = found.get("[Content_Types].xml", b"").decode()
    for name in found:
        extension = name.rsplit(".", 1)[-1]
        if not name.endswith("/") and f'PartName="/{name}"' not in types and f'Extension="{extension}"' not in types:
            problems.append(f"{name}: no content type")
    return problems


def paragraph_texts(data: bytes) -> list[str]:
    """The text of every body paragraph, tracked insertions included, deletions left out."""
    document = ElementTree.fromstring(parts(data)["word/document.xml"])
    texts = []
    for paragraph in document.iter(W + "p"):
        texts.append("".join(t.text or "" for t in paragraph.iter(W + "t")))
    return texts


def numbered_paragraphs(data: bytes) -> int:
    document = ElementTree.fromstring(parts(data)["word/document.xml"])
    return sum(1 for p in document.iter(W + "p") if p.find(f"{W}pPr/{W}numPr") is not None)


def strip_tags(xml: str) -> str:
    return re.sub(r"<[^>]+>", "", xml)
