"""Writers: one module per format, each with ``write(doc, options) -> bytes``, found by name.

Modules are imported on first use, so commands that render nothing (log, show, check) do
not pay for loading python-docx or reportlab.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:   # the registry itself loads nothing: the command line starts fast
    from assembler.model import nodes as m
    from assembler.writers.options import RenderOptions

Writer = Callable[["m.Document", "RenderOptions | None"], bytes]

MODULES = {
    "md": "markdown_writer",
    "json": "json_writer",
    "html": "html_writer",
    "docx": "docx.writer",
    "pdf": "pdf.writer",
    "terminal": "terminal_writer",
}
WRITERS = ("md", "json", "html", "docx", "pdf")   # the output formats, in the order listed
EXTENSIONS = {name: "." + name for name in MODULES}
BINARY = {"docx", "pdf"}


def writer_for(name: str) -> Writer:
    """The writer registered as ``name`` (KeyError if none is)."""
    return importlib.import_module(f"{__name__}.{MODULES[name]}").write


def default_reference_docx(epoch: int = 0) -> bytes:
    """The reference document new workspaces get as ``templates/reference.docx``."""
    return importlib.import_module(f"{__name__}.docx.writer").default_reference(epoch)
