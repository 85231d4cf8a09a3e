"""Which place a name means, from its context; and names that are not places at all here.

GeoNames has seventeen Novoselivkas and twenty-two Ivanivkas; a name alone rarely says which one an
article means. For a hit with several candidate places, in order:

1. a current name beats a former one (Oleksandrivsk the town, not Zaporizhzhia's old name);
2. an oblast named in the same sentence ("Novoselivka, Donetsk region"), or a raion named after its
   centre ("in the Pokrovsk district"), keeps the candidates inside it (a city among villages of its
   name yields only to an oblast named right after it);
3. a city far larger than every namesake (Rivne, Zaporizhzhia) is meant;
4. the other places of the same article: the candidate nearest to them (within ANCHOR_KM, and
   clearly nearer than the runner-up), looking first at the same sentence, then the whole article;
5. the sectors of the article's other places;
6. a curated place is the default;
7. otherwise the name is left untagged: a wrong place is worse than none.

Two corrections follow: cities listed before a shared "regions" are those regions ("Kyiv, Kharkiv and
Luhansk regions"), and a smaller place far from a tight group of places in its sentence is taken for
a namesake GeoNames lacks and dropped ("Cherkaski Tyshky, Ruski Tyshky, Rubizhne" near Kharkiv is not
the town of Rubizhne in Luhansk Oblast).

Then names that are also ordinary words or better-known places abroad must have Ukrainian context
close by. A curated name flagged needs_context ("Kanal", "Novy") needs a Ukrainian place or cue word
in its own sentence or the next or previous one. An ABROAD spelling ("New York", "Paris") and a
GeoNames village that is an English word ("Marine", "Bar") need more: a Ukrainian place in the same
sentence, or words that make it a settlement right next to it ("near", "the village of") and a
Ukrainian cue in the sentences around. A foreign minister "in New York for UN meetings" is not a
village in Donetsk Oblast. A city district from GeoNames ("Saltivka") needs its city close by.
"""
from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass

from retrieval.chunking import split_sentences
from retrieval.distance import haversine_km
from retrieval.places.matching import Hit, Spelling
from retrieval.places.model import PART, SAFE, WORD, Place, PlaceMention

# Nearest-place resolution: the candidate must be this close to one of the article's other places...
ANCHOR_KM = 60.0
# ...and the runner-up this much farther (ratio), so that two namesakes 20 and 25 km away stay unresolved.
ANCHOR_MARGIN = 1.8
# Outliers (see _drop_outliers): other places of the sentence within CLUSTER_KM of each other, this
# one farther than OUTLIER_KM from all of them, and smaller than a city.
CLUSTER_KM = 60.0
OUTLIER_KM = 120.0
OUTLIER_MAX_POPULATION = 100_000
# How close after a city's name an oblast must be named to overrule its claim to the name (_settle).
OBLAST_NEXT_TO = 40
CITY_POPULATION = 100_000
# A raion named after its centre ("Bakhmut district") covers about this radius.
RAION_KM = 45.0
# A namesake this many times larger than all the others is meant when nothing else decides.
DOMINANT_FACTOR = 10
DOMINANT_MIN_POPULATION = 10_000

# Russian regions (the Kursk incursion) are places of the war but not *Ukrainian* context.
NON_UKRAINIAN_OBLASTS = frozenset({"Kursk", "Belgorod"})

UKRAINIAN_CUE = re.compile(
    r"(?<!\w)(?:Ukrain\w*|Donetsk|Donbass?|oblast|Україн\w*|Украин\w*|Донбас\w*|област\w*)",
    re.IGNORECASE,
)
# Words right before or after a name that say it is a settlement at the front: "near New York",
# "the village of Paris", "Druzhba village", "towards Peremoha".
_SETTLEMENT_BEFORE = re.compile(
    r"(?:\b(?:near|nearby|outside|outskirts\s+of|village\s+of|settlement\s+of|town\s+of|villages\s+of|"
    r"settlements\s+of|towards?|direction\s+of|areas?\s+of|of\s+the\s+village|liberated|captured|"
    r"occupied|shelled|stormed|took|retook)|біля|поблизу|села|селища|села\s+|возле|под|село|селище)"
    r"[\s,]+(?:the\s+)?$",
    re.IGNORECASE,
)
_SETTLEMENT_AFTER = re.compile(r"^[\s,]+(?:village|settlement|area|direction|axis|front)\b", re.IGNORECASE)
_RAION_AFTER = re.compile(r"[\s\-]+(?:raion|rayon|district)\b", re.IGNORECASE)


