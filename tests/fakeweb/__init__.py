"""A fake news web for tests and benchmarks: real HTTP servers on 127.0.0.1 (see server.py)."""
from __future__ import annotations

from .server import HUGE_BYTES, FakeNewsSite, Request

__all__ = ["HUGE_BYTES", "FakeNewsSite", "Request"]
