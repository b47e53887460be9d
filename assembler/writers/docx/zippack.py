"""Deterministic zip containers (DOCX is a zip): fixed entry times, order and attributes."""

from __future__ import annotations

import time
import zipfile
from io import BytesIO


def zip_time(epoch: int) -> tuple[int, int, int, int, int, int]:
    """A zip timestamp for ``epoch`` in UTC (zip cannot say anything before 1980)."""
    moment = time.gmtime(max(epoch, 315532800))
    return moment[:6]


def repack(data: bytes, epoch: int) -> bytes:
    """``data`` (a zip) rewritten so the same content always gives the same bytes.

    ``[Content_Types].xml`` first (as Office expects), then the other entries in their
    original order, each deflated, with the time of ``epoch`` and fixed file attributes.
    """
    stamp = zip_time(epoch)
    source = zipfile.ZipFile(BytesIO(data))
    names = source.namelist()
    ordered = [n for n in names if n == "[Content_Types].xml"] + [n for n in names if n != "[Content_Types].xml"]
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in ordered:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 0
            target.writestr(info, source.read(name), compresslevel=9)
    return out.getvalue()
