"""When an article was published: given, or inferred from cues in its own text, or unknown.

A date the source states (sidecar/front matter/collection field, or the `date` header) is trusted.
Otherwise the publication date is estimated from what the article itself says: explicit dates
("June 17, 2023"), month-days resolved against such a date ("on July 2"), and cues relative to the
full-scale invasion ("five months into the war"). An article is published on or after the dates it
reports, so the latest cue wins. Nothing is invented: with no cue the date is unknown, and an inferred
date is always shown as approximate.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

INVASION_START = date(2022, 2, 24)     # Russia's full-scale invasion: the anchor of relative cues
EARLIEST_YEAR = 2014                   # the war began in 2014; earlier years are history, not news dates
MAX_CUE_CHARS = 80
_SENTENCE_WINDOW = 300
FUTURE_OUTLIER_DAYS = 60               # a planned date this far past all others is not the news

# The one month-name table of the project (article dates, cleaning's datelines, question dates).
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
          "october", "november", "december")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# Lower-case month names, their abbreviations and the weekdays: words that date, never name, a thing.
CALENDAR_WORDS = frozenset(MONTHS + WEEKDAYS + tuple(name[:3] for name in MONTHS) + ("sept",))
# "sun sept 4", "wed 12 oct": a weekday's short form dates only beside a date ("the Sun", "sat down" are words)
WEEKDAY_ABBREVIATIONS = frozenset(("mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun"))
_MONTH_NAMES = sorted(
    {form for name in MONTHS for base in (name, name[:3], "sept") if base[:3] == name[:3]
     for form in (base.capitalize(), base.upper())},
    key=len, reverse=True,
)
# A month name as written in running text ("July", "Jul.", "JULY"; not "may" the verb). With re.I it
# also matches what people type ("july 2024").
MONTH_WORD = rf"(?:{'|'.join(_MONTH_NAMES)})\.?"
_MONTH = rf"(?P<month>{'|'.join(_MONTH_NAMES)})\.?"
_ORDINAL_SUFFIX = r"(?:st|nd|rd|th)?"

# Explicit dates, most specific first; a span matched by one is not matched again by a later one.
_MONTH_DAY_YEAR = re.compile(rf"\b{_MONTH}\s+(?P<day>\d{{1,2}}){_ORDINAL_SUFFIX},?\s+(?P<year>\d{{4}})\b")
_DAY_MONTH_YEAR = re.compile(rf"\b(?P<day>\d{{1,2}}){_ORDINAL_SUFFIX}\s+(?:of\s+)?{_MONTH},?\s+(?P<year>\d{{4}})\b")
_ISO_DATE = re.compile(r"(?<![\d-])(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})(?!\d)")
_DOTTED_DATE = re.compile(r"(?<![\d.])(?P<day>\d{1,2})\.(?P<month>\d{1,2})\.(?P<year>\d{4})(?!\d|\.\d)")
_MONTH_YEAR = re.compile(rf"\b{_MONTH},?\s+(?:of\s+)?(?P<year>\d{{4}})\b")
# A month-day with no year ("on July 2", "2 July"): needs an anchor in the same article.
_MONTH_DAY = re.compile(rf"\b{_MONTH}\s+(?P<day>\d{{1,2}}){_ORDINAL_SUFFIX}\b(?![\d:,.]\d)")
_DAY_MONTH = re.compile(rf"\b(?P<day>\d{{1,2}}){_ORDINAL_SUFFIX}\s+(?:of\s+)?{_MONTH}(?![\w])")

_NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
                 "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}
_ORDINAL_WORDS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
                  "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12}
_NUMBER = rf"(?P<num>\d{{1,2}},\d{{3}}|\d{{1,4}}|(?i:{'|'.join(_NUMBER_WORDS)}))"
_UNIT = r"(?P<unit>(?i:day|week|month|year))s?"
_WAR_NOUN = (r"(?:the\s+|this\s+|a\s+|Russia['’]s\s+|Moscow['’]s\s+|Putin['’]s\s+)?"
             r"(?:(?:full[\s-]scale|all[\s-]out|large[\s-]scale|Russian|brutal|ongoing)\s+)*"
             r"(?P<noun>war|invasion|conflict|aggression)\b")
# "five months into the war", "100 days of the invasion", "two years into the full-scale invasion"
_INTO_WAR = re.compile(rf"\b{_NUMBER}[\s-]+{_UNIT}\s+(?:into|of)\s+{_WAR_NOUN}")
# "four months to the day since ...", "six months since ...", "a year after ..." + an invasion clause
_SINCE_CLAUSE = re.compile(rf"\b{_NUMBER}[\s-]+{_UNIT}\s+(?P<exact>to\s+the\s+day\s+)?(?:since|after|from)\s+")
# "the five-month-old war", "a 100-day-long invasion"
_AGED_WAR = re.compile(rf"\b{_NUMBER}-{_UNIT}-(?:old|long)\s+{_WAR_NOUN}")
# "day 100 of the war"
_DAY_OF_WAR = re.compile(rf"\b[Dd]ay\s+(?P<num>\d{{1,4}})\s+of\s+{_WAR_NOUN}")
# "the second anniversary of the full-scale invasion"
_ANNIVERSARY = re.compile(
    rf"\b(?P<ord>(?i:{'|'.join(_ORDINAL_WORDS)})|\d{{1,2}}(?:st|nd|rd|th))\s+anniversary\s+of\s+{_WAR_NOUN}"
)
# What makes a "since ..." clause point at 24 February 2022 (matched right after "since"/"after").
_INVASION_CLAUSE = re.compile(
    r"[^.!?;\n]{0,70}?\b(?:invasion|invaded|invade|full[\s-]scale|troops\s+(?:across|over|into)\s+the\s+border|"
    r"sent\s+(?:[\w,]+\s+){0,6}?troops|attacked\s+Ukraine|(?P<war>(?:the|Russia['’]s)\s+war\s+(?:began|started|broke)|"
    r"(?:start|beginning|outbreak)\s+of\s+the\s+war))"
)

_FULL_SCALE = re.compile(r"full[\s-]scale|all[\s-]out|large[\s-]scale|invasion|invaded", re.I)

_FUTURE_WORDING = re.compile(
    r"\b(?:will|would|shall|scheduled|planned|plans?|expected|expects?|due|set\s+to|upcoming|next|"
    r"until|till|deadline|postponed|promised|forecast)\b",
    re.I,
)

_SENTENCE_STOP = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s|$)|\n")


@dataclass(frozen=True)
class ArticleDate:
    value: str | None        # "YYYY-MM-DD" (day), "YYYY-MM" (month), None when unknown
    precision: str           # "day" | "month" | "unknown"
    inferred: bool           # False only for a header/metadata/sidecar date
    cue: str | None          # the verbatim snippet it was inferred from, or "header"/"metadata"


UNKNOWN = ArticleDate(None, "unknown", False, None)

# Tie-break between candidates on the same day: a stated date beats a computed one.
_EXPLICIT, _RELATIVE, _MONTH_DAY_KIND = 0, 1, 2


@dataclass(frozen=True)
class _Candidate:
    day: date                # the date; the first of the month for month precision
    precision: str
    kind: int
    cue: str
    order: int               # position among all candidates, for a stable tie-break


def resolve_date(
    *,
    header_date: str | None,
    metadata_date: str | None,
    text: str,
    captions: Sequence[str] = (),
    today: date | None = None,
    metadata_cue: str | None = None,
) -> ArticleDate:
    """metadata > header > inferred from the article's own cues > unknown.
    `metadata_cue` says where a metadata date came from ("page metadata", "feed entry"); default "metadata"."""
    given = _parse_given_date(metadata_date)
    if given is not None:
        return ArticleDate(_as_value(*given), given[1], False, metadata_cue or "metadata")
    header = _parse_given_date(header_date)
    if header is not None and header[1] == "day":
        return ArticleDate(_as_value(*header), "day", False, "header")
    return infer_date(text, captions, today=today or date.today())


def infer_date(text: str, captions: Sequence[str] = (), *, today: date) -> ArticleDate:
    sources = [text, *captions]
    anchors = [c for source in sources for c in _explicit_dates(source) + _invasion_relative(source)]
    anchors = _without_future_outliers(_renumber([c for c in anchors if _plausible(c, today)]))
    anchor = max((c.day for c in anchors), default=None)
    month_days = [c for source in sources for c in _month_days(source, anchor)] if anchor else []
    candidates = _renumber(anchors + [c for c in month_days if _plausible(c, today)])
    candidates = _without_future_outliers(candidates)
    if not candidates:
        return UNKNOWN
    best = max(candidates, key=lambda c: (c.day, c.precision == "day", -c.kind, -c.order))
    return ArticleDate(_as_value(best.day, best.precision), best.precision, True, best.cue)


def date_as_int(d: ArticleDate) -> int | None:
    """20240704 for a day; the first of the month (20220701) for a month; None when unknown."""
    if d.value is None or d.precision == "unknown":
        return None
    year, month, *rest = (int(part) for part in d.value.split("-"))
    return year * 10000 + month * 100 + (rest[0] if rest and d.precision == "day" else 1)


def format_date(d: ArticleDate) -> str:
    """"2024-07-04", "≈ 2023-07-02", "≈ July 2022", "date unknown"."""
    if d.value is None or d.precision == "unknown":
        return "date unknown"
    approx = "≈ " if d.inferred else ""
    if d.precision == "month":
        year, month = (int(part) for part in d.value.split("-")[:2])
        return f"{approx}{MONTHS[month - 1].capitalize()} {year}"
    return f"{approx}{d.value}"


# ---------------------------------------------------------------------------------------------------
# Given dates
# ---------------------------------------------------------------------------------------------------

_GIVEN_DAY = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:$|[T\s])")
_GIVEN_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


def _parse_given_date(value: str | None) -> tuple[date, str] | None:
    # Sources give "2024-07-04", "2024-07-04T10:00:00Z", "2024/07/04", "2024-07" or "July 4, 2024".
    value = (value or "").strip()
    if not value:
        return None
    if match := _GIVEN_DAY.match(value):
        day = _safe_date(*(int(g) for g in match.groups()))
        return (day, "day") if day else None
    if match := _GIVEN_MONTH.match(value):
        day = _safe_date(int(match.group(1)), int(match.group(2)), 1)
        return (day, "month") if day else None
    found = _explicit_dates(value)
    return (found[0].day, found[0].precision) if found else None


def _as_value(day: date, precision: str) -> str:
    return day.isoformat() if precision == "day" else f"{day.year:04d}-{day.month:02d}"


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


# ---------------------------------------------------------------------------------------------------
# Cues in the text
# ---------------------------------------------------------------------------------------------------

def _explicit_dates(source: str) -> list[_Candidate]:
    # Full dates state themselves; "June 2023" is a month. Spans already read are not read again, so
    # "17 June 2023" is not also taken as "June 2023".
    found: list[_Candidate] = []
    taken = _Spans(len(source))
    for pattern, precision in ((_MONTH_DAY_YEAR, "day"), (_DAY_MONTH_YEAR, "day"), (_ISO_DATE, "day"),
                               (_DOTTED_DATE, "day"), (_MONTH_YEAR, "month")):
        for match in pattern.finditer(source):
            if taken.overlaps(*match.span()):
                continue
            day = _date_from_match(match, precision)
            if day is None:
                continue
            taken.add(*match.span())
            found.append(_Candidate(day, precision, _EXPLICIT, _cue(source, *match.span()), match.start()))
    return found


def _date_from_match(match: re.Match[str], precision: str) -> date | None:
    month_text = match.group("month")
    month = int(month_text) if month_text.isdigit() else month_number(month_text)
    day = int(match.group("day")) if precision == "day" else 1
    return _safe_date(int(match.group("year")), month, day)


def month_number(name: str) -> int:
    """1-12 for "January", "jan", "Sept." and the like."""
    return next(i for i, month in enumerate(MONTHS, start=1) if month[:3] == name[:3].lower())


def _month_days(source: str, anchor: date) -> list[_Candidate]:
    # "on July 2" has no year; news speaks of recent days, so the year is the one that puts it nearest
    # the article's latest dated event (and rather after it than long before).
    found: list[_Candidate] = []
    taken = _Spans(len(source))
    for pattern in (_MONTH_DAY_YEAR, _DAY_MONTH_YEAR, _MONTH_YEAR):
        for match in pattern.finditer(source):
            taken.add(*match.span())
    for pattern in (_MONTH_DAY, _DAY_MONTH):
        for match in pattern.finditer(source):
            if taken.overlaps(*match.span()):
                continue
            day = _nearest_year(month_number(match.group("month")), int(match.group("day")), anchor)
            if day is None:
                continue
            taken.add(*match.span())
            found.append(_Candidate(day, "day", _MONTH_DAY_KIND, _cue(source, *match.span()), match.start()))
    return found


def _nearest_year(month: int, day: int, anchor: date) -> date | None:
    options = [d for year in (anchor.year - 1, anchor.year, anchor.year + 1)
               if (d := _safe_date(year, month, day)) is not None]

    def cost(d: date) -> float:
        gap = (d - anchor).days
        return gap if gap >= 0 else -gap * 1.5     # "preferably not long before" the anchor

    return min(options, key=cost, default=None)


def _invasion_relative(source: str) -> list[_Candidate]:
    # Counting from 24 February 2022: "five months into the war", "the first anniversary of the invasion".
    found: list[_Candidate] = []
    for pattern in (_INTO_WAR, _AGED_WAR):
        for match in pattern.finditer(source):
            _add_relative(found, source, match, exact=False, strict=_names_the_invasion(match.group()))
    for match in _SINCE_CLAUSE.finditer(source):
        clause = _INVASION_CLAUSE.match(source, match.end())
        if clause:
            end = clause.end()
            _add_relative(found, source, match, exact=bool(match.group("exact")),
                          strict=clause.group("war") is None, span_end=end)
    for match in _DAY_OF_WAR.finditer(source):
        day = INVASION_START + timedelta(days=int(match.group("num")) - 1)
        found.append(_Candidate(day, "day", _RELATIVE, _cue(source, *match.span()), match.start()))
    for match in _ANNIVERSARY.finditer(source):
        years = _ordinal_value(match.group("ord"))
        day = _safe_date(INVASION_START.year + years, 2, 24)
        if day is not None:
            found.append(_Candidate(day, "day", _RELATIVE, _cue(source, *match.span()), match.start()))
    return found


def _names_the_invasion(text: str) -> bool:
    return bool(_FULL_SCALE.search(text))


def _add_relative(found: list[_Candidate], source: str, match: re.Match[str], *, exact: bool,
                  strict: bool, span_end: int | None = None) -> None:
    # Years counted from a bare "war" may count from 2014 ("ten years into the war"): need "invasion".
    count = _number_value(match.group("num"))
    unit = match.group("unit").lower()
    if count is None or unit == "year" and not strict:
        return
    computed = _offset_from_invasion(count, unit, exact)
    if computed is None:
        return
    day, precision = computed
    cue_end = min(span_end or match.end(), match.end() + 40)
    found.append(_Candidate(day, precision, _RELATIVE, _cue(source, match.start(), cue_end), match.start()))


def _offset_from_invasion(count: int, unit: str, exact: bool) -> tuple[date, str] | None:
    # Days are a day; "to the day" is a day; weeks, months and years are only good to the month.
    if unit == "day":
        return (INVASION_START + timedelta(days=count), "day") if count <= 10_000 else None
    if unit == "week":
        d = INVASION_START + timedelta(weeks=count)
        return (d, "day") if exact else (d.replace(day=1), "month")
    months = count if unit == "month" else count * 12
    if months > 600:
        return None
    total = INVASION_START.month - 1 + months
    year, month = INVASION_START.year + total // 12, total % 12 + 1
    if exact:
        return _safe_date(year, month, INVASION_START.day), "day"
    return date(year, month, 1), "month"


def _number_value(text: str) -> int | None:
    text = text.lower().replace(",", "")
    return int(text) if text.isdigit() else _NUMBER_WORDS.get(text)


def _ordinal_value(text: str) -> int:
    digits = re.match(r"\d+", text)
    return int(digits.group()) if digits else _ORDINAL_WORDS[text.lower()]


# ---------------------------------------------------------------------------------------------------
# Choosing
# ---------------------------------------------------------------------------------------------------

def _plausible(c: _Candidate, today: date) -> bool:
    # Years before the war are history being recalled; dates after today are plans or typos.
    return EARLIEST_YEAR <= c.day.year and c.day <= today


def _without_future_outliers(candidates: list[_Candidate]) -> list[_Candidate]:
    # A stated date far beyond every other one, in a sentence about plans ("talks are scheduled for
    # March 31"), is not the news. A far-later date told in the past tense is simply the latest news
    # (articles recall February 24, 2022 all the time), and invasion-relative cues describe the time
    # of writing, so neither is dropped.
    remaining = sorted(candidates, key=lambda c: c.day)
    while len(remaining) > 1:
        latest, rest = remaining[-1], remaining[:-1]
        far_ahead = (latest.day - rest[-1].day).days > FUTURE_OUTLIER_DAYS
        if latest.kind == _RELATIVE or not far_ahead or not _FUTURE_WORDING.search(latest.cue):
            break
        remaining = rest
    return remaining


def _renumber(candidates: list[_Candidate]) -> list[_Candidate]:
    return [_Candidate(c.day, c.precision, c.kind, c.cue, i) for i, c in enumerate(candidates)]


class _Spans:
    """Character positions already read as part of a date (linear in the text, not in the matches)."""

    def __init__(self, size: int) -> None:
        self._mask = bytearray(size)

    def add(self, start: int, end: int) -> None:
        self._mask[start:end] = b"\x01" * (end - start)

    def overlaps(self, start: int, end: int) -> bool:
        return self._mask.find(1, start, end) != -1


def _cue(source: str, start: int, end: int) -> str:
    # The sentence around the match, or an ≤ 80-character verbatim window of it cut at word edges.
    s_start, s_end = _sentence_bounds(source, start, end)
    if s_end - s_start <= MAX_CUE_CHARS:
        return source[s_start:s_end].strip()
    room = max(0, MAX_CUE_CHARS - (end - start))
    left_room, right_room = start - s_start, s_end - end
    left = min(room // 2, left_room)
    right = min(room - left, right_room)
    left = min(room - right, left_room)
    a, b = start - left, end + right
    if a > s_start and not source[a - 1].isspace():
        space = source.find(" ", a, start)
        a = space + 1 if space != -1 else start
    if b < s_end and not source[b].isspace():
        space = source.rfind(" ", end, b)
        b = space if space != -1 else end
    return source[a:b].strip()[:MAX_CUE_CHARS]


def _sentence_bounds(source: str, start: int, end: int) -> tuple[int, int]:
    # Only a window around the match is searched: a cue is at most 80 characters anyway.
    window_start = max(0, start - _SENTENCE_WINDOW)
    s_start = window_start
    for stop in _SENTENCE_STOP.finditer(source, window_start, start):
        s_start = stop.end()
    after = _SENTENCE_STOP.search(source, end, min(len(source), end + _SENTENCE_WINDOW))
    if after is None:
        s_end = min(len(source), end + _SENTENCE_WINDOW)
    else:
        s_end = after.start() if after.group() == "\n" else after.end()
    while s_start < start and source[s_start].isspace():
        s_start += 1
    return s_start, s_end
