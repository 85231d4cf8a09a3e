"""/about for everyone, /reindex for members who can manage the server (or the bot's owner)."""
from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.version import __version__

if TYPE_CHECKING:
    from bot.client import FrontlineBot

_log = logging.getLogger(__name__)


class Admin(commands.Cog):
    def __init__(self, bot: FrontlineBot) -> None:
        self.bot = bot

    @app_commands.command(name="about")
    async def about(self, interaction: discord.Interaction) -> None:
        """What Frontline knows: corpus size, date range, last ingest, version."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        stats = await asyncio.to_thread(self.bot.frontline.stats)
        embed = discord.Embed(title="Frontline", colour=discord.Colour.dark_teal(),
                              description="Answers about the war in Ukraine, quoted from news articles with their dates.")
        embed.add_field(name="Articles", value=f"{stats['articles']:,} ({stats['undated_articles']:,} undated)")
        embed.add_field(name="Passages", value=f"{stats['passages']:,}")
        embed.add_field(name="Dates", value=f"{stats['first_date'] or '?'} → {stats['last_date'] or '?'}")
        embed.add_field(name="Last ingest", value=stats["last_ingest"] or "never")
        embed.add_field(name="Places covered", value=str(len(stats["places"])))
        embed.set_footer(text=f"version {__version__}")
        await interaction.followup.send(embed=embed, ephemeral=True)

    @app_commands.command(name="reindex")
    @app_commands.default_permissions(manage_guild=True)
    async def reindex(self, interaction: discord.Interaction) -> None:
        """Re-read the configured article folders (Manage Server only)."""
        if not await self._allowed(interaction):
            await interaction.response.send_message(
                "Sorry — only members with the Manage Server permission can re-index the articles.", ephemeral=True)
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        report = await asyncio.to_thread(self.bot.frontline.ingest)
        text = (f"Re-indexed: {report.articles} articles ({report.articles_unchanged} unchanged), "
                f"{report.passages_embedded} passages embedded, {len(report.skipped)} files skipped, "
                f"in {report.seconds:.1f} s.")
        if report.skipped:
            text += "\n" + "\n".join(f"• {s.origin}: {s.reason}" for s in report.skipped[:10])
        await interaction.followup.send(text[:2000], ephemeral=True)

    async def _allowed(self, interaction: discord.Interaction) -> bool:
        perms = getattr(interaction.user, "guild_permissions", None)
        if perms is not None and perms.manage_guild:
            return True
        return interaction.user.id in (self.bot.owner_ids or set()) or interaction.user.id == self.bot.owner_id


async def setup(bot: FrontlineBot) -> None:
    await bot.add_cog(Admin(bot))
