"""What a digest says about new articles on a watched place: per article, its date, outlet, the sentence
that names the place (in any of its spellings), and where to read it.

A digest for a place covers the place and its sector (watching Toretsk also brings an article about
Horlivka, in the Toretsk direction); a digest for a sector covers every place in it. Each item's
sentence is a verbatim slice of one stored passage (the passage a "show the passage" button shows), so
nothing in a digest is paraphrased, and it is the sentence naming the watched place itself when there is
one, else one naming a place of its sector.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from retrieval.answer import display_date
from retrieval.chunking import split_sentences
from retrieval.docstore import Docstore, sector_key
from retrieval.models import Passage
from retrieval.places import Gazetteer, Place, Sector


@dataclass(frozen=True)
class DigestItem:
    article_id: str
    passage_id: str             # the passage the sentence is from ("<article_id>#<seq>")
    title: str | None
    date: str                   # as shown: "2024-07-10", "≈ 2024-07", or "date unknown"
    date_int: int               # YYYYMMDD, 0 when unknown (for ordering)
    outlet: str | None
    also_in: tuple[str, ...]    # other outlets that carried the same text
    sentence: str               # verbatim from the passage; names the place, or a place of its sector
    url: str | None
    passage: str                # the whole passage, verbatim (== article body[start:end])
    names: str                  # the place the sentence names (canonical name)


def digest_items(docstore: Docstore, gazetteer: Gazetteer, target: Place | Sector, article_ids: Iterable[str],
                 *, also_in: Callable[[str], list[str]] = lambda _: []) -> list[DigestItem]:
    """One item per article in `article_ids` that names `target` (or its sector), newest first."""
    wanted = set(article_ids)
    if not wanted:
        return []
    if isinstance(target, Place):
        sector = gazetteer.sector_of(target)
        focus = {target.name} | {p.name for p in gazetteer.places if p.parent == target.name}
        names = [target.name, *sorted(focus - {target.name})] + ([sector_key(sector.name)] if sector else [])
        nearby = {p.name for p in gazetteer.sector_places(sector)} if sector else set()
    else:
        focus, names = set(), [sector_key(target.name)]
        nearby = {p.name for p in gazetteer.sector_places(target)}
    best: dict[str, Passage] = {}
    # per article: a passage naming the place itself before one naming only its sector; the earliest such
    for passage in sorted((p for p in docstore.passages_naming(names) if p.article_id in wanted),
                          key=lambda p: (not focus & set(p.places), p.seq)):
        best.setdefault(passage.article_id, passage)
    items = []
    for passage in best.values():
        sentence, named = _sentence(passage, focus, nearby, gazetteer)
        items.append(DigestItem(
            article_id=passage.article_id, passage_id=passage.id, title=passage.title, date=display_date(passage),
            date_int=passage.date_int, outlet=passage.source, also_in=tuple(also_in(passage.article_id)),
            sentence=sentence, url=passage.url, passage=passage.text, names=named,
        ))
    items.sort(key=lambda i: (i.date_int == 0, -i.date_int, i.article_id))    # newest first, undated last
    return items


def _sentence(passage: Passage, focus: set[str], nearby: set[str], gazetteer: Gazetteer) -> tuple[str, str]:
    """The first sentence naming a focus place, else the first naming a place of the sector."""
    text = passage.text
    fallback: tuple[str, str] | None = None
    for span in split_sentences(text):
        sentence = text[span.start:span.end]
        named = [m.place.name for m in gazetteer.find(sentence, context=text)]
        if hit := next((n for n in named if n in focus), None):
            return sentence, hit
        if fallback is None and (hit := next((n for n in named if n in nearby), None)):
            fallback = (sentence, hit)
    if fallback is not None:
        return fallback
    # the passage is tagged with the place, but no single sentence names it alone (a name split by a line
    # break, say): the passage's first sentence, which is still verbatim
    spans = split_sentences(text)
    first = text[spans[0].start:spans[0].end] if spans else text
    return first, next(iter(sorted(set(passage.places) & (focus | nearby))), "")