@dataclass
class _Slot:
    hit: Hit
    candidates: list[Spelling]        # current names first (former ones only if no current one)
    every: tuple[Spelling, ...]       # all candidates, former names too
    sentence: int
    chosen: Spelling | None = None


class Resolver:
    """Turns the matcher's hits in one document into mentions of one place each."""

    def __init__(self, sector_name: Callable[[Place], str | None], regions: dict[str, Place]) -> None:
        self._sector_name = sector_name
        self._regions = regions          # oblast name -> its region place

    def resolve(self, text: str, hits: list[Hit]) -> list[PlaceMention]:
        if not hits:
            return []
        slots = [_Slot(h, _current_first(h.candidates), h.candidates, 0) for h in hits]
        needs_sentences = len(slots) >= 3 or any(len(s.every) > 1 or s.every[0].risk != SAFE for s in slots)
        sentences = _SentenceIndex(text) if needs_sentences else None
        if sentences is not None:
            for slot in slots:
                slot.sentence = sentences.index_of(slot.hit.start)
        for slot in slots:
            if len(slot.every) == 1:
                slot.chosen = slot.every[0]
        if any(slot.chosen is None for slot in slots):
            self._settle_homonyms(text, slots)
        if len(slots) > 1:
            self._regions_in_lists(text, slots)
            _drop_outliers(slots)
        # Sentences holding a Ukrainian place that needs no context (a risky slot is never one).
        ukrainian = {s.sentence for s in slots if s.chosen is not None and _is_context_place(s.chosen)}
        kept = [s for s in slots
                if s.chosen is not None and self._context_allows(text, s, slots, sentences, ukrainian)]
        return [PlaceMention(s.chosen.place, s.hit.start, s.hit.end, s.hit.surface) for s in kept]

    # ---- homonyms

    def _settle_homonyms(self, text: str, slots: list[_Slot]) -> None:
        oblasts = [(s.sentence, s.chosen.place.oblast, s.hit) for s in slots
                   if s.chosen is not None and s.chosen.place.kind == "region" and s.chosen.place.oblast]
        raions = [(s.sentence, s.chosen.place) for s in slots
                  if s.chosen is not None and s.chosen.place.has_coordinates
                  and _RAION_AFTER.match(text, s.hit.end)]
        for _ in range(2):  # a namesake settled in the first pass may anchor another in the second
            anchors = [s for s in slots if s.chosen is not None and _is_anchor(s.chosen)]
            sectors = {name for s in anchors if (name := self._sector_name(s.chosen.place))}
            progress = False
            for slot in slots:
                if slot.chosen is not None:
                    continue
                choice = self._settle(slot, oblasts, raions, anchors, sectors)
                if choice is not None:
                    slot.chosen = choice
                    progress = True
            if not progress:
                break

    def _settle(self, slot: _Slot, oblasts, raions, anchors: list[_Slot], sectors: set[str]) -> Spelling | None:
        candidates = slot.candidates
        # A city among villages of its name (Mykolaiv, Rivne) yields only to an oblast named right
        # after it ("Mykolaivka, Donetsk region"), not to a list of regions around it.
        city = _dominant(candidates)
        strict = city is not None and city.place.population >= CITY_POPULATION
        near = {o for i, o, hit in oblasts if i == slot.sentence
                and (not strict or 0 <= hit.start - slot.hit.end <= OBLAST_NEXT_TO)}
        if near:
            # The oblast may point at a former name: "Druzhba in Sumy Oblast" is Khutir-Mykhailivskyi.
            for pool in (slot.candidates, slot.every):
                inside = [c for c in pool if c.place.oblast in near]
                if len(inside) == 1:
                    return inside[0]
                if inside:
                    candidates = inside
                    break
        centres = [p for i, p in raions if i == slot.sentence]
        if centres:
            inside = [c for c in candidates if c.place.has_coordinates and any(
                haversine_km(c.place.lat, c.place.lon, p.lat, p.lon) <= RAION_KM for p in centres)]
            if len(inside) == 1:
                return inside[0]
            if inside:
                candidates = inside
        dominant = _dominant(candidates) if candidates is not slot.candidates else city
        if dominant is not None:
            return dominant
        same_sentence = [a for a in anchors if a.sentence == slot.sentence]
        for group in (same_sentence, anchors):
            choice = _nearest(candidates, [a.chosen.place for a in group if a is not slot])
            if choice is not None:
                return choice
        in_sectors = [c for c in candidates if self._sector_name(c.place) in sectors]
        if len(in_sectors) == 1:
            return in_sectors[0]
        return _default(candidates)

    def _regions_in_lists(self, text: str, slots: list[_Slot]) -> None:
        """"Kyiv, Kharkiv and Luhansk regions", "Luhansk and Donetsk region": the cities listed
        before a region that ends the list share its "region". ("Donetsk, Luhansk region and
        Dnipropetrovsk region" names the city: only a plural "regions" reaches past one "and".)"""
        for k in range(len(slots) - 1, 0, -1):
            last = slots[k].chosen
            if last is None or last.place.kind != "region":
                continue
            plural = _PLURAL_REGION.search(slots[k].hit.surface) is not None
            j = k - 1
            while j >= 0:
                gap = _LIST_GAP.fullmatch(text, slots[j].hit.end, slots[j + 1].hit.start)
                if gap is None or not (plural or (j == k - 1 and _AND.search(gap.group()))):
                    break
                chosen = slots[j].chosen
                region = self._regions.get(chosen.place.base_name or chosen.place.name) if chosen else None
                if region is None or region.oblast != chosen.place.oblast or " " in slots[j].hit.surface.strip():
                    break
                if region is last.place:  # "Kharkiv and Kharkiv region": the city, then its region
                    break
                slots[j].chosen = Spelling(region, frozenset(), False, SAFE, False)
                j -= 1

    # ---- context for risky names

    def _context_allows(self, text: str, slot: _Slot, slots: list[_Slot], sentences: _SentenceIndex | None,
                        ukrainian_places: set[int]) -> bool:
        risk = slot.chosen.risk
        if risk == SAFE:
            return True
        assert sentences is not None
        i = slot.sentence
        if risk == PART:
            city = slot.chosen.place.parent
            return any(
                s is not slot and s.chosen is not None and abs(s.sentence - i) <= 1
                and city in (s.chosen.place.name, s.chosen.place.parent)
                for s in slots
            )
        if risk == WORD and slot.chosen.place.curated:
            return bool(ukrainian_places & {i - 1, i, i + 1}) or sentences.matches(UKRAINIAN_CUE, i - 1, i + 1)
        # ABROAD, and a GeoNames village that is also an English word ("Marine", "Bar"): a Ukrainian
        # place close by in the same sentence (a list: "Toretsk, Pivnichne and New York"), or words
        # that make it a settlement and Ukrainian context nearby.
        if any(s is not slot and s.chosen is not None and _is_context_place(s.chosen)
               for s in _list_of(text, slots, slot)):
            return True
        return _settlement_words_around(text, slot.hit) and (
            bool(ukrainian_places & {i - 1, i + 1}) or sentences.matches(UKRAINIAN_CUE, i - 1, i + 1))


