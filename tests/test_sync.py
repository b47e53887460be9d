"""Working across clones through a bare repository as the server (file and git daemon
transports): version numbers become final when pushed, local versions are re-assembled on
top of the remote's, nothing is forced, nothing is lost."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assembler.workspace import Workspace
from conftest import WS
from test_versions import git


@pytest.fixture
def server(tmp_path):
    """A bare repository holding the example with v1, refusing non-fast-forward updates."""
    seed = seeded(tmp_path).root
    bare = tmp_path / "server.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(seed), str(bare)], check=True)
    subprocess.run(["git", "-C", str(bare), "config", "receive.denyNonFastForwards", "true"], check=True)
    subprocess.run(["git", "-C", str(bare), "config", "receive.denyDeletes", "true"], check=True)
    return bare


def seeded(tmp_path) -> WS:
    """The example as a workspace at tmp_path/seed with v1 recorded."""
    ws = WS(tmp_path / "seed")
    Workspace.init(ws.root, example=True)
    git(ws, "add", "-A")
    git(ws, "commit", "-qm", "Import the example")
    assert ws.run("assemble", "resolution", "-m", "First draft").code == 0
    return ws


def clone(tmp_path, url, name) -> WS:
    result = WS(tmp_path).run("clone", str(url), name)
    assert result.code == 0, result
    return WS(tmp_path / name)


def edit(ws: WS, clause: str, old: str, new: str) -> None:
    path = ws.root / "clauses/resolution" / f"{clause}.md"
    path.write_text(path.read_text().replace(old, new, 1))


def versions_on(bare: Path) -> list[tuple[int, str]]:
    """(version, commit) of every version on the server's main, from the trailers."""
    out = subprocess.run(["git", "-C", str(bare), "log", "--format=%H%x1f%(trailers:key=Version,valueonly)", "main"],
                         capture_output=True, text=True, check=True).stdout
    found = []
    for line in out.splitlines():
        commit, _, number = line.partition("\x1f")
        if number.strip():
            found.append((int(number.strip()), commit))
    return sorted(found)


def test_two_editors_get_distinct_numbers_and_the_later_one_is_told(server, tmp_path):
    a, b = clone(tmp_path, server, "a"), clone(tmp_path, server, "b")
    edit(a, "harm-reduction", "principle.", "principle, as A wrote.")
    edit(b, "trafficking", "prevent and combat", "prevent, investigate and combat")
    assert a.run("assemble", "resolution", "-m", "A's draft").code == 0
    assert b.run("assemble", "resolution", "-m", "B's draft").code == 0
    assert a.run("sync").code == 0
    result = b.run("sync")
    assert result.code == 0, result
    assert "note: your resolution v2 is now resolution v3, after the versions origin already had" in result.stderr
    assert a.run("sync").code == 0
    assert [n for n, _ in versions_on(server)] == [1, 2, 3]
    for ws in (a, b):
        log = json.loads(ws.run("log", "--json").stdout)
        assert [(v["version"], v["message"]) for v in log] == [
            (1, "First draft"), (2, "A's draft"), (3, "B's draft")]
        assert ws.run("verify").code == 0
        assert git(ws, "status", "--porcelain") == ""
    text = (a.root / "versions/resolution/resolution.md").read_text()
    assert "as A wrote" in text and "investigate" in text, "v3 holds both editors' edits"
    tags = subprocess.run(["git", "-C", str(server), "tag", "-l"], capture_output=True, text=True).stdout.split()
    assert tags == ["resolution/v1", "resolution/v2", "resolution/v3"]


def conflicted(server, tmp_path):
    """Clones a and b; both edited the same sentence of harm-reduction, a synced first, b
    has assembled its v2 and not synced."""
    a, b = clone(tmp_path, server, "a"), clone(tmp_path, server, "b")
    edit(a, "harm-reduction", "principle.", "principle, as A wrote.")
    edit(b, "harm-reduction", "principle.", "principle, as B wrote.")
    edit(b, "trafficking", "prevent and combat", "prevent, investigate and combat")
    assert a.run("assemble", "resolution", "-m", "A's draft").code == 0 and a.run("sync").code == 0
    assert b.run("assemble", "resolution", "-m", "B's draft").code == 0
    return a, b


