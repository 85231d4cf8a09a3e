"""From an extracted web article to the `RawArticle` that ingest stores, and `.html` files on disk.

A web article is keyed by its normalised canonical URL ("web-" + 16 hex digits of its SHA-256: stable,
and safe as a file name and a Chroma id). Its content hash covers the text and the metadata, so an
unchanged page embeds nothing on the next ingest and a changed one replaces its passages.

Dates: the page's own metadata date (htmldate) is a given date whose cue is "page metadata"; without
one, the feed entry's published date is given instead (cue "feed entry"); without either, ingest infers
the date from the article's text as it does for every other article.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from retrieval.models import RawArticle, Skip
from retrieval.web.extract import ExtractError, WebArticle, extract_article

FEED_DATE_CUE = "feed entry"
MAX_HTML_BYTES = 5_000_000          # the same cap as for fetched pages


def web_article_id(url: str) -> str:
    return "web-" + hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]


def to_raw_article(article: WebArticle, *, article_id: str | None = None, origin: str | None = None,
                   fallback_date: str | None = None, extra_meta: dict[str, str] | None = None) -> RawArticle:
    """The RawArticle for `article`. `fallback_date` ("YYYY-MM-DD", e.g. a feed entry's) is used only when
    the page's metadata gives no date."""
    if article_id is None:
        if not article.url:
            raise ValueError("a web article without a URL needs an explicit article_id")
        article_id = web_article_id(article.url)
    date, cue = article.date, article.date_cue
    if not date and fallback_date:
        date, cue = fallback_date, FEED_DATE_CUE
    meta = {"title": article.title, "date": date, "date_cue": cue if date else None, "source": article.outlet,
            "url": article.url, "author": article.author}
    meta = {k: v for k, v in meta.items() if v}
    if extra_meta:
        meta.update(extra_meta)
        if "date" in extra_meta:    # a date given by hand (a sidecar) has no "page metadata" cue
            meta.pop("date_cue", None)
    digest = hashlib.sha256(article.text.encode("utf-8"))
    digest.update(json.dumps(meta, sort_keys=True).encode("utf-8"))
    return RawArticle(article_id, origin or article.url or article_id, article.text, meta, digest.hexdigest()[:32])


def read_html_file(file: Path, data: bytes, sidecar: dict[str, str]) -> RawArticle | Skip:
    """A saved web page: the same extraction as a fetched one. The article id is the file's stem (like
    every other file); the citation URL is the page's canonical link, if it has one (a server path is
    not a URL worth showing). `sidecar` fields (a NAME.meta.json) override what the page says."""
    origin = str(file)
    if len(data) > MAX_HTML_BYTES:
        return Skip(origin, f"larger than {MAX_HTML_BYTES // 1_000_000} MB: a web page that big is not read")
    try:
        article = extract_article(data, None)
    except ExtractError as exc:
        return Skip(origin, str(exc))
    return to_raw_article(article, article_id=file.stem, origin=origin, extra_meta=sidecar)
