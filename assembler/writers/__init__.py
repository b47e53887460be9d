"""Writers: one module per format, each with ``write(doc, options) -> bytes``, found by name."""

from __future__ import annotations

from typing import Callable

from .. import model as m
from . import docx_writer, html_writer, json_writer, markdown_writer, pdf_writer
from .options import RenderOptions

Writer = Callable[[m.Document, "RenderOptions | None"], bytes]

WRITERS: dict[str, Writer] = {
    "md": markdown_writer.write,
    "json": json_writer.write,
    "html": html_writer.write,
    "docx": docx_writer.write,
    "pdf": pdf_writer.write,
}

EXTENSIONS = {name: "." + name for name in WRITERS}
BINARY = {"docx", "pdf"}


def writer_for(name: str) -> Writer:
    """The writer registered as ``name`` (KeyError if none is)."""
    return WRITERS[name]


def default_reference_docx(epoch: int = 0) -> bytes:
    """The reference document new workspaces get as ``templates/reference.docx``."""
    return docx_writer.default_reference(epoch)
