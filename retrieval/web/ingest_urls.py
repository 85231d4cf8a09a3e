"""Web URLs as ingest items: a feed (each entry's page) or an article page, fetched, extracted, deduplicated.

    sources = WebSources(urls, fetcher, state)          # or only_new=True in the poll loop
    report = ingest([], items=sources, ...)             # every failure is a Skip with its reason
    sources.commit()                                    # only after the articles are really stored

`commit()` is what makes "restarting loses nothing and fetches nothing twice" true: feed entries are
marked done, and near-duplicate signatures and carriers saved, only once ingest has returned. A crash
before that leaves the entries pending, so they are fetched again after the restart; after it, never.

Near-duplicates (the same wire story on another site, or a page re-published under a new URL) are not
given to ingest: they become a Skip naming the stored article, and the page is recorded in `state` as
one more carrier of it (`state.also_in(article_id)` lists the other outlets).
"""
from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from retrieval.models import RawArticle, Skip
from retrieval.web.bridge import to_raw_article
from retrieval.web.dedup import NearDuplicates, Signature, signature
from retrieval.web.extract import ExtractError, extract_article, normalize_url
from retrieval.web.feeds import FeedError, looks_like_feed, parse_feed
from retrieval.web.fetch import Fetcher, FetchError, FetchResult
from retrieval.web.state import MAX_ATTEMPTS, FeedStatus, PendingEntry, PollResult, WebState, poll_feed

_log = logging.getLogger(__name__)


def load_near_duplicates(state: WebState) -> NearDuplicates:
    """The near-duplicate index of every web article stored so far (built once at start)."""
    index = NearDuplicates()
    for article_id, blob in state.signatures():
        index.add(article_id, Signature.from_bytes(blob))
    return index


@dataclass(frozen=True)
class _Stored:
    article_id: str
    url: str
    outlet: str | None
    signature: Signature


@dataclass(frozen=True)
class _Copy:
    article_id: str          # the stored article it duplicates
    url: str
    outlet: str | None


@dataclass(frozen=True)
class _EntryDone:
    feed_url: str
    key: str
    article_id: str | None


