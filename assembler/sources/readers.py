"""Documents the toolkit wrote, read back: ``.json`` models and canonical ``.md`` files."""

from __future__ import annotations

import json
from pathlib import Path

from assembler.errors import InvalidInput, NotFoundError, Problem, UsageError
from assembler.model import codec, nodes as m
from assembler.sources.files import decode_source
from assembler.sources.markup import markdown_document


def read_json_document(raw: bytes, name: str) -> m.Document:
    """A document model from the bytes of a ``.json`` file the toolkit wrote."""
    try:
        return codec.document_from_data(json.loads(raw.decode("utf-8")))
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidInput(Problem(name, f"not a document model the toolkit wrote ({exc})")) from None


def read_document_file(path: Path) -> m.Document:
    """A document from a .json model or a canonical .md file the toolkit wrote."""
    if not path.is_file():
        raise NotFoundError(f"{path}: no such file")
    data = path.read_bytes()
    if path.suffix == ".json":
        return read_json_document(data, str(path))
    if path.suffix == ".md":
        text, problems = decode_source(data, str(path))
        if problems:
            raise InvalidInput(problems)
        return markdown_document(text, path.stem)
    raise UsageError(f"{path}: --files compares .json models or .md files the toolkit wrote")
