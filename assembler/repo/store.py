"""The repository: a git work tree and what the toolkit does with its objects (GitPython
lives here and nowhere else, loaded only when objects are read or written).

Every git process of the toolkit starts from this package (refs.py, remote.py, checkout.py
and merge.py use the private runner here), always with ``LC_ALL=C`` because git's messages
are read as text. What the rest of the toolkit needs from git, in its own words: read and write blobs, make
a commit from a parent plus changed files without touching the user's index (a private
index), move a branch only if it still points where we think (compare-and-swap), tag,
stage committed paths into the user's index, read the log with trailers, run fsck.
User-supplied values never reach git as options: refs and paths are checked first, and
messages go through standard input.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
import threading
import zlib
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from assembler.errors import EnvironmentFailure, WorkspaceStateError
from assembler.sources.files import git_blob_id

ZERO = "0" * 40
# git speaks the user's language; its messages are read here, so it always runs in English.
GIT_LOCALE = {"LC_ALL": "C", "LANGUAGE": ""}
# where an interrupted ``assembler sync`` keeps its merge (inside .git, like git's MERGE_HEAD)
SYNC_MERGE_STATE = "assembler/sync-merge.json"
_SAFE_REF = re.compile(r"^(refs/(heads|tags|remotes)/[A-Za-z0-9][A-Za-z0-9._/-]*|HEAD)$")


def _git():
    try:
        import git
    except ImportError as exc:  # GitPython refuses to import when no git binary is found
        raise EnvironmentFailure(f"git is not available ({exc}); install git and try again") from None
    return git


def _plain_git(cwd: Path, *args: str, input: bytes | None = None,
               env: dict | None = None) -> tuple[int, str, str]:
    """``git args…`` in ``cwd`` with a fixed English locale: (status, stdout, stderr)."""
    try:
        proc = subprocess.run(["git", *args], cwd=cwd, input=input, capture_output=True,
                              env={**os.environ, **GIT_LOCALE, **(env or {})})
    except OSError as exc:
        raise EnvironmentFailure(f"cannot run git: {exc}") from None
    return (proc.returncode, proc.stdout.decode("utf-8", "replace"),
            proc.stderr.decode("utf-8", "replace"))


def init_repository(path: Path) -> None:
    """``git init`` at ``path`` with ``main`` as the first branch."""
    git = _git()
    try:
        git.Repo.init(path, initial_branch="main").close()
    except git.GitCommandError as exc:
        raise EnvironmentFailure(f"{path}: git init failed: {exc.stderr.strip()}") from None


def _index_info(files: dict[str, str]) -> bytes:
    """``git update-index --index-info`` lines: a regular file per path, or its removal when
    the blob id is ``ZERO``."""
    return "".join(f"{'0' if sha == ZERO else '100644'} {sha}\t{path}\n"
                   for path, sha in sorted(files.items())).encode("utf-8")


def is_repository(path: Path) -> bool:
    """True when ``path`` is the top of a git work tree."""
    return (path / ".git").exists()


@dataclass(frozen=True)
class LogEntry:
    """One commit as the log reports it, with its trailers (keys as written)."""

    commit: str
    parents: tuple[str, ...]
    author: str
    email: str
    time: int
    subject: str
    trailers: tuple[tuple[str, str], ...]

    def trailer(self, key: str) -> str | None:
        for name, value in self.trailers:
            if name.lower() == key.lower():
                return value
        return None


def _stale_lock_message(stderr: str) -> str | None:
    match = re.search(r"Unable to create '([^']+\.lock)': File exists", stderr)
    if not match:
        return None
    return (f"git's lock file {match.group(1)} exists: another git command is running, or one "
            "was killed and left it behind; if no git command is running, delete that file "
            "and try again")


class GitStore:
    """A git repository at ``root`` (its work tree top)."""

    def __init__(self, root: Path):
        status, out = 1, ""
        if Path(root).is_dir():
            status, out, _err = _plain_git(Path(root), "rev-parse", "--is-bare-repository",
                                           "--show-toplevel", "--absolute-git-dir",
                                           "--is-shallow-repository")
        lines = out.splitlines()
        if status != 0:
            raise WorkspaceStateError(f"{root}: not a git repository; run 'git init' there (or "
                                      "create the workspace with 'assembler init')")
        if lines[0] == "true" or len(lines) < 4:
            raise WorkspaceStateError(f"{root}: is a bare git repository; use a clone with a work tree")
        self.root = Path(lines[1])
        self.git_dir = Path(lines[2])
        self._shallow = lines[3] == "true"
        self._head: str | None = None   # what HEAD names, read once (see forget_head)
        self._repo = None

    @property
    def repo(self):
        """GitPython's view of the repository, opened on first use: only object access
        (blobs, trees) needs it, so commands that only run git start without loading it."""
        if self._repo is None:
            git = self._git
            self._repo = git.Repo(self.root)
            self._repo.git.update_environment(**GIT_LOCALE)
        return self._repo

    @property
    def _git(self):
        return _git()

    @property
    def errors(self) -> tuple[type[Exception], ...]:
        """GitPython's own exceptions, for callers that must report rather than crash."""
        git = self._git
        return (git.GitError, git.BadObject, git.BadName)

    def close(self) -> None:
        if self._repo is not None:
            self._repo.close()
            self._repo = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # ------------------------------------------------------------ running git

    def _execute(self, *args: str, input: bytes | None = None,
                 env: dict | None = None) -> tuple[int, str, str]:
        """Run ``git args…`` in the work tree, always in English (``LC_ALL=C``); return
        (exit status, stdout, stderr)."""
        return _plain_git(self.root, *args, input=input, env=env)

    def _run(self, *args: str, input: bytes | None = None, env: dict | None = None,
            check: bool = True) -> str:
        """Run ``git args…``; return stdout ("" on failure when ``check`` is False).

        Failures become our own errors: a lock file left behind is explained, a full or
        read-only disk is an environment failure.
        """
        status, out, err = self._execute(*args, input=input, env=env)
        if status == 0:
            return out
        if check:
            self._raise(args[0], status, err)
        return ""

    @staticmethod
    def _raise(command: str, status: int, err: str):
        stale = _stale_lock_message(err)
        if stale:
            raise WorkspaceStateError(stale)
        last = err.strip().splitlines()[-1] if err.strip() else f"exit {status}"
        raise EnvironmentFailure(f"git {command} failed: {last}")

    # ------------------------------------------------------------ state

    def head_ref(self) -> str:
        """The checked-out branch's full ref, or ``HEAD`` when it is detached: where read-only
        commands (log, verify, blame, audit) read the history from, so an archivist can run
        them on an old checkout."""
        if self._head is None:
            self._head = self._run("symbolic-ref", "-q", "HEAD", check=False).strip() or "HEAD"
        return self._head

    def forget_head(self) -> None:
        """Read HEAD again next time: called by whatever checks out another branch."""
        self._head = None

    def is_detached(self) -> bool:
        return self.head_ref() == "HEAD"

    def branch(self) -> str:
        """The checked-out branch's full ref (it may not have a commit yet)."""
        ref = self.head_ref()
        if ref == "HEAD":
            raise WorkspaceStateError(f"{self.root}: HEAD is detached; check out a branch first "
                                      "(git switch main)")
        return ref

    def operation_in_progress(self) -> str | None:
        """The name of an unfinished rebase, merge, cherry-pick, revert or bisect, if any."""
        if (self.git_dir / SYNC_MERGE_STATE).exists():
            return ("a sync merge (resolve the conflicts, then assembler sync --continue; or "
                    "assembler sync --abort)")
        markers = {"rebase-merge": "a rebase", "rebase-apply": "a rebase or am",
                   "MERGE_HEAD": "a merge", "CHERRY_PICK_HEAD": "a cherry-pick",
                   "REVERT_HEAD": "a revert", "BISECT_LOG": "a bisect"}
        for name, what in markers.items():
            if (self.git_dir / name).exists():
                return what
        return None

    def resolve(self, ref: str) -> str | None:
        """The commit a full ref (or ``HEAD``) points to, or None when it does not exist."""
        if not _SAFE_REF.match(ref):
            raise ValueError(f"unsafe ref {ref!r}")
        out = self._run("rev-parse", "-q", "--verify", ref + "^{commit}", check=False).strip()
        return out or None

    def identity(self) -> tuple[str, str]:
        """Who git says is committing: (name, email), from config or GIT_* variables."""
        out = self._run("var", "GIT_COMMITTER_IDENT", check=False).strip()
        match = re.match(r"^(.*) <(.*)> \d+ [+-]\d{4}$", out)
        if not match:
            raise WorkspaceStateError("git does not know who you are; run git config user.name "
                                      "\"Your Name\" and git config user.email you@example.org")
        return match.group(1), match.group(2)

    def has_identity(self) -> bool:
        return self._execute("var", "GIT_COMMITTER_IDENT")[0] == 0

    def set_local_identity(self, name: str, email: str) -> None:
        """Give this repository (only) a committer identity."""
        self._run("config", "--local", "user.name", name)
        self._run("config", "--local", "user.email", email)

    # ------------------------------------------------------------ objects

    def write_blob(self, data: bytes) -> str:
        """Store ``data`` as a blob; return its id. A blob git already has is not written
        again: GitPython writes each blob through a ``git hash-object`` process of its own,
        and most sources of a version are unchanged."""
        from gitdb import IStream

        known = git_blob_id(data)
        if self.has_object(known):
            return known

        try:
            stream = self.repo.odb.store(IStream("blob", len(data), BytesIO(data)))
        except OSError as exc:
            raise EnvironmentFailure(f"cannot write to the git object store ({exc.strerror})") from None
        except self._git.GitCommandError as exc:
            lines = str(exc.stderr or exc).strip().strip("'").splitlines()
            reason = lines[-1].strip().strip("'") if lines else "unknown error"
            raise EnvironmentFailure(f"cannot write to the git object store: {reason}") from None
        return stream.hexsha.decode() if isinstance(stream.hexsha, bytes) else stream.hexsha

    def has_object(self, sha: str) -> bool:
        """Whether git has object ``sha``, loose or packed (GitPython's own ``has_object``
        looks at loose objects only, so it says no after ``git gc`` or in a clone)."""
        try:
            self.repo.odb.info(bytes.fromhex(sha))
            return True
        except (ValueError, self._git.BadObject, self._git.BadName):
            return False

    def read_file(self, commit: str, path: str) -> bytes | None:
        """The content of ``path`` in ``commit``, or None when it is not there.

        A damaged object is reported (WorkspaceStateError naming the file), after one retry
        with a fresh git reader: GitPython's reader process dies on such an object.
        """
        for attempt in (1, 2):
            try:
                try:
                    blob = self.repo.commit(commit).tree / path
                except KeyError:
                    return None
                except (ValueError, self._git.BadName):
                    return None
                return blob.data_stream.read()
            except (OSError, zlib.error, *self.errors) as exc:
                self.repo.git.clear_cache()
                if attempt == 2:
                    raise WorkspaceStateError(
                        f"{path} of commit {commit[:12]} cannot be read: a git object is damaged "
                        f"({type(exc).__name__}); run git fsck, and restore it from a clone") from None
        return None

    def is_shallow(self) -> bool:
        return self._shallow

    def require_full_history(self) -> None:
        """Refuse a shallow clone: its history stops short, so answers would be wrong."""
        if self.is_shallow():
            raise WorkspaceStateError(f"{self.root} is a shallow clone: its history is cut short, "
                                      "so versions and their origins cannot all be read; run "
                                      "'git fetch --unshallow' (and 'git fetch --tags') first")

    def read_many(self, specs: list[tuple[str, str]]) -> list[bytes | None]:
        """The content of each (commit, path), None where absent: one ``git cat-file
        --batch`` for all of them, for reading long histories quickly."""
        return list(self.iter_many(specs))

    def iter_many(self, specs: list[tuple[str, str]]):
        """Like :meth:`read_many`, yielding each content as git sends it, so the caller's
        work on one overlaps git's on the next."""
        if not specs:
            return
        if any("\n" in commit or "\n" in path for commit, path in specs):
            raise ValueError("a path with a line break cannot be read in a batch")
        request = "".join(f"{commit}:{path}\n" for commit, path in specs).encode("utf-8")
        try:
            proc = subprocess.Popen(["git", "cat-file", "--batch"], cwd=self.root, stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    env={**os.environ, **GIT_LOCALE})
        except OSError as exc:
            raise EnvironmentFailure(f"cannot run git: {exc}") from None
        def feed():
            try:
                proc.stdin.write(request)
                proc.stdin.close()
            except (BrokenPipeError, OSError):
                pass

        writer = threading.Thread(target=feed, daemon=True)
        writer.start()
        out = proc.stdout
        try:
            for _ in specs:
                header = out.readline().split()
                if not header:
                    break
                if len(header) < 3 or header[-1] == b"missing":
                    yield None
                    continue
                size = int(header[2])
                data = out.read(size)
                out.read(1)
                yield data
        finally:
            out.close()
            writer.join()
            err = proc.stderr.read().decode("utf-8", "replace")
            proc.stderr.close()
            status = proc.wait()
        if status != 0:
            self._raise("cat-file", status, err)

    def _execute_bytes(self, *args: str, input: bytes) -> tuple[int, bytes, str]:
        """Like :meth:`_execute`, with stdout as bytes (binary content)."""
        try:
            proc = subprocess.run(["git", *args], cwd=self.root, input=input, capture_output=True,
                                  env={**os.environ, **GIT_LOCALE})
        except OSError as exc:
            raise EnvironmentFailure(f"cannot run git: {exc}") from None
        return proc.returncode, proc.stdout, proc.stderr.decode("utf-8", "replace")

    def tree_blobs(self, commit: str, prefix: str = "") -> dict[str, str]:
        """``path -> blob id`` for every file in ``commit`` (below ``prefix``)."""
        args = ["ls-tree", "-r", "-z", "--full-tree", commit]
        if prefix:
            args += ["--", prefix]
        out = self._run(*args)
        found = {}
        for record in out.split("\0"):
            if not record:
                continue
            meta, path = record.split("\t", 1)
            _mode, kind, sha = meta.split()
            if kind == "blob":
                found[path] = sha
        return found

    # ------------------------------------------------------------ commits and refs

    def commit_files(self, parent: str | None, files: dict[str, str], message: str,
                     epoch: int, author: tuple[str, str] | None = None) -> str:
        """A new commit: ``parent``'s tree with ``files`` (path -> blob id) added or replaced
        (``ZERO`` removes the path).

        Built in a private index file, so the user's index is not touched. ``author`` (name,
        email) credits someone other than the committer, such as a Section.
        """
        fd, index = tempfile.mkstemp(prefix="assembler-index-")
        os.close(fd)
        os.unlink(index)
        env = {"GIT_INDEX_FILE": index}
        try:
            if parent:
                self._run("read-tree", parent, env=env)
            self._run("update-index", "--add", "--index-info", input=_index_info(files), env=env)
            tree = self._run("write-tree", env=env).strip()
        finally:
            if os.path.exists(index):
                os.unlink(index)
        date = f"@{epoch} +0000"
        args = ["commit-tree", tree]
        if parent:
            args += ["-p", parent]
        if self.signing("commit.gpgsign"):
            args.append("-S")
        args += ["-F", "-"]
        env = {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
        if author:
            env.update({"GIT_AUTHOR_NAME": author[0], "GIT_AUTHOR_EMAIL": author[1]})
        return self._run(*args, input=message.encode("utf-8"), env=env).strip()

    def verify_signature(self, kind: str, name: str) -> bool:
        """``git verify-commit`` or ``git verify-tag``: True when the signature is good."""
        status, _out, _err = self._execute(f"verify-{kind}", name)
        return status == 0

    def signing(self, key: str) -> bool:
        return self._run("config", "--bool", key, check=False).strip() == "true"

    def compare_and_swap(self, ref: str, new: str, old: str | None) -> bool:
        """Point ``ref`` at ``new`` only if it still points at ``old`` (None: must not exist)."""
        if ref == "HEAD" or not _SAFE_REF.match(ref):
            raise ValueError(f"unsafe ref {ref!r}")
        status, _out, err = self._execute("update-ref", "-m", "assembler", ref, new, old or ZERO)
        if status == 0:
            return True
        if _stale_lock_message(err) or "cannot lock ref" not in err:
            self._raise("update-ref", status, err)
        return False

    def create_tag(self, name: str, commit: str, message: str, epoch: int) -> None:
        """An annotated tag ``name`` on ``commit`` (signed when tag.gpgSign is set)."""
        ref = f"refs/tags/{name}"
        if not _SAFE_REF.match(ref):
            raise ValueError(f"unsafe tag name {name!r}")
        args = ["tag", "-a", "-F", "-"]
        if self.signing("tag.gpgSign"):
            args.append("-s")
        self._run(*args, name, commit, input=message.encode("utf-8"),
                 env={"GIT_COMMITTER_DATE": f"@{epoch} +0000"})

    def tags(self, prefix: str) -> dict[str, str]:
        """``tag name -> commit`` for tags under ``refs/tags/<prefix>``."""
        out = self._run("for-each-ref", "--format=%(refname:strip=2)%00%(*objectname)%00%(objectname)",
                       f"refs/tags/{prefix}")
        found = {}
        for line in out.splitlines():
            name, peeled, direct = line.split("\0")
            found[name] = peeled or direct
        return found

    def stage(self, files: dict[str, str]) -> None:
        """Set the user's index entries for ``files`` (path -> blob id; ``ZERO`` removes the
        path), nothing else."""
        self._run("update-index", "--add", "--index-info", input=_index_info(files))

    def read_blob(self, sha: str) -> bytes:
        """The bytes of blob ``sha``."""
        status, out, err = self._execute_bytes("cat-file", "blob", sha, input=b"")
        if status != 0:
            raise WorkspaceStateError(f"git cannot read blob {sha[:12]}: {err.strip()}")
        return out

    def index_entry(self, path: str) -> str | None:
        out = self._run("ls-files", "-s", "-z", "--", path).split("\0")[0]
        return out.split()[1] if out else None

    # ------------------------------------------------------------ history

    def log(self, ref: str, paths: tuple[str, ...] = ()) -> list[LogEntry]:
        """Commits reachable from ``ref``, newest first, with their trailers."""
        fmt = "%H%x1f%P%x1f%an%x1f%ae%x1f%at%x1f%s%x1f%(trailers:only,unfold)%x1e"
        args = ["log", f"--format={fmt}", ref]
        if paths:
            args += ["--", *paths]
        out = self._run(*args, check=False)
        entries = []
        for record in out.split("\x1e"):
            record = record.strip("\n")
            if not record:
                continue
            sha, parents, author, email, when, subject, trailers = record.split("\x1f")
            pairs = []
            for line in trailers.splitlines():
                key, sep, value = line.partition(":")
                if sep:
                    pairs.append((key.strip(), value.strip()))
            entries.append(LogEntry(sha, tuple(parents.split()), author, email, int(when),
                                    subject, tuple(pairs)))
        return entries

    def fsck(self, full: bool = True) -> tuple[bool, str]:
        """``git fsck --strict`` (and ``--full``): (passed, what it said)."""
        args = ["fsck", "--strict", "--no-dangling", "--no-progress"]
        if full:
            args.append("--full")
        status, out, err = self._execute(*args)
        return status == 0, (out + err).strip()
