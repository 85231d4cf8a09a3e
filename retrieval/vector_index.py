"""The vector index: a Chroma collection with one vector per passage (on disk, or an HTTP server).

Chroma is the store of record for vectors; the row index (row_index.py) keeps an in-memory copy for
filtered questions. We pass our own embeddings always: Chroma's default embedding function would
download a model.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from urllib.parse import urlparse

import numpy as np

from retrieval.errors import StoreUnavailable
from retrieval.models import Passage

_log = logging.getLogger(__name__)


class VectorIndex:
    """The Chroma collection: one vector per passage, with its article id and date as metadata.

    Why chromadb directly rather than llama-index's ChromaVectorStore: that wrapper stores a second
    JSON copy of every passage in its metadata and answers through node objects; our passages already
    live in the docstore, and ingest needs id-only listing (reconcile) and delete-by-article.
    Place filters are answered by the row index, so places are not copied into Chroma's metadata.
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
        """(passage id, cosine similarity) best first, over the whole collection (filtered searches use the row index)."""
        result = self._call("query", lambda c: c.query(
            query_embeddings=[embedding], n_results=n, include=["distances"]
        ))
        return [(pid, 1.0 - dist) for pid, dist in zip(result["ids"][0], result["distances"][0])]


def _vector_metadata(p: Passage) -> dict:
    return {"article_id": p.article_id, "date_int": p.date_int}


def _is_connection_error(exc: Exception) -> bool:
    text = f"{type(exc).__name__} {exc}".lower()
    return any(word in text for word in ("connect", "refused", "unreachable", "timeout", "timed out"))



def _chunks(items: list, size: int) -> Iterable[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]
