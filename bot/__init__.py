"""Frontline's Discord bot: a thin adapter over retrieval/."""
__version__ = "0.1.0"
