"""Frontline's one entry object: built once from the settings, it ingests, answers, briefs and counts.

The embedder, the Chroma client and the BM25 index are created here once and reused by every call.
Every public method is synchronous and may block (embedding, search): async callers run it in a thread.
"""
from __future__ import annotations

import calendar
import logging
import re
import threading
import time
import uuid
from datetime import date
from pathlib import Path

from config.settings import Settings
from retrieval import answer as ans
from retrieval.chunking import split_sentences
from retrieval.embedder import Embedder
from retrieval.errors import FrontlineError
from retrieval.ingest import IngestReport, ingest
from retrieval.models import Answer, Citation, Passage
from retrieval.places import Gazetteer, Place, Sector
from retrieval.search import HybridSearcher, parse_intent
from retrieval.store import DenseCache, Docstore, LexicalIndex, VectorIndex

_log = logging.getLogger(__name__)

BRIEFING_ITEMS = 8
TIMELINE_ITEMS = 15
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


class Frontline:
    def __init__(self, settings: Settings, *, embedder: Embedder | None = None,
                 gazetteer: Gazetteer | None = None) -> None:
        self.settings = settings
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.gazetteer = gazetteer or Gazetteer.load()
        self.embedder = embedder or Embedder(settings.embed_model, settings.embed_batch_size,
                                             backend=settings.embed_backend, cache_dir=settings.model_cache_dir)
        self.docstore = Docstore(settings.data_dir / "frontline.sqlite3")
        self.vectors = VectorIndex(path=settings.chroma_dir, url=settings.chroma_url, collection=settings.collection)
        self.lexical = LexicalIndex(settings.data_dir / "bm25")
        self.dense = DenseCache(settings.data_dir / "dense")
        self.searcher = HybridSearcher(docstore=self.docstore, vectors=self.vectors, lexical=self.lexical,
                                       dense=self.dense, embedder=self.embedder,
                                       max_per_article=settings.max_per_article)
        self._ingest_lock = threading.Lock()
        self._coverage: tuple[int, str] | None = None
        self._llm = None
        if settings.llm_enabled:
            from retrieval.generate import LLMAnswerer

            self._llm = LLMAnswerer(settings)

    def close(self) -> None:
        self.docstore.close()

    def warm_up(self) -> None:
        """Load the model and the BM25 index now, not on the first question."""
        self.embedder.warm_up()
        self.searcher.refresh()
        self.searcher.search(parse_intent("warm up", self.gazetteer), k=1)  # loads Chroma's index
        self.coverage()

    # ------------------------------------------------------------------ ingest
    def ingest(self, paths: list[Path] | None = None, *, prune: bool = False, progress: bool = False) -> IngestReport:
        with self._ingest_lock:  # one ingest at a time (/reindex twice, or CLI and bot)
            return ingest(
                paths or list(self.settings.corpus_dirs), docstore=self.docstore, vectors=self.vectors,
                lexical=self.lexical, embedder=self.embedder, gazetteer=self.gazetteer, prune=prune,
                progress=progress,
            )

    # ------------------------------------------------------------------ ask
    def ask(self, question: str) -> Answer:
        started = time.perf_counter()
        question = self.clean_question(question)
        intent = parse_intent(question, self.gazetteer)
        hits = self.searcher.search(intent, k=self.settings.top_k * 2)
        evidence = ans.weigh(intent, hits)
        answer_id = uuid.uuid4().hex[:12]
        if not hits or not ans.is_supported(evidence, self.settings.min_relevance):
            _log.info("abstained on %r (similarity %.2f, overlap %.2f, place found %s)", question,
                      evidence.best_similarity, evidence.overlap, evidence.place_found)
            return Answer(question, ans.NOT_COVERED, True, None, _ms(started), [], answer_id, self.coverage())
        text, citations = ans.compose(intent, hits, self.settings.top_k)
        if self._llm is not None:
            text, citations = self._llm.answer(question, hits[: self.settings.top_k], fallback=(text, citations))
        return Answer(question, text, False, ans.as_of(citations), _ms(started), citations, answer_id)

    def clean_question(self, question: str) -> str:
        question = " ".join(_CONTROL.sub(" ", question or "").split())
        if not question:
            raise FrontlineError("Please ask a question, e.g. “What happened in Toretsk in July 2024?”")
        return question[: self.settings.max_question_chars]

    # ------------------------------------------------------------------ sector and timeline
    def sector(self, name: str) -> Answer:
        started = time.perf_counter()
        found = self._resolve(name)
        if isinstance(found, Place):
            sector = self.gazetteer.sector_of(found)
            names = [found.name] + ([f"sector:{sector.name}"] if sector else [])
            heading = f"{found.name} — {sector.label}" if sector else found.name
            focus = {found.name}
        else:
            names, heading, focus = [f"sector:{found.name}"], found.label, set()
        items = _one_per_article(self.docstore.passages_naming(names), focus)
        items.sort(key=lambda p: p.date_int, reverse=True)  # newest first, undated last
        return self._briefing(f"Briefing: {heading}", items[:BRIEFING_ITEMS], focus, started,
                              empty=f"The articles I have say nothing about {heading}.")

    def timeline(self, place: str, since: str | None = None, until: str | None = None) -> Answer:
        started = time.perf_counter()
        found = self._resolve(place)
        lo, hi = parse_day(since, "since", end=False), parse_day(until, "until", end=True)
        if lo > hi:
            raise FrontlineError(f"“since” ({since}) is after “until” ({until}).")
        if isinstance(found, Place):
            names, heading, focus = [found.name, *self._districts(found)], found.name, {found.name}
        else:
            names, heading, focus = [f"sector:{found.name}"], found.label, set()
        dated = [p for p in self.docstore.passages_naming(names, since=max(lo, 1), until=hi) if p.date_int]
        items = sorted(_one_per_article(dated, focus), key=lambda p: p.date_int)[-TIMELINE_ITEMS:]
        return self._briefing(f"Timeline: {heading}", items, focus, started,
                              empty=f"No dated article mentions {heading} in that period.")

    def _districts(self, place: Place) -> list[str]:
        return [p.name for p in self.gazetteer.places if p.parent == place.name]

    def _resolve(self, name: str) -> Place | Sector:
        name = " ".join(_CONTROL.sub(" ", name or "").split())[:100]
        if not name:
            raise FrontlineError("Name a place or a sector, e.g. Toretsk.")
        found = self.gazetteer.resolve(name)
        if found is None:
            close = self.gazetteer.suggest(name)
            hint = f" Did you mean: {', '.join(close)}?" if close else ""
            raise FrontlineError(f"I don't know a place or sector called “{name}”.{hint}")
        return found

    def _briefing(self, heading: str, items: list[Passage], focus: set[str], started: float, *, empty: str) -> Answer:
        if not items:
            return Answer(heading, empty, True, None, _ms(started), [], uuid.uuid4().hex[:12], self.coverage())
        citations: list[Citation] = []
        lines = []
        for n, passage in enumerate(items, start=1):
            citations.append(ans.to_citation(n, passage, score=1.0))
            lines.append(f"{ans.display_date(passage)} — {_key_sentence(passage, focus)} [{n}]")
        return Answer(heading, "\n".join(lines), False, ans.as_of(citations), _ms(started), citations,
                      uuid.uuid4().hex[:12])

    # ------------------------------------------------------------------ stats
    def stats(self) -> dict:
        data = self.docstore.stats()
        data["sectors"] = sorted({
            s.name for name in data["places"]
            if isinstance(p := self.gazetteer.resolve(name), Place) and (s := self.gazetteer.sector_of(p))
        })
        return data

    def coverage(self) -> str:
        """What the corpus covers, for abstentions; cached per store generation (it scans every tag)."""
        generation = self.docstore.generation()
        if self._coverage is None or self._coverage[0] != generation:
            self._coverage = (generation, self._describe_coverage())
        return self._coverage[1]

    def _describe_coverage(self) -> str:
        s = self.docstore.stats()
        if not s["articles"]:
            return "No articles have been ingested yet."
        places = ", ".join(list(s["places"])[:6]) or "no known places"
        span = f" from {s['first_date']} to {s['last_date']}" if s["first_date"] else ""
        return f"I have {s['articles']} articles{span}, mostly about {places}."


