"""End to end: the real bot (real discord.py client, real store and model) against the loopback fake Discord.

Every test ends with the fake's verdict: no rule of Discord's broken (3-second acknowledgement, one
acknowledgement, message and embed limits, no pings).
"""
from __future__ import annotations

import contextlib
import json

import pytest

from bot.client import FrontlineBot
from tests.conftest import make_config, make_settings
from tests.fake_discord import FakeDiscord

pytestmark = pytest.mark.slow
EPHEMERAL = 64


@contextlib.asynccontextmanager
async def running_bot(frontline, tmp_path, **overrides):
    settings = make_settings(tmp_path / "botdata", **overrides)
    async with FakeDiscord() as fake:
        bot = FrontlineBot(settings, frontline)
        async with fake.connect(bot, "fake-token"):
            yield fake, bot
        fake.assert_no_violations()


def _all_embed_text(message: dict) -> str:
    parts = []
    for e in message.get("embeds", []):
        parts += [e.get("title", ""), e.get("description", ""), e.get("footer", {}).get("text", "")]
        parts += [f["name"] + f["value"] for f in e.get("fields", [])]
    return "\n".join(parts)


async def test_ask_gives_a_cited_dated_answer_and_sources_and_votes_work(seeded, tmp_path):
    async with running_bot(seeded, tmp_path) as (fake, bot):
        interaction = await fake.slash("ask", {"question": "Why did Ukraine leave the Kanal district?"})
        message = await interaction.wait_final(60)
        assert interaction.ack_latency < 3
        embed = message["embeds"][0]
        assert "[1]" in embed["description"]
        assert embed["fields"] and "2024-07-0" in embed["fields"][0]["name"]
        assert embed["footer"]["text"].startswith("As of 2024-07-0")
        custom_ids = [c["custom_id"] for row in message["components"] for c in row["components"]]
        sources_id = next(c for c in custom_ids if c.startswith("fl:src:"))
        up_id = next(c for c in custom_ids if c.startswith("fl:vote:up:"))

        sources = await (await fake.click(message, sources_id, user_id=fake.user_id)).wait_final(30)
        assert sources["flags"] & EPHEMERAL
        cited = bot.recent.get(sources_id.rsplit(":", 1)[1]).citations[0].passage
        assert cited[:80].replace("*", "") in sources["content"].replace("\\", "")

        vote = await (await fake.click(message, up_id, user_id=fake.user_id)).wait_final(30)
        assert vote["flags"] & EPHEMERAL and "recorded" in vote["content"]
        rows = [json.loads(line) for line in (tmp_path / "botdata" / "feedback.jsonl").read_text().splitlines()]
        assert rows[-1]["vote"] == "up" and rows[-1]["user_id"] == str(fake.user_id)
        assert set(rows[-1]) == {"at", "answer_id", "question", "vote", "user_id"}  # no names, no other text
        assert rows[-1]["question"] == "Why did Ukraine leave the Kanal district?"


async def test_off_corpus_question_abstains_with_a_short_plain_reply(seeded, tmp_path):
    async with running_bot(seeded, tmp_path) as (fake, _):
        message = await (await fake.slash("ask", {"question": "Who won the 2022 World Cup?"})).wait_final(60)
        assert not message.get("embeds")
        assert message["content"].startswith("The articles I have don't cover that.")
        assert "articles" in message["content"][40:]


async def test_sector_autocomplete_knows_aliases_and_briefing_is_newest_first(seeded, tmp_path):
    async with running_bot(seeded, tmp_path) as (fake, _):
        for typed in ("tor", "dzer"):
            choices = await fake.autocomplete("sector", {"name": typed}, "name")
            assert 0 < len(choices) <= 25
            assert choices[0]["value"] == "Toretsk", (typed, choices)
        message = await (await fake.slash("sector", {"name": "Toretsk"})).wait_final(60)
        embed = message["embeds"][0]
        assert "Toretsk" in embed["title"]
        dates = [line.split(" — ")[0] for line in embed["description"].splitlines()]
        assert dates == sorted(dates, reverse=True)


async def test_timeline_with_an_impossible_date_is_refused_clearly(seeded, tmp_path):
    async with running_bot(seeded, tmp_path) as (fake, _):
        message = await (await fake.slash("timeline", {"place": "Toretsk", "since": "2024-13-40"})).wait_final(30)
        assert message["flags"] & EPHEMERAL
        assert "2024-13-40" in message["content"] and "YYYY-MM-DD" in message["content"]


