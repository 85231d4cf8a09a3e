"""Frontline against a real Chroma server (the installed `chroma run`): answers, a server that goes
down (StoreUnavailable, quickly, with a message for people) and comes back (the same Frontline
reconnects without being rebuilt).
"""
from __future__ import annotations

import shutil
import time

import pytest

from config.settings import SettingsError, load_settings
from retrieval.errors import FrontlineError, StoreUnavailable
from tests.chroma_server import CHROMA, ChromaServer, free_port
from tests.conftest import make_settings

QUESTION = "Why did Ukraine leave the Kanal district?"


@pytest.fixture
def chroma_server(tmp_path):
    if not CHROMA.exists():
        pytest.skip(f"no chroma CLI at {CHROMA}")
    server = ChromaServer(tmp_path / "chroma-server", free_port(), tmp_path / "chroma.log")
    server.start()
    try:
        yield server
    finally:
        server.stop()  # never leave a server running


@pytest.fixture
def frontline(tmp_path, chroma_server, embedder, gazetteer):
    from retrieval.service import Frontline

    settings = make_settings(tmp_path / "data", chroma_url=f"http://127.0.0.1:{chroma_server.port}")
    fl = Frontline(settings.retrieval_config(), embedder=embedder, gazetteer=gazetteer)
    yield fl
    fl.close()


def _assert_cited(answer) -> None:
    assert not answer.abstained, answer
    assert answer.citations
    assert any("Kanal" in c.passage for c in answer.citations)


def test_server_down_and_back(frontline, chroma_server, tmp_path):
    report = frontline.ingest()
    assert report.articles == 5 and not report.skipped and report.passages_embedded == report.passages > 0
    assert frontline._vectors.ids() == frontline._docstore.passage_ids()
    assert not (tmp_path / "data" / "chroma").exists(), "with a server URL nothing goes to the on-disk Chroma"
    _assert_cited(frontline.ask(QUESTION))

    chroma_server.stop()
    started = time.monotonic()
    with pytest.raises(StoreUnavailable) as err:
        frontline.ask(QUESTION)
    took = time.monotonic() - started
    assert took < 10, f"a down server took {took:.1f}s to report"
    message = str(err.value)
    assert message and len(message) < 300 and "unavailable" in message.lower()
    assert "Traceback" not in message and "127.0.0.1" not in message  # no internals for the user
    assert err.value.detail  # but the operator's detail is kept

    # still down: every call says the same, none crashes with another type
    for call in (lambda: frontline.ask(QUESTION), lambda: frontline._vectors.ping()):
        started = time.monotonic()
        with pytest.raises(StoreUnavailable):
            call()
        assert time.monotonic() - started < 10

    chroma_server.start()
    answer = frontline.ask(QUESTION)  # the same Frontline, no rebuild
    _assert_cited(answer)
    assert frontline._vectors.ids() == frontline._docstore.passage_ids()


def test_ingest_against_a_down_server_is_store_unavailable(frontline, chroma_server):
    chroma_server.stop()
    with pytest.raises(StoreUnavailable):
        frontline.ingest()
    assert frontline._docstore.passage_ids() == set()  # nothing recorded without its vectors
    chroma_server.start()
    report = frontline.ingest()
    assert report.articles == 5 and report.passages_embedded == report.passages > 0
    assert frontline._vectors.ids() == frontline._docstore.passage_ids()
    _assert_cited(frontline.ask(QUESTION))


def test_a_lost_server_volume_is_reconciled_on_the_next_ingest(frontline, chroma_server):
    frontline.ingest()
    chroma_server.stop()
    shutil.rmtree(chroma_server.path)  # the server comes back empty
    chroma_server.start()
    try:  # the collection it knew is gone: it may say so, or abstain, but must not crash otherwise
        frontline.ask(QUESTION)
    except FrontlineError as exc:
        assert str(exc) and len(str(exc)) < 300
    report = frontline.ingest()
    assert report.passages_embedded == report.passages > 0
    assert frontline._vectors.ids() == frontline._docstore.passage_ids()
    _assert_cited(frontline.ask(QUESTION))


def test_bad_chroma_url_names_the_setting():
    with pytest.raises(SettingsError, match="FRONTLINE_CHROMA_URL"):
        load_settings(_env_file=None, chroma_url="ftp://x")


async def test_bot_replies_store_unavailable_while_chroma_is_down_and_recovers(frontline, chroma_server, tmp_path):
    """Through the real bot and the fake Discord: a clear reply while the server is down, answers once it is back."""
    from bot.client import FrontlineBot
    from tests.conftest import make_settings
    from tests.fake_discord import FakeDiscord

    frontline.ingest()
    question = {"question": "Why did Ukraine leave the Kanal district?"}
    async with FakeDiscord() as fake:
        bot = FrontlineBot(make_settings(tmp_path / "botdata"), frontline)
        async with fake.connect(bot, "fake-token"):
            first = await (await fake.slash("ask", question)).wait_final(60)
            assert first["embeds"]
            chroma_server.stop()
            down = await (await fake.slash("ask", question)).wait_final(60)
            assert "unavailable" in down["content"] and not down.get("embeds")
            chroma_server.start()
            back = await (await fake.slash("ask", question)).wait_final(60)
            assert back["embeds"] and "[1]" in back["embeds"][0]["description"]
        fake.assert_no_violations()
