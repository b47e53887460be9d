"""The project's conventions, checked: README commands, one module per external package, --help."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from assembler.cli.main import main
from conftest import REPO

EXTERNAL_HOMES = {
    "click": {"cli/"},                                   # the command line layer
    "git": {"repo/store.py"},
    "docx": {"writers/docx/writer.py", "writers/docx/redline.py"},
    "reportlab": {"writers/pdf/writer.py"},
    "diff_match_patch": {"build/worddiff.py"},
    "yaml": {"sources/yamlfile.py"},
    "markdown_it": {"sources/markup.py"},
    "bagit": {"archive/bagexport.py"},
    "defusedxml": {"review/docx_reader.py"},
}


def readme_commands() -> list[str]:
    text = (REPO / "README.md").read_text()
    return re.findall(r"```\n(.+?)\n```", text)[:2]


def test_readme_opens_with_the_two_setup_commands_and_ci_runs_the_second():
    demo, tests = readme_commands()
    assert "assembler" in demo and "build/demo" in demo
    assert "pytest" in tests
    assert tests in (REPO / ".ci/run").read_text().splitlines()


def test_build_demo_is_ignored_by_git():
    assert "build/" in (REPO / ".gitignore").read_text().split()


@pytest.mark.parametrize("package,homes", sorted(EXTERNAL_HOMES.items()))
def test_each_external_package_is_imported_by_one_module(package, homes):
    pattern = re.compile(rf"^\s*(import {package}\b|from {package}(\.| import))", re.M)
    users = {path.relative_to(REPO / "assembler").as_posix()
             for path in (REPO / "assembler").rglob("*.py") if pattern.search(path.read_text())}
    strays = {user for user in users if not any(user == home or (home.endswith("/") and user.startswith(home))
                                                for home in homes)}
    assert not strays, f"{package} is imported by {sorted(strays)}"


def test_every_command_has_help_that_explains_it():
    runner = CliRunner()
    for name, command in main.commands.items():
        for sub, subcommand in getattr(command, "commands", {}).items():
            result = runner.invoke(main, [name, sub, "--help"])
            assert result.exit_code == 0, (name, sub)
            assert len((subcommand.help or "").split()) >= 6, f"'{name} {sub}' needs a real --help"
            assert f"assembler {name} {sub}" in (REPO / "README.md").read_text(), f"'{name} {sub}' is not in README.md"
        result = runner.invoke(main, [name, "--help"])
        assert result.exit_code == 0, name
        assert len((command.help or "").split()) >= 6, f"'{name}' needs a real --help text"
        assert f"assembler {name}" in result.output.replace("main", "assembler")
        assert name in (REPO / "README.md").read_text(), f"'{name}' is not in README.md"
