"""The provenance record of a version (``versions/<doc>/manifest.json``), built and read.

It names the template and every clause used (path and git blob id, in order), the
variables, the tool, the SHA-256 of every output and the assembly time, which is also the
commit's time, so that the version can be rebuilt from its commit and compared byte for byte.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from assembler.version import TOOL_NAME, __version__

if TYPE_CHECKING:   # imported where used, so the command line starts fast
    from assembler.model import nodes as m

SCHEMA = "policy-assembler/manifest/1"


@dataclass(frozen=True)
class Source:
    kind: str   # "template", "clause", "reference" (the DOCX reference document) or "source"
                # (in a language version: the source-language clause a translation stands for)
    id: str
    path: str
    blob: str


def iso_time(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def epoch_of(iso: str) -> int:
    """The epoch of a time written by :func:`iso_time`."""
    return int(datetime.strptime(iso, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp())


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def build(doc: m.Document, version: int, status: str, sources: list[Source],
          outputs: dict[str, bytes], epoch: int, author: str, digest: str,
          round_id: str | None = None, translation: dict | None = None) -> dict:
    """The manifest of ``doc`` as version ``version`` (plain data, keys in a fixed order)."""
    from assembler.model import nodes as m
    from assembler.writers import renderer_identity
    templates = [s for s in sources if s.kind == "template"]
    reference = next((s for s in sources if s.kind == "reference"), None)
    return {
        "schema": SCHEMA,
        "document": doc.id,
        "version": version,
        "status": status,
        "title": m.plain_text(doc.title),
        "template": {"id": templates[0].id, "path": templates[0].path, "blob": templates[0].blob},
        "included_templates": [{"id": t.id, "path": t.path, "blob": t.blob} for t in templates[1:]],
        "clauses": [{"id": s.id, "path": s.path, "blob": s.blob} for s in sources
                    if s.kind == "clause"],
        **({"translated_from": [{"id": s.id, "path": s.path, "blob": s.blob} for s in sources
                                if s.kind == "source"]} if any(s.kind == "source" for s in sources) else {}),
        "reference": {"path": reference.path, "blob": reference.blob} if reference else None,
        "variables": dict(doc.variables),
        "sources_digest": digest,
        "author": author,
        "tool": {"name": TOOL_NAME, "version": __version__},
        "renderer": renderer_identity(),
        "outputs": {name: {"sha256": sha256(data), "bytes": len(data)}
                    for name, data in sorted(outputs.items())},
        "assembled_at": iso_time(epoch),
        "round": round_id,
        **({"translation": translation} if translation else {}),
    }


def dumps(manifest: dict) -> bytes:
    return (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def loads(data: bytes) -> dict:
    """Parse a manifest; ValueError when it is not one."""
    manifest = json.loads(data.decode("utf-8"))
    if not isinstance(manifest, dict) or manifest.get("schema") != SCHEMA:
        raise ValueError(f"not a manifest (expected schema '{SCHEMA}')")
    return manifest


def sources(manifest: dict) -> list[Source]:
    """The template(s) and clauses a manifest names, template first."""
    out = [Source("template", manifest["template"]["id"], manifest["template"]["path"],
                  manifest["template"]["blob"])]
    out += [Source("template", t["id"], t["path"], t["blob"]) for t in manifest.get("included_templates", [])]
    out += [Source("clause", c["id"], c["path"], c["blob"]) for c in manifest["clauses"]]
    out += [Source("source", c["id"], c["path"], c["blob"]) for c in manifest.get("translated_from", [])]
    if manifest.get("reference"):
        out.append(Source("reference", "reference", manifest["reference"]["path"],
                          manifest["reference"]["blob"]))
    return out


def same_content(a: dict, b: dict) -> bool:
    """True when two manifests record the same sources, variables and tool: the same
    document, whatever version number and date its outputs carry."""
    keys = ("document", "template", "included_templates", "clauses", "reference", "variables",
            "tool", "translation", "translated_from")
    return all(a.get(k) == b.get(k) for k in keys)
