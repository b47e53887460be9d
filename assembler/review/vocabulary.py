"""The words of a review round that the command line and reports share: the decisions an
editor can take on a feedback item, and how a deadline reads (standard library only, so
the command line can offer them without loading the review code)."""

from __future__ import annotations

DECISIONS = ("accepted", "partly", "rejected", "noted")


def due_phrase(deadline: str | None, days_left: int | None, ended: bool = False) -> str:
    """", due 2027-01-15 (12 days left)", ", due … (3 days ago)", ", was due …" or ""."""
    if not deadline:
        return ""
    if ended or days_left is None:
        return f", was due {deadline}"
    return (f", due {deadline} ({days_left} days left)" if days_left >= 0 else
            f", due {deadline} ({-days_left} days ago)")
