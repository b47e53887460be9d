"""``assembler serve``: the review site for Sections and editors (part of the command line layer)."""

from __future__ import annotations

import click

from assembler.cli.common import open_workspace
from assembler.errors import UsageError


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; loopback unless you say otherwise.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--allow-host", "allowed", multiple=True, metavar="NAME",
              help="A Host name the site answers to besides localhost (the public name behind "
                   "your proxy, e.g. review.example.org); repeat for more. Others get 400.")
@click.pass_context
def serve(ctx, host, port, allowed):
    """Run the review site of this workspace: Sections open their personal links (assembler
    round invite) and send feedback; it is recorded in git as round feedback records a file.

    It speaks plain HTTP. To put it on the internet, run it on loopback behind a reverse proxy
    that terminates TLS (nginx, Caddy) and pass the public name with --allow-host:

    \b
    assembler serve --port 8000 --allow-host review.example.org
    # nginx: location / { proxy_pass http://127.0.0.1:8000; proxy_set_header Host $host; }

    JSON API: GET /api/rounds/ROUND and POST /api/rounds/ROUND/feedback with
    'Authorization: Bearer TOKEN' and {"items": [{"paragraph": "4", "comment": "..."}]}.
    """
    from assembler.site.app import LOCAL_HOSTS, serve as run
    workspace = open_workspace(ctx)
    if host not in ("127.0.0.1", "localhost", "::1") and not allowed:
        raise UsageError(f"--host {host} listens beyond this machine: name the public host "
                         "with --allow-host (and put a TLS proxy in front)")
    click.echo(f"serving {workspace.root} at http://{host}:{port}/ (Ctrl-C stops)", err=True)
    run(workspace.root, host, port, LOCAL_HOSTS + tuple(allowed))


COMMANDS = [serve]
