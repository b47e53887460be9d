"""The review site: what ``assembler serve`` runs (a web front end beside the command line)."""
