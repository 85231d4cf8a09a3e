"""What following the news remembers between polls and restarts, in its own SQLite file.

Per feed: its URL, ETag / Last-Modified (for conditional GET), when it last succeeded, its last error,
how many articles it gave, and every entry seen with its state:

    pending ──(article stored: entry_done)──► done
       └──(page failed: entry_failed)──► pending again, until `max_attempts`, then failed

An entry is marked done only by the caller, after the article is really stored, so a crash between the
fetch and the store loses nothing (the entry is still pending after the restart), and a done entry is
never fetched again (restarting fetches nothing twice). A feed that fails keeps its entries and its
articles; its error is recorded beside them. An entry whose `updated` stamp changes is pending again:
the publisher changed the article.

Also kept here, for web articles: the near-duplicate signature of each stored one, and every page that
carried its text (the original and its copies on other sites), so a citation can name them all.

Each feed also records who asked for it (`added_by`): "settings" (FRONTLINE_FEEDS, followed while the
setting lists it) or "user" (added at run time, e.g. from Discord, followed until removed).

`poll_feed` is the step a poll loop runs per feed: conditional GET, parse, record, and return what to
fetch now.
"""
from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from retrieval.sqlite import open_database
from retrieval.web.feeds import FeedEntry, FeedError, parse_feed
from retrieval.web.fetch import Fetcher, FetchError

_log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
_SCHEMA = """
CREATE TABLE IF NOT EXISTS feeds (
    url TEXT PRIMARY KEY,
    title TEXT,
    added_at TEXT NOT NULL,
    respect_robots INTEGER NOT NULL DEFAULT 1,
    etag TEXT,
    last_modified TEXT,
    last_polled TEXT,
    last_success TEXT,
    last_error TEXT,
    last_error_at TEXT,
    articles_given INTEGER NOT NULL DEFAULT 0,
    added_by TEXT NOT NULL DEFAULT 'user'         -- settings | user
);
CREATE TABLE IF NOT EXISTS feed_entries (
    feed_url TEXT NOT NULL REFERENCES feeds(url) ON DELETE CASCADE,
    key TEXT NOT NULL,
    link TEXT NOT NULL,
    title TEXT,
    published TEXT,
    updated TEXT,
    first_seen TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',     -- pending | done | failed
    attempts INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    article_id TEXT,
    PRIMARY KEY (feed_url, key)
);
CREATE TABLE IF NOT EXISTS web_articles (
    article_id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    outlet TEXT,
    signature BLOB NOT NULL,
    stored_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS carriers (
    url TEXT PRIMARY KEY,                        -- a page that carried the article's text
    article_id TEXT NOT NULL,
    outlet TEXT,
    seen_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS carriers_by_article ON carriers(article_id);
"""


@dataclass(frozen=True)
class FeedStatus:
    url: str
    title: str | None
    added_at: str
    respect_robots: bool
    etag: str | None
    last_modified: str | None
    last_polled: str | None
    last_success: str | None
    last_error: str | None          # None once a later poll succeeded
    last_error_at: str | None
    articles_given: int
    entries_seen: int
    entries_pending: int
    added_by: str = "user"          # "settings" (FRONTLINE_FEEDS) or "user" (added at run time)


@dataclass(frozen=True)
class PendingEntry:
    feed_url: str
    key: str
    link: str
    title: str | None
    published: str | None           # the feed's date: the fallback when the page states none
    attempts: int


@dataclass(frozen=True)
class Carrier:
    url: str
    outlet: str | None


