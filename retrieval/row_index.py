"""The row index: every passage as a row — its id, date, place tags, BM25 terms and vector — in one
immutable snapshot that searches read without taking a lock.

Why a snapshot: questions run on several threads while an ingest (in this process or another one)
changes the stores. A search takes the current snapshot once and uses only it, so the ids, dates,
place rows, BM25 scores and vectors it sees always belong together. A new snapshot is built aside —
in memory, and on disk in a temporary folder of its own that is renamed into place — and swapped in
whole under a lock; nobody ever sees one half-built, and it is marked current only when complete.

Why in memory at all: Chroma answers an unfiltered query in about a millisecond, but a `where` filter
(a date range, a place) cost 70–290 ms on a 40k-passage store and grows with it (BENCHMARKS.md);
here a filter is a boolean numpy mask and a filtered dense search one matrix product over the allowed rows.

It is derived data. On disk, <index_dir>/g<generation>/ holds the BM25 index (bm25s files),
rows.json (ids and dates), vectors.npy and keys.npy (one version key per row); place rows are rebuilt
from the docstore at load. Lost or corrupt files are rebuilt from the docstore and Chroma, with a warning.

Why the vectors stay on disk, not in memory: at a million passages the float32 matrix is 1.5 GB,
beside Chroma's own copy inside its HNSW index. A question reads only the rows its filter keeps (the
unfiltered and wide searches go to Chroma's HNSW), with pread (see _RowFile), so the matrix is never
resident in this process; the kernel's page cache keeps the file's pages for the next search. float16
rows would halve the file but not the work: numpy has no float16 matrix product, and converting the
kept rows to float32 costs more than reading them.

Why rows in date order (undated first): most filters are date ranges ("in August", "since March"),
and a range's rows then lie side by side, so its exact search is one pass over a slice of the matrix
(or one read of the file) instead of a copy of rows scattered through it: at 170k passages in memory,
a month's 17k rows cost 1.1 ms that way and 5.5 ms gathered.

Why a key per row: a rebuild after an ingest takes the vectors of unchanged passages from the
previous snapshot and fetches from Chroma only those of new or rewritten ones; at a million passages
fetching every vector again takes minutes. The key hashes the passage text with its article's content
hash and write time, so a passage whose article was written again is always fetched again.

Why bm25s directly rather than llama-index's BM25Retriever: the retriever fixes its metadata filter at
construction (a Python loop over the corpus per filter) and keeps a JSON copy of every node in memory;
here a filter is a mask built per query, and texts stay in SQLite.
"""
from __future__ import annotations

import functools
import hashlib
import itertools
import json
import logging
import os
import re
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.daterange import DateRange
from retrieval.docstore import OUTLET_KEY, Docstore
from retrieval.questions import outlet_labels
from retrieval.text import stemmer
from retrieval.vector_index import VectorIndex

_log = logging.getLogger(__name__)

_ROWS_FILE = "rows.json"
# Bumped when what is indexed changes (2: BM25 also indexes the title's words; 3: rows in date order):
# an index saved in an older format is rebuilt at load, its vectors reused.
_FORMAT = 3
_WORDS = re.compile(r"\w+")
_VECTORS_FILE = "vectors.npy"
_KEYS_FILE = "keys.npy"
_SCAN_ROWS = 16_384     # rows of the matrix read at once by a wide search (24 MB at 384 dims)
_GATHER_ROWS = 4_096    # rows copied out at once by a narrow filtered search (6 MB: stays in cache)
# A filter's rows are read as one span when the span is at most this many times as long: measured at
# 170k passages in memory, a contiguous product costs ~65 ns a row, copying scattered rows out ~320 ns.
_SPAN_PER_ROW = 4
_FETCH_CHUNK = 20_000   # vectors fetched from Chroma per call at a rebuild (memory stays bounded)
_STALE_BUILD_SECONDS = 3600   # a temporary build folder this old was left by a process that died


