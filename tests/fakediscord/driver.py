"""Test driving: building interactions and user messages from the synced schema, and waiting.

A mixin of ``Core`` (same thread, same state); kept apart so core.py stays about Discord's side.
"""

from __future__ import annotations

import asyncio
import copy
import secrets
from collections.abc import Callable
from typing import Any

from . import constants as C
from .models import iso_now, public_view
from .records import Interaction, InteractionTimeout, loading
from .rules import SELECT_TYPES, USER_MENTION_RE, iter_components


class DriverMixin:
    """Mixed into ``Core``: every ``self.`` attribute used here is Core state."""

    # ------------------------------------------------------------------ interactions

    def _user(self, user_id: int | None) -> int:
        user_id = self.guild.user.id if user_id is None else int(user_id)
        if user_id not in self.guild.members:
            raise ValueError(f"user {user_id} is not a member of the fake guild")
        return user_id

    def _option_data(
        self,
        command: dict[str, Any],
        options: dict[str, Any] | list[dict[str, Any]] | None,
        subcommand: str | None,
        focused: str | None,
    ) -> tuple[dict[str, Any], int | None]:
        data: dict[str, Any] = {"id": command["id"], "name": command["name"], "type": command.get("type", 1)}
        if command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        schema = command.get("options") or []
        target = data
        for part in (subcommand or "").split():
            spec = next(
                (o for o in schema if o["name"] == part and o["type"] in (C.OPT_SUB_COMMAND, C.OPT_SUB_COMMAND_GROUP)),
                None,
            )
            if spec is None:
                raise ValueError(f"/{command['name']} has no subcommand (group) {part!r}")
            node: dict[str, Any] = {"name": part, "type": spec["type"], "options": []}
            target.setdefault("options", []).append(node)
            target, schema = node, spec.get("options") or []
        if any(o["type"] in (C.OPT_SUB_COMMAND, C.OPT_SUB_COMMAND_GROUP) for o in schema):
            names = [o["name"] for o in schema]
            raise ValueError(f"/{command['name']} needs subcommand=... (one of {names})")
        resolved: dict[str, dict[str, Any]] = {}
        built, focused_type = self._build_options(schema, options, focused, resolved)
        target["options"] = built
        if resolved:
            data["resolved"] = resolved
        return data, focused_type

    def _build_options(
        self,
        schema: list[dict[str, Any]],
        options: dict[str, Any] | list[dict[str, Any]] | None,
        focused: str | None,
        resolved: dict[str, dict[str, Any]],
    ) -> tuple[list[dict[str, Any]], int | None]:
        if isinstance(options, list):
            return options, None  # raw option payloads, passed through untouched
        given = dict(options or {})
        by_name = {o["name"]: o for o in schema}
        if focused is not None:
            spec = by_name.get(focused)
            if spec is None or not spec.get("autocomplete"):
                raise ValueError(f"option {focused!r} does not have autocomplete enabled (schema: {spec})")
            given.setdefault(focused, "")
        built = []
        for name, value in given.items():
            spec = by_name.get(name)
            if spec is None:
                raise ValueError(f"unknown option {name!r}; the synced schema has {list(by_name)}")
            entry: dict[str, Any] = {"name": name, "type": spec["type"]}
            if name == focused:
                entry["value"], entry["focused"] = value, True
            else:
                entry["value"] = self._convert_option(spec, value, resolved)
            built.append(entry)
        if focused is None:
            missing = [o["name"] for o in schema if o.get("required") and o["name"] not in given]
            if missing:
                raise ValueError(f"required option(s) missing: {missing}")
        return built, (by_name[focused]["type"] if focused is not None else None)

    def _convert_option(self, spec: dict[str, Any], value: Any, resolved: dict[str, dict[str, Any]]) -> Any:
        kind, name = spec["type"], spec["name"]
        if kind == C.OPT_STRING:
            if not isinstance(value, str):
                raise ValueError(f"option {name!r} is a string option, got {value!r}")
            low, high = spec.get("min_length", 0), spec.get("max_length", 6000)
            if not low <= len(value) <= high:
                raise ValueError(f"option {name!r} must be {low}..{high} characters (Discord's client enforces this)")
        elif kind in (C.OPT_INTEGER, C.OPT_NUMBER):
            if (
                isinstance(value, bool)
                or not isinstance(value, (int, float))
                or (kind == C.OPT_INTEGER and not isinstance(value, int))
            ):
                raise ValueError(
                    f"option {name!r} needs a {'integer' if kind == C.OPT_INTEGER else 'number'}, got {value!r}"
                )
            low, high = spec.get("min_value"), spec.get("max_value")
            if (low is not None and value < low) or (high is not None and value > high):
                raise ValueError(f"option {name!r} must be within {low}..{high}")
        elif kind == C.OPT_BOOLEAN:
            if not isinstance(value, bool):
                raise ValueError(f"option {name!r} needs a bool, got {value!r}")
        elif kind in (C.OPT_USER, C.OPT_ROLE, C.OPT_CHANNEL, C.OPT_MENTIONABLE):
            return self._resolve_entity(kind, name, value, resolved)
        else:
            raise ValueError(f"option type {kind} ({name!r}) is not supported by the fake")
        choices = spec.get("choices")
        if choices and value not in [c["value"] for c in choices]:
            raise ValueError(f"option {name!r} must be one of {[c['value'] for c in choices]}")
        return value

    def _resolve_entity(self, kind: int, name: str, value: Any, resolved: dict[str, dict[str, Any]]) -> str:
        entity_id = int(value)
        if kind in (C.OPT_USER, C.OPT_MENTIONABLE) and entity_id in self.guild.members:
            member = self.guild.members[entity_id]
            resolved.setdefault("users", {})[str(entity_id)] = member.user.payload()
            member_data = member.payload(with_user=False)
            member_data["permissions"] = str(self.guild.permissions_of(entity_id))
            resolved.setdefault("members", {})[str(entity_id)] = member_data
        elif kind in (C.OPT_ROLE, C.OPT_MENTIONABLE) and entity_id in self.guild.roles:
            resolved.setdefault("roles", {})[str(entity_id)] = self.guild.roles[entity_id].payload()
        elif kind == C.OPT_CHANNEL and entity_id in self.guild.channels:
            channel = self.guild.channels[entity_id]
            resolved.setdefault("channels", {})[str(entity_id)] = {
                **channel,
                "permissions": str(self.guild.permissions_of(self.guild.user.id)),
            }
        else:
            raise ValueError(f"option {name!r}: {entity_id} is not a known {'user/role/channel'} of the fake guild")
        return str(entity_id)

    def _interaction_payload(
        self,
        kind: int,
        data: dict[str, Any],
        *,
        user_id: int,
        channel_id: int,
        locale: str,
        message: dict[str, Any] | None,
    ) -> dict[str, Any]:
        payload = {
            "id": str(self.snowflakes.next()),
            "application_id": str(self.application_id),
            "type": kind,
            "data": data,
            "guild_id": str(self.guild.id),
            "guild": {"id": str(self.guild.id), "locale": "en-US", "features": []},
            "channel_id": str(channel_id),
            "channel": self.guild.channel_for_interaction(channel_id, user_id),
            "member": self.guild.member_payload_with_permissions(user_id, self.guild.channels[channel_id]),
            "token": "fake-interaction-token." + secrets.token_urlsafe(32),
            "version": 1,
            "app_permissions": str(self.bot_channel_permissions(self.guild.channels[channel_id])),
            "locale": locale,
            "guild_locale": "en-US",
            "entitlements": [],
            "entitlement_sku_ids": [],
            "authorizing_integration_owners": {"0": str(self.guild.id)},
            "context": 0,
            "attachment_size_limit": C.ATTACHMENT_SIZE_LIMIT,
        }
        if message is not None:
            payload["message"] = public_view(message)
        return payload

    async def _dispatch_interaction(
        self,
        kind: int,
        data: dict[str, Any],
        *,
        user_id: int,
        channel_id: int | None,
        label: str,
        locale: str,
        message: dict[str, Any] | None = None,
        focused_type: int | None = None,
    ) -> Interaction:
        self._require_connected()
        channel_id = self.guild.channel_id if channel_id is None else int(channel_id)
        if channel_id not in self.guild.channels:
            raise ValueError(f"channel {channel_id} is not a channel of the fake guild")
        payload = self._interaction_payload(
            kind, data, user_id=user_id, channel_id=channel_id, locale=locale, message=message
        )
        interaction = Interaction(
            id=int(payload["id"]),
            token=payload["token"],
            type=kind,
            label=label,
            user_id=user_id,
            channel_id=channel_id,
            payload=payload,
            dispatched_at=self.now(),
            source_message_id=None if message is None else int(message["id"]),
            focused_option_type=focused_type,
            _call=self.wrap_call,
            _wait_final=self.wait_final,
        )
        # Register before sending: the bot (another thread) may answer before dispatch() returns.
        self.interactions.append(interaction)
        self._by_interaction_id[interaction.id] = interaction
        self._by_token[interaction.token] = interaction
        await self.gateway.dispatch("INTERACTION_CREATE", payload)
        loop = asyncio.get_running_loop()
        self._timers.append(loop.call_later(self.ack_deadline, self._check_acknowledged, interaction))
        return interaction

    def _check_acknowledged(self, interaction: Interaction) -> None:
        if not interaction.acknowledged:
            self.violate(
                f"{interaction.label}: not acknowledged within {self.ack_deadline} s of dispatch "
                "(users see 'The application did not respond')",
                interaction,
            )
        self.notify()

    async def slash(
        self,
        name: str,
        options: dict[str, Any] | list[dict[str, Any]] | None,
        *,
        user_id: int | None,
        subcommand: str | None,
        channel_id: int | None,
        locale: str,
    ) -> Interaction:
        user = self._user(user_id)
        command = self.find_command(name)
        self._check_command_visible(command, user)
        data, _ = self._option_data(command, options, subcommand, focused=None)
        label = f"/{name}" + (f" {subcommand}" if subcommand else "")
        return await self._dispatch_interaction(
            C.INTERACTION_APPLICATION_COMMAND, data, user_id=user, channel_id=channel_id, label=label, locale=locale
        )

    async def autocomplete(
        self,
        name: str,
        options: dict[str, Any] | None,
        focused: str,
        *,
        user_id: int | None,
        subcommand: str | None,
        channel_id: int | None,
        locale: str,
    ) -> Interaction:
        user = self._user(user_id)
        command = self.find_command(name)
        self._check_command_visible(command, user)
        data, focused_type = self._option_data(command, options, subcommand, focused=focused)
        interaction = await self._dispatch_interaction(
            C.INTERACTION_AUTOCOMPLETE,
            data,
            user_id=user,
            channel_id=channel_id,
            label=f"autocomplete /{name}.{focused}",
            locale=locale,
            focused_type=focused_type,
        )
        grace = self.ack_deadline + 0.25

        def answered() -> list[dict[str, Any]] | None:
            if interaction.ack_type == C.CALLBACK_AUTOCOMPLETE_RESULT:
                return interaction.choices
            if self.now() - interaction.dispatched_at > grace:
                raise InteractionTimeout(f"autocomplete was not answered in time:\n{interaction.describe()}")
            return None

        await self.wait_until(answered, grace + 1.0, f"autocomplete answer for {interaction.label}")
        return interaction

    async def click(
        self,
        message_ref: dict[str, Any] | int | str,
        custom_id: str,
        *,
        user_id: int | None,
        values: list[str] | None,
        locale: str,
    ) -> Interaction:
        user = self._user(user_id)
        message_id = int(message_ref["id"]) if isinstance(message_ref, dict) else int(message_ref)
        message = self._message_index.get(message_id)
        if message is None:
            raise LookupError(f"message {message_id} does not exist (deleted, or never sent by the bot)")
        component = next(
            (c for c in iter_components(message.get("components") or []) if c.get("custom_id") == custom_id), None
        )
        if component is None:
            ids = [c.get("custom_id") for c in iter_components(message.get("components") or []) if c.get("custom_id")]
            raise LookupError(f"message {message_id} has no component {custom_id!r}; it has {ids}")
        if component.get("disabled"):
            raise PermissionError(f"component {custom_id!r} is disabled; a user cannot use it")
        if self._is_ephemeral(message) and message.get("_owner_user_id") != user:
            raise PermissionError("only the user who received an ephemeral message can see and click it")
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": component["type"]}
        if component["type"] in SELECT_TYPES:
            data["values"] = self._select_values(component, values or [])
        return await self._dispatch_interaction(
            C.INTERACTION_MESSAGE_COMPONENT,
            data,
            user_id=user,
            channel_id=int(message["channel_id"]),
            label=f"component {custom_id!r} on message {message_id}",
            locale=locale,
            message=message,
        )

    def _select_values(self, component: dict[str, Any], values: list[str]) -> list[str]:
        low, high = component.get("min_values", 1), component.get("max_values", 1)
        if not low <= len(values) <= high:
            raise ValueError(f"select {component['custom_id']!r} takes {low}..{high} values, got {values}")
        if component["type"] == 3:
            allowed = [o["value"] for o in component.get("options") or []]
            unknown = [v for v in values if v not in allowed]
            if unknown:
                raise ValueError(f"values {unknown} are not options of select {component['custom_id']!r} ({allowed})")
        return values

    async def wait_final(
        self, interaction: Interaction, timeout: float, predicate: Callable[[dict[str, Any]], bool] | None
    ) -> dict[str, Any]:
        def probe() -> dict[str, Any] | None:
            final = interaction.final_message()
            if final is not None and (predicate is None or predicate(final)):
                return copy.deepcopy(final)
            if not interaction.acknowledged and self.now() - interaction.dispatched_at > self.ack_deadline:
                raise InteractionTimeout(f"the bot missed the acknowledgement deadline:\n{interaction.describe()}")
            if interaction.ack_type in (C.CALLBACK_AUTOCOMPLETE_RESULT, C.CALLBACK_MODAL):
                raise InteractionTimeout(
                    f"answered with callback type {interaction.ack_type}; no message will come:\n{interaction.describe()}"
                )
            return None

        try:
            return await self.wait_until(probe, timeout, f"the final message of {interaction.label}")
        except InteractionTimeout:
            raise
        except TimeoutError:
            raise InteractionTimeout(f"no final message after {timeout} s:\n{interaction.describe()}") from None

    # ------------------------------------------------------------------ test driving: user messages

    async def post_user_message(
        self,
        content: str,
        *,
        user_id: int | None,
        channel_id: int | None,
        mentions_bot: bool,
        reply_to: dict[str, Any] | int | None,
    ) -> dict[str, Any]:
        self._require_connected()
        author = self.guild.members[self._user(user_id)]
        channel_id = self.guild.channel_id if channel_id is None else int(channel_id)
        if channel_id not in self.guild.channels:
            raise ValueError(f"channel {channel_id} is not a channel of the fake guild")
        bot_mention = f"<@{self.bot_user.id}>"
        if mentions_bot and bot_mention not in content and f"<@!{self.bot_user.id}>" not in content:
            content = f"{bot_mention} {content}"
        mentioned = [int(m) for m in dict.fromkeys(USER_MENTION_RE.findall(content)) if int(m) in self.guild.members]
        message: dict[str, Any] = {
            "id": str(self.snowflakes.next()),
            "channel_id": str(channel_id),
            "guild_id": str(self.guild.id),
            "author": author.user.payload(),
            "member": author.payload(with_user=False),
            "content": content,
            "timestamp": iso_now(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [
                {**self.guild.members[m].user.payload(), "member": self.guild.members[m].payload(with_user=False)}
                for m in mentioned
            ],
            "mention_roles": [],
            "attachments": [],
            "embeds": [],
            "components": [],
            "pinned": False,
            "type": 0,
            "flags": 0,
            "_pings": [],
        }
        if reply_to is not None:
            target = self._message_index.get(int(reply_to["id"]) if isinstance(reply_to, dict) else int(reply_to))
            if target is None:
                raise LookupError(f"cannot reply to unknown message {reply_to!r}")
            message["type"] = 19
            message["message_reference"] = {
                "message_id": target["id"],
                "channel_id": target["channel_id"],
                "guild_id": str(self.guild.id),
            }
            message["referenced_message"] = public_view(target)
        await self.store_channel_message(message)
        return copy.deepcopy(message)

    async def wait_for_message(
        self,
        *,
        channel_id: int | None,
        predicate: Callable[[dict[str, Any]], bool] | None,
        timeout: float,
        after: dict[str, Any] | int | None,
        from_bot: bool,
    ) -> dict[str, Any]:
        after_id = int(after["id"]) if isinstance(after, dict) else int(after or 0)
        bot_id = str(self.bot_user.id)

        def probe() -> dict[str, Any] | None:
            channels = [int(channel_id)] if channel_id is not None else list(self.messages)
            for cid in channels:
                for message in self.messages.get(cid, []):
                    if int(message["id"]) <= after_id or loading(message):
                        continue
                    if from_bot and message["author"]["id"] != bot_id:
                        continue
                    if predicate is None or predicate(message):
                        return copy.deepcopy(message)
            return None

        where = f"channel {channel_id}" if channel_id is not None else "any channel"
        return await self.wait_until(probe, timeout, f"a {'bot ' if from_bot else ''}message in {where}")
