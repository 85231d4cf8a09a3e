"""The fake's world: snowflakes, the test guild, its people, and Discord-shaped payloads."""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from . import constants as C


class Snowflakes:
    """Real-looking, strictly increasing snowflakes (discord.py derives timestamps from them)."""

    def __init__(self) -> None:
        self._last = 0
        self._lock = threading.Lock()

    def next(self) -> int:
        with self._lock:
            candidate = (int(time.time() * 1000) - C.DISCORD_EPOCH_MS) << 22 | 1 << 17
            self._last = max(candidate, self._last + 1)
            return self._last


def iso_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


def iso_in(seconds: float) -> str:
    return (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds)).isoformat()


@dataclass
class FakeUser:
    id: int
    username: str
    bot: bool = False

    def payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "username": self.username,
            "discriminator": "0",
            "global_name": None if self.bot else self.username.title(),
            "avatar": None,
            "bot": self.bot,
            "system": False,
            "public_flags": 0,
            "flags": 0,
        }


@dataclass
class FakeRole:
    id: int
    name: str
    permissions: int
    position: int
    managed: bool = False
    bot_id: int | None = None

    def payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(self.id),
            "name": self.name,
            "permissions": str(self.permissions),
            "position": self.position,
            "color": 0,
            "hoist": False,
            "icon": None,
            "unicode_emoji": None,
            "managed": self.managed,
            "mentionable": False,
            "flags": 0,
        }
        if self.bot_id is not None:
            data["tags"] = {"bot_id": str(self.bot_id)}
        return data


