"""Feed state across polls and restarts: conditional GET, entries done only when told, a failing feed keeps
its entries and shows its error, a changed entry is fetched again, carriers of a story are remembered."""
from __future__ import annotations

import threading

from retrieval.web.fetch import Fetcher, FetchPolicy
from retrieval.web.state import WebState, poll_feed


def _fetcher() -> Fetcher:
    return Fetcher(FetchPolicy.for_tests(retries=0))


def test_restarting_loses_nothing_and_fetches_nothing_twice(news_sites, tmp_path):
    site, _ = news_sites
    feed = site.url("/feed.rss")
    state = WebState(tmp_path / "web.sqlite3")
    with _fetcher() as fetcher:
        first = poll_feed(feed, fetcher, state)
        assert first.error is None and not first.not_modified and first.new_entries == 4
        assert [e.link.split("?")[0] for e in first.entries] == [site.article_url(s) for s in site.feed_stories()]
        state.entry_done(feed, first.entries[0].key, "web-a")
        state.entry_done(feed, first.entries[1].key, "web-b")
        state.close()                                   # "crash" with two entries not yet stored

        state = WebState(tmp_path / "web.sqlite3")
        second = poll_feed(feed, fetcher, state)
        assert second.not_modified and second.new_entries == 0
        assert [e.key for e in second.entries] == [e.key for e in first.entries[2:]]
        for entry in second.entries:
            state.entry_done(feed, entry.key, "web-x")
        third = poll_feed(feed, fetcher, state)
    assert third.not_modified and third.entries == []
    sent = site.hits("/feed.rss")
    assert len(sent) == 3 and all(r.headers.get("if-none-match") for r in sent[1:])
    status = state.feed(feed)
    assert status.articles_given == 4 and status.entries_seen == 4 and status.entries_pending == 0
    assert status.etag and status.last_success and status.last_error is None and status.title == "Kharkiv Ledger"


def test_a_failing_feed_keeps_its_entries_and_shows_its_error(news_sites, tmp_path):
    site, _ = news_sites
    feed = site.url("/feed.atom")
    state = WebState(tmp_path / "web.sqlite3")
    with _fetcher() as fetcher:
        ok = poll_feed(feed, fetcher, state)
        state.entry_done(feed, ok.entries[0].key, "web-a")
        succeeded_at = state.feed(feed).last_success
        site.feed_status = 404
        failed = poll_feed(feed, fetcher, state)
        assert failed.error == "HTTP 404 Not Found"
        # pages already known are still worth fetching while the feed itself is down
        assert [e.key for e in failed.entries] == [e.key for e in ok.entries[1:]]
        status = state.feed(feed)
        assert status.last_error == "HTTP 404 Not Found" and status.last_error_at
        assert status.last_success == succeeded_at and status.entries_seen == 4 and status.articles_given == 1
        site.feed_status = 200
        back = poll_feed(feed, fetcher, state)
    assert back.error is None and state.feed(feed).last_error is None


def test_a_feed_that_is_not_a_feed_or_is_broken_says_why(news_sites, tmp_path):
    site, _ = news_sites
    state = WebState(tmp_path / "web.sqlite3")
    with _fetcher() as fetcher:
        page = poll_feed(site.article_url(site.stories[0]), fetcher, state)
        broken = poll_feed(site.url("/feed-malformed.xml"), fetcher, state)
    assert page.error == "content type text/html is not a feed"
    assert broken.error == "malformed feed XML (not well-formed (invalid token), line 3): no entry could be read"
    assert {f.url: f.last_error for f in state.feeds()} == {site.article_url(site.stories[0]): page.error,
                                                             site.url("/feed-malformed.xml"): broken.error}


