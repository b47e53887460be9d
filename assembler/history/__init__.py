"""Versions in git: manifests, reading and recording versions, verify, sync."""
