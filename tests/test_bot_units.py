"""Fast tests of the bot's parts that need no Discord: rendering within limits, runner, cooldowns, logs."""
from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
import time

import pytest

from bot import render
from bot.__main__ import RedactToken
from bot.replies import message_for
from bot.runner import AnswerRunner, AnswerTimeout, Busy, Cooldowns
from retrieval.models import Answer, Citation
from tests.conftest import ROOT


def _answer(n_citations: int, passage_len: int, answer_len: int = 300) -> Answer:
    citations = [
        Citation(n=i, article_id=f"a{i}", title="T" * 300, date="2024-07-04", date_precision="day",
                 date_inferred=False, source="Outlet", url=None, passage="p" * passage_len, start=0,
                 end=passage_len, score=1.0)
        for i in range(1, n_citations + 1)
    ]
    return Answer("Q" * 5000, "A" * answer_len, False, "2024-07-04", 1.0, citations, "0123456789ab")


@pytest.mark.parametrize("n,plen,alen", [(1, 100, 100), (5, 500, 400), (30, 5000, 10000), (25, 1024, 4096)])
def test_answer_embed_always_fits_discord_limits(n, plen, alen):
    embed = render.answer_embed(_answer(n, plen, alen))
    assert len(embed) <= render.EMBED_TOTAL_MAX
    assert len(embed.title) <= 256 and len(embed.description) <= 4096
    assert len(embed.fields) <= 25
    assert all(len(f.name) <= 256 and len(f.value) <= 1024 for f in embed.fields)
    assert embed.fields, "citations must not all be dropped"


def test_short_passages_are_not_trimmed():
    embed = render.answer_embed(_answer(2, 200))
    assert all("…" not in f.value for f in embed.fields)


def test_escape_neutralises_pings_and_markdown():
    text = render.escape("@everyone @here <@&123> <@456> **bold** [x](http://e.org) `code`")
    assert "@everyone" not in text and "@here" not in text
    assert "<@&123>" not in text and "<@456>" not in text
    assert "**bold**" not in text


def test_sources_messages_are_each_under_2000_characters():
    messages = render.sources_messages(_answer(8, 1500))
    assert len(messages) > 1 and all(len(m) <= 2000 for m in messages)


async def test_runner_runs_off_the_loop_and_times_out():
    runner = AnswerRunner(max_concurrent=1, max_queued=5, timeout=0.3)
    loop_ticks = 0

    async def tick():
        nonlocal loop_ticks
        while True:
            await asyncio.sleep(0.01)
            loop_ticks += 1

    ticker = asyncio.create_task(tick())
    assert await runner.run(time.sleep, 0.2) is None
    assert loop_ticks >= 5, "the loop kept running while the work blocked a thread"
    with pytest.raises(AnswerTimeout):
        await runner.run(time.sleep, 1.0)
    ticker.cancel()


async def test_runner_says_busy_when_the_queue_is_full():
    runner = AnswerRunner(max_concurrent=1, max_queued=1, timeout=5)
    first = asyncio.create_task(runner.run(time.sleep, 0.3))
    await asyncio.sleep(0.05)
    second = asyncio.create_task(runner.run(time.sleep, 0.01))
    await asyncio.sleep(0.05)
    with pytest.raises(Busy):
        await runner.run(time.sleep, 0.01)
    await asyncio.gather(first, second)


async def test_the_cap_holds_when_answers_time_out():
    # max_concurrent=1 and five questions that each outlive the timeout: at most one computation at a
    # time, every asker told at once, the queued ones never computed, the late results dropped.
    import threading

    runner = AnswerRunner(max_concurrent=1, max_queued=10, timeout=0.5)
    lock = threading.Lock()
    running = started = peak = 0
    release = threading.Event()

    def slow(n: int) -> int:
        nonlocal running, started, peak
        with lock:
            running += 1
            started += 1
            peak = max(peak, running)
        release.wait(5)
        with lock:
            running -= 1
        return n

    t0 = time.monotonic()
    results = await asyncio.gather(*(runner.run(slow, n) for n in range(5)), return_exceptions=True)
    assert all(isinstance(r, AnswerTimeout) for r in results), results
    assert time.monotonic() - t0 < 2, "timed-out askers waited for the computations"
    await asyncio.sleep(0.2)
    assert peak == 1 and started == 1, f"{started} computations started, {peak} at once"
    # the one running computation still holds the only worker: a new question waits for it
    pending = asyncio.create_task(runner.run(slow, 99))
    await asyncio.sleep(0.2)
    assert started == 1
    release.set()
    assert await pending == 99
    assert peak == 1 and started == 2
    runner.shutdown()


