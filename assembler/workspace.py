"""The library's front door: ``Workspace.open(path)`` and one method per thing users do.

Usable without the CLI. Methods return model values or plain data and raise
:mod:`assembler.errors` exceptions; they never print.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from assembler import writers
from assembler.errors import (
    InvalidInput,
    NotFoundError,
    Problem,
    ProblemList,
    UsageError,
    WorkspaceStateError,
    did_you_mean,
)
from assembler.history import manifest as mf, reading as history, versions, worktree
from assembler.history.manifest import Source
from assembler.history.versions import Recorded
from assembler.repo import store
from assembler.repo.store import GitStore
from assembler.sources.files import decode_source, git_blob_id

if TYPE_CHECKING:   # imported where used, so the command line starts fast
    from assembler.history import verify as verify_mod
    from assembler.model import nodes as m
    from assembler.sources.clauses import ClauseLibrary
    from assembler.sources.templates import TemplateSet
    from assembler.writers.options import RedlineInfo, RenderOptions

FOLDERS = ("clauses", "templates", "versions")
REFERENCE_DOCX = worktree.REFERENCE_DOCX
MAX_REFERENCE_BYTES = 10 * 1024 * 1024
EXAMPLE_IDENTITY = ("Policy Assembler example", "example@policy-assembler.invalid")


def example_dir() -> Path:
    """Where the bundled example's ``clauses/`` and ``templates/`` are.

    In an installed wheel they are packaged as ``assembler/example``; in a source
    checkout they are the repository's own top-level folders.
    """
    packaged = Path(__file__).parent / "example"
    if (packaged / "templates").is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent


def is_workspace(path: Path) -> bool:
    return (path / "clauses").is_dir() and (path / "templates").is_dir()


@dataclass(frozen=True)
class Built:
    """An assembled document with the exact sources it was made from (path -> bytes)."""

    document: m.Document
    sources: tuple[Source, ...]
    files: dict[str, bytes]
    translation: dict | None = None   # a language version: its language, source and marked clauses

    @property
    def digest(self) -> str:
        from assembler.writers.options import sources_digest
        return sources_digest([(s.path, s.blob) for s in self.sources], dict(self.document.variables))


class Workspace:
    """A folder with ``clauses/``, ``templates/`` and ``versions/`` (usually a git repository)."""

    def __init__(self, root: Path):
        self.root = root
        self.notes: list[str] = []   # things the caller may want to tell the user
        self._store: GitStore | None = None

    # -------------------------------------------------------- opening and creating

    @classmethod
    def open(cls, path: Path | str | None = None) -> "Workspace":
        """The workspace containing ``path`` (default: the current directory), looking upward."""
        start = Path(path or ".").absolute()
        if not start.is_dir():
            raise WorkspaceStateError(f"{start}: no such directory")
        for candidate in (start, *start.parents):
            if is_workspace(candidate):
                return cls(candidate)
        raise WorkspaceStateError(f"{start}: not a Policy Assembler workspace (no clauses/ and "
                                  "templates/ here or above); run 'assembler init' or use -C PATH")

    @classmethod
    def init(cls, path: Path | str, example: bool = False) -> "Workspace":
        """Create a workspace at ``path`` (a new or empty folder): git init, folders, example."""
        root = Path(path).absolute()
        if root.exists() and (not root.is_dir() or any(root.iterdir())):
            raise WorkspaceStateError(f"{root}: already exists and is not empty; choose a new "
                                      "folder")
        created = not root.exists()
        notes: list[str] = []
        try:
            root.mkdir(parents=True, exist_ok=True)
            store.init_repository(root)
            for folder in FOLDERS:
                (root / folder).mkdir()
                (root / folder / ".gitkeep").write_bytes(b"")
            (root / REFERENCE_DOCX).write_bytes(writers.default_reference_docx())
            if example:
                source = example_dir()
                for folder in ("clauses", "templates"):
                    shutil.copytree(source / folder, root / folder, dirs_exist_ok=True,
                                    ignore=shutil.ignore_patterns(".*"))
                with GitStore(root) as repo:
                    if not repo.has_identity():  # a demo on a fresh machine should just work
                        repo.set_local_identity(*EXAMPLE_IDENTITY)
                        notes.append(f"git has no identity configured; this example workspace "
                                     f"commits as '{EXAMPLE_IDENTITY[0]} <{EXAMPLE_IDENTITY[1]}>' "
                                     "(set yours with git config user.name / user.email)")
            notes.extend(worktree.commit_new_workspace(root))
        except BaseException:
            if created:
                shutil.rmtree(root, ignore_errors=True)
            raise
        workspace = cls(root)
        workspace.notes = notes
        return workspace

    # -------------------------------------------------------- reading

    def clauses(self) -> ClauseLibrary:
        from assembler.sources.clauses import ClauseLibrary
        return ClauseLibrary(self.root)

    def templates(self) -> TemplateSet:
        from assembler.sources.templates import TemplateSet
        return TemplateSet(self.root)

    def template(self, template_id: str, templates: TemplateSet | None = None):
        templates = templates or self.templates()
        found = templates.get(template_id)
        if found is None:
            broken = [p for p in templates.problems if Path(p.path).stem == template_id]
            if broken:
                raise InvalidInput(broken)
            ids = [t.id for t in templates]
            known = ", ".join(ids[:8]) + (f" and {len(ids) - 8} more ('assembler list templates')"
                                          if len(ids) > 8 else "") if ids else "none"
            raise NotFoundError(f"unknown template '{template_id}'"
                                f"{did_you_mean(template_id, templates.by_id)}; templates in "
                                f"{self.root / 'templates'}: {known}")
        return found

    # -------------------------------------------------------- assembling

    def build(self, template_id: str, variables: dict[str, str] | None = None) -> m.Document:
        """Assemble ``template_id`` with ``variables`` into a finished document (no writes)."""
        return self.assemble_sources(template_id, variables).document

    def assemble_sources(self, template_id: str, variables: dict[str, str] | None = None,
                         lang: str | None = None, allow_stale: bool = False, marks: dict | None = None) -> Built:
        """Like :meth:`build`, also returning the exact source files used (for provenance).

        With ``lang``, the document in that language (id ``<template>/<lang>``): translated
        clauses and template words stand in for the source ones; stale or missing ones are
        refused unless ``allow_stale``, and then marked in the text (see :mod:`translations`)."""
        if lang is None:
            return self._build(template_id, variables or {}, self.templates(), self.clauses())
        from assembler import translations
        return translations.build(self, template_id, variables or {}, lang, allow_stale, marks)

    def _build(self, template_id, variables, templates, library, require_values=True,
               load_problems=True) -> Built:
        """Assemble and transform; with ``require_values`` False, variables without a value
        stay visible placeholders (for check); ``load_problems`` False leaves out problems
        of the files loaded (already reported by the caller)."""
        from assembler.build.assemble import assemble, effective_variables
        from assembler.build.transforms import run_pipeline
        from assembler.model import nodes as m
        template = self.template(template_id, templates)
        given = _checked_variables(variables)
        problems = ProblemList()
        if load_problems:
            problems.extend(library.problems)
            problems.extend(templates.problems)
        made = assemble(self.root, template, templates, library, given)
        problems.extend(list(made.problems))
        doc = made.document
        referenced = {node.name for node in m.iter_inlines(doc.blocks + (m.Paragraph(doc.title),))
                      if isinstance(node, m.Var)}
        declared = set(effective_variables(template, templates, {})) | referenced
        values = made.values
        if not require_values:
            values = {k: (v if v is not None else "{{ %s }}" % k) for k, v in values.items()}
        doc, found = run_pipeline(doc, values, template.path)
        problems.extend(found)
        problems.raise_if_any()
        for name in given:
            if name not in declared:
                raise UsageError(f"--var {name}: template '{template_id}' has no variable "
                                 f"'{name}'{did_you_mean(name, declared)}")
        used = tuple(sorted((k, v) for k, v in made.values.items() if v is not None))
        doc = m.Document(doc.id, doc.title, doc.blocks, doc.origin, used, doc.meta)
        sources = [Source("template", t.id, t.path, t.blob) for t in made.templates]
        files = {t.path: t.data for t in made.templates}
        for clause in m.iter_clauses(doc.blocks):
            found_clause = library.by_path[clause.origin.path]
            sources.append(Source("clause", clause.id, clause.origin.path, clause.origin.blob))
            files[clause.origin.path] = found_clause.data
        reference = self._reference_docx()
        if reference is not None:
            sources.append(Source("reference", "reference", REFERENCE_DOCX, git_blob_id(reference)))
            files[REFERENCE_DOCX] = reference
        return Built(doc, tuple(sources), files)

    def _reference_docx(self) -> bytes | None:
        """``templates/reference.docx`` when the workspace has one (its styles shape DOCX output)."""
        path = self.root / REFERENCE_DOCX
        if path.is_symlink() or not path.is_file():
            return None
        data = path.read_bytes()
        if len(data) > MAX_REFERENCE_BYTES:
            raise InvalidInput(Problem(REFERENCE_DOCX, f"{len(data):,} bytes is over the limit of "
                                       f"{MAX_REFERENCE_BYTES:,} for a reference document"))
        return data

    def render_options(self, built: Built, version: int | None = None, status: str = "draft",
                       epoch: int | None = None, author: str = "", watermark: bool = False) -> RenderOptions:
        """The options every writer gets for ``built`` as ``version`` (None: a preview)."""
        from assembler.writers.options import RenderOptions
        meta = dict(built.document.meta)
        reference = built.files.get(REFERENCE_DOCX)
        return RenderOptions(version=version, status=status,
                             epoch=versions.commit_epoch(default=0) if epoch is None else epoch,
                             author=author, sources_digest=built.digest if version else "",
                             paper=meta.get("paper", "A4"), watermark=watermark,
                             reference_docx=reference)

    def render_all(self, built: Built, options: RenderOptions, formats=None) -> dict[str, bytes]:
        """``{file name: bytes}`` for each format (all registered writers by default)."""
        return {f"{history.file_name(built.document.id, writers.EXTENSIONS[fmt])}": self.render(built.document, fmt, options)
                for fmt in (formats or writers.WRITERS)}

    def render(self, doc: m.Document, fmt: str, options: RenderOptions | None = None) -> bytes:
        """``doc`` written in format ``fmt`` (a name from :data:`writers.WRITERS`)."""
        try:
            writer = writers.writer_for(fmt)
        except KeyError:
            raise UsageError(f"unknown format '{fmt}'; choose one of "
                             f"{', '.join(writers.WRITERS)}") from None
        return writer(doc, options)

    # -------------------------------------------------------- recording versions

    def store(self) -> GitStore:
        """The workspace's git repository (close it when done, or use it in a ``with``).

        Opened once per workspace object (one ``git rev-parse``); each call reads HEAD afresh,
        since someone may have switched branches between two calls."""
        if self._store is None:
            store = GitStore(self.root)
            if store.root.resolve() != self.root.resolve():
                raise WorkspaceStateError(f"{self.root}: a workspace must be the top folder of its "
                                          f"git repository (this one is inside {store.root})")
            self._store = store
        self._store.forget_head()
        return self._store

    def assemble(self, template_id: str, message: str | None = None,
                 variables: dict[str, str] | None = None, allow_empty: bool = False,
                 epoch: int | None = None, lang: str | None = None, allow_stale: bool = False) -> Recorded:
        """Assemble ``template_id`` (in ``lang``, as :meth:`assemble_sources` does) and record
        it as the document's next version (one commit), dated ``epoch`` when given (an
        imported revision's publication date)."""
        with self.store() as store:
            versions.ensure_ready(store)
            return self.record(store, self.assemble_sources(template_id, variables, lang, allow_stale),
                               message, allow_empty, epoch=epoch)

    def record(self, store: GitStore, built: Built, message: str | None, allow_empty: bool = False,
               round_id: str | None = None, **hooks) -> Recorded:
        """Record ``built`` as the document's next version; ``hooks`` go to
        :func:`versions.record` (extra files and trailers of a round's close).

        The commit also holds every source an editor changed in ``clauses/`` and
        ``templates/`` (new, edited or deleted clause, template and reference files), used by
        this document or not, so that a clone holds everything the editors wrote. Nothing
        outside those folders is committed."""
        doc = built.document
        author = store.identity()[0]

        def render(number: int, epoch: int) -> dict[str, bytes]:
            return self.render_all(built, self.render_options(built, number, "draft", epoch, author))

        translation = built.translation
        if translation is not None:   # which version of the source document this one follows
            followed = history.read_versions(store, translation["of"])
            translation = {**translation, "source_version": followed[-1].number if followed else None}

        def make_manifest(number: int, epoch: int, outputs: dict[str, bytes]) -> dict:
            return mf.build(doc, number, "draft", list(built.sources), outputs, epoch, author,
                            built.digest, round_id, translation)

        files = {**worktree.source_changes(store, self.root), **built.files}
        return versions.record(store, doc.id, files, render, make_manifest, message,
                               allow_empty, **hooks)

    def build_with(self, template_id: str, variables: dict[str, str],
                   overrides: dict[str, bytes]) -> Built:
        """Like :meth:`assemble_sources`, with some clause files read from ``overrides``
        (path -> bytes) instead of the disk: what an edit would give, before it is written."""
        from assembler.sources.clauses import parse_clause
        library = self.clauses()
        for rel, data in overrides.items():
            clause, problems = parse_clause(rel, data)
            if clause is None or problems:
                raise InvalidInput(problems or [Problem(rel, "the edited clause cannot be read")])
            library.by_path.pop(rel, None)
            library.by_id[clause.id] = clause
            library.by_path[rel] = clause
        return self._build(template_id, variables, self.templates(), library)

    def adopt(self, document: str, label: str, message: str | None = None) -> history.Version:
        """Mark version ``label`` of ``document`` adopted (a commit of its own)."""
        with self.store() as store:
            return versions.adopt(store, document, label, message)

    def log(self, document: str | None = None) -> list[history.Version]:
        """The recorded versions (of ``document``, or all), oldest first."""
        with self.store() as store:
            found = history.read_versions(store, document)
            if document and not found:
                history.find_version(history.read_versions(store), document, None)
            return found

    def reading_notes(self) -> list[str]:
        """What a reader of the history should know about this checkout: a detached HEAD
        (versions up to it) or a shallow clone (versions before its cut are missing)."""
        notes = []
        with self.store() as store:
            if store.is_detached():
                head = (store.resolve("HEAD") or "")[:12]
                notes.append(f"HEAD is detached at {head}: showing the history up to it")
            if store.is_shallow():
                notes.append("this clone is shallow: older versions are missing from this list; "
                             "run 'git fetch --unshallow' for all of them")
        return notes

    def show(self, ref: str, fmt: str = "md") -> bytes:
        """The ``fmt`` output of version ``ref`` (``DOC@vN``) exactly as committed."""
        document, label = history.parse_ref(ref)
        with self.store() as store:
            version = history.find_version(history.read_versions(store), document, label)
            name = history.file_name(document, writers.EXTENSIONS.get(fmt, '.' + fmt))
            data = store.read_file(version.commit, history.output_path(document, name))
            if data is None:
                raise NotFoundError(f"{document} v{version.number} has no {fmt} output "
                                    f"({history.output_path(document, name)} is not in commit "
                                    f"{version.commit[:12]})")
            return data

    def verify(self, document: str | None = None, progress=None, jobs: int = 1,
               strict: bool = False) -> "verify_mod.Report":
        """Rebuild every recorded version from its own commit and compare; run git fsck.
        ``jobs`` > 1 rebuilds versions in that many processes; ``strict`` fails renderings
        (HTML, DOCX, PDF) an earlier renderer made that this one does not reproduce."""
        from assembler.history import verify as verify_mod
        from assembler.review.rounds import check_rounds
        with self.store() as store:
            return verify_mod.verify(store, document, rebuild_version, progress, jobs, (check_rounds,),
                                     strict)

    # -------------------------------------------------------- redlines

    def redline_side(self, store: GitStore | None, versions_seen, document: str, label: str):
        """(document, Side) for a label: v3, 3, latest, DOC/v3, or working (current sources)."""
        from assembler.sources.readers import read_json_document
        from assembler.writers.options import Side
        if label == "working":
            built = self.assemble_sources(document)
            return built.document, Side("working copy")
        if label.startswith(f"{document}/"):
            label = label[len(document) + 1:]
        version = history.find_version(versions_seen, document, label)
        raw = store.read_file(version.commit, history.output_file(document, ".json"))
        if raw is None:
            raise NotFoundError(f"{document} v{version.number} has no JSON model in commit "
                                f"{version.commit[:12]}")
        return read_json_document(raw, f"{document}@v{version.number}"), Side(
            f"v{version.number}", version.time, version.author)

    def redline(self, document: str, old: str, new: str):
        """Compare two versions of ``document`` (labels as in :meth:`redline_side`)."""
        from assembler.build import redline as redline_mod
        from assembler.writers.options import RedlineInfo
        with self.store() as store:
            seen = history.read_versions(store)
            old_doc, old_side = self.redline_side(store, seen, document, old)
            new_doc, new_side = self.redline_side(store, seen, document, new)
        result = redline_mod.compare(old_doc, new_doc)
        return result, RedlineInfo(old_side, new_side, result.summary)

    @staticmethod
    def redline_files(old: Path, new: Path):
        """Compare two files the toolkit wrote (.json models or canonical .md)."""
        from assembler.build import redline as redline_mod
        from assembler.sources.readers import read_document_file
        from assembler.writers.options import RedlineInfo, Side
        docs = [read_document_file(Path(p)) for p in (old, new)]
        result = redline_mod.compare(*docs)
        return result, RedlineInfo(Side(Path(old).name), Side(Path(new).name), result.summary)

    def render_redline(self, result, info: RedlineInfo, fmt: str) -> bytes:
        """A redline in one format: md, html, pdf, docx, terminal, or json (the change list)."""
        from assembler.build import changes
        from assembler.writers.options import RenderOptions
        if fmt == "json":
            return changes.redline_json(result, info)
        epoch = info.new.epoch if info.new.epoch is not None else versions.commit_epoch(default=0)
        options = RenderOptions(epoch=epoch, author=info.new.author, redline=info,
                                paper=dict(result.document.meta).get("paper", "A4"))
        return self.render(result.document, fmt, options)

    # -------------------------------------------------------- checking

    def check(self) -> list[Problem]:
        """Every problem in the workspace: files, ids, references, variables, cycles."""
        from assembler.build.assemble import missing_clauses
        templates = self.templates()
        library = self.clauses()
        problems = list(library.problems) + list(templates.problems)
        for clause in library:
            problems.extend(clause.blocks()[1])
            problems.extend(writers.unshowable_problems(clause))
        for template in templates:
            problems.extend(missing_clauses(template, library))
            try:
                self._build(template.id, {}, templates, library, require_values=False,
                            load_problems=False)
            except InvalidInput as exc:
                problems.extend(exc.problems)
        unique, seen = [], set()
        for problem in problems:
            if problem not in seen:
                seen.add(problem)
                unique.append(problem)
        return sorted(unique, key=lambda p: (p.path, p.line, p.column, p.message))

    # -------------------------------------------------------- importing

    def import_document(self, file: Path, template_id: str | None = None, **options):
        """Import ``file`` (.md, .txt or .docx) as clause files and a template, proven to
        rebuild the document; see :func:`assembler.document_import.import_document` for
        ``options`` (``into``, ``tracked``, ``message``, ``date``)."""
        from assembler.document_import import import_document
        return import_document(self, Path(file), template_id, **options)


def rebuild_version(root: Path, manifest: dict, epoch: int) -> tuple[str, dict[str, bytes]]:
    """The sources digest and outputs of the version ``manifest`` describes, rebuilt from
    the sources under ``root`` (verify's rebuilder; module-level so processes can run it)."""
    other = Workspace(root)
    translation = manifest.get("translation")
    built = other.assemble_sources(manifest["template"]["id"], manifest.get("variables", {}),
                                   translation["language"] if translation else None, True, translation)
    options = other.render_options(built, manifest["version"], manifest.get("status", "draft"),
                                   epoch, manifest.get("author", ""))
    formats = [name.rsplit(".", 1)[1] for name in manifest["outputs"]
               if name.rsplit(".", 1)[-1] in writers.WRITERS]
    return built.digest, other.render_all(built, options, formats)


def _checked_variables(variables: dict[str, str]) -> dict[str, str]:
    """Refuse variable values with control, bidi or invisible characters."""
    for name, value in variables.items():
        _, problems = decode_source(value.encode("utf-8"), f"--var {name}")
        if problems:
            raise UsageError(problems[0].message.join(["--var " + name + ": ", ""]))
    return dict(variables)

