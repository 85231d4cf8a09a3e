"""Frontline's retrieval library: articles in, cited and dated answers out. No Discord here.

The front door is `Frontline`, built once from a `RetrievalConfig`:

    from retrieval import Frontline, RetrievalConfig
    frontline = Frontline(RetrievalConfig(data_dir=Path("data")))
    frontline.ingest([Path("seeds"), "https://kyivindependent.com/news-archive/rss/"])
    print(frontline.ask("Why did Ukraine leave the Kanal district?").answer)
    report = frontline.follow_once()                       # poll RetrievalConfig.feeds: report.new_articles

`FrontlineRetriever` puts the same hybrid retrieval into a llama-index pipeline (imported on first
use). Command line: `python -m retrieval` (or `frontline`).
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from retrieval.config import LLMConfig, RetrievalConfig
    from retrieval.daterange import DateRange
    from retrieval.digest import DigestItem
    from retrieval.errors import ConfigError, FrontlineError, StoreUnavailable
    from retrieval.following import FollowReport
    from retrieval.ingest import IngestReport
    from retrieval.llama import FrontlineRetriever
    from retrieval.models import Answer, Citation
    from retrieval.service import Frontline, Health

# Exported names and the modules they live in. Loaded on first use, so that importing one light part
# (say retrieval.places) does not import numpy, Chroma and the rest.
_EXPORTS = {
    "Answer": "retrieval.models", "Citation": "retrieval.models", "ConfigError": "retrieval.errors",
    "DateRange": "retrieval.daterange", "DigestItem": "retrieval.digest", "FollowReport": "retrieval.following",
    "Frontline": "retrieval.service", "FrontlineError": "retrieval.errors",
    "FrontlineRetriever": "retrieval.llama", "Health": "retrieval.service", "IngestReport": "retrieval.ingest",
    "LLMConfig": "retrieval.config", "RetrievalConfig": "retrieval.config", "StoreUnavailable": "retrieval.errors",
}
__all__ = [
    "Answer", "Citation", "ConfigError", "DateRange", "DigestItem", "FollowReport", "Frontline", "FrontlineError",
    "FrontlineRetriever", "Health", "IngestReport", "LLMConfig", "RetrievalConfig", "StoreUnavailable",
]
assert sorted(__all__) == sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'retrieval' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
