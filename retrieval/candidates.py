"""Candidate generation: the ranked lists a question gets, fused into one score per passage.

Lists: dense (cosine to the question) and lexical (BM25), each over the whole corpus or the rows the
question's dates allow; and when the question names places, the same two searches again over only
the passages tagged with those places or their sectors ("steering"); and when it names people, outlets,
countries or weapons, the same two over the passages that contain all of those names. They are fused by reciprocal
rank, which needs no calibration between cosine and BM25 scores.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from retrieval.intent import QueryIntent
from retrieval.row_index import RowIndex
from retrieval.vector_index import VectorIndex

RRF_K = 60           # the constant from Cormack et al. (and llama-index's QueryFusionRetriever)
CANDIDATES = 30      # passages taken from each list
WIDE_FILTER = 0.25   # share of the corpus a filter keeps, above which the ANN index is over-fetched
OVERFETCH = 8
EXACT_ROWS = 20_000  # above this many kept rows the over-fetched ANN list is tried first even for a narrow
                     # filter: an exact search reads 1.5 kB a row (30 MB here; a place's 100k rows at 1M
                     # passages would cost 50 ms)


@dataclass(frozen=True)
class Candidates:
    fused: dict[str, float]        # passage id -> reciprocal-rank score, from every list
    similarity: dict[str, float]   # passage id -> cosine similarity, where a dense list saw it


def generate_candidates(intent: QueryIntent, embedding: np.ndarray, rows: RowIndex,
                        vectors: VectorIndex) -> Candidates:
    date_mask = None if intent.dates.is_open else rows.date_mask(intent.dates)
    dense = _ann(embedding, rows, vectors, CANDIDATES) if date_mask is None else _dense(embedding, rows, vectors, date_mask)
    ranked = [dense, rows.lexical(intent.lexical_text, CANDIDATES, date_mask)]
    similarity = dict(dense)
    reported = intent.dates.as_reported()
    if reported != intent.dates:
        # "in August", "by March 7": the days after it too, for the reports on it, in lists of their own,
        # so that a passage published within the range (in every list) ranks above one published after
        lag_mask = rows.date_mask(reported)
        late = _dense(embedding, rows, vectors, lag_mask)
        ranked += [late, rows.lexical(intent.lexical_text, CANDIDATES, lag_mask)]
        similarity.update(late)
    if intent.places:
        place_mask = rows.names_mask(intent.place_keys)
        if date_mask is not None:
            place_mask *= date_mask
        steered = _dense(embedding, rows, vectors, place_mask)
        ranked += [steered, rows.lexical(intent.lexical_text, CANDIDATES, place_mask)]
        similarity.update(steered)
    if intent.names and (name_mask := rows.containing_all(intent.names)) is not None:
        # the passages that have every name the question is about: the one article naming the Canadian MP
        # ranks 37th among a hundred about the plant he spoke of
        if date_mask is not None:
            name_mask *= date_mask
        named = _dense(embedding, rows, vectors, name_mask)
        ranked += [named, rows.lexical(intent.lexical_text, CANDIDATES, name_mask)]
        similarity.update(named)
    return Candidates(reciprocal_rank_fusion(ranked), similarity)


def reciprocal_rank_fusion(ranked_lists: list[list[tuple[str, float]]]) -> dict[str, float]:
    fused: dict[str, float] = {}
    for ranked in ranked_lists:
        for rank, (pid, _score) in enumerate(ranked):
            fused[pid] = fused.get(pid, 0.0) + 1.0 / (RRF_K + rank + 1)
    return fused


def _ann(embedding: np.ndarray, rows: RowIndex, vectors: VectorIndex, n: int) -> list[tuple[str, float]]:
    """Chroma's approximate search over everything, kept to the rows of this snapshot."""
    return [(pid, sim) for pid, sim in vectors.query(embedding, n) if pid in rows.row_of]


def _dense(embedding: np.ndarray, rows: RowIndex, vectors: VectorIndex, mask: np.ndarray) -> list[tuple[str, float]]:
    """The best passages among the rows the mask allows.

    A wide filter (a year, "since 2022") keeps most of the corpus: Chroma's unfiltered approximate
    search, over-fetched and then filtered, finds enough of them in a few ms. So does a filter that keeps
    a small share of a large corpus but still many rows (a big city among a million passages). A narrow
    one (a place, a month) is answered exactly from the snapshot's matrix, as is any filter for which
    the over-fetched list holds too few.
    """
    kept = int(np.count_nonzero(mask))
    if kept and (kept >= WIDE_FILTER * mask.size or kept > EXACT_ROWS):
        allowed = [(pid, sim) for pid, sim in vectors.query(embedding, CANDIDATES * OVERFETCH)
                   if rows.allows(pid, mask)]
        if len(allowed) >= CANDIDATES:
            return allowed[:CANDIDATES]
    return rows.dense(embedding, CANDIDATES, mask)
