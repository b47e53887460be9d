"""The command line (click lives here and nowhere else).

Each command parses its options, calls one :class:`~assembler.workspace.Workspace`
method, and prints. :class:`_Group` is the one place that turns errors into messages and
exit codes.
"""

from __future__ import annotations

import io
import json
import os
import sys
import traceback
from pathlib import Path

import click

from assembler.version import __version__
from assembler.errors import EXIT_FINDINGS, EXIT_INTERNAL, EXIT_INVALID, AssemblerError, UsageError
from assembler.sources.files import write_output
from assembler.workspace import Workspace
from assembler.writers.options import RenderOptions
from assembler.writers import BINARY, WRITERS

EPILOG = """Exit codes: 0 ok; 1 verify found a mismatch; 2 usage; 3 not found; 4 invalid input
(also check with problems); 5 workspace state; 6 environment; 70 internal error."""


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
        except BrokenPipeError:   # the reader went away (| head): stop quietly, as a pipe expects
            try:
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
                pass
            ctx.exit(141)
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
    for note in workspace.notes:
        click.echo(f"note: {note}", err=True)
    click.echo(f"created workspace {workspace.root}" + (" with the example resolution" if example else ""))


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print problems as JSON.")
@click.option("--impact", is_flag=True, help="Also list the documents that pending edits would "
              "change, with a preview of each change (nothing is recorded).")
@click.pass_context
def check(ctx, as_json, impact):
    """Validate every clause and template; list each problem as file:line:column.

    Exits 0 only when the workspace is clean, 4 when it found problems.
    """
    workspace = _workspace(ctx)
    problems = workspace.check()
    if impact and not problems:
        from assembler.archive.archivist import Archive
        _print_impact(Archive(workspace).impact(), as_json)
        return
    if as_json:
        click.echo(json.dumps([{"path": p.path, "line": p.line, "column": p.column,
                                "rule": p.rule, "message": p.message} for p in problems], indent=2))
    else:
        for problem in problems:
            click.echo(str(problem))
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


@main.command()
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
@click.option("--watermark", is_flag=True, help="Mark DOCX/PDF pages with a DRAFT watermark (PDF).")
@click.pass_context
def build(ctx, template, variables, formats, output, output_dir, watermark):
    """Assemble TEMPLATE and print it (or write it with -o), without recording a version.

    Output is marked "preview, not a recorded version". Binary formats (docx, pdf) need
    -o or --output-dir.
    """
    workspace = _workspace(ctx)
    chosen = _formats(formats, output)
    if len(chosen) > 1 and not output_dir:
        raise UsageError("several formats need --output-dir DIR (one file each)")
    if output and output_dir:
        raise UsageError("use either -o FILE or --output-dir DIR, not both")
    if not output and not output_dir and set(chosen) & BINARY and sys.stdout.isatty():
        raise UsageError(f"{chosen[0]} is a binary format; write it with -o FILE")
    built = workspace.assemble_sources(template, _parse_vars(variables))
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


@main.command(name="list")
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
    click.echo(f"imported {_count(len(result.clause_ids), 'clause')} and template '{result.template_id}' "
               f"({len(result.written)} files); try: assembler build {result.template_id}")


@main.command()
@click.argument("template")
@click.option("-m", "--message", default=None, help="Commit message (default: 'Assemble DOC vN').")
@click.option("--var", "variables", multiple=True, metavar="NAME=VALUE",
              help="Set a template variable (repeatable).")
@click.option("--allow-empty", is_flag=True,
              help="Record a new version even when nothing changed since the last one.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_context
def assemble(ctx, template, message, variables, allow_empty, as_json):
    """Assemble TEMPLATE and record it as the document's next version.

    Writes versions/DOC/ (outputs and manifest.json) and makes exactly one commit holding
    them and the exact clause and template files used, tagged DOC/vN. Nothing else in your
    index or working tree is touched. When nothing changed since the last version, nothing
    is recorded (use --allow-empty to record anyway).
    """
    result = _workspace(ctx).assemble(template, message, _parse_vars(variables), allow_empty)
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


@main.command()
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


@main.command()
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


@main.command()
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
                state = (f"closed by v{r.closed['version']}" if r.closed else
                         f"cancelled {r.cancelled['at'][:10]}" if r.cancelled else
                         f"open{', due ' + r.deadline if r.deadline else ''}")
                responded = sum(1 for s in r.sections if s.id in r.feedback)
                click.echo(f"    round {r.id} ({r.name}): opened {r.opened_at[:10]}, "
                           f"{responded} of {len(r.sections)} Sections responded, "
                           f"{len(r.items())} items, {state}")


@main.command()
@click.argument("ref", metavar="DOC@vN")
@click.option("--format", "fmt", default="md", help="Which output: md, json, html, docx, pdf (default md).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write to this file instead of standard output.")
@click.pass_context
def show(ctx, ref, fmt, output):
    """Print a recorded version exactly as committed (DOC@v2, DOC@latest)."""
    if fmt in BINARY and not output and sys.stdout.isatty():
        raise UsageError(f"{fmt} is a binary format; write it with -o FILE")
    data = _workspace(ctx).show(ref, fmt)
    if output:
        write_output(Path(output), data)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


@main.command()
@click.argument("document", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=None,
              help="Rebuild versions in this many processes (default: the CPUs, at most 4).")
@click.pass_context
def verify(ctx, document, as_json, jobs):
    """Rebuild every version from its own commit and compare byte for byte; run git fsck.

    Also checks each manifest against the commit's tree, output hashes, tags, gap-free
    version numbers and that the branch tip still holds the latest files. Exits 1 on any
    mismatch.
    """
    workspace = _workspace(ctx)
    show_progress = not as_json and sys.stderr.isatty()

    def progress(version, index: int, total: int):
        if show_progress:
            done = int(24 * (index - 1) / max(total, 1))
            click.echo(f"\r[{'#' * done}{'.' * (24 - done)}] {index}/{total} verifying "
                       f"{version.document} v{version.number}   ", err=True, nl=False)

    report = workspace.verify(document, progress, jobs or min(4, os.cpu_count() or 1))
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


@main.command()
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
    targets = {fmt: path for (fmt, _), path in zip(REDLINE_OUTPUTS, (pdf, docx, html, md, json_out)) if path}
    for path in targets.values():
        folder = Path(path).parent
        if not folder.is_dir():
            raise UsageError(f"{path}: the folder {folder} does not exist; create it first")
    for value in args:
        if value.startswith("-"):
            raise UsageError(f"'{value}' is not a version label; write v1, v2, … or working")
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


from assembler.cli.archive import COMMANDS as ARCHIVE_COMMANDS  # noqa: E402  (their own modules)
from assembler.cli.round import round_group  # noqa: E402
from assembler.cli.sync import COMMANDS as SYNC_COMMANDS  # noqa: E402

main.add_command(round_group)
for _command in ARCHIVE_COMMANDS + SYNC_COMMANDS:
    main.add_command(_command)
