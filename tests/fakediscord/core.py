"""The fake's state machine.  Everything here runs on the fake's own event loop thread."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from . import constants as C
from .driver import DriverMixin
from .gateway import Gateway, Session
from .models import FakeGuild, FakeUser, Snowflakes, iso_now, public_view, thread_payload
from .records import (
    ApiError,
    CommandNotAvailable,
    CommandNotFound,
    Interaction,
    RecordedRequest,
    loading,
)
from .rules import (
    Problem,
    check_command_list,
    check_message_payload,
    message_is_empty,
    message_texts,
    resolve_pings,
)

log = logging.getLogger("fakediscord")
T = TypeVar("T")


class Core(DriverMixin):
    def __init__(
        self,
        *,
        ack_deadline: float,
        token_lifetime: float,
        heartbeat_interval_ms: int,
        privileged_intents: Iterable[str],
        bot_permissions: int,
        bad_token: str,
    ) -> None:
        self.ack_deadline = ack_deadline
        self.token_lifetime = token_lifetime
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.privileged_intents = frozenset(privileged_intents)
        self.bad_token = bad_token
        self.started = time.monotonic()
        self.base_url = ""

        self.snowflakes = Snowflakes()
        self.bot_user = FakeUser(self.snowflakes.next(), "Frontline", bot=True)
        self.application_id = self.bot_user.id  # modern apps: application id == bot user id
        self.guild = FakeGuild(self.snowflakes, bot_user=self.bot_user, bot_permissions=bot_permissions)
        self.gateway = Gateway(self)

        self.violations: list[str] = []
        self.requests: list[RecordedRequest] = []
        self.messages: dict[int, list[dict[str, Any]]] = {}
        self.deleted_messages: list[dict[str, Any]] = []
        self.threads: list[dict[str, Any]] = []
        self.dm_channels: dict[int, dict[str, Any]] = {}
        self.interactions: list[Interaction] = []
        self.global_commands: list[dict[str, Any]] = []
        self.guild_commands: dict[int, list[dict[str, Any]]] = {}
        self.command_syncs = 0
        self.heartbeats: list[float] = []
        self.events: list[dict[str, Any]] = []
        self.identified = False
        self.identifies = 0  # IDENTIFYs so far: a second bot connecting to the same fake is a new one
        self.identify_payload: dict[str, Any] | None = None
        self.presence: Any = None
        self.resumes = 0

        # Channels whose access the test changed: id -> (how, whether the bot was told by a gateway event).
        # A refusal the bot could not foresee (not told) is answered once without a violation; see `_refuse`.
        self.access_changes: dict[int, tuple[str, bool]] = {}
        self.deleted_channels: dict[int, dict[str, Any]] = {}
        self.refusals: list[str] = []  # refusals answered without a violation (the bot could not know)
        self._refused_once: set[int] = set()
        self._by_interaction_id: dict[int, Interaction] = {}
        self._by_token: dict[str, Interaction] = {}
        self._message_index: dict[int, dict[str, Any]] = {}
        self._command_ids: dict[tuple[int | None, int, str], int] = {}
        self._waiters: list[asyncio.Future[None]] = []
        self._timers: list[asyncio.TimerHandle] = []
        self.wrap_call: Callable[[Any], Any] | None = None  # set by FakeDiscord: runs a coroutine on this loop

    # ------------------------------------------------------------------ basics

    def now(self) -> float:
        return time.monotonic() - self.started

    def violate(self, text: str, interaction: Interaction | None = None) -> None:
        log.warning("fake discord violation: %s", text)
        self.violations.append(text)
        if interaction is not None:
            interaction.errors.append(text)
        self.notify()

    def notify(self) -> None:
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    async def wait_until(self, probe: Callable[[], T | None], timeout: float, what: str) -> T:
        """Re-run ``probe`` after every state change until it returns something other than None."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = probe()
            if result is not None:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"fake discord: timed out after {timeout} s waiting for {what}")
            waiter = loop.create_future()
            self._waiters.append(waiter)
            try:
                await asyncio.wait_for(waiter, min(remaining, 0.5))
            except TimeoutError:
                pass

    def shutdown(self) -> None:
        for timer in self._timers:
            timer.cancel()

    @property
    def session(self) -> Session | None:
        return self.gateway.current

    def _require_connected(self) -> Session:
        session = self.session
        if session is None or session.connection is None or not self.identified:
            raise RuntimeError("fake discord: no bot is connected to the gateway (await fake.wait_ready() first)")
        return session

    # ------------------------------------------------------------------ gateway payloads

    def ready_payload(self, session: Session) -> dict[str, Any]:
        return {
            "v": C.API_VERSION,
            "user": {**self.bot_user.payload(), "verified": True, "mfa_enabled": False, "email": None},
            "guilds": [{"id": str(self.guild.id), "unavailable": True}],
            "session_id": session.id,
            "resume_gateway_url": self.gateway_url,
            "session_type": "normal",
            "application": {"id": str(self.application_id), "flags": self._application_flags()},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": ["fake"],
            "auth": {},
            "user_settings": {},
        }

    def _application_flags(self) -> int:
        flags = 0
        if "message_content" in self.privileged_intents:
            flags |= 1 << 19  # GATEWAY_MESSAGE_CONTENT_LIMITED
        if "members" in self.privileged_intents:
            flags |= 1 << 15  # GATEWAY_GUILD_MEMBERS_LIMITED
        return flags

    def guild_create_payload(self, session: Session) -> dict[str, Any]:
        # Without the privileged GUILD_MEMBERS intent Discord only sends the bot's own member.
        include_all = session.has_intent(C.INTENT_GUILD_MEMBERS)
        return self.guild.create_payload(include_all_members=include_all, bot_user_id=self.bot_user.id)

    def on_identified(self) -> None:
        self.identified = True
        self.identifies += 1
        self.notify()

    @property
    def gateway_url(self) -> str:
        return self.base_url.replace("http://", "ws://") + C.GATEWAY_PATH

    def application_payload(self) -> dict[str, Any]:
        return {
            "id": str(self.application_id),
            "name": self.bot_user.username,
            "description": "Answers questions about the war in Ukraine (fake)",
            "icon": None,
            "rpc_origins": [],
            "bot_public": False,
            "bot_require_code_grant": False,
            "owner": self.guild.owner.payload(),
            "team": None,
            "verify_key": "0" * 64,
            "flags": self._application_flags(),
            "bot": self.bot_user.payload(),
            "interactions_endpoint_url": None,
            "approximate_guild_count": 1,
            "tags": [],
            "redirect_uris": [],
        }

    # ------------------------------------------------------------------ channels & permissions

    def channel(self, channel_id: int, where: str) -> dict[str, Any]:
        channel = self.guild.channels.get(channel_id) or self.dm_channels.get(channel_id)
        if channel is None:
            problem = f"{where}: unknown channel {channel_id}"
            if channel_id in self.deleted_channels:
                problem = f"{where}: channel {channel_id} was deleted"
            raise ApiError(404, C.ERR_UNKNOWN_CHANNEL, "Unknown Channel", violation=self._refusal(channel_id, problem))
        return channel

    def require_bot_permissions(self, channel: dict[str, Any], needed: int, where: str, what: str) -> None:
        if channel["type"] == C.CHANNEL_DM:
            return
        have = self.guild.permissions_in(channel, self.bot_user.id)
        missing = needed & ~have
        if missing:
            channel_id = int(channel["id"])
            if channel["type"] in C.THREAD_TYPES and channel.get("parent_id"):
                channel_id = int(channel["parent_id"]) if int(channel["parent_id"]) in self.access_changes else channel_id
            no_access = not have & C.VIEW_CHANNEL
            raise ApiError(
                403,
                C.ERR_MISSING_ACCESS if no_access else C.ERR_MISSING_PERMISSIONS,
                "Missing Access" if no_access else "Missing Permissions",
                violation=self._refusal(channel_id, f"{where}: bot lacks permission bits {missing:#x} needed to {what}"),
            )

    def _refusal(self, channel_id: int, problem: str) -> str | None:
        """The violation for a refused request, or None for the one refusal the bot could not foresee.

        Stricter than Discord (which answers every time, and bans bots that keep making invalid requests):
        a bot told by CHANNEL_UPDATE / CHANNEL_DELETE should check its cache before sending; a bot that was
        not told (the test changed access silently: a lost or raced event) learns from the first 403/404,
        and sending there again is a violation."""
        change = self.access_changes.get(channel_id)
        if change is None:
            return problem
        how, announced = change
        if announced:
            return f"{problem} (the bot was told: {how}, announced by a gateway event)"
        if channel_id in self._refused_once:
            return f"{problem} (again: the bot already got a refusal there after it was {how})"
        self._refused_once.add(channel_id)
        self.refusals.append(problem)
        return None

    def bot_channel_permissions(self, channel: dict[str, Any] | None = None) -> int:
        if channel is None:
            return self.guild.permissions_of(self.bot_user.id)
        return self.guild.permissions_in(channel, self.bot_user.id)

    # ------------------------------------------------------------------ the test changes the guild's channels

    async def add_text_channel(self, name: str) -> int:
        channel_id = self.snowflakes.next()
        channel = self.guild.add_text_channel(channel_id, name)
        await self.gateway.dispatch("CHANNEL_CREATE", dict(channel))
        self.notify()
        return channel_id

    async def set_bot_overwrite(self, channel_id: int, *, deny: int, announce: bool) -> None:
        """A member overwrite for the bot in a text channel (deny=0 removes it), as a server admin would set."""
        channel = self.guild.channels.get(channel_id)
        if channel is None or channel["type"] in C.THREAD_TYPES:
            raise ValueError(f"{channel_id} is not a text channel of the fake guild")
        bot_id = str(self.bot_user.id)
        overwrites = [o for o in channel["permission_overwrites"] if o["id"] != bot_id]
        if deny:
            overwrites.append({"id": bot_id, "type": 1, "allow": "0", "deny": str(deny)})
            self.access_changes[channel_id] = (f"denied permission bits {deny:#x}", announce)
        else:
            self.access_changes.pop(channel_id, None)
        self._refused_once.discard(channel_id)
        channel["permission_overwrites"] = overwrites
        if announce:
            await self.gateway.dispatch("CHANNEL_UPDATE", dict(channel))
        self.notify()

    async def delete_channel(self, channel_id: int, *, announce: bool) -> None:
        channel = self.guild.channels.pop(channel_id, None)
        if channel is None:
            raise ValueError(f"{channel_id} is not a channel of the fake guild")
        self.deleted_channels[channel_id] = channel
        self.access_changes[channel_id] = ("deleted", announce)
        self._refused_once.discard(channel_id)
        if announce:
            await self.gateway.dispatch("CHANNEL_DELETE", dict(channel))
        self.notify()

    # ------------------------------------------------------------------ message building

    def _attachments_from_files(
        self, channel_id: int, payload: dict[str, Any], files: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        described = {str(a.get("id")): a for a in payload.get("attachments") or [] if isinstance(a, dict)}
        attachments = []
        for index, file in enumerate(files):
            attachment_id = self.snowflakes.next()
            meta = described.get(str(index), {})
            filename = meta.get("filename") or file.get("filename") or f"file{index}"
            attachments.append(
                {
                    "id": str(attachment_id),
                    "filename": filename,
                    "description": meta.get("description"),
                    "size": file["size"],
                    "content_type": file.get("content_type"),
                    "url": f"{self.base_url}/attachments/{channel_id}/{attachment_id}/{filename}",
                    "proxy_url": f"{self.base_url}/attachments/{channel_id}/{attachment_id}/{filename}",
                }
            )
        return attachments

    def build_bot_message(
        self,
        channel_id: int,
        payload: dict[str, Any],
        files: list[dict[str, Any]],
        *,
        kind: int = 0,
        interaction: Interaction | None = None,
        extra_flags: int = 0,
    ) -> dict[str, Any]:
        channel = self.guild.channels.get(channel_id) or self.dm_channels.get(channel_id) or {}
        message: dict[str, Any] = {
            "id": str(self.snowflakes.next()),
            "channel_id": str(channel_id),
            "author": self.bot_user.payload(),
            "content": payload.get("content") or "",
            "timestamp": iso_now(),
            "edited_timestamp": None,
            "tts": bool(payload.get("tts")),
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": self._attachments_from_files(channel_id, payload, files),
            "embeds": payload.get("embeds") or [],
            "components": payload.get("components") or [],
            "pinned": False,
            "type": kind,
            "flags": (payload.get("flags") or 0) | extra_flags,
            "_pings": [],
            "_allowed_mentions": payload.get("allowed_mentions"),
        }
        if channel.get("type") != C.CHANNEL_DM:
            message["guild_id"] = str(self.guild.id)
        if interaction is not None:
            message["webhook_id"] = str(self.application_id)
            message["application_id"] = str(self.application_id)
            message["interaction_metadata"] = {
                "id": str(interaction.id),
                "type": interaction.type,
                "user": self.guild.members[interaction.user_id].user.payload(),
                "authorizing_integration_owners": {"0": str(self.guild.id)},
            }
            message["_owner_user_id"] = interaction.user_id
            message["_interaction_id"] = interaction.id
        else:
            message["member"] = self.guild.members[self.bot_user.id].payload(with_user=False)
        reference = payload.get("message_reference")
        if reference:
            message["message_reference"] = reference
            referenced = self._message_index.get(int(reference.get("message_id", 0)))
            if referenced is not None:
                message["type"] = 19
                message["referenced_message"] = public_view(referenced)
        return message

    def _set_mention_fields(self, message: dict[str, Any], where: str, interaction: Interaction | None) -> None:
        """Fill Discord's mention fields and flag (stricter than Discord: embeds and edits count) pings."""
        allowed = message.get("_allowed_mentions")
        content_pings = resolve_pings(message_texts(message, include_embeds=False), allowed)
        all_pings = resolve_pings(message_texts(message), allowed)
        message["mention_everyone"] = content_pings.everyone
        message["mention_roles"] = [str(r) for r in content_pings.roles]
        message["mentions"] = [
            self.guild.members[u].user.payload() for u in content_pings.users if u in self.guild.members
        ]
        reply_ping = self._reply_ping(message, allowed)
        if reply_ping:
            message["_reply_pinged_user"] = reply_ping
        new = [t for t in all_pings.tokens if t not in message["_pings"]]
        if new:
            message["_pings"] = message["_pings"] + new
            self.violate(
                f"{where}: message would ping {', '.join(new)} "
                f"(allowed_mentions={'missing, so Discord parses everything' if allowed is None else repr(allowed)}); "
                "send allowed_mentions={'parse': []} / discord.AllowedMentions.none()",
                interaction,
            )

    def _reply_ping(self, message: dict[str, Any], allowed: dict[str, Any] | None) -> int | None:
        referenced = message.get("referenced_message")
        if not referenced:
            return None
        if allowed is not None and not allowed.get("replied_user"):
            return None
        return int(referenced["author"]["id"])

    # ------------------------------------------------------------------ validation helpers

    def _check_files(self, files: list[dict[str, Any]], where: str, payload: Any = None,
                     kept: list[dict[str, Any]] | None = None) -> None:
        self._check_attachment_references(files, where, payload, kept or [])
        if len(files) > C.MAX_FILES:
            raise ApiError.invalid_form_body(
                [Problem("files", f"at most {C.MAX_FILES} files per message (got {len(files)})")],
                violation=f"{where}: {len(files)} files attached (max {C.MAX_FILES})",
            )
        too_big = [f for f in files if f["size"] > C.ATTACHMENT_SIZE_LIMIT]
        if too_big:
            raise ApiError(
                413,
                C.ERR_REQUEST_TOO_LARGE,
                "Request entity too large",
                violation=f"{where}: file {too_big[0].get('filename')!r} is {too_big[0]['size']} bytes (limit {C.ATTACHMENT_SIZE_LIMIT})",
            )

    def _check_attachment_references(self, files: list[dict[str, Any]], where: str, payload: Any,
                                     kept: list[dict[str, Any]]) -> None:
        """Stricter than Discord, which just shows nothing: an embed's attachment://NAME must name a
        file of this message, a .png file must be a PNG, and a file's description is at most 1,024."""
        names = {f.get("filename") for f in files} | {a.get("filename") for a in kept}
        for f in files:
            name, data = f.get("filename") or "", f.get("data") or b""
            if name.lower().endswith(".png") and not data.startswith(b"\x89PNG\r\n\x1a\n"):
                raise ApiError.invalid_form_body(
                    [Problem("files", f"{name} is not a PNG image")], violation=f"{where}: {name!r} is not a PNG")
        described = payload.get("attachments") if isinstance(payload, dict) else None
        for meta in described or []:
            if isinstance(meta, dict) and len(meta.get("description") or "") > 1024:
                raise ApiError.invalid_form_body(
                    [Problem("attachments", "description is longer than 1024")],
                    violation=f"{where}: an attachment description is longer than 1,024 characters")
        for embed in (payload.get("embeds") or []) if isinstance(payload, dict) else []:
            for key in ("image", "thumbnail"):
                url = (embed.get(key) or {}).get("url", "") if isinstance(embed, dict) else ""
                if url.startswith("attachment://") and url[len("attachment://"):] not in names:
                    raise ApiError.invalid_form_body(
                        [Problem(f"embeds.{key}.url", "Unknown attachment")],
                        violation=f"{where}: embed {key} {url!r} names no file of this message")

    def validate_new_message(
        self, payload: Any, files: list[dict[str, Any]], where: str, *, ephemeral_allowed: bool
    ) -> dict[str, Any]:
        if not isinstance(payload, dict):
            raise ApiError.invalid_form_body(
                [Problem("", "body must be a JSON object")], violation=f"{where}: body is not an object"
            )
        problems = check_message_payload(payload, ephemeral_allowed=ephemeral_allowed)
        if problems:
            raise ApiError.invalid_form_body(problems, violation=f"{where}: " + "; ".join(map(str, problems)))
        self._check_files(files, where, payload)
        if message_is_empty({**payload, "attachments": files}):
            raise ApiError(
                400,
                C.ERR_EMPTY_MESSAGE,
                "Cannot send an empty message",
                violation=f"{where}: empty message (no content, embeds, components or files)",
            )
        return payload

    def _validate_reference(self, payload: dict[str, Any], channel_id: int, where: str) -> None:
        reference = payload.get("message_reference")
        if not reference:
            return
        target = self._message_index.get(int(reference.get("message_id") or 0))
        if target is None and reference.get("fail_if_not_exists", True):
            raise ApiError.invalid_form_body(
                [Problem("message_reference", "Unknown message")],
                violation=f"{where}: reply to unknown message {reference.get('message_id')}",
            )
        if target is not None and int(target["channel_id"]) != channel_id and reference.get("type", 0) == 0:
            raise ApiError.invalid_form_body(
                [Problem("message_reference", "Cannot reply to a message in another channel")],
                violation=f"{where}: reply references a message in another channel",
            )

    def _merged_edit(
        self, existing: dict[str, Any], payload: dict[str, Any], files: list[dict[str, Any]]
    ) -> dict[str, Any]:
        merged = dict(existing)
        for key, empty in (("content", ""), ("embeds", []), ("components", [])):
            if key in payload:
                merged[key] = payload[key] if payload[key] is not None else empty
        channel_id = int(existing["channel_id"])
        new_attachments = self._attachments_from_files(channel_id, payload, files)
        if "attachments" in payload:
            keep_ids = {str(a.get("id")) for a in payload["attachments"] or [] if isinstance(a, dict)}
            kept = [a for a in existing.get("attachments") or [] if a["id"] in keep_ids]
            merged["attachments"] = kept + new_attachments
        elif new_attachments:
            merged["attachments"] = list(existing.get("attachments") or []) + new_attachments
        flags = existing.get("flags") or 0
        flags &= ~C.FLAG_LOADING
        if "flags" in payload and payload["flags"] is not None:
            flags = (flags & ~C.FLAG_SUPPRESS_EMBEDS) | (payload["flags"] & C.FLAG_SUPPRESS_EMBEDS)
        merged["flags"] = flags
        if "allowed_mentions" in payload:
            merged["_allowed_mentions"] = payload["allowed_mentions"]
        if not loading(existing):
            merged["edited_timestamp"] = iso_now()
        return merged

    def apply_edit(
        self,
        existing: dict[str, Any],
        payload: Any,
        files: list[dict[str, Any]],
        where: str,
        interaction: Interaction | None = None,
    ) -> dict[str, Any]:
        """Validate then apply an edit in place (same dict object, so every reference sees it)."""
        if not isinstance(payload, dict):
            raise ApiError.invalid_form_body(
                [Problem("", "body must be a JSON object")], violation=f"{where}: body is not an object"
            )
        problems = check_message_payload(payload, ephemeral_allowed=False, is_edit=True)
        if problems:
            raise ApiError.invalid_form_body(problems, violation=f"{where}: " + "; ".join(map(str, problems)))
        self._check_files(files, where, payload, kept=list(existing.get("attachments") or []))
        merged = self._merged_edit(existing, payload, files)
        if message_is_empty(merged):
            raise ApiError(
                400,
                C.ERR_EMPTY_MESSAGE,
                "Cannot send an empty message",
                violation=f"{where}: the edit would leave the message empty",
            )
        existing.clear()
        existing.update(merged)
        self._set_mention_fields(existing, where, interaction)
        return existing

    # ------------------------------------------------------------------ storing & dispatching messages

    def _index(self, message: dict[str, Any]) -> None:
        self._message_index[int(message["id"])] = message

    def find_message(self, message_id: int) -> dict[str, Any] | None:
        return self._message_index.get(message_id)

    async def store_channel_message(self, message: dict[str, Any]) -> None:
        channel_id = int(message["channel_id"])
        self._index(message)
        self.messages.setdefault(channel_id, []).append(message)
        channel = self.guild.channels.get(channel_id) or self.dm_channels.get(channel_id)
        if channel is not None:
            channel["last_message_id"] = message["id"]
            if channel["type"] in C.THREAD_TYPES:
                channel["message_count"] += 1
                channel["total_message_sent"] += 1
        await self._dispatch_message_event("MESSAGE_CREATE", message)
        self.notify()

    def _is_ephemeral(self, message: dict[str, Any]) -> bool:
        return bool((message.get("flags") or 0) & C.FLAG_EPHEMERAL)

    async def _dispatch_message_event(self, event: str, message: dict[str, Any]) -> None:
        session = self.session
        if session is None or self._is_ephemeral(message):
            return
        in_guild = "guild_id" in message
        needed = C.INTENT_GUILD_MESSAGES if in_guild else C.INTENT_DIRECT_MESSAGES
        if not session.has_intent(needed):
            return
        data = public_view(message)
        if not self._content_visible(session, message):
            data.update(content="", embeds=[], attachments=[], components=[])
        if in_guild and message["author"]["id"] in {str(m) for m in self.guild.members}:
            data.setdefault("member", self.guild.members[int(message["author"]["id"])].payload(with_user=False))
        await self.gateway.dispatch(event, data)

    def _content_visible(self, session: Session, message: dict[str, Any]) -> bool:
        """Without MESSAGE_CONTENT, Discord still delivers content of DMs, own messages and mentions."""
        if session.has_intent(C.INTENT_MESSAGE_CONTENT) or "guild_id" not in message:
            return True
        bot_id = str(self.bot_user.id)
        return message["author"]["id"] == bot_id or any(m["id"] == bot_id for m in message.get("mentions") or [])

    async def message_updated(self, message: dict[str, Any]) -> None:
        await self._dispatch_message_event("MESSAGE_UPDATE", message)
        self.notify()

    async def delete_message(self, message: dict[str, Any]) -> None:
        channel_id = int(message["channel_id"])
        channel_messages = self.messages.get(channel_id, [])
        if message in channel_messages:
            channel_messages.remove(message)
        self._message_index.pop(int(message["id"]), None)
        self.deleted_messages.append(message)
        session = self.session
        if session is not None and not self._is_ephemeral(message) and session.has_intent(C.INTENT_GUILD_MESSAGES):
            data = {"id": message["id"], "channel_id": message["channel_id"]}
            if "guild_id" in message:
                data["guild_id"] = message["guild_id"]
            await self.gateway.dispatch("MESSAGE_DELETE", data)
        self.notify()

    # ------------------------------------------------------------------ REST: channel messages

    async def create_channel_message(
        self, channel_id: int, payload: Any, files: list[dict[str, Any]], where: str
    ) -> dict[str, Any]:
        channel = self.channel(channel_id, where)
        needed = C.SEND_MESSAGES_IN_THREADS if channel["type"] in C.THREAD_TYPES else C.SEND_MESSAGES
        self.require_bot_permissions(channel, C.VIEW_CHANNEL | needed, where, "send messages here")
        if files:
            self.require_bot_permissions(channel, C.ATTACH_FILES, where, "attach files")
        self.validate_new_message(payload, files, where, ephemeral_allowed=False)
        self._validate_reference(payload, channel_id, where)
        if channel["type"] in C.THREAD_TYPES and channel["thread_metadata"]["archived"]:
            channel["thread_metadata"]["archived"] = False  # Discord unarchives on send
        message = self.build_bot_message(channel_id, payload, files)
        self._set_mention_fields(message, where, None)
        await self.store_channel_message(message)
        return message

    def own_channel_message(self, channel_id: int, message_id: int, where: str) -> dict[str, Any]:
        self.channel(channel_id, where)
        message = self._message_index.get(message_id)
        if message is None or int(message["channel_id"]) != channel_id:
            raise ApiError(
                404, C.ERR_UNKNOWN_MESSAGE, "Unknown Message", violation=f"{where}: unknown message {message_id}"
            )
        return message

    async def edit_channel_message(
        self, channel_id: int, message_id: int, payload: Any, files: list[dict[str, Any]], where: str
    ) -> dict[str, Any]:
        message = self.own_channel_message(channel_id, message_id, where)
        if message["author"]["id"] != str(self.bot_user.id):
            raise ApiError(
                403,
                C.ERR_CANNOT_EDIT_OTHERS,
                "Cannot edit a message authored by another user",
                violation=f"{where}: bot tried to edit someone else's message",
            )
        self.apply_edit(message, payload, files, where)
        await self.message_updated(message)
        return message

    async def delete_channel_message(self, channel_id: int, message_id: int, where: str) -> None:
        message = self.own_channel_message(channel_id, message_id, where)
        if message["author"]["id"] != str(self.bot_user.id):
            self.require_bot_permissions(
                self.channel(channel_id, where), C.MANAGE_MESSAGES, where, "delete other people's messages"
            )
        await self.delete_message(message)

    # ------------------------------------------------------------------ REST: threads

    async def create_thread_from_message(
        self, channel_id: int, message_id: int, body: Any, where: str
    ) -> dict[str, Any]:
        channel = self.channel(channel_id, where)
        message = self.own_channel_message(channel_id, message_id, where)
        if channel["type"] in C.THREAD_TYPES or channel["type"] == C.CHANNEL_DM:
            raise ApiError(
                400,
                C.ERR_INVALID_FORM_BODY,
                "Cannot create a thread here",
                violation=f"{where}: threads can only start in text channels",
            )
        if message.get("thread"):
            raise ApiError(
                400,
                C.ERR_THREAD_ALREADY_EXISTS,
                "A thread has already been created for this message",
                violation=f"{where}: message {message_id} already has a thread",
            )
        self.require_bot_permissions(channel, C.CREATE_PUBLIC_THREADS, where, "create public threads")
        thread = self._new_thread(body, where, thread_id=message_id, parent_id=channel_id, kind=C.CHANNEL_PUBLIC_THREAD)
        message["thread"] = thread
        message["flags"] = (message.get("flags") or 0) | C.FLAG_HAS_THREAD
        await self._register_thread(thread)
        return thread

    async def create_thread(self, channel_id: int, body: Any, where: str) -> dict[str, Any]:
        channel = self.channel(channel_id, where)
        if channel["type"] != C.CHANNEL_GUILD_TEXT:
            raise ApiError(
                400,
                C.ERR_INVALID_FORM_BODY,
                "Cannot create a thread here",
                violation=f"{where}: threads can only start in text channels",
            )
        kind = (body or {}).get("type", C.CHANNEL_PRIVATE_THREAD)  # the API's default is private
        needed = C.CREATE_PRIVATE_THREADS if kind == C.CHANNEL_PRIVATE_THREAD else C.CREATE_PUBLIC_THREADS
        self.require_bot_permissions(channel, needed, where, "create this kind of thread")
        thread = self._new_thread(body, where, thread_id=self.snowflakes.next(), parent_id=channel_id, kind=kind)
        await self._register_thread(thread)
        return thread

    def _new_thread(self, body: Any, where: str, *, thread_id: int, parent_id: int, kind: int) -> dict[str, Any]:
        body = body if isinstance(body, dict) else {}
        problems: list[Problem] = []
        name = body.get("name")
        if not isinstance(name, str) or not 1 <= len(name.strip()) or len(name) > C.MAX_THREAD_NAME:
            problems.append(Problem("name", f"Must be between 1 and {C.MAX_THREAD_NAME} in length (got {name!r:.40})."))
        duration = body.get("auto_archive_duration") or 4320
        if duration not in C.THREAD_ARCHIVE_DURATIONS:
            problems.append(Problem("auto_archive_duration", f"must be one of {sorted(C.THREAD_ARCHIVE_DURATIONS)}"))
        slowmode = body.get("rate_limit_per_user") or 0
        if not 0 <= slowmode <= 21600:
            problems.append(Problem("rate_limit_per_user", "must be 0..21600"))
        if kind not in (C.CHANNEL_PUBLIC_THREAD, C.CHANNEL_PRIVATE_THREAD):
            problems.append(Problem("type", f"invalid thread type {kind!r}"))
        if problems:
            raise ApiError.invalid_form_body(problems, violation=f"{where}: " + "; ".join(map(str, problems)))
        return thread_payload(
            thread_id=thread_id,
            guild_id=self.guild.id,
            parent_id=parent_id,
            owner_id=self.bot_user.id,
            name=name,
            kind=kind,
            auto_archive_duration=duration,
            rate_limit_per_user=slowmode,
        )

    async def _register_thread(self, thread: dict[str, Any]) -> None:
        self.guild.channels[int(thread["id"])] = thread
        self.threads.append(thread)
        await self.gateway.dispatch("THREAD_CREATE", {**thread, "newly_created": True})
        self.notify()

    async def edit_channel(self, channel_id: int, body: Any, where: str) -> dict[str, Any]:
        channel = self.channel(channel_id, where)
        body = body if isinstance(body, dict) else {}
        if channel["type"] in C.THREAD_TYPES:
            for key in ("archived", "locked", "auto_archive_duration"):
                if key in body:
                    channel["thread_metadata"][key] = body[key]
            if "name" in body:
                channel["name"] = body["name"]
        else:
            self.require_bot_permissions(channel, C.MANAGE_CHANNELS, where, "edit the channel")
            channel.update({k: v for k, v in body.items() if k in ("name", "topic", "rate_limit_per_user")})
        await self.gateway.dispatch(
            "THREAD_UPDATE" if channel["type"] in C.THREAD_TYPES else "CHANNEL_UPDATE", dict(channel)
        )
        self.notify()
        return channel

    def open_dm(self, body: Any, where: str) -> dict[str, Any]:
        recipient = int((body or {}).get("recipient_id") or 0)
        member = self.guild.members.get(recipient)
        if member is None:
            raise ApiError(
                400, C.ERR_UNKNOWN_USER, "Unknown User", violation=f"{where}: DM to unknown user {recipient}"
            )
        for channel in self.dm_channels.values():
            if channel["recipients"][0]["id"] == str(recipient):
                return channel
        channel_id = self.snowflakes.next()
        channel = {
            "id": str(channel_id),
            "type": C.CHANNEL_DM,
            "recipients": [member.user.payload()],
            "last_message_id": None,
        }
        self.dm_channels[channel_id] = channel
        return channel

    # ------------------------------------------------------------------ REST: application commands

    def check_application(self, application_id: int, where: str) -> None:
        if application_id != self.application_id:
            raise ApiError(
                403,
                C.ERR_NOT_APP_OWNER,
                "You are not authorized to perform this action on this application",
                violation=f"{where}: wrong application id {application_id}",
            )

    def check_guild(self, guild_id: int, where: str) -> None:
        if guild_id != self.guild.id:
            raise ApiError(404, C.ERR_UNKNOWN_GUILD, "Unknown Guild", violation=f"{where}: unknown guild {guild_id}")

    def _materialize_command(self, command: dict[str, Any], guild_id: int | None) -> dict[str, Any]:
        kind = command.get("type", 1)
        key = (guild_id, kind, command["name"])
        command_id = self._command_ids.setdefault(key, self.snowflakes.next())
        permissions = command.get("default_member_permissions")
        stored = {
            **command,
            "id": str(command_id),
            "application_id": str(self.application_id),
            "version": str(self.snowflakes.next()),
            "type": kind,
            "description": command.get("description", ""),
            "options": command.get("options") or [],
            "default_member_permissions": None if permissions is None else str(permissions),
            "nsfw": bool(command.get("nsfw", False)),
        }
        if guild_id is not None:
            stored["guild_id"] = str(guild_id)
        return stored

    def overwrite_commands(self, guild_id: int | None, body: Any, where: str) -> list[dict[str, Any]]:
        problems = check_command_list(body)
        if problems:
            raise ApiError.invalid_form_body(problems, violation=f"{where}: " + "; ".join(map(str, problems)))
        stored = [self._materialize_command(c, guild_id) for c in body]
        if guild_id is None:
            self.global_commands = stored
        else:
            self.guild_commands[guild_id] = stored
        self.command_syncs += 1
        self.notify()
        return stored

    def upsert_command(self, guild_id: int | None, body: Any, where: str) -> dict[str, Any]:
        problems = check_command_list([body])
        if problems:
            raise ApiError.invalid_form_body(problems, violation=f"{where}: " + "; ".join(map(str, problems)))
        current = self.global_commands if guild_id is None else self.guild_commands.setdefault(guild_id, [])
        stored = self._materialize_command(body, guild_id)
        current[:] = [c for c in current if c["id"] != stored["id"]] + [stored]
        self.command_syncs += 1
        self.notify()
        return stored

    def delete_command(self, guild_id: int | None, command_id: int, where: str) -> None:
        current = self.global_commands if guild_id is None else self.guild_commands.get(guild_id, [])
        if not any(c["id"] == str(command_id) for c in current):
            raise ApiError(
                404,
                C.ERR_UNKNOWN_COMMAND,
                "Unknown application command",
                violation=f"{where}: unknown command {command_id}",
            )
        current[:] = [c for c in current if c["id"] != str(command_id)]

    def find_command(self, name: str, kind: int = 1) -> dict[str, Any]:
        # Guild commands first: they are what the test guild shows.
        for command in self.guild_commands.get(self.guild.id, []) + self.global_commands:
            if command["name"] == name and command.get("type", 1) == kind:
                return command
        synced = sorted({c["name"] for c in self.guild_commands.get(self.guild.id, []) + self.global_commands})
        raise CommandNotFound(f"command {name!r} (type {kind}) was never synced; synced commands: {synced}")

    def _check_command_visible(self, command: dict[str, Any], user_id: int) -> None:
        contexts = command.get("contexts")
        if contexts is not None and 0 not in contexts:
            raise CommandNotAvailable(f"/{command['name']} is not available in guilds (contexts={contexts})")
        required = command.get("default_member_permissions")
        if required is None:
            return
        have = self.guild.permissions_of(user_id)
        need = int(required)
        if have & C.ADMINISTRATOR or have == C.ALL_PERMISSIONS:
            return
        if need == 0 or have & need != need:
            raise CommandNotAvailable(
                f"/{command['name']} needs permissions {need:#x}; user {user_id} has {have:#x}, so Discord hides it"
            )
