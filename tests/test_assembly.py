"""Assembly features: numbering, nested lists, cross-references, conditions, variables, includes."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def policy(ws):
    """A small policy: three numbered clauses, one with sub-clauses, one referring to another."""
    ws.clause("scope", "This policy applies to {{ organisation }}.")
    ws.clause("purpose", "The purpose is set out below.")
    ws.clause("purpose-a", "To protect people.")
    ws.clause("purpose-b", "To inform the public, as in clause {{ ref:scope }}.")
    ws.clause("review", "The policy is reviewed every {{ years }} years (see {{ ref:purpose-b }}).")
    ws.clause("nl-annex", "The Dutch Section's annex applies.")
    ws.write("templates/policy.yaml", """
        title: Policy of {{ organisation }}
        variables:
          organisation: Example Org
          years: "3"
          jurisdiction: null
        body:
          - heading: Clauses
          - numbered:
              - scope
              - clause: purpose
                numbered: [purpose-a, purpose-b]
              - review
              - clause: nl-annex
                when: {jurisdiction: NL}
        """)
    return ws


def numbered_lines(markdown: str) -> list[str]:
    return [line.strip() for line in markdown.splitlines() if line.strip()[:1].isdigit()]


def test_clauses_are_numbered_in_order_with_nested_numbers(policy):
    out = policy.run("build", "policy").stdout
    assert numbered_lines(out) == [
        "1. This policy applies to Example Org.",
        "2. The purpose is set out below.",
        "2.1. To protect people.",
        "2.2. To inform the public, as in clause 1.",
        "3. The policy is reviewed every 3 years (see 2.2).",
    ]


def test_cross_references_follow_their_clause_when_clauses_are_reordered(policy):
    policy.write("templates/policy.yaml", """
        title: Policy
        variables: {organisation: Example Org, years: "3"}
        body:
          - numbered:
              - review
              - clause: purpose
                numbered: [purpose-b, purpose-a]
              - scope
        """)
    out = policy.run("build", "policy").stdout
    assert "1. The policy is reviewed every 3 years (see 2.1)." in out
    assert "2.1. To inform the public, as in clause 3." in out


def test_a_clause_added_before_shifts_references_too(policy):
    policy.clause("definitions", "Words mean what they say.")
    text = (policy.root / "templates/policy.yaml").read_text()
    indent = text.split("- scope")[0].rsplit("\n", 1)[1]
    policy.write("templates/policy.yaml", text.replace("- scope", f"- definitions\n{indent}- scope"))
    out = policy.run("build", "policy").stdout
    assert "3.2. To inform the public, as in clause 2." in out
    assert "(see 3.2)" in out


def test_numbering_can_start_elsewhere(ws):
    ws.clause("a", "First.")
    ws.clause("b", "Second.")
    ws.write("templates/t.yaml", """
        title: T
        body:
          - numbered: [a, b]
            start: 7
        """)
    assert numbered_lines(ws.run("build", "t").stdout) == ["7. First.", "8. Second."]


def test_conditions_include_a_clause_only_when_the_variable_matches(policy):
    without = policy.run("build", "policy").stdout
    assert "Dutch" not in without
    with_nl = policy.run("build", "policy", "--var", "jurisdiction=NL").stdout
    assert "4. The Dutch Section's annex applies." in with_nl
    other = policy.run("build", "policy", "--var", "jurisdiction=BE").stdout
    assert "Dutch" not in other


def test_a_condition_on_a_variable_name_needs_only_a_value(ws):
    ws.clause("a", "Always.")
    ws.clause("b", "Only for an audience: {{ audience }}.")
    ws.write("templates/t.yaml", """
        title: T
        variables: {audience: null}
        body:
          - a
          - clause: b
            when: audience
        """)
    assert "audience" not in ws.run("build", "t").stdout
    assert "Only for an audience: Sections." in ws.run("build", "t", "--var", "audience=Sections").stdout


def test_variables_take_defaults_and_command_line_values(policy):
    assert "# Policy of Example Org" in policy.run("build", "policy").stdout
    out = policy.run("build", "policy", "--var", "organisation=Another Org").stdout
    assert out.startswith("# Policy of Another Org")
    assert "applies to Another Org." in out


def test_variable_values_are_text_never_markup(policy):
    value = "*Org* <b>bold</b> [x](javascript:alert(1)) {{ years }}"
    result = policy.run("build", "policy", "--format", "json", "--var", f"organisation={value}")
    assert result.code == 0, result
    assert json.dumps(value) in result.stdout  # one text run, exactly as given
    md = policy.run("build", "policy", "--var", f"organisation={value}").stdout
    assert r"\*Org\* \<b\>bold\</b\> \[x\](javascript:alert(1)) \{{ years }}" in md


def test_includes_bring_in_another_templates_items(ws):
    ws.clause("a", "Main clause.")
    ws.clause("signature", "Signed by {{ signatory }}.")
    ws.write("templates/closing.yaml", """
        title: Standard closing
        variables: {signatory: The Board}
        body: [signature]
        """)
    ws.write("templates/t.yaml", """
        title: T
        body:
          - numbered: [a]
          - include: closing
        """)
    out = ws.run("build", "t").stdout
    assert "1. Main clause.\n\nSigned by The Board." in out


def test_clause_markup_survives_emphasis_links_and_lists(ws):
    ws.clause("rich", """
        Some *emphasis*, **strength** and a [link](https://example.org/a_b).

        - first point
        - second point
        """)
    ws.write("templates/t.yaml", "title: T\nbody: [rich]\n")
    out = ws.run("build", "t").stdout
    assert "Some *emphasis*, **strength** and a [link](https://example.org/a_b)." in out
    assert "- first point\n- second point" in out


def test_escaped_braces_stay_literal_and_unsafe_looking_text_stays_text(ws):
    ws.clause("literal", r"Write \{\{ name }} to use a variable; <b>x</b> & </para> stay text.")
    ws.write("templates/t.yaml", "title: T\nbody: [literal]\n")
    data = json.loads(ws.run("build", "t", "--format", "json").stdout)
    paragraph = data["blocks"][0]["blocks"][0]
    assert paragraph["content"] == [{"type": "text", "text":
                                     "Write {{ name }} to use a variable; <b>x</b> & </para> stay text."}]


def test_markdown_output_reads_back_to_the_same_words(ws):
    """What build prints is valid Markdown: escaping keeps special characters as text."""
    from assembler.sources import markup
    from assembler.model import nodes as model
    tricky = r"1\. not a list \* # not a heading [not a link] \{\{ x }} a_b_c <tag>"
    ws.clause("tricky", tricky)
    ws.write("templates/t.yaml", "title: T\nbody: [tricky]\n")
    out = ws.run("build", "t").stdout
    body = out.split("\n\n", 1)[1]
    blocks, problems = markup.parse_blocks(body, "out.md")
    assert not problems
    assert model.plain_text(blocks[0].content) == "1. not a list * # not a heading [not a link] {{ x }} a_b_c <tag>"


def test_build_writes_the_format_given_by_the_output_extension(example, tmp_path):
    target = tmp_path / "out.json"
    result = example.run("build", "resolution", "-o", str(target))
    assert result.code == 0, result
    assert json.loads(target.read_text())["id"] == "resolution"


def test_list_templates_and_clauses_as_json(example):
    templates = json.loads(example.run("list", "templates", "--json").stdout)
    assert templates[0]["id"] == "resolution" and templates[0]["title"].startswith("Decision on")
    clauses = json.loads(example.run("list", "clauses", "--json", "--tag", "closing").stdout)
    assert [c["id"] for c in clauses] == ["flexible-application", "review-by-sections"]


def test_check_passes_on_a_clean_workspace(example):
    result = example.run("check")
    assert result.code == 0, result
    assert "16 clauses, 1 template, no problems" in result.stdout
