"""Workflows that must never dead-end, and records that must agree with their sources
(issue 13): each test names the item it proves and failed before the fix."""

from __future__ import annotations

import json
import subprocess

from conftest import WS
from test_versions import git

SECTIONS = "- {id: NL, name: Netherlands Section, contact: nl@example.org}\n"


def fees(ws) -> None:
    """A one-clause document whose text comes from a template variable, recorded as v1."""
    ws.write("clauses/fee.md", "---\nid: fee\n---\nThe fee is {{ amount }} euros.\n")
    ws.write("templates/fees.yaml", 'title: Fees\nvariables:\n  amount: "10"\nbody:\n  - numbered: [fee]\n')
    git(ws, "add", "-A")
    git(ws, "commit", "-qm", "Sources")
    assert ws.run("assemble", "fees", "-m", "v1").code == 0


def set_default(ws, amount: str) -> None:
    ws.write("templates/fees.yaml", f'title: Fees\nvariables:\n  amount: "{amount}"\nbody:\n  - numbered: [fee]\n')


def test_round_close_assembles_with_the_template_as_it_is_now(ws):
    """Item 1: the close used the base version's variable values."""
    fees(ws)
    ws.write("sections.yaml", SECTIONS)
    assert ws.run("round", "open", "fees", "--name", "R1", "--sections", str(ws.root / "sections.yaml")).code == 0
    (ws.root / "sections.yaml").unlink()
    set_default(ws, "20")
    result = ws.run("round", "close", "r1", "--force")
    assert result.code == 0, result
    assert "The fee is 20 euros." in (ws.root / "versions/fees/fees.md").read_text()
    manifest = json.loads((ws.root / "versions/fees/manifest.json").read_text())
    assert manifest["variables"]["amount"] == "20"
    assert ws.run("verify").code == 0
    assert git(ws, "status", "--porcelain") == ""


def test_round_close_takes_var_like_assemble(ws):
    """Item 1: --var on close."""
    fees(ws)
    ws.write("sections.yaml", SECTIONS)
    assert ws.run("round", "open", "fees", "--name", "R1", "--sections", str(ws.root / "sections.yaml")).code == 0
    (ws.root / "sections.yaml").unlink()
    result = ws.run("round", "close", "r1", "--force", "--var", "amount=35")
    assert result.code == 0, result
    assert "The fee is 35 euros." in (ws.root / "versions/fees/fees.md").read_text()


def test_check_impact_sees_a_changed_variable_default(ws):
    """Item 2: check --impact said "no change" after the template's default changed."""
    fees(ws)
    result = ws.run("check", "--impact", "--json")
    assert [d["changes"] for d in json.loads(result.stdout)] == [False]
    set_default(ws, "20")
    found = json.loads(ws.run("check", "--impact", "--json").stdout)
    assert [(d["document"], d["changes"]) for d in found] == [("fees", True)]
    assert found[0]["summary"]["words_inserted"] == 1 and found[0]["summary"]["words_deleted"] == 1


def nested_template(levels: int) -> str:
    lines, indent = ["title: T", "body:", "  - numbered:"], "  "
    for _ in range(levels):
        indent += "    "
        lines += [f"{indent}- clause: c{_}", f"{indent}  numbered:"]
    return "\n".join(lines + [f"{indent}    - leaf"]) + "\n"


def test_templates_nested_too_deep_get_a_clear_error_not_a_crash(ws):
    """Item 13: 400 nested numbered levels gave RecursionError (exit 70)."""
    for n in range(12):
        ws.write(f"clauses/c{n}.md", f"Clause {n}.\n")
    ws.write("clauses/leaf.md", "Leaf.\n")
    ws.write("templates/deep.yaml", nested_template(400))
    for command in (["check"], ["build", "deep"]):
        result = ws.run(*command)
        assert result.code == 4, result
        said = result.stdout + result.stderr
        assert "templates/deep.yaml:" in said and "nested more than 100 levels" in said
        assert "Traceback" not in said and "internal error" not in said
    ws.write("templates/deep.yaml", nested_template(12))
    result = ws.run("build", "deep")
    assert result.code == 4 and "numbered lists nest at most 9 levels deep" in result.stdout + result.stderr
    ws.write("templates/deep.yaml", nested_template(8))
    assert ws.run("build", "deep").code == 0


