"""Web articles into the real store (real model, real Chroma): .html files through Frontline.ingest, and
feeds and pages from the fake news site through `WebSources` — passages verbatim with their URL, dates
from page metadata, bad answers as clear skips that lose nothing, near-duplicates stored once, changed
pages replaced, and nothing fetched twice across a restart."""
from __future__ import annotations

from contextlib import contextmanager

from retrieval.ingest import ingest
from retrieval.web.fetch import Fetcher, FetchPolicy
from retrieval.web.ingest_urls import WebSources
from retrieval.web.state import WebState
from tests.fakeweb import pages
from tests.fakeweb.stories import KUPIANSK_V1, KUPIANSK_V2, TORETSK_PHARMACY, TORETSK_SPOIL_HEAPS, WIRE_ON_A, WIRE_ON_B


def _articles(frontline) -> dict[str, dict]:
    rows = frontline._docstore._query(
        "SELECT article_id, body, url, source, date, date_precision, date_inferred, date_cue, title, origin FROM articles")
    keys = ("body", "url", "source", "date", "precision", "inferred", "cue", "title", "origin")
    return {r[0]: dict(zip(keys, r[1:])) for r in rows}


def _passages(frontline, article_id: str | None = None):
    ids = frontline._docstore.index_rows()[0]
    found = frontline._docstore.passages(ids).values()
    return [p for p in found if article_id is None or p.article_id == article_id]


def _assert_verbatim(frontline) -> None:
    bodies = {aid: a["body"] for aid, a in _articles(frontline).items()}
    passages = _passages(frontline)
    assert passages
    for p in passages:
        assert bodies[p.article_id][p.start:p.end] == p.text
    assert frontline._vectors.ids() == frontline._docstore.passage_ids()


def _ingest(frontline, sources: WebSources, *, commit: bool = True):
    report = ingest([], items=sources, docstore=frontline._docstore, vectors=frontline._vectors,
                    rows=frontline._rows, embedder=frontline._embedder, gazetteer=frontline._gazetteer)
    if commit:
        sources.commit()
    return report


@contextmanager
def _web(tmp_path, **policy):
    values = dict(retries=1, read_timeout=0.5, total_timeout=2.0)
    values.update(policy)
    state = WebState(tmp_path / "web.sqlite3")
    with Fetcher(FetchPolicy.for_tests(**values)) as fetcher:
        yield fetcher, state
    state.close()


def test_html_files_ingest_through_frontline(fresh, tmp_path):
    folder = tmp_path / "pages"
    (folder / "saved").mkdir(parents=True)
    base = "https://kharkiv-ledger.example"
    (folder / "toretsk.html").write_text(pages.ledger_article(TORETSK_SPOIL_HEAPS, base), encoding="utf-8")
    (folder / "saved" / "pharmacy.htm").write_text(pages.courier_article(TORETSK_PHARMACY, base), encoding="utf-8")
    (folder / "saved" / "pharmacy.meta.json").write_text('{"date": "2024-07-09"}', encoding="utf-8")
    (folder / "front.html").write_text(pages.section_page("Kharkiv Ledger", base, [("A", base + "/a")]), encoding="utf-8")
    report = fresh.ingest([folder])
    assert report.articles == 2
    assert [(s.origin, s.reason) for s in report.skipped] == [(str(folder / "front.html"), "no article text found in the page")]
    stored = _articles(fresh)
    toretsk, pharmacy = stored["toretsk"], stored["pharmacy"]
    assert toretsk["url"] == f"{base}/news/{TORETSK_SPOIL_HEAPS.slug}"
    assert (toretsk["date"], toretsk["precision"], toretsk["inferred"], toretsk["cue"]) == ("2024-06-28", "day", 0, "page metadata")
    assert toretsk["source"] == "Kharkiv Ledger" and toretsk["title"] == TORETSK_SPOIL_HEAPS.title
    assert toretsk["body"].split("\n\n") == list(TORETSK_SPOIL_HEAPS.paragraphs)     # teaser and chrome gone
    # a page without date metadata takes the sidecar's date, as a given date without the page cue
    assert (pharmacy["date"], pharmacy["inferred"], pharmacy["cue"]) == ("2024-07-09", 0, "metadata")
    _assert_verbatim(fresh)
    answer = fresh.ask("What do Ukrainian infantry hold around Toretsk?")
    assert not answer.abstained
    cited = [c for c in answer.citations if c.article_id == "toretsk"]
    assert cited and all(c.url == toretsk["url"] for c in cited)
    assert fresh.ingest([folder]).passages_embedded == 0      # unchanged files embed nothing


