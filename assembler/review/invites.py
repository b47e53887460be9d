"""Personal review links: a random token per Section (or editor) and round, kept only as a hash.

A link carries a 192-bit token from :mod:`secrets`. The workspace keeps the token's SHA-256,
never the token, in ``<git dir>/assembler/invites.json``: inside the git directory, so never
in a commit, a push or a clone, and readable by its owner only. Anyone holding the file can
revoke links but cannot use them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from assembler.errors import WorkspaceStateError

EDITOR = "editor"     # the role of an editor's link; a Section's link has the Section's id
_PREFIX = "pa_"


@dataclass(frozen=True)
class Invite:
    """Who a token belongs to: one Section (or the editors) of one round of one document."""

    document: str
    round: str
    role: str          # a Section id, EDITOR, or "editor:<name>" for one named editor
    issued_at: str
    name: str = ""     # a named editor's name: the decisions made through the link carry it

    @property
    def is_editor(self) -> bool:
        return self.role == EDITOR or self.role.startswith(EDITOR + ":")


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class InviteBook:
    """The invites of one workspace (``InviteBook(git_dir)``). Callers that write hold the
    workspace lock; reads see the last complete write (files are replaced atomically)."""

    def __init__(self, git_dir: Path):
        self.path = Path(git_dir) / "assembler" / "invites.json"

    def _read(self) -> list[dict]:
        try:
            return json.loads(self.path.read_text(encoding="utf-8")).get("invites", [])
        except FileNotFoundError:
            return []
        except (OSError, ValueError) as exc:
            raise WorkspaceStateError(f"{self.path}: cannot read the review links ({exc}); "
                                      "remove the file and send new links with assembler round invite") from None

    def _write(self, invites: list[dict]) -> None:
        self.path.parent.mkdir(mode=0o700, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump({"version": 1, "invites": invites}, out, indent=2, sort_keys=True)
            out.write("\n")
        os.replace(temporary, self.path)

    def issue(self, document: str, round_id: str, role: str, issued_at: str, name: str = "") -> str:
        """A new token for ``role`` in the round; any earlier link of that role stops working."""
        token = _PREFIX + secrets.token_urlsafe(24)
        kept = [i for i in self._read() if (i["document"], i["round"], i["role"]) != (document, round_id, role)]
        kept.append({"hash": digest(token), "document": document, "round": round_id, "role": role,
                     "issued_at": issued_at, **({"name": name} if name else {})})
        self._write(kept)
        return token

    def revoke(self, document: str, round_id: str, role: str) -> bool:
        """End ``role``'s link to the round; False when it had none."""
        invites = self._read()
        kept = [i for i in invites if (i["document"], i["round"], i["role"]) != (document, round_id, role)]
        if len(kept) == len(invites):
            return False
        self._write(kept)
        return True

    def holder(self, token: str) -> Invite | None:
        """Whose ``token`` is, or None for an unknown or revoked one."""
        if not token.startswith(_PREFIX) or len(token) > 100:
            return None
        wanted = digest(token)
        for entry in self._read():
            if hmac.compare_digest(entry["hash"], wanted):
                return Invite(entry["document"], entry["round"], entry["role"], entry["issued_at"],
                              entry.get("name", ""))
        return None

    def issued(self, document: str, round_id: str) -> dict[str, str]:
        """role -> when its current link was issued, for one round."""
        return {i["role"]: i["issued_at"] for i in self._read()
                if i["document"] == document and i["round"] == round_id}
