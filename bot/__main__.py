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
    root.setLevel(level.upper() if isinstance(level, str) else level)
    logging.getLogger("discord").setLevel(max(root.level, logging.INFO))
    for noisy in ("httpx", "chromadb", "sentence_transformers", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Frontline Discord bot")
    parser.add_argument("command", nargs="?", default="run", choices=["run", "sync", "healthcheck"],
                        help="run the bot (default), sync slash commands and exit, or check health (Docker)")
    args = parser.parse_args(argv)

    from config.settings import SettingsError, load_settings

    try:
        settings = load_settings()
        token = settings.token()
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.command == "healthcheck":
        return healthcheck(settings)
    setup_logging(settings.log_level, token)
    if not token:
        print("error: no Discord token: set DISCORD_TOKEN (or DISCORD_TOKEN_FILE) in the environment or .env",
              file=sys.stderr)
        return 2
    try:
        settings.check_corpus_dirs()
        settings.check_chroma_url()
        return asyncio.run(run(settings, token, sync_only=args.command == "sync"))
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0


async def run(settings, token: str, *, sync_only: bool = False) -> int:
    import discord

    from bot.client import FrontlineBot
    from retrieval.errors import FrontlineError
    from retrieval.service import Frontline

    try:
        # heavy parts are built once, before connecting, and off the event loop
        frontline = await asyncio.to_thread(Frontline, settings)
        if not sync_only:
            await asyncio.to_thread(frontline.warm_up)
    except FrontlineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    bot = FrontlineBot(settings, frontline, sync_commands=not sync_only)
    _close_on_sigterm(bot)
    try:
        async with bot:
            if sync_only:
                await bot.login(token)
                synced = await bot.sync_tree()
                print(f"synced {len(synced)} commands")
                return 0
            await bot.start(token)
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
