"""REST routing: body parsing (JSON and multipart), auth, request recording, and the route table."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import web

from . import constants as C
from .models import public_view
from .records import ApiError, RecordedRequest, json_response
from .responses import InteractionResponses

if TYPE_CHECKING:
    from .core import Core

log = logging.getLogger("fakediscord.rest")


@dataclass
class ApiRequest:
    method: str
    path: str
    params: dict[str, str]
    query: dict[str, str]
    json: Any
    files: list[dict[str, Any]] = field(default_factory=list)
    where: str = ""  # "POST /interactions/1/<token>/callback [/ask]": readable, token redacted

    def int_param(self, name: str) -> int:
        try:
            return int(self.params[name])
        except ValueError:
            raise ApiError(
                404, C.ERR_GENERAL, "404: Not Found", violation=f"{self.where}: {name} is not a snowflake"
            ) from None

    def flag(self, name: str) -> bool:
        return self.query.get(name, "").lower() in ("1", "true")


Handler = Callable[[ApiRequest], Awaitable[Any]]


@dataclass
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler
    auth: bool


def compile_path(template: str) -> re.Pattern[str]:
    regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", re.escape(template).replace(r"\{", "{").replace(r"\}", "}"))
    return re.compile(f"^{regex}$")


class NoContent:
    """Marker: answer 204."""


NO_CONTENT = NoContent()


class RestApi:
    def __init__(self, core: Core) -> None:
        self.core = core
        self.responses = InteractionResponses(core)
        self.routes: list[Route] = []
        self._register_routes()

    def add(self, method: str, template: str, handler: Handler, *, auth: bool = True) -> None:
        self.routes.append(Route(method, compile_path(template), handler, auth))

    # ------------------------------------------------------------------ aiohttp entry point

    async def handle(self, request: web.Request) -> web.StreamResponse:
        core = self.core
        path = request.path[len(C.API_PREFIX) :] if request.path.startswith(C.API_PREFIX + "/") else request.path
        record = RecordedRequest(request.method, path, dict(request.query), None, [], core.now())
        core.requests.append(record)
        try:
            record.json, record.files = await parse_body(request, f"{request.method} {path}")
            response = await self._route(request, path, record)
        except ApiError as error:
            if error.violation:
                core.violate(error.violation)
            record.error = error.body()
            response = error.to_response()
        except Exception as exc:  # a bug in the fake itself: make it loud, but avoid discord.py's 5xx retries
            log.exception("fake discord crashed on %s %s", request.method, path)
            error = ApiError(400, C.ERR_GENERAL, f"fake discord internal error: {exc!r}")
            core.violate(f"{request.method} {path}: fake discord internal error {exc!r} (a bug in tests/fakediscord)")
            record.error = error.body()
            response = error.to_response()
        record.status = response.status
        core.notify()
        return response

    async def _route(self, request: web.Request, path: str, record: RecordedRequest) -> web.StreamResponse:
        where = f"{request.method} {path}"
        if not request.path.startswith(C.API_PREFIX + "/"):
            raise ApiError(
                404, C.ERR_GENERAL, "404: Not Found", violation=f"{where}: unhandled route (not under {C.API_PREFIX})"
            )
        for route in self.routes:
            match = route.pattern.match(path)
            if match is None or route.method != request.method:
                continue
            params = match.groupdict()
            where = self._describe(request.method, path, params)
            self._check_headers(request, route, where)
            api_request = ApiRequest(
                request.method, path, params, dict(request.query), record.json, record.files, where
            )
            result = await route.handler(api_request)
            if isinstance(result, NoContent):
                return web.Response(status=204)
            return json_response(result)
        raise ApiError(
            404, C.ERR_GENERAL, "404: Not Found", violation=f"{where}: unhandled route (the fake does not implement it)"
        )

    def _describe(self, method: str, path: str, params: dict[str, str]) -> str:
        token = params.get("token")
        if token is None:
            return f"{method} {path}"
        interaction = self.core._by_token.get(token)
        label = f" [{interaction.label}]" if interaction is not None else ""
        return f"{method} {path.replace(token, '<token>')}{label}"

    def _check_headers(self, request: web.Request, route: Route, where: str) -> None:
        if not route.auth:
            return  # discord.py's webhook adapter sends neither a bot token nor its DiscordBot User-Agent
        agent = request.headers.get("User-Agent", "")
        if not agent.startswith("DiscordBot"):
            raise ApiError(
                400,
                C.ERR_GENERAL,
                "Bad User-Agent",
                violation=f"{where}: User-Agent {agent!r} does not start with 'DiscordBot'",
            )
        authorization = request.headers.get("Authorization", "")
        if not authorization.startswith("Bot "):
            raise ApiError(
                401,
                C.ERR_GENERAL,
                "401: Unauthorized",
                violation=f"{where}: missing 'Authorization: Bot <token>' header",
            )
        if authorization[4:] == self.core.bad_token:
            raise ApiError(401, C.ERR_GENERAL, "401: Unauthorized")  # a scripted scenario, not a bot bug

    # ------------------------------------------------------------------ route table

    def _register_routes(self) -> None:
        add = self.add
        add("GET", "/users/@me", self.get_me)
        add("GET", "/oauth2/applications/@me", self.get_application)
        add("GET", "/applications/@me", self.get_application)
        add("GET", "/gateway", self.get_gateway)
        add("GET", "/gateway/bot", self.get_gateway_bot)
        add("GET", "/users/{user_id}", self.get_user)
        add("POST", "/users/@me/channels", self.open_dm)

        add("GET", "/applications/{application_id}/commands", self.list_commands)
        add("PUT", "/applications/{application_id}/commands", self.overwrite_commands)
        add("POST", "/applications/{application_id}/commands", self.upsert_command)
        add("DELETE", "/applications/{application_id}/commands/{command_id}", self.delete_command)
        add("GET", "/applications/{application_id}/guilds/{guild_id}/commands", self.list_commands)
        add("PUT", "/applications/{application_id}/guilds/{guild_id}/commands", self.overwrite_commands)
        add("POST", "/applications/{application_id}/guilds/{guild_id}/commands", self.upsert_command)
        add("DELETE", "/applications/{application_id}/guilds/{guild_id}/commands/{command_id}", self.delete_command)

        add("GET", "/guilds/{guild_id}", self.get_guild)
        add("GET", "/guilds/{guild_id}/channels", self.get_guild_channels)
        add("GET", "/guilds/{guild_id}/roles", self.get_roles)
        add("GET", "/guilds/{guild_id}/members/{user_id}", self.get_member)

        add("GET", "/channels/{channel_id}", self.get_channel)
        add("PATCH", "/channels/{channel_id}", self.edit_channel)
        add("GET", "/channels/{channel_id}/messages", self.list_messages)
        add("POST", "/channels/{channel_id}/messages", self.create_message)
        add("GET", "/channels/{channel_id}/messages/{message_id}", self.get_message)
        add("PATCH", "/channels/{channel_id}/messages/{message_id}", self.edit_message)
        add("DELETE", "/channels/{channel_id}/messages/{message_id}", self.delete_message)
        add("POST", "/channels/{channel_id}/typing", self.typing)
        add("PUT", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me", self.react)
        add("DELETE", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me", self.react)
        add("POST", "/channels/{channel_id}/messages/{message_id}/threads", self.thread_from_message)
        add("POST", "/channels/{channel_id}/threads", self.thread_without_message)
        add("PUT", "/channels/{channel_id}/thread-members/@me", self.join_thread)
        add("DELETE", "/channels/{channel_id}/thread-members/@me", self.join_thread)

        # Interaction endpoints are authenticated by the token in the URL, not the bot token.
        add("POST", "/interactions/{interaction_id}/{token}/callback", self.interaction_callback, auth=False)
        add("POST", "/webhooks/{application_id}/{token}", self.followup, auth=False)
        add("GET", "/webhooks/{application_id}/{token}/messages/{message_id}", self.get_webhook_message, auth=False)
        add("PATCH", "/webhooks/{application_id}/{token}/messages/{message_id}", self.edit_webhook_message, auth=False)
        add(
            "DELETE",
            "/webhooks/{application_id}/{token}/messages/{message_id}",
            self.delete_webhook_message,
            auth=False,
        )

    # ------------------------------------------------------------------ identity

    async def get_me(self, req: ApiRequest) -> Any:
        return {
            **self.core.bot_user.payload(),
            "verified": True,
            "mfa_enabled": False,
            "email": None,
            "locale": "en-US",
        }

    async def get_application(self, req: ApiRequest) -> Any:
        return self.core.application_payload()

    async def get_gateway(self, req: ApiRequest) -> Any:
        return {"url": self.core.gateway_url}

    async def get_gateway_bot(self, req: ApiRequest) -> Any:
        limit = {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
        return {"url": self.core.gateway_url, "shards": 1, "session_start_limit": limit}

    async def get_user(self, req: ApiRequest) -> Any:
        user_id = req.int_param("user_id")
        if user_id == self.core.bot_user.id:
            return self.core.bot_user.payload()
        member = self.core.guild.members.get(user_id)
        if member is None:
            raise ApiError(404, C.ERR_UNKNOWN_USER, "Unknown User", violation=f"{req.where}: unknown user")
        return member.user.payload()

    async def open_dm(self, req: ApiRequest) -> Any:
        return self.core.open_dm(req.json, req.where)

    # ------------------------------------------------------------------ commands

    def _command_scope(self, req: ApiRequest) -> int | None:
        self.core.check_application(req.int_param("application_id"), req.where)
        if "guild_id" not in req.params:
            return None
        guild_id = req.int_param("guild_id")
        self.core.check_guild(guild_id, req.where)
        return guild_id

    async def list_commands(self, req: ApiRequest) -> Any:
        guild_id = self._command_scope(req)
        return self.core.global_commands if guild_id is None else self.core.guild_commands.get(guild_id, [])

    async def overwrite_commands(self, req: ApiRequest) -> Any:
        return self.core.overwrite_commands(self._command_scope(req), req.json, req.where)

    async def upsert_command(self, req: ApiRequest) -> Any:
        return self.core.upsert_command(self._command_scope(req), req.json, req.where)

    async def delete_command(self, req: ApiRequest) -> Any:
        self.core.delete_command(self._command_scope(req), req.int_param("command_id"), req.where)
        return NO_CONTENT

    # ------------------------------------------------------------------ guild

    async def get_guild(self, req: ApiRequest) -> Any:
        self.core.check_guild(req.int_param("guild_id"), req.where)
        data = self.core.guild.create_payload(include_all_members=False, bot_user_id=self.core.bot_user.id)
        for key in ("members", "channels", "threads", "presences", "voice_states"):
            data.pop(key, None)
        return data

    async def get_guild_channels(self, req: ApiRequest) -> Any:
        self.core.check_guild(req.int_param("guild_id"), req.where)
        return [c for c in self.core.guild.channels.values() if c["type"] not in C.THREAD_TYPES]

    async def get_roles(self, req: ApiRequest) -> Any:
        self.core.check_guild(req.int_param("guild_id"), req.where)
        return [r.payload() for r in self.core.guild.roles.values()]

    async def get_member(self, req: ApiRequest) -> Any:
        self.core.check_guild(req.int_param("guild_id"), req.where)
        member = self.core.guild.members.get(req.int_param("user_id"))
        if member is None:
            raise ApiError(404, 10007, "Unknown Member", violation=f"{req.where}: unknown member")
        return member.payload()

    # ------------------------------------------------------------------ channels & messages

    async def get_channel(self, req: ApiRequest) -> Any:
        return self.core.channel(req.int_param("channel_id"), req.where)

    async def edit_channel(self, req: ApiRequest) -> Any:
        return await self.core.edit_channel(req.int_param("channel_id"), req.json, req.where)

    async def list_messages(self, req: ApiRequest) -> Any:
        channel_id = req.int_param("channel_id")
        self.core.channel(channel_id, req.where)
        limit = max(1, min(100, int(req.query.get("limit", 50))))
        messages = list(self.core.messages.get(channel_id, []))
        if "before" in req.query:
            messages = [m for m in messages if int(m["id"]) < int(req.query["before"])]
        if "after" in req.query:
            messages = [m for m in messages if int(m["id"]) > int(req.query["after"])]
            return [public_view(m) for m in messages[:limit]][::-1]
        return [public_view(m) for m in messages[-limit:]][::-1]  # newest first, like Discord

    async def create_message(self, req: ApiRequest) -> Any:
        message = await self.core.create_channel_message(req.int_param("channel_id"), req.json, req.files, req.where)
        return public_view(message)

    async def get_message(self, req: ApiRequest) -> Any:
        return public_view(
            self.core.own_channel_message(req.int_param("channel_id"), req.int_param("message_id"), req.where)
        )

    async def edit_message(self, req: ApiRequest) -> Any:
        message = await self.core.edit_channel_message(
            req.int_param("channel_id"), req.int_param("message_id"), req.json, req.files, req.where
        )
        return public_view(message)

    async def delete_message(self, req: ApiRequest) -> Any:
        await self.core.delete_channel_message(req.int_param("channel_id"), req.int_param("message_id"), req.where)
        return NO_CONTENT

    async def typing(self, req: ApiRequest) -> Any:
        self.core.channel(req.int_param("channel_id"), req.where)
        return NO_CONTENT

    async def react(self, req: ApiRequest) -> Any:
        self.core.own_channel_message(req.int_param("channel_id"), req.int_param("message_id"), req.where)
        return NO_CONTENT

    async def thread_from_message(self, req: ApiRequest) -> Any:
        return await self.core.create_thread_from_message(
            req.int_param("channel_id"), req.int_param("message_id"), req.json, req.where
        )

    async def thread_without_message(self, req: ApiRequest) -> Any:
        return await self.core.create_thread(req.int_param("channel_id"), req.json, req.where)

    async def join_thread(self, req: ApiRequest) -> Any:
        channel = self.core.channel(req.int_param("channel_id"), req.where)
        if channel["type"] not in C.THREAD_TYPES:
            raise ApiError(400, C.ERR_GENERAL, "Not a thread", violation=f"{req.where}: channel is not a thread")
        return NO_CONTENT

    # ------------------------------------------------------------------ interactions & webhooks

    async def interaction_callback(self, req: ApiRequest) -> Any:
        response = await self.responses.callback(
            req.int_param("interaction_id"), req.params["token"], req.json, req.files, req.where
        )
        return response if req.flag("with_response") else NO_CONTENT

    def _webhook_interaction(self, req: ApiRequest):  # -> Interaction
        return self.responses.interaction_for_webhook(req.int_param("application_id"), req.params["token"], req.where)

    async def followup(self, req: ApiRequest) -> Any:
        interaction = self._webhook_interaction(req)
        message = await self.responses.create_followup(interaction, req.json, req.files, req.where)
        return public_view(message) if req.flag("wait") else NO_CONTENT

    async def get_webhook_message(self, req: ApiRequest) -> Any:
        interaction = self._webhook_interaction(req)
        return public_view(self.responses.get_message(interaction, req.params["message_id"], req.where))

    async def edit_webhook_message(self, req: ApiRequest) -> Any:
        interaction = self._webhook_interaction(req)
        message = await self.responses.edit_message(
            interaction, req.params["message_id"], req.json, req.files, req.where
        )
        return public_view(message)

    async def delete_webhook_message(self, req: ApiRequest) -> Any:
        interaction = self._webhook_interaction(req)
        await self.responses.delete_message(interaction, req.params["message_id"], req.where)
        return NO_CONTENT


# ---------------------------------------------------------------------- body parsing


async def parse_body(request: web.Request, where: str) -> tuple[Any, list[dict[str, Any]]]:
    """JSON bodies, or multipart with ``payload_json`` plus ``files[n]`` parts (discord.py's file uploads)."""
    if not request.body_exists:
        return None, []
    if request.content_type == "application/json":
        return _load_json(await request.read(), where), []
    if request.content_type == "multipart/form-data":
        return await _parse_multipart(request, where)
    raise ApiError(
        400,
        C.ERR_INVALID_FORM_BODY,
        "Invalid Form Body",
        violation=f"{where}: unsupported Content-Type {request.content_type!r} (Discord takes JSON or multipart)",
    )


async def _parse_multipart(request: web.Request, where: str) -> tuple[Any, list[dict[str, Any]]]:
    payload: Any = None
    files: list[dict[str, Any]] = []
    reader = await request.multipart()
    while (part := await reader.next()) is not None:
        data = await part.read()  # type: ignore[union-attr]
        name = part.name or ""
        if name == "payload_json":
            payload = _load_json(bytes(data), where)
        elif name.startswith("files[") or name == "file" or part.filename:
            files.append(
                {
                    "field": name,
                    "filename": part.filename,
                    "size": len(data),
                    "content_type": part.headers.get("Content-Type"),
                    "data": bytes(data),
                }
            )
        else:
            raise ApiError(
                400,
                C.ERR_INVALID_FORM_BODY,
                "Invalid Form Body",
                violation=f"{where}: unexpected multipart field {name!r}",
            )
    return payload, files


def _load_json(raw: bytes, where: str) -> Any:
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        raise ApiError(
            400,
            C.ERR_INVALID_JSON,
            "The request body contains invalid JSON.",
            violation=f"{where}: body is not valid JSON",
        ) from None
