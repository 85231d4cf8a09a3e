"""Straight-line distances between places, and the answer to "how far is A from B?".

The distance is the great-circle distance between the gazetteer's coordinates (GeoNames, or the
curated file), said to be a straight line: roads and the front line make real routes longer. The
articles' own statements ("approximately 10 km from Horlivka") are cited by the normal retrieval;
this only adds the number the articles may not give.
"""
from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from retrieval.places import Gazetteer, Place

EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG)

# "How far is A from B", "how far from A to B", "distance between A and B", "distance from A to B",
# "how many km from A to B", and the Ukrainian/Russian forms ("відстань між A і B", "как далеко").
_QUESTION = re.compile(
    r"\b(?:how\s+far|how\s+many\s+(?:km|kilometers|kilometres|miles)|how\s+close|distance|"
    r"відстань|яка\s+відстань|як\s+далеко|расстояние|как\s+далеко|сколько\s+км)\b",
    re.IGNORECASE,
)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km between two points given in degrees."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def km_between(a: Place, b: Place) -> float | None:
    if not (a.has_coordinates and b.has_coordinates):
        return None
    return haversine_km(a.lat, a.lon, b.lat, b.lon)


def is_distance_question(question: str) -> bool:
    return _QUESTION.search(question or "") is not None


def distance_answer(question: str, gazetteer: Gazetteer) -> str | None:
    """One sentence giving the straight-line distance between the first two places the question
    names, or None when it is not a distance question or the places are not two known settlements.

    >>> distance_answer("How far is Toretsk from Horlivka?", gazetteer)   # doctest: +SKIP
    'Toretsk is about 11 km from Horlivka in a straight line (gazetteer coordinates).'
    """
    if not is_distance_question(question):
        return None
    places: list[Place] = []
    for mention in gazetteer.find(question):
        place = mention.place
        if place.kind != "region" and place.has_coordinates and place not in places:
            places.append(place)
    if len(places) < 2:
        return None
    a, b = places[0], places[1]
    km = km_between(a, b)
    if km is None:
        return None
    return f"{a.name} is about {_round_km(km)} km from {b.name} in a straight line (gazetteer coordinates)."


def _round_km(km: float) -> str:
    if km < 10:
        return f"{km:.1f}".rstrip("0").rstrip(".") if km >= 1 else "1"
    if km < 100:
        return str(round(km))
    return str(int(round(km, -1)))
