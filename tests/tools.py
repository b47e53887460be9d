"""Real clients used as judges in tests: poppler's pdftotext/pdfinfo and LibreOffice."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest


def require(binary: str) -> str:
    """The path of ``binary``; a failure in CI (which installs it), a skip elsewhere."""
    path = shutil.which(binary)
    if path is None:
        message = f"{binary} is not installed (.ci/run installs it from Debian's packages)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def pdftotext(pdf: bytes, *args: str) -> str:
    require("pdftotext")
    return subprocess.run(["pdftotext", *args, "-", "-"], input=pdf, capture_output=True,
                          check=True).stdout.decode("utf-8")


def pdfinfo(pdf: bytes) -> dict[str, str]:
    require("pdfinfo")
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        out = subprocess.run(["pdfinfo", handle.name], capture_output=True, check=True, text=True).stdout
    info = {}
    for line in out.splitlines():
        key, _, value = line.partition(":")
        info[key.strip()] = value.strip()
    return info


def soffice_convert(source: Path, target_format: str, outdir: Path) -> Path:
    """Convert ``source`` with LibreOffice headless (its own profile); return the new file."""
    binary = require("soffice")
    profile = Path(tempfile.mkdtemp(prefix="lo-profile-"))
    try:
        proc = subprocess.run([binary, f"-env:UserInstallation=file://{profile}", "--headless",
                               "--convert-to", target_format, "--outdir", str(outdir), str(source)],
                              capture_output=True, text=True, timeout=180)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    produced = outdir / (source.stem + "." + target_format.split(":")[0])
    assert proc.returncode == 0 and produced.exists(), (proc.stdout, proc.stderr)
    return produced


UNO_SCRIPT = Path(__file__).parent / "helpers" / "uno_tracked_changes.py"


def libreoffice_resolve(jobs: list[tuple[Path, str]], outdir: Path) -> list[str]:
    """Each (docx, "accept" | "reject") done in LibreOffice (Accept All / Reject All through
    UNO, one LibreOffice process for all), saved as text; the texts, in order."""
    require("soffice")
    python = Path("/usr/bin/python3")
    probe = subprocess.run([str(python), "-c", "import uno"], capture_output=True)
    if probe.returncode != 0:
        require("python3-uno-bridge-missing")  # fails in CI, skips elsewhere
    args, outputs = [], []
    for index, (docx, mode) in enumerate(jobs):
        out = outdir / f"{index}-{mode}.txt"
        args += [str(docx), mode, str(out)]
        outputs.append(out)
    subprocess.run([str(python), str(UNO_SCRIPT), *args], check=True, timeout=120 + 20 * len(jobs))
    return [out.read_text(encoding="utf-8-sig") for out in outputs]
