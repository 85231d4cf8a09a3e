"""Questions on many threads while an ingest runs: no error, every search reads one consistent row-index
snapshot, and readers see the change once, when the ingest is over (one rebuild, one generation)."""
from __future__ import annotations

import threading
import time

import pytest

import retrieval.ingest as ingest_module
from retrieval.row_index import RowIndex, RowIndexKeeper
from retrieval.service import Frontline
from tests.conftest import SEEDS, make_config

QUESTIONS = ["Why did Ukraine leave the Kanal district?", "What happened near Pokrovsk in August 2024?",
             "How many attacks were repelled near Toretsk?", "What is the latest from Chasiv Yar?"]


def _articles(folder, n: int) -> None:
    folder.mkdir()
    for i in range(n):
        day = 1 + i % 28
        (folder / f"pokrovsk-{i:03d}.txt").write_text(
            f"date 2024-08-{day:02d}\n"
            f"Russian troops attacked positions east of Pokrovsk for the {i + 1}th time this month, the "
            f"regional administration said. Report number {i} counted {10 + i} shells on the town overnight.\n\n"
            f"Engineers of brigade {100 + i} built new fortifications on the road to Myrnohrad.\n",
            encoding="utf-8")


def _check_snapshot(rows: RowIndex) -> None:
    assert len(rows.ids) == rows.dates.size == rows.vectors.shape[0] == len(rows.row_of)
    for name, found in rows.name_rows.items():
        assert found.size == 0 or found.max() < rows.size, name


@pytest.fixture
def busy_frontline(tmp_path, embedder, gazetteer):
    frontline = Frontline(make_config(tmp_path / "data"), embedder=embedder, gazetteer=gazetteer)
    frontline.ingest([SEEDS])
    yield frontline
    frontline.close()


def test_many_threads_ask_while_an_ingest_runs(busy_frontline, tmp_path, monkeypatch):
    frontline = busy_frontline
    _articles(tmp_path / "more", 60)
    monkeypatch.setattr(ingest_module, "FLUSH_PASSAGES", 8)  # many commits during this ingest

    builds: list[int] = []
    original_build = RowIndexKeeper._build

    def counting_build(self, generation):
        builds.append(generation)
        return original_build(self, generation)

    monkeypatch.setattr(RowIndexKeeper, "_build", counting_build)

    used = threading.local()
    original_current = frontline._rows.current

    def recording_current():
        used.snapshot = original_current()
        return used.snapshot

    monkeypatch.setattr(frontline._rows, "current", recording_current)

    generation_before = frontline._docstore.generation()
    done = threading.Event()
    errors: list[BaseException] = []
    searches = [0]

    def reader(n: int) -> None:
        try:
            while not done.is_set():
                question = QUESTIONS[(searches[0] + n) % len(QUESTIONS)]
                hits = frontline.search(question, k=5)
                snapshot = used.snapshot
                _check_snapshot(snapshot)
                outside = [h.passage.id for h in hits if h.passage.id not in snapshot.row_of]
                assert outside == [], f"hits from outside the snapshot the search read: {outside}"
                answer = frontline.ask(question)
                assert all(frontline.verify_citation(c) for c in answer.citations)
                searches[0] += 1
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=reader, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    try:
        time.sleep(0.5)
        report = frontline.ingest([SEEDS, tmp_path / "more"])
        time.sleep(0.5)
    finally:
        done.set()
        for t in threads:
            t.join(60)
    assert not errors, repr(errors[0])
    assert searches[0] >= 8, "the readers hardly ran"
    assert report.articles_written == 60 and report.passages_embedded >= 60
    assert frontline._docstore.generation() == generation_before + 1, "the generation moves once per ingest"
    assert builds == [generation_before + 1], f"row index builds during one ingest: {builds}"
    after = frontline.search("fortifications on the road to Myrnohrad built by engineers", k=3)
    assert any(h.passage.article_id.startswith("pokrovsk-") for h in after)


def test_an_unchanged_reingest_moves_nothing(busy_frontline):
    generation = busy_frontline._docstore.generation()
    report = busy_frontline.ingest([SEEDS])
    assert report.passages_embedded == 0 and not report.changed
    assert busy_frontline._docstore.generation() == generation
