"""How Frontline opens its SQLite files (the docstore, the feed state, the bot's watches)."""
from __future__ import annotations

import sqlite3
from pathlib import Path


def open_database(path: Path, schema: str) -> sqlite3.Connection:
    """One connection for the whole process, shared by threads behind its owner's lock: autocommit
    (transactions are explicit), WAL so readers in other processes never block a writer, foreign keys on."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.executescript(schema)
    return conn