class _RowFile:
    """The rows of a saved vectors.npy, read with pread rather than through its memory mapping.

    Why: a page of a mapped file, once touched, stays resident in this process, and the kernel maps a
    whole large folio around each fault (hundreds of KB), so the 1,763 scattered rows of one town among
    a million passages made 600 MB resident. Read with pread, the rows cost a system call each (about
    2 µs from the page cache) and only the copies the search keeps occupy memory.
    """

    def __init__(self, mapped: np.memmap) -> None:
        self._fd = os.open(mapped.filename, os.O_RDONLY)
        self._offset = mapped.offset
        self._dim = mapped.shape[1]
        self._row_bytes = self._dim * mapped.dtype.itemsize

    def __del__(self) -> None:
        if hasattr(self, "_fd"):
            os.close(self._fd)

    def rows(self, rows: np.ndarray) -> np.ndarray:
        out = np.empty((len(rows), self._dim), dtype=np.float32)
        buffer, size = memoryview(out).cast("B"), self._row_bytes
        for k, row in enumerate(rows.tolist()):
            os.preadv(self._fd, [buffer[k * size:(k + 1) * size]], self._offset + row * size)
        return out

    def block(self, start: int, stop: int) -> np.ndarray:
        out = np.empty((stop - start, self._dim), dtype=np.float32)
        os.preadv(self._fd, [memoryview(out).cast("B")], self._offset + start * self._row_bytes)
        return out


def _union(row_sets: Sequence[np.ndarray], size: int) -> np.ndarray:
    """The ascending union of row sets, through a boolean mask: numpy's `unique` of their concatenation
    sorts or hashes every row (1-14 ms for a place and a month at 170k passages); the mask costs 0.2 ms."""
    mask = np.zeros(size, dtype=bool)
    for rows in row_sets:
        mask[rows] = True
    return np.flatnonzero(mask)


def _memmap_of(array: np.ndarray) -> np.memmap | None:
    """The np.memmap under an array read from a saved file (see _mapped), None for one in memory."""
    base = array
    while base is not None and not isinstance(base, np.memmap):
        base = getattr(base, "base", None)
    return base


