"""Refs and the commits they name: listings, transactions, ancestry, ranges of commits.

Everything here runs git through the store's private runner; callers pass ref names and
object ids, never options.
"""

from __future__ import annotations

from assembler.repo.store import GitStore


def listing(store: GitStore, prefix: str) -> dict[str, tuple[str, str]]:
    """``ref name (without prefix) -> (object, commit it names)`` for the refs under
    ``prefix`` (symbolic refs such as ``origin/HEAD`` left out: they follow their target)."""
    out = store._run("for-each-ref", "--format=%(refname)%00%(objectname)%00%(*objectname)%00%(symref)",
                     prefix)
    found = {}
    for line in out.splitlines():
        name, direct, peeled, symref = line.split("\0")
        if not symref:
            found[name[len(prefix):]] = (direct, peeled or direct)
    return found


def update(store: GitStore, changes: dict[str, str | None]) -> None:
    """Set each full ref to its object, or delete it (None), in one transaction."""
    if not changes:
        return
    lines = [f"delete {ref}" if obj is None else f"update {ref} {obj}"
             for ref, obj in changes.items()]
    store._run("update-ref", "--stdin", input=("\n".join(lines) + "\n").encode())


def set_under(store: GitStore, prefix: str, wanted: dict[str, str]) -> None:
    """Make the refs under ``prefix`` exactly ``wanted`` (name -> object; one transaction)."""
    now = listing(store, prefix)
    changes: dict[str, str | None] = {f"{prefix}{name}": None for name in now if name not in wanted}
    changes.update({f"{prefix}{name}": obj for name, obj in wanted.items()
                    if now.get(name, ("",))[0] != obj})
    update(store, changes)


def objects(store: GitStore, prefix: str) -> dict[str, str]:
    """``full ref -> object`` (tag objects, not their commits) under ``prefix``."""
    out = store._run("for-each-ref", "--format=%(refname) %(objectname)", prefix)
    return dict(line.split(" ", 1) for line in out.splitlines() if line)


def object_of(store: GitStore, ref: str) -> str | None:
    """The object a full ref points at (a tag object for an annotated tag), or None."""
    return store._run("rev-parse", "-q", "--verify", ref, check=False).strip() or None


def commit_of(store: GitStore, obj: str) -> str:
    """The commit an object (a tag or a commit) names."""
    return store._run("rev-parse", f"{obj}^{{commit}}").strip()


def is_ancestor(store: GitStore, older: str, newer: str) -> bool:
    status, _out, _err = store._execute("merge-base", "--is-ancestor", older, newer)
    return status == 0


def merge_base(store: GitStore, one: str, other: str) -> str | None:
    return store._run("merge-base", one, other, check=False).strip() or None


def commits(store: GitStore, tip: str, since: str | None = None, oldest_first: bool = False) -> list[str]:
    """The commits reachable from ``tip`` and not from ``since`` (all when None)."""
    args = ["rev-list"] + (["--reverse"] if oldest_first else [])
    return store._run(*args, f"{since}..{tip}" if since else tip).split()


def commits_not_on_remote(store: GitStore, tip: str, remote: str) -> list[str]:
    """The commits of ``tip`` that no remote-tracking branch of ``remote`` holds."""
    return store._run("rev-list", tip, "--not", f"--remotes={remote}").split()


def on_a_remote(store: GitStore, commit: str) -> bool:
    """Whether some remote-tracking branch holds ``commit`` (it was pushed or fetched)."""
    return bool(store._run("branch", "--remotes", "--contains", commit).strip())


def names(store: GitStore, *patterns: str) -> list[str]:
    """Full ref names matching ``for-each-ref`` patterns (``refs/heads/review/R1/``)."""
    return store._run("for-each-ref", "--format=%(refname)", *patterns, check=False).split()


def delete_branch(store: GitStore, name: str) -> None:
    store._execute("branch", "-D", name)


def upstream(store: GitStore) -> str | None:
    """The current branch's upstream (``origin/main``), or None when it has none."""
    return store._run("rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{upstream}",
                      check=False).strip() or None


def changed_paths(store: GitStore, commit: str) -> list[str]:
    """The paths one commit changes (against its first parent; all for a root commit)."""
    out = store._run("diff-tree", "--no-commit-id", "--name-only", "-r", "--root", commit)
    return [line for line in out.split("\n") if line]
