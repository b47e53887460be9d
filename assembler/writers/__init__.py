"""Writers: one module per format, each with ``write(doc, options) -> bytes``, found by name.

Modules are imported on first use, so commands that render nothing (log, show, check) do
not pay for loading python-docx or reportlab.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from assembler.errors import Problem

if TYPE_CHECKING:   # the registry itself loads nothing: the command line starts fast
    from assembler.model import nodes as m
    from assembler.writers.options import RenderOptions

Writer = Callable[["m.Document", "RenderOptions | None"], bytes]

MODULES = {
    "md": "markdown_writer",
    "json": "json_writer",
    "html": "html_writer",
    "docx": "docx.writer",
    "pdf": "pdf.writer",
    "terminal": "terminal_writer",
}
WRITERS = ("md", "json", "html", "docx", "pdf")   # the output formats, in the order listed
EXTENSIONS = {name: "." + name for name in MODULES}
BINARY = {"docx", "pdf"}
# The document itself: any later toolkit must rebuild these byte for byte (verify's
# reproducibility evidence). The other formats are renderings of it.
CONTENT = ("json", "md")
# Each writer's output format version: bump it with any change to the bytes a writer makes
# for the same document, so that verify knows an old version was rendered by another writer.
# pdf 2: PDF/A-2b (sRGB output intent, XMP metadata, no unembedded Helvetica).
# pdf 3: Arabic, Hebrew and Devanagari shaped and laid out in reading order; a space or sign
# between words of a fallback script stays in that script's face.
FORMAT_VERSIONS = {"md": 1, "json": 1, "html": 1, "docx": 1, "pdf": 3}
# Chinese and Japanese, which the shipped DejaVu fonts lack: Debian's fonts-droid-fallback
# (TrueType outlines, which reportlab embeds; the Noto CJK fonts are CFF, which it cannot).
CJK_FONT = Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf")
# What else a format's bytes depend on: the libraries that write it (and the PDF's fonts).
LIBRARIES = {"docx": ("python-docx",), "pdf": ("reportlab", "pikepdf", "uharfbuzz", "python-bidi")}


def unshowable(text: str) -> list[tuple[int, str]]:
    """(index, character) of the first place of each character in ``text`` that no font of
    the PDF writer has: an empty box in the PDF. Text in Latin scripts is answered without
    loading the fonts."""
    import re
    if not re.search("[^\\x00-\\u024f\\u2000-\\u206f]", text):
        return []
    pdf = importlib.import_module(f"{__name__}.pdf.writer")
    pdf.register_fonts()
    found: dict[str, int] = {}
    for index, char in enumerate(text):
        if char not in found and pdf.markup.face_for(char, "main") is None:
            found[char] = index
    return [(index, char) for char, index in found.items()]


def renderer_identity() -> dict:
    """What renders this toolkit's outputs, as the manifest records it: the toolkit's
    version, each writer's format version, the writing libraries' versions and the digests
    of the PDF fonts (files, hashed once a process)."""
    return _identity()


def _identity() -> dict:
    if not _IDENTITY:
        import hashlib
        from importlib import metadata

        from assembler.version import __version__
        fonts = Path(__file__).resolve().parent / "pdf" / "fonts"
        _IDENTITY.update({
            "toolkit": __version__,
            "formats": dict(FORMAT_VERSIONS),
            "libraries": {name: metadata.version(name) for names in LIBRARIES.values() for name in names},
            "fonts": {path.name: hashlib.sha256(path.read_bytes()).hexdigest()
                      for path in [*sorted(fonts.glob("*.ttf")), CJK_FONT] if path.is_file()},
        })
    return dict(_IDENTITY)


_IDENTITY: dict = {}


def rendered_by(identity: dict | None, fmt: str) -> dict:
    """The part of a renderer identity that decides ``fmt``'s bytes (empty when unknown)."""
    if not identity:
        return {}
    part = {"toolkit": identity.get("toolkit"), "format": identity.get("formats", {}).get(fmt)}
    for name in LIBRARIES.get(fmt, ()):
        part[name] = identity.get("libraries", {}).get(name)
    if fmt == "pdf":
        part["fonts"] = identity.get("fonts")
    return part


def describe_renderer(part: dict, fmt: str) -> str:
    """``rendered_by`` in words: 'policy-assembler 0.1.0, pdf writer 2, reportlab 4.2.5'."""
    from assembler.version import TOOL_NAME
    words = [f"{TOOL_NAME} {part.get('toolkit')}", f"{fmt} writer {part.get('format')}"]
    words += [f"{name} {part[name]}" for name in LIBRARIES.get(fmt, ()) if part.get(name)]
    return ", ".join(words)


def writer_for(name: str) -> Writer:
    """The writer registered as ``name`` (KeyError if none is)."""
    return importlib.import_module(f"{__name__}.{MODULES[name]}").write


def default_reference_docx(epoch: int = 0) -> bytes:
    """The reference document new workspaces get as ``templates/reference.docx``."""
    return importlib.import_module(f"{__name__}.docx.writer").default_reference(epoch)


def unshowable_problems(clause) -> list[Problem]:
    """Text of a clause that no font of the PDF has: one problem per script, where its first
    such character stands (PA180)."""
    import unicodedata
    out = []
    scripts: set[str] = set()
    for index, char in unshowable(clause.body):
        name = unicodedata.name(char, "")
        script = name.split(" ")[0].title() if name else "unknown"
        if script in scripts:
            continue
        scripts.add(script)
        line = clause.body_line + clause.body.count("\n", 0, index)
        column = index - clause.body.rfind("\n", 0, index)
        out.append(Problem(clause.path, f"'{char}' (U+{ord(char):04X} {name or 'unnamed'}, {script} "
                           "script) has no font in the PDF and would print as an empty box; install "
                           "the fonts for that script or write the text without it", line, column,
                           "PA180"))
    return out
