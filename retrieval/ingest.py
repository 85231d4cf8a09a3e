"""From article files to stored passages: clean, date, chunk, tag places, embed, write.

Idempotent: an article whose content hash (and pipeline version) is already stored is not embedded
again; a changed one replaces its passages; `prune` drops articles whose source is gone.

A pipeline of three threads, so the encoder (most of the cost) never waits: a reader reads, cleans,
dates, chunks and tags articles into batches of about FLUSH_PASSAGES passages; the caller's thread
embeds each batch (the encoder sorts it by length); a writer stores it, Chroma first and the docstore
commit last. Bounded queues between them keep memory flat on any corpus size.
"""
from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from retrieval.chunking import chunk
from retrieval.cleaning import clean_article
from retrieval.dates import date_as_int, resolve_date
from retrieval.docstore import Docstore
from retrieval.embedder import Embedder
from retrieval.models import Article, Passage, RawArticle, Skip, article_of
from retrieval.places import Gazetteer
from retrieval.row_index import RowIndexKeeper
from retrieval.sources import iter_sources
from retrieval.vector_index import VectorIndex

_log = logging.getLogger(__name__)

# Bump when cleaning, dating, chunking or tagging changes, so every article is processed again.
# 6: a trailing "View photo news." cut; 5: a town's office after its name ("Dniprorudne Mayor"); 4: loose
# spellings of places, a trailing "View news." cut
PIPELINE_VERSION = "6"
# Passages embedded and written together: large enough that the encoder's length-sorted batches pad
# little, small enough that the first batch's reading and the last one's writing (the parts the
# pipeline cannot overlap) are short, and that a crash loses little.
FLUSH_PASSAGES = 2048
# Built batches waiting for the encoder. With the one being built, the one being encoded and two in the
# writer's hands (one queued, one being written), at most six flushes' worth of articles are in memory
# at once, on any corpus size.
QUEUED_BATCHES = 2


@dataclass
class IngestReport:
    articles: int = 0
    passages: int = 0
    passages_embedded: int = 0
    articles_unchanged: int = 0
    articles_removed: int = 0
    skipped: list[Skip] = field(default_factory=list)
    seconds: float = 0.0
    articles_written: int = 0    # new or changed articles stored
    written_ids: list[str] = field(default_factory=list)   # their ids (what following announces as new)
    reconciled: bool = False     # the stores disagreed (a crash, a lost volume) and were mended

    @property
    def changed(self) -> bool:
        return bool(self.articles_written or self.articles_removed or self.reconciled)

    def to_json(self) -> dict:
        return {
            "articles": self.articles,
            "passages": self.passages,
            "passages_embedded": self.passages_embedded,
            "articles_unchanged": self.articles_unchanged,
            "articles_removed": self.articles_removed,
            "skipped": [{"source": s.origin, "reason": s.reason} for s in self.skipped],
            "seconds": round(self.seconds, 3),
        }

    def summary(self) -> str:
        lines = [
            f"{self.articles} articles ({self.articles_unchanged} unchanged), {self.passages} passages, "
            f"{self.passages_embedded} embedded, {self.articles_removed} removed, in {self.seconds:.1f} s",
        ]
        if self.skipped:
            lines.append(f"skipped {len(self.skipped)}:")
            lines.extend(f"  {s.origin}: {s.reason}" for s in self.skipped)
        return "\n".join(lines)


def build_article(raw: RawArticle, gazetteer: Gazetteer) -> Article | Skip:
    cleaned = clean_article(raw.text, title_hint=raw.meta.get("title"))
    if not cleaned.body.strip():
        return Skip(raw.origin, "nothing left after removing page boilerplate")
    date = resolve_date(
        header_date=cleaned.header_date, metadata_date=_iso_day(raw.meta.get("date")),
        text=cleaned.body, captions=cleaned.captions, metadata_cue=raw.meta.get("date_cue"),
    )
    date_int = date_as_int(date) or 0
    title = raw.meta.get("title") or cleaned.title
    source = raw.meta.get("source") or cleaned.outlet
    url = raw.meta.get("url")
    passages = []
    for seq, span in enumerate(chunk(cleaned.body)):
        text = cleaned.body[span.start:span.end]
        mentioned = list(dict.fromkeys(m.place for m in gazetteer.find(text, context=cleaned.body)))
        places = tuple(p.name for p in mentioned)
        sectors = tuple(sorted({s.name for p in mentioned if (s := gazetteer.sector_of(p)) is not None}))
        passages.append(Passage(
            id=f"{raw.article_id}#{seq}", article_id=raw.article_id, seq=seq, text=text, start=span.start,
            end=span.end, title=title, date=date.value, date_int=date_int, date_precision=date.precision,
            date_inferred=date.inferred, source=source, url=url, places=places, sectors=sectors,
        ))
    return Article(
        article_id=raw.article_id, origin=raw.origin, content_hash=_versioned(raw.content_hash),
        body=cleaned.body, title=title, date=date.value, date_int=date_int, date_precision=date.precision,
        date_inferred=date.inferred, date_cue=date.cue, source=source, url=url, passages=tuple(passages),
    )


