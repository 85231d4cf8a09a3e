"""What the benchmark scripts share: the corpora, the questions, the synthetic corpus and its real
vectors' cache, settings isolated from the developer's environment, timing helpers.

bench.py (the report) imports the other scripts; they import only this, so there is no cycle.
"""
from __future__ import annotations

import json
import os
import random
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
RUWA = Path(os.environ.get("FRONTLINE_BENCH_RUWA") or next(
    (p for p in (ROOT.parent / "shared" / "corpus" / "ruwa.jsonl", ROOT.parent.parent / "shared" / "corpus" / "ruwa.jsonl")
     if p.exists()), ROOT.parent / "shared" / "corpus" / "ruwa.jsonl"))
SYN_COPIES = 10          # ruwa10 = the real items + 9 synthetic copies
SYN_SHIFT_DAYS = 37
SYN_NOISE = 0.03         # std of the per-dimension noise added to a real vector before renormalising
WARMUP = 3
CACHE = Path(tempfile.gettempdir()) / "frontline-bench-cache"   # RUWA's real vectors, reused by the synthetic corpora

# ~50 varied questions: places (several aliases), dates, both, "latest", and plain ones.
QUESTIONS = [
    "What happened in Mariupol?",
    "What is the situation at the Azovstal steel plant?",
    "What happened in Bucha?",
    "What happened in Kherson in November 2022?",
    "What happened in Mariupol in March 2022?",
    "Was there fighting in Severodonetsk in June 2022?",
    "What happened in Sievierodonetsk?",
    "What is the latest news from Bakhmut?",
    "What happened in Kramatorsk in April 2022?",
    "What was reported about Lysychansk in July 2022?",
    "What happened in Zaporizhzhia since August 2022?",
    "What did the IAEA say about the Zaporizhzhia nuclear power plant?",
    "What happened in Kharkiv in May 2022?",
    "What is happening in Izium?",
    "Was Kyiv shelled in October 2022?",
    "What happened in Odesa?",
    "What happened in Mykolaiv in 2022?",
    "What happened at Snake Island?",
    "What happened in Kupiansk in September 2022?",
    "What happened in Lyman in October 2022?",
    "What happened in Donetsk before 2022?",
    "What happened in Luhansk?",
    "What happened in Melitopol?",
    "What was reported in Crimea in August 2022?",
    "What happened on the Crimean bridge in October 2022?",
    "What is the latest from the Donbas?",
    "What happened in Chernihiv in March 2022?",
    "What happened in Sumy?",
    "What happened in Irpin?",
    "What happened in Vuhledar?",
    "What is the latest news?",
    "What happened on 24 February 2022?",
    "What happened in January 2022?",
    "What happened since September 2022?",
    "What was reported on 2022-04-14?",
    "What sanctions were imposed on Russia?",
    "How many refugees have left Ukraine?",
    "What weapons did the United States send to Ukraine?",
    "Did Russia announce a mobilisation?",
    "What happened to the Moskva cruiser?",
    "What did Zelensky say about peace talks?",
    "What did Putin say about the special military operation?",
    "Were there attacks on energy infrastructure?",
    "What happened with grain exports from Ukrainian ports?",
    "Were HIMARS used against Russian ammunition depots?",
    "What did NATO decide at its summit?",
    "What happened to the Nord Stream pipelines?",
    "Were there referendums in occupied territories?",
    "How many civilians were killed according to the UN?",
    "What did the Red Cross say about prisoners of war?",
    "What is the weather like on Mars?",
    "Who won the football match yesterday?",
]



