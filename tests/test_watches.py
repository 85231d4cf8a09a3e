"""The parts of following in Discord that need no Discord: the subscriptions store (across restarts) and
digests rendered within Discord's limits, ping-free, whatever the articles say."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.digests import MAX_ITEMS, PassageButton, digest_message, fingerprint
from bot.watches import MAX_PER_CHANNEL, Watches
from retrieval.digest import DigestItem
from tests.fakediscord.rules import check_components, check_embeds, resolve_pings


def test_watches_persist_pause_resume_and_remember_what_was_posted(tmp_path):
    path = tmp_path / "watches.sqlite3"
    watches = Watches(path)
    assert watches.add(guild_id=1, channel_id=10, place="Toretsk", user_id=7) == (True, 0)
    assert watches.add(guild_id=1, channel_id=10, place="Toretsk", user_id=8) == (False, 0)
    assert watches.add(guild_id=1, channel_id=10, place="Pokrovsk", user_id=7) == (True, 0)
    assert watches.add(guild_id=1, channel_id=11, place="Kharkiv", user_id=7) == (True, 0)
    assert watches.add(guild_id=2, channel_id=20, place="Toretsk", user_id=9) == (True, 0)
    assert watches.pause(10, "I lack the Send Messages permission there") == 2
    watches.mark_posted(11, ["web-a", "web-b"])
    watches.enqueue(["web-a", "web-c", "web-a"])
    watches.close()

    watches = Watches(path)           # a restart
    assert {c: [w.place for w in ws] for c, ws in watches.active_by_channel().items()} == {11: ["Kharkiv"],
                                                                                           20: ["Toretsk"]}
    paused = watches.in_channel(10)
    assert [w.place for w in paused] == ["Toretsk", "Pokrovsk"] and all(w.paused for w in paused)
    assert paused[0].paused_reason == "I lack the Send Messages permission there"
    assert [w.channel_id for w in watches.in_guild(1)] == [10, 10, 11]
    assert watches.posted(11, ["web-a", "web-c"]) == {"web-a"} and watches.posted(10, ["web-a"]) == set()
    assert [a for a, _ in watches.queued()] == ["web-a", "web-c"]
    # watching again resumes the whole channel
    assert watches.add(guild_id=1, channel_id=10, place="Toretsk", user_id=7) == (False, 2)
    assert 10 in watches.active_by_channel()
    watches.unmark_posted(11, ["web-a"])
    assert watches.posted(11, ["web-a", "web-b"]) == {"web-b"}
    watches.dequeue(["web-a", "web-c"])
    assert watches.queued() == []
    assert watches.remove(10, "Pokrovsk") and not watches.remove(10, "Pokrovsk")
    watches.close()


def test_a_channel_watches_a_bounded_number_of_places(tmp_path):
    watches = Watches(tmp_path / "w.sqlite3")
    for n in range(MAX_PER_CHANNEL):
        watches.add(guild_id=1, channel_id=5, place=f"Place {n}", user_id=1)
    with pytest.raises(ValueError, match=f"at most {MAX_PER_CHANNEL} places"):
        watches.add(guild_id=1, channel_id=5, place="One more", user_id=1)
    assert watches.add(guild_id=1, channel_id=5, place="Place 0", user_id=1) == (False, 0)   # not a new one
    watches.close()


def _item(n: int, sentence: str = "Shelling hit Toretsk again overnight.", **changes) -> DigestItem:
    values = dict(article_id=f"web-{n:016x}", passage_id=f"web-{n:016x}#0", title=f"Report {n}", date="2024-07-22",
                  date_int=20240722, outlet="Kharkiv Ledger", also_in=(), sentence=sentence,
                  url=f"https://ledger.example/news/{n}", passage=f"{sentence} More text.", names="Toretsk")
    values.update(changes)
    return DigestItem(**values)


def _payload(message: dict) -> dict:
    embed = message["embed"].to_dict()
    return {"embeds": [embed], "components": message["view"].to_components()}


def test_a_digest_line_has_date_outlet_link_other_outlets_and_the_sentence():
    message = digest_message(["Toretsk"], [_item(1, also_in=("Ukrinform", "AFP"))], {"Toretsk": 0})
    embed = message["embed"]
    assert embed.title == "New on Toretsk"
    assert embed.description == ("**1.** 2024-07-22 · [Kharkiv Ledger](https://ledger.example/news/1) "
                                 "(also in Ukrinform and AFP) — “Shelling hit Toretsk again overnight.”")
    [button] = message["view"].children
    assert button.custom_id == f"fl:psg:web-{1:016x}#0:{fingerprint('Shelling hit Toretsk again overnight. More text.')}"
    many = digest_message(["Toretsk", "Pokrovsk"], [_item(n) for n in range(MAX_ITEMS)], {"Toretsk": 5, "Pokrovsk": 2})
    assert many["embed"].description.splitlines()[-1] == "…and 7 more — /timeline Toretsk or /timeline Pokrovsk"
    assert many["embed"].title == "New on Toretsk and Pokrovsk"


def test_a_passage_id_too_long_for_a_button_keeps_its_line_without_one():
    long_id = "a" * 95 + "#0"
    message = digest_message(["Toretsk"], [_item(1, passage_id=long_id), _item(2)], {"Toretsk": 0})
    assert len(message["embed"].description.splitlines()) == 2 and len(message["view"].children) == 1


hostile = st.lists(st.sampled_from(list("ab @everyone<@&12>*_`[]()|~\n#:/.") + ["@here", "<@34>", "https://x.y"]),
                   max_size=300).map("".join)


@settings(max_examples=60, deadline=None)
@given(sentences=st.lists(hostile, min_size=1, max_size=MAX_ITEMS), outlet=hostile, url=hostile,
       also=st.lists(hostile, max_size=6), place=hostile)
def test_any_digest_fits_discord_and_pings_no_one(sentences, outlet, url, also, place):
    items = [_item(n, sentence=s or "x", outlet=outlet or None, url="https://e.org/" + url * (n % 3),
                   also_in=tuple(also)) for n, s in enumerate(sentences)]
    payload = _payload(digest_message([place or "P", "Toretsk"], items, {place or "P": 3, "Toretsk": 1}))
    assert check_embeds(payload["embeds"]) == [] and check_components(payload["components"]) == []
    lines = payload["embeds"][0]["description"].split("\n**")
    assert len(lines) == len(items) and lines[-1].split("\n")[-1].startswith("…and 4 more — /timeline ")
    assert payload["embeds"][0]["description"].endswith("/timeline Toretsk")
    texts = [payload["embeds"][0]["title"], payload["embeds"][0]["description"], payload["embeds"][0]["footer"]["text"]]
    pings = resolve_pings(texts, None)       # even if mentions were parsed: nothing would notify anyone
    assert not (pings.everyone or pings.roles or pings.users), pings


async def test_passage_buttons_are_rebuilt_from_their_custom_id():
    import re

    custom_id = f"fl:psg:web-00000000000000ab#3:{fingerprint('x')}"
    match = re.fullmatch(PassageButton.__discord_ui_compiled_template__, custom_id)
    button = await PassageButton.from_custom_id(None, None, match)
    assert (button.passage_id, button.fingerprint) == ("web-00000000000000ab#3", fingerprint("x"))
