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
    "reportlab": {"writers/pdf/writer.py", "writers/pdf/shaping.py", "writers/pdf/page.py"},
    "uharfbuzz": {"writers/pdf/shaping.py"},
    "bidi": {"writers/bidi_levels.py"},
    "diff_match_patch": {"build/worddiff.py"},
    "yaml": {"sources/yamlfile.py"},
    "markdown_it": {"sources/markup.py"},
    "bagit": {"archive/bagexport.py"},
    "defusedxml": {"sources/word_package.py"},
    "pikepdf": {"writers/pdf/archival.py"},
    "starlette": {"site/app.py"},
    "uvicorn": {"site/app.py"},
    "lxml": {"sources/xliff.py"},
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
    assert "/build/" in (REPO / ".gitignore").read_text().split()


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


# ------------------------------------------------------------------ layers and walls

PACKAGE = REPO / "assembler"
# lowest first: a module may import its own layer and the layers below it, never above
LAYERS = ("model", "sources", "build", "writers", "repo", "history", "review", "archive", "workspace", "site",
          "cli")
FRONT = {"workspace", "status", "document_import", "translations", "translation_import"}          # top-level modules of the workspace layer
FOUNDATION = {"errors", "version"}       # importable from anywhere


def module_name(path) -> str:
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer(module: str) -> int:
    """The layer index of an ``assembler.`` module name given without its prefix."""
    top = module.split(".")[0]
    if top in FOUNDATION or module == "":
        return -1
    if top in FRONT:
        return LAYERS.index("workspace")
    if top == "__main__":
        return len(LAYERS)
    return LAYERS.index(top)


def assembler_imports(path) -> list[tuple[int, str]]:
    """(line, module without ``assembler.``) for every import of the package in a file,
    including imports inside functions."""
    import ast
    known = {module_name(p) for p in PACKAGE.rglob("*.py")}
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "assembler":
            assert node.level == 0, f"{path}: relative import (the package imports absolutely)"
            base = node.module[len("assembler"):].lstrip(".")
            for alias in node.names:
                full = f"{base}.{alias.name}".lstrip(".")
                found.append((node.lineno, full if full in known else base))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name[len("assembler"):].lstrip(".")) for a in node.names
                      if a.name.split(".")[0] == "assembler"]
    return found


def test_every_module_belongs_to_a_layer():
    for path in PACKAGE.rglob("*.py"):
        name = module_name(path)
        assert name == "" or layer(name) is not None, name


def test_layers_only_look_down():
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        here = module_name(path)
        for line, target in assembler_imports(path):
            if layer(target) > layer(here):
                wrong.append(f"{path.relative_to(REPO)}:{line} ({LAYERS[layer(here)] if layer(here) >= 0 else here}) "
                             f"imports {target}")
    assert not wrong, "a module imports a higher layer:\n" + "\n".join(wrong)


def test_only_repo_runs_git():
    """git runs in repo/ and nowhere else: no subprocess, no GitPython, no raw git runner."""
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel.startswith("repo/"):
            continue
        text = path.read_text()
        for pattern in (r"^\s*(import|from) subprocess\b", r"^\s*(import git\b|from git\b)",
                        r"\._run\(", r"\._execute(_bytes)?\(", r"\bos\.system\(", r"\bPopen\("):
            if re.search(pattern, text, re.M):
                wrong.append(f"{rel}: {pattern}")
    assert not wrong, wrong


def test_git_always_runs_in_english():
    """Every process repo/ starts gets the fixed C locale (git's messages are read as text)."""
    for path in sorted((PACKAGE / "repo").rglob("*.py")):
        text = path.read_text()
        for call in re.finditer(r"subprocess\.(run|Popen)\((?:[^()]|\([^()]*\))*\)", text, re.S):
            assert "GIT_LOCALE" in call.group(0) or "env=env" in call.group(0), \
                f"{path.name}: {call.group(0)[:80]}… runs git without GIT_LOCALE"


def test_the_readme_layout_names_every_package():
    """The README's Layout section is the map: every package it names exists, every package
    is named."""
    text = (REPO / "README.md").read_text()
    layout = text[text.index("## Layout"):]
    layout = layout[: layout.find("\n## ", 4) if "\n## " in layout[4:] else len(layout)]
    named = set(re.findall(r"`([a-z_]+(?:/[a-z_]+)*)/`", layout))
    packages = {p.parent.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("__init__.py")} - {"."}
    assert named == packages, (f"named but missing: {sorted(named - packages)}; "
                               f"missing from the README: {sorted(packages - named)}")


def test_the_library_api_is_exported():
    import assembler
    from assembler.errors import AssemblerError
    from assembler.workspace import Workspace
    assert assembler.Workspace is Workspace and assembler.AssemblerError is AssemblerError
    assert assembler.Review.__name__ == "Review" and assembler.Archive.__name__ == "Archive"
    assert assembler.model.Paragraph.__module__ == "assembler.model.nodes"


def test_the_lower_floors_type_check_strictly():
    """model/, sources/ and build/ pass ``mypy --strict`` with no error (mypy comes with the
    test extras, so this runs wherever the suite runs, CI included)."""
    import subprocess
    import sys
    result = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-error-summary",
                             "assembler/model", "assembler/sources", "assembler/build"],
                            cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-1000:]
