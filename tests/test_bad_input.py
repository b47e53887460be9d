"""Bad input gets one clear line per problem naming the file (and line), a distinct exit
code, no traceback, and nothing written."""

from __future__ import annotations

import os

import pytest

from assembler.sources.files import MAX_SOURCE_BYTES

GOOD_TEMPLATE = """
    title: Policy
    variables: {organisation: Example Org}
    body:
      - numbered: [scope, purpose]
    """


def base(ws):
    ws.clause("scope", "This policy applies to {{ organisation }}.")
    ws.clause("purpose", "Its purpose is clear.")
    ws.write("templates/policy.yaml", GOOD_TEMPLATE)


def _template(body: str):
    return lambda ws: ws.write("templates/policy.yaml", body)


def _clause(name: str, text: str | bytes):
    return lambda ws: ws.write(f"clauses/{name}.md", text)


def _symlink_outside(ws):
    os.symlink("/etc/hostname", ws.root / "clauses/outside.md")


CASES = [
    # name, change to the good workspace, exit code, the file named, words the message must hold
    ("unknown clause id", _template("title: P\nbody:\n  - numbered: [scope, purpse]\n"),
     4, "templates/policy.yaml:3", ["unknown clause 'purpse'", "did you mean 'purpose'"]),
    ("duplicate clause ids", lambda ws: ws.clause("copy", "Again.", folder="clauses/sub", id="scope"),
     4, "clauses/sub/copy.md", ["duplicate clause id 'scope'", "clauses/scope.md"]),
    ("undefined variable", _clause("purpose", "Its purpose is {{ organisaton }}.\n"),
     4, "clauses/purpose.md:1:16", ["undefined variable 'organisaton'", "did you mean 'organisation'"]),
    ("cross-reference to a clause not in the document",
     _clause("purpose", "See clause {{ ref:annex }}.\n"),
     4, "clauses/purpose.md:1:12", ["cross-reference to clause 'annex'", "not in this document"]),
    ("reference cycle", lambda ws: (ws.write("templates/a.yaml", "title: A\nbody:\n  - include: policy\n"),
                                    ws.write("templates/policy.yaml", "title: P\nbody:\n  - scope\n  - include: a\n")),
     4, "templates/a.yaml:3", ["include cycle", "policy -> a -> policy"]),
    ("malformed front matter", _clause("purpose", "---\ntitle: [unclosed\n---\nText.\n"),
     4, "clauses/purpose.md:2:8", ["YAML syntax error", "flow sequence"]),
    ("malformed template", _template("title: P\nbody:\n  - numbered: [scope\n  - bad: }\n"),
     4, "templates/policy.yaml:4", ["YAML syntax error"]),
    ("YAML tag", _template("title: !!python/object:os.system echo\nbody: [scope]\n"),
     4, "templates/policy.yaml:1:8", ["YAML tag", "not allowed"]),
    ("duplicate key", _clause("purpose", "---\ntitle: One\ntitle: Two\n---\nText.\n"),
     4, "clauses/purpose.md:3:1", ["duplicate key 'title'", "first at line 2"]),
    ("value of the wrong type", _template("title: NO\nbody: [scope, purpose]\n"),
     4, "templates/policy.yaml:1:8", ["'NO' is read by YAML as the boolean false", 'write it in quotes: "NO"']),
    ("clause path leaving the workspace", _template("title: P\nbody:\n  - clause: ../../etc/passwd\n"),
     4, "templates/policy.yaml:3", ["'../../etc/passwd' leaves the workspace"]),
    ("absolute clause path", _template("title: P\nbody:\n  - clause: /etc/passwd\n"),
     4, "templates/policy.yaml:3", ["'/etc/passwd' leaves the workspace"]),
    ("symlink pointing outside", _symlink_outside,
     4, "clauses/outside.md", ["symbolic link to /etc/hostname leaves clauses/"]),
    ("invalid UTF-8", _clause("purpose", b"Line one.\nCaf\xe9 au lait.\n"),
     4, "clauses/purpose.md:2:4", ["invalid UTF-8", "byte 0xe9"]),
    ("NUL character", _clause("purpose", b"Its\x00 purpose.\n"),
     4, "clauses/purpose.md:1:4", ["control character NUL"]),
    ("control character", _clause("purpose", "Bell\x07 here.\n"),
     4, "clauses/purpose.md:1:5", ["control character U+0007"]),
    ("bidirectional control", _clause("purpose", "Pay \u202eredro\u202c now.\n"),
     4, "clauses/purpose.md:1:5", ["U+202E RIGHT-TO-LEFT OVERRIDE", "CVE-2021-42574", "\\u202e"]),
    ("empty clause", _clause("purpose", "---\ntitle: Purpose\n---\n\n  \n"),
     4, "clauses/purpose.md:4", ["clause has no text"]),
    ("file larger than the limit", _clause("purpose", b"word " * (MAX_SOURCE_BYTES // 5 + 1)),
     4, "clauses/purpose.md", ["over the limit of 1,048,576 bytes"]),
    ("link with a script scheme", _clause("purpose", "A [link](javascript:alert(1)).\n"),
     4, "clauses/purpose.md:1", ["scheme 'javascript:'"]),
    ("malformed placeholder", _clause("purpose", "Its {{ two words }} purpose.\n"),
     4, "clauses/purpose.md:1:5", ["malformed placeholder"]),
    ("heading inside a clause", _clause("purpose", "# A heading\n\nText.\n"),
     4, "clauses/purpose.md:1", ["headings are not allowed in clause text"]),
    ("unknown key in front matter", _clause("purpose", "---\ntittle: Purpose\n---\nText.\n"),
     4, "clauses/purpose.md:2:1", ["unknown key 'tittle'", "did you mean 'title'"]),
]


@pytest.mark.parametrize("name,change,code,where,needles", CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_refused_clearly_and_nothing_is_written(ws, tmp_path, name, change, code,
                                                             where, needles):
    base(ws)
    change(ws)
    before = ws.snapshot()
    target = tmp_path / "out.md"
    result = ws.run("build", "policy", "-o", str(target))
    assert result.code == code, result
    assert "Traceback" not in result.stderr
    error_lines = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert error_lines, result
    line = next((l for l in error_lines if where in l), None)
    assert line is not None, f"no error names {where}: {result.stderr}"
    for needle in needles:
        assert needle in line, line
    assert not target.exists()
    assert ws.snapshot() == before

    checked = ws.run("check")
    assert checked.code == 4, checked
    assert any(where in l for l in checked.stdout.splitlines()), checked
    assert ws.snapshot() == before


def test_check_lists_every_problem_not_just_the_first(ws):
    base(ws)
    ws.clause("purpose", "Uses {{ missing }} and {{ ref:nowhere }}.")
    ws.clause("broken", "---\nid: [x\n---\nText.\n")
    result = ws.run("check")
    assert result.code == 4
    lines = result.stdout.splitlines()
    assert any("clauses/broken.md:2" in l for l in lines)
    assert any("undefined variable 'missing'" in l for l in lines)
    assert any("clause 'nowhere'" in l for l in lines)
    assert "3 problem(s) found" in result.stderr


def test_unknown_template_says_what_exists(ws):
    base(ws)
    result = ws.run("build", "polcy")
    assert result.code == 3
    assert "unknown template 'polcy' (did you mean 'policy'?)" in result.stderr


def test_a_folder_that_is_not_a_workspace(tmp_path):
    from conftest import run_cli
    result = run_cli("build", "policy", cwd=tmp_path)
    assert result.code == 5
    assert result.stderr.startswith(f"error: {tmp_path}: not a Policy Assembler workspace")
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("args,needle", [
    (["--var", "organisation"], "write --var NAME=VALUE"),
    (["--var", "organisaton=X"], "has no variable 'organisaton' (did you mean 'organisation'?)"),
    (["--var", "organisation=a\u202eb"], "U+202E"),
])
def test_bad_variables_on_the_command_line_are_usage_errors(ws, args, needle):
    base(ws)
    result = ws.run("build", "policy", *args)
    assert result.code == 2, result
    assert needle in result.stderr


def test_output_into_a_missing_folder_is_refused(ws, tmp_path):
    base(ws)
    result = ws.run("build", "policy", "-o", str(tmp_path / "missing" / "out.md"))
    assert result.code == 2
    assert "does not exist; create it first" in result.stderr
    assert not (tmp_path / "missing").exists()


def test_debug_shows_a_traceback(ws):
    base(ws)
    from conftest import run_cli
    result = run_cli("--debug", "build", "nothing", cwd=ws.root)
    assert result.code == 3
    assert "Traceback" in result.stderr


def test_bidi_characters_are_shown_escaped_by_check(ws):
    base(ws)
    ws.clause("purpose", "Pay \u2067hidden\u2069 now.")
    out = ws.run("check").stdout
    assert "\\u2067hidden\\u2069" in out
    assert "\u2067" not in out


def test_a_clause_file_that_fails_to_read_is_not_also_reported_as_unknown(ws):
    base(ws)
    ws.clause("purpose", "Pay \u202eredro\u202c now.")
    result = ws.run("check")
    assert "U+202E" in result.stdout
    assert "unknown clause" not in result.stdout


def test_import_errors_name_the_imported_document(ws, tmp_path):
    source = tmp_path / "draft.md"
    source.write_text("# Title\n\nText.\n\n<div class=\"box\">Boxed</div>\n")
    result = ws.run("import", str(source))
    assert result.code == 4
    assert result.stderr.startswith(f"error: {source}:5:1: ")
    assert "raw HTML block '<div class=\"box\">Boxed</div>' cannot be imported" in result.stderr
    assert result.stderr.count("\n") == 1
    assert not (ws.root / "clauses" / "draft").exists()


def test_an_output_extension_no_writer_knows_is_refused(ws, tmp_path):
    base(ws)
    result = ws.run("build", "policy", "-o", str(tmp_path / "out.xyz"))
    assert result.code == 2 and "no format writes .xyz" in result.stderr
    assert not (tmp_path / "out.xyz").exists()


def test_check_names_the_line_and_script_of_text_no_pdf_font_can_show(ws):
    base(ws)
    ws.clause("greeting", "Members greet each other.\n\nThey say வணக்கம் and ሰላም.")
    result = ws.run("check")
    assert result.code == 4
    lines = [line for line in result.stdout.splitlines() if "[PA180]" in line]
    assert lines == [
        "clauses/greeting.md:3:10: 'வ' (U+0BB5 TAMIL LETTER VA, Tamil script) has no font in the PDF "
        "and would print as an empty box; install the fonts for that script or write the text without it [PA180]",
        "clauses/greeting.md:3:22: 'ሰ' (U+1230 ETHIOPIC SYLLABLE SA, Ethiopic script) has no font in the "
        "PDF and would print as an empty box; install the fonts for that script or write the text without "
        "it [PA180]"]
