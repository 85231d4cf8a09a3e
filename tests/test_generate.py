"""Generative answers against a tiny OpenAI-compatible server run by the test: checked, cited, or the fallback."""
from __future__ import annotations

import json
import logging
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable

import pytest

from retrieval.config import LLMConfig
from retrieval.generate import NOT_ANSWERED, LLMAnswerer
from retrieval.models import Citation, Hit, Passage
from tests.conftest import make_settings

QUESTION = "Why did Ukraine leave the Kanal district?"
FALLBACK = ("The extractive answer [1].", [])


# ------------------------------------------------------------------------------------- fake server
class FakeLLM:
    """What the server replies (a scenario the test sets) and what it was sent."""

    def __init__(self) -> None:
        self.status = 200
        self.delay = 0.0
        self.reply: str | Callable[[dict], str] = "OK [1]."
        self.requests: list[dict] = []
        self.url = ""

    def prompt(self, index: int = -1) -> str:
        return "\n".join(m["content"] for m in self.requests[index]["messages"])


def _handler(fake: FakeLLM) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
            fake.requests.append({"path": self.path, **body})
            time.sleep(fake.delay)
            if self.path != "/v1/chat/completions":
                return self._send(404, {"error": {"message": "not found"}})
            if fake.status != 200:
                return self._send(fake.status, {"error": {"message": "boom", "type": "server_error"}})
            content = fake.reply(body) if callable(fake.reply) else fake.reply
            self._send(200, _completion(body.get("model", "test"), content))

        def _send(self, status: int, payload: dict) -> None:
            data = json.dumps(payload).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (the timeout test)

        def log_message(self, *args) -> None:
            pass

    return Handler


def _completion(model: str, content: str) -> dict:
    return {
        "id": "chatcmpl-test", "object": "chat.completion", "created": int(time.time()), "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
    }


@pytest.fixture(scope="module")
def _running_server():
    fake = FakeLLM()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True  # a handler still sleeping for the timeout test must not block shutdown
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture
def llm_server(_running_server):
    """The module's server with a fresh scenario: one server, so one Frontline can be ingested per module."""
    _running_server.status, _running_server.delay, _running_server.reply = 200, 0.0, "OK [1]."
    _running_server.requests = []
    return _running_server


# ------------------------------------------------------------------------------------------ inputs
def _passage(n: int, text: str, *, inferred: bool = False) -> Passage:
    return Passage(
        id=f"art{n}#0", article_id=f"art{n}", seq=0, text=text, start=0, end=len(text),
        title=f"Title {n}", date=f"2024-07-0{n}", date_int=int(f"2024070{n}"), date_precision="day",
        date_inferred=inferred, source=f"Outlet {n}", url=None, places=("Toretsk",), sectors=(),
    )


TEXTS = [
    "Ukrainian forces withdrew from the Kanal district of Chasiv Yar to save soldiers' lives.",
    "The General Staff said 27 attacks were repelled near Toretsk on Thursday.",
    "Russian forces shelled Kostiantynivka overnight, local officials said.",
    "Engineers built new fortifications west of the canal.",
]


@pytest.fixture
def hits() -> list[Hit]:
    return [Hit(_passage(i + 1, t, inferred=(i == 2)), 1.0 - i / 10, 0.7) for i, t in enumerate(TEXTS)]


@pytest.fixture
def answerer(tmp_path, llm_server) -> LLMAnswerer:
    return LLMAnswerer(LLMConfig(url=llm_server.url, model="test", timeout=1))


def _assert_fell_back(result, caplog, why: str) -> None:
    assert result == FALLBACK
    warnings = [r.getMessage() for r in caplog.records
                if r.name == "retrieval.generate" and r.levelno == logging.WARNING]
    assert any(why in w for w in warnings), warnings


# ------------------------------------------------------------------------------------------- tests
def test_good_answer_is_used_with_renumbered_verbatim_citations(answerer, llm_server, hits):
    llm_server.reply = "Ukraine left Kanal to save lives [2]. Attacks were repelled near Toretsk [4][2]."
    text, citations = answerer.answer(QUESTION, hits, fallback=FALLBACK)
    # supplied [2] is cited first, so it becomes [1]; supplied [4] becomes [2]
    assert text == "Ukraine left Kanal to save lives [1]. Attacks were repelled near Toretsk [2][1]."
    assert [c.n for c in citations] == [1, 2]
    assert [c.passage for c in citations] == [TEXTS[1], TEXTS[3]]
    assert all(isinstance(c, Citation) for c in citations)
    assert [c.date for c in citations] == ["2024-07-02", "2024-07-04"]
    assert {int(n) for n in re.findall(r"\[(\d+)\]", text)} == {1, 2}


def test_the_prompt_holds_the_numbered_passages_and_the_question(answerer, llm_server, hits):
    llm_server.reply = "Ukraine left Kanal [1]."
    answerer.answer(QUESTION, hits, fallback=FALLBACK)
    sent = llm_server.requests[-1]
    assert sent["path"] == "/v1/chat/completions" and sent["model"] == "test"
    prompt = llm_server.prompt()
    for n, text in enumerate(TEXTS, start=1):
        assert f"[{n}] Title {n}" in prompt and f"Outlet {n}" in prompt and text in prompt
    assert prompt.index("[1] Title 1") < prompt.index("[2] Title 2") < prompt.index("[4] Title 4")
    assert "≈ 2024-07-03" in prompt and "approximate" in prompt  # passage 3's date was inferred
    assert QUESTION in prompt
    assert NOT_ANSWERED in prompt  # the model is told how to say the passages don't answer


