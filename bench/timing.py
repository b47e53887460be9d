"""What every benchmark shares: whole-process timing, the machine facts, the table and targets.

Every figure the scripts print is the wall-clock time of one whole process, the command a user
types, started with ``subprocess`` and waited for: interpreter start, imports, work, exit.
Each command gets one untimed warm-up run (bytecode caches, file cache, LibreOffice's profile),
then ``runs`` timed runs, and the commands of one table are run round-robin (A B C, A B C, ...)
so that a noisy machine slows them alike. A row reports the median, min and max of its runs and
the peak memory (max RSS) of the warm-up run, read with GNU time (``/usr/bin/time -f %M``): the
max RSS the kernel reports for a child of this script includes this script's own size (Linux
keeps the high-water mark across fork and exec), GNU time's is about 1 MB.

Child processes run without ``PYTHONDONTWRITEBYTECODE``: this machine sets it, a user's does not,
and without bytecode caches every run would compile the package again.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

GIT_IDENTITY = {"GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@example.org",
                "GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "bench@example.org"}

INSTALL_HINTS = {"pandoc": "apt-get install pandoc", "soffice": "apt-get install libreoffice-writer-nogui",
                 "git": "apt-get install git"}


def child_env(**extra: str) -> dict[str, str]:
    """The environment child processes run with: this one, less PYTHONDONTWRITEBYTECODE, with a
    git identity (the benchmarks commit) and ``extra``."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(GIT_IDENTITY)
    env.update(extra)
    return env


def assembler_command() -> list[str]:
    """The console script a user types, ``assembler``, from the interpreter running this script
    (``.venv/bin/assembler``); ``python -m assembler`` only when there is none."""
    script = Path(sys.executable).parent / "assembler"
    return [str(script)] if script.exists() else [sys.executable, "-m", "assembler"]


MIN_RUNS = 5


def add_runs(parser: argparse.ArgumentParser, default: int = 5) -> None:
    """The --runs option every script has: timed runs of each command, at least 5."""
    def runs(text: str) -> int:
        value = int(text)
        if value < MIN_RUNS:
            raise argparse.ArgumentTypeError(f"at least {MIN_RUNS} (a median of fewer says little)")
        return value
    parser.add_argument("--runs", type=runs, default=default,
                        help=f"timed runs of each command, at least {MIN_RUNS} (default {default})")


def run(argv: Sequence[str], cwd: Path | str | None = None, env: dict | None = None,
        input: bytes | None = None) -> bytes:
    """Run a setup command (not timed); its standard output, or exit with its error."""
    result = subprocess.run(list(argv), check=False, cwd=cwd, env=env or child_env(), input=input,
                            capture_output=True)
    if result.returncode != 0:
        sys.exit(f"setup command failed ({result.returncode}): {' '.join(map(str, argv))}\n"
                 f"{result.stderr.decode(errors='replace')}")
    return result.stdout


@dataclass
class Command:
    """One command line to time. ``before`` runs untimed before every run (warm-up included),
    e.g. to edit a clause so that ``assemble`` has something to record. ``ok`` lists the exit
    codes that count as success (``git diff --no-index`` exits 1 when files differ)."""
    label: str
    argv: Sequence[str]
    cwd: Path | str | None = None
    before: Callable[[], None] | None = None
    ok: tuple[int, ...] = (0,)
    env: dict[str, str] | None = None


GNU_TIME = "/usr/bin/time"


@dataclass
class Row:
    """The timed runs of one command: seconds of each run, max RSS (KB) of the warm-up run
    (None when GNU time is missing or there was no warm-up)."""
    label: str
    times: list[float] = field(default_factory=list)
    peak_kb: int | None = None
    stdout: bytes = b""                     # of the last run, for checking what it did
    reference: bool = False

    @property
    def runs(self) -> int:
        return len(self.times)

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def min(self) -> float:
        return min(self.times)

    @property
    def max(self) -> float:
        return max(self.times)

    @property
    def peak_mb(self) -> float | None:
        return None if self.peak_kb is None else self.peak_kb / 1024


def _fail(command: Command, code: int, err) -> None:
    err.seek(0)
    sys.exit(f"{command.label}: exit {code}: {' '.join(map(str, command.argv))}\n"
             f"{err.read().decode(errors='replace')}")


