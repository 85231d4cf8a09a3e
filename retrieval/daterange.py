"""A range of publication days: what a question ("in July 2024", "since 2023") or an option
(`--since 2024-06`, the slash command's `until`) asks for.

Days are YYYYMMDD integers, the form the store keeps (0 = an unknown date), so a range test is two
integer comparisons, vectorised over the whole corpus by the row index.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from retrieval.dates import MONTH_WORD, month_number
from retrieval.errors import FrontlineError

OPEN_START = 0
OPEN_END = 99999999          # after every real day

_OPTION = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")

# Question phrases: "in July 2024", "since 3 June 2022", "before 2023", "on 2024-07-04".
_RANGE_WORD = r"(in|during|on|since|after|from|before|until|till|by|as of|to|through|thru)?"
_YEAR = r"((?:19|20)\d\d)"
# "early May", "the end of May", "mid-May": a third of the month
_PART = r"(?:(?:the\s+)?(start|beginning|early|middle|mid|end|late)(?:-|\s+of\s+|\s+))?"
_DATE_PHRASE = re.compile(
    rf"\b{_RANGE_WORD}\s*{_PART}(?:(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?)?({MONTH_WORD})\s+"
    rf"(?:(\d{{1,2}})(?:st|nd|rd|th)?,?\s+)?{_YEAR}\b", re.I)
_YEAR_PHRASE = re.compile(rf"\b{_RANGE_WORD}\s*{_YEAR}\b", re.I)
# A year that names an event, not when it was reported: "some 2014 battle", "the 1994 deal", "Russia's 2021
# Duma poll" are told of in the news of any year.
_DETERMINER_BEFORE = re.compile(r"\b(?:the|a|an|some|that|this|which|what|whose|its|their|his|her|\w+[’']s)\s+$", re.I)
_WORD_AFTER = re.compile(r"\s+(?!(?:and|or|to|till|until|through)\b)[A-Za-z]")
_ISO_PHRASE = re.compile(rf"\b{_RANGE_WORD}\s*(\d{{4}})-(\d{{2}})-(\d{{2}})\b", re.I)
# A day or a month without its year ("on November 1", "in July"): the last one before the newest article.
_NO_YEAR_AFTER = r"(?![a-z])(?![,.]?\s*(?:of\s+)?\d)"
_YEARLESS_DAY = re.compile(
    rf"\b{_RANGE_WORD}\s*(?:(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({MONTH_WORD})|({MONTH_WORD})\s+(\d{{1,2}})"
    rf"(?:st|nd|rd|th)?\b){_NO_YEAR_AFTER}", re.I)
_YEARLESS_MONTH = re.compile(   # a range word first: "may" alone is a verb
    rf"\b(in|during|since|after|from|before|until|till|by|at|to|through|thru)\s+{_PART}({MONTH_WORD})\b{_NO_YEAR_AFTER}", re.I)
# "end of feb", "early march", "mid-may": a part of a month names the month without a range word
_PART_MONTH = re.compile(
    rf"\b(?:the\s+)?(start|beginning|early|middle|mid|end|late)(?:-|\s+of\s+|\s+)({MONTH_WORD})\b{_NO_YEAR_AFTER}", re.I)
# "mid march 22", "in june '22", "during may 22", "may 8 22": a month and two digits that cannot be its day (after
# a part of the month, an apostrophe, a day, or "in"/"during", which take a month where a day takes "on") are the year
_SHORT_YEAR_PHRASE = re.compile(
    rf"\b(?:(in|during|on)\s+)?{_PART}(?:(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?)?({MONTH_WORD})\s+"
    rf"(?:(\d{{1,2}})(?:st|nd|rd|th)?,?\s+)?(['’])?(\d\d)\b(?!['’]|\s*(?:st|nd|rd|th)\b|[:.]\d)", re.I)
# Two days of one month: "the night of 22 to 23 October 2022", "October 22-23", "oct 22 to 23". Read as the
# range between them, written out ("from 22 October 2022 to 23 October 2022") for the phrases below.
_DAYS_JOINED = r"(?:st|nd|rd|th)?\s*(?:-|–|/|\bto\b|\band\b|\bthrough\b)\s*"
# "in mid-September 2022 … On the 17th, how many were hurt?": a day by its ordinal alone, ending its phrase (not
# "the 93rd brigade", "the 17th of March")
ORDINAL_DAY = re.compile(r"\b(?:(on|since|after|from|before|until|till|by)\s+)?the\s+(\d{1,2})(?:st|nd|rd|th)\b"
                         r"(?=\s*(?:[,.;:?!)]|$))", re.I)
_DAY_SPAN = re.compile(
    rf"\b(?:(?:on|in|during)\s+)?(?:(\d{{1,2}}){_DAYS_JOINED}(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({MONTH_WORD})"
    rf"|({MONTH_WORD})\s+(\d{{1,2}}){_DAYS_JOINED}(\d{{1,2}})(?:st|nd|rd|th)?(?!\s*(?:{MONTH_WORD})\b|\d|:))"
    rf"(,?\s+(?:(?:19|20)\d\d|['’]\d\d)\b)?", re.I)


def _days_written_out(question: str) -> str:
    def written(m: re.Match[str]) -> str:
        day1, day2, month = (m[1], m[2], m[3]) if m[1] else (m[5], m[6], m[4])
        year = " " + m[7].strip(" ,") if m[7] else ""
        if not 1 <= int(day1) < int(day2) <= 31:
            return m.group()
        return f"from {day1} {month}{year} to {day2} {month}{year}"
    return _DAY_SPAN.sub(written, question)


_NEXT_DAY = re.compile(r"\b(?:the|a)\s+(?:day|night)\s+$", re.I)   # before "before/after <a day>"
_AFTER = {"since", "after", "from"}
_BEFORE = {"before", "until", "till", "by", "as of"}
# "from March to May 2022": "to" ends a range that "from" began; elsewhere ("sent to May 9 parade") it is no date word
_RANGE_END = {"to", "through", "thru"}
_FROM_BEFORE = re.compile(r"\bfrom\b", re.I)
# "an RT piece from early April 2022", "news from 5 May": when it was published, not a start
_PUBLISHED_FROM = re.compile(r"\b(?:piece|article|report|news|video|vid|clip|story|post|footage|photo|pic|interview|item|"
                             r"statement|speech|broadcast|headline|update|tweet|message|segment|show|one)s?\s+$", re.I)


# Reports on a period come out after it (the central bank's August figures on September 6): a question
# "in August" also searches, below those of August, articles published this many days after its end; one
# "by March 7" asks for a count as of that day, and the reports of the days after are inside its range.
REPORTING_LAG_DAYS = 7
REPORTING_LAG_ONE_DAY = 2    # "on July 4": that day's news, and the next day's "yesterday"


@dataclass(frozen=True)
class DateRange:
    since: int = OPEN_START      # YYYYMMDD, inclusive
    until: int = OPEN_END        # YYYYMMDD, inclusive
    # days after `until` whose articles may still report on the range ("in July"; not "before July")
    reporting_lag: int = field(default=0, compare=False)
    # "by March 7", "as of July 7": a state at a day, which the newest report within the range gives
    as_of: bool = field(default=False, compare=False)
    as_of_day: int = field(default=0, compare=False)   # the day named ("as of July 7"), else 0

    def as_reported(self) -> DateRange:
        """The publication days to search: the range, and its reporting lag after it."""
        if not self.reporting_lag or self.until >= OPEN_END:
            return self
        return DateRange(self.since, _days_after(self.until, self.reporting_lag))

    def reports_at_day(self) -> DateRange | None:
        """"as of July 7": the articles published from that day to the end of the range, which give the
        state on that day (a count as of July 7 is in the July 7 and 8 reports, not in June's)."""
        if not self.as_of or not self.as_of_day or self.as_of_day > self.until:
            return None
        return DateRange(self.as_of_day, self.until)

    def named_day_reports(self, days: int) -> DateRange | None:
        """One day asked about ("on July 19"): the reports published from it to `days` after it, among
        which those naming the day may tell of it; None for a longer range or a state as of a day."""
        if self.since != self.until or self.as_of:
            return None
        return DateRange(self.since, _days_after(self.until, days))

    @property
    def is_open(self) -> bool:
        return self.since <= OPEN_START and self.until >= OPEN_END

    def spans_at_most(self, days: int) -> bool:
        """Is it closed at both ends and at most `days` days from its first day to its last?"""
        if self.since <= OPEN_START or self.until >= OPEN_END:
            return False
        return _days_after(self.since, days) >= self.until

    def contains(self, day: int) -> bool:
        """Undated passages (0) are never inside a range that asks for dates."""
        if self.is_open:
            return True
        return bool(day) and self.since <= day <= self.until

    def describe(self) -> str:
        if self.is_open:
            return "any date"
        lo = _iso(self.since) if self.since > OPEN_START else None
        hi = _iso(self.until) if self.until < OPEN_END else None
        if lo and hi:
            return f"{lo} to {hi}"
        return f"since {lo}" if lo else f"until {hi}"

    # ------------------------------------------------------------------ from options
    @classmethod
    def from_options(cls, since: str | None = None, until: str | None = None) -> DateRange:
        """`--since 2024-06 --until 2024-07-31` (CLI, slash commands): a clear error for a bad value."""
        lo = _option_day(since, "since", end=False)
        hi = _option_day(until, "until", end=True)
        if lo > hi:
            raise FrontlineError(f"“since” ({since}) is after “until” ({until}).")
        return cls(lo, hi)

    # ------------------------------------------------------------------ from a question
    @classmethod
    def in_question(cls, question: str, *, newest: int = 0) -> DateRange:
        """The dates a question names; open when it names none. `newest` (YYYYMMDD, the newest article)
        gives a day or month named without its year its year: the last one on or before it."""
        question = _days_written_out(question)
        since, until = OPEN_START, OPEN_END
        lag = 0
        as_of, as_of_day = False, 0
        consumed: list[tuple[int, int]] = []

        def apply(word: str | None, lo: int, hi: int, at: int = 0) -> None:
            nonlocal since, until, lag, as_of, as_of_day
            word = (word or "in").lower()
            if word in _RANGE_END:
                word = "until" if _FROM_BEFORE.search(question, max(0, at - 40), at) else "in"
            elif word == "from" and _PUBLISHED_FROM.search(question, max(0, at - 30), at):
                word = "in"
            if word in ("before", "after") and lo == hi and _NEXT_DAY.search(question, 0, at):
                # "in the day before November 1" is October 31, "the night after July 4" July 5: one day
                lo = hi = _day_before(lo) if word == "before" else _days_after(lo, 1)
                word = "on"
            if word in _AFTER:
                since = max(since, lo)
            elif word == "before":
                until, lag = min(until, _day_before(lo)), 0
            elif word in _BEFORE:  # "by March 7": the count as of that day, as reported in the days after
                until = min(until, _days_after(hi, REPORTING_LAG_DAYS if hi > lo else REPORTING_LAG_ONE_DAY))
                as_of = word in ("by", "as of")
                # a day is a precise state, which that day's reports give; "by early June" is not
                as_of_day = lo if as_of and lo == hi else 0
            elif lo > until or hi < since:
                # two times that do not meet: "in December 2021 I saw they found the driver murdered back
                # in 2016" is asked of the later one's news, which retells the earlier
                if lo > until:
                    since, until = lo, hi
                    lag = REPORTING_LAG_DAYS if hi > lo else REPORTING_LAG_ONE_DAY
            else:
                since, until = max(since, lo), min(until, hi)
                lag = REPORTING_LAG_DAYS if hi > lo else REPORTING_LAG_ONE_DAY

        for m in _ISO_PHRASE.finditer(question):
            day = _valid_day(int(m.group(2)), int(m.group(3)), int(m.group(4)))
            if day:
                apply(m.group(1), day, day, m.start())
                consumed.append(m.span())
        for m in _DATE_PHRASE.finditer(question):
            word, part, day1, month, day2, year = m.groups()
            lo, hi = _span(int(year), month_number(month), int(day1 or day2 or 0))
            apply(word, *_part_of(lo, hi, None if day1 or day2 else part), m.start())
            consumed.append(m.span())
        for m in _SHORT_YEAR_PHRASE.finditer(question):
            word, part, day1, month, day2, apostrophe, year = m.groups()
            day = int(day1 or day2 or 0)
            if (day or (word or "").lower() in ("in", "during") or part or apostrophe) \
                    and not any(a < m.end() and m.start() < b for a, b in consumed) \
                    and (not day or _valid_day(2000 + int(year), month_number(month), day)):
                apply(word, *_part_of(*_span(2000 + int(year), month_number(month), day), None if day else part),
                      m.start())
                consumed.append(m.span())
        if newest:
            for m in _YEARLESS_DAY.finditer(question):
                if any(a < m.end() and m.start() < b for a, b in consumed):
                    continue
                word, day1, month1, month2, day2 = m.groups()
                month, day = month_number(month1 or month2), int(day1 or day2)
                year = _last_year_with(month, day, newest)
                if _valid_day(year, month, day):
                    apply(word, *_span(year, month, day), m.start())
                    consumed.append(m.span())
            for m in _YEARLESS_MONTH.finditer(question):
                if not any(a <= m.start(3) < b for a, b in consumed):
                    word, part, month = m.group(1), m.group(2), month_number(m.group(3))
                    apply(None if word == "at" else word, *_part_of(*_span(_last_year_with(month, 1, newest), month), part),
                          m.start())
                    consumed.append(m.span(3))
            for m in _PART_MONTH.finditer(question):
                if not any(a <= m.start(2) < b for a, b in consumed):
                    part, month = m.group(1), month_number(m.group(2))
                    apply(None, *_part_of(*_span(_last_year_with(month, 1, newest), month), part))
        if since // 100 == until // 100:  # one month named: a day by its ordinal alone is of that month
            for m in ORDINAL_DAY.finditer(question):
                if day := _valid_day(since // 10000, since // 100 % 100, int(m.group(2))):
                    apply(m.group(1) or "on", day, day, m.start())
                    break
        for m in _YEAR_PHRASE.finditer(question):
            if not any(a <= m.start(2) < b for a, b in consumed) and not (
                    m.group(1) is None and _names_an_event(question, m.start(2), m.end(2))):
                apply(m.group(1), *_span(int(m.group(2))), m.start())
        return cls(since, until, lag, as_of, as_of_day)


def _names_an_event(question: str, start: int, end: int) -> bool:
    """Is the year at question[start:end] part of an event's name, after a determiner and before a noun?"""
    return bool(_DETERMINER_BEFORE.search(question, max(0, start - 40), start) and _WORD_AFTER.match(question, end))


def _option_day(value: str | None, label: str, *, end: bool) -> int:
    """'2024-07-04', '2024-07' or '2024' as YYYYMMDD: the first (or, for an end, the last) day."""
    if value is None or not str(value).strip():
        return OPEN_END if end else OPEN_START
    text = str(value).strip()
    m = _OPTION.fullmatch(text)
    if m:
        year, month, day = int(m.group(1)), m.group(2), m.group(3)
        if month is None or 1 <= int(month) <= 12:
            if day is None:
                lo, hi = _span(year, int(month) if month else None)
                return hi if end else lo
            if _valid_day(year, int(month), int(day)):
                return _valid_day(year, int(month), int(day))
    raise FrontlineError(f"“{text[:40]}” is not a valid {label} date: use YYYY-MM-DD, e.g. 2024-07-01.")


def _span(year: int, month: int | None = None, day: int = 0) -> tuple[int, int]:
    """First and last YYYYMMDD of a year, a month, or one day (an impossible day means the month)."""
    if month is None:
        return year * 10000 + 101, year * 10000 + 1231
    last = calendar.monthrange(year, month)[1]
    base = year * 10000 + month * 100
    if 1 <= day <= last:
        return base + day, base + day
    return base + 1, base + last


def _part_of(lo: int, hi: int, part: str | None) -> tuple[int, int]:
    """The first, middle or last third of a month's span (days 1-10, 11-20, 21-end)."""
    if not part or lo % 100 != 1:
        return lo, hi
    part = part.lower()
    if part in ("start", "beginning", "early"):
        return lo, lo + 9
    if part in ("middle", "mid"):
        return lo + 10, lo + 19
    return lo + 20, hi


def _last_year_with(month: int, day: int, newest: int) -> int:
    """The year of the last (month, day) on or before the YYYYMMDD `newest`."""
    year = newest // 10000
    return year if (month, day) <= (newest // 100 % 100, newest % 100) else year - 1


def _valid_day(year: int, month: int, day: int) -> int:
    try:
        return int(date(year, month, day).strftime("%Y%m%d"))
    except ValueError:
        return 0


def _days_after(yyyymmdd: int, days: int) -> int:
    day = date(yyyymmdd // 10000, yyyymmdd // 100 % 100, yyyymmdd % 100) + timedelta(days=days)
    return day.year * 10000 + day.month * 100 + day.day


def _day_before(yyyymmdd: int) -> int:
    day = date(yyyymmdd // 10000, yyyymmdd // 100 % 100, yyyymmdd % 100) - timedelta(days=1)
    return day.year * 10000 + day.month * 100 + day.day


def _iso(yyyymmdd: int) -> str:
    s = f"{yyyymmdd:08d}"
    return f"{s[:4]}-{s[4:6]}-{s[6:]}"
