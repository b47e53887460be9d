"""The archivist's tools on a history built by the tool itself: 31 versions and three review
rounds, with a known edit script, so blame can be checked sentence by sentence; clause
history and where-used; the audit trail; BagIt export; and verify against tampering."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from assembler.archive.bagexport import validate
from conftest import WS
from test_versions import git
from tools import pdftotext, require

SECTIONS = "- id: NL\n  name: Netherlands Section\n  contact: nl@example.org\n- id: FR\n  name: France Section\n"
TEMPLATE = """\
id: policy
title: Policy on archives
body:
  - numbered:
      - alpha
      - beta
      - gamma
  - clause: closing
"""
START = {"alpha": ["Alpha one stands.", "Alpha two stands."],
         "beta": ["Beta one stands.", "Beta two stands."],
         "gamma": ["Gamma one stands."],
         "closing": ["The closing words stand."]}


class History:
    """Builds versions with known edits and remembers, per sentence, who introduced it."""

    def __init__(self, ws: WS):
        self.ws = ws
        self.text = {k: list(v) for k, v in START.items()}
        self.since: dict[tuple[str, int], int] = {}
        self.version = 0

    def write(self, clause: str) -> None:
        self.ws.clause(clause, " ".join(self.text[clause]), folder="clauses", title=clause.title())

    def edit(self, clause: str, index: int, sentence: str) -> None:
        self.text[clause][index] = sentence
        self.write(clause)

    def assemble(self, epoch: int) -> None:
        os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
        result = self.ws.run("assemble", "policy", "-m", f"Version {self.version + 1}")
        assert result.code == 0, result
        self.version += 1
        seen = getattr(self, "_last", {})
        now = {}
        for clause, sentences in self.text.items():
            for i, s in enumerate(sentences):
                key = (clause, s)
                now[key] = seen.get(key, self.version)
        self._last = now

    def expected(self) -> dict[tuple[str, str], int]:
        return dict(self._last)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The history, built once: 31 versions, three rounds; returns (path, History)."""
    mp = pytest.MonkeyPatch()
    for key, value in {"GIT_AUTHOR_NAME": "Test Editor", "GIT_AUTHOR_EMAIL": "editor@example.org",
                       "GIT_COMMITTER_NAME": "Test Editor", "GIT_COMMITTER_EMAIL": "editor@example.org",
                       "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}.items():
        mp.setenv(key, value)
    from assembler.workspace import Workspace
    root = tmp_path_factory.mktemp("archive") / "ws"
    Workspace.init(root)
    ws = WS(root)
    ws.write("templates/policy.yaml", TEMPLATE)
    h = History(ws)
    for clause in START:
        h.write(clause)
    epoch = 1790000000
    edits = {
        2: ("alpha", 0, "Alpha one was changed."),        # changed …
        5: ("beta", 1, "Beta two grew longer here."),
        6: ("alpha", 0, "Alpha one stands."),             # … reverted …
        10: ("gamma", 0, "Gamma one moved on."),
        12: ("alpha", 0, "Alpha one changed again."),     # … and changed again
        15: ("closing", 0, "The closing words changed."),
        18: ("alpha", 1, "Alpha two is new."),
        22: ("gamma", 0, "Gamma one stands."),
        26: ("closing", 0, "The closing words changed twice."),
        29: ("beta", 0, "Beta one at last."),
    }
    rounds = {8: ("Round A", "beta", 1, "Beta two was rewritten by NL."),
              16: ("Round B", "gamma", 0, "Gamma one as FR saw it."),
              24: ("Round C", "alpha", 1, "Alpha two as NL proposed.")}
    ws.write("../sections.yaml", SECTIONS)
    for n in range(1, 32):
        if n - 1 in rounds:   # the version before was the base of a round: close it with this one
            name, clause, index, proposed = rounds[n - 1]
            section = "NL" if name != "Round B" else "FR"
            number = {"alpha": "1", "beta": "2", "gamma": "3"}[clause]
            sentences = list(h.text[clause])
            sentences[index] = proposed
            feedback = ws.write("../fb.md", f"## {number}\nProposed: {' '.join(sentences)}\n\n## General\nThanks.\n")
            round_id = name.lower().replace(" ", "-")
            assert ws.run("round", "feedback", round_id, "--section", section, str(feedback)).code == 0
            assert ws.run("round", "dispose", round_id, f"{section}-1", "accepted").code == 0
            assert ws.run("round", "dispose", round_id, f"{section}-2", "noted").code == 0
            assert ws.run("round", "apply", round_id, f"{section}-1").code == 0
            h.text[clause][index] = proposed
            os.environ["SOURCE_DATE_EPOCH"] = str(epoch + n * 3600)
            assert ws.run("round", "close", round_id).code == 0
            h.version += 1
            seen = h._last
            h._last = {(c, s): seen.get((c, s), h.version) for c, ss in h.text.items() for s in ss}
            continue
        if n in edits:
            h.edit(*edits[n])
        elif n > 1:
            h.edit("gamma", 0, h.text["gamma"][0])   # nothing changed: record anyway below
        if n == 1 or n in edits:
            h.assemble(epoch + n * 3600)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = str(epoch + n * 3600)
            assert ws.run("assemble", "policy", "--allow-empty", "-m", f"Version {n}").code == 0
            h.version += 1
        if n in rounds:
            name = rounds[n][0]
            assert ws.run("round", "open", "policy", "--name", name, "--sections",
                          str(root.parent / "sections.yaml")).code == 0
    os.environ.pop("SOURCE_DATE_EPOCH", None)
    mp.undo()
    return root, h


@pytest.fixture
def history_ws(built, tmp_path):
    """A fresh copy of the built history (tests may tamper with it)."""
    root, h = built
    copy = tmp_path / "ws"
    shutil.copytree(root, copy, symlinks=True)
    return WS(copy), h


def test_the_history_has_31_versions_and_three_closed_rounds(history_ws):
    ws, h = history_ws
    log = json.loads(ws.run("log", "policy", "--json").stdout)
    assert [v["version"] for v in log] == list(range(1, 32)) and h.version == 31
    assert [v["round"] for v in log if v["round"]] == ["round-a", "round-b", "round-c"]


def test_blame_names_the_version_that_introduced_each_sentence(history_ws):
    ws, h = history_ws
    result = ws.run("blame", "policy", "--json")
    assert result.code == 0, result
    lines = json.loads(result.stdout)["lines"]
    got = {(line["clause"], line["text"]): line["version"] for line in lines if line["clause"]}
    assert got == h.expected()
    # changed (v2), reverted (v6), changed again (v12): blamed on the last change
    assert got[("alpha", "Alpha one changed again.")] == 12
    by_text = {line["text"]: line for line in lines}
    assert by_text["Beta two was rewritten by NL."]["round"] == "round-a"
    assert by_text["Beta two was rewritten by NL."]["items"] == ["NL-1"]
    at_v20 = json.loads(ws.run("blame", "policy@v20", "--json").stdout)["lines"]
    gamma = next(line for line in at_v20 if line["text"] == "Gamma one as FR saw it.")
    assert (gamma["version"], gamma["round"], gamma["items"]) == (17, "round-b", ["FR-1"])


def test_blame_of_an_earlier_version_sees_the_reverted_sentence_from_its_revert(history_ws):
    ws, _h = history_ws
    lines = json.loads(ws.run("blame", "policy@v8", "--json").stdout)["lines"]
    by_text = {line["text"]: line["version"] for line in lines}
    assert by_text["Alpha one stands."] == 6 and by_text["Beta two grew longer here."] == 5
    assert by_text["Policy on archives"] == 1


def test_clause_history_lists_every_change_and_where_the_clause_is_used(history_ws):
    ws, _h = history_ws
    data = json.loads(ws.run("history", "alpha", "--json").stdout)
    diffs = [" ".join(t for k, t in change["diff"] if k == "+").strip() for change in data["changes"]]
    assert diffs[1:5] == ["was changed", "stands", "changed again", "is new"]
    assert data["templates"] == ["policy"] and len(data["versions"]) == 31
    refused = ws.run("history", "alpah")
    assert refused.code == 3 and "did you mean 'alpha'" in refused.stderr


def test_check_impact_lists_the_document_a_pending_edit_would_change(history_ws):
    ws, _h = history_ws
    assert "policy: no change since v31" in ws.run("check", "--impact").stdout
    ws.clause("beta", "Beta one at last. Beta two, edited.", folder="clauses", title="Beta")
    out = ws.run("check", "--impact").stdout
    assert "policy: would change since v31" in out and "2. Beta [beta]: modified" in out


def test_the_audit_trail_holds_every_step(history_ws, tmp_path):
    ws, _h = history_ws
    result = ws.run("audit", "policy", "--json", str(tmp_path / "a.json"), "--csv",
                    str(tmp_path / "a.csv"), "--pdf", str(tmp_path / "a.pdf"))
    assert result.code == 0, result
    trail = json.loads((tmp_path / "a.json").read_text())
    assert len(trail["versions"]) == 31 and len(trail["rounds"]) == 3 and len(trail["items"]) == 6
    events = [e["event"] for e in trail["timeline"]]
    assert events.count("round opened") == 3 and events.count("round closed, version recorded") == 3
    assert events.count("feedback received") == 3 and events.count("decision recorded") == 6
    assert (tmp_path / "a.csv").read_text().count("\n") == len(trail["timeline"]) + 1
    text = " ".join(pdftotext((tmp_path / "a.pdf").read_bytes()).split())
    assert "Audit trail: policy" in text and "Timeline" in text and "Feedback and decisions" in text


def test_the_bagit_export_validates_with_the_bagit_library(history_ws, tmp_path):
    ws, _h = history_ws
    bag = tmp_path / "bag"
    result = ws.run("export", "policy", "v30", "v31", "--bagit", str(bag))
    assert result.code == 0, result
    assert validate(bag) == (True, "valid")
    names = {p.relative_to(bag).as_posix() for p in bag.rglob("*") if p.is_file()}
    assert {"data/versions/v31/policy.pdf", "data/versions/v31/manifest.json",
            "data/audit/policy-audit.pdf", "manifest-sha256.txt", "manifest-sha512.txt",
            "data/rounds/round-c/disposition.csv"} <= names
    (bag / "data/versions/v31/policy.md").write_text("altered")
    assert validate(bag)[0] is False
    again = ws.run("export", "policy", "--bagit", str(bag))
    assert again.code == 5 and "already exists" in again.stderr


# ---------------------------------------------------------------- tampering

def commit_change(ws, files: dict, message: str = "Edit by hand\n") -> str:
    """A commit on top of main that replaces (bytes) or deletes (None) files, by plumbing."""
    env = {**os.environ, "GIT_INDEX_FILE": str(ws.root / ".git" / "tamper-index")}
    run = lambda *a, **k: subprocess.run(["git", *a], cwd=ws.root, env=env, check=True,  # noqa: E731
                                         capture_output=True, **k).stdout
    run("read-tree", "HEAD")
    for path, data in files.items():
        if data is None:
            run("update-index", "--remove", "--force-remove", path)
        else:
            blob = run("hash-object", "-w", "--stdin", input=data).decode().strip()
            run("update-index", "--add", "--cacheinfo", f"100644,{blob},{path}")
    tree = run("write-tree").decode().strip()
    commit = run("commit-tree", tree, "-p", "HEAD", input=message.encode()).decode().strip()
    run("update-ref", "refs/heads/main", commit)
    return commit


def at(ws, rev: str, path: str) -> bytes:
    return subprocess.run(["git", "show", f"{rev}:{path}"], cwd=ws.root, capture_output=True,
                          check=True).stdout


V = "versions/policy"


def _forged_version(ws, mutate) -> None:
    """A commit dressed as version 32, its manifest altered by ``mutate``."""
    manifest = json.loads(at(ws, "HEAD", f"{V}/manifest.json"))
    manifest["version"] = 32
    files = mutate(manifest) or {}
    files[f"{V}/manifest.json"] = (json.dumps(manifest, indent=2) + "\n").encode()
    commit_change(ws, files, "Forged\n\nDocument: policy\nVersion: 32\nAction: assemble\n")


def _bidi_clause(ws):
    def mutate(manifest):
        data = at(ws, "HEAD", "clauses/beta.md").replace(b"Beta one", "Beta \u202eone".encode())
        blob = subprocess.run(["git", "hash-object", "-w", "--stdin"], cwd=ws.root, input=data,
                              capture_output=True, check=True).stdout.decode().strip()
        for entry in manifest["clauses"]:
            if entry["id"] == "beta":
                entry["blob"] = blob
        return {"clauses/beta.md": data}
    _forged_version(ws, mutate)


def _corrupt_object(ws):
    blob = git(ws, "rev-parse", f"policy/v3:{V}/policy.pdf").strip()
    path = ws.root / ".git" / "objects" / blob[:2] / blob[2:]
    path.chmod(0o644)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def _drop_version(ws):
    """Rewrite the history without version 30: version 31's tree and message, on version 29."""
    message = git(ws, "log", "-1", "--format=%B", "HEAD")
    v29 = git(ws, "rev-parse", "policy/v29^{commit}").strip()
    new = subprocess.run(["git", "commit-tree", "HEAD^{tree}", "-p", v29], cwd=ws.root, input=message,
                         capture_output=True, text=True, check=True).stdout.strip()
    git(ws, "update-ref", "refs/heads/main", new)


TAMPER = {
    "pdf altered later": (lambda ws: commit_change(ws, {f"{V}/policy.pdf": b"%PDF forged"}), f"{V}/policy.pdf: altered"),
    "docx altered later": (lambda ws: commit_change(ws, {f"{V}/policy.docx": b"PK forged"}), f"{V}/policy.docx: altered"),
    "html altered later": (lambda ws: commit_change(ws, {f"{V}/policy.html": b"<p>forged"}), f"{V}/policy.html: altered"),
    "markdown altered later": (lambda ws: commit_change(ws, {f"{V}/policy.md": b"# forged\n"}), f"{V}/policy.md: altered"),
    "json altered later": (lambda ws: commit_change(ws, {f"{V}/policy.json": b"{}"}), f"{V}/policy.json: altered"),
    "pdf deleted later": (lambda ws: commit_change(ws, {f"{V}/policy.pdf": None}), f"{V}/policy.pdf: deleted"),
    "manifest hash edited": (lambda ws: commit_change(ws, {f"{V}/manifest.json": at(ws, "HEAD", f"{V}/manifest.json").replace(b'"sha256": "', b'"sha256": "0', 1)}), f"{V}/manifest.json: altered"),
    "version tag moved": (lambda ws: git(ws, "tag", "-f", "-a", "-m", "moved", "policy/v3", "policy/v4^{commit}"), "tag policy/v3 points at"),
    "round tag moved": (lambda ws: git(ws, "tag", "-f", "-a", "-m", "moved", "policy/round-a/open", "policy/v2^{commit}"), "tag policy/round-a/open points at"),
    "version deleted from history": (_drop_version, "v30 missing"),
    "history rewritten after tagging": (_drop_version, "tag policy/v31 points at"),
    "loose object corrupted": (_corrupt_object, "git fsck: FAILED"),
    "bidi character in a clause": (_bidi_clause, "clauses/beta.md:4:6: Unicode bidirectional control character U+202E"),
    "forged version with wrong output hash": (lambda ws: _forged_version(ws, lambda mf: mf["outputs"]["policy.pdf"].update(sha256="0" * 64)), f"{V}/policy.pdf: SHA-256"),
    "forged version naming a clause blob not in its tree": (lambda ws: _forged_version(ws, lambda mf: mf["clauses"][0].update(blob="1" * 40)), "clauses/alpha.md: blob"),
    "forged version with edited variables": (lambda ws: _forged_version(ws, lambda mf: mf.update(variables={"x": "y"})), "policy v32"),
    "forged version whose manifest names another version": (lambda ws: commit_change(ws, {}, "Forged\n\nDocument: policy\nVersion: 32\nAction: assemble\n"), "names policy v31, but the commit records policy v32"),
    "review pack altered": (lambda ws: commit_change(ws, {f"{V}/rounds/round-a/pack/policy-v8.pdf": b"%PDF forged"}), f"{V}/rounds/round-a/pack/policy-v8.pdf: SHA-256 differs"),
    "feedback file altered": (lambda ws: commit_change(ws, {f"{V}/rounds/round-b/feedback/FR-1.md": b"## 3\nSomething else.\n"}), f"{V}/rounds/round-b/feedback/FR-1.md: altered"),
    "disposition table deleted": (lambda ws: commit_change(ws, {f"{V}/rounds/round-c/disposition.csv": None}), f"{V}/rounds/round-c/disposition.csv: missing"),
    "round redline altered": (lambda ws: commit_change(ws, {f"{V}/rounds/round-b/redline-v16-v17.pdf": b"%PDF forged"}), f"{V}/rounds/round-b/redline-v16-v17.pdf: SHA-256 differs"),
    "sources digest edited in a forged version": (lambda ws: _forged_version(ws, lambda mf: mf.update(sources_digest="000000000000")), "sources digest 000000000000"),
}


def test_the_untouched_history_verifies_alike_in_one_process_or_several(history_ws):
    ws, _h = history_ws
    result = ws.run("verify", "--json", "--jobs", "1")
    assert result.code == 0, result
    report = json.loads(result.stdout)
    assert report["ok"] and len(report["versions"]) == 31 and report["fsck"]["ok"]
    parallel = ws.run("verify", "--json", "--jobs", "3")
    assert parallel.code == 0 and json.loads(parallel.stdout) == report


@pytest.mark.parametrize("case", sorted(TAMPER))
def test_verify_detects_tampering_and_names_what(history_ws, case):
    ws, _h = history_ws
    tamper, needle = TAMPER[case]
    tamper(ws)
    result = ws.run("verify", "--jobs", "2")
    assert result.code == 1, result
    assert needle in result.stdout, result.stdout[-1500:]


def test_verify_refuses_a_shallow_clone_and_says_what_to_run(history_ws, tmp_path):
    ws, _h = history_ws
    shallow = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "3", f"file://{ws.root}", str(shallow)], check=True)
    result = WS(shallow).run("verify")
    assert result.code == 5 and "git fetch --unshallow" in result.stderr
    assert WS(shallow).run("blame", "policy").code == 5