CLAUSE = "clauses/resolution/harm-reduction.md"


def test_a_clause_conflict_stops_in_a_merge_state_that_continue_finishes(server, tmp_path):
    a, b = conflicted(server, tmp_path)
    result = b.run("sync")
    assert result.code == 5 and result.stderr.startswith(
        f"error: CONFLICT: you and 'origin' both edited {CLAUSE}."), result
    assert "assembler sync --continue" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    text = (b.root / CLAUSE).read_text()
    assert "<<<<<<< yours (not pushed)" in text and "as B wrote" in text and "as A wrote" in text
    assert "investigate" in (b.root / "clauses/resolution/trafficking.md").read_text(), "clean parts merged"
    assert git(b, "status", "--porcelain", "--", CLAUSE).startswith("UU"), "plain git sees the conflict"
    assert [n for n, _ in versions_on(server)] == [1, 2], "nothing pushed"
    # every recording command refuses until the merge is finished
    refused = b.run("assemble", "resolution")
    assert refused.code == 5 and "sync merge" in refused.stderr, refused
    assert b.run("sync").code == 5
    status = b.run("status").stdout
    assert status.startswith("in progress: a sync merge (resolve the conflicts"), status
    assert f"{CLAUSE}:" in status and "unresolved merge conflict" in status and "[PA102]" in status
    # markers left: refused with the place
    early = b.run("sync", "--continue")
    assert early.code == 5 and f"{CLAUSE} line" in early.stderr and "conflict marker" in early.stderr, early
    resolved = re.sub(r"<<<<<<< .*?\n(.*?)=======\n.*?>>>>>>> .*?\n",
                      lambda m: m.group(1).replace("as B wrote", "as A and B agreed"), text, flags=re.S)
    (b.root / CLAUSE).write_text(resolved)
    done = b.run("sync", "--continue")
    assert done.code == 0, done
    assert "note: your resolution v2 is now resolution v3" in done.stderr
    assert [n for n, _ in versions_on(server)] == [1, 2, 3]
    log = json.loads(b.run("log", "--json").stdout)
    assert [(v["version"], v["message"]) for v in log] == [
        (1, "First draft"), (2, "A's draft"), (3, "B's draft")]
    v3 = (b.root / "versions/resolution/resolution.md").read_text()
    assert "as A and B agreed" in v3 and "investigate" in v3 and "<<<<<<<" not in v3
    assert b.run("verify").code == 0 and git(b, "status", "--porcelain") == ""
    assert git(b, "for-each-ref", "refs/assembler/") == "" and b.run("sync", "--abort").code == 2
    assert a.run("sync").code == 0 and "as A and B agreed" in (a.root / CLAUSE).read_text()


def test_abort_puts_everything_back_as_before_the_sync(server, tmp_path):
    a, b = conflicted(server, tmp_path)
    before = (git(b, "rev-parse", "HEAD"), git(b, "tag", "-l"), b.snapshot())
    assert b.run("sync").code == 5
    (b.root / CLAUSE).write_text("half-resolved\n")
    result = b.run("sync", "--abort")
    assert result.code == 0 and "sync aborted" in result.stdout, result
    assert (git(b, "rev-parse", "HEAD"), git(b, "tag", "-l")) == before[:2]
    after = {k: v for k, v in b.snapshot().items() if not k.startswith(".git/")}
    assert after == {k: v for k, v in before[2].items() if not k.startswith(".git/")}
    assert git(b, "status", "--porcelain") == "" and git(b, "worktree", "list").count("\n") == 1
    assert b.run("assemble", "resolution", "--allow-empty").code == 0, "recording works again"


def test_a_conflict_under_a_commit_that_cannot_be_carried_changes_nothing(server, tmp_path):
    a, b = conflicted(server, tmp_path)
    assert b.run("adopt", "resolution", "v2").code == 0
    before = (git(b, "rev-parse", "HEAD"), git(b, "tag", "-l"), b.snapshot())
    result = b.run("sync")
    assert result.code == 5 and "conflict with the remote's edits" in result.stderr, result
    assert "is not an assembly or a source edit" in result.stderr and "nothing was changed" in result.stderr
    assert (git(b, "rev-parse", "HEAD"), git(b, "tag", "-l")) == before[:2]
    after = {k: v for k, v in b.snapshot().items() if not k.startswith(".git/")}
    assert after == {k: v for k, v in before[2].items() if not k.startswith(".git/")}
    assert git(b, "worktree", "list").count("\n") == 1, "the temporary worktree is gone"


