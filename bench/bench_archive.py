"""Benchmark: blame and verify on long histories of a 200-clause document.

1. ``assembler blame`` on 1,000 versions (default): v1 is assembled for real from a generated
   200-clause workspace; versions 2… are written with git fast-import, each editing one
   sentence of one clause in the document model, as an assembly would record it. Median of
   3 runs of the CLI, with ``git blame`` of the same JSON file as a reference.
2. ``assembler verify`` throughput on a real history (default 20 versions, each a real
   assembly after editing one clause): every version is rebuilt from its own commit in all
   five formats and compared byte for byte, so this is the honest cost per version.
3. ``assembler verify`` over 1,000 real versions (default) recorded with Markdown and JSON
   outputs only, so the long history can be made in minutes: rebuild, hashes, tags, fsck.

    .venv/bin/python bench/bench_archive.py [--versions 1000] [--verify-versions 20] [--verify-history 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate  # noqa: E402
from timing import print_table, run_times  # noqa: E402

from assembler.model import codec  # noqa: E402
from assembler.model import nodes as m  # noqa: E402
from assembler.workspace import Workspace  # noqa: E402

ENV = {**os.environ, "GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@example.org",
       "GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "bench@example.org"}


def git(root: Path, *args: str, input: bytes | None = None) -> bytes:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, input=input,
                          env=ENV).stdout


def workspace(root: Path, clauses: int) -> Workspace:
    os.environ.update({k: v for k, v in ENV.items() if k.startswith("GIT_")})
    Workspace.init(root)
    generate(root, clauses=clauses, words=60)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "Generated workspace")
    return Workspace(root)


def _edit(doc: m.Document, rng: random.Random, n: int) -> m.Document:
    """``doc`` with one word of one clause's first paragraph replaced."""
    clauses = list(m.iter_clauses(doc.blocks))
    target = rng.choice(clauses).id

    def block(node):
        if isinstance(node, m.Clause):
            blocks = tuple(block(b) for b in node.blocks)
            if node.id == target and isinstance(blocks[0], m.Paragraph):
                text = m.plain_text(blocks[0].content).split()
                text[rng.randrange(len(text))] = f"edit{n}"
                blocks = (m.Paragraph((m.Text(" ".join(text)),), blocks[0].origin),) + blocks[1:]
            return m.Clause(node.id, blocks, node.origin, node.number, node.title)
        if isinstance(node, m.ClauseList):
            return m.ClauseList(tuple(block(c) for c in node.items), node.start, node.origin)
        return node

    return m.Document(doc.id, doc.title, tuple(block(b) for b in doc.blocks), doc.origin,
                      doc.variables, doc.meta)


def bench_blame(tmp: Path, versions: int) -> list[tuple[str, float, str]]:
    root = tmp / "blame"
    ws = workspace(root, 200)
    ws.assemble("big", "v1")
    head = git(root, "rev-parse", "HEAD").decode().strip()
    doc = codec.document_from_data(json.loads((root / "versions/big/big.json").read_text()))
    rng = random.Random(7)
    start = time.perf_counter()
    lines = []
    epoch = 1_800_000_000
    for n in range(2, versions + 1):
        doc = _edit(doc, rng, n)
        data = (json.dumps(codec.document_data(doc), ensure_ascii=False, indent=2) + "\n").encode()
        message = (f"Assemble big v{n}\n\nDocument: big\nVersion: {n}\nTemplate: templates/big.yaml\n"
                   "Status: draft\nAction: assemble\n").encode()
        lines += [b"commit refs/heads/main", b"mark :%d" % n,
                  b"author Bench <bench@example.org> %d +0000" % (epoch + n),
                  b"committer Bench <bench@example.org> %d +0000" % (epoch + n),
                  b"data %d" % len(message), message,
                  (b"from %s" % head.encode()) if n == 2 else (b"from :%d" % (n - 1)),
                  b"M 100644 inline versions/big/big.json", b"data %d" % len(data), data, b""]
    git(root, "fast-import", "--quiet", "--force", input=b"\n".join(lines) + b"\n")
    git(root, "reset", "-q", "--hard", "main")
    made = time.perf_counter() - start
    cli = [sys.executable, "-m", "assembler", "-C", str(root)]
    out = subprocess.run(cli + ["blame", "big", "--json"], check=True, capture_output=True, env=ENV).stdout
    blamed = json.loads(out)["lines"]
    assert json.loads(out)["version"] == versions
    edited = sum(1 for line in blamed if line["version"] > 1)
    times = run_times(lambda: subprocess.run(cli + ["blame", "big"], check=True, capture_output=True,
                                             env=ENV), 3)
    ref = run_times(lambda: git(root, "blame", "-s", "versions/big/big.json"), 3)
    return [(f"generate {versions:,} versions of a 200-clause document (fast-import)", made * 1000, "ms"),
            (f"assembler blame big ({len(blamed):,} sentences, {edited} blamed after v1; median of 3)",
             statistics.median(times) * 1000, "ms"),
            ("reference: git blame of the same big.json (lines, not sentences; median of 3)",
             statistics.median(ref) * 1000, "ms")]


