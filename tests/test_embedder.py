"""The embedder's two backends: ONNX Runtime (default) and torch give the same vectors and the same answers;
the ONNX export is made once and cached; what cannot be exported falls back to torch with a log line.

Real parts throughout: the bundled all-MiniLM-L6-v2, a real export with torch.onnx, onnxruntime, real
Frontline stores over the seeds.
"""
from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import numpy as np
import pytest

from retrieval import onnx_encoder
from retrieval.embedder import Embedder, default_model_path
from retrieval.evaluation import load_gold
from retrieval.onnx_encoder import MODEL_FILE, PIPELINE_FILE
from tests.conftest import RUWA, make_settings

QUESTIONS = [
    "Why did Ukraine leave the Kanal district?",
    "What happened in Toretsk in July 2024?",
    "What is the latest news from Bakhmut?",
    "What happened in Chasiv Yar?",
    "What is the weather like on Mars?",
]


@pytest.fixture(scope="module")
def torch_embedder():
    e = Embedder(backend="torch")
    e.warm_up()
    assert e.active_backend == "torch"
    return e


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> Path:
    """A cache folder holding one real export of the bundled model."""
    cache = tmp_path_factory.mktemp("models")
    e = Embedder(cache_dir=cache)
    e.warm_up()
    assert e.active_backend == "onnx"
    return cache


def _exports(cache: Path) -> list[Path]:
    return [p for p in cache.iterdir() if (p / PIPELINE_FILE).exists()]


def _real_texts(seeded) -> list[str]:
    docstore = seeded._docstore
    texts = [p.text for p in docstore.passages(sorted(docstore.passage_ids())).values()]
    if RUWA.exists():
        with RUWA.open(encoding="utf-8") as f:
            for line in f:
                item = json.loads(line)
                texts.append(item.get("text") or item["title"])
                if len(texts) >= 400:
                    break
    return texts


# ------------------------------------------------------------------------------------------ same vectors
def test_onnx_and_torch_give_the_same_vectors_on_real_text(embedder, torch_embedder, seeded):
    assert embedder.active_backend == "onnx"
    texts = _real_texts(seeded)
    assert len(texts) > 30
    onnx, torch = embedder.embed_passages(texts), torch_embedder.embed_passages(texts)
    assert onnx.shape == torch.shape and onnx.dtype == np.float32
    assert np.allclose(np.linalg.norm(onnx, axis=1), 1.0, atol=1e-5)
    cosine = (onnx * torch).sum(1)
    assert cosine.min() >= 0.9999, f"lowest cosine {cosine.min():.6f} on {texts[int(cosine.argmin())][:80]!r}"
    for q in QUESTIONS:
        assert float(embedder.embed_query(q) @ torch_embedder.embed_query(q)) >= 0.9999, q


def test_onnx_vectors_do_not_depend_on_the_batch(embedder, seeded):
    # per-batch padding and length sorting must not change a text's vector
    texts = _real_texts(seeded)[:100]
    together = embedder.embed_passages(texts)
    alone = np.stack([embedder.embed_query(t) for t in texts[:20]])
    assert ((together[:20] * alone).sum(1)).min() >= 0.99999


