"""A fake news web site on 127.0.0.1: feeds, article pages and every kind of bad answer.

Each `FakeNewsSite` is one real HTTP/1.1 server (stdlib `ThreadingHTTPServer`) on an ephemeral port,
in a daemon thread; two of them are two hosts. It records every request with a server-side monotonic
timestamp, so tests measure rate limits and conditional GETs from the server's point of view.

Switches a test may flip: `kupiansk_version` (1 or 2: the page that changes between two polls),
`flaky_failures` (how many 503s `/flaky` gives before it answers), `robots` (the robots.txt text, or
an HTTP status to answer instead), `feed_status` (another status than 200 makes the feeds fail).
"""
from __future__ import annotations

import hashlib
import os
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from . import pages
from .stories import KUPIANSK_V1, KUPIANSK_V2, SITE_A_STORIES, SITE_B_STORIES, WIRE_ON_A, Story

HUGE_BYTES = 50 * 1024 * 1024
FEED_LAST_MODIFIED = "Wed, 17 Jul 2024 18:00:00 GMT"


@dataclass(frozen=True)
class Request:
    at: float                   # time.monotonic() when the request line was read
    method: str
    path: str                   # with the query string
    headers: dict[str, str]     # lower-cased names


class FakeNewsSite:
    """One host of the fake web. `style` is "ledger" (host A) or "courier" (host B)."""

    def __init__(self, style: str = "ledger", *, host: str = "127.0.0.1", page_delay: float = 0.0) -> None:
        self.style = style
        self.name = pages.LEDGER if style == "ledger" else pages.COURIER
        self.stories: tuple[Story, ...] = SITE_A_STORIES if style == "ledger" else SITE_B_STORIES
        self.kupiansk_version = 1
        self.flaky_failures = 2
        self.robots: str | int = "User-agent: *\nDisallow: /private/\n"    # an int: robots.txt answers that status
        self.feed_status = 200                     # another status makes both feeds fail with it
        self.extra_stories: list[Story] = []      # generated pages (benchmarks)
        self.page_delay = page_delay
        self.requests: list[Request] = []
        self.bytes_sent: dict[str, int] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = ThreadingHTTPServer((host, 0), _handler_for(self))
        self._server.daemon_threads = True
        self.host, self.port = host, self._server.server_address[1]
        self.base = f"http://{host}:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name=f"fakeweb-{self.port}", daemon=True)

    # ------------------------------------------------------------------ life cycle
    def start(self) -> FakeNewsSite:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FakeNewsSite:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # ------------------------------------------------------------------ what tests read
    def url(self, path: str) -> str:
        return self.base + path

    def article_path(self, story: Story) -> str:
        return f"/news/{story.slug}" if self.style == "ledger" else f"/{story.slug}/"

    def article_url(self, story: Story) -> str:
        return self.base + self.article_path(story)

    def hits(self, path: str) -> list[Request]:
        """Requests whose path (without the query) is `path`."""
        with self._lock:
            return [r for r in self.requests if r.path.split("?")[0] == path]

    def feed_stories(self) -> list[Story]:
        stories = list(self.stories) + self.extra_stories
        if self.style == "ledger":
            stories.append(self._kupiansk())
        return stories

    # ------------------------------------------------------------------ internals
    def _kupiansk(self) -> Story:
        return KUPIANSK_V1 if self.kupiansk_version == 1 else KUPIANSK_V2

    def _record(self, request: Request) -> None:
        with self._lock:
            self.requests.append(request)

    def _count_sent(self, path: str, n: int) -> None:
        with self._lock:
            self.bytes_sent[path] = self.bytes_sent.get(path, 0) + n

    def _story_for(self, path: str) -> Story | None:
        for story in self.feed_stories():
            if path == self.article_path(story):
                return story
        return None

    def _render(self, story: Story, path: str | None = None) -> str:
        if self.style == "ledger":
            return pages.ledger_article(story, self.base) if path is None else \
                pages.ledger_article(story, self.base).replace(self.article_url(story), self.base + path)
        return pages.courier_article(story, self.base, path=path)


