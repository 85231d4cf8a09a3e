"""Turning a scraped article page into its body, verbatim, without the page around it.

Scraped news pages carry bylines, share buttons, photo captions, author bios and teasers for other
stories. Passages are later quoted word for word and checked against `body[start:end]`, so cleaning
only ever removes whole lines (or the `date` header token); it never rewrites text inside a line.
Every removal is recorded in `CleanedArticle.removed` with the rule that made it.

The rules are general page-structure rules (chrome vocabulary, credit markers, script, position and
repetition), not rules about any particular outlet.
"""
from __future__ import annotations

import re
import string
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import date
from difflib import SequenceMatcher
from functools import lru_cache

from retrieval.dates import MONTH_WORD


@dataclass(frozen=True)
class CleanedArticle:
    body: str                               # paragraphs joined by "\n\n", each verbatim from the input
    title: str | None                       # a headline found in the page, else the title hint, else None
    outlet: str | None                      # publisher named by the page's own boilerplate, else None
    header_date: str | None                 # "YYYY-MM-DD" from a valid `date YYYY-MM-DD` header
    removed: tuple[tuple[str, str], ...]    # (reason, line) for every removed line
    captions: tuple[str, ...]               # removed captions, credits and date lines (date evidence)


# ---------------------------------------------------------------------------------------------------
# Vocabulary and patterns
# ---------------------------------------------------------------------------------------------------

# Characters that are invisible at a line edge: white space, NBSP variants, zero-width marks, BOM.
_EDGE_CHARS = string.whitespace + "\u00a0\u2007\u202f\u3000\u200b\u200c\u200d\u2060\ufeff"
_LINE_SEPARATORS = re.compile(r"\r\n|\r|\u2028|\u2029|\x85")

_HEADER = re.compile(r"^date:?[ \t]+(\d{4}-\d{2}-\d{2})(?![\w-])[ \t]*(.*)$", re.I)

# Whole lines that are page furniture on news sites (compared case-insensitively, without a trailing
# ":", "»", "›", "→" or "…").
_CHROME_LINES = frozenset(
    item.strip()
    for item in """
    news feed|read more|read next|read also|also read|see also|show more|show less|load more|more
    continue reading|click here|video|videos|watch|watch video|play|photo|photos|image|gallery
    photo gallery|article image|featured image|advertisement|advertisment|ad|ads|sponsored
    sponsored content|share|shares|share this|share this article|share this story|share article
    share on facebook|share on twitter|share on x|share on telegram|share on whatsapp|tweet|email
    print|copy link|copy|link copied|subscribe|subscribe now|subscribe to our newsletter|newsletter
    reporter|author|authors|editor|correspondent|contributor|staff writer|columnist|journalist
    avatar|related|related articles|related stories|related news|related posts|related content
    most read|most popular|popular|trending|trending now|latest|latest news|top stories|skip to content
    skip to main content|sign up|sign in|log in|login|register|follow us|comments|comment
    leave a comment|add a comment|menu|search|home|close|back to top|listen|listen to this article
    next|previous|next article|previous article|tags|topics|toggle navigation|full screen|fullscreen
    loading|loading...|facebook|twitter|telegram|whatsapp|linkedin|instagram|youtube|x
    check also|you may also like|you might also like|recommended|recommended for you|more stories
    more news|don't miss|don’t miss|about the author|print this page|accept|accept cookies
    """.replace("\n", "|").split("|")
    if item.strip()
)

# Lines that announce a list of other stories: everything after one (late in the page) is not ours.
_TAIL_MARKERS_STRONG = frozenset({
    "check also", "related articles", "related stories", "related news", "related posts",
    "related content", "read also", "also read", "you may also like", "you might also like",
    "you may be interested in", "recommended", "recommended for you", "recommended stories",
    "more stories", "more news", "what to read next", "don't miss", "don’t miss", "most read",
    "most popular", "trending now", "top stories",
})
# Markers that are also ordinary link labels: they end the article only inside a cluster of chrome.
_TAIL_MARKERS_WEAK = frozenset({"related", "read more", "see also", "news feed", "latest news", "latest"})
_MORE_FROM = re.compile(r"^More (?:from|on|in|about|by) [\w .,&'’-]{2,60}$", re.I)

