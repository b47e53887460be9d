"""Recording versions: one commit per assembly with outputs, manifest and exact sources.

The commit is built from the branch tip plus the files of this version in a private index,
and the branch is moved with a compare-and-swap, all under the workspace lock; the user's
index gets only the entries of the committed paths, and nothing else of theirs is touched.
"""

from __future__ import annotations

import os
import signal
import time
from dataclasses import dataclass
from typing import Callable

from assembler.errors import EnvironmentFailure, UsageError, WorkspaceStateError
from assembler.history import manifest as mf, reading as history
from assembler.repo import refs
from assembler.repo.locking import workspace_lock
from assembler.repo.store import ZERO, GitStore
from assembler.sources.files import atomic_write, git_blob_id, is_within

MAX_ATTEMPTS = 20
# Where a recording can be stopped for fault-injection tests: ASSEMBLER_PAUSE_AT=PHASE makes
# the process stop itself (SIGSTOP) there, so a test can kill it at exactly that moment.
PHASES = ("rendered", "commit-written", "branch-moved", "tagged", "first-output-written")


def _pause(phase: str) -> None:
    if os.environ.get("ASSEMBLER_PAUSE_AT") == phase:
        os.kill(os.getpid(), signal.SIGSTOP)
Renderer = Callable[[int, int], dict[str, bytes]]   # (version, epoch) -> {file name: bytes}
Extra = Callable[[int, int, dict[str, bytes]], dict[str, bytes]]   # -> {path: bytes}


@dataclass(frozen=True)
class Recorded:
    document: str
    version: int
    commit: str | None        # None when nothing changed and nothing was recorded
    tag: str | None
    outputs: tuple[str, ...]
    unchanged_since: int | None = None
    restored: tuple[str, ...] = ()   # outputs a failed or killed write had left stale, written again

    def data(self) -> dict:
        return {"document": self.document, "version": self.version, "commit": self.commit,
                "tag": self.tag, "outputs": list(self.outputs), "recorded": self.commit is not None,
                "restored": list(self.restored)}


def stale_outputs(store: GitStore, document: str) -> dict[str, bytes | None]:
    """The latest version's files (outputs and manifest) that the work tree does not hold as
    committed: path -> the committed bytes to write back, or None where the work tree holds
    an edit git has never seen (a hand edit, which is never overwritten)."""
    tip = store.resolve(store.branch())
    if not tip:
        return {}
    folder = history.folder(document)
    found: dict[str, bytes | None] = {}
    for path, blob in store.tree_blobs(tip, folder).items():
        if "/" in path[len(folder) + 1:]:
            continue   # rounds/ and their files change between versions by design
        target = store.root / path
        if target.is_symlink():
            continue
        current = git_blob_id(target.read_bytes()) if target.is_file() else None
        if current == blob:
            continue
        found[path] = store.read_file(tip, path) if current is None or store.has_object(current) else None
    return found


def restore_outputs(store: GitStore, document: str) -> tuple[str, ...]:
    """Write back the latest version's files that a write failing after its commit (or a
    killed assembly) left stale, and remove the temporary files such a write left; the
    paths restored. The caller holds the workspace lock."""
    folder = store.root / history.folder(document)
    for leftover in folder.glob(".*.tmp") if folder.is_dir() else ():
        leftover.unlink(missing_ok=True)
    restored = []
    for path, data in sorted(stale_outputs(store, document).items()):
        if data is not None:
            target = store.root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(target, data)
            restored.append(path)
    return tuple(restored)


def commit_epoch(default: int | None = None) -> int:
    """The time to record: ``SOURCE_DATE_EPOCH`` when set (reproducible builds), else
    ``default``, else now."""
    value = os.environ.get("SOURCE_DATE_EPOCH")
    if value is None or value == "":
        return int(time.time()) if default is None else default
    if not value.isdigit():
        raise UsageError(f"SOURCE_DATE_EPOCH={value!r} is not a whole number of seconds")
    return int(value)


def trailers(pairs: list[tuple[str, str]]) -> str:
    return "\n".join(f"{key}: {value}" for key, value in pairs)


def message_with(subject: str | None, default: str, pairs: list[tuple[str, str]]) -> str:
    text = (subject or "").strip() or default
    return f"{text}\n\n{trailers(pairs)}\n"


def ensure_ready(store: GitStore) -> str:
    """The branch to record on; refuses a detached HEAD or an unfinished rebase/merge."""
    branch = store.branch()
    store.identity()
    busy = store.operation_in_progress()
    if busy:
        raise WorkspaceStateError(f"{store.root}: {busy} is in progress; finish or abort it "
                                  "before recording a version")
    return branch


