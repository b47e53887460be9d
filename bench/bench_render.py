"""Benchmark: render the generated 2,000-clause document (~200,000 words) to each format.

Median of N runs per writer (in-process, the document assembled once) with peak memory,
and pandoc converting the same canonical Markdown to DOCX and HTML in the same run as the
reference (pandoc from Debian's package; skipped with a note when missing).

    .venv/bin/python bench/bench_render.py [--clauses 2000] [--runs 3]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate  # noqa: E402
from timing import run_times  # noqa: E402

from assembler.workspace import Workspace  # noqa: E402


def timed(fn, runs: int) -> tuple[float, float]:
    """(median seconds, peak MB of Python allocations during one run)."""
    times = run_times(fn, runs)
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    return statistics.median(times), peak


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clauses", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        root = generate(Path(tmp), args.clauses)
        workspace = Workspace(root)
        built = workspace.assemble_sources("big")
        options = workspace.render_options(built, 1, "draft", 1_700_000_000, "Bench")
        markdown = Path(tmp) / "big.md"
        markdown.write_bytes(workspace.render(built.document, "md", options))
        words = len(markdown.read_text().split())
        for fmt in ("md", "json", "html", "docx", "pdf"):
            seconds, peak = timed(lambda: workspace.render(built.document, fmt, options), args.runs)
            rows.append((f"assembler {fmt}", seconds, f"{peak:.0f} MB"))
        pandoc = shutil.which("pandoc")
        for fmt in ("docx", "html"):
            if not pandoc:
                rows.append((f"pandoc md -> {fmt}", float("nan"), "pandoc not installed"))
                continue
            out = Path(tmp) / f"pandoc.{fmt}"
            cmd = [pandoc, str(markdown), "-o", str(out), "--metadata", "title=big"]
            if fmt == "html":
                cmd.append("--standalone")
            seconds, _ = timed(lambda: subprocess.run(cmd, check=True, capture_output=True), args.runs)
            rows.append((f"pandoc md -> {fmt} (reference)", seconds, "process"))
    print(f"{args.clauses} clauses, {words:,} words; median of {args.runs} runs; peak = Python "
          "allocations during one render (tracemalloc)")
    print(f"{'writer':<32} {'median s':>9}  peak")
    for name, seconds, peak in rows:
        print(f"{name:<32} {seconds:>9.2f}  {peak}")
    by_name = {name: seconds for name, seconds, _ in rows}
    for fmt in ("docx", "html"):
        ref = by_name.get(f"pandoc md -> {fmt} (reference)")
        if ref:
            print(f"ratio assembler/pandoc {fmt}: {by_name[f'assembler {fmt}'] / ref:.2f} (target <= 2)")
    print(f"max RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB; "
          "target: PDF under 20 s")


if __name__ == "__main__":
    main()
