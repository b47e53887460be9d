"""Read-only tools for archivists: blame, clause history, audit, BagIt export."""
