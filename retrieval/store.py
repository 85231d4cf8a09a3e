"""Where passages live: a SQLite docstore, a Chroma collection of vectors, and a BM25 index beside them.

SQLite is the record of what has been ingested (articles, their content hashes, their passages). Chroma
holds one vector per passage. The BM25 index is derived from SQLite and rebuilt whenever SQLite's
generation counter moves on, so a crash can never leave it out of step for long.

Write order, for crash safety: vectors go to Chroma first, then one SQLite transaction records the
article. A crash in between leaves vectors SQLite does not know of; the next ingest sees the article
as not ingested, deletes its vectors and writes them again, and `reconcile` drops any orphans.
"""
from __future__ import annotations

import functools
import json
import logging
import shutil
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from retrieval.errors import StoreUnavailable
from retrieval.models import Article, Passage

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


class Docstore:
    """Articles and passages in one SQLite file; safe to share between threads."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA foreign_keys=ON")
        self._conn.executescript(_SCHEMA)
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
            self._conn.execute(
                "INSERT INTO meta VALUES ('generation', '1') "
                "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1"
            )
            self._conn.execute("COMMIT")

    def _query(self, sql: str, params: Sequence = ()) -> list[tuple]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    # --- state
    def generation(self) -> int:
        rows = self._query("SELECT value FROM meta WHERE key = 'generation'")
        return int(rows[0][0]) if rows else 0

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
                    [(p.id, name) for p in art.passages for name in {*p.places, *(f"sector:{s}" for s in p.sectors)}],
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

    def all_passage_texts(self) -> tuple[list[str], list[str]]:
        ids, texts, _ = self.index_rows()
        return ids, texts

    def index_rows(self) -> tuple[list[str], list[str], list[int]]:
        """Every passage's id, text and date (YYYYMMDD, 0 unknown), in one stable order."""
        rows = self._query(
            "SELECT p.id, p.text, a.date_int FROM passages p JOIN articles a USING (article_id) ORDER BY p.rowid"
        )
        return [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]

    def passage_names(self) -> list[tuple[str, str]]:
        """(passage id, place or 'sector:<name>') for every tag."""
        return self._query("SELECT passage_id, name FROM passage_places")

    def passages_naming(self, names: Sequence[str], *, since: int = 0, until: int = 99999999) -> list[Passage]:
        """Passages tagged with any of the names (places, or 'sector:<name>'), within the date range."""
        marks = ",".join("?" * len(names))
        rows = self._query(
            f"SELECT DISTINCT {_PASSAGE_COLUMNS} FROM passage_places pp JOIN passages p ON p.id = pp.passage_id "
            f"JOIN articles a USING (article_id) WHERE pp.name IN ({marks}) AND a.date_int BETWEEN ? AND ?",
            (*names, since, until),
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


def _int_to_iso(value: int | None) -> str | None:
    if not value:
        return None
    s = str(value)
    return f"{s[:4]}-{s[4:6]}-{s[6:]}"


def _chunks(items: list, size: int) -> Iterable[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


# --------------------------------------------------------------------------------------------- vectors
def place_key(name: str) -> str:
    return "place:" + name


def sector_key(name: str) -> str:
    return "sector:" + name


class VectorIndex:
    """The Chroma collection: one vector per passage, with the metadata that filters need.

    Why chromadb directly rather than llama-index's ChromaVectorStore: that wrapper stores a second
    JSON copy of every passage in its metadata and answers through node objects; our passages already
    live in the docstore, and ingest needs id-only listing (reconcile) and delete-by-article.
    Places and sectors are boolean metadata keys ("place:Toretsk": true) because Chroma's `where`
    cannot test membership in a list.
    """

    def __init__(self, *, path: Path | None, url: str | None, collection: str) -> None:
        self._path, self._url, self._name = path, url, collection
        self._collection = None
        self._lock = threading.Lock()

    def _get(self):
        # Built lazily and dropped on failure, so a Chroma server that comes back is found again
        # without restarting the bot.
        with self._lock:
            if self._collection is None:
                import chromadb
                from chromadb.config import Settings as ChromaSettings

                chroma_settings = ChromaSettings(anonymized_telemetry=False)
                try:
                    if self._url:
                        from urllib.parse import urlparse

                        u = urlparse(self._url)
                        client = chromadb.HttpClient(
                            host=u.hostname or "localhost", port=u.port or (443 if u.scheme == "https" else 8000),
                            ssl=u.scheme == "https", settings=chroma_settings,
                        )
                    else:
                        client = chromadb.PersistentClient(path=str(self._path), settings=chroma_settings)
                    self._collection = client.get_or_create_collection(
                        self._name, metadata={"hnsw:space": "cosine"}, embedding_function=None
                    )
                except Exception as exc:  # connection refused, DNS, server error
                    raise StoreUnavailable(f"{type(exc).__name__}: {exc}") from exc
            return self._collection

    def _call(self, what: str, fn):
        collection = self._get()
        try:
            return fn(collection)
        except Exception as exc:
            if self._url:  # a server may have gone away: reconnect next time
                with self._lock:
                    self._collection = None
            if _is_connection_error(exc) or self._url:
                raise StoreUnavailable(f"{what}: {type(exc).__name__}: {exc}") from exc
            raise

    def ping(self) -> int:
        return self._call("count", lambda c: c.count())

    def ids(self) -> set[str]:
        return set(self._call("get ids", lambda c: c.get(include=[])["ids"]))

    def delete_ids(self, ids: Sequence[str]) -> None:
        for chunk in _chunks(list(ids), 5000):
            self._call("delete", lambda c: c.delete(ids=chunk))

    def delete_articles(self, article_ids: Sequence[str]) -> None:
        for chunk in _chunks(list(article_ids), 500):
            self._call("delete", lambda c: c.delete(where={"article_id": {"$in": chunk}}))

    def add(self, passages: Sequence[Passage], embeddings: np.ndarray) -> None:
        batch = 5000  # below Chroma's max batch size
        for i in range(0, len(passages), batch):
            part = passages[i:i + batch]
            self._call("add", lambda c: c.upsert(
                ids=[p.id for p in part],
                embeddings=embeddings[i:i + batch],
                documents=[p.text for p in part],
                metadatas=[_vector_metadata(p) for p in part],
            ))

    def embeddings(self, ids: Sequence[str]) -> np.ndarray:
        """The stored vectors of these passages, in this order."""
        parts = []
        for chunk in _chunks(list(ids), 2000):
            got = self._call("get embeddings", lambda c: c.get(ids=chunk, include=["embeddings"]))
            by_id = dict(zip(got["ids"], got["embeddings"]))
            missing = [pid for pid in chunk if pid not in by_id]
            if missing:
                raise StoreUnavailable(f"Chroma lacks {len(missing)} vectors, e.g. {missing[0]}; run an ingest")
            parts.append(np.asarray([by_id[pid] for pid in chunk], dtype=np.float32))
        return np.concatenate(parts) if parts else np.zeros((0, 0), dtype=np.float32)

    def query(self, embedding: np.ndarray, n: int) -> list[tuple[str, float]]:
        """(passage id, cosine similarity) best first, over the whole collection (filters: DenseCache)."""
        result = self._call("query", lambda c: c.query(
            query_embeddings=[embedding], n_results=n, include=["distances"]
        ))
        return [(pid, 1.0 - dist) for pid, dist in zip(result["ids"][0], result["distances"][0])]


def _vector_metadata(p: Passage) -> dict:
    meta: dict = {"article_id": p.article_id, "date_int": p.date_int}
    meta.update({place_key(name): True for name in p.places})
    meta.update({sector_key(name): True for name in p.sectors})
    return meta


def _is_connection_error(exc: Exception) -> bool:
    text = f"{type(exc).__name__} {exc}".lower()
    return any(word in text for word in ("connect", "refused", "unreachable", "timeout", "timed out"))


# --------------------------------------------------------------------------------------------- BM25
class LexicalIndex:
    """A bm25s index of every passage, persisted under data/bm25 and rebuilt when it is stale.

    Why bm25s directly rather than llama-index's BM25Retriever: the retriever fixes its metadata
    filter at construction (a Python loop over the corpus per filter) and keeps a full JSON copy of
    every node in memory; here a filter is a numpy mask built per query, and texts stay in SQLite.
    """

    def __init__(self, directory: Path) -> None:
        self._dir = directory
        self._bm25 = None
        self.ids: list[str] = []
        self.dates = np.zeros(0, dtype=np.int64)
        self._row: dict[str, int] = {}
        self._name_rows: dict[str, np.ndarray] = {}
        self.generation = -1

    def load_or_build(self, docstore: Docstore) -> None:
        generation = docstore.generation()
        if self.generation == generation:
            return
        if not self._load(generation, built_before=docstore.get_meta("bm25_built") is not None):
            self.build(docstore)
        self._index_names(docstore)

    def _index_names(self, docstore: Docstore) -> None:
        # Rows per place and sector, in memory: a place filter becomes one numpy assignment instead
        # of a SQL query returning thousands of ids (27 ms a question at 170k passages).
        rows: dict[str, list[int]] = {}
        for pid, name in docstore.passage_names():
            if (row := self._row.get(pid)) is not None:
                rows.setdefault(name, []).append(row)
        self._name_rows = {name: np.asarray(r, dtype=np.int64) for name, r in rows.items()}

    def _load(self, generation: int, *, built_before: bool) -> bool:
        stamp = self._dir / "frontline.json"
        if not stamp.exists():
            if built_before:
                _log.warning("BM25 index at %s is missing; rebuilding it from the docstore", self._dir)
            return False
        try:
            bm25s = _bm25s()
            meta = json.loads(stamp.read_text())
            if meta.get("generation") != generation:
                return False
            ids, dates = meta["ids"], meta["dates"]
            if len(ids) != len(dates):
                raise ValueError("ids and dates differ in length")
            bm25 = bm25s.BM25.load(str(self._dir), mmap=False) if ids else None
        except Exception as exc:  # a torn or corrupt file: say so and rebuild from the docstore
            _log.warning("BM25 index at %s is unreadable (%s); rebuilding it", self._dir, exc)
            return False
        self._set(bm25, ids, dates, generation)
        return True

    def build(self, docstore: Docstore) -> None:
        bm25s = _bm25s()

        generation = docstore.generation()
        ids, texts, dates = docstore.index_rows()
        bm25 = None
        if ids:
            bm25 = bm25s.BM25()
            bm25.index(_tokenize(texts), show_progress=False)
        tmp = self._dir.with_name(self._dir.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        if bm25 is not None:
            bm25.save(str(tmp))
        (tmp / "frontline.json").write_text(json.dumps({"generation": generation, "ids": ids, "dates": dates}))
        # swap the whole folder so a crash leaves either the old index or the new one, never half
        old = self._dir.with_name(self._dir.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if self._dir.exists():
            self._dir.rename(old)
        tmp.rename(self._dir)
        shutil.rmtree(old, ignore_errors=True)
        docstore.set_meta("bm25_built", str(generation))  # from now on a missing index is worth a warning
        self._set(bm25, ids, dates, generation)

    def _set(self, bm25, ids: list[str], dates: list[int], generation: int) -> None:
        self._bm25, self.ids, self.generation = bm25, ids, generation
        self.dates = np.asarray(dates, dtype=np.int64)
        self._row = {pid: i for i, pid in enumerate(ids)}

    def row_of(self, passage_id: str) -> int | None:
        """The passage's row in this index (and in DenseCache.matrix), None if it has none."""
        return self._row.get(passage_id)

    def document_frequency(self, stems: Iterable[str]) -> dict[str, int]:
        """How many passages contain each stem (stemmed as this index stems); 0 for a stem it never saw.

        Read from the index's token columns, so an IDF costs a dictionary look-up, not a corpus scan.
        """
        if self._bm25 is None:
            return {s: 0 for s in stems}
        vocab, indptr = self._bm25.vocab_dict, self._bm25.scores["indptr"]
        out = {}
        for stem in stems:
            t = vocab.get(stem)
            out[stem] = 0 if t is None else int(indptr[t + 1] - indptr[t])
        return out

    def allows(self, passage_id: str, mask: np.ndarray) -> bool:
        row = self._row.get(passage_id)
        return row is not None and bool(mask[row])

    def mask_for_names(self, names: Iterable[str]) -> np.ndarray:
        """Rows tagged with any of these places (or 'sector:<name>')."""
        mask = np.zeros(len(self.ids), dtype=np.float32)
        for name in names:
            if (rows := self._name_rows.get(name)) is not None:
                mask[rows] = 1.0
        return mask

    def date_mask(self, since: int, until: int) -> np.ndarray:
        """Rows dated within [since, until]; undated passages never match a date question."""
        return ((self.dates >= max(since, 1)) & (self.dates <= until)).astype(np.float32)

    def search(self, query: str, n: int, mask: np.ndarray | None = None) -> list[tuple[str, float]]:
        if self._bm25 is None or not self.ids:
            return []
        token_ids = self._bm25.get_tokens_ids(_tokenize([query], as_strings=True)[0])
        if not token_ids:
            return []
        # Scores for every passage, then the top n among those that match at all: cheaper than
        # bm25s.retrieve's partition over the whole corpus (and no thread pool per query).
        scores = self._bm25.get_scores_from_ids(token_ids, weight_mask=mask)
        matching = np.flatnonzero(scores > 0)
        if matching.size > n:
            matching = matching[np.argpartition(-scores[matching], n)[:n]]
        matching = matching[np.argsort(-scores[matching])]
        return [(self.ids[i], float(scores[i])) for i in matching]


class DenseCache:
    """Every passage vector in one in-memory matrix, rows in the LexicalIndex's order.

    Why: Chroma answers an unfiltered query in about a millisecond, but a query with a `where`
    filter (a date range, a place) took 70–290 ms on a 40k-passage store and grows with it
    (BENCHMARKS.md). Filtered questions are common here, so they are answered by a dot product over
    the allowed rows of this matrix instead; it is fetched from Chroma once per store generation and
    kept beside the BM25 index. Chroma stays the store of record and serves unfiltered queries.
    """

    def __init__(self, directory: Path) -> None:
        self._dir = directory
        self.matrix = np.zeros((0, 0), dtype=np.float32)
        self.generation = -1

    def load_or_build(self, lexical: LexicalIndex, vectors: VectorIndex) -> None:
        if self.generation == lexical.generation:
            return
        if not self._load(lexical):
            self._build(lexical, vectors)

    def _load(self, lexical: LexicalIndex) -> bool:
        try:
            meta = json.loads((self._dir / "frontline.json").read_text())
            if meta.get("generation") != lexical.generation:
                return False
            matrix = np.load(self._dir / "vectors.npy")
            if matrix.shape[0] != len(lexical.ids):
                raise ValueError(f"{matrix.shape[0]} rows for {len(lexical.ids)} passages")
        except FileNotFoundError:
            return False
        except Exception as exc:
            _log.warning("vector cache at %s is unreadable (%s); rebuilding it", self._dir, exc)
            return False
        self.matrix, self.generation = matrix, lexical.generation
        return True

    def _build(self, lexical: LexicalIndex, vectors: VectorIndex) -> None:
        matrix = vectors.embeddings(lexical.ids)
        self._dir.mkdir(parents=True, exist_ok=True)
        tmp = self._dir / "vectors.tmp.npy"
        np.save(tmp, matrix)
        tmp.replace(self._dir / "vectors.npy")
        (self._dir / "frontline.json").write_text(json.dumps({"generation": lexical.generation}))
        self.matrix, self.generation = matrix, lexical.generation

    def search(self, embedding: np.ndarray, n: int, mask: np.ndarray, ids: list[str]) -> list[tuple[str, float]]:
        rows = np.flatnonzero(mask)
        if rows.size == 0 or self.matrix.shape[0] != len(ids):
            return []
        if rows.size * 4 < len(ids):  # a narrow filter: copy out just those rows
            scores = self.matrix[rows] @ embedding
        else:  # a wide one: one pass over the whole matrix is cheaper than copying most of it
            scores = (self.matrix @ embedding)[rows]
        top = np.argsort(-scores)[:n] if rows.size <= n else np.argpartition(-scores, n)[:n]
        top = top[np.argsort(-scores[top])]
        return [(ids[rows[i]], float(scores[i])) for i in top]


_STEMMER = None


@functools.cache
def _bm25s():
    import bm25s

    logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs every index build at DEBUG
    return bm25s


def _tokenize(texts: list[str], *, as_strings: bool = False):
    import Stemmer

    bm25s = _bm25s()

    global _STEMMER
    if _STEMMER is None:
        _STEMMER = Stemmer.Stemmer("english")
    return bm25s.tokenize(texts, stopwords="en", stemmer=_STEMMER, show_progress=False, return_ids=not as_strings)
