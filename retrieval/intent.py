"""What a question asks for, read before searching: the places it names (in any alias) and their
sectors, the dates it names, and whether it wants the latest news."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from retrieval.daterange import DateRange
from retrieval.docstore import sector_key
from retrieval.places import Gazetteer, Place, Sector

_LATEST = re.compile(r"\b(latest|newest|most recent|recently|lately|now|currently|current|today|this week)\b", re.I)


@dataclass
class QueryIntent:
    text: str                    # the question, with canonical names spelled out for the encoders
    places: list[Place] = field(default_factory=list)
    place_words: set[str] = field(default_factory=set)   # the question's own spellings of them, lower-cased
    sectors: list[Sector] = field(default_factory=list)
    dates: DateRange = DateRange()
    latest: bool = False

    @property
    def place_keys(self) -> list[str]:
        """The docstore tags of the named places and their sectors."""
        return [p.name for p in self.places] + [sector_key(s.name) for s in self.sectors]


def parse_intent(question: str, gazetteer: Gazetteer) -> QueryIntent:
    intent = QueryIntent(text=question, dates=DateRange.in_question(question), latest=bool(_LATEST.search(question)))
    mentions = gazetteer.find(question)
    for mention in mentions:
        found = mention.place
        # the variant that matched may be a generated one no alias list spells ("Zaporozhye")
        intent.place_words.update(mention.surface.lower().split())
        if found not in intent.places:
            intent.places.append(found)
            sector = gazetteer.sector_of(found)
            if sector is not None and sector not in intent.sectors:
                intent.sectors.append(sector)
    # Neither the embedder nor BM25 knows that Dzerzhynsk is Toretsk: add the canonical name.
    for mention in reversed(mentions):
        if mention.surface.lower() != mention.place.name.lower():
            intent.text = f"{intent.text[:mention.end]} ({mention.place.name}){intent.text[mention.end:]}"
    return intent
