"""Reading article files into raw records, and saying why a file or line was skipped.

Accepted: `.txt` / `.md` articles (optional `date YYYY-MM-DD` first line, optional `---` front matter,
optional sidecar `<name>.meta.json` whose fields override), `.html` / `.htm` saved web pages (read by
`retrieval.web`, the same extraction as fetched pages), and `.jsonl` / `.csv` collections with
fields id, date, title, text, source, url. Nothing here raises on a bad file: it becomes a Skip.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from retrieval.models import RawArticle, Skip

ARTICLE_SUFFIXES = {".txt", ".md"}
HTML_SUFFIXES = {".html", ".htm"}
COLLECTION_SUFFIXES = {".jsonl", ".csv"}
MAX_ARTICLE_BYTES = 2_000_000        # a longer single article is cut here (with a note), not dropped
MAX_COLLECTION_FIELD_CHARS = 200_000
_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.S)
_META_FIELDS = ("date", "title", "source", "url")


def iter_sources(paths: Iterable[Path]) -> Iterator[RawArticle | Skip]:
    """Every article (or a Skip) under the given files and folders, in a stable order."""
    seen_ids: set[str] = set()
    for path in paths:
        if not path.exists():
            yield Skip(str(path), "no such file or folder")
            continue
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if file.name.startswith(".") or file.name.endswith(".meta.json"):
                continue
            for item in _read_file(file):
                if isinstance(item, RawArticle):
                    if item.article_id in seen_ids:
                        yield Skip(item.origin, f"duplicate article id {item.article_id!r}")
                        continue
                    seen_ids.add(item.article_id)
                yield item


def _read_file(file: Path) -> Iterator[RawArticle | Skip]:
    suffix = file.suffix.lower()
    if suffix not in ARTICLE_SUFFIXES | HTML_SUFFIXES | COLLECTION_SUFFIXES:
        yield Skip(str(file), f"unsupported file type {suffix or '(none)'}")
        return
    try:
        data = file.read_bytes()
    except OSError as exc:
        yield Skip(str(file), f"cannot read: {exc.strerror}")
        return
    if not data.strip():
        yield Skip(str(file), "empty file")
        return
    if b"\x00" in data[:8192]:
        yield Skip(str(file), "binary file, not text")
        return
    if suffix in ARTICLE_SUFFIXES:
        yield from _read_article(file, data)
    elif suffix in HTML_SUFFIXES:
        from retrieval.web.bridge import read_html_file  # trafilatura loads only when a page is read

        yield read_html_file(file, data, _sidecar(file))
    elif suffix == ".jsonl":
        yield from _read_jsonl(file, data)
    else:
        yield from _read_csv(file, data)


def _decode(origin: str, data: bytes) -> str | Skip:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if exc.start >= len(data) - 3:  # a cut made mid-character (a truncated file): drop the stub
            return data[:exc.start].decode("utf-8-sig")
        return Skip(origin, f"not UTF-8 text (invalid byte at offset {exc.start}); re-save it as UTF-8")


def _read_article(file: Path, data: bytes) -> Iterator[RawArticle | Skip]:
    origin = str(file)
    truncated = len(data) > MAX_ARTICLE_BYTES
    if truncated:
        data = data[:MAX_ARTICLE_BYTES]
        yield Skip(origin, f"longer than {MAX_ARTICLE_BYTES:,} bytes: only the first part was ingested")
    text = _decode(origin, data)
    if isinstance(text, Skip):
        yield text
        return
    text, meta = _split_front_matter(text)
    meta.update(_sidecar(file))
    if not text.strip():
        yield Skip(origin, "no article text")
        return
    yield RawArticle(file.stem, origin, text, meta, _hash(data, json.dumps(meta, sort_keys=True)))


def _split_front_matter(text: str) -> tuple[str, dict]:
    match = _FRONT_MATTER.match(text)
    if not match:
        return text, {}
    meta = {}
    for line in match.group(1).splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip().lower() in _META_FIELDS:
            meta[key.strip().lower()] = value.strip().strip("\"'")
    return text[match.end():], meta


def _sidecar(file: Path) -> dict:
    side = file.with_name(file.stem + ".meta.json")
    if not side.exists():
        return {}
    try:
        data = json.loads(side.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: str(v) for k, v in data.items() if k in _META_FIELDS and v} if isinstance(data, dict) else {}


def _read_jsonl(file: Path, data: bytes) -> Iterator[RawArticle | Skip]:
    for lineno, raw_line in enumerate(data.splitlines(), start=1):
        origin = f"{file}:{lineno}"
        if not raw_line.strip():
            continue
        line = _decode(origin, raw_line)
        if isinstance(line, Skip):
            yield line
            continue
        try:
            record = json.loads(line)
        except ValueError as exc:
            yield Skip(origin, f"not JSON ({exc.msg})")
            continue
        if not isinstance(record, dict):
            yield Skip(origin, "not a JSON object")
            continue
        yield _collection_item(file, lineno, origin, record)


def _read_csv(file: Path, data: bytes) -> Iterator[RawArticle | Skip]:
    text = _decode(str(file), data)
    if isinstance(text, Skip):
        yield text
        return
    csv.field_size_limit(MAX_COLLECTION_FIELD_CHARS * 4)
    try:
        reader = csv.DictReader(io.StringIO(text))
        columns = {c.strip().lower() for c in reader.fieldnames or []}
        if not columns & {"text", "title"}:
            yield Skip(str(file), f"CSV needs a 'text' or 'title' column; it has: {', '.join(sorted(columns)) or 'none'}")
            return
        for lineno, row in enumerate(reader, start=2):
            clean = {(k or "").strip().lower(): (v or "") for k, v in row.items() if isinstance(v, str)}
            yield _collection_item(file, lineno, f"{file}:{lineno}", clean)
    except csv.Error as exc:
        yield Skip(str(file), f"malformed CSV ({exc})")


def _collection_item(file: Path, lineno: int, origin: str, record: dict) -> RawArticle | Skip:
    title = str(record.get("title") or "").strip()
    body = str(record.get("text") or "").strip()[:MAX_COLLECTION_FIELD_CHARS]
    if not body and not title:
        return Skip(origin, "no title and no text")
    article_id = str(record.get("id") or "").strip() or f"{file.stem}-{lineno}"
    meta = {k: str(record[k]).strip() for k in _META_FIELDS if record.get(k)}
    # a title-only item (common in news feeds) is its own body
    text = body or title
    return RawArticle(article_id, origin, text, meta, _hash(json.dumps(record, sort_keys=True, default=str).encode()))


def _hash(data: bytes, extra: str = "") -> str:
    h = hashlib.sha256(data)
    h.update(extra.encode())
    return h.hexdigest()[:32]