_CHROME_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("reading-time", re.compile(r"^\d+\s*(?:min(?:ute)?s?|mins?)\.?\s+read$", re.I)),
    ("age-stamp", re.compile(r"^(?:about\s+)?\d+\s+(?:seconds?|minutes?|mins?|hours?|hrs?|days?|weeks?)\s+ago$", re.I)),
    ("counter", re.compile(r"^\d[\d,.]*[km]?\s+(?:comments?|shares?|views?|reads?)$", re.I)),
    ("time-stamp", re.compile(r"^\d{1,2}:\d{2}(?:\s*[ap]\.?m\.?)?(?:\s+[A-Z]{2,5})?$", re.I)),
    ("inline-teaser", re.compile(r"^(?:read|see|watch|also read|read also|related)(?:\s+(?:more|also|next))?\s*:\s*\S.{2,200}$", re.I)),
    ("follow-us", re.compile(r"^(?:follow|join|subscribe to)\s+(?:us|our)\b.{0,60}$", re.I)),
    ("tags", re.compile(r"^(?:tags?|topics?|filed under)\s*:.{0,200}$", re.I)),
    ("separator", re.compile(r"^[\W_]+$")),
    ("url", re.compile(r"^(?:https?://|www\.)\S+$", re.I)),
    ("promo", re.compile(r"^(?:follow|read|watch|listen|subscribe|sign up|download|get|support)\b.{0,150}\s(?:https?://|www\.)\S+$", re.I)),
    ("about-author", re.compile(r"^About (?:the author|[A-Z][\w.'’-]+(?: [A-Z][\w.'’-]+){0,3})$")),
)
# "Updated: ..." / "Published ..." stamps: removed, but kept as date evidence.
_STAMP = re.compile(r"^(?:last\s+)?(?:updated|published|posted|modified)(?:\s+on)?:?\s+(?=.*\d)\S.{0,70}$", re.I)

_DATE_ONLY = (rf"(?:\d{{1,2}}(?:st|nd|rd|th)?\s+{MONTH_WORD},?\s+\d{{4}}|{MONTH_WORD}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
              r"|\d{4}-\d{2}-\d{2}|\d{1,2}[./]\d{1,2}[./]\d{4})")
# A line that is nothing but a date (and maybe a weekday and a time): the page's publication stamp.
_DATELINE = re.compile(
    rf"^(?:[A-Z][a-z]+day,?\s+)?{_DATE_ONLY}(?:\s*(?:,|at|\||•|-|–|—)?\s*\d{{1,2}}[:.]\d{{2}}"
    r"(?:\s*[ap]\.?m\.?)?(?:\s*\(?[A-Z]{2,5}(?:[+-]\d{1,2})?\)?)?)?$",
    re.I,
)

_NAME_TOKEN = r"[A-Z][\w.'’-]*"
# An outlet name token: internal dots ("U.S.") but not a sentence's full stop.
_OUTLET_TOKEN = r"[A-Z](?:[\w&'’-]|\.(?=\w))*"
_BYLINE = re.compile(r"^(?:By|BY|Written by|Story by|Words by|Reporting by|Text by)\s+(?P<rest>[A-Z].{0,150})$")
_BYLINE_CONNECTORS = frozenset({"and", "of", "the", "at", "in", "for", "am", "pm", "a.m.", "p.m.", "on",
                                "de", "van", "von", "da", "del", "al", "bin", "ibn", "le", "la", "in"})

# Photo credits anywhere in a line: the line is a caption.
_CREDIT_MARKER = re.compile(
    r"\b(?:Photo(?:graph)?s?|PHOTOS?)\s+(?:by|BY|courtesy|COURTESY|credit)\b|\((?:Photos?|PHOTOS?|Фото)\s*:|"
    r"Getty Images|\bAFP\s*/\s*[A-Z]|/\s*AFP\b|\b(?:Reuters|REUTERS)\s*/\s*[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)+|"
    r"\bAP Photo\b|©|\bPhoto credit\b|\bImage (?:credit|source|courtesy)\b|\bEPA(?:-EFE)?\s*/\s*[A-Z]|"
    r"/\s*EPA\b|\bvia Getty\b|\bShutterstock\b|\bAnadolu(?: Agency)? via\b|\bФото:|"
    r"\b(?:Photograph|Photo|Photos|Picture|Image)\s*:\s*[A-Z]|/\s*(?:AP|AFP|EPA|Reuters|REUTERS)\b"
)
# Lines that open with a credit label ("Photo: ...", "Source: ...").
_CREDIT_PREFIX = re.compile(
    r"^(?:Photo(?:graph)?|Image|Picture|Illustration|Credit|Source|Фото|Джерело)s?(?:\s+credit)?\s*:", re.I
)
_MAX_CAPTION_CHARS = 600