def real_light_history(root: Path, count: int) -> Workspace:
    """``count`` real versions of the 200-clause document, each after editing one clause,
    recorded with Markdown and JSON outputs only (verify rebuilds the formats a manifest
    lists), so that a 1,000-version history can be made in minutes rather than an hour."""
    from assembler.history import manifest as mf
    from assembler.history import versions as versions_mod
    ws = workspace(root, 200)
    rng = random.Random(3)
    with ws.store() as store:
        for n in range(count):
            clause = root / "clauses/gen" / f"c{rng.randrange(1, 201):04d}.md"
            clause.write_text(clause.read_text().replace(".\n", f" (edit {n}).\n", 1))
            built = ws.assemble_sources("big")

            def render(number: int, epoch: int, built=built) -> dict[str, bytes]:
                options = ws.render_options(built, number, "draft", epoch, "Bench")
                return ws.render_all(built, options, ["md", "json"])

            def manifest(number: int, epoch: int, outputs, built=built) -> dict:
                return mf.build(built.document, number, "draft", list(built.sources), outputs, epoch,
                                "Bench", built.digest)

            versions_mod.record(store, "big", built.files, render, manifest, f"edit {n}")
    return ws


def bench_verify_long(tmp: Path, versions: int) -> list[tuple[str, float, str]]:
    start = time.perf_counter()
    ws = real_light_history(tmp / "verify-long", versions)
    made = time.perf_counter() - start
    rows = [(f"record {versions:,} real versions (md + json outputs only)", made, "s")]
    for jobs in (1, 2):
        start = time.perf_counter()
        report = ws.verify(jobs=jobs)
        took = time.perf_counter() - start
        assert report.ok and len(report.versions) == versions, report.data()["problems"]
        rows += [(f"assembler verify --jobs {jobs} over those {versions:,} versions (md + json)", took, "s"),
                 (f"verify throughput, md + json, --jobs {jobs}", versions / took, "versions/s")]
    return rows


def bench_verify(tmp: Path, versions: int) -> list[tuple[str, float, str]]:
    root = tmp / "verify"
    ws = workspace(root, 200)
    rng = random.Random(11)
    start = time.perf_counter()
    for n in range(versions):
        clause = root / "clauses/gen" / f"c{rng.randrange(1, 201):04d}.md"
        clause.write_text(clause.read_text().replace(".\n", f" (edit {n}).\n", 1))
        ws.assemble("big", f"edit {n}")
    made = time.perf_counter() - start
    rows = [(f"assemble {versions} real versions of the 200-clause document", made / versions * 1000,
             "ms/version")]
    for jobs in (1, 2):
        start = time.perf_counter()
        report = ws.verify(jobs=jobs)
        took = time.perf_counter() - start
        assert report.ok, report.data()
        rows += [(f"assembler verify --jobs {jobs} over {versions} versions (5 formats + fsck)",
                  took * 1000, "ms"),
                 (f"verify throughput, 5 formats, --jobs {jobs}", versions / took, "versions/s")]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--versions", type=int, default=1000)
    parser.add_argument("--verify-versions", type=int, default=20)
    parser.add_argument("--verify-history", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        rows = (bench_blame(Path(tmp), args.versions) + bench_verify(Path(tmp), args.verify_versions)
                + bench_verify_long(Path(tmp), args.verify_history))
    print_table(rows, "target: blame on 1,000 versions of a 200-clause document under 3,000 ms")


if __name__ == "__main__":
    main()
