"""The document model <-> plain JSON-ready data (dicts, lists, strings), both ways.

The JSON writer and every reader of ``<doc>.json`` (show, redline --files) go through
here, so the on-disk shape is defined once. ``SCHEMA`` changes when the shape does.
"""

from __future__ import annotations

import dataclasses
from typing import Any, cast

from assembler.model import nodes as m

SCHEMA = "policy-assembler/document/1"
# Redline marks on blocks, written only when present.
MARK_KEYS = ("change", "old_number", "old_start", "old_level", "old_kind", "break_change")


def origin_data(origin: m.Origin | None) -> dict[str, str] | None:
    if origin is None:
        return None
    return {"kind": origin.kind, "id": origin.id, "path": origin.path, "blob": origin.blob}


def inline_data(node: m.Inline) -> dict[str, Any]:
    if isinstance(node, m.Text):
        return {"type": "text", "text": node.text}
    if isinstance(node, m.Emph):
        return {"type": "emph", "content": [inline_data(n) for n in node.content]}
    if isinstance(node, m.Strong):
        return {"type": "strong", "content": [inline_data(n) for n in node.content]}
    if isinstance(node, m.Code):
        return {"type": "code", "text": node.text}
    if isinstance(node, m.Link):
        data: dict[str, Any] = {"type": "link", "target": node.target,
                                "content": [inline_data(n) for n in node.content]}
        if node.old_target is not None:  # a redline mark, only when present
            data["old_target"] = node.old_target
        return data
    if isinstance(node, m.LineBreak):
        return {"type": "linebreak"}
    if isinstance(node, m.Var):
        return {"type": "var", "name": node.name}
    if isinstance(node, m.Ref):
        return {"type": "ref", "target": node.target, "label": node.label}
    if isinstance(node, (m.Ins, m.Del)):
        return {"type": "ins" if isinstance(node, m.Ins) else "del",
                "content": [inline_data(n) for n in node.content]}
    raise TypeError(f"not an inline: {node!r}")


def block_data(node: m.Block) -> dict[str, Any]:
    data: dict[str, Any]
    if isinstance(node, m.Paragraph):
        data = {"type": "paragraph", "content": [inline_data(n) for n in node.content]}
    elif isinstance(node, m.Heading):
        data = {"type": "heading", "level": node.level,
                "content": [inline_data(n) for n in node.content]}
    elif isinstance(node, m.BulletList):
        data = {"type": "bullet_list", "items": [[block_data(b) for b in item] for item in node.items]}
    elif isinstance(node, m.OrderedList):
        data = {"type": "ordered_list", "start": node.start,
                "items": [[block_data(b) for b in item] for item in node.items]}
    elif isinstance(node, m.Clause):
        data = {"type": "clause", "id": node.id, "number": node.number, "title": node.title,
                "blocks": [block_data(b) for b in node.blocks]}
    elif isinstance(node, m.ClauseList):
        data = {"type": "clause_list", "start": node.start,
                "items": [block_data(c) for c in node.items]}
    elif isinstance(node, m.Table):
        def cell(value: m.Cell) -> object:
            return value if isinstance(value, str) else {"inlines": [inline_data(n) for n in value]}

        data = {"type": "table", "caption": node.caption, "header": [cell(c) for c in node.header],
                "rows": [[cell(c) for c in row] for row in node.rows],
                "widths": list(node.widths)}
        if node.row_changes:
            data["row_changes"] = list(node.row_changes)
        if node.old_columns is not None:
            data["old_columns"], data["new_columns"] = node.old_columns, node.new_columns
    else:
        raise TypeError(f"not a block: {node!r}")
    if node.origin is not None:
        data["origin"] = origin_data(node.origin)
    # redline marks only when present, so documents without them keep their exact shape
    for key in MARK_KEYS:
        if getattr(node, key, None) is not None:
            data[key] = getattr(node, key)
    return data


