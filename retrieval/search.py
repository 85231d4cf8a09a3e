"""The hybrid searcher: candidate generation (candidates.py), then post-processing (postprocess.py).

A search reads one row-index snapshot from start to end, so everything it fuses belongs together even
while an ingest replaces the index.
"""
from __future__ import annotations

import numpy as np

from retrieval.candidates import generate_candidates
from retrieval.docstore import Docstore
from retrieval.embedder import Embedder
from retrieval.intent import QueryIntent, parse_intent
from retrieval.models import Hit
from retrieval.postprocess import best_first, boost_named_places, cap_per_article, newest_first_if_latest
from retrieval.row_index import RowIndexKeeper
from retrieval.vector_index import VectorIndex

__all__ = ["Hit", "HybridSearcher", "QueryIntent", "parse_intent"]


class HybridSearcher:
    def __init__(self, *, docstore: Docstore, vectors: VectorIndex, rows: RowIndexKeeper, embedder: Embedder,
                 max_per_article: int = 2) -> None:
        self._docstore, self._vectors, self._rows, self._embedder = docstore, vectors, rows, embedder
        self._max_per_article = max_per_article

    def search(self, intent: QueryIntent, k: int, embedding: np.ndarray | None = None) -> list[Hit]:
        """The k best passages; `embedding` is the question's vector when the caller already has it."""
        snapshot = self._rows.current()
        if embedding is None:
            embedding = self._embedder.embed_query(intent.text)
        candidates = generate_candidates(intent, embedding, snapshot, self._vectors)
        passages = self._docstore.passages(list(candidates.fused))
        hits = best_first([Hit(passages[pid], score, candidates.similarity.get(pid, 0.0))
                           for pid, score in candidates.fused.items() if pid in passages])
        hits = boost_named_places(hits, intent)
        hits = newest_first_if_latest(hits, intent, k)
        return cap_per_article(hits, self._max_per_article)[:k]
