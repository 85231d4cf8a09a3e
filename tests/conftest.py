"""Shared fixtures: the real embedding model (loaded once) and a store with the seeds ingested once."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from config.settings import Settings  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
# ../shared beside the checkout, or beside the folder of worktrees a checkout may sit in
RUWA = next((p for p in (ROOT.parent / "shared" / "corpus" / "ruwa.jsonl",
                         ROOT.parent.parent / "shared" / "corpus" / "ruwa.jsonl") if p.exists()),
            ROOT.parent / "shared" / "corpus" / "ruwa.jsonl")


def make_settings(data_dir: Path, **overrides) -> Settings:
    """Settings for a test: nothing is read from the developer's environment or .env."""
    values = {"data_dir": data_dir, "corpus_dirs": [SEEDS], "cooldown_seconds": 0.0}
    values.update(overrides)
    return Settings(_env_file=None, **values)


def make_config(data_dir: Path, **overrides):
    """The retrieval library's config for a test, built the way the entry points build it."""
    return make_settings(data_dir, **overrides).retrieval_config()


@pytest.fixture(scope="session")
def embedder(tmp_path_factory):
    """The default (ONNX Runtime) embedder; its export is cached in `embedder.cache_dir` for subprocesses."""
    from retrieval.embedder import Embedder

    e = Embedder(cache_dir=tmp_path_factory.mktemp("models"))
    e.warm_up()
    return e


@pytest.fixture(scope="session")
def gazetteer():
    from retrieval.service import load_gazetteer

    return load_gazetteer(None)


@pytest.fixture(scope="session")
def seeded(tmp_path_factory, embedder, gazetteer):
    """A Frontline over the five seeds, ingested once for the whole session (read-only use)."""
    from retrieval.service import Frontline

    frontline = Frontline(make_config(tmp_path_factory.mktemp("seeded")), embedder=embedder, gazetteer=gazetteer)
    report = frontline.ingest()
    assert report.articles == 5 and not report.skipped, report.summary()
    yield frontline
    frontline.close()


@pytest.fixture
def fresh(tmp_path, embedder, gazetteer):
    """An empty Frontline in its own data folder."""
    from retrieval.service import Frontline

    frontline = Frontline(make_config(tmp_path / "data"), embedder=embedder, gazetteer=gazetteer)
    yield frontline
    frontline.close()


@pytest.fixture
def news_sites():
    """Two fake news hosts on 127.0.0.1 (A: "Kharkiv Ledger", B: "Donbas Courier"), stopped after the test."""
    from tests.fakeweb import FakeNewsSite

    with FakeNewsSite("ledger") as a, FakeNewsSite("courier") as b:
        yield a, b
