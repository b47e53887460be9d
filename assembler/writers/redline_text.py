"""Words every redline writer uses: the summary, the legend and the note on a changed clause."""

from __future__ import annotations

from assembler.model import nodes as m
from assembler.writers.options import RedlineInfo

LEGEND = ("Inserted text is underlined (green); deleted text is struck through (red); "
          "a bar in the margin marks every changed line; notes in brackets say what else "
          "changed (a link's target, a heading's level, a list's numbering); ¶ marks a "
          "paragraph split (inserted) or joined (deleted).")
PILCROW = "¶"


def heading(doc_id: str, info: RedlineInfo) -> str:
    return (f"Changes to {doc_id} from {info.old.label} ({info.old.date_label}) "
            f"to {info.new.label} ({info.new.date_label})")


def summary_lines(info: RedlineInfo) -> list[str]:
    """The summary as short lines: counts first, then one line per changed clause."""
    s = info.summary
    if not s.get("changes"):
        return ["No changes: the two versions read the same."]

    def plural(n: int, word: str) -> str:
        return f"{n} {word}{'' if n == 1 else 's'}"

    lines = [f"{plural(s['words_inserted'], 'word')} inserted, {plural(s['words_deleted'], 'word')} deleted",
             f"punctuation and symbols: {s.get('punctuation_inserted', 0)} inserted, "
             f"{s.get('punctuation_deleted', 0)} deleted"]
    if s.get("spacing_changes"):
        lines.append(f"spacing: {plural(s['spacing_changes'], 'change')}")
    if s.get("links_changed"):
        lines.append(f"links: {s['links_changed']} with a new target")
    if s.get("structure_changes"):
        lines.append(f"structure: {plural(s['structure_changes'], 'change')} (heading levels, lists, "
                     "paragraph and line breaks)")
    lines.append(f"clauses: {s['clauses_added']} added, {s['clauses_removed']} removed, "
                 f"{s['clauses_moved']} moved, {s['clauses_modified']} modified")
    if s.get("title_changed"):
        lines.append("the title changed")
    for entry in s["changed_clauses"]:
        lines.append(f"{clause_label(entry)}: {entry['change']}")
    return lines


def clause_label(entry: dict) -> str:
    number = entry.get("number") or entry.get("old_number")
    title = f" {entry['title']}" if entry.get("title") and entry["title"] != entry["clause"] else ""
    where = f"{number}." if number else "(unnumbered)"
    return f"{where}{title} [{entry['clause']}]"


def clause_note(clause: m.Clause) -> str | None:
    """'moved from 7', 'added', 'removed (was 5)', or None for an unmarked clause."""
    if clause.change == m.MOVED:
        return f"moved from {clause.old_number}" if clause.old_number else "moved"
    if clause.change == m.INSERTED:
        return "added"
    if clause.change == m.DELETED:
        return f"removed (was {clause.old_number})" if clause.old_number else "removed"
    if clause.change == m.MOVED_AWAY:
        return None
    return None


def link_note(link: m.Link) -> str:
    """'link changed: was OLD' for a link whose target changed."""
    return f"link changed: was {link.old_target}"


def heading_note(heading: m.Heading) -> str:
    return f"heading level {heading.old_level} → {heading.level}"


def list_note(block) -> str | None:
    """'was bullets', 'was numbered from 3', or None when the list kept its kind and start."""
    if block.old_kind == "bullet":
        return "list was bulleted"
    if block.old_kind == "ordered" or block.old_start is not None:
        return f"list was numbered from {block.old_start or 1}"
    return None