_BIO_ROLES = (r"(?:reporter|correspondent|journalist|editor|writer|freelancer|freelance|columnist|"
              r"contributor|producer|photographer|photojournalist|news\s+editor|staff\s+writer|"
              r"intern|anchor)")
# "<Name> is a [Kyiv-based] reporter with/at/for <Outlet>. He covers ..."
_BIO = re.compile(
    rf"^(?:{_NAME_TOKEN}\s+){{1,3}}{_NAME_TOKEN}\s+is\s+(?:an?\s+|the\s+)?(?:[\w’'-]+,?\s+){{0,4}}?"
    rf"{_BIO_ROLES}\b"
)
_BIO_OUTLET = re.compile(
    rf"\b{_BIO_ROLES}s?\s+(?:with|at|for)\s+(?P<outlet>(?:[Tt]he\s+)?{_OUTLET_TOKEN}(?:\s+(?:{_OUTLET_TOKEN}|of|and|&))*)"
)
_PERSON_NAME = re.compile(rf"^{_NAME_TOKEN}(?:\s+{_NAME_TOKEN}){{1,3}}$")
_ROLE_LINE = re.compile(rf"^{_BIO_ROLES}$|^(?:senior|staff|chief|deputy|managing)\s+{_BIO_ROLES}$", re.I)

# "© 2023 Outlet. All rights reserved." — a year or the reserved-rights formula tells it from a
# photographer's "© Jane Doe".
_COPYRIGHT_OUTLET = re.compile(
    rf"^(?:©|\(c\)|Copyright)\s*(?:©\s*)?(?P<year>\d{{4}}(?:\s*[-–]\s*\d{{4}})?\s+)?"
    rf"(?P<outlet>{_OUTLET_TOKEN}(?:\s+(?:{_OUTLET_TOKEN}|of|and|&))*)\.?"
    r"(?P<year2>\s*,?\s*\d{4})?\s*[.,|]?\s*(?P<reserved>All rights reserved\.?)?$",
)
_SOURCE_OUTLET = re.compile(rf"^Source\s*:\s*(?P<outlet>{_OUTLET_TOKEN}(?:\s+{_OUTLET_TOKEN}){{0,4}})\.?$")
# Wire-service dateline opening the body: "KYIV, July 4 (Reuters) - ..."
_WIRE_DATELINE = re.compile(
    r"^[A-Z][A-Z .'’-]{1,30}(?:,\s*[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,2})?"
    r"(?:,?\s*[A-Z][a-z]{2,8}\.?\s+\d{1,2})?\s*\((?P<outlet>[A-Z][\w&.' -]{1,30})\)\s*[-–—]"
)

_EDITORS_NOTE = re.compile(r"^Editor[’']?s[’']?\s+note\s*:", re.I)
_ELLIPSIS_END = re.compile(r"(?:…|\.\.\.)[\"”’»)]*$")
_BULLET = re.compile(r"^[•●▪‣◦∙·*\-–—]\s*\S")
_SENTENCE_END = re.compile(r"[.!?…:;][\"'”’»)\]]*$|[\"”’»)\]]$")
_ASCII_LETTERS = re.compile(r"[A-Za-z]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")

_HEADLINE_MAX_CHARS = 150
_HEADLINE_MAX_WORDS = 20
_MAX_TEASER_CHARS = 500        # an excerpt; a longer paragraph ending in "..." is the article's own
_MAX_HEADLINE_RUN = 5          # longer runs of short lines between chrome are kept (they may be a list)


# ---------------------------------------------------------------------------------------------------
# Working state
# ---------------------------------------------------------------------------------------------------

@dataclass
class _Line:
    index: int                 # position among all lines (blank ones included)
    text: str                  # stripped at both edges; "" for a blank line
    offset: int                # character offset in the normalised text, for "how far into the page"
    reason: str | None = None  # why it was removed; None while kept

    @property
    def kept(self) -> bool:
        return self.reason is None


