"""Section review rounds, step by step: open, feedback, dispose, apply, close, status.

Every step that records something is one commit under the workspace lock, made from the
branch tip in a private index (the user's other edits are never committed), with trailers
(``Document``, ``Version``, ``Round``, ``Action: round-…``) and, for feedback, the Section
as the commit's author. ``apply`` is the one step that writes a clause file and commits
nothing: the editor reviews the edit and ``close`` records it with the answering version.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from assembler.errors import InvalidInput, NotFoundError, Problem, UsageError, WorkspaceStateError
from assembler.history import manifest as mf, reading as history, versions
from assembler.repo.locking import workspace_lock
from assembler.repo.store import GitStore
from assembler.review import rounds as rd
from assembler.review.branches import branch_files, push_review_branch, take_review_branches
from assembler.review.pack import check_pack, compared_with, pack_files
from assembler.sources.files import atomic_write, git_blob_id

if TYPE_CHECKING:   # imported where used, so the command line starts fast
    from assembler.model import nodes as m
    from assembler.review.feedback import Item

TEXT_SUFFIXES = (".md", ".markdown", ".txt")
MAX_FEEDBACK_BYTES = 25 * 1024 * 1024


@dataclass
class FeedbackResult:
    round: rd.Round
    section: rd.Section
    items: list[Item]
    notes: list[str]
    commit: str


@dataclass
class Applied:
    item: Item
    path: str
    already: bool


class Review:
    """Review rounds of one workspace: ``Review(workspace)``, one method per step of a round."""

    def __init__(self, workspace):
        self.ws = workspace

    # ------------------------------------------------------------ reading

    def rounds(self, document: str | None = None) -> list[rd.Round]:
        with self.ws.store() as store:
            found = rd.read_rounds(store, store.resolve(store.head_ref()))
            for r in found:
                take_review_branches(store, r)
        return [r for r in found if not document or r.document == document]

    def find(self, text: str) -> rd.Round:
        return rd.find_round(self.rounds(), text)

    def _base_document(self, store: GitStore, r: rd.Round) -> m.Document:
        from assembler.sources.readers import read_json_document
        raw = store.read_file(r.base_commit, history.output_file(r.document, ".json"))
        if raw is None:
            raise NotFoundError(f"{r.document} v{r.base} has no JSON model in commit {r.base_commit[:12]}")
        return read_json_document(raw, f"{r.document}@v{r.base}")

    # ------------------------------------------------------------ one recorded step

    def _step(self, store: GitStore, files: dict[str, bytes], subject: str,
              pairs: list[tuple[str, str]], author: tuple[str, str] | None = None,
              tag: str | None = None) -> str:
        """Commit ``files`` as one step (caller holds the lock); tag it when asked."""
        versions.check_writable(store, sorted(files))
        branch = store.branch()
        epoch = versions.commit_epoch()
        commit = versions.commit_step(store, branch, files, versions.message_with(None, subject, pairs),
                                      epoch, author)
        if tag:
            store.create_tag(tag, commit, f"{subject}\n\n{versions.trailers(pairs)}\n", epoch)
        return commit

    @contextmanager
    def _recording(self, round_text: str):
        """(store, open round) with the workspace lock held, for a step that records."""
        with self.ws.store() as store:
            versions.ensure_ready(store)
            with workspace_lock(store.git_dir):
                yield store, self._locked_round(store, round_text)

    def _locked_round(self, store: GitStore, text: str, must_be_open: bool = True) -> rd.Round:
        r = rd.find_round(rd.read_rounds(store, store.resolve(store.branch())), text)
        take_review_branches(store, r)
        if must_be_open and r.closed:
            raise WorkspaceStateError(f"round '{r.id}' of {r.document} was closed on "
                                      f"{r.closed['at'][:10]} (answered by v{r.closed['version']}); "
                                      "it takes no more feedback or decisions")
        if must_be_open and r.cancelled:
            raise WorkspaceStateError(f"round '{r.id}' of {r.document} was cancelled on "
                                      f"{r.cancelled['at'][:10]}; it takes no more feedback or "
                                      "decisions (open a new round with assembler round open)")
        return r

    # ------------------------------------------------------------ open

    def open(self, document: str, name: str, base: str | None = None,
             sections_file: Path | None = None, deadline: str | None = None) -> tuple[rd.Round, str]:
        """Open a round on a recorded version: the review pack, one commit, tag
        ``<doc>/<round>/open``. Returns the round and the commit."""
        round_id = rd.slug(name)
        due = rd.parse_deadline(deadline)
        sections = rd.read_sections(Path(sections_file)) if sections_file else None
        with self.ws.store() as store:
            versions.ensure_ready(store)
            with workspace_lock(store.git_dir):
                seen = history.read_versions(store)
                version = history.find_version(seen, document, base)
                mine = [v for v in seen if v.document == document]
                existing = [r for r in rd.read_rounds(store, store.resolve(store.branch()))
                            if r.document == document]
                for r in existing:
                    if r.id == round_id:
                        raise WorkspaceStateError(f"{document} already has a round '{round_id}' "
                                                  f"(opened {r.opened_at[:10]}); choose another --name")
                    if not r.ended:
                        raise WorkspaceStateError(f"round '{r.id}' of {document} is still open; close "
                                                  f"it first (assembler round close {r.id}) or cancel it "
                                                  f"(assembler round cancel {r.id})")
                if sections is None:
                    if not existing:
                        raise UsageError("--sections FILE is needed for a document's first round: "
                                         "list the Sections invited (YAML or CSV: id, name, contact)")
                    sections = existing[-1].sections
                compared, reason = compared_with(existing, mine, version.number)
                epoch = versions.commit_epoch()
                who, email = store.identity()
                r = rd.Round(round_id, name.strip(), document, version.number, version.commit,
                             compared, reason, due, sections, mf.iso_time(epoch), who)
                files = pack_files(self.ws, store, r, self._base_document(store, r), seen, epoch)
                r.pack = {path.rsplit("/", 1)[1]: mf.sha256(data) for path, data in sorted(files.items())}
                files[f"{r.path}/round.json"] = rd.dumps(r.record())
                pairs = [("Document", document), ("Version", str(version.number)),
                         ("Round", round_id), ("Action", "round-open")]
                commit = self._step(store, files, f"Open round '{r.name}' on {document} "
                                    f"v{version.number}", pairs, tag=f"{document}/{round_id}/open")
        return r, commit

    # ------------------------------------------------------------ feedback

    def feedback(self, round_text: str, section_id: str, file: Path,
                 branch: bool = False) -> FeedbackResult:
        """Record one Section's feedback file as items, committed with the Section as author;
        with ``branch``, on the Section's own branch ``review/<round>/<section>`` (pushed to
        ``origin`` when there is one) instead of the current branch."""
        from assembler.review.docx_reader import read_returned_docx
        from assembler.review.feedback import docx_items, read_feedback_text
        file = Path(file)
        suffix = file.suffix.lower()
        if suffix not in TEXT_SUFFIXES + (".docx",):
            raise UsageError(f"{file}: send feedback as .docx (the review pack with tracked "
                             "changes) or as .md/.txt")
        if not file.is_file():
            raise NotFoundError(f"{file}: no such file")
        if file.stat().st_size > MAX_FEEDBACK_BYTES:
            raise InvalidInput(Problem(str(file), f"{file.stat().st_size:,} bytes is over the limit of "
                                       f"{MAX_FEEDBACK_BYTES:,} for a feedback file; remove pictures"))
        data = file.read_bytes()   # read once: what is parsed is what is kept

        def parse(r: rd.Round, first: int, base_doc: m.Document, label: str) -> tuple[list[Item], list[str]]:
            if suffix == ".docx":
                returned = read_returned_docx(file, data)
                check_pack(returned.properties, r, file)
                return docx_items(returned, str(file), section_id, base_doc, label, first)
            return read_feedback_text(data, str(file), section_id, base_doc, label, first), []

        return self._record_feedback(round_text, section_id, data, suffix, file.name, parse, branch)

    def submit(self, round_text: str, section_id: str, entries: list[dict],
               branch: bool = False) -> FeedbackResult:
        """Record items a Section sent from the review site or the JSON API, as ``feedback``
        records a file: ``entries`` are ``{"paragraph": "4" | clause id | "General",
        "comment": …, "proposed": … or None}``; the request is kept as a .json file."""
        data = (json.dumps({"items": entries}, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()

        def parse(r: rd.Round, first: int, base_doc: m.Document, label: str) -> tuple[list[Item], list[str]]:
            return _entry_items(entries, section_id, base_doc, label, first), []

        return self._record_feedback(round_text, section_id, data, ".json", "web", parse, branch)

    def preview(self, round_text: str, section_id: str, entries: list[dict]) -> list[Item]:
        """The items :meth:`submit` would record for ``entries``, numbered as the Section's
        next ones, recording nothing: what the review site shows before a Section sends."""
        with self.ws.store() as store:
            r = self._locked_round(store, round_text)
            section = r.section(section_id)
            first = len(r.feedback.get(section.id, {}).get("items", [])) + 1
            return _entry_items(entries, section.id, self._base_document(store, r),
                                f"{r.document} v{r.base}", first)

    def base_document(self, r: rd.Round) -> m.Document:
        """The document model of the version the round reviews, as recorded."""
        with self.ws.store() as store:
            return self._base_document(store, r)

    def pack_redline(self, r: rd.Round) -> m.Document | None:
        """The redline the round's pack holds (from the version compared with to the one under
        review) as a model, or None when the round compares with nothing."""
        if not r.compared_with:
            return None
        result, _info = self.ws.redline(r.document, f"v{r.compared_with}", f"v{r.base}")
        return result.document

    def _record_feedback(self, round_text: str, section_id: str, data: bytes, suffix: str,
                         received_as: str, parse, branch: bool) -> FeedbackResult:
        """One submission recorded as numbered items, committed with the Section as author,
        under the workspace lock (so simultaneous submissions get gap-free numbers)."""
        with self._recording(round_text) as (store, r):
            section = r.section(section_id)
            review_ref = f"refs/heads/review/{r.id}/{section.id}" if branch else None
            record = r.feedback.get(section.id) or {"section": section.id, "name": section.name,
                                                    "submissions": [], "items": []}
            number = len(record["submissions"]) + 1
            stored = f"{r.path}/feedback/{section.id}-{number}{suffix}"
            first = len(record["items"]) + 1
            items, notes = parse(r, first, self._base_document(store, r), f"{r.document} v{r.base}")
            items = [_stored_as(i, stored) for i in items]
            epoch = versions.commit_epoch()
            record["submissions"].append({"file": stored.rsplit("/", 1)[1], "received_as": received_as,
                                          "sha256": mf.sha256(data), "received_at": mf.iso_time(epoch),
                                          "recorded_by": store.identity()[0], "items": [i.id for i in items]})
            record["items"] += [i.data() for i in items]
            if r.deadline and mf.iso_time(epoch)[:10] > r.deadline:
                notes.append(f"received after the deadline of {r.deadline}")
            files = {stored: data, f"{r.path}/feedback/{section.id}.json": rd.dumps(record)}
            pairs = [("Document", r.document), ("Version", str(r.base)), ("Round", r.id),
                     ("Section", section.id), ("Action", "round-feedback")]
            subject = f"Feedback from {section.name} on round '{r.name}' ({len(items)} items)"
            if review_ref:
                commit = versions.commit_step(store, review_ref, files,
                                              versions.message_with(None, subject, pairs), epoch,
                                              (section.name, section.email),
                                              start=store.resolve(store.branch()))
                notes.append(push_review_branch(store, review_ref))
            else:
                commit = self._step(store, files, subject, pairs, author=(section.name, section.email))
        return FeedbackResult(r, section, items, notes, commit)

    def round_file(self, r: rd.Round, name: str) -> tuple[str, bytes]:
        """(file name, bytes) of a file a Section reads: one of the round's pack, or
        ``draft.html``, the reviewed version's own HTML as it was recorded."""
        with self.ws.store() as store:
            if name == "draft.html":
                data = store.read_file(r.base_commit, history.output_file(r.document, ".html"))
            elif name in r.pack:
                data = store.read_file(store.resolve(store.head_ref()), f"{r.path}/pack/{name}")
            else:
                data = None
        if data is None:
            raise NotFoundError(f"round '{r.id}' has no file '{name}'")
        return name, data

    # ------------------------------------------------------------ review links

    def invite(self, round_text: str, sections: list[str] | None = None, editor: bool = False,
               revoke: bool = False, name: str | None = None) -> tuple[rd.Round, list[tuple[str, str, str | None]]]:
        """Personal links to the round's review page: a new token for each Section named (all
        Sections by default), or the editors' with ``editor`` (one editor's own, with
        ``name``: decisions made through it carry that name); with ``revoke``, end them
        instead. Returns the round and (role, name, token or None) per link; tokens are
        shown once and kept only as hashes, outside the history."""
        from assembler.review.invites import EDITOR, InviteBook
        with self.ws.store() as store:
            with workspace_lock(store.git_dir):
                r = self._locked_round(store, round_text, must_be_open=not revoke)
                book = InviteBook(store.git_dir)
                editor_role = _editor_role(name) if name else EDITOR
                roles = ([(editor_role, name or "Editors")] if editor else
                         [(r.section(s).id, r.section(s).name) for s in sections] if sections else
                         [(s.id, s.name) for s in r.sections])
                links: list[tuple[str, str, str | None]] = []
                for role, label in roles:
                    if revoke:
                        if not book.revoke(r.document, r.id, role):
                            raise UsageError(f"{label} has no link to round '{r.id}' to revoke")
                        links.append((role, label, None))
                    else:
                        issued = mf.iso_time(versions.commit_epoch())
                        links.append((role, label, book.issue(r.document, r.id, role, issued,
                                                              name if editor and name else "")))
        return r, links

    # ------------------------------------------------------------ decisions

    def dispose(self, round_text: str, item_id: str, decision: str, note: str = "",
                by: str | None = None) -> tuple[rd.Round, Item]:
        """Record the decision on one item (one commit; a later decision replaces it), made
        by ``by`` (a named editor's link) or else by the workspace's git identity."""
        if decision not in rd.DECISIONS:
            raise UsageError(f"'{decision}' is not a decision; choose {', '.join(rd.DECISIONS)}")
        with self._recording(round_text) as (store, r):
            item = r.item(item_id)
            epoch = versions.commit_epoch()
            r.dispositions[item.id] = {"decision": decision, "note": note.strip(),
                                       "by": by or store.identity()[0], "at": mf.iso_time(epoch)}
            data = {"schema": rd.SCHEMA, "round": r.id,
                    "items": dict(sorted(r.dispositions.items(), key=lambda kv: _item_key(kv[0])))}
            pairs = [("Document", r.document), ("Version", str(r.base)), ("Round", r.id),
                     ("Item", item.id), ("Decision", decision), ("Action", "round-dispose")]
            files = {f"{r.path}/dispositions.json": rd.dumps(data)}
            files.update(branch_files(store, r, item.section))
            self._step(store, files, f"Decide {item.id} of round '{r.name}': {decision}", pairs)
        return r, item

    def apply(self, round_text: str, item_id: str) -> Applied:
        """Write an accepted edit into its clause file (not committed: review it, then close).

        The edit is the Section's change to the clause as they read it; it is patched into
        the clause's source and kept only when the result, assembled, reads exactly as the
        Section's change applied to the clause as it reads now.
        """
        from assembler.build import worddiff
        from assembler.model.paragraphs import clause_texts
        from assembler.review.feedback import normalize_paragraphs, variable_message, variables_touched
        from assembler.sources.clauses import split_front_matter
        with self.ws.store() as store:
            r = self._locked_round(store, round_text)
            item = r.item(item_id)
            manifest = history.read_manifest(store, r.base_commit, r.document)
        decision = r.dispositions.get(item.id, {}).get("decision")
        where = f"{r.path}/feedback/{item.section}.json"
        if item.kind != "edit" or not item.clause:
            what = "a comment" if item.kind != "edit" else "an edit outside any clause"
            raise InvalidInput(Problem(where, f"{item.id} is {what}; only proposed edits to a clause "
                                       "can be applied"))
        if decision not in ("accepted", "partly"):
            raise WorkspaceStateError(f"{item.id} is {decision or 'undecided'}; record it as accepted "
                                      f"or partly first (assembler round dispose {r.id} {item.id} accepted)")
        if not item.proposed:
            raise InvalidInput(Problem(where, f"{item.id} proposes deleting clause {item.clause}; "
                                       "remove it from the template by hand"))
        source = self.ws.clauses().get(item.clause)
        if source is None:
            raise NotFoundError(f"clause '{item.clause}' of {item.id} is no longer in clauses/")
        template_id, variables = manifest["template"]["id"], manifest.get("variables", {})
        now = clause_texts(self.ws.assemble_sources(template_id, variables).document).get(item.clause)
        if now is None:
            raise WorkspaceStateError(f"template '{template_id}' no longer uses clause {item.clause}")
        if normalize_paragraphs(now) == normalize_paragraphs(item.proposed):
            return Applied(item, source.path, True)
        expected = worddiff.patch_text(item.old or "", item.proposed, now)
        text = source.data.decode("utf-8")
        front, body, _line = split_front_matter(text)
        touched = variables_touched(body, variables, item.old or "", item.proposed)
        if touched:
            raise WorkspaceStateError(variable_message(item, source.path, touched, variables))
        patched_body = worddiff.patch_text(item.old or "", item.proposed, body)
        if expected is None or patched_body is None:
            raise WorkspaceStateError(f"{item.id} no longer fits {source.path} (the clause changed "
                                      f"since v{r.base}); edit it by hand. Proposed text: {item.proposed}")
        new_text = (f"---\n{front}\n---\n" if front is not None else "") + patched_body
        new_data = new_text.encode("utf-8")
        built = self.ws.build_with(template_id, variables, {source.path: new_data})
        got = clause_texts(built.document).get(item.clause, "")
        if normalize_paragraphs(got) != normalize_paragraphs(expected):
            raise WorkspaceStateError(f"{item.id} cannot be applied to {source.path} automatically "
                                      "(the edit touches a variable, a reference or formatting); "
                                      f"edit the clause by hand. Proposed text: {item.proposed}")
        path = self.ws.root / source.path
        if git_blob_id(path.read_bytes()) != git_blob_id(source.data):
            raise WorkspaceStateError(f"{source.path} changed while applying {item.id}; try again")
        atomic_write(path, new_data)
        return Applied(item, source.path, False)

    # ------------------------------------------------------------ close

    def cancel(self, round_text: str, reason: str | None = None) -> tuple[rd.Round, str]:
        """End an open round without a version: one commit recording who cancelled it, when
        and why, tagged ``<doc>/<round>/cancel``. The base version leaves review; the pack,
        feedback and decisions stay in the history. Returns the round and the commit."""
        with self._recording(round_text) as (store, r):
            epoch = versions.commit_epoch()
            r.cancelled = {"at": mf.iso_time(epoch), "by": store.identity()[0],
                           "reason": (reason or "").strip()}
            pairs = [("Document", r.document), ("Version", str(r.base)), ("Round", r.id),
                     ("Action", "round-cancel")]
            subject = f"Cancel round '{r.name}' of {r.document}"
            commit = self._step(store, {f"{r.path}/round.json": rd.dumps(r.record())},
                                subject + (f": {r.cancelled['reason']}" if r.cancelled["reason"] else ""),
                                pairs, tag=f"{r.document}/{r.id}/cancel")
        return r, commit

    def close(self, round_text: str, message: str | None = None, force: bool = False,
              variables: dict[str, str] | None = None):
        """Assemble the answering version with the round redline and disposition table in
        the same commit; tag ``<doc>/<round>/close``. Returns (round, Recorded, rows).

        The version is assembled from the template as it is now, with ``variables`` set as
        ``assemble --var`` would: never with the base version's values, which would record
        a document that its own committed template contradicts."""
        from assembler.build import redline as redline_mod
        from assembler.model import nodes as m
        from assembler.review import round_papers as papers
        from assembler.writers.options import RedlineInfo, RenderOptions, Side
        with self.ws.store() as store:
            versions.ensure_ready(store)
            r = self._locked_round(store, round_text)
            undecided = r.undecided()
            if undecided and not force:
                raise WorkspaceStateError(
                    f"{len(undecided)} item(s) of round '{r.id}' have no decision: "
                    f"{', '.join(i.id for i in undecided)}; decide them (assembler round dispose) "
                    "or close with --force")
            manifest = history.read_manifest(store, r.base_commit, r.document)
            built = self.ws.assemble_sources(manifest["template"]["id"], variables or {})
            candidate = mf.build(built.document, 0, "draft", list(built.sources), {}, 0, "", built.digest)
            if mf.same_content(manifest, candidate):
                raise WorkspaceStateError(f"the sources read as {r.document} v{r.base} did: nothing "
                                          f"answers round '{r.id}' yet; apply edits (assembler round "
                                          "apply) or edit clauses, then close")
            base_doc = self._base_document(store, r)
            base_version = history.find_version(history.read_versions(store, r.document),
                                                r.document, str(r.base))
            result = redline_mod.compare(base_doc, built.document)
            author = store.identity()[0]
            rows_out: list[list[dict]] = []

            def extra(number: int, epoch: int, outputs: dict[str, bytes]) -> dict[str, bytes]:
                info = RedlineInfo(Side(f"v{r.base}", base_version.time, base_version.author),
                                   Side(f"v{number}", epoch, author), result.summary)
                rows = papers.disposition_rows(r, result.summary["changed_clauses"], built.document)
                rows_out.append(rows)
                with_table = m.Document(result.document.id, result.document.title,
                                        result.document.blocks + (papers.disposition_table(rows),),
                                        result.document.origin, result.document.variables,
                                        result.document.meta)
                options = RenderOptions(epoch=epoch, author=author, redline=info,
                                        paper=dict(built.document.meta).get("paper", "A4"))
                name = f"{r.path}/redline-v{r.base}-v{number}"
                files = {f"{name}.pdf": self.ws.render(with_table, "pdf", options),
                         f"{name}.html": self.ws.render(with_table, "html", options),
                         f"{name}.docx": self.ws.render(result.document, "docx", options),
                         f"{r.path}/disposition.csv": papers.disposition_csv(rows)}
                closed = dict(r.record(), closed={
                    "version": number, "at": mf.iso_time(epoch), "by": author,
                    "undecided": [i.id for i in undecided],
                    "files": {p.rsplit("/", 1)[1]: mf.sha256(d) for p, d in sorted(files.items())}})
                return {**files, f"{r.path}/round.json": rd.dumps(closed)}

            def after(commit: str, number: int, epoch: int) -> None:
                store.create_tag(f"{r.document}/{r.id}/close", commit,
                                 f"Close round '{r.name}' of {r.document} with v{number}\n\n"
                                 f"Document: {r.document}\nRound: {r.id}\n", epoch)

            versions.check_writable(store, [f"{r.path}/round.json", f"{r.path}/disposition.csv"])
            recorded = self.ws.record(
                store, built, message or f"Answer round '{r.name}' of {r.document}", allow_empty=True,
                round_id=r.id, extra=extra, after=after,
                extra_trailers=(("Round-Step", "close"), ("Base-Version", str(r.base))))
        return r, recorded, rows_out[-1] if rows_out else []


def _editor_role(name: str) -> str:
    """One named editor's role: ``editor:ana-silva`` (a digest for a name in other scripts)."""
    import hashlib
    import re
    text = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40].strip("-")
    return f"editor:{text or hashlib.sha256(name.encode()).hexdigest()[:12]}"


def _entry_items(entries: list[dict], section_id: str, base_doc: m.Document, label: str,
                 first: int) -> list[Item]:
    """Items from the site's or the API's entries, numbered from ``first``."""
    from assembler.review.feedback import build_items
    rows = [(number, str(entry.get("paragraph") or "General"), str(entry.get("comment") or "").strip(),
             None if entry.get("proposed") is None else " ".join(str(entry["proposed"]).split()))
            for number, entry in enumerate(entries, start=1)]
    return build_items(rows, "item", section_id, base_doc, label, first,
                       empty="no items: send at least one comment or proposed text",
                       examples="'4', 'preamble' or 'General'")


def _stored_as(item: Item, stored: str) -> Item:
    from dataclasses import replace
    return replace(item, source=stored.rsplit("/", 1)[1])


def _item_key(item_id: str):
    section, _, number = item_id.rpartition("-")
    return (section, int(number) if number.isdigit() else 0)
