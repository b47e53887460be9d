"""A sync that stopped on a clause both sides edited: a real merge state, as git's own.

When the sources of an unpushed assembly conflict with the remote's edits, the branch moves
to the remote's tip and the work tree holds the merged sources: parts only one side changed
are merged, parts both changed carry git's conflict markers, and the index marks those files
unmerged (``git status`` says "both modified", ``git commit`` refuses). Your unpushed
commits stay under ``refs/assembler/sync/local`` and their tags under
``refs/assembler/sync/tags/``, and ``.git/assembler/sync-merge.json`` says what to do next.

``assembler sync --continue`` checks no marker is left, then assembles each document you had
assembled (its template, variables and message) from the resolved sources as the next
versions on top of the remote's, and pushes. ``assembler sync --abort`` puts the branch,
work tree and tags back exactly as they were before the sync.

Only assemblies and commits that touch nothing but sources can be carried this way: a
round step or an adoption refers to version numbers that the merge changes.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from assembler.errors import UsageError, WorkspaceStateError
from assembler.history import reading as history
from assembler.history.worktree import SOURCE_FOLDERS
from assembler.repo import checkout, refs
from assembler.repo.merge import merge_text, stage_conflict
from assembler.repo.store import SYNC_MERGE_STATE, ZERO, GitStore

LOCAL_REF = "refs/assembler/sync/local"
TAGS_PREFIX = "refs/assembler/sync/tags/"
_MARKER = re.compile(rb"^(<{7}|>{7})( |$)|^={7}$")


class SyncConflict(WorkspaceStateError):
    """The sync stopped with conflicts in the work tree (the merge state is written)."""


@dataclass
class Carried:
    """An unpushed assembly to make again once the sources are merged."""
    document: str
    template: str
    variables: dict
    message: str | None
    number: int

    def data(self) -> dict:
        return dict(self.__dict__)


def carried_assemblies(store: GitStore, base: str | None, local: str) -> list[Carried] | str:
    """What a merge would carry: the last unpushed assembly of each document, in order; or,
    when a commit cannot be carried, a sentence saying which and why."""
    found: dict[str, Carried] = {}
    entries = {e.commit: e for e in store.log(local)}
    for commit in refs.commits(store, local, base, oldest_first=True):
        entry = entries[commit]
        document = entry.trailer("Document")
        action = (entry.trailer("Action") or "").lower()
        if action == "assemble" and document and not entry.trailer("Round-Step"):
            manifest = history.read_manifest(store, entry.commit, document) or {}
            number = int(entry.trailer("Version") or 0)
            default = entry.subject == f"Assemble {document} v{number}"
            found.pop(document, None)
            found[document] = Carried(document, (manifest.get("template") or {}).get("id", document),
                                      manifest.get("variables", {}), None if default else entry.subject,
                                      number)
            continue
        if any(path.split("/", 1)[0] not in SOURCE_FOLDERS for path in refs.changed_paths(store, entry.commit)):
            return (f"your unpushed commit {entry.commit[:12]} ('{entry.subject}') is not an "
                    "assembly or a source edit, so a merge cannot carry it")
    return list(found.values())


def begin(store: GitStore, remote: str, branch: str, base: str | None, local: str,
          upstream: str, carried: list[Carried]) -> SyncConflict:
    """Enter the merge state (see the module docstring); the error to stop the sync with.
    Refuses, changing nothing, when tracked files have uncommitted edits."""
    dirty = checkout.uncommitted(store)
    if dirty:
        raise WorkspaceStateError(
            "your sources conflict with the remote's edits and you have uncommitted edits "
            f"({dirty[0][3:]}); nothing was changed. Commit or stash them, then run "
            "assembler sync again to merge")
    merges = _three_way(store, base, local, upstream)
    unpushed = set(refs.commits(store, local, upstream))
    tags = {name: refs.object_of(store, f"refs/tags/{name}") or ""
            for name, target in store.tags("").items() if target in unpushed}
    state = {"remote": remote, "branch": branch, "base": base, "local": local,
             "upstream": upstream, "tags": tags, "carried": [c.data() for c in carried],
             "conflicts": sorted(p for p, m in merges.items() if m["conflict"])}
    path = store.git_dir / SYNC_MERGE_STATE
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(state, indent=2) + "\n", encoding="utf-8")
    changes: dict[str, str | None] = {LOCAL_REF: local}
    changes.update({f"{TAGS_PREFIX}{name}": obj for name, obj in tags.items()})
    changes.update({f"refs/tags/{name}": None for name in tags})
    refs.update(store, changes)
    refused = checkout.move(store, local, upstream)
    if refused or not store.compare_and_swap(branch, upstream, local):
        abort(store)
        raise WorkspaceStateError(f"cannot bring in the remote's commits: {refused or 'the branch moved'}; "
                                  "nothing was changed. Move aside the files git names, then sync again")
    _write_merged(store, merges)
    names = ", ".join(state["conflicts"])
    return SyncConflict(f"CONFLICT: you and '{remote}' both edited {names}. Edit the marked "
                        "parts (keep what both meant, remove the <<<<<<< ======= >>>>>>> lines), "
                        "then run assembler sync --continue; or assembler sync --abort to go back")


def _three_way(store: GitStore, base: str | None, local: str, upstream: str) -> dict[str, dict]:
    """Each source the unpushed commits changed: its merge with the remote's version."""
    def blobs(commit):
        found = {}
        for folder in SOURCE_FOLDERS:
            found.update(store.tree_blobs(commit, folder) if commit else {})
        return found
    at_base, ours, theirs = blobs(base), blobs(local), blobs(upstream)
    merges = {}
    for path in sorted(set(at_base) | set(ours)):
        b, o, t = at_base.get(path), ours.get(path), theirs.get(path)
        if o == b or o == t:
            continue                      # unchanged here, or the same change on both sides
        if t == b:
            merges[path] = {"blob": o, "conflict": False, "stages": None}
            continue
        if o is None or t is None:        # deleted on one side, edited on the other
            merges[path] = {"blob": o or t, "conflict": True, "stages": (b, o, t), "text": None}
            continue
        read = [store.read_file(commit, path) or b"" if commit else b""
                for commit in (base if b else None, local, upstream)]
        text, count = merge_text(store, read[0], read[1], read[2],
                                       ("yours (not pushed)", "common ancestor", f"{upstream[:12]} (remote)"))
        merges[path] = {"blob": store.write_blob(text), "conflict": count > 0,
                        "stages": (b, o, t) if count else None}
    return merges