def test_signed_workspaces_get_their_signatures_checked(example, tmp_path):
    """With commit.gpgsign and tag.gpgSign set (an SSH key here), versions are signed through
    git, verify checks the signatures, and an unsigned commit dressed as a version is named."""
    require("ssh-keygen")  # .ci/run installs it: fails in CI, skips elsewhere
    key = tmp_path / "key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    signers = tmp_path / "allowed"
    signers.write_text(f"editor@example.org {(tmp_path / 'key.pub').read_text()}")
    for name, value in (("gpg.format", "ssh"), ("user.signingkey", str(key)),
                        ("gpg.ssh.allowedSignersFile", str(signers)), ("commit.gpgsign", "true"),
                        ("tag.gpgSign", "true")):
        git(example, "config", name, value)
    git(example, "add", "-A")
    git(example, "commit", "-qm", "Import the example")
    assert example.run("assemble", "resolution").code == 0
    assert "Good" in subprocess.run(["git", "verify-commit", "resolution/v1^{commit}"], cwd=example.root,
                                    capture_output=True, text=True).stderr
    assert example.run("verify").code == 0
    manifest = json.loads(at(example, "HEAD", "versions/resolution/manifest.json"))
    manifest["version"] = 2
    commit_change(example, {"versions/resolution/manifest.json": (json.dumps(manifest) + "\n").encode()},
                  "Forged\n\nDocument: resolution\nVersion: 2\nAction: assemble\n")
    result = example.run("verify")
    assert result.code == 1 and "has no valid signature, but the workspace signs commits" in result.stdout
