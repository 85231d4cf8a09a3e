from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.cleaning import CleanedArticle, clean_article

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def _seed(prefix: str) -> tuple[str, CleanedArticle]:
    path = next(SEEDS.glob(f"{prefix}_*.txt"))
    raw = path.read_text(encoding="utf-8")
    return raw, clean_article(raw)


def _paragraphs(body: str) -> list[str]:
    return body.split("\n\n")


def _assert_verbatim(raw: str, cleaned: CleanedArticle) -> None:
    # Only line edges may be trimmed: every paragraph is a substring of the edge-trimmed input.
    trimmed = "\n".join(line.strip() for line in raw.replace("\r\n", "\n").split("\n"))
    for paragraph in _paragraphs(cleaned.body):
        assert paragraph and paragraph in trimmed, paragraph
        for line in paragraph.split("\n"):
            assert line in raw, line


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_every_seed_paragraph_is_verbatim(prefix: str) -> None:
    raw, cleaned = _seed(prefix)
    _assert_verbatim(raw, cleaned)
    assert "\n\n\n" not in cleaned.body
    assert cleaned.body == cleaned.body.strip()


# --- seeds with a date header -------------------------------------------------------------------

def test_seed_000_header_parsed_and_removed() -> None:
    _, cleaned = _seed("000")
    assert cleaned.header_date == "2024-07-04"
    assert not cleaned.body.startswith("date")
    assert "date 2024-07-04" not in cleaned.body
    assert cleaned.body.startswith("Ukrainian forces have withdrawn from the Kanal micro-district")
    assert cleaned.body.endswith("This has serious implications for the operational map of the Donetsk region,” he added.")
    assert ("header", "date 2024-07-04") in cleaned.removed
    assert cleaned.outlet is None            # "told Kyiv Post" names who was spoken to, not the publisher


def test_seed_001_header_parsed_and_nothing_else_removed() -> None:
    raw, cleaned = _seed("001")
    assert cleaned.header_date == "2024-07-07"
    assert cleaned.body.startswith("Russian troops are advancing on Toretsk in the Donetsk region.")
    assert cleaned.body.endswith("as outlined by DeepState.")
    assert [reason for reason, _ in cleaned.removed] == ["header"]
    assert len(_paragraphs(cleaned.body)) == raw.count("\n\n") + 1
    assert cleaned.outlet is None


# --- seed 002: title line, author card, "Check Also" tail -----------------------------------------

def test_seed_002_boilerplate_removed() -> None:
    _, cleaned = _seed("002")
    for gone in ("About Derick Walton", "Check Also", "Taopi tornado", "broken bones"):
        assert gone not in cleaned.body
    assert cleaned.title == "Troops evacuate the city from the rubble"
    assert not cleaned.body.startswith("Troops evacuate the city")
    assert cleaned.header_date is None
    assert cleaned.outlet is None            # only "told Reuters" in the text


def test_seed_002_content_kept() -> None:
    _, cleaned = _seed("002")
    paragraphs = _paragraphs(cleaned.body)
    assert paragraphs[0].startswith("Ukraine was due to withdraw its troops from the ruined city of Severodonetsk")
    assert paragraphs[-1].startswith("The UN nuclear watchdog has expressed concern")
    assert "four months to the day since Russian President Vladimir Putin" in cleaned.body
    assert "“Staying in shattered posts for several months just to stay there doesn’t make sense,” Gaidai told Ukrainian television." in paragraphs


# --- seed 003: a full news-site page ------------------------------------------------------------

def test_seed_003_chrome_removed() -> None:
    _, cleaned = _seed("003")
    for gone in ("News Feed", "2 min read", "Article image", "Avatar", "Reporter", "is a reporter with",
                 "Read more", "Show More", "(Photo by", "Getty Images", "Editor’s note",
                 "It’s a lottery", "Alexander Khrebet", "boot camps for teenagers"):
        assert gone not in cleaned.body, gone
    assert "\nVideo" not in cleaned.body and not cleaned.body.endswith("Video")


def test_seed_003_title_outlet_and_content() -> None:
    _, cleaned = _seed("003")
    assert cleaned.title == "Military reports advances on flanks of Bakhmut"
    assert "Military reports advances on flanks of Bakhmut" not in cleaned.body   # no copy of the headline
    assert cleaned.outlet in {"Kyiv Independent", "The Kyiv Independent"}
    paragraphs = _paragraphs(cleaned.body)
    assert paragraphs[0].startswith("Ukrainian forces continue to gradually advance on the flanks of Bakhmut")
    assert paragraphs[0].endswith("told national television on July 2.")
    assert paragraphs[-1] == "\"Every day, every meter is given by blood,\" Zaluzhnyi said."
    assert "Ukrainian forces are “pressuring” Russian troops and liberating the territories, Cherevatyi said." in paragraphs


