"""A network that is down is not a bad setting: Discord or the Chroma server unreachable at start gives one
line a person can act on, then the program retries in the same process (backing off, the model loaded
once) and carries on when the service is back. A rejected token still exits at once (test_bot_e2e)."""
from __future__ import annotations

import asyncio
import os
import re
import socket
import subprocess
import sys
import time

import pytest

from retrieval.retry import Backoff, network_reason
from tests.chroma_server import CHROMA, ChromaServer, free_port
from tests.conftest import ROOT, SEEDS, make_settings
from tests.fake_discord import FakeDiscord

pytestmark = pytest.mark.slow
RETRY_LINE = re.compile(r"^cannot reach (Discord|the Chroma server at \S+): (.+) — retrying in \d+ s$")


class StderrLines:
    """capsys, read as it fills: the lines printed so far."""

    def __init__(self, capsys) -> None:
        self._capsys, self.text = capsys, ""

    def lines(self) -> list[str]:
        self.text += self._capsys.readouterr().err
        return [line for line in self.text.splitlines() if line.strip()]

    async def wait_for(self, pattern: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.lines():
                if re.search(pattern, line):
                    return line
            await asyncio.sleep(0.1)
        raise AssertionError(f"no line matching {pattern!r} in:\n{self.text}")


def test_backoff_grows_caps_and_jitters():
    delays = Backoff(first=1, factor=2, cap=8, jitter=0.2).delays()
    got = [next(delays) for _ in range(8)]
    assert 0.8 <= got[0] <= 1.2 and 1.6 <= got[1] <= 2.4
    assert all(d <= 8 * 1.2 for d in got) and got[-1] >= 8 * 0.8
    assert len({round(d, 6) for d in got[4:]}) > 1, "capped delays are jittered, not in step"


@pytest.mark.parametrize("exc,reason", [
    (ConnectionRefusedError(111, "Connection refused"), "connection refused"),
    (socket.gaierror(-2, "Name or service not known"), "name resolution failed"),
    (TimeoutError(), "timed out"),
    (OSError("Cannot connect to host discord.com:443 ssl:default [Temporary failure in name resolution]"),
     "name resolution failed"),
])
def test_network_reasons_are_short_and_plain(exc, reason):
    try:
        try:
            raise exc
        except Exception as inner:
            raise RuntimeError("wrapped by a library") from inner
    except RuntimeError as outer:
        assert network_reason(outer) == reason


async def test_the_bot_waits_for_discord_then_connects_and_answers(tmp_path, capsys):
    from bot.__main__ import run
    from retrieval.service import Frontline

    built = []
    original_init = Frontline.__init__

    def counting_init(self, *args, **kwargs):
        built.append(1)
        original_init(self, *args, **kwargs)

    port = free_port()
    fake = FakeDiscord(port=port)  # "Discord" is down: nothing listens on its port yet
    err = StderrLines(capsys)
    settings = make_settings(tmp_path / "data")
    with pytest.MonkeyPatch.context() as mp, fake.patch_discord():
        mp.setattr(Frontline, "__init__", counting_init)
        bot_task = asyncio.create_task(run(settings, "fake-token"))
        try:
            first = await err.wait_for(r"^cannot reach Discord", timeout=120)
            assert RETRY_LINE.match(first) and "connection refused" in first, first
            await err.wait_for(r"^cannot reach Discord", timeout=30)  # it keeps trying, one line a try
            assert "Traceback" not in err.text
            await fake.start()  # Discord is back
            await fake.wait_ready(timeout=60)
            answer = await (await fake.slash("ask", {"question": "Why did Ukraine leave the Kanal district?"})).wait_final(60)
            assert answer.get("embeds") or answer.get("content")
            fake.assert_no_violations()
            assert built == [1], "the model and stores were built more than once"
        finally:
            bot_task.cancel()
            await asyncio.gather(bot_task, return_exceptions=True)
            await fake.stop()


async def test_discord_name_resolution_failure_is_one_line(capsys, monkeypatch):
    import discord.http

    from bot.__main__ import wait_for_discord

    monkeypatch.setattr(discord.http.Route, "BASE", "http://discord.frontline-test.invalid/api/v10")
    err = StderrLines(capsys)
    task = asyncio.create_task(wait_for_discord("fake-token"))
    try:
        line = await err.wait_for(r"^cannot reach Discord", timeout=60)
        assert RETRY_LINE.match(line) and "name resolution failed" in line, line
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


@pytest.fixture
def chroma_binary():
    if not CHROMA.exists():
        pytest.skip(f"no chroma CLI at {CHROMA}")
    return CHROMA


async def test_the_bot_waits_for_the_chroma_server_then_connects(tmp_path, capsys, chroma_binary):
    from bot.__main__ import run

    port = free_port()
    server = ChromaServer(tmp_path / "chroma", port, tmp_path / "chroma.log")
    err = StderrLines(capsys)
    settings = make_settings(tmp_path / "data", chroma_url=f"http://127.0.0.1:{port}")
    async with FakeDiscord() as fake:
        bot_task = asyncio.create_task(run(settings, "fake-token"))
        try:
            line = await err.wait_for(r"^cannot reach the Chroma server", timeout=120)
            assert RETRY_LINE.match(line) and f"127.0.0.1:{port}" in line and "connection refused" in line, line
            await asyncio.to_thread(server.start)  # the store is back
            await fake.wait_ready(timeout=120)
            reply = await (await fake.slash("ask", {"question": "Why did Ukraine leave the Kanal district?"})).wait_final(60)
            assert reply.get("content") or reply.get("embeds")  # an empty store abstains, but answers
            assert "Traceback" not in err.text
            fake.assert_no_violations()
        finally:
            bot_task.cancel()
            await asyncio.gather(bot_task, return_exceptions=True)
            await asyncio.to_thread(server.stop)


def _cli(args: list[str], cwd, env: dict) -> subprocess.Popen:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("FRONTLINE_", "DISCORD_"))}
    base.update(HF_HUB_OFFLINE="1", ANONYMIZED_TELEMETRY="False", PYTHONPATH=str(ROOT),
                FRONTLINE_CORPUS_DIRS=str(SEEDS), FRONTLINE_DATA_DIR=str(cwd / "data"), **env)
    return subprocess.Popen([sys.executable, "-m", "retrieval", *args], cwd=cwd, env=base, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)


