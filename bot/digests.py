"""A digest as a Discord message: one line per new article about the watched places, and a button per line
that shows the article's passage, verbatim, only to whoever pressed it.

One embed (a description of up to 4,096 characters holds ten lines with room to spare; content would
hold 2,000): the places in the title; per line its number, date, outlet (linked to the article), the
outlets that also carried it, and the sentence naming the place, escaped and trimmed to fit; then "and
7 more — /timeline Toretsk" when there were more than ten. The buttons are DynamicItems whose custom_id
carries the passage id and a short fingerprint of its text, so they work after a restart and can tell
when the article changed since the digest was posted.
"""
from __future__ import annotations

import asyncio
import hashlib

import discord

from bot.render import COLOUR, CONTENT_MAX, DESCRIPTION_MAX, EMBED_TOTAL_MAX, TITLE_MAX, escape, trim
from retrieval.digest import DigestItem
from retrieval.render import and_list, citation_label

MAX_ITEMS = 10
SENTENCE_MAX = 240
_CUSTOM_ID_MAX = 100
_PREFIX = "fl:psg:"


def fingerprint(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


def digest_message(places: list[str], items: list[DigestItem], more: dict[str, int]) -> dict:
    """send() arguments for the digest of `items` (at most MAX_ITEMS, newest first); `more`: per place, how
    many further new articles there were."""
    title = trim(f"New on {and_list([escape(_one_line(p)) for p in places], most=5)}", TITLE_MAX)
    footer = "Quotes are verbatim from the articles · the buttons show each passage"
    tail = ""
    if any(more.values()):
        total = sum(more.values())
        where = " or ".join(f"/timeline {trim(escape(_one_line(p)), 100)}" for p, n in more.items() if n)
        tail = trim(f"\n…and {total} more — {where}", 600)
    budget = min(DESCRIPTION_MAX, EMBED_TOTAL_MAX - len(title) - len(footer)) - len(tail) - 50
    heads = [_head(n, item) for n, item in enumerate(items, start=1)]
    # very long links: the longest lines lose theirs (the outlet stays) until every sentence has room
    while sum(len(h) + 6 + 40 for h in heads) > budget:
        longest = max(range(len(heads)), key=lambda i: len(heads[i]))
        shorter = _head(longest + 1, items[longest], link=False)
        if len(shorter) >= len(heads[longest]):
            break
        heads[longest] = shorter
    # what is left for the sentences, shared equally
    per_line = max(40, min(SENTENCE_MAX, (budget - sum(len(h) + 6 for h in heads)) // max(1, len(items))))
    lines = [f"{head} — “{trim(escape(_one_line(item.sentence)), per_line)}”" for head, item in zip(heads, items)]
    description = trim("\n".join(lines) + tail, DESCRIPTION_MAX)
    embed = discord.Embed(title=title, description=description, colour=COLOUR)
    embed.set_footer(text=footer)
    view = discord.ui.View(timeout=None)
    for n, item in enumerate(items, start=1):
        button = PassageButton.for_item(n, item)
        if button is not None:
            view.add_item(button)
    return {"embed": embed, "view": view}


def _head(n: int, item: DigestItem, *, link: bool = True) -> str:
    outlet = trim(escape(item.outlet or "unknown outlet"), 60).replace("[", "(").replace("]", ")")
    link = _safe_url(item.url) if link else None
    head = f"**{n}.** {item.date} · " + (f"[{outlet}]({link})" if link else outlet)
    if item.also_in:
        head += f" (also in {trim(escape(and_list(item.also_in, most=2)), 80)})"
    return head


def _safe_url(url: str | None) -> str | None:
    """The URL, usable inside a markdown link, or None (not http(s), or too long to be worth a link).
    Characters markdown or mentions would read are percent-encoded (the same URL to a web server; an
    article URL has no login part, where "@" would mean something else)."""
    if not url or not url.startswith(("http://", "https://")):
        return None
    for char, code in ((" ", "%20"), ("(", "%28"), (")", "%29"), ("<", "%3C"), (">", "%3E"), ("\n", ""),
                       ("*", "%2A"), ("_", "%5F"), ("~", "%7E"), ("`", "%60"), ("|", "%7C"), ("@", "%40")):
        url = url.replace(char, code)
    return url if len(url) <= 400 else None


def _one_line(text: str) -> str:
    return " ".join(text.split())


class PassageButton(discord.ui.DynamicItem[discord.ui.Button],
                    template=r"fl:psg:(?P<passage_id>.+):(?P<fingerprint>[0-9a-f]{8})"):
    """Shows one digest line's passage, verbatim, with its date and outlets (ephemeral)."""

    def __init__(self, n: int, passage_id: str, print_: str) -> None:
        super().__init__(discord.ui.Button(label=f"Passage {n}" if n else "Passage",
                                           style=discord.ButtonStyle.secondary,
                                           custom_id=f"{_PREFIX}{passage_id}:{print_}"))
        self.passage_id, self.fingerprint = passage_id, print_

    @classmethod
    def for_item(cls, n: int, item: DigestItem) -> PassageButton | None:
        if len(f"{_PREFIX}{item.passage_id}:00000000") > _CUSTOM_ID_MAX:
            return None     # an article id too long for a custom_id: the line still links to the article
        return cls(n, item.passage_id, fingerprint(item.passage))

    @classmethod
    async def from_custom_id(cls, interaction, item, match):
        return cls(0, match["passage_id"], match["fingerprint"])

    async def callback(self, interaction: discord.Interaction) -> None:
        citation = await asyncio.to_thread(interaction.client.frontline.citation, self.passage_id)
        if citation is None:
            await interaction.response.send_message(
                "That passage is no longer stored (its article was removed or rewritten).", ephemeral=True)
            return
        note = "" if fingerprint(citation.passage) == self.fingerprint else \
            "*The article has changed since this digest; this is the passage as it reads now.*\n"
        link = f"\n<{url}>" if (url := _safe_url(citation.url)) else ""
        heading = f"**{escape(citation_label(citation))}**\n"
        quote = "> " + escape(citation.passage).replace("\n", "\n> ")
        text = note + heading + trim(quote, CONTENT_MAX - len(note) - len(heading) - len(link)) + link
        await interaction.response.send_message(text, ephemeral=True)
