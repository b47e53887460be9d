"""Shared fixtures: real workspaces (real git) in temporary folders, and a CLI runner."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from assembler.cli.main import main
from assembler.workspace import Workspace

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "tests" / "data" / "resolution.txt"  # a copy of the seed resolution, as shipped


@pytest.fixture(autouse=True)
def _git_identity(monkeypatch):
    """Commits made by tests have a fixed identity and never read the user's git config."""
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Test Editor")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "editor@example.org")
    monkeypatch.setenv("GIT_COMMITTER_NAME", "Test Editor")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "editor@example.org")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")


class Result:
    def __init__(self, code: int, stdout: str, stderr: str):
        self.code, self.stdout, self.stderr = code, stdout, stderr

    def __repr__(self):
        return f"<exit {self.code}\nstdout: {self.stdout}\nstderr: {self.stderr}>"


class WS:
    """A workspace under test: write files into it, run the CLI in it, snapshot it."""

    def __init__(self, root: Path):
        self.root = root

    def write(self, rel: str, text: str | bytes) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, str):
            text = textwrap.dedent(text).lstrip("\n").encode("utf-8")
        path.write_bytes(text)
        return path

    def clause(self, clause_id: str, body: str, folder: str = "clauses", **front) -> Path:
        lines = [f"{k}: {v}" for k, v in front.items()]
        head = "---\n" + "\n".join(lines) + "\n---\n" if lines else ""
        return self.write(f"{folder}/{clause_id}.md", head + textwrap.dedent(body).strip() + "\n")

    def run(self, *args: str) -> Result:
        result = CliRunner().invoke(main, ["-C", str(self.root), *args], catch_exceptions=False)
        return Result(result.exit_code, result.stdout, result.stderr)

    def snapshot(self) -> dict[str, str]:
        """Every file below the workspace (git's own folder included) with its SHA-256."""
        found = {}
        for path in sorted(self.root.rglob("*")):
            if path.is_file() and not path.is_symlink():
                found[path.relative_to(self.root).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
        return found


@pytest.fixture
def ws(tmp_path) -> WS:
    """An empty workspace (git repository with clauses/, templates/, versions/)."""
    Workspace.init(tmp_path / "ws")
    return WS(tmp_path / "ws")


@pytest.fixture
def example(tmp_path) -> WS:
    """A workspace holding the bundled example resolution."""
    Workspace.init(tmp_path / "example", example=True)
    return WS(tmp_path / "example")


def run_cli(*args: str, cwd: Path) -> Result:
    """The installed command in a real subprocess, as a user would run it."""
    proc = subprocess.run([sys.executable, "-m", "assembler", *args], cwd=cwd,
                          capture_output=True, text=True)
    return Result(proc.returncode, proc.stdout, proc.stderr)


def words(markdown: str) -> list[str]:
    """The words of a Markdown text, heading marks dropped."""
    return [w for w in markdown.split() if w != "#"]


def pytest_addoption(parser):
    parser.addoption("--regen-golden", action="store_true",
                     help="Rewrite the golden files in tests/golden from the current output.")


@pytest.fixture
def golden(request):
    """compare(name, text): the text must equal tests/golden/NAME (rewritten with --regen-golden)."""
    regen = request.config.getoption("--regen-golden")
    folder = REPO / "tests" / "golden"

    def compare(name: str, text: str) -> None:
        path = folder / name
        if regen:
            folder.mkdir(exist_ok=True)
            path.write_text(text, encoding="utf-8")
        assert path.exists(), f"no golden file {path}; run pytest --regen-golden and review the diff"
        expected = path.read_text(encoding="utf-8")
        assert text == expected, f"{name} differs from its golden file; if intended, run pytest --regen-golden and review git diff"

    return compare
