"""Three-way merges of text and the index's conflict stages, as ``git merge`` leaves them."""

from __future__ import annotations

import os
import tempfile

from assembler.errors import EnvironmentFailure
from assembler.repo.store import ZERO, GitStore


def merge_text(store: GitStore, base: bytes, ours: bytes, theirs: bytes,
               labels: tuple[str, str, str]) -> tuple[bytes, int]:
    """A three-way merge of one text (``git merge-file``): the merged bytes, with
    ``<<<<<<<``/``=======``/``>>>>>>>`` around each part both sides changed, and how
    many such conflicts there are (0: merged cleanly)."""
    with tempfile.TemporaryDirectory(prefix="assembler-merge-") as scratch:
        names = []
        for name, data in (("ours", ours), ("base", base), ("theirs", theirs)):
            path = os.path.join(scratch, name)
            with open(path, "wb") as handle:
                handle.write(data)
            names.append(path)
        args = ["merge-file", "-p", "-L", labels[0], "-L", labels[1], "-L", labels[2], *names]
        status, out, err = store._execute_bytes(*args, input=b"")
    if status < 0 or status > 127:
        raise EnvironmentFailure(f"git merge-file failed: {err.strip() or status}")
    return out, status


def stage_conflict(store: GitStore, path: str, base: str | None, ours: str | None,
                   theirs: str | None) -> None:
    """Mark ``path`` unmerged in the user's index, as ``git merge`` does (stages 1, 2, 3
    for the blobs that exist), so ``git status`` says "both modified" and plain
    ``git commit`` refuses until it is resolved."""
    lines = f"0 {ZERO}\t{path}\n"
    for stage, sha in ((1, base), (2, ours), (3, theirs)):
        if sha:
            lines += f"100644 {sha} {stage}\t{path}\n"
    store._run("update-index", "--index-info", input=lines.encode("utf-8"))