@dataclass(frozen=True, eq=False)
class RowIndex:
    """One consistent view of every passage. Never changed after it is built."""
    generation: int
    ids: tuple[str, ...]
    dates: np.ndarray                          # YYYYMMDD per row; 0 = unknown
    vectors: np.ndarray                        # (rows, dim) float32, unit length; memory-mapped when saved
    bm25: Any = None                           # a bm25s.BM25, None when there are no passages
    name_rows: Mapping[str, np.ndarray] = field(default_factory=dict)   # place or sector key -> rows
    row_of: Mapping[str, int] = field(default_factory=dict)
    keys: np.ndarray | None = None             # uint64 version key per row (see row_keys), None if unknown
    _row_file: _RowFile | None = field(init=False, repr=False, default=None)   # None: the matrix is in memory

    def __post_init__(self) -> None:
        # Opened now, while the saved folder surely exists: a later rebuild may delete it, and an open
        # file, like a mapping, still reads a deleted file.
        mapped = _memmap_of(self.vectors)
        object.__setattr__(self, "_row_file", _RowFile(mapped) if mapped is not None else None)

    @classmethod
    def assemble(cls, generation: int, ids: list[str], dates: list[int], vectors: np.ndarray, bm25,
                 names: Iterable[tuple[str, list[str]]], keys: np.ndarray | None = None) -> RowIndex:
        """`names`: (place or sector key, the ids of its passages), as Docstore.passage_ids_by_name gives."""
        row_of = {pid: i for i, pid in enumerate(ids)}
        # Rows per place in memory: a place filter is one numpy assignment, not a SQL query that
        # returns thousands of ids (27 ms a question at 170k passages).
        name_rows = {}
        for name, pids in names:
            found = [row for pid in pids if (row := row_of.get(pid)) is not None]
            if found:
                name_rows[name] = np.asarray(found, dtype=np.int64)
        return cls(generation, tuple(ids), np.asarray(dates, dtype=np.int64), vectors, bm25, name_rows, row_of,
                   keys)

    @property
    def size(self) -> int:
        return len(self.ids)

    def in_memory(self) -> RowIndex:
        """This snapshot with its matrix copied into memory. Read from the saved file, a question's rows
        cost a system call each (the exact passes of a question at 170k passages: about 8 ms); copied
        from memory, less than half as long. Worth it while the matrix is small; at a million
        passages it would be 1.5 GB."""
        if self._row_file is None:
            return self
        return replace(self, vectors=np.array(self.vectors))

    @functools.cached_property
    def outlet_labels(self) -> dict[str, tuple[str, ...]]:
        """The sources the passages come from ("reuters.com"), by their outlet's label (questions.outlet_labels)."""
        return outlet_labels(key.removeprefix(OUTLET_KEY) for key in self.name_rows if key.startswith(OUTLET_KEY))

    @functools.cached_property
    def newest_day(self) -> int:
        """The newest passage's day (YYYYMMDD), 0 when none is dated."""
        return int(self.dates.max()) if self.dates.size else 0

    # ------------------------------------------------------------------ masks
    def date_mask(self, dates: DateRange) -> np.ndarray:
        """Rows dated within the range; undated passages never match a question that names dates."""
        return (self.dates >= max(dates.since, 1)) & (self.dates <= dates.until)

    def names_mask(self, names: Iterable[str]) -> np.ndarray:
        """Rows tagged with any of these places (or sector keys)."""
        mask = np.zeros(self.size, dtype=bool)
        for name in names:
            if (rows := self.name_rows.get(name)) is not None:
                mask[rows] = True
        return mask

    def vector(self, passage_id: str) -> np.ndarray | None:
        """The passage's stored vector, None when it is not in this snapshot."""
        row = self.row_of.get(passage_id)
        if row is None or row >= self.vectors.shape[0]:
            return None
        reader = self._row_file
        return reader.rows(np.array([row]))[0] if reader else self.vectors[row]

    def document_frequency(self, stems: Iterable[str]) -> dict[str, int]:
        """How many passages contain each stem (stemmed as BM25 stems); 0 for a stem never seen.

        Read from the BM25 index's token columns, so an IDF costs a dictionary look-up, not a corpus scan.
        """
        if self.bm25 is None:
            return {s: 0 for s in stems}
        vocab, indptr = self.bm25.vocab_dict, self.bm25.scores["indptr"]
        return {s: 0 if (t := vocab.get(s)) is None else int(indptr[t + 1] - indptr[t]) for s in stems}

    def ids_containing(self, stem: str, limit: int) -> list[str]:
        """Up to `limit` passages (ids) that contain the stem, from the BM25 index's token column."""
        if self.bm25 is None or (t := self.bm25.vocab_dict.get(stem)) is None:
            return []
        indptr, indices = self.bm25.scores["indptr"], self.bm25.scores["indices"]
        return [self.ids[int(row)] for row in indices[indptr[t]:min(indptr[t + 1], indptr[t] + limit)]]

    def containing_all(self, groups: Iterable[Iterable[str]]) -> np.ndarray | None:
        """Rows that contain, for every group, one of its stems (read from the BM25 index's token columns);
        None when a group has no stem the corpus knows."""
        if self.bm25 is None:
            return None
        vocab, scores = self.bm25.vocab_dict, self.bm25.scores
        indptr, indices = scores["indptr"], scores["indices"]
        mask = None
        for group in groups:
            rows = [indices[indptr[t]:indptr[t + 1]] for s in group if (t := vocab.get(s)) is not None]
            if not rows:
                return None
            found = np.zeros(self.size, dtype=bool)
            found[np.concatenate(rows)] = True
            mask = found if mask is None else mask & found
        return mask

    def allows(self, passage_id: str, mask: np.ndarray) -> bool:
        row = self.row_of.get(passage_id)
        return row is not None and bool(mask[row])

    # ------------------------------------------------------------------ searches
    def lexical(self, query: str, n: int, mask: np.ndarray | None = None) -> list[tuple[str, float]]:
        """BM25: (passage id, score) best first, among the rows the mask allows."""
        return self.lexical_in(query, n, [None if mask is None else np.flatnonzero(mask)])[0]

    def lexical_in(self, query: str, n: int, row_sets: Sequence[np.ndarray | None]) -> list[list[tuple[str, float]]]:
        """`lexical` among each set of rows (ascending row numbers; None: every row), from one scoring."""
        if self.bm25 is None:
            return [[] for _ in row_sets]
        token_ids = self.bm25.get_tokens_ids(tokenize([query], as_strings=True)[0])
        if not token_ids:
            return [[] for _ in row_sets]
        # Scores for every passage, then the top n among those that match at all: cheaper than
        # bm25s.retrieve's partition over the whole corpus (and no thread pool per query).
        scores = self.bm25.get_scores_from_ids(token_ids)
        found = []
        for rows in row_sets:
            if rows is None:
                rows = np.flatnonzero(scores > 0)
            else:  # a filter's rows: a small share of a large corpus, read directly
                rows = rows[scores[rows] > 0]
            found.append(self._top(rows, scores[rows], n))
        return found

    def dense(self, embedding: np.ndarray, n: int, mask: np.ndarray) -> list[tuple[str, float]]:
        """Exact cosine search: (passage id, similarity) best first, among the rows the mask allows."""
        return self.dense_in(embedding, n, [np.flatnonzero(mask)])[0]

    def dense_in(self, embedding: np.ndarray, n: int, row_sets: Sequence[np.ndarray]) -> list[list[tuple[str, float]]]:
        """`dense` among each set of rows (ascending row numbers), from one pass over their union: a
        question on a month and the week after it, a place and a name, read their shared rows once."""
        rows = row_sets[0] if len(row_sets) == 1 else _union(row_sets, self.size)
        if rows.size == 0 or self.vectors.shape[0] != self.size:
            return [[] for _ in row_sets]
        # numpy's own single-threaded product, not BLAS: OpenBLAS's threads spin against the encoder's
        # and other processes' on a small shared machine (a 10k-row product: 7-15 ms vs 1.5-2.5 ms)
        reader = self._row_file
        first, last = int(rows[0]), int(rows[-1]) + 1
        if last - first > _SPAN_PER_ROW * rows.size:  # scattered rows: copy out just those, a slice at a time
            scores = np.concatenate([
                # np.take, not fancy indexing: the same rows, copied out ~25 % faster
                np.einsum("ij,j->i", reader.rows(part) if reader else np.take(self.vectors, part, axis=0), embedding)
                for part in (rows[i:i + _GATHER_ROWS] for i in range(0, rows.size, _GATHER_ROWS))])
        else:  # rows close together (a date range: rows are in date order): a pass over their span,
            # a block at a time, is cheaper than copying them out one by one
            scores = np.empty(last - first, dtype=np.float32)
            for i in range(first, last, _SCAN_ROWS):
                stop = min(i + _SCAN_ROWS, last)
                block = reader.block(i, stop) if reader else self.vectors[i:stop]
                scores[i - first:stop - first] = np.einsum("ij,j->i", block, embedding)
            scores = scores[rows - first]
        if len(row_sets) == 1:
            return [self._top(rows, scores, n)]
        return [self._top(part, scores[np.searchsorted(rows, part)], n) for part in row_sets]

    def _top(self, rows: np.ndarray, scores: np.ndarray, n: int) -> list[tuple[str, float]]:
        """The n best of (rows, scores), best first."""
        top = np.argsort(-scores)[:n] if rows.size <= n else np.argpartition(-scores, n)[:n]
        top = top[np.argsort(-scores[top])]
        return [(self.ids[rows[i]], float(scores[i])) for i in top]


