"""Extraction of news pages in two house styles: body paragraphs kept verbatim, boilerplate dropped,
the original publication date (not "last updated"), the canonical URL, title, author and outlet."""
from __future__ import annotations

import pytest

from retrieval.cleaning import clean_article
from retrieval.web.extract import ExtractError, extract_article, identity_url, normalize_url
from tests.fakeweb import pages
from tests.fakeweb.stories import ALL_STORIES, KUPIANSK_V2, TORETSK_PHARMACY, WIRE_ON_B, Story

BASE = "http://127.0.0.1:8123"
READ_ALSO = "Read also: Air defence downs 20 drones over Kyiv region"
CASES = [(style, story) for style in ("ledger", "courier") for story in ALL_STORIES + (KUPIANSK_V2,)]


def _page(style: str, story: Story) -> tuple[str, str]:
    if style == "ledger":
        return pages.ledger_article(story, BASE), f"{BASE}/news/{story.slug}"
    return pages.courier_article(story, BASE), f"{BASE}/{story.slug}/"


@pytest.mark.parametrize("style, story", CASES, ids=[f"{s}-{st.slug}" for s, st in CASES])
def test_body_paragraphs_are_kept_verbatim_and_boilerplate_dropped(style, story):
    html, url = _page(style, story)
    article = extract_article(html.encode("utf-8"), url + "?utm_source=rss&utm_medium=feed")
    paragraphs = article.text.split("\n\n")
    for paragraph in story.lead + story.paragraphs:
        assert paragraph in paragraphs
    boilerplate = pages.LEDGER_BOILERPLATE if style == "ledger" else pages.COURIER_BOILERPLATE
    left = [b for b in boilerplate if b.lower() in article.text.lower()]
    extra = [p for p in paragraphs if p not in story.lead + story.paragraphs]
    # trafilatura keeps an inline teaser between paragraphs; Frontline's cleaning removes it (next test)
    teaser = [READ_ALSO] if style == "ledger" else []
    assert extra == teaser
    assert left == [b for b in boilerplate if b in "".join(teaser)]


def test_the_inline_teaser_is_removed_by_cleaning_and_the_body_is_untouched():
    html, url = _page("ledger", ALL_STORIES[0])
    article = extract_article(html, url)
    body = clean_article(article.text, title_hint=article.title).body
    assert READ_ALSO not in body
    assert body.split("\n\n") == list(ALL_STORIES[0].paragraphs)


@pytest.mark.parametrize("style", ["ledger", "courier"])
def test_metadata_title_author_outlet_canonical(style):
    story = WIRE_ON_B
    html, url = _page(style, story)
    article = extract_article(html, url + "?utm_source=rss&utm_campaign=x#comments")
    assert article.title == story.title
    assert article.author == story.author
    assert article.outlet == article.site_name == (pages.LEDGER if style == "ledger" else pages.COURIER)
    assert article.url == url                      # the canonical link, tracking and fragment gone
    assert article.fetched_url.endswith("#comments")
    assert article.host == "127.0.0.1"


@pytest.mark.parametrize("style, story", CASES, ids=[f"{s}-{st.slug}" for s, st in CASES])
def test_the_date_is_date_published_not_date_modified(style, story):
    html, url = _page(style, story)
    article = extract_article(html, url)
    if not story.page_metadata:
        assert article.date is None and article.date_cue is None
        return
    assert article.date == story.published_day
    assert article.date_cue == "page metadata"
    if story.modified[:10] != story.published_day:
        assert article.date != story.modified[:10]


def test_a_page_without_date_metadata_has_no_date_even_with_a_year_in_its_footer():
    html, url = _page("ledger", TORETSK_PHARMACY)
    assert "© 2024" in html
    assert extract_article(html, url).date is None


@pytest.mark.parametrize("html, reason", [
    (pages.section_page("Kharkiv Ledger", BASE, [(s.title, f"{BASE}/news/{s.slug}") for s in ALL_STORIES]),
     "no article text found in the page"),
    ("<html><head><title>Video</title></head><body><video src='x.mp4'></video></body></html>",
     "no article text found in the page"),
    ("   ", "the page is empty"),
    (b"", "the page is empty"),
])
def test_a_page_without_an_article_says_so(html, reason):
    with pytest.raises(ExtractError) as caught:
        extract_article(html, f"{BASE}/section/war")
    assert str(caught.value) == reason


def test_the_outlet_falls_back_to_the_host_and_the_url_to_where_it_was_read():
    paragraphs = [p for s in ALL_STORIES[:2] for p in s.paragraphs]
    html = "<html><head><title>Report</title></head><body><article>" + "".join(
        f"<p>{p}</p>" for p in paragraphs) + "</article></body></html>"
    article = extract_article(html, "https://www.frontline-news.example/2024/07/report?ref=home&id=7")
    assert article.site_name is None or article.site_name == "frontline-news.example"
    assert article.outlet == "frontline-news.example"
    assert article.url == "https://www.frontline-news.example/2024/07/report?id=7"
    assert article.text.split("\n\n") == paragraphs


@pytest.mark.parametrize("canonical, fetched, expected", [
    ("/news/a", "https://site.example/news/a?utm_source=rss", "https://site.example/news/a"),
    ("https://site.example/news/a#top", "https://site.example/x", "https://site.example/news/a"),
    ("https://other.example/news/a", "https://site.example/news/a", "https://site.example/news/a"),  # another site
    ("https://site.example/", "https://site.example/news/a", "https://site.example/news/a"),          # the front page
    ("https://www.site.example/news/a", "https://site.example/news/a?p=1", "https://www.site.example/news/a"),
    ("https://site.example/news/a", None, "https://site.example/news/a"),    # a saved file: the page's own link
    (None, None, None),
])
def test_the_identity_url(canonical, fetched, expected):
    assert identity_url(canonical, fetched) == expected


def test_normalisation_keeps_what_names_an_article_and_drops_tracking():
    assert normalize_url("HTTPS://Site.Example:443/story?utm_source=x&articleId=5&fbclid=y#c") == \
        "https://site.example/story?articleId=5"
    assert normalize_url("https://site.example/?p=123") == "https://site.example/?p=123"
