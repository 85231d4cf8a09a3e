"""Reading RSS 2.0 and Atom feeds (feedparser): the entries to fetch, with their links and dates.

`looks_like_feed` tells a feed from a web page, so `ingest URL` can take either. `parse_feed` returns
the entries that have a usable http(s) link; a feed so broken that none can be read is a `FeedError`
with the parser's reason, and a feed readable despite errors keeps its entries and says so in `warning`.

An entry's `published` day is the day the publisher wrote in the feed, in the publisher's own time
zone (feedparser's parsed tuple is in UTC, which can move a late-evening story to the next day). The
feed's `updated` stamp is not a publication date: it only marks that an entry changed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import feedparser

from retrieval.errors import FrontlineError


_FEED_TYPES = frozenset({"application/rss+xml", "application/atom+xml", "application/rdf+xml",
                         "application/x-rss+xml", "application/rss", "application/atom"})
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# The root element of a feed, after any XML declaration, comments, doctype or processing instructions.
_FEED_ROOT = re.compile(rb"^\s*(?:<\?xml[^>]*>\s*|<!--.*?-->\s*|<\?[^>]*>\s*|<!DOCTYPE[^>]*>\s*)*<(?:rss|feed|rdf:RDF)[\s>]",
                        re.I | re.S)


class FeedError(FrontlineError):
    """Not a feed, or a feed none of whose entries could be read."""


@dataclass(frozen=True)
class FeedEntry:
    key: str                    # the entry's id (guid), else its link: what "seen" means for this feed
    link: str                   # absolute http(s) URL of the article page
    title: str | None
    published: str | None       # "YYYY-MM-DD" as the feed states it; None when it gives none
    updated: str | None         # the raw `updated` stamp, compared only to notice a changed entry


@dataclass(frozen=True)
class Feed:
    url: str
    title: str | None
    version: str                # "rss20", "atom10", …
    entries: tuple[FeedEntry, ...]
    warning: str | None = None  # the XML had errors, but these entries could still be read


def looks_like_feed(content: bytes, content_type: str | None = None) -> bool:
    """True for RSS/Atom, judged by the declared type, else by the document's root element."""
    media = (content_type or "").split(";")[0].strip().lower()
    if media in _FEED_TYPES:
        return True
    if media in _HTML_TYPES:
        return False
    return bool(_FEED_ROOT.match(content[:4096].lstrip(b"\xef\xbb\xbf")))


def parse_feed(content: bytes, url: str, content_type: str | None = None) -> Feed:
    """The entries of an RSS 2.0 / Atom (or RSS 1.0) feed fetched from `url`, links made absolute."""
    headers = {"content-location": url, "content-type": content_type or "application/xml"}
    parsed = feedparser.parse(content, response_headers=headers)
    problem = _problem(parsed)
    if not parsed.get("version"):
        raise FeedError(f"not an RSS or Atom feed{f' ({problem})' if problem else ''}")
    entries = []
    seen: set[str] = set()
    for raw in parsed.entries:
        entry = _entry(raw, url)
        if entry is not None and entry.key not in seen:
            seen.add(entry.key)
            entries.append(entry)
    if not entries:
        if problem:
            raise FeedError(f"malformed feed XML ({problem}): no entry could be read")
        if parsed.entries:
            raise FeedError("the feed's entries have no usable links")
        # an empty feed is a valid feed: nothing new today
    warning = f"the feed's XML has errors ({problem}); read {len(entries)} entries anyway" if problem else None
    return Feed(url, _text(parsed.feed.get("title")), parsed.version, tuple(entries), warning)


def _problem(parsed) -> str | None:
    exc = parsed.get("bozo_exception") if parsed.get("bozo") else None
    # feedparser also flags a charset or a content type the HTTP headers got wrong: not the feed's fault
    if exc is None or isinstance(exc, (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)):
        return None
    line = getattr(exc, "getLineNumber", lambda: None)()
    detail = getattr(exc, "getMessage", lambda: str(exc))()
    return f"{detail}, line {line}" if line else str(detail)


def _entry(raw, feed_url: str) -> FeedEntry | None:
    link = raw.get("link") or next((l.get("href") for l in raw.get("links", []) if l.get("href")), None)
    if not link:
        return None
    link = urljoin(feed_url, link.strip())
    if urlsplit(link).scheme not in ("http", "https"):
        return None
    key = (raw.get("id") or "").strip() or link
    return FeedEntry(key=key, link=link, title=_text(raw.get("title")), published=_stated_day(raw),
                     updated=(raw.get("updated") or "").strip() or None)


def _stated_day(raw) -> str | None:
    stamp = (raw.get("published") or "").strip()
    if not stamp:
        return None
    for parse in (parsedate_to_datetime, datetime.fromisoformat):
        try:
            return parse(stamp).date().isoformat()
        except (TypeError, ValueError, IndexError):
            continue
    parsed = raw.get("published_parsed")      # feedparser reads many more formats, in UTC
    return f"{parsed.tm_year:04d}-{parsed.tm_mon:02d}-{parsed.tm_mday:02d}" if parsed else None


def _text(value: str | None) -> str | None:
    value = " ".join((value or "").split())
    return value or None