def test_a_round_can_be_cancelled_and_a_new_one_opened(ws):
    """Item 5: no command could end a round opened by mistake."""
    fees(ws)
    ws.write("sections.yaml", SECTIONS)
    assert ws.run("round", "open", "fees", "--name", "R1", "--sections", str(ws.root / "sections.yaml")).code == 0
    (ws.root / "sections.yaml").unlink()
    ws.write("nl.md", "## 1\nThe fee is too high.\n")
    assert ws.run("round", "feedback", "r1", "--section", "NL", str(ws.root / "nl.md")).code == 0
    (ws.root / "nl.md").unlink()
    assert json.loads(ws.run("log", "--json").stdout)[-1]["status"] == "in review"
    result = ws.run("round", "cancel", "r1", "-m", "Opened on the wrong version")
    assert result.code == 0, result
    assert "cancelled round 'r1'" in result.stdout
    assert json.loads(ws.run("log", "--json").stdout)[-1]["status"] == "draft"
    record = json.loads((ws.root / "versions/fees/rounds/r1/round.json").read_text())
    assert record["cancelled"]["reason"] == "Opened on the wrong version" and record["closed"] is None
    assert (ws.root / "versions/fees/rounds/r1/feedback/NL.json").is_file()   # the record stays
    subject = git(ws, "log", "-1", "--format=%s%n%(trailers:key=Action,valueonly)").split("\n")
    assert subject[:2] == ["Cancel round 'R1' of fees: Opened on the wrong version", "round-cancel"]
    assert git(ws, "rev-parse", "fees/r1/cancel^{commit}").strip() == git(ws, "rev-parse", "HEAD").strip()
    refused = ws.run("round", "dispose", "r1", "NL-1", "noted")
    assert refused.code == 5 and "was cancelled on" in refused.stderr
    assert ws.run("round", "cancel", "r1").code == 5
    ws.write("sections.yaml", SECTIONS)
    assert ws.run("round", "open", "fees", "--name", "R2", "--sections", str(ws.root / "sections.yaml")).code == 0
    assert ws.run("verify").code == 0


def test_log_and_verify_work_on_a_detached_head_and_log_says_so(example, tmp_path):
    """Item 9: the read-only log and verify refused a detached HEAD; a shallow log must say
    it is partial."""
    git(example, "add", "-A")
    git(example, "commit", "-qm", "Import")
    assert example.run("assemble", "resolution", "-m", "v1").code == 0
    clause = example.root / "clauses/resolution/harm-reduction.md"
    clause.write_text(clause.read_text().replace("principle.", "principle, always."))
    assert example.run("assemble", "resolution", "-m", "v2").code == 0
    git(example, "checkout", "-q", "--detach", "resolution/v1")
    result = example.run("log", "--json")
    assert result.code == 0, result
    assert [v["version"] for v in json.loads(result.stdout)] == [1]
    assert "HEAD is detached at" in result.stderr
    result = example.run("verify")
    assert result.code == 0, result
    assert example.run("assemble", "resolution").code == 5, "recording still needs a branch"
    git(example, "checkout", "-q", "main")
    shallow = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{example.root}", str(shallow)], check=True)
    result = WS(shallow).run("log")
    assert result.code == 0 and "this clone is shallow" in result.stderr


def open_example_round(example) -> None:
    """The example recorded as v1 with round R1 open on it for the Netherlands Section."""
    git(example, "add", "-A")
    git(example, "commit", "-qm", "Import")
    assert example.run("assemble", "resolution", "-m", "v1").code == 0
    example.write("sections.yaml", SECTIONS)
    assert example.run("round", "open", "resolution", "--name", "R1", "--sections",
                       str(example.root / "sections.yaml")).code == 0


def test_an_empty_tracked_insertion_is_no_edit(example, tmp_path):
    """Item 15: the empty w:ins LibreOffice puts around a comment's anchor became a phantom
    edit whose proposal equals the base text."""
    from wordfeedback import WordEdits
    open_example_round(example)
    pack = example.root / "versions/resolution/rounds/r1/pack/resolution-v1.docx"
    word = WordEdits(pack.read_bytes())
    word.comment("The harm reduction principle", "Which principle?")
    word.empty_insertion("The harm reduction principle")
    returned = tmp_path / "nl.docx"
    returned.write_bytes(word.save())
    result = example.run("round", "feedback", "r1", "--section", "NL", str(returned), "--json")
    assert result.code == 0, result
    items = json.loads((example.root / "versions/resolution/rounds/r1/feedback/NL.json").read_text())["items"]
    assert [(i["kind"], i.get("comment")) for i in items] == [("comment", "Which principle?")]


