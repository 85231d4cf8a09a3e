"""Names typed by users: resolving them, suggesting close ones, autocompleting, and sectors.

A typed name is compared by `lookup_key` (case, diacritics, apostrophes and punctuation ignored), so
"kup’iansk", "KUPYANSK" and "Куп'янськ" all find Kupiansk. A name several places share resolves to the
one a user of this bot most likely means: a curated front-line place, then one in a sector, then the
most populous; autocomplete offers every namesake by its full name ("Novoselivka (Donetsk Oblast)").
"""
from __future__ import annotations

import bisect
import difflib
import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from retrieval.places.model import Place, Sector, SectorLink
from retrieval.places.variants import compact, lookup_key

# A user typing "/sector Bakhmut direction" means the sector.
_SECTOR_SUFFIXES = (" direction", " sector", " axis", " front")
_KIND_RANK = {"city": 1, "region": 2, "town": 3, "village": 4, "district": 5}


@dataclass(frozen=True)
class _Choice:
    name: str
    is_sector: bool
    curated: bool
    rank: tuple            # order among equals: sectors in file order, then bigger places


class Lookup:
    def __init__(self, places: tuple[Place, ...], sectors: tuple[Sector, ...]) -> None:
        self.places, self.sectors = places, sectors
        self._place_by_name = {p.name: p for p in places}
        self._sector_by_name = {s.name: s for s in sectors}
        # key -> {place: how the key names it}: 0 its own name, 1 a current spelling, 2 a former one.
        by_key: dict[str, dict[Place, int]] = defaultdict(dict)
        self._keys: dict[int, tuple[str, ...]] = {}
        for place in places:
            keys = tuple(dict.fromkeys(k for k in map(lookup_key, place.all_names) if k))
            self._keys[id(place)] = keys
            former = {lookup_key(f) for f in place.former} if place.former else set()
            base = lookup_key(place.base_name) if place.base_name and place.base_name != place.name else ""
            own = {keys[0], base} if keys else {base}
            for key in (*keys, base):
                if not key or (place.kind == "region" and key.endswith(_SECTOR_SUFFIXES)):
                    continue  # "Kharkiv direction" typed is the sector; in text it is the oblast
                how = 0 if key in own else 2 if key in former else 1
                known = by_key[key].get(place)
                if known is None or how < known:
                    by_key[key][place] = how
        preference = {id(p): self._preference(p) for p in places}
        self._places_by_key = {
            k: list(v) if len(v) == 1 else sorted(v, key=lambda p, v=v: (v[p], preference[id(p)]))
            for k, v in by_key.items()
        }
        self._place_by_compact: dict[str, Place] = {}
        for key, owners in self._places_by_key.items():
            self._place_by_compact.setdefault(compact(key), owners[0])
        self._sector_by_key: dict[str, Sector] = {}
        for sector in sectors:
            for name in sector.all_names:
                self._sector_by_key.setdefault(lookup_key(name), sector)
        self._choices_built = False
        self._choices_lock = threading.Lock()

    # ---- sectors

    def sector_link(self, place: Place) -> SectorLink | None:
        if place.sector:
            sector = self._sector_by_name.get(place.sector)
            return SectorLink(sector, derived=False) if sector else None
        if place.kind == "district" and place.parent:
            parent = self._place_by_name.get(place.parent)
            if parent is not None and parent is not place:
                return self.sector_link(parent)
        if place.derived_sector:
            sector = self._sector_by_name.get(place.derived_sector)
            if sector is not None:
                return SectorLink(sector, derived=True, km=place.derived_km, via=place.derived_via)
        return None

    def sector_of(self, place: Place) -> Sector | None:
        link = self.sector_link(place)
        return link.sector if link is not None else None

    def sector_places(self, sector: Sector, *, derived: bool = True) -> list[Place]:
        out = []
        for place in self.places:
            link = self.sector_link(place)
            if link is not None and link.sector is sector and (derived or not link.derived):
                out.append(place)
        return out

    def _preference(self, place: Place) -> tuple:
        in_sector = bool(place.sector or place.derived_sector)
        return (not place.curated, not in_sector, place.kind == "district", -place.population, place.name)

    # ---- resolve

    def resolve(self, name: str) -> Place | Sector | None:
        key = lookup_key(name)
        if not key:
            return None
        exact = self._place_by_name.get(name.strip())
        if exact is not None:
            return exact
        owners = self._places_by_key.get(key)
        if key.endswith(_SECTOR_SUFFIXES):  # "Zaporizhzhia direction" is the sector, when there is one
            sector = self._find_sector(key)
            if sector is not None:
                return sector
        if owners and owners[0].curated:
            return owners[0]
        # A sector's own name or alias beats a village GeoNames knows by it ("Prydniprovske").
        sector = self._sector_by_key.get(key)
        if sector is not None:
            return sector
        if owners:
            return owners[0]
        place = self._place_by_compact.get(compact(key))
        if place is not None:
            return place
        return self._find_sector(key)

    def _find_sector(self, key: str) -> Sector | None:
        sector = self._sector_by_key.get(key)
        if sector is not None:
            return sector
        squeezed = compact(key)
        for sector_key, sector in self._sector_by_key.items():
            if compact(sector_key) == squeezed:
                return sector
        # "Bakhmut sector", "Chasiv Yar direction": strip the suffix and use the sector of that name,
        # or the sector of the place of that name.
        for suffix in _SECTOR_SUFFIXES:
            if key.endswith(suffix) and len(key) > len(suffix):
                base = key[: -len(suffix)]
                sector = self._sector_by_key.get(base)
                if sector is not None:
                    return sector
                owners = self._places_by_key.get(base)
                if owners:
                    return self.sector_of(owners[0])
        return None

    def suggest(self, name: str, limit: int = 5) -> list[str]:
        """Closest canonical names for a misspelling (difflib over spellings with the same first
        letter: comparing against all 60,000 spellings would take a second)."""
        key = lookup_key(name)
        if not key or limit <= 0:
            return []
        result: list[str] = []
        exact = self.resolve(name)
        if exact is not None:
            result.append(exact.name)
        owners: dict[str, str] = {}
        for k, sector in self._sector_by_key.items():
            owners.setdefault(k, sector.name)
        for k, places in self._places_by_key.items():
            if k[:1] == key[:1]:
                owners.setdefault(k, places[0].name)
        for close in difflib.get_close_matches(key, list(owners), n=limit * 6, cutoff=0.6):
            canonical = owners[close]
            if canonical not in result:
                result.append(canonical)
        return result[:limit]

    # ---- autocomplete

    def _build_choices(self) -> None:
        self._choices: list[_Choice] = []
        entries: list[tuple[str, int]] = []        # (key, choice index) for prefix search
        words: list[tuple[str, int]] = []          # (word of a key, choice index)
        self._keys_of: list[tuple[str, ...]] = []
        named: list[tuple[str, Iterable[str], bool, bool, tuple]] = [
            (s.name, s.all_names, True, True, (0, 0, 0, i)) for i, s in enumerate(self.sectors)
        ]
        for i, p in enumerate(self.places):
            rank = (1, 0 if p.curated else 1, -p.population, _KIND_RANK.get(p.kind, 9), i)
            named.append((p.name, self._keys[id(p)], False, p.curated, rank))
        for index, (name, names, is_sector, curated, rank) in enumerate(named):
            keys = names if not is_sector else tuple(dict.fromkeys(k for k in map(lookup_key, names) if k))
            self._choices.append(_Choice(name, is_sector, curated, rank))
            self._keys_of.append(keys)
            for k in keys:
                entries.append((k, index))
                entries.append((compact(k), index))
                for word in k.split()[1:]:
                    words.append((word, index))
        entries.sort()
        words.sort()
        self._entry_keys = [k for k, _ in entries]
        self._entry_ids = [i for _, i in entries]
        self._word_keys = [k for k, _ in words]
        self._word_ids = [i for _, i in words]
        self._name_keys = [lookup_key(c.name) for c in self._choices]

    def autocomplete(self, prefix: str, limit: int = 25) -> list[str]:
        """Canonical names for a Discord autocomplete, best first: the name starts with what was
        typed, then another spelling does, then a later word does, then it occurs inside; within each,
        sectors, then curated places, then bigger places."""
        if limit <= 0:
            return []
        if not self._choices_built:
            with self._choices_lock:  # built on first use: the CLI never autocompletes
                if not self._choices_built:
                    self._build_choices()
                    self._choices_built = True
        query = lookup_key(prefix)
        if not query:
            return self._default_choices(limit)
        scores: dict[int, int] = {}
        for index in self._prefixed(self._entry_keys, self._entry_ids, query):
            name_key = self._name_keys[index]
            score = 0 if name_key.startswith(query) or compact(name_key).startswith(compact(query)) else 1
            if scores.get(index, 9) > score:
                scores[index] = score
        for index in self._prefixed(self._word_keys, self._word_ids, query):
            scores.setdefault(index, 2)
        if len(scores) < limit:
            for index, keys in enumerate(self._keys_of):
                if index not in scores and any(query in k for k in keys):
                    scores[index] = 3
        best: dict[str, tuple] = {}
        for index, score in scores.items():
            choice = self._choices[index]
            candidate = (0 if score <= 1 else score, _tier(choice, score), score, choice.rank)
            if choice.name not in best or candidate < best[choice.name]:
                best[choice.name] = candidate
        return sorted(best, key=best.__getitem__)[:limit]

    @staticmethod
    def _prefixed(keys: list[str], ids: list[int], query: str) -> Iterable[int]:
        squeezed = compact(query)
        seen = set()
        for q in dict.fromkeys((query, squeezed)):
            i = bisect.bisect_left(keys, q)
            while i < len(keys) and keys[i].startswith(q):
                if ids[i] not in seen:
                    seen.add(ids[i])
                    yield ids[i]
                i += 1

    def _default_choices(self, limit: int) -> list[str]:
        ordered = sorted(range(len(self._choices)), key=lambda i: self._choices[i].rank)
        return list(dict.fromkeys(self._choices[i].name for i in ordered))[:limit]


def _tier(choice: _Choice, score: int) -> int:
    """Among names matched equally well: a sector by its own name, then curated places, then a
    sector by another of its names (typing "chasov" wants the town Chasiv Yar before the sector that
    mentions it, but "prydn" wants the Prydniprovske direction before a village of that name), then
    GeoNames' places."""
    if choice.is_sector:
        return 0 if score == 0 else 2
    return 1 if choice.curated else 3
