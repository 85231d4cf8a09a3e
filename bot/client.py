"""The Discord client: owns the shared parts (Frontline, runner, feedback) and wires the cogs in."""
from __future__ import annotations

import asyncio
import json
import logging
import time

import discord
from discord import app_commands
from discord.ext import commands

from bot import render
from bot.feedback import FeedbackLog, RecentAnswers
from bot.runner import AnswerRunner, AnswerTimeout, Busy, Cooldowns, LoopLagMonitor
from bot.views import AnswerView, SourcesButton, VoteButton
from config.settings import Settings
from retrieval.errors import FrontlineError, StoreUnavailable
from retrieval.models import Answer
from retrieval.service import Frontline

_log = logging.getLogger(__name__)

HEALTH_EVERY = 15.0  # seconds between health-file updates (the Docker HEALTHCHECK reads it)


class FrontlineBot(commands.Bot):
    def __init__(self, settings: Settings, frontline: Frontline, *, sync_commands: bool = True) -> None:
        # No message-content intent: Discord still delivers the text of messages that mention the bot.
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=discord.Intents.default(),
            allowed_mentions=discord.AllowedMentions.none(),  # nothing a user or an article wrote can ping
            help_command=None,
        )
        self.settings = settings
        self.frontline = frontline
        self.runner = AnswerRunner(
            max_concurrent=settings.max_concurrent_answers,
            max_queued=settings.max_queued_answers,
            timeout=settings.answer_timeout,
        )
        self.cooldowns = Cooldowns(settings.cooldown_seconds)
        self.feedback = FeedbackLog(settings.data_dir / "feedback.jsonl")
        self.recent = RecentAnswers()
        self.lag = LoopLagMonitor()
        self.sync_commands = sync_commands
        self.tree.on_error = self.on_tree_error
        self._health_task: asyncio.Task | None = None

    async def setup_hook(self) -> None:
        from bot.cogs.admin import Admin
        from bot.cogs.answers import Answers

        await self.add_cog(Answers(self))
        await self.add_cog(Admin(self))
        self.add_dynamic_items(SourcesButton, VoteButton)
        self.lag.start()
        self._health_task = asyncio.create_task(self._write_health())
        if self.sync_commands:
            await self.sync_tree()

    async def sync_tree(self) -> list[app_commands.AppCommand]:
        if self.settings.discord_guild_id:  # instant, for development
            guild = discord.Object(id=self.settings.discord_guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
        else:  # global commands may take a while to appear everywhere
            synced = await self.tree.sync()
        _log.info("synced %d commands %s", len(synced),
                  f"to guild {self.settings.discord_guild_id}" if self.settings.discord_guild_id else "globally")
        return synced

    async def close(self) -> None:
        self.lag.stop()
        if self._health_task:
            self._health_task.cancel()
        await super().close()

    async def on_message(self, message: discord.Message) -> None:
        # Mentions are answered by the Answers cog; there are no prefix commands to process.
        return

    # ------------------------------------------------------------------ shared helpers for cogs
    async def answer_off_loop(self, fn, *args) -> Answer:
        answer = await self.runner.run(fn, *args)
        self.recent.add(answer)
        return answer

    def message_for(self, answer: Answer) -> dict:
        """Keyword arguments for send(): an embed with buttons, or a short plain abstention."""
        if answer.abstained:
            return {"content": render.abstention_text(answer)}
        return {"embed": render.answer_embed(answer), "view": AnswerView(answer.answer_id)}

    async def on_tree_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        message = user_message(getattr(error, "original", error), interaction.command.name if interaction.command else "?")
        try:
            if interaction.response.is_done():
                await interaction.followup.send(message, ephemeral=True)
            else:
                await interaction.response.send_message(message, ephemeral=True)
        except discord.HTTPException:
            _log.warning("could not tell the user about an error in /%s", interaction.command.name if interaction.command else "?")

    async def _write_health(self) -> None:
        path = self.settings.data_dir / "health.json"
        while True:
            store_ok = True
            try:
                await asyncio.wait_for(asyncio.to_thread(self.frontline.vectors.ping), 10)
            except Exception:
                store_ok = False
            state = {"at": time.time(), "connected": self.is_ready() and not self.is_closed(), "store_ok": store_ok}
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(json.dumps(state))
            except OSError as exc:
                _log.warning("cannot write %s: %s", path, exc)
            await asyncio.sleep(HEALTH_EVERY)


def user_message(error: BaseException, where: str) -> str:
    """A short, true sentence for the user; the full error goes to the log when it is unexpected."""
    if isinstance(error, StoreUnavailable):
        _log.warning("store unavailable in %s: %s", where, error.detail)
        return str(error)
    if isinstance(error, FrontlineError):
        return render.escape(str(error))  # it may quote what the user typed
    if isinstance(error, Busy):
        return "I'm busy answering other questions — please try again in a moment."
    if isinstance(error, AnswerTimeout):
        return "That took too long to answer, sorry. Please try again in a moment."
    if isinstance(error, app_commands.CheckFailure):
        return "You can't use this command here."
    _log.error("unexpected error in %s", where, exc_info=error)
    return "Something went wrong on my side; it has been logged."
