"""The one error type whose message is written for the person asking (CLI user or Discord member)."""
from __future__ import annotations


class FrontlineError(Exception):
    """A failure the user should read as is: bad input, an unknown place, a store that is down."""


class StoreUnavailable(FrontlineError):
    """The vector store cannot be reached; the next request tries again."""

    def __init__(self, detail: str = "") -> None:
        super().__init__("The article store is unavailable right now. Please try again in a moment.")
        self.detail = detail


class ConfigError(FrontlineError):
    """A setting or a configuration file is wrong; the message names it. Entry points exit with 2."""
