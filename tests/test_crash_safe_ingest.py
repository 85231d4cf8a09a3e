"""Crash safety of ingest: `kill -9` at several moments, then a clean re-run, must leave exactly what one
clean ingest leaves (same articles, same passage ids and texts, Chroma ids == docstore ids, BM25 in step);
and a corrupt or missing BM25 index is rebuilt from the store.

The killed ingests are real subprocesses (`python -m retrieval ingest --json`, or the same CLI through
tests/_ingest_child.py, which flushes every 20 passages so a small corpus has many commits, and can
SIGKILL itself right after a Chroma write). They run in parallel to keep the wall time down; the
reference and the re-runs are in-process with the session's embedder.
"""
from __future__ import annotations

import json
import logging
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import ROOT, RUWA, SEEDS, make_config

RUWA_ITEMS = 120
FLUSH = "20"
START_TIMEOUT = 240.0   # model load on a busy machine
QUESTION = "Why did Ukraine leave the Kanal district?"


# ------------------------------------------------------------------------------------------ helpers
@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> list[Path]:
    if not RUWA.exists():
        pytest.skip(f"the RUWA test corpus is absent ({RUWA}); the crash test needs a few seconds of ingest work")
    folder = tmp_path_factory.mktemp("corpus")
    out = folder / "ruwa_part.jsonl"
    lines = []
    with RUWA.open(encoding="utf-8") as f:
        for line in f:
            if json.loads(line).get("text", "").strip():
                lines.append(line)
            if len(lines) >= RUWA_ITEMS:
                break
    out.write_text("".join(lines), encoding="utf-8")
    return [out, SEEDS]


def _frontline(data_dir: Path, embedder, gazetteer):
    from retrieval.service import Frontline

    return Frontline(make_config(data_dir), embedder=embedder, gazetteer=gazetteer)


def _snapshot(fl) -> dict:
    """Everything a clean ingest determines, in comparable form; checks the stores agree on the way."""
    from retrieval.row_index import RowIndexKeeper

    q = fl._docstore._query
    articles = q("SELECT article_id, origin, content_hash, body, title, date, date_int, date_precision, "
                 "date_inferred, date_cue, source, url FROM articles ORDER BY article_id")
    passages = q('SELECT id, article_id, seq, start, "end", text, places, sectors FROM passages ORDER BY id')
    tags = q("SELECT passage_id, name FROM passage_places ORDER BY passage_id, name")
    ids = [p[0] for p in passages]
    assert len(ids) == len(set(ids))

    got = fl._vectors._call("get", lambda c: c.get(include=["documents", "metadatas", "embeddings"]))
    chroma_ids = list(got["ids"])
    assert len(chroma_ids) == len(set(chroma_ids)) == fl._vectors.ping(), "doubled vectors in Chroma"
    assert set(chroma_ids) == set(ids), (
        f"Chroma and docstore disagree: {len(set(chroma_ids) - set(ids))} orphan vectors, "
        f"{len(set(ids) - set(chroma_ids))} passages without a vector"
    )
    texts = {p[0]: p[5] for p in passages}
    chroma = {}
    for pid, doc, meta, emb in zip(chroma_ids, got["documents"], got["metadatas"], got["embeddings"]):
        assert doc == texts[pid]
        chroma[pid] = (doc, tuple(sorted(meta.items())), np.asarray(emb, dtype=np.float32))

    rows = RowIndexKeeper(fl.config.index_dir, fl._docstore, fl._vectors).refresh()  # what a restart loads
    assert len(rows.ids) == len(set(rows.ids)) and sorted(rows.ids) == ids, "row index out of step"
    assert rows.generation == fl._docstore.generation()
    assert not fl._docstore.ingest_unfinished()
    for row, pid in enumerate(rows.ids):
        assert np.allclose(rows.vectors[row], chroma[pid][2], atol=1e-6), f"row vector of {pid} is not Chroma's"
    folders = sorted(p.name for p in fl.config.index_dir.iterdir())
    assert folders == [f"g{rows.generation}"], f"leftover index folders: {folders}"
    for p in fl._docstore.passages(ids).values():
        assert fl._docstore.article_body(p.article_id)[p.start:p.end] == p.text
    return {"articles": articles, "passages": passages, "tags": tags, "chroma": chroma}


