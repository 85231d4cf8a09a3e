"""Following the news: the web parts Frontline needs, each built when first needed, and one poll of every feed.

`Follower` owns the process's one guarded `Fetcher`, the feed state (data/web.sqlite3) and the
near-duplicate index. Each is created on first use, so answering questions never imports trafilatura or
datasketch (about 2 s), and a store without web articles never creates the state file.

Which feeds are followed: those in FRONTLINE_FEEDS (`config.feeds`), for as long as the setting lists
them, and those added at run time (`add_feed`, e.g. from Discord), until they are removed. A feed that is
no longer followed keeps its articles.

One poll (`poll`): every followed feed with a conditional GET, then the pages of its new entries fetched,
extracted and ingested in ONE ingest (the row index is rebuilt once); the feed state is committed only
after that ingest returned (see retrieval/web/ingest_urls.py), so a crash or a stop loses nothing and a
restart fetches nothing twice. Two polls never run at once, not even from two processes on one data
folder (the bot and a cron `follow --once`): the second one says so and does nothing.

Nothing here runs by itself: `Frontline.follow_once()` is called by the bot's background task and by
`python -m retrieval follow`.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import chain
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from retrieval.config import RetrievalConfig
from retrieval.errors import FrontlineError
from retrieval.ingest import IngestReport
from retrieval.models import RawArticle, Skip

if TYPE_CHECKING:
    from retrieval.web.dedup import NearDuplicates
    from retrieval.web.fetch import Fetcher, FetchPolicy
    from retrieval.web.ingest_urls import WebSources
    from retrieval.web.state import FeedStatus, WebState

_log = logging.getLogger(__name__)

LOCK_FILE = "follow.lock"       # in the data directory: one poll at a time across processes
_SCHEMES = ("http://", "https://")

Ingest = Callable[[Iterable[RawArticle | Skip]], IngestReport]
Stored = Callable[[], set[str]]      # the ids of every article the store holds


def is_url(source: str | object) -> bool:
    """True for a string that names a web address (any scheme: the fetcher refuses all but http(s), and says so)."""
    if not isinstance(source, str):
        return False
    scheme, sep, rest = source.partition("://")
    return bool(sep and rest and scheme.isascii() and scheme.replace("+", "").replace("-", "").replace(".", "").isalnum()
                and scheme[:1].isalpha())


# ---------------------------------------------------------------------------------------------------
# What a poll reports
# ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class FeedOutcome:
    """One feed in one poll."""
    url: str
    title: str | None
    error: str | None           # the feed itself could not be read (its articles are kept); None: it was read
    not_modified: bool          # a 304: nothing changed since the last poll
    new_entries: int            # entries first seen (or changed by the publisher) in this poll
    articles: int               # entries that became articles in this poll (stored, or found to be copies)

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_json(self) -> dict:
        return {"url": self.url, "title": self.title, "ok": self.ok, "error": self.error,
                "not_modified": self.not_modified, "new_entries": self.new_entries, "articles": self.articles}


@dataclass(frozen=True)
class FollowReport:
    started_at: str                                     # UTC, ISO 8601
    seconds: float
    feeds: list[FeedOutcome] = field(default_factory=list)
    new_articles: list[str] = field(default_factory=list)   # ids of the articles this poll stored (new or changed)
    copies: int = 0                                         # pages found to carry an already stored story
    skipped: list[Skip] = field(default_factory=list)      # pages that could not be used, and why
    stopped: bool = False                                   # asked to stop: the rest waits for the next poll
    busy: str | None = None                                 # another poll was running: this one did nothing

    def to_json(self) -> dict:
        return {"started_at": self.started_at, "seconds": round(self.seconds, 3),
                "feeds": [f.to_json() for f in self.feeds], "new_articles": self.new_articles,
                "copies": self.copies, "skipped": [{"source": s.origin, "reason": s.reason} for s in self.skipped],
                "stopped": self.stopped, "busy": self.busy}

    def summary(self) -> str:
        """One line: feeds ok and failed (with reasons), articles new, pages skipped, time taken."""
        if self.busy:
            return f"{self.started_at} poll skipped: {self.busy}"
        if not self.feeds:
            return f"{self.started_at} no feeds to follow"
        failed = [f for f in self.feeds if not f.ok]
        text = f"{self.started_at} polled {len(self.feeds)} feed{_s(len(self.feeds))}: {len(self.feeds) - len(failed)} ok"
        if failed:
            text += f", {len(failed)} failed (" + "; ".join(f"{f.url}: {f.error}" for f in failed) + ")"
        text += f"; {len(self.new_articles)} new article{_s(len(self.new_articles))}"
        if self.copies:
            text += f", {self.copies} cop{'y' if self.copies == 1 else 'ies'} of stored stories"
        if self.skipped:
            text += f", {len(self.skipped)} page{_s(len(self.skipped))} skipped"
        if self.stopped:
            text += "; stopped early (the rest at the next poll)"
        return text + f"; {self.seconds:.1f} s"


def _s(n: int) -> str:
    return "" if n == 1 else "s"


# ---------------------------------------------------------------------------------------------------
# The web parts, built on first use
# ---------------------------------------------------------------------------------------------------

class Follower:
    """Thread-safe. `close()` it (Frontline.close does)."""

    def __init__(self, config: RetrievalConfig, *, fetch_policy: FetchPolicy | None = None) -> None:
        self.config = config
        self._policy = fetch_policy
        self._lock = threading.Lock()
        self._state: WebState | None = None
        self._fetcher: Fetcher | None = None
        self._near_duplicates: NearDuplicates | None = None
        self._stop = threading.Event()
        self._closed = False
        self._mended = False        # web state checked against the store since this process started

    # ------------------------------------------------------------------ life cycle
    def stop(self) -> None:
        """Closing: a running poll or URL ingest ends after the page it is reading (the rest waits for later)."""
        self._stop.set()

    def close(self) -> None:
        self.stop()
        with self._lock:
            self._closed = True
            if self._fetcher is not None:
                self._fetcher.close()
            if self._state is not None:
                self._state.close()
            self._fetcher = self._state = None

    # ------------------------------------------------------------------ lazily built parts
    def state(self) -> WebState:
        with self._lock:
            if self._closed:
                raise FrontlineError("Frontline is shutting down.")
            if self._state is None:
                from retrieval.web.state import WebState

                self._state = WebState(self.config.web_state_path)
                for url in self.config.feeds:
                    self._state.add_feed(url, added_by="settings")
            return self._state

    def fetcher(self) -> Fetcher:
        with self._lock:
            if self._closed:
                raise FrontlineError("Frontline is shutting down.")
            if self._fetcher is None:
                from retrieval.web.fetch import Fetcher, FetchPolicy

                self._fetcher = Fetcher(self._policy or FetchPolicy(allow_private=self.config.allow_private_urls))
            return self._fetcher

    def near_duplicates(self) -> NearDuplicates:
        state = self.state()
        with self._lock:
            if self._near_duplicates is None:
                from retrieval.web.ingest_urls import load_near_duplicates

                self._near_duplicates = load_near_duplicates(state)
            return self._near_duplicates

    # ------------------------------------------------------------------ feeds
    def followed(self) -> list[str]:
        """The URLs polled: FRONTLINE_FEEDS first, then the feeds added at run time."""
        users = [f.url for f in self.state().feeds() if f.added_by == "user"]
        return list(dict.fromkeys([*self.config.feeds, *users]))

    def feeds(self) -> list[FeedStatus]:
        """Every followed feed's state; `added_by` is "settings" for those FRONTLINE_FEEDS lists now."""
        state = self.state()
        found = []
        for url in self.followed():
            status = state.feed(url)
            if status is not None:
                found.append(replace(status, added_by="settings") if url in self.config.feeds else status)
        return found

    def add_feed(self, url: str) -> FeedStatus:
        """Follow a feed from now on, after checking that it is one (it is fetched and read now)."""
        from retrieval.web.feeds import FeedError, parse_feed
        from retrieval.web.fetch import FetchError

        url = (url or "").strip()
        if not url.startswith(_SCHEMES) or len(url) > 2000:
            raise FrontlineError(f"“{url[:200]}” is not a feed address: give its http:// or https:// URL.")
        if (same := self._followed_as(url)) is not None:
            raise FrontlineError(f"{same} is already followed.")
        try:
            result = self.fetcher().fetch(url, purpose="feed")
        except FetchError as exc:
            hint = ""
            if exc.status == 200 and "content type" in exc.reason:
                hint = " — that looks like a web page: give the site's RSS or Atom feed (often linked as /feed or /rss)"
            raise FrontlineError(f"Cannot follow {url}: {exc.reason}{hint}.") from None
        try:
            feed = parse_feed(result.content, result.final_url, result.content_type)
        except FeedError as exc:
            raise FrontlineError(f"Cannot follow {url}: {exc}.") from None
        state = self.state()
        state.add_feed(url, added_by="user")
        # this fetch is the feed's first poll: the next one asks "changed since?" and fetches the entries' pages
        state.record_poll_success(url, etag=result.etag, last_modified=result.last_modified, title=feed.title,
                                  entries=feed.entries)
        _log.info("now following %s (%s, %d entries)", url, feed.title or "untitled", len(feed.entries))
        status = state.feed(url)
        assert status is not None
        return status

    def remove_feed(self, url: str) -> FeedStatus:
        """Stop following a feed added at run time; its articles stay. Feeds from the settings stay too."""
        url = (url or "").strip()
        same = self._followed_as(url)
        if same is None:
            raise FrontlineError(f"{url[:200]} is not a followed feed.")
        if same in self.config.feeds:
            raise FrontlineError(f"{same} is followed because the server's settings list it (FRONTLINE_FEEDS): "
                                 "it can only be removed there.")
        state = self.state()
        status = state.feed(same)
        state.remove_feed(same)
        _log.info("stopped following %s", same)
        assert status is not None
        return status

    def _followed_as(self, url: str) -> str | None:
        """The followed URL that is `url` once both are normalised (case of the host, tracking parameters)."""
        from retrieval.web.extract import normalize_url

        try:
            wanted = normalize_url(url)
        except Exception:  # courlan rejects some malformed URLs outright
            return url if url in self.followed() else None
        for followed in self.followed():
            if followed == url or normalize_url(followed) == wanted:
                return followed
        return None

    # ------------------------------------------------------------------ citations
    def also_in(self, article_id: str) -> list[str]:
        """The other outlets that carried a web article's text; [] when nothing was ever fetched."""
        with self._lock:
            opened = self._state is not None
        if not opened and not self.config.web_state_path.exists():
            return []
        return self.state().also_in(article_id)

    # ------------------------------------------------------------------ ingest
    @contextmanager
    def sources(self, urls: Sequence[str]) -> Iterator[Iterable[RawArticle | Skip]]:
        """URLs (feeds or pages) as ingest items; remembered only if the `with` block ends without error."""
        from retrieval.web.ingest_urls import WebSources

        web = WebSources(urls, self.fetcher(), self.state(), near_duplicates=self.near_duplicates())
        with _committed(web):
            yield self._until_stopped(web, None)

    def poll(self, ingest: Ingest, stop: threading.Event | None = None, stored: Stored | None = None) -> FollowReport:
        """Poll every followed feed once and ingest what is new with `ingest(items) -> IngestReport`.
        Setting `stop` ends the poll after the page being read; what was read is kept, the rest waits.
        `stored()` (the store's article ids) lets the first poll of a process mend what the store lost."""
        started, clock = _now(), time.monotonic()
        with _process_lock(self.config.data_dir / LOCK_FILE) as holder:
            if holder is not None:
                return FollowReport(started, time.monotonic() - clock, busy=f"another poll is running ({holder})")
            urls = self.followed()
            if not urls:
                return FollowReport(started, time.monotonic() - clock)
            if stored is not None and not self._mended:
                self._mend(stored())
            return self._poll(urls, ingest, stop, started, clock)

    def _poll(self, urls: list[str], ingest: Ingest, stop: threading.Event | None, started: str,
              clock: float) -> FollowReport:
        from retrieval.web.ingest_urls import WebSources

        state = self.state()
        given_before = {f.url: f.articles_given for f in state.feeds()}
        web = WebSources(urls, self.fetcher(), state, near_duplicates=self.near_duplicates(), only_new=True)
        with _committed(web):
            items = self._until_stopped(web, stop)
            skips: list[Skip] = []
            first = None
            for item in items:      # polls the feeds up to their first new page
                if isinstance(item, RawArticle):
                    first = item
                    break
                skips.append(item)
            # nothing new (the usual poll): no ingest at all, so no store scan, no row-index check
            report = ingest(chain(skips, [first], items)) if first is not None else IngestReport(skipped=skips)
        polls = {p.feed_url: p for p in web.polls}
        outcomes = []
        for url in urls:
            status, poll = state.feed(url), polls.get(url)
            if status is None or poll is None:      # removed meanwhile, or not reached before a stop
                continue
            outcomes.append(FeedOutcome(url, status.title, poll.error, poll.not_modified, poll.new_entries,
                                        status.articles_given - given_before.get(url, 0)))
        stored = set(report.written_ids)
        new = [a for a in web.given if a in stored]
        copies = set(web.copies)
        # a feed's own failure is in its outcome; a copy is not a failure
        skipped = [s for s in report.skipped if s.origin not in copies and s.origin not in polls]
        return FollowReport(started, time.monotonic() - clock, outcomes, new, len(copies), skipped,
                            stopped=self._stopping(stop))

    def _mend(self, stored: set[str]) -> None:
        """Web articles the store lost (an ingest found their vectors gone and dropped them, so that they
        are embedded again) come back only if their pages are fetched again: reopen their feed entries,
        and forget their signatures, or the pages would be taken for copies of articles no longer stored."""
        state = self.state()
        lost = [article_id for article_id, _ in state.signatures() if article_id not in stored]
        if lost:
            reopened = state.reopen_articles(lost)
            index = self.near_duplicates()
            for article_id in lost:
                index.remove(article_id)
            _log.warning("%d web articles are no longer in the store; %d feed entries will be fetched again",
                         len(lost), reopened)
        self._mended = True

    def _stopping(self, stop: threading.Event | None) -> bool:
        return self._stop.is_set() or (stop is not None and stop.is_set())

    def _until_stopped(self, items: Iterable[RawArticle | Skip], stop: threading.Event | None
                       ) -> Iterator[RawArticle | Skip]:
        # Ending the stream (rather than raising) lets ingest store what it was given and the caller
        # commit exactly that; entries not reached stay pending for the next poll.
        iterator = iter(items)
        while not self._stopping(stop):
            try:
                item = next(iterator)     # fetches the next page
            except StopIteration:
                return
            yield item
        _log.info("stopping: the remaining pages wait for the next poll")


@contextmanager
def _committed(web: WebSources) -> Iterator[WebSources]:
    try:
        yield web
    except BaseException:
        web.abandon()
        raise
    web.commit()


@contextmanager
def _process_lock(path) -> Iterator[str | None]:
    """Hold an exclusive lock on `path` (yields None), or yield who holds it. POSIX advisory locks."""
    try:
        import fcntl
    except ImportError:     # not POSIX: one process per data folder is then the operator's to ensure
        yield None
        return
    import os

    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.seek(0)
            yield handle.read().strip() or "another process"
            return
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(f"process {os.getpid()} since {_now()}")
            handle.flush()
            yield None
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
