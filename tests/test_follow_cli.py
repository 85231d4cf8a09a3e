"""The command line against the fake news site, in a subprocess as a user runs it: `ingest URL ...`,
`follow --once` (for cron) and `follow` until a signal; private addresses refused without
FRONTLINE_ALLOW_PRIVATE_URLS=1, with the reason."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.fakeweb.stories import TORETSK_SPOIL_HEAPS

pytestmark = pytest.mark.slow
REFUSED = "refused: 127.0.0.1 is a loopback address; set FRONTLINE_ALLOW_PRIVATE_URLS=1 to allow private addresses"


def _env(tmp: Path, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FRONTLINE_", "DISCORD_"))}
    env.update(HF_HUB_OFFLINE="1", ANONYMIZED_TELEMETRY="False", PYTHONPATH=str(ROOT),
               FRONTLINE_DATA_DIR=str(tmp / "data"), FRONTLINE_CORPUS_DIRS=str(ROOT / "seeds"))
    env.update(settings)
    return env


def _run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "retrieval", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300, stdin=subprocess.DEVNULL)


def test_ingest_urls_then_follow_once_as_cron_would(tmp_path, news_sites):
    a, b = news_sites
    env = _env(tmp_path, FRONTLINE_ALLOW_PRIVATE_URLS="1")
    page = a.article_url(TORETSK_SPOIL_HEAPS) + "?utm_source=rss&utm_medium=feed"
    out = _run(["ingest", b.url("/feed.rss"), page, "--json"], env, tmp_path)
    assert out.returncode == 0, out.stderr[-2000:]
    report = json.loads(out.stdout)
    assert report["articles"] == 4 and report["skipped"] == []
    assert len(a.hits(a.article_path(TORETSK_SPOIL_HEAPS))) == 1

    env["FRONTLINE_FEEDS"] = a.url("/feed.atom")
    out = _run(["follow", "--once", "--json"], env, tmp_path)
    assert out.returncode == 0, out.stderr[-2000:]
    poll = json.loads(out.stdout)
    assert [(f["url"], f["ok"], f["new_entries"]) for f in poll["feeds"]] == [(a.url("/feed.atom"), True, 4)]
    # the Toretsk page was already stored, and A's wire story is a copy of B's: two new articles
    assert len(poll["new_articles"]) == 2 and poll["copies"] == 1 and poll["skipped"] == []
    assert out.stderr == ""
    stats = json.loads(_run(["stats", "--json"], env, tmp_path).stdout)
    assert stats["articles"] == 6


def test_private_addresses_are_refused_without_the_setting(tmp_path, news_sites):
    a, _ = news_sites
    env = _env(tmp_path)
    out = _run(["ingest", a.url("/feed.rss"), "--json"], env, tmp_path)
    assert out.returncode == 0, out.stderr[-2000:]
    assert json.loads(out.stdout)["skipped"] == [{"source": a.url("/feed.rss"), "reason": REFUSED}]

    env["FRONTLINE_FEEDS"] = a.url("/feed.rss")
    out = _run(["follow", "--once"], env, tmp_path)
    assert out.returncode == 0, out.stderr[-2000:]
    assert f"polled 1 feed: 0 ok, 1 failed ({a.url('/feed.rss')}: {REFUSED}); 0 new articles" in out.stdout
    assert a.requests == []


def test_follow_polls_until_a_signal_and_stops_cleanly(tmp_path, news_sites):
    a, _ = news_sites
    env = _env(tmp_path, FRONTLINE_ALLOW_PRIVATE_URLS="1", FRONTLINE_FEEDS=a.url("/feed.rss"),
               FRONTLINE_POLL_MINUTES="0.01")
    process = subprocess.Popen([sys.executable, "-m", "retrieval", "follow"], cwd=tmp_path, env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    lines: list[str] = []
    three = threading.Event()

    def read() -> None:
        for line in process.stdout:
            lines.append(line.rstrip("\n"))
            if len(lines) >= 3:
                three.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert three.wait(240), f"no three polls: {lines} {process.stderr.read() if process.poll() is not None else ''}"
        process.send_signal(signal.SIGTERM)
        assert process.wait(60) == 0
    finally:
        if process.poll() is None:
            process.kill()
    reader.join(10)
    assert "; 4 new articles; " in lines[0] and all("; 0 new articles; " in line for line in lines[1:])
    assert all(" polled 1 feed: 1 ok;" in line and line.endswith(" s") for line in lines)
    assert "Traceback" not in process.stderr.read()


def test_follow_without_feeds_says_how_to_add_one(tmp_path):
    out = _run(["follow", "--once"], _env(tmp_path), tmp_path)
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr.strip() == ("error: no feeds to follow: set FRONTLINE_FEEDS (comma-separated RSS/Atom URLs) "
                                  "or add one in Discord with /feeds add")
