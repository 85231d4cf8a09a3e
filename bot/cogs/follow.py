"""Following the news in Discord: /feeds (Manage Server), /watch, /unwatch and /watches (Manage Channels),
and the background poll that posts digests.

The poll runs every FRONTLINE_POLL_MINUTES in a worker thread (fetching and embedding never run on the
event loop), one at a time; a failed poll logs one line and the next one tries again. After each poll,
every channel watching places gets at most ONE digest: the new articles about its places or their
sectors, at most ten lines, none it was shown before (data/watches.sqlite3 remembers what was posted
where, so a restart never posts it again). A channel the bot can no longer post in (deleted, or a
permission taken away) has its watches paused with one log line; /watch there again resumes them.
"""
from __future__ import annotations

import asyncio
import logging
import threading
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.digests import MAX_ITEMS, PassageButton, digest_message
from bot.render import CONTENT_MAX, escape, trim
from bot.watches import FILE, Watch, Watches
from retrieval import FrontlineError

if TYPE_CHECKING:
    from bot.client import FrontlineBot
    from retrieval.digest import DigestItem
    from retrieval.following import FollowReport

_log = logging.getLogger(__name__)

_NEEDED = (("view_channel", "View Channel"), ("send_messages", "Send Messages"), ("embed_links", "Embed Links"))


