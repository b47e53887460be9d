"""Talking to other repositories: clone, fetch, push, the configured remotes, and git's own
reason when one of them fails."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from assembler.errors import WorkspaceStateError
from assembler.repo.store import GIT_LOCALE, GitStore


@dataclass
class Outcome:
    """What a fetch or push did: ``ok``, or git's reason; ``moved`` when a push lost a race
    (the remote moved or took a tag name since the fetch), ``missing`` when a fetched ref
    does not exist there."""
    ok: bool
    reason: str = ""
    moved: bool = False
    missing: bool = False


def reason(err: str) -> str:
    """git's own reason, from what it printed: a fatal or error line, a refused ref, or the
    first line; 'no reason given' only when git printed nothing."""
    lines = [line.strip() for line in err.strip().splitlines() if line.strip()]
    useful = [line for line in lines if line.startswith(("fatal:", "error:", "remote:", "!"))] or lines
    return (useful[0] if useful else "no reason given").removeprefix("fatal: ")


def names(store: GitStore) -> list[str]:
    """The configured remotes."""
    return store._run("remote").split()


def fetch(store: GitStore, remote: str, refspecs: list[str]) -> Outcome:
    """``git fetch --no-tags REMOTE REFSPEC…``."""
    status, _out, err = store._execute("fetch", "--no-tags", remote, *refspecs)
    if status == 0:
        return Outcome(True)
    return Outcome(False, reason(err), missing="couldn't find remote ref" in err)


def push(store: GitStore, remote: str, refspecs: list[str], atomic: bool = True) -> Outcome:
    """``git push [--atomic] REMOTE REFSPEC…``: all or nothing when atomic."""
    status, out, err = store._execute("push", *(["--atomic"] if atomic else ["--quiet"]), remote, *refspecs)
    if status == 0:
        return Outcome(True)
    said = out + err
    moved = any(word in said for word in ("fetch first", "non-fast-forward", "already exists",
                                          "atomic push failed", "cannot lock ref"))
    return Outcome(False, reason(err), moved=moved)


def clone_repository(url: str, target: Path) -> str:
    """``git clone URL TARGET`` with all tags; the branch checked out. A failure leaves no
    folder behind.

    A server made with a plain ``git init --bare`` names ``master`` as its HEAD while the
    workspace pushed ``main``: git then checks out nothing. The branch to check out is then
    ``main``, ``master``, or the only branch there is (review branches aside)."""
    env = {**os.environ, **GIT_LOCALE}

    def git(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["git", *args], cwd=target, capture_output=True, text=True, env=env)

    proc = subprocess.run(["git", "clone", "--quiet", "--", url, str(target)], capture_output=True,
                          text=True, env=env)
    if proc.returncode != 0:
        shutil.rmtree(target, ignore_errors=True)
        lines = [line for line in proc.stderr.strip().splitlines() if line.strip()]
        raise WorkspaceStateError(f"cannot clone {url}: "
                                  f"{(lines[-1] if lines else 'git clone failed').removeprefix('fatal: ')}")
    git("fetch", "--quiet", "--tags")
    if git("rev-parse", "--verify", "-q", "HEAD").returncode == 0:
        return git("symbolic-ref", "--short", "-q", "HEAD").stdout.strip()
    branches = [line.strip().removeprefix("origin/") for line in
                git("branch", "-r", "--format=%(refname:short)").stdout.splitlines()]
    branches = [b for b in branches if b and b not in ("origin", "HEAD") and not b.startswith("review/")]
    chosen = next((b for b in ("main", "master") if b in branches), None) or \
        (branches[0] if len(branches) == 1 else None)
    if chosen is None:
        shutil.rmtree(target, ignore_errors=True)
        if not branches:
            raise WorkspaceStateError(f"cannot clone {url}: it holds no commits yet; publish a "
                                      "workspace there first (git push URL main)")
        raise WorkspaceStateError(f"cannot clone {url}: its HEAD names no branch and it has "
                                  f"several ({', '.join(sorted(branches))}); clone with git and "
                                  "check out the one that holds the versions")
    done = git("checkout", "--quiet", "-b", chosen, "--track", f"origin/{chosen}")
    if done.returncode != 0:
        shutil.rmtree(target, ignore_errors=True)
        raise WorkspaceStateError(f"cannot check out {chosen} from {url}: "
                                  f"{done.stderr.strip().splitlines()[-1] if done.stderr.strip() else 'git failed'}")
    return chosen
