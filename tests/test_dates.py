from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from retrieval.cleaning import clean_article
from retrieval.dates import ArticleDate, date_as_int, format_date, resolve_date

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
TODAY = date(2025, 6, 1)


def _seed_date(prefix: str) -> ArticleDate:
    path = next(SEEDS.glob(f"{prefix}_*.txt"))
    cleaned = clean_article(path.read_text(encoding="utf-8"))
    return resolve_date(header_date=cleaned.header_date, metadata_date=None, text=cleaned.body,
                        captions=cleaned.captions, today=TODAY)


def _infer(text: str, captions: tuple[str, ...] = ()) -> ArticleDate:
    return resolve_date(header_date=None, metadata_date=None, text=text, captions=captions, today=TODAY)


# --- the seeds ---------------------------------------------------------------------------------

def test_seed_000_header_date() -> None:
    assert _seed_date("000") == ArticleDate("2024-07-04", "day", False, "header")


def test_seed_001_header_date() -> None:
    assert _seed_date("001") == ArticleDate("2024-07-07", "day", False, "header")


def test_seed_002_four_months_to_the_day_since_the_invasion() -> None:
    d = _seed_date("002")
    assert (d.value, d.precision, d.inferred) == ("2022-06-24", "day", True)
    assert "four months to the day since" in d.cue
    assert len(d.cue) <= 80


def test_seed_003_month_day_resolved_by_the_dated_caption() -> None:
    d = _seed_date("003")
    assert (d.value, d.precision, d.inferred) == ("2023-07-02", "day", True)
    assert "July 2" in d.cue
    assert len(d.cue) <= 80


def test_seed_004_months_into_the_war() -> None:
    d = _seed_date("004")
    assert (d.value, d.precision, d.inferred) == ("2022-07", "month", True)
    assert "five months into the war" in d.cue


@pytest.mark.parametrize("prefix", ["002", "003", "004"])
def test_seed_cue_is_verbatim(prefix: str) -> None:
    path = next(SEEDS.glob(f"{prefix}_*.txt"))
    assert _seed_date(prefix).cue in path.read_text(encoding="utf-8")


# --- precedence and validation ------------------------------------------------------------------

def test_no_cue_is_unknown() -> None:
    d = _infer("Russian forces shelled the town again, officials said on Tuesday.")
    assert d == ArticleDate(None, "unknown", False, None)
    assert format_date(d) == "date unknown"
    assert date_as_int(d) is None


def test_metadata_overrides_header() -> None:
    d = resolve_date(header_date="2024-07-04", metadata_date="2024-07-05", text="five months into the war")
    assert d == ArticleDate("2024-07-05", "day", False, "metadata")


def test_metadata_datetime_and_month() -> None:
    assert resolve_date(header_date=None, metadata_date="2023-06-17T08:30:00Z", text="").value == "2023-06-17"
    month = resolve_date(header_date=None, metadata_date="2023-06", text="")
    assert (month.value, month.precision, month.inferred) == ("2023-06", "month", False)
    assert format_date(month) == "June 2023"


def test_unusable_metadata_falls_back_to_header() -> None:
    d = resolve_date(header_date="2024-07-04", metadata_date="n/a", text="")
    assert d == ArticleDate("2024-07-04", "day", False, "header")


def test_bare_year_is_not_a_date() -> None:
    assert _infer("Russia has occupied parts of Donetsk since 2014.").precision == "unknown"


def test_bare_year_does_not_anchor_a_month_day() -> None:
    assert _infer("Fighting began in 2014. On July 2 the town was shelled.").precision == "unknown"


def test_invalid_header_falls_back_to_inference() -> None:
    cleaned = clean_article("date 2024-13-40 The report was published on 2023-06-17 by the ministry.")
    assert cleaned.header_date is None
    d = resolve_date(header_date="2024-13-40", metadata_date=None, text=cleaned.body, today=TODAY)
    assert (d.value, d.precision, d.inferred) == ("2023-06-17", "day", True)


# --- explicit dates ------------------------------------------------------------------------------

def test_iso_date_in_text() -> None:
    d = _infer("The General Staff report dated 2023-06-17 listed 24 clashes.")
    assert (d.value, d.precision, d.inferred) == ("2023-06-17", "day", True)
    assert "2023-06-17" in d.cue


def test_day_month_year() -> None:
    d = _infer("The brigade was withdrawn on 17 June 2023, the commander said.")
    assert (d.value, d.precision) == ("2023-06-17", "day")
    assert format_date(d) == "≈ 2023-06-17"
    assert date_as_int(d) == 20230617


def test_weekday_month_day_year_and_dotted() -> None:
    assert _infer("On Saturday, June 17, 2023, the town was shelled.").value == "2023-06-17"
    assert _infer("Станом на 17.06.2023 the losses were reported.").value == "2023-06-17"


def test_month_only() -> None:
    d = _infer("The offensive stalled in March 2023, analysts said.")
    assert (d.value, d.precision, d.inferred) == ("2023-03", "month", True)
    assert format_date(d) == "≈ March 2023"
    assert date_as_int(d) == 20230301


def test_latest_candidate_wins() -> None:
    d = _infer("Russia invaded on February 24, 2022. By June 17, 2023, the front had barely moved.")
    assert d.value == "2023-06-17"


def test_future_outlier_is_ignored() -> None:
    d = _infer("On June 17, 2023, officials met. Talks are scheduled for March 31, 2024.",
               )
    assert d.value == "2023-06-17"


def test_dates_before_2014_and_in_the_future_are_ignored() -> None:
    assert _infer("Ukraine became independent on August 24, 1991.").precision == "unknown"
    assert _infer("The plan runs until December 31, 2030.").precision == "unknown"


def test_month_day_year_prefers_the_anchor_year() -> None:
    d = _infer("As of July 3, Russian troops held the district.", captions=("Soldiers near Bakhmut on June 17, 2023.",))
    assert d.value == "2023-07-03"
    january = _infer("On December 30 the city was shelled again.", captions=("Kyiv, January 5, 2023.",))
    assert january.value == "2023-01-05"       # December 30 resolves to 2022, just before the anchor


# --- invasion-relative cues ----------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "value", "precision"),
    [
        ("The battle raged 100 days into the war.", "2022-06-04", "day"),
        ("It is now six months since the invasion began.", "2022-08", "month"),
        ("Shelling continued in the five-month-old war.", "2022-07", "month"),
        ("Ukraine marked the first anniversary of the full-scale invasion.", "2023-02-24", "day"),
        ("Kyiv marked the second anniversary of Russia's invasion.", "2024-02-24", "day"),
        ("Three years into the full-scale invasion, the front is stalled.", "2025-02", "month"),
        ("A year after Russia invaded, the city is in ruins.", "2023-02", "month"),
        ("Eleven months into the war, Bakhmut still holds.", "2023-01", "month"),
    ],
)
def test_invasion_relative(text: str, value: str, precision: str) -> None:
    d = _infer(text)
    assert (d.value, d.precision, d.inferred) == (value, precision, True)


def test_years_of_war_alone_may_count_from_2014() -> None:
    assert _infer("Ten years into the war, the town is empty.").precision == "unknown"


def test_format_header_and_inferred_day() -> None:
    assert format_date(ArticleDate("2024-07-04", "day", False, "header")) == "2024-07-04"
    assert format_date(ArticleDate("2023-07-02", "day", True, "on July 2")) == "≈ 2023-07-02"
    assert format_date(ArticleDate("2022-07", "month", True, "five months into the war")) == "≈ July 2022"
    assert date_as_int(ArticleDate("2024-07-04", "day", False, "header")) == 20240704
