"""Workflows that must never dead-end, and records that must agree with their sources
(issue 13): each test names the item it proves and failed before the fix."""

from __future__ import annotations

import json

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