EMPTY = RowIndex(-1, (), np.zeros(0, dtype=np.int64), np.zeros((0, 0), dtype=np.float32))


class RowIndexKeeper:
    """Holds the current RowIndex and replaces it when the docstore's generation moves on.

    One thread builds a new snapshot while the others keep answering from the previous one; only the
    very first snapshot is waited for. `refresh()` waits for the build (the end of an ingest).
    """

    def __init__(self, directory: Path, docstore: Docstore, vectors: VectorIndex, *, resident_bytes: int = 0) -> None:
        self._dir = directory
        self._resident_bytes = resident_bytes   # a saved matrix up to this size is read into memory
        self._docstore = docstore
        self._vectors = vectors
        self._current: RowIndex | None = None
        self._build_lock = threading.Lock()   # one build at a time
        self._swap_lock = threading.Lock()    # guards the reference to the current snapshot
        self._pins = threading.local()        # per thread: the snapshot pinned by `pinned()`

    def current(self) -> RowIndex:
        """A complete snapshot, as fresh as can be had without waiting for a rebuild (inside `pinned()`:
        the pinned one)."""
        if (pinned := getattr(self._pins, "snapshot", None)) is not None:
            return pinned
        snapshot = self._current
        if snapshot is not None and snapshot.generation == self._docstore.generation():
            return snapshot
        if snapshot is None:
            return self.refresh()
        if self._build_lock.acquire(blocking=False):  # stale: this thread rebuilds, others go on
            try:
                return self._catch_up()
            finally:
                self._build_lock.release()
        return snapshot

    @contextmanager
    def pinned(self) -> Iterator[RowIndex]:
        """One snapshot for everything this thread reads inside the block: a question's search and the
        stored vectors and IDF its answer is composed from belong together, and the docstore's generation
        is read once per question, not at every stored vector."""
        if getattr(self._pins, "snapshot", None) is not None:  # already pinned by a caller
            yield self._pins.snapshot
            return
        self._pins.snapshot = self.current()
        try:
            yield self._pins.snapshot
        finally:
            self._pins.snapshot = None

    def refresh(self) -> RowIndex:
        """The snapshot of the docstore as it is now, building it if needed (waits for a build)."""
        with self._build_lock:
            return self._catch_up()

    def _catch_up(self) -> RowIndex:
        generation = self._docstore.generation()
        current = self._current
        if current is not None and current.generation == generation:
            return current
        snapshot = self._load(generation) or self._build(generation)
        if snapshot.vectors.nbytes <= self._resident_bytes:
            snapshot = snapshot.in_memory()
        with self._swap_lock:
            self._current = snapshot
        return snapshot

    # ------------------------------------------------------------------ disk
    def _folder(self, generation: int) -> Path:
        return self._dir / f"g{generation}"

    def _load(self, generation: int) -> RowIndex | None:
        folder = self._folder(generation)
        if self._docstore.ingest_unfinished():
            return None  # the docstore holds writes newer than any saved index: build from it
        if not (folder / _ROWS_FILE).exists():
            if self._docstore.get_meta("index_built") == str(generation):
                _log.warning("row index at %s is missing; rebuilding it from the docstore", folder)
            return None
        try:
            ids, dates, vectors, keys = _read_rows(folder, generation, current_format=True)
            bm25 = _load_bm25(folder) if ids else None
        except _OldFormat:
            _log.info("row index at %s was saved by an older version; rebuilding it", folder)
            return None
        except Exception as exc:  # a torn or corrupt file: say so and rebuild from the stores
            _log.warning("row index at %s is unreadable (%s); rebuilding it", folder, exc)
            return None
        names = itertools.chain(self._docstore.passage_ids_by_name(), self._docstore.passage_ids_by_outlet())
        return RowIndex.assemble(generation, ids, dates, vectors, bm25, names, keys)

    def _build(self, generation: int) -> RowIndex:
        ids, texts, dates, versions, titles = self._docstore.index_rows_versioned()
        keys = row_keys(ids, texts, versions)
        del versions
        bm25 = None
        if ids:
            bm25 = _bm25s().BM25()
            bm25.index(tokenize([lexical_text(t, title) for t, title in zip(texts, titles)]), show_progress=False)
        del texts, titles
        # Written in a folder of this build's own, then renamed: a crash leaves the old index or the
        # new one, never half of one, and two processes building at once never share a folder.
        tmp = self._new_build_folder()
        vectors = self._vectors_for(ids, keys, tmp)
        names = itertools.chain(self._docstore.passage_ids_by_name(), self._docstore.passage_ids_by_outlet())
        snapshot = RowIndex.assemble(generation, ids, dates, vectors, bm25, names, keys)
        if tmp is not None:
            snapshot = self._save(snapshot, tmp)
        return snapshot

    def _vectors_for(self, ids: list[str], keys: np.ndarray, folder: Path | None) -> np.ndarray:
        """The vector of every row: unchanged passages' from the previous snapshot, the rest from Chroma.

        Written into vectors.npy of the build folder as they come (memory-mapped), so a rebuild never
        holds two copies of the matrix; in memory only when the folder cannot be written.
        """
        previous = self._current or self._newest_saved()
        reuse_from = np.full(len(ids), -1, dtype=np.int64)
        if previous is not None and previous.keys is not None and previous.vectors.shape[0] == previous.size:
            for i, pid in enumerate(ids):
                j = previous.row_of.get(pid)
                if j is not None and previous.keys[j] == keys[i]:
                    reuse_from[i] = j
        fetch = np.flatnonzero(reuse_from < 0)
        dim = previous.vectors.shape[1] if previous is not None and previous.size else 0
        first = None
        if fetch.size and not dim:
            first = self._vectors.embeddings([ids[i] for i in fetch[:_FETCH_CHUNK]])
            dim = first.shape[1]
        if folder is not None and len(ids):
            vectors = np.lib.format.open_memmap(folder / _VECTORS_FILE, mode="w+", dtype=np.float32,
                                                shape=(len(ids), dim))
        else:
            vectors = np.empty((len(ids), dim), dtype=np.float32)
        kept = np.flatnonzero(reuse_from >= 0)
        for start in range(0, kept.size, _FETCH_CHUNK):
            part = kept[start:start + _FETCH_CHUNK]
            vectors[part] = previous.vectors[reuse_from[part]]
        for start in range(0, fetch.size, _FETCH_CHUNK):
            rows = fetch[start:start + _FETCH_CHUNK]
            got = first if start == 0 and first is not None else self._vectors.embeddings([ids[i] for i in rows])
            vectors[rows] = got
        if kept.size:
            _log.info("row index: %d vectors reused, %d fetched from Chroma", kept.size, fetch.size)
        return vectors

    def _newest_saved(self) -> RowIndex | None:
        """The newest complete index on disk, for its vectors (a process that starts after another one's ingest)."""
        if not self._dir.is_dir():
            return None
        folders = sorted((p for p in self._dir.iterdir() if p.name[:1] == "g" and p.name[1:].isdigit()),
                         key=lambda p: int(p.name[1:]), reverse=True)
        for folder in folders:
            try:
                ids, dates, vectors, keys = _read_rows(folder, int(folder.name[1:]))
            except Exception:
                continue
            if keys is not None:
                return RowIndex(int(folder.name[1:]), tuple(ids), np.asarray(dates, dtype=np.int64), vectors,
                                row_of={pid: i for i, pid in enumerate(ids)}, keys=keys)
        return None

    def _new_build_folder(self) -> Path | None:
        try:
            self._dir.mkdir(parents=True, exist_ok=True)
            return Path(tempfile.mkdtemp(prefix=".build-", dir=self._dir))
        except OSError as exc:
            _log.warning("could not save the row index in %s (%s); it will be rebuilt next start", self._dir, exc)
            return None

    def _save(self, snapshot: RowIndex, tmp: Path) -> RowIndex:
        """Write the rest of the snapshot beside its vectors and move the folder into place; the snapshot
        returned reads its vectors from there (memory-mapped)."""
        target = self._folder(snapshot.generation)
        try:
            if snapshot.bm25 is not None:
                snapshot.bm25.save(str(tmp))
            if isinstance(snapshot.vectors, np.memmap):
                snapshot.vectors.flush()
            else:
                np.save(tmp / _VECTORS_FILE, snapshot.vectors)
            np.save(tmp / _KEYS_FILE, snapshot.keys)
            (tmp / _ROWS_FILE).write_text(json.dumps(
                {"generation": snapshot.generation, "format": _FORMAT, "ids": list(snapshot.ids),
                 "dates": snapshot.dates.tolist()}))
            if target.exists():  # a corrupt copy (or another process's): ours replaces it
                _move_aside(target)
            try:
                tmp.rename(target)
            except OSError:  # another process put its own copy there in between: as good as ours
                target = tmp
        except OSError as exc:
            _log.warning("could not save the row index in %s (%s); it will be rebuilt next start", self._dir, exc)
            return replace(snapshot, vectors=np.array(snapshot.vectors))
        if target == tmp:  # not ours to map: keep the copies in memory
            vectors, bm25 = np.array(snapshot.vectors), snapshot.bm25
            shutil.rmtree(tmp, ignore_errors=True)
        else:  # read from the saved files, like an index loaded at start: the built arrays are freed
            vectors = _mapped(target / _VECTORS_FILE)
            bm25 = _load_bm25(target) if snapshot.bm25 is not None else None
        self._docstore.set_meta("index_built", str(snapshot.generation))
        self._remove_old(keep=snapshot.generation)
        return replace(snapshot, vectors=vectors, bm25=bm25)

    def _remove_old(self, keep: int) -> None:
        for path in self._dir.iterdir():
            if path.name.startswith("g") and path.name != f"g{keep}":
                shutil.rmtree(path, ignore_errors=True)
            elif path.name.startswith(".build-") and time.time() - path.stat().st_mtime > _STALE_BUILD_SECONDS:
                shutil.rmtree(path, ignore_errors=True)


