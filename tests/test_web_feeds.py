"""Feeds: RSS 2.0 and Atom entries with absolute links and the publisher's own dates; broken feeds and
pages that are not feeds are told apart with a clear reason."""
from __future__ import annotations

import pytest

from retrieval.web.feeds import FeedError, looks_like_feed, parse_feed
from retrieval.web.fetch import Fetcher, FetchPolicy
from tests.fakeweb import pages


def _fetch(url: str, purpose: str = "any"):
    with Fetcher(FetchPolicy.for_tests()) as fetcher:
        return fetcher.fetch(url, purpose=purpose)


def test_rss_entries_from_the_fake_site(news_sites):
    site, _ = news_sites
    result = _fetch(site.url("/feed.rss"))
    assert looks_like_feed(result.content, result.content_type)
    feed = parse_feed(result.content, result.final_url, result.content_type)
    assert feed.version == "rss20" and feed.title == "Kharkiv Ledger" and feed.warning is None
    stories = site.feed_stories()
    assert [e.link for e in feed.entries] == [site.article_url(s) + "?utm_source=rss&utm_medium=feed" for s in stories]
    assert [e.published for e in feed.entries] == [s.published_day for s in stories]
    assert [e.title for e in feed.entries] == [s.title for s in stories]
    assert len({e.key for e in feed.entries}) == len(stories)


def test_atom_entries_have_relative_links_resolved_and_their_update_stamp(news_sites):
    site, _ = news_sites
    result = _fetch(site.url("/feed.atom"))
    feed = parse_feed(result.content, result.final_url, result.content_type)
    assert feed.version == "atom10"
    stories = site.feed_stories()
    assert [e.link for e in feed.entries] == [site.article_url(s) for s in stories]
    assert [e.published for e in feed.entries] == [s.published_day for s in stories]
    assert [e.updated for e in feed.entries] == [s.modified for s in stories]
    assert all(e.key.startswith("tag:127.0.0.1,2024:") for e in feed.entries)


def test_the_published_day_is_the_publishers_not_utc():
    rss = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
    <item><title>Late</title><link>https://n.example/late</link><pubDate>Fri, 05 Jul 2024 01:30:00 +0300</pubDate></item>
    <item><title>Atom-style</title><link>https://n.example/iso</link><pubDate>2024-07-05T00:10:00+03:00</pubDate></item>
    <item><title>Undated</title><link>https://n.example/none</link></item>
    </channel></rss>"""
    feed = parse_feed(rss, "https://n.example/feed")
    assert [e.published for e in feed.entries] == ["2024-07-05", "2024-07-05", None]


def test_a_malformed_feed_without_readable_entries_is_a_clear_error(news_sites):
    site, _ = news_sites
    result = _fetch(site.url("/feed-malformed.xml"))
    assert looks_like_feed(result.content, result.content_type)
    with pytest.raises(FeedError) as caught:
        parse_feed(result.content, result.final_url, result.content_type)
    assert str(caught.value) == "malformed feed XML (not well-formed (invalid token), line 3): no entry could be read"


def test_a_feed_with_errors_keeps_the_entries_it_could_read():
    broken = pages.rss_feed("Site", "https://n.example", []).replace(
        "</channel>", "<item><title>One</title><link>https://n.example/one</link></item>\n"
                      "<item><title>Two & more</title><link>https://n.example/two</link></item></channel>")
    feed = parse_feed(broken.encode(), "https://n.example/feed")
    assert [e.link for e in feed.entries] == ["https://n.example/one", "https://n.example/two"]
    assert feed.warning and feed.warning.startswith("the feed's XML has errors (not well-formed")


def test_an_empty_feed_is_a_feed_with_no_entries():
    feed = parse_feed(pages.rss_feed("Quiet", "https://n.example", []).encode(), "https://n.example/feed")
    assert feed.entries == () and feed.warning is None


def test_entries_without_usable_links_are_left_out():
    rss = b"""<rss version="2.0"><channel><title>T</title>
    <item><title>No link</title></item><item><title>Script</title><link>javascript:alert(1)</link></item>
    <item><title>Good</title><link>/news/good</link></item></channel></rss>"""
    assert [e.link for e in parse_feed(rss, "https://n.example/feed.xml").entries] == ["https://n.example/news/good"]
    with pytest.raises(FeedError, match="no usable links"):
        parse_feed(rss.replace(b"<link>/news/good</link>", b""), "https://n.example/feed.xml")


def test_a_page_is_not_a_feed(news_sites):
    site, _ = news_sites
    page = _fetch(site.article_url(site.stories[0]))
    assert not looks_like_feed(page.content, page.content_type)
    assert not looks_like_feed(page.content, None)
    with pytest.raises(FeedError, match="^not an RSS or Atom feed"):
        parse_feed(page.content, page.final_url, page.content_type)


@pytest.mark.parametrize("content, content_type, expected", [
    (b"<?xml version='1.0'?>\n<!-- generated -->\n<rss version='2.0'>", "text/xml", True),
    (b"\xef\xbb\xbf<feed xmlns='http://www.w3.org/2005/Atom'>", "application/octet-stream", True),
    (b"<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>", None, True),
    (b"anything", "application/atom+xml; charset=utf-8", True),
    (b"<rss version='2.0'>", "text/html", False),            # the server says it is a page
    (b"<!DOCTYPE html><html><body><feed>", "application/xml", False),
])
def test_feed_or_page(content, content_type, expected):
    assert looks_like_feed(content, content_type) is expected
