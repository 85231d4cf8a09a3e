"""Tests for the place gazetteer (config/gazetteer.toml merged with GeoNames) and matcher (retrieval/places/)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from retrieval.places import DEFAULT_PATH, Gazetteer, GazetteerError, Place, Sector, lookup_key

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer.load()


def names(gaz: Gazetteer, text: str, **kwargs: str) -> list[str]:
    """Distinct canonical names in order of first mention."""
    return list(dict.fromkeys(m.place.name for m in gaz.find(text, **kwargs)))


def seed_text(prefix: str) -> str:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


# ---------------------------------------------------------------- the data


def test_default_path_is_the_repo_config() -> None:
    assert DEFAULT_PATH == REPO / "config" / "gazetteer.toml"
    assert DEFAULT_PATH.is_file()


def test_gazetteer_size_and_required_sectors(gaz: Gazetteer) -> None:
    size = gaz.size()
    assert size["places"] == len(gaz.places) >= 5_000  # every settlement GeoNames lists, and the curated
    assert 120 <= size["curated"] <= 260
    sector_names = {s.name for s in gaz.sectors}
    assert {
        "Kharkiv", "Kupiansk", "Lyman", "Siversk", "Kramatorsk", "Bakhmut", "Toretsk",
        "Pokrovsk", "Kurakhove", "Vremivka", "Huliaipole", "Orikhiv", "Kherson",
        "Sievierodonetsk", "Sloviansk", "Avdiivka", "Mariupol", "Kyiv", "Zaporizhzhia",
    } <= sector_names


def test_required_places_exist(gaz: Gazetteer) -> None:
    required = [
        "Chasiv Yar", "Kanal", "Novy", "Pokrovsk", "Toretsk", "Pivnichne", "Zalizne",
        "Niu-York", "Horlivka", "Sievierodonetsk", "Lysychansk", "Hirske", "Bakhmut",
        "Klishchiivka", "Kurdiumivka", "Sloviansk", "Kramatorsk", "Dibrovne", "Dolyna",
        "Chepil", "Adamivka", "Nova Dmytrivka", "Hryhorivka", "Spirne", "Ivano-Daryivka",
        "Zaporizhzhia", "Kyiv", "Avdiivka", "Kharkiv", "Kherson", "Mariupol", "Vuhledar",
        "Marinka", "Krasnohorivka", "Kurakhove", "Selydove", "Myrnohrad", "Ocheretyne",
        "Siversk", "Lyman", "Kupiansk", "Izium", "Balakliia", "Vovchansk", "Robotyne",
        "Orikhiv", "Huliaipole", "Tokmak", "Melitopol", "Enerhodar", "Nova Kakhovka",
        "Krynky", "Kostiantynivka", "Druzhkivka", "Soledar", "Vuhlehirsk", "Donetsk",
        "Luhansk", "Rubizhne", "Popasna", "Svatove", "Kreminna", "Chernihiv", "Sumy",
        "Mykolaiv", "Odesa", "Dnipro", "Velyka Novosilka", "Andriivka", "Ivanivske",
        "Bohdanivka", "Donetsk Oblast", "Luhansk Oblast", "Donbas", "Kharkiv Oblast",
        "Zaporizhzhia Oblast", "Kherson Oblast", "Crimea",
    ]
    known = {p.name for p in gaz.places}
    assert [n for n in required if n not in known] == []


def test_places_are_well_formed(gaz: Gazetteer) -> None:
    sector_names = {s.name for s in gaz.sectors}
    for place in gaz.places:
        assert place.kind in {"city", "town", "village", "district", "region"}, place
        assert place.sector == "" or place.sector in sector_names, place
        if place.kind == "region":
            assert place.sector == "", place
        if place.kind == "district":
            assert gaz.resolve(place.parent) is not None, place
        assert place.oblast or place.name == "Donbas", place


def test_risky_names_need_context(gaz: Gazetteer) -> None:
    for name in ["Novy", "Kanal", "Niu-York", "Chepil", "Spirne", "Zalizne", "Dolyna"]:
        place = gaz.resolve(name)
        assert isinstance(place, Place) and place.needs_context, name


def test_a_spelling_never_tagged_is_a_mans_name_not_the_city_but_still_typed(gaz: Gazetteer) -> None:
    # "Stalin" is one of Donetsk's GeoNames names: in news it is the man ("Stalin's purges")
    assert names(gaz, "the NKVD shot people during Stalin's purges near Odesa") == ["Odesa"]
    assert names(gaz, "Yuzovka, then Stalino, now Donetsk") == ["Donetsk"]
    assert gaz.resolve("Stalin").name == "Donetsk"   # typed by a user, it is still the city


# ---------------------------------------------------------------- resolve


def curated_spellings(gaz: Gazetteer) -> list[tuple[Place, str]]:
    """The current spellings of the curated places that no other place shares (GeoNames' namesakes
    and former names of other places are settled by context, tested below)."""
    owners: dict[str, set[str]] = {}
    for p in gaz.places:
        for alias in p.all_names:
            owners.setdefault(lookup_key(alias), set()).add(p.name)
    return [(p, alias) for p in gaz.places if p.curated for alias in p.all_names
            if alias not in p.former and owners[lookup_key(alias)] == {p.name}
            and not (p.kind == "region" and alias.endswith(" direction"))]  # typed, a direction is a sector


def test_every_alias_resolves_to_its_place(gaz: Gazetteer) -> None:
    spellings = curated_spellings(gaz)
    assert len(spellings) > 1_000
    wrong = [(alias, place.name) for place, alias in spellings if gaz.resolve(alias) is not place]
    assert wrong == []


def test_every_alias_is_found_in_text(gaz: Gazetteer) -> None:
    missed = []
    for place, alias in curated_spellings(gaz):
        text = f"Fighting near {alias} continued, Ukraine's army said."
        found = gaz.find(text)
        if not found or found[0].place is not place or found[0].surface != alias:
            missed.append((alias, [m.place.name for m in found]))
    assert missed == []


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("chasiv yar", "Chasiv Yar"),
        ("Chasov-Yar", "Chasiv Yar"),
        ("  CHASIV   YAR ", "Chasiv Yar"),
        ("chasivyar", "Chasiv Yar"),
        ("Chasív Yár", "Chasiv Yar"),
        ("Часов Яр", "Chasiv Yar"),
        ("DZERZHYNSK", "Toretsk"),
        ("Artemovsk", "Bakhmut"),
        ("severodonetsk", "Sievierodonetsk"),
        ("kup’iansk", "Kupiansk"),
        ("niu york", "Niu-York"),
        ("New York", "Niu-York"),
        ("donetsk region", "Donetsk Oblast"),
        ("Donetsk", "Donetsk"),
    ],
)
def test_resolve_user_typed_names(gaz: Gazetteer, typed: str, expected: str) -> None:
    found = gaz.resolve(typed)
    assert isinstance(found, Place)
    assert found.name == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Toretsk direction", "Toretsk"),
        ("dzerzhynsk direction", "Toretsk"),
        ("Prydniprovske", "Kherson"),
        ("Kharkiv direction", "Kharkiv"),
        ("Bakhmut sector", "Bakhmut"),
        ("Chasiv Yar direction", "Kramatorsk"),
        ("Chasiv Yar sector", "Kramatorsk"),
        ("Kursk", "Kursk"),
        ("Sievierodonetsk-Lysychansk", "Sievierodonetsk"),
    ],
)
def test_resolve_sector_names(gaz: Gazetteer, typed: str, expected: str) -> None:
    found = gaz.resolve(typed)
    assert isinstance(found, Sector)
    assert found.name == expected


def test_place_wins_over_sector_of_same_name(gaz: Gazetteer) -> None:
    assert isinstance(gaz.resolve("Toretsk"), Place)
    assert isinstance(gaz.resolve("Vremivka"), Place)
    sector = gaz.resolve("Toretsk direction")
    assert isinstance(sector, Sector) and sector.name == "Toretsk"
    # a place name gives that place's sector
    assert gaz.sector_of(gaz.resolve("Pivnichne")).name == "Toretsk"
    assert gaz.sector_of(gaz.resolve("Kanal")).name == "Kramatorsk"


def test_resolve_unknown(gaz: Gazetteer) -> None:
    assert gaz.resolve("") is None
    assert gaz.resolve("   ") is None
    assert gaz.resolve("Springfield") is None
    assert gaz.resolve("Springfield direction") is None


# ---------------------------------------------------------------- sectors


def test_sector_of_district_is_its_parents(gaz: Gazetteer) -> None:
    kanal = gaz.resolve("Kanal")
    assert isinstance(kanal, Place) and kanal.sector == "" and kanal.parent == "Chasiv Yar"
    assert gaz.sector_of(kanal).name == "Kramatorsk"
    assert gaz.sector_of(gaz.resolve("Donetsk Oblast")) is None


def test_places_in_sector(gaz: Gazetteer) -> None:
    toretsk = [p.name for p in gaz.sector_places(gaz.resolve("Toretsk direction"), derived=False)]
    assert {"Toretsk", "Pivnichne", "Zalizne", "Niu-York"} <= set(toretsk)
    assert "Chasiv Yar" not in toretsk
    assert [p.name for p in gaz.sector_places(gaz.resolve("Dzerzhynsk direction"), derived=False)] == toretsk
    kramatorsk = {p.name for p in gaz.sector_places(gaz.resolve("kramatorsk direction"))}
    assert {"Chasiv Yar", "Kanal", "Novy"} <= kramatorsk
    assert gaz.resolve("Atlantis direction") is None


def test_every_sector_has_places(gaz: Gazetteer) -> None:
    assert [s.name for s in gaz.sectors if not gaz.sector_places(s, derived=False)] == []


# ---------------------------------------------------------------- suggest / autocomplete


def test_suggest_misspellings(gaz: Gazetteer) -> None:
    assert "Bakhmut" in gaz.suggest("Bakmut")
    assert gaz.suggest("Avdivka")[0] == "Avdiivka"
    assert gaz.suggest("Severodonetck")[0] == "Sievierodonetsk"
    assert gaz.suggest("Dzerzhinks")[0] == "Toretsk"  # via an alias, mapped back
    assert len(gaz.suggest("Pokrovks", limit=2)) <= 2
    assert gaz.suggest("qqqqxxxx") == []
    suggestions = gaz.suggest("Kramatorks", limit=10)
    assert len(suggestions) == len(set(suggestions))


@pytest.mark.parametrize(
    ("typed", "first"),
    [("tor", "Toretsk"), ("dzer", "Toretsk"), ("chasov", "Chasiv Yar"), ("Chas", "Chasiv Yar"),
     ("BAKH", "Bakhmut"), ("sievie", "Sievierodonetsk"), ("severo", "Sievierodonetsk"),
     ("Час", "Chasiv Yar"), ("prydn", "Kherson")],
)
def test_autocomplete_first_choice(gaz: Gazetteer, typed: str, first: str) -> None:
    assert gaz.autocomplete(typed)[0] == first


def test_autocomplete_prefix_before_contains(gaz: Gazetteer) -> None:
    choices = gaz.autocomplete("bakh")
    assert choices.index("Bakhmut") < choices.index("Novobakhmutivka")
    assert "Chasiv Yar" in gaz.autocomplete("yar")


def test_autocomplete_limits_and_duplicates(gaz: Gazetteer) -> None:
    for typed in ["", "a", "ka", "o", "ivka"]:
        choices = gaz.autocomplete(typed)
        assert len(choices) <= 25
        assert len(choices) == len(set(choices))
    assert len(gaz.autocomplete("a")) == 25
    assert len(gaz.autocomplete("a", limit=3)) == 3
    assert gaz.autocomplete("a", limit=0) == []
    assert gaz.autocomplete("zzzzqx") == []


def test_autocomplete_empty_lists_sectors_then_places(gaz: Gazetteer) -> None:
    choices = gaz.autocomplete("")
    sector_names = [s.name for s in gaz.sectors]
    assert choices[: len(sector_names)] == sector_names
    assert len(choices) == 25
    rest = choices[len(sector_names):]
    assert all(isinstance(gaz.resolve(name), Place) for name in rest)


# ---------------------------------------------------------------- find on the seed articles


SEED_EXPECTATIONS = {
    "000": ({"Chasiv Yar", "Kanal", "Novy", "Pokrovsk", "Toretsk", "Donetsk Oblast", "Donbas"},
            {"Kyiv", "Donetsk"}),  # "Kyiv Post" is a newspaper; only "Donetsk region" appears
    "001": ({"Toretsk", "Pivnichne", "Zalizne", "Niu-York", "Horlivka", "Chasiv Yar", "Kanal",
             "Donetsk Oblast"}, {"Kyiv"}),
    # "Zaporizhzhia nuclear power plant" is named after the oblast (it stands in Enerhodar)
    "002": ({"Sievierodonetsk", "Lysychansk", "Hirske", "Zaporizhzhia Oblast", "Kyiv", "Luhansk",
             "Luhansk Oblast", "Donbas", "Crimea", "Donetsk"}, {"Zaporizhzhia"}),
    "003": ({"Bakhmut", "Klishchiivka", "Kurdiumivka", "Donetsk Oblast"}, {"Kyiv"}),
    "004": ({"Sloviansk", "Kramatorsk", "Dibrovne", "Dolyna", "Chepil", "Adamivka",
             "Nova Dmytrivka", "Hryhorivka", "Spirne", "Ivano-Daryivka", "Lysychansk", "Donetsk",
             "Donetsk Oblast"}, set()),
}


@pytest.mark.parametrize("seed", sorted(SEED_EXPECTATIONS))
def test_find_in_seed_articles(gaz: Gazetteer, seed: str) -> None:
    expected, absent = SEED_EXPECTATIONS[seed]
    found = set(names(gaz, seed_text(seed)))
    assert expected <= found, expected - found
    assert not (absent & found), absent & found


def test_every_seed_file_is_covered() -> None:
    assert sorted(p.name[:3] for p in SEEDS.glob("*.txt")) == sorted(SEED_EXPECTATIONS)


def test_seed_mentions_are_exact_slices_in_order(gaz: Gazetteer) -> None:
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        mentions = gaz.find(text)
        assert mentions, path.name
        assert [m.start for m in mentions] == sorted(m.start for m in mentions)
        for before, after in zip(mentions, mentions[1:]):
            assert before.end <= after.start  # no overlaps
        for m in mentions:
            assert text[m.start:m.end] == m.surface


def test_seed_002_possessive_and_region(gaz: Gazetteer) -> None:
    text = seed_text("002")
    surfaces = [m.surface for m in gaz.find(text)]
    assert "Severodonetsk" in surfaces  # from "Severodonetsk’s twin city"
    assert "Luhansk regional" in surfaces  # "Luhansk regional governor" is the region
    assert all(not s.endswith(("’s", "'s")) for s in surfaces)


# ---------------------------------------------------------------- find: risky names


def test_new_york_times_without_ukrainian_context(gaz: Gazetteer) -> None:
    text = "The New York Times reported that the mayor of New York met investors in Manhattan."
    assert gaz.find(text) == []
    assert names(gaz, "Fashion week opened in New York on Monday.") == []
    assert names(gaz, "Russian diplomats in New York said nothing.") == []


def test_new_york_times_in_a_ukraine_article(gaz: Gazetteer) -> None:
    text = "Ukraine's foreign minister told the New York Times that talks would resume."
    assert names(gaz, text) == []


def test_new_york_settlement_with_context(gaz: Gazetteer) -> None:
    text = "Ukrainian troops repelled attacks near Toretsk, Pivnichne and New York."
    assert names(gaz, text) == ["Toretsk", "Pivnichne", "Niu-York"]
    assert names(gaz, "Heavy fighting in Niu-York, Ukraine's army said.") == ["Niu-York"]
    assert names(gaz, "Heavy fighting in Niu York, Ukraine's army said.") == ["Niu-York"]


def test_context_argument_supplies_the_cue(gaz: Gazetteer) -> None:
    passage = "Assaults continued near New York overnight."
    assert names(gaz, passage) == []
    article = "Russian forces attack in the Donetsk region. " + passage
    assert names(gaz, passage, context=article) == ["Niu-York"]


def test_risky_names_do_not_vouch_for_each_other(gaz: Gazetteer) -> None:
    assert names(gaz, "Groups tried to enter Novy and Kanal.") == []
    assert names(gaz, "Groups tried to enter Novy and Kanal in Chasiv Yar.") == [
        "Novy", "Kanal", "Chasiv Yar"]


def test_risky_names_are_case_sensitive(gaz: Gazetteer) -> None:
    assert names(gaz, "In Ukraine, the kanal and dolyna were quiet.") == []
    assert names(gaz, "In Ukraine, KANAL was shelled.") == ["Kanal"]


def test_novy_inside_other_names_is_not_the_district(gaz: Gazetteer) -> None:
    # GeoNames knows the village Novyi Svit: the longer name wins, and Novy is not tagged.
    found = names(gaz, "Ukraine struck Novyi Svit in Crimea.")
    assert "Novy" not in found and found[-1] == "Crimea"
    assert [gaz.resolve(n).base_name for n in found[:-1]] == ["Novyi Svit"]


# ---------------------------------------------------------------- find: spelling variants


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Shelling of Chasiv-Yar went on.", ["Chasiv Yar"]),
        ("Shelling of Chasiv  Yar went on.", ["Chasiv Yar"]),
        ("Shelling of Chasiv\nYar went on.", ["Chasiv Yar"]),
        ("Shelling of Chasiv\u2011Yar went on.", ["Chasiv Yar"]),
        ("Shelling of Chasov Yar went on.", ["Chasiv Yar"]),
        ("Shelling of CHASIV YAR went on.", ["Chasiv Yar"]),
        ("Shelling of chasiv yar went on.", ["Chasiv Yar"]),
        ("Severodonetsk’s twin city", ["Sievierodonetsk"]),
        ("Toretsk's outskirts", ["Toretsk"]),
        ("Attacks near Ivano Daryivka", ["Ivano-Daryivka"]),
        ("Attacks near Mar’inka and Kup’iansk", ["Marinka", "Kupiansk"]),
        ("Attacks near Marinka", ["Marinka"]),
        ("Attacks near Kupiansk-Vuzlovyi", ["Kupiansk-Vuzlovyi"]),
        ("Attacks near Nova Kakhovka", ["Nova Kakhovka"]),
        ("Attacks near Novobakhmutivka", ["Novobakhmutivka"]),
        ("Бої біля Часового Яру та Торецька", []),  # inflected Cyrillic is not matched
        ("Бої за Часів Яр і Торецьк", ["Chasiv Yar", "Toretsk"]),
    ],
)
def test_spelling_variants(gaz: Gazetteer, text: str, expected: list[str]) -> None:
    assert names(gaz, text) == expected


def test_donetsk_region_is_the_oblast(gaz: Gazetteer) -> None:
    assert names(gaz, "Fighting in the Donetsk region.") == ["Donetsk Oblast"]
    assert names(gaz, "Fighting in Donetsk Oblast.") == ["Donetsk Oblast"]
    assert names(gaz, "Fighting in Donetsk oblast.") == ["Donetsk Oblast"]
    assert names(gaz, "The Donetsk regional administration said.") == ["Donetsk Oblast"]
    assert names(gaz, "The so-called Donetsk People's Republic") == ["Donetsk Oblast"]
    assert names(gaz, "Shelling hit Donetsk on Monday.") == ["Donetsk"]
    assert names(gaz, "Donetsk, Luhansk region and Dnipropetrovsk region") == [
        "Donetsk", "Luhansk Oblast", "Dnipropetrovsk Oblast"]


def test_short_aliases_are_case_sensitive(gaz: Gazetteer) -> None:
    assert names(gaz, "Missiles hit Kyiv.") == ["Kyiv"]
    assert names(gaz, "MISSILES HIT KYIV.") == ["Kyiv"]
    assert names(gaz, "the kyiv route") == []
    assert names(gaz, "the toretsk route") == ["Toretsk"]  # 6+ letters: any case


def test_word_boundaries(gaz: Gazetteer) -> None:
    assert names(gaz, "Lymanske and Sumyna and Kyivstar and Bakhmutka") == []
    assert names(gaz, "pro-Kyiv forces") == ["Kyiv"]
    assert names(gaz, "A Kyiv-based analyst") == ["Kyiv"]


def test_veto_words(gaz: Gazetteer) -> None:
    assert names(gaz, "Voloshyn told Kyiv Post.") == []
    assert names(gaz, "Reporter with the Kyiv Independent.") == []
    assert names(gaz, "Troops crossed the Dnipro River near Kherson.") == ["Kherson"]
    assert names(gaz, "Troops crossed the Dnipro near Kherson.") == ["Kherson"]
    assert names(gaz, "A missile struck Dnipro overnight.") == ["Dnipro"]


def test_names_are_distinct_in_first_mention_order(gaz: Gazetteer) -> None:
    text = "Pokrovsk, Toretsk, Pokrovsk and Krasnoarmeysk again; then Toretsk."
    assert names(gaz, text) == ["Pokrovsk", "Toretsk"]
    assert [m.surface for m in gaz.find(text)] == [
        "Pokrovsk", "Toretsk", "Pokrovsk", "Krasnoarmeysk", "Toretsk"]


def test_offsets_survive_case_folding_that_changes_length(gaz: Gazetteer) -> None:
    text = "İstanbul talks; İİİ meanwhile Toretsk was shelled."
    (mention,) = gaz.find(text)
    assert mention.place.name == "Toretsk"
    assert text[mention.start:mention.end] == "Toretsk"


def test_find_on_a_large_text(gaz: Gazetteer) -> None:
    """Many passages tag correctly (correctness only; timing is not asserted)."""
    passage = ("Ukrainian forces held positions near Chasiv Yar while Russian troops shelled "
               "Toretsk and Pokrovsk in the Donetsk region; no other towns were named. ")
    passages = [passage * 2] * 2_000
    tagged = [names(gaz, p) for p in passages]
    assert all(t == ["Chasiv Yar", "Toretsk", "Pokrovsk", "Donetsk Oblast"] for t in tagged)
    assert len(gaz.find(passage * 500)) == 4 * 500


def test_module_is_light() -> None:
    code = (
        "import sys, retrieval.places as p; p.Gazetteer.load(); "
        "heavy = {'discord', 'numpy', 'torch', 'chromadb', 'pydantic'} & set(sys.modules); "
        "print(sorted(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


# ---------------------------------------------------------------- malformed files


GOOD_SECTOR = '[[sector]]\nname = "Toretsk"\nlabel = "Toretsk direction"\n'


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "gazetteer.toml"
    path.write_text(body, encoding="utf-8")
    return path


def place(name: str, aliases: str = "[]", extra: str = "") -> str:
    return (f'[[place]]\nname = "{name}"\naliases = {aliases}\nsector = "Toretsk"\n'
            f'oblast = "Donetsk"\nkind = "town"\n{extra}\n')


def test_a_minimal_valid_file_loads(tmp_path: Path) -> None:
    gaz = Gazetteer.load(write(tmp_path, GOOD_SECTOR + place("Toretsk", '["Dzerzhynsk"]')), cache_dir=None)
    assert [p.name for p in gaz.places if p.curated and p.kind != "region"] == ["Toretsk"]
    assert names(gaz, "Dzerzhynsk, Ukraine") == ["Toretsk"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (GOOD_SECTOR + '[[place]]\nname = "Toretsk"\naliases = [\n', "invalid TOML"),
        (GOOD_SECTOR + place("Toretsk", '["Dzerzhynsk"]') + place("Pivnichne", '["Dzerzhynsk"]'),
         "duplicate place alias 'Dzerzhynsk'"),
        (GOOD_SECTOR + place("Toretsk", '["Dzerzhynsk"]') + place("Pivnichne", '["DZERZHYNSK"]'),
         "used by both 'Toretsk' and 'Pivnichne'"),
        (GOOD_SECTOR + place("Toretsk") + place("Toretsk"), "duplicate place name 'Toretsk'"),
        (GOOD_SECTOR + place("Toretsk").replace('sector = "Toretsk"', 'sector = "Atlantis"'),
         "unknown sector 'Atlantis'"),
        (GOOD_SECTOR + place("Toretsk").replace('name = "Toretsk"\n', ""), "missing 'name'"),
        ('[[sector]]\nlabel = "No name"\n' + place("Toretsk"), "sector #1: missing 'name'"),
        (GOOD_SECTOR + place("Toretsk", extra="needs_contxt = true"), "unknown key(s) 'needs_contxt'"),
        (GOOD_SECTOR + place("Toretsk").replace('kind = "town"', 'kind = "metropolis"'),
         "kind 'metropolis'"),
        (GOOD_SECTOR + place("Toretsk").replace('kind = "town"', 'kind = "district"'),
         "needs a 'parent'"),
        (GOOD_SECTOR + place("Toretsk", aliases='"Dzerzhynsk"'), "'aliases' must be a list"),
        (GOOD_SECTOR, "no [[place]] entries"),
    ],
)
def test_malformed_file_raises_one_error_type_with_one_line(tmp_path: Path, body: str, message: str) -> None:
    path = write(tmp_path, body)
    with pytest.raises(GazetteerError) as excinfo:
        Gazetteer.load(path)
    assert isinstance(excinfo.value, ValueError)
    assert message in str(excinfo.value)
    assert str(path) in str(excinfo.value)
    assert "\n" not in str(excinfo.value)


def test_a_missing_file_is_a_gazetteer_error(tmp_path: Path) -> None:
    with pytest.raises(GazetteerError, match="cannot read"):
        Gazetteer.load(tmp_path / "nope.toml")
