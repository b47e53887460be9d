"""What the work tree holds that the branch tip does not: the sources an editor changed.

Sources are the files editors write: clause Markdown in ``clauses/``, templates and the
reference document in ``templates/``, and the folders' ``.gitkeep``. Everything else in the
work tree is the user's own and never committed by the toolkit.
"""

from __future__ import annotations

from pathlib import Path

from assembler.history.versions import commit_epoch
from assembler.repo.store import GitStore
from assembler.sources.files import git_blob_id

SOURCE_FOLDERS = ("clauses", "templates")
REFERENCE_DOCX = "templates/reference.docx"


def is_source(rel: str) -> bool:
    """Whether the workspace path ``rel`` is a source an editor writes: a clause, a template,
    the reference document, or a folder's ``.gitkeep``."""
    if rel.startswith("clauses/"):
        return rel.endswith((".md", "/.gitkeep"))
    if rel.startswith("templates/"):
        return rel.endswith((".yaml", ".yml", "/.gitkeep")) or rel == REFERENCE_DOCX
    return False


def source_changes(store: GitStore, root: Path) -> dict[str, bytes | None]:
    """Sources in ``clauses/`` and ``templates/`` that differ from the branch tip: path ->
    new bytes, or None for a source deleted from the work tree. Links are left alone."""
    head = store.resolve(store.branch())
    committed: dict[str, str] = {}
    if head:
        for folder in SOURCE_FOLDERS:
            committed.update(store.tree_blobs(head, folder))
    found: dict[str, bytes | None] = {}
    for folder in SOURCE_FOLDERS:
        for path in sorted((root / folder).rglob("*")):
            rel = path.relative_to(root).as_posix()
            hidden = any(part.startswith(".") for part in rel.split("/")[:-1])
            if hidden or path.is_symlink() or not path.is_file() or not is_source(rel):
                continue
            data = path.read_bytes()
            if committed.get(rel) != git_blob_id(data):
                found[rel] = data
    for rel in committed:
        if is_source(rel) and not (root / rel).exists() and not (root / rel).is_symlink():
            found[rel] = None
    return found


def commit_new_workspace(root: Path) -> list[str]:
    """Commit a new workspace's folders and reference document (not an example's sources,
    which the first assembly records); notes for people when git has no identity."""
    with GitStore(root) as repo:
        if not repo.has_identity():
            return ["git has no identity configured, so the new workspace is not committed yet; "
                    "set one (git config user.name / user.email), then: git add -A && git commit"]
        skeleton = [f"{folder}/.gitkeep" for folder in (*SOURCE_FOLDERS, "versions")] + [REFERENCE_DOCX]
        blobs = {rel: repo.write_blob((root / rel).read_bytes()) for rel in skeleton}
        commit = repo.commit_files(None, blobs, "Create the workspace\n", commit_epoch())
        repo.compare_and_swap(repo.branch(), commit, None)
        repo.stage(blobs)
    return []
