"""Generate a large synthetic workspace for benchmarks: N clauses of about W words each.

The text mixes plain words, emphasis, links, variables and cross-references, and the
template nests every tenth clause's followers as sub-clauses, like a long real policy.
"""

from __future__ import annotations

import random
from pathlib import Path

VOCABULARY = ("state obligation protect respect fulfil human rights policy section review "
              "council board member organisation evidence research harm reduction law access "
              "justice health livelihood consent participation decision adopt measure ensure "
              "discrimination exploitation trafficking children support remedy international "
              "national regional structure draft final report feedback round version").split()


def clause_text(rng: random.Random, words: int, index: int, refs: list[str]) -> str:
    out = []
    for position in range(words):
        word = rng.choice(VOCABULARY)
        roll = rng.random()
        if roll < 0.01:
            word = f"*{word}*"
        elif roll < 0.015:
            word = f"[{word}](https://example.org/{word})"
        out.append(word)
        if position % 17 == 16:
            out[-1] += ","
    out[0] = out[0].capitalize()
    if index % 7 == 0:
        out.insert(5, "{{ organisation }}")
    if refs and index % 11 == 0:
        out.insert(9, "(see clause {{ ref:%s }})" % rng.choice(refs))
    return " ".join(out) + "."


def generate(root: Path, clauses: int = 2000, words: int = 100, seed: int = 1) -> Path:
    """Write ``clauses/gen/c0001.md``… and ``templates/big.yaml`` under ``root``."""
    rng = random.Random(seed)
    (root / "clauses" / "gen").mkdir(parents=True, exist_ok=True)
    (root / "templates").mkdir(parents=True, exist_ok=True)
    (root / "versions").mkdir(exist_ok=True)
    ids = [f"c{n:04d}" for n in range(1, clauses + 1)]
    for index, clause_id in enumerate(ids):
        text = clause_text(rng, words, index, ids[: max(1, index)] if index else [])
        (root / "clauses" / "gen" / f"{clause_id}.md").write_text(
            f"---\nid: {clause_id}\ntitle: Clause {index + 1}\ntags: [generated]\n---\n{text}\n",
            encoding="utf-8")
    lines = ["title: A generated policy of {{ organisation }}",
             "variables: {organisation: The Organisation}", "body:", "  - numbered:"]
    index = 0
    while index < len(ids):
        if index % 10 == 0 and index + 3 < len(ids):
            lines.append(f"      - clause: {ids[index]}")
            lines.append(f"        numbered: [{', '.join(ids[index + 1: index + 4])}]")
            index += 4
        else:
            lines.append(f"      - {ids[index]}")
            index += 1
    (root / "templates" / "big.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root
