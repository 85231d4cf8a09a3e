"""config.settings: defaults, validation errors that name the variable, list parsing, the token file.

Every test runs in an empty temporary folder with the FRONTLINE_* / DISCORD_* variables cleared, so
neither a developer's environment nor their .env is read.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from config.settings import Settings, SettingsError, load_settings


@pytest.fixture(autouse=True)
def clean_env(tmp_path, monkeypatch):
    for name in list(os.environ):
        if name.startswith(("FRONTLINE_", "DISCORD_")):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no .env here
    yield tmp_path


def test_defaults():
    s = load_settings(_env_file=None)
    assert isinstance(s, Settings)
    assert s.data_dir == Path("data")
    assert s.corpus_dirs == [Path("seeds")]
    assert s.chroma_url is None and s.chroma_dir == Path("data") / "chroma"
    assert s.collection == "frontline"
    assert s.top_k == 5 and s.max_per_article == 2
    assert s.min_relevance == pytest.approx(0.45)
    assert s.max_question_chars == 500
    assert s.llm_enabled is False
    assert s.token() is None
    assert s.cooldown_seconds == 3.0


def test_a_dotenv_in_the_working_folder_is_read_but_not_when_disabled(tmp_path):
    (tmp_path / ".env").write_text("FRONTLINE_TOP_K=7\n")
    assert load_settings().top_k == 7
    assert load_settings(_env_file=None).top_k == 5


def test_env_overrides(monkeypatch):
    monkeypatch.setenv("FRONTLINE_TOP_K", "3")
    monkeypatch.setenv("FRONTLINE_CHROMA_URL", "http://chroma:8000")
    monkeypatch.setenv("FRONTLINE_DATA_DIR", "/srv/frontline")
    s = load_settings(_env_file=None)
    assert s.top_k == 3 and s.chroma_url == "http://chroma:8000" and s.data_dir == Path("/srv/frontline")


@pytest.mark.parametrize("value", ["-1", "0", "21", "five"])
def test_bad_top_k_names_the_variable(monkeypatch, value):
    monkeypatch.setenv("FRONTLINE_TOP_K", value)
    with pytest.raises(SettingsError) as err:
        load_settings(_env_file=None)
    assert "FRONTLINE_TOP_K" in str(err.value)
    assert "Traceback" not in str(err.value) and len(str(err.value)) < 300


def test_bad_chroma_url_names_the_variable():
    with pytest.raises(SettingsError, match="FRONTLINE_CHROMA_URL"):
        load_settings(_env_file=None, chroma_url="ftp://x")


def test_bad_chroma_url_from_env_names_the_variable(monkeypatch):
    monkeypatch.setenv("FRONTLINE_CHROMA_URL", "ftp://x")
    with pytest.raises(SettingsError, match="FRONTLINE_CHROMA_URL"):
        load_settings(_env_file=None)


def test_empty_chroma_url_means_on_disk(monkeypatch):
    monkeypatch.setenv("FRONTLINE_CHROMA_URL", "  ")
    assert load_settings(_env_file=None).chroma_url is None


def test_several_bad_settings_are_all_named(monkeypatch):
    monkeypatch.setenv("FRONTLINE_TOP_K", "-1")
    monkeypatch.setenv("FRONTLINE_MIN_RELEVANCE", "2")
    with pytest.raises(SettingsError) as err:
        load_settings(_env_file=None)
    assert "FRONTLINE_TOP_K" in str(err.value) and "FRONTLINE_MIN_RELEVANCE" in str(err.value)


def test_corpus_dirs_comma_separated(monkeypatch):
    monkeypatch.setenv("FRONTLINE_CORPUS_DIRS", "a,b")
    assert load_settings(_env_file=None).corpus_dirs == [Path("a"), Path("b")]


def test_corpus_dirs_spaces_and_empty_parts(monkeypatch):
    monkeypatch.setenv("FRONTLINE_CORPUS_DIRS", " a , ,b/c ,")
    assert load_settings(_env_file=None).corpus_dirs == [Path("a"), Path("b/c")]


def test_feeds_poll_interval_and_private_urls(monkeypatch):
    s = load_settings(_env_file=None)
    assert s.feeds == [] and s.poll_minutes == 15 and s.allow_private_urls is False
    monkeypatch.setenv("FRONTLINE_FEEDS", " https://www.ukrinform.net/rss/block-lastnews , ,"
                                          "https://kyivindependent.com/news-archive/rss/,"
                                          "https://www.ukrinform.net/rss/block-lastnews")
    monkeypatch.setenv("FRONTLINE_POLL_MINUTES", "2.5")
    monkeypatch.setenv("FRONTLINE_ALLOW_PRIVATE_URLS", "1")
    s = load_settings(_env_file=None)
    assert s.feeds == ["https://www.ukrinform.net/rss/block-lastnews", "https://kyivindependent.com/news-archive/rss/"]
    assert s.poll_minutes == 2.5 and s.allow_private_urls is True
    config = s.retrieval_config()
    assert config.feeds == tuple(s.feeds) and config.allow_private_urls is True
    assert config.web_state_path == s.data_dir / "web.sqlite3"


@pytest.mark.parametrize("value", ["ftp://x.org/rss", "kyivindependent.com/rss", "https://", "http://x.org:port/"])
def test_a_bad_feed_url_names_the_variable_and_the_url(monkeypatch, value):
    monkeypatch.setenv("FRONTLINE_FEEDS", f"https://fine.example/rss,{value}")
    with pytest.raises(SettingsError) as err:
        load_settings(_env_file=None)
    assert "FRONTLINE_FEEDS" in str(err.value) and value in str(err.value)


def test_check_corpus_dirs_on_a_missing_dir(tmp_path, monkeypatch):
    (tmp_path / "a").mkdir()
    monkeypatch.setenv("FRONTLINE_CORPUS_DIRS", "a,missing")
    s = load_settings(_env_file=None)
    with pytest.raises(SettingsError) as err:
        s.check_corpus_dirs()
    assert "FRONTLINE_CORPUS_DIRS" in str(err.value) and "missing" in str(err.value)


def test_check_corpus_dirs_passes_when_all_exist(tmp_path, monkeypatch):
    (tmp_path / "a").mkdir()
    (tmp_path / "b.jsonl").write_text("{}\n")
    monkeypatch.setenv("FRONTLINE_CORPUS_DIRS", "a,b.jsonl")
    load_settings(_env_file=None).check_corpus_dirs()


def test_token_from_env_wins(tmp_path, monkeypatch):
    token_file = tmp_path / "token"
    token_file.write_text("from-file\n")
    monkeypatch.setenv("DISCORD_TOKEN", " from-env ")
    monkeypatch.setenv("DISCORD_TOKEN_FILE", str(token_file))
    assert load_settings(_env_file=None).token() == "from-env"


def test_token_file_is_read_and_stripped_when_token_unset(tmp_path, monkeypatch):
    token_file = tmp_path / "token"
    token_file.write_text("  abc.def.ghi \n\n")
    monkeypatch.setenv("DISCORD_TOKEN_FILE", str(token_file))
    assert load_settings(_env_file=None).token() == "abc.def.ghi"


def test_blank_token_falls_back_to_the_file(tmp_path, monkeypatch):
    token_file = tmp_path / "token"
    token_file.write_text("abc\n")
    monkeypatch.setenv("DISCORD_TOKEN", "   ")
    monkeypatch.setenv("DISCORD_TOKEN_FILE", str(token_file))
    assert load_settings(_env_file=None).token() == "abc"


def test_empty_token_file_is_no_token(tmp_path, monkeypatch):
    token_file = tmp_path / "token"
    token_file.write_text("\n")
    monkeypatch.setenv("DISCORD_TOKEN_FILE", str(token_file))
    assert load_settings(_env_file=None).token() is None


def test_missing_token_file_is_a_settings_error(tmp_path, monkeypatch):
    monkeypatch.setenv("DISCORD_TOKEN_FILE", str(tmp_path / "nope"))
    with pytest.raises(SettingsError, match="DISCORD_TOKEN_FILE"):
        load_settings(_env_file=None).token()


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read a chmod 000 file")
def test_unreadable_token_file_is_a_settings_error(tmp_path, monkeypatch):
    token_file = tmp_path / "token"
    token_file.write_text("secret\n")
    token_file.chmod(0)
    monkeypatch.setenv("DISCORD_TOKEN_FILE", str(token_file))
    try:
        with pytest.raises(SettingsError) as err:
            load_settings(_env_file=None).token()
    finally:
        token_file.chmod(0o600)
    assert "DISCORD_TOKEN_FILE" in str(err.value) and "secret" not in str(err.value)


def test_token_file_that_is_a_directory_is_a_settings_error(tmp_path, monkeypatch):
    monkeypatch.setenv("DISCORD_TOKEN_FILE", str(tmp_path))
    with pytest.raises(SettingsError, match="DISCORD_TOKEN_FILE"):
        load_settings(_env_file=None).token()


def test_token_is_secret_in_repr(monkeypatch):
    monkeypatch.setenv("DISCORD_TOKEN", "very-secret-token")
    s = load_settings(_env_file=None)
    assert "very-secret-token" not in repr(s) and "very-secret-token" not in str(s)


def test_env_example_documents_every_setting_with_its_default():
    from tests.conftest import ROOT

    text = (ROOT / ".env.example").read_text()
    for name, field in Settings.model_fields.items():
        env = name.upper() if name.startswith("discord_") else f"FRONTLINE_{name.upper()}"
        assert env in text, f"{env} is not in .env.example"
        default = field.get_default(call_default_factory=True)
        if isinstance(default, (int, float)) and not isinstance(default, bool):
            assert f"{env}={default}" in text, f"{env}: .env.example does not show the default {default}"


def test_embed_backend_defaults_to_onnx_with_the_export_cached_in_the_data_dir(monkeypatch):
    s = load_settings(_env_file=None)
    assert s.embed_backend == "onnx" and s.model_cache_dir == Path("data") / "models"
    monkeypatch.setenv("FRONTLINE_EMBED_BACKEND", " Torch ")
    monkeypatch.setenv("FRONTLINE_EMBED_CACHE_DIR", "/opt/frontline-models")
    s = load_settings(_env_file=None)
    assert s.embed_backend == "torch" and s.model_cache_dir == Path("/opt/frontline-models")
    monkeypatch.setenv("FRONTLINE_EMBED_CACHE_DIR", "")
    assert load_settings(_env_file=None).model_cache_dir == Path("data") / "models"


@pytest.mark.parametrize("value", ["tensorflow", "", "onnx-int8"])
def test_bad_embed_backend_names_the_variable(monkeypatch, value):
    monkeypatch.setenv("FRONTLINE_EMBED_BACKEND", value)
    with pytest.raises(SettingsError) as err:
        load_settings(_env_file=None)
    assert "FRONTLINE_EMBED_BACKEND" in str(err.value) and "onnx" in str(err.value)
