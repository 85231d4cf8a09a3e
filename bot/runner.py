"""Runs retrieval off the event loop: bounded concurrency, a queue limit, a timeout, per-user cooldowns.

Embedding and search block for tens of milliseconds to seconds; on the event loop they would delay
heartbeats and the 3-second acknowledgements of every other interaction.
"""
from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class Busy(Exception):
    """Too many questions are waiting; the user should try again in a moment."""


class AnswerTimeout(Exception):
    """Retrieval took longer than the configured timeout."""


class AnswerRunner:
    def __init__(self, *, max_concurrent: int, max_queued: int, timeout: float) -> None:
        self._slots = asyncio.Semaphore(max_concurrent)
        self._max_queued = max_queued
        self._timeout = timeout
        self._waiting = 0

    @property
    def waiting(self) -> int:
        return self._waiting

    async def run(self, fn: Callable[..., T], *args: object) -> T:
        if self._waiting >= self._max_queued and self._slots.locked():
            raise Busy()
        self._waiting += 1
        try:
            await self._slots.acquire()
        finally:
            self._waiting -= 1
        try:
            return await asyncio.wait_for(asyncio.to_thread(fn, *args), self._timeout)
        except asyncio.TimeoutError:
            raise AnswerTimeout() from None
        finally:
            self._slots.release()


class Cooldowns:
    """At most one question per user every `seconds`."""

    def __init__(self, seconds: float) -> None:
        self._seconds = seconds
        self._last: dict[int, float] = {}

    def retry_after(self, user_id: int) -> float:
        """0 when the user may ask now (and the clock starts), else the seconds left to wait."""
        now = time.monotonic()
        left = self._last.get(user_id, -1e9) + self._seconds - now
        if left > 0:
            return left
        self._last[user_id] = now
        if len(self._last) > 10_000:  # forget old users
            self._last = {u: t for u, t in self._last.items() if now - t < self._seconds}
        return 0.0


class LoopLagMonitor:
    """Measures how late the event loop wakes up: the delay every interaction feels."""

    def __init__(self, interval: float = 0.05, keep: int = 20_000) -> None:
        self.interval = interval
        self.samples: list[float] = []
        self._keep = keep
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._watch())

    def stop(self) -> None:
        if self._task:
            self._task.cancel()

    async def _watch(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            before = loop.time()
            await asyncio.sleep(self.interval)
            self.samples.append(max(0.0, loop.time() - before - self.interval))
            if len(self.samples) > self._keep:
                del self.samples[: self._keep // 2]

    def percentile(self, q: float) -> float:
        if not self.samples:
            return 0.0
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]
