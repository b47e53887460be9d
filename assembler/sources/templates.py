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
    translations:                  # the template's own words in other languages
      fr:
        title: Décision sur {{ subject }}
        variables: {subject: les obligations des États}
        text: {Considerations: Considérants}   # a heading's or text item's words -> translation
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
                 "metadata", "description", "translations"}
TRANSLATION_KEYS = {"title", "variables", "text"}
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
    source: str = ""          # the words as written, which a translation is keyed by


@dataclass(frozen=True)
class TextItem:
    blocks: tuple[m.Block, ...]
    line: int
    when: Condition | None = None
    source: str = ""


@dataclass(frozen=True)
class TemplateStrings:
    """A template's own words in one language: title, variable values, and the translation
    of each heading's and text item's words (keyed by the words as the template has them)."""

    title: str | None
    variables: dict[str, str | None]
    text: dict[str, str]
    line: int


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
    translations: dict[str, TemplateStrings] = field(default_factory=dict)   # by lower-case tag
    title_source: str = ""

    @property
    def origin(self) -> m.Origin:
        return m.Origin("template", self.id, self.path, self.blob)

    def strings(self) -> list[str]:
        """The words a translation of this template must give: title, headings, text items."""
        found = [self.title_source]
        for item in all_items(self.items):
            if isinstance(item, (HeadingItem, TextItem)) and item.source not in found:
                found.append(item.source)
        return found


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
            return HeadingItem(self.inlines(fields["heading"], "heading"), level, y.line, when,
                               yamlfile.text(fields["heading"], self.rel, "heading"))
        if kind == "text":
            value = fields["text"]
            first = value.line + (1 if value.source and "\n" in value.source else 0)
            blocks, problems = markup.parse_blocks(yamlfile.text(value, self.rel, "text"),
                                                   self.rel, first)
            self.problems.extend(problems)
            return TextItem(blocks, y.line, when, yamlfile.text(value, self.rel, "text"))
        if kind == "numbered":
            start = yamlfile.integer(fields["start"], self.rel, "start") if "start" in fields else 1
            return NumberedItem(self.numbered(fields["numbered"]), start, y.line, when)
        name = yamlfile.text(fields["include"], self.rel, "include")
        return IncludeItem(name, y.line, when)


def all_items(items: tuple[Item, ...]) -> Iterator[Item]:
    """Every item in ``items`` in order, the insides of numbered lists and sub-clauses
    included (conditions and includes not followed)."""
    for item in items:
        yield item
        if isinstance(item, NumberedItem):
            yield from all_items(item.items)
        elif isinstance(item, ClauseItem):
            yield from all_items(item.children)


def clause_items(items: tuple[Item, ...]) -> Iterator[ClauseItem]:
    """Every clause item in ``items``, numbered lists and sub-clauses included, in order
    (conditions and includes not followed)."""
    return (item for item in all_items(items) if isinstance(item, ClauseItem))


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
        translations = _translations(fields["translations"], rel) if "translations" in fields else {}
    except yamlfile.YamlProblem as exc:
        return None, parser.problems + [exc.problem]
    template = Template(template_id, rel, git_blob_id(data), title, fields["title"].line,
                        tuple(items), variables, variable_lines, language, description, paper, data,
                        translations, yamlfile.text(fields["title"], rel, "title"))
    return template, parser.problems


def _translations(y: yamlfile.Y, rel: str) -> dict[str, TemplateStrings]:
    """``translations:``: language tag -> the template's words in that language."""
    from assembler.sources.languages import problem_with
    out: dict[str, TemplateStrings] = {}
    for lang, entry in yamlfile.mapping(y, rel, "translations").items():
        if problem_with(lang):
            raise yamlfile.YamlProblem(_problem(None, rel, f"translations: {problem_with(lang)}", entry.line))
        fields = yamlfile.mapping(entry, rel, f"translations: {lang}")
        yamlfile.unknown_keys(entry, TRANSLATION_KEYS, rel, f"translations: {lang}")
        title = yamlfile.text(fields["title"], rel, "title") if "title" in fields else None
        variables = {name: None if value.kind == "null" else yamlfile.text(value, rel, f"variables: {name}")
                     for name, value in (yamlfile.mapping(fields["variables"], rel, "variables").items()
                                         if "variables" in fields else ())}
        text = {key: yamlfile.text(value, rel, f"text: {key}")
                for key, value in (yamlfile.mapping(fields["text"], rel, "text").items()
                                   if "text" in fields else ())}
        out[lang.lower()] = TemplateStrings(title, variables, text, entry.line)
    return out


def localize(template: Template, lang: str) -> tuple[Template, list[str], list[Problem]]:
    """``template`` with its own words in ``lang`` (title, headings, text items, variable
    values), the source words that have no translation yet (left as they are), and the
    problems of translated words that do not parse."""
    import dataclasses
    strings = template.translations.get(lang.lower())
    if strings is None:
        return template, template.strings(), []
    parser = _Parser(template.path)
    missing: list[str] = []

    def words(source: str) -> str | None:
        if source in strings.text:
            return strings.text[source]
        if source not in missing:
            missing.append(source)
        return None

    def items(found: tuple[Item, ...]) -> tuple[Item, ...]:
        out: list[Item] = []
        for item in found:
            if isinstance(item, HeadingItem) and words(item.source) is not None:
                content, problems = markup.parse_inline(strings.text[item.source], template.path, strings.line)
                parser.problems.extend(problems)
                item = dataclasses.replace(item, content=content)
            elif isinstance(item, TextItem) and words(item.source) is not None:
                blocks, problems = markup.parse_blocks(strings.text[item.source], template.path, strings.line)
                parser.problems.extend(problems)
                item = dataclasses.replace(item, blocks=blocks)
            elif isinstance(item, NumberedItem):
                item = dataclasses.replace(item, items=items(item.items))
            elif isinstance(item, ClauseItem) and item.children:
                item = dataclasses.replace(item, children=cast_numbered(items(item.children)))
            out.append(item)
        return tuple(out)

    title = template.title
    if strings.title is not None:
        title, problems = markup.parse_inline(strings.title, template.path, strings.line)
        parser.problems.extend(problems)
    else:
        missing.insert(0, template.title_source)
    localized = dataclasses.replace(template, title=title, items=items(template.items), language=lang,
                                    variables={**template.variables, **strings.variables})
    return localized, missing, parser.problems


def cast_numbered(items: tuple[Item, ...]) -> tuple[NumberedItem, ...]:
    return tuple(i for i in items if isinstance(i, NumberedItem))


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

    def localized(self, lang: str) -> tuple["TemplateSet", dict[str, list[str]]]:
        """The templates with their words in ``lang``, and per template the words that have
        no translation yet (parse problems of translated words join ``problems``)."""
        import copy
        other = copy.copy(self)
        other.by_id, other.problems = {}, list(self.problems)
        missing: dict[str, list[str]] = {}
        for template_id, template in self.by_id.items():
            other.by_id[template_id], missing[template_id], problems = localize(template, lang)
            other.problems.extend(problems)
        return other, missing

    def __iter__(self) -> Iterator[Template]:
        return iter(sorted(self.by_id.values(), key=lambda t: t.id))
