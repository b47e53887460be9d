"""``assembler clone`` and ``assembler sync``: working across clones through a git server
(part of the command line layer; errors reach the one handler in :mod:`assembler.cli.common`)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from assembler.cli.common import open_workspace


@click.command()
@click.argument("url")
@click.argument("directory", required=False, type=click.Path(file_okay=False))
@click.pass_context
def clone(ctx, url, directory):
    """Clone a workspace from URL (a server, a bare repository on a share, a path) with every
    version and round tag.

    Usage: assembler clone URL [DIR]
    """
    target = Path(ctx.obj["directory"]) / (directory or Path(url.rstrip("/")).name.removesuffix(".git"))
    from assembler.history import sync as sync_mod
    made = sync_mod.clone(url, target)
    click.echo(f"cloned {url} into {made}; record with 'assembler assemble', share with 'assembler sync'")


@click.command()
@click.argument("remote", default="origin")
@click.option("--continue", "then", flag_value="continue",
              help="After a conflict: check the clauses are resolved, assemble, and push.")
@click.option("--abort", "then", flag_value="abort",
              help="After a conflict: go back to exactly where you were before the sync.")
@click.option("--json", "as_json", is_flag=True, help="Print what happened as JSON.")
@click.pass_context
def sync(ctx, remote, then, as_json):
    """Fetch from REMOTE (default origin), put your unpushed commits on top of what others
    pushed, and push. A version number is final once pushed: if someone else took vN first,
    your version is re-assembled as the next number and you are told. Never forces.

    If you and someone else edited the same part of a clause, the sync stops: the clause
    holds both texts between <<<<<<< and >>>>>>> lines. Edit it to what it should say, then
    run assembler sync --continue (or --abort to go back).

    Usage: assembler sync [REMOTE] [--continue | --abort] [--json]
    """
    from assembler.history import sync as sync_mod
    result = sync_mod.sync(open_workspace(ctx), remote, then)
    if then == "abort":
        if as_json:
            click.echo(json.dumps({**result.data(), "aborted": True}, indent=2))
        else:
            click.echo("sync aborted: branch, files and tags are as they were before the sync")
        return
    if as_json:
        click.echo(json.dumps(result.data(), indent=2))
        return
    for document, old, new in result.renumbered:
        click.echo(f"note: your {document} v{old} is now {document} v{new}, after the versions "
                   f"{remote} already had", err=True)
    click.echo(f"synced with {remote}: {result.pulled} commit(s) in, {result.pushed} out")


COMMANDS = (clone, sync)