def test_a_sentence_citing_an_unsupplied_passage_is_dropped(answerer, llm_server, hits):
    llm_server.reply = "Ukraine left Kanal to save lives [1]. Kyiv fell in 2022 [7]."
    text, citations = answerer.answer(QUESTION, hits, fallback=FALLBACK)
    assert text == "Ukraine left Kanal to save lives [1]."
    assert [c.passage for c in citations] == [TEXTS[0]]


def test_only_unsupplied_citations_fall_back(answerer, llm_server, hits, caplog):
    llm_server.reply = "Kyiv fell in 2022 [7]."
    _assert_fell_back(answerer.answer(QUESTION, hits, fallback=FALLBACK), caplog, "no sentence cites")


def test_an_answer_without_citations_falls_back(answerer, llm_server, hits, caplog):
    llm_server.reply = "Ukraine left Kanal to save lives. It was a hard decision."
    _assert_fell_back(answerer.answer(QUESTION, hits, fallback=FALLBACK), caplog, "no sentence cites")


def test_uncited_sentences_are_dropped_from_a_cited_answer(answerer, llm_server, hits):
    llm_server.reply = "Everyone knows the war is hard. Ukraine left Kanal to save lives. [1]"
    text, citations = answerer.answer(QUESTION, hits, fallback=FALLBACK)
    assert text == "Ukraine left Kanal to save lives. [1]"
    assert len(citations) == 1


def test_the_model_saying_the_passages_dont_answer_falls_back(answerer, llm_server, hits, caplog):
    llm_server.reply = NOT_ANSWERED
    _assert_fell_back(answerer.answer(QUESTION, hits, fallback=FALLBACK), caplog, "don't answer")


def test_a_timeout_falls_back_quickly(answerer, llm_server, hits, caplog):
    llm_server.delay = 4.0
    started = time.monotonic()
    result = answerer.answer(QUESTION, hits, fallback=FALLBACK)
    assert time.monotonic() - started < 3.0
    _assert_fell_back(result, caplog, "Timeout")


def test_a_server_error_falls_back(answerer, llm_server, hits, caplog):
    llm_server.status = 500
    _assert_fell_back(answerer.answer(QUESTION, hits, fallback=FALLBACK), caplog, "InternalServerError")
    assert len(llm_server.requests) == 1  # no retries: the user is waiting


def test_an_unreachable_server_falls_back(tmp_path, hits, caplog):
    answerer = LLMAnswerer(LLMConfig(url="http://127.0.0.1:9/v1", model="test", timeout=1))
    _assert_fell_back(answerer.answer(QUESTION, hits, fallback=FALLBACK), caplog, "Connection")


def test_concurrent_calls_each_get_their_own_checked_answer(answerer, llm_server, hits):
    # The reply cites the passage whose text the question names, so mixed-up answers would show.
    def reply(body: dict) -> str:
        prompt = body["messages"][-1]["content"]
        asked = int(re.search(r"Question: passage (\d)", prompt).group(1))
        return f"About passage {asked} [{asked}]."

    llm_server.reply = reply
    results: dict[int, tuple] = {}

    def ask(n: int) -> None:
        results[n] = answerer.answer(f"passage {n}", hits, fallback=FALLBACK)

    threads = [threading.Thread(target=ask, args=(n,)) for n in (1, 2, 3, 4) * 2]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for n, (text, citations) in results.items():
        assert text == f"About passage {n} [1]." and citations[0].passage == TEXTS[n - 1]


# ---------------------------------------------------------------------------------- with Frontline
@pytest.fixture(scope="module")
def frontline_with_llm(tmp_path_factory, _running_server, embedder, gazetteer):
    """A Frontline of its own (the session's `seeded` one has no LLM), ingested once for this module."""
    from retrieval.service import Frontline

    settings = make_settings(tmp_path_factory.mktemp("llm") / "data", llm_url=_running_server.url,
                             llm_model="test", llm_timeout=5)
    frontline = Frontline(settings.retrieval_config(), embedder=embedder, gazetteer=gazetteer)
    assert frontline.ingest().articles == 5
    yield frontline
    frontline.close()


def _numbered_passages(prompt: str) -> dict[int, str]:
    """The passage texts the server was sent, by their [n]."""
    found = re.findall(r"^\[(\d+)\] [^\n]*\n(.*?)(?=\n\n\[\d+\] |\n\nQuestion: )", prompt, re.M | re.S)
    return {int(n): text for n, text in found}


def test_ask_returns_the_checked_llm_answer_with_verbatim_passages(frontline_with_llm, llm_server):
    llm_server.reply = "Ukraine left the Kanal district, the passages say [2]. See also [1]. Made up [9]."
    answer = frontline_with_llm.ask(QUESTION)
    assert not answer.abstained
    assert answer.answer == "Ukraine left the Kanal district, the passages say [1]. See also [2]."
    sent = _numbered_passages(llm_server.prompt())
    assert len(sent) >= 2
    # renumbered by first use: the model's [2] is now [1]
    assert [c.passage for c in answer.citations] == [sent[2], sent[1]]
    for c in answer.citations:
        assert frontline_with_llm.verify_citation(c) and c.date
    assert answer.as_of is not None


def test_ask_falls_back_to_the_extractive_answer_on_a_server_error(frontline_with_llm, llm_server, seeded, caplog):
    llm_server.status = 500
    answer = frontline_with_llm.ask(QUESTION)
    extractive = seeded.ask(QUESTION)  # the same seeds, no LLM
    assert len(llm_server.requests) == 1
    assert answer.answer == extractive.answer
    assert [c.passage for c in answer.citations] == [c.passage for c in extractive.citations]
    assert any("InternalServerError" in r.getMessage() for r in caplog.records if r.name == "retrieval.generate")