def test_batches_hold_texts_of_like_length_padded_to_their_longest(embedder, seeded, tmp_path):
    from retrieval.onnx_encoder import OnnxEncoder, load_encoder

    texts = _real_texts(seeded)
    encoder = load_encoder(embedder.model_name, embedder.cache_dir, batch_size=16)
    assert isinstance(encoder, OnnxEncoder)
    encoder.threads = 1  # one session takes the batches in turn (lanes take them in this order too)
    batches = []
    real_run = encoder._run

    def run(encodings, width, session=None):
        batches.append((width, [len(e.ids) for e in encodings]))
        return real_run(encodings, width, session)

    encoder._run = run
    vectors = encoder.encode(texts)
    assert sum(len(lengths) for _, lengths in batches) == len(texts)
    assert all(width == max(lengths) for width, lengths in batches)
    assert all(len(lengths) <= 16 for _, lengths in batches)
    assert all(len(lengths) == 1 or width * len(lengths) <= encoder.batch_tokens for width, lengths in batches)
    widths = [width for width, _ in batches]
    assert widths == sorted(widths, reverse=True), "batches are not in length order"
    real = sum(sum(lengths) for _, lengths in batches)
    padded = sum(width * len(lengths) for width, lengths in batches)
    assert padded <= 1.25 * real, f"{padded} padded tokens for {real} real ones"
    unsorted = sum(max(len(ids) for ids in encoder.tokenize(texts[i:i + 16])) * len(texts[i:i + 16])
                   for i in range(0, len(texts), 16))
    assert padded < unsorted
    assert ((vectors / np.linalg.norm(vectors, axis=1, keepdims=True)) * embedder.embed_passages(texts)).sum(1).min() > 0.99999



def test_many_batches_run_in_one_session_per_core_with_the_same_vectors(embedder, seeded):
    from retrieval.onnx_encoder import OnnxEncoder, load_encoder

    texts = _real_texts(seeded)
    encoder = load_encoder(embedder.model_name, embedder.cache_dir, batch_size=8)
    lanes = OnnxEncoder(encoder.folder, batch_size=8, threads=2)
    sessions, rows = set(), []
    real_run = lanes._run

    def run(encodings, width, session=None):
        sessions.add(id(session))
        rows.append(len(encodings))
        return real_run(encodings, width, session)

    lanes._run = run
    got = lanes.encode(texts)
    assert len(lanes._lanes) == 2 and sessions == {id(s) for s in lanes._lanes}, "both lanes take batches"
    assert sum(rows) == len(texts) and len(rows) > 2, "every text in exactly one batch"
    one_session = OnnxEncoder(encoder.folder, batch_size=8, threads=1).encode(texts)
    assert np.array_equal(got, one_session), "which session runs a batch changed its vectors"


def test_a_failure_in_a_lane_reaches_the_caller(embedder, seeded):
    from retrieval.onnx_encoder import OnnxEncoder, load_encoder

    texts = _real_texts(seeded)
    lanes = OnnxEncoder(load_encoder(embedder.model_name, embedder.cache_dir).folder, batch_size=4, threads=2)
    real_run, calls = lanes._run, []

    def run(encodings, width, session=None):
        calls.append(width)
        if len(calls) == 3:
            raise MemoryError("onnxruntime ran out of memory")
        return real_run(encodings, width, session)

    lanes._run = run
    with pytest.raises(MemoryError, match="ran out"):
        lanes.encode(texts)
    assert len(calls) < len(texts) // 4, "the other lane stops taking batches after a failure"


def _answers(frontline, questions: list[str]) -> list[tuple]:
    out = []
    for q in questions:
        a = frontline.ask(q)
        out.append((q, a.abstained, a.answer, [(c.article_id, c.start, c.end) for c in a.citations]))
    return out


def test_a_store_built_with_one_backend_answers_identically_with_the_other(tmp_path, embedder, torch_embedder,
                                                                           gazetteer):
    from retrieval.service import Frontline

    questions = QUESTIONS + [item["question"] for item in load_gold() if item.get("mode", "ask") == "ask"]
    built = {}
    for name, e in (("onnx", embedder), ("torch", torch_embedder)):
        fl = Frontline(make_settings(tmp_path / name).retrieval_config(), embedder=e, gazetteer=gazetteer)
        assert fl.ingest().passages_embedded > 20
        built[name] = _answers(fl, questions)
        fl.close()
    # the store built with ONNX, asked with torch (and the other way round)
    crossed = {}
    for store, e in (("onnx", torch_embedder), ("torch", embedder)):
        fl = Frontline(make_settings(tmp_path / store).retrieval_config(), embedder=e, gazetteer=gazetteer)
        crossed[store] = _answers(fl, questions)
        fl.close()
    assert sum(not abstained for _q, abstained, _a, _c in built["torch"]) >= 5
    assert built["onnx"] == built["torch"]
    assert crossed["onnx"] == built["torch"]
    assert crossed["torch"] == built["torch"]