def test_an_unreachable_remote_is_one_line_and_changes_nothing(server, tmp_path):
    a = clone(tmp_path, server, "a")
    git(a, "remote", "set-url", "origin", str(tmp_path / "nowhere.git"))
    edit(a, "harm-reduction", "principle.", "principle, offline.")
    assert a.run("assemble", "resolution").code == 0
    head = git(a, "rev-parse", "HEAD")
    result = a.run("sync")
    assert result.code == 5 and result.stderr.startswith("error: cannot fetch from 'origin'")
    assert len(result.stderr.strip().splitlines()) == 1 and git(a, "rev-parse", "HEAD") == head
    assert a.run("sync", "upstream").code == 2


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


LOOP = """
import subprocess, sys
from pathlib import Path
root, clause, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
path = root / "clauses/resolution" / f"{clause}.md"
for n in range(count):
    path.write_text(path.read_text().replace(".\\n", f" ({root.name} {n}).\\n", 1))
    for args in (["assemble", "resolution", "-m", f"{root.name} {n}"], ["sync"]):
        proc = subprocess.run([sys.executable, "-m", "assembler", "-C", str(root), *args],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            sys.exit(f"{root.name} {n} {args[0]}: {proc.stderr}")
"""


def test_three_clones_assembling_in_parallel_give_gap_free_versions(server, tmp_path):
    """3 clones x 20 assemblies, each followed by sync, at the same time: 61 versions on the
    server (v1 and 60 more), numbers gap-free, every tag on the commit whose manifest names
    its version, no forced update, fsck clean everywhere, verify passing on every clone."""
    port = free_port()
    daemon = subprocess.Popen(["git", "daemon", "--reuseaddr", "--export-all", "--enable=receive-pack",
                               f"--base-path={tmp_path}", "--listen=127.0.0.1", f"--port={port}",
                               str(tmp_path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(50):
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        clones = [clone(tmp_path, server, "a"), clone(tmp_path, f"file://{server}", "b"),
                  clone(tmp_path, f"git://127.0.0.1:{port}/server.git", "c")]
        count = int(os.environ.get("SYNC_ASSEMBLIES", "20"))
        script = tmp_path / "loop.py"
        script.write_text(LOOP)
        clauses = ["harm-reduction", "trafficking", "gender-equality"]
        procs = [subprocess.Popen([sys.executable, str(script), str(ws.root), clause, str(count)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for ws, clause in zip(clones, clauses)]
        for proc in procs:
            _out, err = proc.communicate(timeout=900)
            assert proc.returncode == 0, err
        for ws in clones:   # everyone ends with everything
            assert ws.run("sync").code == 0
    finally:
        daemon.terminate()
        daemon.wait()
    found = versions_on(server)
    assert [n for n, _ in found] == list(range(1, 3 * count + 2))
    tags = dict(line.split() for line in subprocess.run(
        ["git", "-C", str(server), "for-each-ref", "--format=%(refname:strip=2) %(*objectname)", "refs/tags"],
        capture_output=True, text=True, check=True).stdout.splitlines())
    for number, commit in found:
        assert tags[f"resolution/v{number}"] == commit
        manifest = json.loads(subprocess.run(["git", "-C", str(server), "show",
                                              f"{commit}:versions/resolution/manifest.json"],
                                             capture_output=True, check=True).stdout)
        assert manifest["version"] == number
    for repo in [server] + [ws.root for ws in clones]:
        fsck = subprocess.run(["git", "-C", str(repo), "fsck", "--strict", "--no-dangling"],
                              capture_output=True, text=True)
        assert fsck.returncode == 0, fsck.stderr
    for ws in clones:
        assert git(ws, "rev-parse", "HEAD") == git(ws, "rev-parse", "origin/main")
        result = ws.run("verify")
        assert result.code == 0, result.stdout[-2000:]
    text = (clones[0].root / "versions/resolution/resolution.md").read_text()
    assert all(f"({ws.root.name} {count - 1})" in text for ws in clones), "every clone's last edit is in"


def test_a_sections_review_branch_pushed_from_its_clone_is_listed_and_applied_in_another(server, tmp_path):
    editor, section = clone(tmp_path, server, "editor"), clone(tmp_path, server, "nl")
    (tmp_path / "sections.yaml").write_text("- id: NL\n  name: Netherlands Section\n  contact: nl@example.org\n")
    assert editor.run("round", "open", "resolution", "--name", "Review 1", "--sections",
                      str(tmp_path / "sections.yaml")).code == 0
    assert editor.run("sync").code == 0
    assert section.run("sync").code == 0
    feedback = tmp_path / "nl.md"
    feedback.write_text("## 4\nProposed: The harm reduction principle, in every context.\n")
    result = section.run("round", "feedback", "review-1", "--section", "NL", str(feedback), "--branch")
    assert result.code == 0, result
    assert "recorded on branch review/review-1/NL and pushed it to origin" in result.stderr
    assert git(section, "rev-parse", "HEAD") == git(section, "rev-parse", "origin/main"), \
        "the Section's own branch, not main, holds the feedback"
    heads = subprocess.run(["git", "-C", str(server), "for-each-ref", "--format=%(refname)", "refs/heads"],
                           capture_output=True, text=True).stdout.split()
    assert heads == ["refs/heads/main", "refs/heads/review/review-1/NL"]

    assert editor.run("sync").code == 0
    status = editor.run("round", "status", "review-1")
    assert "1 item(s) on review branch origin/review/review-1/NL" in status.stdout, status
    assert editor.run("round", "dispose", "review-1", "NL-1", "accepted").code == 0
    tree = git(editor, "ls-tree", "-r", "--name-only", "HEAD")
    assert "versions/resolution/rounds/review-1/feedback/NL.json" in tree, "the decision brings the feedback in"
    result = editor.run("round", "apply", "review-1", "NL-1")
    assert result.code == 0, result
    assert "in every context" in (editor.root / "clauses/resolution/harm-reduction.md").read_text()
    assert editor.run("round", "close", "review-1").code == 0
    assert editor.run("sync").code == 0 and section.run("sync").code == 0
    for ws in (editor, section):
        assert ws.run("verify").code == 0
        assert "in every context" in (ws.root / "versions/resolution/resolution.md").read_text()


def test_a_push_the_server_refuses_is_one_line_and_keeps_the_local_commits(server, tmp_path):
    hook = server / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'pushes are closed for the holidays' >&2\nexit 1\n")
    hook.chmod(0o755)
    a = clone(tmp_path, server, "a")
    edit(a, "harm-reduction", "principle.", "principle, refused.")
    assert a.run("assemble", "resolution").code == 0
    head, tags = git(a, "rev-parse", "HEAD"), git(a, "tag", "-l")
    result = a.run("sync")
    assert result.code == 5, result
    assert result.stderr.startswith("error: 'origin' refused the push")
    assert len(result.stderr.strip().splitlines()) == 1
    assert (git(a, "rev-parse", "HEAD"), git(a, "tag", "-l")) == (head, tags)
    assert [n for n, _ in versions_on(server)] == [1]


def test_sync_clears_what_a_killed_sync_left_behind(server, tmp_path):
    a = clone(tmp_path, server, "a")
    git(a, "worktree", "add", "-q", "-b", "assembler-sync-deadbeef", str(tmp_path / "stale"), "HEAD")
    assert a.run("sync").code == 0
    assert git(a, "branch", "--format=%(refname:short)").split() == ["main"]
    assert git(a, "worktree", "list").count("\n") == 1


def test_a_remote_rewritten_by_a_force_push_is_refused_with_nothing_changed(server, tmp_path):
    a, other = clone(tmp_path, server, "a"), clone(tmp_path, server, "other")
    edit(a, "harm-reduction", "principle.", "principle, pushed.")
    assert a.run("assemble", "resolution").code == 0 and a.run("sync").code == 0
    subprocess.run(["git", "-C", str(server), "config", "receive.denyNonFastForwards", "false"], check=True)
    git(other, "commit", "-q", "--allow-empty", "-m", "Someone else's history")
    git(other, "push", "-q", "--force", "origin", "main")
    edit(a, "trafficking", "prevent and combat", "prevent, later, and combat")
    assert a.run("assemble", "resolution").code == 0
    before = (git(a, "rev-parse", "HEAD"), git(a, "tag", "-l"), git(a, "rev-parse", "origin/main"))
    result = a.run("sync")
    assert result.code == 5 and "was rewritten or deleted since you last synced" in result.stderr
    assert (git(a, "rev-parse", "HEAD"), git(a, "tag", "-l"), git(a, "rev-parse", "origin/main")) == before


def test_sync_keeps_staged_and_unstaged_edits_to_files_it_does_not_change(server, tmp_path):
    a, b = clone(tmp_path, server, "a"), clone(tmp_path, server, "b")
    edit(a, "harm-reduction", "principle.", "principle, from A.")
    assert a.run("assemble", "resolution").code == 0 and a.run("sync").code == 0
    edit(b, "trafficking", "prevent and combat", "prevent, from B, and combat")
    assert b.run("assemble", "resolution").code == 0
    b.write("staged.txt", "staged\n")
    git(b, "add", "staged.txt")
    edit(b, "gender-equality", "gender equality", "gender  equality")
    b.write("untracked.txt", "mine\n")
    status = git(b, "status", "--porcelain")
    result = b.run("sync")
    assert result.code == 0, result
    assert git(b, "status", "--porcelain") == status
    assert git(b, "log", "-1", "--format=%s") == "Assemble resolution v3\n", "the renumbered version says v3"


def test_a_plain_git_pull_without_tags_then_assemble_still_syncs(server, tmp_path):
    """Issue 13.7: assemble re-made the tag of a version it had not recorded (a new tag object
    for the same commit), and every later fetch refused to clobber it, silently."""
    a, b = clone(tmp_path, server, "a"), clone(tmp_path, server, "b")
    edit(a, "harm-reduction", "principle.", "principle, as A wrote.")
    assert a.run("assemble", "resolution", "-m", "A's draft").code == 0
    assert a.run("sync").code == 0                       # the server has v2 and its tag
    git(b, "pull", "-q", "--no-tags", "origin", "main")  # v2 arrives without its tag
    edit(b, "trafficking", "prevent and combat", "prevent, investigate and combat")
    assert b.run("assemble", "resolution", "-m", "B's draft").code == 0
    assert "resolution/v2" not in git(b, "tag", "--list").split(), "assemble mints no tag it did not record"
    result = b.run("sync")
    assert result.code == 0, result
    assert [n for n, _ in versions_on(server)] == [1, 2, 3]
    server_tags = subprocess.run(["git", "-C", str(server), "show-ref", "--tags"], capture_output=True,
                                 text=True, check=True).stdout
    assert dict(line.split()[::-1] for line in git(b, "show-ref", "--tags").splitlines()) == \
        dict(line.split()[::-1] for line in server_tags.splitlines())
    assert b.run("verify").code == 0


def test_a_local_tag_that_names_another_commit_is_named_with_gits_reason(server, tmp_path):
    """Issue 13.7: a fetch that git refuses says why, never "no reason given"."""
    a, b = clone(tmp_path, server, "a"), clone(tmp_path, server, "b")
    edit(a, "harm-reduction", "principle.", "principle, as A wrote.")
    assert a.run("assemble", "resolution", "-m", "A's draft").code == 0
    assert a.run("sync").code == 0
    git(b, "tag", "-a", "-m", "not v2", "resolution/v2", "HEAD")  # v1's commit, by hand
    before = git(b, "show-ref")
    result = b.run("sync")
    assert result.code == 5, result
    assert "no reason given" not in result.stderr
    assert "resolution/v2" in result.stderr and "git tag -d resolution/v2" in result.stderr
    assert git(b, "show-ref") == before


def test_a_local_tag_for_the_same_commit_becomes_the_remotes_tag(server, tmp_path):
    """Issue 13.7: a tag an older toolkit made after a plain git pull (same commit, another
    tag object) no longer blocks every fetch: the remote's tag replaces it."""
    a, b = clone(tmp_path, server, "a"), clone(tmp_path, server, "b")
    edit(a, "harm-reduction", "principle.", "principle, as A wrote.")
    assert a.run("assemble", "resolution", "-m", "A's draft").code == 0
    assert a.run("sync").code == 0
    git(b, "pull", "-q", "--no-tags", "origin", "main")
    git(b, "tag", "-a", "-m", "resolution v2", "resolution/v2", "HEAD")
    result = b.run("sync")
    assert result.code == 0, result
    theirs = subprocess.run(["git", "-C", str(server), "rev-parse", "refs/tags/resolution/v2"],
                            capture_output=True, text=True, check=True).stdout
    assert git(b, "rev-parse", "refs/tags/resolution/v2") == theirs
    assert "refs/assembler/" not in git(b, "show-ref")


def test_clone_of_a_plain_bare_server_checks_out_the_branch_with_the_versions(tmp_path):
    """Issue 13, item 8: a server made with 'git init --bare' names master as HEAD; the
    workspace pushed main; clone said "cloned" and left an empty folder."""
    ws = seeded(tmp_path)
    bare = tmp_path / "plain.git"
    subprocess.run(["git", "init", "-q", "--bare", "--initial-branch=master", str(bare)], check=True)
    git(ws, "push", "-q", str(bare), "main", "--tags")
    result = WS(tmp_path).run("clone", str(bare), "copy")
    assert result.code == 0, result
    copy = WS(tmp_path / "copy")
    assert (copy.root / "versions/resolution/resolution.md").is_file()
    assert git(copy, "symbolic-ref", "--short", "HEAD").strip() == "main"
    assert [v["version"] for v in json.loads(copy.run("log", "--json").stdout)] == [1]
    empty = tmp_path / "empty.git"
    subprocess.run(["git", "init", "-q", "--bare", str(empty)], check=True)
    result = WS(tmp_path).run("clone", str(empty), "nothing")
    assert result.code == 5 and "holds no commits yet" in result.stderr
    assert not (tmp_path / "nothing").exists()


def test_the_audit_trail_includes_feedback_recorded_on_a_review_branch(server, tmp_path):
    """Issue 13, item 18: the audit timeline and items left out feedback recorded with --branch."""
    editor, section = clone(tmp_path, server, "editor"), clone(tmp_path, server, "nl")
    (tmp_path / "sections.yaml").write_text("- id: NL\n  name: Netherlands Section\n  contact: nl@example.org\n")
    assert editor.run("round", "open", "resolution", "--name", "Review 1", "--sections",
                      str(tmp_path / "sections.yaml")).code == 0
    assert editor.run("sync").code == 0 and section.run("sync").code == 0
    feedback = tmp_path / "nl.md"
    feedback.write_text("## 4\nToo vague.\n")
    assert section.run("round", "feedback", "review-1", "--section", "NL", str(feedback), "--branch").code == 0
    assert editor.run("sync").code == 0
    assert editor.run("audit", "resolution", "--json", str(tmp_path / "audit.json")).code == 0
    trail = json.loads((tmp_path / "audit.json").read_text())
    received = [e for e in trail["timeline"] if e["event"] == "feedback received"]
    assert [(e["round"], e["author"]) for e in received] == [("review-1", "Netherlands Section")]
    assert "review branch" in received[0]["detail"]
    assert [(i["item"], i["decision"]) for i in trail["items"]] == [("NL-1", "undecided")]


# ---------------------------------------------------------------- a real smart-HTTP server

LIGHTTPD_CONF = """server.modules = ("mod_alias", "mod_setenv", "mod_auth", "mod_authn_file", "mod_cgi")
server.document-root = "{root}"
server.bind = "127.0.0.1"
server.port = {port}
server.errorlog = "{root}/error.log"
alias.url = ( "/git" => "{backend}" )
$HTTP["url"] =~ "^/git" {{
  cgi.assign = ( "" => "" )
  setenv.set-environment = ( "GIT_PROJECT_ROOT" => "{root}/repos", "GIT_HTTP_EXPORT_ALL" => "" )
  auth.backend = "plain"
  auth.backend.plain.userfile = "{root}/users"
  auth.require = ( "" => ( "method" => "basic", "realm" => "policy", "require" => "valid-user" ) )
}}
"""


@pytest.fixture
def http_server(server, tmp_path, monkeypatch):
    """The bare server behind git http-backend in lighttpd on 127.0.0.1 with basic
    authentication (user editor, password s3cret): (base URL without credentials, stop())."""
    from tools import require
    lighttpd = require("lighttpd")
    backend = Path(subprocess.run(["git", "--exec-path"], capture_output=True, text=True,
                                  check=True).stdout.strip()) / "git-http-backend"
    root = tmp_path / "http"
    (root / "repos").mkdir(parents=True)
    subprocess.run(["cp", "-r", str(server), str(root / "repos" / "policy.git")], check=True)
    subprocess.run(["git", "-C", str(root / "repos" / "policy.git"), "config", "http.receivepack", "true"],
                   check=True)
    (root / "users").write_text("editor:s3cret\n")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    (root / "lighttpd.conf").write_text(LIGHTTPD_CONF.format(root=root, port=port, backend=backend))
    monkeypatch.setenv("GIT_TERMINAL_PROMPT", "0")   # a wrong password fails, never prompts
    proc = subprocess.Popen([lighttpd, "-D", "-f", str(root / "lighttpd.conf")])
    for _ in range(100):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.05)

    def stop():
        proc.terminate()
        proc.wait(timeout=10)

    yield f"http://127.0.0.1:{port}/git/policy.git", stop
    if proc.poll() is None:
        stop()


def with_credentials(url: str, password: str) -> str:
    return url.replace("http://", f"http://editor:{password}@", 1)


def test_clone_assemble_and_sync_through_an_authenticated_http_server(http_server, tmp_path):
    url, _stop = http_server
    a = clone(tmp_path, with_credentials(url, "s3cret"), "a")
    edit(a, "harm-reduction", "principle.", "principle, over HTTP.")
    assert a.run("assemble", "resolution", "-m", "Over HTTP").code == 0
    result = a.run("sync")
    assert result.code == 0, result
    b = clone(tmp_path, with_credentials(url, "s3cret"), "b")
    assert [v["version"] for v in json.loads(b.run("log", "--json").stdout)] == [1, 2]
    assert "over HTTP" in (b.root / "versions/resolution/resolution.md").read_text()


def test_a_wrong_password_and_a_server_that_is_down_are_one_line_each(http_server, tmp_path):
    url, stop = http_server
    result = WS(tmp_path).run("clone", with_credentials(url, "wrong"), "nope")
    assert result.code == 5 and len(result.stderr.strip().splitlines()) == 1, result
    assert "Authentication failed" in result.stderr and not (tmp_path / "nope").exists()
    a = clone(tmp_path, with_credentials(url, "s3cret"), "a")
    edit(a, "harm-reduction", "principle.", "principle, kept here.")
    assert a.run("assemble", "resolution").code == 0
    before = (git(a, "rev-parse", "HEAD"), git(a, "tag", "--list"), git(a, "status", "--porcelain"))
    git(a, "remote", "set-url", "origin", with_credentials(url, "wrong"))
    result = a.run("sync")
    assert result.code == 5 and len(result.stderr.strip().splitlines()) == 1, result
    assert "Authentication failed" in result.stderr
    git(a, "remote", "set-url", "origin", with_credentials(url, "s3cret"))
    stop()
    result = a.run("sync")
    assert result.code == 5 and len(result.stderr.strip().splitlines()) == 1, result
    assert "cannot fetch from 'origin'" in result.stderr and "no reason given" not in result.stderr
    assert (git(a, "rev-parse", "HEAD"), git(a, "tag", "--list"), git(a, "status", "--porcelain")) == before


def test_a_push_refused_over_http_is_one_line_and_keeps_the_local_version(http_server, tmp_path):
    url, _stop = http_server
    a = clone(tmp_path, with_credentials(url, "s3cret"), "a")
    hook = tmp_path / "http" / "repos" / "policy.git" / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'the policy is frozen until the Council meets' >&2\nexit 1\n")
    hook.chmod(0o755)
    edit(a, "harm-reduction", "principle.", "principle, refused.")
    assert a.run("assemble", "resolution").code == 0
    head = git(a, "rev-parse", "HEAD")
    result = a.run("sync")
    assert result.code == 5 and len(result.stderr.strip().splitlines()) == 1, result
    assert "refused the push" in result.stderr and "frozen until the Council meets" in result.stderr
    assert git(a, "rev-parse", "HEAD") == head and "resolution/v2" in git(a, "tag", "--list")
