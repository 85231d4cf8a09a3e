"""/ask, /sector, /timeline and @mentions: questions in, cited answers out."""
from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot import render
from bot.replies import message_for, user_message
from retrieval import DateRange

if TYPE_CHECKING:
    from bot.client import FrontlineBot

_log = logging.getLogger(__name__)
_MENTION = re.compile(r"<@!?\d+>")


class Answers(commands.Cog):
    def __init__(self, bot: FrontlineBot) -> None:
        self.bot = bot

    async def _cooled_down(self, interaction: discord.Interaction) -> bool:
        wait = self.bot.cooldowns.retry_after(interaction.user.id)
        if wait > 0:
            await interaction.response.send_message(
                f"Easy there — you can ask again in {wait:.0f} s.", ephemeral=True)
            return False
        return True

    async def _answer(self, interaction: discord.Interaction, fn, *args, draw=None) -> None:
        """Acknowledge at once, compute (and draw) off the event loop, then send the answer (errors:
        tree.on_error)."""
        if not await self._cooled_down(interaction):
            return
        await interaction.response.defer(thinking=True)
        if draw is None:
            answer = await self.bot.answer_off_loop(fn, *args)
            await interaction.followup.send(**message_for(answer))
            return
        answer, picture = await self.bot.answer_off_loop(_with_picture, fn, draw, *args)
        await interaction.followup.send(**message_for(answer, picture))

    @app_commands.command(name="ask")
    @app_commands.describe(question="What you want to know, e.g. Why did Ukraine leave the Kanal district?")
    async def ask(self, interaction: discord.Interaction, question: str) -> None:
        """Ask about the front line; the answer quotes the articles, with their dates."""
        await self._answer(interaction, self.bot.frontline.ask, question)

    @app_commands.command(name="sector")
    @app_commands.describe(name="A settlement or sector, e.g. Toretsk (aliases like Dzerzhynsk work too)")
    async def sector(self, interaction: discord.Interaction, name: str) -> None:
        """A briefing on a place and its sector, newest first, every item dated and cited."""
        await self._answer(interaction, self.bot.frontline.sector, name, draw=self.bot.frontline.sector_picture)

    @app_commands.command(name="timeline")
    @app_commands.describe(
        place="A settlement or sector, e.g. Chasiv Yar",
        since="Only articles from this date on (YYYY-MM-DD, YYYY-MM or YYYY)",
        until="Only articles up to this date (YYYY-MM-DD, YYYY-MM or YYYY)",
    )
    async def timeline(self, interaction: discord.Interaction, place: str, since: str | None = None,
                       until: str | None = None) -> None:
        """What the articles say about a place, in date order."""
        dates = DateRange.from_options(since, until)  # a bad date is answered at once, before deferring
        await self._answer(interaction, self.bot.frontline.timeline, place, dates,
                           draw=self.bot.frontline.timeline_picture)

    @sector.autocomplete("name")
    @timeline.autocomplete("place")
    async def place_autocomplete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        names = self.bot.frontline.autocomplete(current, limit=25)
        return [app_commands.Choice(name=n[:100], value=n[:100]) for n in names]

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """A message that @mentions the bot is answered in a thread started on it (or in its thread)."""
        me = self.bot.user
        if message.author.bot or me is None or not any(u.id == me.id for u in message.mentions):
            return
        question = " ".join(_MENTION.sub(" ", message.content).split())
        try:
            if isinstance(message.channel, discord.TextChannel):
                name = render.trim(question, 90) or "Question"
                thread = await message.create_thread(name=name, auto_archive_duration=1440)
            else:  # already in a thread (a follow-up), or somewhere threads don't exist (a DM)
                thread = message.channel
            if not question:
                await thread.send("Ask me a question after the mention, e.g. “@Frontline what happened in Toretsk?”")
                return
            if (wait := self.bot.cooldowns.retry_after(message.author.id)) > 0:
                await thread.send(f"Easy there — you can ask again in {wait:.0f} s.")
                return
            try:
                answer = await self.bot.answer_off_loop(self.bot.frontline.ask, question)
            except Exception as exc:
                await thread.send(user_message(exc, "mention"))
                return
            await thread.send(**message_for(answer))
        except discord.HTTPException as exc:
            _log.warning("could not answer a mention in %s: %s", message.channel.id, exc)


def _with_picture(brief, draw, *args):
    """A briefing and its picture, computed together in one worker. A picture that cannot be drawn
    is left out (with a log line); it never costs the user the briefing."""
    answer = brief(*args)
    if answer.abstained:
        return answer, None
    try:
        return answer, draw(*args)
    except Exception:
        _log.warning("could not draw the picture for %r", args[0], exc_info=True)
        return answer, None


async def setup(bot: FrontlineBot) -> None:
    await bot.add_cog(Answers(bot))
