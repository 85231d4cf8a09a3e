"""python -m bot [run|sync|healthcheck] — start the bot, sync its slash commands, or check its health."""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")        # never reach for a model hub
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

_log = logging.getLogger("bot")

EXIT_BAD_SETTING = 2


class RedactToken(logging.Filter):
    """Replaces the token wherever it would appear: message, arguments, exception text."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        if self.token:
            message = record.getMessage()
            if record.exc_info and record.exc_info[1] is not None:
                record.exc_text = logging.Formatter().formatException(record.exc_info)
                record.exc_info = None
            record.msg = message.replace(self.token, "[token]")
            record.args = ()
            if record.exc_text:
                record.exc_text = record.exc_text.replace(self.token, "[token]")
        return True


def setup_logging(level: str, token: str | None) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactToken(token or ""))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("discord").setLevel(max(root.level, logging.INFO))
    # The bot never joins voice: discord.py's start-up warning that voice is unsupported is noise.
    logging.getLogger("discord.client").addFilter(lambda record: "voice will NOT be supported" not in record.getMessage())
    for noisy in ("httpx", "chromadb", "sentence_transformers", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Frontline Discord bot")
    parser.add_argument("command", nargs="?", default="run", choices=["run", "sync", "healthcheck"],
                        help="run the bot (default), sync slash commands and exit, or check health (Docker)")
    args = parser.parse_args(argv)

    from config.settings import SettingsError, load_settings
    from retrieval import ConfigError

    try:
        settings = load_settings()
        if args.command == "healthcheck":
            return healthcheck(settings)
        token = settings.token()
        setup_logging(settings.log_level, token)
        if not token:
            raise SettingsError("no Discord token: set DISCORD_TOKEN (or DISCORD_TOKEN_FILE) in the environment or .env")
        settings.check_data_dir()
        settings.check_gazetteer()
        settings.check_corpus_dirs()
        return asyncio.run(run(settings, token, sync_only=args.command == "sync"))
    except (SettingsError, ConfigError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_SETTING
    except KeyboardInterrupt:
        return 0


async def run(settings, token: str, *, sync_only: bool = False) -> int:
    import discord

    from bot.client import FrontlineBot
    from retrieval import ConfigError, Frontline, FrontlineError

    try:
        # heavy parts are built once, before connecting, and off the event loop
        frontline = await asyncio.to_thread(Frontline, settings.retrieval_config())
        if not sync_only:
            await wait_for_store(frontline, settings.chroma_url)
            await asyncio.to_thread(frontline.warm_up)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_SETTING
    except FrontlineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    bot = FrontlineBot(settings, frontline, sync="always" if sync_only else "if-changed")
    _close_on_sigterm(bot)
    try:
        async with bot:
            await wait_for_discord(token)
            await bot.login(token)
            if sync_only:
                synced = await bot.sync_tree()
                print(f"synced {len(synced)} commands")
                return 0
            await bot.connect(reconnect=True)
    except discord.LoginFailure:
        print("error: Discord rejected the token (DISCORD_TOKEN); create a new one in the Developer Portal",
              file=sys.stderr)
        return 1
    except discord.PrivilegedIntentsRequired:
        print("error: the bot asks for an intent the application has not enabled", file=sys.stderr)
        return 1
    finally:
        frontline.close()
    return 0


async def wait_for_store(frontline, url: str | None) -> None:
    """Until the vector store answers: one line per try, backing off, the model staying loaded."""
    from retrieval.retry import Backoff

    for delay in Backoff().delays():
        health = await asyncio.to_thread(frontline.health)
        if health.store_ok:
            return
        print(f"cannot reach the Chroma server at {url}: {health.detail} — "
              f"retrying in {delay:.0f} s", file=sys.stderr, flush=True)
        await asyncio.sleep(delay)


async def wait_for_discord(token: str) -> None:
    """Until Discord's API answers at all (any HTTP status): one line per try, backing off.

    Why a probe of our own: discord.py's login opens a new HTTP session on every attempt, and a
    failed one cannot be retried cleanly; a rejected token is still left to login (exit at once).
    """
    import aiohttp
    import discord

    from retrieval.retry import Backoff, network_reason

    url = discord.http.Route.BASE + "/gateway"
    headers = {"Authorization": f"Bot {token}", "User-Agent": f"DiscordBot (Frontline, discord.py {discord.__version__})"}
    delays = Backoff(first=2.0, cap=60.0).delays()
    while True:
        try:
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15)) as session:
                async with session.get(url, headers=headers) as response:
                    if response.status < 500:
                        return
                    reason = f"Discord answered {response.status}"
        except (aiohttp.ClientError, OSError, asyncio.TimeoutError) as exc:
            reason = network_reason(exc)
        delay = next(delays)
        print(f"cannot reach Discord: {reason} — retrying in {delay:.0f} s", file=sys.stderr, flush=True)
        await asyncio.sleep(delay)


def _close_on_sigterm(bot) -> None:
    """systemd, Kubernetes and `docker stop` send SIGTERM: close the Discord session cleanly."""
    import signal

    loop = asyncio.get_running_loop()
    try:
        loop.add_signal_handler(signal.SIGTERM, lambda: loop.create_task(bot.close()))
    except (NotImplementedError, RuntimeError):  # not the main thread, or not supported here
        pass


def healthcheck(settings) -> int:
    """Exit 0 when the running bot reported itself connected with a reachable store, recently."""
    path = settings.data_dir / "health.json"
    try:
        state = json.loads(path.read_text())
    except (OSError, ValueError):
        print("unhealthy: no health report yet", file=sys.stderr)
        return 1
    age = time.time() - float(state.get("at", 0))
    if age > 90:
        print(f"unhealthy: last report {age:.0f} s ago", file=sys.stderr)
        return 1
    if not state.get("connected") or not state.get("store_ok"):
        print(f"unhealthy: connected={state.get('connected')} store_ok={state.get('store_ok')}", file=sys.stderr)
        return 1
    print("healthy")
    return 0


if __name__ == "__main__":
    sys.exit(main())