def test_the_cli_gives_up_after_its_patience_with_one_line_a_try(tmp_path):
    port = free_port()
    proc = _cli(["ask", "Who is Voloshyn?", "--store-wait", "3"], tmp_path,
                {"FRONTLINE_CHROMA_URL": f"http://127.0.0.1:{port}"})
    out, err = proc.communicate(timeout=120)
    lines = err.strip().splitlines()
    assert proc.returncode == 3, err
    assert "Traceback" not in err and len(lines) >= 2
    assert all(RETRY_LINE.match(line) for line in lines[:-1]), lines
    assert lines[-1].startswith("error: cannot reach the Chroma server") and "gave up after 3 s" in lines[-1]


def test_the_cli_waits_for_the_chroma_server_then_ingests(tmp_path, chroma_binary):
    port = free_port()
    server = ChromaServer(tmp_path / "chroma", port, tmp_path / "chroma.log")
    proc = _cli(["ingest", "--json", "--store-wait", "forever"], tmp_path,
                {"FRONTLINE_CHROMA_URL": f"http://127.0.0.1:{port}"})
    try:
        first = proc.stderr.readline().strip()
        assert RETRY_LINE.match(first) and "connection refused" in first, first
        server.start()
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        assert '"articles": 5' in out and "Traceback" not in err
    finally:
        if proc.poll() is None:
            proc.kill()
        server.stop()