# What separates the items of a list of places: "Toretsk, Pivnichne and New York", "New York, Donetsk Oblast".
_LIST_GAP = re.compile(
    r"\s*(?:,|;|&|\band\b|\bor\b|,\s*and\b|,\s*or\b|\s-\s|–|\b(?:та|і|й|и|или|або)\b|,\s*(?:та|і|и)\b)\s*",
    re.IGNORECASE,
)


_PLURAL_REGION = re.compile(r"(?:regions|oblasts|provinces)$", re.IGNORECASE)
_AND = re.compile(r"\b(?:and|or|та|і|и)\b", re.IGNORECASE)


def _chars_between(a: Hit, b: Hit) -> int:
    return max(b.start - a.end, a.start - b.end, 0)


def _list_of(text: str, slots: list[_Slot], slot: _Slot) -> list[_Slot]:
    """The slots listed together with this one (itself included)."""
    k = slots.index(slot)
    first = last = k
    while first > 0 and _LIST_GAP.fullmatch(text, slots[first - 1].hit.end, slots[first].hit.start):
        first -= 1
    while last + 1 < len(slots) and _LIST_GAP.fullmatch(text, slots[last].hit.end, slots[last + 1].hit.start):
        last += 1
    return slots[first:last + 1]


def _drop_outliers(slots: list[_Slot]) -> None:
    """An unknown namesake: in "the settlements of Cherkaski Tyshky, Ruski Tyshky, Rubizhne and
    Bayrak" near Kharkiv, Rubizhne is a village GeoNames lacks, not the town in Luhansk Oblast
    150 km away. A smaller place far from a tight cluster of places in the same sentence is dropped."""
    by_sentence: dict[int, list[_Slot]] = {}
    for s in slots:
        if s.chosen is not None and s.chosen.place.has_coordinates and s.chosen.place.kind != "region":
            by_sentence.setdefault(s.sentence, []).append(s)
    for group in by_sentence.values():
        places = list({id(s.chosen.place): s.chosen.place for s in group}.values())
        if len(places) < 3:
            continue
        for place in places:
            if place.population >= OUTLIER_MAX_POPULATION:
                continue
            others = [o for o in places if o is not place]
            if _tight(others) and all(haversine_km(place.lat, place.lon, o.lat, o.lon) > OUTLIER_KM for o in others):
                for s in group:
                    if s.chosen is not None and s.chosen.place is place:
                        s.chosen = None