def _one_per_article(passages: list[Passage], focus: set[str]) -> list[Passage]:
    """The passage that best represents each article: one naming the focus place, earliest in the text."""
    best: dict[str, Passage] = {}
    for p in sorted(passages, key=lambda p: (not (focus & set(p.places)), p.seq)):
        best.setdefault(p.article_id, p)
    return list(best.values())


def _key_sentence(passage: Passage, focus: set[str]) -> str:
    sentences = [passage.text[s.start:s.end] for s in split_sentences(passage.text)]
    for sentence in sentences:
        if any(name in sentence for name in focus):
            return sentence
    return sentences[0] if sentences else passage.text


def parse_day(value: str | None, label: str, *, end: bool) -> int:
    """'2024-07-04', '2024-07' or '2024' as YYYYMMDD; the range's first or last day."""
    if value is None or not str(value).strip():
        return 99999999 if end else 0
    text = str(value).strip()
    m = re.fullmatch(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?", text)
    try:
        if not m:
            raise ValueError
        y, mo, d = int(m.group(1)), m.group(2), m.group(3)
        if d is not None:
            return int(date(y, int(mo), int(d)).strftime("%Y%m%d"))
        if mo is not None:
            last = calendar.monthrange(y, int(mo))[1]
            return y * 10000 + int(mo) * 100 + (last if end else 1)
        return y * 10000 + (1231 if end else 101)
    except ValueError:
        raise FrontlineError(f"“{text[:40]}” is not a valid {label} date: use YYYY-MM-DD, e.g. 2024-07-01.") from None


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000
