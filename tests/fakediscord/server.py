"""FakeDiscord: the public, test-facing object.  It owns a thread running the fake's event loop."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Iterator
from typing import Any, TypeVar

import yarl
from aiohttp import web

from . import constants as C
from .core import Core
from .records import Interaction
from .rest import RestApi

T = TypeVar("T")


class FakeDiscord:
    """A strict Discord (REST + gateway) on 127.0.0.1, run in its own thread.  See tests/fake_discord.py."""

    def __init__(
        self,
        *,
        ack_deadline: float = 3.0,
        token_lifetime: float = 15 * 60.0,
        heartbeat_interval_ms: int = 1000,
        privileged_intents: Collection[str] = (),
        bot_permissions: int = C.DEFAULT_BOT_PERMISSIONS,
        bad_token: str = "bad-token",
        patch: bool = True,
        port: int = 0,
    ) -> None:
        self._core = Core(
            ack_deadline=ack_deadline,
            token_lifetime=token_lifetime,
            heartbeat_interval_ms=heartbeat_interval_ms,
            privileged_intents=privileged_intents,
            bot_permissions=bot_permissions,
            bad_token=bad_token,
        )
        self._core.wrap_call = self._call
        self._patch_on_enter = patch
        self._patch_stack = contextlib.ExitStack()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._requested_port = port  # 0: an ephemeral port; a fixed one lets a test stop and restart "Discord"
        self.port: int | None = port or None

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> FakeDiscord:
        """Start the server thread and bind 127.0.0.1 (on an ephemeral port unless one was given)."""
        if self._loop is not None:
            raise RuntimeError("FakeDiscord already started")
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="fake-discord", daemon=True)
        self._thread.start()
        await self._call(self._serve())
        return self

    async def _serve(self) -> None:
        rest = RestApi(self._core)
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get(C.GATEWAY_PATH, self._core.gateway.handle)
        app.router.add_route("*", "/{tail:.*}", rest.handle)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self._requested_port, reuse_address=True)
        await site.start()
        self.port = self._runner.addresses[0][1]
        self._core.base_url = f"http://127.0.0.1:{self.port}"

    async def stop(self) -> None:
        """Close gateway connections, stop the server and join the thread.  Close the bot first."""
        if self._loop is None:
            return
        await self._call(self._shutdown())
        self._loop.call_soon_threadsafe(self._loop.stop)
        thread, loop = self._thread, self._loop
        assert thread is not None
        await asyncio.get_running_loop().run_in_executor(None, thread.join, 5)
        loop.close()
        self._loop = self._thread = None

    async def _shutdown(self) -> None:
        self._core.shutdown()
        await self._core.gateway.close_all()
        if self._runner is not None:
            await self._runner.cleanup()
        # Waits abandoned by the test (e.g. a cancelled wait_ready) must not die with the loop.
        pending = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    async def __aenter__(self) -> FakeDiscord:
        await self.start()
        if self._patch_on_enter:
            self._patch_stack.enter_context(self.patch_discord())
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self._patch_stack.close()
        await self.stop()

    def _call(self, coro: Awaitable[T]) -> Awaitable[T]:
        """Run ``coro`` on the fake's loop; awaitable from any other event loop."""
        if self._loop is None:
            raise RuntimeError("FakeDiscord is not running (await fake.start() or use 'async with')")
        return asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coro, self._loop))  # type: ignore[arg-type]

    # ------------------------------------------------------------------ pointing discord.py here

    @contextlib.contextmanager
    def patch_discord(self) -> Iterator[None]:
        """Point discord.py's REST base, gateway URL and CDN base at this fake; restore on exit."""
        import discord.asset
        import discord.gateway
        import discord.http

        saved = (
            discord.http.Route.BASE,
            discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY,
            discord.asset.Asset.BASE,
        )
        # Webhooks and interaction responses build their URLs from the same http.Route, so
        # Route.BASE covers them; the CDN is pointed here so nothing can leak to the internet.
        discord.http.Route.BASE = self.rest_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(self.gateway_url)
        discord.asset.Asset.BASE = f"{self.base_url}/cdn"
        try:
            yield
        finally:
            (
                discord.http.Route.BASE,
                discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY,
                discord.asset.Asset.BASE,
            ) = saved

    @contextlib.asynccontextmanager
    async def connect(
        self, client: Any, token: str = "fake-token", *, timeout: float = 15.0, commands: bool = True
    ) -> AsyncIterator[Any]:
        """Run ``client.start(token)`` as a task until ready; on exit close the client cleanly.

        If the client dies while starting (e.g. LoginFailure), its exception is raised here.
        """
        # this client's own IDENTIFY (and sync): a bot that connected to this fake before does not count
        identifies, syncs = self._core.identifies, self._core.command_syncs
        task = asyncio.create_task(client.start(token), name="bot-under-test")
        ready = asyncio.ensure_future(self._wait_new_ready(identifies, syncs, timeout, commands))
        try:
            await asyncio.wait({task, ready}, return_when=asyncio.FIRST_COMPLETED)
            if task.done():
                await task  # re-raises the bot's startup error (e.g. discord.LoginFailure)
                raise RuntimeError("the bot's start() returned before it was ready")
            await ready
            yield client
        finally:
            ready.cancel()
            await client.close()
            if not task.done():
                await asyncio.wait_for(task, 10)  # surfaces a crash of the bot's gateway loop

    # ------------------------------------------------------------------ addresses & ids

    @property
    def base_url(self) -> str:
        if self.port is None:
            raise RuntimeError("FakeDiscord is not started")
        return f"http://127.0.0.1:{self.port}"

    @property
    def rest_base(self) -> str:
        return self.base_url + C.API_PREFIX

    @property
    def gateway_url(self) -> str:
        return self.base_url.replace("http://", "ws://") + C.GATEWAY_PATH

    guild_id = property(lambda self: self._core.guild.id, doc="The test guild.")
    channel_id = property(lambda self: self._core.guild.channel_id, doc="Its text channel #general.")
    application_id = property(lambda self: self._core.application_id, doc="The application (== bot user id).")
    bot_user_id = property(lambda self: self._core.bot_user.id, doc="The bot's user id.")
    user_id = property(lambda self: self._core.guild.user.id, doc="A plain member, no roles.")
    admin_id = property(lambda self: self._core.guild.admin.id, doc="A member with the Mods role (Manage Guild).")
    owner_id = property(lambda self: self._core.guild.owner.id, doc="The guild owner (all permissions).")
    mods_role_id = property(lambda self: self._core.guild.mods_role.id, doc="The 'Mods' role.")
    bot_role_id = property(lambda self: self._core.guild.bot_role.id, doc="The bot's managed role.")

    # ------------------------------------------------------------------ recorded state (live views)

    violations = property(lambda self: self._core.violations, doc="Every rule the bot broke, human-readable.")
    requests = property(lambda self: self._core.requests, doc="Every REST request (RecordedRequest).")
    messages = property(lambda self: self._core.messages, doc="channel/thread id -> messages in it (bot's and users').")
    threads = property(lambda self: self._core.threads, doc="Threads the bot created.")
    interactions = property(lambda self: self._core.interactions, doc="Every Interaction record, oldest first.")
    commands = property(lambda self: self._core.global_commands, doc="Global commands as last synced.")
    guild_commands = property(lambda self: self._core.guild_commands, doc="guild id -> commands as last synced.")
    events = property(lambda self: self._core.events, doc="Gateway dispatches sent: {'s', 't', 'at', 'session'}.")
    heartbeats = property(lambda self: self._core.heartbeats, doc="Fake-clock times of gateway heartbeats.")
    deleted_messages = property(lambda self: self._core.deleted_messages, doc="Messages the bot deleted.")
    refusals = property(lambda self: self._core.refusals,
                        doc="Refused requests the bot could not foresee, answered without a violation.")
    dm_channels = property(lambda self: self._core.dm_channels, doc="DM channels the bot opened.")
    resumes = property(lambda self: self._core.resumes, doc="How many times the bot RESUMEd a session.")
    presence = property(lambda self: self._core.presence, doc="Last presence update (op 3) payload.")
    identify_payload = property(lambda self: self._core.identify_payload, doc="The bot's IDENTIFY data.")
    gateway_compression = property(
        lambda self: self._core.gateway.compression, doc="'zlib-stream', 'zstd-stream' or 'none'."
    )

    @property
    def intents(self) -> int | None:
        session = self._core.session
        return None if session is None else session.intents

    def now(self) -> float:
        """The fake's clock: seconds since it was created (same clock as all recorded times)."""
        return self._core.now()

    def assert_no_violations(self) -> None:
        assert not self.violations, "fake Discord rules broken:\n  - " + "\n  - ".join(self.violations)

    def bot_messages(self, channel_id: int | None = None) -> list[dict[str, Any]]:
        """Snapshot of non-ephemeral messages the bot posted (in one channel, or everywhere)."""
        bot_id = str(self.bot_user_id)
        channels = [channel_id] if channel_id is not None else list(self.messages)
        return [copy.deepcopy(m) for c in channels for m in self.messages.get(c, []) if m["author"]["id"] == bot_id]

    # ------------------------------------------------------------------ driving the bot

    async def wait_ready(self, timeout: float = 15.0, *, commands: bool = True) -> None:
        """Wait until the bot identified (READY + GUILD_CREATE sent) and, if ``commands``, synced commands."""
        core = self._core

        def probe() -> bool | None:
            return True if core.identified and (core.command_syncs or not commands) else None

        await self._call(
            core.wait_until(probe, timeout, "the bot to identify" + (" and sync commands" if commands else ""))
        )

    async def _wait_new_ready(self, identifies: int, syncs: int, timeout: float, commands: bool) -> None:
        core = self._core

        def probe() -> bool | None:
            return True if core.identifies > identifies and (core.command_syncs > syncs or not commands) else None

        await self._call(
            core.wait_until(probe, timeout, "the bot to identify" + (" and sync commands" if commands else ""))
        )

    async def slash(
        self,
        name: str,
        options: dict[str, Any] | list[dict[str, Any]] | None = None,
        *,
        user_id: int | None = None,
        subcommand: str | None = None,
        channel_id: int | None = None,
        locale: str = "en-US",
    ) -> Interaction:
        """Dispatch a slash command (INTERACTION_CREATE type 2) built from the synced schema."""
        return await self._call(
            self._core.slash(
                name, options, user_id=user_id, subcommand=subcommand, channel_id=channel_id, locale=locale
            )
        )

    async def autocomplete(
        self,
        name: str,
        options: dict[str, Any] | None,
        focused: str,
        *,
        user_id: int | None = None,
        subcommand: str | None = None,
        channel_id: int | None = None,
        locale: str = "en-US",
    ) -> list[dict[str, Any]]:
        """Dispatch an autocomplete (type 4) for option ``focused``; return the bot's choices."""

        async def run() -> list[dict[str, Any]]:
            interaction = await self._core.autocomplete(
                name, options, focused, user_id=user_id, subcommand=subcommand, channel_id=channel_id, locale=locale
            )
            return copy.deepcopy(interaction.choices or [])

        return await self._call(run())

    async def click(
        self,
        message: dict[str, Any] | int | str,
        custom_id: str,
        *,
        user_id: int | None = None,
        values: list[str] | None = None,
        locale: str = "en-US",
    ) -> Interaction:
        """Press a button (or pick ``values`` in a select) on a message the bot sent (type 3)."""
        return await self._call(self._core.click(message, custom_id, user_id=user_id, values=values, locale=locale))

    async def post_message(
        self,
        content: str,
        *,
        user_id: int | None = None,
        channel_id: int | None = None,
        mentions_bot: bool = True,
        reply_to: dict[str, Any] | int | None = None,
    ) -> dict[str, Any]:
        """A member posts a message (MESSAGE_CREATE); with ``mentions_bot`` it starts with <@bot>."""
        return await self._call(
            self._core.post_user_message(
                content, user_id=user_id, channel_id=channel_id, mentions_bot=mentions_bot, reply_to=reply_to
            )
        )

    async def wait_for_message(
        self,
        *,
        channel_id: int | None = None,
        predicate: Callable[[dict[str, Any]], bool] | None = None,
        timeout: float = 10.0,
        after: dict[str, Any] | int | None = None,
        from_bot: bool = True,
    ) -> dict[str, Any]:
        """First (non-loading) message newer than ``after`` matching ``predicate``; a snapshot."""
        return await self._call(
            self._core.wait_for_message(
                channel_id=channel_id, predicate=predicate, timeout=timeout, after=after, from_bot=from_bot
            )
        )

    async def wait_for_thread(
        self,
        *,
        parent_id: int | None = None,
        predicate: Callable[[dict[str, Any]], bool] | None = None,
        timeout: float = 10.0,
    ) -> dict[str, Any]:
        """First thread the bot created (under ``parent_id``) matching ``predicate``; a snapshot."""
        core = self._core

        def probe() -> dict[str, Any] | None:
            for thread in core.threads:
                if parent_id is not None and thread["parent_id"] != str(parent_id):
                    continue
                if predicate is None or predicate(thread):
                    return copy.deepcopy(thread)
            return None

        return await self._call(core.wait_until(probe, timeout, "a thread"))

    async def reconnect_bot(self, timeout: float = 10.0) -> None:
        """Ask the bot to reconnect (op 7) and wait until it has RESUMEd its session."""
        core = self._core

        async def run() -> None:
            resumes = core.resumes
            await core.gateway.request_reconnect()

            def probe() -> bool | None:
                session = core.session
                return True if core.resumes > resumes and session is not None and session.connection else None

            await core.wait_until(probe, timeout, "the bot to RESUME after op 7")

        await self._call(run())

    # ------------------------------------------------------------------ changing the guild's channels

    async def add_text_channel(self, name: str) -> int:
        """A new text channel (CHANNEL_CREATE is dispatched); its id."""
        return await self._call(self._core.add_text_channel(name))

    async def restrict_bot(self, channel_id: int, deny: int = C.SEND_MESSAGES, *, announce: bool = True) -> None:
        """Deny the bot permission bits in a text channel (a member overwrite; ``deny=0`` lifts it).

        ``announce`` dispatches CHANNEL_UPDATE, as Discord does: the bot's cache then knows, and a request
        it makes there anyway is a violation.  ``announce=False`` plays a lost or raced event: the first
        refused request is answered (403) without a violation and listed in ``fake.refusals``; a second
        one there is a violation (the bot should have learned from the first)."""
        await self._call(self._core.set_bot_overwrite(channel_id, deny=deny, announce=announce))

    async def delete_channel(self, channel_id: int, *, announce: bool = True) -> None:
        """Delete a channel (CHANNEL_DELETE if ``announce``); requests to it get 404 Unknown Channel, under the
        same rule as ``restrict_bot``."""
        await self._call(self._core.delete_channel(channel_id, announce=announce))

    async def wait_until(self, condition: Callable[[FakeDiscord], Any], timeout: float = 10.0) -> Any:
        """Wait until ``condition(fake)`` is truthy (evaluated on the fake's thread after each change)."""

        def probe() -> Any:
            return condition(self) or None

        return await self._call(self._core.wait_until(probe, timeout, getattr(condition, "__name__", "a condition")))
