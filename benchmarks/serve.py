"""Warm `ask` latency and the serving process's memory on an existing store (e.g. one built by
benchmarks/scale.py or kept by bench --keep).

    .venv/bin/python -m benchmarks.serve --data /tmp/frontline-scale/1m/data

Prints ask p50/p95 over the benchmark questions; one query embedding p50 on torch
(sentence-transformers, the reference the targets are stated against) and on the service's own
embedder, both measured in the same process over the same questions, interleaved with the asks; the
ratios; and the peak resident memory of a process that only opens the store and answers (unlike
bench.py's per-corpus peak, which includes building the corpus). The peak is read after the first
round of questions and before a separate torch reference model is loaded (when the service's embedder
is not torch), so it is the serving process's own.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def torch_query_encoder(frontline):
    """One question to a vector with sentence-transformers on torch: the service's own model when its
    embedder runs torch, else a reference copy of the same model (loaded here, after the memory peak)."""
    embedder = frontline._embedder
    if getattr(embedder, "active_backend", "torch") == "torch" and hasattr(embedder, "_load"):
        model = embedder._load()
        if hasattr(model, "encode"):  # the SentenceTransformer itself (older embedder)
            return lambda q: model.encode([q], normalize_embeddings=True, convert_to_numpy=True,
                                          show_progress_bar=False)[0]
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(embedder.model_name, device="cpu")
    return lambda q: model.encode([q], normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)[0]


def _rss_parts() -> dict[str, float]:
    """Resident memory now, by kind (Linux): anonymous (heaps: the model, Chroma's HNSW, Python objects)
    and file-backed (mapped files: libraries, the row index's matrix and BM25 pages that were read)."""
    out = {}
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "RssAnon", "RssFile"):
                out[key] = int(value.split()[0]) / 1024
    except OSError:
        pass
    return out


def measure(data: Path, rounds: int = 3) -> dict:
    from benchmarks.common import QUESTIONS, peak_rss_mb, pct, timed_ms
    from config.settings import Settings
    from retrieval.service import Frontline

    frontline = Frontline(Settings(_env_file=None, data_dir=data).retrieval_config())
    started = time.perf_counter()
    frontline.warm_up()
    warm_up_s = time.perf_counter() - started
    ask = timed_ms(frontline.ask, QUESTIONS)  # round 1: also the serving memory peak
    peak_mb = peak_rss_mb()
    rss_parts = _rss_parts()
    torch_embed = torch_query_encoder(frontline)
    for q in QUESTIONS[:3]:
        torch_embed(q)
    embed_torch, embed_service = [], []
    for _ in range(rounds):  # interleaved rounds, so machine noise hits all three alike
        ask += timed_ms(frontline.ask, QUESTIONS)
        embed_torch += timed_ms(torch_embed, QUESTIONS)
        embed_service += timed_ms(frontline._embedder.embed_query, QUESTIONS)
    out = {
        "passages": frontline.stats()["passages"], "asks": len(ask), "warm_up_s": warm_up_s,
        "ask_p50": pct(ask, 0.5), "ask_p95": pct(ask, 0.95),
        "embed_torch_p50": pct(embed_torch, 0.5), "embed_service_p50": pct(embed_service, 0.5),
        "embedder": getattr(frontline._embedder, "active_backend", None) or "torch",
        "peak_rss_mb": peak_mb, "rss_parts_mb": rss_parts, "load": os.getloadavg(),
    }
    out["p50_ratio"] = out["ask_p50"] / out["embed_torch_p50"]
    out["p95_ratio"] = out["ask_p95"] / out["embed_torch_p50"]
    frontline.close()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, help="torch threads (default: torch's own, = CPUs)")
    parser.add_argument("--json", action="store_true", help="print the numbers as one JSON line")
    args = parser.parse_args()
    threads = args.threads or os.environ.get("FRONTLINE_BENCH_TORCH_THREADS")
    if threads:  # e.g. 1 on a shared, oversubscribed machine
        import torch

        torch.set_num_threads(int(threads))
    r = measure(args.data, args.rounds)
    if args.json:
        print(json.dumps(r))
        return 0
    print(f"passages                     {r['passages']:,}")
    print(f"warm-up (index load)         {r['warm_up_s']:.1f} s")
    print(f"ask p50 / p95                {r['ask_p50']:.1f} / {r['ask_p95']:.1f} ms over {r['asks']} asks")
    print(f"torch query embedding p50    {r['embed_torch_p50']:.1f} ms")
    print(f"service embedder ({r['embedder']}) p50  {r['embed_service_p50']:.1f} ms")
    print(f"ask p50 / torch embed p50    {r['p50_ratio']:.2f}x")
    print(f"ask p95 / torch embed p50    {r['p95_ratio']:.2f}x")
    print(f"serving peak RSS             {r['peak_rss_mb']:,.0f} MB")
    parts = r["rss_parts_mb"]
    if parts:
        print(f"RSS after round 1            {parts.get('VmRSS', 0):,.0f} MB = {parts.get('RssAnon', 0):,.0f} MB "
              f"anonymous + {parts.get('RssFile', 0):,.0f} MB file-backed")
    print(f"load average (1/5/15 min)    {' '.join(f'{x:.2f}' for x in r['load'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