def _index_unlocked(store: GitStore, wait_seconds: float = 3.0) -> None:
    """Wait briefly for git's own index lock to go; explain it if it stays (a killed git).

    Checked before anything is recorded, so a commit is never made that could not then be
    staged into the user's index.
    """
    lock = store.git_dir / "index.lock"
    deadline = time.monotonic() + wait_seconds
    while lock.exists():
        if time.monotonic() > deadline:
            raise WorkspaceStateError(
                f"git's lock file {lock} exists: another git command is running, or one was "
                "killed and left it behind; if no git command is running, delete that file and "
                "try again")
        time.sleep(0.05)


def check_writable(store: GitStore, paths: list[str]) -> None:
    """Refuse to overwrite files holding edits that git has never seen, or to write through
    a symbolic link or outside the workspace."""
    for rel in paths:
        path = store.root / rel
        existing = path.parent  # the nearest folder that exists: a new one is made inside it
        while not existing.exists() and existing != store.root:
            existing = existing.parent
        if not is_within(store.root, existing):
            raise WorkspaceStateError(f"{rel} leads outside the workspace (a symbolic link?); "
                                      "remove the link")
        if path.is_symlink():
            raise WorkspaceStateError(f"{rel} is a symbolic link; remove it, this command writes "
                                      "that file")
        if path.is_file() and not store.has_object(git_blob_id(path.read_bytes())):
            raise WorkspaceStateError(
                f"{rel} has edits that were never recorded; this command writes that file: move "
                f"the edits elsewhere, or discard them (git checkout -- {rel})")


def _check_outputs_writable(store: GitStore, document: str, names: list[str]) -> None:
    check_writable(store, [history.output_path(document, name) for name in names + ["manifest.json"]])


def commit_on_tip(store: GitStore, branch: str, make: Callable[[str | None], str | None]) -> str | None:
    """Commit on the branch's tip without a race: ``make(head)`` writes a commit whose
    parent is ``head`` (or returns None to record nothing), and the branch moves to it only
    if it still points at ``head`` (compare-and-swap); when another process moved it, the
    commit is made again on the new tip. The commit, or None."""
    for _attempt in range(MAX_ATTEMPTS):
        head = store.resolve(branch)
        commit = make(head)
        if commit is None or store.compare_and_swap(branch, commit, head):
            return commit
    raise WorkspaceStateError(f"the branch {branch} kept moving while recording; try again")


def commit_step(store: GitStore, branch: str, files: dict[str, bytes], message: str, epoch: int,
                author: tuple[str, str] | None = None, start: str | None = None) -> str:
    """Commit ``files`` (path -> bytes) on top of the branch tip (compare-and-swap, retried),
    then stage them and write them to the working tree. The caller holds the workspace lock.

    ``start`` names a commit for a branch that is not checked out (a review branch): it is
    the parent when the branch does not exist yet, and the work tree is left alone."""
    blobs = {path: store.write_blob(data) for path, data in files.items()}
    commit = commit_on_tip(store, branch, lambda head: store.commit_files(head or start, blobs, message,
                                                                          epoch, author))
    if start is not None:
        return commit
    store.stage(blobs)
    for path, data in files.items():
        target = store.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(target, data)
    return commit


def _repair_tag(store: GitStore, versions: list[history.Version]) -> None:
    """Recreate the latest version's tag when a killed assembly here never got to make it.

    A version that came from a remote (a plain ``git pull --no-tags``) keeps the remote's
    tag: a tag of our own for it would be another object, which every later fetch refuses
    to overwrite."""
    if versions and versions[-1].tag is None and versions[-1].tag_name not in store.tags(versions[-1].tag_name):
        latest = versions[-1]
        if refs.on_a_remote(store, latest.commit):
            return
        store.create_tag(latest.tag_name, latest.commit, f"{latest.document} v{latest.number}\n",
                         latest.time)


