"""Recording versions: one commit per assembly, provenance, statuses, readers, verify."""

from __future__ import annotations

import hashlib
import json
import subprocess

import pytest


def git(ws, *args, check=True) -> str:
    return subprocess.run(["git", *args], cwd=ws.root, capture_output=True, text=True,
                          check=check).stdout


def commits(ws) -> list[str]:
    return git(ws, "rev-list", "HEAD", check=False).split()


@pytest.fixture
def recorded(example):
    """The example workspace with its sources committed once, like an editor's repository."""
    git(example, "add", "-A")
    git(example, "commit", "-qm", "Import the resolution")
    return example


def test_assemble_makes_exactly_one_commit_with_outputs_manifest_and_sources(recorded):
    before = commits(recorded)
    result = recorded.run("assemble", "resolution", "-m", "Draft for the Council")
    assert result.code == 0, result
    assert result.stdout.startswith("recorded resolution v1 as commit ")
    after = commits(recorded)
    assert after[1:] == before
    files = git(recorded, "show", "--name-only", "--format=", "HEAD").split()
    assert sorted(files) == [f"versions/resolution/{name}" for name in (
        "manifest.json", "resolution.docx", "resolution.html", "resolution.json", "resolution.md",
        "resolution.pdf")]
    message = git(recorded, "log", "-1", "--format=%B")
    assert message.startswith("Draft for the Council\n\n")
    assert "Document: resolution\nVersion: 1\nTemplate: templates/resolution.yaml" in message
    assert git(recorded, "cat-file", "-t", "resolution/v1").strip() == "tag"
    assert git(recorded, "rev-parse", "resolution/v1^{commit}").strip() == after[0]


