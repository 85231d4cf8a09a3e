"""From a news page's HTML to its article: main text, title, author, outlet, canonical URL and date.

The libraries made for it do the work: trafilatura finds the main text (menus, cookie banners, share
buttons, related-story lists, comments and footers are left out; paragraphs are kept) and the page's
metadata; htmldate finds the publication date from the page's markup — the original date, not the
"last updated" one, and only from metadata (JSON-LD, Open Graph, <time>, the URL), never guessed from
free text (a copyright year in a footer is not a publication date). Dates found in the article's own
words are inferred later, with their cue, by `retrieval.dates`.

The article's identity is its canonical URL, normalised with courlan (tracking parameters and the
fragment dropped), so the same article reached through a feed link with `?utm_source=rss` and directly
is one article. A canonical link pointing to another site or to the site's front page is not trusted
(syndicated copies and misconfigured CMSs do both); the fetched URL is used instead.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit, urlunsplit

import courlan
import htmldate
import trafilatura

from retrieval.errors import FrontlineError

_log = logging.getLogger(__name__)

DATE_CUE = "page metadata"
# Less prose than this is a section front, a video page or a paywall stub, not an article.
MIN_PROSE_CHARS = 150
_PROSE_LINE_WORDS = 8


class ExtractError(FrontlineError):
    """The page holds no article we can use; the message says why."""


@dataclass(frozen=True)
class WebArticle:
    url: str | None             # canonical and normalised: the article's identity (None: a file without a link)
    fetched_url: str | None     # where it was actually read from (None for a file)
    text: str                   # the main text, paragraphs separated by a blank line
    title: str | None
    author: str | None
    site_name: str | None
    date: str | None            # "YYYY-MM-DD" from the page's metadata, or None
    date_cue: str | None        # "page metadata" when `date` is set

    @property
    def host(self) -> str | None:
        url = self.url or self.fetched_url
        host = urlsplit(url).hostname if url else None
        return host.removeprefix("www.") if host else None

    @property
    def outlet(self) -> str | None:
        """Who published it: the site's own name, else its host."""
        return self.site_name or self.host


def extract_article(html: bytes | str, url: str | None = None) -> WebArticle:
    """The article in `html` (fetched from `url`, if it was); ExtractError when there is none."""
    if isinstance(html, bytes) and not html.strip() or isinstance(html, str) and not html.strip():
        raise ExtractError("the page is empty")
    try:
        doc = trafilatura.bare_extraction(
            html, url=url, with_metadata=True, favor_precision=True, include_comments=False,
            include_tables=False, include_images=False, include_links=False,
            # trafilatura computes a date too; keep it as cheap and as strict as ours
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    except Exception as exc:  # lxml and trafilatura raise many types on broken markup
        _log.info("extraction failed for %s: %r", url, exc)
        raise ExtractError(f"the page could not be read as HTML ({type(exc).__name__})") from None
    text = _paragraphs(doc.text if doc is not None else "")
    if _prose_chars(text) < MIN_PROSE_CHARS:
        raise ExtractError("no article text found in the page")
    date = _publication_date(html, url)
    return WebArticle(
        url=identity_url(doc.url, url), fetched_url=url, text=text, title=_clean(doc.title),
        author=_clean(doc.author), site_name=_clean(doc.sitename), date=date,
        date_cue=DATE_CUE if date else None,
    )


def normalize_url(url: str) -> str:
    """courlan's normalisation (lower-case host, default port and tracking parameters dropped, query
    sorted), without the fragment, which never names a different article. Not courlan's strict mode:
    it also drops parameters such as `articleId` that do name one."""
    normal = courlan.normalize_url(url)
    parts = urlsplit(normal)
    return urlunsplit(parts._replace(fragment=""))


def identity_url(canonical: str | None, fetched: str | None) -> str | None:
    """The URL that names the article: its canonical link when that can be trusted, else where it was read."""
    fetched_n = normalize_url(fetched) if fetched else None
    if canonical:
        canonical_n = normalize_url(urljoin(fetched or "", canonical.strip()))
        if urlsplit(canonical_n).scheme in ("http", "https") and (
                fetched_n is None or _same_site(canonical_n, fetched_n) and not _front_page_for(canonical_n, fetched_n)):
            return canonical_n
    return fetched_n


def _same_site(a: str, b: str) -> bool:
    def site(url: str) -> str:
        return (urlsplit(url).hostname or "").removeprefix("www.")
    return site(a) == site(b)


def _front_page_for(canonical: str, fetched: str) -> bool:
    return urlsplit(canonical).path in ("", "/") and urlsplit(fetched).path not in ("", "/")


def _publication_date(html: bytes | str, url: str | None) -> str | None:
    try:
        return htmldate.find_date(html, url=url, original_date=True, extensive_search=False, outputformat="%Y-%m-%d")
    except Exception as exc:  # htmldate parses the markup again; a failure only costs the date
        _log.info("htmldate failed for %s: %r", url, exc)
        return None


def _paragraphs(text: str) -> str:
    # trafilatura puts one paragraph per line; the rest of Frontline separates paragraphs by a blank line
    return "\n\n".join(line.strip() for line in text.splitlines() if line.strip())


def _prose_chars(text: str) -> int:
    return sum(len(line) for line in text.split("\n\n") if len(line.split()) >= _PROSE_LINE_WORDS)


def _clean(value: str | None) -> str | None:
    value = " ".join((value or "").split())
    return value or None
