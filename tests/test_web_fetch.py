"""The fetcher against a real fake news site on 127.0.0.1: every bad answer has its clear reason, and the
politeness rules (rate limit, robots.txt, conditional GET, User-Agent, retries) are measured server-side."""
from __future__ import annotations

import statistics
import threading

import pytest

from retrieval.web.fetch import USER_AGENT, FetchError, Fetcher, FetchPolicy
from tests.fakeweb import HUGE_BYTES


def _fetcher(**overrides) -> Fetcher:
    values = dict(read_timeout=0.5, total_timeout=2.0, retries=2, backoff=0.01)
    values.update(overrides)
    return Fetcher(FetchPolicy.for_tests(**values))


BAD_ANSWERS = [
    ("/status/404", "HTTP 404 Not Found", False),
    ("/status/403", "HTTP 403 Forbidden", False),
    ("/status/500", "HTTP 500 Internal Server Error (tried 3 times)", True),
    ("/slow/timeout", "timed out after 0.5 s waiting for 127.0.0.1 to answer (tried 3 times)", True),
    ("/slow/drip", "the server sent the page too slowly (more than 2 s in total)", False),
    ("/huge", "larger than 5 MB (the server says 52.4 MB)", False),
    ("/huge/stream", "larger than 5 MB", False),
    ("/binary", "content type application/octet-stream is not a web page", False),
    ("/binary-as-html", "binary content, not a web page", False),
    ("/report.pdf", "content type application/pdf is not a web page", False),
    ("/data.json", "content type application/json is not a web page", False),
    ("/chain/9", "more than 5 redirects", False),
    ("/redirect/to?url=file:///etc/passwd", "refused: only http and https URLs are fetched, not file:", False),
    ("/redirect/to?url=gopher://127.0.0.1:70/", "refused: only http and https URLs are fetched, not gopher:", False),
    ("/private/report", "blocked by robots.txt of 127.0.0.1", False),
]


@pytest.mark.parametrize("path, reason, transient", BAD_ANSWERS, ids=[p for p, *_ in BAD_ANSWERS])
def test_each_bad_answer_gives_its_clear_reason(news_sites, path, reason, transient):
    site, _ = news_sites
    with _fetcher() as fetcher, pytest.raises(FetchError) as caught:
        fetcher.fetch(site.url(path))
    assert str(caught.value) == reason
    assert caught.value.transient is transient
    assert caught.value.url == site.url(path)


def test_a_redirect_loop_names_its_hops(news_sites):
    site, _ = news_sites
    with _fetcher() as fetcher, pytest.raises(FetchError) as caught:
        fetcher.fetch(site.url("/loop/a"))
    assert str(caught.value) == (f"redirect loop: {site.url('/loop/a')} → {site.url('/loop/b')} → "
                                 f"{site.url('/loop/a')}")


def test_transient_failures_are_retried_the_bounded_number_of_times(news_sites):
    site, _ = news_sites
    with _fetcher(retries=3) as fetcher, pytest.raises(FetchError):
        fetcher.fetch(site.url("/status/500"))
    assert len(site.hits("/status/500")) == 4
    with _fetcher(retries=3) as fetcher, pytest.raises(FetchError):
        fetcher.fetch(site.url("/status/404"))
    assert len(site.hits("/status/404")) == 1      # a lasting failure is not retried


def test_a_flaky_page_succeeds_after_retries_with_growing_backoff(news_sites):
    site, _ = news_sites
    site.flaky_failures = 2
    with _fetcher(backoff=0.15) as fetcher:
        result = fetcher.fetch(site.url("/flaky"))
    assert result.status == 200 and b"Saltivka" in result.content
    hits = [r.at for r in site.hits("/flaky")]
    assert len(hits) == 3
    first_wait, second_wait = hits[1] - hits[0], hits[2] - hits[1]
    assert first_wait >= 0.12 and second_wait >= 0.25 and second_wait > first_wait


def test_a_huge_streamed_body_is_cut_off_without_reading_it_all(news_sites):
    site, _ = news_sites
    with _fetcher() as fetcher, pytest.raises(FetchError, match="larger than 5 MB"):
        fetcher.fetch(site.url("/huge/stream"))
    with _fetcher() as fetcher, pytest.raises(FetchError, match="the server says"):
        fetcher.fetch(site.url("/huge"))
    # the server stops when the client hangs up: at most the cap plus what the socket buffers held
    assert site.bytes_sent["/huge/stream"] < HUGE_BYTES // 3
    assert site.bytes_sent.get("/huge", 0) < HUGE_BYTES // 3


def test_redirects_are_followed_and_reported(news_sites):
    site, _ = news_sites
    with _fetcher() as fetcher:
        result = fetcher.fetch(site.url("/chain/3"))
    assert result.final_url == site.article_url(site.stories[0])
    assert result.redirects == (site.url("/chain/3"), site.url("/chain/2"), site.url("/chain/1"))
    assert result.url == site.url("/chain/3")


