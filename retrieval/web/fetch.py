"""Fetching news pages and feeds politely and safely, with one clear reason for every failure.

`Fetcher.fetch(url, purpose=...)` returns a `FetchResult` or raises one `FetchError` whose message a
person can act on ("timed out after 10 s", "larger than 5 MB", "HTTP 404 Not Found", "blocked by
robots.txt", "refused: localhost resolves to a loopback address 127.0.0.1 (...)").

What it does for every request, all set in one frozen `FetchPolicy`:
- names itself (a User-Agent with Frontline's project URL) and asks only for what it can read;
- connect / read timeouts, and a total deadline, so a server dripping one byte at a time is cut off;
- a size cap, enforced on the Content-Length header and again while streaming (decompressed bytes);
- a content-type check per purpose (a page is HTML; a feed is RSS/Atom/XML) and binary-content sniffing;
- redirects followed here, one hop at a time, so each hop passes the SSRF guard, robots.txt and the
  rate limit; loops and long chains are refused;
- conditional GET (If-None-Match / If-Modified-Since), giving `not_modified` on a 304;
- at most one request per `min_interval` seconds per host (and a robots.txt Crawl-delay, if longer);
- bounded retries with exponential backoff on timeouts, connection errors, 429 and 5xx;
- robots.txt (RFC 9309 reading: missing = allowed, unreachable = disallowed), cached per host.

Synchronous and thread-safe: the poll loop and ingest run it in worker threads, never on the event loop.
"""
from __future__ import annotations

import logging
import threading
import time
import urllib.robotparser
from dataclasses import dataclass
from typing import Literal

import httpx

from retrieval.errors import FrontlineError
from retrieval.web.guard import AddressPolicy, GuardedBackend, Refused, Resolver, check_url

_log = logging.getLogger(__name__)

PROJECT_URL = "https://github.com/frontline-osint/frontline"
USER_AGENT = f"Frontline/0.1 (+{PROJECT_URL})"
ROBOTS_AGENT = "Frontline"       # the product token robots.txt rules are matched against

Purpose = Literal["page", "feed", "any", "robots"]
PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml"})
FEED_TYPES = frozenset({"application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml",
                        "text/xml", "application/x-rss+xml", "application/rss", "application/atom"})
_ACCEPTED: dict[str, frozenset[str]] = {
    "page": PAGE_TYPES,
    "feed": FEED_TYPES | frozenset({"text/plain"}),   # feeds are often served as text/plain
    "any": PAGE_TYPES | FEED_TYPES,
    "robots": frozenset({"text/plain"}),
}
_ACCEPT_HEADER = {
    "page": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1",
    "feed": "application/rss+xml,application/atom+xml,application/xml;q=0.9,text/xml;q=0.9,*/*;q=0.1",
    "any": "text/html,application/xhtml+xml,application/rss+xml,application/atom+xml,application/xml;q=0.9,*/*;q=0.1",
    "robots": "text/plain,*/*;q=0.1",
}
_RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
MAX_CRAWL_DELAY = 30.0       # a robots.txt asking for more is not followed further (we poll rarely anyway)


@dataclass(frozen=True)
class FetchPolicy:
    """Every knob of the fetcher. Tests use `FetchPolicy.for_tests()`."""

    user_agent: str = USER_AGENT
    connect_timeout: float = 10.0
    read_timeout: float = 20.0          # between two bytes
    total_timeout: float = 60.0         # for one attempt, redirects and body included
    max_bytes: int = 5_000_000
    max_redirects: int = 5
    min_interval: float = 1.0           # seconds between two requests to the same host
    retries: int = 2                    # further attempts after a transient failure
    backoff: float = 1.0                # seconds before the first retry; doubled each time
    max_backoff: float = 30.0
    respect_robots: bool = True
    robots_ttl: float = 3600.0          # seconds a host's robots.txt is trusted
    allow_private: bool = False
    trusted_networks: tuple[str, ...] = ()

    @classmethod
    def for_tests(cls, **overrides) -> FetchPolicy:
        """Short timeouts, no rate limit, no backoff wait, private addresses allowed (servers on 127.0.0.1)."""
        values = dict(connect_timeout=2.0, read_timeout=1.0, total_timeout=3.0, min_interval=0.0, backoff=0.01,
                      allow_private=True)
        values.update(overrides)
        return cls(**values)


@dataclass(frozen=True)
class FetchResult:
    url: str                    # as asked
    final_url: str              # after redirects
    status: int
    content_type: str           # media type only, lower case ("text/html"); "" when the server sent none
    charset: str | None
    content: bytes
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False  # a 304 to a conditional GET: `content` is empty, nothing changed
    redirects: tuple[str, ...] = ()
    seconds: float = 0.0

    @property
    def text(self) -> str:
        return self.content.decode(self.charset or "utf-8", errors="replace")


