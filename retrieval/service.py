"""Frontline: the library's one front door. Built once from a RetrievalConfig, it ingests (files, folders
and web URLs), answers, briefs, completes place names, reports its health, checks citations, and follows
news feeds (polls them, lists, adds and removes them, and says what is new about a place).

The embedder, the Chroma client and the row index are created here once and reused by every call; the
web parts (fetcher, feed state, near-duplicate index: retrieval/following.py) when first needed.
Every public method is synchronous and may block (embedding, search): async callers run it in a thread.
Callers use these methods only; the parts behind them (docstore, vector index, row index) may change.
"""
from __future__ import annotations

import logging
import re
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from retrieval import answer as ans
from retrieval import questions as qs
from retrieval.chunking import split_sentences
from retrieval.config import RetrievalConfig
from retrieval.daterange import OPEN_END, OPEN_START, DateRange
from retrieval.digest import DigestItem, digest_items
from retrieval.distance import distance_answer
from retrieval.docstore import Docstore, sector_key
from retrieval.embedder import Embedder
from retrieval.errors import ConfigError, FrontlineError
from retrieval.following import Follower, FollowReport, is_url
from retrieval.ingest import IngestReport, ingest
from retrieval.intent import QueryIntent, parse_intent
from retrieval.models import Answer, Citation, Hit, Passage
from retrieval.places import Gazetteer, Place, Sector
from retrieval.retry import network_reason
from retrieval.row_index import RowIndexKeeper
from retrieval.search import HybridSearcher
from retrieval.sources import iter_sources
from retrieval.vector_index import VectorIndex

if TYPE_CHECKING:
    from retrieval.web.fetch import FetchPolicy
    from retrieval.web.state import FeedStatus

_log = logging.getLogger(__name__)

BRIEFING_ITEMS = 8
TIMELINE_ITEMS = 15
MAP_RECENT_DAYS = 90     # the sector map sizes places by mentions in the last 90 days of articles
MAP_NEARBY_KM = 40.0     # a place without a sector is mapped with the places this close
CLOSE_WAIT = 30.0        # seconds close() waits for a running ingest or poll to finish its page
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True)
class Health:
    store_ok: bool
    passages: int        # vectors in the store (0 when it cannot be reached)
    detail: str = ""


