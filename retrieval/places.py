"""Place gazetteer and fast place matcher for front-line news text.

The gazetteer (config/gazetteer.toml) lists front-line settlements, their
aliases/transliterations and the military sector ("direction") each belongs
to. `Gazetteer.find` tags place mentions in text; `resolve`, `suggest` and
`autocomplete` serve user-typed names (Discord commands).

Standard library only: this module is imported on hot paths (ingest, search)
and by the bot, so it must stay light.
"""

from __future__ import annotations

import difflib
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Iterable
from typing import Any

DEFAULT_PATH = Path(__file__).resolve().parents[1] / "config" / "gazetteer.toml"

KINDS = ("city", "town", "village", "district", "region")

# Aliases with fewer letters than this are matched case-sensitively ("Kyiv",
# "Sumy", "Izium"), because lower-case short strings collide with ordinary
# words far more often than long transliterations do.
CASE_INSENSITIVE_MIN_LETTERS = 6

# Russian regions (Kursk incursion) are places of the war but not a
# *Ukrainian* context cue for risky names.
_NON_UKRAINIAN_OBLASTS = frozenset({"Kursk", "Belgorod"})

# Words that make risky ("needs_context") names trustworthy when present.
_CONTEXT_CUE = re.compile(
    r"(?<!\w)(?:Ukrain\w*|Donetsk|Donbass?|Україн\w*|Украин\w*|Донбас\w*)",
    re.IGNORECASE,
)

# Separator and apostrophe variants as they appear in real text:
# "Chasiv-Yar", "Chasiv Yar", "Niu‑York" (non-breaking hyphen), "Mar’inka".
_APOS_CHARS = "'\u2019\u02bc\u2018`\u00b4"
_SEP_RE = r"[\s\-\u2010\u2011]+"
_APOS_RE = "[" + re.escape(_APOS_CHARS) + "]?"
_SEP_RUN = re.compile(_SEP_RE)
_APOS_ANY = re.compile("[" + re.escape(_APOS_CHARS) + "]")
_WORD_CHAR = re.compile(r"\w")
_NEXT_WORD = re.compile(r"[\s\-\u2010\u2011]*(\w+)")
_PREV_WORD = re.compile(r"(\w+)[\s\-\u2010\u2011]*$")
_NON_ALNUM = re.compile(r"[\W_]+")

# "Donetsk regional administration" names the region, not the city.
_REGION_WORD = " region"

# A user typing "/sector Bakhmut direction" means the sector.
_SECTOR_SUFFIXES = (" direction", " sector", " axis", " front")

# Autocomplete ordering for the empty prompt and for ties.
_KIND_RANK = {"city": 1, "region": 2, "town": 3, "village": 4, "district": 5}
_SECTOR_RANK = 0

_PLACE_KEYS = frozenset(
    {
        "name", "aliases", "sector", "oblast", "kind", "parent", "needs_context",
        "unless_followed_by", "unless_preceded_by",
    }
)
_SECTOR_KEYS = frozenset({"name", "label", "aliases"})


@dataclass(frozen=True)
class Place:
    name: str
    aliases: tuple[str, ...]
    sector: str
    oblast: str
    kind: str
    parent: str
    needs_context: bool
    # Words that veto a match when they come right after/before the alias,
    # e.g. "New York Times", "Kyiv Post", "the Dnipro" (the river).
    unless_followed_by: tuple[str, ...] = ()
    unless_preceded_by: tuple[str, ...] = ()

    @property
    def all_names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class Sector:
    name: str
    label: str
    aliases: tuple[str, ...]

    @property
    def all_names(self) -> tuple[str, ...]:
        return (self.name, self.label, *self.aliases)


@dataclass(frozen=True)
class PlaceMention:
    place: Place
    start: int
    end: int
    surface: str


@dataclass(frozen=True)
class _Alias:
    """One spelling of a place, prepared for matching."""

    place: Place
    text: str
    case_sensitive: bool
    exact_key: str  # separators/apostrophes normalised, case kept


# --------------------------------------------------------------------------
# Normalisation helpers


