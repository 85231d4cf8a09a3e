"""Which channels watch which places, and what was posted where: one SQLite file in the data folder
(data/watches.sqlite3), so subscriptions and the record of posted digests survive restarts.

    watches  (channel, place): the server, who asked and when; `paused` with the reason when the bot can
             no longer post in the channel (deleted, or a permission taken away). /watch there resumes it.
    posted   (channel, article): every article a digest listed in a channel — a restart, or the same
             article arriving again from another feed, never posts it there twice.
    queue    articles a poll stored, kept until every channel has had its digest: a crash between the poll
             and the posting delays a digest, it does not lose it.

No Discord types here: ids are plain integers, places are the canonical names Frontline gives.
"""
from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from retrieval.sqlite import open_database

FILE = "watches.sqlite3"
MAX_PER_CHANNEL = 25
QUEUE_DAYS = 2          # a digest that could not be posted for this long is dropped

_SCHEMA = """
CREATE TABLE IF NOT EXISTS watches (
    channel_id INTEGER NOT NULL,
    place TEXT NOT NULL,
    guild_id INTEGER NOT NULL,
    added_by INTEGER NOT NULL,
    added_at TEXT NOT NULL,
    paused_at TEXT,
    paused_reason TEXT,
    PRIMARY KEY (channel_id, place)
);
CREATE INDEX IF NOT EXISTS watches_by_guild ON watches(guild_id);
CREATE TABLE IF NOT EXISTS posted (
    channel_id INTEGER NOT NULL,
    article_id TEXT NOT NULL,
    posted_at TEXT NOT NULL,
    PRIMARY KEY (channel_id, article_id)
);
CREATE TABLE IF NOT EXISTS queue (
    article_id TEXT PRIMARY KEY,
    queued_at TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class Watch:
    channel_id: int
    place: str
    guild_id: int
    added_by: int
    added_at: str
    paused_at: str | None
    paused_reason: str | None

    @property
    def paused(self) -> bool:
        return self.paused_at is not None


class Watches:
    """Thread-safe: one connection behind a lock (each call is a few rows)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._db = open_database(path, _SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _run(self, sql: str, args: tuple = ()) -> sqlite3.Cursor:
        with self._lock:
            return self._db.execute(sql, args)

    def _rows(self, sql: str, args: tuple = ()) -> list[tuple]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    # ------------------------------------------------------------------ subscriptions
    def add(self, *, guild_id: int, channel_id: int, place: str, user_id: int) -> tuple[bool, int]:
        """Watch `place` in the channel: (added, watches resumed). Watching again resumes a paused channel.
        ValueError when the channel already watches MAX_PER_CHANNEL places."""
        with self._lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                resumed = db.execute("UPDATE watches SET paused_at = NULL, paused_reason = NULL "
                                     "WHERE channel_id = ? AND paused_at IS NOT NULL", (channel_id,)).rowcount
                (count,), = db.execute("SELECT COUNT(*) FROM watches WHERE channel_id = ?", (channel_id,)).fetchall()
                exists = db.execute("SELECT 1 FROM watches WHERE channel_id = ? AND place = ?",
                                    (channel_id, place)).fetchone() is not None
                if not exists and count >= MAX_PER_CHANNEL:
                    raise ValueError(f"a channel can watch at most {MAX_PER_CHANNEL} places")
                added = db.execute("INSERT OR IGNORE INTO watches (channel_id, place, guild_id, added_by, added_at) "
                                   "VALUES (?, ?, ?, ?, ?)", (channel_id, place, guild_id, user_id, _now())).rowcount
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        return bool(added), resumed

    def remove(self, channel_id: int, place: str) -> bool:
        return self._run("DELETE FROM watches WHERE channel_id = ? AND place = ?", (channel_id, place)).rowcount == 1

    def in_channel(self, channel_id: int) -> list[Watch]:
        return self._watches("WHERE channel_id = ?", (channel_id,))

    def in_guild(self, guild_id: int) -> list[Watch]:
        return self._watches("WHERE guild_id = ?", (guild_id,))

    def active_by_channel(self) -> dict[int, list[Watch]]:
        """Every channel with watches that are not paused, and its watches."""
        found: dict[int, list[Watch]] = {}
        for watch in self._watches("WHERE paused_at IS NULL", ()):
            found.setdefault(watch.channel_id, []).append(watch)
        return found

    def _watches(self, where: str, args: tuple) -> list[Watch]:
        rows = self._rows(f"SELECT channel_id, place, guild_id, added_by, added_at, paused_at, paused_reason "
                          f"FROM watches {where} ORDER BY channel_id, rowid", args)
        return [Watch(*row) for row in rows]

    def pause(self, channel_id: int, reason: str) -> int:
        """Pause every watch of a channel the bot can no longer post in; how many were paused."""
        return self._run("UPDATE watches SET paused_at = ?, paused_reason = ? WHERE channel_id = ? "
                         "AND paused_at IS NULL", (_now(), reason, channel_id)).rowcount

    # ------------------------------------------------------------------ what was posted
    def posted(self, channel_id: int, article_ids: Iterable[str]) -> set[str]:
        """Which of the articles a digest already listed in this channel."""
        ids = list(article_ids)
        found: set[str] = set()
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ",".join("?" * len(chunk))
            found.update(r[0] for r in self._rows(
                f"SELECT article_id FROM posted WHERE channel_id = ? AND article_id IN ({marks})", (channel_id, *chunk)))
        return found

    def mark_posted(self, channel_id: int, article_ids: Iterable[str]) -> None:
        now = _now()
        with self._lock:
            self._db.executemany("INSERT OR IGNORE INTO posted (channel_id, article_id, posted_at) VALUES (?, ?, ?)",
                                 [(channel_id, a, now) for a in article_ids])

    def unmark_posted(self, channel_id: int, article_ids: Iterable[str]) -> None:
        """The digest could not be sent after all."""
        with self._lock:
            self._db.executemany("DELETE FROM posted WHERE channel_id = ? AND article_id = ?",
                                 [(channel_id, a) for a in article_ids])

    # ------------------------------------------------------------------ articles waiting for their digests
    def enqueue(self, article_ids: Iterable[str]) -> None:
        now = _now()
        with self._lock:
            self._db.executemany("INSERT OR IGNORE INTO queue (article_id, queued_at) VALUES (?, ?)",
                                 [(a, now) for a in article_ids])

    def queued(self) -> list[tuple[str, str]]:
        """(article id, queued at), oldest first; entries older than QUEUE_DAYS are dropped first."""
        cutoff = (datetime.now(timezone.utc) - timedelta(days=QUEUE_DAYS)).isoformat(timespec="seconds")
        self._run("DELETE FROM queue WHERE queued_at < ?", (cutoff,))
        return [(r[0], r[1]) for r in self._rows("SELECT article_id, queued_at FROM queue ORDER BY queued_at, rowid")]

    def dequeue(self, article_ids: Iterable[str]) -> None:
        with self._lock:
            self._db.executemany("DELETE FROM queue WHERE article_id = ?", [(a,) for a in article_ids])


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
