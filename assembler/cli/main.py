"""The ``assembler`` command: the top-level group and its options; the commands live in
one module per group (documents, versions, round, archive, sync), and errors become
messages and exit codes in :class:`~assembler.cli.common.ErrorHandlingGroup`.

Only click is imported at start: each command imports what it needs when it runs, so
``assembler --version`` and ``assembler log`` do not load python-docx, reportlab or GitPython.
"""

from __future__ import annotations

import click

from assembler.cli import archive, documents, round, serve, sync, translations, versions
from assembler.cli.common import EPILOG, ErrorHandlingGroup
from assembler.version import __version__


@click.group(cls=ErrorHandlingGroup, epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
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


for _module in (documents, versions, archive, sync, serve, translations):
    for _command in _module.COMMANDS:
        main.add_command(_command)
main.add_command(round.round_group)