def test_seed_003_caption_kept_as_date_evidence() -> None:
    _, cleaned = _seed("003")
    assert any("June 17, 2023" in caption and "(Photo by" in caption for caption in cleaned.captions)
    reasons = {reason for reason, _ in cleaned.removed}
    assert {"caption", "author-bio", "teaser", "title"} <= reasons


# --- seed 004: key points, an embed in another script, a doubled caption ---------------------------

def test_seed_004_noise_removed() -> None:
    _, cleaned = _seed("004")
    assert "到 Facebook 查看帖子、照片和更多内容。" not in cleaned.body
    assert "AFP / ARIS MESSINIS" not in cleaned.body
    assert "Ukrainian soldiers inspect a destroyed warehouse" not in cleaned.body
    assert len([c for c in cleaned.captions if c.startswith("Ukrainian soldiers inspect")]) == 2
    assert ("other-script", "到 Facebook 查看帖子、照片和更多内容。") in cleaned.removed


def test_seed_004_bullets_and_quotes_kept() -> None:
    _, cleaned = _seed("004")
    paragraphs = _paragraphs(cleaned.body)
    bullets = [p for p in paragraphs if p.startswith("•")]
    assert len(bullets) == 3
    assert bullets[0].startswith("• Russian troops advancing in Slovyansk")
    assert paragraphs[3].startswith("Russian soldiers were forced to retreat from their positions in Donetsk")
    assert paragraphs[-1].startswith("The paratrooper added that his comrades had repeatedly sent resignation letters")
    assert "\"They're kept locked up in the garage, they're locked outside,\" he said" in cleaned.body
    assert cleaned.title is None


# --- other outlets' pages (synthetic) ------------------------------------------------------------

OTHER_OUTLET_PAGE = """\
Skip to content
Russia strikes Kharkiv power plant overnight
By Jane Doe
Updated: 12:30
Share this article

Russian missiles struck a power plant in Kharkiv overnight, regional governor Oleh Syniehubov said on Telegram.

Вибухи пролунали близько третьої ночі, повідомив голова обласної адміністрації.

“The attack lasted more than an hour,” he said. A Reuters/Ipsos poll published last week showed strong support for air defence.

What happens next

Repair crews were working to restore electricity to about 200,000 households, the city's mayor said.

By Tuesday evening, power had returned to most districts.

© 2024 Example Daily News. All rights reserved.

Related articles
Ukraine shoots down 30 drones over Odesa
Zelensky meets Biden in Washington
"""


def test_other_outlet_chrome_removed() -> None:
    cleaned = clean_article(OTHER_OUTLET_PAGE)
    for gone in ("Skip to content", "By Jane Doe", "Updated: 12:30", "Share this article", "Вибухи",
                 "Related articles", "shoots down 30 drones", "Zelensky meets Biden", "©"):
        assert gone not in cleaned.body, gone
    assert cleaned.title == "Russia strikes Kharkiv power plant overnight"
    assert cleaned.outlet == "Example Daily News"
    reasons = dict((line, reason) for reason, line in cleaned.removed)
    assert reasons["By Jane Doe"] == "byline"
    assert reasons["Вибухи пролунали близько третьої ночі, повідомив голова обласної адміністрації."] == "other-script"
    assert reasons["Zelensky meets Biden in Washington"] == "related-tail"


def test_other_outlet_content_kept() -> None:
    cleaned = clean_article(OTHER_OUTLET_PAGE)
    _assert_verbatim(OTHER_OUTLET_PAGE, cleaned)
    paragraphs = _paragraphs(cleaned.body)
    assert paragraphs[0].startswith("Russian missiles struck a power plant in Kharkiv overnight")
    assert "What happens next" in paragraphs                           # a subheading inside the article
    assert any("Reuters/Ipsos poll" in p for p in paragraphs)          # not a photo credit
    assert paragraphs[-1] == "By Tuesday evening, power had returned to most districts."   # not a byline


def test_crlf_bom_and_header_on_its_own_line() -> None:
    raw = "\ufeffdate 2023-03-05\r\n\r\nRussian forces shelled Kherson on Sunday, officials said.\r\n\r\nTwo people were injured.\u00a0\r\n"
    cleaned = clean_article(raw)
    assert cleaned.header_date == "2023-03-05"
    assert cleaned.body == "Russian forces shelled Kherson on Sunday, officials said.\n\nTwo people were injured."


def test_header_followed_by_text_on_the_same_line() -> None:
    cleaned = clean_article(" date 2024-07-04 Ukrainian forces held the line.\n\nMore fighting is expected.")
    assert cleaned.header_date == "2024-07-04"
    assert cleaned.body == "Ukrainian forces held the line.\n\nMore fighting is expected."


def test_invalid_header_date_is_not_accepted_but_not_kept_in_body() -> None:
    cleaned = clean_article("date 2024-13-40 Ukrainian forces held the line near Pokrovsk.")
    assert cleaned.header_date is None
    assert cleaned.body == "Ukrainian forces held the line near Pokrovsk."


