"""The answerer on the seeds: answers that answer what was asked, cited, dated and verbatim; abstentions on
what the articles do not cover; speakers for "he said"; briefings about the place; labels; the gold set."""
from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from retrieval import attribution
from retrieval.daterange import DateRange
from retrieval.errors import FrontlineError
from retrieval.evaluation import GOLD_SETS, load_gold, misquotes, quoted_text, run_gold
from retrieval.render import citation_label
from tests.conftest import ROOT

KANAL = {"000_70fc6d4290267bf3", "001_8f52d5173f8974a4"}
SEVERODONETSK = "002_6ac94ade45329e36"
TORETSK = "001_8f52d5173f8974a4"

# Bars for the seed gold set, a little under what it measures (53/54 answerable answered, 54/54 cited,
# 16/16 declined) so that a new failure or two is tolerated but a regression of the answerer is not.
MIN_ANSWERED = 0.92      # 50 of 54
MIN_CITED = 0.96         # 52 of 54
MIN_DECLINED = 1.0       # every question the seeds cannot answer


def _quoted(answer) -> str:
    return quoted_text(answer.answer).lower()


def test_why_question_gets_the_reason_not_the_event(seeded):
    answer = seeded.ask("Why did Ukraine leave the Kanal district?")
    assert not answer.abstained
    assert answer.citations[0].article_id in KANAL
    assert any(r in _quoted(answer) for r in ("were destroyed", "threat to the lives", "increase losses")), answer.answer
    first = answer.citations[0]
    assert first.date in {"2024-07-04", "2024-07-07"} and not first.date_inferred
    assert misquotes(answer, seeded.article_text) == []


def test_why_severodonetsk_quotes_the_reasons_from_the_cited_article(seeded):
    answer = seeded.ask("Why did Ukraine leave Severodonetsk?")
    assert {c.article_id for c in answer.citations} == {SEVERODONETSK}
    assert any(r in _quoted(answer) for r in ("anything left to defend", "shattered posts", "make sense")), answer.answer
    assert "moonscape" not in answer.answer  # a quote from another article about another town


def test_yes_no_question_gets_the_sentence_that_denies_it(seeded):
    answer = seeded.ask("Did Russia capture Toretsk?")
    assert answer.citations[0].article_id == TORETSK
    assert "no enemy russian army in the city" in _quoted(answer) or "territorial gains" in _quoted(answer), answer.answer


def test_a_question_naming_a_place_is_answered_from_articles_about_it(seeded):
    answer = seeded.ask("What is happening around Sloviansk?")
    assert not answer.abstained
    assert {c.article_id for c in answer.citations} == {"004_92324799064f7f45"}  # not the Severodonetsk one
    assert "Slovyansk" in answer.answer.split("[1]")[0]  # the first thing said is about the place asked
    assert "hirske" not in answer.answer.lower()


@pytest.mark.parametrize("question", [
    "Which tanks did Britain give Ukraine?",
    "How many Patriot systems protect Kyiv?",
    "Were any Bradley vehicles lost near Bakhmut?",
    "Who won the 2022 World Cup?",
    "What happened in Avdiivka in February 2024?",
    "What is the recipe for borscht?",
])
def test_questions_about_what_the_articles_lack_are_declined(seeded, question):
    answer = seeded.ask(question)
    assert answer.abstained and answer.citations == []
    assert answer.answer == "The articles I have don't cover that."
    assert "articles" in answer.note


def test_answerable_questions_sharing_those_words_are_still_answered(seeded):
    # the same everyday words as the declined ones, about what the seeds do report
    for question in ("What kind of troops does Russia use to storm Toretsk?", "Are Ukrainians advancing near Bakhmut?"):
        assert not seeded.ask(question).abstained, question


