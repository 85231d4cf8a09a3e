"""The bot's version, shown by /about."""
__version__ = "0.2.0"
