"""Following the news through the front door (real model, real Chroma, the fake news site on 127.0.0.1):
`Frontline.ingest` of files and URLs together, `follow_once`, feeds added and removed (and every refusal
said plainly), "also in" on citations, and digests that name the place in any spelling, take in its
sector and leave other places out. Restarts and stops lose nothing and fetch nothing twice."""
from __future__ import annotations

import os
import subprocess
import sys
import threading

import pytest

from retrieval.errors import FrontlineError
from retrieval.render import citation_label
from retrieval.service import Frontline
from retrieval.web.fetch import FetchPolicy
from tests.conftest import ROOT, SEEDS, make_config
from tests.fakeweb.stories import (
    DZERZHYNSK_WATER, HORLIVKA_DEPOT, KHARKIV_SUBSTATION, TORETSK_PHARMACY, TORETSK_SPOIL_HEAPS,
    WIRE_ON_A, WIRE_ON_B,
)

REFUSED = "refused: 127.0.0.1 is a loopback address; set FRONTLINE_ALLOW_PRIVATE_URLS=1 to allow private addresses"


def _frontline(tmp_path, embedder, gazetteer, *, policy: FetchPolicy | None = None, **settings) -> Frontline:
    values = {"allow_private_urls": True, **settings}
    if policy is None and values["allow_private_urls"]:
        policy = FetchPolicy.for_tests(retries=1, read_timeout=0.5, total_timeout=2.0)
    return Frontline(make_config(tmp_path / "data", **values), embedder=embedder, gazetteer=gazetteer,
                     fetch_policy=policy)


def _stored(frontline) -> dict[str, dict]:
    rows = frontline._docstore._query("SELECT article_id, url, source, body FROM articles")
    return {r[0]: {"url": r[1], "source": r[2], "body": r[3]} for r in rows}


def _id_of(frontline, url: str) -> str:
    return next(aid for aid, art in _stored(frontline).items() if art["url"] == url)


def _page_hits(site) -> int:
    return sum(1 for r in site.requests if r.path.split("?")[0] not in ("/robots.txt", "/feed.rss", "/feed.atom"))


# ---------------------------------------------------------------------------------------------------
# ingest: files, folders and URLs
# ---------------------------------------------------------------------------------------------------

def test_ingest_takes_files_feeds_and_pages_together_and_citations_name_every_outlet(tmp_path, embedder, gazetteer,
                                                                                     news_sites):
    a, b = news_sites
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "kostiantynivka.txt").write_text(
        "date 2024-07-12\nShelling damaged a school in Kostiantynivka on Friday, the city administration said, "
        "and classes will continue online until the autumn.\n", encoding="utf-8")
    pharmacy = b.article_url(TORETSK_PHARMACY) + "?utm_source=telegram&utm_medium=social"
    frontline = _frontline(tmp_path, embedder, gazetteer)
    try:
        report = frontline.ingest([str(folder), a.url("/feed.rss"), pharmacy, b.article_url(WIRE_ON_B)])
        stored = _stored(frontline)
        # the file, the feed's four entries and the page; the copy of A's wire story on B is not stored again
        assert report.articles == 6 and len(stored) == 6, report.summary()
        assert [s.reason[:45] for s in report.skipped] == ["the same story as an article already stored ("]
        assert "kostiantynivka" in stored
        # a URL is not mangled into a path: the page is stored under its canonical address
        assert stored[_id_of(frontline, b.article_url(TORETSK_PHARMACY))]["source"] == "Donbas Courier"
        wire = _id_of(frontline, a.article_url(WIRE_ON_A))

        answer = frontline.ask("How many children must leave the villages near Pokrovsk?")
        cited = [c for c in answer.citations if c.article_id == wire]
        assert cited and all(c.also_in == ["Donbas Courier"] for c in cited)
        assert citation_label(cited[0]).endswith("· Kharkiv Ledger · also in Donbas Courier")
        assert answer.to_json()["citations"][answer.citations.index(cited[0])]["also_in"] == ["Donbas Courier"]
        others = [c for c in answer.citations if c.article_id != wire]
        assert all(c.also_in == [] for c in others)
        # the same text is cited once: no citation quotes B's copy
        assert len({c.passage for c in answer.citations}) == len(answer.citations)

        again = frontline.ingest([a.url("/feed.rss")])
        assert again.articles_unchanged == 4 and again.passages_embedded == 0
    finally:
        frontline.close()


