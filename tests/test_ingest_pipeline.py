"""The ingest pipeline: reading and building overlap with encoding, memory stays bounded, errors in any
stage stop the others and reach the caller, and what was committed before an error is consistent.

Real stores and the real encoder; the encoder is wrapped (delegating to it) only to record when it runs
or to make it slow, and one test makes Chroma's write fail once.
"""
from __future__ import annotations

import json
import threading
import time

import pytest

import retrieval.ingest as ingest_mod
from retrieval.errors import StoreUnavailable
from retrieval.vector_index import VectorIndex
from tests.conftest import SEEDS, make_settings

SENTENCES = [
    "Russian forces shelled Kupiansk overnight, the regional governor said on Telegram.",
    "Ukrainian troops repelled an assault near Chasiv Yar, the General Staff reported.",
    "A drone attack damaged energy infrastructure in Kharkiv, officials said.",
    "Residents of Toretsk were evacuated as fighting moved closer to the town centre.",
    "The IAEA said the Zaporizhzhia nuclear plant lost external power for several hours.",
]


@pytest.fixture
def corpus(tmp_path):
    """60 short dated articles of one to three paragraphs (one or two passages each)."""
    path = tmp_path / "items.jsonl"
    with path.open("w", encoding="utf-8") as f:
        for i in range(60):
            text = "\n\n".join(f"Item {i}, part {k}. " + " ".join(SENTENCES[(i + k + j) % len(SENTENCES)] for j in range(3))
                                 for k in range(1 + i % 3))
            f.write(json.dumps({"id": f"n{i:03d}", "date": f"2024-03-{1 + i % 28:02d}", "title": f"Report {i}",
                                "text": text}) + "\n")
    return path


class Recorder:
    """The real embedder, recording each embed_passages call's start and end (and slowed if asked)."""

    def __init__(self, embedder, delay: float = 0.0) -> None:
        self._embedder, self.delay = embedder, delay
        self.calls: list[tuple[float, float, int]] = []
        self.model_name = embedder.model_name

    def warm_up(self) -> None:
        self._embedder.warm_up()

    def embed_query(self, text):
        return self._embedder.embed_query(text)

    def embed_passages(self, texts):
        started = time.perf_counter()
        out = self._embedder.embed_passages(texts)
        time.sleep(self.delay)
        self.calls.append((started, time.perf_counter(), len(texts)))
        return out


def _frontline(tmp_path, embedder, gazetteer, name="data"):
    from retrieval.service import Frontline

    return Frontline(make_settings(tmp_path / name).retrieval_config(), embedder=embedder, gazetteer=gazetteer)


def _no_ingest_threads() -> bool:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if not [t for t in threading.enumerate() if t.name.startswith("ingest-")]:
            return True
        time.sleep(0.05)
    return False


def test_articles_are_built_while_the_encoder_runs(tmp_path, corpus, embedder, gazetteer, monkeypatch):
    monkeypatch.setattr(ingest_mod, "FLUSH_PASSAGES", 8)
    built: list[float] = []
    real_build = ingest_mod.build_article

    def build(raw, gaz):
        built.append(time.perf_counter())
        return real_build(raw, gaz)

    monkeypatch.setattr(ingest_mod, "build_article", build)
    recorder = Recorder(embedder, delay=0.05)
    fl = _frontline(tmp_path, recorder, gazetteer)
    try:
        report = fl.ingest([corpus])
    finally:
        fl.close()
    assert report.articles == 60 and report.passages_embedded == report.passages >= 60
    assert len(recorder.calls) >= 8
    during = [t for t in built if any(start < t < end for start, end, _n in recorder.calls)]
    assert during, "no article was built while a batch was being embedded"
    assert _no_ingest_threads()


