"""End to end: the real bot follows the fake news site and posts digests through the fake Discord.

/watch Toretsk, then a new Toretsk story appears in the site's feed: the channel gets one digest within a
poll (a short poll interval here), with a button that shows the verbatim passage; a Kharkiv story goes to
the channel watching Kharkiv, not to Toretsk's; a restart (a new bot on the same data folder) posts
nothing again. A channel the bot can no longer post in has its watches paused, not retried forever.
/feeds lists, adds (saying why not) and removes feeds. Every test ends with the fake's verdict.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging

import pytest

from bot.client import FrontlineBot
from bot.watches import FILE, Watches
from retrieval.service import Frontline
from retrieval.web.fetch import FetchPolicy
from tests.conftest import make_settings
from tests.fake_discord import CommandNotAvailable, FakeDiscord
from tests.fakediscord import constants as C
from tests.fakeweb.stories import DZERZHYNSK_WATER, KHARKIV_SUBSTATION, TORETSK_ASSAULT, TORETSK_SPOIL_HEAPS

pytestmark = pytest.mark.slow
EPHEMERAL = 64
POLL_MINUTES = 0.02     # 1.2 s between polls


def _settings(tmp_path, site, **overrides):
    values = {"feeds": [site.url("/feed.rss")], "allow_private_urls": True, "poll_minutes": POLL_MINUTES}
    values.update(overrides)
    return make_settings(tmp_path / "data", **values)


def _frontline(settings, embedder, gazetteer) -> Frontline:
    return Frontline(settings.retrieval_config(), embedder=embedder, gazetteer=gazetteer,
                     fetch_policy=FetchPolicy.for_tests(retries=0, read_timeout=1.0, total_timeout=3.0))


@contextlib.asynccontextmanager
async def _running(fake, settings, frontline, *, restart: bool = False):
    bot = FrontlineBot(settings, frontline)
    async with fake.connect(bot, "fake-token", commands=not restart):
        cog = bot.get_cog("Follow")
        await _until(lambda: cog.polls >= 1, 90, "the first poll")
        yield bot, cog


async def _until(condition, timeout: float, what: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        await asyncio.sleep(0.05)


async def _polls(cog, n: int = 2) -> None:
    """Let `n` more complete polls (with their digests) happen."""
    target = cog.polls + n
    await _until(lambda: cog.polls >= target, 60, f"{n} more polls")


async def _ephemeral(fake, command: str, options: dict, **kwargs) -> str:
    message = await (await fake.slash(command, options, **kwargs)).wait_final(60)
    assert message["flags"] & EPHEMERAL, message
    return message["content"]


def _digests(fake, channel_id: int) -> list[dict]:
    return [m for m in fake.bot_messages(channel_id) if m.get("embeds") and m["embeds"][0]["title"].startswith("New on")]


def _unescape(text: str) -> str:
    return text.replace("\\", "")


async def test_watch_gets_one_digest_per_poll_of_what_is_new_with_a_passage_button_and_never_twice(
        tmp_path, embedder, gazetteer, news_sites):
    a, _ = news_sites
    settings = _settings(tmp_path, a)
    frontline = _frontline(settings, embedder, gazetteer)
    try:
        async with FakeDiscord() as fake:
            async with _running(fake, settings, frontline) as (bot, cog):
                assert len(cog.last_report.new_articles) == 4      # the first poll read the feed as it was
                general = fake.channel_id
                kharkiv_channel = await fake.add_text_channel("kharkiv-news")
                choices = await fake.autocomplete("watch", {"place": "dzer"}, "place", user_id=fake.owner_id)
                assert choices[0]["value"] == "Toretsk"
                said = await _ephemeral(fake, "watch", {"place": "Dzerzhynsk"}, user_id=fake.owner_id)
                assert "about **Toretsk** and its sector" in said
                said = await _ephemeral(fake, "watch", {"place": "Kharkiv"}, user_id=fake.owner_id,
                                        channel_id=kharkiv_channel)
                assert "**Kharkiv**" in said
                await _polls(cog)
                assert _digests(fake, general) == [] and _digests(fake, kharkiv_channel) == []   # nothing new yet

                a.extra_stories += [TORETSK_ASSAULT, KHARKIV_SUBSTATION]
                digest = await fake.wait_for_message(channel_id=general, predicate=lambda m: m.get("embeds"),
                                                     timeout=60)
                embed = digest["embeds"][0]
                assert embed["title"] == "New on Toretsk"
                lines = embed["description"].splitlines()
                assert len(lines) == 1 and lines[0].startswith("**1.** 2024-07-22 · [Kharkiv Ledger](")
                assert a.article_url(TORETSK_ASSAULT) in lines[0] and "eastern districts of Toretsk" in lines[0]
                assert a.article_url(KHARKIV_SUBSTATION) not in embed["description"]     # not Toretsk's
                [button] = [c for row in digest["components"] for c in row["components"]]
                assert button["custom_id"].startswith("fl:psg:web-") and button["label"] == "Passage 1"

                other = await fake.wait_for_message(channel_id=kharkiv_channel, predicate=lambda m: m.get("embeds"),
                                                    timeout=60)
                assert other["embeds"][0]["title"] == "New on Kharkiv"
                assert a.article_url(KHARKIV_SUBSTATION) in other["embeds"][0]["description"]
                assert a.article_url(TORETSK_ASSAULT) not in other["embeds"][0]["description"]

                shown = await (await fake.click(digest, button["custom_id"], user_id=fake.user_id)).wait_final(30)
                assert shown["flags"] & EPHEMERAL
                passage_id = button["custom_id"].removeprefix("fl:psg:").rsplit(":", 1)[0]
                cited = frontline.citation(passage_id)
                assert frontline.verify_citation(cited) and "eastern districts of Toretsk" in cited.passage
                assert _unescape(cited.passage.replace("\n", "\n> ")) in _unescape(shown["content"])
                assert "Kharkiv Ledger" in shown["content"] and a.article_url(TORETSK_ASSAULT) in shown["content"]

                await _polls(cog)
                assert len(_digests(fake, general)) == 1 and len(_digests(fake, kharkiv_channel)) == 1

            # a crash after posting, before the poll's articles left the queue: they are queued again
            posted = [frontline.digest(place, list(frontline._docstore.content_hashes()))[0].article_id
                      for place in ("Toretsk", "Kharkiv")]
            watches = Watches(settings.data_dir / FILE)
            assert watches.queued() == [] and all(watches.posted(c, posted) for c in (general, kharkiv_channel))
            watches.enqueue(posted)
            watches.close()
            frontline.close()
            frontline = _frontline(settings, embedder, gazetteer)
            async with _running(fake, settings, frontline, restart=True) as (bot, cog):    # same data folder
                await _polls(cog)
                assert len(_digests(fake, general)) == 1 and len(_digests(fake, kharkiv_channel)) == 1
                # the old digest's button still works in the new process
                shown = await (await fake.click(digest, button["custom_id"], user_id=fake.user_id)).wait_final(30)
                assert _unescape(cited.passage.replace("\n", "\n> ")) in _unescape(shown["content"])
                # and something new after the restart does get through, once
                a.extra_stories.append(DZERZHYNSK_WATER)
                again = await fake.wait_for_message(channel_id=general, after=digest,
                                                    predicate=lambda m: m.get("embeds"), timeout=60)
                assert a.article_url(DZERZHYNSK_WATER) in again["embeds"][0]["description"]
                assert "Dzerzhynsk" in again["embeds"][0]["description"]
                await _polls(cog)
                assert len(_digests(fake, general)) == 2 and len(_digests(fake, kharkiv_channel)) == 1
            assert not any(m.get("_pings") for m in fake.bot_messages())
            fake.assert_no_violations()
    finally:
        frontline.close()


async def test_a_digest_lists_ten_articles_at_most_and_says_how_many_more(tmp_path, embedder, gazetteer, news_sites):
    from tests.fakeweb.stories import Story

    a, _ = news_sites
    settings = _settings(tmp_path, a)
    frontline = _frontline(settings, embedder, gazetteer)
    try:
        async with FakeDiscord() as fake:
            async with _running(fake, settings, frontline) as (bot, cog):
                await _ephemeral(fake, "watch", {"place": "Toretsk"}, user_id=fake.owner_id)
                a.extra_stories += [Story(
                    slug=f"toretsk-report-{n:02d}", title=f"Toretsk front report number {n}", author="Desk",
                    published=f"2024-08-{n:02d}T10:00:00+03:00", modified=f"2024-08-{n:02d}T11:00:00+03:00",
                    paragraphs=(f"Report {n}: on day {n} of August the defenders of Toretsk repelled {n + 3} assaults "
                                f"on the town's eastern districts, the brigade's press officer told reporters.",
                                f"Shelling damaged {n * 2} houses on the western streets of the town, and volunteers "
                                f"evacuated {n + 10} residents in armoured vans overnight, police said in a statement."),
                ) for n in range(1, 18)]
                digest = await fake.wait_for_message(channel_id=fake.channel_id, predicate=lambda m: m.get("embeds"),
                                                     timeout=120)
                description = digest["embeds"][0]["description"]
                lines = description.splitlines()
                assert len(lines) == 11 and lines[-1] == "…and 7 more — /timeline Toretsk"
                assert lines[0].startswith("**1.** 2024-08-17 ·") and lines[9].startswith("**10.** 2024-08-08 ·")
                buttons = [c for row in digest["components"] for c in row["components"]]
                assert len(buttons) == 10 and len(digest["components"]) == 2
                await _polls(cog)
                assert len(_digests(fake, fake.channel_id)) == 1       # the seven others are not posted later
            fake.assert_no_violations()
    finally:
        frontline.close()


async def test_a_channel_the_bot_can_no_longer_post_in_is_paused_not_retried(tmp_path, embedder, gazetteer,
                                                                             news_sites, caplog):
    a, _ = news_sites
    settings = _settings(tmp_path, a)
    frontline = _frontline(settings, embedder, gazetteer)
    caplog.set_level(logging.WARNING, logger="bot.cogs.follow")
    try:
        async with FakeDiscord() as fake:
            async with _running(fake, settings, frontline) as (bot, cog):
                general = fake.channel_id
                quiet = await fake.add_text_channel("quiet")
                gone = await fake.add_text_channel("gone")
                for channel in (general, quiet, gone):
                    await _ephemeral(fake, "watch", {"place": "Toretsk"}, user_id=fake.owner_id, channel_id=channel)
                # Discord tells the bot (CHANNEL_UPDATE / CHANNEL_DELETE) in two channels; the third it is not told
                await fake.restrict_bot(quiet, C.SEND_MESSAGES)
                await fake.delete_channel(gone)
                refused = await _ephemeral(fake, "watch", {"place": "Pokrovsk"}, user_id=fake.owner_id, channel_id=quiet)
                assert refused == "I can't post digests here: I need the Send Messages permission in this channel."
                await fake.restrict_bot(general, C.SEND_MESSAGES, announce=False)
                a.extra_stories.append(TORETSK_ASSAULT)
                def paused() -> list[str]:
                    return [r.getMessage() for r in caplog.records if r.name == "bot.cogs.follow"]

                await _until(lambda: len(paused()) >= 3, 60, "three channels paused")
                await _polls(cog, 3)
                assert fake.bot_messages(general) == [] and fake.bot_messages(quiet) == []
                # one refused request, where the bot could not know, and none after it
                assert len(fake.refusals) == 1 and str(general) in fake.refusals[0]
                logged = paused()
                assert len(logged) == 3 and all("/watch there again resumes them" in m for m in logged)

                def reason(channel: int) -> str:
                    [line] = [m for m in logged if f"paused 1 watch of channel {channel} (Toretsk): " in m]
                    return line

                assert "I lack the Send Messages permission there" in reason(quiet)
                assert "the channel was deleted, or I can no longer see it" in reason(gone)
                assert "Discord refused to post there (403" in reason(general)

                listed = await _ephemeral(fake, "watches", {}, user_id=fake.user_id)
                assert listed.count("**paused**") == 3 and f"<#{quiet}>: Toretsk — **paused**" in listed

                # the permission is given back and /watch there again resumes the digests
                await fake.restrict_bot(general, 0)
                said = await _ephemeral(fake, "watch", {"place": "Toretsk"}, user_id=fake.owner_id)
                assert "already watches" in said and "they are back on" in said
                a.extra_stories.append(DZERZHYNSK_WATER)
                digest = await fake.wait_for_message(channel_id=general, predicate=lambda m: m.get("embeds"),
                                                     timeout=60)
                assert a.article_url(DZERZHYNSK_WATER) in digest["embeds"][0]["description"]
                assert fake.bot_messages(quiet) == []
            fake.assert_no_violations()
    finally:
        frontline.close()


async def test_feeds_are_listed_added_and_removed_by_server_managers_with_every_refusal_explained(
        tmp_path, embedder, gazetteer, news_sites):
    a, b = news_sites
    settings = _settings(tmp_path, a)
    frontline = _frontline(settings, embedder, gazetteer)
    try:
        async with FakeDiscord() as fake:
            async with _running(fake, settings, frontline) as (bot, cog):
                group = next(c for c in fake.commands if c["name"] == "feeds")
                assert group["default_member_permissions"] == str(C.MANAGE_GUILD)
                assert next(c for c in fake.commands if c["name"] == "watch")["default_member_permissions"] == \
                    str(C.MANAGE_CHANNELS)
                with pytest.raises(CommandNotAvailable):
                    await fake.slash("feeds", {}, subcommand="list", user_id=fake.user_id)
                with pytest.raises(CommandNotAvailable):
                    await fake.slash("watch", {"place": "Toretsk"}, user_id=fake.user_id)
                # a server may grant the commands to anyone: the bot checks again
                fake._core._check_command_visible = lambda *args: None
                refused = await _ephemeral(fake, "feeds", {"url": b.url("/feed.rss")}, subcommand="add",
                                           user_id=fake.user_id)
                assert "only members with the Manage Server permission" in refused
                refused = await _ephemeral(fake, "watch", {"place": "Toretsk"}, user_id=fake.admin_id)
                assert "only members with the Manage Channels permission" in refused

                listed = await _ephemeral(fake, "feeds", {}, subcommand="list", user_id=fake.admin_id)
                assert f"**Kharkiv Ledger** <{a.url('/feed.rss')}> (from the server's settings)" in listed
                assert "4 articles" in listed and "last worked <t:" in listed

                bad = await _ephemeral(fake, "feeds", {"url": a.url("/status/404")}, subcommand="add",
                                       user_id=fake.admin_id)
                assert bad == f"Not added. Cannot follow {a.url('/status/404')}: HTTP 404 Not Found."
                page = await _ephemeral(fake, "feeds", {"url": a.article_url(TORETSK_SPOIL_HEAPS)}, subcommand="add",
                                        user_id=fake.admin_id)
                assert page.startswith("Not added.") and "looks like a web page" in page
                added = await _ephemeral(fake, "feeds", {"url": b.url("/feed.rss")}, subcommand="add",
                                         user_id=fake.admin_id)
                assert added.startswith(f"Now following **Donbas Courier** <{b.url('/feed.rss')}> (3 entries listed)")
                await _until(lambda: cog.last_report and len(cog.last_report.feeds) == 2, 60, "a poll of both feeds")
                choices = await fake.autocomplete("feeds", {"url": "127"}, "url", subcommand="remove",
                                                  user_id=fake.admin_id)
                assert [c["value"] for c in choices] == [b.url("/feed.rss")]       # only feeds added here
                kept = await _ephemeral(fake, "feeds", {"url": a.url("/feed.rss")}, subcommand="remove",
                                        user_id=fake.admin_id)
                assert kept.startswith("Not removed.") and "FRONTLINE_FEEDS" in _unescape(kept)
                removed = await _ephemeral(fake, "feeds", {"url": b.url("/feed.rss")}, subcommand="remove",
                                           user_id=fake.admin_id)
                assert removed.startswith(f"Stopped following <{b.url('/feed.rss')}>; the ") and "stay" in removed
                listed = await _ephemeral(fake, "feeds", {}, subcommand="list", user_id=fake.admin_id)
                assert b.url("/feed.rss") not in listed

                unknown = await _ephemeral(fake, "watch", {"place": "Toretks"}, user_id=fake.owner_id)
                assert "I don't know a place or sector called “Toretks”" in unknown and "Toretsk" in unknown
                assert "No channel here watches" in await _ephemeral(fake, "watches", {}, user_id=fake.user_id)
                await _ephemeral(fake, "watch", {"place": "Toretsk direction"}, user_id=fake.owner_id)
                assert "Toretsk direction" in await _ephemeral(fake, "watches", {}, user_id=fake.user_id)
                choices = await fake.autocomplete("unwatch", {"place": "tor"}, "place", user_id=fake.owner_id)
                assert [c["value"] for c in choices] == ["Toretsk direction"]
                gone = await _ephemeral(fake, "unwatch", {"place": "Toretsk direction"}, user_id=fake.owner_id)
                assert gone == "No more digests about **Toretsk direction** here."
                again = await _ephemeral(fake, "unwatch", {"place": "Toretsk direction"}, user_id=fake.owner_id)
                assert "does not watch" in again
            fake.assert_no_violations()
    finally:
        frontline.close()
