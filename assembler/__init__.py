"""Policy Assembler: assemble policy documents from reusable clauses, with full provenance.

For scripts::

    from assembler import Workspace
    ws = Workspace.open("my-policy")
    recorded = ws.assemble("resolution", "First draft")

The library's front door is :class:`Workspace`; review rounds are :class:`Review`, the
archivist's tools :class:`Archive`, every error an :class:`AssemblerError`, and the document
model is :mod:`assembler.model`. They are imported on first use, so ``import assembler``
(and the command line's start) stays fast.
"""

from assembler.version import TOOL_NAME, __version__

_API = {
    "Workspace": ("assembler.workspace", "Workspace"),
    "Review": ("assembler.review.workflow", "Review"),
    "Archive": ("assembler.archive.archivist", "Archive"),
    "AssemblerError": ("assembler.errors", "AssemblerError"),
    "model": ("assembler.model", None),
}
__all__ = ["TOOL_NAME", "__version__", *_API]


def __getattr__(name: str):
    """The library API, imported when first asked for (PEP 562)."""
    if name not in _API:
        raise AttributeError(f"module 'assembler' has no attribute {name!r}")
    import importlib
    module_name, attribute = _API[name]
    module = importlib.import_module(module_name)
    value = module if attribute is None else getattr(module, attribute)
    globals()[name] = value
    return value
