"""One workspace-wide lock for operations that write history (assemble, adopt, rounds).

It is an advisory ``flock`` on ``.git/assembler.lock``: the kernel releases it when its
holder exits, however it exits, so a killed assembly never leaves a stale lock behind.
The file itself stays (it holds the last holder's pid, for messages) and is never a lock
by its mere presence.
"""

from __future__ import annotations

import errno
import fcntl
import os
import time
from contextlib import contextmanager
from pathlib import Path

from assembler.errors import EnvironmentFailure, WorkspaceStateError

DEFAULT_WAIT_SECONDS = 300.0


@contextmanager
def workspace_lock(git_dir: Path, wait_seconds: float = DEFAULT_WAIT_SECONDS):
    """Hold the workspace lock for the ``with`` block, waiting up to ``wait_seconds`` for it."""
    path = git_dir / "assembler.lock"
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise EnvironmentFailure(f"{path}: cannot open the workspace lock ({exc.strerror}); "
                                 "is the workspace read-only?") from None
    try:
        deadline = time.monotonic() + wait_seconds
        delay = 0.005
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise EnvironmentFailure(f"{path}: cannot lock ({exc.strerror})") from None
                if time.monotonic() > deadline:
                    holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "unknown"
                    raise WorkspaceStateError(
                        f"another assembler process (pid {holder}) has held the workspace lock "
                        f"for over {wait_seconds:.0f} s; wait for it to finish and try again")
                time.sleep(delay)
                delay = min(delay * 2, 0.1)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock
