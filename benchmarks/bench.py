"""Ingest throughput, re-ingest cost, warm `ask` latency, peak memory and store size, on three corpora;
and the encoder alone, torch against ONNX.

    .venv/bin/python -m benchmarks.bench [--sizes encoder,seeds,ruwa,ruwa10,ruwa1m] [--quick] [--int8]

Every corpus runs in a fresh subprocess (so its peak resident memory is its own) with its store under
/tmp; the parent collects the results and writes BENCHMARKS.md and benchmarks/latency_memory.png.

Corpora
  encoder not a corpus: benchmarks/encoder.py on 2,000 RUWA passages (torch vs ONNX passages/s, one query,
          agreement, gold-set score; with --int8 also the int8-quantized model)
  seeds   the five seed articles (seeds/)
  ruwa    /work/shared/corpus/ruwa.jsonl, 16,351 news items (read in place, never copied)
  ruwa2k  its first 2,000 items (used by --quick)
  ruwa10  ×10 synthetic: the real items plus 9 derived copies (ids syn{k}-{id}, dates + k*37 days,
          sentences recombined with other items), written as JSON lines under /tmp; their vectors are
          the real vector of the source passage plus seeded noise, renormalised, written straight
          through Docstore.replace_articles + VectorIndex.add + the row index refresh, so the run tests
          storage and search, not hours of encoding. Re-ingest then goes through Frontline.ingest.
  ruwa1m  ×62 synthetic (1,013,762 items, ≥ 1M passages), derived the same way (its first ten copies
          are ruwa10's) and streamed into the stores by benchmarks/scale.py (about an hour here).
  For ruwa10 and ruwa1m, benchmarks/serve.py then measures a fresh serving process on the store: ask
  p50/p95 against one torch query embedding, and its peak memory (the issue-12 targets).

Frontline embeds with its default backend (ONNX Runtime; the export is cached under /tmp across corpora).
Baselines, in the same process, with one SentenceTransformer on torch loaded after Frontline's timings:
  raw     SentenceTransformer.encode of the same passage texts, batch_size = settings.embed_batch_size
  query   SentenceTransformer.encode of one question: the torch query embedding the ask targets refer to
  llama   llama-index VectorStoreIndex.from_documents + ChromaVectorStore over the same documents
          (one Document per article, its raw text and date/title/source/url metadata), our model
          wrapped in a BaseEmbedding with the same batch size; everything else llama-index's defaults
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from benchmarks.common import (  # first: it sets the offline environment defaults
    QUESTIONS, ROOT, RUWA, SEEDS, SYN_COPIES, SYN_NOISE, SYN_SHIFT_DAYS, WARMUP, cached_vectors, latencies, log,
    derived_vectors, pct, peak_rss_mb, save_vectors, settings_for, verdict, write_synthetic,
)

OUT_MD = ROOT / "BENCHMARKS.md"
OUT_PNG = ROOT / "benchmarks" / "latency_memory.png"
LLAMA_SYNTH_LIMIT = 60_000   # above this many passages the llama-index ingest is skipped (too slow)

TARGETS = {
    "ingest_vs_raw": 1.8,        # Frontline ingest passages/s ÷ raw torch encode passages/s ≥
    "ingest_vs_llama": 1.5,      # Frontline ingest ÷ llama-index from_documents (same documents) ≥
    "reingest_pct": 2.0,         # re-ingest of an unchanged corpus, % of the first ingest ≤
    "ask_vs_embed": 1.0,         # ask p50 ÷ one torch query embedding p50 ≤ (at 170k passages)
    "ask95_vs_embed": 3.0,       # ask p95 ÷ one torch query embedding p50 ≤ (at 170k passages)
}



# ============================================================================================ helpers
def _now() -> float:
    return time.perf_counter()


def _maxrss_mb() -> float:
    return peak_rss_mb()


def _rss_mb() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 2**20


def _du_mb(path: Path) -> float:
    out = subprocess.run(["du", "-sb", str(path)], capture_output=True, text=True, check=True).stdout
    return int(out.split()[0]) / 2**20


def raw_encode(model, texts: list[str], batch_size: int) -> float:
    started = _now()
    model.encode(texts, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True,
                 show_progress_bar=False)
    return _now() - started


def _llama_embedding(model, batch_size: int):
    from llama_index.core.embeddings import BaseEmbedding
    from pydantic import PrivateAttr

    class STEmbedding(BaseEmbedding):
        _model: object = PrivateAttr()

        def __init__(self, st_model, **kw):
            super().__init__(**kw)
            self._model = st_model

        def _enc(self, texts):
            return self._model.encode(list(texts), batch_size=batch_size, normalize_embeddings=True,
                                      convert_to_numpy=True, show_progress_bar=False).tolist()

        def _get_query_embedding(self, query: str):
            return self._enc([query])[0]

        async def _aget_query_embedding(self, query: str):
            return self._get_query_embedding(query)

        def _get_text_embedding(self, text: str):
            return self._enc([text])[0]

        def _get_text_embeddings(self, texts):
            return self._enc(texts)

    return STEmbedding(model, model_name="all-MiniLM-L6-v2", embed_batch_size=batch_size)


def _llama_store(path: Path):
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from llama_index.core import StorageContext
    from llama_index.vector_stores.chroma import ChromaVectorStore

    client = chromadb.PersistentClient(path=str(path), settings=ChromaSettings(anonymized_telemetry=False))
    collection = client.get_or_create_collection("llama")
    return StorageContext.from_defaults(vector_store=ChromaVectorStore(chroma_collection=collection))


def llama_documents(corpus: Path) -> list:
    from llama_index.core import Document

    from retrieval.sources import RawArticle, iter_sources

    return [Document(text=r.text, id_=r.article_id, metadata=dict(r.meta))
            for r in iter_sources([corpus]) if isinstance(r, RawArticle)]


def llama_ingest(model, batch_size: int, corpus: Path, store_dir: Path):
    from llama_index.core import VectorStoreIndex

    docs = llama_documents(corpus)
    embed = _llama_embedding(model, batch_size)
    started = _now()
    index = VectorStoreIndex.from_documents(docs, storage_context=_llama_store(store_dir), embed_model=embed)
    seconds = _now() - started
    nodes = index.vector_store._collection.count()
    return index, seconds, len(docs), nodes


def llama_index_from_vectors(model, batch_size: int, articles_vectors, store_dir: Path):
    """A llama-index over precomputed vectors (the synthetic corpus): nodes carry their embedding."""
    from llama_index.core import VectorStoreIndex
    from llama_index.core.schema import TextNode

    nodes = []
    for art, vecs in articles_vectors:
        for p, v in zip(art.passages, vecs):
            meta = {k: v2 for k, v2 in (("date", art.date), ("title", art.title), ("source", art.source),
                                        ("url", art.url)) if v2}
            nodes.append(TextNode(text=p.text, id_=p.id, metadata=meta, embedding=v.tolist()))
    started = _now()
    index = VectorStoreIndex(nodes, storage_context=_llama_store(store_dir),
                             embed_model=_llama_embedding(model, batch_size), insert_batch_size=5000)
    return index, _now() - started




# ============================================================================================ synthetic
def load_synthetic(frontline, corpus: Path, report: dict) -> list:
    """Build every article as ingest does, embed only the real ones, derive the rest, write to the stores."""
    import numpy as np

    from retrieval.ingest import build_article
    from retrieval.sources import Skip, iter_sources

    gaz = frontline._gazetteer  # white-box: the benchmark writes synthetic vectors straight into the stores
    started = _now()
    articles = []
    skipped = 0
    for item in iter_sources([corpus]):
        if isinstance(item, Skip):
            skipped += 1
            continue
        art = build_article(item, gaz)
        if isinstance(art, Skip):
            skipped += 1
            continue
        articles.append(art)
    report["synthetic_build_s"] = _now() - started
    log(f"built {len(articles)} articles in {report['synthetic_build_s']:.0f} s ({skipped} skipped)")

    real = {a.article_id: a for a in articles if not a.article_id.startswith("syn")}
    real_passages = [p for a in real.values() for p in a.passages]
    vec_of = cached_vectors()
    started = _now()
    todo = [p for p in real_passages if p.id not in vec_of]
    if todo:
        log(f"encoding {len(todo):,} real passages (not in the cache of the ruwa run)")
        emb = frontline._embedder.embed_passages([p.text for p in todo])
        vec_of.update((p.id, emb[i]) for i, p in enumerate(todo))
    report["synthetic_real_encode_s"] = _now() - started
    report["synthetic_real_encoded"] = len(todo)
    emb = np.stack([vec_of[real_passages[0].id]])
    rng = np.random.default_rng(7)

    def vectors_for(art):
        return derived_vectors(art, real, vec_of, rng, emb.shape[1])

    started = _now()
    pairs = [(a, vectors_for(a)) for a in articles]
    ingested_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    batch = 2000
    frontline._docstore.begin_ingest()
    for i in range(0, len(pairs), batch):
        part = pairs[i:i + batch]
        passages = [p for a, _ in part for p in a.passages]
        vecs = np.concatenate([v for _, v in part]) if passages else np.zeros((0, emb.shape[1]), np.float32)
        if passages:
            frontline._vectors.add(passages, vecs)
        frontline._docstore.replace_articles([a for a, _ in part], ingested_at=ingested_at)
        if (i // batch) % 10 == 0:
            log(f"  stored {i + len(part)}/{len(pairs)} articles")
    report["synthetic_store_s"] = _now() - started
    frontline._docstore.end_ingest(changed=True)
    started = _now()
    frontline._rows.refresh()
    report["synthetic_bm25_s"] = _now() - started  # the row index: BM25 and the vector matrix
    frontline._docstore.set_meta("last_ingest", ingested_at)
    report["passages"] = sum(len(a.passages) for a in articles)
    report["articles"] = len(articles)
    return pairs


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


# ============================================================================================ worker
def run_corpus(name: str, workdir: Path, *, llama: bool) -> dict:
    from retrieval.service import Frontline

    r: dict = {"corpus": name, "load_start": _load()}
    threads = os.environ.get("FRONTLINE_BENCH_TORCH_THREADS")
    if threads:  # e.g. 1 on a shared, oversubscribed machine (see BENCHMARKS.md)
        import torch

        torch.set_num_threads(int(threads))
    r["torch_threads"] = __import__("torch").get_num_threads()
    data = workdir / "data"
    if name == "seeds":
        corpus = SEEDS
    elif name == "ruwa":
        corpus = RUWA
    elif name.startswith("ruwa") and name.endswith("k"):
        corpus = workdir / f"{name}.jsonl"
        lines = RUWA.read_text(encoding="utf-8").splitlines()[: int(name[4:-1]) * 1000]
        corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    elif name == "ruwa1m" and os.environ.get("FRONTLINE_BENCH_RUWA1M_FROM"):  # built by benchmarks.scale
        prebuilt = Path(os.environ["FRONTLINE_BENCH_RUWA1M_FROM"])
        built = json.loads((prebuilt / "build.json").read_text())
        corpus, data = prebuilt / f"ruwa-x{built['copies']}.jsonl", prebuilt / "data"
        r.update({k: built[k] for k in ("items", "articles", "passages", "synthetic_store_s", "synthetic_build_s",
                                         "synthetic_bm25_s", "synthetic_real_encoded")}, prebuilt=str(prebuilt))
    elif name == "ruwa1m":  # RUWA ×62 (benchmarks/scale.py), streamed into the stores
        from benchmarks.scale import ONE_MILLION_COPIES

        corpus = workdir / "ruwa1m.jsonl"
        r["items"] = write_synthetic(corpus, RUWA, ONE_MILLION_COPIES)
    elif name.endswith("10") or (name.startswith("ruwa") and name.endswith("kx10")):
        source = RUWA
        if name != "ruwa10":  # ×10 of a slice, e.g. ruwa4kx10: for a machine too busy for the full one
            source = workdir / "slice.jsonl"
            lines = RUWA.read_text(encoding="utf-8").splitlines()[: int(name[4:-4]) * 1000]
            source.write_text("\n".join(lines) + "\n", encoding="utf-8")
        corpus = workdir / "ruwa10.jsonl"  # noqa
        r["items"] = write_synthetic(corpus, source, SYN_COPIES)
    else:
        raise SystemExit(f"unknown corpus {name}")
    r["rss_start_mb"] = _rss_mb()
    settings = settings_for(data, corpus)
    fl = Frontline(settings.retrieval_config())
    fl._embedder.warm_up()
    r["embed_backend"] = fl._embedder.active_backend
    bs = settings.embed_batch_size
    r["batch_size"] = bs
    r["rss_model_mb"] = _rss_mb()

    pairs = None
    synthetic = name.endswith("10") or name == "ruwa1m"
    if r.get("prebuilt"):
        log(f"ruwa1m: the store built by benchmarks.scale in {r['prebuilt']}")
        r["ingest_s"] = None
    elif name == "ruwa1m":
        from benchmarks.scale import build_store

        log("ruwa1m: streaming the synthetic corpus into the stores")
        build_store(fl, corpus, r, log=log)
        r["ingest_s"] = None
    elif name.endswith("10"):
        log("ruwa10: building and storing the synthetic corpus")
        pairs = load_synthetic(fl, corpus, r)
        r["ingest_s"] = None
    else:
        log(f"{name}: first ingest")
        rep = fl.ingest([corpus])
        r.update(articles=rep.articles, passages=rep.passages, passages_embedded=rep.passages_embedded,
                 skipped=len(rep.skipped), ingest_s=rep.seconds)
        r["ingest_pps"] = rep.passages_embedded / rep.seconds
        log(f"  {rep.summary().splitlines()[0]}")

    log(f"{name}: re-ingest of the unchanged corpus")
    rep2 = fl.ingest([corpus])
    r["reingest_s"] = rep2.seconds
    r["reingest_embedded"] = rep2.passages_embedded
    if r.get("ingest_s"):
        r["reingest_pct"] = 100 * rep2.seconds / r["ingest_s"]

    log(f"{name}: warm ask latency")
    fl.warm_up()
    abstained = []
    r["ask_ms"] = latencies(lambda q: abstained.append(fl.ask(q).abstained), QUESTIONS)
    r["ask_abstained"] = sum(abstained[WARMUP:])
    r["embed_ms"] = latencies(fl._embedder.embed_query, QUESTIONS)
    r["questions"] = len(QUESTIONS)
    r["peak_rss_mb"] = _maxrss_mb()   # Frontline only: taken before the baselines run
    r["store_mb"] = _du_mb(data)
    r["rss_after_mb"] = _rss_mb()

    from sentence_transformers import SentenceTransformer

    from retrieval.embedder import default_model_path

    model = SentenceTransformer(settings.embed_model or default_model_path(), device="cpu")
    r["torch_embed_ms"] = latencies(lambda q: model.encode([q], normalize_embeddings=True, show_progress_bar=False),
                                    QUESTIONS)

    if name.startswith("ruwa") and name != "ruwa1m":  # the synthetic runs reuse these real vectors (by passage id)
        save_vectors(fl)
    if not synthetic:  # at ×10 nothing is encoded; the ratio is measured on (a) and (b)
        log(f"{name}: raw SentenceTransformer.encode of the same passages")
        _ids, texts, _dates = fl._docstore.index_rows()
        r["raw_passages"] = len(texts)
        r["raw_s"] = raw_encode(model, texts, bs)
        r["raw_pps"] = len(texts) / r["raw_s"]
        r["ingest_vs_raw"] = r["ingest_pps"] / r["raw_pps"]

    if llama:
        from llama_index.core.vector_stores.types import VectorStoreQueryMode  # noqa: F401

        if synthetic and r["synthetic_store_s"] > 180:
            r["llama_ingest_skipped"] = "and its retriever: loading 160k vectors into it would take too long here"
        elif name.endswith("10"):
            if r["passages"] > LLAMA_SYNTH_LIMIT:
                r["llama_ingest_skipped"] = (f"from_documents would encode all {r['passages']:,} passages "
                                             "again (tens of minutes on this machine)")
            log(f"{name}: llama-index over the same (precomputed) vectors, for retrieval only")
            index, secs = llama_index_from_vectors(model, bs, pairs, workdir / "llama")
            r["llama_load_s"] = secs
        else:
            log(f"{name}: llama-index from_documents + ChromaVectorStore")
            index, secs, ndocs, nnodes = llama_ingest(model, bs, corpus, workdir / "llama")
            r.update(llama_ingest_s=secs, llama_docs=ndocs, llama_nodes=nnodes)
            r["llama_aps"] = ndocs / secs
            r["ingest_aps"] = r["articles"] / r["ingest_s"]
            r["ingest_vs_llama"] = r["llama_ingest_s"] / r["ingest_s"]  # same documents: time ratio
        if "llama_ingest_s" in r or "llama_load_s" in r:
            retriever = index.as_retriever(similarity_top_k=5)
            r["llama_retrieve_ms"] = latencies(retriever.retrieve, QUESTIONS)
            r["llama_store_mb"] = _du_mb(workdir / "llama")
    r["peak_rss_all_mb"] = _maxrss_mb()
    fl.close()
    if synthetic:  # the serving process alone: asks against one torch query embedding, its own peak memory
        from benchmarks.scale import serve_in_subprocess

        log(f"{name}: serving benchmark in a fresh process")
        r["serve"] = serve_in_subprocess(data)
    r["load_end"] = _load()
    return r


# ============================================================================================ report
def machine() -> dict:
    model = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    mem = next(int(l.split()[1]) for l in Path("/proc/meminfo").read_text().splitlines() if l.startswith("MemTotal"))
    import chromadb
    import llama_index.core
    import sentence_transformers
    import torch

    return {"nproc": os.cpu_count(), "cpu": model, "ram_gb": mem / 2**20, "python": sys.version.split()[0],
            "torch": torch.__version__, "threads": torch.get_num_threads(),
            "chromadb": chromadb.__version__, "llama_index": llama_index.core.__version__,
            "sentence_transformers": sentence_transformers.__version__}


def _fmt(v, nd=1, unit=""):
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:,.{nd}f}{unit}"
    return f"{v:,}{unit}"


LABELS = {"seeds": "(a) seeds", "ruwa": "(b) RUWA", "ruwa10": "(c) RUWA ×10 synthetic",
          "ruwa1m": "(d) RUWA ×62 synthetic (1M)",
          "ruwa3k": "(b′) RUWA, first 3,000 items", "ruwa4kx10": "(c′) ×10 synthetic of RUWA's first 4,000 items"}


def corpus_table(r: dict) -> str:
    from benchmarks.scale import serving_rows

    name = r["corpus"]
    ask50, ask95 = pct(r["ask_ms"], 0.5), pct(r["ask_ms"], 0.95)
    emb50 = pct(r["embed_ms"], 0.5)
    rows = [("Measure", "Value", "Target", "Status")]
    rows.append(("articles / passages", f"{r.get('articles', 0):,} / {r['passages']:,}", "", ""))
    if r.get("ingest_s"):
        rows.append((f"first ingest (Frontline.ingest, {r.get('embed_backend', '?')})",
                     f"{r['ingest_s']:.1f} s = {r['ingest_pps']:,.0f} passages/s", "", ""))
    else:
        rows.append(("first ingest", f"not run: synthetic vectors written through the stores in "
                     f"{r['synthetic_store_s']:.0f} s (+ build_article {r['synthetic_build_s']:.0f} s, "
                     f"BM25 build {r['synthetic_bm25_s']:.0f} s; real vectors reused from the RUWA run, "
                     f"{r['synthetic_real_encoded']:,} encoded here)", "", ""))
    if r.get("raw_s"):
        rows.append(("raw SentenceTransformer.encode (torch), same passages",
                     f"{r['raw_s']:.1f} s = {r['raw_pps']:,.0f} passages/s", "", ""))
    if r.get("ingest_vs_raw") is not None:
        rows.append(("ingest ÷ raw encode (passages/s)", f"{r['ingest_vs_raw']:.2f}", f"≥ {TARGETS['ingest_vs_raw']}",
                     verdict(r["ingest_vs_raw"], TARGETS["ingest_vs_raw"], higher=True)))
    if r.get("llama_ingest_s") is not None:
        rows.append(("llama-index from_documents + Chroma, same documents",
                     f"{r['llama_ingest_s']:.1f} s ({r['llama_docs']:,} documents → {r['llama_nodes'] or '?':,} nodes)", "", ""))
        rows.append(("ingest speed ÷ llama-index (same documents)", f"{r['ingest_vs_llama']:.2f}",
                     f"≥ {TARGETS['ingest_vs_llama']}", verdict(r["ingest_vs_llama"], TARGETS["ingest_vs_llama"], higher=True)))
    elif r.get("llama_ingest_skipped"):
        rows.append(("ingest speed ÷ llama-index", "skipped: " + r["llama_ingest_skipped"], f"≥ {TARGETS['ingest_vs_llama']}", "n/a"))
    rows.append(("re-ingest, unchanged corpus", f"{r['reingest_s']:.2f} s ({r['reingest_embedded']} passages re-embedded)", "", ""))
    if r.get("reingest_pct") is not None:
        rows.append(("re-ingest ÷ first ingest", f"{r['reingest_pct']:.1f} %", f"≤ {TARGETS['reingest_pct']:.0f} %",
                     verdict(r["reingest_pct"], TARGETS["reingest_pct"], higher=False)))
    elif r.get("reingest_pct_est") is not None:
        rows.append(("re-ingest ÷ first ingest (est.¹)", f"{r['reingest_pct_est']:.1f} %", f"≤ {TARGETS['reingest_pct']:.0f} %",
                     verdict(r["reingest_pct_est"], TARGETS["reingest_pct"], higher=False)))
    rows.append((f"warm ask p50 / p95 ({r['questions']} questions)", f"{ask50:.1f} / {ask95:.1f} ms "
                 f"({r['ask_abstained']} abstained)", "", ""))
    rows.append((f"one query embedding p50 ({r.get('embed_backend', '?')}, the one ask uses)", f"{emb50:.1f} ms", "", ""))
    at_scale = name.endswith("10") and not r.get("serve")  # with a serving run, its rows carry the verdicts
    if r.get("torch_embed_ms"):
        t50 = pct(r["torch_embed_ms"], 0.5)
        rows.append(("one query embedding p50 (torch, same questions)", f"{t50:.1f} ms", "", ""))
        rows.append(("ask p50 ÷ torch query embedding p50", f"{ask50 / t50:.2f}×", f"≤ {TARGETS['ask_vs_embed']:.1f}× at 170k",
                     verdict(ask50 / t50, TARGETS["ask_vs_embed"], higher=False) if at_scale else "(info)"))
        rows.append(("ask p95 ÷ torch query embedding p50", f"{ask95 / t50:.2f}×", f"≤ {TARGETS['ask95_vs_embed']:.1f}× at 170k",
                     verdict(ask95 / t50, TARGETS["ask95_vs_embed"], higher=False) if at_scale else "(info)"))
    rows.append(("ask p50 ÷ query embedding p50 (same backend)", f"{ask50 / emb50:.1f}×", "", "(info)"))
    if r.get("llama_retrieve_ms"):
        l50, l95 = pct(r["llama_retrieve_ms"], 0.5), pct(r["llama_retrieve_ms"], 0.95)
        rows.append(("llama-index retriever.retrieve p50 / p95 (top 5)", f"{l50:.1f} / {l95:.1f} ms "
                     f"(ask p50 = {ask50 / l50:.1f}× it)", "", ""))
    rows += serving_rows(r)
    rows.append(("peak resident memory (Frontline)", f"{r['peak_rss_mb']:,.0f} MB (model loaded: {r['rss_model_mb']:,.0f} MB)", "", ""))
    rows.append(("load average (1 min) at start / end", f"{r['load_start'][0]} / {r['load_end'][0]}", "", ""))
    rows.append(("store on disk (data dir)", f"{r['store_mb']:,.1f} MB"
                 + (f" (llama-index's Chroma dir: {r['llama_store_mb']:,.1f} MB)" if r.get("llama_store_mb") else ""), "", ""))
    widths = [max(len(str(row[i])) for row in rows) for i in range(4)]
    lines = ["| " + " | ".join(str(c).ljust(w) for c, w in zip(row, widths)) + " |" for row in rows]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def write_report(results: list[dict], info: dict, command: str, wall: float, quick: bool) -> None:
    from benchmarks import encoder

    enc = next((r for r in results if r["corpus"] == "encoder"), None)
    results = [r for r in results if r["corpus"] != "encoder"]
    ruwa = next((r for r in results if r["corpus"].startswith("ruwa") and not r["corpus"].endswith(("10", "1m"))), None)
    for r in results:
        if r["corpus"].endswith(("10", "1m")) and ruwa and ruwa.get("ingest_pps"):
            est = r["passages"] / ruwa["ingest_pps"]
            r["ingest_est_s"] = est
            r["reingest_pct_est"] = 100 * r["reingest_s"] / est
    md = ["# Benchmarks", "",
          f"Run {datetime.now().strftime('%Y-%m-%d %H:%M')} UTC in {wall / 60:.1f} min with:", "",
          f"    {command}", "",
          f"Machine: {info['nproc']} CPUs ({info['cpu']}), {info['ram_gb']:.1f} GB RAM, no GPU; "
          f"Python {info['python']}, torch {info['torch']} ({results[0].get('torch_threads')} threads in the workers), "
          f"sentence-transformers {info['sentence_transformers']}, chromadb {info['chromadb']}, "
          f"llama-index-core {info['llama_index']}.", "",
          "Each corpus runs in a fresh subprocess with its store under /tmp. Model loading is outside every "
          "timing (Frontline.ingest warms the model before its clock starts). Latencies are in-process, warm "
          f"({WARMUP} warm-up calls), over {len(QUESTIONS)} questions mixing places, dates, both, 'latest' and "
          "plain ones (two off-topic). Peak memory is the peak resident set (VmHWM) of the corpus's process, read before the "
          "baselines run. Ingest vs llama-index compares wall time over the same documents (one llama "
          "Document per article; our model in a BaseEmbedding subclass with the same batch size; everything "
          "else llama-index defaults, so its node text includes the metadata header).", ""]
    loads = ", ".join(f"{r['corpus']} {r['load_start'][0]}→{r['load_end'][0]}" for r in ([enc] if enc else []) + results)
    md += [f"**Shared machine**: other work was running during this run (1-minute load average at the start→end "
           f"of each corpus: {loads}, on {info['nproc']} CPUs), so absolute times are inflated and noisy; the "
           "ratios compare measurements taken in the same process minutes apart and are the more robust figures.", ""]
    if quick:
        md += ["**Quick run** (`--quick`): the encoder, the seeds and a 2,000-item RUWA slice only; not the reference numbers.", ""]
    if enc:
        md += [f"## The encoder alone: torch and ONNX on {enc['passages']:,} RUWA passages", "",
               encoder.table(enc), "",
               f"Same process, same passages (every n-th passage of RUWA as ingest chunks it, mean "
               f"{enc['mean_chars']:.0f} characters), batch {enc['batch_size']}, {enc['threads']} threads; "
               "passages/s is the median of interleaved rounds ("
               + "; ".join(f"{n}: {enc[n]['pps_rounds']}" for n in ("torch", "onnx", "int8") if n in enc)
               + "). One query = `embed_query` of each benchmark question, the floor under `ask`. Cosine: the "
               "two vectors of each passage; top-10: of each question's 10 nearest passages, the share that "
               "are the same as torch's. Gold set: `retrieval/gold_seeds.jsonl` over a seeds store built and "
               "asked with that encoder. ONNX fp32 is Frontline's default (`FRONTLINE_EMBED_BACKEND=onnx`); "
               "int8 is shown for comparison only and is not offered as a setting.", ""]
    for r in results:
        md += [f"## {LABELS.get(r['corpus'], r['corpus'])} — {r['passages']:,} passages", "", corpus_table(r), ""]
        if r["corpus"] == "ruwa1m":
            from benchmarks.scale import ONE_MILLION_COPIES

            md += [f"Synthetic: {r.get('items', 0):,} items = the real ones + {ONE_MILLION_COPIES - 1} copies, derived as "
                   "for ×10 below (the first nine copies are the ×10 corpus), built by `benchmarks/scale.py` in "
                   "batches through the stores. The serving rows come from `python -m benchmarks.serve` in a "
                   "fresh process on the finished store.", ""]
        if r["corpus"].endswith("10"):
            md += [f"Synthetic: {r.get('items', 0):,} items = the {r.get('items', 0) // SYN_COPIES:,} real ones + {SYN_COPIES - 1} copies "
                   f"(id `syn{{k}}-{{id}}`, date + k·{SYN_SHIFT_DAYS} days, one sentence of another item "
                   f"appended), built with `retrieval.ingest.build_article`; vectors = the real vector of the "
                   f"source passage + N(0, {SYN_NOISE}) noise, renormalised. llama-index's retriever runs over "
                   "a ChromaVectorStore loaded with the same vectors (its ingest would have to encode every "
                   "passage again, so the ingest comparison is skipped).", ""]
            if r.get("reingest_pct_est") is not None:
                md += [f"¹ No real first ingest at this size: the estimate is {r['passages']:,} passages at RUWA's "
                       f"measured {ruwa['ingest_pps']:,.0f} passages/s = {r['ingest_est_s']:.0f} s.", ""]
    md += ["## Summary", "", "| corpus | passages | ingest/raw torch | ingest/llama | re-ingest % | ask p50 | ask p95 | "
           "embed p50 | torch embed p50 | ask p50/torch embed | llama retrieve p50 | peak RSS | store |", "|" + "---|" * 13]
    for r in results:
        rp = r.get("reingest_pct", r.get("reingest_pct_est"))
        t50 = pct(r["torch_embed_ms"], .5) if r.get("torch_embed_ms") else None
        md.append("| " + " | ".join([
            r["corpus"], f"{r['passages']:,}", _fmt(r.get("ingest_vs_raw"), 2), _fmt(r.get("ingest_vs_llama"), 2),
            _fmt(rp, 1, " %"), _fmt(pct(r["ask_ms"], .5), 1, " ms"), _fmt(pct(r["ask_ms"], .95), 1, " ms"),
            _fmt(pct(r["embed_ms"], .5), 1, " ms"), _fmt(t50, 1, " ms"),
            _fmt(pct(r["ask_ms"], .5) / t50, 2, "×") if t50 else "—",
            _fmt(pct(r["llama_retrieve_ms"], .5), 1, " ms") if r.get("llama_retrieve_ms") else "—",
            _fmt(r["peak_rss_mb"], 0, " MB"), _fmt(r["store_mb"], 1, " MB")]) + " |")
    md += ["", "![ask latency and peak memory against corpus size](benchmarks/latency_memory.png)", "",
           "Raw results: `benchmarks/results.json` is written next to the plot by each run.", ""]
    OUT_MD.write_text("\n".join(md), encoding="utf-8")


def plot(results: list[dict]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rs = sorted((r for r in results if r["corpus"] != "encoder"), key=lambda r: r["passages"])
    if not rs:
        return
    x = [r["passages"] for r in rs]
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4.2))
    a1.plot(x, [pct(r["ask_ms"], .5) for r in rs], "o-", label="ask p50")
    a1.plot(x, [pct(r["ask_ms"], .95) for r in rs], "s--", label="ask p95")
    a1.plot(x, [pct(r["embed_ms"], .5) for r in rs], "^:", label=f"query embedding p50 ({rs[0].get('embed_backend', '?')})")
    if all(r.get("torch_embed_ms") for r in rs):
        a1.plot(x, [pct(r["torch_embed_ms"], .5) for r in rs], color="grey", lw=0.8,
                label="torch query embedding p50 (target for ask p50)")
    if all(r.get("llama_retrieve_ms") for r in rs):
        a1.plot(x, [pct(r["llama_retrieve_ms"], .5) for r in rs], "d-.", label="llama-index retrieve p50")
    a1.set_xscale("log")
    a1.set_yscale("log")
    a1.set_xlabel("corpus size (passages)")
    a1.set_ylabel("latency (ms, warm, in-process)")
    a1.set_title("Frontline.ask latency")
    a1.grid(True, which="both", alpha=0.3)
    a1.legend(fontsize=8)
    a2.plot(x, [r["peak_rss_mb"] for r in rs], "o-", color="C3", label="peak RSS")
    a2.plot(x, [r["store_mb"] for r in rs], "s--", color="C4", label="store on disk")
    a2.set_xscale("log")
    a2.set_xlabel("corpus size (passages)")
    a2.set_ylabel("MB")
    a2.set_title("Peak resident memory and store size")
    a2.grid(True, which="both", alpha=0.3)
    a2.legend(fontsize=8)
    for r in rs:
        a2.annotate(r["corpus"], (r["passages"], r["peak_rss_mb"]), textcoords="offset points", xytext=(4, 4), fontsize=8)
    fig.tight_layout()
    fig.savefig(OUT_PNG, dpi=110)
    plt.close(fig)


# ============================================================================================ main
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.bench", description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default=None, help="comma-separated: encoder,seeds,ruwa,ruwa10,ruwa1m (or ruwa<N>k, a slice)")
    ap.add_argument("--quick", action="store_true", help="encoder, seeds and a 2,000-item RUWA slice")
    ap.add_argument("--int8", action="store_true", help="encoder: also the int8-quantized model, with its gold-set score")
    ap.add_argument("--no-llama", action="store_true", help="skip the llama-index baseline")
    ap.add_argument("--threads", type=int, help="torch threads in every worker (default: torch's own, = CPUs)")
    ap.add_argument("--keep", action="store_true", help="keep the /tmp data dirs (their paths are printed)")
    ap.add_argument("--ruwa1m-from", type=Path, help="the 1M store `python -m benchmarks.scale --out DIR` built "
                    "(about 30 minutes saved; its build times are read from DIR/build.json)")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--workdir", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.worker == "encoder":
        from benchmarks import encoder

        r = encoder.run(RUWA, int8=args.int8, rounds=2 if args.quick else 3)
        (Path(args.workdir) / "result.json").write_text(json.dumps(r))
        return 0
    if args.worker:  # one corpus, in its own process
        r = run_corpus(args.worker, Path(args.workdir), llama=not args.no_llama)
        (Path(args.workdir) / "result.json").write_text(json.dumps(r))
        return 0

    sizes = args.sizes or ("encoder,seeds,ruwa2k" if args.quick else "encoder,seeds,ruwa,ruwa10,ruwa1m")
    command = ".venv/bin/python -m benchmarks.bench " + " ".join(argv if argv is not None else sys.argv[1:])
    started = _now()
    results = []
    for name in [s.strip() for s in sizes.split(",") if s.strip()]:
        if name != "seeds" and not RUWA.exists():
            log(f"skipping {name}: {RUWA} not found")
            continue
        workdir = Path(tempfile.mkdtemp(prefix=f"frontline-bench-{name}-"))
        log(f"=== {name} in {workdir}")
        cmd = [sys.executable, "-m", "benchmarks.bench", "--worker", name, "--workdir", str(workdir)]
        cmd += [flag for flag, on in (("--no-llama", args.no_llama), ("--int8", args.int8), ("--quick", args.quick)) if on]
        env = dict(os.environ, **({"FRONTLINE_BENCH_TORCH_THREADS": str(args.threads)} if args.threads else {}))
        if args.ruwa1m_from:
            env["FRONTLINE_BENCH_RUWA1M_FROM"] = str(args.ruwa1m_from.resolve())
        proc = subprocess.run(cmd, cwd=ROOT, env=env)
        if proc.returncode != 0:
            log(f"{name} failed (exit {proc.returncode})")
        else:
            results.append(json.loads((workdir / "result.json").read_text()))
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    if not results:
        return 1
    wall = _now() - started
    (ROOT / "benchmarks" / "results.json").write_text(json.dumps(results, indent=1))
    write_report(results, machine(), command.strip(), wall, args.quick)
    plot(results)
    log(f"wrote {OUT_MD} and {OUT_PNG} in {wall / 60:.1f} min")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