def test_the_reader_stays_a_bounded_distance_ahead_of_the_writer(tmp_path, corpus, embedder, gazetteer,
                                                                   monkeypatch):
    """A slow encoder: the reader must wait for it, not read the whole corpus into memory."""
    monkeypatch.setattr(ingest_mod, "FLUSH_PASSAGES", 4)
    built, written, ahead = [0], [0], []
    real_build = ingest_mod.build_article

    def build(raw, gaz):
        article = real_build(raw, gaz)
        built[0] += len(article.passages)
        ahead.append(built[0] - written[0])
        return article

    real_write = ingest_mod._write

    def write(articles, *args, **kwargs):
        real_write(articles, *args, **kwargs)
        written[0] += sum(len(a.passages) for a in articles)

    monkeypatch.setattr(ingest_mod, "build_article", build)
    monkeypatch.setattr(ingest_mod, "_write", write)
    fl = _frontline(tmp_path, Recorder(embedder, delay=0.1), gazetteer)
    try:
        report = fl.ingest([corpus])
    finally:
        fl.close()
    total = report.passages
    assert report.passages_embedded == total == written[0] >= 60
    # queued batches + one being built, one being encoded, one waiting for the writer, one being written;
    # a batch closes at FLUSH_PASSAGES or just above it (an article has at most 3 passages here)
    bound = (ingest_mod.QUEUED_BATCHES + 4) * (4 + 2)
    assert max(ahead) <= bound, f"the reader got {max(ahead)} passages ahead of the writer (bound {bound})"
    assert max(ahead) <= total // 2, "the reader was not held back by the encoder"


def test_a_failed_store_write_stops_the_ingest_and_a_rerun_completes_it(tmp_path, corpus, embedder, gazetteer,
                                                                         monkeypatch):
    monkeypatch.setattr(ingest_mod, "FLUSH_PASSAGES", 8)
    real_add = VectorIndex.add
    calls = {"n": 0}

    def add(self, passages, embeddings):
        calls["n"] += 1
        if calls["n"] == 3:
            raise StoreUnavailable("connection refused (injected)")
        real_add(self, passages, embeddings)

    monkeypatch.setattr(VectorIndex, "add", add)
    fl = _frontline(tmp_path, embedder, gazetteer)
    try:
        with pytest.raises(StoreUnavailable):
            fl.ingest([corpus])
        assert _no_ingest_threads(), "an ingest thread outlived the failed ingest"
        committed = fl._docstore.passage_ids()
        assert 0 < len(committed) < 60, "the batches before the failure were not committed"
        assert committed <= fl._vectors.ids(), "a committed passage has no vector"
        monkeypatch.setattr(VectorIndex, "add", real_add)
        again = fl.ingest([corpus])
        assert again.articles == 60 and again.passages > len(committed)
        assert again.passages_embedded == again.passages - len(committed)
        assert fl._vectors.ids() == fl._docstore.passage_ids()
    finally:
        fl.close()


def test_an_error_while_reading_reaches_the_caller_and_stops_the_writer(tmp_path, corpus, embedder, gazetteer,
                                                                        monkeypatch):
    monkeypatch.setattr(ingest_mod, "FLUSH_PASSAGES", 8)
    real_build = ingest_mod.build_article
    count = {"n": 0}

    def build(raw, gaz):
        count["n"] += 1
        if count["n"] == 30:
            raise MemoryError("injected while building article 30")
        return real_build(raw, gaz)

    monkeypatch.setattr(ingest_mod, "build_article", build)
    fl = _frontline(tmp_path, embedder, gazetteer)
    try:
        with pytest.raises(MemoryError, match="article 30"):
            fl.ingest([corpus])
        assert _no_ingest_threads()
        stored = {pid.split("#")[0] for pid in fl._docstore.passage_ids()}
        assert stored and stored <= {f"n{i:03d}" for i in range(29)}
        assert fl._vectors.ids() >= fl._docstore.passage_ids()
    finally:
        fl.close()


def test_an_encoder_error_stops_the_reader(tmp_path, embedder, gazetteer, monkeypatch):
    monkeypatch.setattr(ingest_mod, "FLUSH_PASSAGES", 8)

    class Failing(Recorder):
        def embed_passages(self, texts):
            if self.calls:
                raise RuntimeError("the encoder failed")
            return super().embed_passages(texts)

    fl = _frontline(tmp_path, Failing(embedder), gazetteer)
    try:
        with pytest.raises(RuntimeError, match="encoder failed"):
            fl.ingest([SEEDS])
        assert _no_ingest_threads()
        assert fl._vectors.ids() >= fl._docstore.passage_ids()
    finally:
        fl.close()
