"""A strict fake Discord for end-to-end tests of discord.py bots.  Documented in tests/fake_discord.py."""

from __future__ import annotations

from .records import (
    CallbackAttempt,
    CommandNotAvailable,
    CommandNotFound,
    Interaction,
    InteractionTimeout,
    RecordedRequest,
)
from .server import FakeDiscord

__all__ = [
    "CallbackAttempt",
    "CommandNotAvailable",
    "CommandNotFound",
    "FakeDiscord",
    "Interaction",
    "InteractionTimeout",
    "RecordedRequest",
]