class WebState:
    """Thread-safe; one connection guarded by a lock (the work per call is tiny)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._db = open_database(path, _SCHEMA)
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(feeds)")}
        if "added_by" not in columns:       # a state file from before feeds remembered who added them
            self._db.execute("ALTER TABLE feeds ADD COLUMN added_by TEXT NOT NULL DEFAULT 'user'")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # ------------------------------------------------------------------ feeds
    def add_feed(self, url: str, *, respect_robots: bool = True, added_by: str | None = None) -> bool:
        """Follow `url`; False when it was already followed (its settings are then left as they were).
        `added_by="user"` also adopts a feed first added by the settings (it stays followed without them)."""
        with self._tx() as db:
            cur = db.execute("INSERT OR IGNORE INTO feeds (url, added_at, respect_robots, added_by) VALUES (?, ?, ?, ?)",
                             (url, _now(), int(respect_robots), added_by or "user"))
            if cur.rowcount == 1:
                return True
            if added_by == "user":
                return db.execute("UPDATE feeds SET added_by = 'user' WHERE url = ? AND added_by != 'user'",
                                  (url,)).rowcount == 1
            return False

    def set_respect_robots(self, url: str, respect: bool) -> bool:
        """The per-feed robots.txt switch (its feed and its article pages); False when `url` is not followed."""
        with self._tx() as db:
            return db.execute("UPDATE feeds SET respect_robots = ? WHERE url = ?", (int(respect), url)).rowcount == 1

    def remove_feed(self, url: str) -> bool:
        """Stop following `url` (its entries are forgotten; its stored articles stay)."""
        with self._tx() as db:
            return db.execute("DELETE FROM feeds WHERE url = ?", (url,)).rowcount == 1

    def feed(self, url: str) -> FeedStatus | None:
        found = self._feed_rows("WHERE f.url = ?", (url,))
        return found[0] if found else None

    def feeds(self) -> list[FeedStatus]:
        return self._feed_rows("", ())

    def _feed_rows(self, where: str, args: tuple) -> list[FeedStatus]:
        with self._lock:
            rows = self._db.execute(f"""
                SELECT f.url, f.title, f.added_at, f.respect_robots, f.etag, f.last_modified, f.last_polled,
                       f.last_success, f.last_error, f.last_error_at, f.articles_given,
                       COUNT(e.key), COALESCE(SUM(e.status = 'pending'), 0), f.added_by
                FROM feeds f LEFT JOIN feed_entries e ON e.feed_url = f.url {where}
                GROUP BY f.url ORDER BY f.added_at, f.url""", args).fetchall()
        return [FeedStatus(r[0], r[1], r[2], bool(r[3]), *r[4:11], int(r[11]), int(r[12]), r[13]) for r in rows]

    def record_poll_success(self, url: str, *, etag: str | None, last_modified: str | None,
                            title: str | None, entries: tuple[FeedEntry, ...] | list[FeedEntry]) -> int:
        """Record a fetched feed and its entries in one transaction; the number of new (or changed) entries.
        The ETag is stored in the same transaction as the entries, so a crash cannot skip entries."""
        now = _now()
        new = 0
        with self._tx() as db:
            for e in entries:
                row = db.execute("SELECT updated, status FROM feed_entries WHERE feed_url = ? AND key = ?",
                                 (url, e.key)).fetchone()
                if row is None:
                    db.execute("""INSERT INTO feed_entries (feed_url, key, link, title, published, updated, first_seen)
                                  VALUES (?, ?, ?, ?, ?, ?, ?)""", (url, e.key, e.link, e.title, e.published, e.updated, now))
                    new += 1
                elif e.updated and row[0] != e.updated:
                    # the publisher changed the entry: fetch its page again
                    db.execute("""UPDATE feed_entries SET link = ?, title = ?, published = ?, updated = ?,
                                  status = 'pending', attempts = 0, error = NULL WHERE feed_url = ? AND key = ?""",
                               (e.link, e.title, e.published, e.updated, url, e.key))
                    new += 1
            db.execute("""UPDATE feeds SET etag = ?, last_modified = ?, title = COALESCE(?, title), last_polled = ?,
                          last_success = ?, last_error = NULL, last_error_at = NULL WHERE url = ?""",
                       (etag, last_modified, title, now, now, url))
        return new

    def record_poll_not_modified(self, url: str) -> None:
        now = _now()
        with self._tx() as db:
            db.execute("""UPDATE feeds SET last_polled = ?, last_success = ?, last_error = NULL,
                          last_error_at = NULL WHERE url = ?""", (now, now, url))

    def record_poll_error(self, url: str, error: str) -> None:
        now = _now()
        with self._tx() as db:
            db.execute("UPDATE feeds SET last_polled = ?, last_error = ?, last_error_at = ? WHERE url = ?",
                       (now, error, now, url))

    # ------------------------------------------------------------------ entries
    def pending_entries(self, url: str, *, max_attempts: int = MAX_ATTEMPTS) -> list[PendingEntry]:
        with self._lock:
            rows = self._db.execute("""
                SELECT feed_url, key, link, title, published, attempts FROM feed_entries
                WHERE feed_url = ? AND status = 'pending' AND attempts < ? ORDER BY first_seen, rowid""",
                                    (url, max_attempts)).fetchall()
        return [PendingEntry(*r) for r in rows]

    def entry_done(self, feed_url: str, key: str, article_id: str | None) -> None:
        """The entry's article is stored (or was found to be a copy of `article_id`): never fetch it again."""
        with self._tx() as db:
            changed = db.execute("""UPDATE feed_entries SET status = 'done', error = NULL, article_id = ?
                                    WHERE feed_url = ? AND key = ? AND status != 'done'""",
                                 (article_id, feed_url, key)).rowcount
            if changed:
                db.execute("UPDATE feeds SET articles_given = articles_given + 1 WHERE url = ?", (feed_url,))

    def entry_failed(self, feed_url: str, key: str, error: str, *, transient: bool = True,
                     max_attempts: int = MAX_ATTEMPTS) -> None:
        """The entry's page could not be used. A lasting failure (404, no article) is not tried again."""
        with self._tx() as db:
            db.execute("""UPDATE feed_entries SET attempts = attempts + 1, error = ?,
                          status = CASE WHEN ? OR attempts + 1 >= ? THEN 'failed' ELSE 'pending' END
                          WHERE feed_url = ? AND key = ?""",
                       (error, int(not transient), max_attempts, feed_url, key))

    def entries(self, feed_url: str) -> list[tuple[str, str, str, str | None]]:
        """(key, link, status, error) of every entry of a feed, oldest first (for /feeds and tests)."""
        with self._lock:
            return self._db.execute("SELECT key, link, status, error FROM feed_entries WHERE feed_url = ? "
                                    "ORDER BY first_seen, rowid", (feed_url,)).fetchall()

    # ------------------------------------------------------------------ web articles and their copies
    def save_article(self, article_id: str, url: str, outlet: str | None, signature: bytes) -> None:
        """A web article was stored: keep its near-duplicate signature, and count it as its own carrier."""
        now = _now()
        with self._tx() as db:
            db.execute("""INSERT INTO web_articles (article_id, url, outlet, signature, stored_at) VALUES (?, ?, ?, ?, ?)
                          ON CONFLICT(article_id) DO UPDATE SET url = excluded.url, outlet = excluded.outlet,
                          signature = excluded.signature, stored_at = excluded.stored_at""",
                       (article_id, url, outlet, signature, now))
            db.execute("""INSERT INTO carriers (url, article_id, outlet, seen_at) VALUES (?, ?, ?, ?)
                          ON CONFLICT(url) DO UPDATE SET article_id = excluded.article_id, outlet = excluded.outlet""",
                       (url, article_id, outlet, now))

    def add_carrier(self, article_id: str, url: str, outlet: str | None) -> None:
        """Page `url` of `outlet` carries the text of stored article `article_id` (a near-duplicate)."""
        with self._tx() as db:
            db.execute("""INSERT INTO carriers (url, article_id, outlet, seen_at) VALUES (?, ?, ?, ?)
                          ON CONFLICT(url) DO UPDATE SET article_id = excluded.article_id, outlet = excluded.outlet""",
                       (url, article_id, outlet, _now()))

    def carriers(self, article_id: str) -> list[Carrier]:
        """Every page that carried the article, the stored one first."""
        with self._lock:
            rows = self._db.execute("""
                SELECT c.url, c.outlet FROM carriers c LEFT JOIN web_articles w ON w.article_id = c.article_id
                WHERE c.article_id = ? ORDER BY (c.url = w.url) DESC, c.seen_at, c.url""", (article_id,)).fetchall()
        return [Carrier(*r) for r in rows]

    def also_in(self, article_id: str) -> list[str]:
        """The other outlets that carried the article ("also in Kyiv Independent and Ukrinform")."""
        carriers = self.carriers(article_id)
        own = carriers[0].outlet if carriers else None
        return list(dict.fromkeys(c.outlet for c in carriers[1:] if c.outlet and c.outlet != own))

    def signatures(self) -> Iterator[tuple[str, bytes]]:
        with self._lock:
            rows = self._db.execute("SELECT article_id, signature FROM web_articles").fetchall()
        yield from rows

    def reopen_articles(self, article_ids: list[str]) -> int:
        """Articles the store no longer has (its vectors were lost, say): forget their signatures and
        carriers, and make the feed entries that gave them pending again; how many entries were reopened."""
        reopened = 0
        with self._tx() as db:
            for start in range(0, len(article_ids), 500):
                chunk = article_ids[start:start + 500]
                marks = ",".join("?" * len(chunk))
                reopened += db.execute(f"""UPDATE feed_entries SET status = 'pending', attempts = 0, error = NULL
                                           WHERE status = 'done' AND article_id IN ({marks})""", chunk).rowcount
            db.executemany("DELETE FROM web_articles WHERE article_id = ?", [(a,) for a in article_ids])
            db.executemany("DELETE FROM carriers WHERE article_id = ?", [(a,) for a in article_ids])
        return reopened

    def forget_articles(self, article_ids: list[str]) -> None:
        """Articles removed from the store: their signatures and carriers go too."""
        with self._tx() as db:
            db.executemany("DELETE FROM web_articles WHERE article_id = ?", [(a,) for a in article_ids])
            db.executemany("DELETE FROM carriers WHERE article_id = ?", [(a,) for a in article_ids])

    # ------------------------------------------------------------------ internals
    def _tx(self):
        return _Transaction(self._db, self._lock)


