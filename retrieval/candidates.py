"""Candidate generation: the ranked lists a question gets, fused into one score per passage.

Lists: dense (cosine to the question) and lexical (BM25), each over the whole corpus or the rows the
question's dates allow; for "in August", the same two over August and the week after it; for "as of
July 7", over the reports of that day and the two after it; for one day named, over the reports that
name it ("February 17"); when the question names places, the same two over only the passages tagged
with those places or their sectors ("steering"); and when it names people, outlets, countries or
weapons, the same two over the passages that contain all of those names. They are fused by reciprocal
rank, which needs no calibration between cosine and BM25 scores.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from retrieval.docstore import OUTLET_KEY
from retrieval.intent import QueryIntent
from retrieval.row_index import RowIndex
from retrieval.vector_index import VectorIndex

RRF_K = 60           # the constant from Cormack et al. (and llama-index's QueryFusionRetriever)
CANDIDATES = 30      # passages taken from each list
WIDE_FILTER = 0.25   # share of the corpus a filter keeps, above which the ANN index is over-fetched
OVERFETCH = 8
NAMED_EXACT_ROWS = 2_000   # the most passages a name's own dense list reads exactly (~4 ms from disk)
DAY_NAMED_WITHIN_DAYS = 31   # a report naming a day asked about may come this long after it
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
    filters = [_filter(date_mask)]  # each gets a dense and a BM25 list
    reported = intent.dates.as_reported()
    steer_mask = date_mask
    if reported != intent.dates:
        # "in August": the days after it too, for the reports on it, in lists of their own, so that a
        # passage published within the range (in every list) ranks above one published after it
        reported_mask = rows.date_mask(reported)
        filters.append(_filter(reported_mask))
        if intent.dates.since == intent.dates.until:
            # one day: the place and name lists below take the next days' reports too ("on 15 November"
            # in Poland is in the next day's "during yesterday's bombardment … two people died"); a
            # month's news is mostly reported within it, and the week after would crowd it out
            steer_mask = reported_mask
    at_day = intent.dates.reports_at_day()
    if at_day is not None:
        # "as of July 7": the reports of that day and the next, in lists of their own, so that the
        # count they give is in the pool that is then shown newest first
        filters.append(_filter(rows.date_mask(at_day)))
    if intent.day_words and (day_mask := rows.containing_all(intent.day_words)) is not None:
        # "on February 17": the daily reports that name the day ("over the past day, February 17, …"),
        # published then or in the days after, among dozens that day that share the question's words;
        # for a day (not a state as of it), any report of the month after that names it ("On July 19, a
        # Swedish national … was killed near Kharkiv", published on August 1)
        named_from = at_day or (intent.dates.named_day_reports(DAY_NAMED_WITHIN_DAYS) or reported)
        day_named = day_mask & rows.date_mask(named_from)
        filters.append(_filter(day_named))
        if steer_mask is not None and at_day is None:
            steer_mask = steer_mask | day_named  # and the place and name lists take them too
    if intent.places:  # steering: the passages tagged with the places named or their sectors
        place_mask = rows.names_mask(intent.place_keys)
        filters.append(_filter(place_mask if steer_mask is None else place_mask & steer_mask))
    if intent.outlets:  # "an Al Jazeera piece": the passages of that outlet
        outlet_mask = rows.names_mask(OUTLET_KEY + source for source in intent.outlets)
        filters.append(_filter(outlet_mask if steer_mask is None else outlet_mask & steer_mask))
    named = None
    if intent.names and (name_mask := rows.containing_all(intent.names)) is not None:
        # the passages that have every name the question is about: the one article naming the Canadian MP
        # ranks 37th among a hundred about the plant he spoke of
        named = _filter(name_mask if steer_mask is None else name_mask & steer_mask)
        filters.append(named)
    lexical = rows.lexical_in(intent.lexical_text, CANDIDATES, [kept for _, kept in filters])
    # a name in many passages ("Zelensky") is well served by the lists above: no exact pass over them all
    dense = _dense(embedding, rows, vectors,
                   filters if named is None or named[1].size <= NAMED_EXACT_ROWS else filters[:-1])
    similarity: dict[str, float] = {}
    for found in dense:
        similarity.update(found)
    return Candidates(reciprocal_rank_fusion(dense + lexical), similarity)


def _filter(mask: np.ndarray | None) -> tuple[np.ndarray | None, np.ndarray | None]:
    """A mask with its row numbers (None, None: the whole corpus)."""
    return mask, None if mask is None else np.flatnonzero(mask)


def reciprocal_rank_fusion(ranked_lists: list[list[tuple[str, float]]]) -> dict[str, float]:
    fused: dict[str, float] = {}
    for ranked in ranked_lists:
        for rank, (pid, _score) in enumerate(ranked):
            fused[pid] = fused.get(pid, 0.0) + 1.0 / (RRF_K + rank + 1)
    return fused


def _dense(embedding: np.ndarray, rows: RowIndex, vectors: VectorIndex,
           filters: list[tuple[np.ndarray | None, np.ndarray | None]]) -> list[list[tuple[str, float]]]:
    """The best passages among the rows each filter (mask, its row numbers) allows (None: all of them).

    No filter, or a wide one (a year, "since 2022"), goes to Chroma's approximate search over
    everything, over-fetched and then filtered: it finds enough of them in a few ms. So does a filter
    that keeps a small share of a large corpus but still many rows (a big city among a million
    passages). A narrow one (a place, a month), or one for which the over-fetched list holds too few, is
    answered exactly from the snapshot's matrix, all such filters in one pass over their rows.
    """
    found: list[list[tuple[str, float]] | None] = [None] * len(filters)
    nearest = None
    exact = []
    for i, (mask, kept) in enumerate(filters):
        if mask is None:
            found[i] = [(pid, sim) for pid, sim in vectors.query(embedding, CANDIDATES) if pid in rows.row_of]
            continue
        if kept.size and (kept.size >= WIDE_FILTER * mask.size or kept.size > EXACT_ROWS):
            if nearest is None:
                nearest = vectors.query(embedding, CANDIDATES * OVERFETCH)
            allowed = [(pid, sim) for pid, sim in nearest if rows.allows(pid, mask)]
            if len(allowed) >= CANDIDATES:
                found[i] = allowed[:CANDIDATES]
                continue
        exact.append(i)
    if exact:
        for i, result in zip(exact, rows.dense_in(embedding, CANDIDATES, [filters[i][1] for i in exact])):
            found[i] = result
    return found