def test_he_said_gets_its_speaker(seeded):
    """Across the gold questions, every quoted "he said" / "according to him" has a visible speaker."""
    resolved = 0
    for item in load_gold():
        if item.get("mode") or item.get("abstain"):
            continue
        answer = seeded.ask(item["question"])
        pieces = re.split(r" ?\[\d+\](?: |\n|$)", answer.answer)
        for piece in pieces:
            plain = re.sub(r" \[[^\]\d][^\]]*\]", "", piece)
            for sentence in re.split(r"(?<=[.!?”])\s+(?=[“A-Z])", plain):
                pronoun = attribution.unattributed_pronoun(sentence)
                if pronoun is None:
                    continue
                before = plain[: plain.index(sentence)]
                named_before = attribution.speaker(before) is not None
                bracketed = re.search(re.escape(sentence[:pronoun.end]) + r" \[[^\]]+\]", piece) is not None
                assert named_before or bracketed, f"{item['id']}: unattributed {sentence[:80]!r} in {answer.answer!r}"
                resolved += 1
    assert resolved >= 3  # the seeds quote Voloshyn, Snehiryov and the US official this way


def test_additions_are_bracketed_and_quotes_verbatim(seeded):
    answer = seeded.ask("How badly damaged are the buildings in Chasiv Yar?")
    assert any(a in answer.answer for a in ("moonscape", "single building intact", "destruction of all high-rise"))
    # the quotes there end in "he added": the speaker is named in brackets or by a quoted sentence
    assert re.search(r"\b(?:he|she) \[(?:Voloshyn|Khodakovsky)\]", answer.answer) or \
        re.search(r"(?:Voloshyn|Khodakovsky)", quoted_text(answer.answer)), answer.answer
    assert misquotes(answer, seeded.article_text) == []


def test_untitled_article_is_labelled_by_its_lead(seeded):
    answer = seeded.ask("How many bombardments hit Chasiv Yar in one day?")
    c = next(c for c in answer.citations if c.article_id == "000_70fc6d4290267bf3")
    assert c.title is None
    label = citation_label(c)
    assert label.startswith("Ukrainian forces have withdrawn from the Kanal") and "…" in label
    assert "000_70fc" not in label and "2024-07-04" in label
    assert json.loads(json.dumps(c.to_json()))["lead"] == c.lead


def test_empty_question_is_refused_clearly(seeded):
    with pytest.raises(FrontlineError, match="ask a question"):
        seeded.ask("   \n\t ")


def test_inferred_dates_are_marked_approximate(seeded):
    answer = seeded.ask("Why did Ukraine withdraw from Severodonetsk?")
    assert answer.citations[0].article_id == SEVERODONETSK
    assert answer.as_of.startswith("≈")


def test_sector_briefing_is_newest_first_cited_and_about_the_place(seeded):
    briefing = seeded.sector("dzerzhynsk")
    assert not briefing.abstained
    dates = [c.date for c in briefing.citations]
    assert dates == sorted(dates, reverse=True)
    assert TORETSK in {c.article_id for c in briefing.citations}
    assert all(f"[{c.n}]" in briefing.answer for c in briefing.citations)
    lines = briefing.answer.split("\n")
    assert len(lines) == len(briefing.citations)
    for line in lines:  # each item's sentence names a place of the Toretsk sector, in any spelling
        names = seeded.places_named(line)
        sector = seeded.names_about("Toretsk")
        assert names & sector, line


def test_timeline_is_chronological_respects_since_and_names_the_place(seeded):
    timeline = seeded.timeline("Chasov Yar")
    items = timeline.citations
    assert [c.date for c in items] == sorted(c.date for c in items)
    for line in timeline.answer.split("\n"):
        assert seeded.places_named(line) & {"Chasiv Yar", "Kanal", "Novy"}, line
    later = seeded.timeline("Chasiv Yar", DateRange.from_options(since="2024-07-05")).citations
    assert later and all(c.date >= "2024-07-05" for c in later)


def test_unknown_place_suggests_close_names(seeded):
    with pytest.raises(FrontlineError, match="Bakhmut"):
        seeded.sector("Bakhmutt")


def test_bad_timeline_date_is_explained(seeded):
    with pytest.raises(FrontlineError, match="YYYY-MM-DD"):
        seeded.timeline("Toretsk", DateRange.from_options(since="2024-13-40"))


