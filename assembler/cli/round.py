"""``assembler round …``: the review-round commands (part of the command line layer).

Each command parses, calls one :class:`~assembler.review.workflow.Review` method and prints; errors
reach the one handler in :mod:`assembler.cli.common`.
"""

from __future__ import annotations

import json

import click

from assembler.cli.common import open_workspace, parse_vars
from assembler.errors import UsageError
from assembler.review.vocabulary import DECISIONS, due_phrase


def _review(ctx):
    """The workspace's review rounds (imported here: only round commands need them)."""
    from assembler.review.workflow import Review
    return Review(open_workspace(ctx))


def _echo_json(data) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


@click.group("round")
def round_group():
    """Section review rounds: open a round on a version, record each Section's feedback,
    decide every item, apply accepted edits, close with a new version and a redline.

    \b
    assembler round open resolution --name "Section review 1" --sections sections.yaml
    assembler round feedback section-review-1 --section NL nl.docx
    assembler round status section-review-1
    assembler round dispose section-review-1 NL-1 accepted --note "Taken as proposed"
    assembler round apply section-review-1 NL-1
    assembler round close section-review-1 -m "Answer Section feedback"
    assembler round cancel section-review-1 -m "Opened on the wrong version"
    """


@round_group.command("open")
@click.argument("document")
@click.option("--name", required=True, help="The round's name, e.g. 'Section review 1' (its id is "
              "made from it: section-review-1).")
@click.option("--base", default=None, metavar="vN", help="The version to review (default: the latest).")
@click.option("--sections", "sections_file", type=click.Path(dir_okay=False, exists=True),
              help="YAML or CSV listing the Sections invited (id, name, contact); default: those "
                   "of the document's previous round.")
@click.option("--deadline", default=None, metavar="YYYY-MM-DD", help="When responses are due.")
@click.option("--json", "as_json", is_flag=True, help="Print the round as JSON.")
@click.pass_context
def open_round(ctx, document, name, base, sections_file, deadline, as_json):
    """Open a review round on a recorded version of DOCUMENT: writes the review pack (the
    version's PDF and DOCX, a redline since the last round or adoption, a cover page) to
    versions/DOC/rounds/ROUND/pack/, one commit, tag DOC/ROUND/open.

    Usage: assembler round open DOCUMENT --name NAME [--sections FILE] [--deadline DATE]
    """
    r, commit = _review(ctx).open(document, name, base, sections_file, deadline)
    if as_json:
        _echo_json({**r.record(), "commit": commit})
        return
    click.echo(f"opened round '{r.id}' on {r.document} v{r.base} for {len(r.sections)} Sections "
               f"(commit {commit[:12]}, tag {r.document}/{r.id}/open)")
    click.echo(f"review pack: {r.path}/pack/")


@round_group.command()
@click.argument("round_name", metavar="ROUND")
@click.option("--section", "section_id", required=True, help="The Section's id, as in the Sections file.")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--branch", is_flag=True, help="Record it on the Section's own branch "
              "review/ROUND/SECTION (pushed to origin) instead of the current branch.")
@click.option("--json", "as_json", is_flag=True, help="Print the items recorded as JSON.")
@click.pass_context
def feedback(ctx, round_name, section_id, file, branch, as_json):
    """Record one Section's feedback FILE: the review pack's DOCX returned with tracked changes
    and comments, or Markdown/text with a heading per paragraph number ('## 3'). Each remark
    becomes an item (NL-1, NL-2, …); one commit with the Section as author.

    Usage: assembler round feedback ROUND --section ID FILE [--branch]
    """
    result = _review(ctx).feedback(round_name, section_id, file, branch)
    if as_json:
        _echo_json({"round": result.round.id, "section": result.section.id, "commit": result.commit,
                    "items": [i.data() for i in result.items], "notes": result.notes})
        return
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
    click.echo(f"recorded {len(result.items)} item(s) from {result.section.name} "
               f"(commit {result.commit[:12]}):")
    for item in result.items:
        click.echo(f"  {item.id:<7} {item.kind:<7} {item.target:<12} {item.summary[:90]}")


