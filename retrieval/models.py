"""The records that move through Frontline: articles, passages, citations, answers."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class RawArticle:
    """An article as a source gives it (a file, a collection line, a web page), before cleaning."""
    article_id: str
    origin: str                  # "seeds/a.txt", "corpus.jsonl:12" or a URL
    text: str
    meta: dict = field(default_factory=dict)   # date / title / source / url given by the source itself
    content_hash: str = ""


@dataclass(frozen=True)
class Skip:
    """A file, line or page that was not ingested, and why (shown in the ingest summary)."""
    origin: str
    reason: str


@dataclass(frozen=True)
class Passage:
    id: str                      # "<article_id>#<seq>"
    article_id: str
    seq: int
    text: str                    # == article body[start:end]
    start: int
    end: int
    title: str | None
    date: str | None             # "YYYY-MM-DD" or "YYYY-MM"
    date_int: int                # YYYYMMDD (month precision: first day), 0 when unknown
    date_precision: str          # day | month | unknown
    date_inferred: bool
    source: str | None
    url: str | None
    places: tuple[str, ...]
    sectors: tuple[str, ...]


def article_of(passage_id: str) -> str:
    """The article a passage id ("<article_id>#<seq>") belongs to."""
    return passage_id.rsplit("#", 1)[0]


@dataclass
class Hit:
    """A passage found for a question."""
    passage: Passage
    score: float                 # fused rank score (after boosts)
    similarity: float            # cosine similarity of the question to the passage (0 if no dense list saw it)


@dataclass(frozen=True)
class Article:
    article_id: str
    origin: str                  # the file (and line) it came from
    content_hash: str
    body: str
    title: str | None
    date: str | None
    date_int: int
    date_precision: str
    date_inferred: bool
    date_cue: str | None
    source: str | None
    url: str | None
    passages: tuple[Passage, ...] = ()


@dataclass
class Citation:
    n: int
    article_id: str
    title: str | None
    date: str | None
    date_precision: str
    date_inferred: bool
    source: str | None
    url: str | None
    passage: str
    start: int
    end: int
    score: float
    also_in: list[str] = field(default_factory=list)    # other outlets that carried the same text
    lead: str | None = None      # the opening words of an untitled article, for its label

    def to_json(self) -> dict:
        data = asdict(self)
        if data["url"] is None:
            del data["url"]
        return data


@dataclass
class Answer:
    question: str
    answer: str
    abstained: bool
    as_of: str | None
    took_ms: float
    citations: list[Citation] = field(default_factory=list)
    answer_id: str = ""
    note: str = ""               # e.g. what the corpus does cover, after an abstention

    def to_json(self) -> dict:
        return {
            "question": self.question,
            "answer": self.answer,
            "abstained": self.abstained,
            "as_of": self.as_of,
            "took_ms": round(self.took_ms, 1),
            "citations": [c.to_json() for c in self.citations],
        }