def test_the_manifest_records_sources_variables_outputs_and_commit_time(recorded):
    recorded.run("assemble", "resolution")
    manifest = json.loads((recorded.root / "versions/resolution/manifest.json").read_text())
    assert manifest["document"] == "resolution" and manifest["version"] == 1
    assert manifest["status"] == "draft"
    tree = {line.split()[3]: line.split()[2] for line in git(recorded, "ls-tree", "-r", "HEAD").splitlines()}
    assert manifest["template"] == {"id": "resolution", "path": "templates/resolution.yaml",
                                    "blob": tree["templates/resolution.yaml"]}
    assert len(manifest["clauses"]) == 16
    for clause in manifest["clauses"]:
        assert tree[clause["path"]] == clause["blob"]
    assert manifest["clauses"][1]["id"] == "preventing-and-redressing-violations"
    assert manifest["variables"] == {"organisation": "Amnesty International"}
    for name, entry in manifest["outputs"].items():
        data = (recorded.root / "versions/resolution" / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
    commit_time = git(recorded, "log", "-1", "--format=%cd", "--date=format-local:%Y-%m-%dT%H:%M:%SZ",
                      ).strip()
    assert manifest["assembled_at"] == commit_time
    assert manifest["tool"]["name"] == "policy-assembler"


def test_uncommitted_clause_edits_used_by_the_assembly_are_committed_with_it(recorded):
    clause = recorded.root / "clauses/resolution/harm-reduction.md"
    clause.write_text(clause.read_text().replace("principle.", "principle, always."))
    recorded.run("assemble", "resolution")
    assert "principle, always." in git(recorded, "show", "HEAD:clauses/resolution/harm-reduction.md")
    assert git(recorded, "status", "--porcelain", "--", "clauses").strip() == ""


def test_files_outside_the_source_folders_are_neither_committed_nor_altered(recorded):
    recorded.write("notes.txt", "staged notes\n")
    git(recorded, "add", "notes.txt")
    recorded.write("notes.txt", "staged notes, then edited\n")
    recorded.write("clauses/drafts/scratch.txt", "not a clause\n")
    readme = recorded.write("README.md", "work in progress\n")
    status_before = git(recorded, "status", "--porcelain")
    staged_before = git(recorded, "diff", "--cached", "--", "notes.txt")
    recorded.run("assemble", "resolution")
    assert git(recorded, "status", "--porcelain") == status_before
    assert git(recorded, "diff", "--cached", "--", "notes.txt") == staged_before
    assert readme.read_text() == "work in progress\n"
    committed = git(recorded, "show", "--name-only", "--format=", "HEAD")
    assert "notes.txt" not in committed and "scratch.txt" not in committed


def test_every_changed_source_is_committed_with_the_version(recorded):
    """Issue 13, item 4: clauses and templates the document does not use were never
    committed, so other clones never got them; a deleted clause stayed in the history's tip."""
    recorded.clause("unused", "Not in any template yet.", folder="clauses/drafts")
    recorded.write("templates/other.yaml", "title: Other\nbody:\n  - numbered: [unused]\n")
    gone = "clauses/resolution/research-evidence.md"
    template = recorded.root / "templates/resolution.yaml"
    template.write_text(template.read_text().replace("      - research-evidence\n", ""))
    (recorded.root / gone).unlink()
    assert recorded.run("assemble", "resolution").code == 0
    changed = git(recorded, "show", "--name-status", "--format=", "HEAD")
    assert "A\tclauses/drafts/unused.md" in changed and "A\ttemplates/other.yaml" in changed
    assert f"D\t{gone}" in changed
    assert git(recorded, "status", "--porcelain", "--", "clauses", "templates") == ""


def test_nothing_changed_records_nothing_unless_forced(recorded):
    recorded.run("assemble", "resolution")
    head = commits(recorded)[0]
    again = recorded.run("assemble", "resolution")
    assert again.code == 0 and "no changes since resolution v1" in again.stdout
    assert commits(recorded)[0] == head
    forced = recorded.run("assemble", "resolution", "--allow-empty", "--json")
    assert json.loads(forced.stdout)["version"] == 2


def test_adopt_records_status_and_a_later_assembly_starts_a_new_draft(recorded):
    recorded.run("assemble", "resolution")
    recorded.run("assemble", "resolution", "--allow-empty")
    result = recorded.run("adopt", "resolution", "v2")
    assert result.code == 0, result
    assert "Status: adopted" in git(recorded, "log", "-1", "--format=%B")
    statuses = {v["version"]: v["status"] for v in json.loads(recorded.run("log", "--json").stdout)}
    assert statuses == {1: "superseded", 2: "adopted"}
    recorded.run("assemble", "resolution", "--allow-empty")
    statuses = {v["version"]: v["status"] for v in json.loads(recorded.run("log", "--json").stdout)}
    assert statuses == {1: "superseded", 2: "adopted", 3: "draft"}
    assert recorded.run("adopt", "resolution", "v2").code == 5
    old = recorded.run("adopt", "resolution", "v1")
    assert old.code == 5 and "adopted versions are final" in old.stderr


def test_log_lists_versions_with_their_details_even_without_tags(recorded):
    recorded.run("assemble", "resolution", "-m", "First")
    recorded.run("assemble", "resolution", "-m", "Second", "--allow-empty")
    rows = json.loads(recorded.run("log", "resolution", "--json").stdout)
    assert [(r["version"], r["message"], r["tag"]) for r in rows] == [
        (1, "First", "resolution/v1"), (2, "Second", "resolution/v2")]
    assert rows[0]["author"] == "Test Editor" and len(rows[0]["commit"]) == 40
    git(recorded, "tag", "-d", "resolution/v1", "resolution/v2")
    rows = json.loads(recorded.run("log", "--json").stdout)
    assert [(r["version"], r["tag"]) for r in rows] == [(1, None), (2, None)]
    assert recorded.run("show", "resolution@v1").code == 0


def test_a_missing_tag_is_recreated_by_the_next_assembly(recorded):
    recorded.run("assemble", "resolution")
    git(recorded, "tag", "-d", "resolution/v1")
    recorded.run("assemble", "resolution", "--allow-empty")
    assert git(recorded, "tag", "--list").split() == ["resolution/v1", "resolution/v2"]


def test_show_prints_any_version_exactly_as_committed(recorded, tmp_path):
    recorded.run("assemble", "resolution")
    v1_md = git(recorded, "show", "resolution/v1:versions/resolution/resolution.md")
    template = recorded.root / "templates/resolution.yaml"
    template.write_text(template.read_text().replace("Decision on", "Resolution on"))
    recorded.run("assemble", "resolution")
    shown = recorded.run("show", "resolution@v1")
    assert shown.stdout == v1_md
    assert recorded.run("show", "resolution@latest").stdout.startswith("# Resolution on")
    target = tmp_path / "v1.json"
    assert recorded.run("show", "resolution@v1", "--format", "json", "-o", str(target)).code == 0
    assert target.read_bytes() == (
        subprocess.run(["git", "show", "resolution/v1:versions/resolution/resolution.json"],
                       cwd=recorded.root, capture_output=True, check=True).stdout)


@pytest.mark.parametrize("ref", ["--output=/tmp/x", "resolution@v1..v2", "resolution@HEAD@{1}",
                                 "resolution@-v1", "../x@v1", "resolution@v0"])
def test_labels_that_look_like_options_or_rev_expressions_are_refused(recorded, ref, tmp_path):
    recorded.run("assemble", "resolution")
    before = recorded.snapshot()
    result = recorded.run("show", "--", ref) if ref.startswith("-") else recorded.run("show", ref)
    assert result.code == 2, result
    assert "not a version" in result.stderr
    assert recorded.snapshot() == before
    assert not (tmp_path / "x").exists()


def test_unknown_documents_and_versions_are_not_found(recorded):
    recorded.run("assemble", "resolution")
    missing = recorded.run("show", "resolutoin@v1")
    assert missing.code == 3 and "did you mean 'resolution'" in missing.stderr
    assert "has no version v7; it has v1 to v1" in recorded.run("show", "resolution@v7").stderr
    assert recorded.run("log", "nothing").code == 3


def test_verify_passes_on_a_fresh_history(recorded):
    recorded.run("assemble", "resolution")
    recorded.run("assemble", "resolution", "--allow-empty")
    result = recorded.run("verify")
    assert result.code == 0, result
    assert "2 versions checked, all ok" in result.stdout
    report = json.loads(recorded.run("verify", "--json").stdout)
    assert report["ok"] and report["fsck"]["ok"] and len(report["versions"]) == 2


def test_verify_fails_naming_the_file_when_an_archived_output_is_altered_later(recorded):
    recorded.run("assemble", "resolution")
    output = recorded.root / "versions/resolution/resolution.md"
    output.write_text(output.read_text().replace("harm reduction", "harm elimination"))
    git(recorded, "commit", "-qam", "Quietly edit the archived text")
    result = recorded.run("verify")
    assert result.code == 1
    assert "versions/resolution/resolution.md: altered after resolution v1" in result.stdout


def test_verify_fails_when_a_manifest_hash_is_edited(recorded):
    recorded.run("assemble", "resolution")
    path = recorded.root / "versions/resolution/manifest.json"
    manifest = json.loads(path.read_text())
    manifest["outputs"]["resolution.md"]["sha256"] = "0" * 64
    path.write_text(json.dumps(manifest, indent=2) + "\n")
    git(recorded, "commit", "-qam", "Edit the manifest")
    result = recorded.run("verify", "--json")
    assert result.code == 1
    report = json.loads(result.stdout)
    assert any("versions/resolution/manifest.json: altered after resolution v1" in p
               for p in report["problems"])


def test_verify_fails_when_a_version_commit_itself_was_rewritten(recorded):
    recorded.run("assemble", "resolution")
    path = recorded.root / "versions/resolution/resolution.md"
    path.write_text(path.read_text() + "\nAn extra sentence.\n")
    git(recorded, "commit", "-q", "--amend", "--no-edit", "-a")
    result = recorded.run("verify")
    assert result.code == 1
    assert "versions/resolution/resolution.md: SHA-256" in result.stdout
    assert "tag resolution/v1 points at" in result.stdout


def test_the_same_version_built_twice_is_byte_identical(tmp_path, monkeypatch):
    from assembler.workspace import Workspace
    from conftest import WS
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    heads = []
    for name in ("one", "two"):
        Workspace.init(tmp_path / name, example=True)
        ws = WS(tmp_path / name)
        assert ws.run("assemble", "resolution").code == 0
        heads.append(git(ws, "rev-parse", "HEAD").strip())
    for name in ("manifest.json", "resolution.md", "resolution.json", "resolution.html",
                 "resolution.docx", "resolution.pdf"):
        a = (tmp_path / "one/versions/resolution" / name).read_bytes()
        assert a == (tmp_path / "two/versions/resolution" / name).read_bytes()
    assert heads[0] == heads[1]  # same sources, time and author: the very same commit
    manifest = json.loads((tmp_path / "one/versions/resolution/manifest.json").read_text())
    assert manifest["assembled_at"] == "2023-11-14T22:13:20Z"


def test_adopting_an_unknown_document_lists_the_documents_that_exist(recorded):
    recorded.run("assemble", "resolution")
    result = recorded.run("adopt", "nodoc", "v1")
    assert result.code == 3 and "documents with versions: resolution" in result.stderr


def test_assembling_after_git_gc_still_knows_the_recorded_outputs(recorded):
    """Outputs whose blobs git has packed (after gc, or in any clone) are recorded, not edits."""
    assert recorded.run("assemble", "resolution").code == 0
    git(recorded, "gc", "-q")
    assert not list((recorded.root / ".git/objects").glob("??/*")), "every object is packed"
    clause = next((recorded.root / "clauses").rglob("*.md"))
    clause.write_text(clause.read_text().replace(".", ", packed.", 1))
    result = recorded.run("assemble", "resolution")
    assert result.code == 0, result