class Follow(commands.Cog):
    feeds = app_commands.Group(
        name="feeds", description="The news feeds Frontline follows (Manage Server)",
        default_permissions=discord.Permissions(manage_guild=True), guild_only=True,
    )

    def __init__(self, bot: FrontlineBot) -> None:
        self.bot = bot
        self.interval = bot.settings.poll_minutes * 60
        self.watches = Watches(bot.settings.data_dir / FILE)
        self.polls = 0                              # polls finished since start (with their digests)
        self.last_report: FollowReport | None = None
        self._poll_lock = asyncio.Lock()            # never two polls at once
        self._stop = threading.Event()              # ends a running poll early when the bot closes
        self._task: asyncio.Task | None = None

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(PassageButton)
        self._task = asyncio.create_task(self._poll_forever(), name="follow-feeds")

    async def cog_unload(self) -> None:
        self._stop.set()
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):
                pass
        self.watches.close()

    # ------------------------------------------------------------------ the poll
    async def _poll_forever(self) -> None:
        await self.bot.wait_until_ready()      # digests need the channel cache
        while True:
            await self.poll()
            await asyncio.sleep(self.interval)

    async def poll(self) -> FollowReport | None:
        """One poll of every followed feed, then the digests. Errors are logged, never raised."""
        async with self._poll_lock:
            try:
                report = await asyncio.to_thread(self.bot.frontline.follow_once, self._stop)
            except Exception as exc:
                _log.error("poll failed (the next one tries again): %s: %s", type(exc).__name__, exc)
                _log.debug("poll failure", exc_info=exc)
                return None
            if report.feeds or report.busy:
                level = logging.WARNING if any(not f.ok for f in report.feeds) else logging.INFO
                _log.log(level, "%s", report.summary())
            self.last_report = report
            try:
                await asyncio.to_thread(self.watches.enqueue, report.new_articles)
                await self._post_digests()
            except Exception as exc:
                _log.error("digests failed (the next poll tries again): %s: %s", type(exc).__name__, exc)
                _log.debug("digest failure", exc_info=exc)
            self.polls += 1
            return report

    async def _post_digests(self) -> None:
        queued = await asyncio.to_thread(self.watches.queued)
        if not queued:
            return
        channels = await asyncio.to_thread(self.watches.active_by_channel)
        again = False
        for channel_id, watches in channels.items():
            again |= not await self._digest(channel_id, watches, queued)
        if not again:       # every channel had its digest: these articles are done
            await asyncio.to_thread(self.watches.dequeue, [a for a, _ in queued])

    async def _digest(self, channel_id: int, watches: list[Watch], queued: list[tuple[str, str]]) -> bool:
        """Post one channel's digest; False when it should be tried again at the next poll."""
        channel, reason, transient = self._postable(watches[0].guild_id, channel_id)
        if channel is None:
            if not transient:
                await self._pause(channel_id, watches, reason)
            return not transient
        digest = await asyncio.to_thread(self._collect, channel_id, watches, queued)
        if digest is None:
            return True
        places, shown, more, listed = digest
        # remembered first: a crash right after sending must not post the same digest again at the restart
        await asyncio.to_thread(self.watches.mark_posted, channel_id, listed)
        try:
            await channel.send(**digest_message(places, shown, more))
        except (discord.Forbidden, discord.NotFound) as exc:
            await asyncio.to_thread(self.watches.unmark_posted, channel_id, listed)
            await self._pause(channel_id, watches, f"Discord refused to post there ({exc.status}: {exc.text or 'no reason'})")
            return True
        except discord.HTTPException as exc:
            await asyncio.to_thread(self.watches.unmark_posted, channel_id, listed)
            _log.warning("could not post a digest in channel %s (%s); trying again at the next poll", channel_id, exc)
            return False
        return True

    def _collect(self, channel_id: int, watches: list[Watch], queued: list[tuple[str, str]]
                 ) -> tuple[list[str], list[DigestItem], dict[str, int], list[str]] | None:
        """(places named, the lines shown, per place how many more, every article listed), or None."""
        posted = self.watches.posted(channel_id, [a for a, _ in queued])
        chosen: dict[str, DigestItem] = {}
        per_place: dict[str, set[str]] = {}
        for watch in watches:
            ids = [a for a, at in queued if at >= watch.added_at and a not in posted]
            if not ids:
                continue
            try:
                found = self.bot.frontline.digest(watch.place, ids)
            except FrontlineError as exc:     # the gazetteer changed and no longer knows the place
                _log.warning("channel %s watches %r: %s", channel_id, watch.place, exc)
                continue
            for item in found:
                chosen.setdefault(item.article_id, item)
                per_place.setdefault(watch.place, set()).add(item.article_id)
        if not chosen:
            return None
        items = sorted(chosen.values(), key=lambda i: (i.date_int == 0, -i.date_int, i.article_id))
        shown = items[:MAX_ITEMS]
        shown_ids = {i.article_id for i in shown}
        more = {place: len(ids - shown_ids) for place, ids in per_place.items()}
        return list(per_place), shown, more, list(chosen)

    # ------------------------------------------------------------------ where digests can go
    def _postable(self, guild_id: int, channel_id: int) -> tuple[discord.TextChannel | None, str, bool]:
        """(the channel, "", False) when the bot may post there; else (None, why not, whether it may pass)."""
        guild = self.bot.get_guild(guild_id)
        if guild is None:
            return None, "I am no longer in that server", False
        if guild.unavailable:
            return None, "the server is unavailable (a Discord outage)", True
        channel = guild.get_channel(channel_id)
        if channel is None or not isinstance(channel, discord.abc.Messageable):
            return None, "the channel was deleted, or I can no longer see it", False
        if missing := _missing(channel.permissions_for(guild.me)):
            return None, f"I lack the {missing} permission there", False
        return channel, "", False

    async def _pause(self, channel_id: int, watches: list[Watch], reason: str) -> None:
        paused = await asyncio.to_thread(self.watches.pause, channel_id, reason)
        if paused:
            _log.warning("paused %d watch%s of channel %s (%s): %s; /watch there again resumes them", paused,
                         "es" if paused > 1 else "", channel_id, ", ".join(w.place for w in watches), reason)

    # ------------------------------------------------------------------ /feeds
    @feeds.command(name="list")
    async def feeds_list(self, interaction: discord.Interaction) -> None:
        """Every followed feed: when it last worked, how many articles it gave, its last error."""
        if not await self._may(interaction, "manage_guild", "Manage Server", "see the followed feeds"):
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        feeds = await asyncio.to_thread(self.bot.frontline.feeds)
        if not feeds:
            await interaction.followup.send("No feeds are followed yet. Add one with `/feeds add`, or list them "
                                            "in FRONTLINE_FEEDS on the server.", ephemeral=True)
            return
        minutes = self.bot.settings.poll_minutes
        lines = [f"Following {len(feeds)} feed{'s' if len(feeds) > 1 else ''}, polled every {minutes:g} min:"]
        lines += [_feed_line(f) for f in feeds]
        for message in _messages(lines):
            await interaction.followup.send(message, ephemeral=True)

    @feeds.command(name="add")
    @app_commands.describe(url="The feed's address, e.g. https://kyivindependent.com/news-archive/rss/")
    async def feeds_add(self, interaction: discord.Interaction, url: str) -> None:
        """Follow an RSS or Atom feed: its new articles are ingested at every poll."""
        if not await self._may(interaction, "manage_guild", "Manage Server", "add feeds"):
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            status = await asyncio.to_thread(self.bot.frontline.add_feed, url)
        except FrontlineError as exc:
            await interaction.followup.send(trim(f"Not added. {escape(str(exc))}", CONTENT_MAX), ephemeral=True)
            return
        _log.info("member %s added the feed %s", interaction.user.id, status.url)
        title = escape(status.title or "untitled")
        await interaction.followup.send(trim(
            f"Now following **{title}** <{_plain(status.url)}> ({status.entries_seen} entries listed). Its articles "
            f"are ingested at the next poll (every {self.bot.settings.poll_minutes:g} min).", CONTENT_MAX), ephemeral=True)

    @feeds.command(name="remove")
    @app_commands.describe(url="A followed feed's address (see /feeds list)")
    async def feeds_remove(self, interaction: discord.Interaction, url: str) -> None:
        """Stop following a feed added here; the articles it gave stay."""
        if not await self._may(interaction, "manage_guild", "Manage Server", "remove feeds"):
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            status = await asyncio.to_thread(self.bot.frontline.remove_feed, url)
        except FrontlineError as exc:
            await interaction.followup.send(trim(f"Not removed. {escape(str(exc))}", CONTENT_MAX), ephemeral=True)
            return
        _log.info("member %s removed the feed %s", interaction.user.id, status.url)
        await interaction.followup.send(trim(
            f"Stopped following <{_plain(status.url)}>; the {status.articles_given} articles it gave stay.",
            CONTENT_MAX), ephemeral=True)

    @feeds_remove.autocomplete("url")
    async def feed_autocomplete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        feeds = await asyncio.to_thread(self.bot.frontline.feeds)
        typed = current.casefold()
        found = [f.url for f in feeds if f.added_by == "user" and typed in f.url.casefold() and len(f.url) <= 100]
        return [app_commands.Choice(name=u, value=u) for u in found[:25]]

    # ------------------------------------------------------------------ /watch, /unwatch, /watches
    @app_commands.command(name="watch")
    @app_commands.describe(place="A settlement or sector, e.g. Toretsk (aliases like Dzerzhynsk work too)")
    @app_commands.default_permissions(manage_channels=True)
    @app_commands.guild_only()
    async def watch(self, interaction: discord.Interaction, place: str) -> None:
        """Post a digest here whenever new articles about a place (or its sector) come in."""
        if not await self._may(interaction, "manage_channels", "Manage Channels", "set up digests"):
            return
        name = self.bot.frontline.place_name(place)      # an unknown place: FrontlineError, answered by on_error
        channel = interaction.channel
        if not isinstance(channel, discord.TextChannel):
            await interaction.response.send_message("Use /watch in a text channel (not a thread or a DM).",
                                                    ephemeral=True)
            return
        if missing := _missing(interaction.app_permissions):
            await interaction.response.send_message(
                f"I can't post digests here: I need the {missing} permission in this channel.", ephemeral=True)
            return
        try:
            added, resumed = await asyncio.to_thread(self.watches.add, guild_id=interaction.guild_id or 0,
                                                     channel_id=channel.id, place=name, user_id=interaction.user.id)
        except ValueError as exc:
            await interaction.response.send_message(f"Not added: {exc}.", ephemeral=True)
            return
        what = escape(name)
        text = (f"This channel will get a digest of new articles about **{what}** and its sector after each poll "
                f"(every {self.bot.settings.poll_minutes:g} min)." if added else
                f"This channel already watches **{what}**.")
        if resumed:
            text += " Digests here were paused (I could not post here); they are back on."
        if not await asyncio.to_thread(self.bot.frontline.feeds):
            text += " No feeds are followed yet: someone with Manage Server can add one with `/feeds add`."
        await interaction.response.send_message(text, ephemeral=True)

    @app_commands.command(name="unwatch")
    @app_commands.describe(place="A place this channel watches")
    @app_commands.default_permissions(manage_channels=True)
    @app_commands.guild_only()
    async def unwatch(self, interaction: discord.Interaction, place: str) -> None:
        """Stop the digests about a place in this channel."""
        if not await self._may(interaction, "manage_channels", "Manage Channels", "change digests"):
            return
        watched = await asyncio.to_thread(self.watches.in_channel, interaction.channel_id or 0)
        name = next((w.place for w in watched if w.place.casefold() == place.strip().casefold()), None)
        if name is None:
            try:
                name = self.bot.frontline.place_name(place)
            except FrontlineError:
                name = place.strip()
        removed = await asyncio.to_thread(self.watches.remove, interaction.channel_id or 0, name)
        text = (f"No more digests about **{escape(name)}** here." if removed else
                f"This channel does not watch **{escape(name)}**; /watches lists what is watched.")
        await interaction.response.send_message(trim(text, CONTENT_MAX), ephemeral=True)

    @watch.autocomplete("place")
    async def place_autocomplete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        names = self.bot.frontline.autocomplete(current, limit=25)
        return [app_commands.Choice(name=n[:100], value=n[:100]) for n in names]

    @unwatch.autocomplete("place")
    async def watched_autocomplete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        watched = await asyncio.to_thread(self.watches.in_channel, interaction.channel_id or 0)
        typed = current.strip().casefold()
        names = [w.place for w in watched if typed in w.place.casefold()]
        return [app_commands.Choice(name=n[:100], value=n[:100]) for n in names[:25]]

    @app_commands.command(name="watches")
    @app_commands.guild_only()
    async def watches_list(self, interaction: discord.Interaction) -> None:
        """Which channels of this server get digests, about which places, and which are paused."""
        watched = await asyncio.to_thread(self.watches.in_guild, interaction.guild_id or 0)
        if not watched:
            await interaction.response.send_message("No channel here watches a place yet: `/watch Toretsk` in a "
                                                    "channel starts its digests.", ephemeral=True)
            return
        by_channel: dict[int, list[Watch]] = {}
        for w in watched:
            by_channel.setdefault(w.channel_id, []).append(w)
        lines = []
        for channel_id, ws in by_channel.items():
            line = f"<#{channel_id}>: " + ", ".join(escape(w.place) for w in ws)
            paused = next((w for w in ws if w.paused), None)
            if paused is not None:
                line += (f" — **paused** since {_when(paused.paused_at)}: {escape(paused.paused_reason or '?')} "
                         "(/watch there again resumes)")
            lines.append(line)
        messages = _messages(lines)
        await interaction.response.send_message(messages[0], ephemeral=True)
        for message in messages[1:]:
            await interaction.followup.send(message, ephemeral=True)

    # ------------------------------------------------------------------ permissions, checked again at run time
    async def _may(self, interaction: discord.Interaction, permission: str, label: str, what: str) -> bool:
        """Discord hides these commands from members without the permission, but a server can grant a command
        to anyone: check again, and say so when refusing."""
        perms = interaction.permissions
        owner = interaction.user.id in (self.bot.owner_ids or set()) or interaction.user.id == self.bot.owner_id
        if getattr(perms, permission, False) or owner:
            return True
        await interaction.response.send_message(
            f"Sorry — only members with the {label} permission can {what}.", ephemeral=True)
        return False


