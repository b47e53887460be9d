"""Pure functions on documents: assemble, transforms, redlines and their change summaries."""