class _OldFormat(Exception):
    pass


def _read_rows(folder: Path, generation: int, *, current_format: bool = False
               ) -> tuple[list[str], list[int], np.ndarray, np.ndarray | None]:
    """ids, dates, the memory-mapped vectors and the row keys (None in an index saved before keys).
    With `current_format`, an index saved in an older format raises _OldFormat."""
    rows = json.loads((folder / _ROWS_FILE).read_text())
    if current_format and rows.get("format", 1) != _FORMAT:
        raise _OldFormat(folder)
    ids, dates = rows["ids"], rows["dates"]
    if rows.get("generation") != generation or len(ids) != len(dates):
        raise ValueError("rows.json does not match its folder")
    vectors = _mapped(folder / _VECTORS_FILE)
    if vectors.ndim != 2 or vectors.shape[0] != len(ids) or vectors.dtype != np.float32:
        raise ValueError(f"vectors {vectors.shape} {vectors.dtype} for {len(ids)} passages")
    keys = None
    if (folder / _KEYS_FILE).exists():
        keys = np.load(folder / _KEYS_FILE)
        if keys.shape != (len(ids),):
            raise ValueError(f"{keys.shape[0]} row keys for {len(ids)} passages")
    return ids, dates, vectors, keys


def _load_bm25(folder: Path):
    # Memory-mapped like the vectors: a question reads the postings of its own words only (the whole
    # index is ~220 MB at a million passages).
    return _bm25s().BM25.load(str(folder), mmap=True)


