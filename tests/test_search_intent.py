"""What a question asks for: places in any alias, date ranges, 'latest'."""
from __future__ import annotations

import pytest

from retrieval.daterange import DateRange
from retrieval.intent import parse_intent


@pytest.mark.parametrize("question,since,until", [
    ("What happened in Toretsk in July 2024?", 20240701, 20240731),
    ("Since June 2022, what changed in Kherson?", 20220601, 99999999),
    ("What happened before 2023 in Bakhmut?", 0, 20221231),
    ("News from Pokrovsk on 2024-08-15", 20240815, 20240815),
    ("What happened on 3 March 2022 in Mariupol?", 20220303, 20220303),
    ("Who won the World Cup?", 0, 99999999),
])
def test_dates_in_questions_become_ranges(gazetteer, question, since, until):
    intent = parse_intent(question, gazetteer)
    assert (intent.dates.since, intent.dates.until) == (since, until)
    assert intent.dates == DateRange(since, until)


def test_aliases_resolve_to_the_place_and_its_sector_and_are_spelled_out_for_search(gazetteer):
    intent = parse_intent("What is the situation around Dzerzhynsk?", gazetteer)
    assert [p.name for p in intent.places] == ["Toretsk"]
    assert intent.sectors and intent.sectors[0].name == "Toretsk"
    assert "Dzerzhynsk (Toretsk)" in intent.text


def test_latest_is_recognised(gazetteer):
    assert parse_intent("What is the latest from Chasiv Yar?", gazetteer).latest
    assert not parse_intent("Why did Ukraine leave Kanal?", gazetteer).latest
