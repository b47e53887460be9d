"""Personal review links (``round invite``) and feedback sent as items rather than as a file
(``Review.submit``, what the review site and its JSON API record)."""

from __future__ import annotations

import json
import stat
import threading

import pytest
import test_rounds
from test_versions import git

from assembler.errors import InvalidInput
from assembler.review.invites import InviteBook
from assembler.review.workflow import Review
from assembler.workspace import Workspace

ROUND = test_rounds.ROUND
in_review = test_rounds.in_review   # the fixture: the example with a round open for NL, FR and ZA


def links(ws, *args: str) -> dict:
    result = ws.run("round", "invite", ROUND, "--json", *args)
    assert result.code == 0, result
    return json.loads(result.stdout)


def book(ws) -> InviteBook:
    return InviteBook(ws.root / ".git")


def test_each_section_gets_a_link_whose_token_is_kept_only_as_a_hash_outside_the_history(in_review):
    data = links(in_review)
    assert [row["role"] for row in data["links"]] == ["NL", "FR", "ZA"]
    tokens = [row["token"] for row in data["links"]]
    assert len(set(tokens)) == 3 and all(len(t) >= 3 + 32 for t in tokens)   # 192 random bits
    assert data["links"][0]["link"] == f"http://127.0.0.1:8000/s/{tokens[0]}"
    for token, role in zip(tokens, ("NL", "FR", "ZA")):
        holder = book(in_review).holder(token)
        assert holder and (holder.document, holder.round, holder.role) == ("resolution", ROUND, role)
    stored = (in_review.root / ".git/assembler/invites.json")
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert not any(t in stored.read_text() for t in tokens)               # hashes only
    history = git(in_review, "log", "--all", "-p", "--format=%B")
    assert not any(t in history for t in tokens) and "invites.json" not in history
    assert git(in_review, "status", "--porcelain") == ""                  # nothing to commit


def test_a_new_link_replaces_the_old_and_a_revoked_link_stops_working(in_review):
    old = links(in_review, "--section", "nl")["links"][0]["token"]
    new = links(in_review, "--section", "NL")["links"][0]["token"]
    assert book(in_review).holder(old) is None and book(in_review).holder(new).role == "NL"
    result = in_review.run("round", "invite", ROUND, "--section", "NL", "--revoke")
    assert result.code == 0 and "revoked the link of Netherlands Section (NL)" in result.stdout
    assert book(in_review).holder(new) is None
    again = in_review.run("round", "invite", ROUND, "--section", "NL", "--revoke")
    assert again.code == 2 and again.stderr == ("error: Netherlands Section has no link to round "
                                                f"'{ROUND}' to revoke\n")
    editor = links(in_review, "--editor")["links"]
    assert [(row["role"], row["name"]) for row in editor] == [("editor", "Editors")]
    assert book(in_review).holder(editor[0]["token"]).is_editor


def test_bad_invitations_are_one_clear_line(in_review):
    result = in_review.run("round", "invite", ROUND, "--section", "DE")
    assert result.code == 2 and result.stderr.startswith("error: Section 'DE' was not invited to round")
    result = in_review.run("round", "invite", ROUND, "--section", "NL", "--editor")
    assert result.code == 2 and result.stderr == "error: give --editor or --section, not both\n"
    result = in_review.run("round", "invite", "no-such-round")
    assert result.code != 0 and result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert not (in_review.root / ".git/assembler/invites.json").exists()
    for token in ("", "pa_", "pa_" + "x" * 200, "not-a-token"):
        assert book(in_review).holder(token) is None


def test_items_sent_from_the_site_are_recorded_as_feedback_files_are(in_review):
    review = Review(Workspace(in_review.root))
    result = review.submit(ROUND, "NL", [
        {"paragraph": "4", "comment": "Say who reviews it.", "proposed": None},
        {"paragraph": "2", "comment": "Clearer.", "proposed": "The  new\nwording."},
        {"paragraph": "General", "comment": "<script>alert(1)</script> thanks"}])
    assert [(i.id, i.kind, i.target) for i in result.items] == [
        ("NL-1", "comment", "4"), ("NL-2", "edit", "2"), ("NL-3", "comment", "general")]
    assert result.items[1].proposed == "The new wording."
    assert result.items[2].comment == "<script>alert(1)</script> thanks"   # data, kept as written
    log = git(in_review, "log", "-1", "--format=%an <%ae>%n%s%n%b")
    assert log.startswith("Netherlands Section <nl@example.org>\nFeedback from Netherlands Section")
    stored = json.loads((in_review.root / f"versions/resolution/rounds/{ROUND}/feedback/NL-1.json").read_text())
    assert stored["items"][0] == {"comment": "Say who reviews it.", "paragraph": "4", "proposed": None}
    status = json.loads(in_review.run("round", "status", ROUND, "--json").stdout)
    assert "NL-3" in json.dumps(status)
    # a second submission continues the numbers
    more = review.submit(ROUND, "NL", [{"paragraph": "1", "comment": "Also this."}])
    assert [i.id for i in more.items] == ["NL-4"]


def test_a_bad_item_names_it_and_records_nothing(in_review):
    head = git(in_review, "rev-parse", "HEAD")
    review = Review(Workspace(in_review.root))
    with pytest.raises(InvalidInput) as caught:
        review.submit(ROUND, "FR", [{"paragraph": "4", "comment": "fine"},
                                    {"paragraph": "99", "comment": "no such paragraph"},
                                    {"paragraph": "General", "proposed": "text without a clause"}])
    lines = caught.value.lines()
    assert lines[0].startswith("item:2: paragraph 99 does not exist in resolution v2")
    assert lines[1].startswith("item:3: a proposed text needs a clause")
    with pytest.raises(InvalidInput):
        review.submit(ROUND, "FR", [])
    assert git(in_review, "rev-parse", "HEAD") == head


def test_ten_submissions_at_the_same_moment_lose_nothing_and_number_without_gaps(in_review):
    review = Review(Workspace(in_review.root))
    before = int(git(in_review, "rev-list", "--count", "HEAD"))
    start = threading.Barrier(10)
    errors: list[BaseException] = []

    def send(number: int) -> None:
        section = ("NL", "FR", "ZA")[number % 3]
        start.wait()
        try:
            Review(Workspace(in_review.root)).submit(
                ROUND, section, [{"paragraph": "4", "comment": f"comment {number}"},
                                 {"paragraph": "General", "comment": f"general {number}"}])
        except BaseException as exc:   # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=send, args=(n,)) for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    items = review.find(ROUND).items()
    assert len(items) == 20
    for section, sent in (("NL", 4), ("FR", 3), ("ZA", 3)):
        numbers = sorted(int(i.id.split("-")[1]) for i in items if i.section == section)
        assert numbers == list(range(1, 2 * sent + 1))
    comments = sorted(i.comment for i in items)
    assert comments == sorted([f"comment {n}" for n in range(10)] + [f"general {n}" for n in range(10)])
    assert int(git(in_review, "rev-list", "--count", "HEAD")) == before + 10   # one commit each