class WebSources:
    """Iterate once for the ingest items (RawArticle | Skip); then `commit()`, or `abandon()` on failure."""

    def __init__(self, urls: Sequence[str], fetcher: Fetcher, state: WebState, *,
                 near_duplicates: NearDuplicates | None = None, only_new: bool = False,
                 max_attempts: int = MAX_ATTEMPTS) -> None:
        """`only_new=True` (following): every URL is a feed, followed from now on (`state.add_feed`), polled
        with a conditional GET, and only its entries not yet done are fetched. Otherwise (a one-off
        `ingest URL`) a URL is a feed or a page, and every entry of a feed is fetched (an unchanged page
        then embeds nothing)."""
        self.urls = list(urls)
        self.fetcher = fetcher
        self.state = state
        self.near_duplicates = near_duplicates if near_duplicates is not None else load_near_duplicates(state)
        self.only_new = only_new
        self.max_attempts = max_attempts
        self._stored: list[_Stored] = []
        self._copies: list[_Copy] = []
        self._entries: list[_EntryDone] = []
        self._given: set[str] = set()
        self._fetched: dict[str, str] = {}      # normalised link → article id, within this run
        self.given: list[str] = []              # ids of the articles given to ingest, in order (kept after commit)
        self.polls: list[PollResult] = []       # with only_new: each feed's poll, in order
        self.copies: list[str] = []             # pages found to be near-duplicates of stored articles

    def __iter__(self) -> Iterator[RawArticle | Skip]:
        for url in self.urls:
            yield from self._url(url)

    # ------------------------------------------------------------------ after ingest
    def commit(self) -> None:
        """The items given were stored: remember them (signatures, carriers, feed entries done)."""
        for s in self._stored:
            self.state.save_article(s.article_id, s.url, s.outlet, s.signature.to_bytes())
        for c in self._copies:
            self.state.add_carrier(c.article_id, c.url, c.outlet)
        for e in self._entries:
            self.state.entry_done(e.feed_url, e.key, e.article_id)
        self._stored, self._copies, self._entries = [], [], []

    def abandon(self) -> None:
        """Ingest failed: forget the signatures added while iterating (the entries stay pending)."""
        for s in self._stored:
            self.near_duplicates.remove(s.article_id)
        self._stored, self._copies, self._entries = [], [], []

    # ------------------------------------------------------------------ one URL
    def _url(self, url: str) -> Iterator[RawArticle | Skip]:
        if self.only_new:
            yield from self._poll(url)
            return
        followed = self.state.feed(url)
        try:
            result = self.fetcher.fetch(url, purpose="any",
                                        respect_robots=followed.respect_robots if followed else None)
        except FetchError as exc:
            yield Skip(url, str(exc))
            return
        if looks_like_feed(result.content, result.content_type):
            yield from self._feed(url, result)
        else:
            yield from self._page(url, result, fallback_date=None, entry=None)

    def _feed(self, url: str, result: FetchResult) -> Iterator[RawArticle | Skip]:
        try:
            feed = parse_feed(result.content, result.final_url, result.content_type)
        except FeedError as exc:
            yield Skip(url, str(exc))
            return
        if feed.warning:
            _log.warning("%s: %s", url, feed.warning)
        if not feed.entries:
            yield Skip(url, "the feed has no entries")
        for entry in feed.entries:
            yield from self._fetch_page(entry.link, entry.published, None, None)

    def _poll(self, url: str) -> Iterator[RawArticle | Skip]:
        poll = poll_feed(url, self.fetcher, self.state, max_attempts=self.max_attempts)
        self.polls.append(poll)
        if poll.error:
            yield Skip(url, poll.error)
        followed = self.state.feed(url)
        for entry in poll.entries:
            yield from self._fetch_page(entry.link, entry.published, entry, followed)

    def _fetch_page(self, link: str, fallback_date: str | None, entry: PendingEntry | None,
                    followed: FeedStatus | None) -> Iterator[RawArticle | Skip]:
        normal = normalize_url(link)
        if normal in self._fetched:     # the same page listed twice in this run (its RSS and Atom feeds)
            self._done(entry, self._fetched[normal])
            return
        try:
            result = self.fetcher.fetch(link, purpose="page",
                                        respect_robots=followed.respect_robots if followed else None)
        except FetchError as exc:
            self._failed(entry, str(exc), transient=exc.transient)
            yield Skip(link, str(exc))
            return
        yield from self._page(link, result, fallback_date=fallback_date, entry=entry)

    def _page(self, link: str, result: FetchResult, *, fallback_date: str | None,
              entry: PendingEntry | None) -> Iterator[RawArticle | Skip]:
        try:
            article = extract_article(_html(result), result.final_url)
        except ExtractError as exc:
            self._failed(entry, str(exc), transient=False)
            yield Skip(link, str(exc))
            return
        raw = to_raw_article(article, fallback_date=fallback_date)
        sig = signature(article.text)
        match = self.near_duplicates.find(sig, exclude=raw.article_id)
        self._fetched[normalize_url(link)] = match.key if match else raw.article_id
        if match is not None:
            self._copies.append(_Copy(match.key, article.url or link, article.outlet))
            self.copies.append(link)
            self._done(entry, match.key)
            yield Skip(link, f"the same story as an article already stored ({match.key}, {match.containment:.0%} "
                             f"of this text): stored once, {article.outlet} recorded as also carrying it")
            return
        self._done(entry, raw.article_id)
        if raw.article_id in self._given:      # the same article twice in one run (RSS and Atom feeds)
            return
        self._given.add(raw.article_id)
        self.given.append(raw.article_id)
        self.near_duplicates.add(raw.article_id, sig)
        self._stored.append(_Stored(raw.article_id, article.url or link, article.outlet, sig))
        yield raw

    def _done(self, entry: PendingEntry | None, article_id: str | None) -> None:
        if entry is not None:
            self._entries.append(_EntryDone(entry.feed_url, entry.key, article_id))

    def _failed(self, entry: PendingEntry | None, error: str, *, transient: bool) -> None:
        # recorded at once: nothing is lost by counting an attempt, and the entry stays pending if it may work later
        if entry is not None:
            self.state.entry_failed(entry.feed_url, entry.key, error, transient=transient,
                                    max_attempts=self.max_attempts)


def _html(result: FetchResult) -> bytes | str:
    # the HTTP header's charset wins over the page's own <meta charset> (HTML's rule); unknown ones fall back
    if result.charset:
        try:
            return result.content.decode(result.charset, errors="replace")
        except LookupError:
            pass
    return result.content
