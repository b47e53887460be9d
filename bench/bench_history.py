"""Benchmark: recording versions and reading a long history.

1. Sequential ``assemble`` + commit of the example, N versions (default 100): median ms per
   version, in-process and through the CLI, with a bare ``git commit -a`` of a similar
   change (one clause file edited) measured in the same run as the reference.
2. ``assembler log`` on a generated history of 10,000 versions (made with git fast-import:
   one commit per version with its manifest, trailers and annotated tag): median of 5.

    .venv/bin/python bench/bench_history.py [--versions 100] [--history 10000]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from assembler.workspace import Workspace

sys.path.insert(0, str(Path(__file__).resolve().parent))
from timing import print_table  # noqa: E402

ENV = {**os.environ, "GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@example.org",
       "GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "bench@example.org"}


def git(root: Path, *args: str, input: bytes | None = None) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, input=input, env=ENV)


def median_ms(times: list[float]) -> float:
    return statistics.median(times) * 1000


def bench_assemble(tmp: Path, count: int) -> list[tuple[str, float, str]]:
    os.environ.update({k: v for k, v in ENV.items() if k.startswith("GIT_")})
    workspace = Workspace.init(tmp / "ws", example=True)
    git(workspace.root, "add", "-A")
    git(workspace.root, "commit", "-qm", "Import")
    clause = workspace.root / "clauses/resolution/harm-reduction.md"
    original = clause.read_text()
    plain = tmp / "plain"
    subprocess.run(["cp", "-r", str(workspace.root), str(plain)], check=True)
    plain_clause = plain / "clauses/resolution/harm-reduction.md"
    in_process, bare = [], []
    for n in range(count):
        clause.write_text(original.replace("principle.", f"principle ({n})."))
        start = time.perf_counter()
        workspace.assemble("resolution")
        in_process.append(time.perf_counter() - start)
        plain_clause.write_text(original.replace("principle.", f"principle ({n})."))
        start = time.perf_counter()
        git(plain, "commit", "-qam", f"edit {n}")
        bare.append(time.perf_counter() - start)
    cli = []
    for n in range(min(count, 30)):
        clause.write_text(original.replace("principle.", f"principle [{n}]."))
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "assembler", "-C", str(workspace.root), "assemble",
                        "resolution"], check=True, capture_output=True, env=ENV)
        cli.append(time.perf_counter() - start)
    return [
        (f"assemble + commit, in-process (median of {count})", median_ms(in_process), "ms/version"),
        (f"assemble + commit, CLI process (median of {len(cli)})", median_ms(cli), "ms/version"),
        (f"bare git commit -a of one edited file (median of {count})", median_ms(bare), "ms/commit"),
        ("ratio in-process assemble / bare git commit", median_ms(in_process) / median_ms(bare), "x"),
    ]


def generate_history(root: Path, versions: int) -> None:
    """A repository whose main branch records ``versions`` versions of document 'big'."""
    git(root, "init", "-q", "-b", "main")
    lines: list[bytes] = []
    epoch = 1_700_000_000
    for n in range(1, versions + 1):
        manifest = json.dumps({"schema": "policy-assembler/manifest/1", "document": "big",
                               "version": n, "outputs": {}}).encode()
        message = (f"Assemble big v{n}\n\nDocument: big\nVersion: {n}\nTemplate: templates/big.yaml\n"
                   f"Status: draft\nAction: assemble\n").encode()
        lines += [b"commit refs/heads/main", b"mark :%d" % n,
                  b"author Bench <bench@example.org> %d +0000" % (epoch + n),
                  b"committer Bench <bench@example.org> %d +0000" % (epoch + n),
                  b"data %d" % len(message), message]
        if n > 1:
            lines.append(b"from :%d" % (n - 1))
        lines += [b"M 100644 inline versions/big/manifest.json", b"data %d" % len(manifest), manifest,
                  b"", b"tag big/v%d" % n, b"from :%d" % n,
                  b"tagger Bench <bench@example.org> %d +0000" % (epoch + n), b"data 0", b""]
    git(root, "fast-import", "--quiet", input=b"\n".join(lines) + b"\n")
    git(root, "checkout", "-q", "main")
    for folder in ("clauses", "templates", "versions"):
        (root / folder).mkdir(exist_ok=True)


def bench_log(tmp: Path, versions: int) -> list[tuple[str, float, str]]:
    root = tmp / "history"
    root.mkdir()
    start = time.perf_counter()
    generate_history(root, versions)
    made = time.perf_counter() - start
    rows = [(f"generate {versions:,} versions with git fast-import", made * 1000, "ms")]
    for args in (["log", "big"], ["log", "--json"]):
        times = []
        for _ in range(5):
            start = time.perf_counter()
            out = subprocess.run([sys.executable, "-m", "assembler", "-C", str(root), *args],
                                 check=True, capture_output=True, env=ENV).stdout
            times.append(time.perf_counter() - start)
        count = len(json.loads(out)) if "--json" in args else len(out.splitlines())
        assert count == versions, count
        rows.append((f"assembler {' '.join(args)} ({count:,} versions, median of 5)",
                     median_ms(times), "ms"))
    times = []
    for _ in range(5):
        start = time.perf_counter()
        subprocess.run(["git", "log", "--format=%H %s", "main"], cwd=root, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    rows.append(("reference: git log --format over the same history", median_ms(times), "ms"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--versions", type=int, default=100)
    parser.add_argument("--history", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        rows = bench_assemble(Path(tmp), args.versions) + bench_log(Path(tmp), args.history)
    print_table(rows, "target: assembler log on 10,000 versions under 2,000 ms")


if __name__ == "__main__":
    main()
