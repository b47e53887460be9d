"""The review site's web application and server (starlette and uvicorn live here and nowhere
else).

Pages: ``/s/<token>`` (a personal link: the token becomes an HttpOnly cookie), ``/review/<round>``
(a Section's page, or the editors' list), ``/review/<round>/files/<name>`` (the draft as
recorded and the pack), and the page's form, ``POST /review/<round>/feedback`` (CSRF-checked).

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

import hashlib
import hmac
import secrets
from pathlib import Path
from urllib.parse import parse_qs, quote

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from assembler.errors import AssemblerError, InvalidInput, Problem, WorkspaceStateError
from assembler.model import nodes as m
from assembler.model.paragraphs import clause_texts
from assembler.review.invites import Invite, InviteBook
from assembler.review.rounds import Round
from assembler.review.workflow import Review
from assembler.site import messages, pages
from assembler.workspace import Workspace
from assembler.writers import side_by_side

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
        with Workspace(self.root).store() as store:
            self.book = InviteBook(store.git_dir)
        self._side_by_side: dict[tuple, str | None] = {}
        self.secret = secrets.token_bytes(32)   # signs the forms' CSRF tokens, for this process
        routes = [Route("/api/rounds/{round}", self.round, methods=["GET"]),
                  Route("/api/rounds/{round}/feedback", self.feedback, methods=["POST"]),
                  Route("/site.css", self.stylesheet, methods=["GET"]),
                  Route("/s/{token}", self.enter, methods=["GET"]),
                  Route("/review/{round}", self.review_page, methods=["GET"]),
                  Route("/review/{round}/files/{name}", self.round_file, methods=["GET"]),
                  Route("/review/{round}/feedback", self.form_feedback, methods=["POST"]),
                  Route("/review/{round}/decide", self.form_decide, methods=["POST"]),
                  Route("/review/{round}/apply", self.form_apply, methods=["POST"]),
                  Route("/review/{round}/close", self.form_close, methods=["POST"])]
        self.app = Starlette(routes=routes, middleware=[Middleware(TrustedHostMiddleware, allowed_hosts=list(hosts))],
                             exception_handlers={_Refused: self._refused, 404: self._not_found,
                                                 405: self._not_allowed})

    # ------------------------------------------------------------ plumbing

    def _review(self) -> Review:
        """The rounds, through a workspace of this request's own: a git store (its cat-file
        process) is not shared between threads."""
        return Review(Workspace(self.root))

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

    def _round_of(self, review: Review, invite: Invite) -> Round:
        """The round an invite opens (401 when it is gone, as for an unknown link)."""
        r = next((r for r in review.rounds(invite.document) if r.id == invite.round), None)
        if r is None:
            raise _unauthorised()
        return r

    def _round_view(self, invite: Invite, review: Review | None = None) -> dict:
        review = review or self._review()
        r = self._round_of(review, invite)
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
            result = await run_in_threadpool(self._review().submit, invite.round, invite.role, entries)
        except InvalidInput as problem:
            return _answer(422, {"error": "the items were not recorded", "problems": problem.lines()})
        except WorkspaceStateError as problem:
            return _answer(409, {"error": " ".join(problem.lines())})
        except AssemblerError as problem:
            return _answer(400, {"error": " ".join(problem.lines())})
        return _answer(201, {"section": result.section.id, "commit": result.commit,
                             "items": [i.data() for i in result.items], "notes": result.notes})


    # ------------------------------------------------------------ the pages

    async def stylesheet(self, request: Request) -> Response:
        response = Response(pages.STYLE, media_type="text/css")
        response.headers.update(SECURITY_HEADERS)
        response.headers["Cache-Control"] = "max-age=300"
        return response

    async def enter(self, request: Request) -> Response:
        """A personal link: the token becomes an HttpOnly cookie and the address loses it."""
        token = request.path_params["token"]
        invite = self.book.holder(token)
        if invite is None:
            return _html(401, pages.refused_page(_unauthorised().message))
        response = RedirectResponse(f"/review/{quote(invite.round)}", status_code=303)
        response.headers.update(SECURITY_HEADERS)
        response.set_cookie(COOKIE, token, httponly=True, samesite="lax", path="/",
                            secure=request.url.scheme == "https")
        return response

    def _visitor(self, request: Request) -> Invite:
        invite = self.book.holder(request.cookies.get(COOKIE, ""))
        if invite is None or invite.round != request.path_params["round"]:
            raise _Refused(401, _unauthorised().message)
        return invite

    def _csrf(self, request: Request) -> str:
        return hmac.new(self.secret, request.cookies.get(COOKIE, "").encode(), hashlib.sha256).hexdigest()

    async def review_page(self, request: Request, flash: str = "", problems: list[str] | None = None,
                          status: int = 200, draft: pages.Draft | None = None) -> Response:
        try:
            invite = self._visitor(request)
        except _Refused as refused:
            return _html(refused.status, pages.refused_page(refused.message))
        query = request.query_params
        if invite.is_editor:
            flash = flash or _done_message(query)
            view, order, files = await run_in_threadpool(self._editor_data, invite)
            return _html(status, pages.editor_page(view, self._csrf(request), order, files, flash, problems))
        data = await run_in_threadpool(self._section_data, invite, request.headers.get("accept-language", ""))
        sent = query.get("sent", "")
        flash = flash or (messages.words(data["lang"])("Recorded {items}. The editors will decide on it.",
                                                       items=sent) if sent else "")
        return _html(status, pages.section_page(
            data["view"], self._csrf(request), data["files"], data["choices"], data["changes"],
            query.get("changes", "side"), draft or pages.Draft(paragraph=query.get("paragraph", "")), flash,
            problems, data["lang"], data["document_language"]))

    def _section_data(self, invite: Invite, accept_language: str) -> dict:
        """What a Section's page shows, read from one workspace, and the language of its own
        words: the reader's (``Accept-Language``) when the site speaks it, else the document's."""
        review = self._review()
        r = self._round_of(review, invite)
        base = review.base_document(r)
        from assembler.writers.options import language, right_to_left
        lang = messages.choose(accept_language, language(base))
        choices = [("General", messages.words(lang)("General: the document as a whole"))]
        texts = clause_texts(base)
        for clause in m.iter_clauses(base.blocks):
            words = " ".join(texts.get(clause.id, "").split()[:12])
            choices.append((clause.number or clause.id, f"{clause.number or clause.id} — {words}…"))
        return {"view": self._round_view(invite, review), "files": sorted(r.pack),
                "choices": choices, "changes": self._changes(review, r, lang), "lang": lang,
                "document_language": (language(base), "rtl" if right_to_left(base) else "ltr")}

    def _changes(self, review: Review, r: Round, lang: str) -> str | None:
        """The pack's redline side by side (HTML), made once per round, language and process."""
        key = (r.document, r.compared_with, r.base_commit, lang)
        if key not in self._side_by_side:
            t = messages.words(lang)
            redline = review.pack_redline(r)
            self._side_by_side[key] = (None if redline is None else side_by_side.write(
                redline, t("Version {n}", n=r.compared_with), t("Version {n} (under review)", n=r.base)))
        return self._side_by_side[key]

    def _editor_data(self, invite: Invite) -> tuple[dict, list[str], list[str]]:
        """The round as editors see it (each proposal with its word diff), the paragraphs'
        targets in document order (for grouping items) and the pack's files."""
        review = self._review()
        r = self._round_of(review, invite)
        view = self._round_view(invite, review)
        for data in view["items"]:
            if data["kind"] == "edit":
                data["diff"] = pages.word_diff(data.get("old") or "", data.get("proposed") or "")
        order = [c.number or c.id for c in m.iter_clauses(review.base_document(r).blocks)]
        return view, order, sorted(r.pack)

    async def round_file(self, request: Request) -> Response:
        try:
            invite = self._visitor(request)
        except _Refused as refused:
            return _html(refused.status, pages.refused_page(refused.message))
        name = request.path_params["name"]

        def read() -> tuple[str, bytes] | None:
            review = self._review()
            r = self._round_of(review, invite)
            try:
                return review.round_file(r, name)
            except AssemblerError:
                return None

        found = await run_in_threadpool(read)
        if found is None:
            return _html(404, pages.refused_page("The round has no such file."))
        suffix = "." + name.rsplit(".", 1)[-1].lower()
        response = Response(found[1], media_type=TYPES.get(suffix, "application/octet-stream"))
        response.headers.update(SECURITY_HEADERS)
        response.headers["Content-Security-Policy"] = FRAMED_POLICY if suffix == ".html" else "default-src 'none'"
        response.headers["X-Frame-Options"] = "SAMEORIGIN"
        return response

    async def _form(self, request: Request, editor: bool) -> tuple[Invite, dict[str, str]]:
        """(who, fields) of a page's form: the visitor's role must fit (``editor``) and the
        form must carry this session's CSRF token."""
        invite = self._visitor(request)
        if invite.is_editor != editor:
            raise _Refused(403, "an editor's link cannot send a Section's feedback" if invite.is_editor
                           else "only the editors' link decides items")
        form = parse_qs((await self._body(request)).decode("utf-8", "replace"), max_num_fields=10)
        field = {key: values[0] for key, values in form.items()}
        if not hmac.compare_digest(field.get("csrf", ""), self._csrf(request)):
            raise _Refused(403, "The form had expired or came from elsewhere: open your link again and resend.")
        return invite, field

    async def form_decide(self, request: Request) -> Response:
        try:
            invite, field = await self._form(request, editor=True)
        except _Refused as refused:
            return _html(refused.status, pages.refused_page(refused.message))
        item = field.get("item", "")
        try:
            await run_in_threadpool(self._review().dispose, invite.round, item, field.get("decision", ""),
                                    field.get("note", ""), invite.name or None)
        except AssemblerError as problem:
            return await self.review_page(request, problems=problem.lines(), status=422)
        return _see_other(f"/review/{quote(invite.round)}?decided={quote(item)}")

    async def form_feedback(self, request: Request) -> Response:
        """The Section's form: ``load`` puts the paragraph's wording in the editor,
        ``preview`` shows the proposal as a word diff, ``send`` records it."""
        try:
            invite, field = await self._form(request, editor=False)
        except _Refused as refused:
            return _html(refused.status, pages.refused_page(refused.message))
        draft = pages.Draft(field.get("paragraph", "").strip() or "General", field.get("comment", "").strip(),
                            field.get("proposed", "").strip())
        entry = {"paragraph": draft.paragraph, "comment": draft.comment, "proposed": draft.proposed or None}
        action = field.get("action", "send")
        review = self._review()
        try:
            if action == "load":
                draft.proposed = await run_in_threadpool(self._wording, review, invite, draft.paragraph)
                return await self.review_page(request, draft=draft)
            if action == "preview":
                items = await run_in_threadpool(review.preview, invite.round, invite.role, [entry])
                edit = items[0]
                draft.preview = pages.word_diff(edit.old or "", edit.proposed or "") if edit.kind == "edit" else ""
                draft.comment_only = edit.kind != "edit"
                return await self.review_page(request, draft=draft)
            result = await run_in_threadpool(review.submit, invite.round, invite.role, [entry])
        except InvalidInput as problem:
            return await self.review_page(request, problems=problem.lines(), status=422, draft=draft)
        except AssemblerError as problem:
            return await self.review_page(request, problems=problem.lines(), status=409, draft=draft)
        sent = ", ".join(i.id for i in result.items)
        return _see_other(f"/review/{quote(invite.round)}?sent={quote(sent)}")

    def _wording(self, review: Review, invite: Invite, target: str) -> str:
        """The wording of the paragraph ``target`` in the version under review."""
        r = self._round_of(review, invite)
        base = review.base_document(r)
        texts = clause_texts(base)
        for clause in m.iter_clauses(base.blocks):
            if target in (clause.number, clause.id):
                return texts.get(clause.id, "")
        raise InvalidInput(Problem("paragraph", "choose a numbered paragraph to edit its wording; "
                                   "General takes a comment only"))

    async def form_apply(self, request: Request) -> Response:
        """An editor writes an accepted proposal into its clause file (recorded at close)."""
        try:
            invite, field = await self._form(request, editor=True)
        except _Refused as refused:
            return _html(refused.status, pages.refused_page(refused.message))
        try:
            applied = await run_in_threadpool(self._review().apply, invite.round, field.get("item", ""))
        except AssemblerError as problem:
            return await self.review_page(request, problems=problem.lines(), status=409)
        done = "already" if applied.already else "applied"
        return _see_other(f"/review/{quote(invite.round)}?{done}={quote(applied.item.id)}"
                          f"&path={quote(applied.path)}")

    async def form_close(self, request: Request) -> Response:
        """An editor closes the round: the answering version is assembled and recorded."""
        try:
            invite, field = await self._form(request, editor=True)
        except _Refused as refused:
            return _html(refused.status, pages.refused_page(refused.message))
        message = field.get("message", "").strip() or None
        try:
            _r, recorded, _rows = await run_in_threadpool(self._review().close, invite.round, message,
                                                          field.get("force") == "1")
        except AssemblerError as problem:
            return await self.review_page(request, problems=problem.lines(), status=409)
        return _see_other(f"/review/{quote(invite.round)}?closed={recorded.version}")