def test_without_the_setting_private_addresses_are_refused_before_any_request(tmp_path, embedder, gazetteer,
                                                                             news_sites):
    a, _ = news_sites
    frontline = _frontline(tmp_path, embedder, gazetteer, allow_private_urls=False)
    try:
        report = frontline.ingest([a.url("/feed.rss")])
        assert report.articles == 0 and [(s.origin, s.reason) for s in report.skipped] == [(a.url("/feed.rss"), REFUSED)]
        with pytest.raises(FrontlineError) as refused:
            frontline.add_feed(a.url("/feed.atom"))
        assert str(refused.value) == f"Cannot follow {a.url('/feed.atom')}: {REFUSED}."
        assert frontline.feeds() == []
    finally:
        frontline.close()
    assert a.requests == []


# ---------------------------------------------------------------------------------------------------
# feeds added and removed
# ---------------------------------------------------------------------------------------------------

def test_adding_a_feed_checks_it_and_says_why_not(tmp_path, embedder, gazetteer, news_sites):
    a, b = news_sites
    frontline = _frontline(tmp_path, embedder, gazetteer, feeds=[a.url("/feed.rss")])
    try:
        refusals = {
            "ftp://example.org/feed.xml": "“ftp://example.org/feed.xml” is not a feed address: give its http:// or "
                                          "https:// URL.",
            "kyivindependent.com/rss": "“kyivindependent.com/rss” is not a feed address: give its http:// or "
                                       "https:// URL.",
            a.article_url(TORETSK_SPOIL_HEAPS): f"Cannot follow {a.article_url(TORETSK_SPOIL_HEAPS)}: content type "
                                                "text/html is not a feed — that looks like a web page: give the "
                                                "site's RSS or Atom feed (often linked as /feed or /rss).",
            a.url("/status/404"): f"Cannot follow {a.url('/status/404')}: HTTP 404 Not Found.",
            a.url("/feed-malformed.xml"): f"Cannot follow {a.url('/feed-malformed.xml')}: malformed feed XML (not "
                                          "well-formed (invalid token), line 3): no entry could be read.",
            a.url("/feed.rss"): f"{a.url('/feed.rss')} is already followed.",
            # the same feed, once tracking parameters are dropped
            a.url("/feed.rss?utm_source=newsletter"): f"{a.url('/feed.rss')} is already followed.",
        }
        for url, reason in refusals.items():
            with pytest.raises(FrontlineError) as refused:
                frontline.add_feed(url)
            assert str(refused.value) == reason, url

        added = frontline.add_feed(f"  {b.url('/feed.atom')} ")
        assert (added.url, added.title, added.entries_seen, added.added_by) == (b.url("/feed.atom"), "Donbas Courier", 3,
                                                                                "user")
        assert added.last_success and added.last_error is None and added.entries_pending == 3
        listed = frontline.feeds()
        assert [(f.url, f.added_by) for f in listed] == [(a.url("/feed.rss"), "settings"), (b.url("/feed.atom"), "user")]
        with pytest.raises(FrontlineError, match="is already followed"):
            frontline.add_feed(b.url("/feed.atom"))
    finally:
        frontline.close()


def test_removing_a_feed_keeps_its_articles_and_settings_feeds_stay(tmp_path, embedder, gazetteer, news_sites):
    a, b = news_sites
    frontline = _frontline(tmp_path, embedder, gazetteer, feeds=[a.url("/feed.rss")])
    try:
        frontline.add_feed(b.url("/feed.rss"))
        first = frontline.follow_once()
        assert [f.url for f in first.feeds] == [a.url("/feed.rss"), b.url("/feed.rss")]
        before = _stored(frontline)
        with pytest.raises(FrontlineError) as refused:
            frontline.remove_feed(a.url("/feed.rss"))
        assert str(refused.value) == (f"{a.url('/feed.rss')} is followed because the server's settings list it "
                                      "(FRONTLINE_FEEDS): it can only be removed there.")
        with pytest.raises(FrontlineError, match="is not a followed feed"):
            frontline.remove_feed(b.url("/feed.atom"))
        removed = frontline.remove_feed(b.url("/feed.rss"))
        assert removed.url == b.url("/feed.rss") and removed.articles_given == 3
        assert [f.url for f in frontline.feeds()] == [a.url("/feed.rss")]
        assert _stored(frontline) == before
        b_feed_polls = len(b.hits("/feed.rss"))
        later = frontline.follow_once()
        assert [f.url for f in later.feeds] == [a.url("/feed.rss")] and len(b.hits("/feed.rss")) == b_feed_polls
    finally:
        frontline.close()