class _Transaction:
    def __init__(self, db: sqlite3.Connection, lock: threading.Lock) -> None:
        self._db, self._lock = db, lock

    def __enter__(self) -> sqlite3.Connection:
        self._lock.acquire()
        self._db.execute("BEGIN IMMEDIATE")
        return self._db

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            self._db.execute("ROLLBACK" if exc_type else "COMMIT")
        finally:
            self._lock.release()


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


# ---------------------------------------------------------------------------------------------------
# One poll of one feed
# ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PollResult:
    feed_url: str
    entries: list[PendingEntry]     # what to fetch now: new or changed entries, and earlier failures to retry
    new_entries: int
    not_modified: bool
    error: str | None               # the feed itself failed (its entries and articles are kept)
    warning: str | None = None      # the feed had XML errors but was read
    seconds: float = 0.0


def poll_feed(url: str, fetcher: Fetcher, state: WebState, *, max_attempts: int = MAX_ATTEMPTS) -> PollResult:
    """Fetch `url` conditionally, record its entries, and return the entries to fetch now.
    Never raises for a bad feed: the error is recorded in `state` and returned."""
    started = time.monotonic()
    state.add_feed(url)
    status = state.feed(url)
    assert status is not None
    new, not_modified, error, warning = 0, False, None, None
    try:
        result = fetcher.fetch(url, purpose="feed", etag=status.etag, last_modified=status.last_modified,
                               respect_robots=status.respect_robots)
        if result.not_modified:
            not_modified = True
            state.record_poll_not_modified(url)
        else:
            feed = parse_feed(result.content, result.final_url, result.content_type)
            warning = feed.warning
            new = state.record_poll_success(url, etag=result.etag, last_modified=result.last_modified,
                                            title=feed.title, entries=feed.entries)
    except (FetchError, FeedError) as exc:
        error = str(exc)
        state.record_poll_error(url, error)
        _log.warning("feed %s failed: %s", url, error)
    return PollResult(url, state.pending_entries(url, max_attempts=max_attempts), new, not_modified, error,
                      warning, time.monotonic() - started)
