"""The review site's pages over real HTTP (``assembler serve`` in a subprocess): a Section's link
becomes a cookie, its page shows the round and takes a comment through a CSRF-guarded form, and
the pack's files are served with their own policy."""

from __future__ import annotations

import http.client
import json
import re
from urllib.parse import urlencode

import test_rounds
import test_site_api
from test_versions import git

ROUND = test_rounds.ROUND
in_review = test_rounds.in_review
site = test_site_api.site


def request(site, method: str, path: str, cookie: str = "", form: dict | None = None):
    connection = http.client.HTTPConnection("127.0.0.1", site.port, timeout=60)
    headers = {"Host": f"127.0.0.1:{site.port}"}
    if cookie:
        headers["Cookie"] = cookie
    body = None
    if form is not None:
        body = urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, data


def csrf_of(page: str) -> str:
    """The CSRF token of a page's forms."""
    return re.search(r'name="csrf" value="([0-9a-f]{64})"', page).group(1)


def enter(site, who: str) -> str:
    status, headers, _ = request(site, "GET", f"/s/{site.tokens[who]}")
    assert status == 303 and headers["location"] == f"/review/{ROUND}"
    cookie = headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and site.tokens[who] not in headers["location"]
    return cookie.split(";")[0]


def test_a_section_opens_its_link_reads_the_round_and_sends_a_comment(site):
    cookie = enter(site, "NL")
    status, headers, body = request(site, "GET", f"/review/{ROUND}", cookie)
    page = body.decode()
    assert status == 200 and headers["content-security-policy"].startswith("default-src 'none'; style-src 'self'")
    assert "Netherlands Section" in page and "Responses are due by 2026-12-01" in page
    assert "<script" not in page and " style=" not in page           # nothing inline for the CSP to allow
    assert f'src="/review/{ROUND}/files/draft.html"' in page and 'download>resolution-v2.pdf</a>' in page
    csrf = csrf_of(page)
    attack = "<script>alert(1)</script> and javascript:alert(1)"
    status, headers, _ = request(site, "POST", f"/review/{ROUND}/feedback", cookie,
                                 {"csrf": csrf, "paragraph": "4", "comment": attack, "proposed": ""})
    assert status == 303 and headers["location"] == f"/review/{ROUND}?sent=NL-1"
    status, _, body = request(site, "GET", headers["location"], cookie)
    page = body.decode()
    assert "Recorded NL-1" in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>" not in page
    assert git(site.ws, "log", "-1", "--format=%an").strip() == "Netherlands Section"
    status, _, body = request(site, "GET", "/site.css")
    assert status == 200 and b"@media print" in body


def test_a_form_without_the_pages_csrf_token_records_nothing(site):
    cookie = enter(site, "FR")
    head = git(site.ws, "rev-parse", "HEAD")
    for form in ({"paragraph": "4", "comment": "forged"}, {"csrf": "0" * 64, "paragraph": "4", "comment": "forged"}):
        status, _, body = request(site, "POST", f"/review/{ROUND}/feedback", cookie, form)
        assert status == 403 and b"open your link again" in body
    status, _, _ = request(site, "POST", f"/review/{ROUND}/feedback", "", {"paragraph": "4", "comment": "x"})
    assert status == 401
    assert git(site.ws, "rev-parse", "HEAD") == head


def test_a_bad_paragraph_is_shown_on_the_page_and_nothing_is_recorded(site):
    cookie = enter(site, "ZA")
    page = request(site, "GET", f"/review/{ROUND}", cookie)[2].decode()
    csrf = csrf_of(page)
    head = git(site.ws, "rev-parse", "HEAD")
    status, _, body = request(site, "POST", f"/review/{ROUND}/feedback", cookie,
                              {"csrf": csrf, "paragraph": "99", "comment": "where?"})
    assert status == 422 and "paragraph 99 does not exist in resolution v2" in body.decode()
    assert git(site.ws, "rev-parse", "HEAD") == head