# ============================================================================================ helpers
def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    if not s:
        return float("nan")
    i = (len(s) - 1) * q
    lo, hi = int(i), min(int(i) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (i - lo)


def log(msg: str) -> None:
    print(f"[{datetime.now().strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def settings_for(data_dir: Path, corpus: Path):
    from config.settings import Settings

    # like tests/conftest.make_settings: nothing read from the developer's environment or .env
    return Settings(_env_file=None, data_dir=data_dir, corpus_dirs=[corpus], cooldown_seconds=0.0,
                    embed_cache_dir=CACHE / "models")


def timed_ms(fn, items) -> list[float]:
    """Milliseconds of fn(item), for each item in turn."""
    out = []
    for item in items:
        started = time.perf_counter()
        fn(item)
        out.append((time.perf_counter() - started) * 1000)
    return out


def latencies(fn, questions: list[str]) -> list[float]:
    """timed_ms after WARMUP untimed calls."""
    for q in questions[:WARMUP]:
        fn(q)
    return timed_ms(fn, questions)


def verdict(value, target, *, higher: bool) -> str:
    if value is None:
        return "n/a"
    ok = value >= target if higher else value <= target
    return "**met**" if ok else "**MISSED**"


# ============================================================================================ synthetic
def write_synthetic(path: Path, source: Path, copies: int) -> int:
    """The real items, then copies-1 derived ones; deterministic."""
    items = [json.loads(line) for line in source.read_text(encoding="utf-8").splitlines() if line.strip()]
    rng = random.Random(20240601)
    n = 0
    with path.open("w", encoding="utf-8") as out:
        for item in items:
            out.write(json.dumps(item, ensure_ascii=False) + "\n")
            n += 1
        for k in range(1, copies):
            for i, item in enumerate(items):
                other = items[rng.randrange(len(items))]
                text = item.get("text") or ""
                extra = _sentences(other.get("text") or other.get("title") or "")
                if text and extra:
                    text = text.rstrip() + " " + extra[rng.randrange(len(extra))]
                new = dict(item, id=f"syn{k}-{item['id']}", text=text)
                if item.get("date"):
                    try:
                        d = date.fromisoformat(str(item["date"])[:10]) + timedelta(days=k * SYN_SHIFT_DAYS)
                        new["date"] = d.isoformat()
                    except ValueError:
                        pass
                if item.get("url"):
                    new["url"] = f"{item['url']}#syn{k}"
                out.write(json.dumps(new, ensure_ascii=False) + "\n")
                n += 1
    return n


def _sentences(text: str) -> list[str]:
    import re

    return [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if len(s.strip()) > 20]


def save_vectors(frontline) -> None:
    import numpy as np

    got = frontline._vectors._call("get", lambda c: c.get(include=["embeddings"]))
    CACHE.mkdir(exist_ok=True)
    np.savez(CACHE / "ruwa_vectors.npz", ids=np.array(got["ids"]), vectors=np.asarray(got["embeddings"], np.float32))


def cached_vectors() -> dict:
    import numpy as np

    path = CACHE / "ruwa_vectors.npz"
    if not path.exists():
        return {}
    data = np.load(path)
    return {str(i): v for i, v in zip(data["ids"], data["vectors"])}


def derived_vectors(article, real: dict, vec_of: dict, rng, dim: int):
    """A synthetic article's vectors: each passage's source passage's real vector plus seeded noise,
    renormalised (a real article keeps its own; a passage with no source gets a random one)."""
    import numpy as np

    src_id = article.article_id.split("-", 1)[1] if article.article_id.startswith("syn") else article.article_id
    src = real.get(src_id)
    out = []
    for p in article.passages:
        base = None
        if src is not None and src.passages:
            base = vec_of[src.passages[min(p.seq, len(src.passages) - 1)].id]
        if base is None:
            base = rng.standard_normal(dim).astype(np.float32)
        if article.article_id.startswith("syn"):
            base = base + rng.normal(0, SYN_NOISE, base.shape).astype(np.float32)
        out.append(base / np.linalg.norm(base))
    return np.asarray(out, dtype=np.float32).reshape(len(article.passages), dim)


def peak_rss_mb() -> float:
    """This process's peak resident memory, from /proc/self/status (VmHWM).

    Not getrusage's ru_maxrss: Linux carries that across exec, so a process started by a large one
    (a serving benchmark spawned by a 4 GB bench worker) would report its parent's peak as its own.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
