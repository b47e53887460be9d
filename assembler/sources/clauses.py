"""Clause files -> :class:`ClauseSource` records, and the library that indexes them by id.

A clause file is ``clauses/**/<name>.md``: an optional YAML front matter between ``---``
lines (``id``, ``title``, ``tags``, ``description``, ``metadata``) and a Markdown body.
The id defaults to the file name without ``.md``. The body is parsed on first use.

A translated clause says which clause it translates and from which text: ``lang: fr``,
``translation-of: <clause id>`` and ``source-blob: <git blob id>`` of the source clause file
it was made from. It stands in for that clause when a document is assembled in its language;
the library keeps it apart from the source clauses, by (clause id, language).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, TypeAlias, cast

from assembler.errors import Problem, did_you_mean, problem_maker
from assembler.model import nodes as m
from assembler.sources import markup, yamlfile
from assembler.sources.files import decode_source, git_blob_id, is_within, read_and_parse

if TYPE_CHECKING:
    from collections.abc import Iterator

CLAUSE_KEYS = {"id", "title", "tags", "description", "metadata", "lang", "translation-of", "source-blob"}
_BLOB = re.compile(r"^(?:[0-9a-f]{40}|[0-9a-f]{64})$")


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
    lang: str | None = None               # the clause's language, when the file says
    translation_of: str | None = None     # a translation: the id of the clause it translates
    source_blob: str | None = None        # ... and the blob of the source file it was made from
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
        lang, translation_of, source_blob = _translation_fields(fields, rel)
    except yamlfile.YamlProblem as exc:
        return None, [exc.problem]
    if translation_of:
        clause_id = translation_of
        title = yamlfile.text(fields["title"], rel, "title") if "title" in fields else clause_id
    return ClauseSource(clause_id, title, rel, git_blob_id(data), body, body_line, tags,
                        description, metadata, data, lang, translation_of, source_blob), []


def _translation_fields(fields: dict[str, yamlfile.Y], rel: str) -> tuple[str | None, str | None, str | None]:
    """(lang, translation-of, source-blob) of a clause's front matter, each checked."""
    from assembler.sources.languages import problem_with
    lang = yamlfile.text(fields["lang"], rel, "lang") if "lang" in fields else None
    if lang is not None and problem_with(lang):
        raise yamlfile.YamlProblem(_problem(None, rel, f"lang: {problem_with(lang)}", fields["lang"].line))
    if "translation-of" not in fields:
        if "source-blob" in fields:
            raise yamlfile.YamlProblem(_problem(None, rel, "source-blob: belongs to a translation; add "
                                               "'translation-of: <clause id>'", fields["source-blob"].line))
        return lang, None, None
    of = fields["translation-of"]
    source = yamlfile.text(of, rel, "translation-of")
    if not markup.CLAUSE_ID.match(source):
        raise yamlfile.YamlProblem(_problem(None, rel, f"translation-of: '{source}' is not a clause id", of.line))
    if lang is None:
        raise yamlfile.YamlProblem(_problem(None, rel, "a translation needs 'lang:' (a BCP 47 tag such as "
                                           "'fr')", of.line))
    if "id" in fields:
        raise yamlfile.YamlProblem(_problem(None, rel, "a translation takes the id of the clause it "
                                           "translates; remove 'id:'", fields["id"].line))
    blob = yamlfile.text(fields["source-blob"], rel, "source-blob") if "source-blob" in fields else ""
    if not _BLOB.match(blob):
        line = fields["source-blob"].line if "source-blob" in fields else of.line
        raise yamlfile.YamlProblem(_problem(None, rel, "source-blob: give the git blob id of the source "
                                           "clause file this translates (assembler translations "
                                           "import writes it)", line))
    return lang, source, blob


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
        self.translations: dict[tuple[str, str], ClauseSource] = {}   # (clause id, lang lower-case)
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
            if clause.translation_of:
                self._add_translation(clause)
                continue
            if clause.id in self.by_id:
                first = self.by_id[clause.id]
                self.problems.append(_problem('PA121', clause.path, f"duplicate clause id '{clause.id}', "
                                             f"also used by {first.path}; give one of them "
                                             "another 'id:'"))
                continue
            self.by_id[clause.id] = clause
            self.by_path[clause.path] = clause
        for (source, _lang), clause in sorted(self.translations.items()):
            if source not in self.by_id and source not in self.broken:
                self.problems.append(_problem('PA122', clause.path, f"translation-of: there is no clause "
                                             f"'{source}'{did_you_mean(source, self.by_id)}; name the clause "
                                             "this translates", 2))

    def _add_translation(self, clause: ClauseSource) -> None:
        key = (clause.id, (clause.lang or "").lower())
        if key in self.translations:
            self.problems.append(_problem('PA121', clause.path, f"a second '{clause.lang}' translation of "
                                         f"'{clause.id}', also in {self.translations[key].path}; remove one"))
            return
        self.translations[key] = clause
        self.by_path[clause.path] = clause

    def translation(self, clause_id: str, lang: str) -> ClauseSource | None:
        """The ``lang`` translation of clause ``clause_id``, if there is one."""
        return self.translations.get((clause_id, lang.lower()))

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
