"""The Discord client: owns what the cogs share (Frontline, the answer runner, cooldowns, feedback) and
loads the cogs as extensions. It knows no command itself."""
from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time

import discord
from discord import app_commands
from discord.ext import commands

from bot.feedback import FeedbackLog, RecentAnswers
from bot.replies import user_message
from bot.runner import AnswerRunner, Cooldowns, LoopLagMonitor
from bot.views import SourcesButton, VoteButton
from config.settings import Settings
from retrieval import Frontline

_log = logging.getLogger(__name__)

EXTENSIONS = ("bot.cogs.answers", "bot.cogs.admin", "bot.cogs.follow")
HEALTH_EVERY = 15.0  # seconds between health-file updates (the Docker HEALTHCHECK reads it)


class FrontlineBot(commands.Bot):
    def __init__(self, settings: Settings, frontline: Frontline, *, sync: str = "if-changed") -> None:
        """`sync`: "if-changed" (at start, only when the command set changed since the last sync),
        "always" or "never"."""
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
        self.sync_mode = sync
        self.tree.on_error = self.on_tree_error
        self._health_task: asyncio.Task | None = None
        self._sync_stamp = settings.data_dir / "commands.sha256"

    async def setup_hook(self) -> None:
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        self.add_dynamic_items(SourcesButton, VoteButton)
        self.lag.start()
        self._health_task = asyncio.create_task(self._write_health())
        if self.sync_mode == "always" or (self.sync_mode == "if-changed" and self.commands_changed()):
            await self.sync_tree()

    # ------------------------------------------------------------------ command sync
    def command_hash(self) -> str:
        """A fingerprint of the command set as Discord would receive it, and where it goes."""
        payload = sorted((c.to_dict(self.tree) for c in self.tree.get_commands()), key=lambda c: c["name"])
        data = json.dumps({"guild": self.settings.discord_guild_id, "commands": payload}, sort_keys=True)
        return hashlib.sha256(data.encode()).hexdigest()

    def commands_changed(self) -> bool:
        try:
            return self._sync_stamp.read_text().strip() != self.command_hash()
        except OSError:
            return True

    async def sync_tree(self) -> list[app_commands.AppCommand]:
        """Register the commands with Discord (rate-limited: only on purpose, or when they changed)."""
        if self.settings.discord_guild_id:  # instant, for development
            guild = discord.Object(id=self.settings.discord_guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
        else:  # global commands may take a while to appear everywhere
            synced = await self.tree.sync()
        try:
            self._sync_stamp.parent.mkdir(parents=True, exist_ok=True)
            self._sync_stamp.write_text(self.command_hash() + "\n")
        except OSError as exc:
            _log.warning("cannot write %s (%s): commands will be synced again next start", self._sync_stamp, exc)
        _log.info("synced %d commands %s", len(synced),
                  f"to guild {self.settings.discord_guild_id}" if self.settings.discord_guild_id else "globally")
        return synced

    # ------------------------------------------------------------------ life cycle
    async def close(self) -> None:
        self.lag.stop()
        if self._health_task:
            self._health_task.cancel()
        self.runner.shutdown()
        await super().close()

    async def on_message(self, message: discord.Message) -> None:
        # Mentions are answered by the Answers cog; there are no prefix commands to process.
        return

    # ------------------------------------------------------------------ shared by the cogs
    async def answer_off_loop(self, fn, *args):
        """Run `fn` on the answer runner; remember the answer it returns (alone or first of a tuple)
        so its buttons find it."""
        result = await self.runner.run(fn, *args)
        self.recent.add(result[0] if isinstance(result, tuple) else result)
        return result

    async def on_tree_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        where = interaction.command.name if interaction.command else "?"
        message = user_message(getattr(error, "original", error), where)
        try:
            if interaction.response.is_done():
                await interaction.followup.send(message, ephemeral=True)
            else:
                await interaction.response.send_message(message, ephemeral=True)
        except discord.HTTPException:
            _log.warning("could not tell the user about an error in /%s", where)

    async def _write_health(self) -> None:
        path = self.settings.data_dir / "health.json"
        while True:
            try:
                health = await asyncio.wait_for(asyncio.to_thread(self.frontline.health), 10)
                store_ok = health.store_ok
            except asyncio.TimeoutError:
                store_ok = False
            state = {"at": time.time(), "connected": self.is_ready() and not self.is_closed(), "store_ok": store_ok}
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(json.dumps(state))
            except OSError as exc:
                _log.warning("cannot write %s: %s", path, exc)
            await asyncio.sleep(HEALTH_EVERY)
