"""Words as search sees them: the one English stemmer (Snowball, from PyStemmer) that BM25 and the
answerer share, so "withdrew" and "withdrawal" meet the same way in both."""
from __future__ import annotations

import threading

import Stemmer

_local = threading.local()  # PyStemmer objects keep a cache and are not safe to share between threads


def stemmer() -> Stemmer.Stemmer:
    if getattr(_local, "stemmer", None) is None:
        _local.stemmer = Stemmer.Stemmer("english")
    return _local.stemmer


def stem(word: str) -> str:
    return stemmer().stemWord(word)
