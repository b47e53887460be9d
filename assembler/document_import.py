"""Importing a document into a workspace: read it (Markdown, text or Word), plan the clause
files and the template, prove the plan reproduces the source, then write it all or nothing;
with ``into``, update an existing document's clauses and record the next version.

The proof: the planned files are parsed and built like any template, and the built
document must hold the source's words in the same order, its headings at the same levels
and as many list items and table cells (:func:`assembler.sources.outline.first_difference`).
Any difference is an error naming where the two part, and nothing is written.
"""

from __future__ import annotations

import calendar
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from assembler.errors import InvalidInput, NotFoundError, Problem, UsageError, WorkspaceStateError
from assembler.sources.files import atomic_write, decode_source
from assembler.sources.importer import ImportPlan, PreviousClause, ReportRow, block_words, plan_import, slug

if TYPE_CHECKING:
    from assembler.history.versions import Recorded
    from assembler.sources.outline import SourceDocument
    from assembler.workspace import Workspace

FORMATS = {".md": "markdown", ".markdown": "markdown", ".txt": "text", ".docx": "docx"}
TRACKED = ("refuse", "accept", "reject")


@dataclass
class ImportResult:
    template_id: str
    written: list[str]
    clause_ids: list[str]
    report: list[ReportRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    recorded: Recorded | None = None


def parse_date(text: str) -> int:
    """``--date`` (``2021-07-05``, or with a time ``2021-07-05T12:00:00Z``, UTC) as seconds
    since the epoch."""
    for fmt in ("%Y-%m-%d", "%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"):
        try:
            return calendar.timegm(time.strptime(text, fmt))
        except ValueError:
            continue
    raise UsageError(f"--date {text!r} is not a date; write it as 2021-07-05 or "
                     "2021-07-05T12:00:00Z (UTC)")


def read_source(file: Path, tracked: str = "refuse") -> SourceDocument:
    """The document at ``file`` as its reader sees it (by its extension)."""
    kind = FORMATS.get(file.suffix.lower())
    if kind is None:
        raise UsageError(f"{file}: can import .md, .txt and .docx files; save the document as "
                         "one of those first")
    try:
        data = file.read_bytes()
    except FileNotFoundError:
        raise NotFoundError(f"{file}: no such file") from None
    except OSError as exc:
        raise UsageError(f"{file}: cannot read ({exc.strerror})") from None
    if kind == "docx":
        from assembler.sources.docx_source import read_docx
        return read_docx(file, data, tracked)
    text, problems = decode_source(data, str(file))
    if problems:
        raise InvalidInput(problems)
    from assembler.sources.markdown_source import read_markdown
    return read_markdown(text, str(file))


def _previous_clauses(ws: Workspace, template_id: str) -> dict[str, PreviousClause]:
    """The clauses the existing template uses, with their words (for ``into``)."""
    from assembler.sources.templates import clause_items
    template = ws.templates().get(template_id)
    if template is None:
        raise NotFoundError(f"--into {template_id}: no such template; import the first "
                            "revision without --into")
    library = ws.clauses()
    found: dict[str, PreviousClause] = {}
    for item in clause_items(template.items):
        clause = library.get(item.ref)
        if clause is not None:
            found[clause.id] = PreviousClause(clause.path, block_words(list(clause.blocks()[0])))
    return found


def import_document(ws: Workspace, file: Path, template_id: str | None = None,
                    into: str | None = None, tracked: str = "refuse", message: str | None = None,
                    date: str | None = None) -> ImportResult:
    """Import ``file`` as a new template (or, with ``into``, as the next revision of that
    document); with ``into``, ``message`` or ``date``, record the result as the document's
    next version. Writes everything or nothing."""
    file = Path(file)
    epoch = parse_date(date) if date else None
    record = bool(into or message or date)
    source = read_source(file, tracked)
    templates = ws.templates()
    library = ws.clauses()
    previous = None
    if into:
        template_id = into
        previous = _previous_clauses(ws, into)
    else:
        template_id = template_id or slug(file.stem, set(), max_words=6)
        if templates.get(template_id) or (ws.root / f"templates/{template_id}.yaml").exists():
            raise WorkspaceStateError(f"template '{template_id}' already exists; choose another "
                                      "id with --template, or update it with --into "
                                      f"{template_id}")
    try:
        plan = plan_import(source, template_id, set(library.by_id), previous)
    except ValueError as exc:
        raise InvalidInput(Problem(str(file), str(exc))) from None
    if into:
        plan.deleted = [p for p in plan.deleted if p not in _used_elsewhere(ws, into)]
        _refuse_uncommitted(ws, plan)
        _keep_translations(ws, plan)
    _prove(ws, file, plan, templates, library, overwrite=bool(into))
    if into and not _changes_anything(ws, plan):
        raise WorkspaceStateError(f"{file}: reads the same as the current clauses of '{into}'; "
                                  "nothing to import")
    undo = _write(ws, plan)
    result = ImportResult(plan.template_id, [p for p in plan.files], plan.clause_ids, plan.report,
                          plan.notes, plan.deleted, plan.kept)
    if record:
        try:
            result.recorded = ws.assemble(plan.template_id, message or f"Import {file.name}",
                                          epoch=epoch)
        except BaseException:
            undo()
            raise
    return result


def _used_elsewhere(ws: Workspace, template_id: str) -> set[str]:
    """Paths of clause files that templates other than ``template_id`` use: an update
    never deletes them."""
    from assembler.sources.templates import clause_items
    library = ws.clauses()
    return {clause.path for template in ws.templates() if template.id != template_id
            for item in clause_items(template.items) if (clause := library.get(item.ref)) is not None}


def _refuse_uncommitted(ws: Workspace, plan: ImportPlan) -> None:
    refuse_uncommitted(ws, set(plan.files) | set(plan.deleted), "importing a new revision")


def refuse_uncommitted(ws: Workspace, paths: set[str], doing: str) -> None:
    """Never overwrite an editor's uncommitted work: the files a step rewrites or deletes
    must read as committed."""
    from assembler.history import worktree
    with ws.store() as store:
        changed = worktree.source_changes(store, ws.root)
    dirty = [p for p in sorted(paths) if p in changed and (ws.root / p).exists()
             or p in changed and changed[p] is None]
    if dirty:
        raise WorkspaceStateError(f"{dirty[0]} has uncommitted edits{' (and more)' if len(dirty) > 1 else ''}; "
                                  f"commit them (assembler assemble) or discard them before {doing}")


def _keep_translations(ws: Workspace, plan: ImportPlan) -> None:
    """A new revision keeps the template's words in other languages (``translations:``);
    words whose source changed then show as missing in ``translations status``."""
    from assembler.translation_import import translations_section
    old = ws.root / plan.template_path
    section = translations_section(old.read_text(encoding="utf-8")) if old.is_file() else ""
    if section:
        plan.files[plan.template_path] = plan.files[plan.template_path].rstrip("\n") + "\n" + section


def _changes_anything(ws: Workspace, plan: ImportPlan) -> bool:
    for rel, text in plan.files.items():
        target = ws.root / rel
        if not target.exists() or target.read_bytes() != text.encode("utf-8"):
            return True
    return bool(plan.deleted)


def _prove(ws: Workspace, file: Path, plan: ImportPlan, templates, library, overwrite: bool) -> None:
    """Parse and build the planned files; refuse the plan unless the build reproduces the
    source (see the module docstring)."""
    from assembler.sources.clauses import parse_clause
    from assembler.sources.outline import document_tokens, first_difference
    from assembler.sources.templates import parse_template
    problems: list[Problem] = []
    for rel, text in plan.files.items():
        if (ws.root / rel).exists() and not overwrite:
            raise WorkspaceStateError(f"{rel} already exists; import into another template id "
                                      "with --template or move the file")
        data = text.encode("utf-8")
        if rel == plan.template_path:
            template, found = parse_template(rel, data)
            if template:
                templates.by_id[template.id] = template
        else:
            clause, found = parse_clause(rel, data)
            if clause:
                library.by_path.pop(rel, None)
                library.by_id[clause.id] = clause
                library.by_path[rel] = clause
                found = found + clause.blocks()[1]
        problems.extend(found)
    if problems:
        raise InvalidInput([Problem(str(file), f"{p.message} (in the part that would become "
                                    f"{p.path}); fix the document and import again")
                            for p in problems])
    built = ws._build(plan.template_id, {}, templates, library, load_problems=False)
    difference = first_difference(plan.expected, document_tokens(built.document))
    if difference:
        raise InvalidInput(Problem(str(file), f"the import would not reproduce the document: "
                                   f"{difference}; nothing was written"))


def _write(ws: Workspace, plan: ImportPlan):
    return write_files(ws.root, {rel: text.encode("utf-8") for rel, text in plan.files.items()}, plan.deleted)


def write_files(root: Path, files: dict[str, bytes], deleted=()):
    """Write ``files`` (workspace-relative path -> bytes) and delete ``deleted``, all or
    nothing; returns a function that puts everything back as it was."""
    before: dict[Path, bytes | None] = {}
    try:
        for rel, data in files.items():
            target = root / rel
            old = target.read_bytes() if target.exists() else None
            if old == data:
                continue
            before[target] = old
            target.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(target, data)
        for rel in deleted:
            target = root / rel
            if target.exists():
                before[target] = target.read_bytes()
                target.unlink()
    except BaseException:
        _restore(before)
        raise
    return lambda: _restore(before)


def _restore(before: dict[Path, bytes | None]) -> None:
    for target, data in before.items():
        if data is None:
            target.unlink(missing_ok=True)
        else:
            atomic_write(target, data)

