"""Template files -> :class:`Template`: title, variables and the ordered structure of items.

A template is ``templates/<id>.yaml``::

    id: resolution                 # optional, defaults to the file name
    title: Decision on {{ subject }}
    language: en
    variables: {subject: state obligations, jurisdiction: null}   # null = no default
    preamble: [council-requests]   # items, like body
    body:
      - heading: Considerations
      - numbered:                  # a numbered list of clauses (nested lists number 4.1, 4.2)
          - harm-reduction         # shorthand for {clause: harm-reduction}
          - clause: trafficking
            when: jurisdiction     # only when the variable has a value
            numbered: [trafficking-children]
      - text: A free paragraph written in the template.
      - include: standard-closing  # the items of another template
    closing: [final-draft-review]
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Union

from assembler.errors import Problem, problem_maker
from assembler.model import nodes as m
from assembler.sources import markup, yamlfile
from assembler.sources.files import decode_source, git_blob_id, is_within, read_and_parse

if TYPE_CHECKING:
    from collections.abc import Iterator

TEMPLATE_KEYS = {"id", "title", "language", "paper", "variables", "preamble", "body", "closing",
                 "metadata", "description"}
PAPERS = ("A4", "Letter")
PARTS = ("preamble", "body", "closing")
ITEM_KINDS = ("clause", "heading", "text", "numbered", "include")
ITEM_KEYS = {"clause": {"clause", "when", "numbered"},
             "heading": {"heading", "level", "when"},
             "text": {"text", "when"},
             "numbered": {"numbered", "start", "when"},
             "include": {"include", "when"}}


_problem = problem_maker("PA140")   # this module's problems, rule PA140 unless named


@dataclass(frozen=True)
class Condition:
    """Include an item only when each named variable has a value (or equals the given one)."""

    required: tuple[tuple[str, str | None], ...]
    line: int


@dataclass(frozen=True)
class ClauseItem:
    ref: str
    line: int
    when: Condition | None = None
    children: tuple["NumberedItem", ...] = ()


@dataclass(frozen=True)
class HeadingItem:
    content: tuple[m.Inline, ...]
    level: int
    line: int
    when: Condition | None = None


@dataclass(frozen=True)
class TextItem:
    blocks: tuple[m.Block, ...]
    line: int
    when: Condition | None = None


@dataclass(frozen=True)
class NumberedItem:
    items: tuple["Item", ...]
    start: int
    line: int
    when: Condition | None = None


@dataclass(frozen=True)
class IncludeItem:
    template: str
    line: int
    when: Condition | None = None


Item = Union[ClauseItem, HeadingItem, TextItem, NumberedItem, IncludeItem]


@dataclass
class Template:
    id: str
    path: str
    blob: str
    title: tuple[m.Inline, ...]
    title_line: int
    items: tuple[Item, ...]
    variables: dict[str, str | None] = field(default_factory=dict)
    variable_lines: dict[str, int] = field(default_factory=dict)
    language: str = "en"
    description: str = ""
    paper: str = "A4"
    data: bytes = field(default=b"", repr=False)

    @property
    def origin(self) -> m.Origin:
        return m.Origin("template", self.id, self.path, self.blob)


MAX_NUMBERED_DEPTH = 9  # numbered lists inside numbered lists: 4.1.2…, as deep as Word numbers


class _Parser:
    def __init__(self, rel: str):
        self.rel = rel
        self.problems: list[Problem] = []
        self.depth = 0  # numbered lists we are inside

    def numbered(self, y: yamlfile.Y) -> tuple[Item, ...]:
        """The items of a numbered list, refusing lists nested deeper than Word can number."""
        if self.depth >= MAX_NUMBERED_DEPTH:
            raise yamlfile.YamlProblem(_problem(None,
                self.rel, f"numbered lists nest at most {MAX_NUMBERED_DEPTH} levels deep (4.1.2… as "
                "Word numbers them); flatten this list", y.line, y.column))
        self.depth += 1
        try:
            return self.items(y, "numbered")
        finally:
            self.depth -= 1

    def inlines(self, y: yamlfile.Y, what: str) -> tuple[m.Inline, ...]:
        content, problems = markup.parse_inline(yamlfile.text(y, self.rel, what), self.rel, y.line)
        self.problems.extend(problems)
        return content

    def condition(self, y: yamlfile.Y) -> Condition:
        if y.kind == "map":
            pairs = []
            for name, value in y.value.items():
                pairs.append((name, None if value.kind == "null" else
                              yamlfile.text(value, self.rel, f"when: {name}")))
            return Condition(tuple(pairs), y.line)
        names = yamlfile.text(y, self.rel, "when")
        return Condition(tuple((name.strip(), None) for name in names.split(",")), y.line)

    def items(self, y: yamlfile.Y, what: str) -> tuple[Item, ...]:
        out = []
        for entry in yamlfile.sequence(y, self.rel, what):
            try:
                out.append(self.item(entry))
            except yamlfile.YamlProblem as exc:
                self.problems.append(exc.problem)
        return tuple(out)

    def item(self, y: yamlfile.Y) -> Item:
        if y.kind != "map":
            return ClauseItem(yamlfile.text(y, self.rel, "clause id"), y.line)
        fields = y.value
        kinds = ["clause"] if "clause" in fields else [k for k in ITEM_KINDS if k in fields]
        if len(kinds) != 1:
            raise yamlfile.YamlProblem(_problem(None,
                self.rel, "each item needs exactly one of 'clause:', 'heading:', 'text:', "
                "'numbered:' or 'include:'", y.line, y.column))
        kind = kinds[0]
        yamlfile.unknown_keys(y, ITEM_KEYS[kind], self.rel, f"a '{kind}' item")
        when = self.condition(fields["when"]) if "when" in fields else None
        if kind == "clause":
            children: tuple[NumberedItem, ...] = ()
            if "numbered" in fields:
                children = (NumberedItem(self.numbered(fields["numbered"]), 1,
                                         fields["numbered"].line),)
            return ClauseItem(yamlfile.text(fields["clause"], self.rel, "clause"), y.line, when,
                              children)
        if kind == "heading":
            level = yamlfile.integer(fields["level"], self.rel, "level") if "level" in fields else 2
            if not 1 <= level <= 6:
                raise yamlfile.YamlProblem(_problem(None, self.rel, "level: a heading level is 1 to 6",
                                                   fields["level"].line, fields["level"].column))
            return HeadingItem(self.inlines(fields["heading"], "heading"), level, y.line, when)
        if kind == "text":
            value = fields["text"]
            first = value.line + (1 if value.source and "\n" in value.source else 0)
            blocks, problems = markup.parse_blocks(yamlfile.text(value, self.rel, "text"),
                                                   self.rel, first)
            self.problems.extend(problems)
            return TextItem(blocks, y.line, when)
        if kind == "numbered":
            start = yamlfile.integer(fields["start"], self.rel, "start") if "start" in fields else 1
            return NumberedItem(self.numbered(fields["numbered"]), start, y.line, when)
        name = yamlfile.text(fields["include"], self.rel, "include")
        return IncludeItem(name, y.line, when)


def clause_items(items: tuple[Item, ...]) -> Iterator[ClauseItem]:
    """Every clause item in ``items``, numbered lists and sub-clauses included, in order
    (conditions and includes not followed)."""
    for item in items:
        if isinstance(item, ClauseItem):
            yield item
            yield from clause_items(item.children)
        elif isinstance(item, NumberedItem):
            yield from clause_items(item.items)


def read_template(root: Path, file: Path) -> tuple[Template | None, list[Problem]]:
    """Read one template file; return the template (None if unusable) and its problems."""
    return read_and_parse(root, file, parse_template)


def parse_template(rel: str, data: bytes) -> tuple[Template | None, list[Problem]]:
    """A template from the bytes of the file at workspace-relative path ``rel``."""
    stem = PurePosixPath(rel).stem
    text, problems = decode_source(data, rel)
    if problems:
        return None, problems
    parser = _Parser(rel)
    try:
        top = yamlfile.parse(text, rel)
        if top is None:
            return None, [_problem(None, rel, "template is empty; it needs at least 'title:' and 'body:'")]
        fields = yamlfile.mapping(top, rel, "template")
        yamlfile.unknown_keys(top, TEMPLATE_KEYS, rel, "template")
        template_id = yamlfile.text(fields["id"], rel, "id") if "id" in fields else stem
        if not markup.CLAUSE_ID.match(template_id) or ".." in template_id or template_id.endswith(".lock"):
            return None, [_problem(None, rel, f"template id '{template_id}' may use only letters, "
                                  "digits, '.', '_' and '-'", fields["id"].line if "id" in fields else 1)]
        if "title" not in fields:
            return None, [_problem(None, rel, "template has no 'title:'; add one", 1)]
        title = parser.inlines(fields["title"], "title")
        variables: dict[str, str | None] = {}
        variable_lines: dict[str, int] = {}
        if "variables" in fields:
            for name, value in yamlfile.mapping(fields["variables"], rel, "variables").items():
                if not markup.VARIABLE_NAME.match(name):
                    raise yamlfile.YamlProblem(_problem(None, rel, f"variable name '{name}' may use only "
                                                       "letters, digits, '_' and '-'", value.line))
                variables[name] = None if value.kind == "null" else yamlfile.text(
                    value, rel, f"variables: {name}")
                variable_lines[name] = value.line
        items: list[Item] = []
        for part in PARTS:
            if part in fields:
                items.extend(parser.items(fields[part], part))
        if not any(part in fields for part in PARTS):
            return None, [_problem(None, rel, "template has no 'body:' (nor 'preamble:'/'closing:'); "
                                  "list its clauses under 'body:'", 1)]
        language = yamlfile.text(fields["language"], rel, "language") if "language" in fields else "en"
        description = (yamlfile.text(fields["description"], rel, "description")
                       if "description" in fields else "")
        paper = yamlfile.text(fields["paper"], rel, "paper") if "paper" in fields else "A4"
        if paper not in PAPERS:
            raise yamlfile.YamlProblem(_problem(None, rel, f"paper: '{paper}' is not a paper size; write "
                                               "A4 or Letter", fields["paper"].line,
                                               fields["paper"].column))
    except yamlfile.YamlProblem as exc:
        return None, parser.problems + [exc.problem]
    template = Template(template_id, rel, git_blob_id(data), title, fields["title"].line,
                        tuple(items), variables, variable_lines, language, description, paper, data)
    return template, parser.problems


def template_files(root: Path, problems: list[Problem] | None = None) -> list[Path]:
    """Paths of ``templates/**/*.yaml`` (and ``.yml``), sorted; a symbolic link that leaves
    ``templates/`` is reported in ``problems``, never read."""
    found = []
    for dirpath, dirnames, filenames in os.walk(root / "templates"):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in filenames:
            path = Path(dirpath) / name
            if not name.endswith((".yaml", ".yml")) or name.startswith("."):
                continue
            if is_within(root / "templates", path):
                found.append(path)
            elif problems is not None:
                problems.append(_problem('PA170', path.relative_to(root).as_posix(),
                                        f"symbolic link to {os.readlink(path)} leaves templates/; "
                                        "copy the template into the workspace instead"))
    return sorted(found)


class TemplateSet:
    """Every template in ``templates/``, by id."""

    def __init__(self, root: Path):
        self.root = root
        self.by_id: dict[str, Template] = {}
        self.problems: list[Problem] = []
        for file in template_files(root, self.problems):
            template, problems = read_template(root, file)
            self.problems.extend(problems)
            if template is None:
                continue
            if template.id in self.by_id:
                self.problems.append(_problem('PA141', template.path, f"duplicate template id '{template.id}', "
                                             f"also used by {self.by_id[template.id].path}"))
                continue
            self.by_id[template.id] = template

    def add(self, template: Template) -> bool:
        """Add a template read elsewhere; False if its id is taken."""
        if template.id in self.by_id:
            return False
        self.by_id[template.id] = template
        return True

    def get(self, template_id: str) -> Template | None:
        return self.by_id.get(template_id)

    def __iter__(self) -> Iterator[Template]:
        return iter(sorted(self.by_id.values(), key=lambda t: t.id))