def test_clean_collection_paragraph_is_untouched() -> None:
    text = ("Ukrainian forces repelled 16 attacks near Toretsk on Sunday, the General Staff said, adding that "
            "fighting continued near Chasiv Yar and that Russian troops had suffered heavy losses.")
    cleaned = clean_article(text)
    assert cleaned.body == text
    assert cleaned.removed == ()
    assert cleaned.title is None and cleaned.outlet is None


def test_headline_only_item_is_kept_as_body() -> None:
    cleaned = clean_article("Ukraine retakes village near Bakhmut")
    assert cleaned.body == "Ukraine retakes village near Bakhmut"
    hinted = clean_article("Ukraine retakes village near Bakhmut", title_hint="Ukraine retakes village near Bakhmut")
    assert hinted.body == "Ukraine retakes village near Bakhmut"
    assert hinted.title == "Ukraine retakes village near Bakhmut"


def test_title_hint_line_removed_from_body() -> None:
    raw = "Drones hit Odesa port\n\nRussian drones hit the port of Odesa overnight, the navy said."
    cleaned = clean_article(raw, title_hint="Drones hit Odesa port")
    assert cleaned.title == "Drones hit Odesa port"
    assert cleaned.body == "Russian drones hit the port of Odesa overnight, the navy said."


def test_wrapped_lines_stay_one_paragraph() -> None:
    raw = "Russian troops advanced near the village\nof Klishchiivka, the military said.\nShelling continued."
    cleaned = clean_article(raw)
    assert _paragraphs(cleaned.body) == [
        "Russian troops advanced near the village\nof Klishchiivka, the military said.",
        "Shelling continued.",
    ]


def test_early_sentence_about_a_journalist_is_reporting_not_a_bio() -> None:
    raw = ("Maria Ivanova is a journalist who was detained by Russian forces in Melitopol in March.\n\n"
           "Her colleagues said she had been held for three weeks.\n\n"
           "Ukraine's ombudsman called for her release.\n\n"
           "Officials said negotiations were continuing.")
    cleaned = clean_article(raw)
    assert cleaned.body.startswith("Maria Ivanova is a journalist who was detained")


def test_wire_dateline_names_the_outlet() -> None:
    cleaned = clean_article("KYIV, July 4 (Reuters) - Russian forces attacked the town overnight, officials said.")
    assert cleaned.outlet == "Reuters"


def test_photo_credit_of_a_wire_is_not_the_outlet() -> None:
    raw = ("Soldiers rest near the front line. REUTERS/Alina Smutko\n\n"
           "Ukrainian troops pushed forward near Robotyne, the military said.")
    cleaned = clean_article(raw)
    assert cleaned.outlet is None
    assert cleaned.captions == ("Soldiers rest near the front line. REUTERS/Alina Smutko",)


def test_title_hint_with_question_mark_is_still_the_title() -> None:
    cleaned = clean_article("Will Bakhmut fall?\n\nAnalysts are divided, officials said.", title_hint="Will Bakhmut fall?")
    assert cleaned.title == "Will Bakhmut fall?"
    assert cleaned.body == "Analysts are divided, officials said."


def test_wrapped_sentence_ending_in_ellipsis_is_not_a_teaser() -> None:
    raw = "Russian troops advanced near the village\nof Klishchiivka and then...\n\nMore fighting followed."
    assert clean_article(raw).body == raw


def test_cyrillic_article_keeps_its_text_and_drops_latin_chrome() -> None:
    raw = "Російські війська обстріляли Херсон.\n\nRead more\n\nЗа даними ОВА, поранено двох людей."
    cleaned = clean_article(raw)
    assert cleaned.body == "Російські війська обстріляли Херсон.\n\nЗа даними ОВА, поранено двох людей."


def test_a_feeds_link_to_the_full_story_is_cut_from_the_last_paragraph() -> None:
    cleaned = clean_article("Russia continues to consider the region its territory, despite the withdrawal of troops to "
                            "the left bank of the Dnipro. View news.")
    assert cleaned.body.endswith("left bank of the Dnipro.")
    assert ("link-label", "View news.") in cleaned.removed
    assert clean_article("He said it was over. Read more »").body == "He said it was over."
    shelled = clean_article("The Russian army shelled Avdiivka, Toretsk and Karlivka. View photo news.")
    assert shelled.body == "The Russian army shelled Avdiivka, Toretsk and Karlivka."
    assert clean_article("Rescuers cleared the rubble. View video news.").body == "Rescuers cleared the rubble."
    # inside a sentence, or not at the end, the words are the article's own
    assert clean_article("Readers can view news of the day here").body == "Readers can view news of the day here"
    kept = "The ministry said: read more carefully. The shelling went on."
    assert clean_article(kept).body == kept