async def test_reindex_is_refused_without_manage_server_and_works_for_an_admin(seeded, tmp_path):
    async with running_bot(seeded, tmp_path) as (fake, _):
        command = next(c for c in fake.commands if c["name"] == "reindex")
        assert command["default_member_permissions"] == "32"  # Manage Server: Discord hides it from others
        # A server can still grant the command to a role; the bot checks again at run time.
        fake._core._check_command_visible = lambda *args: None
        refused = await (await fake.slash("reindex", {}, user_id=fake.user_id)).wait_final(30)
        assert refused["flags"] & EPHEMERAL and "Manage Server" in refused["content"]
        done = await (await fake.slash("reindex", {}, user_id=fake.admin_id)).wait_final(120)
        assert done["flags"] & EPHEMERAL and "5 articles (5 unchanged)" in done["content"]


async def test_mention_is_answered_in_a_thread_and_followups_in_that_thread(seeded, tmp_path):
    async with running_bot(seeded, tmp_path) as (fake, bot):
        question = await fake.post_message(f"<@{fake.bot_user_id}> How far is Toretsk from Horlivka?")
        reply = await fake.wait_for_message(
            channel_id=None, predicate=lambda m: m.get("embeds") or m.get("content"), timeout=60,
            after=question)
        thread_id = int(reply["channel_id"])
        assert thread_id != fake.channel_id and thread_id in {int(t["id"]) for t in fake.threads}
        assert "10 km" in _all_embed_text(reply)
        await fake.post_message(f"<@{fake.bot_user_id}> Who won the 2022 World Cup?", channel_id=thread_id)
        second = await fake.wait_for_message(channel_id=thread_id, predicate=lambda m: "don't cover" in m.get("content", ""),
                                             timeout=60)
        assert second["channel_id"] == str(thread_id)


async def test_hostile_and_huge_questions_are_answered_without_pings(seeded, tmp_path):
    async with running_bot(seeded, tmp_path) as (fake, _):
        huge = "Toretsk " + "why " * 1240  # ~5,000 characters
        message = await (await fake.slash("ask", {"question": huge})).wait_final(60)
        assert message.get("embeds") or message.get("content")
        for question in ("@everyone what happened in Toretsk? <@&123> @here", "**bold** `code` [x](http://e.org) Toretsk?"):
            message = await (await fake.slash("ask", {"question": question})).wait_final(60)
            text = message.get("content", "") + _all_embed_text(message)
            assert "@everyone" not in text and "<@&123>" not in text and "@here" not in text
        assert not any(m.get("_pings") for m in fake.bot_messages())


async def test_an_answer_too_long_for_one_embed_is_trimmed_to_fit(tmp_path, embedder, gazetteer):
    from retrieval.service import Frontline

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    sentence = "Russian forces shelled the outskirts of Pokrovsk again, the regional administration said in a statement."
    for day in range(1, 16):
        (corpus / f"p{day:02d}.txt").write_text(f"date 2024-08-{day:02d}\n" + " ".join([sentence] * 4) + "\n")
    frontline = Frontline(make_config(tmp_path / "data", corpus_dirs=[corpus]), embedder=embedder, gazetteer=gazetteer)
    frontline.ingest()
    try:
        async with running_bot(frontline, tmp_path) as (fake, _):
            message = await (await fake.slash("timeline", {"place": "Pokrovsk"})).wait_final(60)
            embed = message["embeds"][0]
            assert len(embed["fields"]) == 15
            assert any(f["value"].endswith("…") for f in embed["fields"])
            assert sum(len(p) for p in _all_embed_text(message).split("\n")) <= 6000
    finally:
        frontline.close()


async def test_cooldown_answers_with_a_friendly_ephemeral_message(seeded, tmp_path):
    async with running_bot(seeded, tmp_path, cooldown_seconds=60) as (fake, _):
        await (await fake.slash("ask", {"question": "Who is Voloshyn?"})).wait_final(60)
        second = await (await fake.slash("ask", {"question": "Who is Voloshyn?"})).wait_final(30)
        assert second["flags"] & EPHEMERAL and "again in" in second["content"]


