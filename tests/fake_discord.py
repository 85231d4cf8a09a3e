"""A strict fake Discord on 127.0.0.1 for end-to-end tests of discord.py bots.

``FakeDiscord`` serves both the REST API (``/api/v10``) and the gateway websocket that a real
``discord.Client`` talks to, on an ephemeral loopback port, from its OWN thread and event
loop.  Because its clock keeps running while the bot's loop is blocked, a bot that does
synchronous work on its event loop shows up as a missed 3-second acknowledgement.  Every rule
the bot breaks is both answered the way Discord would (400 ``50035 Invalid Form Body``,
404 ``10062 Unknown interaction``, 400 ``40060 already acknowledged``...) and appended to
``fake.violations`` as a readable sentence; end-to-end tests finish with
``fake.assert_no_violations()`` (or ``assert fake.violations == []``).

Quick start (works with plain ``asyncio.run`` or pytest-asyncio)::

    from tests.fake_discord import FakeDiscord

    async def test_ask_answers_with_an_embed():
        async with FakeDiscord() as fake:              # starts the server thread, patches discord.py
            bot = build_bot(...)                       # your discord.Client / commands.Bot
            async with fake.connect(bot, "fake-token"):  # bot.start() as a task, wait READY + command sync
                interaction = await fake.slash("ask", {"question": "What happened in Kherson?"})
                msg = await interaction.wait_final(30)  # after defer+edit, defer+followup, or a direct reply
                assert msg["embeds"] and not msg["flags"] & 64 and len(msg["content"]) <= 2000
                assert interaction.ack_latency < 3
            fake.assert_no_violations()               # close the bot BEFORE the fake (connect() does)

Pointing discord.py at the fake
-------------------------------
``fake.patch_discord()`` (entered automatically by ``async with FakeDiscord()``; pass
``patch=False`` to do it yourself) sets, and restores on exit:

* ``discord.http.Route.BASE`` = ``fake.rest_base`` (``http://127.0.0.1:PORT/api/v10``).  The
  interaction webhook adapter (``discord/webhook/async_.py``) builds its URLs from the same
  ``http.Route`` class, so callbacks, followups and ``@original`` edits follow this patch.
  (``Route.BASE`` is read when a ``Route`` is built, so keep the patch active while the bot runs.)
* ``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY`` = ``yarl.URL(fake.gateway_url)``
  (``ws://127.0.0.1:PORT/gateway``); RESUMEs use ``resume_gateway_url`` from READY (also the fake).
* ``discord.asset.Asset.BASE`` = ``fake.base_url + "/cdn"`` so nothing can reach the real CDN.

Lifecycle
---------
``FakeDiscord(*, ack_deadline=3.0, token_lifetime=900.0, heartbeat_interval_ms=1000,
privileged_intents=(), bot_permissions=DEFAULT_BOT_PERMISSIONS, bad_token="bad-token", patch=True)``
    ``privileged_intents`` ⊆ {"members", "presences", "message_content"}: intents the "developer
    portal" allows; asking for others closes the gateway with 4014 (discord.PrivilegedIntentsRequired).
``await fake.start()`` / ``await fake.stop()``, or ``async with FakeDiscord() as fake``.
``fake.patch_discord()``  sync context manager described above.
``fake.connect(client, token="fake-token", *, timeout=15, commands=True)``  async context manager:
    runs ``client.start(token)`` as a task, waits until THIS client identified (and, with ``commands``,
    synced: pass ``commands=False`` for a restart that has nothing to sync); re-raises startup errors
    (e.g. ``discord.LoginFailure`` for ``"bad-token"``, which gets 401 on GET /users/@me); on exit
    ``await client.close()`` and awaits the task.
``await fake.wait_ready(timeout=15, *, commands=True)``  READY + GUILD_CREATE sent and, if
    ``commands``, at least one command bulk-overwrite/upsert received.
``await fake.reconnect_bot(timeout=10)``  send op 7 RECONNECT and wait until the bot RESUMEs.

Changing the guild's channels
-----------------------------
``await fake.add_text_channel(name) -> int``  a new text channel (CHANNEL_CREATE).
``await fake.restrict_bot(channel_id, deny=SEND_MESSAGES, *, announce=True)``  a member overwrite denying
    the bot those bits in a text channel (``deny=0`` lifts it; its threads follow the parent).
``await fake.delete_channel(channel_id, *, announce=True)``  the channel is gone (404 Unknown Channel).
    With ``announce`` the bot is told (CHANNEL_UPDATE / CHANNEL_DELETE, as Discord does), so any request it
    then makes there is a violation: it should check its cache.  ``announce=False`` plays a lost or raced
    event: the first refused request is answered without a violation (listed in ``fake.refusals``), a
    second one there is a violation ("a bot that keeps posting where it was refused").

The world (ids are real-looking snowflakes)
--------------------------------------------
``fake.guild_id`` (the @everyone role id too), ``fake.channel_id`` (#general, a text channel; more with
``add_text_channel``),
``fake.application_id`` (== ``fake.bot_user_id``), ``fake.user_id`` (plain member, the default
actor), ``fake.admin_id`` (has the "Mods" role: Manage Guild, Manage Messages, Manage Threads,
Mention Everyone), ``fake.owner_id`` (guild owner: all permissions), ``fake.mods_role_id``,
``fake.bot_role_id``.  The bot gets ``DEFAULT_BOT_PERMISSIONS`` (send, embed, attach, threads; no
Mention Everyone).  Without the members intent GUILD_CREATE only carries the bot's own member,
as on Discord.  Addresses: ``fake.base_url``, ``fake.rest_base``, ``fake.gateway_url``, ``fake.port``.

Driving the bot (all async, call from the test's loop; they run on the fake's thread)
-------------------------------------------------------------------------------------
``await fake.slash(name, options=None, *, user_id=None, subcommand=None, channel_id=None,
locale="en-US") -> Interaction``
    INTERACTION_CREATE type 2 built from the SYNCED schema (guild commands first, then global):
    ``options`` is ``{name: value}`` (checked against types, required, choices, min/max; user/
    role/channel options take ids and are put in ``resolved``) or a raw list of option payloads.
    ``subcommand="group sub"`` for groups.  The member carries the user's real permissions string.
    Raises ``CommandNotFound`` (never synced) or ``CommandNotAvailable`` (the user lacks the
    command's ``default_member_permissions``: Discord would hide it).
``await fake.autocomplete(name, options, focused, *, user_id=None, subcommand=None) -> list[dict]``
    type 4 with ``focused`` marked; returns the choices the bot answered (callback 8).  Raises
    ``InteractionTimeout`` when no valid answer came within the deadline.
``await fake.click(message, custom_id, *, user_id=None, values=None) -> Interaction``
    type 3 for a button (or select, with ``values``) on a message the bot sent (dict or id).
    Raises ``LookupError`` for an unknown custom_id, ``PermissionError`` for a disabled component
    or someone else's ephemeral message.
``await fake.post_message(content, *, user_id=None, channel_id=None, mentions_bot=True,
reply_to=None) -> dict``
    MESSAGE_CREATE from a member; with ``mentions_bot`` the content starts with ``<@BOT_ID>`` and
    ``mentions`` holds the bot.  Without the message-content intent the bot receives empty content
    unless it is mentioned (Discord's rule).  Needs the GUILD_MESSAGES intent to be delivered.

Waiting (snapshots: deep copies taken on the fake's thread)
-------------------------------------------------------------
``await interaction.wait_final(timeout=30, predicate=None) -> dict``  the message a user finally
    sees: the reply (callback 4), the deferred response once edited or filled by the first
    followup (callback 5), the updated message (callback 7), or after a deferred update (6) the
    edited message / first followup.  ``predicate`` lets you wait for a later edit.  Raises
    ``InteractionTimeout`` (with a description of everything the bot did) at once when the
    3-second deadline passed unacknowledged, or after ``timeout``.
``await fake.wait_for_message(*, channel_id=None, predicate=None, timeout=10, after=None,
from_bot=True) -> dict``  first non-loading message newer than ``after`` (a message dict or id).
``await fake.wait_for_thread(*, parent_id=None, predicate=None, timeout=10) -> dict``
``await fake.wait_until(condition, timeout=10)``  until ``condition(fake)`` is truthy.

Records (live objects owned by the fake's thread; read them, don't mutate them)
-------------------------------------------------------------------------------
``fake.violations: list[str]``     every rule broken.   ``fake.assert_no_violations()``
``fake.refusals: list[str]``       refusals answered without a violation (access changed unannounced).
``fake.requests: list[RecordedRequest]``  method, path (relative to /api/v10), query, json (also
    the parsed ``payload_json`` of multipart bodies), files (field, filename, size, content_type,
    data), ``at`` (fake clock), status, error body.
``fake.messages: dict[channel_or_thread_id, list[dict]]``  every non-ephemeral message (users' too);
    ``fake.bot_messages(channel_id=None)`` snapshots only the bot's.  Stored messages are Discord
    message objects plus fake bookkeeping keys starting with "_": ``_pings`` (mentions that would
    have notified someone), ``_allowed_mentions``, ``_reply_pinged_user``, ``_owner_user_id``,
    ``_interaction_id``.  ``mention_everyone``/``mentions``/``mention_roles`` follow Discord.
``fake.threads`` (thread channel objects; a thread started from a message has that message's id),
``fake.deleted_messages``, ``fake.dm_channels``, ``fake.interactions`` (all ``Interaction``s),
``fake.commands`` (global, as synced, with ids), ``fake.guild_commands[guild_id]``,
``fake.events`` (gateway dispatches ``{"s", "t", "at", "session"}``; ``s`` strictly increases),
``fake.heartbeats`` (fake-clock times), ``fake.resumes``, ``fake.intents``, ``fake.identify_payload``,
``fake.presence``, ``fake.gateway_compression`` ("zlib-stream" | "zstd-stream" | "none"), ``fake.now()``.

``Interaction`` fields: ``id``, ``token``, ``type``, ``label`` ("/ask"), ``user_id``, ``channel_id``,
``payload`` (what was dispatched), ``dispatched_at``, ``callbacks`` (every attempt: ``at``,
``latency``, ``type``, ``status``, ``data``), ``ack_type``, ``ack_at``, ``ack_latency``, ``original``,
``followups``, ``edits`` (snapshots), ``choices`` (autocomplete), ``modal``, ``ephemeral``,
``messages`` (visible ones), ``errors`` (violations tied to it), ``final_message()``, ``describe()``.

Rules (stricter than Discord; each one is a violation)
------------------------------------------------------
* first callback within ``ack_deadline`` (3.0 s) of dispatch, else 404 10062 - and a separate
  violation at the deadline if nothing was acknowledged at all; a second callback -> 400 40060;
  the callback type must suit the interaction type (8 only for autocomplete, 6/7 only for components).
* followups, GET/PATCH/DELETE ``@original`` or ``messages/{id}`` only after the acknowledgement
  (else 404 10015) and within ``token_lifetime`` (15 min; else 401 50027).
* content <= 2000; <= 10 embeds; title <= 256, description <= 4096, <= 25 fields, field name 1-256 /
  value 1-1024, footer <= 2048, author name <= 256, <= 6000 embed characters per message, embed
  URLs http(s) (or attachment://), no invisible (empty) embeds; <= 5 action rows, <= 5 buttons per
  row, label <= 80, custom_id 1-100 and unique, selects alone in a row with <= 25 options;
  autocomplete <= 25 choices, names 1-100, values typed like the option; empty messages -> 400 50006;
  ephemeral flag outside interactions; <= 10 files of <= 10 MiB; thread names 1-100.
* pings: "@everyone", "@here", "<@&ROLE>" or "<@USER>" in content OR embed text, on create OR edit,
  whose ``allowed_mentions`` lets them notify (missing -> Discord's default "parse everything").
  The message is still stored (Discord would send it) with ``_pings`` listing them.  Note
  discord.py merges ``Client(allowed_mentions=...)`` into every request, so a client-level
  ``AllowedMentions.none()`` satisfies this rule.
* missing ``Authorization: Bot ...`` / DiscordBot User-Agent on bot routes; unknown channel,
  message, guild or application ids; Missing Permissions (403 50013) or Missing Access (403 50001, no
  View Channel) for the bot's role and the channel's overwrites (computed as Discord does);
  privileged intents not enabled; unhandled routes (404 + "unhandled route") so gaps in the fake
  show up instead of silently passing.

discord.py quirks this fake had to match
----------------------------------------
* JSON is only decoded when the response Content-Type is exactly ``application/json`` (no charset).
* The webhook adapter (interaction callbacks, followups) sends no bot token and no DiscordBot
  User-Agent; it calls ``/interactions/{id}/{token}/callback?with_response=1`` and expects an
  ``InteractionCallbackResponse`` (``interaction`` + ``resource.message``).
* discord.py itself refuses a second ``interaction.response.*`` (``InteractionResponded``) before any
  HTTP call, so a double acknowledgement only reaches Discord through a second code path / object.
* Login is ``GET /users/@me`` then ``GET /oauth2/applications/@me``; ``Client`` never calls
  ``/gateway/bot`` (``AutoShardedClient`` does; both are served).
* Gateway transport compression is ``zlib-stream`` (``zstd-stream`` if ``zstandard`` is installed);
  the fake uses one compressor per connection and Z_SYNC_FLUSHes every frame.
* ``on_ready`` fires ``guild_ready_timeout`` (2 s) after the last GUILD_CREATE; interactions work
  before that, so ``wait_ready`` does not wait for it.

Not implemented (requests to them are "unhandled route" violations): rate limits/429s, modal
submission, voice, stickers/polls content rules, audit logs, editing permission overwrites over REST
(a test sets them with ``restrict_bot``).
"""

from __future__ import annotations

from tests.fakediscord import (
    CallbackAttempt,
    CommandNotAvailable,
    CommandNotFound,
    FakeDiscord,
    Interaction,
    InteractionTimeout,
    RecordedRequest,
)
from tests.fakediscord.constants import DEFAULT_BOT_PERMISSIONS

__all__ = [
    "DEFAULT_BOT_PERMISSIONS",
    "CallbackAttempt",
    "CommandNotAvailable",
    "CommandNotFound",
    "FakeDiscord",
    "Interaction",
    "InteractionTimeout",
    "RecordedRequest",
]