def clean_article(raw: str, *, title_hint: str | None = None) -> CleanedArticle:
    text = _normalise_newlines(raw)
    lines = _split_lines(text)
    header_date, header_removed = _take_header(lines)
    removed: list[tuple[str, str]] = [header_removed] if header_removed else []
    total = max(1, len(text))

    _mark_chrome(lines)
    _cut_related_tail(lines, total)
    _mark_captions(lines)
    _mark_repeated_captions(lines)
    _mark_other_script(lines)
    _mark_bios(lines, total)
    _mark_names_before_bios(lines)
    _mark_teasers(lines)
    link_label = _cut_trailing_link_label(lines)
    if link_label:
        removed.append(("link-label", link_label))
    title = _mark_repeated_lines(lines, title_hint)
    headline = _mark_headlines_between_chrome(lines)
    title = title or headline
    title = _mark_top_title(lines) if title is None else title
    _restore_if_empty(lines)

    removed.extend((line.reason, line.text) for line in lines if line.text and not line.kept)
    captions = tuple(line.text for line in lines if line.reason in _EVIDENCE_REASONS)
    body = _assemble_body(lines)
    return CleanedArticle(
        body=body,
        title=title or _clean_hint(title_hint),
        outlet=_find_outlet(lines, body),
        header_date=header_date,
        removed=tuple(removed),
        captions=captions,
    )


_EVIDENCE_REASONS = frozenset({"caption", "credit", "dateline", "stamp"})
_TITLE_REASONS = frozenset({"title", "headline", "top-title"})


# ---------------------------------------------------------------------------------------------------
# Normalising and the header
# ---------------------------------------------------------------------------------------------------

def _normalise_newlines(raw: str) -> str:
    # \r\n and \r from Windows / old Mac exports, Unicode line separators from some scrapers.
    text = _LINE_SEPARATORS.sub("\n", raw)
    return text.lstrip("\ufeff")


def _split_lines(text: str) -> list[_Line]:
    # Edges are trimmed: invisible characters there are layout, not words.
    lines, offset = [], 0
    for index, raw_line in enumerate(text.split("\n")):
        lines.append(_Line(index, raw_line.strip(_EDGE_CHARS), offset))
        offset += len(raw_line) + 1
    return lines


def _take_header(lines: list[_Line]) -> tuple[str | None, tuple[str, str] | None]:
    # A `date YYYY-MM-DD` first line (text may follow on the same line) is metadata, not article text.
    first = next((line for line in lines if line.text), None)
    if first is None:
        return None, None
    match = _HEADER.match(first.text)
    if not match:
        return None, None
    token = first.text[: match.start(2)].rstrip() if match.group(2) else first.text
    first.text = match.group(2).strip(_EDGE_CHARS)     # "" (a blank line) when the header stands alone
    return _valid_iso_date(match.group(1)), ("header", token)


def _valid_iso_date(value: str) -> str | None:
    # "2024-13-40" looks like a date but is not one; such a header is ignored, not trusted.
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        return None


# ---------------------------------------------------------------------------------------------------
# Line rules
# ---------------------------------------------------------------------------------------------------

def _chrome_key(text: str) -> str:
    return text.casefold().rstrip(" :»›→>|").strip()


def _mark_chrome(lines: list[_Line]) -> None:
    # Navigation, share buttons, reading times, bylines, stamps: a page's furniture, never reporting.
    for line in _kept(lines):
        reason = _chrome_reason(line.text)
        if reason:
            line.reason = reason


def _chrome_reason(text: str) -> str | None:
    if len(text) > 220:
        return None
    if _chrome_key(text) in _CHROME_LINES or _MORE_FROM.match(text):
        return "chrome"
    for reason, pattern in _CHROME_PATTERNS:
        if pattern.match(text):
            return reason
    if _DATELINE.match(text):
        return "dateline"
    if _STAMP.match(text):
        return "stamp"
    if _is_byline(text):
        return "byline"
    return None


def _is_byline(text: str) -> bool:
    # "By Jane Doe and John Roe, Reuters": names after "By"; "By Tuesday, troops had left." is a sentence.
    match = _BYLINE.match(text)
    if not match or text.endswith((".", "!", "?")) and not re.search(r"\b[A-Z]\.$", text):
        return False
    words = _WORD.findall(match.group("rest"))
    lowercase = [w for w in words if w[0].islower() and w.lower() not in _BYLINE_CONNECTORS]
    return len(words) <= 14 and len(lowercase) <= 1


