"""Hybrid retrieval: dense (Chroma) and lexical (BM25) results fused by reciprocal rank.

Places named in the question, in any alias, steer the search: passages tagged with the place (or its
sector) are searched on their own as extra ranked lists, and ranked up. Dates in the question filter
("in July 2024", "since June 2022", "before 2023") or order ("latest").
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from retrieval.embedder import Embedder
from retrieval.models import Passage
from retrieval.places import Gazetteer, Place, Sector
from retrieval.store import DenseCache, Docstore, LexicalIndex, VectorIndex

RRF_K = 60  # the constant from Cormack et al. (and llama-index's QueryFusionRetriever)
CANDIDATES = 30
WIDE_FILTER = 0.25   # share of the corpus a filter keeps, above which the ANN index is over-fetched
OVERFETCH = 8

_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
_MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_abbr) if m})
_MONTH = "(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_YEAR = r"((?:19|20)\d\d)"
_RANGE_WORD = r"(in|during|on|since|after|from|before|until|till|by|as of)?"
_DATE_PHRASE = re.compile(rf"\b{_RANGE_WORD}\s*(?:(\d{{1,2}})\s+)?{_MONTH}\s+(?:(\d{{1,2}}),?\s+)?{_YEAR}\b", re.I)
_YEAR_PHRASE = re.compile(rf"\b{_RANGE_WORD}\s*{_YEAR}\b", re.I)
_ISO = re.compile(rf"\b{_RANGE_WORD}\s*(\d{{4}})-(\d{{2}})-(\d{{2}})\b", re.I)
_LATEST = re.compile(r"\b(latest|newest|most recent|recently|lately|now|currently|current|today|this week)\b", re.I)
_AFTER = {"since", "after", "from"}
_BEFORE = {"before", "until", "till", "by", "as of"}


@dataclass
class QueryIntent:
    text: str
    places: list[Place] = field(default_factory=list)
    sectors: list[Sector] = field(default_factory=list)
    since: int = 0                # YYYYMMDD, inclusive
    until: int = 99999999
    latest: bool = False

    @property
    def has_dates(self) -> bool:
        return self.since > 0 or self.until < 99999999


@dataclass
class Hit:
    passage: Passage
    score: float                 # fused rank score
    similarity: float            # cosine similarity of the question to the passage (0 if not from dense)


def parse_intent(question: str, gazetteer: Gazetteer) -> QueryIntent:
    intent = QueryIntent(text=question)
    mentions = gazetteer.find(question)
    for mention in mentions:
        found = mention.place
        if found not in intent.places:
            intent.places.append(found)
            sector = gazetteer.sector_of(found)
            if sector is not None and sector not in intent.sectors:
                intent.sectors.append(sector)
    # Neither the embedder nor BM25 knows that Dzerzhynsk is Toretsk: add the canonical name.
    for mention in reversed(mentions):
        if mention.surface.lower() != mention.place.name.lower():
            intent.text = f"{intent.text[:mention.end]} ({mention.place.name}){intent.text[mention.end:]}"
    _parse_dates(question, intent)
    intent.latest = bool(_LATEST.search(question))
    return intent


def _parse_dates(question: str, intent: QueryIntent) -> None:
    consumed: list[tuple[int, int]] = []
    for m in _ISO.finditer(question):
        y, mo, d = int(m.group(2)), int(m.group(3)), int(m.group(4))
        if 1 <= mo <= 12 and 1 <= d <= 31:
            _apply(intent, m.group(1), y * 10000 + mo * 100 + d, y * 10000 + mo * 100 + d)
            consumed.append(m.span())
    for m in _DATE_PHRASE.finditer(question):
        word, day1, month, day2, year = m.groups()
        mo, y = _MONTHS[month.lower()], int(year)
        day = int(day1 or day2 or 0)
        last = calendar.monthrange(y, mo)[1]
        lo = y * 10000 + mo * 100 + (day if 1 <= day <= last else 1)
        hi = y * 10000 + mo * 100 + (day if 1 <= day <= last else last)
        _apply(intent, word, lo, hi)
        consumed.append(m.span())
    for m in _YEAR_PHRASE.finditer(question):
        if any(a <= m.start(2) < b for a, b in consumed):
            continue
        y = int(m.group(2))
        _apply(intent, m.group(1), y * 10000 + 101, y * 10000 + 1231)


def _apply(intent: QueryIntent, word: str | None, lo: int, hi: int) -> None:
    word = (word or "in").lower()
    if word in _AFTER:
        intent.since = max(intent.since, lo)
    elif word in _BEFORE:
        intent.until = min(intent.until, _day_before(lo) if word == "before" else hi)
    else:
        intent.since, intent.until = max(intent.since, lo), min(intent.until, hi)


def _day_before(yyyymmdd: int) -> int:
    day = date(yyyymmdd // 10000, yyyymmdd // 100 % 100, yyyymmdd % 100) - timedelta(days=1)
    return day.year * 10000 + day.month * 100 + day.day


class HybridSearcher:
    def __init__(self, *, docstore: Docstore, vectors: VectorIndex, lexical: LexicalIndex, dense: DenseCache,
                 embedder: Embedder, max_per_article: int = 2) -> None:
        self.docstore, self.vectors, self.lexical, self.dense = docstore, vectors, lexical, dense
        self.embedder = embedder
        self.max_per_article = max_per_article

    def refresh(self) -> None:
        """Catch up with the docstore (cheap when nothing changed; picks up a /reindex)."""
        self.lexical.load_or_build(self.docstore)
        self.dense.load_or_build(self.lexical, self.vectors)

    def search(self, intent: QueryIntent, k: int, embedding: np.ndarray | None = None) -> list[Hit]:
        """The k best passages; `embedding` is the question's vector when the caller already has it."""
        self.refresh()
        if embedding is None:
            embedding = self.embedder.embed_query(intent.text)
        date_mask = self.lexical.date_mask(intent.since, intent.until) if intent.has_dates else None
        # Unfiltered: Chroma. Filtered: the in-memory matrix (see DenseCache for why).
        if date_mask is None:
            dense = self.vectors.query(embedding, CANDIDATES)
        else:
            dense = self._dense_filtered(embedding, date_mask)
        lexical = self.lexical.search(intent.text, CANDIDATES, date_mask)
        ranked = [dense, lexical]
        similarity = dict(dense)
        if intent.places:
            names = [p.name for p in intent.places] + [f"sector:{s.name}" for s in intent.sectors]
            place_mask = self.lexical.mask_for_names(names)
            if date_mask is not None:
                place_mask *= date_mask
            steered = self._dense_filtered(embedding, place_mask)
            ranked += [steered, self.lexical.search(intent.text, CANDIDATES, place_mask)]
            similarity.update(steered)
        scores = _rrf(ranked)
        passages = self.docstore.passages(list(scores))
        place_names = {p.name for p in intent.places}
        hits = []
        for pid, score in scores.items():
            passage = passages.get(pid)
            if passage is None:
                continue
            if place_names & set(passage.places):
                score *= 1.5  # the question names this place: prefer passages that do too
            hits.append(Hit(passage, score, similarity.get(pid, 0.0)))
        hits.sort(key=lambda h: h.score, reverse=True)
        if intent.latest:
            # keep relevance for the pool, then show the newest first
            hits = sorted(hits[: k * 3], key=lambda h: h.passage.date_int, reverse=True)
        return _cap_per_article(hits, self.max_per_article)[:k]

    def _dense_filtered(self, embedding, mask) -> list[tuple[str, float]]:
        """The best passages among the rows the mask allows.

        A wide filter (a year, "since 2022") keeps most of the corpus: Chroma's unfiltered
        approximate search, over-fetched and then filtered, finds enough of them in a few ms. A
        narrow one (a place, a month) is answered exactly from the in-memory matrix.
        """
        if mask.size and mask.mean() >= WIDE_FILTER:
            allowed = [(pid, sim) for pid, sim in self.vectors.query(embedding, CANDIDATES * OVERFETCH)
                       if self.lexical.allows(pid, mask)]
            if len(allowed) >= CANDIDATES:
                return allowed[:CANDIDATES]
        return self.dense.search(embedding, CANDIDATES, mask, self.lexical.ids)


def _rrf(ranked_lists: list[list[tuple[str, float]]]) -> dict[str, float]:
    fused: dict[str, float] = {}
    for ranked in ranked_lists:
        for rank, (pid, _score) in enumerate(ranked):
            fused[pid] = fused.get(pid, 0.0) + 1.0 / (RRF_K + rank + 1)
    return fused


def _cap_per_article(hits: list[Hit], cap: int) -> list[Hit]:
    counts: dict[str, int] = {}
    out = []
    for hit in hits:
        n = counts.get(hit.passage.article_id, 0)
        if n < cap:
            out.append(hit)
            counts[hit.passage.article_id] = n + 1
    return out