# ------------------------------------------------------------------------------------------ the cache
def test_the_export_is_made_once_and_reused(exported, monkeypatch, caplog):
    (folder,) = _exports(exported)
    stamp = (folder / MODEL_FILE).stat().st_mtime_ns
    assert not [p for p in exported.iterdir() if p.name.startswith(".")], "a temporary export was left behind"

    def no_export(*_args, **_kwargs):
        raise AssertionError("exported again although the cache holds this model")

    monkeypatch.setattr(onnx_encoder, "export", no_export)
    with caplog.at_level(logging.WARNING):
        again = Embedder(cache_dir=exported)
        vector = again.embed_query("What happened in Toretsk?")
    assert again.active_backend == "onnx", [r.getMessage() for r in caplog.records]
    assert vector.shape == (384,)
    assert _exports(exported) == [folder] and (folder / MODEL_FILE).stat().st_mtime_ns == stamp


def test_the_cache_key_changes_with_the_model_and_the_libraries(tmp_path, monkeypatch):
    model = Path(default_model_path())
    copy = tmp_path / "model"
    shutil.copytree(model, copy, ignore=shutil.ignore_patterns("*.safetensors", "*.bin"))
    key = onnx_encoder.cache_key(copy)
    assert onnx_encoder.cache_key(copy) == key
    pooling = copy / "1_Pooling" / "config.json"
    pooling.write_text(pooling.read_text().replace('"pooling_mode_cls_token": false', '"pooling_mode_cls_token": true'))
    assert onnx_encoder.cache_key(copy) != key
    key = onnx_encoder.cache_key(copy)
    real_version = onnx_encoder.metadata.version
    monkeypatch.setattr(onnx_encoder.metadata, "version",
                        lambda lib: "9.9" if lib == "onnxruntime" else real_version(lib))
    assert onnx_encoder.cache_key(copy) != key


def test_a_second_process_finishing_first_leaves_one_complete_export(exported, tmp_path, monkeypatch):
    """Two exports at once: the loser's rename fails, its copy is dropped and the winner's is used."""
    (done,) = _exports(exported)
    cache = tmp_path / "models"
    target = cache / done.name

    def export_while_another_process_wins(folder, out):
        shutil.copytree(done, out, dirs_exist_ok=True)
        shutil.copytree(done, target)  # the other process renames its export into place first

    monkeypatch.setattr(onnx_encoder, "export", export_while_another_process_wins)
    got = onnx_encoder.cached_export(default_model_path(), cache)
    assert got == target
    assert [p.name for p in cache.iterdir()] == [done.name], "a temporary export was left behind"
    assert onnx_encoder.OnnxEncoder(got).encode(["Toretsk"]).shape == (1, 384)


def test_a_damaged_export_is_made_again(exported, tmp_path, caplog):
    cache = tmp_path / "models"
    shutil.copytree(exported, cache)
    (folder,) = _exports(cache)
    (folder / MODEL_FILE).write_bytes((folder / MODEL_FILE).read_bytes()[:4096])
    with caplog.at_level(logging.WARNING, logger="retrieval"):
        e = Embedder(cache_dir=cache)
        e.warm_up()
    assert e.active_backend == "onnx"
    assert any("damaged" in r.getMessage() for r in caplog.records), [r.getMessage() for r in caplog.records]
    assert (folder / MODEL_FILE).stat().st_size > 1_000_000


