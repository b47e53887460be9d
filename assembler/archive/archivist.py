"""The archivist's questions, answered from the git history alone: blame, a clause's history
and where it is used, the impact of pending edits, the audit trail, and archival export.

``Archive(workspace)`` is the front door for these, beside ``Workspace`` and ``Review``;
each method reads, none records anything (export writes only into the folder it is given).
"""

from __future__ import annotations

from pathlib import Path

from assembler.archive import blame as blame_mod, clause_history
from assembler.history import reading as history
from assembler.review import rounds as rd


class Archive:
    def __init__(self, workspace):
        self.ws = workspace

    def blame(self, ref: str, paragraphs: bool = False):
        """(version, lines): who introduced each sentence of ``ref`` (``DOC`` or ``DOC@vN``)."""
        document, label = history.parse_ref(ref)
        with self.ws.store() as store:
            store.require_full_history()
            rounds = rd.read_rounds(store, store.resolve(store.head_ref()))
            return blame_mod.blame(store, document, label, paragraphs, rounds)

    def clause_history(self, clause_id: str) -> clause_history.ClauseHistory:
        """Every change to a clause, and where it is used (templates, versions, open rounds)."""
        with self.ws.store() as store:
            store.require_full_history()
            return clause_history.read(store, self.ws, clause_id)

    def impact(self) -> list[dict]:
        """Documents whose next assembly would differ from their latest version, each with the
        redline summary of the difference (nothing is recorded)."""
        return clause_history.impact(self.ws)

    def audit(self, document: str):
        from assembler.archive import audit
        with self.ws.store() as store:
            store.require_full_history()
            return audit.trail(store, document)

    def export_bagit(self, document: str, labels: list[str] | None, target: Path):
        from assembler.archive import bagexport
        trail = self.audit(document)
        with self.ws.store() as store:
            return bagexport.export(store, self.ws, trail, labels, Path(target))