def _iso_day(value: str | None) -> str | None:
    return value[:10] if value else None


def _versioned(content_hash: str) -> str:
    return f"{PIPELINE_VERSION}:{content_hash}"


def reconcile(docstore: Docstore, vectors: VectorIndex) -> bool:
    """Make Chroma and the docstore agree after a crash or a lost server volume; True if it changed any."""
    in_chroma, in_docs = vectors.ids(), docstore.passage_ids()
    orphans = in_chroma - in_docs
    if orphans:
        _log.info("removing %d vectors left by an interrupted ingest", len(orphans))
        vectors.delete_ids(sorted(orphans))
    missing = in_docs - in_chroma
    if missing:
        articles = sorted({article_of(pid) for pid in missing})
        _log.warning("%d articles lost their vectors; they will be embedded again", len(articles))
        docstore.delete_articles(articles)
    return bool(orphans or missing)


def ingest(
    paths: Sequence[Path],
    *,
    docstore: Docstore,
    vectors: VectorIndex,
    rows: RowIndexKeeper,
    embedder: Embedder,
    gazetteer: Gazetteer,
    prune: bool = False,
    progress: bool = False,
    items: Iterable[RawArticle | Skip] | None = None,
) -> IngestReport:
    """Ingest the files under `paths`, or the already-read `items` (e.g. `retrieval.web.WebSources`)."""
    report = IngestReport()
    embedder.warm_up()  # model loading is start-up, not ingest work: keep it out of `seconds`
    started = time.perf_counter()
    docstore.begin_ingest()
    try:
        _ingest_all(paths, report, docstore=docstore, vectors=vectors, embedder=embedder, gazetteer=gazetteer,
                    prune=prune, progress=progress, items=items)
    finally:
        # Readers see the change once, when the ingest is over (or has failed part-way).
        docstore.end_ingest(changed=report.changed)
    rows.refresh()
    docstore.set_meta("last_ingest", datetime.now(timezone.utc).isoformat(timespec="seconds"))
    report.seconds = time.perf_counter() - started
    return report


def _ingest_all(paths: Sequence[Path], report: IngestReport, *, docstore: Docstore, vectors: VectorIndex,
                embedder: Embedder, gazetteer: Gazetteer, prune: bool, progress: bool,
                items: Iterable[RawArticle | Skip] | None) -> None:
    report.reconciled = reconcile(docstore, vectors)
    known = docstore.content_hashes()
    seen: set[str] = set()
    with (_BuiltBatches(paths, items, known, gazetteer, report, seen, progress=progress) as batches,
          _Writer(docstore, vectors, stored=known, report=report) as writer):
        for batch in batches:
            writer.write(batch, embedder.embed_passages([p.text for a in batch for p in a.passages]))
    if prune:
        report.articles_removed = _prune(paths, seen, docstore, vectors)
    report.passages = _passage_count(docstore, seen)