def record(store: GitStore, document: str, files: dict[str, bytes], render: Renderer,
           make_manifest: Callable[[int, int, dict[str, bytes]], dict], message: str | None,
           allow_empty: bool = False, extra: Extra | None = None,
           extra_trailers: tuple[tuple[str, str], ...] = (),
           after: Callable[[str, int, int], None] | None = None,
           epoch: int | None = None) -> Recorded:
    """Record a new version of ``document``: outputs, manifest and sources, one commit, a tag,
    dated ``epoch`` (default: :func:`commit_epoch`).

    ``extra(number, epoch, outputs)`` adds files of its own to the same commit (a round's
    closing files); ``after(commit, number, epoch)`` runs under the lock once the commit is
    on the branch (more tags)."""
    branch = ensure_ready(store)
    with workspace_lock(store.git_dir):
        _index_unlocked(store)
        existing = history.read_versions(store, document)
        _repair_tag(store, existing)
        restored = restore_outputs(store, document)
        epoch = commit_epoch() if epoch is None else epoch
        made: dict = {}

        def make(head: str | None) -> str | None:
            """This version's commit on ``head`` (numbered after the latest there), or None
            when it would read the same as that latest version."""
            previous = history.read_manifest(store, head, document) if head else None
            number = (previous["version"] + 1) if previous else 1
            outputs = render(number, epoch)
            _pause("rendered")
            if not made:
                _check_outputs_writable(store, document, sorted(outputs))
            new_manifest = make_manifest(number, epoch, outputs)
            if previous and not allow_empty and mf.same_content(previous, new_manifest):
                made.update(unchanged=previous["version"])
                return None
            blobs = {path: ZERO if data is None else store.write_blob(data) for path, data in files.items()}
            written = {history.output_path(document, name): data for name, data in outputs.items()}
            written[history.manifest_path(document)] = mf.dumps(new_manifest)
            if extra is not None:
                written.update(extra(number, epoch, outputs))
            blobs.update({path: store.write_blob(data) for path, data in written.items()})
            pairs = [("Document", document), ("Version", str(number)),
                     ("Template", new_manifest["template"]["path"]), ("Status", "draft"),
                     ("Action", "assemble")]
            if new_manifest.get("round"):
                pairs.append(("Round", new_manifest["round"]))
            pairs.extend(extra_trailers)
            commit = store.commit_files(head, blobs, message_with(message, f"Assemble {document} v{number}",
                                                                  pairs), epoch)
            made.update(unchanged=None, number=number, blobs=blobs, written=written, pairs=pairs)
            _pause("commit-written")
            return commit

        commit = commit_on_tip(store, branch, make)
        if commit is None:
            return Recorded(document, made["unchanged"], None, None, (),
                            unchanged_since=made["unchanged"], restored=restored)
        _pause("branch-moved")
        number, blobs, written, pairs = made["number"], made["blobs"], made["written"], made["pairs"]
        tag = f"{document}/v{number}"
        store.create_tag(tag, commit, f"{document} v{number}\n\n{trailers(pairs[:2])}\n", epoch)
        _pause("tagged")
        if after is not None:
            after(commit, number, epoch)
        store.stage(blobs)
        failed: list[tuple[str, str]] = []
        for path, data in written.items():
            target = store.root / path
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                atomic_write(target, data)
                _pause("first-output-written")
            except (EnvironmentFailure, OSError) as exc:
                failed.append((path, str(exc).rsplit("(", 1)[-1].rstrip(")") if "(" in str(exc) else str(exc)))
        if failed:
            path, reason = failed[0]
            more = f" and {len(failed) - 1} more" if len(failed) > 1 else ""
            raise EnvironmentFailure(
                f"recorded {document} v{number} (commit {commit[:12]}, tag {tag}) but could not "
                f"write {path}{more} ({reason}); fix that, then run assembler assemble {document}: "
                "it writes the outputs from the commit")
    return Recorded(document, number, commit, tag, tuple(sorted(written)))


def adopt(store: GitStore, document: str, label: str, message: str | None) -> history.Version:
    """Mark a version adopted with a commit of its own (history is never rewritten)."""
    branch = ensure_ready(store)
    with workspace_lock(store.git_dir):
        _index_unlocked(store)
        version = history.find_version(history.read_versions(store), document, label)
        versions = history.read_versions(store, document)
        if version.status == "adopted":
            raise WorkspaceStateError(f"{document} v{version.number} is already adopted")
        if version.status == "superseded":
            newer = max(v.number for v in versions if v.status == "adopted")
            raise WorkspaceStateError(f"{document} v{version.number} is older than the adopted "
                                      f"v{newer}; adopted versions are final")
        epoch = commit_epoch()
        status = {"document": document, "adopted": {"version": version.number,
                                                     "commit": version.commit,
                                                     "adopted_at": mf.iso_time(epoch)},
                  "superseded": [v.number for v in versions if v.number < version.number]}
        path = f"{history.folder(document)}/status.json"
        pairs = [("Document", document), ("Version", str(version.number)), ("Status", "adopted"),
                 ("Action", "adopt")]
        commit_step(store, branch, {path: mf.dumps(status)},
                    message_with(message, f"Adopt {document} v{version.number}", pairs), epoch)
    version.status = "adopted"
    return version

