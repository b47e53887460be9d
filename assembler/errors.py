"""One error hierarchy. Each class carries its exit code; each message is for people.

A message names the thing (file, and line:column where there is one), says what is wrong
and how to fix it. The CLI prints ``error: <message>`` once per problem and exits with the
class's code; nothing else in the toolkit prints errors.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Protocol

# Exit codes (documented in README.md, "Exit codes").
EXIT_OK = 0
EXIT_FINDINGS = 1      # check/verify ran and found problems in what they examined
EXIT_USAGE = 2         # the command line is wrong (unknown option, malformed label or --var)
EXIT_NOT_FOUND = 3     # a named thing does not exist: template, clause, document, version
EXIT_INVALID = 4       # input rejected: a clause, template or imported file is malformed
EXIT_STATE = 5         # the workspace is not in a state to do this (not a workspace, lock held…)
EXIT_ENVIRONMENT = 6   # the machine failed us: git missing, read-only or full disk, I/O error
EXIT_INTERNAL = 70     # a bug in the toolkit


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one file; ``line``/``column`` are 1-based, 0 when unknown."""

    path: str
    message: str
    line: int = 0
    column: int = 0
    rule: str = ""   # a stable id from RULES for what ``check`` reports (PA160…)

    def __str__(self) -> str:
        where = self.path
        if self.line:
            where += f":{self.line}"
            if self.column:
                where += f":{self.column}"
        return f"{where}: {self.message}" + (f" [{self.rule}]" if self.rule else "")


if TYPE_CHECKING:
    class ProblemMaker(Protocol):
        """What :func:`problem_maker` gives: ``make(rule, path, message, line=0, column=0)``."""

        def __call__(self, rule: str | None, path: str, message: str, line: int = 0,
                     column: int = 0) -> Problem: ...


def problem_maker(default_rule: str) -> ProblemMaker:
    """``make(rule, path, message, line=0, column=0)``: a :class:`Problem` with ``rule``, or
    with ``default_rule`` when ``rule`` is None; each module that reports to ``check`` keeps
    one, so its problems carry their rule from where they are made."""
    def make(rule: str | None, path: str, message: str, line: int = 0, column: int = 0) -> Problem:
        return Problem(path, message, line, column, rule=rule or default_rule)
    return make


# The rules ``assembler check`` reports by; ids never change meaning (new rules get new ids).
RULES = {
    "PA100": "file cannot be read: size, encoding",
    "PA101": "control, bidirectional or invisible character",
    "PA102": "unresolved merge conflict (<<<<<<< / >>>>>>> lines)",
    "PA110": "YAML is not plain data, or malformed",
    "PA120": "clause file: front matter, id or empty text",
    "PA121": "duplicate clause id",
    "PA122": "translation of a clause that does not exist",
    "PA123": "stale or missing translation",
    "PA130": "markup a clause may not hold (headings, images, code, raw HTML, unsafe links)",
    "PA131": "malformed placeholder",
    "PA140": "template structure: title, body, keys, levels, paper, nesting",
    "PA141": "duplicate template id",
    "PA150": "unknown, missing or repeated clause in a template",
    "PA151": "unknown or cyclic include",
    "PA160": "undefined variable or variable without a value",
    "PA161": "cross-reference to a clause the document does not hold",
    "PA170": "symbolic link leaves the workspace folder",
    "PA180": "a character no font of the PDF can show (it would print as an empty box)",
}


class AssemblerError(Exception):
    """Base class: ``exit_code`` and one or more lines for people (``lines()``)."""

    exit_code = EXIT_INTERNAL

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def lines(self) -> list[str]:
        return [self.message]


class UsageError(AssemblerError):
    exit_code = EXIT_USAGE


class NotFoundError(AssemblerError):
    exit_code = EXIT_NOT_FOUND


class WorkspaceStateError(AssemblerError):
    exit_code = EXIT_STATE


class RemoteError(WorkspaceStateError):
    """A remote refused or could not be reached (sync, clone): git's own reason, nothing
    half-done locally."""


class EnvironmentFailure(AssemblerError):
    exit_code = EXIT_ENVIRONMENT


class InvalidInput(AssemblerError):
    """Input rejected; carries every :class:`Problem` found, so all can be reported at once."""

    exit_code = EXIT_INVALID

    def __init__(self, problems: list[Problem] | Problem):
        if isinstance(problems, Problem):
            problems = [problems]
        self.problems = list(problems)
        super().__init__("; ".join(str(p) for p in self.problems))

    def lines(self) -> list[str]:
        return [str(p) for p in self.problems]


class ProblemList:
    """Collects problems while reading many files; raises them together at the end."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, problem: Problem) -> None:
        self.problems.append(problem)

    def extend(self, problems: list[Problem]) -> None:
        self.problems.extend(problems)

    def __bool__(self) -> bool:
        return bool(self.problems)

    def raise_if_any(self) -> None:
        if self.problems:
            raise InvalidInput(self.problems)


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """' (did you mean 'x'?)' for the closest candidate, or '' when none is close."""
    import difflib

    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
