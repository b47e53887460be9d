"""The command line (click lives here and nowhere else).

Each command parses its options, calls one :class:`~assembler.workspace.Workspace`
method, and prints. :class:`_Group` is the one place that turns errors into messages and
exit codes.
"""

from __future__ import annotations

import json
import sys
import traceback
from pathlib import Path

import click

from . import __version__
from .errors import EXIT_INTERNAL, EXIT_INVALID, AssemblerError, UsageError
from .workspace import Workspace, write_output
from .writers import WRITERS

EPILOG = """Exit codes: 0 ok; 1 verify/check findings; 2 usage; 3 not found; 4 invalid input;
5 workspace state; 6 environment; 70 internal error."""


class _Group(click.Group):
    """Runs a command and turns every AssemblerError into ``error: ...`` lines and its code."""

    def invoke(self, ctx):
        debug = bool(ctx.params.get("debug"))
        try:
            return super().invoke(ctx)
        except AssemblerError as exc:
            if debug:
                traceback.print_exc()
            for line in exc.lines():
                click.echo(f"error: {line}", err=True)
            ctx.exit(exc.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(130)
        except Exception as exc:  # a bug: say so in one line, traceback only on request
            if debug:
                traceback.print_exc()
            click.echo(f"internal error: {type(exc).__name__}: {exc} (run with --debug for a "
                       "traceback, and please report it)", err=True)
            ctx.exit(EXIT_INTERNAL)


def _workspace(ctx) -> Workspace:
    return Workspace.open(ctx.obj["directory"])


def _parse_vars(pairs: tuple[str, ...]) -> dict[str, str]:
    values: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--var {pair!r}: write --var NAME=VALUE")
        values[name.strip()] = value
    return values


@click.group(cls=_Group, epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-C", "directory", type=click.Path(file_okay=False), default=".",
              help="Run as if started in this folder (like git -C).")
@click.option("--debug", is_flag=True, help="Show a traceback when something fails.")
@click.version_option(__version__, prog_name="assembler")
@click.pass_context
def main(ctx, directory, debug):
    """Assemble policy documents from reusable clauses and templates.

    A workspace holds clauses/ (one Markdown file per clause), templates/ (one YAML file
    per document) and versions/ (what assembly records). Start with
    'assembler init --example my-policy'.
    """
    ctx.ensure_object(dict)
    ctx.obj["directory"] = directory
    ctx.obj["debug"] = debug


@main.command()
@click.argument("path", type=click.Path())
@click.option("--example", is_flag=True, help="Copy the bundled example resolution into it.")
@click.pass_context
def init(ctx, path, example):
    """Create a workspace at PATH: git repository, clauses/, templates/, versions/."""
    target = Path(ctx.obj["directory"]) / path
    workspace = Workspace.init(target, example=example)
    click.echo(f"created workspace {workspace.root}" + (" with the example resolution" if example else ""))


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print problems as JSON.")
@click.pass_context
def check(ctx, as_json):
    """Validate every clause and template; list each problem as file:line:column.

    Exits 0 only when the workspace is clean, 4 when it found problems.
    """
    workspace = _workspace(ctx)
    problems = workspace.check()
    if as_json:
        click.echo(json.dumps([{"path": p.path, "line": p.line, "column": p.column,
                                "message": p.message} for p in problems], indent=2))
    else:
        for problem in problems:
            click.echo(str(problem))
        if not problems:
            library, templates = workspace.clauses(), workspace.templates()
            click.echo(f"ok: {len(library)} clauses, {len(list(templates))} templates, no problems")
    if problems:
        if not as_json:
            click.echo(f"{len(problems)} problem(s) found", err=True)
        ctx.exit(EXIT_INVALID)


@main.command()
@click.argument("template")
@click.option("--var", "variables", multiple=True, metavar="NAME=VALUE",
              help="Set a template variable (repeatable).")
@click.option("--format", "fmt", type=click.Choice(sorted(WRITERS)), default=None,
              help="Output format (default: from -o's extension, else md).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write to this file instead of standard output.")
@click.pass_context
def build(ctx, template, variables, fmt, output):
    """Assemble TEMPLATE and print it (or write it with -o), without recording a version."""
    workspace = _workspace(ctx)
    if fmt is None:
        suffix = Path(output).suffix.lstrip(".").lower() if output else ""
        fmt = suffix if suffix in WRITERS else "md"
    doc = workspace.build(template, _parse_vars(variables))
    data = workspace.render(doc, fmt)
    if output:
        write_output(Path(output), data)
        click.echo(f"wrote {output}", err=True)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


@main.command(name="list")
@click.argument("what", type=click.Choice(["clauses", "templates"]))
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.option("--tag", default=None, help="Only clauses with this tag.")
@click.pass_context
def list_(ctx, what, as_json, tag):
    """List the clauses or templates of the workspace."""
    workspace = _workspace(ctx)
    if what == "clauses":
        rows = [{"id": c.id, "title": c.title, "path": c.path, "tags": list(c.tags), "blob": c.blob}
                for c in workspace.clauses() if tag is None or tag in c.tags]
    else:
        rows = [{"id": t.id, "title": _plain_title(t), "path": t.path, "blob": t.blob}
                for t in workspace.templates()]
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    width = max((len(r["id"]) for r in rows), default=2)
    for row in rows:
        click.echo(f"{row['id']:<{width}}  {row['title']}")


def _plain_title(template) -> str:
    from .model import plain_text
    return plain_text(template.title)


@main.command(name="import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--template", "template_id", default=None,
              help="Id of the template to create (default: from the file name).")
@click.pass_context
def import_(ctx, file, template_id):
    """Split a .txt or .md document into clause files and a template.

    Numbered items become one clause each; paragraphs before them become preamble
    clauses and those after them closing clauses. Nothing is written if anything is wrong.
    """
    workspace = _workspace(ctx)
    result = workspace.import_document(Path(file), template_id)
    click.echo(f"imported {len(result.clause_ids)} clauses and template '{result.template_id}' "
               f"({len(result.written)} files); try: assembler build {result.template_id}")
