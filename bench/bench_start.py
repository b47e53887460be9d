"""Benchmark: start-up time of short commands, as whole processes.

Times, in one run and round-robin (one run of each command in turn, --runs rounds, after one
untimed warm-up run of each so bytecode caches exist):

- the interpreter alone: ``sys.executable -c pass``, the very interpreter the ``assembler``
  console script runs (its shebang; here .venv/bin/python) -- the baseline;
- ``python3 -c pass`` as found on PATH (here a pyenv shim), for information only;
- ``assembler --version``;
- ``assembler log`` and ``assembler check``, in a workspace made (in a temporary folder) by
  ``assembler init --example DIR`` and ``assembler -C DIR assemble resolution -m "First draft"``.

Target: each of the three assembler commands under 5x the interpreter's bare start.

    .venv/bin/python bench/bench_start.py [--runs 20]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from timing import Command, add_runs, assembler_command, measure, print_header, print_table, run, target

LIMIT = 5.0


def shebang(script: str) -> str | None:
    try:
        first = Path(script).read_bytes().split(b"\n", 1)[0].decode()
    except OSError:
        return None
    return first[2:].strip() if first.startswith("#!") else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_runs(parser, 20)
    args = parser.parse_args()
    print_header("bench_start: start-up time of short assembler commands against the bare interpreter")
    assembler = assembler_command()
    interpreter = shebang(assembler[0]) if len(assembler) == 1 else sys.executable
    if interpreter and os.path.realpath(interpreter) != os.path.realpath(sys.executable):
        print(f"note: the console script runs {interpreter}, this script {sys.executable}; "
              "the baseline is the console script's interpreter")
    baseline = interpreter or sys.executable
    print(f"assembler: {' '.join(assembler)} (runs {baseline})")
    path_python = shutil.which("python3")
    with tempfile.TemporaryDirectory() as tmp:
        ws = Path(tmp) / "example"
        run(assembler + ["init", "--example", str(ws)])
        run(assembler + ["-C", str(ws), "assemble", "resolution", "-m", "First draft"])
        print("workspace: assembler init --example DIR; assembler -C DIR assemble resolution "
              "-m \"First draft\" (DIR in a temporary folder)\n")
        commands = [Command(f"{baseline} -c pass", [baseline, "-c", "pass"])]
        if path_python:
            commands.append(Command(f"python3 -c pass (PATH: {path_python}; information only)",
                                    [path_python, "-c", "pass"]))
        ours = [Command("assembler --version", assembler + ["--version"]),
                Command("assembler log", assembler + ["log"], cwd=ws),
                Command("assembler check", assembler + ["check"], cwd=ws)]
        rows = measure(commands + ours, args.runs, references=[commands[0].label])
    print_table(rows, unit="ms")
    print()
    base = rows[0]
    for row in rows[len(commands):]:
        ratio = row.median / base.median
        print(f"ratio {row.label} / bare interpreter: {ratio:.1f} "
              f"({row.median * 1000:.1f} ms / {base.median * 1000:.1f} ms)")
    for row in rows[len(commands):]:
        target(f"{row.label} (median) / bare interpreter start (median)", row.median / base.median,
               LIMIT, "x")


if __name__ == "__main__":
    main()