class Frontline:
    def __init__(self, config: RetrievalConfig, *, embedder: Embedder | None = None,
                 gazetteer: Gazetteer | None = None, fetch_policy: FetchPolicy | None = None) -> None:
        """`fetch_policy`: how web pages are fetched (tests: no rate limit); by default polite, and private
        addresses refused unless `config.allow_private_urls`."""
        self.config = config
        config.data_dir.mkdir(parents=True, exist_ok=True)
        self._gazetteer = gazetteer or load_gazetteer(config.gazetteer_path, config.data_dir / "cache")
        self._embedder = embedder or Embedder(config.embed_model, config.embed_batch_size,
                                              backend=config.embed_backend, cache_dir=config.model_cache_dir)
        self._docstore = Docstore(config.docstore_path)
        self._vectors = VectorIndex(path=config.chroma_dir, url=config.chroma_url, collection=config.collection)
        self._rows = RowIndexKeeper(config.index_dir, self._docstore, self._vectors,
                                    resident_bytes=config.resident_vectors_mb << 20)
        self._searcher = HybridSearcher(docstore=self._docstore, vectors=self._vectors, rows=self._rows,
                                        embedder=self._embedder, max_per_article=config.max_per_article)
        self.composer = ans.Composer(  # public: `eval --ablate` tunes its weights
            embed=self._embedder.embed_passages, stored_vector=lambda pid: self._rows.current().vector(pid),
            document_frequency=lambda stems: self._rows.current().document_frequency(stems),
            passage_count=lambda: self._rows.current().size,
            article_body=self._docstore.article_body, article_passages=self._docstore.article_passages,
            gazetteer=self._gazetteer,
        )
        self._ingest_lock = threading.Lock()
        self._follower = Follower(config, fetch_policy=fetch_policy)
        self._coverage: tuple[int, str] | None = None
        self._llm = None
        if config.llm is not None:
            from retrieval.generate import LLMAnswerer

            self._llm = LLMAnswerer(config.llm)

    def close(self) -> None:
        """Stop a running poll after the page it is reading, let it store what it read, then close."""
        self._follower.stop()
        idle = self._ingest_lock.acquire(timeout=CLOSE_WAIT)
        if not idle:
            _log.warning("closing while an ingest is still running; it will be picked up at the next start")
        try:
            self._follower.close()
            self._docstore.close()
        finally:
            if idle:
                self._ingest_lock.release()

    def warm_up(self) -> None:
        """Load the model, the row index and Chroma's own index now, not on the first question."""
        self._embedder.warm_up()
        self._gazetteer.warm_up()
        self._rows.refresh()
        self._searcher.search(parse_intent("warm up", self._gazetteer), k=1)
        self.coverage()

    # ------------------------------------------------------------------ ingest
    def ingest(self, sources: Sequence[str | Path] | None = None, *, prune: bool = False,
               progress: bool = False) -> IngestReport:
        """Ingest files and folders, and web URLs (an RSS / Atom feed: every entry's page; or an article
        page); default: the configured corpus folders. A URL that cannot be used is a skip with its reason."""
        sources = list(sources or self.config.corpus_paths)
        urls = [s for s in sources if is_url(s)]
        paths = [Path(s) for s in sources if not is_url(s)]
        with self._ingest_lock:  # one ingest at a time (/reindex twice, or CLI and bot)
            if not urls:
                return self._ingest(paths, None, prune=prune, progress=progress)
            with self._follower.sources(urls) as web:
                return self._ingest(paths, chain(iter_sources(paths), web), prune=prune, progress=progress)

    def _ingest(self, paths: list[Path], items, *, prune: bool = False, progress: bool = False) -> IngestReport:
        return ingest(paths, items=items, docstore=self._docstore, vectors=self._vectors, rows=self._rows,
                      embedder=self._embedder, gazetteer=self._gazetteer, prune=prune, progress=progress)

    # ------------------------------------------------------------------ following feeds
    def follow_once(self, stop: threading.Event | None = None) -> FollowReport:
        """Poll every followed feed once and ingest the new articles (see retrieval/following.py). Never
        raises for a bad feed or page: each outcome is in the report. Setting `stop` ends the poll early."""
        with self._ingest_lock:
            return self._follower.poll(lambda items: self._ingest([], items), stop,
                                       stored=lambda: set(self._docstore.content_hashes()))

    def feeds(self) -> list[FeedStatus]:
        """The followed feeds: URL, title, last success, last error, articles given, who added it."""
        return self._follower.feeds()

    def add_feed(self, url: str) -> FeedStatus:
        """Follow a feed from the next poll on; FrontlineError (the reason) when it is not a usable feed."""
        return self._follower.add_feed(url)

    def remove_feed(self, url: str) -> FeedStatus:
        """Stop following a feed added at run time (its articles stay); not one from FRONTLINE_FEEDS."""
        return self._follower.remove_feed(url)

    def digest(self, place: str, article_ids: Sequence[str]) -> list[DigestItem]:
        """Of `article_ids`, those about a place or its sector (or about a sector), newest first: date,
        outlet, the sentence naming the place, the link, and the passage it is from."""
        return digest_items(self._docstore, self._gazetteer, self._resolve(place), article_ids,
                            also_in=self._follower.also_in)

    def place_name(self, name: str) -> str:
        """The one name of a place ("Dzerzhynsk" → "Toretsk") or sector (its label); FrontlineError if unknown."""
        found = self._resolve(name)
        return found.name if isinstance(found, Place) else found.label

    def citation(self, passage_id: str) -> Citation | None:
        """One stored passage as a citation (verbatim, dated, with every outlet that carried it), or None."""
        passage = self._docstore.passages([passage_id]).get(passage_id)
        if passage is None:
            return None
        return self._with_outlets([ans.to_citation(1, passage, score=1.0)])[0]

    def _with_outlets(self, citations: list[Citation]) -> list[Citation]:
        for c in citations:
            c.also_in = self._follower.also_in(c.article_id)
        return citations

    # ------------------------------------------------------------------ ask
    def ask(self, question: str) -> Answer:
        started = time.perf_counter()
        question = self.clean_question(question)
        with self._rows.pinned():  # the question is read, searched and answered from one snapshot
            intent = self._intent(question)
            query_vector = self._embedder.embed_query(intent.text)  # once: for the search and the sentences
            hits = self._searcher.search(intent, k=self.config.top_k * 2, embedding=query_vector)
            composed = self.composer.compose(intent, hits, query_vector, top_k=self.config.top_k,
                                             min_relevance=self.config.min_relevance)
        answer_id = uuid.uuid4().hex[:12]
        # "How far is A from B?": the gazetteer's straight-line distance, marked as Frontline's own
        # [addition], before what the articles say (an article may state it: "about 10 km from Horlivka").
        distance = distance_answer(question, self._gazetteer)
        if composed.abstained:
            _log.info("abstained on %r: %s", question, composed.why)
            if distance:
                return Answer(question, f"[{distance}]", False, None, _ms(started), [], answer_id)
            return Answer(question, ans.NOT_COVERED, True, None, _ms(started), [], answer_id, self.coverage())
        text, citations = composed.text, composed.citations
        if self._llm is not None:
            text, citations = self._llm.answer(question, hits[: self.config.top_k], fallback=(text, citations))
        if distance:
            text = f"[{distance}] {text}"
        citations = ans.with_leads(citations, self._docstore.article_body)
        self._with_outlets(citations)
        return Answer(question, text, False, ans.as_of(citations), _ms(started), citations, answer_id)

    def clean_question(self, question: str) -> str:
        question = " ".join(_CONTROL.sub(" ", question or "").split())
        if not question:
            raise FrontlineError("Please ask a question, e.g. “What happened in Toretsk in July 2024?”")
        return question[: self.config.max_question_chars]

    def search(self, question: str, k: int | None = None) -> list[Hit]:
        """The passages that best answer a question, best first (what `ask` quotes from)."""
        intent = self._intent(self.clean_question(question))
        return self._searcher.search(intent, k=k or self.config.top_k)

    def _intent(self, question: str) -> QueryIntent:
        rows = self._rows.current()
        question = qs.places_typed_in_lower_case(
            question, lambda text: [(m.start, m.end) for m in self._gazetteer.find(text)],
            lambda word: any(re.search(rf"\b{re.escape(word)}\b", text)
                             for text in self._texts_with_stem(rows, qs.stem(word), qs.NAME_SAMPLE)))
        # "on November 1": the last November 1 the store has news from, not one a year after its newest article
        intent = parse_intent(question, self._gazetteer, newest=rows.newest_day)
        intent.correct_typos({**qs.shorthand_spelled_out(intent.text),
                              **qs.typo_corrections(intent.text, rows.document_frequency, rows.size,
                                                    rare_below=self.composer.rare_below)})
        skip = intent.place_words | {w for p in intent.places for name in p.all_names for w in name.split()}
        intent.add_lower_case_names(qs.names_typed_in_lower_case(
            intent.text, skip, rows.document_frequency,
            lambda stem, n: self._texts_with_stem(rows, stem, n), most=ans.RARE_NAME_SHARE * rows.size))
        intent.outlets = qs.outlets_named(question, rows.outlet_labels)
        if intent.outlets:  # the outlet's own list stands for them (candidates.py), not the passages naming it
            said = {qs.stem(w) for source in intent.outlets for w in qs.outlet_words(question, source)}
            intent.names = [group for group in intent.names if not group <= said]
        return intent

    def _texts_with_stem(self, rows, stem: str, n: int) -> list[str]:
        """Up to n passages whose words have this stem: how the corpus writes the word."""
        return [p.text for p in self._docstore.passages(rows.ids_containing(stem, n)).values()]

    # ------------------------------------------------------------------ sector and timeline
    def sector(self, name: str) -> Answer:
        started = time.perf_counter()
        found = self._resolve(name)
        if isinstance(found, Place):
            link = self._gazetteer.sector_link(found)
            names = [found.name] + ([sector_key(link.sector.name)] if link else [])
            heading = f"{found.name} — {link.sector.label}" if link else found.name
            if link and link.derived:  # not a curated member: say how it was placed
                heading += f" (joined by distance, {link.km:.0f} km from {link.via})"
            focus = {found.name}
        else:
            names, heading, focus = [sector_key(found.name)], found.label, set()
        items = _one_per_article(self._docstore.passages_naming(names), focus)
        items.sort(key=lambda p: p.date_int, reverse=True)  # newest first, undated last
        return self._briefing(f"Briefing: {heading}", items[:BRIEFING_ITEMS], self._about(found), started,
                              empty=f"The articles I have say nothing about {heading}.")

    def timeline(self, place: str, dates: DateRange = DateRange()) -> Answer:
        started = time.perf_counter()
        found = self._resolve(place)
        if isinstance(found, Place):
            names, heading, focus = [found.name, *self._districts(found)], found.name, {found.name}
        else:
            names, heading, focus = [sector_key(found.name)], found.label, set()
        dated = [p for p in self._docstore.passages_naming(names, dates) if p.date_int]
        items = sorted(_one_per_article(dated, focus), key=lambda p: p.date_int)[-TIMELINE_ITEMS:]
        return self._briefing(f"Timeline: {heading}", items, self._about(found), started,
                              empty=f"No dated article mentions {heading} in that period.")

    # ------------------------------------------------------------------ pictures (PNG; block: call off the loop)
    def timeline_picture(self, place: str, dates: DateRange = DateRange()):
        """The chart of weekly mentions for /timeline, the asked-for period shaded
        (a retrieval.pictures.Picture; `.png` is the file)."""
        from retrieval import pictures

        found = self._resolve(place)
        if isinstance(found, Place):
            names, heading = [found.name, *self._districts(found)], found.name
        else:
            names, heading = [sector_key(found.name)], found.label
        days = {p.article_id: p.date_int for p in self._docstore.passages_naming(names) if p.date_int}
        weeks = pictures.weekly_counts([pictures.day_of(d) for d in days.values()])
        lo = pictures.day_of(dates.since) if dates.since > OPEN_START else None
        hi = pictures.day_of(dates.until) if dates.until < OPEN_END else None
        return pictures.timeline_chart(weeks, (lo, hi), f"{heading}: articles per week")

    def sector_picture(self, name: str):
        """The map for /sector: the sector's places sized by recent mentions, the asked-for place
        highlighted (a retrieval.pictures.Picture)."""
        from retrieval import pictures
        from retrieval.distance import haversine_km

        found = self._resolve(name)
        highlight = found.name if isinstance(found, Place) else None
        sector = self._gazetteer.sector_of(found) if isinstance(found, Place) else found
        if sector is not None:
            members, title = self._gazetteer.sector_places(sector), sector.label
        elif found.has_coordinates:
            members = [p for p in self._gazetteer.places if p.has_coordinates and p.kind != "region"
                       and haversine_km(found.lat, found.lon, p.lat, p.lon) <= MAP_NEARBY_KM]
            title = f"Around {found.name}"
        else:
            members, title = [found], found.name
        members = [p for p in members if p.has_coordinates and p.kind != "region"]
        mentions = self._recent_mentions([p.name for p in members])
        # Curated places always; places joined by distance only when the articles mention them.
        shown = [p for p in members if p.curated or mentions.get(p.name) or p.name == highlight]
        return pictures.sector_map([(p.name, p.lat, p.lon, mentions.get(p.name, 0)) for p in shown], highlight, title)

    def _recent_mentions(self, names: list[str]) -> dict[str, int]:
        """Articles naming each place in the last MAP_RECENT_DAYS before the newest of them."""
        if not names:
            return {}
        passages = self._docstore.passages_naming(names)
        newest = max((p.date_int for p in passages if p.date_int), default=0)
        cutoff = _days_before(newest, MAP_RECENT_DAYS) if newest else 0
        wanted, seen = set(names), {}
        for p in passages:
            if p.date_int >= cutoff:
                for place in wanted.intersection(p.places):
                    seen.setdefault(place, set()).add(p.article_id)
        return {place: len(ids) for place, ids in seen.items()}

    def _districts(self, place: Place) -> list[str]:
        return [p.name for p in self._gazetteer.places if p.parent == place.name]

    def _about(self, found: Place | Sector) -> list[set[str]]:
        """Names an item's sentence should mention, best first: the place and its districts, then its sector."""
        if isinstance(found, Place):
            sector = self._gazetteer.sector_of(found)
            nearby = {p.name for p in self._gazetteer.sector_places(sector)} if sector else set()
            return [{found.name, *self._districts(found)}, nearby]
        return [{p.name for p in self._gazetteer.sector_places(found)}]

    def _resolve(self, name: str) -> Place | Sector:
        name = " ".join(_CONTROL.sub(" ", name or "").split())[:100]
        if not name:
            raise FrontlineError("Name a place or a sector, e.g. Toretsk.")
        found = self._gazetteer.resolve(name)
        if found is None:
            close = self._gazetteer.suggest(name)
            hint = f" Did you mean: {', '.join(close)}?" if close else ""
            raise FrontlineError(f"I don't know a place or sector called “{name}”.{hint}")
        return found

    def _briefing(self, heading: str, items: list[Passage], about: list[set[str]], started: float, *,
                  empty: str) -> Answer:
        if not items:
            return Answer(heading, empty, True, None, _ms(started), [], uuid.uuid4().hex[:12], self.coverage())
        citations: list[Citation] = []
        lines = []
        sentences = self._key_sentences(items, about, heading)
        for n, (passage, sentence) in enumerate(zip(items, sentences), start=1):
            citations.append(ans.to_citation(n, passage, score=1.0))
            lines.append(f"{ans.display_date(passage)} — {sentence} [{n}]")
        citations = ans.with_leads(citations, self._docstore.article_body)
        self._with_outlets(citations)
        return Answer(heading, "\n".join(lines), False, ans.as_of(citations), _ms(started), citations,
                      uuid.uuid4().hex[:12])

    def _key_sentences(self, items: list[Passage], about: list[set[str]], heading: str) -> list[str]:
        """Each item's sentence about the place (in any alias), else its sentence closest in meaning to the
        heading; never an unrelated first sentence. One embedding batch for all items that need it."""
        chosen: list[str | None] = []
        pending: list[tuple[int, list[str]]] = []
        for i, passage in enumerate(items):
            sentences = [passage.text[s.start:s.end] for s in split_sentences(passage.text)] or [passage.text]
            named = [{m.place.name for m in self._gazetteer.find(s, context=passage.text)} for s in sentences]
            pick = next((s for names in about for s, found in zip(sentences, named) if found & names), None)
            chosen.append(pick)
            if pick is None:
                pending.append((i, sentences))
        if pending:
            flat = [s for _, sentences in pending for s in sentences]
            query = self._embedder.embed_query(heading.split(": ", 1)[-1])
            scores = self._embedder.embed_passages(flat) @ query
            pos = 0
            for i, sentences in pending:
                part = scores[pos:pos + len(sentences)]
                chosen[i] = sentences[int(np.argmax(part))]
                pos += len(sentences)
        return [c or "" for c in chosen]

    # ------------------------------------------------------------------ names, health, checks
    def autocomplete(self, prefix: str, limit: int = 25) -> list[str]:
        """Place and sector names for a partly typed name, best matches first."""
        return self._gazetteer.autocomplete(prefix, limit=limit)

    def health(self) -> Health:
        """Whether the vector store answers (the Docker health check and start-up use it); when it does
        not, `detail` says why in a few words ("connection refused", "name resolution failed")."""
        try:
            return Health(True, self._vectors.ping())
        except FrontlineError as exc:
            return Health(False, 0, network_reason(exc.__cause__ or exc))

    def places_named(self, text: str) -> set[str]:
        """The places a text names, by their one name."""
        return {m.place.name for m in self._gazetteer.find(text, context=text)}

    def names_about(self, name: str) -> set[str]:
        """A place (or sector) with its districts and its sector's places: what a briefing line about it
        may name. FrontlineError if unknown."""
        names = set().union(*self._about(self._resolve(name)))
        return names | {p.name for p in self._gazetteer.places if p.parent in names}

    def article_text(self, article_id: str) -> str | None:
        """An article's cleaned text, which every citation of it quotes; None if it is not stored."""
        return self._docstore.article_body(article_id)

    def verify_citation(self, citation: Citation) -> bool:
        """True when the citation's passage is, verbatim, the stored article's text at its offsets."""
        body = self._docstore.article_body(citation.article_id)
        return body is not None and body[citation.start:citation.end] == citation.passage

    def stats(self) -> dict:
        data = self._docstore.stats()
        data["sectors"] = sorted({
            s.name for name in data["places"]
            if isinstance(p := self._gazetteer.resolve(name), Place) and (s := self._gazetteer.sector_of(p))
        })
        data["gazetteer"] = self._gazetteer.size()
        return data

    def coverage(self) -> str:
        """What the corpus covers, for abstentions; cached per store generation (it scans every tag)."""
        generation = self._docstore.generation()
        if self._coverage is None or self._coverage[0] != generation:
            self._coverage = (generation, self._describe_coverage())
        return self._coverage[1]

    def _describe_coverage(self) -> str:
        s = self._docstore.stats()
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




def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def load_gazetteer(path: Path | None, cache_dir: Path | None = None) -> Gazetteer:
    """The place gazetteer (built from GeoNames and the curated file, cached in `cache_dir`); a
    malformed file is the operator's to fix, named in one line."""
    try:
        return Gazetteer.load(path, cache_dir=cache_dir) if cache_dir else Gazetteer.load(path)
    except (OSError, ValueError) as exc:
        raise ConfigError(f"FRONTLINE_GAZETTEER: {exc}") from None


def _days_before(yyyymmdd: int, days: int) -> int:
    day = date(yyyymmdd // 10000, max(1, yyyymmdd // 100 % 100), max(1, yyyymmdd % 100)) - timedelta(days=days)
    return int(day.strftime("%Y%m%d"))