def _tight(places: list[Place]) -> bool:
    return all(haversine_km(a.lat, a.lon, b.lat, b.lon) <= CLUSTER_KM
               for i, a in enumerate(places) for b in places[i + 1:])


def _settlement_words_around(text: str, hit: Hit) -> bool:
    before = text[max(0, hit.start - 40):hit.start]
    after = text[hit.end:hit.end + 20]
    return _SETTLEMENT_BEFORE.search(before) is not None or _SETTLEMENT_AFTER.match(after) is not None


def _current_first(candidates: tuple[Spelling, ...]) -> list[Spelling]:
    current = [c for c in candidates if not c.former]
    return current or list(candidates)


def _is_anchor(spelling: Spelling) -> bool:
    place = spelling.place
    return spelling.risk == SAFE and place.kind != "region" and place.has_coordinates


def _is_context_place(spelling: Spelling) -> bool:
    return spelling.risk == SAFE and spelling.place.oblast not in NON_UKRAINIAN_OBLASTS


def _nearest(candidates: list[Spelling], anchors: list[Place]) -> Spelling | None:
    if not anchors:
        return None
    scored = []
    for c in candidates:
        if not c.place.has_coordinates:
            continue
        km = min(haversine_km(c.place.lat, c.place.lon, a.lat, a.lon) for a in anchors)
        scored.append((km, c))
    if not scored:
        return None
    scored.sort(key=lambda kc: kc[0])
    best_km, best = scored[0]
    if best_km > ANCHOR_KM:
        return None
    if len(scored) > 1 and scored[1][0] < max(best_km, 1.0) * ANCHOR_MARGIN:
        return None
    return best


def _dominant(candidates: list[Spelling]) -> Spelling | None:
    """A city among villages of its name: Rivne, Zaporizhzhia. Articles mean the city unless an
    oblast or raion named nearby says otherwise (checked before this). A curated front-line village
    is not outweighed this way (Dolyna near Sloviansk, not the town of Dolyna in the west): the
    article's other places decide."""
    ranked = sorted(candidates, key=lambda c: c.place.population, reverse=True)
    if not ranked[0].place.curated and any(c.place.curated for c in ranked[1:]):
        return None
    if ranked[0].place.kind == "district":  # a city district's population is its city's part, not fame
        return None
    top = ranked[0].place.population
    if top >= DOMINANT_MIN_POPULATION and all(top >= DOMINANT_FACTOR * c.place.population for c in ranked[1:]):
        return ranked[0]
    return None


def _default(candidates: list[Spelling]) -> Spelling | None:
    curated = [c for c in candidates if c.place.curated]
    return curated[0] if len(curated) == 1 else None


class _SentenceIndex:
    """Sentence boundaries of a document, computed once, looked up by character offset."""

    def __init__(self, text: str) -> None:
        self._text = text
        spans = split_sentences(text) or []
        self._starts = [s.start for s in spans] or [0]
        self._ends = [s.end for s in spans] or [len(text)]

    def index_of(self, offset: int) -> int:
        return max(0, bisect.bisect_right(self._starts, offset) - 1)

    def matches(self, pattern: re.Pattern[str], first: int, last: int) -> bool:
        first, last = max(first, 0), min(last, len(self._starts) - 1)
        if first > last:
            return False
        return pattern.search(self._text, self._starts[first], self._ends[last]) is not None
