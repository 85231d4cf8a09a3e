"""The library's own configuration: what retrieval needs to know, and nothing about Discord.

The application's settings (config/settings.py, read from the environment) build one of these with
`Settings.retrieval_config()`; a program using the library directly builds it by hand.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from retrieval.web import STATE_FILE


@dataclass(frozen=True)
class LLMConfig:
    """An OpenAI-compatible endpoint that may rewrite the extractive answer (retrieval/generate.py)."""
    url: str
    model: str
    api_key: str = "not-needed"
    timeout: float = 12.0


@dataclass(frozen=True)
class RetrievalConfig:
    data_dir: Path = Path("data")
    corpus_paths: tuple[Path, ...] = (Path("seeds"),)     # ingested by default
    chroma_url: str | None = None                          # an HTTP Chroma server; None = on disk
    collection: str = "frontline"
    embed_model: str = ""                                  # "" = the bundled all-MiniLM-L6-v2
    embed_batch_size: int = 64
    embed_backend: str = "onnx"                            # "onnx" (same vectors, ~2x faster) or "torch"
    embed_cache_dir: Path | None = None                    # ONNX exports; None = <data_dir>/models
    top_k: int = 5                                         # citations in an answer at most
    max_per_article: int = 2                               # passages of one article among the results
    min_relevance: float = 0.45                            # below this the answerer abstains
    max_question_chars: int = 500
    resident_vectors_mb: int = 512                         # row-index vectors up to this size stay in memory
    gazetteer_path: Path | None = None                     # None = config/gazetteer.toml
    llm: LLMConfig | None = None
    feeds: tuple[str, ...] = ()                            # RSS / Atom feeds followed (besides those added at run time)
    allow_private_urls: bool = False                       # fetch loopback / private addresses too (tests, intranets)

    @property
    def model_cache_dir(self) -> Path:
        return self.embed_cache_dir or self.data_dir / "models"

    @property
    def docstore_path(self) -> Path:
        return self.data_dir / "frontline.sqlite3"

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def web_state_path(self) -> Path:
        """Followed feeds, their entries, and the near-duplicate signatures and carriers of web articles."""
        return self.data_dir / STATE_FILE

    @property
    def index_dir(self) -> Path:
        """The row index (BM25 and the vector matrix), derived from the stores and rebuilt when lost."""
        return self.data_dir / "index"