def _assert_same(got: dict, want: dict, label: str) -> None:
    for key in ("articles", "passages", "tags"):
        if got[key] != want[key]:
            g, w = set(got[key]), set(want[key])
            pytest.fail(f"{label}: {key} differ: {len(g - w)} extra, {len(w - g)} missing, "
                        f"e.g. extra {sorted(g - w)[:2]!r:.300} missing {sorted(w - g)[:2]!r:.300}")
    assert got["chroma"].keys() == want["chroma"].keys(), label
    for pid, (doc, meta, emb) in want["chroma"].items():
        gdoc, gmeta, gemb = got["chroma"][pid]
        assert (gdoc, gmeta) == (doc, meta), f"{label}: Chroma record {pid} differs"
        assert np.allclose(gemb, emb, atol=1e-3), f"{label}: vector of {pid} differs"


@dataclass
class Kill:
    name: str
    delay: float | None = None          # seconds after the trigger below (by default: the Chroma dir appears,
                                        # i.e. the model is loaded, reconcile has run and writing starts)
    after_commits: int = 0              # trigger: this many docstore commits have been made
    on_chroma_write: bool = False       # kill as soon as Chroma's files change after the first commit
    kill_after_add: int = 0             # the child kills itself right after its K-th Chroma write
    plain_cli: bool = False             # `python -m retrieval` itself, no hooks
    data_dir: Path = field(default=None)  # type: ignore[assignment]
    returncode: int | None = None
    commits_at_kill: int | None = None
    error: str = ""
    stderr: str = ""


def _env(data_dir: Path, kill: Kill, models: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FRONTLINE_", "DISCORD_"))}
    env.update(FRONTLINE_DATA_DIR=str(data_dir), HF_HUB_OFFLINE="1", ANONYMIZED_TELEMETRY="False",
               TOKENIZERS_PARALLELISM="false", PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1",
               FRONTLINE_EMBED_CACHE_DIR=str(models))  # the session's ONNX export: no export per process
    if not kill.plain_cli:
        env["FRONTLINE_TEST_FLUSH"] = FLUSH
    if kill.kill_after_add:
        env["FRONTLINE_TEST_KILL_AFTER_ADD"] = str(kill.kill_after_add)
    return env


def _commits(data_dir: Path) -> int:
    """Docstore commits so far, read from outside: every flush commits at least FLUSH passages at once
    (the generation no longer counts them: it moves once per ingest)."""
    db = data_dir / "frontline.sqlite3"
    if not db.exists():
        return 0
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.2)
        try:
            (passages,), = conn.execute("SELECT COUNT(*) FROM passages").fetchall()
        finally:
            conn.close()
        return passages // int(FLUSH)
    except sqlite3.Error:
        return 0


def _chroma_state(chroma_dir: Path) -> dict:
    state = {}
    for p in chroma_dir.rglob("*"):
        try:
            st = p.stat()
            state[str(p)] = (st.st_mtime_ns, st.st_size)
        except OSError:
            pass
    return state


def _run_and_kill(kill: Kill, corpus: list[Path], models: Path) -> None:
    module = "retrieval" if kill.plain_cli else "tests._ingest_child"
    cmd = [sys.executable, "-m", module, "ingest", "--json", *map(str, corpus)]
    cwd = kill.data_dir.parent  # no .env there
    proc = subprocess.Popen(cmd, cwd=cwd, env=_env(kill.data_dir, kill, models), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True)
    try:
        chroma_dir = kill.data_dir / "chroma"
        deadline = time.monotonic() + START_TIMEOUT
        if kill.kill_after_add:
            proc.wait(timeout=START_TIMEOUT + 120)
        else:
            while not chroma_dir.exists():  # model loaded, reconcile has run: writing starts now
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the ingest never started writing")
                time.sleep(0.02)
            while _commits(kill.data_dir) < kill.after_commits:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"fewer than {kill.after_commits} commits before the ingest ended")
                time.sleep(0.01)
            if kill.delay is not None:
                time.sleep(kill.delay)
            elif kill.on_chroma_write:
                while _commits(kill.data_dir) < 1:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError("no commit seen before the ingest ended")
                    time.sleep(0.02)
                before = _chroma_state(chroma_dir)
                while _chroma_state(chroma_dir) == before:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError("no Chroma write seen before the ingest ended")
                    time.sleep(0.005)
            kill.commits_at_kill = _commits(kill.data_dir)
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
            if kill.commits_at_kill is None:
                kill.commits_at_kill = _commits(kill.data_dir)
    except Exception as exc:  # reported by the test, after every process is gone
        kill.error = f"{type(exc).__name__}: {exc}"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)
        kill.returncode = proc.returncode
        kill.stderr = proc.stderr.read().decode(errors="replace")[-1500:] if proc.stderr else ""
        if kill.commits_at_kill is None:
            kill.commits_at_kill = _commits(kill.data_dir)
        for stream in (proc.stdout, proc.stderr):
            if stream:
                stream.close()


