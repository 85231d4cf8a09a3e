"""What a question asks for: places in any alias, date ranges, 'latest'."""
from __future__ import annotations

import pytest

from retrieval import questions as qs
from retrieval.daterange import DateRange
from retrieval.intent import parse_intent


@pytest.mark.parametrize("question,since,until", [
    ("What happened in Toretsk in July 2024?", 20240701, 20240731),
    ("Since June 2022, what changed in Kherson?", 20220601, 99999999),
    ("What happened before 2023 in Bakhmut?", 0, 20221231),
    ("News from Pokrovsk on 2024-08-15", 20240815, 20240815),
    ("What happened on 3 March 2022 in Mariupol?", 20220303, 20220303),
    ("Who won the World Cup?", 0, 99999999),
    # a year in an event's name is when the event was, not when the news came out
    ("which 2014 battle did the adviser compare the Lyman pocket to?", 0, 99999999),
    ("who said Russia broke the 1994 deal?", 0, 99999999),
    ("What did Ukraine lose in 2014?", 20140101, 20141231),
    ("Bakhmut 2022 losses", 20220101, 20221231),
    # "the day before" a day is one day, not everything before it
    ("How many strikes did the air force carry out in the day before 1 November 2022?", 20221031, 20221031),
    ("What was shelled the night after 2022-02-24?", 20220225, 20220225),
    ("What happened in Bakhmut before 1 November 2022?", 0, 20221031),
    # two times that do not meet: the news of the later one, which retells the earlier
    ("In December 2021 the SBU found the driver murdered back in 2016. What was his name?", 20211201, 20211231),
    ("As the votes ended in late September 2022, what did Moscow plan for the peninsula it took in 2014?",
     20220921, 20220930),
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


def test_a_year_after_the_newest_article_is_a_plan_the_evidence_must_name_not_a_date_filter(gazetteer, fresh, tmp_path):
    plan = parse_intent("What will replace conscription in Ukraine from 2024?", gazetteer, newest=20221117)
    assert plan.dates.is_open and plan.years_ahead == ["2024"]
    past = parse_intent("What happened in Bakhmut in 2022?", gazetteer, newest=20221117)
    assert past.dates.since == 20220101 and past.years_ahead == []
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "plan.md").write_text("---\ndate: 2022-02-02\ntitle: Army reform\n---\nDefense Minister Oleksii "
                                    "Reznikov says that from 2024 Ukraine plans to replace conscription with "
                                    "short-term intensive training.\n")
    (corpus / "shelling.md").write_text("---\ndate: 2022-08-10\ntitle: Bakhmut\n---\nRussian artillery shelled "
                                        "Bakhmut again overnight, the regional governor said.\n")
    fresh.ingest([corpus])
    assert "intensive training" in fresh.ask("What will replace conscription in Ukraine from 2024?").answer
    assert fresh.ask("What happened in Bakhmut in 2024?").abstained  # no article names that year


def test_latest_is_recognised(gazetteer):
    assert parse_intent("What is the latest from Chasiv Yar?", gazetteer).latest
    assert not parse_intent("Why did Ukraine leave Kanal?", gazetteer).latest


def test_a_period_asked_about_is_searched_with_the_days_its_reports_come_out_after_it():
    assert DateRange.in_question("in August 2022").as_reported() == DateRange(20220801, 20220907)
    assert DateRange.in_question("on 2024-07-31").as_reported() == DateRange(20240731, 20240802)
    assert DateRange.in_question("before 2023").as_reported() == DateRange(0, 20221231)   # "before" means before
    assert DateRange.in_question("since June 2022").as_reported() == DateRange(20220601, 99999999)
    # "by March 7": the count as of that day, as the next days' reports give it, inside the range itself
    assert DateRange.in_question("How many were killed by March 7, 2022?") == DateRange(0, 20220309)


def test_a_state_as_of_a_day_is_also_searched_in_the_reports_of_that_day_and_the_next():
    assert DateRange.in_question("How many children died as of July 7, 2022?").reports_at_day() == \
        DateRange(20220707, 20220709)
    assert DateRange.in_question("How many were killed by March 7, 2022?").reports_at_day() == \
        DateRange(20220307, 20220309)
    # a period is no precise state: "by early June" keeps its one range; nor is "before" or "in" a state
    for question in ("How many localities were freed by early June 2022?", "What happened before March 7, 2022?",
                     "What happened on July 7, 2022?", "What happened in July 2022?"):
        assert DateRange.in_question(question).reports_at_day() is None, question


@pytest.mark.parametrize("question,since,until", [
    ("How many strikes were there on November 1?", 20221101, 20221101),    # the last November 1
    ("What happened in Toretsk in December?", 20211201, 20211231),         # December 2022 is after it
    ("What was reported since Sept. 3?", 20220903, 99999999),
    ("What happened on the 5th of December 2022?", 20221205, 20221205),    # a year given is kept
    ("What may happen in Kherson?", 0, 99999999),                          # "may" the verb
    ("how many cops did prague send end of feb?", 20220221, 20220228),      # a part of a month names it
    ("what was hit early march", 20220301, 20220310),
    ("the war may end soon", 0, 99999999),
])
def test_a_day_or_month_without_a_year_is_the_last_one_the_store_has_news_from(question, since, until):
    assert DateRange.in_question(question, newest=20221117) == DateRange(since, until)
    assert DateRange.in_question(question) == (DateRange(0, 99999999) if "2022" not in question
                                               else DateRange(since, until))  # no store, no guess


@pytest.mark.parametrize("question,since,until", [
    ("How many settlements were shelled at the start of May 2022?", 20220501, 20220510),
    ("What happened in mid-March 2022?", 20220311, 20220320),
    ("What was reported in late August?", 20220821, 20220831),
    ("What happened on the end of May 2022 in Lyman?", 20220521, 20220531),
    ("What happened on 3 March 2022?", 20220303, 20220303),    # a day named is that day
])
def test_the_start_middle_or_end_of_a_month_is_its_first_middle_or_last_ten_days(question, since, until):
    assert DateRange.in_question(question, newest=20221117) == DateRange(since, until)


@pytest.mark.parametrize("question,since,until", [
    ("mid march 22 the polish pm took the train to kyiv", 20220311, 20220320),   # a day is not "mid"
    ("the yavoriv strike in march 22 - how many died", 20220301, 20220331),      # "in" takes a month
    ("what happened in june '22", 20220601, 20220630),
    ("end of feb 23, what was hit", 20230221, 20230228),
    ("what happened on march 22", 20220322, 20220322),                            # "on" takes a day
    ("how many by March 22?", 0, 20220324),
    ("what happened in March 22nd", 20220322, 20220322),
    ("who turned up in kyiv around may 8 22?", 20220508, 20220508),            # a day, then its year
    ("on 8 may 22 what was hit", 20220508, 20220508),
])
def test_two_digits_after_a_month_are_its_year_where_they_cannot_be_its_day(question, since, until):
    assert DateRange.in_question(question, newest=20221117) == DateRange(since, until)


@pytest.mark.parametrize("question,since,until", [
    ("what happened from 1 March 2022 to 10 March 2022", 20220301, 20220312),    # was: March 10 alone
    ("what happened from March to May 2022", 20220301, 20220607),                # was: May alone
    ("how many were shelled from 2021 through 2022", 20210101, 20230107),
    ("an RT piece from early April 2022 said what?", 20220401, 20220410),       # published then: not "since"
    ("what has changed from April 2022 onwards", 20220401, 99999999),
    ("who was sent to the May 9 parade", 20220509, 20220509),                    # "to" without "from": no range
])
def test_from_one_date_to_another_is_the_range_between_and_a_piece_from_a_month_was_published_in_it(question, since, until):
    assert DateRange.in_question(question, newest=20221117) == DateRange(since, until)


@pytest.mark.parametrize("question,since,until", [
    ("On the night of 22 to 23 October 2022, which village was hit?", 20221022, 20221025),  # was: the 23rd alone
    ("what happened on October 22-23, 2022", 20221022, 20221025),
    ("the night of 22/23 October, what was hit", 20221022, 20221025),
    ("overnight oct 22 to 23 wat got hit", 20221022, 20221025),
    ("killed 2 to 3 people on May 5", 20220505, 20220505),                  # a count, not days of a month
    ("what happened on October 22, 2022", 20221022, 20221022),
])
def test_two_days_of_one_month_are_the_range_between_them(question, since, until):
    assert DateRange.in_question(question, newest=20221117) == DateRange(since, until)


def test_the_first_day_of_a_run_of_two_is_a_day_not_a_number_asked_for():
    numbers = lambda q: [t.text for t in qs.salient_terms(q, [], lambda stems: {}, 0, rare_below=0.0)
                         if t.kind == "number"]
    assert numbers("On the night of 22 to 23 October 2022, which village was hit?") == []
    assert numbers("oct 22 to 23 wat got hit") == []
    assert numbers("how many of the 22 to 23 tanks sent in October were hit?") != []  # no month beside them


def test_the_newest_are_shown_first_from_a_pool_of_the_most_relevant_narrower_for_a_day_asked_about(gazetteer):
    from retrieval.postprocess import Ranked, newest_first_if_latest

    # best first by relevance; the newer a candidate, the less relevant
    ranked = [Ranked(f"a{i}#0", f"a{i}", 20221002 + i // 10, False, 1.0 - i / 100, 0.5) for i in range(40)]
    latest = parse_intent("What is the latest on prisoner exchanges?", gazetteer)
    as_of = parse_intent("How many people had come back from captivity as of October 2, 2022?", gazetteer)
    assert latest.latest and as_of.latest and as_of.dates.as_of
    # "the latest": the 3k most relevant, newest first; "as of a day": the 2k most relevant, newest first
    assert [r.passage_id for r in newest_first_if_latest(ranked, latest, 5)][:1] == ["a10#0"]
    assert [r.passage_id for r in newest_first_if_latest(ranked, as_of, 5)][:1] == ["a0#0"]
    assert len(newest_first_if_latest(ranked, as_of, 5)) == 10
    # the best match published on the day asked about stays first among the next days' reports…
    on_the_day = [Ranked("best#0", "best", 20221002, False, 2.0, 0.7)] + [
        Ranked(f"n{i}#0", f"n{i}", 20221003, False, 1.0 - i / 100, 0.5) for i in range(20)]
    assert [r.passage_id for r in newest_first_if_latest(on_the_day, as_of, 5)][:1] == ["best#0"]
    # …one published before it is one old count among the newer: newest first
    older = [Ranked("old#0", "old", 20220409, False, 2.0, 0.7)] + on_the_day[1:]
    assert [r.passage_id for r in newest_first_if_latest(older, as_of, 5)][-1:] == ["old#0"]


def test_the_passage_closest_in_meaning_is_kept_when_fusion_ranks_it_just_out():
    from retrieval.postprocess import CLOSEST_MARGIN, Ranked, with_the_closest

    # fused best first; the closest in meaning came sixth (untagged with the place the other lists steered to)
    ranked = [Ranked(f"a{i}#0", f"a{i}", 20220216, True, 1.0 - i / 100, 0.55 - i / 100) for i in range(5)]
    swiss = Ranked("swiss#0", "swiss", 20220216, False, 0.5, 0.62)
    assert [r.passage_id for r in with_the_closest(ranked + [swiss], 5)] == ["a0#0", "a1#0", "a2#0", "a3#0",
                                                                            "swiss#0"]
    # not clearly closer than the best kept: the fused order stands
    near = Ranked("near#0", "near", 20220216, False, 0.5, 0.55 + CLOSEST_MARGIN / 2)
    assert [r.passage_id for r in with_the_closest(ranked + [near], 5)] == [r.passage_id for r in ranked]
    assert with_the_closest(ranked, 5) == ranked and with_the_closest([], 5) == []


def test_a_day_by_its_ordinal_alone_is_of_the_month_the_question_names():
    from retrieval import questions as qs
    from retrieval.daterange import DateRange

    asked = ("My aunt told me the Russians shelled Konstantinovka again in mid-September 2022. On the 17th, how "
             "many people were hurt there?")
    assert (DateRange.in_question(asked).since, DateRange.in_question(asked).until) == (20220917, 20220917)
    common = lambda stems: {s: 50_000 for s in stems}
    assert "17th" not in [t.text for t in qs.salient_terms(asked, [], common, 100_000, rare_below=0.0005)]
    # an ordinal that names a unit, or no month named: no day
    brigade = "What did the 93rd brigade do in September 2022?"
    assert DateRange.in_question(brigade).since == 20220901
    assert "93rd" in [t.text for t in qs.salient_terms(brigade, [], common, 100_000, rare_below=0.0005)]
    assert DateRange.in_question("What happened on the 5th?", newest=20221130).is_open
