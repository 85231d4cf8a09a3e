"""Warm `ask` latency and the serving process's memory on an existing store (e.g. one kept by bench --keep).

    .venv/bin/python -m benchmarks.serve --data /tmp/frontline-bench-ruwa10-XXXX/data

Prints ask p50/p95 over the benchmark questions, one query embedding p50 (same process, same
questions), their ratio, and the peak resident memory of a process that only opens the store and
answers (unlike bench.py's per-corpus peak, which includes building the corpus).
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _timed(fn, items) -> list[float]:
    out = []
    for item in items:
        started = time.perf_counter()
        fn(item)
        out.append((time.perf_counter() - started) * 1000)
    return out


def main() -> int:
    from benchmarks.bench import QUESTIONS
    from config.settings import Settings
    from retrieval.service import Frontline

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    frontline = Frontline(Settings(_env_file=None, data_dir=args.data).retrieval_config())
    frontline.warm_up()
    for q in QUESTIONS[:3]:
        frontline.ask(q)
    ask, embed = [], []
    for _ in range(args.rounds):  # interleaved rounds, so machine noise hits both alike
        ask += _timed(frontline.ask, QUESTIONS)
        embed += _timed(frontline._embedder.embed_query, QUESTIONS)
    p95 = sorted(ask)[int(0.95 * len(ask))]
    print(f"passages            {frontline.stats()['passages']:,}")
    print(f"ask p50 / p95       {statistics.median(ask):.1f} / {p95:.1f} ms over {len(ask)} asks")
    print(f"embed p50           {statistics.median(embed):.1f} ms")
    print(f"ask p50 / embed p50 {statistics.median(ask) / statistics.median(embed):.2f}x")
    print(f"serving peak RSS    {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
