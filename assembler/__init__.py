"""Policy Assembler: assemble policy documents from reusable clauses, with full provenance."""

__version__ = "0.1.0"
TOOL_NAME = "policy-assembler"
