"""Benchmark: redline two versions of the generated 2,000-clause document.

Version 2 differs from version 1 by about 2% of words edited, 20 clauses moved, 10 added and
10 removed. Prints the median time of the comparison alone and of each output, and, on the
same pair in the same run, `git diff --word-diff` and Python's difflib on the canonical
Markdown as references, with the number of change regions each reports.

It also times the whole user process: a real workspace (git repository, default
/tmp/bench-ws, kept after the run) records v1 and v2 of `big` through the toolkit itself
(Markdown and JSON outputs only, which is all `redline` reads), then
`assembler -C WS redline big v1 v2 --json OUT` runs as a separate process, against
`git diff --no-index --word-diff=porcelain` of the two recorded Markdown outputs, both
median of --runs. --whole-only skips the per-format render rows (slow).

    .venv/bin/python bench/bench_redline.py [--clauses 2000] [--runs 3] [--whole-only]
                                            [--workspace /tmp/bench-ws]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from difflib import SequenceMatcher
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import VOCABULARY, generate  # noqa: E402
from timing import median_seconds, run_times  # noqa: E402

from assembler.model import nodes as m  # noqa: E402
from assembler.build import redline  # noqa: E402
from assembler.workspace import Workspace  # noqa: E402
from assembler.writers.options import RedlineInfo, Side  # noqa: E402


def revise(root: Path, rng: random.Random, edit_share=0.02, moved=20, added=10, removed=10) -> None:
    """Edit ~2% of words, move, add and remove clauses (template lines are one clause each)."""
    for path in sorted((root / "clauses/gen").glob("*.md")):
        head, body = path.read_text().split("---\n", 2)[1:]
        words = body.split(" ")
        for index in range(len(words)):
            placeholder = index and words[index - 1] in ("{{", "(see")
            if rng.random() < edit_share and re.fullmatch(r"[a-z]+", words[index]) and not placeholder:
                words[index] = rng.choice(VOCABULARY)
        path.write_text(f"---\n{head}---\n{' '.join(words)}")
    template = root / "templates/big.yaml"
    lines = template.read_text().splitlines()
    head, items = lines[:4], lines[4:]
    units: list[list[str]] = []          # a clause line, with its nested "numbered:" line if any
    for line in items:
        if line.startswith("        numbered:"):
            units[-1].append(line)
        else:
            units.append([line])
    referenced = set(re.findall(r"ref:(c\d+)", " ".join(p.read_text() for p in (root / "clauses/gen").glob("*.md"))))
    simple = [i for i, unit in enumerate(units)
              if len(unit) == 1 and unit[0].strip("- ").strip() not in referenced]
    gone = set(rng.sample(simple, removed))
    movers = rng.sample([i for i in simple if i not in gone], moved)
    kept = [unit for i, unit in enumerate(units) if i not in gone and i not in movers]
    for i in movers:
        kept.insert(rng.randrange(len(kept) + 1), units[i])
    for n in range(added):
        (root / "clauses/gen" / f"new{n}.md").write_text(
            f"---\nid: new{n}\n---\nA new clause number {n} about "
            + " ".join(rng.choice(VOCABULARY) for _ in range(60)) + ".\n")
        kept.insert(rng.randrange(len(kept)), [f"      - new{n}"])
    template.write_text("\n".join(head + [line for unit in kept for line in unit]) + "\n")


def regions_ours(doc: m.Document) -> int:
    count = 0

    def inl(nodes):
        nonlocal count
        in_region = False
        for node in nodes:
            if isinstance(node, (m.Ins, m.Del)):
                if not in_region:
                    count += 1
                in_region = True
            elif isinstance(node, m.Text) and not node.text.strip() and in_region:
                continue
            else:
                in_region = False

    def walk(blocks):
        nonlocal count
        for block in blocks:
            if isinstance(block, m.ClauseList):
                walk(block.items)
            elif isinstance(block, m.Clause):
                if block.change in (m.INSERTED, m.DELETED, m.MOVED):
                    count += 1
                if block.change not in (m.INSERTED, m.DELETED, m.MOVED_AWAY):
                    walk(block.blocks)
            elif isinstance(block, (m.Paragraph, m.Heading)):
                if block.change:
                    count += 1
                else:
                    inl(block.content)
    inl(doc.title)
    walk(doc.blocks)
    return count


def regions_git(old: Path, new: Path) -> tuple[float, int]:
    start = time.perf_counter()
    out = subprocess.run(["git", "diff", "--no-index", "--word-diff=porcelain", str(old), str(new)],
                         capture_output=True, text=True).stdout
    elapsed = time.perf_counter() - start
    return elapsed, count_git_regions(out)


def count_git_regions(out: str) -> int:
    count, in_region = 0, False
    for line in out.splitlines()[5:]:
        if line[:1] in "+-" and not line.startswith(("+++", "---")):
            if not in_region:
                count += 1
            in_region = True
        else:
            in_region = False
    return count


ENV = {**os.environ, "GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@example.org",
       "GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "bench@example.org"}


def git(root: Path, *args: str) -> bytes:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, env=ENV).stdout


def record_light(ws: Workspace, message: str) -> None:
    """Record the next version of 'big' with Markdown and JSON outputs only (what redline
    reads), as bench_archive.real_light_history does: five formats of 2,000 clauses take long."""
    from assembler.history import manifest as mf
    from assembler.history import versions as versions_mod
    built = ws.assemble_sources("big")

    def render(number: int, epoch: int) -> dict[str, bytes]:
        return ws.render_all(built, ws.render_options(built, number, "draft", epoch, "Bench"), ["md", "json"])

    def manifest(number: int, epoch: int, outputs) -> dict:
        return mf.build(built.document, number, "draft", list(built.sources), outputs, epoch, "Bench",
                        built.digest)

    with ws.store() as store:
        versions_mod.record(store, "big", built.files, render, manifest, message)


def real_workspace(root: Path, clauses: int) -> Path:
    """A git workspace at ``root`` (made anew) where v1 and v2 of 'big' are recorded."""
    if root.exists():
        shutil.rmtree(root)
    os.environ.update({k: v for k, v in ENV.items() if k.startswith("GIT_")})
    Workspace.init(root)
    generate(root, clauses)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "Generated workspace")
    ws = Workspace(root)
    record_light(ws, "v1")
    revise(root, random.Random(5))            # the same revision as the in-process rows
    git(root, "add", "-A")
    git(root, "commit", "-qm", "Revised sources")
    record_light(ws, "v2")
    return root


def cli_command() -> list[str]:
    script = Path(sys.executable).parent / "assembler"
    return [str(script)] if script.exists() else [sys.executable, "-m", "assembler"]


def bench_whole(root: Path, runs: int) -> list[tuple[str, float, int | None]]:
    """The whole `assembler redline big v1 v2 --json` process against git diff --word-diff
    of the two recorded Markdown outputs, each median of ``runs``, in the same run."""
    out = root.parent / f"{root.name}-redline.json"
    command = cli_command() + ["-C", str(root), "redline", "big", "v1", "v2", "--json", str(out)]
    ours = run_times(lambda: subprocess.run(command, check=True, capture_output=True, env=ENV), runs)
    ours_regions = len(json.loads(out.read_text())["changes"])
    old_md, new_md = root.parent / f"{root.name}-v1.md", root.parent / f"{root.name}-v2.md"
    old_md.write_bytes(git(root, "show", "big/v1:versions/big/big.md"))
    new_md.write_bytes(git(root, "show", "big/v2:versions/big/big.md"))
    diff = ["git", "diff", "--no-index", "--word-diff=porcelain", str(old_md), str(new_md)]
    theirs = run_times(lambda: subprocess.run(diff, capture_output=True), runs)
    git_regions = count_git_regions(subprocess.run(diff, capture_output=True, text=True).stdout)
    ours_s, git_s = statistics.median(ours), statistics.median(theirs)
    return [("assembler redline big v1 v2 --json (whole process)", ours_s, ours_regions),
            ("git diff --word-diff=porcelain, recorded md", git_s, git_regions),
            ("ratio whole process / git diff (times, not s)", ours_s / git_s, None)]


def regions_difflib(old: str, new: str) -> tuple[float, int]:
    start = time.perf_counter()
    # difflib's default junk heuristic on: without it, 200,000 words take many minutes
    opcodes = SequenceMatcher(None, old.split(), new.split()).get_opcodes()
    return time.perf_counter() - start, sum(1 for op in opcodes if op[0] != "equal")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clauses", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--whole-only", action="store_true",
                        help="skip the per-format redline render rows (slow)")
    parser.add_argument("--workspace", type=Path, default=Path("/tmp/bench-ws"),
                        help="where the real workspace for the whole-process row is made (kept)")
    args = parser.parse_args()
    rng = random.Random(5)
    with tempfile.TemporaryDirectory() as tmp:
        one = generate(Path(tmp) / "one", args.clauses)
        two = Path(tmp) / "two"
        shutil.copytree(one, two)
        revise(two, rng)
        old, new = Workspace(one).build("big"), Workspace(two).build("big")
        old_md, new_md = Path(tmp) / "old.md", Path(tmp) / "new.md"
        old_md.write_bytes(Workspace(one).render(old, "md"))
        new_md.write_bytes(Workspace(two).render(new, "md"))
        compare_s = median_seconds(lambda: redline.compare(old, new), args.runs)
        result = redline.compare(old, new)
        info = RedlineInfo(Side("v1", 1_700_000_000), Side("v2", 1_700_086_400), result.summary)
        rows = [("compare (engine alone)", compare_s, regions_ours(result.document))]
        workspace = Workspace(two)
        for fmt in () if args.whole_only else ("json", "md", "html", "docx", "pdf"):
            rows.append((f"redline -> {fmt}", median_seconds(lambda: workspace.render_redline(result, info, fmt),
                                                      args.runs), None))
        git_s, git_regions = regions_git(old_md, new_md)
        rows.append(("git diff --word-diff (reference)", git_s, git_regions))
        dl_s, dl_regions = regions_difflib(old_md.read_text(), new_md.read_text())
        rows.append(("difflib on words (reference)", dl_s, dl_regions))
        words = len(new_md.read_text().split())
    start = time.perf_counter()
    root = real_workspace(args.workspace.absolute(), args.clauses)
    setup_s = time.perf_counter() - start
    rows += bench_whole(root, args.runs)
    s = result.summary
    print(f"{args.clauses} clauses, {words:,} words; v2: {s['words_inserted']} words inserted, "
          f"{s['words_deleted']} deleted, {s['clauses_added']} clauses added, {s['clauses_removed']} "
          f"removed, {s['clauses_moved']} moved, {s['clauses_modified']} modified; median of {args.runs}")
    width = max(34, *(len(r[0]) for r in rows))
    print(f"{'step':<{width}} {'median s':>9} {'change regions':>15}")
    for name, seconds, regions in rows:
        print(f"{name:<{width}} {seconds:>9.2f} {'' if regions is None else regions:>15}")
    print(f"workspace with v1 and v2 recorded (md + json, {setup_s:.0f} s to make): {root}")
    print(f"  re-run: {' '.join(cli_command())} -C {root} redline big v1 v2 --json /tmp/o.json")
    print("targets: comparison under 2 s, PDF under 20 s, whole redline --json process under 1 s, "
          "no more change regions than git diff --word-diff")


if __name__ == "__main__":
    main()