def _handler_for(site: FakeNewsSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True    # headers and body are two writes: no 40 ms delayed-ACK stall
        server_version = "FakeNews/1.0"

        def log_message(self, format: str, *args) -> None:  # keep test output quiet
            pass

        def handle(self) -> None:
            try:
                super().handle()
            except (BrokenPipeError, ConnectionResetError):
                pass  # a client closing a kept-alive connection, or giving up mid-answer

        def do_HEAD(self) -> None:
            self.do_GET()

        def do_GET(self) -> None:
            site._record(Request(time.monotonic(), self.command, self.path,
                                 {k.lower(): v for k, v in self.headers.items()}))
            parts = urlsplit(self.path)
            path, query = parts.path, parse_qs(parts.query)
            try:
                self._route(path, query)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (size cap, deadline): exactly what some tests want

        # ---------------------------------------------------------------- routes
        def _route(self, path: str, query: dict[str, list[str]]) -> None:
            if site.page_delay:
                time.sleep(site.page_delay)
            if path == "/robots.txt":
                if isinstance(site.robots, int):
                    return self._send(site.robots, "text/html", "<html><body>No robots here</body></html>")
                return self._send(200, "text/plain; charset=utf-8", site.robots)
            if path == "/feed.rss":
                items = [(s, site.article_url(s)) for s in site.feed_stories()]
                return self._send_feed("application/rss+xml; charset=utf-8", pages.rss_feed(site.name, site.base, items))
            if path == "/feed.atom":
                items = [(s, site.article_url(s)) for s in site.feed_stories()]
                return self._send_feed("application/atom+xml", pages.atom_feed(site.name, site.base, items))
            if path == "/feed-malformed.xml":
                return self._send(200, "application/rss+xml", pages.MALFORMED_FEED)
            if path == "/feed-as-text.xml":  # a feed served with a sloppy but common type
                items = [(s, site.article_url(s)) for s in site.stories]
                return self._send(200, "text/xml", pages.rss_feed(site.name, site.base, items))
            if (story := site._story_for(path)) is not None:
                return self._send(200, "text/html; charset=utf-8", site._render(story))
            if path == "/news/pokrovsk-evacuation-republished":  # the same story again, under a new URL
                return self._send(200, "text/html; charset=utf-8", site._render(WIRE_ON_A, path))
            if path.startswith("/private/"):
                return self._send(200, "text/html; charset=utf-8", site._render(site.stories[0]))
            if path == "/section/war":
                heads = [(s.title, site.article_url(s)) for s in site.stories]
                return self._send(200, "text/html; charset=utf-8", pages.section_page(site.name, site.base, heads))
            if path == "/status/404":
                return self._send(404, "text/html", "<html><body><h1>Page not found</h1></body></html>")
            if path == "/status/500":
                return self._send(500, "text/html", "<html><body><h1>Internal error</h1></body></html>")
            if path == "/status/403":
                return self._send(403, "text/html", "<html><body><h1>Forbidden</h1></body></html>")
            if path == "/flaky":
                if len(site.hits("/flaky")) <= site.flaky_failures:
                    return self._send(503, "text/html", "<html><body>Service unavailable</body></html>")
                return self._send(200, "text/html; charset=utf-8", site._render(site.stories[0]))
            if path == "/slow/timeout":
                site._stopping.wait(30)   # never answers while the test runs
                return None
            if path == "/slow/drip":
                return self._drip()
            if path == "/huge":
                return self._huge(path, with_length=True)
            if path == "/huge/stream":
                return self._huge(path, with_length=False)
            if path == "/binary":
                return self._send(200, "application/octet-stream", os.urandom(4096))
            if path == "/binary-as-html":
                return self._send(200, "text/html", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + os.urandom(2048))
            if path == "/report.pdf":
                return self._send(200, "application/pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
            if path == "/data.json":
                return self._send(200, "application/json", '{"not": "a page"}')
            if path == "/loop/a":
                return self._redirect(302, "/loop/b")
            if path == "/loop/b":
                return self._redirect(302, "/loop/a")
            if path.startswith("/chain/"):
                n = int(path.rsplit("/", 1)[1])
                return self._redirect(302, f"/chain/{n - 1}" if n > 1 else site.article_path(site.stories[0]))
            if path == "/redirect/article":
                return self._redirect(301, site.article_path(site.stories[0]))
            if path == "/redirect/to":
                return self._redirect(302, query["url"][0])
            return self._send(404, "text/html", "<html><body><h1>Page not found</h1></body></html>")

        # ---------------------------------------------------------------- answers
        def _send(self, status: int, content_type: str, body: str | bytes, headers: dict[str, str] | None = None) -> None:
            data = body.encode("utf-8") if isinstance(body, str) else body
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)
                site._count_sent(self.path, len(data))

        def _send_feed(self, content_type: str, text: str) -> None:
            if site.feed_status != 200:
                return self._send(site.feed_status, "text/html", "<html><body>Feed unavailable</body></html>")
            etag = '"' + hashlib.sha256(text.encode()).hexdigest()[:16] + '"'
            if self.headers.get("If-None-Match") == etag or (
                    "If-None-Match" not in self.headers and self.headers.get("If-Modified-Since") == FEED_LAST_MODIFIED):
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self._send(200, content_type, text, {"ETag": etag, "Last-Modified": FEED_LAST_MODIFIED})

        def _redirect(self, status: int, location: str) -> None:
            self._send(status, "text/html", f'<a href="{location}">moved</a>', {"Location": location})

        def _drip(self) -> None:
            # Each byte comes well inside any read timeout; the whole page never does.
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            for _ in range(100000):
                if site._stopping.wait(0.05):
                    return
                self.wfile.write(b"<")
                self.wfile.flush()
                site._count_sent(self.path, 1)

        def _huge(self, path: str, *, with_length: bool) -> None:
            chunk = (b"<p>" + b"filler " * 1000 + b"</p>\n")[:65536]
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            if with_length:
                self.send_header("Content-Length", str(HUGE_BYTES))
            else:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            sent = 0
            while sent < HUGE_BYTES and not site._stopping.is_set():
                piece = chunk[: HUGE_BYTES - sent]
                self.wfile.write(piece)
                sent += len(piece)
                site._count_sent(path, len(piece))

    return Handler
