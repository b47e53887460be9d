"""Git, behind one wall (GitPython lives here and nowhere else)."""

from __future__ import annotations

from pathlib import Path

from .errors import EnvironmentFailure


def _git():
    try:
        import git
    except ImportError as exc:  # GitPython refuses to import when no git binary is found
        raise EnvironmentFailure(f"git is not available ({exc}); install git and try again") from None
    return git


def init_repository(path: Path) -> None:
    """``git init`` at ``path`` with ``main`` as the first branch."""
    git = _git()
    try:
        git.Repo.init(path, initial_branch="main").close()
    except git.GitCommandError as exc:
        raise EnvironmentFailure(f"{path}: git init failed: {exc.stderr.strip()}") from None


def is_repository(path: Path) -> bool:
    """True when ``path`` is the top of a git work tree."""
    return (path / ".git").exists()
