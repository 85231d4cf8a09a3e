"""The row index at scale: its vectors are read from the saved file (with pread, never resident) and give exactly the search a
float32 matrix in memory gives; a rebuild after an ingest takes unchanged passages' vectors from the
previous snapshot (in this process or saved by another) and fetches only new or rewritten ones."""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

import retrieval.row_index as row_index
from retrieval import questions as qs
from retrieval.daterange import DateRange
from retrieval.row_index import RowIndexKeeper
from retrieval.service import Frontline
from retrieval.vector_index import VectorIndex
from tests.conftest import SEEDS, make_config


@pytest.fixture
def fetched(monkeypatch):
    """Every passage id whose vector is fetched from Chroma, in order."""
    ids: list[str] = []
    original = VectorIndex.embeddings

    def recording(self, wanted):
        ids.extend(wanted)
        return original(self, wanted)

    monkeypatch.setattr(VectorIndex, "embeddings", recording)
    return ids


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "corpus"
    shutil.copytree(SEEDS, folder)
    return folder


def _frontline(data, embedder, gazetteer) -> Frontline:
    return Frontline(make_config(data), embedder=embedder, gazetteer=gazetteer)


def _exact(matrix: np.ndarray, ids: tuple[str, ...], query: np.ndarray, rows: np.ndarray, n: int):
    """Brute force over an in-memory float32 copy: the reference the index must match."""
    scores = matrix[rows] @ query
    order = np.argsort(-scores, kind="stable")[:n]
    return [ids[rows[i]] for i in order], scores[order]


