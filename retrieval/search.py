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
from retrieval.models import Hit, article_of
from retrieval.postprocess import (Ranked, best_first, boost_named_places, cap_per_article, newest_first_if_latest,
                                  with_the_closest)
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
        named = snapshot.names_mask(p.name for p in intent.places) if intent.places else None
        ranked = best_first([
            Ranked(pid, article_of(pid), int(snapshot.dates[row]), named is not None and bool(named[row]), score,
                   candidates.similarity.get(pid, 0.0))
            for pid, score in candidates.fused.items() if (row := snapshot.row_of.get(pid)) is not None])
        ranked = boost_named_places(ranked, intent)
        ranked = newest_first_if_latest(ranked, intent, k)
        kept = with_the_closest(cap_per_article(ranked, self._max_per_article), k)
        # only the kept passages are read; one deleted since the snapshot was taken is left out
        passages = self._docstore.passages([r.passage_id for r in kept])
        return [Hit(passages[r.passage_id], r.score, r.similarity) for r in kept if r.passage_id in passages]