def test_an_unwritable_cache_still_runs_on_onnx_from_a_temporary_export(tmp_path, caplog):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with caplog.at_level(logging.WARNING, logger="retrieval.embedder"):
        e = Embedder(cache_dir=blocker / "models")
        e.warm_up()
    assert e.active_backend == "onnx"
    assert any("cannot write the ONNX export" in r.getMessage() and "temporary" in r.getMessage()
               for r in caplog.records), [r.getMessage() for r in caplog.records]
    assert not [p for p in tmp_path.iterdir() if p != blocker]


# ------------------------------------------------------------------------------------------ fallback
def test_a_model_with_a_pipeline_it_does_not_reproduce_runs_on_torch(tmp_path, caplog):
    """A model that prefixes a prompt to every text: the export refuses it and torch embeds, prompt and all."""
    model = tmp_path / "prompted"
    shutil.copytree(default_model_path(), model)
    config = model / "config_sentence_transformers.json"
    data = json.loads(config.read_text())
    data.update(prompts={"query": "query: "}, default_prompt_name="query")
    config.write_text(json.dumps(data))
    cache = tmp_path / "models"
    with caplog.at_level(logging.WARNING, logger="retrieval.embedder"):
        e = Embedder(str(model), cache_dir=cache)
        vector = e.embed_query("What happened in Toretsk?")
    assert e.active_backend == "torch"
    messages = [r.getMessage() for r in caplog.records]
    assert any("embedding on torch" in m and "prompt" in m for m in messages), messages
    assert not cache.exists() or not _exports(cache)
    plain = Embedder(default_model_path(), backend="torch").embed_query("What happened in Toretsk?")
    prompted = Embedder(default_model_path(), backend="torch").embed_query("query: What happened in Toretsk?")
    assert float(vector @ prompted) > 0.9999 and float(vector @ plain) < 0.999  # the prompt was applied


@pytest.mark.parametrize("backend", ["onnx", "torch"])
def test_a_missing_model_path_is_a_bad_setting_on_either_backend(tmp_path, caplog, backend):
    """A path that is not there stops at once, naming the setting: no export attempted, no misleading
    "falling back to torch" line first."""
    from retrieval.errors import ConfigError

    e = Embedder(str(tmp_path / "no-such-model"), backend=backend, cache_dir=tmp_path / "models")
    with caplog.at_level(logging.WARNING, logger="retrieval.embedder"), pytest.raises(ConfigError) as err:
        e.warm_up()
    assert "FRONTLINE_EMBED_MODEL" in str(err.value) and "no-such-model" in str(err.value)
    assert not [r for r in caplog.records if "embedding on torch" in r.getMessage()]
    assert not (tmp_path / "models").exists()


def test_the_torch_setting_uses_torch(tmp_path, gazetteer):
    from retrieval.service import Frontline

    settings = make_settings(tmp_path / "data", embed_backend="torch")
    fl = Frontline(settings.retrieval_config(), gazetteer=gazetteer)
    try:
        assert fl._embedder.backend == "torch"
        fl._embedder.warm_up()
        assert fl._embedder.active_backend == "torch"
        assert not settings.model_cache_dir.exists(), "the torch backend exported a model"
    finally:
        fl.close()


def test_the_service_caches_the_export_under_the_data_dir(tmp_path, exported, gazetteer):
    from retrieval.service import Frontline

    settings = make_settings(tmp_path / "data")
    assert settings.embed_backend == "onnx" and settings.model_cache_dir == tmp_path / "data" / "models"
    fl = Frontline(settings.retrieval_config(), gazetteer=gazetteer)
    try:
        assert fl._embedder.backend == "onnx" and fl._embedder.cache_dir == settings.model_cache_dir
    finally:
        fl.close()
    pointed = make_settings(tmp_path / "data2", embed_cache_dir=exported)
    fl = Frontline(pointed.retrieval_config(), gazetteer=gazetteer)
    try:
        fl._embedder.warm_up()
        assert fl._embedder.active_backend == "onnx"
        assert not (tmp_path / "data2" / "models").exists()
    finally:
        fl.close()
