"""The toolkit's name and version, as manifests and document properties record them."""

__version__ = "0.1.0"
TOOL_NAME = "policy-assembler"
