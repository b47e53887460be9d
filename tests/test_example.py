"""The bundled example: the resolution assembles word for word, and import reproduces it."""

from __future__ import annotations

import json
import subprocess

from conftest import REPO, SEED, run_cli, words


def seed_paragraph_lines() -> list[str]:
    return [line for line in SEED.read_text(encoding="utf-8").split("\n") if line.strip()]


def test_build_prints_the_resolution_word_for_word_under_its_decision_title(example):
    result = example.run("build", "resolution")
    assert result.code == 0, result
    lines = seed_paragraph_lines()
    assert result.stdout.startswith("# Decision on state obligations to respect, protect, and fulfil")
    expected = " ".join(lines[1:]).split()  # the seed without its first ("Resolution on…") title
    assert words(result.stdout) == expected


def test_the_repository_root_is_itself_a_workspace_holding_the_example():
    result = run_cli("build", "resolution", cwd=REPO)
    assert result.code == 0, result
    assert words(result.stdout) == " ".join(seed_paragraph_lines()[1:]).split()


def test_consideration_ten_is_one_numbered_item(example):
    out = example.run("build", "resolution").stdout
    item = next(line for line in out.splitlines() if line.startswith("10. "))
    assert item.endswith("with respect to Indigenous peoples.")
    assert "\n11. The evidence" in out


def test_json_gives_every_block_its_clause_id_and_git_blob_id(example):
    result = example.run("build", "resolution", "--format", "json")
    data = json.loads(result.stdout)
    clause_list = next(b for b in data["blocks"] if b["type"] == "clause_list")
    ids = [item["id"] for item in clause_list["items"]]
    assert len(ids) == 13 and ids[3] == "harm-reduction"
    assert [item["number"] for item in clause_list["items"]] == [str(n) for n in range(1, 14)]
    harm = clause_list["items"][3]
    git_blob = subprocess.run(["git", "hash-object", harm["origin"]["path"]], cwd=example.root,
                              capture_output=True, text=True, check=True).stdout.strip()
    assert harm["origin"] == {"kind": "clause", "id": "harm-reduction",
                              "path": "clauses/resolution/harm-reduction.md", "blob": git_blob}
    for block in data["blocks"]:
        assert block["origin"]["id"], block


def test_import_of_the_seed_assembles_to_the_same_words(ws):
    result = ws.run("import", str(SEED))
    assert result.code == 0, result
    assert (ws.root / "templates/resolution.yaml").is_file()
    built = ws.run("build", "resolution")
    assert built.code == 0, built
    assert words(built.stdout) == SEED.read_text(encoding="utf-8").split()


def test_import_makes_one_clause_per_numbered_item_with_meaningful_ids(ws):
    ws.run("import", str(SEED))
    listed = json.loads(ws.run("list", "clauses", "--json").stdout)
    ids = {row["id"] for row in listed}
    assert "harm-reduction-principle" in ids
    assert len(ids) == 13 + 3 + 2  # considerations, preamble paragraphs, closing paragraphs
    data = json.loads(ws.run("build", "resolution", "--format", "json").stdout)
    clause_list = next(b for b in data["blocks"] if b["type"] == "clause_list")
    assert len(clause_list["items"]) == 13  # item 10's stray blank line did not split the list
    tenth = clause_list["items"][9]
    assert len(tenth["blocks"]) == 1 and "principles regarding participation" in json.dumps(tenth)


def test_import_refuses_to_overwrite_and_writes_nothing(ws):
    ws.run("import", str(SEED))
    before = ws.snapshot()
    again = ws.run("import", str(SEED))
    assert again.code == 5
    assert "already exists" in again.stderr and "--template" in again.stderr
    assert ws.snapshot() == before


def test_import_of_markdown_keeps_headings_and_emphasis(ws):
    ws.write("draft.md", """
        # Policy on *open* data

        The Board adopts this policy.

        ## Principles

        1. Data is **open** by default.
        2. Personal data is protected, see [the law](https://example.org/law).
        """)
    assert ws.run("import", str(ws.root / "draft.md"), "--template", "open-data").code == 0
    out = ws.run("build", "open-data").stdout
    assert out.startswith("# Policy on *open* data\n")
    assert "## Principles" in out
    assert "1. Data is **open** by default." in out
    assert "[the law](https://example.org/law)" in out


def test_init_example_copies_the_example_and_makes_a_git_repository(tmp_path):
    result = run_cli("init", "--example", str(tmp_path / "new"), cwd=tmp_path)
    assert result.code == 0, result
    assert (tmp_path / "new/.git").is_dir()
    assert (tmp_path / "new/templates/resolution.yaml").is_file()
    assert len(list((tmp_path / "new/clauses").rglob("*.md"))) == 16
    again = run_cli("init", str(tmp_path / "new"), cwd=tmp_path)
    assert again.code == 5 and "not empty" in again.stderr


def test_the_repository_history_holds_the_two_titles_as_versions_and_verifies():
    result = run_cli("log", "resolution", "--json", cwd=REPO)
    assert result.code == 0, result
    rows = json.loads(result.stdout)
    assert [r["version"] for r in rows[:2]] == [1, 2]
    v1 = run_cli("show", "resolution@v1", cwd=REPO).stdout
    v2 = run_cli("show", "resolution@v2", cwd=REPO).stdout
    assert v1.startswith("# Resolution on state obligations to respect protect and fulfil the human")
    assert v2.startswith("# Decision on state obligations to respect, protect, and fulfil the human")
    verified = run_cli("verify", "resolution", cwd=REPO)
    assert verified.code == 0, verified


def test_the_example_workspace_can_record_on_a_machine_without_a_git_identity(tmp_path, monkeypatch):
    for name in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("EMAIL", "")
    made = run_cli("init", "--example", "demo", cwd=tmp_path)
    assert made.code == 0 and "git has no identity configured" in made.stderr
    recorded = run_cli("assemble", "resolution", cwd=tmp_path / "demo")
    assert recorded.code == 0, recorded
    plain = run_cli("init", "plain", cwd=tmp_path)  # a real workspace gets no invented identity
    assert plain.code == 0 and "the new workspace is not committed yet" in plain.stderr
    assert subprocess.run(["git", "rev-parse", "-q", "--verify", "HEAD"], cwd=tmp_path / "plain").returncode != 0