def _is_tail_marker(text: str) -> bool:
    key = _chrome_key(text)
    return key in _TAIL_MARKERS_STRONG or bool(_MORE_FROM.match(text))


def _cut_related_tail(lines: list[_Line], total: int) -> None:
    # After "Check Also" / "Related articles" late in a page come other stories, not this one.
    # Early markers (a sidebar at the top) are only chrome; weak ones ("Read more") must sit in chrome.
    for position, line in enumerate(lines):
        if not line.text or line.offset < total / 3:
            continue
        strong = _is_tail_marker(line.text)
        weak = _chrome_key(line.text) in _TAIL_MARKERS_WEAK and _touches_chrome(lines, position)
        if strong or weak:
            for later in lines[position:]:
                if later is line or (later.text and later.kept):
                    later.reason = "related-tail"
            return


def _touches_chrome(lines: list[_Line], position: int) -> bool:
    neighbours = [_neighbour(lines, position, -1), _neighbour(lines, position, +1)]
    return any(n is not None and n.reason is not None for n in neighbours)


def _neighbour(lines: list[_Line], position: int, step: int) -> _Line | None:
    # The nearest non-blank line before (step -1) or after (step +1), removed or not.
    i = position + step
    while 0 <= i < len(lines):
        if lines[i].text:
            return lines[i]
        i += step
    return None


def _mark_captions(lines: list[_Line]) -> None:
    # A line carrying a photo credit describes a picture, not the story; kept aside as date evidence.
    for line in _kept(lines):
        if len(line.text) > _MAX_CAPTION_CHARS:
            continue
        if _CREDIT_PREFIX.match(line.text) and not _is_attribution(line.text):
            line.reason = "credit"
        elif _CREDIT_MARKER.search(line.text):
            line.reason = "caption"


def _is_attribution(text: str) -> bool:
    # "Source: Sumy Oblast Military Administration on Telegram" says who reported it: that is content.
    # A credit is a short label ("Source: Reuters", "Photo: Jane Doe / AFP").
    return text.lower().startswith(("source", "джерело")) and _word_count(text) > 6


def _mark_repeated_captions(lines: list[_Line]) -> None:
    # Galleries print a caption, then the same caption with the credit appended ("... AFP / NAME").
    for position, line in enumerate(lines):
        if not line.text or not line.kept or len(line.text) < 20:
            continue
        following = lines[position + 1] if position + 1 < len(lines) else None
        if following is None or not following.text or following.text == line.text:
            continue
        if _is_caption_with_credit(line.text, following.text):
            line.reason = "caption"
            following.reason = following.reason or "caption"


def _is_caption_with_credit(first: str, second: str) -> bool:
    extra = len(second) - len(first)
    if not 0 < extra <= 80:
        return False
    if second.startswith(first):
        return True
    return SequenceMatcher(None, first, second[: len(first)], autojunk=False).ratio() >= 0.9


def _mark_other_script(lines: list[_Line]) -> None:
    # Embeds and widgets leak lines in another script (a localised "View on Facebook"); an article is
    # written in one script, so a line mostly in another one is not part of it.
    totals: Counter[str] = Counter()
    per_line: list[Counter[str]] = []
    for line in lines:
        per_line.append(counts := _script_counts(line.text))
        totals.update(counts)
    if not totals:
        return
    dominant = totals.most_common(1)[0][0]
    for line, counts in zip(lines, per_line):
        letters = sum(counts.values())
        if line.kept and letters and (letters - counts[dominant]) / letters > 0.5:
            line.reason = "other-script"


def _script_counts(text: str) -> Counter[str]:
    # ASCII letters are Latin; only the other characters need a Unicode lookup.
    counts = Counter(_script(ch) for ch in _NON_ASCII.findall(text) if ch.isalpha())
    counts["LATIN"] += len(_ASCII_LETTERS.findall(text))
    return counts


@lru_cache(maxsize=4096)
def _script(ch: str) -> str:
    # The first word of a letter's Unicode name is its script (LATIN, CYRILLIC, ARABIC, CJK, ...).
    name = unicodedata.name(ch, "")
    head = name.split(" ", 1)[0] if name else "UNKNOWN"
    return "CJK" if head in {"CJK", "HIRAGANA", "KATAKANA", "HANGUL", "IDEOGRAPHIC", "BOPOMOFO"} else head