def time_once(command: Command) -> tuple[float, bytes]:
    """(wall seconds, standard output) of one whole process of ``command``. Output goes to
    temporary files, not pipes, so that nothing but the process itself is timed."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        code = subprocess.call(list(command.argv), cwd=command.cwd, stdout=out, stderr=err,
                               stdin=subprocess.DEVNULL, env=command.env or child_env())
        elapsed = time.perf_counter() - start
        if code not in command.ok:
            _fail(command, code, err)
        out.seek(0)
        return elapsed, out.read()


def peak_once(command: Command) -> int | None:
    """Run ``command`` once (untimed) under GNU time; its max RSS in KB, None without GNU time."""
    if not os.access(GNU_TIME, os.X_OK):
        subprocess.run(list(command.argv), check=False, cwd=command.cwd, capture_output=True,
                       env=command.env or child_env())
        return None
    with tempfile.NamedTemporaryFile("r") as report, tempfile.TemporaryFile() as err:
        code = subprocess.call([GNU_TIME, "-f", "%M", "-o", report.name, *command.argv],
                               cwd=command.cwd, stdout=subprocess.DEVNULL, stderr=err,
                               stdin=subprocess.DEVNULL, env=command.env or child_env())
        if code not in command.ok:
            _fail(command, code, err)
        return int(report.read().split()[-1])


def measure(commands: Sequence[Command], runs: int, references: Sequence[str] = ()) -> list[Row]:
    """Time every command ``runs`` times, round-robin, after one untimed warm-up run of each
    (under GNU time, for its peak memory). ``references`` names the labels that are reference
    tools (marked in the table)."""
    rows = [Row(c.label, reference=c.label in references) for c in commands]
    for command, row in zip(commands, rows):
        if command.before:
            command.before()
        row.peak_kb = peak_once(command)
    for _ in range(runs):
        for command, row in zip(commands, rows):
            if command.before:
                command.before()
            seconds, stdout = time_once(command)
            row.times.append(seconds)
            row.stdout = stdout
    return rows


def tool_version(argv: Sequence[str]) -> str | None:
    """First line a tool prints for its version, or None when it is not installed."""
    if not shutil.which(argv[0]):
        return None
    try:
        out = subprocess.run(list(argv), check=False, capture_output=True, text=True, timeout=60,
                             env=child_env())
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = (out.stdout or out.stderr).strip().splitlines()
    return text[0] if text else "(no version printed)"


def missing(tool: str) -> str:
    return f"{tool}: not installed; its reference rows are skipped (install: {INSTALL_HINTS[tool]})"


def print_header(title: str, tools: Sequence[str] = ()) -> dict[str, str | None]:
    """Print what is measured and the machine facts once; return {tool: version or None} for
    git and ``tools`` (pandoc, soffice)."""
    versions = {"git": tool_version(["git", "--version"])}
    for tool in tools:
        versions[tool] = tool_version([tool, "--version"])
    print(title)
    print(f"machine: {platform.system()} {platform.machine()}, {os.cpu_count()} CPUs; "
          f"python {platform.python_version()} ({sys.executable})")
    for tool, version in versions.items():
        print(version if version else missing(tool))
    print("method: whole processes (wall clock), one untimed warm-up run per command, then the "
          "commands run round-robin; median/min/max over the timed runs; peak MB = max RSS of the "
          "warm-up run (GNU time" + ("" if os.access(GNU_TIME, os.X_OK) else
                                     ": not installed, so n/a; apt-get install time") + ")")
    dont = os.environ.get("PYTHONDONTWRITEBYTECODE")
    print("environment: child processes run without PYTHONDONTWRITEBYTECODE "
          + (f"(this machine sets it to {dont!r}; a user's does not), so bytecode caches are used"
             if dont is not None else "(not set here either)"))
    print()
    return versions


def print_table(rows: Sequence[Row], unit: str = "s") -> None:
    """The rows as an aligned table in seconds (``unit="s"``) or milliseconds (``"ms"``)."""
    scale, digits = (1000, 1) if unit == "ms" else (1, 3)
    width = max(len("command (whole process)"), *(len(r.label) + (12 if r.reference else 0) for r in rows))
    print(f"{'command (whole process)':<{width}}  {'runs':>4}  {'median ' + unit:>9}  "
          f"{'min ' + unit:>9}  {'max ' + unit:>9}  {'peak MB':>7}")
    for r in rows:
        name = f"{r.label} [reference]" if r.reference else r.label
        print(f"{name:<{width}}  {r.runs:>4}  {r.median * scale:>9.{digits}f}  "
              f"{r.min * scale:>9.{digits}f}  {r.max * scale:>9.{digits}f}  "
              f"{'n/a' if r.peak_mb is None else f'{r.peak_mb:.0f}':>7}")


def target(text: str, value: float, limit: float, unit: str = "s") -> bool:
    """Print ``target: TEXT <= LIMIT UNIT: MET (VALUE UNIT)`` (or MISSED); True when met."""
    met = value <= limit
    fmt = (lambda x: f"{x:,.0f}") if unit in ("ms", "MB", "regions") else (
        (lambda x: f"{x:.2f}") if unit == "x" else (lambda x: f"{x:.3f}"))
    suffix = f" {unit}" if unit else ""
    print(f"target: {text} <= {fmt(limit)}{suffix}: {'MET' if met else 'MISSED'} ({fmt(value)}{suffix})")
    return met


def seconds(value: float) -> str:
    """``value`` seconds as '12.3 ms' under a second, else '1.234 s'."""
    return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.3f} s"


def ratio(text: str, ours: Row, reference: Row) -> float:
    """Print and return the ratio of two medians: ``ours`` / ``reference``."""
    value = ours.median / reference.median
    print(f"ratio {text}: {value:.2f} ({seconds(ours.median)} / {seconds(reference.median)})")
    return value
