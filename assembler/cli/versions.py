"""Commands on recorded versions: adopt, log, show, verify, redline."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from assembler.cli.common import open_workspace as _workspace
from assembler.errors import EXIT_FINDINGS, UsageError
from assembler.writers import BINARY


@click.command()
@click.argument("document")
@click.argument("version")
@click.option("-m", "--message", default=None, help="Commit message.")
@click.pass_context
def adopt(ctx, document, version, message):
    """Mark VERSION (v3) of DOCUMENT adopted, with a commit of its own.

    Earlier versions become superseded; a later assembly starts a new draft. Adoption is
    final and never rewrites history.
    """
    adopted = _workspace(ctx).adopt(document, version, message)
    click.echo(f"adopted {document} v{adopted.number} (commit {adopted.commit[:12]})")


@click.command()
@click.argument("document", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
def log(ctx, document, as_json):
    """List recorded versions: version, status, date, author, commit, tag, message."""
    workspace = _workspace(ctx)
    versions = workspace.log(document)
    for note in workspace.reading_notes():
        click.echo(f"note: {note}", err=True)
    from assembler.review.workflow import Review
    rounds = Review(workspace).rounds(document)
    if as_json:
        click.echo(json.dumps([{**v.data(), "rounds_opened": [r.id for r in rounds if r.document == v.document
                                                               and r.base == v.number]}
                               for v in versions], indent=2, ensure_ascii=False))
        return
    if not versions:
        click.echo("no versions recorded yet (record one with 'assembler assemble TEMPLATE')")
    for v in reversed(versions):
        row = v.data()
        date = row["date"].replace("T", " ").rstrip("Z")[:16]
        answers = f"  [answers round {v.round}]" if v.round else ""
        click.echo(f"{v.document} v{v.number:<3} {v.status:<10} {date}  {v.commit[:12]}  "
                   f"{v.author}  {v.message}{answers}")
        for r in rounds:
            if r.document == v.document and r.base == v.number:
                click.echo(f"    {r.progress()}")


@click.command()
@click.argument("ref", metavar="DOC@vN")
@click.option("--format", "fmt", default="md", help="Which output: md, json, html, docx, pdf (default md).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write to this file instead of standard output.")
@click.pass_context
def show(ctx, ref, fmt, output):
    """Print a recorded version exactly as committed (DOC@v2, DOC@latest)."""
    from assembler.sources.files import write_output
    if fmt in BINARY and not output and sys.stdout.isatty():
        raise UsageError(f"{fmt} is a binary format; write it with -o FILE")
    data = _workspace(ctx).show(ref, fmt)
    if output:
        write_output(Path(output), data)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


@click.command()
@click.argument("document", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=None,
              help="Rebuild versions in this many processes (default: the CPUs, at most 4).")
@click.option("--strict", is_flag=True,
              help="Fail, not note, a rendering (HTML, DOCX, PDF) that an earlier toolkit or "
                   "library made and this one renders differently.")
@click.pass_context
def verify(ctx, document, as_json, jobs, strict):
    """Rebuild every version from its own commit and compare byte for byte; run git fsck.

    Fixity: every output's SHA-256, every source's blob id, the sources digest, tags and
    signatures. Reproducibility: the JSON model and the Markdown must rebuild byte for byte;
    HTML, DOCX and PDF too when the renderer recorded in the manifest is this one, else a
    difference is a note (content identical), or a failure with --strict. Also gap-free
    version numbers and the branch tip's files. Exits 1 on any problem.
    """
    workspace = _workspace(ctx)
    show_progress = not as_json and sys.stderr.isatty()

    def progress(version, index: int, total: int):
        if show_progress:
            done = int(24 * (index - 1) / max(total, 1))
            click.echo(f"\r[{'#' * done}{'.' * (24 - done)}] {index}/{total} verifying "
                       f"{version.document} v{version.number}   ", err=True, nl=False)

    report = workspace.verify(document, progress, jobs or min(4, os.cpu_count() or 1), strict)
    if show_progress:
        click.echo("", err=True)
    if as_json:
        click.echo(json.dumps(report.data(), indent=2))
    else:
        for check in report.versions:
            state = "ok" if check.ok else "FAILED"
            click.echo(f"{check.document} v{check.version:<3} {check.commit[:12]}  {state}")
            for problem in check.problems:
                click.echo(f"  error: {problem}")
            for note in check.notes:
                click.echo(f"  note: {note}")
            for note in check.rendered_elsewhere:
                click.echo(f"  {'error' if strict else 'note'}: {note}")
        for problem in report.problems:
            click.echo(f"error: {problem}")
        click.echo(f"git fsck: {'ok' if report.fsck_ok else 'FAILED'}")
        if not report.fsck_ok:
            click.echo(report.fsck_output)
        failed = sum(not c.ok for c in report.versions) + len(report.problems) + (not report.fsck_ok)
        click.echo(f"{len(report.versions)} versions checked, "
                   + ("all ok" if report.ok else f"{failed} problem(s)"))
    if not report.ok:
        ctx.exit(EXIT_FINDINGS)


REDLINE_OUTPUTS = (("pdf", "pdf"), ("docx", "docx"), ("html", "html"), ("md", "md"), ("json", "json"))


@click.command()
@click.argument("args", nargs=-1, metavar="DOC OLD NEW")
@click.option("--files", is_flag=True, help="Compare two files the toolkit wrote (.json or .md).")
@click.option("--pdf", type=click.Path(dir_okay=False), help="Write the redline as PDF.")
@click.option("--docx", type=click.Path(dir_okay=False), help="Write it as DOCX with tracked changes.")
@click.option("--html", type=click.Path(dir_okay=False), help="Write it as an HTML page.")
@click.option("--md", type=click.Path(dir_okay=False), help="Write it as Markdown with CriticMarkup.")
@click.option("--json", "json_out", type=click.Path(dir_okay=False), help="Write the change list as JSON.")
@click.option("--color/--no-color", default=None, help="Colour the terminal diff (default: on a terminal).")
@click.pass_context
def redline(ctx, args, files, pdf, docx, html, md, json_out, color):
    """Show what changed between two versions: DOC OLD NEW.

    OLD and NEW are version labels (v1, v3, latest, DOC/v2) or 'working' (the current
    sources, not yet recorded). Without output options, prints a word diff. With --files,
    compares two .json models or .md files: assembler redline --files a.json b.json.
    """
    from assembler.sources.files import write_output
    from assembler.writers.options import RenderOptions
    targets = {fmt: path for (fmt, _), path in zip(REDLINE_OUTPUTS, (pdf, docx, html, md, json_out)) if path}
    for path in targets.values():
        folder = Path(path).parent
        if not folder.is_dir():
            raise UsageError(f"{path}: the folder {folder} does not exist; create it first")
    for value in args:
        if value.startswith("-"):
            raise UsageError(f"'{value}' is not a version label; write v1, v2, … or working")
    from assembler.workspace import Workspace
    if files:
        if len(args) != 2:
            raise UsageError("--files takes two files: assembler redline --files OLD NEW")
        workspace = None
        result, info = Workspace.redline_files(Path(args[0]), Path(args[1]))
        renderer = Workspace(Path("."))
    else:
        if len(args) != 3:
            raise UsageError("write: assembler redline DOC OLD NEW (for example: resolution v1 v2)")
        workspace = _workspace(ctx)
        result, info = workspace.redline(*args)
        renderer = workspace
    rendered = {fmt: renderer.render_redline(result, info, fmt) for fmt in targets}
    for fmt, path in targets.items():
        write_output(Path(path), rendered[fmt])
        click.echo(f"wrote {path}", err=True)
    if not targets:
        use_color = sys.stdout.isatty() if color is None else color
        from assembler.writers import terminal_writer
        options = RenderOptions(redline=info)
        sys.stdout.buffer.write(terminal_writer.write(result.document, options, color=use_color))
    elif not info.summary.get("changes"):
        click.echo("no changes: the two versions read the same", err=True)



COMMANDS = (adopt, log, show, verify, redline)