class FetchError(FrontlineError):
    """One failed fetch. `str(error)` is the reason; `url` what was asked; `transient`: worth a later retry;
    `status`: the HTTP status of the answer that failed, None when no answer came (refused, unreachable)."""

    def __init__(self, url: str, reason: str, *, transient: bool = False, status: int | None = None) -> None:
        super().__init__(reason)
        self.url = url
        self.reason = reason
        self.transient = transient
        self.status = status


class _Retryable(Exception):
    def __init__(self, reason: str, status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason, self.status, self.retry_after = reason, status, retry_after


class Fetcher:
    """One HTTP client for the whole process; `close()` it (or use `with`)."""

    def __init__(self, policy: FetchPolicy | None = None, *, resolver: Resolver | None = None) -> None:
        self.policy = policy or FetchPolicy()
        self._addresses = AddressPolicy(self.policy.allow_private, self.policy.trusted_networks)
        p = self.policy
        self._client = httpx.Client(
            transport=_guarded_transport(self._addresses, resolver),
            follow_redirects=False,       # followed in `_attempt`, so every hop is checked
            trust_env=False,              # a proxy from the environment would hide the address we check
            timeout=httpx.Timeout(connect=p.connect_timeout, read=p.read_timeout, write=p.read_timeout,
                                  pool=p.connect_timeout),
            headers={"User-Agent": p.user_agent},
        )
        self._pacer = _HostPacer()
        self._robots = _RobotsCache(self)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------------ the one public call
    def fetch(self, url: str, *, purpose: Purpose = "page", etag: str | None = None,
              last_modified: str | None = None, respect_robots: bool | None = None) -> FetchResult:
        """GET `url` for `purpose`; with `etag` / `last_modified` a 304 gives `not_modified=True`."""
        robots = self.policy.respect_robots if respect_robots is None else respect_robots
        attempts = self.policy.retries + 1
        for attempt in range(attempts):
            try:
                return self._attempt(url, purpose, etag, last_modified, robots)
            except _Retryable as exc:
                if attempt + 1 == attempts:
                    tries = f" (tried {attempts} times)" if attempts > 1 else ""
                    raise FetchError(url, exc.reason + tries, transient=True, status=exc.status) from None
                wait = min(self.policy.max_backoff, self.policy.backoff * 2 ** attempt)
                if exc.retry_after is not None:
                    wait = min(self.policy.max_backoff, max(wait, exc.retry_after))
                _log.info("retrying %s in %.1f s: %s", url, wait, exc.reason)
                time.sleep(wait)
        raise AssertionError("unreachable")

    # ------------------------------------------------------------------ one attempt, redirects included
    def _attempt(self, url: str, purpose: Purpose, etag: str | None, last_modified: str | None,
                 robots: bool) -> FetchResult:
        p = self.policy
        started = time.monotonic()
        deadline = started + p.total_timeout
        headers = {"Accept": _ACCEPT_HEADER[purpose]}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        hops: list[str] = []
        current = self._checked(url, url)
        while True:
            queued = time.monotonic()
            if robots and purpose != "robots":
                self._robots.check(url, current, redirected=bool(hops))
            self._pacer.wait(_host_key(current), max(p.min_interval, self._robots.crawl_delay(current)))
            # waiting for robots.txt or for our turn at the host is not the server being slow
            deadline += time.monotonic() - queued
            response = self._send(url, current, headers, deadline)
            try:
                if response.has_redirect_location:
                    target = self._checked(url, current.join(response.headers["location"]))
                    hops.append(str(current))
                    if str(target) in hops:
                        raise FetchError(url, "redirect loop: " + " → ".join(hops + [str(target)]),
                                         status=response.status_code)
                    if len(hops) > p.max_redirects:
                        raise FetchError(url, f"more than {p.max_redirects} redirects", status=response.status_code)
                    current = target
                    continue
                return self._result(url, current, response, purpose, deadline, tuple(hops), started)
            finally:
                response.close()

    def _checked(self, asked: str, url: str | httpx.URL) -> httpx.URL:
        try:
            return check_url(url, self._addresses)
        except Refused as exc:
            raise FetchError(asked, str(exc)) from None

    def _send(self, asked: str, url: httpx.URL, headers: dict[str, str], deadline: float) -> httpx.Response:
        p = self.policy
        if time.monotonic() > deadline:
            raise FetchError(asked, f"gave up after {_secs(p.total_timeout)} in total")
        try:
            return self._client.send(self._client.build_request("GET", url, headers=headers), stream=True)
        except Refused as exc:     # raised by the guarded backend while connecting
            raise FetchError(asked, str(exc)) from None
        except httpx.ConnectTimeout:
            raise _Retryable(f"could not connect to {url.host} within {_secs(p.connect_timeout)}") from None
        except (httpx.ReadTimeout, httpx.WriteTimeout, httpx.PoolTimeout):
            raise _Retryable(f"timed out after {_secs(p.read_timeout)} waiting for {url.host} to answer") from None
        except httpx.ConnectError as exc:
            raise _Retryable(f"could not connect to {url.host}: {_short(exc)}") from None
        except httpx.RemoteProtocolError as exc:
            raise _Retryable(f"{url.host} broke off the answer ({_short(exc)})") from None
        except httpx.HTTPError as exc:
            raise FetchError(asked, f"could not fetch: {_short(exc)}") from None

    def _result(self, asked: str, url: httpx.URL, response: httpx.Response, purpose: Purpose,
                deadline: float, hops: tuple[str, ...], started: float) -> FetchResult:
        status = response.status_code
        etag, last_modified = response.headers.get("etag"), response.headers.get("last-modified")
        media_type, charset = _content_type(response.headers.get("content-type", ""))
        if status == 304:
            return FetchResult(asked, str(url), status, media_type, charset, b"", etag, last_modified, True, hops,
                               time.monotonic() - started)
        if status in _RETRY_STATUS:
            raise _Retryable(f"HTTP {status} {response.reason_phrase}".rstrip(), status,
                             _retry_after(response.headers.get("retry-after")))
        if not 200 <= status < 300:
            raise FetchError(asked, f"HTTP {status} {response.reason_phrase}".rstrip(), status=status)
        if media_type and media_type not in _ACCEPTED[purpose]:
            raise FetchError(asked, f"content type {media_type} is not {_WANTED[purpose]}", status=status)
        content = self._read_capped(asked, response, deadline, status)
        if b"\x00" in content[:1024]:
            raise FetchError(asked, f"binary content, not {_WANTED[purpose]}", status=status)
        return FetchResult(asked, str(url), status, media_type, charset, content, etag, last_modified, False, hops,
                           time.monotonic() - started)

    def _read_capped(self, asked: str, response: httpx.Response, deadline: float, status: int) -> bytes:
        p = self.policy
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > p.max_bytes:
            raise FetchError(asked, f"larger than {_size(p.max_bytes)} (the server says {_size(int(declared))})",
                             status=status)
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in response.iter_bytes():     # decoded bytes: a compressed bomb is capped too
                size += len(chunk)
                if size > p.max_bytes:
                    raise FetchError(asked, f"larger than {_size(p.max_bytes)}", status=status)
                if time.monotonic() > deadline:
                    raise FetchError(asked, f"the server sent the page too slowly (more than "
                                            f"{_secs(p.total_timeout)} in total)", status=status)
                chunks.append(chunk)
        except httpx.ReadTimeout:
            raise _Retryable(f"timed out after {_secs(p.read_timeout)} in the middle of the page") from None
        except (httpx.RemoteProtocolError, httpx.ReadError) as exc:
            raise _Retryable(f"{response.url.host} broke off the page ({_short(exc)})") from None
        except httpx.DecodingError:
            raise FetchError(asked, "the page's compressed content is corrupt", status=status) from None
        return b"".join(chunks)


_WANTED = {"page": "a web page", "feed": "a feed", "any": "a web page or a feed", "robots": "a robots.txt"}


# ---------------------------------------------------------------------------------------------------
# Transport, pacing, robots.txt
# ---------------------------------------------------------------------------------------------------

def _guarded_transport(addresses: AddressPolicy, resolver: Resolver | None) -> httpx.HTTPTransport:
    # httpx has no public hook for httpcore's network backend; the pool is rebuilt with the guarded
    # one, with the same TLS context and limits httpx would use (test_web_guard catches a change).
    import httpcore

    transport = httpx.HTTPTransport(trust_env=False)
    limits = httpx.Limits()
    transport._pool = httpcore.ConnectionPool(
        ssl_context=httpx.create_ssl_context(trust_env=False), max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections, keepalive_expiry=limits.keepalive_expiry,
        network_backend=GuardedBackend(addresses, resolver),
    )
    return transport


class _HostPacer:
    """At most one request per interval per host: each caller reserves the next free slot, then sleeps."""

    def __init__(self) -> None:
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, host: str, interval: float) -> None:
        if interval <= 0:
            return
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next.get(host, 0.0))
            self._next[host] = slot + interval
        if slot > now:
            time.sleep(slot - now)


