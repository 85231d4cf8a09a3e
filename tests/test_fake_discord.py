"""Proves tests/fake_discord.py against a tiny real discord.py bot over real loopback sockets.

The bot below is NOT the product bot: it is a deliberately small client whose commands each
exercise one behaviour (or one rule violation) of the fake.
"""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import Awaitable, Callable
from typing import Any

import discord
import pytest
from discord import app_commands
from hypothesis import given
from hypothesis import strategies as st

from tests.fake_discord import CommandNotAvailable, FakeDiscord, InteractionTimeout
from tests.fakediscord import constants as C
from tests.fakediscord.rules import (
    check_autocomplete_choices,
    check_components,
    check_embeds,
    check_message_payload,
    message_is_empty,
    resolve_pings,
)

# End-to-end tests start the fake server and a real discord.py client (pyproject's "slow" marker).
e2e = pytest.mark.slow

COUNTRIES = ["Ukraine", "United Kingdom", "United States", "Poland", "Moldova", "Georgia"]


# --------------------------------------------------------------------------- the bot under test


class TinyBot:
    """A discord.Client plus a record of exceptions its handlers caught (to assert on)."""

    def __init__(self, guild_id: int) -> None:
        self.client = discord.Client(intents=discord.Intents.default())
        self.tree = app_commands.CommandTree(self.client)
        self.caught: dict[str, Exception] = {}
        self.guild = discord.Object(guild_id)
        self._add_commands()
        self.client.setup_hook = self._setup_hook  # type: ignore[method-assign]
        self.client.event(self.on_message)

    async def _setup_hook(self) -> None:
        self.tree.copy_global_to(guild=self.guild)
        await self.tree.sync(guild=self.guild)

    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or self.client.user not in message.mentions:
            return
        question = message.content.replace(f"<@{self.client.user.id}>", "").strip()
        thread = await message.create_thread(name=f"Q: {question}"[:100])
        await thread.send(f"Answer to: {question}", allowed_mentions=discord.AllowedMentions.none())

    def _add_commands(self) -> None:
        tree, caught = self.tree, self.caught

        @tree.command(description="Answers at once")
        async def ping(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("pong")

        @tree.command(description="Defers, then answers with an embed in a followup")
        async def ask(interaction: discord.Interaction, question: str, private: bool = False) -> None:
            await interaction.response.defer(ephemeral=private, thinking=True)
            await asyncio.sleep(0.1)
            embed = discord.Embed(title="Answer", description=f"About {question}")
            embed.add_field(name="Source", value="seed article 1")
            await interaction.followup.send(embed=embed)

        @tree.command(description="Defers, then edits the original response")
        async def brief(interaction: discord.Interaction, question: str) -> None:
            await interaction.response.defer(thinking=True)
            await asyncio.sleep(0.1)
            await interaction.edit_original_response(content=f"Brief on {question}")

        @tree.command(description="Autocompletes a country")
        async def country(interaction: discord.Interaction, name: str) -> None:
            await interaction.response.send_message(name)

        @country.autocomplete("name")
        async def country_choices(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
            return [app_commands.Choice(name=c, value=c) for c in COUNTRIES if current.lower() in c.lower()]

        @tree.command(description="Autocomplete that offers too many choices")
        async def flood(interaction: discord.Interaction, name: str) -> None:
            await interaction.response.send_message(name)

        @flood.autocomplete("name")
        async def flood_choices(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
            return [app_commands.Choice(name=f"choice {i}", value=str(i)) for i in range(30)]

        @tree.command(description="Blocks the event loop for 4 s before answering")
        async def blocking(interaction: discord.Interaction) -> None:
            time.sleep(4)  # the bug under test: synchronous work on the event loop
            try:
                await interaction.response.send_message("too late")
            except discord.HTTPException as error:
                caught["blocking"] = error

        @tree.command(description="Acknowledges twice")
        async def twice(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("first")
            interaction.response._response_type = None  # bypass discord.py's own guard, like a buggy code path would
            try:
                await interaction.response.send_message("second")
            except discord.HTTPException as error:
                caught["twice"] = error

        @tree.command(description="Sends 2,500 characters, then a short answer")
        async def long(interaction: discord.Interaction) -> None:
            try:
                await interaction.response.send_message("x" * 2500)
            except discord.HTTPException as error:
                caught["long"] = error
                await interaction.response.send_message("shortened")

        @tree.command(description="@everyone with pings disabled")
        async def everyone_safe(interaction: discord.Interaction) -> None:
            await interaction.response.send_message(
                "@everyone heads up", allowed_mentions=discord.AllowedMentions.none()
            )

        @tree.command(description="@everyone with default mentions")
        async def everyone_ping(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("@everyone heads up")

        @tree.command(description="A message with a button")
        async def vote(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("Was this useful?", view=VoteView())

        @tree.command(description="Sends a file")
        async def upload(interaction: discord.Interaction) -> None:
            report = discord.File(io.BytesIO(b"casualty report\n"), filename="report.txt")
            await interaction.response.send_message("report attached", file=report)

        @tree.command(description="An embed showing an attached picture, right or wrong")
        async def picture(interaction: discord.Interaction, variant: str) -> None:
            png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
            data, named = {"good": (png, "map.png"), "not-png": (b"GIF89a", "map.png"),
                           "unknown": (png, "other.png")}[variant]
            embed = discord.Embed(title="map").set_image(url="attachment://map.png")
            try:
                await interaction.response.send_message(embed=embed, file=discord.File(io.BytesIO(data), filename=named))
            except discord.HTTPException as error:
                caught[f"picture-{variant}"] = error

        @tree.command(description="Uses the followup webhook before acknowledging")
        async def early(interaction: discord.Interaction) -> None:
            try:
                await interaction.followup.send("too early")
            except discord.HTTPException as error:
                caught["early"] = error
            await interaction.response.send_message("ok")

        @tree.command(description="Defers, then edits after the token expired")
        async def stale(interaction: discord.Interaction) -> None:
            await interaction.response.defer()
            await asyncio.sleep(1.3)
            try:
                await interaction.edit_original_response(content="stale answer")
            except discord.HTTPException as error:
                caught["stale"] = error

        @tree.command(description="A select menu")
        async def pick(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("Pick a country", view=PickView(), ephemeral=True)

        @tree.command(description="Followup lifecycle: send, edit, read the original, delete")
        async def steps(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("step 1")
            second = await interaction.followup.send("step 2", wait=True)
            await second.edit(content="step 2b")
            third = await interaction.followup.send("step 3", wait=True)
            await third.delete()
            original = await interaction.original_response()
            await original.edit(content=f"{original.content} done")

        @tree.command(description="Says what the member and the bot may do in this channel")
        async def perms(interaction: discord.Interaction) -> None:
            await interaction.response.send_message(
                f"member sends={interaction.permissions.send_messages} bot sends={interaction.app_permissions.send_messages}",
                ephemeral=True)

        @tree.command(description="Moderators only")
        @app_commands.default_permissions(manage_guild=True)
        async def purge(interaction: discord.Interaction) -> None:
            allowed = interaction.permissions.manage_guild
            await interaction.response.send_message(f"purge allowed={allowed}", ephemeral=True)


class VoteView(discord.ui.View):
    @discord.ui.button(label="Yes", custom_id="vote:yes", style=discord.ButtonStyle.success)
    async def yes(self, interaction: discord.Interaction, button: discord.ui.Button[VoteView]) -> None:
        await interaction.response.edit_message(content="Thanks!", view=None)


class PickView(discord.ui.View):
    @discord.ui.select(custom_id="pick:country", options=[discord.SelectOption(label=c) for c in COUNTRIES])
    async def chosen(self, interaction: discord.Interaction, select: discord.ui.Select[PickView]) -> None:
        await interaction.response.defer()  # a deferred update (callback type 6)
        await interaction.edit_original_response(content=f"picked {select.values[0]}", view=None)


# --------------------------------------------------------------------------- harness

Scenario = Callable[[FakeDiscord, TinyBot], Awaitable[None]]


def run_scenario(scenario: Scenario, **fake_options: Any) -> None:
    """Fresh fake + fresh bot per test; the fake runs in its own thread, the bot on this loop."""

    async def main() -> None:
        async with FakeDiscord(**fake_options) as fake:
            bot = TinyBot(fake.guild_id)
            async with fake.connect(bot.client):
                await scenario(fake, bot)

    asyncio.run(asyncio.wait_for(main(), 45))


async def eventually(condition: Callable[[], Any], timeout: float = 5.0) -> None:
    """Poll a condition that lives on the bot's loop (e.g. ``bot.caught``)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition never became true"
        await asyncio.sleep(0.02)


@e2e
def test_login_ready_sync_heartbeats_and_sequence() -> None:
    async def scenario(fake: FakeDiscord, bot: TinyBot) -> None:
        synced = {c["name"] for c in fake.guild_commands[fake.guild_id]}
        assert {"ping", "ask", "country", "blocking", "vote", "purge"} <= synced
        assert bot.client.user is not None and bot.client.user.id == fake.bot_user_id
        guild = bot.client.get_guild(fake.guild_id)
        assert guild is not None and guild.owner_id == fake.owner_id
        assert guild.get_channel(fake.channel_id).name == "general"
        assert {r.name for r in guild.roles} >= {"@everyone", "Mods"}
        assert guild.default_role.id == fake.guild_id
        assert fake.gateway_compression == "zlib-stream"
        assert not fake.intents & C.INTENT_MESSAGE_CONTENT

        await asyncio.sleep(1.3)  # heartbeat_interval is 1000 ms
        assert len(fake.heartbeats) >= 2

        await (await fake.slash("ping")).wait_final(5)
        sequence = [e["s"] for e in fake.events]
        assert sequence == list(range(1, len(sequence) + 1))
        assert [e["t"] for e in fake.events[:2]] == ["READY", "GUILD_CREATE"]
        await eventually(lambda: bot.client.ws.sequence == fake.events[-1]["s"])  # the bot saw every dispatch
        paths = [(r.method, r.path) for r in fake.requests]
        assert ("GET", "/users/@me") in paths and ("GET", "/oauth2/applications/@me") in paths
        fake.assert_no_violations()

    run_scenario(scenario)


@e2e
def test_immediate_deferred_followup_and_edited_answers() -> None:
    async def scenario(fake: FakeDiscord, bot: TinyBot) -> None:
        pong = await fake.slash("ping")
        message = await pong.wait_final(5)
        assert message["content"] == "pong" and message["flags"] == 0
        assert pong.ack_type == C.CALLBACK_CHANNEL_MESSAGE and pong.ack_latency < 1.0
        assert fake.messages[fake.channel_id][-1]["id"] == message["id"]

        private = await fake.slash("ask", {"question": "Kherson", "private": True})
        answer = await private.wait_final(5)
        assert private.ack_type == C.CALLBACK_DEFERRED_CHANNEL_MESSAGE
        assert answer["flags"] & C.FLAG_EPHEMERAL and not answer["flags"] & C.FLAG_LOADING
        assert answer["embeds"][0]["title"] == "Answer" and "Kherson" in answer["embeds"][0]["description"]
        assert answer["id"] not in {m["id"] for m in fake.messages[fake.channel_id]}  # ephemeral: not in the channel

        brief = await fake.slash("brief", {"question": "Bakhmut"})
        edited = await brief.wait_final(5)
        assert edited["content"] == "Brief on Bakhmut" and len(brief.edits) == 1
        fake.assert_no_violations()

    run_scenario(scenario)


@e2e
def test_autocomplete_returns_choices_and_rejects_more_than_25() -> None:
    async def scenario(fake: FakeDiscord, bot: TinyBot) -> None:
        choices = await fake.autocomplete("country", {"name": "uni"}, "name")
        assert [c["name"] for c in choices] == ["United Kingdom", "United States"]
        fake.assert_no_violations()

        with pytest.raises(InteractionTimeout):
            await fake.autocomplete("flood", {}, "name")
        assert any("25 or fewer" in v for v in fake.violations)
        assert fake.interactions[-1].callbacks[0].status == 400

    run_scenario(scenario)


@e2e
def test_blocked_event_loop_misses_the_3_second_deadline() -> None:
    async def scenario(fake: FakeDiscord, bot: TinyBot) -> None:
        interaction = await fake.slash("blocking")
        with pytest.raises(InteractionTimeout):
            await interaction.wait_final(10)
        await fake.wait_until(lambda f: interaction.callbacks, timeout=5)
        late = interaction.callbacks[0]
        assert late.status == 404 and late.latency > 3.0
        assert interaction.ack_type is None and interaction.ack_latency is None
        await eventually(lambda: "blocking" in bot.caught)
        assert bot.caught["blocking"].code == C.ERR_UNKNOWN_INTERACTION
        assert any("not acknowledged within 3.0 s" in v for v in fake.violations)
        assert any("first callback arrived" in v and "404 Unknown interaction" in v for v in fake.violations)

    run_scenario(scenario)


@e2e
def test_second_acknowledgement_is_rejected() -> None:
    async def scenario(fake: FakeDiscord, bot: TinyBot) -> None:
        interaction = await fake.slash("twice")
        assert (await interaction.wait_final(5))["content"] == "first"
        await eventually(lambda: "twice" in bot.caught)
        assert bot.caught["twice"].status == 400 and bot.caught["twice"].code == C.ERR_ALREADY_ACKNOWLEDGED
        assert len(fake.violations) == 1 and "second callback" in fake.violations[0]

    run_scenario(scenario)


@e2e
def test_content_over_2000_characters_is_rejected() -> None:
    async def scenario(fake: FakeDiscord, bot: TinyBot) -> None:
        message = await (await fake.slash("long")).wait_final(5)
        assert message["content"] == "shortened"
        error = bot.caught["long"]
        assert error.status == 400 and error.code == C.ERR_INVALID_FORM_BODY and "2000" in error.text
        assert len(fake.violations) == 1 and "content" in fake.violations[0]
        assert all(len(m["content"]) <= 2000 for m in fake.messages[fake.channel_id])

    run_scenario(scenario)


@e2e
def test_everyone_pings_only_count_when_allowed_mentions_permit_them() -> None:
    async def scenario(fake: FakeDiscord, bot: TinyBot) -> None:
        safe = await (await fake.slash("everyone_safe")).wait_final(5)
        assert safe["_pings"] == [] and safe["mention_everyone"] is False
        fake.assert_no_violations()

        pinging = await (await fake.slash("everyone_ping")).wait_final(5)
        assert pinging["_pings"] == ["@everyone"] and pinging["mention_everyone"] is True
        assert len(fake.violations) == 1 and "@everyone" in fake.violations[0]

        # discord.py merges the client-level allowed_mentions into every request.
        bot.client.allowed_mentions = discord.AllowedMentions.none()
        merged = await (await fake.slash("everyone_ping")).wait_final(5)
        assert merged["_pings"] == [] and len(fake.violations) == 1

    run_scenario(scenario)


@e2e
def test_button_click_updates_the_message() -> None:
    async def scenario(fake: FakeDiscord, bot: TinyBot) -> None:
        message = await (await fake.slash("vote")).wait_final(5)
        assert message["components"][0]["components"][0]["custom_id"] == "vote:yes"
        with pytest.raises(LookupError):
            await fake.click(message, "vote:no")

        click = await fake.click(message, "vote:yes", user_id=fake.admin_id)
        updated = await click.wait_final(5)
        assert click.ack_type == C.CALLBACK_UPDATE_MESSAGE
        assert updated["id"] == message["id"] and updated["content"] == "Thanks!" and updated["components"] == []
        fake.assert_no_violations()

    run_scenario(scenario)


@e2e
def test_select_menu_deferred_update_then_edit() -> None:
    async def scenario(fake: FakeDiscord, bot: TinyBot) -> None:
        menu = await (await fake.slash("pick", user_id=fake.admin_id)).wait_final(5)
        assert menu["flags"] & C.FLAG_EPHEMERAL
        with pytest.raises(PermissionError):  # someone else's ephemeral message
            await fake.click(menu, "pick:country", values=["Poland"], user_id=fake.user_id)
        with pytest.raises(ValueError):
            await fake.click(menu, "pick:country", values=["Atlantis"], user_id=fake.admin_id)
        choice = await fake.click(menu, "pick:country", values=["Poland"], user_id=fake.admin_id)
        picked = await choice.wait_final(5)
        assert choice.ack_type == C.CALLBACK_DEFERRED_UPDATE_MESSAGE
        assert picked["id"] == menu["id"] and picked["content"] == "picked Poland" and picked["components"] == []
        fake.assert_no_violations()

    run_scenario(scenario)


@e2e
def test_followup_edit_delete_and_original_lookup() -> None:
    async def scenario(fake: FakeDiscord, bot: TinyBot) -> None:
        interaction = await fake.slash("steps")
        final = await interaction.wait_final(5, predicate=lambda m: m["content"].endswith("done"))
        assert final["content"] == "step 1 done"
        await fake.wait_until(lambda f: len(interaction.followups) == 2 and f.deleted_messages)
        assert [m["content"] for m in interaction.followups] == ["step 2b", "step 3"]
        assert fake.deleted_messages[-1]["content"] == "step 3"
        assert [m["content"] for m in fake.bot_messages(fake.channel_id)] == ["step 1 done", "step 2b"]
        fake.assert_no_violations()

    run_scenario(scenario)


@e2e
def test_channel_rest_surface_used_by_typical_bots() -> None:
    async def scenario(fake: FakeDiscord, bot: TinyBot) -> None:
        quiet = discord.AllowedMentions.none()
        channel = bot.client.get_channel(fake.channel_id)
        async with channel.typing():
            sent = await channel.send("hello", embed=discord.Embed(description="news"), allowed_mentions=quiet)
        await sent.add_reaction("\N{THUMBS UP SIGN}")
        edited = await sent.edit(content="hello again")
        assert edited.edited_at is not None and edited.content == "hello again"
        assert [m.id async for m in channel.history(limit=5)][0] == sent.id
        assert (await channel.fetch_message(sent.id)).embeds[0].description == "news"

        user_message = await fake.post_message("thanks", mentions_bot=False)
        question = await channel.fetch_message(int(user_message["id"]))
        reply = await question.reply("you're welcome", mention_author=False)
        stored = fake.messages[fake.channel_id][-1]
        assert stored["id"] == str(reply.id) and stored["type"] == 19 and "_reply_pinged_user" not in stored

        side = await channel.create_thread(name="side", type=discord.ChannelType.public_thread)
        await side.send("in the thread", allowed_mentions=quiet)
        await side.edit(archived=True)
        assert fake.threads[-1]["thread_metadata"]["archived"] is True

        user = await bot.client.fetch_user(fake.user_id)
        await user.send("a DM", allowed_mentions=quiet)
        assert list(fake.dm_channels) and fake.messages[next(iter(fake.dm_channels))][0]["content"] == "a DM"

        await sent.delete()
        assert fake.deleted_messages[-1]["id"] == str(sent.id)
        fake.assert_no_violations()

    run_scenario(scenario)


@e2e
def test_channels_added_restricted_and_deleted_follow_discord_and_its_cache() -> None:
    async def scenario(fake: FakeDiscord, bot: TinyBot) -> None:
        quiet = discord.AllowedMentions.none()
        news = await fake.add_text_channel("news")
        await eventually(lambda: bot.client.get_channel(news) is not None)
        channel = bot.client.get_channel(news)
        guild = channel.guild
        await channel.send("first", allowed_mentions=quiet)

        # told by CHANNEL_UPDATE: discord.py's cache computes the overwrite as the fake does
        await fake.restrict_bot(news, C.SEND_MESSAGES)
        await eventually(lambda: not channel.permissions_for(guild.me).send_messages)
        assert channel.permissions_for(guild.me).view_channel
        # and an interaction there carries the channel's permissions, the member's and the bot's
        said = await (await fake.slash("perms", channel_id=news)).wait_final(5)
        assert said["content"] == "member sends=True bot sends=False"
        said = await (await fake.slash("perms")).wait_final(5)
        assert said["content"] == "member sends=True bot sends=True"
        await fake.restrict_bot(news, 0)
        await eventually(lambda: channel.permissions_for(guild.me).send_messages)
        await channel.send("second", allowed_mentions=quiet)

        # not told (a lost event): the first refusal is how the bot learns, and is no violation
        await fake.restrict_bot(news, C.VIEW_CHANNEL, announce=False)
        with pytest.raises(discord.Forbidden) as refused:
            await channel.send("third", allowed_mentions=quiet)
        assert refused.value.code == C.ERR_MISSING_ACCESS and len(fake.refusals) == 1
        fake.assert_no_violations()
        with pytest.raises(discord.Forbidden):           # trying again there is
            await channel.send("fourth", allowed_mentions=quiet)
        assert len(fake.violations) == 1 and "again: the bot already got a refusal there" in fake.violations[0]
        fake.violations.clear()

        # deleted, announced: the cache forgets it, and a request there anyway is a violation
        gone = await fake.add_text_channel("gone")
        await eventually(lambda: bot.client.get_channel(gone) is not None)
        stale = bot.client.get_channel(gone)
        await fake.delete_channel(gone)
        await eventually(lambda: bot.client.get_channel(gone) is None)
        with pytest.raises(discord.NotFound) as missing:
            await stale.send("too late", allowed_mentions=quiet)
        assert missing.value.code == C.ERR_UNKNOWN_CHANNEL
        assert len(fake.violations) == 1 and "was deleted" in fake.violations[0] and "the bot was told" in fake.violations[0]
        fake.violations.clear()
        assert [m["content"] for m in fake.bot_messages(news)] == ["first", "second"]
        fake.assert_no_violations()

    run_scenario(scenario)


@e2e
def test_a_second_bot_on_the_same_fake_is_waited_for_until_it_identifies() -> None:
    async def main() -> None:
        async with FakeDiscord() as fake:
            first = TinyBot(fake.guild_id)
            async with fake.connect(first.client):
                pass
            second = TinyBot(fake.guild_id)
            async with fake.connect(second.client):      # it syncs too: it has no stamp to skip it
                assert second.client.user is not None and fake._core.identifies == 2
                await (await fake.slash("ping")).wait_final(5)
            fake.assert_no_violations()

    asyncio.run(asyncio.wait_for(main(), 45))


@e2e
def test_mention_gets_a_threaded_reply_and_unmentioned_content_is_hidden() -> None:
    async def scenario(fake: FakeDiscord, bot: TinyBot) -> None:
        posted = await fake.post_message("What happened in Kherson?")
        thread = await fake.wait_for_thread(parent_id=fake.channel_id)
        assert thread["id"] == posted["id"] and thread["name"] == "Q: What happened in Kherson?"
        reply = await fake.wait_for_message(channel_id=int(thread["id"]), after=posted)
        assert reply["content"] == "Answer to: What happened in Kherson?"

        # No mention and no message-content intent: Discord delivers empty content, the bot ignores it.
        await fake.post_message("just chatting", mentions_bot=False)
        await asyncio.sleep(0.3)
        assert len(fake.threads) == 1
        fake.assert_no_violations()

    run_scenario(scenario)


@e2e
def test_file_upload_is_parsed_from_multipart() -> None:
    async def scenario(fake: FakeDiscord, bot: TinyBot) -> None:
        message = await (await fake.slash("upload")).wait_final(5)
        assert message["content"] == "report attached"
        assert message["attachments"][0]["filename"] == "report.txt" and message["attachments"][0]["size"] == 16
        callback = next(r for r in fake.requests if r.path.endswith("/callback"))
        assert callback.files and callback.json["type"] == C.CALLBACK_CHANNEL_MESSAGE
        fake.assert_no_violations()

    run_scenario(scenario)


@e2e
def test_attached_pictures_are_checked() -> None:
    async def scenario(fake: FakeDiscord, bot: TinyBot) -> None:
        good = await (await fake.slash("picture", {"variant": "good"})).wait_final(5)
        assert good["attachments"][0]["filename"] == "map.png"
        assert good["embeds"][0]["image"]["url"] == "attachment://map.png"
        fake.assert_no_violations()
        for variant, words in (("not-png", "is not a PNG"), ("unknown", "names no file of this message")):
            await fake.slash("picture", {"variant": variant})
            await fake.wait_until(lambda f, v=variant: f"picture-{v}" in bot.caught, timeout=5)
            assert any(words in v for v in fake.violations), fake.violations
        fake.violations.clear()

    run_scenario(scenario)


@e2e
def test_webhook_used_before_ack_and_after_token_expiry() -> None:
    async def scenario(fake: FakeDiscord, bot: TinyBot) -> None:
        early = await fake.slash("early")
        assert (await early.wait_final(5))["content"] == "ok"
        assert bot.caught["early"].status == 404 and bot.caught["early"].code == C.ERR_UNKNOWN_WEBHOOK
        assert len(fake.violations) == 1 and "before the interaction was acknowledged" in fake.violations[0]

        await fake.slash("stale")
        await eventually(lambda: "stale" in bot.caught)
        assert bot.caught["stale"].status == 401 and bot.caught["stale"].code == C.ERR_INVALID_WEBHOOK_TOKEN
        assert len(fake.violations) == 2 and "token used" in fake.violations[1]

    run_scenario(scenario, token_lifetime=1.0)


@e2e
def test_command_permissions_follow_the_guild_roles() -> None:
    async def scenario(fake: FakeDiscord, bot: TinyBot) -> None:
        with pytest.raises(CommandNotAvailable):
            await fake.slash("purge", user_id=fake.user_id)
        admin = await fake.slash("purge", user_id=fake.admin_id)
        assert (await admin.wait_final(5))["content"] == "purge allowed=True"
        assert int(admin.payload["member"]["permissions"]) & C.MANAGE_GUILD
        owner = await fake.slash("purge", user_id=fake.owner_id)
        assert (await owner.wait_final(5))["content"] == "purge allowed=True"
        fake.assert_no_violations()

    run_scenario(scenario)


@e2e
def test_unhandled_route_is_a_violation() -> None:
    async def scenario(fake: FakeDiscord, bot: TinyBot) -> None:
        with pytest.raises(discord.NotFound):
            await bot.client.http.request(
                discord.http.Route("GET", "/guilds/{guild_id}/audit-logs", guild_id=fake.guild_id)
            )
        assert fake.violations == [
            f"GET /guilds/{fake.guild_id}/audit-logs: unhandled route (the fake does not implement it)"
        ]

    run_scenario(scenario)


@e2e
def test_gateway_reconnect_is_resumed_without_losing_events() -> None:
    async def scenario(fake: FakeDiscord, bot: TinyBot) -> None:
        first_socket, session_id = bot.client.ws, bot.client.ws.session_id
        await fake.reconnect_bot()
        assert fake.resumes == 1 and fake.events[-1]["t"] == "RESUMED"
        await eventually(lambda: bot.client.ws is not first_socket)
        assert bot.client.ws.session_id == session_id
        assert (await (await fake.slash("ping")).wait_final(5))["content"] == "pong"
        await eventually(lambda: bot.client.ws.sequence == fake.events[-1]["s"])
        fake.assert_no_violations()

    run_scenario(scenario)


@e2e
def test_privileged_intents_are_refused_unless_enabled() -> None:
    async def main() -> None:
        async with FakeDiscord() as fake:
            client = discord.Client(intents=discord.Intents.all())
            with pytest.raises(discord.PrivilegedIntentsRequired):
                async with fake.connect(client, commands=False):
                    pass
            assert len(fake.violations) == 1 and "privileged intent" in fake.violations[0]

        async with FakeDiscord(privileged_intents={"members", "presences", "message_content"}) as fake:
            client = discord.Client(intents=discord.Intents.all())
            async with fake.connect(client, commands=False):
                guild = client.get_guild(fake.guild_id)
                await fake.wait_until(lambda f: guild is not None and guild.get_member(f.admin_id), timeout=5)
            fake.assert_no_violations()

    asyncio.run(main())


@e2e
def test_bad_token_fails_login_with_401() -> None:
    async def main() -> None:
        async with FakeDiscord() as fake:
            client = discord.Client(intents=discord.Intents.default())
            with pytest.raises(discord.LoginFailure):
                async with fake.connect(client, token="bad-token"):
                    pass
            assert [(r.path, r.status) for r in fake.requests] == [("/users/@me", 401)]
            assert fake.events == [] and fake.violations == []

    asyncio.run(main())


@e2e
def test_patch_discord_restores_module_globals() -> None:
    original = (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)

    async def main() -> None:
        async with FakeDiscord() as fake:
            assert discord.http.Route.BASE == fake.rest_base
            assert fake.rest_base.startswith("http://127.0.0.1:")
            assert str(discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY) == fake.gateway_url

    asyncio.run(main())
    assert (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY) == original


# --------------------------------------------------------------------------- pure rules (no sockets)


@given(st.integers(min_value=0, max_value=4000))
def test_content_limit_is_exactly_2000(length: int) -> None:
    problems = check_message_payload({"content": "a" * length}, ephemeral_allowed=False)
    assert bool(problems) == (length > C.MAX_CONTENT)


@given(st.text(alphabet="@everyonhr<>&!0123456789 ", max_size=60))
def test_parse_none_never_pings(text: str) -> None:
    assert resolve_pings([text], {"parse": []}).tokens == []


def test_mention_resolution() -> None:
    text = "<@1> <@!2> <@&5> @here"
    assert resolve_pings([text], None).tokens == ["@here", "<@&5>", "<@1>", "<@!2>"]
    only_users = resolve_pings([text], {"parse": ["users"]})
    assert only_users.users == [1, 2] and not only_users.everyone and only_users.roles == []
    assert resolve_pings([text], {"parse": [], "roles": ["5"]}).roles == [5]


def test_embed_limits() -> None:
    ok = {"title": "t" * 256, "description": "d" * 4096, "fields": [{"name": "n", "value": "v" * 1024}] * 1}
    assert check_embeds([ok]) == []
    assert check_embeds([{**ok, "title": "t" * 257}])
    assert check_embeds([{"description": "x", "fields": [{"name": "n", "value": "v"}] * 26}])
    assert check_embeds([{"description": "x", "fields": [{"name": "", "value": "v"}]}])
    assert check_embeds([{"description": "x", "footer": {"text": "f" * 2049}}])
    assert check_embeds([{"description": "x", "author": {"name": "a" * 257}}])
    assert check_embeds([{"description": "x"}] * 11)
    assert check_embeds([{"description": "d" * 3001}, {"description": "d" * 3000}])  # 6001 in total
    assert check_embeds([{}])  # nothing visible
    assert check_embeds([{"description": "x", "url": "/relative"}])


def test_component_and_choice_limits() -> None:
    def button(i: int, label: str = "ok") -> dict[str, Any]:
        return {"type": 2, "style": 1, "label": label, "custom_id": f"b{i}"}

    def row(*buttons: dict[str, Any]) -> dict[str, Any]:
        return {"type": 1, "components": list(buttons)}

    assert check_components([row(button(1))]) == []
    assert check_components([row(*(button(i) for i in range(6)))])
    assert check_components([row(button(i)) for i in range(6)])
    assert check_components([row(button(1, "l" * 81))])
    assert check_components([row({"type": 2, "style": 1, "label": "x", "custom_id": "c" * 101})])
    assert check_components([row(button(1), button(1))])  # duplicate custom_id

    choices = [{"name": str(i), "value": str(i)} for i in range(25)]
    assert check_autocomplete_choices({"choices": choices}, C.OPT_STRING) == []
    assert check_autocomplete_choices({"choices": [*choices, {"name": "x", "value": "x"}]}, C.OPT_STRING)
    assert check_autocomplete_choices({"choices": [{"name": "n" * 101, "value": "v"}]}, C.OPT_STRING)
    assert check_autocomplete_choices({"choices": [{"name": "", "value": "v"}]}, C.OPT_STRING)
    assert check_autocomplete_choices({"choices": [{"name": "n", "value": "1"}]}, C.OPT_INTEGER)


def test_empty_message_detection() -> None:
    assert message_is_empty({"content": "  "})
    assert not message_is_empty({"content": "", "embeds": [{"title": "t"}]})
    assert not message_is_empty({"attachments": [{"id": "1"}]})
