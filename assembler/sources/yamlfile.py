"""Strict YAML for front matter and templates (PyYAML lives here and nowhere else).

Only plain data is accepted: no tags (``!!python/object`` and friends), no anchors or
aliases, no merge keys, no duplicate keys. Every value keeps its line and column so that
schema checks can point at the exact place, and the Norway problem (``NO`` read as a
boolean) is reported where text was expected instead of silently becoming ``False``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from assembler.errors import Problem

if TYPE_CHECKING:
    from yaml.nodes import Node

_CORE = "tag:yaml.org,2002:"
_SCALAR_KINDS = {"str": "str", "int": "int", "float": "float", "bool": "bool",
                 "null": "null", "timestamp": "date"}


@dataclass(frozen=True)
class Y:
    """One YAML value with its place: ``kind`` is str/int/float/bool/null/date/seq/map.

    For scalars ``value`` is the Python value and ``source`` the text as written; for a
    sequence ``value`` is a list of :class:`Y`; for a mapping a dict of str to :class:`Y`.
    """

    kind: str
    value: Any
    line: int
    column: int
    source: str = ""
    key_lines: tuple[tuple[str, int, int], ...] = ()


def _yaml_problem(path: str, message: str, line: int = 0, column: int = 0) -> Problem:
    return Problem(path, message, line, column, rule="PA110")


class YamlProblem(Exception):
    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


def parse(text: str, rel: str, first_line: int = 1) -> Y | None:
    """Parse ``text`` (which starts at line ``first_line`` of ``rel``) into a :class:`Y` tree.

    Raises :class:`YamlProblem` naming file, line and column for anything not plain data.
    Returns None for an empty document.
    """
    import yaml  # PyYAML, imported on first use (commands that read no YAML start without it)

    offset = first_line - 1
    try:
        node = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except RecursionError:
        raise YamlProblem(_yaml_problem(rel, f"the YAML nests deeper than Python can read (more than "
                                  f"{MAX_DEPTH} levels are never needed); flatten it")) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        at_end = mark is not None and mark.line >= text.count("\n") and not text[mark.index:].strip()
        if at_end and exc.context_mark is not None:
            mark = exc.context_mark  # "got end of stream": point at what was left open
        what = ": ".join(str(part) for part in (exc.context, exc.problem) if part)
        raise YamlProblem(_yaml_problem(rel, f"YAML syntax error: {what}; check indentation and quoting",
                                  (mark.line + 1 + offset) if mark else 0,
                                  (mark.column + 1) if mark else 0)) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(_yaml_problem(rel, f"YAML error: {exc}")) from None
    if node is None:
        return None
    return _convert(node, rel, offset, set())


MAX_DEPTH = 100  # lists and mappings inside each other; a template needs a handful


def _convert(node: Node, rel: str, offset: int, seen: set[int], depth: int = 0) -> Y:
    import yaml  # imported on first use, see parse

    line, column = node.start_mark.line + 1 + offset, node.start_mark.column + 1
    if depth > MAX_DEPTH:
        raise YamlProblem(_yaml_problem(rel, f"nested more than {MAX_DEPTH} levels deep; flatten the "
                                  "structure", line, column))
    if id(node) in seen:
        raise YamlProblem(_yaml_problem(rel, "YAML anchors and aliases (&name, *name) are not "
                                  "supported; write the value out", line, column))
    seen.add(id(node))
    tag = node.tag or ""
    if isinstance(node, yaml.ScalarNode):
        kind = _SCALAR_KINDS.get(tag[len(_CORE):]) if tag.startswith(_CORE) else None
        if kind is None:
            raise YamlProblem(_yaml_problem(rel, f"YAML tag '{tag}' is not allowed; only plain text, "
                                      "numbers, lists and mappings are", line, column))
        return Y(kind, _scalar_value(kind, node.value), line, column, node.value)
    if isinstance(node, yaml.SequenceNode):
        if tag != _CORE + "seq":
            raise YamlProblem(_yaml_problem(rel, f"YAML tag '{tag}' is not allowed", line, column))
        return Y("seq", [_convert(item, rel, offset, seen, depth + 1) for item in node.value], line, column)
    if tag != _CORE + "map":
        raise YamlProblem(_yaml_problem(rel, f"YAML tag '{tag}' is not allowed", line, column))
    mapping: dict[str, Y] = {}
    key_lines: list[tuple[str, int, int]] = []
    for key_node, value_node in node.value:
        key_line = key_node.start_mark.line + 1 + offset
        key_col = key_node.start_mark.column + 1
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == _CORE + "merge":
            raise YamlProblem(_yaml_problem(rel, "only plain keys are allowed (no '<<' merge keys or "
                                      "complex keys)", key_line, key_col))
        key = key_node.value
        if key in mapping:
            first = next(line for name, line, _ in key_lines if name == key)
            raise YamlProblem(_yaml_problem(rel, f"duplicate key '{key}' (first at line {first}); "
                                      "remove one of them", key_line, key_col))
        mapping[key] = _convert(value_node, rel, offset, seen, depth + 1)
        key_lines.append((key, key_line, key_col))
    return Y("map", mapping, line, column, key_lines=tuple(key_lines))


def _scalar_value(kind: str, source: str) -> Any:
    if kind == "int":
        try:
            return int(source.replace("_", ""), 0)
        except ValueError:
            return source
    if kind == "float":
        try:
            return float(source.replace("_", ""))
        except ValueError:
            return source
    if kind == "bool":
        return source.lower() in ("yes", "true", "on", "y")
    if kind == "null":
        return None
    return source


# ---------------------------------------------------------------- schema helpers

def text(y: Y, rel: str, what: str) -> str:
    """The value as text; numbers and dates keep their source text; booleans are refused."""
    if y.kind == "str":
        return cast(str, y.value)
    if y.kind in ("int", "float", "date"):
        return y.source
    if y.kind == "bool":
        raise YamlProblem(_yaml_problem(
            rel, f"{what}: '{y.source}' is read by YAML as the boolean {str(y.value).lower()}, "
            f"but text is expected; write it in quotes: \"{y.source}\"", y.line, y.column))
    if y.kind == "null":
        raise YamlProblem(_yaml_problem(rel, f"{what}: a value is required here", y.line, y.column))
    raise YamlProblem(_yaml_problem(rel, f"{what}: expected text, found {_kind_name(y.kind)}",
                              y.line, y.column))


def mapping(y: Y, rel: str, what: str) -> dict[str, Y]:
    if y.kind != "map":
        raise YamlProblem(_yaml_problem(rel, f"{what}: expected a mapping of 'key: value' lines, "
                                  f"found {_kind_name(y.kind)}", y.line, y.column))
    return cast("dict[str, Y]", y.value)


def sequence(y: Y, rel: str, what: str) -> list[Y]:
    if y.kind != "seq":
        raise YamlProblem(_yaml_problem(rel, f"{what}: expected a list ('- item' lines), "
                                  f"found {_kind_name(y.kind)}", y.line, y.column))
    return cast("list[Y]", y.value)


def integer(y: Y, rel: str, what: str) -> int:
    if y.kind != "int" or not isinstance(y.value, int):
        raise YamlProblem(_yaml_problem(rel, f"{what}: expected a whole number, found "
                                  f"'{y.source or _kind_name(y.kind)}'", y.line, y.column))
    return y.value


def _kind_name(kind: str) -> str:
    return {"seq": "a list", "map": "a mapping", "str": "text", "int": "a number",
            "float": "a number", "bool": "a boolean", "null": "nothing", "date": "a date"}[kind]


def unknown_keys(y: Y, allowed: set[str], rel: str, what: str, hint: str = "") -> None:
    """Refuse keys of the mapping ``y`` that are not in ``allowed`` (typos get a suggestion)."""
    from assembler.errors import did_you_mean

    for key, line, column in y.key_lines:
        if key not in allowed:
            raise YamlProblem(_yaml_problem(rel, f"unknown key '{key}' in {what}"
                                      f"{did_you_mean(key, allowed)}{hint}", line, column))


def dump(data: dict[str, object]) -> str:
    """Plain data as block-style YAML that :func:`parse` reads back to the same values."""
    import yaml  # imported on first use, see parse

    return yaml.dump(data, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper), sort_keys=False,
                     allow_unicode=True, default_flow_style=False, width=100)
