"""A range of publication days: what a question ("in July 2024", "since 2023") or an option
(`--since 2024-06`, the slash command's `until`) asks for.

Days are YYYYMMDD integers, the form the store keeps (0 = an unknown date), so a range test is two
integer comparisons, vectorised over the whole corpus by the row index.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from retrieval.dates import MONTH_WORD, month_number
from retrieval.errors import FrontlineError

OPEN_START = 0
OPEN_END = 99999999          # after every real day

_OPTION = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")

# Question phrases: "in July 2024", "since 3 June 2022", "before 2023", "on 2024-07-04".
_RANGE_WORD = r"(in|during|on|since|after|from|before|until|till|by|as of)?"
_YEAR = r"((?:19|20)\d\d)"
_DATE_PHRASE = re.compile(
    rf"\b{_RANGE_WORD}\s*(?:(\d{{1,2}})\s+)?({MONTH_WORD})\s+(?:(\d{{1,2}}),?\s+)?{_YEAR}\b", re.I)
_YEAR_PHRASE = re.compile(rf"\b{_RANGE_WORD}\s*{_YEAR}\b", re.I)
_ISO_PHRASE = re.compile(rf"\b{_RANGE_WORD}\s*(\d{{4}})-(\d{{2}})-(\d{{2}})\b", re.I)
_AFTER = {"since", "after", "from"}
_BEFORE = {"before", "until", "till", "by", "as of"}


@dataclass(frozen=True)
class DateRange:
    since: int = OPEN_START      # YYYYMMDD, inclusive
    until: int = OPEN_END        # YYYYMMDD, inclusive

    @property
    def is_open(self) -> bool:
        return self.since <= OPEN_START and self.until >= OPEN_END

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
    def in_question(cls, question: str) -> DateRange:
        """The dates a question names; open when it names none."""
        since, until = OPEN_START, OPEN_END
        consumed: list[tuple[int, int]] = []

        def apply(word: str | None, lo: int, hi: int) -> None:
            nonlocal since, until
            word = (word or "in").lower()
            if word in _AFTER:
                since = max(since, lo)
            elif word in _BEFORE:
                until = min(until, _day_before(lo) if word == "before" else hi)
            else:
                since, until = max(since, lo), min(until, hi)

        for m in _ISO_PHRASE.finditer(question):
            day = _valid_day(int(m.group(2)), int(m.group(3)), int(m.group(4)))
            if day:
                apply(m.group(1), day, day)
                consumed.append(m.span())
        for m in _DATE_PHRASE.finditer(question):
            word, day1, month, day2, year = m.groups()
            lo, hi = _span(int(year), month_number(month), int(day1 or day2 or 0))
            apply(word, lo, hi)
            consumed.append(m.span())
        for m in _YEAR_PHRASE.finditer(question):
            if not any(a <= m.start(2) < b for a, b in consumed):
                apply(m.group(1), *_span(int(m.group(2))))
        return cls(since, until)


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


def _valid_day(year: int, month: int, day: int) -> int:
    try:
        return int(date(year, month, day).strftime("%Y%m%d"))
    except ValueError:
        return 0


def _day_before(yyyymmdd: int) -> int:
    day = date(yyyymmdd // 10000, yyyymmdd // 100 % 100, yyyymmdd % 100) - timedelta(days=1)
    return day.year * 10000 + day.month * 100 + day.day


def _iso(yyyymmdd: int) -> str:
    s = f"{yyyymmdd:08d}"
    return f"{s[:4]}-{s[4:6]}-{s[6:]}"
