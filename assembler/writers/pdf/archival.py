"""PDF -> PDF/A-2b, the archival form every PDF of the toolkit takes (pikepdf lives here and
nowhere else).

reportlab writes the pages; pikepdf then adds what PDF/A-2b asks of the file (an sRGB
output intent, XMP metadata that agrees with the document information, no page
transitions) and saves with the settings PDF/A-2b pins. A file that is kept (a recorded
version, a redline, a round's or an audit's papers) is also validated as written against
PDF/A-2b's rules (``pikepdf.pdfa``): one that does not pass is an error, never written.
A preview is not validated: validation reads every page (3.4 s for a 530-page document,
against 0.3 s for the rest), and the tests validate every kind of PDF. The metadata date
is the version's time and the file id is derived from the content, so the output stays
deterministic.
"""

from __future__ import annotations

import datetime as dt
from io import BytesIO

import pikepdf
from pikepdf import pdfa

FLAVOUR = "2b"


def _iso(epoch: int) -> str:
    return dt.datetime.fromtimestamp(epoch, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def archival(data: bytes, epoch: int, validate: bool = True) -> bytes:
    """``data`` (a PDF) as PDF/A-2b (validated when ``validate``); the same bytes for the
    same input, validated or not."""
    with pikepdf.open(BytesIO(data)) as pdf:
        for page in pdf.pages:
            if "/Trans" in page.obj:   # reportlab's empty page transition: PDF/A has no use for it
                del page.obj["/Trans"]
        pdfa.prepare(pdf, FLAVOUR)
        with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
            meta["xmp:MetadataDate"] = _iso(epoch)
        out = BytesIO()
        if validate:
            pdfa.save(pdf, out, FLAVOUR, repair=False, deterministic_id=True)
        else:
            pdf.save(out, **pdfa.resolve_save_kwargs(FLAVOUR, deterministic_id=True))
        return out.getvalue()