def _see_other(location: str) -> Response:
    response = RedirectResponse(location, status_code=303)
    response.headers.update(SECURITY_HEADERS)
    return response


def _done_message(query) -> str:
    """The editors' page's line saying what the last form did."""
    if query.get("decided"):
        return f"Recorded the decision on {query['decided']}."
    if query.get("applied"):
        return (f"Wrote {query['applied']} into {query.get('path', 'its clause')}; it is recorded when "
                "you close the round.")
    if query.get("already"):
        return f"{query.get('path', 'The clause')} already reads as {query['already']} proposes."
    if query.get("closed"):
        return f"Closed the round: version {query['closed']} answers it."
    return ""


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


PAGE_POLICY = ("default-src 'none'; style-src 'self'; frame-src 'self'; img-src 'self'; "
               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
# a recorded HTML output shown in a frame of the site's page: its own inline styles, nothing else
FRAMED_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'; base-uri 'none'"
COOKIE = "pa_review"
TYPES = {".pdf": "application/pdf", ".html": "text/html; charset=utf-8", ".md": "text/markdown; charset=utf-8",
         ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


def _html(status: int, body: str, policy: str = PAGE_POLICY) -> HTMLResponse:
    response = HTMLResponse(body, status_code=status)
    response.headers.update(SECURITY_HEADERS)
    response.headers["Content-Security-Policy"] = policy
    return response


def serve(root: Path, host: str, port: int, hosts: tuple[str, ...]) -> None:
    """Run the site with uvicorn until interrupted."""
    import uvicorn
    uvicorn.run(Site(root, hosts).app, host=host, port=port, log_level="warning",
                server_header=False, proxy_headers=False)
