"""An answer as plain text for the terminal."""
from __future__ import annotations

import textwrap

from retrieval.answer import display_date
from retrieval.models import Answer, Citation


def citation_label(c: Citation) -> str:
    """"Title · 2024-07-04 · AFP · also in Kyiv Independent and Ukrinform"; an untitled article is named by
    the opening words of its lead, never by its id."""
    parts = [c.title or c.lead or "untitled article", display_date(c)]
    if c.source:
        parts.append(c.source)
    if c.also_in:
        parts.append("also in " + and_list(c.also_in))
    return " · ".join(parts)


def and_list(names: list[str] | tuple[str, ...], most: int = 3) -> str:
    """"A", "A and B", "A, B and C", "A, B, C and 2 others"."""
    names = list(names)
    if len(names) > most + 1:
        names = names[:most] + [f"{len(names) - most} others"]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def answer_as_text(answer: Answer) -> str:
    lines = [answer.answer]
    if answer.abstained and answer.note:
        lines.append(answer.note)
    if answer.citations:
        lines.append("")
        for c in answer.citations:
            lines.append(f"[{c.n}] {citation_label(c)}")
            # indented under its label, verbatim: no quote marks of ours, which doubled the passage's own
            lines.extend(textwrap.wrap(c.passage, width=100, initial_indent="    ", subsequent_indent="    "))
    if answer.as_of:
        lines.append(f"\nAs of {answer.as_of}.")
    return "\n".join(lines)