def test_round_apply_names_the_variable_an_edit_touched_and_refuses_comments_as_input(ws):
    """Item 17: "the clause changed since v1" when the edit touched a variable; applying a
    comment or a deletion exited 2 (usage) instead of 4 (invalid input)."""
    fees(ws)
    ws.write("sections.yaml", SECTIONS)
    assert ws.run("round", "open", "fees", "--name", "R1", "--sections", str(ws.root / "sections.yaml")).code == 0
    ws.write("nl.md", "## 1\nProposed: The fee is 12 euros.\n\n## General\nToo expensive.\n")
    assert ws.run("round", "feedback", "r1", "--section", "NL", str(ws.root / "nl.md")).code == 0
    for item in ("NL-1", "NL-2"):
        assert ws.run("round", "dispose", "r1", item, "accepted").code == 0
    result = ws.run("round", "apply", "r1", "NL-1")
    assert result.code == 5, result
    assert "the variable 'amount' (\"10\")" in result.stderr and "clauses/fee.md" in result.stderr
    assert "changed since" not in result.stderr
    result = ws.run("round", "apply", "r1", "NL-2")
    assert result.code == 4, result
    assert "NL-2 is a comment" in result.stderr and "feedback/NL.json" in result.stderr


def test_symbolic_links_out_of_the_workspace_are_refused_for_versions_and_templates(ws, tmp_path):
    """Item 12: a symlinked versions/ let assemble write outside the workspace; a template
    linked from outside was silently ignored."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "t.yaml").write_text("title: Elsewhere\nbody:\n  - numbered: [a]\n")
    ws.write("clauses/a.md", "Text.\n")
    (ws.root / "templates/elsewhere.yaml").symlink_to(outside / "t.yaml")
    result = ws.run("check")
    assert result.code == 4
    assert "templates/elsewhere.yaml: symbolic link to" in result.stdout + result.stderr
    (ws.root / "templates/elsewhere.yaml").unlink()
    ws.write("templates/t.yaml", "title: T\nbody:\n  - numbered: [a]\n")
    import shutil
    shutil.rmtree(ws.root / "versions")
    (ws.root / "versions").symlink_to(outside, target_is_directory=True)
    git(ws, "add", "clauses", "templates")
    git(ws, "commit", "-qm", "Sources")
    head = git(ws, "rev-parse", "HEAD")
    result = ws.run("assemble", "t")
    assert result.code == 5, result
    assert "leads outside the workspace" in result.stderr
    assert sorted(p.name for p in outside.iterdir()) == ["t.yaml"], "nothing written outside"
    assert git(ws, "rev-parse", "HEAD") == head, "nothing committed"


def test_bidi_and_invisible_characters_in_a_returned_docx_are_refused(example, tmp_path):
    """Item 11: refused in Markdown feedback, they reached the record from a DOCX."""
    from wordfeedback import WordEdits
    open_example_round(example)
    head = git(example, "rev-parse", "HEAD")
    pack = example.root / "versions/resolution/rounds/r1/pack/resolution-v1.docx"
    for case, word in (("edit", WordEdits(pack.read_bytes())), ("comment", WordEdits(pack.read_bytes()))):
        if case == "edit":
            word.replace("The harm reduction principle", "principle", "principle\u202e reversed")
        else:
            word.comment("The harm reduction principle", "Looks\u200b fine")
        returned = tmp_path / f"{case}.docx"
        returned.write_bytes(word.save())
        result = example.run("round", "feedback", "r1", "--section", "NL", str(returned))
        assert result.code == 4, result
        assert str(returned) in result.stderr and ("U+202E" in result.stderr or "U+200B" in result.stderr)
        assert git(example, "rev-parse", "HEAD") == head


def test_init_makes_a_first_commit_of_the_workspace(tmp_path):
    """Issue 13, item 4: init made no commit and left its .gitkeep files untracked."""
    from assembler.workspace import Workspace
    Workspace.init(tmp_path / "w")
    ws = WS(tmp_path / "w")
    assert git(ws, "log", "--format=%s").split("\n")[0] == "Create the workspace"
    assert git(ws, "status", "--porcelain") == ""
    assert sorted(git(ws, "ls-files").split()) == ["clauses/.gitkeep", "templates/.gitkeep",
                                                   "templates/reference.docx", "versions/.gitkeep"]


def test_status_says_what_to_know_before_acting(ws, tmp_path):
    """Item 19: one command for documents, unrecorded edits, open rounds and who has not
    answered, and unpushed versions."""
    fees(ws)
    bare = tmp_path / "server.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    git(ws, "remote", "add", "origin", str(bare))
    git(ws, "push", "-q", "-u", "origin", "main", "--tags")
    ws.write("sections.yaml", SECTIONS + "- {id: FR, name: France Section, contact: fr@example.org}\n")
    assert ws.run("round", "open", "fees", "--name", "R1", "--sections", str(ws.root / "sections.yaml"),
                  "--deadline", "2099-01-31").code == 0
    (ws.root / "sections.yaml").unlink()
    ws.write("nl.md", "## 1\nToo expensive.\n")
    assert ws.run("round", "feedback", "r1", "--section", "NL", str(ws.root / "nl.md")).code == 0
    (ws.root / "nl.md").unlink()
    set_default(ws, "20")
    ws.write("clauses/draft.md", "A draft.\n")
    result = ws.run("status", "--json")
    assert result.code == 0, result
    report = json.loads(result.stdout)
    assert [(d["document"], d["latest"], d["status"], d["would_change"]) for d in report["documents"]] == [
        ("fees", 1, "in review", True)]
    assert report["unrecorded"] == [{"path": "clauses/draft.md", "change": "new"},
                                    {"path": "templates/fees.yaml", "change": "modified"}]
    assert [(r["round"], r["not_answered"], r["undecided"]) for r in report["rounds"]] == [("r1", ["FR"], 1)]
    assert report["upstream"] == "origin/main" and report["unpushed"] == []
    text = ws.run("status").stdout
    assert "fees: v1 in review" in text and "not answered: FR" in text and "modified  templates/fees.yaml" in text
    assert ws.run("assemble", "fees", "-m", "v2").code == 0
    report = json.loads(ws.run("status", "--json").stdout)
    assert [(u["document"], u["version"]) for u in report["unpushed"]] == [("fees", 2)]
    assert report["unrecorded"] == []
    assert "not yet pushed to origin/main (assembler sync): fees v2" in ws.run("status").stdout


def test_check_gives_every_problem_a_stable_rule_id(ws):
    """Item 20: check as a gate: each problem carries a rule id from the README's table, in
    the text and in --json; the repository ships a pre-commit hook that runs it."""
    import yaml
    from assembler.errors import RULES
    from conftest import REPO
    broken = {  # one or more problems of most rules
        "clauses/a.md": "---\nid: a\n---\nThe fee is {{ amount }} and {{ bad placeholder }}.\n",
        "clauses/b.md": "---\nid: a\n---\nSecond clause with the same id.\n",
        "clauses/c.md": "---\nid: c\n---\n# A heading\n\nSee {{ ref:nowhere }}.\n",
        "clauses/d.md": "---\nid: d\n---\nHidden\u202ebidi.\n",
        "templates/t.yaml": "title: T\nbody:\n  - numbered: [a, c, missing]\n  - include: other\n",
        "templates/u.yaml": "title: [not, text]\nbody: []\n",
    }
    for path, text in broken.items():
        ws.write(path, text)
    result = ws.run("check", "--json")
    assert result.code == 4
    found = json.loads(result.stdout)
    assert all(p["rule"] in RULES for p in found), found
    rules = {p["rule"] for p in found}
    assert {"PA101", "PA110", "PA121", "PA130", "PA131", "PA150", "PA151", "PA160", "PA161"} <= rules, rules
    text = ws.run("check").stdout
    assert all(line.rstrip().endswith("]") and "[PA1" in line for line in text.splitlines())
    readme = (REPO / "README.md").read_text()
    assert all(f"`{rule}`" in readme for rule in RULES)
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert hooks[0]["id"] == "assembler-check" and hooks[0]["entry"] == "assembler check"


def test_the_disposition_table_shows_each_proposal_as_a_word_diff(example, tmp_path):
    """Item 16: the table cut proposals with "…" before the change and showed raw ** and
    {{ }}; each proposal is now a word diff against the base text, rendered."""
    open_example_round(example)
    long_edit = ("## 12\nProposed: The policy will be fully consistent with Amnesty International's "
                 "positions with respect to consent to sexual activity, including in contexts that "
                 "involve abuse of power or positions of authority, **without exception**.\n")
    example.write("nl.md", long_edit)
    assert example.run("round", "feedback", "r1", "--section", "NL", str(example.root / "nl.md")).code == 0
    assert example.run("round", "dispose", "r1", "NL-1", "rejected", "--note", "Too strong").code == 0
    clause = example.root / "clauses/resolution/harm-reduction.md"
    clause.write_text(clause.read_text().replace("principle.", "principle, always."))
    assert example.run("round", "close", "r1").code == 0
    folder = example.root / "versions/resolution/rounds/r1"
    page = next(folder.glob("redline-v1-v*.html")).read_text()
    row = page[page.index("<td>NL-1</td>"):].split("</tr>", 1)[0]
    assert "<ins>, <strong>without exception</strong></ins>" in row, row
    assert "**" not in row and "…" in row            # long unchanged stretches are cut, not the change
    assert "abuse of power or positions of authority" in row
    csv_text = (folder / "disposition.csv").read_text()
    assert "{+, without exception+}" in csv_text
    from tools import pdftotext
    pdf = " ".join(pdftotext(next(folder.glob("redline-v1-v*.pdf")).read_bytes()).split())
    assert "without exception" in pdf and "**" not in pdf