def _missing(perms: discord.Permissions) -> str | None:
    """The first permission a digest needs that is missing (without View Channel the others mean nothing,
    and Discord drops Embed Links with Send Messages)."""
    return next((label for attr, label in _NEEDED if not getattr(perms, attr)), None)


def _feed_line(feed) -> str:
    title = escape(feed.title or "untitled")
    line = f"• **{trim(title, 100)}** <{_plain(feed.url)}>"
    if feed.added_by == "settings":
        line += " (from the server's settings)"
    state = [f"last worked {_when(feed.last_success)}" if feed.last_success else "not read yet",
             f"{feed.articles_given} article{'s' if feed.articles_given != 1 else ''}"]
    if feed.entries_pending:
        state.append(f"{feed.entries_pending} waiting")
    line += "\n  " + " · ".join(state)
    if feed.last_error:
        line += f"\n  last error {_when(feed.last_error_at)}: {trim(escape(feed.last_error), 300)}"
    return line


def _when(stamp: str | None) -> str:
    """A Discord timestamp ("3 minutes ago", in each reader's own time zone)."""
    from datetime import datetime

    if not stamp:
        return "?"
    try:
        return discord.utils.format_dt(datetime.fromisoformat(stamp), "R")
    except ValueError:
        return escape(stamp)


def _plain(url: str) -> str:
    # inside <...> a URL is shown without a preview; these characters would end or break it
    return "".join("%20" if c.isspace() else "%3E" if c == ">" else c for c in url)


def _messages(lines: list[str]) -> list[str]:
    """Lines packed into messages of at most 2,000 characters."""
    messages, current = [], ""
    for line in lines:
        line = trim(line, CONTENT_MAX)
        if current and len(current) + 1 + len(line) > CONTENT_MAX:
            messages.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line
    return messages + ([current] if current else [])


async def setup(bot: FrontlineBot) -> None:
    await bot.add_cog(Follow(bot))
