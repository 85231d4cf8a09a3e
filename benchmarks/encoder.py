"""The encoder alone: sentence-transformers on torch against the ONNX export, on the same RUWA passages.

    .venv/bin/python -m benchmarks.encoder [--passages 2000] [--rounds 3] [--int8]

In one process, on the same passages (RUWA chunked as ingest chunks it, every n-th passage):
  - passages/s of SentenceTransformer.encode on torch and of the ONNX encoder (Frontline's default),
    both at the settings' batch size; the median of `--rounds` interleaved rounds, so the noise of a
    shared machine hits them alike;
  - one query (embed_query) p50 / p95 of each over the benchmark questions: the floor under `ask`;
  - agreement: the cosine of each passage's two vectors (min / mean), and the share of each question's
    10 nearest passages that are the same;
  - the gold-set score (retrieval/gold_seeds.jsonl, `python -m retrieval eval`) of a seeds store built
    and asked with each encoder.
With --int8, the ONNX model with onnxruntime's dynamic int8 quantization gets the same measures, its
gold-set score printed beside its speed: it is faster but changes the answers, so it is not a setting.
bench.py runs this as its "encoder" corpus and puts the table in BENCHMARKS.md.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

TOP = 10


class _EncoderEmbedder:
    """The Embedder interface over a given encode function (for the int8 model, which is no setting)."""

    def __init__(self, encode, name: str) -> None:
        self._encode, self.model_name, self.active_backend = encode, name, name

    def warm_up(self) -> None:
        self.embed_query("warm up")

    def embed_passages(self, texts):
        return self._encode(list(texts))

    def embed_query(self, text: str):
        return self._encode([text])[0]


def ruwa_passages(corpus: Path, n: int) -> list[str]:
    """Every k-th passage of the corpus as ingest builds it, n in all (deterministic)."""
    from retrieval.ingest import build_article
    from retrieval.places import Gazetteer
    from retrieval.sources import Skip, iter_sources

    gazetteer = Gazetteer.load()
    texts = []
    for item in iter_sources([corpus]):
        if isinstance(item, Skip):
            continue
        article = build_article(item, gazetteer)
        if not isinstance(article, Skip):
            texts.extend(p.text for p in article.passages)
    step = max(1, len(texts) // n)
    return texts[::step][:n]


def _top(queries: np.ndarray, passages: np.ndarray) -> np.ndarray:
    scores = queries @ passages.T
    return np.argsort(-scores, axis=1)[:, :TOP]


def gold_score(embedder, workdir: Path) -> dict:
    """The gold set over a seeds store built and asked with this embedder."""
    from config.settings import Settings
    from retrieval.evaluation import load_gold, run_gold
    from retrieval.service import Frontline

    settings = Settings(_env_file=None, data_dir=workdir, corpus_dirs=[ROOT / "seeds"], cooldown_seconds=0.0)
    frontline = Frontline(settings.retrieval_config(), embedder=embedder)
    try:
        frontline.ingest()
        report = run_gold(frontline, load_gold())
    finally:
        frontline.close()
    passed = sum(r.passed for r in report.results)
    return {"passed": passed, "total": len(report.results), "score": report.score,
            "misquotes": len(report.misquotes)}


def run(corpus: Path, *, passages: int = 2000, rounds: int = 3, int8: bool = False,
        batch_size: int = 64) -> dict:
    from sentence_transformers import SentenceTransformer

    from benchmarks.common import QUESTIONS, pct, timed_ms
    from retrieval.embedder import Embedder, default_model_path
    from retrieval.onnx_encoder import OnnxEncoder, cpu_count

    r: dict = {"corpus": "encoder", "load_start": [round(x, 2) for x in os.getloadavg()],
               "batch_size": batch_size, "threads": cpu_count()}
    texts = ruwa_passages(corpus, passages)
    r["passages"] = len(texts)
    r["mean_chars"] = statistics.mean(len(t) for t in texts)
    work = Path(tempfile.mkdtemp(prefix="frontline-bench-encoder-"))

    started = time.perf_counter()
    onnx = Embedder(batch_size=batch_size, backend="onnx", cache_dir=work / "models")
    onnx.warm_up()
    r["onnx_export_s"] = time.perf_counter() - started
    if onnx.active_backend != "onnx":
        raise SystemExit("the ONNX export failed; see the log")
    torch_model = SentenceTransformer(default_model_path(), device="cpu")
    torch_embedder = Embedder(batch_size=batch_size, backend="torch")
    torch_embedder.warm_up()

    encoders = {
        "torch": lambda ts: torch_model.encode(ts, batch_size=batch_size, normalize_embeddings=True,
                                               convert_to_numpy=True, show_progress_bar=False),
        "onnx": onnx.embed_passages,
    }
    embedders = {"torch": torch_embedder, "onnx": onnx}
    if int8:
        folder = _int8_copy(next(p for p in (work / "models").iterdir() if not p.name.startswith(".")))
        quantized = OnnxEncoder(folder, batch_size=batch_size)

        def encode_int8(ts):
            v = quantized.encode(ts)
            return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)

        encoders["int8"] = encode_int8
        embedders["int8"] = _EncoderEmbedder(encode_int8, "onnx-int8")

    seconds: dict[str, list[float]] = {name: [] for name in encoders}
    vectors = {name: np.asarray(fn(texts[:64])) for name, fn in encoders.items()}  # warm
    for _ in range(rounds):
        for name, fn in encoders.items():
            t = time.perf_counter()
            vectors[name] = np.asarray(fn(texts), dtype=np.float32)
            seconds[name].append(time.perf_counter() - t)
    query_ms: dict[str, list[float]] = {name: [] for name in embedders}
    for name, e in embedders.items():
        timed_ms(e.embed_query, QUESTIONS[:3])
    for _ in range(rounds):
        for name, e in embedders.items():
            query_ms[name] += timed_ms(e.embed_query, QUESTIONS)
    questions = {name: np.stack([e.embed_query(q) for q in QUESTIONS]) for name, e in embedders.items()}

    reference_top = _top(questions["torch"], vectors["torch"])
    for name in encoders:
        s = statistics.median(seconds[name])
        cosine = (vectors[name] * vectors["torch"]).sum(1)
        top = _top(questions[name], vectors[name])
        same = [len(set(a) & set(b)) / TOP for a, b in zip(top, reference_top)]
        r[name] = {
            "pps": len(texts) / s, "pps_rounds": [round(len(texts) / x, 1) for x in seconds[name]],
            "query_p50_ms": pct(query_ms[name], 0.5), "query_p95_ms": pct(query_ms[name], 0.95),
            "cosine_min": float(cosine.min()), "cosine_mean": float(cosine.mean()),
            "top10_same": float(np.mean(same)),
        }
    for name, e in embedders.items():
        r[name]["gold"] = gold_score(e, work / f"gold-{name}")
    r["load_end"] = [round(x, 2) for x in os.getloadavg()]
    return r


def _int8_copy(folder: Path) -> Path:
    """The export with its weights quantized to int8 by onnxruntime (dynamic quantization)."""
    import logging
    import shutil

    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    logging.getLogger().setLevel(logging.ERROR)  # its advice to pre-process the model, on the root logger

    from retrieval.onnx_encoder import MODEL_FILE

    out = folder.with_name(folder.name + "-int8")
    shutil.copytree(folder, out, ignore=shutil.ignore_patterns(MODEL_FILE))
    # the export's fused operators (Attention, SkipLayerNormalization) are outside ONNX's shape inference:
    # their outputs are float, as the quantizer must be told
    quantize_dynamic(str(folder / MODEL_FILE), str(out / MODEL_FILE), weight_type=QuantType.QInt8,
                     extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
    return out


def table(r: dict) -> str:
    names = [n for n in ("torch", "onnx", "int8") if n in r]
    rows = [("path", "passages/s", "÷ torch", "one query p50 / p95", "cosine vs torch min / mean",
             "top-10 same as torch", "gold set")]
    labels = {"torch": "sentence-transformers on torch", "onnx": "ONNX fp32, onnxruntime (default)",
              "int8": "ONNX dynamic int8 (not offered)"}
    for n in names:
        x = r[n]
        g = x["gold"]
        rows.append((labels[n], f"{x['pps']:,.0f}", f"{x['pps'] / r['torch']['pps']:.2f}×",
                     f"{x['query_p50_ms']:.1f} / {x['query_p95_ms']:.1f} ms",
                     "—" if n == "torch" else f"{x['cosine_min']:.4f} / {x['cosine_mean']:.4f}",
                     "—" if n == "torch" else f"{x['top10_same']:.0%}",
                     f"{g['passed']}/{g['total']}" + (f", {g['misquotes']} misquoted" if g["misquotes"] else "")))
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    lines = ["| " + " | ".join(str(c).ljust(w) for c, w in zip(row, widths)) + " |" for row in rows]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from benchmarks.common import RUWA

    ap = argparse.ArgumentParser(prog="python -m benchmarks.encoder", description=__doc__.split("\n")[0])
    ap.add_argument("--passages", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--int8", action="store_true", help="also the int8-quantized model, with its gold-set score")
    ap.add_argument("--json", type=Path, help="write the results here too")
    args = ap.parse_args(argv)
    if not RUWA.exists():
        print(f"{RUWA} not found", file=sys.stderr)
        return 1
    r = run(RUWA, passages=args.passages, rounds=args.rounds, int8=args.int8, batch_size=args.batch_size)
    print(table(r))
    print(f"{r['passages']:,} RUWA passages (mean {r['mean_chars']:.0f} characters), batch {r['batch_size']}, "
          f"{r['threads']} threads; passages/s per round: "
          + "; ".join(f"{n} {r[n]['pps_rounds']}" for n in ("torch", "onnx", "int8") if n in r)
          + f"; load average {r['load_start'][0]} → {r['load_end'][0]}")
    if args.json:
        args.json.write_text(json.dumps(r, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