def _write_merged(store: GitStore, merges: dict[str, dict]) -> None:
    """The merged sources into the work tree, clean ones staged, conflicted ones unmerged."""
    clean = {}
    for path, merge in merges.items():
        target = store.root / path
        if merge["blob"] is None:
            target.unlink(missing_ok=True)
            clean[path] = ZERO
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(store.read_blob(merge["blob"]))
        if merge["conflict"]:
            stage_conflict(store, path, *merge["stages"])
        else:
            clean[path] = merge["blob"]
    if clean:
        store.stage(clean)


def state(store: GitStore) -> dict | None:
    """The merge state, or None when no sync stopped on a conflict."""
    path = store.git_dir / SYNC_MERGE_STATE
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def _required(store: GitStore) -> dict:
    found = state(store)
    if found is None:
        raise UsageError("no sync merge is in progress (--continue and --abort finish one that "
                         "stopped on a conflict)")
    return found


def unresolved(store: GitStore, found: dict) -> str | None:
    """The first conflict marker left in a conflicted file, as ``path line N``."""
    for path in found["conflicts"]:
        target = store.root / path
        if not target.exists():
            continue
        for number, line in enumerate(target.read_bytes().splitlines(), 1):
            if _MARKER.match(line):
                return f"{path} line {number}"
    return None


def finish(workspace, store: GitStore) -> list[tuple[str, int, int]]:
    """``--continue``: the carried documents assembled from the resolved sources as new
    versions on the branch; (document, old number, new number) for each."""
    found = _required(store)
    left = unresolved(store, found)
    if left:
        raise WorkspaceStateError(f"{left} still has a conflict marker; edit it away, then run "
                                  "assembler sync --continue (or assembler sync --abort)")
    resolved = {}
    for path in found["conflicts"]:
        target = store.root / path
        resolved[path] = store.write_blob(target.read_bytes()) if target.exists() else ZERO
    store.stage(resolved)
    carried = [Carried(**c) for c in found["carried"]]
    built = [workspace.assemble_sources(c.template, c.variables) for c in carried]  # all or none
    _drop_state(store, found, keep_tags=False)
    renumbered = []
    for c, made in zip(carried, built):
        recorded = workspace.record(store, made, c.message, allow_empty=True)
        renumbered.append((c.document, c.number, recorded.version))
    return renumbered


def abort(store: GitStore) -> None:
    """``--abort``: branch, index, work tree and tags exactly as before the sync."""
    found = _required(store)
    current = store.resolve(found["branch"])
    checkout.reset_hard(store, found["local"])
    if current != found["local"] and store.resolve(found["branch"]) != found["local"]:
        refs.update(store, {found["branch"]: found["local"]})
    _drop_state(store, found, keep_tags=True)


def _drop_state(store: GitStore, found: dict, keep_tags: bool) -> None:
    """Remove the state; the set-aside tags go back (abort) or away (their commits are
    replaced by the new versions)."""
    changes: dict[str, str | None] = {LOCAL_REF: None}
    for name, obj in found["tags"].items():
        changes[f"{TAGS_PREFIX}{name}"] = None
        if keep_tags:
            changes[f"refs/tags/{name}"] = obj
    refs.update(store, changes)
    (store.git_dir / SYNC_MERGE_STATE).unlink(missing_ok=True)
