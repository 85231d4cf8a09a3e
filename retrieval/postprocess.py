"""Post-processing of fused hits, one small step each, applied in order by the searcher."""
from __future__ import annotations

from retrieval.intent import QueryIntent
from retrieval.models import Hit

PLACE_BOOST = 1.5     # a passage naming the place the question names is worth this much more


def best_first(hits: list[Hit]) -> list[Hit]:
    return sorted(hits, key=lambda h: h.score, reverse=True)


def boost_named_places(hits: list[Hit], intent: QueryIntent) -> list[Hit]:
    """The question names a place: prefer passages that name it too."""
    wanted = {p.name for p in intent.places}
    if not wanted:
        return hits
    return best_first([Hit(h.passage, h.score * PLACE_BOOST, h.similarity) if wanted & set(h.passage.places) else h
                       for h in hits])


def newest_first_if_latest(hits: list[Hit], intent: QueryIntent, k: int) -> list[Hit]:
    """"What is the latest…": keep relevance for the pool, then show the newest first."""
    if not intent.latest:
        return hits
    return sorted(hits[: k * 3], key=lambda h: h.passage.date_int, reverse=True)


def cap_per_article(hits: list[Hit], cap: int) -> list[Hit]:
    """At most `cap` passages of one article, so one long article cannot fill the answer."""
    counts: dict[str, int] = {}
    out = []
    for hit in hits:
        n = counts.get(hit.passage.article_id, 0)
        if n < cap:
            out.append(hit)
            counts[hit.passage.article_id] = n + 1
    return out