@dataclass
class FakeMember:
    user: FakeUser
    role_ids: list[int]
    joined_at: str = field(default_factory=iso_now)

    def payload(self, *, with_user: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {
            "roles": [str(r) for r in self.role_ids],
            "joined_at": self.joined_at,
            "nick": None,
            "avatar": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "premium_since": None,
            "communication_disabled_until": None,
        }
        if with_user:
            data["user"] = self.user.payload()
        return data


class FakeGuild:
    """One guild with a text channel, an @everyone role, a "Mods" role, a bot role and four people."""

    def __init__(self, snowflakes: Snowflakes, *, bot_user: FakeUser, bot_permissions: int) -> None:
        self.id = snowflakes.next()
        self.name = "Frontline Test Guild"
        self.channel_id = snowflakes.next()
        self.user = FakeUser(snowflakes.next(), "alice")
        self.admin = FakeUser(snowflakes.next(), "mod_bob")
        self.owner = FakeUser(snowflakes.next(), "owner_olga")
        self.everyone_role = FakeRole(self.id, "@everyone", C.EVERYONE_PERMISSIONS, 0)
        self.mods_role = FakeRole(snowflakes.next(), "Mods", C.MODS_PERMISSIONS, 2)
        self.bot_role = FakeRole(
            snowflakes.next(), bot_user.username, bot_permissions, 1, managed=True, bot_id=bot_user.id
        )
        self.roles = {r.id: r for r in (self.everyone_role, self.mods_role, self.bot_role)}
        self.members = {
            bot_user.id: FakeMember(bot_user, [self.bot_role.id]),
            self.user.id: FakeMember(self.user, []),
            self.admin.id: FakeMember(self.admin, [self.mods_role.id]),
            self.owner.id: FakeMember(self.owner, []),
        }
        self.channels: dict[int, dict[str, Any]] = {self.channel_id: self._text_channel(self.channel_id, "general")}

    def _text_channel(self, channel_id: int, name: str) -> dict[str, Any]:
        return {
            "id": str(channel_id),
            "type": C.CHANNEL_GUILD_TEXT,
            "guild_id": str(self.id),
            "name": name,
            "position": 0,
            "permission_overwrites": [],
            "nsfw": False,
            "parent_id": None,
            "topic": "War news questions",
            "rate_limit_per_user": 0,
            "last_message_id": None,
            "flags": 0,
        }

    def add_text_channel(self, channel_id: int, name: str) -> dict[str, Any]:
        channel = self._text_channel(channel_id, name)
        channel["position"] = len(self.channels)
        self.channels[channel_id] = channel
        return channel

    # -- permissions

    def permissions_in(self, channel: dict[str, Any], user_id: int) -> int:
        """Discord's computation: guild permissions, then the channel's overwrites for @everyone, the
        member's roles and the member (a thread uses its parent's); no View Channel means nothing."""
        base = self.permissions_of(user_id)
        if base == C.ALL_PERMISSIONS:
            return base
        if channel.get("type") in C.THREAD_TYPES and channel.get("parent_id"):
            channel = self.channels.get(int(channel["parent_id"]), channel)
        overwrites = {(int(o["id"]), int(o["type"])): o for o in channel.get("permission_overwrites") or []}
        value = base
        everyone = overwrites.get((self.id, 0))
        if everyone:
            value = (value & ~int(everyone["deny"])) | int(everyone["allow"])
        member = self.members.get(user_id)
        allow = deny = 0
        for role_id in member.role_ids if member else []:
            if (found := overwrites.get((role_id, 0))) is not None:
                allow, deny = allow | int(found["allow"]), deny | int(found["deny"])
        value = (value & ~deny) | allow
        if (own := overwrites.get((user_id, 1))) is not None:
            value = (value & ~int(own["deny"])) | int(own["allow"])
        return value if value & C.VIEW_CHANNEL else 0

    def permissions_of(self, user_id: int) -> int:
        """Guild-level permissions (channel overwrites: `permissions_in`)."""
        if user_id == self.owner.id:
            return C.ALL_PERMISSIONS
        member = self.members.get(user_id)
        if member is None:
            return 0
        value = self.everyone_role.permissions
        for role_id in member.role_ids:
            value |= self.roles[role_id].permissions
        return C.ALL_PERMISSIONS if value & C.ADMINISTRATOR else value

    def member_payload_with_permissions(self, user_id: int, channel: dict[str, Any] | None = None) -> dict[str, Any]:
        """As in an interaction: the member's permissions in the channel it was used in."""
        data = self.members[user_id].payload()
        have = self.permissions_of(user_id) if channel is None else self.permissions_in(channel, user_id)
        data["permissions"] = str(have)
        return data

    # -- payloads

    def create_payload(self, *, include_all_members: bool, bot_user_id: int) -> dict[str, Any]:
        members = self.members.values() if include_all_members else [self.members[bot_user_id]]
        guild_channels = [c for c in self.channels.values() if c["type"] not in C.THREAD_TYPES]
        threads = [c for c in self.channels.values() if c["type"] in C.THREAD_TYPES]
        return {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "owner_id": str(self.owner.id),
            "afk_timeout": 300,
            "verification_level": 1,
            "default_message_notifications": 1,
            "explicit_content_filter": 2,
            "roles": [r.payload() for r in self.roles.values()],
            "emojis": [],
            "stickers": [],
            "features": [],
            "mfa_level": 0,
            "system_channel_id": str(self.channel_id),
            "system_channel_flags": 0,
            "preferred_locale": "en-US",
            "premium_tier": 0,
            "nsfw_level": 0,
            "joined_at": self.members[bot_user_id].joined_at,
            "large": False,
            "unavailable": False,
            "member_count": len(self.members),
            "members": [m.payload() for m in members],
            "channels": guild_channels,
            "threads": threads,
            "presences": [],
            "voice_states": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }

    def channel_for_interaction(self, channel_id: int, user_id: int) -> dict[str, Any]:
        data = dict(self.channels[channel_id])
        data["permissions"] = str(self.permissions_in(self.channels[channel_id], user_id))
        return data


def thread_payload(
    *,
    thread_id: int,
    guild_id: int,
    parent_id: int,
    owner_id: int,
    name: str,
    kind: int,
    auto_archive_duration: int,
    rate_limit_per_user: int,
) -> dict[str, Any]:
    return {
        "id": str(thread_id),
        "guild_id": str(guild_id),
        "parent_id": str(parent_id),
        "owner_id": str(owner_id),
        "name": name,
        "type": kind,
        "last_message_id": None,
        "rate_limit_per_user": rate_limit_per_user,
        "message_count": 0,
        "member_count": 1,
        "total_message_sent": 0,
        "flags": 0,
        "thread_metadata": {
            "archived": False,
            "auto_archive_duration": auto_archive_duration,
            "archive_timestamp": iso_now(),
            "locked": False,
            "invitable": kind == C.CHANNEL_PRIVATE_THREAD,
            "create_timestamp": iso_now(),
        },
        "member": {"id": str(thread_id), "user_id": str(owner_id), "join_timestamp": iso_now(), "flags": 0},
    }


def public_view(message: dict[str, Any]) -> dict[str, Any]:
    """The Discord-visible part of a stored message (fake bookkeeping keys start with "_")."""
    return {k: v for k, v in message.items() if not k.startswith("_")}
