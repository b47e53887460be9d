"""Benchmark: recording a version, and reading a long history.

Whole processes, each the median of --runs (default 5) after one untimed warm-up run, the
commands of each part round-robin in the same run:

1. Record a version of the example: in a workspace made by ``assembler init --example`` that
   already holds --versions versions (default 20, recorded untimed with the same command),
   edit one clause, then time ``assembler assemble resolution -m MESSAGE`` (assembly, all five
   formats, one commit and a tag). Reference: the same edit in a plain git copy of the
   workspace, then ``git commit -qam MESSAGE``. Only the command is timed, not the edit.
2. ``assembler log big`` and ``assembler log --json`` on a history of --history versions
   (default 10,000) written with git fast-import (one commit per version with its manifest and
   trailers, and an annotated tag), against ``git log --format='%H %s' main`` of the same
   repository.

Target: ``assembler log`` on 10,000 versions under 2 s (checked for both log commands). Until
issue 14's rework, part 1 timed the assembly mostly in-process; --versions then counted the
timed runs and now is the length of the history the timed runs add to.

    .venv/bin/python bench/bench_history.py [--runs 5] [--versions 20] [--history 10000]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from timing import (
    Command,
    add_runs,
    assembler_command,
    measure,
    print_header,
    print_table,
    ratio,
    run,
    target,
)

CLAUSE = "clauses/resolution/harm-reduction.md"


def bench_record(tmp: Path, versions: int, runs: int) -> None:
    assembler = assembler_command()
    ws = tmp / "example"
    run(assembler + ["init", "--example", str(ws)])
    run(["git", "add", "-A"], cwd=ws)
    run(["git", "commit", "-qm", "Import the example"], cwd=ws)
    plain = tmp / "plain"
    shutil.copytree(ws, plain, symlinks=True)
    original = (ws / CLAUSE).read_text(encoding="utf-8")
    assert "principle." in original, "the example clause changed: pick another edit"
    counter = {"ws": 0, "plain": 0}

    def edit(root: Path, key: str) -> None:
        counter[key] += 1
        (root / CLAUSE).write_text(original.replace("principle.", f"principle ({counter[key]})."),
                                   encoding="utf-8")

    for n in range(versions):
        edit(ws, "ws")
        run(assembler + ["assemble", "resolution", "-m", f"setup edit {n + 1}"], cwd=ws)
    log = run(assembler + ["log", "resolution", "--json"], cwd=ws)
    print(f"part 1: {' '.join(assembler)} in a workspace from `assembler init --example` with "
          f"{len(json.loads(log))} versions recorded (untimed); each run edits one clause first "
          "(untimed) and records the next version\n")
    commands = [Command("assembler assemble resolution -m MESSAGE (one edited clause)",
                        assembler + ["assemble", "resolution", "-m", "edit"], ws,
                        before=lambda: edit(ws, "ws")),
                Command("git commit -qam MESSAGE (same edit, plain git copy)",
                        ["git", "commit", "-qam", "edit"], plain, before=lambda: edit(plain, "plain"))]
    rows = measure(commands, runs, references=[commands[1].label])
    after = len(json.loads(run(assembler + ["log", "resolution", "--json"], cwd=ws)))
    assert after == versions + runs + 1, after
    print_table(rows, unit="ms")
    ratio("assemble / git commit", rows[0], rows[1])
    print(f"(the workspace now holds {after} versions: setup, warm-up and timed runs)\n")


def generate_history(root: Path, versions: int) -> None:
    """A repository whose main branch records ``versions`` versions of document 'big'."""
    run(["git", "init", "-q", "-b", "main"], cwd=root)
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
    run(["git", "fast-import", "--quiet"], cwd=root, input=b"\n".join(lines) + b"\n")
    run(["git", "checkout", "-q", "main"], cwd=root)
    for folder in ("clauses", "templates", "versions"):
        (root / folder).mkdir(exist_ok=True)


def bench_log(tmp: Path, versions: int, runs: int) -> None:
    assembler = assembler_command()
    root = tmp / "history"
    root.mkdir()
    generate_history(root, versions)
    print(f"part 2: a repository with {versions:,} versions of 'big' written by git fast-import "
          "(untimed); commands run in it\n")
    commands = [Command("assembler log big", assembler + ["log", "big"], root),
                Command("assembler log --json", assembler + ["log", "--json"], root),
                Command("git log --format='%H %s' main", ["git", "log", "--format=%H %s", "main"], root)]
    rows = measure(commands, runs, references=[commands[2].label])
    assert len(rows[0].stdout.splitlines()) == versions, len(rows[0].stdout.splitlines())
    assert len(json.loads(rows[1].stdout)) == versions
    assert len(rows[2].stdout.splitlines()) == versions
    print_table(rows, unit="ms")
    ratio("assembler log big / git log", rows[0], rows[2])
    ratio("assembler log --json / git log", rows[1], rows[2])
    note = "" if versions == 10_000 else f" (run on {versions:,}, not 10,000)"
    for row in rows[:2]:
        target(f"{row.label} on 10,000 versions{note}, median", row.median * 1000, 2000, "ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_runs(parser)
    parser.add_argument("--versions", type=int, default=20,
                        help="versions recorded before part 1's timed runs (default 20)")
    parser.add_argument("--history", type=int, default=10_000, help="versions for part 2 (default 10,000)")
    args = parser.parse_args()
    print_header("bench_history: record a version; read a long history")
    with tempfile.TemporaryDirectory() as tmp:
        bench_record(Path(tmp), args.versions, args.runs)
        bench_log(Path(tmp), args.history, args.runs)


if __name__ == "__main__":
    main()
