"""Web sources: fetch+extract and ingest throughput from a loopback news site, extraction quality, and
the cost of a poll when nothing changed (one feed's conditional GET, and `Frontline.follow_once` over
every followed feed, as the bot runs it). A script that prints numbers, not a test.

    .venv/bin/python -m benchmarks.web [--pages 200] [--no-ingest]

The fake site (tests/fakeweb) serves N generated article pages in its two house styles, listed in its
RSS feed. Article bodies are made of RUWA news items (5 per article) when ../shared/corpus/ruwa.jsonl
exists, else of generated sentences. The per-host rate limit is off here (loopback); with the default
one request per second per host, fetching is bounded by that, not by the numbers below.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# ../shared beside the checkout (or beside the worktrees' folder)
RUWA = next((p for p in (ROOT.parent / "shared" / "corpus" / "ruwa.jsonl", ROOT.parents[1] / "shared" / "corpus" / "ruwa.jsonl")
             if p.exists()), ROOT.parent / "shared" / "corpus" / "ruwa.jsonl")
PLACES = ["Toretsk", "Pokrovsk", "Kharkiv", "Kupiansk", "Chasiv Yar", "Vuhledar", "Huliaipole", "Kramatorsk"]


def _bodies(n: int) -> tuple[list[tuple[str, ...]], str]:
    if RUWA.exists():
        found: dict[str, None] = {}     # RUWA repeats some items word for word: each text once
        with RUWA.open(encoding="utf-8") as f:
            for line in f:
                text = " ".join(json.loads(line).get("text", "").split())
                if len(text) >= 120 and len(text.split()) >= 20:
                    found[text] = None
                if len(found) >= 5 * n:
                    break
        items = list(found)
        if len(items) >= 5 * n:
            return [tuple(items[5 * i:5 * i + 5]) for i in range(n)], "RUWA items"
    rng = random.Random(7)
    verbs = ["shelled", "reported fighting near", "evacuated families from", "repaired power lines in",
             "counted drone strikes on", "delivered water to"]
    def sentence() -> str:
        return (f"On day {rng.randint(100, 900)} officials said units {rng.choice(verbs)} {rng.choice(PLACES)}, "
                f"where {rng.randint(2, 4000)} residents remain and {rng.randint(1, 90)} buildings were hit overnight.")
    return [tuple(" ".join(sentence() for _ in range(3)) for _ in range(5)) for _ in range(n)], "generated sentences"


def _stories(n: int):
    from tests.fakeweb.stories import Story

    bodies, kind = _bodies(n)
    stories = []
    for i, paragraphs in enumerate(bodies):
        day = 1 + i % 28
        stories.append(Story(slug=f"bench-{i:05d}", title=f"Front-line report {i}: {PLACES[i % len(PLACES)]}",
                             author="Bench Writer", published=f"2024-08-{day:02d}T10:00:00+03:00",
                             modified=f"2024-09-{day:02d}T10:00:00+03:00", paragraphs=paragraphs))
    return stories, kind


def _quality(stories) -> dict:
    """Share of body paragraphs kept verbatim, and boilerplate strings left, after extraction and after cleaning."""
    from retrieval.cleaning import clean_article
    from retrieval.web.extract import ExtractError, extract_article
    from tests.fakeweb import pages

    kept = kept_raw = total = left_raw = left_clean = pages_n = failed = 0
    boiler_total = 0
    for story in stories:
        for style, boilerplate in (("ledger", pages.LEDGER_BOILERPLATE), ("courier", pages.COURIER_BOILERPLATE)):
            base = "http://127.0.0.1:9"
            html = pages.ledger_article(story, base) if style == "ledger" else pages.courier_article(story, base)
            pages_n += 1
            try:
                article = extract_article(html, f"{base}/{story.slug}")
            except ExtractError:
                failed += 1
                total += len(story.paragraphs)
                continue
            body = clean_article(article.text, title_hint=article.title).body
            paragraphs, extracted = set(body.split("\n\n")), set(article.text.split("\n\n"))
            kept += sum(p in paragraphs for p in story.lead + story.paragraphs)
            kept_raw += sum(p in extracted for p in story.lead + story.paragraphs)
            total += len(story.lead + story.paragraphs)
            boiler_total += len(boilerplate)
            left_raw += sum(b.lower() in article.text.lower() for b in boilerplate)
            left_clean += sum(b.lower() in body.lower() for b in boilerplate)
    return {"pages": pages_n, "failed": failed, "kept": kept, "kept_raw": kept_raw, "total": total, "boiler": boiler_total,
            "left_raw": left_raw, "left_clean": left_clean}


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.web", description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--no-ingest", action="store_true", help="skip the ingest into a real store")
    args = parser.parse_args()

    from concurrent.futures import ThreadPoolExecutor

    from retrieval.web.dedup import NearDuplicates, signature
    from retrieval.web.extract import extract_article
    from retrieval.web.fetch import Fetcher, FetchPolicy
    from retrieval.web.state import WebState, poll_feed
    from tests.fakeweb import FakeNewsSite
    from tests.fakeweb.stories import ALL_STORIES, KUPIANSK_V2

    stories, kind = _stories(args.pages)
    print(f"pages                {args.pages} generated ({kind}), two house styles, loopback server")

    # ---- extraction quality on the hand-written fixtures, then on the generated pages
    for label, sample in (("fixtures", list(ALL_STORIES) + [KUPIANSK_V2]), ("generated", stories)):
        q = _quality(sample)
        print(f"quality {label:10}   {q['pages']} pages: body paragraphs kept verbatim {q['kept_raw']}/{q['total']} "
              f"({q['kept_raw'] / q['total']:.1%}) after extraction, {q['kept']}/{q['total']} "
              f"({q['kept'] / q['total']:.1%}) after cleaning; boilerplate strings left {q['left_raw']}/{q['boiler']} "
              f"after extraction, {q['left_clean']}/{q['boiler']} after cleaning; no article found: {q['failed']}")

    with FakeNewsSite("ledger") as a, FakeNewsSite("courier") as b:
        half = len(stories) // 2
        a.extra_stories, b.extra_stories = stories[:half], stories[half:]
        urls = [a.article_url(s) for s in stories[:half]] + [b.article_url(s) for s in stories[half:]]
        policy = FetchPolicy(min_interval=0.0, allow_private=True)

        # ---- fetch + extract, one thread and several
        for threads in (1, args.threads):
            fetch_ms, extract_ms = [], []
            with Fetcher(policy) as fetcher:
                def one(url: str) -> None:
                    t0 = time.perf_counter()
                    result = fetcher.fetch(url)
                    t1 = time.perf_counter()
                    extract_article(result.content, result.final_url)
                    fetch_ms.append((t1 - t0) * 1000)
                    extract_ms.append((time.perf_counter() - t1) * 1000)
                fetcher.fetch(a.url("/robots.txt"), purpose="robots")   # connections and robots warm
                started = time.perf_counter()
                with ThreadPoolExecutor(threads) as pool:
                    list(pool.map(one, urls))
                took = time.perf_counter() - started
            print(f"fetch+extract        {len(urls) / took:6.1f} pages/s with {threads} thread(s); per page p50 "
                  f"fetch {statistics.median(fetch_ms):.1f} ms, extract {statistics.median(extract_ms):.1f} ms")

        # ---- near-duplicate signatures
        texts = ["\n\n".join(s.paragraphs) for s in stories]
        t0 = time.perf_counter()
        sigs = [signature(t) for t in texts]
        sig_ms = (time.perf_counter() - t0) * 1000 / len(texts)
        index = NearDuplicates()
        t0 = time.perf_counter()
        false_matches = 0
        for i, sig in enumerate(sigs):
            false_matches += index.find(sig) is not None
            index.add(str(i), sig)
        find_ms = (time.perf_counter() - t0) * 1000 / len(sigs)
        print(f"near-duplicates      signature {sig_ms:.2f} ms/article, find+add {find_ms:.2f} ms/article "
              f"(index up to {len(sigs)}); matches among {len(sigs)} distinct articles: {false_matches}")

        # ---- the poll when nothing changed
        with tempfile.TemporaryDirectory() as tmp, Fetcher(policy) as fetcher:
            state = WebState(Path(tmp) / "web.sqlite3")
            feed = a.url("/feed.rss")
            t0 = time.perf_counter()
            first = poll_feed(feed, fetcher, state)
            full_ms = (time.perf_counter() - t0) * 1000
            for entry in first.entries:
                state.entry_done(feed, entry.key, "x")
            before = len(a.requests)
            times = []
            for _ in range(50):
                t0 = time.perf_counter()
                quiet = poll_feed(feed, fetcher, state)
                times.append((time.perf_counter() - t0) * 1000)
                assert quiet.not_modified and not quiet.entries
            requests = (len(a.requests) - before) / 50
            feed_bytes = len(fetcher.fetch(feed, purpose="feed").content)
            state.close()
        print(f"poll, nothing new    p50 {statistics.median(times):.1f} ms, {requests:.0f} request (a 304, 0 body "
              f"bytes) per poll; the first poll of the same {len(first.entries)}-entry feed ({feed_bytes:,} bytes): "
              f"{full_ms:.0f} ms")

        # ---- ingest into a real store
        if not args.no_ingest:
            _ingest(a, b, policy)
    return 0


def _ingest(a, b, policy) -> None:
    """Through the front door: `Frontline.ingest(urls)`, then `follow_once()` as the bot's poll runs it."""
    from retrieval.config import RetrievalConfig
    from retrieval.service import Frontline

    feeds = (a.url("/feed.rss"), b.url("/feed.rss"))
    with tempfile.TemporaryDirectory() as tmp:
        config = RetrievalConfig(data_dir=Path(tmp) / "data", corpus_paths=(), feeds=feeds, allow_private_urls=True)
        frontline = Frontline(config, fetch_policy=policy)
        frontline.ingest([])    # loads the model (start-up, not ingest work)
        for label in ("first ingest", "again, unchanged"):
            t0 = time.perf_counter()
            report = frontline.ingest(list(feeds))
            took = time.perf_counter() - t0
            print(f"ingest {label:17} {report.articles / took:6.1f} pages/s ({report.articles} articles, "
                  f"{report.passages_embedded} passages embedded, {len(report.skipped)} skipped, {took:.1f} s)")

        # the bot's poll: the feeds' entries are new to the feed state, their pages already stored
        t0 = time.perf_counter()
        first = frontline.follow_once()
        first_s = time.perf_counter() - t0
        before = len(a.requests) + len(b.requests)
        times = []
        for _ in range(20):
            t0 = time.perf_counter()
            quiet = frontline.follow_once()
            times.append((time.perf_counter() - t0) * 1000)
            assert quiet.new_articles == [] and all(f.not_modified for f in quiet.feeds)
        requests = (len(a.requests) + len(b.requests) - before) / 20
        print(f"follow_once, first   {first_s:.1f} s for {sum(f.new_entries for f in first.feeds)} entries whose pages "
              f"were stored already ({len(first.new_articles)} new articles, {first.copies} copies)")
        print(f"follow_once, quiet   p50 {statistics.median(times):.1f} ms, p95 "
              f"{sorted(times)[int(0.95 * len(times)) - 1]:.1f} ms over {len(feeds)} feeds; {requests:.0f} requests "
              f"per poll (one 304 per feed); no ingest runs when nothing is new")
        frontline.close()


if __name__ == "__main__":
    sys.exit(main())
