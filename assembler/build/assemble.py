"""Template + clause library + variable values -> :class:`Document` (pure; no I/O).

Placeholders are left in place here (``Var`` and ``Ref`` nodes); the transforms fill them.
Every problem found is collected, so one run reports all of them, each naming the
template or clause file and line.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Literal, overload

from assembler.errors import Problem, did_you_mean, problem_maker
from assembler.model import nodes as m
from assembler.sources.clauses import ClauseLibrary, ClauseSource
from assembler.sources.files import is_within
from assembler.sources.templates import (
    ClauseItem,
    Condition,
    HeadingItem,
    IncludeItem,
    Item,
    NumberedItem,
    Template,
    TemplateSet,
    TextItem,
    all_items,
    clause_items,
)

_problem = problem_maker("PA150")   # this module's problems, rule PA150 unless named


def effective_variables(template: Template, templates: TemplateSet,
                        given: dict[str, str]) -> dict[str, str | None]:
    """Defaults of ``template`` and the templates it includes (outer wins), then ``given``."""
    values: dict[str, str | None] = {}
    for included in reversed(_included(template, templates, [])):
        values.update(included.variables)
    values.update(given)
    return values


def _included(template: Template, templates: TemplateSet, seen: list[str]) -> list[Template]:
    if template.id in seen:
        return []
    seen.append(template.id)
    found = [template]
    for item in all_items(template.items):
        if isinstance(item, IncludeItem) and (included := templates.get(item.template)):
            found.extend(_included(included, templates, seen))
    return found


class _Assembler:
    def __init__(self, root: Path, templates: TemplateSet, library: ClauseLibrary,
                 values: dict[str, str | None]):
        self.root = root
        self.templates = templates
        self.library = library
        self.values = values
        self.problems: list[Problem] = []
        self.used: dict[str, tuple[str, int]] = {}
        self.stack: list[str] = []
        self.templates_used: list[Template] = []

    def wanted(self, when: Condition | None, template: Template) -> bool:
        if when is None:
            return True
        for name, expected in when.required:
            if name not in self.values:
                self.problems.append(_problem(None,
                    template.path, f"condition refers to undefined variable '{name}'"
                    f"{did_you_mean(name, self.values)}; declare it under 'variables:' "
                    f"(null for no default)", when.line))
                return False
            value = self.values[name]
            if expected is None and not value:
                return False
            if expected is not None and value != expected:
                return False
        return True

    def items(self, items: tuple[Item, ...], template: Template) -> list[m.Block]:
        out: list[m.Block] = []
        for item in items:
            if not self.wanted(item.when, template):
                continue
            if isinstance(item, ClauseItem):
                clause = self.clause(item, template)
                if clause is not None:
                    out.append(clause)
            elif isinstance(item, HeadingItem):
                out.append(m.Heading(item.level, item.content, template.origin))
            elif isinstance(item, TextItem):
                out.extend(dataclasses.replace(block, origin=template.origin) for block in item.blocks)
            elif isinstance(item, NumberedItem):
                out.append(self.numbered(item, template))
            elif isinstance(item, IncludeItem):
                out.extend(self.include(item, template, numbered=False))
        return out

    def numbered(self, item: NumberedItem, template: Template) -> m.ClauseList:
        entries: list[m.Clause] = []
        for child in item.items:
            if not self.wanted(child.when, template):
                continue
            if isinstance(child, ClauseItem):
                clause = self.clause(child, template)
                if clause is not None:
                    entries.append(clause)
            elif isinstance(child, IncludeItem):
                entries.extend(self.include(child, template, numbered=True))
            else:
                self.problems.append(_problem(None, template.path, "a numbered list holds clauses "
                                             "(and includes of clauses) only; move this item "
                                             "out of 'numbered:'", child.line))
        return m.ClauseList(tuple(entries), item.start, template.origin)

    @overload
    def include(self, item: IncludeItem, template: Template, numbered: Literal[True]) -> list[m.Clause]: ...
    @overload
    def include(self, item: IncludeItem, template: Template, numbered: Literal[False]) -> list[m.Block]: ...

    def include(self, item: IncludeItem, template: Template,
                numbered: bool) -> list[m.Clause] | list[m.Block]:
        target = self.templates.get(item.template)
        if target is None:
            self.problems.append(_problem('PA151', template.path, f"unknown template '{item.template}' in "
                                         f"include{did_you_mean(item.template, self.templates.by_id)}",
                                         item.line))
            return []
        if target.id in self.stack:
            cycle = " -> ".join(self.stack[self.stack.index(target.id):] + [target.id])
            self.problems.append(_problem('PA151', template.path, f"include cycle {cycle}; remove one of "
                                         "these includes", item.line))
            return []
        self.stack.append(target.id)
        if target not in self.templates_used:
            self.templates_used.append(target)
        try:
            if numbered:
                return list(self.numbered(NumberedItem(target.items, 1, item.line), target).items)
            return self.items(target.items, target)
        finally:
            self.stack.pop()

    def clause(self, item: ClauseItem, template: Template) -> m.Clause | None:
        source = self.find(item, template)
        if source is None:
            return None
        if source.id in self.used:
            path, line = self.used[source.id]
            self.problems.append(_problem(None, template.path, f"clause '{source.id}' is already used "
                                         f"({path}:{line}); a clause appears once in a document",
                                         item.line))
            return None
        self.used[source.id] = (template.path, item.line)
        blocks, problems = source.blocks()
        self.problems.extend(problems)
        children = tuple(self.numbered(child, template) for child in item.children)
        return m.Clause(source.id, tuple(blocks) + children, source.origin, title=source.title)

    def find(self, item: ClauseItem, template: Template) -> ClauseSource | None:
        ref = item.ref
        if is_clause_path(ref):
            candidate = self.root / ref
            if PurePosixPath(ref).is_absolute() or not is_within(self.root / "clauses", candidate):
                self.problems.append(_problem('PA170', template.path, f"clause path '{ref}' leaves the "
                                             "workspace's clauses/ folder; refer to clauses by id "
                                             "or by a path inside clauses/", item.line))
                return None
            rel = candidate.resolve().relative_to(self.root.resolve()).as_posix()
            source = self.library.by_path.get(rel)
            if source is None:
                self.problems.append(_problem(None, template.path, f"no clause file '{ref}'", item.line))
            return source
        source = self.library.get(ref)
        if source is None and ref not in self.library.broken:  # a broken file reports itself
            self.problems.append(unknown_clause(template.path, ref, item.line, self.library))
        return source


def is_clause_path(ref: str) -> bool:
    """True when a template names a clause by file path rather than by id."""
    return "/" in ref or "\\" in ref or ref.endswith(".md")


def unknown_clause(template_path: str, ref: str, line: int, library: ClauseLibrary) -> Problem:
    return _problem(None, template_path, f"unknown clause '{ref}'{library.suggestion(ref)}; create "
                   f"clauses/{ref}.md or fix the id", line)


@dataclass(frozen=True)
class Assembly:
    """What assembly made: the document (placeholders unfilled), the variable values in
    force, the templates used (the main one first) and every problem found."""

    document: m.Document
    values: dict[str, str | None]
    templates: tuple[Template, ...]
    problems: tuple[Problem, ...]


def assemble(root: Path, template: Template, templates: TemplateSet, library: ClauseLibrary,
             given: dict[str, str]) -> Assembly:
    """Assemble ``template`` with the ``given`` variable values."""
    values = effective_variables(template, templates, given)
    worker = _Assembler(root, templates, library, values)
    worker.stack.append(template.id)
    worker.templates_used.append(template)
    blocks = worker.items(template.items, template)
    document = m.Document(template.id, template.title, tuple(blocks), template.origin,
                          meta=(("language", template.language), ("paper", template.paper)))
    return Assembly(document, values, tuple(worker.templates_used), tuple(worker.problems))


def missing_clauses(template: Template, library: ClauseLibrary) -> list[Problem]:
    """Clause ids the template names anywhere, conditions ignored, that the library lacks."""
    return [unknown_clause(template.path, item.ref, item.line, library)
            for item in clause_items(template.items)
            if not is_clause_path(item.ref) and not library.get(item.ref) and item.ref not in library.broken]