def test_a_feed_dropped_from_the_settings_is_no_longer_polled(tmp_path, embedder, gazetteer, news_sites):
    a, b = news_sites
    first = _frontline(tmp_path, embedder, gazetteer, feeds=[a.url("/feed.rss"), b.url("/feed.rss")])
    try:
        assert len(first.follow_once().feeds) == 2
    finally:
        first.close()
    second = _frontline(tmp_path, embedder, gazetteer, feeds=[a.url("/feed.rss")])
    try:
        polls = len(b.hits("/feed.rss"))
        assert [f.url for f in second.follow_once().feeds] == [a.url("/feed.rss")]
        assert len(b.hits("/feed.rss")) == polls and [f.url for f in second.feeds()] == [a.url("/feed.rss")]
        # a member may follow it again: then it stays followed without the setting
        assert second.add_feed(b.url("/feed.rss")).added_by == "user"
        assert [f.url for f in second.feeds()] == [a.url("/feed.rss"), b.url("/feed.rss")]
    finally:
        second.close()


# ---------------------------------------------------------------------------------------------------
# polls
# ---------------------------------------------------------------------------------------------------

def test_each_poll_reports_every_feed_and_only_what_is_new(tmp_path, embedder, gazetteer, news_sites):
    a, b = news_sites
    frontline = _frontline(tmp_path, embedder, gazetteer, feeds=[a.url("/feed.rss"), b.url("/feed.atom")])
    try:
        first = frontline.follow_once()
        assert [(f.url, f.ok, f.new_entries, f.articles) for f in first.feeds] == [
            (a.url("/feed.rss"), True, 4, 4), (b.url("/feed.atom"), True, 3, 3)]
        stored = _stored(frontline)
        # A's four, and B's two of its own: its copy of the wire story is recorded as a carrier, not stored
        assert len(first.new_articles) == 6 and set(first.new_articles) == set(stored) and first.copies == 1
        assert first.skipped == [] and not first.stopped and first.busy is None
        assert "polled 2 feeds: 2 ok; 6 new articles, 1 copy of stored stories;" in first.summary()

        hits = len(a.requests), len(b.requests)
        quiet = frontline.follow_once()
        assert quiet.new_articles == [] and all(f.ok and f.not_modified and f.new_entries == 0 for f in quiet.feeds)
        assert (len(a.requests), len(b.requests)) == (hits[0] + 1, hits[1] + 1)     # one 304 per feed

        a.extra_stories.append(DZERZHYNSK_WATER)
        news = frontline.follow_once()
        assert news.new_articles == [_id_of(frontline, a.article_url(DZERZHYNSK_WATER))]
        assert [f.new_entries for f in news.feeds] == [1, 0]

        b.feed_status = 500
        failing = frontline.follow_once()
        assert [(f.url, f.error) for f in failing.feeds] == [
            (a.url("/feed.rss"), None), (b.url("/feed.atom"), "HTTP 500 Internal Server Error (tried 2 times)")]
        assert f"1 failed ({b.url('/feed.atom')}: HTTP 500 Internal Server Error (tried 2 times))" in failing.summary()
        status = next(f for f in frontline.feeds() if f.url == b.url("/feed.atom"))
        assert status.last_error == "HTTP 500 Internal Server Error (tried 2 times)" and status.articles_given == 3
        assert _stored(frontline).keys() == stored.keys() | set(news.new_articles)     # the failing feed kept its own
        json_report = failing.to_json()
        assert json_report["feeds"][1]["ok"] is False and json_report["new_articles"] == []
    finally:
        frontline.close()


class _StopAfter:
    """A stop signal that goes up once the poll has read `pages` pages (deterministic, unlike a timer)."""

    def __init__(self, pages: int) -> None:
        self.checks, self.pages = 0, pages

    def is_set(self) -> bool:
        self.checks += 1
        return self.checks > self.pages


def test_a_stopped_poll_keeps_what_it_read_and_restarts_fetch_nothing_twice(tmp_path, embedder, gazetteer,
                                                                            news_sites):
    a, _ = news_sites
    config = {"feeds": [a.url("/feed.rss")]}
    frontline = _frontline(tmp_path, embedder, gazetteer, **config)
    try:
        stopped = frontline.follow_once(_StopAfter(1))
        assert stopped.stopped and len(stopped.new_articles) == 1
        assert "stopped early" in stopped.summary()
        assert frontline.feeds()[0].entries_pending == 3
    finally:
        frontline.close()
    frontline = _frontline(tmp_path, embedder, gazetteer, **config)     # a restart
    try:
        rest = frontline.follow_once()
        assert len(rest.new_articles) == 3 and not set(rest.new_articles) & set(stopped.new_articles)
    finally:
        frontline.close()
    frontline = _frontline(tmp_path, embedder, gazetteer, **config)     # and another
    try:
        assert frontline.follow_once().new_articles == []
    finally:
        frontline.close()
    for story in a.feed_stories():
        assert len(a.hits(a.article_path(story))) == 1, story.slug


