"""What the fake remembers: requests, interaction records, and the errors it answers with."""

from __future__ import annotations

import copy
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from . import constants as C
from .rules import Problem, form_body_errors


@dataclass
class RecordedRequest:
    """One REST request as the fake saw it.  ``at`` is seconds since the fake started."""

    method: str
    path: str  # relative to /api/v10, e.g. "/channels/1/messages"
    query: dict[str, str]
    json: Any
    files: list[dict[str, Any]]
    at: float
    status: int | None = None
    error: dict[str, Any] | None = None


class ApiError(Exception):
    """An error response; ``violation`` (if set) is also recorded in ``fake.violations``."""

    def __init__(
        self,
        status: int,
        code: int,
        message: str,
        *,
        violation: str | None = None,
        errors: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.violation = violation
        self.errors = errors

    @classmethod
    def invalid_form_body(cls, problems: list[Problem], *, violation: str) -> ApiError:
        return cls(
            400, C.ERR_INVALID_FORM_BODY, "Invalid Form Body", violation=violation, errors=form_body_errors(problems)
        )

    def body(self) -> dict[str, Any]:
        data: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.errors is not None:
            data["errors"] = self.errors
        return data

    def to_response(self) -> web.Response:
        return json_response(self.body(), status=self.status)


def json_response(data: Any, status: int = 200) -> web.Response:
    # discord.py only decodes JSON when Content-Type is exactly "application/json" (no charset).
    return web.Response(body=json.dumps(data).encode(), status=status, content_type="application/json")


@dataclass
class CallbackAttempt:
    """One POST /interactions/{id}/{token}/callback; ``latency`` is seconds after dispatch."""

    at: float
    latency: float
    type: int | None
    status: int = 0
    data: Any = None


def loading(message: dict[str, Any] | None) -> bool:
    return bool(message and (message.get("flags") or 0) & C.FLAG_LOADING)


@dataclass
class Interaction:
    """Everything the bot did in answer to one interaction the fake dispatched.

    Times are seconds since the fake started (its own clock, in its own thread), so a
    bot that blocks its event loop cannot hide how late it answered.
    """

    id: int
    token: str
    type: int
    label: str  # "/ask", "autocomplete /ask.question", "component 'more' on message 123"
    user_id: int
    channel_id: int
    payload: dict[str, Any]
    dispatched_at: float
    source_message_id: int | None = None
    focused_option_type: int | None = None
    callbacks: list[CallbackAttempt] = field(default_factory=list)
    ack_type: int | None = None
    ack_at: float | None = None
    original: dict[str, Any] | None = None
    followups: list[dict[str, Any]] = field(default_factory=list)
    edits: list[dict[str, Any]] = field(default_factory=list)
    choices: list[dict[str, Any]] | None = None
    modal: dict[str, Any] | None = None
    deleted_original: bool = False
    errors: list[str] = field(default_factory=list)
    _call: Callable[[Awaitable[Any]], Awaitable[Any]] | None = field(default=None, repr=False)
    _wait_final: Callable[..., Awaitable[Any]] | None = field(default=None, repr=False)

    # -- derived facts

    @property
    def acknowledged(self) -> bool:
        return self.ack_type is not None

    @property
    def ack_latency(self) -> float | None:
        """Seconds from dispatch to the accepted first callback (None if never acknowledged)."""
        return None if self.ack_at is None else self.ack_at - self.dispatched_at

    @property
    def ephemeral(self) -> bool:
        return bool(self.original and (self.original.get("flags") or 0) & C.FLAG_EPHEMERAL)

    @property
    def messages(self) -> list[dict[str, Any]]:
        """Visible messages this interaction produced: the original (once not loading) then followups."""
        seen: dict[str, dict[str, Any]] = {}
        if self.original is not None and not loading(self.original) and self._original_is_ours():
            seen[self.original["id"]] = self.original
        for message in self.followups:
            seen.setdefault(message["id"], message)
        return list(seen.values())

    def _original_is_ours(self) -> bool:
        # After a deferred update (6) the "original" is the clicked message; it only counts once edited.
        return self.ack_type != C.CALLBACK_DEFERRED_UPDATE_MESSAGE or bool(self.edits)

    def final_message(self) -> dict[str, Any] | None:
        """The answer a user would see, or None if there is none yet."""
        if self.deleted_original:
            return self.followups[0] if self.followups else None
        if self.ack_type in (C.CALLBACK_CHANNEL_MESSAGE, C.CALLBACK_UPDATE_MESSAGE):
            return self.original
        if self.ack_type == C.CALLBACK_DEFERRED_CHANNEL_MESSAGE:
            if self.original is not None and not loading(self.original):
                return self.original
            return self.followups[0] if self.followups else None
        if self.ack_type == C.CALLBACK_DEFERRED_UPDATE_MESSAGE:
            if self.edits:
                return self.original
            return self.followups[0] if self.followups else None
        return None

    def describe(self) -> str:
        attempts = ", ".join(f"type {a.type} at +{a.latency:.2f}s -> {a.status}" for a in self.callbacks) or "none"
        final = self.final_message()
        lines = [
            f"interaction {self.id} ({self.label}) by user {self.user_id}",
            f"  callbacks: {attempts}",
            f"  acknowledged: {self.ack_type} after {self.ack_latency if self.ack_latency is None else round(self.ack_latency, 3)} s",
            f"  original: {'loading' if loading(self.original) else (self.original or {}).get('content')!r}",
            f"  followups: {len(self.followups)}, edits: {len(self.edits)}",
            f"  final: {None if final is None else (final.get('content'), len(final.get('embeds') or []))}",
        ]
        lines += [f"  error: {e}" for e in self.errors]
        return "\n".join(lines)

    # -- waiting (call from the test's event loop)

    async def wait_final(
        self,
        timeout: float = 30.0,
        predicate: Callable[[dict[str, Any]], bool] | None = None,
    ) -> dict[str, Any]:
        """Snapshot of the final visible message once it exists (and satisfies ``predicate``).

        Raises ``InteractionTimeout`` (with a description of what the bot did) when the
        interaction missed its acknowledgement deadline or ``timeout`` passes.
        """
        assert self._wait_final is not None and self._call is not None
        return await self._call(self._wait_final(self, timeout, predicate))

    def snapshot(self) -> dict[str, Any] | None:
        final = self.final_message()
        return None if final is None else copy.deepcopy(final)


class InteractionTimeout(TimeoutError):
    """The bot never produced what the test waited for; the message says what it did do."""


class CommandNotFound(LookupError):
    """The test invoked a command the bot never synced."""


class CommandNotAvailable(PermissionError):
    """Discord would hide this command from that user (default_member_permissions / contexts)."""