def test_feeds_and_pages_from_the_web_with_metadata_dates_and_urls(fresh, tmp_path, news_sites):
    a, b = news_sites
    with _web(tmp_path) as (fetcher, state):
        report = _ingest(fresh, WebSources([a.url("/feed.rss"), b.url("/feed.atom")], fetcher, state))
    stored = _articles(fresh)
    by_url = {art["url"]: art for art in stored.values()}
    # the wire story is on both hosts: stored once (from A, read first); B's copy is a skip naming it
    assert len(stored) == 6 and report.articles == 6
    wire = by_url[a.article_url(WIRE_ON_A)]
    assert b.article_url(WIRE_ON_B) not in by_url
    assert (wire["date"], wire["cue"], wire["inferred"], wire["source"]) == ("2024-07-04", "page metadata", 0, "Kharkiv Ledger")
    # a page that states no date takes its feed entry's date, as given (not inferred)
    pharmacy = by_url[b.article_url(TORETSK_PHARMACY)]
    assert (pharmacy["date"], pharmacy["cue"], pharmacy["inferred"]) == ("2024-07-10", "feed entry", 0)
    assert all(art["origin"] == art["url"] for art in stored.values())
    _assert_verbatim(fresh)


def test_a_near_duplicate_is_stored_once_and_keeps_every_outlet(fresh, tmp_path, news_sites):
    a, b = news_sites
    with _web(tmp_path) as (fetcher, state):
        report = _ingest(fresh, WebSources([a.url("/feed.rss"), b.url("/feed.rss")], fetcher, state))
        wire_id = next(aid for aid, art in _articles(fresh).items() if art["url"] == a.article_url(WIRE_ON_A))
        copy_skips = [s for s in report.skipped if s.origin.startswith(b.article_url(WIRE_ON_B))]
        assert len(copy_skips) == 1
        assert copy_skips[0].reason.startswith(f"the same story as an article already stored ({wire_id}, ")
        assert copy_skips[0].reason.endswith("stored once, Donbas Courier recorded as also carrying it")
        assert state.also_in(wire_id) == ["Donbas Courier"]
        assert [c.url for c in state.carriers(wire_id)] == [a.article_url(WIRE_ON_A), b.article_url(WIRE_ON_B)]
        # the same page re-published under a new URL on host A is the same story too
        again = _ingest(fresh, WebSources([a.url("/news/pokrovsk-evacuation-republished")], fetcher, state))
        assert again.articles == 0 and again.skipped[0].reason.startswith(f"the same story as an article already stored ({wire_id}")
    holding = [aid for aid, art in _articles(fresh).items() if "about 1,400 children" in art["body"]]
    assert holding == [wire_id]
    answer = fresh.ask("How many children must leave the villages near Pokrovsk?")
    texts = [c.passage for c in answer.citations]
    assert answer.citations and len(texts) == len(set(texts))


def test_every_bad_answer_is_a_clear_skip_and_loses_nothing(fresh, tmp_path, news_sites):
    a, _ = news_sites
    # private addresses refused, except the fake site's own address (as an intranet host would be trusted)
    with _web(tmp_path, allow_private=False, trusted_networks=("127.0.0.1/32",)) as (fetcher, state):
        _ingest(fresh, WebSources([a.url("/feed.rss")], fetcher, state))
        before_articles, before_passages = _articles(fresh), fresh._docstore.passage_ids()
        bad = {
            "/status/404": "HTTP 404 Not Found",
            "/status/500": "HTTP 500 Internal Server Error (tried 2 times)",
            "/slow/timeout": "timed out after 0.5 s waiting for 127.0.0.1 to answer (tried 2 times)",
            "/slow/drip": "the server sent the page too slowly (more than 2 s in total)",
            "/huge/stream": "larger than 5 MB",
            "/binary": "content type application/octet-stream is not a web page or a feed",
            "/report.pdf": "content type application/pdf is not a web page or a feed",
            "/loop/a": f"redirect loop: {a.url('/loop/a')} → {a.url('/loop/b')} → {a.url('/loop/a')}",
            "/feed-malformed.xml": "malformed feed XML (not well-formed (invalid token), line 3): no entry could be read",
            "/section/war": "no article text found in the page",
            "/redirect/to?url=http://10.0.0.5/admin": "refused: 10.0.0.5 is a private address; "
                                                      "set FRONTLINE_ALLOW_PRIVATE_URLS=1 to allow private addresses",
            "/private/report": "blocked by robots.txt of 127.0.0.1",
        }
        report = _ingest(fresh, WebSources([a.url(path) for path in bad], fetcher, state))
    assert report.articles == 0 and report.passages_embedded == 0
    assert {s.origin: s.reason for s in report.skipped} == {a.url(path): reason for path, reason in bad.items()}
    summary = report.summary()
    assert all(reason in summary for reason in bad.values())
    assert _articles(fresh) == before_articles and fresh._docstore.passage_ids() == before_passages
    _assert_verbatim(fresh)


