"""The review site's JSON API against a real server (``assembler serve`` in a subprocess) on a
round open in a real workspace: who may read and send what, and the rules for a site that
faces the internet."""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import sys
import threading
import time

import pytest
import test_rounds
from test_versions import git

ROUND = test_rounds.ROUND
in_review = test_rounds.in_review   # the fixture: the example with a round open for NL, FR and ZA
ATTACKS = ["<script>alert(1)</script>", "javascript:alert(1)", "</para><font color='red'>x</font>",
           "{{ org }} {% raw %}", "'; DROP TABLE items; --", "\u202eevil"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def site(in_review):
    tokens = {row["role"]: row["token"] for row in json.loads(
        in_review.run("round", "invite", ROUND, "--json").stdout)["links"]}
    tokens["editor"] = json.loads(in_review.run("round", "invite", ROUND, "--editor", "--json").stdout)["links"][0]["token"]
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "assembler", "serve", "--port", str(port)],
                              cwd=in_review.root, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            assert server.poll() is None, server.stderr.read().decode()
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.1)
    yield Client(port, tokens, in_review)
    server.terminate()
    server.wait(timeout=10)


class Client:
    def __init__(self, port: int, tokens: dict, ws):
        self.port, self.tokens, self.ws = port, tokens, ws

    def call(self, method: str, path: str, who: str | None = None, body=None, token: str | None = None,
             host: str | None = None, raw: bytes | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Host": host or f"127.0.0.1:{self.port}"}
        token = token or (self.tokens[who] if who else None)
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        if data is not None:
            headers["Content-Type"] = "application/json"
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        payload = response.read()
        connection.close()
        parsed = json.loads(payload) if response.getheader("content-type", "").startswith("application/json") else payload
        return response.status, dict(response.getheaders()), parsed


def test_a_section_sends_items_and_sees_only_its_own(site):
    status, headers, data = site.call("POST", f"/api/rounds/{ROUND}/feedback", "NL", {"items": [
        {"paragraph": "4", "comment": "Say who reviews it."},
        {"paragraph": "2", "comment": "Clearer.", "proposed": "A new wording."}]})
    assert status == 201, data
    assert [(i["id"], i["kind"], i["target"]) for i in data["items"]] == [("NL-1", "comment", "4"), ("NL-2", "edit", "2")]
    assert git(site.ws, "log", "-1", "--format=%an <%ae>").strip() == "Netherlands Section <nl@example.org>"
    status, headers, data = site.call("GET", f"/api/rounds/{ROUND}", "NL")
    assert status == 200 and data["role"] == "NL" and [s["id"] for s in data["sections"]] == ["NL"]
    assert [i["id"] for i in data["items"]] == ["NL-1", "NL-2"] and data["items"][0]["decision"] is None
    status, _, data = site.call("GET", f"/api/rounds/{ROUND}", "FR")
    assert status == 200 and data["items"] == [] and [s["id"] for s in data["sections"]] == ["FR"]
    status, _, data = site.call("GET", f"/api/rounds/{ROUND}", "editor")
    assert status == 200 and len(data["items"]) == 2 and [s["id"] for s in data["sections"]] == ["NL", "FR", "ZA"]
    rounds = json.loads(site.ws.run("round", "status", ROUND, "--json").stdout)
    assert "NL-2" in json.dumps(rounds)


def test_the_section_is_the_tokens_never_one_named_in_the_request(site):
    status, _, data = site.call("POST", f"/api/rounds/{ROUND}/feedback", "FR",
                                {"section": "NL", "items": [{"paragraph": "General", "comment": "From France."}]})
    assert status == 201 and data["section"] == "FR" and data["items"][0]["id"] == "FR-1"
    status, _, data = site.call("POST", f"/api/rounds/{ROUND}/feedback", "FR",
                                {"items": [{"paragraph": "4", "comment": "x", "section": "NL"}]})
    assert status == 400 and data["error"] == "item 1: give only paragraph, comment and proposed"
    status, _, data = site.call("POST", f"/api/rounds/{ROUND}/feedback", "editor",
                                {"items": [{"paragraph": "4", "comment": "as an editor"}]})
    assert status == 403


def test_unknown_revoked_and_other_rounds_tokens_get_the_same_401(site):
    answers = []
    for path, token in ((f"/api/rounds/{ROUND}", None), (f"/api/rounds/{ROUND}", "pa_guess"),
                        ("/api/rounds/no-such-round", site.tokens["NL"]),
                        ("/api/rounds/no-such-round", "pa_guess")):
        status, headers, data = site.call("GET", path, token=token)
        answers.append((status, json.dumps(data)))
        assert headers["www-authenticate"].startswith("Bearer")
    assert all(answer == answers[0] for answer in answers) and answers[0][0] == 401
    assert site.ws.run("round", "invite", ROUND, "--section", "ZA", "--revoke").code == 0
    status, _, data = site.call("POST", f"/api/rounds/{ROUND}/feedback", "ZA",
                                {"items": [{"paragraph": "4", "comment": "late"}]})
    assert (status, json.dumps(data)) == answers[0]
    _, _, seen = site.call("GET", f"/api/rounds/{ROUND}", "editor")
    assert seen["items"] == [] and not any(s["responded"] for s in seen["sections"])


def test_every_response_forbids_loading_framing_and_sniffing_and_the_host_is_checked(site):
    for method, path, who in (("GET", f"/api/rounds/{ROUND}", "NL"), ("GET", "/nothing-here", None),
                              ("GET", f"/api/rounds/{ROUND}", None)):
        _, headers, _ = site.call(method, path, who)
        assert headers["content-security-policy"].startswith("default-src 'none'")
        assert headers["x-content-type-options"] == "nosniff" and headers["x-frame-options"] == "DENY"
        assert headers["referrer-policy"] == "no-referrer"
    status, _, _ = site.call("GET", f"/api/rounds/{ROUND}", "NL", host="evil.example.org")
    assert status == 400


def test_bodies_are_capped_and_checked_and_bad_items_record_nothing(site):
    head = git(site.ws, "rev-parse", "HEAD")
    big = {"items": [{"paragraph": "4", "comment": "x" * 40_000}] * 8}
    status, _, data = site.call("POST", f"/api/rounds/{ROUND}/feedback", "NL", big)
    assert status == 413 and "bytes" in data["error"]
    status, _, data = site.call("POST", f"/api/rounds/{ROUND}/feedback", "NL", raw=b"\xff{not json")
    assert status == 400 and data["error"].startswith("the body is not JSON")
    status, _, data = site.call("POST", f"/api/rounds/{ROUND}/feedback", "NL", {"items": [
        {"paragraph": "4", "comment": "fine"}, {"paragraph": "99", "comment": "no such paragraph"}]})
    assert status == 422 and data["problems"][0].startswith("item:2: paragraph 99 does not exist")
    assert git(site.ws, "rev-parse", "HEAD") == head


def test_injection_strings_come_back_as_data(site):
    items = [{"paragraph": "General", "comment": attack} for attack in ATTACKS]
    status, headers, data = site.call("POST", f"/api/rounds/{ROUND}/feedback", "NL", {"items": items})
    assert status == 201 and headers["content-type"] == "application/json"
    _, _, seen = site.call("GET", f"/api/rounds/{ROUND}", "NL")
    assert [i["comment"] for i in seen["items"]] == ATTACKS


def test_ten_sections_sending_at_once_lose_nothing_and_number_without_gaps(site):
    start = threading.Barrier(10)
    results: list = []

    def send(number: int) -> None:
        who = ("NL", "FR", "ZA")[number % 3]
        start.wait()
        results.append(site.call("POST", f"/api/rounds/{ROUND}/feedback", who,
                                 {"items": [{"paragraph": "4", "comment": f"comment {number}"}]}))

    threads = [threading.Thread(target=send, args=(n,)) for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(status for status, _, _ in results) == [201] * 10
    _, _, data = site.call("GET", f"/api/rounds/{ROUND}", "editor")
    for section, sent in (("NL", 4), ("FR", 3), ("ZA", 3)):
        numbers = sorted(int(i["id"].split("-")[1]) for i in data["items"] if i["section"] == section)
        assert numbers == list(range(1, sent + 1))
    assert sorted(i["comment"] for i in data["items"]) == sorted(f"comment {n}" for n in range(10))