# ------------------------------------------------------------------------------------------ tests
def test_kill_9_at_any_moment_then_rerun_equals_one_clean_ingest(tmp_path, corpus, embedder, gazetteer):
    kills = [
        Kill("cli, 0.5 s into writing (one flush: mid-embedding)", delay=0.5, plain_cli=True),
        # soon after: with the ONNX lanes the rest of this corpus can take under a second to ingest
        Kill("0.25 s after the 2nd docstore commit", after_commits=2, delay=0.25),
        Kill("during a Chroma write after the first commit", on_chroma_write=True),
        Kill("right after the 2nd Chroma write, before its docstore commit", kill_after_add=2),
    ]
    for i, kill in enumerate(kills):
        kill.data_dir = tmp_path / f"kill{i}" / "data"
        kill.data_dir.parent.mkdir(parents=True)
    threads = [threading.Thread(target=_run_and_kill, args=(k, corpus, embedder.cache_dir), daemon=True)
               for k in kills]
    for t in threads:
        t.start()
    t0 = time.monotonic()
    try:
        reference = _frontline(tmp_path / "reference", embedder, gazetteer)  # meanwhile, a clean ingest
        report = reference.ingest(corpus)
        assert not report.skipped and report.articles == RUWA_ITEMS + 5, report.summary()
        want = _snapshot(reference)
        assert len(want["passages"]) > RUWA_ITEMS
        assert not reference.ask(QUESTION).abstained
        reference.close()
        print(f"reference {time.monotonic() - t0:.1f}s")
    finally:
        for t in threads:
            t.join(timeout=START_TIMEOUT + 180)
    assert not any(t.is_alive() for t in threads), "a killed ingest did not end"
    print(f"kills done {time.monotonic() - t0:.1f}s")

    for kill in kills:
        assert not kill.error, f"{kill.name}: {kill.error}\n{kill.stderr}"
        assert kill.returncode == -signal.SIGKILL, (
            f"{kill.name}: the ingest was not killed mid-way (exit {kill.returncode}); a bigger corpus is needed"
            f"\n{kill.stderr}"
        )
    # the deterministic crash window really was hit: vectors Chroma has and the docstore does not
    window = _frontline(kills[-1].data_dir, embedder, gazetteer)
    orphans = window._vectors.ids() - window._docstore.passage_ids()
    assert orphans, "the self-kill after a Chroma write left no orphan vectors"
    window.close()
    assert any(k.commits_at_kill for k in kills), "no kill came after a docstore commit"

    print("\n".join(f"{k.name}: exit {k.returncode}, commits at kill {k.commits_at_kill}" for k in kills))
    for kill in kills:
        fl = _frontline(kill.data_dir, embedder, gazetteer)
        rerun = fl.ingest(corpus)
        assert not rerun.skipped and rerun.articles == RUWA_ITEMS + 5, f"{kill.name}: {rerun.summary()}"
        _assert_same(_snapshot(fl), want, kill.name)
        again = fl.ingest(corpus)
        assert again.passages_embedded == 0 and again.articles_unchanged == RUWA_ITEMS + 5, kill.name
        answer = fl.ask(QUESTION)
        assert not answer.abstained and answer.citations, kill.name
        fl.close()
        print(f"rerun {kill.name}: embedded {rerun.passages_embedded} at {time.monotonic() - t0:.1f}s")