def test_two_polls_never_run_at_once_even_from_two_processes(tmp_path, embedder, gazetteer, news_sites):
    import fcntl

    a, _ = news_sites
    frontline = _frontline(tmp_path, embedder, gazetteer, feeds=[a.url("/feed.rss")])
    try:
        with open(tmp_path / "data" / "follow.lock", "a+") as other:      # another process holds the lock
            fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
            busy = frontline.follow_once()
            fcntl.flock(other, fcntl.LOCK_UN)
        assert busy.busy and busy.feeds == [] and "poll skipped: another poll is running" in busy.summary()
        assert a.requests == []
        assert len(frontline.follow_once().new_articles) == 4
    finally:
        frontline.close()


# ---------------------------------------------------------------------------------------------------
# digests
# ---------------------------------------------------------------------------------------------------

def test_a_digest_names_the_place_in_any_spelling_takes_in_its_sector_and_nothing_else(tmp_path, embedder, gazetteer,
                                                                                        news_sites):
    a, _ = news_sites
    frontline = _frontline(tmp_path, embedder, gazetteer, feeds=[a.url("/feed.rss")])
    try:
        old = frontline.follow_once().new_articles
        a.extra_stories += [DZERZHYNSK_WATER, HORLIVKA_DEPOT, KHARKIV_SUBSTATION]
        new = frontline.follow_once().new_articles
        assert len(new) == 3
        dzerzhynsk, horlivka, kharkiv = (_id_of(frontline, a.article_url(s))
                                         for s in (DZERZHYNSK_WATER, HORLIVKA_DEPOT, KHARKIV_SUBSTATION))

        items = frontline.digest("Toretsk", new)
        assert [i.article_id for i in items] == [horlivka, dzerzhynsk]          # newest first; Kharkiv left out
        by_id = {i.article_id: i for i in items}
        assert by_id[dzerzhynsk].names == "Toretsk" and "Dzerzhynsk" in by_id[dzerzhynsk].sentence
        assert by_id[horlivka].names == "Horlivka" and "Horlivka" in by_id[horlivka].sentence
        bodies = _stored(frontline)
        for item in items:
            assert item.sentence in item.passage and item.outlet == "Kharkiv Ledger"
            assert item.url == a.article_url(DZERZHYNSK_WATER if item.article_id == dzerzhynsk else HORLIVKA_DEPOT)
            cited = frontline.citation(item.passage_id)
            assert cited.passage == item.passage == bodies[item.article_id]["body"][cited.start:cited.end]
            assert frontline.verify_citation(cited)
        assert (by_id[dzerzhynsk].date, by_id[horlivka].date) == ("2024-07-19", "2024-07-20")

        # the place typed in another spelling, and the sector itself, give the same digest
        assert [i.article_id for i in frontline.digest("Dzerzhinsk", new)] == [horlivka, dzerzhynsk]
        assert [i.article_id for i in frontline.digest("Toretsk direction", new)] == [horlivka, dzerzhynsk]
        assert [i.article_id for i in frontline.digest("Kharkiv", new)] == [kharkiv]
        assert frontline.digest("Pokrovsk", new) == [] and frontline.digest("Toretsk", []) == []
        # only the articles asked about: the older Toretsk story is not in a digest of the new ones
        spoil_heaps = _id_of(frontline, a.article_url(TORETSK_SPOIL_HEAPS))
        assert spoil_heaps in old and spoil_heaps in {i.article_id for i in frontline.digest("Toretsk", old)}
        with pytest.raises(FrontlineError, match="I don't know a place or sector called “Toretks”.* Toretsk"):
            frontline.digest("Toretks", new)
        assert frontline.place_name("dzerzhynsk") == "Toretsk"
        assert frontline.place_name("toretsk sector") == "Toretsk direction"
        assert frontline.citation("web-0000000000000000#0") is None
    finally:
        frontline.close()