@pytest.mark.parametrize("name", sorted(GOLD_SETS))
def test_gold_answers_are_answers_not_words_of_the_question(name):
    items = load_gold(name)
    assert len(items) >= 30 and sum(1 for i in items if i.get("abstain")) >= 8
    for item in items:
        if item.get("abstain") or item.get("mode"):
            continue
        assert item["answers"] and item["articles"], item["id"]
        for term in item["answers"]:
            assert term.lower() not in item["question"].lower(), f"{item['id']}: {term!r} is in the question"


def test_gold_set_keeps_its_bar(seeded):
    report = run_gold(seeded, load_gold())
    print(report.summary())
    assert report.rate("answered", True) >= MIN_ANSWERED, report.summary()
    assert report.rate("cited", True) >= MIN_CITED, report.summary()
    assert report.rate("answered", False) >= MIN_DECLINED, report.summary()
    assert report.misquotes == []


def test_cli_ask_json_prints_one_line_per_input_line_in_order(seeded):
    env = {"FRONTLINE_DATA_DIR": str(seeded.config.data_dir), "HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin"}
    lines_in = (b"Who speaks for the Khortytsia group?\n\n\xff\xfe broken bytes\n   \nWho won the 2022 World Cup?\n"
                b"How many bombardments hit Chasiv Yar in one day?")
    out = subprocess.run([sys.executable, "-m", "retrieval", "ask", "--json"], input=lines_in,
                         capture_output=True, cwd=ROOT, env=env, timeout=180)
    assert out.returncode == 0, out.stderr
    lines = [json.loads(line) for line in out.stdout.decode().splitlines()]
    assert len(lines) == 6
    assert lines[0]["abstained"] is False and "Voloshyn" in lines[0]["answer"]
    assert set(lines[1]) == {"question", "error"} and lines[1]["question"] == ""
    assert set(lines[2]) == {"question", "error"} and "UTF-8" in lines[2]["error"]
    assert set(lines[3]) == {"question", "error"}
    assert lines[4]["abstained"] is True
    assert "238" in lines[5]["answer"]
    assert set(lines[0]) == {"question", "answer", "abstained", "as_of", "took_ms", "citations"}
    assert set(lines[0]["citations"][0]) >= {"n", "article_id", "title", "lead", "date", "date_precision", "source",
                                             "passage", "start", "end", "score"}


def test_cli_eval_prints_both_levels_per_kind(seeded, tmp_path):
    items = {i["id"]: i for i in load_gold()}
    gold = tmp_path / "gold.jsonl"
    gold.write_text("\n".join(json.dumps(items[i]) for i in ("chasiv-bombardments", "none-borscht", "sector-toretsk")))
    env = {"FRONTLINE_DATA_DIR": str(seeded.config.data_dir), "HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-m", "retrieval", "eval", "--gold", str(gold)], capture_output=True,
                         text=True, cwd=ROOT, env=env, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "cited (top 3)" in out.stdout and "answered" in out.stdout
    for kind in ("fact", "sector", "unanswerable"):
        assert re.search(rf"^{kind}\s+1/1\s+100%\s+1/1\s+100%$", out.stdout, re.M), out.stdout


def test_how_far_is_answered_from_coordinates_and_the_articles_own_statement(seeded):
    answer = seeded.ask("How far is Toretsk from Horlivka?")
    assert not answer.abstained
    added = re.match(r"\[Toretsk is about (\d+) km from Horlivka in a straight line \(gazetteer coordinates\)\.\]",
                     answer.answer)
    assert added and 5 <= int(added.group(1)) <= 30, answer.answer
    assert "10 km" in answer.answer and answer.citations  # the article's own figure, quoted and cited
    assert misquotes(answer, seeded.article_text) == []


def test_how_far_between_places_the_articles_never_relate_still_gets_the_distance(seeded):
    answer = seeded.ask("What is the distance between Kupiansk and Kherson?")
    assert not answer.abstained and answer.answer.startswith("[Kupiansk is about")
    assert "straight line" in answer.answer