# ------------------------------------------------------------------------------------- row index damage
def _garble(path: Path) -> None:
    data = path.read_bytes()
    mid = len(data) // 2
    path.write_bytes(data[:mid] + b"\x00\xff{garbage]\x00" + data[mid + 12:])


DAMAGE = {
    "rows garbled": lambda d: (d / "rows.json").write_text("{not json"),
    "rows truncated": lambda d: (d / "rows.json").write_bytes((d / "rows.json").read_bytes()[:20]),
    "vectors truncated": lambda d: (d / "vectors.npy").write_bytes((d / "vectors.npy").read_bytes()[:200]),
    "vectors missing": lambda d: (d / "vectors.npy").unlink(),
    "vocab truncated": lambda d: (d / "vocab.index.json").write_bytes(b""),
    "vocab garbled": lambda d: _garble(d / "vocab.index.json"),
    "params garbled": lambda d: (d / "params.index.json").write_text("]]"),
    "matrix truncated": lambda d: (d / "data.csc.index.npy").write_bytes(
        (d / "data.csc.index.npy").read_bytes()[:40]),
    "indices file missing": lambda d: (d / "indices.csc.index.npy").unlink(),
    "vocab file missing": lambda d: (d / "vocab.index.json").unlink(),
}


@pytest.fixture(scope="module")
def ingested_dir(tmp_path_factory, embedder, gazetteer):
    data = tmp_path_factory.mktemp("bm25") / "data"
    fl = _frontline(data, embedder, gazetteer)
    fl.ingest([SEEDS])
    fl.close()
    return data


@pytest.fixture
def damaged_copy(ingested_dir, tmp_path):
    import shutil

    data = tmp_path / "data"
    shutil.copytree(ingested_dir, data)
    return data


def _index_folder(data: Path) -> Path:
    (folder,) = (data / "index").glob("g*")
    return folder


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_corrupt_row_index_is_rebuilt_with_a_warning(damage, damaged_copy, embedder, gazetteer, caplog):
    DAMAGE[damage](_index_folder(damaged_copy))
    fl = _frontline(damaged_copy, embedder, gazetteer)
    try:
        with caplog.at_level(logging.WARNING, logger="retrieval.row_index"):
            answer = fl.ask(QUESTION)
        assert not answer.abstained and answer.citations
        warnings = [r for r in caplog.records if r.levelno >= logging.WARNING and r.name == "retrieval.row_index"]
        assert warnings and "rebuild" in warnings[0].getMessage().lower(), [r.getMessage() for r in caplog.records]
        rows = fl._rows.current()
        assert sorted(rows.ids) == sorted(fl._docstore.passage_ids())
        assert rows.lexical("Kanal micro-district Chasiv Yar", 5), "the rebuilt index finds nothing"
        _assert_index_on_disk_is_good(fl, caplog)
    finally:
        fl.close()


@pytest.mark.parametrize("how", ["folder missing", "stale generation"])
def test_a_missing_or_stale_row_index_is_rebuilt(how, damaged_copy, embedder, gazetteer, caplog):
    import shutil

    folder = _index_folder(damaged_copy)
    if how == "folder missing":
        shutil.rmtree(folder)
    else:
        rows = json.loads((folder / "rows.json").read_text())
        rows["generation"] -= 1
        (folder / "rows.json").write_text(json.dumps(rows))
    fl = _frontline(damaged_copy, embedder, gazetteer)
    try:
        answer = fl.ask(QUESTION)
        assert not answer.abstained and answer.citations
        assert sorted(fl._rows.current().ids) == sorted(fl._docstore.passage_ids())
        _assert_index_on_disk_is_good(fl, caplog)
    finally:
        fl.close()


def _assert_index_on_disk_is_good(fl, caplog) -> None:
    """The rebuilt index was saved: a fresh load reads it without another warning."""
    from retrieval.row_index import RowIndexKeeper

    caplog.clear()
    again = RowIndexKeeper(fl.config.index_dir, fl._docstore, fl._vectors)
    with caplog.at_level(logging.WARNING, logger="retrieval.row_index"):
        loaded = again._load(fl._docstore.generation())
    assert loaded is not None, "the rebuilt index was not saved"
    assert not caplog.records
    assert loaded.ids == fl._rows.current().ids
