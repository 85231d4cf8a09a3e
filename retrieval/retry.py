"""Waiting for a service that is down (the Chroma server, Discord): exponential backoff, capped and
jittered, and a short reason a person can act on instead of a traceback.

A network that is down is not a bad setting: programs say so in one line and try again, in the same
process, without reloading the model.
"""
from __future__ import annotations

import random
import socket
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass
class Backoff:
    first: float = 1.0
    factor: float = 2.0
    cap: float = 30.0
    jitter: float = 0.2            # ±20 %, so restarted clients don't retry in step

    def delays(self) -> Iterator[float]:
        delay = self.first
        while True:
            yield delay * random.uniform(1 - self.jitter, 1 + self.jitter)
            delay = min(self.cap, delay * self.factor)


def network_reason(exc: BaseException) -> str:
    """"name resolution failed", "connection refused", "timed out"…, from an exception chain."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, socket.gaierror) or "dns" in type(current).__name__.lower():
            return "name resolution failed"
        if isinstance(current, ConnectionRefusedError):
            return "connection refused"
        if isinstance(current, TimeoutError) or "timeout" in type(current).__name__.lower():
            return "timed out"
        if isinstance(current, (ConnectionResetError, ConnectionAbortedError)):
            return "the connection was reset"
        text = str(current).lower()
        for needle, reason in (("name or service not known", "name resolution failed"),
                               ("temporary failure in name resolution", "name resolution failed"),
                               ("nodename nor servname", "name resolution failed"),
                               ("connection refused", "connection refused"),
                               ("timed out", "timed out"), ("network is unreachable", "network is unreachable"),
                               ("no route to host", "no route to host")):
            if needle in text:
                return reason
        current = current.__cause__ or current.__context__
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 120 else text[:119] + "…"
