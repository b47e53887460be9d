"""Custom document properties (``docProps/custom.xml``) added to a finished DOCX.

A review pack's DOCX carries the round and version it belongs to as custom properties:
Word and LibreOffice keep them when a Section saves the file, so a returned file can be
matched to its round. Works on the zip directly (standard library only), then repacks it
deterministically.
"""

from __future__ import annotations

import zipfile
from io import BytesIO
from xml.sax.saxutils import escape, quoteattr

from assembler.writers.docx.zippack import repack

CUSTOM = "docProps/custom.xml"
CUSTOM_TYPE = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
CUSTOM_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"


def custom_xml(properties: dict[str, str]) -> bytes:
    rows = "".join(f'<property fmtid="{FMTID}" pid="{pid}" name={quoteattr(name)}>'
                   f"<vt:lpwstr>{escape(value)}</vt:lpwstr></property>"
                   for pid, (name, value) in enumerate(sorted(properties.items()), start=2))
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
            'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
            f"{rows}</Properties>").encode("utf-8")


def with_custom_properties(data: bytes, properties: dict[str, str], epoch: int) -> bytes:
    """``data`` (a DOCX) with ``properties`` as its custom properties, repacked."""
    source = zipfile.ZipFile(BytesIO(data))
    parts = {name: source.read(name) for name in source.namelist()}
    types = parts["[Content_Types].xml"].decode("utf-8")
    if f'PartName="/{CUSTOM}"' not in types:
        types = types.replace("</Types>", f'<Override PartName="/{CUSTOM}" ContentType="{CUSTOM_TYPE}"/></Types>')
    rels = parts["_rels/.rels"].decode("utf-8")
    if CUSTOM_REL not in rels:
        rels = rels.replace("</Relationships>", f'<Relationship Id="rIdCustomProps" Type="{CUSTOM_REL}" '
                            f'Target="{CUSTOM}"/></Relationships>')
    parts["[Content_Types].xml"] = types.encode("utf-8")
    parts["_rels/.rels"] = rels.encode("utf-8")
    parts[CUSTOM] = custom_xml(properties)
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name, content in parts.items():
            target.writestr(name, content)
    return repack(out.getvalue(), epoch)
