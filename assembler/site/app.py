"""The review site's web application and server (starlette and uvicorn live here and nowhere
else).

Today it answers the JSON API; the pages for Sections and editors come next.

* ``GET /api/rounds/<round>``: the round as the token's holder may see it: a Section sees the
  round and its own items with their decisions, never another Section's; an editor sees all.
* ``POST /api/rounds/<round>/feedback`` with ``{"items": [{"paragraph": "4", "comment": "…",
  "proposed": "…"}]}``: records the items for the token's Section (never one named in the
  request) through :meth:`Review.submit`, the library call the command line uses; 201 with
  the recorded items.

Every request carries ``Authorization: Bearer <token>`` from ``assembler round invite``. An
unknown, revoked or other round's token gets the same 401, so a stranger learns nothing about
which rounds exist. The Host header must be one the site was told to answer to, bodies are
capped, and every response forbids framing, sniffing, referrers and loading anything.
"""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from assembler.errors import AssemblerError, InvalidInput, WorkspaceStateError
from assembler.review.invites import Invite, InviteBook
from assembler.review.workflow import Review
from assembler.workspace import Workspace

MAX_BODY = 256 * 1024          # a request body; a Section's whole response is far smaller
MAX_ITEMS = 500
MAX_FIELD = 50_000             # characters in one comment or proposed text
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; "
                               "form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


class _Refused(Exception):
    """A request the site answers with ``status`` and one line saying why."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


def _answer(status: int, data: dict) -> JSONResponse:
    response = JSONResponse(data, status_code=status)
    response.headers.update(SECURITY_HEADERS)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="review"'
    return response


def _unauthorised() -> _Refused:
    return _Refused(401, "this link is not valid: it may have been replaced or revoked; "
                         "ask the editors for a new one")


class Site:
    """The application for one workspace: ``Site(root).app`` (an ASGI app)."""

    def __init__(self, root: Path, hosts: tuple[str, ...] = LOCAL_HOSTS):
        self.root = Path(root)
        self.workspace = Workspace(self.root)
        with self.workspace.store() as store:
            self.book = InviteBook(store.git_dir)
        routes = [Route("/api/rounds/{round}", self.round, methods=["GET"]),
                  Route("/api/rounds/{round}/feedback", self.feedback, methods=["POST"])]
        self.app = Starlette(routes=routes, middleware=[Middleware(TrustedHostMiddleware, allowed_hosts=list(hosts))],
                             exception_handlers={_Refused: self._refused, 404: self._not_found,
                                                 405: self._not_allowed})

    # ------------------------------------------------------------ plumbing

    @staticmethod
    async def _refused(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, _Refused)
        return _answer(exc.status, {"error": exc.message})

    @staticmethod
    async def _not_found(request: Request, exc: Exception) -> JSONResponse:
        return _answer(404, {"error": "no such page"})

    @staticmethod
    async def _not_allowed(request: Request, exc: Exception) -> JSONResponse:
        return _answer(405, {"error": "this address does not take that method"})

    def _holder(self, request: Request) -> Invite:
        """Whose bearer token the request carries, for the round in its path (else 401)."""
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        invite = self.book.holder(token.strip()) if scheme.lower() == "bearer" else None
        if invite is None or invite.round != request.path_params["round"]:
            raise _unauthorised()
        return invite

    @staticmethod
    async def _body(request: Request) -> bytes:
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_BODY:
            raise _Refused(413, f"the request is over {MAX_BODY:,} bytes")
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY:
                raise _Refused(413, f"the request is over {MAX_BODY:,} bytes")
        return body

    # ------------------------------------------------------------ the API

    async def round(self, request: Request) -> JSONResponse:
        invite = self._holder(request)
        data = await run_in_threadpool(self._round_view, invite)
        return _answer(200, data)

    def _round_view(self, invite: Invite) -> dict:
        review = Review(self.workspace)
        r = next((r for r in review.rounds(invite.document) if r.id == invite.round), None)
        if r is None:
            raise _unauthorised()
        mine = [i for i in r.items() if invite.is_editor or i.section == invite.role]
        sections = r.sections if invite.is_editor else [r.section(invite.role)]
        return {"document": r.document, "round": r.id, "name": r.name, "version": r.base,
                "deadline": r.deadline, "state": r.state, "role": invite.role,
                "sections": [{"id": s.id, "name": s.name, "responded": s.id in r.feedback}
                             for s in sections],
                "items": [dict(i.data(), decision=r.dispositions.get(i.id)) for i in mine]}

    async def feedback(self, request: Request) -> JSONResponse:
        invite = self._holder(request)
        if invite.is_editor:
            raise _Refused(403, "an editor's link cannot send a Section's feedback")
        entries = _entries(await self._body(request))
        try:
            result = await run_in_threadpool(Review(self.workspace).submit, invite.round, invite.role, entries)
        except InvalidInput as problem:
            return _answer(422, {"error": "the items were not recorded", "problems": problem.lines()})
        except WorkspaceStateError as problem:
            return _answer(409, {"error": " ".join(problem.lines())})
        except AssemblerError as problem:
            return _answer(400, {"error": " ".join(problem.lines())})
        return _answer(201, {"section": result.section.id, "commit": result.commit,
                             "items": [i.data() for i in result.items], "notes": result.notes})


def _entries(body: bytes) -> list[dict]:
    """The items of a feedback request, checked for shape (their sense is the library's)."""
    import json
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise _Refused(400, "the body is not JSON in UTF-8: send {\"items\": [...]}") from None
    items = data.get("items") if isinstance(data, dict) else None
    if not isinstance(items, list) or not items:
        raise _Refused(400, "send {\"items\": [{\"paragraph\": \"4\", \"comment\": \"...\"}]} with at least one item")
    if len(items) > MAX_ITEMS:
        raise _Refused(413, f"{len(items)} items is over the limit of {MAX_ITEMS} in one request")
    entries = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict) or set(item) - {"paragraph", "comment", "proposed"}:
            raise _Refused(400, f"item {number}: give only paragraph, comment and proposed")
        for key in ("paragraph", "comment", "proposed"):
            value = item.get(key)
            if value is not None and (not isinstance(value, str) or len(value) > MAX_FIELD):
                raise _Refused(400, f"item {number}: {key} must be text of at most {MAX_FIELD:,} characters")
        if not (item.get("paragraph") or "").strip():
            raise _Refused(400, f"item {number}: say which paragraph (a number, a clause id or 'General')")
        entries.append({"paragraph": item["paragraph"], "comment": item.get("comment") or "",
                        "proposed": item.get("proposed")})
    return entries


def serve(root: Path, host: str, port: int, hosts: tuple[str, ...]) -> None:
    """Run the site with uvicorn until interrupted."""
    import uvicorn
    uvicorn.run(Site(root, hosts).app, host=host, port=port, log_level="warning",
                server_header=False, proxy_headers=False)
