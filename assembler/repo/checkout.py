"""The work tree and the index: moving them between commits as ``git checkout`` does,
temporary worktrees, and the replay steps (apply a patch three-way, cherry-pick)."""

from __future__ import annotations

from pathlib import Path

from assembler.repo.remote import reason
from assembler.repo.store import GitStore


def move(store: GitStore, old: str, new: str) -> str | None:
    """Make the index and work tree go from commit ``old`` to ``new`` as ``git checkout``
    would (a two-tree ``read-tree -m -u``): staged and unstaged edits to files that do not
    change are kept. None when done, else git's reason (nothing was changed)."""
    store._execute("update-index", "-q", "--refresh")   # entries staged by assemble lack stat data
    status, _out, err = store._execute("read-tree", "-m", "-u", old, new)
    return None if status == 0 else reason(err)


def switch_branch(store: GitStore, branch: str, commit: str) -> None:
    """Check out (creating or resetting) the short-named ``branch`` at ``commit``."""
    store._run("checkout", "--quiet", "-B", branch, commit)
    store.forget_head()


def reset_hard(store: GitStore, commit: str | None = None) -> None:
    """Index and work tree exactly as ``commit`` (default HEAD); the branch follows."""
    store._run("reset", "--quiet", "--hard", *([commit] if commit else []))


def uncommitted(store: GitStore) -> list[str]:
    """Tracked files with uncommitted edits (staged or not), as ``git status`` lines."""
    out = store._run("status", "--porcelain", "--untracked-files=no")
    return [line for line in out.splitlines() if line.strip()]


def add_worktree(store: GitStore, path: Path, branch: str, start: str) -> None:
    """A new worktree at ``path`` on a new branch ``branch`` starting at ``start``."""
    store._run("worktree", "add", "--quiet", "-b", branch, str(path), start)


def remove_worktree(store: GitStore, path: str | Path) -> None:
    store._execute("worktree", "remove", "--force", str(path))


def worktrees(store: GitStore) -> list[dict[str, str]]:
    """Each worktree as git lists it (``worktree``, ``HEAD``, ``branch`` keys)."""
    listing = store._run("worktree", "list", "--porcelain", check=False)
    return [dict(line.split(" ", 1) for line in block.splitlines() if " " in line)
            for block in listing.split("\n\n") if block.strip()]


def prune_worktrees(store: GitStore) -> None:
    store._execute("worktree", "prune")


def source_patch(store: GitStore, old: str, new: str, folders: tuple[str, ...]) -> str:
    """The binary-safe patch from ``old`` to ``new`` under ``folders``."""
    return store._run("diff", "--binary", old, new, "--", *folders)


def apply_three_way(store: GitStore, patch: str) -> str | None:
    """Apply ``patch`` to index and work tree, merging three-way; None when it applied,
    else git's reason (index and work tree reset to HEAD)."""
    status, _out, err = store._execute("apply", "--3way", "--index", "-", input=patch.encode("utf-8"))
    if status == 0:
        return None
    reset_hard(store)
    return reason(err)


def cherry_pick(store: GitStore, commit: str) -> str | None:
    """Replay ``commit`` on the current branch (even when it changes nothing); None when
    done, else git's reason (the pick aborted)."""
    status, _out, err = store._execute("cherry-pick", "--allow-empty", "--keep-redundant-commits", commit)
    if status == 0:
        return None
    store._execute("cherry-pick", "--abort")
    return reason(err)


def is_ancestor_of_head(store: GitStore, commit: str) -> bool:
    """Whether HEAD is ``commit`` or one of its ancestors."""
    status, _out, _err = store._execute("merge-base", "--is-ancestor", "HEAD", commit)
    return status == 0