def _mark_bios(lines: list[_Line], total: int) -> None:
    # "X is a reporter with Y. He covers ..." describes the author, not the war. Bios sit at the end of
    # a page or among its chrome; an early sentence about a journalist in the news is reporting.
    for position, line in enumerate(lines):
        if not line.kept or not _BIO.match(line.text):
            continue
        if line.offset >= total / 2 or _touches_chrome(lines, position):
            line.reason = "author-bio"


def _mark_names_before_bios(lines: list[_Line]) -> None:
    # An author card prints the bare name above the role ("Reporter") or above the bio.
    for position, line in enumerate(lines):
        if not line.kept or not _PERSON_NAME.match(line.text) or len(line.text) > 40:
            continue
        following = _neighbour(lines, position, +1)
        if following is not None and (
            following.reason == "author-bio" or _ROLE_LINE.match(following.text)
        ):
            line.reason = "author-name"


def _mark_teasers(lines: list[_Line]) -> None:
    # A teaser for another story is a headline plus an excerpt cut off with an ellipsis.
    for position, line in enumerate(lines):
        if not line.kept or not _ELLIPSIS_END.search(line.text):
            continue
        previous = lines[position - 1] if position > 0 else None
        headline_above = bool(previous and previous.text and _standalone_headline(lines, position - 1))
        if _EDITORS_NOTE.match(line.text) or headline_above and len(line.text) <= _MAX_TEASER_CHARS:
            line.reason = "teaser"
            if headline_above and previous.kept:
                previous.reason = "teaser-headline"


# A link to the full story at the end of the last paragraph of a feed's excerpt ("… other... View news."), or to
# its pictures ("… Pivnichne, Karlivka. View photo news.": 1,124 RUWA items end so)
_TRAILING_LINK_LABEL = re.compile(r"(?<=[.!?…])\s+(?:view (?:photo |video )?news|read more|read the full (?:story|article)|"
                                  r"read full (?:story|article)|continue reading|full story)\s*[.…»›→]*$", re.I)


def _cut_trailing_link_label(lines: list[_Line]) -> str | None:
    last = next((line for line in reversed(lines) if line.text and line.kept), None)
    found = _TRAILING_LINK_LABEL.search(last.text) if last else None
    if found is None:
        return None
    last.text = last.text[:found.start()]
    return found.group().strip()


def _mark_repeated_lines(lines: list[_Line], title_hint: str | None) -> str | None:
    # Pages repeat the headline (page title, then article title). A repeated headline-like line is the
    # title and no copy stays in the body; a repeated sentence is a scraping duplicate: keep the first.
    counts = Counter(line.text for line in _kept(lines))
    hint = _clean_hint(title_hint)
    title = None
    seen: set[str] = set()
    for line in _kept(lines):
        text = line.text
        is_hint = hint is not None and _same_title(text, hint)
        if counts[text] == 1 and not is_hint:
            continue
        if is_hint or _looks_like_headline(text):
            line.reason = "title"
            title = title or text
        elif text in seen:
            line.reason = "duplicate"
        seen.add(text)
    return title


def _same_title(text: str, hint: str) -> bool:
    return " ".join(text.casefold().split()) == " ".join(hint.casefold().split())


def _clean_hint(title_hint: str | None) -> str | None:
    hint = (title_hint or "").strip(_EDGE_CHARS)
    return hint or None


def _mark_headlines_between_chrome(lines: list[_Line]) -> str | None:
    # Short unpunctuated lines boxed in by chrome are headlines: this page's (at the top) or links to
    # other stories. Returns the page's headline when such a run opens the page.
    nonblank = [i for i, line in enumerate(lines) if line.text]
    first_content = next((i for i in nonblank if lines[i].kept), None)
    title = None
    run: list[int] = []
    for i in nonblank + [None]:
        if i is not None and lines[i].kept and _standalone_headline(lines, i):
            run.append(i)
            continue
        if run and _boxed_by_chrome(lines, run):
            at_top = run[0] == first_content
            for j in run:
                lines[j].reason = "headline"
            if at_top and title is None and _word_count(lines[run[0]].text) >= 2:
                title = lines[run[0]].text
        run = []
    return title


