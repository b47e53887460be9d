"""Writers: one module per format, each with ``write(doc, options) -> bytes``, found by name."""

from __future__ import annotations

from typing import Callable

from .. import model as m
from . import json_writer, markdown_writer

Writer = Callable[[m.Document, "dict | None"], bytes]

WRITERS: dict[str, Writer] = {
    "md": markdown_writer.write,
    "json": json_writer.write,
}

EXTENSIONS = {"md": ".md", "json": ".json"}


def writer_for(name: str) -> Writer:
    """The writer registered as ``name`` (KeyError if none is)."""
    return WRITERS[name]