@dataclass
class _Robots:
    parser: urllib.robotparser.RobotFileParser | None   # None: nothing allowed (robots.txt unreachable)
    expires: float
    reason: str = ""


class _RobotsCache:
    """robots.txt per scheme+host, fetched through the same guarded, paced fetcher."""

    UNREACHABLE_TTL = 300.0     # retry an unreachable robots.txt after five minutes, not an hour

    def __init__(self, fetcher: Fetcher) -> None:
        self._fetcher = fetcher
        self._cache: dict[str, _Robots] = {}
        self._lock = threading.Lock()
        self._host_locks: dict[str, threading.Lock] = {}

    def check(self, asked: str, url: httpx.URL, redirected: bool) -> None:
        """Raise FetchError when robots.txt disallows `url`, or cannot be read (RFC 9309: then nothing is allowed)."""
        try:
            robots = self._get(url)
        except FetchError as exc:
            raise FetchError(asked, exc.reason, transient=exc.transient) from None
        where = f" ({url})" if redirected else ""
        if robots.parser is None:
            raise FetchError(asked, f"robots.txt of {url.host} could not be read ({robots.reason}), so nothing "
                                    f"is fetched from it for now{where}", transient=True)
        if not robots.parser.can_fetch(ROBOTS_AGENT, str(url)):
            raise FetchError(asked, f"blocked by robots.txt of {url.host}{where}")

    def crawl_delay(self, url: httpx.URL) -> float:
        with self._lock:
            robots = self._cache.get(_origin(url))
        if robots is None or robots.parser is None:
            return 0.0
        delay = robots.parser.crawl_delay(ROBOTS_AGENT)
        return min(float(delay), MAX_CRAWL_DELAY) if delay else 0.0

    def _get(self, url: httpx.URL) -> _Robots:
        origin = _origin(url)
        with self._lock:
            host_lock = self._host_locks.setdefault(origin, threading.Lock())
        with host_lock:     # one robots.txt download per host, however many threads ask
            with self._lock:
                cached = self._cache.get(origin)
            if cached is not None and cached.expires > time.monotonic():
                return cached
            robots = self._download(origin)
            with self._lock:
                self._cache[origin] = robots
            return robots

    def _download(self, origin: str) -> _Robots:
        ttl = self._fetcher.policy.robots_ttl
        fetcher = self._fetcher
        try:
            result = fetcher.fetch(origin + "/robots.txt", purpose="robots", respect_robots=False)
        except FetchError as exc:
            if exc.status is None:
                raise   # no answer at all (refused, unresolvable, down): that is the page's failure too
            if exc.status < 500:
                # RFC 9309: a missing robots.txt (4xx) allows everything; so do one that is not plain text,
                # too large, or lost in redirects (an answer came, but no rules we could read)
                return _Robots(_allow_all(), time.monotonic() + ttl)
            _log.warning("robots.txt of %s unreachable (%s): not fetching from it for now", origin, exc)
            return _Robots(None, time.monotonic() + self.UNREACHABLE_TTL, f"HTTP {exc.status}")
        parser = urllib.robotparser.RobotFileParser()
        parser.parse(result.text.splitlines())
        parser.modified()   # robotparser allows nothing until it believes it has read the file
        return _Robots(parser, time.monotonic() + ttl)


def _allow_all() -> urllib.robotparser.RobotFileParser:
    parser = urllib.robotparser.RobotFileParser()
    parser.allow_all = True
    return parser


# ---------------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------------

def _origin(url: httpx.URL) -> str:
    port = f":{url.port}" if url.port else ""
    return f"{url.scheme}://{url.host}{port}"


def _host_key(url: httpx.URL) -> str:
    return f"{url.host}:{url.port or ''}"


def _content_type(value: str) -> tuple[str, str | None]:
    media, _, params = value.partition(";")
    charset = None
    for param in params.split(";"):
        key, _, val = param.partition("=")
        if key.strip().lower() == "charset" and val.strip():
            charset = val.strip().strip("\"'").lower()
    return media.strip().lower(), charset


def _retry_after(value: str | None) -> float | None:
    return float(value) if value and value.strip().isdigit() else None


def _secs(seconds: float) -> str:
    return f"{seconds:g} s"


def _size(n: int) -> str:
    return f"{n / 1_000_000:.3g} MB" if n >= 1_000_000 else f"{n / 1000:.3g} kB"


def _short(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) <= 160 else text[:157] + "…"