def test_an_entry_whose_update_stamp_changes_is_fetched_again(news_sites, tmp_path):
    site, _ = news_sites
    feed = site.url("/feed.atom")
    state = WebState(tmp_path / "web.sqlite3")
    with _fetcher() as fetcher:
        for entry in poll_feed(feed, fetcher, state).entries:
            state.entry_done(feed, entry.key, "web-x")
        site.kupiansk_version = 2
        again = poll_feed(feed, fetcher, state)
    assert again.new_entries == 1 and [e.link for e in again.entries] == [site.url("/news/kupiansk-evacuation-widened")]


def test_failed_entries_are_retried_up_to_a_limit_and_lasting_failures_at_once(tmp_path, news_sites):
    site, _ = news_sites
    feed = site.url("/feed.rss")
    state = WebState(tmp_path / "web.sqlite3")
    with _fetcher() as fetcher:
        entries = poll_feed(feed, fetcher, state).entries
    flaky, gone = entries[0], entries[1]
    state.entry_failed(feed, gone.key, "HTTP 404 Not Found", transient=False)
    for _ in range(2):
        state.entry_failed(feed, flaky.key, "timed out", transient=True, max_attempts=3)
    assert flaky.key in [e.key for e in state.pending_entries(feed)]
    state.entry_failed(feed, flaky.key, "timed out", transient=True, max_attempts=3)
    pending = [e.key for e in state.pending_entries(feed)]
    assert flaky.key not in pending and gone.key not in pending and len(pending) == 2
    by_key = {key: (status, error) for key, _, status, error in state.entries(feed)}
    assert by_key[gone.key] == ("failed", "HTTP 404 Not Found") and by_key[flaky.key] == ("failed", "timed out")


def test_carriers_of_a_story_and_signatures_persist(tmp_path):
    state = WebState(tmp_path / "web.sqlite3")
    state.save_article("web-1", "https://afp.example/a", "AFP", b"sig-1")
    state.add_carrier("web-1", "https://kyivindependent.example/b", "Kyiv Independent")
    state.add_carrier("web-1", "https://ukrinform.example/c", "Ukrinform")
    state.add_carrier("web-1", "https://afp.example/a-again", "AFP")       # the same outlet again
    state.close()
    state = WebState(tmp_path / "web.sqlite3")
    assert state.also_in("web-1") == ["Kyiv Independent", "Ukrinform"]
    assert [c.outlet for c in state.carriers("web-1")][0] == "AFP"
    assert dict(state.signatures()) == {"web-1": b"sig-1"}
    state.forget_articles(["web-1"])
    assert state.also_in("web-1") == [] and dict(state.signatures()) == {}


def test_the_state_is_safe_to_share_between_threads(tmp_path):
    state = WebState(tmp_path / "web.sqlite3")
    feeds = [f"https://n{i}.example/feed" for i in range(8)]

    def work(url: str) -> None:
        state.add_feed(url)
        for n in range(20):
            state.record_poll_error(url, f"error {n}")
            state.save_article(f"{url}#{n}", f"{url}/{n}", "Outlet", b"x")

    threads = [threading.Thread(target=work, args=(url,)) for url in feeds]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(f.url for f in state.feeds()) == sorted(feeds)
    assert {f.last_error for f in state.feeds()} == {"error 19"}
    assert len(dict(state.signatures())) == 160
    assert state.remove_feed(feeds[0]) and not state.remove_feed(feeds[0])


def test_robots_txt_can_be_turned_off_for_one_feed(news_sites, tmp_path):
    a, b = news_sites
    a.robots = b.robots = "User-agent: *\nDisallow: /\n"
    state = WebState(tmp_path / "web.sqlite3")
    with _fetcher() as fetcher:
        assert poll_feed(a.url("/feed.rss"), fetcher, state).error == "blocked by robots.txt of 127.0.0.1"
        assert state.set_respect_robots(a.url("/feed.rss"), False)
        allowed = poll_feed(a.url("/feed.rss"), fetcher, state)
        assert allowed.error is None and len(allowed.entries) == 4
        assert poll_feed(b.url("/feed.rss"), fetcher, state).error == "blocked by robots.txt of 127.0.0.1"
    assert not state.set_respect_robots("https://not-followed.example/feed", False)