def lookup_key(text: str) -> str:
    """Key for user-typed names: case-, diacritic- and punctuation-insensitive."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    no_apostrophes = _APOS_ANY.sub("", stripped)
    return _NON_ALNUM.sub(" ", no_apostrophes.casefold()).strip()


def _compact(key: str) -> str:
    return key.replace(" ", "")


def _surface_key(text: str, *, fold_case: bool = True) -> str:
    """Key of a matched surface: the same variants the regex accepts collapse."""
    text = _APOS_ANY.sub("", _SEP_RUN.sub(" ", text.strip()))
    return text.lower() if fold_case else text


def _pattern_key(alias: str) -> str:
    """Alias spelled with one canonical separator (" ") and apostrophe ("'")."""
    text = _SEP_RUN.sub(" ", alias.strip().lower())
    return _APOS_ANY.sub("'", text)


def _letter_count(text: str) -> int:
    return sum(ch.isalpha() for ch in text)


# --------------------------------------------------------------------------
# Regex construction


def _token_regex(token: str) -> str:
    return _SEP_RE if token == " " else re.escape(token)


def _trie_regex(keys: Iterable[str]) -> str:
    """One regex for all keys, factored as a trie.

    A flat alternation of ~1,000 aliases makes the engine try every branch at
    every word start; a trie tries one branch per distinct next character, so
    tagging stays cheap. Sibling branches start with different characters, so
    at most one can proceed, and greedy optional tails make the longest alias
    win. An apostrophe in a key ("kup'iansk") is not a branch of its own (an
    optional branch would shadow its longer siblings: "Kupiansk-Vuzlovyi");
    it marks the node as accepting an optional apostrophe before what follows.
    """
    root: dict[str, Any] = {}
    for key in keys:
        node = root
        for char in key:
            if char == "'":
                node["'"] = True
                continue
            node = node.setdefault(char, {})
        node[""] = True

    def build(node: dict[str, Any]) -> str:
        is_end = "" in node
        branches = [
            _token_regex(char) + build(child)
            for char, child in sorted(node.items())
            if char not in ("", "'")
        ]
        if not branches:
            return ""
        apostrophe = _APOS_RE if "'" in node else ""
        if len(branches) == 1 and not is_end:
            return apostrophe + branches[0]
        group = "(?:" + apostrophe + "(?:" + "|".join(branches) + "))"
        return group + "?" if is_end else group

    return build(root)


# --------------------------------------------------------------------------
# Loading and validation


def _require_str(table: dict[str, Any], key: str, where: str, default: str | None = None) -> str:
    value = table.get(key, default)
    if value is None:
        raise ValueError(f"{where}: missing '{key}'")
    if not isinstance(value, str):
        raise ValueError(f"{where}: '{key}' must be a string, got {type(value).__name__}")
    return value.strip()


def _str_list(table: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{where}: '{key}' must be a list of strings")
    return tuple(v.strip() for v in value if v.strip())


def _spelling(text: str) -> str:
    """Spelling with one separator and apostrophe style; case kept."""
    return _APOS_ANY.sub("'", _SEP_RUN.sub(" ", text.strip()))


def _dedupe_aliases(name: str, aliases: Iterable[str]) -> tuple[str, ...]:
    """Drop aliases that repeat the name or each other. "Mar'inka" is kept
    next to "Marinka": the apostrophe spelling is what puts the optional
    apostrophe into the matcher."""
    seen = {_spelling(name)}
    kept = []
    for alias in aliases:
        key = _spelling(alias)
        if key not in seen:
            seen.add(key)
            kept.append(alias)
    return tuple(kept)


def _check_unknown_keys(table: dict[str, Any], allowed: frozenset[str], where: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise ValueError(f"{where}: unknown key(s) {', '.join(map(repr, unknown))}")


def _parse_sector(table: Any, index: int) -> Sector:
    if not isinstance(table, dict):
        raise ValueError(f"sector #{index}: must be a table")
    where = f"sector #{index}"
    name = _require_str(table, "name", where)
    if not name:
        raise ValueError(f"{where}: missing 'name'")
    where = f"sector {name!r}"
    _check_unknown_keys(table, _SECTOR_KEYS, where)
    label = _require_str(table, "label", where, default=f"{name} direction") or f"{name} direction"
    return Sector(name=name, label=label, aliases=_dedupe_aliases(name, _str_list(table, "aliases", where)))


def _parse_place(table: Any, index: int) -> Place:
    if not isinstance(table, dict):
        raise ValueError(f"place #{index}: must be a table")
    where = f"place #{index}"
    name = _require_str(table, "name", where)
    if not name:
        raise ValueError(f"{where}: missing 'name'")
    where = f"place {name!r}"
    _check_unknown_keys(table, _PLACE_KEYS, where)
    kind = _require_str(table, "kind", where, default="village")
    if kind not in KINDS:
        raise ValueError(f"{where}: kind {kind!r} is not one of {', '.join(KINDS)}")
    needs_context = table.get("needs_context", False)
    if not isinstance(needs_context, bool):
        raise ValueError(f"{where}: 'needs_context' must be true or false")
    return Place(
        name=name,
        aliases=_dedupe_aliases(name, _str_list(table, "aliases", where)),
        sector=_require_str(table, "sector", where, default=""),
        oblast=_require_str(table, "oblast", where, default=""),
        kind=kind,
        parent=_require_str(table, "parent", where, default=""),
        needs_context=needs_context,
        unless_followed_by=_str_list(table, "unless_followed_by", where),
        unless_preceded_by=_str_list(table, "unless_preceded_by", where),
    )


def _check_references(places: tuple[Place, ...], sectors: tuple[Sector, ...]) -> None:
    sector_names = {s.name for s in sectors}
    place_names = {p.name for p in places}
    for place in places:
        where = f"place {place.name!r}"
        if place.sector and place.sector not in sector_names:
            raise ValueError(
                f"{where}: unknown sector {place.sector!r} (known: {', '.join(sorted(sector_names))})"
            )
        if place.kind == "district":
            if not place.parent:
                raise ValueError(f"{where}: kind 'district' needs a 'parent' town")
            if place.parent not in place_names:
                raise ValueError(f"{where}: unknown parent {place.parent!r}")
            if place.parent == place.name:
                raise ValueError(f"{where}: a place cannot be its own parent")
        elif place.parent:
            raise ValueError(f"{where}: 'parent' is only for kind 'district'")
        for alias in place.all_names:
            if _letter_count(alias) == 0:
                raise ValueError(f"{where}: alias {alias!r} has no letters")


def _index_unique(
    entries: Iterable[tuple[str, Any, str]], what: str
) -> dict[str, Any]:
    """key -> owner, refusing a key claimed by two different owners."""
    index: dict[str, Any] = {}
    for key, owner, spelling in entries:
        if not key:
            continue
        other = index.get(key)
        if other is not None and other is not owner:
            raise ValueError(
                f"duplicate {what} {spelling!r}: used by both {other.name!r} and {owner.name!r}"
            )
        index[key] = owner
    return index


# --------------------------------------------------------------------------
# The gazetteer


@dataclass(eq=False)
class Gazetteer:
    places: tuple[Place, ...]
    sectors: tuple[Sector, ...]
    _place_by_key: dict[str, Place] = field(init=False, repr=False)
    _place_by_compact: dict[str, Place] = field(init=False, repr=False)
    _sector_by_key: dict[str, Sector] = field(init=False, repr=False)
    _sector_by_name: dict[str, Sector] = field(init=False, repr=False)
    _place_by_name: dict[str, Place] = field(init=False, repr=False)
    _alias_by_surface: dict[str, _Alias] = field(init=False, repr=False)
    _matcher: re.Pattern[str] = field(init=False, repr=False)
    _matcher_any_case: re.Pattern[str] = field(init=False, repr=False)
    _vetoes_after: dict[str, frozenset[str]] = field(init=False, repr=False)
    _vetoes_before: dict[str, frozenset[str]] = field(init=False, repr=False)
    _choices: list[_Choice] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._build_lookup_indexes()
        self._build_matcher()
        self._choices = self._build_choices()

    def __repr__(self) -> str:
        return f"Gazetteer({len(self.places)} places, {len(self.sectors)} sectors)"

    # ---- construction

    @classmethod
    def load(cls, path: Path | None = None) -> Gazetteer:
        path = Path(path) if path is not None else DEFAULT_PATH
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"{path}: invalid TOML: {exc}") from exc
        try:
            return cls.from_dict(data)
        except ValueError as exc:
            raise ValueError(f"{path}: {exc}") from exc

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Gazetteer:
        unknown = sorted(set(data) - {"sector", "place"})
        if unknown:
            raise ValueError(f"unknown top-level key(s) {', '.join(map(repr, unknown))}")
        raw_sectors = data.get("sector", [])
        raw_places = data.get("place", [])
        if not isinstance(raw_sectors, list) or not isinstance(raw_places, list):
            raise ValueError("'sector' and 'place' must be arrays of tables ([[sector]], [[place]])")
        sectors = tuple(_parse_sector(t, i) for i, t in enumerate(raw_sectors, 1))
        places = tuple(_parse_place(t, i) for i, t in enumerate(raw_places, 1))
        if not places:
            raise ValueError("no [[place]] entries")
        _index_unique(((s.name, s, s.name) for s in sectors), "sector name")
        _index_unique(((p.name, p, p.name) for p in places), "place name")
        _check_references(places, sectors)
        return cls(places=places, sectors=sectors)

    def _build_lookup_indexes(self) -> None:
        self._place_by_name = {p.name: p for p in self.places}
        self._sector_by_name = {s.name: s for s in self.sectors}
        self._place_by_key = _index_unique(
            ((lookup_key(a), p, a) for p in self.places for a in p.all_names), "place alias"
        )
        self._sector_by_key = _index_unique(
            ((lookup_key(a), s, a) for s in self.sectors for a in s.all_names), "sector alias"
        )
        # Fallback for "chasivyar"-style input; ambiguous compact keys are dropped.
        compact: dict[str, Place | None] = {}
        for key, place in self._place_by_key.items():
            ck = _compact(key)
            compact[ck] = place if compact.get(ck, place) is place else None
        self._place_by_compact = {k: p for k, p in compact.items() if p is not None}

    def _build_matcher(self) -> None:
        aliases: dict[str, _Alias] = {}
        pattern_keys: set[str] = set()
        for place in self.places:
            for text in place.all_names:
                entry = _Alias(
                    place=place,
                    text=text,
                    case_sensitive=place.needs_context
                    or _letter_count(text) < CASE_INSENSITIVE_MIN_LETTERS,
                    exact_key=_surface_key(text, fold_case=False),
                )
                variants = [text]
                if _surface_key(text).endswith(_REGION_WORD):
                    variants.append(text + "al")
                for variant in variants:
                    aliases.setdefault(_surface_key(variant), entry)
                    pattern_keys.add(_pattern_key(variant))
        self._alias_by_surface = aliases
        # One compiled pattern for everything, run over text.lower(): about 3x
        # faster than re.IGNORECASE. Case rules for short/risky aliases are
        # enforced per hit on the original text, which is rare work.
        body = r"(?<!\w)(?:" + _trie_regex(sorted(pattern_keys)) + r")(?!\w)"
        self._matcher = re.compile(body)
        # For the odd text whose lower() changes length ("İ"), offsets would
        # drift: scan the original text case-insensitively instead.
        self._matcher_any_case = re.compile(body, re.IGNORECASE)
        self._vetoes_after = {
            p.name: frozenset(w.casefold() for w in p.unless_followed_by) for p in self.places
        }
        self._vetoes_before = {
            p.name: frozenset(w.casefold() for w in p.unless_preceded_by) for p in self.places
        }

    # ---- matching

    def find(self, text: str, *, context: str = "") -> list[PlaceMention]:
        """Every place mention in `text`, in order, longest alias first.

        Places marked needs_context ("New York", "Kanal", "Novy") are kept
        only if `text` (or the optional `context`, e.g. the whole article when
        `text` is one passage of it) has a Ukrainian context cue.
        """
        mentions = self._scan(text)
        if any(m.place.needs_context for m in mentions):
            if not (self._has_context_cue(text, mentions) or self._context_has_cue(context)):
                mentions = [m for m in mentions if not m.place.needs_context]
        return mentions

    def places_in(self, text: str, *, context: str = "") -> list[str]:
        """Distinct canonical names in order of first mention."""
        return list(dict.fromkeys(m.place.name for m in self.find(text, context=context)))

    def _scan(self, text: str) -> list[PlaceMention]:
        haystack = text.lower()
        matcher = self._matcher
        if len(haystack) != len(text):
            haystack, matcher = text, self._matcher_any_case
        mentions: list[PlaceMention] = []
        pos = 0
        while (match := matcher.search(haystack, pos)) is not None:
            mention = self._accept_at(text, haystack, matcher, match.start(), match.end())
            if mention is None:
                pos = match.start() + 1
            else:
                mentions.append(mention)
                pos = mention.end
        return mentions

    def _accept_at(
        self, text: str, haystack: str, matcher: re.Pattern[str], start: int, end: int
    ) -> PlaceMention | None:
        """Best acceptable mention starting at `start`, trying shorter aliases
        when the longest one fails its case rule or a veto word."""
        while True:
            mention = self._mention_if_valid(text, start, end)
            if mention is not None:
                return mention
            end = self._shorter_match_end(haystack, matcher, start, end)
            if end is None:
                return None

    @staticmethod
    def _shorter_match_end(
        haystack: str, matcher: re.Pattern[str], start: int, end: int
    ) -> int | None:
        while True:
            shorter = matcher.match(haystack, start, end - 1)
            if shorter is None:
                return None
            end = shorter.end()
            # endpos makes "(?!\w)" succeed at the cut; re-check the real text.
            if end >= len(haystack) or not _WORD_CHAR.match(haystack, end):
                return end

    def _mention_if_valid(self, text: str, start: int, end: int) -> PlaceMention | None:
        surface = text[start:end]
        alias = self._alias_by_surface.get(_surface_key(surface))
        if alias is None:
            return None
        if alias.case_sensitive and not self._case_matches(surface, alias):
            return None
        if self._vetoed(text, start, end, alias.place):
            return None
        return PlaceMention(place=alias.place, start=start, end=end, surface=surface)

    @staticmethod
    def _case_matches(surface: str, alias: _Alias) -> bool:
        key = _surface_key(surface, fold_case=False)
        base = alias.exact_key
        # "Donetsk regional" is the "Donetsk region" alias plus a suffix.
        return key in (base, base.upper(), base + "al", (base + "al").upper())

    def _vetoed(self, text: str, start: int, end: int, place: Place) -> bool:
        after = self._vetoes_after[place.name]
        if after:
            nxt = _NEXT_WORD.match(text, end)
            if nxt is not None and nxt.group(1).casefold() in after:
                return True
        before = self._vetoes_before[place.name]
        if before:
            prev = _PREV_WORD.search(text, max(0, start - 40), start)
            if prev is not None and prev.group(1).casefold() in before:
                return True
        return False

    @staticmethod
    def _is_context_place(place: Place) -> bool:
        return not place.needs_context and place.oblast not in _NON_UKRAINIAN_OBLASTS

    def _has_context_cue(self, text: str, mentions: list[PlaceMention]) -> bool:
        if any(self._is_context_place(m.place) for m in mentions):
            return True
        return _CONTEXT_CUE.search(text) is not None

    def _context_has_cue(self, context: str) -> bool:
        return bool(context) and self._has_context_cue(context, self._scan(context))

    # ---- lookup

    def resolve(self, name: str) -> Place | Sector | None:
        """A user-typed name -> Place (preferred) or Sector, else None."""
        key = lookup_key(name)
        if not key:
            return None
        place = self._place_by_key.get(key) or self._place_by_compact.get(_compact(key))
        if place is not None:
            return place
        return self._find_sector(key)

    def resolve_sector(self, name: str) -> Sector | None:
        """A user-typed sector name, or a place name -> that place's sector."""
        key = lookup_key(name)
        if not key:
            return None
        sector = self._find_sector(key)
        if sector is not None:
            return sector
        place = self._place_by_key.get(key) or self._place_by_compact.get(_compact(key))
        return self.sector_of(place) if place is not None else None

    def _find_sector(self, key: str) -> Sector | None:
        sector = self._sector_by_key.get(key)
        if sector is not None:
            return sector
        compact = _compact(key)
        for sector_key, sector in self._sector_by_key.items():
            if _compact(sector_key) == compact:
                return sector
        # "Bakhmut sector", "Chasiv Yar direction": strip the suffix and use
        # the sector of that name, or the sector of the place of that name.
        for suffix in _SECTOR_SUFFIXES:
            if key.endswith(suffix) and len(key) > len(suffix):
                base = key[: -len(suffix)]
                sector = self._sector_by_key.get(base)
                if sector is not None:
                    return sector
                place = self._place_by_key.get(base)
                if place is not None:
                    return self.sector_of(place)
        return None

    def sector_of(self, place: Place) -> Sector | None:
        if place.sector:
            return self._sector_by_name.get(place.sector)
        if place.kind == "district" and place.parent:
            parent = self._place_by_name.get(place.parent)
            if parent is not None and parent is not place:
                return self.sector_of(parent)
        return None

    def places_in_sector(self, sector: str) -> list[Place]:
        key = lookup_key(sector)
        found = self._find_sector(key) if key else None
        if found is None:
            return []
        return [p for p in self.places if self.sector_of(p) is found]

    def suggest(self, name: str, limit: int = 5) -> list[str]:
        """Closest canonical names for a misspelling (difflib over all spellings)."""
        key = lookup_key(name)
        if not key or limit <= 0:
            return []
        owners: dict[str, str] = {}
        for k, place in self._place_by_key.items():
            owners.setdefault(k, place.name)
        for k, sector in self._sector_by_key.items():
            owners.setdefault(k, sector.name)
        result: list[str] = []
        exact = self.resolve(name)
        if exact is not None:
            result.append(exact.name)
        for close in difflib.get_close_matches(key, list(owners), n=limit * 6, cutoff=0.6):
            canonical = owners[close]
            if canonical not in result:
                result.append(canonical)
        return result[:limit]

    def autocomplete(self, prefix: str, limit: int = 25) -> list[str]:
        """Canonical names for a Discord autocomplete: prefix matches first,
        then word-prefix, then substring; sectors and bigger places first."""
        if limit <= 0:
            return []
        query = lookup_key(prefix)
        if not query:
            return self._default_choices(limit)
        scored: dict[str, tuple[int, int, int, int]] = {}
        for order, choice in enumerate(self._choices):
            score = choice.score(query)
            if score is None:
                continue
            # Sectors lead only when their own name matches: "chasov" should
            # offer the place Chasiv Yar before the sector that mentions it.
            sector_by_alias_only = int(choice.rank == _SECTOR_RANK and score > 0)
            candidate = (score, sector_by_alias_only, choice.rank, order)
            if choice.name not in scored or candidate < scored[choice.name]:
                scored[choice.name] = candidate
        ranked = sorted(scored, key=scored.__getitem__)
        return ranked[:limit]

    def _build_choices(self) -> list[_Choice]:
        named: list[tuple[str, tuple[str, ...], int]] = [
            (s.name, s.all_names, _SECTOR_RANK) for s in self.sectors
        ]
        named += [(p.name, p.all_names, _KIND_RANK.get(p.kind, 9)) for p in self.places]
        return [
            _Choice(
                name=name,
                name_key=lookup_key(name),
                keys=tuple(dict.fromkeys(lookup_key(n) for n in names)),
                rank=rank,
            )
            for name, names, rank in named
        ]

    def _default_choices(self, limit: int) -> list[str]:
        ordered = [s.name for s in self.sectors] + [
            p.name
            for _, p in sorted(
                enumerate(self.places), key=lambda ip: (_KIND_RANK.get(ip[1].kind, 9), ip[0])
            )
        ]
        return list(dict.fromkeys(ordered))[:limit]


@dataclass(frozen=True)
class _Choice:
    """An autocomplete candidate with its precomputed lookup keys."""

    name: str
    name_key: str
    keys: tuple[str, ...]
    rank: int

    def score(self, query: str) -> int | None:
        """0 name prefix, 1 alias prefix, 2 word prefix, 3 substring, None."""
        compact_query = _compact(query)
        if self.name_key.startswith(query) or _compact(self.name_key).startswith(compact_query):
            return 0
        if any(k.startswith(query) or _compact(k).startswith(compact_query) for k in self.keys):
            return 1
        if any(word.startswith(query) for k in self.keys for word in k.split()):
            return 2
        if any(query in k for k in self.keys):
            return 3
        return None
