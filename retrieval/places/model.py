"""The records of the gazetteer: places, sectors, the spellings that name them, and mentions in text.

Places are compared by identity (`eq=False`): one gazetteer holds one object per place, and tagging
hashes places often (a set of places per passage), which must not hash a dozen fields each time.
"""
from __future__ import annotations

from dataclasses import dataclass

KINDS = ("city", "town", "village", "district", "region")

# Where a place's record came from.
CURATED, GEONAMES, BOTH = "curated", "geonames", "curated+geonames"

# How much context a spelling needs before it is tagged in running text (see homonyms.py).
SAFE = 0        # a name nobody confuses with anything else
WORD = 1        # also an ordinary word or surname ("Bar", "Druzhba", "Kanal"): Ukrainian context close by
ABROAD = 2      # better known as a place abroad ("New York", "Paris"): a Ukrainian place in the same sentence
PART = 3        # a district of a city from GeoNames ("Tsentralnyi", "Shevchenko"): its city close by
NEVER = 9       # listed in the curated file's never_tag: accepted when typed, never tagged in text


@dataclass(frozen=True, eq=False)
class Place:
    name: str                                   # canonical, unique in the gazetteer
    aliases: tuple[str, ...]                    # other spellings matched in text and accepted when typed
    sector: str                                 # curated sector name, or "" (see Gazetteer.sector_of)
    oblast: str                                 # "Donetsk", "Kyiv", "Crimea", ... ("" for Donbas)
    kind: str
    parent: str = ""                            # for kind "district": the town it is part of
    needs_context: bool = False                 # every spelling needs Ukrainian context (curated flag)
    # Words that veto a match when they come right after/before the spelling, e.g. "New York Times",
    # "Kyiv Post", "the Dnipro" (the river).
    unless_followed_by: tuple[str, ...] = ()
    unless_preceded_by: tuple[str, ...] = ()
    lat: float | None = None
    lon: float | None = None
    population: int = 0
    geonameid: int = 0
    source: str = CURATED
    base_name: str = ""                         # the name without its disambiguation: "Novoselivka"
    former: tuple[str, ...] = ()                # spellings that are old names or alternates, not current
    risky: tuple[tuple[str, int], ...] = ()     # (spelling, WORD | ABROAD) for spellings that need context
    derived_sector: str = ""                    # no curated sector: the nearest sector by distance...
    derived_km: float = 0.0                     # ...this far from...
    derived_via: str = ""                       # ...this place of it

    @property
    def all_names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    @property
    def has_coordinates(self) -> bool:
        return self.lat is not None and self.lon is not None

    @property
    def curated(self) -> bool:
        return self.source != GEONAMES


@dataclass(frozen=True, eq=False)
class Sector:
    name: str
    label: str
    aliases: tuple[str, ...]

    @property
    def all_names(self) -> tuple[str, ...]:
        return (self.name, self.label, *self.aliases)


@dataclass(frozen=True)
class SectorLink:
    """Which sector a place belongs to, and whether that was curated or derived by distance."""

    sector: Sector
    derived: bool                     # True: joined to the nearest sector by distance
    km: float = 0.0                   # for a derived link: distance to the nearest of the sector's places
    via: str = ""                     # that place's name

    def describe(self, place: Place) -> str:
        if not self.derived:
            return f"{place.name} is in the {self.sector.label}."
        return (f"{place.name} is not in a curated sector; it was joined to the {self.sector.label} by "
                f"distance ({self.km:.0f} km from {self.via}).")


@dataclass(frozen=True)
class PlaceMention:
    place: Place
    start: int
    end: int
    surface: str
