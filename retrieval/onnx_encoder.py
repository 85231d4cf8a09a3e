"""The sentence encoder on ONNX Runtime: the configured model exported once, cached on disk, run without torch.

Why: on a small CPU machine the same all-MiniLM-L6-v2, exported to ONNX in fp32 and run by
onnxruntime, encodes about twice as many passages a second as sentence-transformers on torch and
embeds one question in a third of the time, with the same vectors (cosine ≥ 0.9999). Int8
quantization is faster again but changes which passages are nearest, so it is not used here.

Why our own export rather than sentence-transformers' `backend="onnx"`: that one needs optimum, whose
install downgrades transformers below what sentence-transformers itself requires.

What is reproduced: a SentenceTransformer made of a Transformer module followed by Pooling, Dense or
Normalize modules. The exported graph is the model's own transformer followed by those very modules
(traced from sentence-transformers, so the pooling mode and the normalisation are whatever the model
folder configures); the text goes through the model's own fast tokenizer with its max_seq_length and
longest-first truncation. The graph then goes through onnxruntime's transformer optimizer (attention,
layer norms and GELU fused, still fp32) when it knows the model type. A model with another pipeline
(a default prompt, another kind of module) raises `Unsupported`, and so does an export whose vectors
differ from torch's on the probe texts: every export is checked against torch before it is cached.

How it runs: one question in one session on every core; many passages (ingest) in one single-threaded
session per core, each taking the next length-sorted batch, so a busy core slows one lane, not all.

The cache: `<cache_dir>/<key>/` holding model.onnx, tokenizer.json and pipeline.json. The key covers
the model (its folder, the content of its small files, the size and mtime of its weight files) and
the versions of torch, transformers, sentence-transformers, tokenizers and onnxruntime, so an upgrade
exports again. An export is written into a temporary sibling folder and renamed into place, so two
processes exporting at once leave one complete copy, never a torn one.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import threading
import warnings
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path

import numpy as np

_log = logging.getLogger(__name__)

# Bump when the export or the runtime below changes in a way that old exports would not match.
EXPORT_VERSION = "2"
MODEL_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
PIPELINE_FILE = "pipeline.json"
_LIBRARIES = ("torch", "transformers", "sentence-transformers", "tokenizers", "onnxruntime")
_WEIGHT_BYTES = 16 * 2**20     # files above this are keyed by size and mtime, not hashed at every start
_TAIL_MODULES = {"Pooling", "Normalize", "Dense"}   # pure tensor functions of the transformer's output
# Checked against torch after every export: short and long (truncated), cased, accented, Cyrillic,
# padded with spaces, numbers and punctuation, in batches of several sizes.
PROBES = (
    "What happened in Toretsk in July 2024?",
    "Ukrainian forces withdrew from the Kanal micro-district of Chasiv Yar after weeks of fighting.",
    "  Bakhmut / Artemivsk:  shelling continued overnight, the regional governor said.  ",
    "Зеленський заявив, що армія утримує позиції під Покровськом.",
    "Sievierodonetsk (Severodonetsk) — Lysychansk — Kramatorsk; Café, naïve, Ærø.",
    "IAEA",
    "The 155-mm shells, 3,000 drones and $1.2bn of aid were announced on 24/08/2022. " * 12,
    "WHAT DID THE RED CROSS SAY ABOUT PRISONERS OF WAR?",
)
_PROBE_MIN_COSINE = 0.9999
# Padded tokens per onnxruntime call. Measured on RUWA passages with the fused MiniLM on 2 cores: the
# throughput peaks between ~350 and ~750 tokens a call whatever the text length (8 texts of 92 tokens,
# 16 of 43, 32 of 18), and falls by 10-20 % at 64 texts of 43 tokens. So a batch holds as many texts as
# fit in this budget, at most `batch_size`.
BATCH_TOKENS = 512


class Unsupported(Exception):
    """This model cannot be run on ONNX here; the message says why (the caller falls back to torch)."""


class CacheNotWritable(Unsupported):
    """The cache folder cannot be written; an export into a temporary folder still works."""


# ============================================================================================ cache
def model_folder(model: str) -> Path:
    """The local folder of a SentenceTransformer given by path or by hub name (only if already cached)."""
    path = Path(model).expanduser()
    if path.is_dir():
        return path.resolve()
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:
        raise Unsupported(f"{model!r} is not a folder") from None
    for repo in (model, f"sentence-transformers/{model}"):
        try:
            found = try_to_load_from_cache(repo, "modules.json")
        except Exception:  # not a valid repo id
            found = None
        if isinstance(found, str):
            return Path(found).parent
    raise Unsupported(f"{model!r} is neither a folder nor a model in the local hub cache")


def cache_key(folder: Path) -> str:
    """A short digest of the model's files and of the library versions the export depends on."""
    h = hashlib.sha256(f"frontline-onnx-{EXPORT_VERSION}\n{folder}\n".encode())
    for lib in _LIBRARIES:
        h.update(f"{lib}={_version(lib)}\n".encode())
    for file in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = file.relative_to(folder).as_posix()
        if rel.startswith(".") or "/." in rel or rel.endswith(".md"):
            continue
        stat = file.stat()
        h.update(f"{rel}\0{stat.st_size}\0".encode())
        if stat.st_size > _WEIGHT_BYTES:
            h.update(f"{stat.st_mtime_ns}\n".encode())
        else:
            h.update(file.read_bytes())
    return h.hexdigest()[:20]


