"""Working across clones through a shared git server: fetch, integrate, push. Never
``--force``, never a lost commit on either side.

A version number is only final once pushed. When the remote moved, the local commits that
were never pushed are replayed on top of it in a temporary worktree: an assembly is
re-assembled there from its sources merged onto the remote's (so it takes the next free
number, with its manifest, outputs and tag made anew), and any other commit (round steps,
the user's own commits) is cherry-picked. Only when every step succeeded does the branch
move, as ``git checkout`` would (a two-tree ``read-tree -m -u``, then a compare-and-swap of
the branch), which keeps the user's staged and unstaged edits or refuses; the push is
``--atomic`` for the branch and its new tags, and a push that lost a race is retried from a
fresh fetch. The remote's tags are taken through a private mirror: a tag held here for the
same commit becomes the remote's, one naming another commit stops the sync by name. When an
assembly's sources conflict with the remote's, the sync stops in a merge state
(:mod:`assembler.history.sync_merge`). This module decides what happens; the git commands
themselves are in :mod:`assembler.repo`.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from assembler.errors import RemoteError, UsageError, WorkspaceStateError
from assembler.history import reading as history, sync_merge
from assembler.repo import checkout, refs, remote as git_remote
from assembler.repo.locking import workspace_lock
from assembler.repo.store import GitStore

MAX_ROUNDS = 8


@dataclass
class SyncResult:
    remote: str
    pulled: int = 0                 # commits taken from the remote
    pushed: int = 0                 # commits sent
    renumbered: list[tuple[str, int, int]] = field(default_factory=list)   # (doc, old, new)
    attempts: int = 0

    def data(self) -> dict:
        return {"remote": self.remote, "pulled": self.pulled, "pushed": self.pushed,
                "renumbered": [{"document": d, "from": a, "to": b} for d, a, b in self.renumbered],
                "attempts": self.attempts}


class _SourcesConflict(WorkspaceStateError):
    """An unpushed assembly's sources conflict with the remote's (``span``: base, local and
    remote tips), turned into a merge state by :func:`sync` when it can be carried."""
    span: tuple[str | None, str, str] = (None, "", "")


def _remote_ref(remote: str, branch: str) -> str:
    return f"refs/remotes/{remote}/{branch.rsplit('/', 1)[-1]}"


def _fetch(store: GitStore, remote: str, branch: str) -> str | None:
    """Fetch the remote's branch, its tags and the Sections' review branches in one go;
    the remote branch's commit.

    The remote's tags arrive in a private mirror first (``refs/assembler/tags/<remote>/``)
    and are taken from there by :func:`_take_tags`, so that a tag we hold for the same
    commit as another object (made by hand or by an older toolkit after a plain ``git
    pull``) is replaced rather than refused, and a tag naming another commit is named in
    the error instead of failing the whole fetch without a word.
    """
    short = branch[len("refs/heads/"):]
    before = refs.listing(store, f"refs/remotes/{remote}/")
    fetched = git_remote.fetch(store, remote, [f"+refs/heads/{short}:{_remote_ref(remote, branch)}",
                                               f"+refs/heads/review/*:refs/remotes/{remote}/review/*",
                                               f"+refs/tags/*:{_mirror(remote)}*"])
    if not fetched.ok:
        if fetched.missing:
            return None
        raise RemoteError(f"cannot fetch from '{remote}': {fetched.reason}; nothing was changed")
    try:
        _take_tags(store, remote)
    except RemoteError:
        refs.set_under(store, f"refs/remotes/{remote}/", {n: obj for n, (obj, _) in before.items()})
        refs.set_under(store, _mirror(remote), {})
        raise
    return store.resolve(_remote_ref(remote, branch))


def _mirror(remote: str) -> str:
    return f"refs/assembler/tags/{remote}/"


def _take_tags(store: GitStore, remote: str) -> None:
    """Take the remote's tags from the mirror: new ones are created, one we hold for the
    same commit becomes the remote's object; a tag of ours naming another commit stops the
    sync with its name, both commits and what to do, before any tag changes."""
    theirs = refs.listing(store, _mirror(remote))
    ours = refs.listing(store, "refs/tags/")
    clashes = [(name, ours[name][1], commit) for name, (_obj, commit) in theirs.items()
               if name in ours and ours[name][1] != commit]
    if clashes:
        name, mine, other = clashes[0]
        more = f" (and {len(clashes) - 1} more)" if len(clashes) > 1 else ""
        raise RemoteError(f"your tag {name} names commit {mine[:12]} but '{remote}' has {name} on "
                          f"{other[:12]}{more}; nothing was changed. If yours is a mistake, delete it "
                          f"(git tag -d {name}) and run assembler sync again")
    changes: dict[str, str | None] = {f"refs/tags/{name}": obj for name, (obj, _) in theirs.items()
                                      if ours.get(name, ("",))[0] != obj}
    changes.update({f"{_mirror(remote)}{name}": None for name in theirs})
    refs.update(store, changes)


def _local_tags(store: GitStore, commits: list[str]) -> dict[str, str]:
    """Version tags on the given (never pushed) commits."""
    wanted = set(commits)
    found = {}
    for name, target in store.tags("").items():
        if target in wanted:
            found[name] = target
    return found


def sync(workspace, remote: str = "origin", then: str | None = None) -> SyncResult:
    """Fetch ``remote``, replay local unpushed commits on top of it, push. ``then`` is
    ``"continue"`` or ``"abort"`` to finish a sync that stopped on a clause conflict
    (:mod:`assembler.sync_merge`)."""
    result = SyncResult(remote)
    with workspace.store() as store:
        if then:
            merging = sync_merge.state(store)
            if merging is None:
                raise UsageError("no sync merge is in progress (--continue and --abort finish a "
                                 "sync that stopped on a clause conflict)")
            remote = result.remote = merging["remote"]
        branch = store.branch()
        store.identity()
        busy = None if then else store.operation_in_progress()
        if busy:
            raise WorkspaceStateError(f"{busy} is in progress; finish or abort it before syncing")
        if remote not in git_remote.names(store):
            raise UsageError(f"no git remote '{remote}'; add one with git remote add {remote} URL "
                             "(assembler clone sets up 'origin')")
        if then == "continue":   # records versions, which takes the workspace lock itself
            result.renumbered.extend(sync_merge.finish(workspace, store))
        with workspace_lock(store.git_dir):
            if then == "abort":
                sync_merge.abort(store)
                return result
            _clean_leftovers(store)
            for attempt in range(1, MAX_ROUNDS + 1):
                result.attempts = attempt
                before = _tag_snapshot(store)
                try:
                    done = _integrate(workspace, store, remote, branch, result)
                except _SourcesConflict as conflict:
                    _restore_snapshot(store, before)
                    raise _merge_state(store, remote, branch, conflict) from None
                except BaseException:
                    _restore_snapshot(store, before)
                    raise
                if done is None:
                    _restore_snapshot(store, before)   # the remote took a number meanwhile: again
                    continue
                local, upstream = done
                if local is None or local == upstream:
                    return result
                ahead = refs.commits(store, local, upstream)
                if _push(store, remote, branch, ahead):
                    result.pushed += len(ahead)
                    return result
            raise RemoteError(f"'{remote}' kept moving while syncing ({MAX_ROUNDS} tries); run "
                              "assembler sync again")


def _merge_state(store: GitStore, remote: str, branch: str,
                 conflict: _SourcesConflict) -> WorkspaceStateError:
    """The error that stops the sync: a merge state to resolve when the unpushed commits can
    be carried through one, else the conflict itself with nothing changed."""
    base, local, upstream = conflict.span
    carried = sync_merge.carried_assemblies(store, base, local)
    if isinstance(carried, str):
        return WorkspaceStateError(f"{conflict}; {carried}; nothing was changed. Sync your "
                                   "assemblies before adopting or running a round step on them")
    return sync_merge.begin(store, remote, branch, base, local, upstream, carried)


def _push(store: GitStore, remote: str, branch: str, commits: list[str]) -> bool:
    """Push the branch and the tags on the pushed commits, all or nothing; False when the
    remote moved in the meantime (the caller integrates again)."""
    tags = sorted(_local_tags(store, commits))
    pushed = git_remote.push(store, remote, [f"{branch}:{branch}",
                                             *[f"refs/tags/{t}:refs/tags/{t}" for t in tags]])
    if pushed.ok:
        return True
    if pushed.moved:
        return False   # the remote moved (or took our tag's number) since we fetched: again
    raise RemoteError(f"'{remote}' refused the push: {pushed.reason}; your commits are safe "
                      "locally, nothing was changed on the remote")


def _move(store: GitStore, old: str, new: str) -> None:
    """Point the branch and the work tree at ``new`` as ``git checkout`` would: a two-tree
    ``read-tree -m -u`` keeps staged and unstaged edits to files that do not change, and
    refuses (changing nothing) when an edited file would have to change."""
    refused = checkout.move(store, old, new)
    if refused:
        raise WorkspaceStateError(f"cannot bring in the remote's commits: {refused}; commit "
                                  "or stash your uncommitted edits to those files, then sync again")
    if not store.compare_and_swap(store.branch(), new, old):
        checkout.move(store, new, old)
        raise WorkspaceStateError("the branch moved while syncing (another git command?); nothing "
                                  "was changed; run assembler sync again")


def _set_aside_tags(store: GitStore, commits: list[str]) -> dict[str, str]:
    """Delete the tags on ``commits``, returning name -> tag object to put them back."""
    saved = {name: refs.object_of(store, f"refs/tags/{name}") or ""
             for name in _local_tags(store, commits)}
    refs.update(store, {f"refs/tags/{name}": None for name in saved})
    return saved


def _integrate(workspace, store: GitStore, remote: str, branch: str,
               result: SyncResult) -> tuple[str | None, str | None] | None:
    """One fetch and integration: (local tip, remote tip) afterwards, or None when the
    remote took a number of ours between looking and fetching (the caller starts over)."""
    local = store.resolve(branch)
    # tags of never-pushed commits step aside while the remote's come in (in the same fetch
    # as its branch, so both are one snapshot of the remote)
    mine = refs.commits_not_on_remote(store, local, remote) if local else []
    saved = _set_aside_tags(store, mine)
    previous = store.resolve(_remote_ref(remote, branch))
    upstream = _fetch(store, remote, branch)
    if previous and (upstream is None or not refs.is_ancestor(store, previous, upstream)):
        refs.update(store, {_remote_ref(remote, branch): previous})
        raise RemoteError(f"the branch on '{remote}' was rewritten or deleted since you last synced "
                          f"(it no longer holds {previous[:12]}); nothing was changed here. Ask "
                          "whoever force-pushed to restore it, or re-clone if the rewrite was meant")
    if upstream is not None and local is None:
        checkout.switch_branch(store, branch[len("refs/heads/"):], upstream)
    elif upstream is not None and local != upstream:
        base = refs.merge_base(store, local, upstream)
        if base == local:
            _move(store, local, upstream)
        elif base != upstream:
            _replay(workspace, store, base, local, upstream, result)
        if base != upstream:
            result.pulled += len(refs.commits(store, upstream, local))
    new_local = store.resolve(branch)
    history_now = set(refs.commits(store, new_local)) if new_local else set()
    kept = {name: tag for name, tag in saved.items() if refs.commit_of(store, tag) in history_now}
    if not _restore_tags(store, kept):
        return None
    return new_local, upstream


def _clean_leftovers(store: GitStore) -> None:
    """Remove the temporary worktree and branch of a sync that was killed (under the lock,
    no other sync can be running, so any that exist are stale)."""
    for tree in checkout.worktrees(store):
        if tree.get("branch", "").startswith("refs/heads/assembler-sync-"):
            checkout.remove_worktree(store, tree["worktree"])
    checkout.prune_worktrees(store)
    for ref in refs.names(store, "refs/heads/assembler-sync-*"):
        refs.delete_branch(store, ref[len("refs/heads/"):])


def _tag_snapshot(store: GitStore) -> dict[str, str]:
    """Every tag name -> the object it points at (tag objects, not their commits)."""
    return refs.objects(store, "refs/tags")


def _restore_snapshot(store: GitStore, before: dict[str, str]) -> None:
    """Put every tag back as it was (a failed sync leaves the tags untouched)."""
    changes: dict[str, str | None] = {ref: None for ref in set(_tag_snapshot(store)) - set(before)}
    changes.update(before)
    refs.update(store, changes)


def _restore_tags(store: GitStore, saved: dict[str, str]) -> bool:
    """Put set-aside tags back; False (nothing restored) when the remote now has one of
    those names itself."""
    for name, tag_object in saved.items():
        current = refs.object_of(store, f"refs/tags/{name}")
        if current and current != tag_object:
            return False
    refs.update(store, {f"refs/tags/{name}": tag_object for name, tag_object in saved.items()})
    return True


def _replay(workspace, store: GitStore, base: str | None, local: str, upstream: str,
            result: SyncResult) -> str:
    """Local commits after ``base`` replayed on ``upstream`` in a temporary worktree; the
    branch is moved to the result only if every commit replayed. The tags of the replayed
    versions are made anew (the caller set the old ones aside). Returns the new tip."""
    commits = refs.commits(store, local, base, oldest_first=True)
    entries = {e.commit: e for e in store.log(local)}
    scratch = Path(tempfile.mkdtemp(prefix="assembler-sync-"))
    temp_branch = f"assembler-sync-{scratch.name[-8:]}"
    tree = scratch / "tree"
    checkout.add_worktree(store, tree, temp_branch, upstream)
    renumbered: dict[tuple[str, int], int] = {}
    try:
        other = type(workspace)(tree)
        with other.store() as temp:
            for commit in commits:
                entry = entries[commit]
                document = entry.trailer("Document")
                action = (entry.trailer("Action") or "").lower()
                number = int(entry.trailer("Version") or 0)
                if action == "assemble" and document:
                    if entry.trailer("Round-Step") == "close":
                        raise WorkspaceStateError(
                            f"round '{entry.trailer('Round')}' was closed here ({commit[:12]}) while "
                            "the remote moved; a round's close cannot be renumbered. Ask whoever "
                            "pushed to wait, or reset to the remote and close the round again")
                    new = _reassemble(other, temp, entry)
                    if new != number:
                        renumbered[(document, number)] = new
                        result.renumbered.append((document, number, new))
                    continue
                if document and (document, number) in renumbered:
                    raise WorkspaceStateError(
                        f"your commit {commit[:12]} ('{entry.subject}') refers to {document} "
                        f"v{number}, which becomes v{renumbered[(document, number)]} on top of the "
                        "remote's versions; nothing was changed. Sync before adopting or opening a "
                        "round on a new version")
                refused = checkout.cherry_pick(temp, commit)
                if refused:
                    raise WorkspaceStateError(
                        f"your commit {commit[:12]} ('{entry.subject}') conflicts with the "
                        f"remote's changes: {refused}; nothing was changed. Merge by hand "
                        "(git pull --rebase), then run assembler sync")
            new_tip = temp.resolve(f"refs/heads/{temp_branch}")
        _move(store, local, new_tip)
        return new_tip
    except BaseException as exc:
        if isinstance(exc, _SourcesConflict):
            exc.span = (base, local, upstream)
        made = _local_tags(store, refs.commits(store, f"refs/heads/{temp_branch}", upstream))
        refs.update(store, {f"refs/tags/{name}": None for name in made})
        result.renumbered.clear()
        raise
    finally:
        checkout.remove_worktree(store, tree)
        refs.delete_branch(store, temp_branch)
        shutil.rmtree(scratch, ignore_errors=True)


def _reassemble(other, temp: GitStore, entry) -> int:
    """One local assembly made again on the replay branch: its source edits merged onto the
    remote's, then recorded with the next free number."""
    document = entry.trailer("Document")
    parent = entry.parents[0] if entry.parents else None
    sources = ("clauses", "templates")
    patch = checkout.source_patch(temp, parent, entry.commit, sources) if parent else ""
    if patch.strip():
        refused = checkout.apply_three_way(temp, patch)
        if refused:
            raise _SourcesConflict(f"the sources of {document} v{entry.trailer('Version')} "
                                   f"({entry.commit[:12]}) conflict with the remote's edits: {refused}")
    manifest = history.read_manifest(temp, entry.commit, document) or {}
    template = (manifest.get("template") or {}).get("id", document)
    built = other.assemble_sources(template, manifest.get("variables", {}))
    number = entry.trailer("Version")
    default = entry.subject == f"Assemble {document} v{number}"   # renumbered, so say so anew
    return other.record(temp, built, None if default else entry.subject, allow_empty=True).version


def clone(url: str, target: Path) -> Path:
    """``git clone`` of a workspace, with every version and round tag. Returns the folder."""
    from assembler.repo.remote import clone_repository
    if url.startswith("-"):
        raise UsageError(f"'{url}' is not a repository URL or path")
    target = Path(target)
    if target.exists() and any(target.iterdir()):
        raise WorkspaceStateError(f"{target} exists and is not empty; choose a new folder")
    clone_repository(url, target)
    return target