async def test_busy_counts_computations_that_outlived_their_timeout():
    import threading

    runner = AnswerRunner(max_concurrent=1, max_queued=1, timeout=0.1)
    release = threading.Event()
    with pytest.raises(AnswerTimeout):
        await runner.run(release.wait, 5)       # still computing after its timeout: holds the worker
    queued = asyncio.create_task(runner.run(time.sleep, 0.01))
    await asyncio.sleep(0.05)
    with pytest.raises(Busy):                   # worker taken, queue full: not silently over the cap
        await runner.run(time.sleep, 0.01)
    release.set()                               # the stuck computation ends: its worker is free again
    assert await queued is None
    assert await runner.run(lambda: 7) == 7
    runner.shutdown()


def test_cooldown_is_per_user():
    cooldowns = Cooldowns(10)
    assert cooldowns.retry_after(1) == 0
    assert cooldowns.retry_after(1) > 9
    assert cooldowns.retry_after(2) == 0


def test_token_is_redacted_from_messages_and_tracebacks(caplog):
    token = "MTIzNDU2.secret-token-value"
    logger = logging.getLogger("test.redact")
    logger.addFilter(RedactToken(token))
    try:
        raise RuntimeError(f"login failed for {token}")
    except RuntimeError:
        logger.exception("request with %s failed", token)
    record = caplog.records[-1]
    text = record.getMessage() + (record.exc_text or "")
    assert token not in text and "[token]" in text


def test_the_bot_log_omits_discord_py_voice_warning_and_the_token(capsys):
    from bot.__main__ import setup_logging

    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        setup_logging("INFO", "MTIzNDU2.secret-token-value")
        client_log = logging.getLogger("discord.client")
        client_log.warning("PyNaCl is not installed, voice will NOT be supported")
        client_log.warning("Shard ID None has connected with MTIzNDU2.secret-token-value")
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
    err = capsys.readouterr().err
    assert "voice" not in err
    assert "Shard ID None has connected with [token]" in err


def _run_bot(env: dict) -> subprocess.CompletedProcess:
    base = {"PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1"}
    return subprocess.run([sys.executable, "-m", "bot"], capture_output=True, text=True, cwd=ROOT,
                          env={**base, **env}, timeout=60)


def test_missing_token_is_one_clear_line_and_nonzero_exit(tmp_path):
    out = _run_bot({"FRONTLINE_DATA_DIR": str(tmp_path)})
    assert out.returncode != 0
    assert out.stderr.strip().count("\n") == 0 and "DISCORD_TOKEN" in out.stderr
    assert "Traceback" not in out.stderr


def test_unreadable_token_file_is_named(tmp_path):
    out = _run_bot({"FRONTLINE_DATA_DIR": str(tmp_path), "DISCORD_TOKEN_FILE": str(tmp_path / "nope")})
    assert out.returncode != 0 and "DISCORD_TOKEN_FILE" in out.stderr and "Traceback" not in out.stderr


# ---------------------------------------------------------------- command callbacks, without a gateway
@pytest.fixture
def offline_bot(seeded, tmp_path):
    from bot.client import FrontlineBot
    from tests.conftest import make_settings

    return FrontlineBot(make_settings(tmp_path), seeded)


async def test_autocomplete_callback_offers_canonical_names_for_aliases(offline_bot):
    from bot.cogs.answers import Answers

    cog = Answers(offline_bot)
    choices = await cog.place_autocomplete(None, "dzer")
    assert choices[0].value == "Toretsk"
    assert len(await cog.place_autocomplete(None, "")) <= 25


def test_message_for_an_answer_has_an_embed_and_buttons_for_that_answer(seeded):
    answer = seeded.ask("How far is Toretsk from Horlivka?")
    kwargs = message_for(answer)
    ids = [item.custom_id for item in kwargs["view"].children]
    assert all(answer.answer_id in i and len(i) <= 100 for i in ids)
    assert kwargs["embed"].fields


def test_message_for_an_abstention_is_plain_text(seeded):
    kwargs = message_for(seeded.ask("Who won the 2022 World Cup?"))
    assert set(kwargs) == {"content"} and kwargs["content"].startswith("The articles I have don't cover that.")


def test_errors_become_short_true_sentences(caplog):
    from bot.replies import user_message
    from retrieval.errors import FrontlineError, StoreUnavailable

    assert user_message(FrontlineError("I don't know a place called “X”."), "t") == "I don't know a place called “X”."
    assert "unavailable" in user_message(StoreUnavailable("refused"), "t")
    assert "busy" in user_message(Busy(), "t")
    assert "too long" in user_message(AnswerTimeout(), "t")
    assert user_message(ZeroDivisionError("boom"), "t") == "Something went wrong on my side; it has been logged."
    assert any(r.levelname == "ERROR" and "boom" in (caplog.text + (r.exc_text or "")) for r in caplog.records)
