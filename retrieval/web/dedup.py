"""Near-duplicate articles: the same wire story on several sites, or one page re-published elsewhere.

Each article's text becomes a MinHash signature (datasketch) of its word 5-shingles; a MinHashLSH
index finds the stored articles that may share much of it, and the estimate decides:

    a new article is a near-duplicate of a stored one when at least CONTAINMENT (80 %) of its
    shingles are in the stored one.

Containment rather than Jaccard similarity, because outlets trim wire copy (a copy of the first five
paragraphs of a six-paragraph story is the same story) and add their own first line ("Updated with…").
It is one-way on purpose: a longer article that contains a stored brief is *not* a duplicate of the
brief, so no text is lost by skipping it. Two different stories about the same town share names and
set phrases but very few five-word runs (measured well under 10 % on the test fixtures), far from 80 %.

A signature is 4 bytes of shingle count plus datasketch's LeanMinHash serialisation (about 530 bytes),
so it can live in SQLite; `NearDuplicates` is the in-memory index, rebuilt from stored signatures at start.
"""
from __future__ import annotations

import re
import struct
import threading
import unicodedata
from dataclasses import dataclass

from datasketch import LeanMinHash, MinHash, MinHashLSH

NUM_PERM = 128
SEED = 1                    # fixed: signatures are compared across runs
SHINGLE_WORDS = 5
CONTAINMENT = 0.8
LSH_THRESHOLD = 0.3         # candidates from the index; a trimmed copy of half the length has Jaccard 0.5
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Signature:
    minhash: LeanMinHash
    shingles: int           # how many distinct shingles the text had (for the containment estimate)

    def to_bytes(self) -> bytes:
        buf = bytearray(self.minhash.bytesize())
        self.minhash.serialize(buf)
        return struct.pack("<I", self.shingles) + bytes(buf)

    @classmethod
    def from_bytes(cls, data: bytes) -> Signature:
        (shingles,) = struct.unpack_from("<I", data)
        return cls(LeanMinHash.deserialize(data[4:]), shingles)


@dataclass(frozen=True)
class Match:
    key: str                # the stored article this one duplicates
    containment: float      # estimated share of the new article's shingles found in the stored one
    jaccard: float


def signature(text: str) -> Signature:
    """The MinHash of `text`'s word 5-shingles (case, accents of quotes and punctuation ignored)."""
    words = _WORD.findall(unicodedata.normalize("NFKC", text).casefold())
    if len(words) < SHINGLE_WORDS:
        shingles = {" ".join(words)} if words else set()
    else:
        shingles = {" ".join(words[i:i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)}
    minhash = MinHash(num_perm=NUM_PERM, seed=SEED)
    minhash.update_batch([s.encode("utf-8") for s in shingles])
    return Signature(LeanMinHash(minhash), len(shingles))


def containment(new: Signature, stored: Signature) -> tuple[float, float]:
    """(share of `new` inside `stored`, Jaccard), both estimated from the signatures."""
    if not new.shingles or not stored.shingles:
        return 0.0, 0.0
    jaccard = new.minhash.jaccard(stored.minhash)
    # |A ∩ B| = J / (1 + J) · (|A| + |B|)
    shared = jaccard / (1.0 + jaccard) * (new.shingles + stored.shingles)
    return min(1.0, shared / new.shingles), jaccard


class NearDuplicates:
    """Thread-safe index of signatures by article key."""

    def __init__(self, threshold: float = CONTAINMENT) -> None:
        self.threshold = threshold
        self._lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
        self._signatures: dict[str, Signature] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._signatures)

    def __contains__(self, key: str) -> bool:
        return key in self._signatures

    def add(self, key: str, sig: Signature) -> None:
        """Store (or replace) the signature of article `key`."""
        with self._lock:
            if key in self._signatures:
                self._lsh.remove(key)
            self._lsh.insert(key, sig.minhash)
            self._signatures[key] = sig

    def remove(self, key: str) -> None:
        with self._lock:
            if self._signatures.pop(key, None) is not None:
                self._lsh.remove(key)

    def find(self, sig: Signature, *, exclude: str | None = None) -> Match | None:
        """The stored article `sig` is a near-duplicate of (the closest one), or None.
        `exclude` is the article's own key: a changed page is not a duplicate of its older self."""
        if sig.shingles == 0:
            return None
        with self._lock:
            candidates = [(k, self._signatures[k]) for k in self._lsh.query(sig.minhash) if k != exclude]
        best: Match | None = None
        for key, stored in candidates:
            share, jaccard = containment(sig, stored)
            if share >= self.threshold and (best is None or share > best.containment):
                best = Match(key, share, jaccard)
        return best
