"""Review branches: a Section's feedback recorded on ``review/<round>/<section>`` (and
pushed to ``origin``) instead of the current branch, and how a round's view takes it in."""

from __future__ import annotations

import json

from assembler.repo import refs, remote as git_remote
from assembler.repo.store import GitStore
from assembler.review import rounds as rd


def review_refs(store: GitStore, round_id: str) -> dict[str, str]:
    """Section id -> the newest ref of its review branch (local, or fetched from a remote)."""
    found: dict[str, str] = {}
    for ref in refs.names(store, f"refs/heads/review/{round_id}/", f"refs/remotes/*/review/{round_id}/*"):
        section = ref.rsplit("/", 1)[-1]
        if section not in found or ref.startswith("refs/heads/"):
            found[section] = ref
    return found


def take_review_branches(store: GitStore, r: rd.Round) -> None:
    """Feedback a Section recorded on its review branch joins the round's view (items to
    see, decide and apply) when the branch holds more than the current branch does."""
    for section, ref in review_refs(store, r.id).items():
        raw = store.read_file(ref, f"{r.path}/feedback/{section}.json")
        if raw is None:
            continue
        record = json.loads(raw)
        mine = r.feedback.get(section, {"submissions": []})
        if len(record.get("submissions", [])) > len(mine.get("submissions", [])):
            r.feedback[section] = {**record, "branch": ref}


def branch_files(store: GitStore, r: rd.Round, section: str) -> dict[str, bytes]:
    """The feedback files of a Section whose items came from its review branch, to bring
    into the current branch with the first decision on them (empty otherwise)."""
    record = r.feedback.get(section, {})
    ref = record.get("branch")
    if not ref:
        return {}
    paths = [f"{r.path}/feedback/{section}.json"]
    paths += [f"{r.path}/feedback/{s['file']}" for s in record.get("submissions", [])]
    return {path: store.read_file(ref, path) or b"" for path in paths}


def push_review_branch(store: GitStore, ref: str) -> str:
    """Push a review branch to origin when there is one; a note for the user either way."""
    short = ref[len("refs/heads/"):]
    if "origin" not in git_remote.names(store):
        return f"recorded on branch {short} (no remote 'origin' to push it to)"
    pushed = git_remote.push(store, "origin", [f"{ref}:{ref}"], atomic=False)
    if not pushed.ok:
        return (f"recorded on branch {short}, but pushing it failed ({pushed.reason}); run git push "
                f"origin {short}")
    return f"recorded on branch {short} and pushed it to origin"
