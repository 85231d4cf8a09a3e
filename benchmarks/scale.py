"""Synthetic stores of any size derived from RUWA, built without encoding: the 170k (`ruwa10`) and 1M
(`ruwa1m`) corpora that `ask` is measured on.

    .venv/bin/python -m benchmarks.scale --copies 62 --out /tmp/frontline-scale-1m

The corpus is RUWA's real items followed by copies-1 derived copies, exactly as bench.write_synthetic
writes them (id `syn{k}-{id}`, date + k·37 days, one sentence of another item appended; one seeded
random stream, so the first ten copies of the 1M corpus are the 170k corpus). Every item goes through
`retrieval.ingest.build_article` (cleaning, dating, chunking, place tags) and is written through the
stores as an ingest writes it (Chroma first, then the docstore), in batches, streaming: at 1M nothing
holds the whole corpus in memory. Vectors are not encoded: a derived passage gets the real vector of
its source passage plus seeded N(0, 0.03) noise, renormalised (the same stream as bench.load_synthetic),
so the search sees clusters of near-duplicates as a real multi-outlet corpus has. The real vectors come
from the RUWA run's cache (bench.py writes it) or are encoded once here.

Ends with the row index built as at the end of an ingest, and prints how long each step took; the
store is then measured with `python -m benchmarks.serve --data <out>/data`.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

ONE_MILLION_COPIES = 62   # RUWA's 16,354 passages × 62 ≥ 1M passages
BATCH_ARTICLES = 2000


def build_store(frontline, corpus: Path, report: dict, *, log=print) -> None:
    """Stream the synthetic corpus into the stores of `frontline`, then build its row index."""
    import numpy as np

    from benchmarks.common import cached_vectors, derived_vectors
    from retrieval.ingest import build_article
    from retrieval.sources import Skip, iter_sources

    gaz = frontline._gazetteer  # white-box: synthetic vectors go straight into the stores
    vec_of = cached_vectors()
    real: dict = {}            # the real articles (they come first in the corpus), by id
    rng = np.random.default_rng(7)
    dim = next(iter(vec_of.values())).shape[0] if vec_of else 384
    ingested_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    timings = {"build_article_s": 0.0, "encode_real_s": 0.0, "write_s": 0.0}
    counts = {"articles": 0, "passages": 0, "skipped": 0, "real_encoded": 0}

    def vectors_for(art):
        return derived_vectors(art, real, vec_of, rng, dim)

    def encode_missing(articles) -> None:
        todo = [p for a in articles for p in a.passages if p.id not in vec_of]
        if todo:
            started = time.perf_counter()
            emb = frontline._embedder.embed_passages([p.text for p in todo])
            vec_of.update((p.id, emb[i]) for i, p in enumerate(todo))
            timings["encode_real_s"] += time.perf_counter() - started
            counts["real_encoded"] += len(todo)

    def write(articles) -> None:
        if not any(a.article_id.startswith("syn") for a in articles):
            encode_missing(articles)
        started = time.perf_counter()
        vectors = [vectors_for(a) for a in articles]
        passages = [p for a in articles for p in a.passages]
        if passages:
            frontline._vectors.add(passages, np.concatenate(vectors))
        frontline._docstore.replace_articles(articles, ingested_at=ingested_at)
        timings["write_s"] += time.perf_counter() - started
        counts["articles"] += len(articles)
        counts["passages"] += len(passages)

    started_all = time.perf_counter()
    frontline._docstore.begin_ingest()
    batch: list = []
    for item in _timed_items(iter_sources([corpus]), timings):
        if isinstance(item, Skip):
            counts["skipped"] += 1
            continue
        started = time.perf_counter()
        art = build_article(item, gaz)
        timings["build_article_s"] += time.perf_counter() - started
        if isinstance(art, Skip):
            counts["skipped"] += 1
            continue
        if not art.article_id.startswith("syn"):
            real[art.article_id] = art
        elif batch and not batch[-1].article_id.startswith("syn"):
            write(batch)  # the last real batch is encoded (if needed) before any derived copy uses it
            batch = []
        batch.append(art)
        if len(batch) >= BATCH_ARTICLES:
            write(batch)
            batch = []
            if (counts["articles"] // BATCH_ARTICLES) % 25 == 0:
                log(f"  stored {counts['articles']:,} articles, {counts['passages']:,} passages "
                    f"({time.perf_counter() - started_all:.0f} s)")
    if batch:
        write(batch)
    frontline._docstore.end_ingest(changed=True)
    frontline._docstore.set_meta("last_ingest", ingested_at)
    report["store_s"] = time.perf_counter() - started_all
    started = time.perf_counter()
    frontline._rows.refresh()
    report["row_index_s"] = time.perf_counter() - started
    report.update(timings, **counts)
    # the names bench.py's report reads for a synthetic corpus
    report.update(synthetic_store_s=report["store_s"], synthetic_build_s=timings["build_article_s"],
                  synthetic_bm25_s=report["row_index_s"], synthetic_real_encoded=counts["real_encoded"])


SERVING_TARGETS = {  # issue 12: ask ÷ one torch query embedding, and the serving process's peak memory
    "ruwa10": {"p50": 1.0, "p95": 3.0},
    "ruwa1m": {"p50": 2.0, "peak_gb": 3.0},
}


def serving_rows(r: dict) -> list[tuple[str, str, str, str]]:
    """BENCHMARKS.md rows of a fresh serving process (benchmarks.serve), with the scale targets."""
    from benchmarks.common import verdict

    s = r.get("serve")
    if not s:
        return []
    t = SERVING_TARGETS.get(r["corpus"], {})
    rows = [("serving process: warm ask p50 / p95", f"{s['ask_p50']:.1f} / {s['ask_p95']:.1f} ms over {s['asks']} asks", "", ""),
            ("serving process: one torch query embedding p50", f"{s['embed_torch_p50']:.1f} ms "
             f"(service embedder, {s['embedder']}: {s['embed_service_p50']:.1f} ms)", "", "")]
    for q in ("p50", "p95"):
        target = t.get(q)
        rows.append((f"serving process: ask {q} ÷ torch query embedding p50", f"{s[q + '_ratio']:.2f}×",
                     f"≤ {target}×" if target else "", verdict(s[q + "_ratio"], target, higher=False) if target else "(info)"))
    target = t.get("peak_gb")
    rows.append(("serving process: peak resident memory", f"{s['peak_rss_mb']:,.0f} MB (load {s['load'][0]:.1f})",
                 f"≤ {target} GB" if target else "",
                 verdict(s["peak_rss_mb"] / 1024, target, higher=False) if target else "(info)"))
    return rows


def serve_in_subprocess(data: Path) -> dict:
    """benchmarks.serve on this store in a fresh process: its numbers, as a dict.

    The process is given the benchmark's ONNX export (as a deployment has the one its image ships):
    without it, its first start would export the model, and that one-time peak (about 700 MB more)
    would be counted as serving memory."""
    from benchmarks.common import CACHE

    env = {**os.environ, "FRONTLINE_EMBED_CACHE_DIR": str(CACHE / "models")}
    out = subprocess.run([sys.executable, "-m", "benchmarks.serve", "--data", str(data), "--json"],
                         cwd=Path(__file__).resolve().parents[1], capture_output=True, text=True, check=True, env=env)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _timed_items(items: Iterator, timings: dict) -> Iterator:
    # reading and parsing the JSON lines is part of the build; counted with build_article
    while True:
        started = time.perf_counter()
        try:
            item = next(items)
        except StopIteration:
            return
        timings["build_article_s"] += time.perf_counter() - started
        yield item


def main(argv: list[str] | None = None) -> int:
    from benchmarks.common import RUWA, peak_rss_mb, settings_for, write_synthetic
    from retrieval.service import Frontline

    ap = argparse.ArgumentParser(prog="python -m benchmarks.scale", description=__doc__.splitlines()[0])
    ap.add_argument("--copies", type=int, default=ONE_MILLION_COPIES, help="10 = the 170k corpus, 62 = 1M")
    ap.add_argument("--out", type=Path, required=True, help="a new folder: corpus .jsonl and data/ go there")
    args = ap.parse_args(argv)
    if not RUWA.exists():
        raise SystemExit(f"{RUWA} not found")
    args.out.mkdir(parents=True, exist_ok=True)
    data = args.out / "data"
    if data.exists():
        raise SystemExit(f"{data} exists: build into a new folder")
    corpus = args.out / f"ruwa-x{args.copies}.jsonl"
    report: dict = {"copies": args.copies, "load_start": os.getloadavg()[0]}
    started = time.perf_counter()
    report["items"] = write_synthetic(corpus, RUWA, args.copies)
    report["write_corpus_s"] = time.perf_counter() - started
    print(f"wrote {report['items']:,} items to {corpus} in {report['write_corpus_s']:.0f} s", flush=True)
    frontline = Frontline(settings_for(data, corpus).retrieval_config())
    build_store(frontline, corpus, report, log=lambda m: print(m, flush=True))
    report["total_s"] = time.perf_counter() - started
    report["peak_rss_mb"] = peak_rss_mb()
    report["load_end"] = os.getloadavg()[0]
    frontline.close()
    (args.out / "build.json").write_text(json.dumps(report, indent=1))
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
