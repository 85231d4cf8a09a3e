"""Runs retrieval off the event loop: bounded concurrency, a queue limit, a timeout, per-user cooldowns.

Embedding and search block for tens of milliseconds to seconds; on the event loop they would delay
heartbeats and the 3-second acknowledgements of every other interaction.
"""
from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")


class Busy(Exception):
    """Too many questions are waiting; the user should try again in a moment."""


class AnswerTimeout(Exception):
    """The answer was not ready within the configured timeout."""


class AnswerRunner:
    """Computes answers on one thread pool of `max_concurrent` workers.

    A worker is busy until its computation ends, even when the question that started it timed out:
    Python cannot stop a thread, so the cap counts real computations, not waiting coroutines. A
    timed-out question gets its reply at once; its result, when it comes, is dropped. A question
    still queued when it times out is never computed. Beyond `max_queued` questions waiting for a
    worker, new ones are told the bot is busy.
    """

    def __init__(self, *, max_concurrent: int, max_queued: int, timeout: float) -> None:
        self._pool = ThreadPoolExecutor(max_workers=max_concurrent, thread_name_prefix="answer")
        self._max_concurrent = max_concurrent
        self._max_queued = max_queued
        self._timeout = timeout
        self._lock = threading.Lock()
        self._unfinished = 0     # submitted and neither finished nor cancelled (queued + running)

    async def run(self, fn: Callable[..., T], *args: object) -> T:
        with self._lock:
            if self._unfinished >= self._max_concurrent + self._max_queued:
                raise Busy()
            self._unfinished += 1
        future = self._pool.submit(fn, *args)
        future.add_done_callback(self._finished)
        try:
            # Cancelling the asyncio wrapper on timeout cancels a still-queued job; a running one goes
            # on in its worker (which stays taken) and its result is discarded.
            return await asyncio.wait_for(asyncio.wrap_future(future), self._timeout)
        except asyncio.TimeoutError:
            raise AnswerTimeout() from None

    def _finished(self, _future: Future) -> None:
        with self._lock:
            self._unfinished -= 1

    def shutdown(self) -> None:
        """Stop taking work; running computations end in their own time (cancel_futures drops the queue)."""
        self._pool.shutdown(wait=False, cancel_futures=True)


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
