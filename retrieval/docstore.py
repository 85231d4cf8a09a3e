"""The docstore: one SQLite file that records what has been ingested — articles (with their cleaned
body, dates and content hash), their passages, and the places each passage names.

It is the record of truth. Chroma (vector_index.py) holds one vector per passage, and the row index
(row_index.py) is derived from both. Write order, for crash safety: vectors go to Chroma first, then one
SQLite transaction records the article. A crash in between leaves vectors the docstore does not know
of; the next ingest sees the article as not ingested, writes its vectors again (by id), and
`ingest.reconcile` drops any orphans.

The `generation` counter tells readers that the content changed. It moves once per ingest (at its end),
not per write, so readers rebuild their index once, not at every flush of a long ingest.
"""
from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from retrieval.daterange import DateRange
from retrieval.models import Article, Passage
from retrieval.sqlite import open_database

_log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    article_id TEXT PRIMARY KEY, origin TEXT NOT NULL, content_hash TEXT NOT NULL, body TEXT NOT NULL,
    title TEXT, date TEXT, date_int INTEGER NOT NULL, date_precision TEXT NOT NULL,
    date_inferred INTEGER NOT NULL, date_cue TEXT, source TEXT, url TEXT, ingested_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS passages (
    id TEXT PRIMARY KEY, article_id TEXT NOT NULL REFERENCES articles(article_id) ON DELETE CASCADE,
    seq INTEGER NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL, text TEXT NOT NULL,
    places TEXT NOT NULL, sectors TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS passages_article ON passages(article_id);
CREATE TABLE IF NOT EXISTS passage_places (
    passage_id TEXT NOT NULL REFERENCES passages(id) ON DELETE CASCADE, name TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS passage_places_name ON passage_places(name);
"""

_PASSAGE_COLUMNS = (
    "p.id, p.article_id, p.seq, p.text, p.start, p.\"end\", a.title, a.date, a.date_int, a.date_precision, "
    "a.date_inferred, a.source, a.url, p.places, p.sectors"
)


OUTLET_KEY = "outlet:"  # a row-index key of an outlet's passages, beside the places' keys (no place has a colon)


class Docstore:
    """Articles and passages in one SQLite file; safe to share between threads."""

    def __init__(self, path: Path) -> None:
        self._conn = open_database(path, _SCHEMA)
        self._lock = threading.Lock()

    def close(self) -> None:
        self._conn.close()

    @contextmanager
    def _transaction(self):
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def _query(self, sql: str, params: Sequence = ()) -> list[tuple]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    # --- state
    def generation(self) -> int:
        rows = self._query("SELECT value FROM meta WHERE key = 'generation'")
        return int(rows[0][0]) if rows else 0

    def begin_ingest(self) -> None:
        """Mark an ingest as running; one left marked by a crashed ingest counts as a change."""
        if self.ingest_unfinished():
            _log.warning("the previous ingest did not finish; its partial writes are picked up now")
            self._bump_generation()
        self.set_meta("ingest_running", "1")

    def end_ingest(self, *, changed: bool) -> None:
        """The ingest is over: move the generation once if it changed anything."""
        if changed:
            self._bump_generation()
        with self._lock:
            self._conn.execute("DELETE FROM meta WHERE key = 'ingest_running'")

    def ingest_unfinished(self) -> bool:
        return self.get_meta("ingest_running") is not None

    def _bump_generation(self) -> None:
        with self._lock:
            self._conn.execute(
                "INSERT INTO meta VALUES ('generation', '1') "
                "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1"
            )

    def content_hashes(self) -> dict[str, str]:
        return dict(self._query("SELECT article_id, content_hash FROM articles"))

    def origins(self) -> dict[str, str]:
        return dict(self._query("SELECT article_id, origin FROM articles"))

    def passage_ids(self) -> set[str]:
        return {row[0] for row in self._query("SELECT id FROM passages")}

    def set_meta(self, key: str, value: str) -> None:
        with self._lock:
            self._conn.execute(
                "INSERT INTO meta VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value)
            )

    def get_meta(self, key: str) -> str | None:
        rows = self._query("SELECT value FROM meta WHERE key = ?", (key,))
        return rows[0][0] if rows else None

    # --- writes
    def replace_articles(self, articles: Iterable[Article], ingested_at: str) -> None:
        with self._transaction() as conn:
            for art in articles:
                conn.execute("DELETE FROM articles WHERE article_id = ?", (art.article_id,))
                conn.execute(
                    "INSERT INTO articles VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (art.article_id, art.origin, art.content_hash, art.body, art.title, art.date, art.date_int,
                     art.date_precision, int(art.date_inferred), art.date_cue, art.source, art.url, ingested_at),
                )
                conn.executemany(
                    "INSERT INTO passages VALUES (?,?,?,?,?,?,?,?)",
                    [(p.id, p.article_id, p.seq, p.start, p.end, p.text, "|".join(p.places), "|".join(p.sectors))
                     for p in art.passages],
                )
                conn.executemany(
                    "INSERT INTO passage_places VALUES (?, ?)",
                    [(p.id, name) for p in art.passages for name in {*p.places, *map(sector_key, p.sectors)}],
                )

    def delete_articles(self, article_ids: Iterable[str]) -> None:
        ids = list(article_ids)
        if ids:
            with self._transaction() as conn:
                conn.executemany("DELETE FROM articles WHERE article_id = ?", [(i,) for i in ids])

    # --- reads
    def passages(self, ids: Sequence[str]) -> dict[str, Passage]:
        out: dict[str, Passage] = {}
        for chunk in _chunks(list(ids), 500):
            marks = ",".join("?" * len(chunk))
            rows = self._query(
                f"SELECT {_PASSAGE_COLUMNS} FROM passages p JOIN articles a USING (article_id) WHERE p.id IN ({marks})",
                chunk,
            )
            out.update((row[0], _passage(row)) for row in rows)
        return out

    def index_rows(self) -> tuple[list[str], list[str], list[int]]:
        """Every passage's id, text and date (YYYYMMDD, 0 unknown), in one stable order."""
        rows = self._query(
            "SELECT p.id, p.text, a.date_int FROM passages p JOIN articles a USING (article_id) ORDER BY p.rowid"
        )
        return [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]

    def index_rows_versioned(self) -> tuple[list[str], list[str], list[int], list[str], list[str]]:
        """As index_rows, with each passage's version (its article's content hash and write time, which
        change whenever the article is written again, so its vectors may have changed) and its article's
        title; in date order (undated first), so that the rows of a date range lie side by side."""
        rows = self._query(
            "SELECT p.id, p.text, a.date_int, a.content_hash || ' ' || a.ingested_at, coalesce(a.title, '') "
            "FROM passages p JOIN articles a USING (article_id) ORDER BY a.date_int, p.rowid"
        )
        return tuple([r[i] for r in rows] for i in range(5))

    def passage_ids_by_name(self) -> Iterator[tuple[str, list[str]]]:
        """(place or `sector_key(name)`, the ids of the passages tagged with it), one name at a time.

        Grouped in SQL: at a million passages, one Python tuple per tag would be a few hundred MB at
        every row-index load.
        """
        rows = self._query("SELECT name, json_group_array(passage_id) FROM passage_places GROUP BY name")
        for name, ids in rows:
            yield name, json.loads(ids)

    def passage_ids_by_outlet(self) -> Iterator[tuple[str, list[str]]]:
        """(OUTLET_KEY + the articles' source, the ids of their passages), one source at a time: an outlet
        is found by the row index as a place is."""
        rows = self._query("SELECT a.source, json_group_array(p.id) FROM passages p JOIN articles a USING (article_id) "
                           "WHERE coalesce(a.source, '') != '' GROUP BY a.source")
        for source, ids in rows:
            yield OUTLET_KEY + source, json.loads(ids)

    def passages_naming(self, names: Sequence[str], dates: DateRange = DateRange()) -> list[Passage]:
        """Passages tagged with any of the names (places, or `sector_key(name)`), within the dates."""
        marks = ",".join("?" * len(names))
        where = "" if dates.is_open else " AND a.date_int BETWEEN ? AND ?"
        rows = self._query(
            f"SELECT DISTINCT {_PASSAGE_COLUMNS} FROM passage_places pp JOIN passages p ON p.id = pp.passage_id "
            f"JOIN articles a USING (article_id) WHERE pp.name IN ({marks}){where}",
            (*names, *(() if dates.is_open else (max(dates.since, 1), dates.until))),
        )
        return [_passage(row) for row in rows]

    def article_passages(self, article_id: str) -> list[Passage]:
        """Every passage of one article, in reading order."""
        rows = self._query(
            f"SELECT {_PASSAGE_COLUMNS} FROM passages p JOIN articles a USING (article_id) "
            "WHERE p.article_id = ? ORDER BY p.seq", (article_id,),
        )
        return [_passage(row) for row in rows]

    def article_body(self, article_id: str) -> str | None:
        rows = self._query("SELECT body FROM articles WHERE article_id = ?", (article_id,))
        return rows[0][0] if rows else None

    def stats(self) -> dict:
        (articles, first, last), = self._query(
            "SELECT COUNT(*), MIN(NULLIF(date_int, 0)), MAX(date_int) FROM articles"
        )
        (passages,), = self._query("SELECT COUNT(*) FROM passages")
        (undated,), = self._query("SELECT COUNT(*) FROM articles WHERE date_int = 0")
        places = self._query(
            "SELECT name, COUNT(DISTINCT passage_id) FROM passage_places WHERE name NOT LIKE 'sector:%' "
            "GROUP BY name ORDER BY 2 DESC"
        )
        return {
            "articles": articles,
            "passages": passages,
            "undated_articles": undated,
            "first_date": _int_to_iso(first),
            "last_date": _int_to_iso(last or 0),
            "places": dict(places),
            "last_ingest": self.get_meta("last_ingest"),
        }


def _passage(row: tuple) -> Passage:
    (pid, article_id, seq, text, start, end, title, date, date_int, precision, inferred, source, url,
     places, sectors) = row
    return Passage(
        id=pid, article_id=article_id, seq=seq, text=text, start=start, end=end, title=title, date=date,
        date_int=date_int, date_precision=precision, date_inferred=bool(inferred), source=source, url=url,
        places=tuple(p for p in places.split("|") if p), sectors=tuple(s for s in sectors.split("|") if s),
    )


def sector_key(name: str) -> str:
    """How a sector is named among a passage's tags, beside the places: "sector:Toretsk"."""
    return "sector:" + name


def _int_to_iso(value: int | None) -> str | None:
    if not value:
        return None
    s = str(value)
    return f"{s[:4]}-{s[4:6]}-{s[6:]}"


def _chunks(items: list, size: int) -> Iterable[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]