def test_conditional_get_gives_not_modified_on_the_second_fetch(news_sites):
    site, _ = news_sites
    with _fetcher() as fetcher:
        first = fetcher.fetch(site.url("/feed.rss"), purpose="feed")
        again = fetcher.fetch(site.url("/feed.rss"), purpose="feed", etag=first.etag)
        by_date = fetcher.fetch(site.url("/feed.atom"), purpose="feed", last_modified=first.last_modified)
    assert not first.not_modified and first.etag and first.content.startswith(b"<?xml")
    assert again.not_modified and again.status == 304 and again.content == b""
    assert by_date.not_modified
    sent = site.hits("/feed.rss")
    assert "if-none-match" not in sent[0].headers and sent[1].headers["if-none-match"] == first.etag
    assert site.hits("/feed.atom")[0].headers["if-modified-since"] == first.last_modified


def test_a_changed_feed_is_fetched_in_full_despite_the_old_etag(news_sites):
    site, _ = news_sites
    with _fetcher() as fetcher:
        first = fetcher.fetch(site.url("/feed.atom"), purpose="feed")
        site.kupiansk_version = 2      # the Atom entry's <updated> changes, so does the feed
        again = fetcher.fetch(site.url("/feed.atom"), purpose="feed", etag=first.etag)
    assert not again.not_modified and again.etag != first.etag and b"2024-07-17T20:00:00" in again.content


def test_the_content_type_must_fit_the_purpose(news_sites):
    site, _ = news_sites
    with _fetcher() as fetcher:
        with pytest.raises(FetchError, match="content type application/rss\\+xml is not a web page"):
            fetcher.fetch(site.url("/feed.rss"), purpose="page")
        with pytest.raises(FetchError, match="content type text/html is not a feed"):
            fetcher.fetch(site.article_url(site.stories[0]), purpose="feed")
        assert fetcher.fetch(site.url("/feed.rss"), purpose="any").content_type == "application/rss+xml"
        assert fetcher.fetch(site.url("/feed-as-text.xml"), purpose="feed").content_type == "text/xml"


def test_the_user_agent_names_frontline_and_its_project_url(news_sites):
    site, _ = news_sites
    with _fetcher() as fetcher:
        fetcher.fetch(site.article_url(site.stories[0]))
    agents = {r.headers["user-agent"] for r in site.requests}
    assert agents == {USER_AGENT}
    assert USER_AGENT.startswith("Frontline/") and "https://github.com/" in USER_AGENT


def test_one_request_per_interval_per_host_measured_by_the_servers(news_sites):
    a, b = news_sites
    interval = 0.3
    with _fetcher(min_interval=interval) as fetcher:
        threads = [threading.Thread(target=fetcher.fetch, args=(a.article_url(s),)) for s in a.stories]
        threads += [threading.Thread(target=fetcher.fetch, args=(b.article_url(s),)) for s in b.stories]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    for site in (a, b):
        times = sorted(r.at for r in site.requests)
        assert len(times) == 4      # robots.txt and three pages, fetched by four threads at once
        gaps = [later - earlier for earlier, later in zip(times, times[1:])]
        # arrival times jitter on a loaded machine; unpaced, these gaps would be a few milliseconds
        assert min(gaps) >= interval - 0.1 and statistics.mean(gaps) >= interval - 0.03, gaps
    # the hosts are paced separately: one shared queue would need seven intervals for the eight requests
    everything = [r.at for r in a.requests + b.requests]
    assert max(everything) - min(everything) < 5 * interval


def test_robots_txt_is_respected_cached_and_can_be_turned_off(news_sites):
    site, _ = news_sites
    with _fetcher() as fetcher:
        with pytest.raises(FetchError, match="blocked by robots.txt"):
            fetcher.fetch(site.url("/private/report"))
        assert fetcher.fetch(site.url("/private/report"), respect_robots=False).status == 200
        fetcher.fetch(site.article_url(site.stories[0]))
    assert len(site.hits("/robots.txt")) == 1
    with _fetcher(respect_robots=False) as fetcher:
        assert fetcher.fetch(site.url("/private/report")).status == 200
    assert len(site.hits("/robots.txt")) == 1


def test_robots_rules_for_frontline_itself_apply(news_sites):
    site, _ = news_sites
    site.robots = "User-agent: Frontline\nDisallow: /\n\nUser-agent: *\nAllow: /\n"
    with _fetcher() as fetcher, pytest.raises(FetchError, match="blocked by robots.txt"):
        fetcher.fetch(site.article_url(site.stories[0]))


def test_an_unreachable_robots_txt_forbids_and_a_missing_one_allows(news_sites):
    a, b = news_sites
    a.robots = 500      # RFC 9309: a server error on robots.txt means assume nothing is allowed
    b.robots = 404      # and a missing robots.txt means everything is
    with _fetcher(retries=0) as fetcher:
        with pytest.raises(FetchError) as caught:
            fetcher.fetch(a.article_url(a.stories[0]))
        assert str(caught.value) == ("robots.txt of 127.0.0.1 could not be read (HTTP 500), so nothing is "
                                     "fetched from it for now")
        assert caught.value.transient
        assert fetcher.fetch(b.article_url(b.stories[0])).status == 200
    assert a.hits(a.article_path(a.stories[0])) == []


def test_waiting_for_a_turn_at_the_host_does_not_count_against_the_deadline(news_sites):
    site, _ = news_sites
    # six pages of one host at 0.4 s intervals take 2 s, longer than the 1 s total allowed per page
    with _fetcher(min_interval=0.4, total_timeout=1.0) as fetcher:
        results = []
        threads = [threading.Thread(target=lambda u=u: results.append(fetcher.fetch(u).status))
                   for u in [site.article_url(s) for s in site.stories] * 2]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert results == [200] * 6
