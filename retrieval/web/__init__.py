"""News from the web: fetching (politely, with an SSRF guard), article extraction, feeds, near-duplicates,
and the state that following feeds keeps between polls. No Discord here, and nothing runs by itself:
the poll loop and ingest call these parts.

    fetch.py        Fetcher / FetchPolicy / FetchResult / FetchError: one guarded, paced HTTP client
    guard.py        which addresses may be fetched (checked at every hop and on the connected address)
    extract.py      HTML → WebArticle (trafilatura text and metadata, htmldate publication date)
    feeds.py        RSS / Atom → entries (feedparser); feed or page?
    dedup.py        MinHash signatures and the near-duplicate index (datasketch)
    state.py        feeds, entries, signatures and carriers in data/web.sqlite3; poll_feed()
    bridge.py       WebArticle → RawArticle (id, meta, content hash); .html files
    ingest_urls.py  WebSources: URLs (feeds or pages) as ingest items, committed after ingest
"""
from __future__ import annotations

import importlib

STATE_FILE = "web.sqlite3"     # in the data directory

# Loaded on first use (PEP 562): datasketch alone takes ~2 s to import (scipy), and reading a saved
# .html file needs only extract.py.
_EXPORTS = {
    "dedup": ("Match", "NearDuplicates", "Signature", "signature"),
    "extract": ("ExtractError", "WebArticle", "extract_article", "normalize_url"),
    "feeds": ("Feed", "FeedEntry", "FeedError", "looks_like_feed", "parse_feed"),
    "fetch": ("USER_AGENT", "FetchError", "Fetcher", "FetchPolicy", "FetchResult"),
    "guard": ("AddressPolicy", "Refused"),
    "bridge": ("read_html_file", "to_raw_article", "web_article_id"),
    "ingest_urls": ("WebSources", "load_near_duplicates"),
    "state": ("FeedStatus", "PendingEntry", "PollResult", "WebState", "poll_feed"),
}
_WHERE = {name: module for module, names in _EXPORTS.items() for name in names}
__all__ = ["STATE_FILE", *sorted(_WHERE)]


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