def load_encoder(model: str, cache_dir: Path, *, batch_size: int = 64) -> OnnxEncoder:
    """The model's encoder from its export under cache_dir, exporting it first (or again, if damaged)."""
    was_cached = (export_folder(model, cache_dir) / PIPELINE_FILE).exists()
    folder = cached_export(model, cache_dir)
    try:
        encoder = OnnxEncoder(folder, batch_size=batch_size)
        encoder.check()
        return encoder
    except Exception as exc:
        if not was_cached:  # a fresh export that does not load: exporting again would not help
            raise
        _log.warning("the cached ONNX export in %s is damaged (%s: %s); exporting it again", folder,
                     type(exc).__name__, exc)
        shutil.rmtree(folder, ignore_errors=True)
    encoder = OnnxEncoder(cached_export(model, cache_dir), batch_size=batch_size)
    encoder.check()
    return encoder


def export_folder(model: str, cache_dir: Path) -> Path:
    """Where this model's export lives (or will) under cache_dir."""
    folder = model_folder(model)
    return cache_dir / f"{folder.name}-{cache_key(folder)}"


def cached_export(model: str, cache_dir: Path) -> Path:
    """The folder of this model's ONNX export under cache_dir, exporting it first if it is not there."""
    folder = model_folder(model)
    target = export_folder(model, cache_dir)
    if (target / PIPELINE_FILE).exists():
        return target
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=cache_dir))
    except OSError as exc:
        raise CacheNotWritable(f"cannot write the ONNX export under {cache_dir} ({exc.strerror})") from None
    try:
        _log.info("exporting %s to ONNX (once; cached in %s)", folder, target)
        export(folder, tmp)
        try:
            tmp.rename(target)  # atomic; fails when another process got there first
        except OSError:
            if not (target / PIPELINE_FILE).exists():
                raise
            _log.info("another process exported %s at the same time; using its copy", folder.name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


# ============================================================================================ export
def export(folder: Path, out: Path) -> None:
    """Export the SentenceTransformer in `folder` to `out` and check it against torch; raises Unsupported."""
    import torch
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    st = SentenceTransformer(str(folder), device="cpu")
    st.eval()
    transformer, tail = st[0], [st[i] for i in range(1, len(st))]
    kinds = [type(m).__name__ for m in st]
    if kinds[0] != "Transformer" or not set(kinds[1:]) <= _TAIL_MODULES or "Pooling" not in kinds:
        raise Unsupported(f"its pipeline is {' → '.join(kinds)}; only Transformer → Pooling/Dense/Normalize is exported")
    if st.default_prompt_name:
        raise Unsupported(f"it adds the prompt {st.default_prompt_name!r} to every text")
    tokenizer = getattr(transformer, "tokenizer", None)
    backend = getattr(tokenizer, "backend_tokenizer", None)
    if backend is None:
        raise Unsupported("its tokenizer has no fast (Rust) version")
    if getattr(tokenizer, "padding_side", "right") != "right":
        raise Unsupported("its tokenizer pads on the left")
    max_length = int(st.max_seq_length)
    sample = tokenizer(["a probe", "a longer probe sentence"], padding=True, truncation="longest_first",
                       max_length=max_length, return_tensors="pt")
    inputs = [name for name in ("input_ids", "attention_mask", "token_type_ids") if name in sample]
    if set(sample) - set(inputs) - {"modality"}:
        raise Unsupported(f"its tokenizer gives inputs {sorted(sample)}")

    model = transformer.auto_model
    try:
        # plain attention exports as the pattern onnxruntime's optimizer fuses into one Attention op
        model.set_attn_implementation("eager")
    except Exception:  # an older transformers, or a model with one implementation only
        pass
    graph = _export_graph(model, tail, inputs).eval()
    axes = {name: {0: "batch", 1: "sequence"} for name in inputs}
    axes["sentence_embedding"] = {0: "batch"}
    with torch.inference_mode(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the tracer's notes on Python control flow in the model
        try:
            # The TorchScript exporter: the dynamo one needs onnxscript, which the project does not install.
            torch.onnx.export(graph, tuple(sample[name] for name in inputs), str(out / MODEL_FILE),
                              input_names=inputs, output_names=["sentence_embedding"], dynamic_axes=axes,
                              opset_version=17, do_constant_folding=True, dynamo=False)
        except Exception as exc:
            raise Unsupported(f"torch.onnx.export failed ({type(exc).__name__}: {exc})") from exc
    _optimize(out / MODEL_FILE, model.config)

    fast = _runtime_tokenizer(backend, max_length)
    fast.save(str(out / TOKENIZER_FILE))
    probe = st.encode([PROBES[1]], normalize_embeddings=False, convert_to_numpy=True, show_progress_bar=False)[0]
    pipeline = {
        "model": str(folder), "inputs": inputs, "max_length": max_length,
        "pad_id": int(tokenizer.pad_token_id or 0), "dimension": int(st.get_embedding_dimension()),
        "modules": kinds, "versions": {lib: _version(lib) for lib in _LIBRARIES},
        # checked every time the export is loaded: a damaged or mismatched copy is found at once
        "probe": {"text": PROBES[1], "vector": [float(x) for x in probe]},
    }
    (out / PIPELINE_FILE).write_text(json.dumps(pipeline, indent=1))
    _check_against_torch(st, tokenizer, out)


def _optimize(path: Path, config) -> None:
    """onnxruntime's transformer optimizer, in place: attention, layer norms and GELU fused, still fp32.

    Measured on MiniLM here: about 1.6x the passages/s of the plain export when it was written; with
    onnxruntime 1.32 a later run gave 164 vs 152 passages/s (medians of three noisy rounds on 2,000
    RUWA passages), so most of the speed-up is now onnxruntime's own. Vectors unchanged (cosine
    0.999999 to torch). A model type it does not know keeps the plain export; either way the result
    is checked against torch afterwards.
    """
    try:
        from onnxruntime.transformers.optimizer import MODEL_TYPES, optimize_model
    except ImportError:
        return
    kind = getattr(config, "model_type", "")
    if kind not in MODEL_TYPES:
        _log.info("onnxruntime's optimizer does not know %r models; the plain export is used", kind)
        return
    logging.disable(logging.INFO)  # it logs every fusion it makes, from loggers of its own
    try:
        optimized = optimize_model(str(path), model_type=kind, num_heads=getattr(config, "num_attention_heads", 0),
                                   hidden_size=getattr(config, "hidden_size", 0))
        optimized.save_model_to_file(str(path))
    except Exception as exc:
        _log.info("onnxruntime's optimizer failed (%s: %s); the plain export is used", type(exc).__name__, exc)
    finally:
        logging.disable(logging.NOTSET)


def _version(lib: str) -> str:
    try:
        return metadata.version(lib)
    except metadata.PackageNotFoundError:
        return "-"


def _runtime_tokenizer(backend, max_length: int):
    """The model's own Rust tokenizer, set to truncate as sentence-transformers does and not to pad."""
    from tokenizers import Tokenizer

    fast = Tokenizer.from_str(backend.to_str())
    fast.enable_truncation(max_length=max_length, strategy="longest_first", stride=0)
    fast.no_padding()  # padded per batch, to the batch's longest text
    return fast


def _export_graph(transformer, tail: list, inputs: list[str]):
    """The transformer's last hidden state through the model's own Pooling/Dense/Normalize modules."""
    import torch

    class Graph(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.transformer = transformer
            self.tail = torch.nn.ModuleList(tail)

        def forward(self, *tensors):
            named = dict(zip(inputs, tensors))
            hidden = self.transformer(**named, return_dict=True).last_hidden_state
            features = {"token_embeddings": hidden, "attention_mask": named["attention_mask"]}
            for module in self.tail:
                features = module(features)
            return features["sentence_embedding"]

    return Graph()


def _check_against_torch(st, tokenizer, out: Path) -> None:
    """Same token ids and the same vectors as the torch model, or Unsupported."""
    encoder = OnnxEncoder(out, batch_size=3)
    for text in PROBES:
        want = tokenizer(text, truncation="longest_first", max_length=encoder.max_length)["input_ids"]
        got = encoder.tokenize([text])[0]
        if list(want) != list(got):
            raise Unsupported(f"the exported tokenizer splits {text[:40]!r} differently from the model's")
    want = st.encode(list(PROBES), normalize_embeddings=False, convert_to_numpy=True, show_progress_bar=False)
    for batch_size in (1, 3, len(PROBES)):
        encoder.batch_size = batch_size
        got = encoder.encode(PROBES)
        cosine = _cosines(got, want)
        if cosine.min() < _PROBE_MIN_COSINE or not np.allclose(np.linalg.norm(got, axis=1),
                                                               np.linalg.norm(want, axis=1), rtol=1e-3):
            raise Unsupported(f"its ONNX vectors differ from torch's (cosine {cosine.min():.5f})")


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


# ============================================================================================ runtime
class OnnxEncoder:
    """Texts to vectors with an exported folder: Rust tokenizer, onnxruntime, numpy. No torch."""

    def __init__(self, folder: Path, *, batch_size: int = 64, batch_tokens: int = BATCH_TOKENS,
                 threads: int | None = None) -> None:
        from tokenizers import Tokenizer

        self.folder = folder
        self.batch_size = batch_size
        self.batch_tokens = batch_tokens
        pipeline = json.loads((folder / PIPELINE_FILE).read_text())
        self.inputs: list[str] = pipeline["inputs"]
        self.max_length: int = pipeline["max_length"]
        self.dimension: int = pipeline["dimension"]
        self._pad_id: int = pipeline["pad_id"]
        self._tokenizer = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
        self.threads = threads or cpu_count()
        self._session = self._new_session(self.threads)
        self._lanes: list = []   # one-thread sessions for many batches, made on first need
        self._lanes_lock = threading.Lock()
        self.probe = pipeline["probe"]

    def _new_session(self, threads: int):
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3  # its warnings about unused initializers are noise here
        return ort.InferenceSession(str(self.folder / MODEL_FILE), options, providers=["CPUExecutionProvider"])

    def check(self, min_cosine: float = _PROBE_MIN_COSINE) -> float:
        """The cosine between this encoder's vector of the probe text and torch's, at export time."""
        got = self.encode([self.probe["text"]])
        cosine = float(_cosines(got, np.asarray([self.probe["vector"]], dtype=np.float32))[0])
        if not cosine >= min_cosine:
            raise ValueError(f"its vector of a probe text differs from torch's (cosine {cosine:.5f})")
        return cosine

    def tokenize(self, texts: Sequence[str]) -> list[list[int]]:
        return [e.ids for e in self._tokenizer.encode_batch(list(texts))]

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One vector per text, in order. Batches hold texts of like length, padded to their longest."""
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        if not texts:
            return out
        encodings = self._tokenizer.encode_batch(list(texts))
        lengths = np.fromiter((len(e.ids) for e in encodings), dtype=np.int64, count=len(encodings))
        order = np.argsort(-lengths, kind="stable")  # longest first
        batches = []
        start = 0
        while start < len(order):
            width = int(lengths[order[start]])
            batches.append((order[start:start + max(1, min(self.batch_size, self.batch_tokens // width))], width))
            start += len(batches[-1][0])
        if len(batches) == 1 or self.threads == 1:
            for rows, width in batches:
                out[rows] = self._run([encodings[i] for i in rows], width)
        else:
            self._run_in_lanes(batches, encodings, out)
        return out

    def _run_in_lanes(self, batches: list, encodings: list, out: np.ndarray) -> None:
        """Many batches: one single-threaded session per core, each taking the next batch.

        Why not the one session's threads: they meet at a barrier after every operator, so when anything
        else holds a core (the ingest reader and writer, another process on a shared server) both wait
        for the slower. Measured on 2,000 RUWA passages, 2 cores: the same speed on an idle machine
        (~340 passages/s either way), 240 against 150 passages/s with one other busy process. Which
        lane runs a batch does not change its vectors: they are bit for bit one single-threaded session's.
        """
        with self._lanes_lock:
            while len(self._lanes) < self.threads:
                self._lanes.append(self._new_session(1))
        todo = iter(batches)
        take = threading.Lock()
        failures: list[BaseException] = []

        def lane(session) -> None:
            while not failures:
                with take:
                    batch = next(todo, None)
                if batch is None:
                    return
                rows, width = batch
                try:
                    out[rows] = self._run([encodings[i] for i in rows], width, session)
                except BaseException as exc:  # noqa: BLE001 -- re-raised in the caller's thread
                    failures.append(exc)

        workers = [threading.Thread(target=lane, args=(s,), name=f"onnx-lane-{k}", daemon=True)
                   for k, s in enumerate(self._lanes)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        if failures:
            raise failures[0]

    def _run(self, encodings: list, width: int, session=None) -> np.ndarray:
        feed = {"input_ids": np.full((len(encodings), width), self._pad_id, dtype=np.int64),
                "attention_mask": np.zeros((len(encodings), width), dtype=np.int64)}
        if "token_type_ids" in self.inputs:
            feed["token_type_ids"] = np.zeros((len(encodings), width), dtype=np.int64)
        for row, enc in enumerate(encodings):
            n = len(enc.ids)
            feed["input_ids"][row, :n] = enc.ids
            feed["attention_mask"][row, :n] = 1
            if "token_type_ids" in feed:
                feed["token_type_ids"][row, :n] = enc.type_ids
        return (session or self._session).run(None, feed)[0]


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1
