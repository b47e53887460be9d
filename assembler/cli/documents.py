"""Commands on the sources and the drafts: init, check, build, list, import, assemble, status."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from assembler.cli.common import echo_json, open_workspace as _workspace, parse_vars as _parse_vars
from assembler.errors import EXIT_INVALID, UsageError
from assembler.writers import BINARY, WRITERS


@click.command()
@click.argument("path", type=click.Path())
@click.option("--example", is_flag=True, help="Copy the bundled example resolution into it.")
@click.pass_context
def init(ctx, path, example):
    """Create a workspace at PATH: git repository, clauses/, templates/, versions/."""
    target = Path(ctx.obj["directory"]) / path
    from assembler.workspace import Workspace
    workspace = Workspace.init(target, example=example)
    for note in workspace.notes:
        click.echo(f"note: {note}", err=True)
    click.echo(f"created workspace {workspace.root}" + (" with the example resolution" if example else ""))


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print problems as JSON.")
@click.option("--impact", is_flag=True, help="Also list the documents that pending edits would "
              "change, with a preview of each change (nothing is recorded).")
@click.pass_context
def check(ctx, as_json, impact):
    """Validate every clause and template; list each problem as file:line:column.

    Stale translations are listed as warnings. Exits 0 when the workspace has no problems
    (warnings or not), 4 when it found problems.
    """
    workspace = _workspace(ctx)
    problems = workspace.check()
    from assembler.translations import warnings as translation_warnings
    warnings = [] if problems else translation_warnings(workspace)
    if impact and not problems:
        from assembler.archive.archivist import Archive
        _print_impact(Archive(workspace).impact(), as_json)
        return
    if as_json:
        click.echo(json.dumps([{"path": p.path, "line": p.line, "column": p.column, "rule": p.rule,
                                "message": p.message, "severity": severity}
                               for found, severity in ((problems, "error"), (warnings, "warning"))
                               for p in found], indent=2))
    else:
        for problem in problems:
            click.echo(str(problem))
        for warning in warnings:
            click.echo(f"warning: {warning}")
        if not problems:
            library, templates = workspace.clauses(), workspace.templates()
            click.echo(f"ok: {_count(len(library), 'clause')}, {_count(len(list(templates)), 'template')}, "
                       "no problems")
    if problems:
        if not as_json:
            click.echo(f"{len(problems)} problem(s) found", err=True)
        ctx.exit(EXIT_INVALID)


def _print_impact(found: list[dict], as_json: bool) -> None:
    from assembler.writers.options import RedlineInfo, Side
    from assembler.writers.redline_text import summary_lines
    if as_json:
        click.echo(json.dumps(found, indent=2, ensure_ascii=False))
        return
    for entry in found:
        if entry["latest"] is None:
            click.echo(f"{entry['document']}: never recorded; 'assembler assemble {entry['document']}' "
                       "records v1")
        elif not entry["changes"]:
            click.echo(f"{entry['document']}: no change since v{entry['latest']}")
        else:
            click.echo(f"{entry['document']}: would change since v{entry['latest']}:")
            info = RedlineInfo(Side(f"v{entry['latest']}"), Side("working"), entry["summary"])
            for line in summary_lines(info):
                click.echo(f"  {line}")
            click.echo(f"  word by word: assembler redline {entry['document']} latest working")


@click.command()
@click.argument("template")
@click.option("--var", "variables", multiple=True, metavar="NAME=VALUE",
              help="Set a template variable (repeatable).")
@click.option("--format", "formats", default=None, metavar="LIST",
              help=f"Output format(s), comma-separated: {', '.join(WRITERS)} "
                   "(default: from -o's extension, else md).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write the one format to this file instead of standard output.")
@click.option("--output-dir", type=click.Path(file_okay=False), default=None,
              help="Write each format to DIR/TEMPLATE.EXT.")
@click.option("--watermark", is_flag=True, help="Mark every DOCX and PDF page with a DRAFT watermark.")
@click.option("--lang", default=None, metavar="TAG",
              help="Assemble the document in this language (a BCP 47 tag such as fr or pt-BR) from "
                   "its translated clauses and the template's words in it.")
@click.option("--allow-stale", is_flag=True,
              help="With --lang: assemble even with stale or missing translations, marked in the text.")
@click.pass_context
def build(ctx, template, variables, formats, output, output_dir, watermark, lang, allow_stale):
    """Assemble TEMPLATE and print it (or write it with -o), without recording a version.

    Output is marked "preview, not a recorded version". Binary formats (docx, pdf) need
    -o or --output-dir.
    """
    from assembler.sources.files import write_output
    workspace = _workspace(ctx)
    chosen = _formats(formats, output)
    if len(chosen) > 1 and not output_dir:
        raise UsageError("several formats need --output-dir DIR (one file each)")
    if output and output_dir:
        raise UsageError("use either -o FILE or --output-dir DIR, not both")
    if not output and not output_dir and set(chosen) & BINARY and sys.stdout.isatty():
        raise UsageError(f"{chosen[0]} is a binary format; write it with -o FILE")
    built = workspace.assemble_sources(template, _parse_vars(variables), lang, allow_stale)
    options = workspace.render_options(built, watermark=watermark)
    rendered = workspace.render_all(built, options, chosen)
    if output_dir:
        folder = Path(output_dir)
        for name, data in rendered.items():
            write_output(folder / name, data)
            click.echo(f"wrote {folder / name}", err=True)
    elif output:
        write_output(Path(output), next(iter(rendered.values())))
        click.echo(f"wrote {output}", err=True)
    else:
        sys.stdout.buffer.write(next(iter(rendered.values())))
        sys.stdout.flush()


def _formats(formats: str | None, output: str | None) -> list[str]:
    if formats is None:
        suffix = Path(output).suffix.lstrip(".").lower() if output else ""
        if suffix and suffix not in WRITERS:
            raise UsageError(f"-o {output}: no format writes .{suffix} files; use one of "
                             f"{', '.join('.' + w for w in WRITERS)} or give --format")
        return [suffix or "md"]
    chosen = [f.strip().lower() for f in formats.split(",") if f.strip()]
    for name in chosen:
        if name not in WRITERS:
            raise UsageError(f"--format: unknown format '{name}'; choose from {', '.join(WRITERS)}")
    return list(dict.fromkeys(chosen))


@click.command(name="list")
@click.argument("what", type=click.Choice(["clauses", "templates"]))
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.option("--tag", default=None, help="Only clauses with this tag.")
@click.pass_context
def list_(ctx, what, as_json, tag):
    """List the clauses or templates of the workspace."""
    workspace = _workspace(ctx)
    source = workspace.clauses() if what == "clauses" else workspace.templates()
    if what == "clauses":
        rows = [{"id": c.id, "title": c.title, "path": c.path, "tags": list(c.tags), "blob": c.blob}
                for c in source if tag is None or tag in c.tags]
    else:
        rows = [{"id": t.id, "title": _plain_title(t), "path": t.path, "blob": t.blob} for t in source]
    if source.problems:
        click.echo(f"warning: files with problems are not listed ({len(source.problems)} "
                   "problem(s)); run 'assembler check'", err=True)
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    width = max((len(r["id"]) for r in rows), default=2)
    for row in rows:
        click.echo(f"{row['id']:<{width}}  {row['title']}")


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _plain_title(template) -> str:
    from assembler.model.nodes import plain_text
    return plain_text(template.title)


@click.command(name="import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--template", "template_id", default=None,
              help="Id of the template to create (default: from the file name).")
@click.option("--into", "into", default=None, metavar="DOC",
              help="Update the existing document DOC from this later revision: clauses keep "
                   "their ids where the text is recognisably the same, and the result is "
                   "recorded as DOC's next version.")
@click.option("--message", "-m", default=None,
              help="Record the import as a version with this message (always so with --into).")
@click.option("--date", default=None, metavar="YYYY-MM-DD",
              help="Record the import as a version with this date (UTC), e.g. the revision's "
                   "publication date.")
@click.option("--accept-changes", is_flag=True,
              help="A Word file with tracked changes: import the text with every change accepted.")
@click.option("--reject-changes", is_flag=True,
              help="A Word file with tracked changes: import the text with every change rejected.")
@click.option("--report", is_flag=True,
              help="Print what became what: title, headings, and each paragraph's clause id.")
@click.option("--json", "as_json", is_flag=True, help="Print the result (and the report) as JSON.")
@click.pass_context
def import_(ctx, file, template_id, into, message, date, accept_changes, reject_changes, report,
            as_json):
    """Import a policy (.md, .txt or .docx) as clause files and a template.

    Headings become template headings at their level; numbered lists become numbered
    clauses (nested lists, sub-clauses); other paragraphs, bullet lists and tables become
    clauses of their own. The import is checked: the template is built and must hold the
    document's words, headings and list items in the same order, or nothing is written.
    With --into DOC, a later revision updates DOC and is recorded as its next version.
    """
    if accept_changes and reject_changes:
        raise click.UsageError("choose one of --accept-changes and --reject-changes")
    tracked = "accept" if accept_changes else "reject" if reject_changes else "refuse"
    workspace = _workspace(ctx)
    result = workspace.import_document(Path(file), template_id, into=into, tracked=tracked,
                                       message=message, date=date)
    recorded = result.recorded
    if as_json:
        echo_json({"template": result.template_id, "written": result.written,
                   "deleted": result.deleted, "clauses": result.clause_ids,
                   "kept": result.kept, "notes": result.notes,
                   "version": recorded.version if recorded else None,
                   "commit": recorded.commit if recorded else None,
                   "report": [{"where": r.where, "what": r.what, "became": r.became}
                              for r in result.report]})
        return
    if report:
        width = max(len(r.where) for r in result.report)
        kind = max(len(r.what) for r in result.report)
        for row in result.report:
            click.echo(f"{row.where:<{width}}  {row.what:<{kind}}  -> {row.became}")
    for note in result.notes:
        click.echo(f"left out: {note}" if report else f"note: {note}", err=not report)
    if into:
        changed = len(result.clause_ids) - len(result.kept)
        click.echo(f"updated '{result.template_id}': {len(result.kept)} clauses kept their ids, "
                   f"{_count(changed, 'new clause')}, {_count(len(result.deleted), 'clause')} removed")
    else:
        click.echo(f"imported {_count(len(result.clause_ids), 'clause')} and template "
                   f"'{result.template_id}' ({len(result.written)} files)")
    if recorded and recorded.commit:
        click.echo(f"recorded {result.template_id} v{recorded.version} as commit {recorded.commit[:12]} "
                   f"(tag {recorded.tag}); try: assembler redline {result.template_id}"
                   if recorded.version > 1 else
                   f"recorded {result.template_id} v{recorded.version} as commit {recorded.commit[:12]} "
                   f"(tag {recorded.tag})")
    elif not into:
        click.echo(f"try: assembler build {result.template_id}")


@click.command()
@click.argument("template")
@click.option("-m", "--message", default=None, help="Commit message (default: 'Assemble DOC vN').")
@click.option("--var", "variables", multiple=True, metavar="NAME=VALUE",
              help="Set a template variable (repeatable).")
@click.option("--allow-empty", is_flag=True,
              help="Record a new version even when nothing changed since the last one.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--lang", default=None, metavar="TAG",
              help="Assemble the document in this language (a BCP 47 tag such as fr or pt-BR) from "
                   "its translated clauses and the template's words in it.")
@click.option("--allow-stale", is_flag=True,
              help="With --lang: assemble even with stale or missing translations, marked in the text.")
@click.pass_context
def assemble(ctx, template, message, variables, allow_empty, as_json, lang, allow_stale):
    """Assemble TEMPLATE and record it as the document's next version.

    Writes versions/DOC/ (outputs and manifest.json) and makes exactly one commit holding
    them and the exact clause and template files used, tagged DOC/vN. Nothing else in your
    index or working tree is touched. When nothing changed since the last version, nothing
    is recorded (use --allow-empty to record anyway).

    With --lang fr, the French document is recorded as its own series: versions/DOC/fr/,
    tags DOC/fr/vN, the manifest naming the source version it follows.
    """
    result = _workspace(ctx).assemble(template, message, _parse_vars(variables), allow_empty,
                                      lang=lang, allow_stale=allow_stale)
    for path in result.restored:
        click.echo(f"note: wrote {path} again from the latest version (an earlier write had "
                   "failed or been killed)", err=True)
    if as_json:
        click.echo(json.dumps(result.data(), indent=2))
    elif result.commit is None:
        click.echo(f"no changes since {result.document} v{result.version}; nothing recorded "
                   "(use --allow-empty to record a new version anyway)")
    else:
        click.echo(f"recorded {result.document} v{result.version} as commit {result.commit[:12]} "
                   f"(tag {result.tag})")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.pass_context
def status(ctx, as_json):
    """What you need before acting: each document's latest version and status and whether
    assembling now would change it, source files changed since the last commit, open review
    rounds and who has not answered, and versions not yet pushed. Reads only.
    """
    from assembler import status as status_mod
    report = status_mod.status(_workspace(ctx))
    if as_json:
        click.echo(json.dumps(report.data(), indent=2, ensure_ascii=False))
        return
    click.echo("\n".join(status_mod.lines(report)))



COMMANDS = (init, check, build, list_, import_, assemble, status)
