"""Finding place names in text: words looked up in a dictionary of every spelling, then checks.

The text is split into words once (apostrophes inside a word kept: "Kup’iansk"); at each word that
starts some spelling, the longest run of words joined only by spaces or hyphens that is a spelling
wins ("Kupiansk-Vuzlovyi" before "Kupiansk", "Chasiv-Yar" = "Chasiv Yar"). Why not one regex over all
spellings, as when the gazetteer had 1,000 of them: with 35,000 Python's `re` takes seconds to compile
the pattern in every process, while a dictionary is built in milliseconds and scans as fast.

The scan only finds *where* a known spelling occurs and which places it may name; homonyms.py then
decides which one the article means, or none. Per hit, each candidate's spelling must pass its case
rule (short and risky spellings are matched only as written or in capitals) and its veto words
("New York Times", "the Dnipro" river); when the longest spelling fails, shorter ones are tried.

Standard library only: tagging runs on every passage at ingest and on every question.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from retrieval.places.model import NEVER, SAFE, WORD, Place
from retrieval.places.variants import APOSTROPHES, cyrillic_language, letter_count, surface_key

# Curated spellings with fewer letters than this are matched case-sensitively ("Kyiv", "Sumy",
# "Izium"): lower-case short strings collide with ordinary words far more often than long
# transliterations do. GeoNames-only spellings are always case-sensitive: a village name written in
# lower case in English text is almost never the village.
CASE_INSENSITIVE_MIN_LETTERS = 6

# A one-word spelling that mixes romanisation systems ("Huliaypole": я as KMU's "ia", й as BGN's "y")
# is in no list; such a word of this many letters, capitalised, is matched by its loose key (below) to
# a curated place or a town of this many people, when no exact spelling matches.
LOOSE_MIN_LETTERS = 7
LOOSE_MIN_POPULATION = 10_000
_LOOSE_FOLDS = (("kh", "h"), ("g", "h"), ("j", "i"), ("y", "i"), ("ie", "e"))
_DOUBLED = re.compile(r"(.)\1+")

# "Donetsk regional administration" names the region, not the city.
_REGION_WORD = " region"

_APOS_ANY = re.compile("[" + re.escape(APOSTROPHES) + "]")
# A word, with apostrophes inside it ("Kup’iansk", "Mar'inka") but not a final possessive "’s"
# ("Toretsk’s" is "Toretsk" and "s"; "People's" in "Donetsk People's Republic" likewise, on both sides).
_TOKEN = re.compile(r"[^\W_]+(?:[" + re.escape(APOSTROPHES) + r"](?!s\b)[^\W_]+)*")
# The next word of the same name: what may stand between two words of one name, then a word.
_NEXT_TOKEN = re.compile(r"[ \t\n\-\u00a0\u2010\u2011" + re.escape(APOSTROPHES) + r"]{1,3}(" + _TOKEN.pattern + ")")
_NEXT_WORD = re.compile(r"[\s\-\u2010\u2011]*(\w+)")
_PREV_WORD = re.compile(r"(\w+)[\s\-\u2010\u2011]*$")


@dataclass(frozen=True, eq=False)
class Spelling:
    """One spelling of one place, prepared for matching."""

    place: Place
    exact_keys: frozenset[str]   # the spellings as written (separators/apostrophes normalised)
    case_sensitive: bool
    risk: int               # model.SAFE / WORD / ABROAD
    former: bool            # an old name or alternate, not the current name


@dataclass(frozen=True)
class Hit:
    start: int
    end: int
    surface: str
    candidates: tuple[Spelling, ...]   # every place this surface may name here, best spelling each


class Matcher:
    """All spellings of all places, keyed for the scan."""

    def __init__(self, places: Iterable[Place]) -> None:
        self._by_surface: dict[str, list[Spelling]] = {}
        owners_of: dict[int, Place] = {}
        for place in places:
            owners_of[id(place)] = place
            # key -> [(as matched, as listed)] for this place
            forms: dict[str, list[tuple[str, str]]] = {}
            risks = dict(place.risky) if place.risky else {}
            for text in place.all_names:
                if text == place.name and place.name != place.base_name:
                    continue  # "Novoselivka (Donetsk Oblast)" is typed by users, never written in articles
                if risks.get(text) == NEVER:
                    continue
                key = text_key(text)
                forms.setdefault(key, []).append((text, text))
                if key.endswith(_REGION_WORD):
                    forms.setdefault(key + "al", []).append((text + "al", text))
                    forms.setdefault(key + "s", []).append((text + "s", text))   # "Luhansk and Donetsk regions"
            former = set(place.former)
            floor = WORD if place.needs_context else SAFE
            for key, texts in forms.items():
                risk = max(floor, *(risks.get(listed, SAFE) for _, listed in texts))
                self._by_surface.setdefault(key, []).append(Spelling(
                    place=place,
                    exact_keys=frozenset(surface_key(matched, fold_case=False) for matched, _ in texts),
                    case_sensitive=any(_case_sensitive(place, listed, risk) for _, listed in texts),
                    risk=risk,
                    former=all(listed in former for _, listed in texts),
                ))
        # Loose key of every one-word spelling -> the places it may name (see LOOSE_MIN_LETTERS).
        self._by_loose: dict[str, list[Spelling]] = {}
        for key, spellings in self._by_surface.items():
            if " " in key or len(key) < LOOSE_MIN_LETTERS:
                continue
            for spelling in spellings:
                place = spelling.place
                if spelling.risk == SAFE and not spelling.former and (
                        place.curated or place.population >= LOOSE_MIN_POPULATION):
                    found = self._by_loose.setdefault(loose_key(key), [])
                    if all(f.place is not place for f in found):
                        found.append(spelling)
        # First word of every spelling -> the most words any spelling starting with it has.
        self._longest: dict[str, int] = {}
        for key in self._by_surface:
            words = key.split(" ")
            if self._longest.get(words[0], 0) < len(words):
                self._longest[words[0]] = len(words)
        self._vetoes_after: dict[int, frozenset[str]] = {}
        self._vetoes_before: dict[int, frozenset[str]] = {}
        for place in owners_of.values():
            if place.unless_followed_by:
                self._vetoes_after[id(place)] = frozenset(w.casefold() for w in place.unless_followed_by)
            if place.unless_preceded_by:
                self._vetoes_before[id(place)] = frozenset(w.casefold() for w in place.unless_preceded_by)

    @property
    def spelling_count(self) -> int:
        return sum(len(v) for v in self._by_surface.values())

    def owners(self, surface: str) -> list[Spelling]:
        return self._by_surface.get(text_key(surface), [])

    # ---- scanning

    def scan(self, text: str) -> list[Hit]:
        """Every spelling occurrence, in order, longest first, not overlapping."""
        longest = self._longest
        haystack = text.lower()
        if len(haystack) != len(text):  # "İ" lower-cases to two characters: keep offsets true
            haystack = "".join(ch.lower()[0] for ch in text)
        hits: list[Hit] = []
        resume = 0
        for match in _TOKEN.finditer(haystack):
            word = match.group()
            if match.start() < resume:
                continue
            if not word.isalnum():
                word = _APOS_ANY.sub("", word)
            most = longest.get(word)
            if most is None:
                hit = self._loose_hit(text, match, word)
            else:
                hit = self._longest_hit(text, haystack, match, word, most)
            if hit is not None:
                hits.append(hit)
                resume = hit.end
        return hits

    def _longest_hit(self, text: str, haystack: str, first: re.Match[str], word: str, most: int) -> Hit | None:
        # Words joined only by separators (spaces, hyphens) form one name: "Chasiv-Yar", "Niu York".
        words, ends = [word], [first.end()]
        while len(words) < most:
            nxt = _NEXT_TOKEN.match(haystack, ends[-1])
            if nxt is None:
                break
            words.append(_APOS_ANY.sub("", nxt.group(1)))
            ends.append(nxt.end())
        for count in range(len(words), 0, -1):
            owners = self._by_surface.get(" ".join(words[:count]) if count > 1 else word)
            if owners:
                hit = self._valid(text, first.start(), ends[count - 1], owners)
                if hit is not None:
                    return hit
        return None

    def _loose_hit(self, text: str, match: re.Match[str], word: str) -> Hit | None:
        if len(word) < LOOSE_MIN_LETTERS or not text[match.start()].isupper():
            return None
        owners = self._by_loose.get(loose_key(word))
        if not owners or _part_of_a_name(text, match.start(), match.end()):
            return None
        valid = tuple(o for o in owners if not self._vetoed(text, match.start(), match.end(), o.place))
        return Hit(match.start(), match.end(), text[match.start():match.end()], valid) if valid else None

    def _valid(self, text: str, start: int, end: int, owners: list[Spelling]) -> Hit | None:
        surface = text[start:end]
        exact = surface_key(surface, fold_case=False)
        looks_like_a_name = None
        valid = []
        for o in owners:
            if o.case_sensitive and not _case_matches(exact, o.exact_keys):
                continue
            if self._vetoed(text, start, end, o.place):
                continue
            if (not o.place.curated or o.former) and o.place.kind != "region":
                if looks_like_a_name is None:
                    looks_like_a_name = _part_of_a_name(text, start, end)
                if looks_like_a_name:
                    continue
            valid.append(o)
        valid = tuple(valid)
        return Hit(start, end, surface, valid) if valid else None

    def _vetoed(self, text: str, start: int, end: int, place: Place) -> bool:
        after = self._vetoes_after.get(id(place))
        if after:
            nxt = _NEXT_WORD.match(text, end)
            if nxt is not None and nxt.group(1).casefold() in after:
                return True
        before = self._vetoes_before.get(id(place))
        if before:
            prev = _PREV_WORD.search(text, max(0, start - 40), start)
            if prev is not None and prev.group(1).casefold() in before:
                return True
        return False


def _part_of_a_name(text: str, start: int, end: int) -> bool:
    """A GeoNames name, or a former name, that is part of a person's or organisation's name:
    "Taras Shevchenko", "Vladimir Putin", "Sicheslav Airborne Brigade", "Shevchenko said". The
    curated places' current names have their own veto words instead."""
    prev = _PREV_WORD.search(text, max(0, start - 30), start)
    if prev is not None and text[prev.end(1):start] == " ":
        word = prev.group(1)
        if word[:1].isupper() and word.lower() not in _NAME_MAY_FOLLOW:
            return True
    nxt = _NEXT_WORD.match(text, end)
    if nxt is None or text[end:nxt.start(1)] != " ":
        return False
    word = nxt.group(1)
    return word.lower() in _SPEECH_VERBS or (word[:1].isupper() and word.lower() not in _NAME_MAY_PRECEDE)


