"""Clause files -> :class:`ClauseSource` records, and the library that indexes them by id.

A clause file is ``clauses/**/<name>.md``: an optional YAML front matter between ``---``
lines (``id``, ``title``, ``tags``, ``description``, ``metadata``) and a Markdown body.
The id defaults to the file name without ``.md``. The body is parsed on first use.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, TypeAlias, cast

from assembler.errors import Problem, did_you_mean, problem_maker
from assembler.model import nodes as m
from assembler.sources import markup, yamlfile
from assembler.sources.files import decode_source, git_blob_id, is_within, read_and_parse

if TYPE_CHECKING:
    from collections.abc import Iterator

CLAUSE_KEYS = {"id", "title", "tags", "description", "metadata"}


_problem = problem_maker("PA120")   # this module's problems, rule PA120 unless named

# Front matter as plain JSON-ready values (see :func:`plain`).
Plain: TypeAlias = "str | bool | None | list[Plain] | dict[str, Plain]"


@dataclass
class ClauseSource:
    """One clause file as read: identity, metadata, body text and where it came from."""

    id: str
    title: str
    path: str
    blob: str
    body: str
    body_line: int
    tags: tuple[str, ...] = ()
    description: str = ""
    metadata: dict[str, Plain] = field(default_factory=dict)
    data: bytes = field(default=b"", repr=False)
    _parsed: tuple[tuple[m.Block, ...], list[Problem]] | None = None

    @property
    def origin(self) -> m.Origin:
        return m.Origin("clause", self.id, self.path, self.blob)

    def blocks(self) -> tuple[tuple[m.Block, ...], list[Problem]]:
        """The body as model blocks, with the problems found parsing it (cached)."""
        if self._parsed is None:
            if not self.body.strip():
                self._parsed = ((), [_problem(None, self.path, "clause has no text; write the clause "
                                             "below the front matter or delete the file",
                                             self.body_line)])
            else:
                self._parsed = markup.parse_blocks(self.body, self.path, self.body_line)
        return self._parsed


def split_front_matter(text: str) -> tuple[str | None, str, int]:
    """Split ``text`` into (front matter or None, body, the body's first line number).

    Raises ValueError when a front matter is opened with ``---`` but never closed.
    """
    if not text.startswith("---\n"):
        return None, text, 1
    lines = text.split("\n")
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1:]), index + 2
    raise ValueError("front matter opened with '---' on line 1 is not closed")


def read_clause(root: Path, file: Path) -> tuple[ClauseSource | None, list[Problem]]:
    """Read one clause file; return the clause (None if unusable) and its problems."""
    return read_and_parse(root, file, parse_clause)


def parse_clause(rel: str, data: bytes) -> tuple[ClauseSource | None, list[Problem]]:
    """A clause from the bytes of the file at workspace-relative path ``rel``."""
    stem = PurePosixPath(rel).stem
    text, problems = decode_source(data, rel)
    if problems:
        return None, problems
    try:
        front, body, body_line = split_front_matter(text)
    except ValueError as exc:
        return None, [_problem(None, rel, f"{exc}; add a line '---' after the front matter", 1)]
    front_line = 2
    fields: dict[str, yamlfile.Y] = {}
    try:
        if front is not None:
            root_y = yamlfile.parse(front, rel, front_line)
            if root_y is not None:
                fields = yamlfile.mapping(root_y, rel, "front matter")
                yamlfile.unknown_keys(root_y, CLAUSE_KEYS, rel, "clause front matter",
                                      "; put custom fields under 'metadata:'")
        clause_id = yamlfile.text(fields["id"], rel, "id") if "id" in fields else stem
        id_line = fields["id"].line if "id" in fields else 1
        if not markup.CLAUSE_ID.match(clause_id):
            return None, [_problem(None, rel, f"clause id '{clause_id}' may use only letters, digits, "
                                  "'.', '_' and '-', starting with a letter or digit; set 'id:' "
                                  "in the front matter or rename the file", id_line)]
        title = yamlfile.text(fields["title"], rel, "title") if "title" in fields else clause_id
        tags = tuple(yamlfile.text(t, rel, "tags") for t in
                     yamlfile.sequence(fields["tags"], rel, "tags")) if "tags" in fields else ()
        description = (yamlfile.text(fields["description"], rel, "description")
                       if "description" in fields else "")
        metadata = ({k: plain(v) for k, v in yamlfile.mapping(fields["metadata"], rel,
                                                               "metadata").items()}
                    if "metadata" in fields else {})
    except yamlfile.YamlProblem as exc:
        return None, [exc.problem]
    return ClauseSource(clause_id, title, rel, git_blob_id(data), body, body_line, tags,
                        description, metadata, data), []


def plain(y: yamlfile.Y) -> Plain:
    """A :class:`yamlfile.Y` tree as plain JSON-ready values (scalars keep their source text)."""
    if y.kind == "map":
        return {k: plain(v) for k, v in y.value.items()}
    if y.kind == "seq":
        return [plain(v) for v in y.value]
    if y.kind in ("str", "null", "bool"):
        return cast(Plain, y.value)
    return y.source


class ClauseLibrary:
    """Every clause in ``clauses/``, indexed by id and by path."""

    def __init__(self, root: Path):
        self.root = root
        self.by_id: dict[str, ClauseSource] = {}
        self.by_path: dict[str, ClauseSource] = {}
        self.problems: list[Problem] = []
        self.broken: set[str] = set()   # file stems of clause files that could not be read
        self._load()

    def _load(self) -> None:
        base = self.root / "clauses"
        if not base.is_dir():
            return
        for file in sorted(clause_files(self.root, self.problems)):
            clause, problems = read_clause(self.root, file)
            self.problems.extend(problems)
            if clause is None:
                self.broken.add(file.stem)
                continue
            if clause.id in self.by_id:
                first = self.by_id[clause.id]
                self.problems.append(_problem('PA121', clause.path, f"duplicate clause id '{clause.id}', "
                                             f"also used by {first.path}; give one of them "
                                             "another 'id:'"))
                continue
            self.by_id[clause.id] = clause
            self.by_path[clause.path] = clause

    def add(self, clause: ClauseSource) -> bool:
        """Add a clause read elsewhere (e.g. one about to be imported); False if its id is taken."""
        if clause.id in self.by_id:
            return False
        self.by_id[clause.id] = clause
        self.by_path[clause.path] = clause
        return True

    def get(self, clause_id: str) -> ClauseSource | None:
        return self.by_id.get(clause_id)

    def suggestion(self, clause_id: str) -> str:
        return did_you_mean(clause_id, self.by_id)

    def __iter__(self) -> Iterator[ClauseSource]:
        return iter(sorted(self.by_id.values(), key=lambda c: c.path))

    def __len__(self) -> int:
        return len(self.by_id)


def clause_files(root: Path, problems: list[Problem]) -> list[Path]:
    """Paths of ``clauses/**/*.md``; symlinks that leave the workspace are reported, not read."""
    found = []
    base = root / "clauses"
    for dirpath, dirnames, filenames in os.walk(base):
        here = Path(dirpath)
        for name in list(dirnames):
            if name.startswith("."):
                dirnames.remove(name)
            elif (here / name).is_symlink():
                dirnames.remove(name)
                _refuse_link(root, here / name, problems)
        for name in filenames:
            if name.startswith(".") or not name.endswith(".md"):
                continue
            path = here / name
            if path.is_symlink() and not is_within(root / "clauses", path):
                _refuse_link(root, path, problems)
                continue
            found.append(path)
    return found


def _refuse_link(root: Path, link: Path, problems: list[Problem]) -> None:
    rel = link.relative_to(root).as_posix()
    if not is_within(root / "clauses", link):
        problems.append(_problem('PA170', rel, f"symbolic link to {os.readlink(link)} leaves clauses/; "
                                "copy the file into the workspace instead"))