async def test_about_reports_the_corpus(seeded, tmp_path):
    async with running_bot(seeded, tmp_path) as (fake, _):
        message = await (await fake.slash("about", {})).wait_final(30)
        fields = {f["name"]: f["value"] for f in message["embeds"][0]["fields"]}
        assert fields["Articles"].startswith("5 ") and fields["Dates"] == "2022-06-24 → 2024-07-07"


async def test_sync_command_registers_the_slash_commands(tmp_path, capsys):
    from bot.__main__ import run

    settings = make_settings(tmp_path / "data")
    async with FakeDiscord() as fake:
        assert await run(settings, "fake-token", sync_only=True) == 0
        assert {"ask", "sector", "timeline", "about", "reindex", "feeds", "watch", "unwatch", "watches"} == \
            {c["name"] for c in fake.commands}
        ask = next(c for c in fake.commands if c["name"] == "ask")
        assert ask["description"] and all(o["description"] for o in ask["options"])
    assert "synced 9 commands" in capsys.readouterr().out


async def test_rejected_token_is_one_line_nonzero_and_never_logged(tmp_path, capsys, caplog):
    import logging

    from bot.__main__ import RedactToken, run

    token = "bad-token"  # the fake answers 401 to this one
    redact = RedactToken(token)
    handlers = list(logging.getLogger().handlers)
    for handler in handlers:
        handler.addFilter(redact)
    try:
        async with FakeDiscord():
            assert await run(make_settings(tmp_path / "data"), token, sync_only=False) == 1
    finally:
        for handler in handlers:
            handler.removeFilter(redact)
    err = capsys.readouterr().err
    assert err.strip().count("\n") == 0 and "rejected the token" in err and "Traceback" not in err
    assert not any(token in r.getMessage() + (r.exc_text or "") for r in caplog.records)


def _syncs(fake) -> list:
    return [r for r in fake.requests if r.method == "PUT" and r.path.endswith("/commands")]


async def test_commands_sync_at_start_only_when_the_command_set_changed(seeded, tmp_path):
    settings = make_settings(tmp_path / "botdata")
    async with FakeDiscord() as fake:  # first start: never synced, so it syncs
        async with fake.connect(FrontlineBot(settings, seeded), "fake-token"):
            pass
        assert len(_syncs(fake)) == 1 and {"ask", "sector", "timeline"} <= {c["name"] for c in fake.commands}
        fake.assert_no_violations()
    assert (tmp_path / "botdata" / "commands.sha256").exists()

    async with FakeDiscord() as fake:  # a restart with the same commands: no sync
        async with fake.connect(FrontlineBot(settings, seeded), "fake-token", commands=False):
            await fake.wait_until(lambda f: f.events, timeout=10)
        assert _syncs(fake) == []
        fake.assert_no_violations()

    async with FakeDiscord() as fake:  # the target changed (a development guild): synced there
        guild_settings = make_settings(tmp_path / "botdata", discord_guild_id=fake.guild_id)
        async with fake.connect(FrontlineBot(guild_settings, seeded), "fake-token"):
            pass
        assert len(_syncs(fake)) == 1 and f"/guilds/{fake.guild_id}/commands" in _syncs(fake)[0].path
        fake.assert_no_violations()


def _png_of(fake, message: dict) -> bytes:
    """The bytes the bot uploaded for this message's first attachment."""
    name = message["attachments"][0]["filename"]
    uploads = [f for r in fake.requests for f in r.files if f.get("filename") == name]
    return uploads[-1]["data"]


@pytest.mark.parametrize("command,options,label", [
    ("timeline", {"place": "Chasiv Yar"}, "Chasiv Yar"),
    ("sector", {"name": "Toretsk"}, "Toretsk"),
])
async def test_briefings_show_their_picture(seeded, tmp_path, command, options, label):
    import io

    from PIL import Image, ImageStat

    async with running_bot(seeded, tmp_path) as (fake, _):
        message = await (await fake.slash(command, options)).wait_final(60)
        embed = message["embeds"][0]
        assert embed["image"]["url"] == f"attachment://{message['attachments'][0]['filename']}"
        assert label in (message["attachments"][0].get("description") or "")
        image = Image.open(io.BytesIO(_png_of(fake, message)))
        assert image.format == "PNG" and image.width >= 400 and image.height >= 250
        assert max(ImageStat.Stat(image.convert("L")).stddev) > 5, "a blank picture"
        fake.assert_no_violations()
