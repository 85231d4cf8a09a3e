"""The gateway websocket: HELLO, IDENTIFY/READY, heartbeats, RESUME and ordered dispatches."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
import zlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from . import constants as C

if TYPE_CHECKING:
    from .core import Core

log = logging.getLogger("fakediscord.gateway")


# --------------------------------------------------------------------------- transport compression


def _zstd_encoder() -> Callable[[bytes], bytes] | None:
    try:
        import zstandard  # type: ignore[import-not-found]
    except ImportError:
        pass
    else:
        compressor = zstandard.ZstdCompressor().compressobj()
        return lambda data: compressor.compress(data) + compressor.flush(zstandard.COMPRESSOBJ_FLUSH_BLOCK)
    try:
        from compression import zstd  # type: ignore[import-not-found]  # Python >= 3.14
    except ImportError:
        return None
    stdlib_compressor = zstd.ZstdCompressor()
    return lambda data: stdlib_compressor.compress(data, mode=zstd.ZstdCompressor.FLUSH_BLOCK)


def make_encoder(compress: str | None) -> tuple[str, Callable[[bytes], bytes] | None]:
    """One compression context per connection, as Discord does; None means plain text frames."""
    if compress == "zlib-stream":
        compressor = zlib.compressobj()
        # Z_SYNC_FLUSH ends every message with 00 00 ff ff, which discord.py waits for.
        return compress, lambda data: compressor.compress(data) + compressor.flush(zlib.Z_SYNC_FLUSH)
    if compress == "zstd-stream":
        encoder = _zstd_encoder()
        if encoder is not None:
            return compress, encoder
    return "none", None


# --------------------------------------------------------------------------- sessions


@dataclass
class Connection:
    ws: web.WebSocketResponse
    compression: str
    encoder: Callable[[bytes], bytes] | None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def send(self, payload: dict[str, Any]) -> None:
        data = json.dumps(payload, separators=(",", ":")).encode()
        # Compress and send under one lock: the compression stream must match frame order.
        async with self.lock:
            if self.ws.closed:
                return
            if self.encoder is None:
                await self.ws.send_str(data.decode())
            else:
                await self.ws.send_bytes(self.encoder(data))


@dataclass
class Session:
    id: str
    token: str
    intents: int
    connection: Connection | None
    seq: int = 0
    sent: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=2000))

    def has_intent(self, bit: int) -> bool:
        return bool(self.intents & bit)


class Gateway:
    def __init__(self, core: Core) -> None:
        self.core = core
        self.sessions: dict[str, Session] = {}
        self.current: Session | None = None
        self.connections: set[web.WebSocketResponse] = set()
        self.compression: str | None = None

    # -- dispatching

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        session = self.current
        if session is None:
            raise RuntimeError(f"cannot dispatch {event}: no bot has identified on the gateway")
        session.seq += 1
        payload = {"op": C.OP_DISPATCH, "t": event, "s": session.seq, "d": data}
        session.sent.append(payload)
        self.core.events.append({"s": session.seq, "t": event, "at": self.core.now(), "session": session.id})
        if session.connection is not None:
            await session.connection.send(payload)

    # -- websocket handler

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0, autoping=True)
        await ws.prepare(request)
        self.connections.add(ws)
        compression, encoder = make_encoder(request.query.get("compress"))
        self.compression = compression
        connection = Connection(ws, compression, encoder)
        self._check_query(request)
        session: Session | None = None
        try:
            await connection.send({"op": C.OP_HELLO, "d": {"heartbeat_interval": self.core.heartbeat_interval_ms}})
            async for message in ws:
                if message.type not in (WSMsgType.TEXT, WSMsgType.BINARY):
                    continue
                payload = self._decode(message.data)
                session = await self._handle_op(connection, session, payload)
        except _CloseGateway as close:
            await ws.close(code=close.code, message=close.reason.encode())
        except Exception as exc:  # a bug in the fake itself
            log.exception("fake discord gateway crashed")
            self.core.violate(f"gateway: fake discord internal error {exc!r} (a bug in tests/fakediscord)")
            await ws.close(code=4000, message=b"fake discord internal error")
        finally:
            self.connections.discard(ws)
            if session is not None and session.connection is connection:
                session.connection = None
            self.core.notify()
        return ws

    def _decode(self, data: str | bytes) -> dict[str, Any]:
        try:
            payload = json.loads(data)
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            self.core.violate("gateway: the bot sent a frame that is not a JSON object")
            raise _CloseGateway(4002, "Error while decoding payload.")
        return payload

    async def request_reconnect(self) -> None:
        """Send op 7 RECONNECT, as Discord does before moving a session; the bot should RESUME."""
        session = self.current
        if session is None or session.connection is None:
            raise RuntimeError("fake discord: no bot is connected to the gateway")
        await session.connection.send({"op": C.OP_RECONNECT, "d": None})

    def _check_query(self, request: web.Request) -> None:
        if request.query.get("v") != str(C.API_VERSION):
            self.core.violate(f"gateway: connected with v={request.query.get('v')!r}, expected {C.API_VERSION}")
        if request.query.get("encoding", "json") != "json":
            self.core.violate(f"gateway: encoding={request.query.get('encoding')!r} is not supported by the fake")

    async def _handle_op(
        self, connection: Connection, session: Session | None, payload: dict[str, Any]
    ) -> Session | None:
        op, data = payload.get("op"), payload.get("d")
        if op == C.OP_HEARTBEAT:
            self.core.heartbeats.append(self.core.now())
            await connection.send({"op": C.OP_HEARTBEAT_ACK})
            return session
        if op == C.OP_IDENTIFY:
            if session is not None:
                self.core.violate("gateway: IDENTIFY sent twice on one connection")
                raise _CloseGateway(4005, "Already authenticated.")
            return await self._identify(connection, data or {})
        if op == C.OP_RESUME:
            return await self._resume(connection, data or {})
        if session is None:
            self.core.violate(f"gateway: op {op} sent before IDENTIFY")
            raise _CloseGateway(4003, "Not authenticated.")
        if op == C.OP_PRESENCE:
            self.core.presence = data
        elif op == C.OP_REQUEST_MEMBERS:
            await self._send_member_chunk(session, data or {})
        elif op != C.OP_VOICE_STATE:
            self.core.violate(f"gateway: unknown opcode {op}")
            raise _CloseGateway(4001, "Unknown opcode.")
        return session

    async def _identify(self, connection: Connection, data: dict[str, Any]) -> Session:
        token = str(data.get("token") or "")
        if token == self.core.bad_token or not token:
            raise _CloseGateway(4004, "Authentication failed.")
        intents = data.get("intents")
        if not isinstance(intents, int):
            self.core.violate("gateway: IDENTIFY without intents")
            raise _CloseGateway(4013, "Invalid intent(s).")
        refused = [
            name
            for name, bit in C.PRIVILEGED_INTENTS.items()
            if intents & bit and name not in self.core.privileged_intents
        ]
        if refused:
            self.core.violate(
                f"gateway: bot asked for privileged intent(s) {refused} that are not enabled "
                f"(pass FakeDiscord(privileged_intents={{...}}) if the real app has them)"
            )
            raise _CloseGateway(4014, "Disallowed intent(s).")
        session = Session(id=uuid.uuid4().hex, token=token, intents=intents, connection=connection)
        self.sessions[session.id] = session
        self.current = session
        self.core.identify_payload = data
        await self.dispatch("READY", self.core.ready_payload(session))
        await self.dispatch("GUILD_CREATE", self.core.guild_create_payload(session))
        self.core.on_identified()
        return session

    async def _resume(self, connection: Connection, data: dict[str, Any]) -> Session | None:
        session = self.sessions.get(str(data.get("session_id")))
        if session is None or session.token != data.get("token"):
            await connection.send({"op": C.OP_INVALID_SESSION, "d": False})
            return None
        session.connection = connection
        self.current = session
        last_seen = int(data.get("seq") or 0)
        for payload in list(session.sent):
            if payload["s"] > last_seen:
                await connection.send(payload)
        await self.dispatch("RESUMED", {})
        self.core.resumes += 1
        self.core.notify()
        return session

    async def _send_member_chunk(self, session: Session, data: dict[str, Any]) -> None:
        if not session.has_intent(C.INTENT_GUILD_MEMBERS):
            self.core.violate("gateway: REQUEST_GUILD_MEMBERS without the GUILD_MEMBERS intent")
        guild = self.core.guild
        chunk = {
            "guild_id": str(guild.id),
            "members": [m.payload() for m in guild.members.values()],
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [],
        }
        if data.get("nonce"):
            chunk["nonce"] = data["nonce"]
        await self.dispatch("GUILD_MEMBERS_CHUNK", chunk)

    async def close_all(self) -> None:
        for ws in list(self.connections):
            await ws.close(code=1001, message=b"fake discord stopping")


class _CloseGateway(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason
