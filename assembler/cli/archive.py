"""The archivist's commands: ``blame``, ``history``, ``audit``, ``export`` (part of the
command line layer; errors reach the one handler in :mod:`assembler.cli.common`)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from assembler.cli.common import open_workspace


def _archive(ctx):
    """The archivist's tools and the workspace (imported here: only these commands need them)."""
    from assembler.archive.archivist import Archive
    workspace = open_workspace(ctx)
    return Archive(workspace), workspace


def _echo_json(data) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


@click.command()
@click.argument("ref", metavar="DOC[@vN]")
@click.option("--paragraphs", is_flag=True, help="Blame whole paragraphs instead of sentences.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
def blame(ctx, ref, paragraphs, as_json):
    """For every sentence of a version (default the latest): the version that introduced it in
    its current wording, its clause, commit, author, date, and the review round and feedback
    items that led to it.

    Usage: assembler blame DOC[@vN] [--paragraphs] [--json]
    """
    archive, _ = _archive(ctx)
    version, lines = archive.blame(ref, paragraphs)
    if as_json:
        _echo_json({"document": version.document, "version": version.number,
                    "lines": [line.data() for line in lines]})
        return
    for line in lines:
        where = line.number or (line.clause or "title/text")
        origin = f"v{line.version:<3} {line.commit[:8]} {line.date[:10]} {line.author[:16]:<16}"
        why = f" [{line.round}{': ' + ', '.join(line.items) if line.items else ''}]" if line.round else ""
        click.echo(f"{origin} {where:>6}  {line.text}{why}")


@click.command("history")
@click.argument("clause")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
def clause_history(ctx, clause, as_json):
    """Every change to a CLAUSE (commit, author, date, message, word diff) and where it is
    used: the templates that include it, every recorded version that holds it, and the open
    review rounds it would affect.

    Usage: assembler history CLAUSE [--json]
    """
    archive, _ = _archive(ctx)
    found = archive.clause_history(clause)
    if as_json:
        _echo_json(found.data())
        return
    click.echo(f"{found.clause} ({found.path}): {len(found.changes)} change(s)")
    for change in found.changes:
        click.echo(f"  {change.date[:16].replace('T', ' ')}  {change.commit[:12]}  {change.author}  {change.message}")
        diff = "".join(f"[-{t}-]" if k == "-" else f"{{+{t}+}}" if k == "+" else t
                       for k, t in change.diff)
        click.echo("      " + " ".join(diff.split())[:400])
    click.echo("used by templates: " + (", ".join(found.templates) or "none"))
    docs: dict[str, list[int]] = {}
    for entry in found.versions:
        docs.setdefault(entry["document"], []).append(entry["version"])
    click.echo("in versions: " + (", ".join(f"{d} v{min(n)}–v{max(n)} ({len(n)})" for d, n in docs.items())
                                  or "none"))
    click.echo("open rounds affected: " + (", ".join(found.open_rounds) or "none"))


@click.command()
@click.argument("document")
@click.option("--pdf", type=click.Path(dir_okay=False), help="Write the report as PDF.")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False), help="Write the timeline as CSV.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False), help="Write the whole trail as JSON.")
@click.pass_context
def audit(ctx, document, pdf, csv_path, json_path):
    """The full trail of a DOCUMENT: versions, statuses, rounds, Sections invited and
    responding, feedback items and decisions, authors, dates, commits and output hashes;
    the PDF is a report with a timeline.

    Usage: assembler audit DOC [--pdf FILE] [--csv FILE] [--json FILE]
    """
    from assembler.archive import audit as audit_mod
    from assembler.sources.files import write_output
    archive, workspace = _archive(ctx)
    trail = archive.audit(document)
    if pdf:
        write_output(Path(pdf), audit_mod.report_pdf(workspace, trail))
        click.echo(f"wrote {pdf}", err=True)
    if csv_path:
        write_output(Path(csv_path), audit_mod.timeline_csv(trail))
        click.echo(f"wrote {csv_path}", err=True)
    if json_path:
        write_output(Path(json_path), (json.dumps(trail.data(), ensure_ascii=False, indent=2) + "\n").encode())
        click.echo(f"wrote {json_path}", err=True)
    if not (pdf or csv_path or json_path):
        for event in trail.timeline:
            extra = " ".join(x for x in (event["round"], event["item"], event["decision"]) if x)
            click.echo(f"{event['date'][:16].replace('T', ' ')}  {event['event']:<30} "
                       f"{('v' + event['version']) if event['version'] else '':<5} {event['author']:<20} "
                       f"{event['commit'][:12]}  {extra}")


@click.command()
@click.argument("document")
@click.argument("versions", nargs=-1, metavar="[vN …]")
@click.option("--all", "all_versions", is_flag=True, help="Every version (the default without vN).")
@click.option("--bagit", "bag", required=True, type=click.Path(file_okay=False),
              help="The folder to create for the BagIt package (must not exist).")
@click.pass_context
def export(ctx, document, versions, all_versions, bag):
    """Export versions of DOCUMENT as a BagIt package (RFC 8500): outputs and manifests as
    committed, review round records, the audit report, SHA-256 and SHA-512 fixity.

    Usage: assembler export DOC [vN …|--all] --bagit DIR
    """
    archive, _ = _archive(ctx)
    summary = archive.export_bagit(document, None if all_versions else list(versions) or None, Path(bag))
    click.echo(f"wrote BagIt package {summary['bag']}: {document} "
               + ", ".join(f"v{n}" for n in summary["versions"]) + f" ({summary['files']} files)")


COMMANDS = (blame, clause_history, audit, export)