def test_files_are_the_rounds_own_and_links_that_do_not_hold_get_401(site):
    cookie = enter(site, "NL")
    status, headers, body = request(site, "GET", f"/review/{ROUND}/files/draft.html", cookie)
    assert status == 200 and headers["content-security-policy"].startswith("default-src 'none'; style-src 'unsafe-inline'")
    assert b"<html" in body and headers["x-frame-options"] == "SAMEORIGIN"
    status, headers, body = request(site, "GET", f"/review/{ROUND}/files/resolution-v2.pdf", cookie)
    assert status == 200 and headers["content-type"] == "application/pdf" and body.startswith(b"%PDF")
    for name in ("round.json", "..%2F..%2Fround.json", "%2e%2e%2fmanifest.json", "cover.md%00"):
        assert request(site, "GET", f"/review/{ROUND}/files/{name}", cookie)[0] == 404
    assert request(site, "GET", "/review/another-round", cookie)[0] == 401
    assert request(site, "GET", f"/review/{ROUND}/files/draft.html")[0] == 401
    status, _, body = request(site, "GET", "/s/pa_not-a-real-token")
    assert status == 401 and b"not valid" in body


def test_a_page_and_its_frames_load_at_once(site):
    """A browser asks for the page's frames together: each request reads git on its own."""
    import threading
    cookie = enter(site, "NL")
    names = ["draft.html", "redline-v1-v2.html", "resolution-v2.pdf", "cover.pdf"] * 3
    statuses: list[int] = []
    threads = [threading.Thread(target=lambda n=name: statuses.append(
        request(site, "GET", f"/review/{ROUND}/files/{n}", cookie)[0])) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * len(names)


def test_the_editors_page_lists_who_answered_and_decides_items(site):
    section = enter(site, "NL")
    page = request(site, "GET", f"/review/{ROUND}", section)[2].decode()
    csrf = csrf_of(page)
    assert request(site, "POST", f"/review/{ROUND}/feedback", section,
                   {"csrf": csrf, "paragraph": "4", "comment": "Name the reviewer."})[0] == 303
    # a Section cannot decide, even with its own valid form token
    assert request(site, "POST", f"/review/{ROUND}/decide", section,
                   {"csrf": csrf, "item": "NL-1", "decision": "accepted"})[0] == 403
    editor = enter(site, "editor")
    page = request(site, "GET", f"/review/{ROUND}", editor)[2].decode()
    assert "1 of 3 Sections have answered. Waiting for: France Section, South Africa Section." in page
    assert "<h3>Paragraph 4</h3>" in page and "NL-1 · Netherlands Section comments" in page
    assert 'download>redline-v1-v2.pdf</a>' in page                  # the pack, for the editors too
    assert "Name the reviewer." in page
    token = csrf_of(page)
    assert token != csrf                                              # bound to the editor's session
    status, headers, _ = request(site, "POST", f"/review/{ROUND}/decide", editor,
                                 {"csrf": token, "item": "NL-1", "decision": "noted", "note": "Will name <them>"})
    assert status == 303 and headers["location"] == f"/review/{ROUND}?decided=NL-1"
    assert '"NL-1": "noted"' in site.ws.run("round", "status", ROUND, "--json").stdout
    recorded = json.loads((site.ws.root / f"versions/resolution/rounds/{ROUND}/dispositions.json").read_text())
    assert recorded["items"]["NL-1"]["note"] == "Will name <them>"   # kept as written, escaped on pages
    assert "Will name &lt;them&gt;" in request(site, "GET", f"/review/{ROUND}", section)[2].decode()
    status, _, body = request(site, "POST", f"/review/{ROUND}/decide", editor,
                              {"csrf": token, "item": "NL-1", "decision": "maybe"})
    assert status == 422 and "&#x27;maybe&#x27; is not a decision" in body.decode()
    assert request(site, "POST", f"/review/{ROUND}/feedback", editor,
                   {"csrf": token, "paragraph": "4", "comment": "as an editor"})[0] == 403


def test_only_the_editors_apply_and_close_and_a_refused_close_records_nothing(site):
    section = enter(site, "NL")
    page = request(site, "GET", f"/review/{ROUND}", section)[2].decode()
    csrf = csrf_of(page)
    status, _, body = request(site, "POST", f"/review/{ROUND}/feedback", section,
                              {"csrf": csrf, "paragraph": "4", "action": "load"})
    assert status == 200 and "The harm reduction principle, applied in every context.</textarea>" in body.decode()
    assert request(site, "POST", f"/review/{ROUND}/feedback", section,
                   {"csrf": csrf, "paragraph": "4", "comment": "Shorter.", "proposed": "Harm reduction."})[0] == 303
    head = git(site.ws, "rev-parse", "HEAD")
    for action in ("apply", "close"):      # a Section's valid session still cannot act as the editors
        assert request(site, "POST", f"/review/{ROUND}/{action}", section, {"csrf": csrf, "item": "NL-1"})[0] == 403
    editor = enter(site, "editor")
    page = request(site, "GET", f"/review/{ROUND}", editor)[2].decode()
    token = csrf_of(page)
    assert request(site, "POST", f"/review/{ROUND}/close", editor, {"item": "NL-1"})[0] == 403   # no CSRF token
    status, _, body = request(site, "POST", f"/review/{ROUND}/apply", editor, {"csrf": token, "item": "NL-1"})
    assert status == 409 and "NL-1 is undecided; record it as accepted or partly first" in body.decode()
    status, _, body = request(site, "POST", f"/review/{ROUND}/close", editor, {"csrf": token})
    assert status == 409 and "1 item(s) of round &#x27;section-review-1&#x27; have no decision: NL-1" in body.decode()
    assert git(site.ws, "rev-parse", "HEAD") == head and git(site.ws, "status", "--porcelain").strip() == ""


def test_a_named_editors_link_signs_its_decisions(site):
    section = enter(site, "NL")
    page = request(site, "GET", f"/review/{ROUND}", section)[2].decode()
    csrf = csrf_of(page)
    assert request(site, "POST", f"/review/{ROUND}/feedback", section,
                   {"csrf": csrf, "paragraph": "4", "comment": "Cite the evidence."})[0] == 303
    issued = json.loads(site.ws.run("round", "invite", ROUND, "--editor", "--name", "Ana Silva", "--json").stdout)
    link = issued["links"][0]
    assert (link["role"], link["name"]) == ("editor:ana-silva", "Ana Silva")
    site.tokens["ana"] = link["token"]
    ana = enter(site, "ana")
    page = request(site, "GET", f"/review/{ROUND}", ana)[2].decode()
    token = csrf_of(page)
    assert request(site, "POST", f"/review/{ROUND}/decide", ana,
                   {"csrf": token, "item": "NL-1", "decision": "accepted", "note": ""})[0] == 303
    recorded = json.loads((site.ws.root / f"versions/resolution/rounds/{ROUND}/dispositions.json").read_text())
    assert recorded["items"]["NL-1"]["by"] == "Ana Silva"
    assert site.ws.run("round", "invite", ROUND, "--name", "Ana Silva").code == 2     # --name needs --editor


def test_a_sections_page_speaks_the_readers_language_and_arabic_reads_right_to_left(site):
    cookie = enter(site, "FR")
    english = request(site, "GET", f"/review/{ROUND}", cookie)[2].decode()
    assert '<html lang="en">' in english and "Send to the editors" in english

    def page_in(accept: str) -> str:
        connection = http.client.HTTPConnection("127.0.0.1", site.port, timeout=60)
        connection.request("GET", f"/review/{ROUND}", headers={"Host": f"127.0.0.1:{site.port}", "Cookie": cookie,
                                                               "Accept-Language": accept})
        body = connection.getresponse().read().decode()
        connection.close()
        return body

    french = page_in("fr-CH, fr;q=0.9, en;q=0.8")
    assert '<html lang="fr">' in french and "Envoyer aux rédacteurs" in french
    assert "Réponses attendues au plus tard le 2026-12-01." in french and "Version 2 (en relecture)" in french
    assert "Send to the editors" not in french
    assert "The harm reduction principle" in french                      # the document's text is data: as written
    arabic = page_in("ar")
    assert '<html lang="ar" dir="rtl">' in arabic and "إرسال إلى المحررين" in arabic
    assert "آخر موعد للردود: \u20662026-12-01\u2069." in arabic             # the date isolated, read left to right
    assert 'class="sbs-box" tabindex="0" aria-label="التغييرات جنبًا إلى جنب" lang="en" dir="ltr"' in arabic
    assert '<html lang="en">' in page_in("ja, ko;q=0.5")                   # no words for those: the document's
    assert '<html lang="de">' in page_in("en;q=0.1, de")                   # by preference, not by order