def _boxed_by_chrome(lines: list[_Line], run: list[int]) -> bool:
    if len(run) > _MAX_HEADLINE_RUN:
        return False
    before, after = _neighbour(lines, run[0], -1), _neighbour(lines, run[-1], +1)
    sides = [before, after]
    # the page edge counts as chrome, but at least one side must be real chrome: a headline-only
    # item (common in feeds) is its own body
    if any(side is not None and side.kept for side in sides):
        return False
    return any(side is not None for side in sides)


def _mark_top_title(lines: list[_Line]) -> str | None:
    # A short unpunctuated first line followed by the article is its headline.
    first = next((line for line in lines if line.text and line.kept), None)
    if first is None or not _standalone_headline(lines, first.index) or _word_count(first.text) < 2:
        return None
    if not any(line.kept and line.text for line in lines[first.index + 1:]):
        return None
    first.reason = "top-title"
    return first.text


def _restore_if_empty(lines: list[_Line]) -> None:
    # Cleaning must never empty an article: if nothing is left, the headline lines are the content.
    if any(line.kept and line.text for line in lines):
        return
    for line in lines:
        if line.reason in _TITLE_REASONS:
            line.reason = None


def _standalone_headline(lines: list[_Line], position: int) -> bool:
    # A headline-like line that a lowercase next line continues is a sentence wrapped mid-way.
    following = lines[position + 1] if position + 1 < len(lines) else None
    wrapped = following is not None and following.kept and following.text[:1].islower()
    return not wrapped and _looks_like_headline(lines[position].text)


def _looks_like_headline(text: str) -> bool:
    if _BULLET.match(text) or _SENTENCE_END.search(text):
        return False
    if len(text) > _HEADLINE_MAX_CHARS or not 1 <= _word_count(text) <= _HEADLINE_MAX_WORDS:
        return False
    first_letter = next((ch for ch in text if ch.isalnum()), "")
    return bool(first_letter) and not first_letter.islower()


def _word_count(text: str) -> int:
    return len(_WORD.findall(text))


def _kept(lines: list[_Line]) -> list[_Line]:
    return [line for line in lines if line.text and line.kept]


# ---------------------------------------------------------------------------------------------------
# Outlet and body
# ---------------------------------------------------------------------------------------------------

def _find_outlet(lines: list[_Line], body: str) -> str | None:
    # Only the page's own boilerplate names its publisher reliably ("told Reuters" names a source).
    for line in lines:
        if line.reason == "author-bio" and (match := _BIO_OUTLET.search(line.text)):
            return _tidy_outlet(match.group("outlet"))
    for line in lines:
        match = _COPYRIGHT_OUTLET.match(line.text) if line.reason is not None else None
        if match and (match.group("year") or match.group("year2") or match.group("reserved")):
            return _tidy_outlet(match.group("outlet"))
    for position, line in enumerate(lines):
        match = _SOURCE_OUTLET.match(line.text) if line.reason == "credit" else None
        if match and not _next_to_caption(lines, position):
            return _tidy_outlet(match.group("outlet"))
    match = _WIRE_DATELINE.match(body)
    return _tidy_outlet(match.group("outlet")) if match else None


def _next_to_caption(lines: list[_Line], position: int) -> bool:
    # "Source: X" right under a photo caption credits the photo, not the article.
    neighbours = (_neighbour(lines, position, -1), _neighbour(lines, position, +1))
    return any(n is not None and n.reason == "caption" for n in neighbours)


def _tidy_outlet(value: str) -> str | None:
    value = value.strip(" .,;:|-–—")
    value = re.sub(r"^the\s+", "", value)          # "with the Kyiv Independent": keep "The" only if written so
    value = re.sub(r"\s+(?:and|of|&)$", "", value)
    return value or None


def _assemble_body(lines: list[_Line]) -> str:
    # One paragraph per line, except a line wrapped mid-sentence, which continues the previous one.
    paragraphs: list[list[str]] = []
    previous: _Line | None = None
    for line in lines:
        if not line.text or not line.kept:
            previous = None if line.text else previous
            continue
        if previous is not None and _continues(previous, line):
            paragraphs[-1].append(line.text)
        else:
            paragraphs.append([line.text])
        previous = line
    return "\n\n".join("\n".join(paragraph) for paragraph in paragraphs)


def _continues(previous: _Line, line: _Line) -> bool:
    adjacent = line.index == previous.index + 1
    return adjacent and not _SENTENCE_END.search(previous.text) and line.text[:1].islower()