# Capitalised words that may stand right before a village's name.
_NAME_MAY_FOLLOW = frozenset({
    "ukrainian", "russian", "occupied", "liberated", "northern", "southern", "eastern", "western",
    "central", "greater", "in", "near", "at", "of", "from", "to", "and", "the", "village", "town",
    "city", "settlement", "urban", "rural", "outside", "around", "toward", "towards", "into", "on",
    "by", "for", "with", "captured", "shelled", "hit", "struck", "sobre", "oblast", "region", "district",
})
# Capitalised words that may stand right after one: the divisions, and the town's offices
# ("Dniprorudne Mayor Yevhen Matveyev", "Bucha City Council"), which make no person's name.
_NAME_MAY_PRECEDE = frozenset({"oblast", "region", "raion", "rayon", "district", "hromada", "community",
                               "mayor", "city", "town", "village", "council", "governor", "administration"})
_SPEECH_VERBS = frozenset({
    "said", "says", "told", "added", "noted", "stated", "wrote", "explained", "claimed", "stressed",
    "emphasized", "emphasised", "announced", "believes", "thinks", "argued", "recalled", "asked",
})


def text_key(text: str) -> str:
    """The dictionary key of a spelling: its words, lower case, apostrophes dropped, one space apart."""
    if text.replace(" ", "").isalpha():  # the common case, without a regex
        return " ".join(text.lower().split())
    return " ".join(_APOS_ANY.sub("", w).lower() for w in _TOKEN.findall(text))


def loose_key(word: str) -> str:
    """A one-word spelling with the letters romanisations disagree on folded: Huliaypole, Hulyaipole,
    Gulyaipole -> "huliaipole"."""
    word = word.lower()
    for a, b in _LOOSE_FOLDS:
        word = word.replace(a, b)
    return _DOUBLED.sub(r"\1", word)


def _case_sensitive(place: Place, text: str, risk: int) -> bool:
    if place.needs_context or risk != SAFE or not (place.curated or place.kind == "region"):
        return True
    if cyrillic_language(text) is not None and place.population < 50_000:
        return True
    return letter_count(text) < CASE_INSENSITIVE_MIN_LETTERS


def _case_matches(exact: str, forms: frozenset[str]) -> bool:
    """As written, or in capitals."""
    return exact in forms or any(exact == f.upper() for f in forms)