@round_group.command()
@click.argument("round_name", metavar="ROUND", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
def status(ctx, round_name, as_json):
    """Show a round (or every round): Sections invited and who responded, items per clause,
    decisions, deadline and days left.

    Usage: assembler round status [ROUND] [--json]
    """
    review = _review(ctx)
    chosen = [review.find(round_name)] if round_name else review.rounds()
    from assembler.history.versions import commit_epoch
    from assembler.review.round_papers import iso_day
    today = iso_day(commit_epoch())
    reports = [r.report(today) for r in chosen]
    if as_json:
        _echo_json(reports if not round_name else reports[0])
        return
    if not reports:
        click.echo("no review rounds yet (open one with 'assembler round open DOC --name NAME')")
    for rep in reports:
        due = due_phrase(rep["deadline"], rep["days_left"], rep["state"] in ("closed", "cancelled"))
        answered = f", answered by v{rep['answered_by']}" if rep["answered_by"] else ""
        click.echo(f"{rep['document']}/{rep['id']}  {rep['name']}: {rep['state']} on v{rep['base']}"
                   f"{due}{answered}")
        for s in rep["sections"]:
            mark = f"{s['items']} item(s)" if s["responded"] else "no response"
            if s["branch"]:
                mark += f" on review branch {s['branch'].removeprefix('refs/heads/').removeprefix('refs/remotes/')}"
            click.echo(f"  {s['id']:<6} {s['name']:<28} {mark}")
        if rep["items_per_clause"]:
            click.echo("  items per paragraph: " + ", ".join(f"{k} ({v})" for k, v in rep["items_per_clause"].items()))
        click.echo(f"  decisions: {rep['decided']} of {rep['items']} items"
                   + (f"; undecided: {', '.join(rep['undecided'])}" if rep["undecided"] else ""))


@round_group.command()
@click.argument("round_name", metavar="ROUND")
@click.argument("item")
@click.argument("decision", type=click.Choice(DECISIONS))
@click.option("--note", default="", help="Why: shown in the disposition table.")
@click.pass_context
def dispose(ctx, round_name, item, decision, note):
    """Record the decision on one feedback ITEM: accepted, partly, rejected or noted (one
    commit; deciding again replaces the decision, the history keeps both).

    Usage: assembler round dispose ROUND ITEM accepted|partly|rejected|noted [--note TEXT]
    """
    r, found = _review(ctx).dispose(round_name, item, decision, note)
    click.echo(f"{found.id}: {decision}" + (f" ({note})" if note else ""))


@round_group.command()
@click.argument("round_name", metavar="ROUND")
@click.argument("item")
@click.pass_context
def apply(ctx, round_name, item):
    """Write an accepted edit ITEM into its clause file; nothing is committed, so review the
    change (git diff) before closing the round.

    Usage: assembler round apply ROUND ITEM
    """
    applied = _review(ctx).apply(round_name, item)
    if applied.already:
        click.echo(f"{applied.path} already reads as {applied.item.id} proposes; nothing to do")
    else:
        click.echo(f"applied {applied.item.id} to {applied.path}; review it (git diff {applied.path}), "
                   "then close the round")


@round_group.command()
@click.argument("round_name", metavar="ROUND")
@click.option("-m", "--message", "reason", default=None, help="Why the round is cancelled (kept in "
              "round.json and the commit).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_context
def cancel(ctx, round_name, reason, as_json):
    """Cancel an open round without answering it: one commit that records who cancelled it,
    when and why (tag DOC/ROUND/cancel); the version leaves review, and the pack, feedback and
    decisions stay in the history.

    Usage: assembler round cancel ROUND [-m REASON]
    """
    r, commit = _review(ctx).cancel(round_name, reason)
    if as_json:
        _echo_json({"round": r.id, "document": r.document, "commit": commit,
                    "tag": f"{r.document}/{r.id}/cancel", "cancelled": r.cancelled})
        return
    click.echo(f"cancelled round '{r.id}' of {r.document} (commit {commit[:12]}, tag "
               f"{r.document}/{r.id}/cancel); v{r.base} is no longer in review")


@round_group.command()
@click.argument("round_name", metavar="ROUND")
@click.option("-m", "--message", default=None, help="The commit message of the answering version.")
@click.option("--force", is_flag=True, help="Close even though some items have no decision.")
@click.option("--var", "variables", multiple=True, metavar="NAME=VALUE",
              help="Set a template variable (repeatable), as for assemble.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_context
def close(ctx, round_name, message, force, variables, as_json):
    """Close a round: assemble the answering version from the clauses and template as they
    are now, write the round redline (PDF with the disposition table, DOCX with tracked
    changes, HTML) and disposition.csv, one commit, tags DOC/vN and DOC/ROUND/close.

    Usage: assembler round close ROUND [-m MESSAGE] [--force] [--var NAME=VALUE]
    """
    r, recorded, rows = _review(ctx).close(round_name, message, force, parse_vars(variables))
    if as_json:
        _echo_json({"round": r.id, **recorded.data(), "dispositions": rows})
        return
    click.echo(f"closed round '{r.id}': {r.document} v{recorded.version} answers v{r.base} "
               f"(commit {recorded.commit[:12]}, tags {recorded.tag}, {r.document}/{r.id}/close)")
    click.echo(f"round redline and disposition table: {r.path}/")


@round_group.command()
@click.argument("round_name", metavar="ROUND")
@click.option("--section", "sections", multiple=True, metavar="ID",
              help="Only this Section (repeat for more); default: every Section of the round.")
@click.option("--editor", is_flag=True, help="The editors' link instead (decide items, close the round).")
@click.option("--name", default=None, metavar="NAME",
              help="With --editor: one editor's own link, so the decisions made through it carry NAME.")
@click.option("--revoke", is_flag=True, help="End the links instead: they answer 401 from then on.")
@click.option("--base-url", default="http://127.0.0.1:8000", show_default=True,
              help="Where assembler serve is reached (behind a proxy: its public https address).")
@click.option("--json", "as_json", is_flag=True, help="Print the links as JSON.")
@click.pass_context
def invite(ctx, round_name, sections, editor, name, revoke, base_url, as_json):
    """Print each Section's personal link to the round's review page (assembler serve).

    Each link carries a new random token (192 bits) and replaces the Section's earlier link.
    The workspace keeps only the token's hash, inside .git (never in the history); the link
    is shown once, here: send it to the Section's contact.

    \b
    assembler round invite section-review-1
    assembler round invite section-review-1 --section NL --json
    assembler round invite section-review-1 --section NL --revoke
    assembler round invite section-review-1 --editor --name "Ana Silva"
    """
    if editor and sections:
        raise UsageError("give --editor or --section, not both")
    if name is not None and (not editor or not name.strip()):
        raise UsageError("--name names one editor's link: give it with --editor and a name")
    r, links = _review(ctx).invite(round_name, list(sections) or None, editor, revoke, name)
    base = base_url.rstrip("/")
    rows = [{"role": role, "name": name, "link": f"{base}/s/{token}" if token else None,
             "token": token} for role, name, token in links]
    if as_json:
        _echo_json({"document": r.document, "round": r.id, "revoked": revoke, "links": rows})
        return
    for row in rows:
        if revoke:
            click.echo(f"revoked the link of {row['name']} ({row['role']}) to round '{r.id}'")
        else:
            click.echo(f"{row['role']:<8} {row['name']:<28} {row['link']}")
