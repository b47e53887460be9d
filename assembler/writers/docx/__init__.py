"""DOCX: the document writer, tracked-change redlines, deterministic packaging."""