def test_a_changed_page_replaces_its_passages_and_an_unchanged_poll_costs_one_request(fresh, tmp_path, news_sites):
    a, _ = news_sites
    feed = a.url("/feed.atom")
    page = "/news/kupiansk-evacuation-widened"
    with _web(tmp_path) as (fetcher, state):
        first = _ingest(fresh, WebSources([feed], fetcher, state, only_new=True))
        assert first.articles == 4 and first.passages_embedded > 0
        kupiansk = next(aid for aid, art in _articles(fresh).items() if art["url"] == a.url(page))
        requests_before = len(a.requests)
        quiet = _ingest(fresh, WebSources([feed], fetcher, state, only_new=True))
        assert quiet.articles == 0 and quiet.passages_embedded == 0
        assert len(a.requests) == requests_before + 1 and a.hits("/feed.atom")[-1].headers["if-none-match"]

        a.kupiansk_version = 2
        changed = _ingest(fresh, WebSources([feed], fetcher, state, only_new=True))
    assert changed.articles == 1 and changed.passages_embedded == len(_passages(fresh, kupiansk))
    assert len(a.hits(page)) == 2
    body = _articles(fresh)[kupiansk]["body"]
    assert body.split("\n\n") == list(KUPIANSK_V2.paragraphs)
    texts = " ".join(p.text for p in _passages(fresh, kupiansk))
    assert "640 people had left" in texts and KUPIANSK_V1.paragraphs[1][:40] not in texts
    _assert_verbatim(fresh)


def test_a_run_not_committed_is_fetched_again_after_a_restart_and_then_never(fresh, tmp_path, news_sites):
    _, b = news_sites
    feed = b.url("/feed.rss")
    with _web(tmp_path) as (fetcher, state):
        crashed = _ingest(fresh, WebSources([feed], fetcher, state, only_new=True), commit=False)
        assert crashed.articles == 3
    with _web(tmp_path) as (fetcher, state):      # restart: new state connection, new fetcher
        retried = _ingest(fresh, WebSources([feed], fetcher, state, only_new=True))
        assert retried.articles == 3 and retried.articles_unchanged == 3 and retried.passages_embedded == 0
    with _web(tmp_path) as (fetcher, state):
        after = _ingest(fresh, WebSources([feed], fetcher, state, only_new=True))
    assert after.articles == 0
    for story in b.stories:
        assert len(b.hits(b.article_path(story))) == 2


def test_an_article_url_given_twice_embeds_nothing_the_second_time(fresh, tmp_path, news_sites):
    a, _ = news_sites
    url = a.article_url(TORETSK_SPOIL_HEAPS) + "?utm_source=telegram"
    with _web(tmp_path) as (fetcher, state):
        first = _ingest(fresh, WebSources([url], fetcher, state))
        second = _ingest(fresh, WebSources([a.article_url(TORETSK_SPOIL_HEAPS)], fetcher, state))
    assert first.articles == 1 and first.passages_embedded > 0
    assert second.articles_unchanged == 1 and second.passages_embedded == 0
    assert list(_articles(fresh).values())[0]["url"] == a.article_url(TORETSK_SPOIL_HEAPS)


def test_a_feed_followed_without_robots_txt_fetches_its_pages_too(fresh, tmp_path, news_sites):
    _, b = news_sites
    b.robots = "User-agent: *\nDisallow: /\n"
    with _web(tmp_path) as (fetcher, state):
        blocked = _ingest(fresh, WebSources([b.url("/feed.rss")], fetcher, state, only_new=True))
        assert blocked.articles == 0 and blocked.skipped[0].reason == "blocked by robots.txt of 127.0.0.1"
        state.set_respect_robots(b.url("/feed.rss"), False)
        allowed = _ingest(fresh, WebSources([b.url("/feed.rss")], fetcher, state, only_new=True))
    assert allowed.articles == 3 and not allowed.skipped


def test_html_files_alone_and_their_limits(tmp_path):
    from retrieval.sources import RawArticle, iter_sources

    page = tmp_path / "story.HTM"
    page.write_text(pages.courier_article(WIRE_ON_B, "https://donbas-courier.example"), encoding="utf-8")
    huge = tmp_path / "huge.html"
    huge.write_bytes(b"<html><body>" + b"<p>filler text</p>" * 300_000 + b"</body></html>")
    items = {item.origin: item for item in iter_sources([page, huge])}
    story = items[str(page)]
    assert isinstance(story, RawArticle) and story.article_id == "story"
    assert story.meta == {"title": WIRE_ON_B.title, "date": "2024-07-04", "date_cue": "page metadata",
                          "source": "Donbas Courier", "url": f"https://donbas-courier.example/{WIRE_ON_B.slug}/",
                          "author": "Dnipro Wire"}
    assert story.text.split("\n\n") == list(WIRE_ON_B.lead + WIRE_ON_B.paragraphs)
    assert items[str(huge)].reason == "larger than 5 MB: a web page that big is not read"
