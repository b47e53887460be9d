"""Archival export as a BagIt package (RFC 8500; the ``bagit`` library lives here and
nowhere else).

The bag holds, for each chosen version, its outputs and manifest exactly as committed
(``data/versions/vN/``), the review rounds' records and files (``data/rounds/``), and the
audit report (PDF, CSV, JSON), with SHA-256 and SHA-512 fixity manifests. It is built in a
temporary folder beside the target and moved into place whole, so a failed export leaves
nothing behind.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import bagit

from assembler.archive.audit import Trail, report_pdf, timeline_csv
from assembler.errors import UsageError, WorkspaceStateError
from assembler.history import manifest as mf, reading as history
from assembler.repo.store import GitStore
from assembler.version import TOOL_NAME, __version__


def _chosen(trail: Trail, labels: list[str] | None) -> list[dict]:
    if not labels:
        return trail.versions
    wanted = set()
    for label in labels:
        number = history.LABEL.match(label)
        if label == "latest":
            wanted.add(trail.versions[-1]["version"])
        elif not number:
            raise UsageError(f"'{label}' is not a version label; write v1, v2, … or --all")
        else:
            wanted.add(int(number.group(1)))
    known = {v["version"] for v in trail.versions}
    missing = sorted(wanted - known)
    if missing:
        raise UsageError(f"{trail.document} has no version v{missing[0]}; it has v1 to v{max(known)}")
    return [v for v in trail.versions if v["version"] in wanted]


def export(store: GitStore, ws, trail: Trail, labels: list[str] | None, target: Path) -> dict:
    """Write the bag to ``target`` (which must not exist yet); return a summary."""
    target = Path(target)
    if target.exists():
        raise WorkspaceStateError(f"{target} already exists; choose a new folder for the bag")
    if not target.parent.is_dir():
        raise UsageError(f"{target}: the folder {target.parent} does not exist; create it first")
    chosen = _chosen(trail, labels)
    doc = trail.document
    epoch = max(mf.epoch_of(v["date"]) for v in chosen)
    staging = Path(tempfile.mkdtemp(prefix=".bag-", dir=target.parent))
    try:
        files = 0
        for v in chosen:
            for path, blob in store.tree_blobs(v["commit"], history.folder(doc)).items():
                if "/rounds/" in path:
                    continue
                data = store.read_file(v["commit"], path)
                _write(staging / "versions" / f"v{v['version']}" / path.rsplit("/", 1)[1], data)
                files += 1
        for path in store.tree_blobs(trail.tip, f"{history.folder(doc)}/rounds"):
            _write(staging / "rounds" / path.split("/rounds/", 1)[1], store.read_file(trail.tip, path))
            files += 1
        _write(staging / "audit" / f"{doc}-audit.pdf", report_pdf(ws, trail))
        _write(staging / "audit" / f"{doc}-audit.csv", timeline_csv(trail))
        _write(staging / "audit" / f"{doc}-audit.json",
               (json.dumps(trail.data(), ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
        info = {"Source-Organization": "Policy Assembler workspace",
                "External-Identifier": f"{doc} " + " ".join(f"v{v['version']}" for v in chosen),
                "External-Description": f"Versions, review rounds and audit trail of {doc}, "
                                        f"exported from commit {trail.tip}",
                "Bagging-Date": mf.iso_time(epoch)[:10],
                "Bag-Software-Agent": f"{TOOL_NAME} {__version__} with bagit {bagit.VERSION}"}
        bagit.make_bag(str(staging), info, checksums=["sha256", "sha512"])
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return {"bag": str(target), "document": doc, "versions": [v["version"] for v in chosen],
            "files": files + 3}


def _write(path: Path, data: bytes | None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data or b"")


def validate(path: Path) -> tuple[bool, str]:
    """The bagit library's own validation of the bag at ``path``: (valid, message)."""
    try:
        bagit.Bag(str(path)).validate(completeness_only=False)
    except bagit.BagError as exc:
        return False, str(exc)
    return True, "valid"