def _mapped(path: Path) -> np.ndarray:
    # A plain ndarray over the mapping (it keeps the mapping open): indexing a np.memmap goes through
    # its Python-level __getitem__, a quarter of a millisecond per stored vector the composer reads.
    return np.asarray(np.load(path, mmap_mode="r"))


def row_keys(ids: list[str], texts: list[str], versions: list[str]) -> np.ndarray:
    """One 64-bit key per row that changes whenever the passage (or its article) was written again."""
    out = np.empty(len(ids), dtype=np.uint64)
    for i, (pid, text, version) in enumerate(zip(ids, texts, versions)):
        digest = hashlib.blake2b(f"{pid}\x00{version}\x00{text}".encode(), digest_size=8).digest()
        out[i] = int.from_bytes(digest, "little")
    return out


def _move_aside(folder: Path) -> None:
    trash = folder.with_name(f".old-{uuid.uuid4().hex}")
    try:
        folder.rename(trash)
    except OSError:
        return
    shutil.rmtree(trash, ignore_errors=True)


@functools.cache
def _bm25s():
    import bm25s

    logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs every index build at DEBUG
    return bm25s


def lexical_text(text: str, title: str) -> str:
    """What BM25 indexes for a passage: its text, and the words of its article's title that the text
    lacks. A headline often names what the body leaves out ("Canadian MP calls for…" over a text that
    never says who spoke); words the text has already are not counted twice. The vectors stay those of
    the passage's own text."""
    if not title:
        return text
    have = set(_WORDS.findall(text.casefold()))
    missing = [w for w in _WORDS.findall(title) if w.casefold() not in have]
    return f"{text}\n{' '.join(missing)}" if missing else text


def tokenize(texts: list[str], *, as_strings: bool = False):
    return _bm25s().tokenize(texts, stopwords="en", stemmer=stemmer(), show_progress=False,
                             return_ids=not as_strings)
