"""Answers as Discord messages, within Discord's limits by construction.

Limits: content 2,000 characters; embed title 256, description 4,096, 25 fields, field name 256,
field value 1,024, footer 2,048; 6,000 characters across all embeds of one message. Text is trimmed
with "…" only when a limit forces it. Text quoted from articles or typed by users is escaped so its
markdown or mentions cannot change the message (pings are also disabled client-wide).
"""
from __future__ import annotations

import re

import discord

from retrieval.render import citation_label
from retrieval.models import Answer

CONTENT_MAX = 2000
TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FOOTER_MAX = 2048
EMBED_TOTAL_MAX = 6000
MAX_FIELDS = 25
COLOUR = discord.Colour.from_rgb(70, 110, 160)


def escape(text: str) -> str:
    """Neutralise markdown and mentions (including @everyone written with a zero-width space)."""
    text = discord.utils.escape_markdown(text)
    text = discord.utils.escape_mentions(text)
    return re.sub(r"<(#|@&?|/)", "<\u200b\\1", text)


def trim(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def answer_embed(answer: Answer) -> discord.Embed:
    """One embed: the answer with [n] markers, one field per citation, the as-of date in the footer."""
    embed = discord.Embed(
        title=trim(escape(answer.question), TITLE_MAX),
        description=trim(escape(answer.answer), DESCRIPTION_MAX),
        colour=COLOUR,
    )
    footer = f"As of {answer.as_of}" if answer.as_of else "Dates unknown"
    footer += " · quotes are verbatim from the articles · “≈” = date inferred from the text"
    embed.set_footer(text=trim(footer, FOOTER_MAX))
    citations = answer.citations[:MAX_FIELDS]
    budget = EMBED_TOTAL_MAX - len(embed.title or "") - len(embed.description or "") - len(footer)
    names = [trim(f"[{c.n}] {escape(citation_label(c))}", FIELD_NAME_MAX) for c in citations]
    budget -= sum(len(n) for n in names)
    if budget < 0:  # an extreme answer: give the citations room by shortening the description
        embed.description = trim(embed.description or "", max(200, len(embed.description or "") + budget - 200 * len(citations)))
        budget = EMBED_TOTAL_MAX - len(embed.title or "") - len(embed.description or "") - len(footer) - sum(len(n) for n in names)
    per_field = min(FIELD_VALUE_MAX, max(20, budget // max(1, len(citations))))
    for name, c in zip(names, citations):
        embed.add_field(name=name, value=trim(f"“{escape(c.passage)}”", per_field), inline=False)
    while len(embed) > EMBED_TOTAL_MAX and embed.fields:  # rounding left us over: drop the last field
        embed.remove_field(len(embed.fields) - 1)
    return embed


def abstention_text(answer: Answer) -> str:
    text = answer.answer
    if answer.note:
        text += " " + answer.note
    return trim(escape(text), CONTENT_MAX)


def sources_messages(answer: Answer) -> list[str]:
    """The full passages, as as many messages of at most 2,000 characters as they need."""
    blocks = []
    for c in answer.citations:
        heading = f"**[{c.n}] {escape(citation_label(c))}**"
        body = f"> {escape(c.passage)}".replace("\n", "\n> ")
        blocks.append(trim(f"{heading}\n{body}", CONTENT_MAX))
    messages, current = [], ""
    for block in blocks:
        if current and len(current) + 2 + len(block) > CONTENT_MAX:
            messages.append(current)
            current = ""
        current = f"{current}\n\n{block}" if current else block
    if current:
        messages.append(current)
    return messages or ["This answer cites no passages."]
