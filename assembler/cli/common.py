"""What every command module shares: the one error handler, opening the workspace, --var.

:class:`ErrorHandlingGroup` is the one place that turns errors into messages and exit
codes; every command group uses it.
"""

from __future__ import annotations

import io
import json
import os
import sys
import traceback

import click

from assembler.errors import EXIT_INTERNAL, AssemblerError, UsageError

EPILOG = """Exit codes: 0 ok; 1 verify found a mismatch; 2 usage; 3 not found; 4 invalid input
(also check with problems); 5 workspace state; 6 environment; 70 internal error."""


class ErrorHandlingGroup(click.Group):
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


def open_workspace(ctx):
    """The workspace the command runs in (``-C DIR``, default the current folder)."""
    from assembler.workspace import Workspace
    return Workspace.open(ctx.obj["directory"])


def parse_vars(pairs: tuple[str, ...]) -> dict[str, str]:
    """``--var NAME=VALUE`` options as a dict (a usage error names a malformed one)."""
    values: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--var {pair!r}: write --var NAME=VALUE")
        values[name.strip()] = value
    return values


def echo_json(data) -> None:
    """``data`` as indented JSON on standard output (text kept as written, not escaped)."""
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))
