"""An answer as plain text for the terminal."""
from __future__ import annotations

import textwrap

from retrieval.answer import display_date
from retrieval.models import Answer, Citation


def citation_label(c: Citation) -> str:
    """Title · date · outlet; an untitled article is named by the opening words of its lead, never its id."""
    parts = [c.title or c.lead or "untitled article", display_date(c)]
    if c.source:
        parts.append(c.source)
    return " · ".join(parts)


def answer_as_text(answer: Answer) -> str:
    lines = [answer.answer]
    if answer.abstained and answer.note:
        lines.append(answer.note)
    if answer.citations:
        lines.append("")
        for c in answer.citations:
            lines.append(f"[{c.n}] {citation_label(c)}")
            lines.extend(textwrap.wrap(f"“{c.passage}”", width=100, initial_indent="    ", subsequent_indent="    "))
    if answer.as_of:
        lines.append(f"\nAs of {answer.as_of}.")
    return "\n".join(lines)
