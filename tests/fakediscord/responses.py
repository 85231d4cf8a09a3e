"""Interaction callbacks and the interaction webhook (followups, @original edits), with their timing rules."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from . import constants as C
from .models import public_view
from .records import ApiError, CallbackAttempt, Interaction, loading
from .rules import check_autocomplete_choices, check_modal

if TYPE_CHECKING:
    from .core import Core

MESSAGE_CALLBACKS = {C.CALLBACK_CHANNEL_MESSAGE, C.CALLBACK_DEFERRED_CHANNEL_MESSAGE}


class InteractionResponses:
    def __init__(self, core: Core) -> None:
        self.core = core

    # ------------------------------------------------------------------ POST /interactions/{id}/{token}/callback

    async def callback(
        self, interaction_id: int, token: str, body: Any, files: list[dict[str, Any]], where: str
    ) -> dict[str, Any]:
        core = self.core
        interaction = core._by_interaction_id.get(interaction_id)
        if interaction is None or interaction.token != token:
            raise ApiError(
                404,
                C.ERR_UNKNOWN_INTERACTION,
                "Unknown interaction",
                violation=f"{where}: unknown interaction id/token",
            )
        body = body if isinstance(body, dict) else {}
        kind = body.get("type")
        latency = core.now() - interaction.dispatched_at
        attempt = CallbackAttempt(at=core.now(), latency=latency, type=kind, data=copy.deepcopy(body.get("data")))
        interaction.callbacks.append(attempt)
        try:
            self._check_callback_allowed(interaction, kind, latency, where)
            message = await self._apply_callback(interaction, kind, body.get("data") or {}, files, where)
        except ApiError as error:
            attempt.status = error.status
            self._note_error(interaction, error)
            raise
        attempt.status = 200
        interaction.ack_type, interaction.ack_at = kind, attempt.at
        core.notify()
        return self._callback_response(interaction, kind, message)

    def _check_callback_allowed(self, interaction: Interaction, kind: Any, latency: float, where: str) -> None:
        if interaction.acknowledged:
            raise ApiError(
                400,
                C.ERR_ALREADY_ACKNOWLEDGED,
                "Interaction has already been acknowledged.",
                violation=f"{where}: {interaction.label} got a second callback (type {kind}) after type {interaction.ack_type}",
            )
        if latency > self.core.ack_deadline:
            raise ApiError(
                404,
                C.ERR_UNKNOWN_INTERACTION,
                "Unknown interaction",
                violation=(
                    f"{where}: {interaction.label} first callback arrived {latency:.2f} s after dispatch "
                    f"(limit {self.core.ack_deadline} s) -> 404 Unknown interaction"
                ),
            )
        if kind not in C.ALLOWED_CALLBACKS.get(interaction.type, set()):
            allowed = sorted(C.ALLOWED_CALLBACKS.get(interaction.type, set()))
            raise ApiError(
                400,
                C.ERR_INVALID_FORM_BODY,
                "Invalid Form Body",
                violation=f"{where}: callback type {kind!r} is not valid for interaction type {interaction.type} (allowed {allowed})",
                errors={"type": {"_errors": [{"code": "FAKE_DISCORD_RULE", "message": f"allowed: {allowed}"}]}},
            )

    async def _apply_callback(
        self, interaction: Interaction, kind: int, data: dict[str, Any], files: list[dict[str, Any]], where: str
    ) -> dict[str, Any] | None:
        core = self.core
        if kind == C.CALLBACK_CHANNEL_MESSAGE:
            core.validate_new_message(data, files, where, ephemeral_allowed=True)
            return await self._create_response_message(interaction, data, files, where, extra_flags=0)
        if kind == C.CALLBACK_DEFERRED_CHANNEL_MESSAGE:
            flags = (data.get("flags") or 0) & C.FLAG_EPHEMERAL
            return await self._create_response_message(
                interaction, {"flags": flags}, [], where, extra_flags=C.FLAG_LOADING
            )
        if kind == C.CALLBACK_DEFERRED_UPDATE_MESSAGE:
            interaction.original = self._source_message(interaction, where)
            return interaction.original
        if kind == C.CALLBACK_UPDATE_MESSAGE:
            message = self._source_message(interaction, where)
            core.apply_edit(message, data, files, where, interaction)
            interaction.original = message
            interaction.edits.append(copy.deepcopy(message))
            await core.message_updated(message)
            return message
        if kind == C.CALLBACK_AUTOCOMPLETE_RESULT:
            problems = check_autocomplete_choices(data, interaction.focused_option_type)
            if problems:
                raise ApiError.invalid_form_body(problems, violation=f"{where}: " + "; ".join(map(str, problems)))
            interaction.choices = copy.deepcopy(data["choices"])
            return None
        if kind == C.CALLBACK_MODAL:
            problems = check_modal(data)
            if problems:
                raise ApiError.invalid_form_body(problems, violation=f"{where}: " + "; ".join(map(str, problems)))
            interaction.modal = copy.deepcopy(data)
            return None
        raise AssertionError(f"unreachable callback type {kind}")

    def _source_message(self, interaction: Interaction, where: str) -> dict[str, Any]:
        message = (
            None if interaction.source_message_id is None else self.core.find_message(interaction.source_message_id)
        )
        if message is None:
            raise ApiError(
                404,
                C.ERR_UNKNOWN_MESSAGE,
                "Unknown Message",
                violation=f"{where}: the clicked message no longer exists",
            )
        return message

    async def _create_response_message(
        self,
        interaction: Interaction,
        data: dict[str, Any],
        files: list[dict[str, Any]],
        where: str,
        *,
        extra_flags: int,
    ) -> dict[str, Any]:
        core = self.core
        kind = 20 if interaction.type == C.INTERACTION_APPLICATION_COMMAND else 0
        message = core.build_bot_message(
            interaction.channel_id, data, files, kind=kind, interaction=interaction, extra_flags=extra_flags
        )
        core._set_mention_fields(message, where, interaction)
        interaction.original = message
        await self._store(message)
        return message

    async def _store(self, message: dict[str, Any]) -> None:
        if message["flags"] & C.FLAG_EPHEMERAL:
            self.core._index(message)  # ephemeral: only the invoking user sees it, never in channel history
            self.core.notify()
        else:
            await self.core.store_channel_message(message)

    def _callback_response(self, interaction: Interaction, kind: int, message: dict[str, Any] | None) -> dict[str, Any]:
        creates_message = kind in MESSAGE_CALLBACKS | {C.CALLBACK_UPDATE_MESSAGE}
        response: dict[str, Any] = {
            "interaction": {
                "id": str(interaction.id),
                "type": interaction.type,
                "activity_instance_id": None,
                "response_message_id": message["id"] if message is not None and creates_message else None,
                "response_message_loading": kind == C.CALLBACK_DEFERRED_CHANNEL_MESSAGE,
                "response_message_ephemeral": bool(message and message["flags"] & C.FLAG_EPHEMERAL),
            },
            "resource": {"type": kind},
        }
        if message is not None and creates_message:
            response["resource"]["message"] = public_view(message)
        return response

    # ------------------------------------------------------------------ /webhooks/{application_id}/{token}...

    def interaction_for_webhook(self, application_id: int, token: str, where: str) -> Interaction:
        core = self.core
        if application_id != core.application_id:
            raise ApiError(
                404,
                C.ERR_UNKNOWN_WEBHOOK,
                "Unknown Webhook",
                violation=f"{where}: webhook id {application_id} is not the application id",
            )
        interaction = core._by_token.get(token)
        if interaction is None:
            raise ApiError(
                404, C.ERR_UNKNOWN_WEBHOOK, "Unknown Webhook", violation=f"{where}: unknown interaction token"
            )
        if interaction.type == C.INTERACTION_AUTOCOMPLETE:
            raise ApiError(
                404,
                C.ERR_UNKNOWN_WEBHOOK,
                "Unknown Webhook",
                violation=f"{where}: autocomplete interactions have no followup webhook",
            )
        try:
            self._check_token_usable(interaction, where)
        except ApiError as error:
            self._note_error(interaction, error)
            raise
        return interaction

    def _check_token_usable(self, interaction: Interaction, where: str) -> None:
        core = self.core
        age = core.now() - interaction.dispatched_at
        if age > core.token_lifetime:
            raise ApiError(
                401,
                C.ERR_INVALID_WEBHOOK_TOKEN,
                "Invalid Webhook Token",
                violation=f"{where}: {interaction.label} token used {age:.1f} s after dispatch (tokens last {core.token_lifetime} s)",
            )
        if not interaction.acknowledged:
            raise ApiError(
                404,
                C.ERR_UNKNOWN_WEBHOOK,
                "Unknown Webhook",
                violation=f"{where}: {interaction.label} webhook used before the interaction was acknowledged (respond or defer first)",
            )

    def _note_error(self, interaction: Interaction, error: ApiError) -> None:
        if error.violation:
            interaction.errors.append(error.violation)

    async def create_followup(
        self, interaction: Interaction, body: Any, files: list[dict[str, Any]], where: str
    ) -> dict[str, Any]:
        core = self.core
        try:
            payload = core.validate_new_message(body, files, where, ephemeral_allowed=True)
            if interaction.ack_type == C.CALLBACK_DEFERRED_CHANNEL_MESSAGE and loading(interaction.original):
                # Discord: the first followup after a deferral replaces the "thinking…" message.
                message = interaction.original
                assert message is not None
                core.apply_edit(message, {k: v for k, v in payload.items() if k != "flags"}, files, where, interaction)
                interaction.followups.append(message)
                await core.message_updated(message)
                return message
            message = core.build_bot_message(interaction.channel_id, payload, files, interaction=interaction)
            core._set_mention_fields(message, where, interaction)
        except ApiError as error:
            self._note_error(interaction, error)
            raise
        interaction.followups.append(message)
        await self._store(message)
        return message

    def _message_of(self, interaction: Interaction, message_id: str, where: str) -> dict[str, Any]:
        if message_id == "@original":
            message = interaction.original
            if message is None or interaction.deleted_original:
                raise ApiError(
                    404,
                    C.ERR_UNKNOWN_MESSAGE,
                    "Unknown Message",
                    violation=f"{where}: {interaction.label} has no original response",
                )
            return message
        for message in interaction.followups + ([interaction.original] if interaction.original else []):
            if message["id"] == message_id:
                return message
        raise ApiError(
            404,
            C.ERR_UNKNOWN_MESSAGE,
            "Unknown Message",
            violation=f"{where}: message {message_id} does not belong to {interaction.label}",
        )

    def get_message(self, interaction: Interaction, message_id: str, where: str) -> dict[str, Any]:
        try:
            return self._message_of(interaction, message_id, where)
        except ApiError as error:
            self._note_error(interaction, error)
            raise

    async def edit_message(
        self, interaction: Interaction, message_id: str, body: Any, files: list[dict[str, Any]], where: str
    ) -> dict[str, Any]:
        core = self.core
        try:
            message = self._message_of(interaction, message_id, where)
            core.apply_edit(message, body, files, where, interaction)
        except ApiError as error:
            self._note_error(interaction, error)
            raise
        interaction.edits.append(copy.deepcopy(message))
        await core.message_updated(message)
        return message

    async def delete_message(self, interaction: Interaction, message_id: str, where: str) -> None:
        try:
            message = self._message_of(interaction, message_id, where)
        except ApiError as error:
            self._note_error(interaction, error)
            raise
        if message is interaction.original:
            interaction.deleted_original = True
        await self.core.delete_message(message)
