"""Load: N simultaneous /ask interactions against the real bot, through the loopback fake Discord.

    .venv/bin/python -m benchmarks.load [--n 200] [--data DIR]

Prints the share acknowledged within 3 s, time to the final answer (p50/p95), how many got an answer,
a "busy" reply or an error, the event loop's lag p99 measured inside the bot, and peak memory.
The per-user cooldown is off here (the fake guild has three members); everything else is the default.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.common import peak_rss_mb, pct  # noqa: E402 (after the path is set)

QUESTIONS = [
    "Why did Ukraine leave the Kanal district?",
    "How far is Toretsk from Horlivka?",
    "What is happening around Dzerzhynsk?",
    "Who won the 2022 World Cup?",
    "How many Russian soldiers had been killed according to Ukraine?",
    "Why did the troops withdraw from Severodonetsk?",
    "What happened near Bakhmut in July 2023?",
    "What is the latest from Chasiv Yar?",
    "@everyone what happened in Avdiivka in February 2024?",
    "Which settlements did the Russians shell near Slovyansk?",
]


async def run(n: int, data_dir: Path) -> dict:
    from bot.client import FrontlineBot
    from config.settings import Settings
    from retrieval.service import Frontline
    from tests.fake_discord import FakeDiscord

    settings = Settings(_env_file=None, data_dir=data_dir, corpus_dirs=[ROOT / "seeds"], cooldown_seconds=0)
    frontline = Frontline(settings.retrieval_config())
    frontline.ingest()
    frontline.warm_up()
    async with FakeDiscord() as fake:
        bot = FrontlineBot(settings, frontline)
        async with fake.connect(bot, "fake-token"):
            users = [fake.user_id, fake.admin_id, fake.owner_id]
            bot.lag.samples.clear()

            async def one(i: int) -> tuple[float, float | None, str]:
                started = time.perf_counter()
                interaction = await fake.slash("ask", {"question": QUESTIONS[i % len(QUESTIONS)]},
                                               user_id=users[i % len(users)])
                message = await interaction.wait_final(120)
                took = time.perf_counter() - started
                content = message.get("content") or ""
                kind = "busy" if "busy" in content else "error" if "wrong" in content or "too long" in content else "answer"
                return took, interaction.ack_latency, kind

            started = time.perf_counter()
            results = await asyncio.gather(*(one(i) for i in range(n)))
            wall = time.perf_counter() - started
            lag_p99 = bot.lag.percentile(99)
        violations = list(fake.violations)
    frontline.close()
    acks = [r[1] for r in results if r[1] is not None]
    finals = [r[0] for r in results]
    kinds = [r[2] for r in results]
    return {
        "interactions": n,
        "acknowledged_within_3s": sum(1 for a in acks if a < 3.0) / n,
        "ack_p95_ms": pct(acks, 0.95) * 1000,
        "final_p50_s": statistics.median(finals),
        "final_p95_s": pct(finals, 0.95),
        "answered": kinds.count("answer"),
        "busy": kinds.count("busy"),
        "errors": kinds.count("error"),
        "wall_s": wall,
        "loop_lag_p99_ms": lag_p99 * 1000,
        "peak_rss_mb": peak_rss_mb(),
        "violations": violations,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--data", type=Path, default=None, help="data dir (default: a temporary one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        result = asyncio.run(run(args.n, args.data or Path(tmp)))
    for key, value in result.items():
        print(f"{key:<24} {value:.3f}" if isinstance(value, float) else f"{key:<24} {value}")
    return 0 if not result["violations"] and result["acknowledged_within_3s"] == 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())
