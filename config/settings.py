"""One settings object, read from the environment (prefix FRONTLINE_) and an optional .env file.

It is built once, in a program's entry point (`python -m retrieval`, `python -m bot`), checked there,
and passed in to whatever needs it. Nothing below the entry points reads os.environ.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlparse

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from retrieval.config import LLMConfig, RetrievalConfig

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


class SettingsError(ValueError):
    """A setting is wrong; the message names it and says what to do."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="FRONTLINE_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    # --- corpus and store
    data_dir: Path = Field(Path("data"), description="Where the store, BM25 index and feedback live.")
    corpus_dirs: Annotated[list[Path], NoDecode] = Field(
        default_factory=lambda: [Path("seeds")],
        description="Folders (or files) ingested by default and by /reindex; comma-separated.",
    )
    chroma_url: str | None = Field(None, description="An HTTP Chroma server, e.g. http://chroma:8000; unset = on disk.")
    collection: str = Field("frontline", min_length=3, max_length=63, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9]$",
                            description="Chroma collection name.")
    gazetteer: Path | None = Field(None, description="The place gazetteer (TOML); unset = config/gazetteer.toml.")

    # --- following the news on the web
    feeds: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="RSS / Atom feeds followed (polled by the bot and `follow`); comma-separated http(s) URLs.",
    )
    poll_minutes: float = Field(15.0, gt=0, le=7 * 24 * 60, description="Minutes between two polls of the feeds.")
    allow_private_urls: bool = Field(
        False, description="Fetch URLs on loopback, private and link-local addresses too (off: no SSRF).")

    # --- embedding
    embed_model: str = Field("", description="SentenceTransformer name or path; empty = the bundled all-MiniLM-L6-v2.")
    embed_batch_size: int = Field(64, gt=0, le=4096)
    embed_backend: Literal["onnx", "torch"] = Field(
        "onnx", description="onnx: the model exported once to ONNX Runtime (same vectors, ~2x faster); torch: sentence-transformers."
    )
    embed_cache_dir: Path | None = Field(None, description="Where ONNX exports are cached; unset = <data_dir>/models.")

    # --- retrieval and answers
    top_k: int = Field(5, gt=0, le=20, description="Citations in an answer at most.")
    max_per_article: int = Field(2, gt=0, description="Passages from one article among the top results at most.")
    min_relevance: float = Field(0.45, ge=0, le=1, description="Below this the answerer abstains.")
    max_question_chars: int = Field(500, gt=0, description="Longer questions are cut to this length.")
    resident_vectors_mb: int = Field(512, ge=0, description=(
        "The row index keeps its vectors in memory up to this size (about 330k passages at 384 dimensions); "
        "a larger matrix is read from disk, only the rows a question's filter keeps."))
    answer_timeout: float = Field(20.0, gt=0, description="Seconds an answer may take before the bot gives up.")

    # --- optional generative answers (an OpenAI-compatible endpoint)
    llm_url: str | None = Field(None, description="OpenAI-compatible base URL, e.g. http://ollama:11434/v1.")
    llm_model: str | None = None
    llm_api_key: SecretStr = SecretStr("not-needed")
    llm_timeout: float = Field(12.0, gt=0, description="Seconds for the LLM; keep below answer_timeout so the fallback arrives.")

    # --- Discord
    discord_token: SecretStr | None = Field(
        None, validation_alias=AliasChoices("DISCORD_TOKEN", "FRONTLINE_DISCORD_TOKEN")
    )
    discord_token_file: Path | None = Field(
        None, validation_alias=AliasChoices("DISCORD_TOKEN_FILE", "FRONTLINE_DISCORD_TOKEN_FILE")
    )
    discord_guild_id: int | None = Field(
        None, validation_alias=AliasChoices("DISCORD_GUILD_ID", "FRONTLINE_DISCORD_GUILD_ID")
    )
    max_concurrent_answers: int = Field(2, gt=0, le=64, description="Answers computed at once (the rest queue).")
    max_queued_answers: int = Field(256, ge=0, description="Beyond this many waiting, users are told to retry.")
    cooldown_seconds: float = Field(3.0, ge=0, description="Per-user pause between questions.")
    log_level: LogLevel = "INFO"

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("corpus_dirs", mode="before")
    @classmethod
    def _split_paths(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("feeds", mode="before")
    @classmethod
    def _split_urls(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("feeds")
    @classmethod
    def _feed_urls(cls, value: list[str]) -> list[str]:
        for url in value:
            try:
                _check_http_url(url)
            except ValueError as exc:
                raise ValueError(f"{url!r} {exc}") from None
        return list(dict.fromkeys(value))

    @field_validator("chroma_url", "llm_url", "llm_model", "embed_cache_dir", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("embed_backend", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("chroma_url", "llm_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        return None if value is None else _check_http_url(value.strip())

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def model_cache_dir(self) -> Path:
        return self.embed_cache_dir or self.data_dir / "models"

    @property
    def llm_enabled(self) -> bool:
        return bool(self.llm_url and self.llm_model)

    def token(self) -> str | None:
        """The Discord token from DISCORD_TOKEN or the file DISCORD_TOKEN_FILE names (Docker secrets)."""
        if self.discord_token is not None and self.discord_token.get_secret_value().strip():
            return self.discord_token.get_secret_value().strip()
        if self.discord_token_file is not None:
            try:
                return self.discord_token_file.read_text(encoding="utf-8").strip() or None
            except OSError as exc:
                raise SettingsError(f"DISCORD_TOKEN_FILE: cannot read {self.discord_token_file}: {exc.strerror}") from None
        return None

    def retrieval_config(self) -> RetrievalConfig:
        """What the retrieval library needs, without the Discord settings."""
        llm = None
        if self.llm_enabled:
            llm = LLMConfig(url=self.llm_url or "", model=self.llm_model or "",
                            api_key=self.llm_api_key.get_secret_value(), timeout=self.llm_timeout)
        return RetrievalConfig(
            data_dir=self.data_dir, corpus_paths=tuple(self.corpus_dirs), chroma_url=self.chroma_url,
            collection=self.collection, embed_model=self.embed_model, embed_batch_size=self.embed_batch_size,
            embed_backend=self.embed_backend, embed_cache_dir=self.model_cache_dir,
            top_k=self.top_k, max_per_article=self.max_per_article, min_relevance=self.min_relevance,
            max_question_chars=self.max_question_chars, gazetteer_path=self.gazetteer, llm=llm,
            resident_vectors_mb=self.resident_vectors_mb,
            feeds=tuple(self.feeds), allow_private_urls=self.allow_private_urls,
        )

    @property
    def log_level_number(self) -> int:
        return logging.getLevelName(self.log_level)

    def check_data_dir(self) -> None:
        """The data folder must be a folder this program can write (it is created if missing)."""
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SettingsError(f"FRONTLINE_DATA_DIR: cannot create {self.data_dir} ({exc.strerror})") from None
        if not self.data_dir.is_dir():
            raise SettingsError(f"FRONTLINE_DATA_DIR: {self.data_dir} is not a folder")
        if not os.access(self.data_dir, os.W_OK | os.X_OK):
            raise SettingsError(f"FRONTLINE_DATA_DIR: {self.data_dir} is not writable")

    def check_gazetteer(self) -> None:
        if self.gazetteer is not None and not self.gazetteer.is_file():
            raise SettingsError(f"FRONTLINE_GAZETTEER: {self.gazetteer} is not a file")

    def check_corpus_dirs(self) -> None:
        for path in self.corpus_dirs:
            if not path.exists():
                raise SettingsError(f"FRONTLINE_CORPUS_DIRS: {path} does not exist")
            if path.is_dir() and not _readable_dir(path):
                raise SettingsError(f"FRONTLINE_CORPUS_DIRS: {path} is not readable")


def _check_http_url(value: str) -> str:
    if not value.startswith(("http://", "https://")):
        raise ValueError("must start with http:// or https://")
    try:
        parsed = urlparse(value)
        parsed.port  # noqa: B018 - raises on a port that is not a number
    except ValueError as exc:
        raise ValueError(f"is not a valid URL ({exc})") from None
    if not parsed.hostname:
        raise ValueError("has no host name")
    return value


def _readable_dir(path: Path) -> bool:
    try:
        next(iter(path.iterdir()), None)
    except OSError:
        return False
    return True


def load_settings(**overrides: object) -> Settings:
    """Build the settings once; turn pydantic's report into one line per bad setting."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            name = str(err["loc"][0]) if err["loc"] else "?"
            env = name.upper() if name.upper().startswith("DISCORD_") else f"FRONTLINE_{name.upper()}"
            lines.append(f"{env}: {err['msg']}")
        raise SettingsError("bad setting: " + "; ".join(lines)) from None
