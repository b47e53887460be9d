"""Benchmark: assemble a generated 2,000-clause template (~200,000 words) to Markdown and JSON.

Prints a table: median of 5 runs in-process (read + assemble + render), the same through
the CLI (process start included), and peak memory (max RSS of the measuring process).

    .venv/bin/python bench/bench_build.py [--clauses 2000] [--words 100] [--runs 5]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate  # noqa: E402
from timing import run_times  # noqa: E402

from assembler.workspace import Workspace  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clauses", type=int, default=2000)
    parser.add_argument("--words", type=int, default=100)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = generate(Path(tmp), args.clauses, args.words)
        workspace = Workspace(root)
        doc = workspace.build("big")
        md = workspace.render(doc, "md")
        word_count = len(md.split())

        def build_both():
            d = workspace.build("big")
            workspace.render(d, "md")
            workspace.render(d, "json")

        rows = [
            ("read + assemble", run_times(lambda: workspace.build("big"), args.runs)),
            ("render md", run_times(lambda: workspace.render(doc, "md"), args.runs)),
            ("render json", run_times(lambda: workspace.render(doc, "json"), args.runs)),
            ("assemble -> md + json", run_times(build_both, args.runs)),
        ]
        cli = [sys.executable, "-m", "assembler", "-C", str(root), "build", "big", "-o"]
        rows.append(("CLI build md (process)", run_times(
            lambda: subprocess.run(cli + [str(Path(tmp) / "o.md")], check=True,
                                   capture_output=True), args.runs)))
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        child_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"generated: {args.clauses} clauses, {word_count:,} words; {args.runs} runs each")
    print(f"{'step':<26} {'median s':>9} {'min s':>7} {'max s':>7}")
    for name, times in rows:
        print(f"{name:<26} {statistics.median(times):>9.3f} {min(times):>7.3f} {max(times):>7.3f}")
    print(f"peak memory: {peak_mb:.0f} MB in-process (max RSS), {child_mb:.0f} MB for one CLI build")
    print("targets: assemble -> md + json under 1 s, peak memory under 300 MB")


if __name__ == "__main__":
    main()