class _BuiltBatches:
    """Articles to embed, about FLUSH_PASSAGES passages at a time, read and built in a thread of their own.

    Why a thread: reading, cleaning, dating, chunking and tagging then overlap with the encoder and the
    store writes in the caller's thread (onnxruntime, the tokenizer, Chroma and SQLite release the GIL).
    The queue holds at most QUEUED_BATCHES batches, so memory stays bounded on any corpus size.
    The reader fills `report` (articles, unchanged, skipped) and `seen`; the caller reads them after
    the iteration has ended.
    """

    _DONE = object()

    def __init__(self, paths: Sequence[Path], items: Iterable[RawArticle | Skip] | None, known: dict[str, str],
                 gazetteer: Gazetteer, report: IngestReport, seen: set[str], *, progress: bool) -> None:
        self._paths, self._items, self._known, self._gazetteer = paths, items, known, gazetteer
        self._report, self._seen, self._progress = report, seen, progress
        self._queue: queue.Queue = queue.Queue(maxsize=QUEUED_BATCHES)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, name="ingest-reader", daemon=True)

    def __enter__(self) -> _BuiltBatches:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()  # the caller failed or finished: the reader stops at its next article
        self._thread.join()

    def __iter__(self) -> Iterator[list[Article]]:
        while (item := self._queue.get()) is not self._DONE:
            if isinstance(item, BaseException):
                raise item
            yield item

    def _put(self, item: object) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                pass
        return False

    def _read(self) -> None:
        report = self._report
        try:
            batch: list[Article] = []
            size = 0
            sources = iter_sources(self._paths) if self._items is None else self._items
            for item in _progress(sources, enabled=self._progress):
                if self._stop.is_set():
                    return
                if isinstance(item, Skip):
                    report.skipped.append(item)
                    continue
                self._seen.add(item.article_id)
                if self._known.get(item.article_id) == _versioned(item.content_hash):
                    report.articles += 1
                    report.articles_unchanged += 1
                    continue
                article = build_article(item, self._gazetteer)
                if isinstance(article, Skip):
                    report.skipped.append(article)
                    continue
                report.articles += 1
                batch.append(article)
                size += len(article.passages)
                if size >= FLUSH_PASSAGES:
                    if not self._put(batch):
                        return
                    batch, size = [], 0
            if batch and not self._put(batch):
                return
            self._put(self._DONE)
        except BaseException as exc:  # handed to the caller's thread, which raises it
            self._put(exc)


class _Writer:
    """Writes embedded batches, in order, in a thread of its own, so the encoder moves on to the next one.

    Each batch is written as before: Chroma first, then the docstore commit (see store.py). After a
    failed write the rest are dropped (they were never committed, so the next ingest embeds them again)
    and the error is raised in the caller's thread.
    """

    def __init__(self, docstore: Docstore, vectors: VectorIndex, *, stored: dict[str, str],
                 report: IngestReport) -> None:
        self._docstore, self._vectors, self._stored, self._report = docstore, vectors, stored, report
        self._queue: queue.Queue = queue.Queue(maxsize=1)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="ingest-writer", daemon=True)

    def __enter__(self) -> _Writer:
        self._thread.start()
        return self

    def write(self, articles: list[Article], embeddings) -> None:
        """Queue a batch; blocks while the writer still holds one waiting."""
        if self._error is not None:
            raise self._error
        self._queue.put((articles, embeddings))

    def __exit__(self, exc_type, *_exc) -> None:
        self._queue.put(None)
        self._thread.join()  # the batches already queued are written (or dropped after an error)
        if exc_type is None and self._error is not None:
            raise self._error

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            if self._error is not None:
                continue
            articles, embeddings = item
            try:
                _write(articles, embeddings, self._docstore, self._vectors, stored=self._stored)
            except BaseException as exc:
                self._error = exc
            else:
                self._report.passages_embedded += sum(len(a.passages) for a in articles)
                self._report.articles_written += len(articles)
                self._report.written_ids.extend(a.article_id for a in articles)


def _write(articles: list[Article], embeddings, docstore: Docstore, vectors: VectorIndex,
           stored: dict[str, str]) -> None:
    passages = [p for a in articles for p in a.passages]
    # Chroma first, docstore last: the docstore row is the commit mark (see docstore.py). Vectors of
    # an article that was never committed are overwritten by id, or were removed by reconcile().
    replaced = [a.article_id for a in articles if a.article_id in stored]
    if replaced:
        vectors.delete_articles(replaced)
    if passages:
        vectors.add(passages, embeddings)
    docstore.replace_articles(articles, ingested_at=datetime.now(timezone.utc).isoformat(timespec="seconds"))


def _prune(paths: Sequence[Path], seen: set[str], docstore: Docstore, vectors: VectorIndex) -> int:
    roots = [str(p) for p in paths]
    gone = [
        aid for aid, origin in docstore.origins().items()
        if aid not in seen and any(origin == r or origin.startswith(r.rstrip("/") + "/") or
                                   origin.startswith(r + ":") for r in roots)
    ]
    vectors.delete_articles(gone)
    docstore.delete_articles(gone)
    return len(gone)


def _passage_count(docstore: Docstore, article_ids: set[str]) -> int:
    return sum(1 for pid in docstore.passage_ids() if article_of(pid) in article_ids)


def _progress(items: Iterable, *, enabled: bool) -> Iterable:
    if not enabled:
        return items
    from tqdm import tqdm

    return tqdm(items, unit=" articles", mininterval=1.0, disable=None)
