"""Every bad setting stops both programs (`python -m retrieval`, `python -m bot`) with one line that names
it, exit code 2 and no traceback; a network that is down is not a bad setting (test_network_down.py)."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

BAD_TOML = '[[place]]\nname = "Toretsk"\nkind = "metropolis"\n'


def _run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("FRONTLINE_", "DISCORD_"))}
    base.update(HF_HUB_OFFLINE="1", ANONYMIZED_TELEMETRY="False", PYTHONPATH=str(ROOT),
                FRONTLINE_CORPUS_DIRS=str(ROOT / "seeds"), FRONTLINE_DATA_DIR=str(cwd / "data"))
    base.update(env)
    return subprocess.run([sys.executable, "-m", *args], cwd=cwd, env=base, capture_output=True, text=True,
                          timeout=120, stdin=subprocess.DEVNULL)


def _cases(tmp: Path) -> list[tuple[str, dict[str, str], str]]:
    (tmp / "bad.toml").write_text(BAD_TOML)
    (tmp / "a-file").write_text("not a folder")
    return [
        ("log level", {"FRONTLINE_LOG_LEVEL": "LOUD"}, "FRONTLINE_LOG_LEVEL"),
        ("malformed gazetteer", {"FRONTLINE_GAZETTEER": str(tmp / "bad.toml")}, "FRONTLINE_GAZETTEER"),
        ("missing gazetteer", {"FRONTLINE_GAZETTEER": str(tmp / "nope.toml")}, "FRONTLINE_GAZETTEER"),
        ("top k not a number", {"FRONTLINE_TOP_K": "many"}, "FRONTLINE_TOP_K"),
        ("relevance out of range", {"FRONTLINE_MIN_RELEVANCE": "2"}, "FRONTLINE_MIN_RELEVANCE"),
        ("batch size zero", {"FRONTLINE_EMBED_BATCH_SIZE": "0"}, "FRONTLINE_EMBED_BATCH_SIZE"),
        ("negative timeout", {"FRONTLINE_ANSWER_TIMEOUT": "-1"}, "FRONTLINE_ANSWER_TIMEOUT"),
        ("no workers", {"FRONTLINE_MAX_CONCURRENT_ANSWERS": "0"}, "FRONTLINE_MAX_CONCURRENT_ANSWERS"),
        ("chroma url scheme", {"FRONTLINE_CHROMA_URL": "ftp://chroma"}, "FRONTLINE_CHROMA_URL"),
        ("chroma url without host", {"FRONTLINE_CHROMA_URL": "http://:8000"}, "FRONTLINE_CHROMA_URL"),
        ("chroma url bad port", {"FRONTLINE_CHROMA_URL": "http://chroma:port"}, "FRONTLINE_CHROMA_URL"),
        ("llm url", {"FRONTLINE_LLM_URL": "localhost:11434", "FRONTLINE_LLM_MODEL": "m"}, "FRONTLINE_LLM_URL"),
        ("data dir is a file", {"FRONTLINE_DATA_DIR": str(tmp / "a-file")}, "FRONTLINE_DATA_DIR"),
        ("corpus dir missing", {"FRONTLINE_CORPUS_DIRS": str(tmp / "gone")}, "FRONTLINE_CORPUS_DIRS"),
        ("collection name", {"FRONTLINE_COLLECTION": "a"}, "FRONTLINE_COLLECTION"),
        ("guild id", {"DISCORD_GUILD_ID": "my-server"}, "DISCORD_GUILD_ID"),
        ("embedding model", {"FRONTLINE_EMBED_MODEL": str(tmp / "no-model")}, "FRONTLINE_EMBED_MODEL"),
        ("feed url scheme", {"FRONTLINE_FEEDS": "https://ok.example/rss, ftp://feeds.example/rss"}, "FRONTLINE_FEEDS"),
        ("feed url without host", {"FRONTLINE_FEEDS": "https:///rss"}, "FRONTLINE_FEEDS"),
        ("feed url bad port", {"FRONTLINE_FEEDS": "https://example.org:rss/feed"}, "FRONTLINE_FEEDS"),
        ("poll minutes zero", {"FRONTLINE_POLL_MINUTES": "0"}, "FRONTLINE_POLL_MINUTES"),
        ("poll minutes not a number", {"FRONTLINE_POLL_MINUTES": "hourly"}, "FRONTLINE_POLL_MINUTES"),
        ("allow private urls", {"FRONTLINE_ALLOW_PRIVATE_URLS": "perhaps"}, "FRONTLINE_ALLOW_PRIVATE_URLS"),
    ]


CASE_NAMES = [  # the first element of each case above
    "log level", "malformed gazetteer", "missing gazetteer", "top k not a number", "relevance out of range",
    "batch size zero", "negative timeout", "no workers", "chroma url scheme", "chroma url without host",
    "chroma url bad port", "llm url", "data dir is a file", "corpus dir missing", "collection name", "guild id",
    "embedding model", "feed url scheme", "feed url without host", "feed url bad port", "poll minutes zero",
    "poll minutes not a number", "allow private urls",
]


LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ (DEBUG|INFO) ")  # the bot's own progress log


def _assert_one_line_naming(out: subprocess.CompletedProcess, name: str) -> None:
    err = out.stderr.strip()
    assert out.returncode == 2, f"exit {out.returncode}: {err[-500:]}"
    lines = [line for line in err.splitlines() if not LOG_LINE.match(line)]
    assert "Traceback" not in err and len(lines) == 1, err
    assert name in lines[0] and lines[0].startswith("error: "), err


@pytest.mark.parametrize("case", CASE_NAMES)
def test_the_command_line_stops_on_a_bad_setting(case, tmp_path):
    _, env, name = next(c for c in _cases(tmp_path) if c[0] == case)
    # `ingest` reads the corpus folders; `ask` loads the model; every command reads the rest
    command = ["ingest"] if case == "corpus dir missing" else ["ask", "Who is Voloshyn?"]
    _assert_one_line_naming(_run(["retrieval", *command], env, tmp_path), name)


@pytest.mark.parametrize("case", CASE_NAMES)
def test_the_bot_stops_on_a_bad_setting(case, tmp_path):
    _, env, name = next(c for c in _cases(tmp_path) if c[0] == case)
    _assert_one_line_naming(_run(["bot"], {"DISCORD_TOKEN": "never.used.token", **env}, tmp_path), name)


def test_a_missing_token_file_is_a_bad_setting(tmp_path):
    out = _run(["bot"], {"DISCORD_TOKEN_FILE": str(tmp_path / "nope")}, tmp_path)
    _assert_one_line_naming(out, "DISCORD_TOKEN_FILE")


def test_no_token_at_all_is_a_bad_setting(tmp_path):
    _assert_one_line_naming(_run(["bot"], {}, tmp_path), "DISCORD_TOKEN")
