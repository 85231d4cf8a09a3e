"""The extractive answerer: sentences quoted from the best passages, each with its [n], or an abstention.

No LLM is needed: the answer is made of whole sentences copied from cited passages, so every word
of it can be checked against an article. It abstains when the evidence is weak, because a confident
answer from an unrelated passage is worse than none.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from retrieval.chunking import split_sentences
from retrieval.dates import ArticleDate, format_date
from retrieval.intent import QueryIntent
from retrieval.models import Citation, Hit, Passage
from retrieval.text import stem

NOT_COVERED = "The articles I have don't cover that."
MAX_ANSWER_SENTENCES = 3

_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")
# Words that say nothing about what is asked; matching them is no evidence.
_STOP = set("""a an the of in on at to for from by with about and or but is are was were be been being do does did
has have had what which who whom whose when where why how that this these those it its their there here than then
as into over under after before since during until any some all more most much many tell me please say says said
can could would should will shall may might not no yes you your i we our us they them he she his her ukraine
ukrainian ukrainians russia russian russians war happen happened happening going latest news update recent now
current currently situation front line frontline""".split())


def content_words(text: str) -> set[str]:
    return {stem(w) for w in _WORD.findall(text.lower()) if w not in _STOP and len(w) > 1}


@dataclass(frozen=True)
class Evidence:
    """Why the answerer trusts (or does not trust) the hits."""
    best_similarity: float
    overlap: float              # share of the question's content words found in the best passages
    place_found: bool           # every place the question names is named by some hit


def weigh(intent: QueryIntent, hits: list[Hit]) -> Evidence:
    words = content_words(intent.text)
    top = hits[:3]
    found = set().union(*(content_words(h.passage.text) for h in top)) if top else set()
    overlap = len(words & found) / len(words) if words else 0.0
    wanted = {p.name for p in intent.places}
    named = set().union(*(h.passage.places for h in hits)) if hits else set()
    return Evidence(
        best_similarity=max((h.similarity for h in hits), default=0.0),
        overlap=overlap,
        place_found=wanted <= named,
    )


def is_supported(evidence: Evidence, min_relevance: float) -> bool:
    if not evidence.place_found:
        return False
    # a strong semantic match, or a fair one that also shares most of the question's key words
    return evidence.best_similarity >= min_relevance or (
        evidence.best_similarity >= min_relevance - 0.12 and evidence.overlap >= 0.6
    )


def compose(intent: QueryIntent, hits: list[Hit], top_k: int) -> tuple[str, list[Citation]]:
    """Pick the most relevant sentences; number the passages they come from in order of use."""
    words = content_words(intent.text)
    candidates = []
    for rank, hit in enumerate(hits[:top_k]):
        text = hit.passage.text
        for span in split_sentences(text):
            sentence = text[span.start:span.end]
            shared = len(words & content_words(sentence))
            # earlier passages are better evidence; a sentence sharing key words beats one that doesn't
            candidates.append((shared * 1.0 - rank * 0.35 - span.start / 2000, rank, sentence))
    candidates.sort(key=lambda c: c[0], reverse=True)
    chosen: list[tuple[int, str]] = []
    for score, rank, sentence in candidates:
        if len(chosen) >= MAX_ANSWER_SENTENCES:
            break
        if chosen and score < candidates[0][0] - 1.5:
            break
        if any(_near_duplicate(sentence, s) for _, s in chosen):
            continue
        chosen.append((rank, sentence))
    order: dict[int, int] = {}
    parts = []
    for rank, sentence in chosen:
        n = order.setdefault(rank, len(order) + 1)
        parts.append(f"{sentence} [{n}]")
    citations = [to_citation(n, hits[rank]) for rank, n in sorted(order.items(), key=lambda kv: kv[1])]
    return " ".join(parts), citations


def _near_duplicate(a: str, b: str) -> bool:
    wa, wb = content_words(a), content_words(b)
    return bool(wa and wb) and len(wa & wb) / min(len(wa), len(wb)) > 0.7


def to_citation(n: int, hit: Hit | Passage, score: float | None = None) -> Citation:
    passage = hit.passage if isinstance(hit, Hit) else hit
    return Citation(
        n=n, article_id=passage.article_id, title=passage.title, date=passage.date,
        date_precision=passage.date_precision, date_inferred=passage.date_inferred, source=passage.source,
        url=passage.url, passage=passage.text, start=passage.start, end=passage.end,
        score=round(hit.score if isinstance(hit, Hit) else (score or 0.0), 4),
    )


def as_of(citations: list[Citation]) -> str | None:
    """The newest cited date, marked approximate when it was inferred."""
    dated = [c for c in citations if c.date]
    if not dated:
        return None
    newest = max(dated, key=lambda c: (c.date or "").ljust(10, "0"))
    return display_date(newest)


def display_date(c: Citation | Passage) -> str:
    return format_date(ArticleDate(value=c.date, precision=c.date_precision, inferred=c.date_inferred, cue=None))
