"""Reading source files safely and writing outputs atomically.

Sources are untrusted: they are size-limited, must be UTF-8, and may not carry control
characters or invisible/bidirectional format characters (CVE-2021-42574 "Trojan Source").
Every path taken from content is checked to stay inside the workspace, symlinks included.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from pathlib import Path
from typing import Callable, TypeVar

from assembler.errors import EnvironmentFailure, Problem, UsageError, problem_maker

T = TypeVar("T")
MAX_SOURCE_BYTES = 1024 * 1024  # one clause or template file; documented in README.md

# Format characters that make text display differently from how it is stored.
BIDI_CONTROLS = {
    0x061C, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E,
    0x2066, 0x2067, 0x2068, 0x2069,
}
INVISIBLE = {0x200B, 0x2060, 0xFEFF}
_FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f" + "".join(
    re.escape(chr(code)) for code in sorted(BIDI_CONTROLS | INVISIBLE)) + "]")
MAX_PROBLEMS_PER_FILE = 5


_problem = problem_maker("PA100")   # this module's problems, rule PA100 unless named


def git_blob_id(data: bytes) -> str:
    """The id git gives ``data`` as a blob (``git hash-object``), computed without git."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def escape_for_display(text: str) -> str:
    """``text`` with control, bidi and invisible characters shown as ``\\u202e`` escapes."""
    out = []
    for ch in text:
        code = ord(ch)
        if code in BIDI_CONTROLS or code in INVISIBLE or (unicodedata.category(ch) == "Cc"
                                                          and ch != "\n"):
            out.append(f"\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out)


def _position(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column


def decode_source(data: bytes, rel: str) -> tuple[str, list[Problem]]:
    """Decode ``data`` as UTF-8 text with LF line ends; return it with any problems found.

    Problems name ``rel`` with line:column: invalid UTF-8, NUL and other control
    characters, bidirectional controls and invisible characters.
    """
    if len(data) > MAX_SOURCE_BYTES:
        return "", [_problem(None, rel, f"file is {len(data):,} bytes, over the limit of "
                            f"{MAX_SOURCE_BYTES:,} bytes for one source file; split it into smaller clauses")]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        good = data[: exc.start].decode("utf-8", errors="replace")
        line, column = _position(good, len(good))
        return "", [_problem(None, rel, f"invalid UTF-8 (byte 0x{data[exc.start]:02x}); "
                            "save the file as UTF-8", line, column)]
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n")
    problems = [_problem('PA101', rel, f"{reason}; remove it", *_position(text, index))
                for index, reason in forbidden_characters(text)]
    marker = _CONFLICT_MARKER.search(text)
    if marker:
        problems.insert(0, _problem('PA102', rel, "unresolved merge conflict: keep the text it should "
                                    "say and delete the <<<<<<<, ======= and >>>>>>> lines (then "
                                    "assembler sync --continue, if a sync stopped here)",
                                    text.count("\n", 0, marker.start()) + 1))
    return text, problems


# git's conflict markers: seven '<' or '>' at the start of a line, followed by a label
_CONFLICT_MARKER = re.compile(r"^(<{7}|>{7})(?: |$)", re.M)


def forbidden_characters(text: str, limit: int = MAX_PROBLEMS_PER_FILE) -> list[tuple[int, str]]:
    """(index, reason) for the first ``limit`` control, bidirectional or invisible characters
    in ``text``; each reason names the character and shows the text around it, escaped."""
    found = []
    for match in _FORBIDDEN.finditer(text):
        index, ch = match.start(), match.group(0)
        code = ord(ch)
        if code in BIDI_CONTROLS:
            name = unicodedata.name(ch, "BIDI CONTROL")
            reason = (f"Unicode bidirectional control character U+{code:04X} {name} can make "
                      "text display differently from how it reads (CVE-2021-42574)")
        elif code in INVISIBLE:
            name = unicodedata.name(ch, "FORMAT CHARACTER")
            reason = f"invisible character U+{code:04X} {name}"
        else:
            label = "NUL" if code == 0 else f"U+{code:04X}"
            reason = f"control character {label}"
        start = text.rfind("\n", 0, index) + 1
        end = text.find("\n", index)
        context = text[max(start, index - 20): (end if end != -1 else len(text))][:50]
        found.append((index, f"{reason} in \"{escape_for_display(context)}\""))
        if len(found) >= limit:
            break
    return found


def is_within(root: Path, path: Path) -> bool:
    """True when ``path``, with symlinks resolved, lies inside ``root``."""
    try:
        path.resolve().relative_to(root.resolve())
    except (ValueError, OSError, RuntimeError):
        return False
    return True


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename: whole or not at all."""
    path = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except FileNotFoundError:
        raise EnvironmentFailure(f"{path.parent}: directory does not exist; create it first") from None
    except OSError as exc:
        raise EnvironmentFailure(f"{path}: cannot write ({exc.strerror})") from None
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise EnvironmentFailure(f"{path}: cannot write ({exc.strerror})") from None


def write_output(path: Path, data: bytes) -> None:
    """Write ``data`` to a user-named ``path`` whole or not at all."""
    if not path.parent.is_dir():
        raise UsageError(f"{path}: the folder {path.parent} does not exist; create it first")
    atomic_write(path, data)


def read_and_parse(root: Path, file: Path, parse: Callable[[str, bytes], tuple[T, list[Problem]]]
                   ) -> tuple[T | None, list[Problem]]:
    """``parse(rel, bytes)`` of one source file below ``root``; a file that cannot be read is
    a problem naming it (PA100), not an exception."""
    rel = file.relative_to(root).as_posix()
    try:
        data = file.read_bytes()
    except OSError as exc:
        return None, [_problem('PA100', rel, f"cannot read file ({exc.strerror})")]
    return parse(rel, data)