def test_a_digest_line_quotes_the_sentence_naming_the_place_itself_before_its_sector(tmp_path, embedder, gazetteer,
                                                                                      news_sites):
    a, _ = news_sites
    frontline = _frontline(tmp_path, embedder, gazetteer, feeds=[a.url("/feed.rss")])
    try:
        frontline.follow_once()
        spoil_heaps = _id_of(frontline, a.article_url(TORETSK_SPOIL_HEAPS))
        # the story is about Toretsk (Horlivka's sector) and names Horlivka once, in its second paragraph
        [item] = frontline.digest("Horlivka", [spoil_heaps])
        assert item.names == "Horlivka" and "approaches from Horlivka" in item.sentence
        [item] = frontline.digest("Toretsk", [spoil_heaps])
        assert item.names == "Toretsk" and item.sentence.startswith("TORETSK, Donetsk region")
    finally:
        frontline.close()


def test_answering_questions_never_builds_the_web_parts(tmp_path):
    """Importing trafilatura and datasketch costs seconds: a Frontline that only answers never does."""
    script = f"""
import sys
from pathlib import Path
from retrieval import Frontline, RetrievalConfig
frontline = Frontline(RetrievalConfig(data_dir=Path({str(tmp_path / 'data')!r}), corpus_paths=(Path({str(SEEDS)!r}),)))
frontline.ingest()
assert frontline.ask("Why did Ukraine leave the Kanal district?").citations
frontline.sector("Toretsk")
frontline.close()
loaded = sorted(m for m in ("trafilatura", "datasketch", "feedparser", "htmldate", "courlan") if m in sys.modules)
print("loaded:", loaded, "state:", Path({str(tmp_path / 'data' / 'web.sqlite3')!r}).exists())
"""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FRONTLINE_", "DISCORD_"))}
    env.update(HF_HUB_OFFLINE="1", ANONYMIZED_TELEMETRY="False", PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=300,
                         env=env)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "loaded: [] state: False"


@pytest.mark.parametrize("text, expected", [
    ("https://kyivindependent.com/news-archive/rss/", True), ("http://127.0.0.1:8000/feed.rss", True),
    ("ftp://example.org/x", True), ("seeds", False), ("seeds/a.txt", False), ("C:/corpus", False),
    ("https:/collapsed-by-path", False), ("://nothing", False),
])
def test_what_ingest_takes_as_a_url(text, expected):
    from retrieval.following import is_url

    assert is_url(text) is expected


def test_a_poll_and_an_ingest_do_not_overlap(tmp_path, embedder, gazetteer, news_sites):
    """Both take the one ingest lock: a poll started while an ingest runs waits for it."""
    a, b = news_sites
    b.page_delay = 0.2
    frontline = _frontline(tmp_path, embedder, gazetteer, feeds=[a.url("/feed.rss")])
    try:
        ingest = threading.Thread(target=frontline.ingest, args=([b.url("/feed.rss")],))
        ingest.start()
        while ingest.is_alive() and not b.requests:
            threading.Event().wait(0.01)
        report = frontline.follow_once()
        ingest.join(30)
        b_done = max(r.at for r in b.requests)
        a_first = min(r.at for r in a.requests)
        assert a_first >= b_done
        # B's copy of the wire story was stored first: A's is now the copy
        assert len(report.new_articles) == 3 and report.copies == 1
    finally:
        frontline.close()


def test_web_articles_the_store_lost_are_fetched_again_at_the_next_start(tmp_path, embedder, gazetteer, news_sites):
    """A lost Chroma volume: the next ingest drops the articles whose vectors are gone, so that they are
    embedded again; for a web article that means fetching its page again, and not taking it for a copy."""
    a, _ = news_sites
    frontline = _frontline(tmp_path, embedder, gazetteer, feeds=[a.url("/feed.rss")])
    try:
        frontline.follow_once()
        toretsk = _id_of(frontline, a.article_url(TORETSK_SPOIL_HEAPS))
        frontline._vectors.delete_articles([toretsk])          # the vectors are lost
        assert frontline.ingest([str(tmp_path / "nothing")]).reconciled
        assert toretsk not in _stored(frontline)
    finally:
        frontline.close()
    frontline = _frontline(tmp_path, embedder, gazetteer, feeds=[a.url("/feed.rss")])     # a restart
    try:
        again = frontline.follow_once()
        assert again.new_articles == [toretsk] and again.copies == 0
        assert len(a.hits(a.article_path(TORETSK_SPOIL_HEAPS))) == 2
        assert frontline.search("Ukrainian infantry on the spoil heaps around Toretsk")[0].passage.article_id == toretsk
        assert frontline.follow_once().new_articles == []
    finally:
        frontline.close()
