"""Frontline's Discord bot: a thin adapter over retrieval/."""
from bot.version import __version__

__all__ = ["__version__"]
