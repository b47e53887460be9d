"""Document-wide steps, each ``Document -> Document``, applied in a visible order.

``PIPELINE`` is the order used by assembly: fill variables, number clauses, resolve
cross-references (which need the numbers). Each step returns the new document and the
problems it found; none does I/O.
"""

from __future__ import annotations

import dataclasses
from typing import Callable, cast

from assembler.errors import Problem, did_you_mean, problem_maker
from assembler.model import nodes as m

InlineFn = Callable[[m.Inline, m.Origin], tuple[m.Inline, ...]]


_problem = problem_maker("PA161")   # this module's problems, rule PA161 unless named


def map_inlines(doc: m.Document, fn: InlineFn) -> m.Document:
    """A copy of ``doc`` with every leaf inline replaced by ``fn(inline, origin)``
    (neighbouring texts joined afterwards)."""

    def inlines(nodes: tuple[m.Inline, ...], origin: m.Origin) -> tuple[m.Inline, ...]:
        out: list[m.Inline] = []
        for node in nodes:
            if isinstance(node, m.CONTAINERS):
                out.append(dataclasses.replace(node, content=inlines(node.content, origin)))
            else:
                out.extend(fn(node, origin))
        return m.merge_text(out)

    def block(node: m.Block, origin: m.Origin) -> m.Block:
        origin = getattr(node, "origin", None) or origin
        if isinstance(node, (m.Paragraph, m.Heading)):
            return dataclasses.replace(node, content=inlines(node.content, origin))
        if isinstance(node, (m.BulletList, m.OrderedList)):
            return dataclasses.replace(node, items=tuple(blocks(item, origin) for item in node.items))
        if isinstance(node, m.Clause):
            return dataclasses.replace(node, blocks=blocks(node.blocks, origin))
        if isinstance(node, m.ClauseList):
            items = cast("tuple[m.Clause, ...]", tuple(block(item, origin) for item in node.items))
            return dataclasses.replace(node, items=items)  # block() gives a clause back for a clause
        if isinstance(node, m.Table):
            def cell(value: m.Cell) -> m.Cell:
                return value if isinstance(value, str) else inlines(value, origin)
            return dataclasses.replace(node, header=tuple(cell(c) for c in node.header),
                                       rows=tuple(tuple(cell(c) for c in row) for row in node.rows))
        raise TypeError(node)

    def blocks(nodes: tuple[m.Block, ...], origin: m.Origin) -> tuple[m.Block, ...]:
        return tuple(block(node, origin) for node in nodes)

    return dataclasses.replace(doc, title=inlines(doc.title, doc.origin),
                               blocks=blocks(doc.blocks, doc.origin))


def fill_variables(doc: m.Document, values: dict[str, str | None],
                   template_path: str = "") -> tuple[m.Document, list[Problem]]:
    """Replace each ``Var`` by its value as plain text (values are data, never markup)."""
    problems: list[Problem] = []

    def fill(node: m.Inline, origin: m.Origin) -> tuple[m.Inline, ...]:
        if not isinstance(node, m.Var):
            return (node,)
        value = values.get(node.name)
        if value is None:
            if node.name in values:
                reason = (f"variable '{node.name}' has no value; pass --var {node.name}=VALUE "
                          f"or give it a default in {template_path or 'the template'}")
            else:
                reason = (f"undefined variable '{node.name}'{did_you_mean(node.name, values)}; "
                          f"declare it under 'variables:' in {template_path or 'the template'} "
                          f"or pass --var {node.name}=VALUE")
            problems.append(_problem('PA160', origin.path, reason, node.line, node.column))
            return (m.Text("{{ %s }}" % node.name),)
        return (m.Text(value),)

    return map_inlines(doc, fill), problems


def number_clauses(doc: m.Document) -> m.Document:
    """Give every clause in a numbered list its number: 1, 2, … and 4.1, 4.2 when nested."""

    def number_list(lst: m.ClauseList, prefix: str) -> m.ClauseList:
        items = []
        for offset, clause in enumerate(lst.items):
            number = f"{prefix}{lst.start + offset}"
            inner = tuple(number_list(b, number + ".") if isinstance(b, m.ClauseList) else b
                          for b in clause.blocks)
            items.append(dataclasses.replace(clause, number=number, blocks=inner))
        return dataclasses.replace(lst, items=tuple(items))

    blocks = tuple(number_list(b, "") if isinstance(b, m.ClauseList) else b for b in doc.blocks)
    return dataclasses.replace(doc, blocks=blocks)


def resolve_references(doc: m.Document) -> tuple[m.Document, list[Problem]]:
    """Give every ``Ref`` the current number of the clause it names."""
    numbers = {clause.id: clause.number for clause in m.iter_clauses(doc.blocks)}
    problems: list[Problem] = []

    def resolve(node: m.Inline, origin: m.Origin) -> tuple[m.Inline, ...]:
        if not isinstance(node, m.Ref):
            return (node,)
        if node.target not in numbers:
            problems.append(_problem(None, origin.path, f"cross-reference to clause '{node.target}', "
                                    "which is not in this document"
                                    f"{did_you_mean(node.target, numbers)}; add the clause to the "
                                    "template or remove the reference", node.line, node.column))
            return (node,)
        if numbers[node.target] is None:
            problems.append(_problem(None, origin.path, f"cross-reference to clause '{node.target}', "
                                    "which is not numbered; refer only to clauses in a "
                                    "'numbered:' list", node.line, node.column))
            return (node,)
        return (dataclasses.replace(node, label=numbers[node.target]),)

    return map_inlines(doc, resolve), problems


def run_pipeline(doc: m.Document, values: dict[str, str | None],
                 template_path: str = "") -> tuple[m.Document, list[Problem]]:
    """Fill variables, then number clauses, then resolve cross-references."""
    doc, problems = fill_variables(doc, values, template_path)
    doc = number_clauses(doc)
    doc, ref_problems = resolve_references(doc)
    return doc, problems + ref_problems