def test_mapped_vectors_search_exactly_as_an_in_memory_matrix(seeded, embedder, monkeypatch):
    rows = RowIndexKeeper(seeded.config.index_dir, seeded._docstore, seeded._vectors).refresh()  # resident_bytes 0
    assert not rows.vectors.flags.owndata and not rows.vectors.flags.writeable, "the matrix is not the mapped file"
    in_memory = np.array(seeded._vectors.embeddings(list(rows.ids)), dtype=np.float32)
    assert np.array_equal(np.asarray(rows.vectors), in_memory), "the saved matrix differs from Chroma's vectors"
    query = embedder.embed_query("shelling of Chasiv Yar")
    everything = np.ones(rows.size, dtype=np.float32)
    narrow = np.zeros(rows.size, dtype=np.float32)
    narrow[::5] = 1.0  # a fifth of the rows, spread out: the gathered path
    middle = np.zeros(rows.size, dtype=np.float32)
    middle[5:27] = 1.0  # rows side by side (as a date range's are), one missing: one pass over their span
    middle[12] = 0.0
    monkeypatch.setattr(row_index, "_GATHER_ROWS", 4)  # several slices even on 38 passages
    monkeypatch.setattr(row_index, "_SCAN_ROWS", 7)    # and several blocks, the last one short
    for mask in (everything, narrow, middle):
        got = rows.dense(query, 10, mask)
        ids, scores = _exact(in_memory, rows.ids, query, np.flatnonzero(mask), 10)
        assert [pid for pid, _ in got] == ids
        # the same float32 products; only the BLAS call's blocking may differ, in the last bit or two
        assert np.allclose([s for _, s in got], scores, rtol=0, atol=1e-6)
    for i in (0, rows.size // 2, rows.size - 1):
        assert np.array_equal(rows.vector(rows.ids[i]), in_memory[i])


def test_rows_are_in_date_order_so_a_date_range_is_one_run_of_rows(seeded):
    rows = seeded._rows.current()
    assert np.all(np.diff(rows.dates) >= 0), "rows are not in date order"
    dated = np.unique(rows.dates[rows.dates > 0])
    assert dated.size >= 2, "the seeds have at least two dated articles"
    kept = np.flatnonzero(rows.date_mask(DateRange(int(dated[0]), int(dated[-1]))))
    assert kept.size and kept[-1] - kept[0] + 1 == kept.size
    # reordered, each row still holds its own passage's vector
    stored = seeded._vectors.embeddings(list(rows.ids))
    assert all(np.allclose(rows.vector(pid), stored[row], atol=1e-6) for row, pid in enumerate(rows.ids))


def test_a_small_matrix_is_kept_in_memory_and_searches_as_the_saved_one(seeded, embedder):
    resident = seeded._rows.current()   # the default FRONTLINE_RESIDENT_VECTORS_MB holds the seeds' 38 rows
    mapped = RowIndexKeeper(seeded.config.index_dir, seeded._docstore, seeded._vectors).refresh()
    assert resident.vectors.flags.owndata and resident._row_file is None
    assert mapped._row_file is not None
    query = embedder.embed_query("Why did Ukraine leave the Kanal district?")
    narrow = np.zeros(resident.size, dtype=np.float32)
    narrow[::3] = 1.0
    for mask in (np.ones(resident.size, dtype=np.float32), narrow):
        assert resident.dense(query, 8, mask) == mapped.dense(query, 8, mask)
    limit = RowIndexKeeper(seeded.config.index_dir, seeded._docstore, seeded._vectors,
                           resident_bytes=mapped.vectors.nbytes - 1).refresh()
    assert limit._row_file is not None, "a matrix over the limit stays on disk"


def _resident_kb(array: np.ndarray) -> int:
    """Kilobytes of the file mapping under this array that are resident in this process (/proc/self/smaps)."""
    address, inside = array.ctypes.data, False
    for line in open("/proc/self/smaps", encoding="utf-8"):
        fields = line.split()
        if "-" in fields[0] and len(fields) >= 5 and ":" in fields[3]:  # a mapping's header line
            start, end = (int(x, 16) for x in fields[0].split("-"))
            inside = start <= address < end
        elif inside and fields[0] == "Rss:":
            return int(fields[1])
    raise AssertionError("the array is not in a file mapping")


@pytest.mark.skipif(not Path("/proc/self/smaps").exists(), reason="needs Linux's /proc/self/smaps")
def test_searching_a_saved_snapshot_leaves_its_matrix_out_of_this_process(seeded, embedder):
    """At a million passages the matrix is 1.5 GB: searches read its rows without mapping them in."""
    rows = RowIndexKeeper(seeded.config.index_dir, seeded._docstore, seeded._vectors).refresh()  # from disk
    query = embedder.embed_query("shelling of Chasiv Yar")
    narrow = np.zeros(rows.size, dtype=np.float32)
    narrow[::5] = 1.0
    for mask in (np.ones(rows.size, dtype=np.float32), narrow):
        assert rows.dense(query, 5, mask)
    assert rows.vector(rows.ids[3]) is not None
    assert _resident_kb(rows.vectors) == 0
    np.asarray(rows.vectors).sum()  # the check can fail: reading through the mapping makes it resident
    assert _resident_kb(rows.vectors) > 0


def test_a_rebuild_reuses_unchanged_rows_and_fetches_changed_ones(tmp_path, corpus, embedder, gazetteer, fetched):
    fl = _frontline(tmp_path / "data", embedder, gazetteer)
    try:
        fl.ingest([corpus])
        before = fl._rows.current()
        assert sorted(fetched) == sorted(before.ids), "the first build fetches every vector"
        fetched.clear()

        changed = sorted(corpus.glob("*.txt"))[1]
        text = changed.read_text(encoding="utf-8")
        changed.write_text(text.replace("\n\n", "\n\nThe regional governor confirmed the report on Telegram.\n\n", 1),
                           encoding="utf-8")
        added = corpus / "zz_new.txt"
        added.write_text("date 2024-08-20\nUkrainian drones struck a fuel depot near Horlivka overnight, the "
                         "General Staff said.\n", encoding="utf-8")
        report = fl.ingest([corpus])
        assert report.articles_written == 2, report.summary()
        after = fl._rows.current()
        written = {pid for pid in after.ids if pid.rsplit("#", 1)[0] in set(report.written_ids)}
        assert written and sorted(fetched) == sorted(written), "only the rewritten and new passages are fetched"

        in_chroma = dict(zip(after.ids, fl._vectors.embeddings(list(after.ids))))
        for pid in after.ids:  # reused or fetched, every row holds the vector Chroma has for it
            assert np.array_equal(after.vector(pid), in_chroma[pid]), pid
        unchanged = [pid for pid in before.ids if pid not in written]
        assert unchanged and all(np.array_equal(after.vector(p), before.vector(p)) for p in unchanged)
        new_article = next(aid for aid, origin in fl._docstore.origins().items() if origin.endswith("zz_new.txt"))
        assert after.lexical("fuel depot Horlivka drones", 1)[0][0].startswith(new_article + "#")
    finally:
        fl.close()


def test_another_process_reuses_the_saved_rows(tmp_path, corpus, embedder, gazetteer, fetched):
    """A process that opens the store after another one's ingest takes the saved index's vectors."""
    data = tmp_path / "data"
    first = _frontline(data, embedder, gazetteer)
    first.ingest([corpus])
    first.close()
    fetched.clear()

    (corpus / "zz_new.txt").write_text("date 2024-08-21\nA bridge over the Siverskyi Donets near Raihorodok was "
                                       "destroyed, local officials said.\n", encoding="utf-8")
    second = _frontline(data, embedder, gazetteer)  # knows nothing in memory: its first snapshot is built now
    try:
        report = second.ingest([corpus])
        assert report.articles_written == 1, report.summary()
        rows = second._rows.current()
        new = [pid for pid in rows.ids if pid.startswith(report.written_ids[0])]
        assert new and sorted(fetched) == sorted(new)
        assert rows.size == len(second._docstore.passage_ids())
    finally:
        second.close()


def _saved_index(data: Path, corpus: Path, embedder, gazetteer) -> Path:
    """Ingest the corpus in one process and close it: the folder of the row index it saved."""
    first = _frontline(data, embedder, gazetteer)
    first.ingest([corpus])
    first.close()
    (folder,) = (data / "index").glob("g*")
    return folder


def test_an_index_saved_without_row_keys_loads_and_the_next_rebuild_fetches_everything(
        tmp_path, corpus, embedder, gazetteer, fetched):
    data = tmp_path / "data"
    folder = _saved_index(data, corpus, embedder, gazetteer)
    (folder / "keys.npy").unlink()  # as saved before row keys existed
    fetched.clear()
    second = _frontline(data, embedder, gazetteer)
    try:
        rows = second._rows.current()
        assert rows.keys is None and not fetched, "the old index was not loaded as it is"
        assert second.ask("What happened in Chasiv Yar?").citations
        (corpus / "zz_new.txt").write_text("date 2024-08-22\nShelling hit Kostiantynivka overnight.\n", encoding="utf-8")
        second.ingest([corpus])
        assert sorted(fetched) == sorted(second._rows.current().ids), "rows without keys cannot be trusted"
    finally:
        second.close()


def test_an_index_saved_in_an_older_format_is_rebuilt_at_load_with_its_vectors_reused(
        tmp_path, corpus, embedder, gazetteer, fetched):
    import json

    data = tmp_path / "data"
    rows_file = _saved_index(data, corpus, embedder, gazetteer) / "rows.json"
    saved = json.loads(rows_file.read_text())
    del saved["format"]  # as saved before BM25 indexed the titles' words
    rows_file.write_text(json.dumps(saved))
    fetched.clear()
    second = _frontline(data, embedder, gazetteer)
    try:
        rows = second._rows.current()
        assert json.loads(rows_file.read_text()).get("format") == row_index._FORMAT, "rebuilt and saved again"
        assert not fetched, "the vectors came from the old index, not from Chroma"
        assert rows.size == len(second._docstore.passage_ids())
    finally:
        second.close()


def test_several_masks_from_one_pass_find_what_each_mask_finds_alone(seeded, embedder):
    rows = seeded._rows.current()
    query = embedder.embed_query("Russian attacks near Toretsk")
    a = np.zeros(rows.size, dtype=np.float32)
    a[::2] = 1.0
    b = np.zeros(rows.size, dtype=np.float32)
    b[:10] = 1.0
    c = np.zeros(rows.size, dtype=np.float32)   # a mask that keeps nothing
    sets = [np.flatnonzero(m) for m in (a, b, c)]
    assert rows.dense_in(query, 5, sets) == [rows.dense(query, 5, m) for m in (a, b, c)]
    both = rows.lexical_in("Toretsk attacks", 5, [None, *sets[:2]])
    assert both == [rows.lexical("Toretsk attacks", 5, m) for m in (None, a, b)]
    assert both[0] and all(rows.allows(pid, a) for pid, _ in both[1])


def test_the_passages_containing_a_word_are_read_from_the_lexical_index(seeded):
    rows = seeded._rows.current()
    ids = rows.ids_containing(qs.stem("Toretsk"), 50)
    texts = [p.text for p in seeded._docstore.passages(ids).values()]
    assert texts and all("toretsk" in t.lower() for t in texts)
    assert len(rows.ids_containing(qs.stem("Toretsk"), 1)) == 1
    assert rows.ids_containing("nosuchwordanywhere", 5) == []