def document_data(doc: m.Document) -> dict[str, Any]:
    """``doc`` as plain data: what ``<doc>.json`` holds."""
    return {
        "schema": SCHEMA,
        "id": doc.id,
        "title": [inline_data(n) for n in doc.title],
        "origin": origin_data(doc.origin),
        "variables": dict(doc.variables),
        "meta": dict(doc.meta),
        "blocks": [block_data(b) for b in doc.blocks],
    }


# ---------------------------------------------------------------- back again

def _origin(data: dict[str, str] | None) -> m.Origin | None:
    if data is None:
        return None
    return m.Origin(data["kind"], data["id"], data["path"], data["blob"])


def _inlines(items: list[dict[str, Any]]) -> tuple[m.Inline, ...]:
    return tuple([_inline(item) for item in items])  # a list first: faster than a generator


def _inline(data: dict[str, Any]) -> m.Inline:
    kind = data["type"]
    if kind == "text":
        return m.Text(data["text"])
    if kind == "emph":
        return m.Emph(_inlines(data["content"]))
    if kind == "strong":
        return m.Strong(_inlines(data["content"]))
    if kind == "code":
        return m.Code(data["text"])
    if kind == "link":
        return m.Link(_inlines(data["content"]), data["target"], data.get("old_target"))
    if kind == "linebreak":
        return m.LineBreak()
    if kind == "var":
        return m.Var(data["name"])
    if kind == "ref":
        return m.Ref(data["target"], data.get("label"))
    if kind == "ins":
        return m.Ins(_inlines(data["content"]))
    if kind == "del":
        return m.Del(_inlines(data["content"]))
    raise ValueError(f"unknown inline type '{kind}'")


def _block(data: dict[str, Any]) -> m.Block:
    block = _plain_block(data)
    marks = {key: data[key] for key in MARK_KEYS if key in data}
    return dataclasses.replace(block, **marks) if marks else block


def _plain_block(data: dict[str, Any]) -> m.Block:
    kind = data["type"]
    origin = _origin(data.get("origin"))
    if kind == "paragraph":
        return m.Paragraph(_inlines(data["content"]), origin)
    if kind == "heading":
        return m.Heading(int(data["level"]), _inlines(data["content"]), origin)
    if kind == "bullet_list":
        return m.BulletList(tuple([tuple([_block(b) for b in item]) for item in data["items"]]), origin)
    if kind == "ordered_list":
        return m.OrderedList(tuple([tuple([_block(b) for b in item]) for item in data["items"]]),
                             int(data.get("start", 1)), origin)
    if kind == "clause":
        # a clause always has an origin when written; one read without it keeps None, as before
        return m.Clause(data["id"], tuple([_block(b) for b in data["blocks"]]), cast(m.Origin, origin),
                        data.get("number"), data.get("title", ""))
    if kind == "clause_list":
        items = cast("tuple[m.Clause, ...]", tuple([_block(c) for c in data["items"]]))  # clauses only
        return m.ClauseList(items, int(data.get("start", 1)), origin)
    if kind == "table":
        def cell(value: object) -> m.Cell:
            return _inlines(value["inlines"]) if isinstance(value, dict) else str(value)

        return m.Table(str(data["caption"]), tuple(cell(c) for c in data["header"]),
                       tuple(tuple(cell(c) for c in row) for row in data["rows"]),
                       tuple(float(w) for w in data.get("widths", [])), origin,
                       row_changes=tuple(data.get("row_changes", ())),
                       old_columns=data.get("old_columns"), new_columns=data.get("new_columns"))
    raise ValueError(f"unknown block type '{kind}'")


def document_from_data(data: object) -> m.Document:
    """The :class:`Document` that :func:`document_data` turned into ``data``.

    Raises ValueError (or KeyError/TypeError) on data of another shape; callers turn that
    into a message naming the file.
    """
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise ValueError(f"not a Policy Assembler document (expected schema '{SCHEMA}')")
    return m.Document(
        data["id"], _inlines(data["title"]), tuple(_block(b) for b in data["blocks"]),
        cast(m.Origin, _origin(data["origin"])),  # None only in a document written without one
        tuple(sorted(data.get("variables", {}).items())),
        tuple(sorted(data.get("meta", {}).items())),
    )
