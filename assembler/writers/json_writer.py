"""Document -> JSON bytes: the model as data, each block with the clause it came from."""

from __future__ import annotations

import json

from assembler.model import nodes as m
from assembler.model.codec import document_data


def write(doc: m.Document, options=None) -> bytes:
    """UTF-8 JSON, keys in a fixed order, two-space indent, ending in a newline."""
    return (json.dumps(document_data(doc), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
