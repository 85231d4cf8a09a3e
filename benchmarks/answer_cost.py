"""What choosing the answer costs, apart from embedding the question and searching: CPU time per question.

    .venv/bin/python -m benchmarks.answer_cost --data <a store, e.g. a RUWA one>

Wall-clock `ask` latency on a shared, loaded machine swings by more than the few milliseconds the answer
stage costs (benchmarks.serve measured 159 ms and 282 ms p50 for the same code minutes apart), so this
times only the answer stage — `Composer.compose` and the citation labels — with `time.process_time`
over the benchmark questions, each repeated, and prints its p50 / p95 per question.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> int:
    from benchmarks.common import QUESTIONS
    from config.settings import Settings
    from retrieval import answer as ans
    from retrieval.intent import parse_intent
    from retrieval.service import Frontline

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    frontline = Frontline(Settings(_env_file=None, data_dir=args.data).retrieval_config())
    frontline.warm_up()
    settings = frontline.config  # white-box: times the answer stage alone
    prepared = []
    for question in QUESTIONS:
        intent = parse_intent(question, frontline._gazetteer)
        vector = frontline._embedder.embed_query(intent.text)
        prepared.append((intent, vector, frontline._searcher.search(intent, k=settings.top_k * 2, embedding=vector)))
    costs = []
    for intent, vector, hits in prepared:
        runs = []
        for _ in range(args.repeat):
            started = time.process_time()
            composed = frontline.composer.compose(intent, hits, vector, top_k=settings.top_k,
                                                  min_relevance=settings.min_relevance)
            ans.with_leads(composed.citations, frontline.article_text)
            runs.append((time.process_time() - started) * 1000)
        costs.append(statistics.median(runs))
    costs.sort()
    print(f"passages                  {frontline.stats()['passages']:,}")
    print(f"answer stage p50 / p95    {statistics.median(costs):.2f} / {costs[int(0.95 * len(costs))]:.2f} ms CPU "
          f"over {len(costs)} questions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
