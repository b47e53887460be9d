"""``assembler translations``: which clauses of a document are translated, current or stale
in each language, and translations in and out (XLIFF 2.0, or a translated document)."""

from __future__ import annotations

from pathlib import Path

import click

from assembler.cli.common import echo_json, open_workspace
from assembler.errors import EXIT_FINDINGS, UsageError

XLIFF_SUFFIXES = (".xlf", ".xliff")


@click.group(name="translations")
def translations_group():
    """A document in other languages: each translated clause names the exact source text it
    translates, so a translation whose source changed is 'stale', with the change to carry
    over. Assemble a language with 'assembler assemble DOC --lang fr'."""


@translations_group.command("status")
@click.argument("document")
@click.option("--lang", "langs", multiple=True, metavar="TAG",
              help="Only this language (repeatable; default: every language the document has).")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
def status(ctx, document, langs, as_json):
    """Per language and clause: current, stale (with the source change since the
    translation, word by word) or missing; and template words not yet translated.

    Exits 0 when every translation shown is current, 1 when any is stale or missing.
    """
    from assembler import translations as tr
    workspace = open_workspace(ctx)
    chosen = list(langs) or tr.languages(workspace, document)
    if not chosen:
        raise UsageError(f"'{document}' has no translations yet; import one (assembler translations "
                         f"import FILE --doc {document} --lang fr) or write clause files with "
                         "'translation-of:'")
    reports = [tr.status(workspace, document, lang) for lang in chosen]
    if as_json:
        echo_json([r.data() for r in reports] if not langs or len(langs) > 1 else reports[0].data())
    else:
        for report in reports:
            counts = ", ".join(f"{report.count(s)} {s}" for s in (tr.CURRENT, tr.STALE, tr.MISSING))
            click.echo(f"{document} in {report.lang}: {counts}"
                       + (f", {len(report.template_missing)} template word(s) untranslated"
                          if report.template_missing else ""))
            for clause in report.clauses:
                if clause.state == tr.CURRENT:
                    continue
                where = clause.path or clause.source_path
                click.echo(f"  {clause.state:<8} {clause.number or '-':>5}  {clause.clause}  ({where})")
                if clause.state == tr.STALE:
                    click.echo("           source change: " + (_changes(clause.diff()) or
                                                               "(the source it was made from is not in the history)"))
            for words in report.template_missing:
                click.echo(f"  missing  template words: {words[:70]}")
    if not all(r.complete for r in reports):
        ctx.exit(EXIT_FINDINGS)


def _changes(ops: list[list[str]]) -> str:
    """The word diff as text: [-deleted-] {+inserted+}, like git diff --word-diff."""
    return "".join(text if op == "=" else f"[-{text}-]" if op == "-" else f"{{+{text}+}}" for op, text in ops)


@translations_group.command("export")
@click.argument("document")
@click.option("--lang", required=True, metavar="TAG", help="The language translated into (BCP 47).")
@click.option("--xliff", "output", required=True, type=click.Path(dir_okay=False),
              help="Write XLIFF 2.0 to this file.")
@click.pass_context
def export(ctx, document, lang, output):
    """Write the document's clauses for a translator's tool: one XLIFF unit per clause
    (and per title, heading or text of the template) with the source text, the existing
    translation and its state; a stale unit carries the source text it was made from."""
    from assembler.sources.files import write_output
    from assembler.translation_import import export_xliff
    data = export_xliff(open_workspace(ctx), document, lang)
    write_output(Path(output), data)
    click.echo(f"wrote {output}", err=True)


@translations_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--doc", "document", default=None, metavar="DOC",
              help="The document it translates (read from an XLIFF file; needed for a document).")
@click.option("--lang", default=None, metavar="TAG",
              help="Its language (read from an XLIFF file; needed for a document).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_context
def import_(ctx, file, document, lang, as_json):
    """Write translated clauses back: from an XLIFF file made by 'translations export'
    (refused when made for another document or for source text that has changed since), or
    from a translated document (.md, .txt, .docx) that follows the document paragraph for
    paragraph and heading for heading. Nothing is committed; 'assembler assemble DOC --lang
    L' records the language's next version with them."""
    from assembler import translation_import as ti
    workspace = open_workspace(ctx)
    if Path(file).suffix.lower() in XLIFF_SUFFIXES:
        result = ti.import_xliff(workspace, Path(file), document)
        if lang and lang.lower() != result.lang.lower():
            raise UsageError(f"--lang {lang}: {file} is in {result.lang}")
    else:
        if not document or not lang:
            raise UsageError(f"{file}: say which document it translates and its language: "
                             "--doc DOC --lang TAG")
        result = ti.import_translation(workspace, Path(file), document, lang)
    if as_json:
        echo_json(result.data())
        return
    click.echo(f"wrote {len(result.clauses)} {result.lang} clause translation(s) of '{result.document}'"
               + (f" and {result.words} template word(s)" if result.words else "")
               + f"; record them with: assembler assemble {result.document} --lang {result.lang}")


COMMANDS = (translations_group,)
