"""What a question asks for, read before searching: the places it names (in any alias) and their
sectors, the dates it names, and whether it wants the latest news."""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field

from retrieval import questions as qs
from retrieval.daterange import OPEN_END, DateRange
from retrieval.docstore import sector_key
from retrieval.places import Gazetteer, Place, PlaceMention, Sector
from retrieval.text import stem as index_stem

# How news English words what users paraphrase. BM25 matches words, and the small encoder misses some of
# these idioms ("laid down their arms" ranks surrender reports 34th), so the lexical search also gets the
# reporters' word. A short table rather than a thesaurus: none is installed, and war news repeats these few.
_REPORTERS_WORDS = [
    (r"\blaid down (?:their |its |his |her )?(?:arms|weapons)\b|\b(?:gave|given|give|giving) (?:themselves )?up\b|\bcapitulat\w*",
     "surrender surrendered"),
    (r"\bpulled (?:out|back)\b|\bfell back\b|\bfall back\b|\bretreat\w*", "withdraw withdrew withdrawn withdrawal"),
    (r"\bretook\b|\bretake\w*|\bregain\w*|\btook back\b|\bwon back\b", "liberated liberation recaptured"),
    (r"\bshot down\b|\bdowned\b", "destroyed intercepted"),
    (r"\bdied\b|\blost (?:their |his |her )?lives?\b", "killed"),
    (r"\binjured\b|\bhurt\b", "wounded"),
    (r"\btook (?:control of|over)\b|\bseized?\b|\bgrab(?:s|bed|bing)?\b", "captured"),
    (r"\b(?:switch|switches|switched|switching|chang(?:e|es|ed|ing)) sides\b", "defection defected defect"),
    (r"\bPOWs?\b|\bcaptives?\b", "prisoners captivity"),
    (r"\bst(?:eal|eals|ealing|ole|olen)\b|\bplunder\w*|\brob(?:s|bed|bing|bery|beries)?\b", "looted looting"),
    (r"\bwip(?:e|es|ed|ing) (?:out|off)\b|\braz(?:e|ed)\b|\blevell?ed\b|\bflatten(?:s|ed|ing)?\b", "destroyed"),
    (r"\bsmash(?:es|ed|ing)?\b", "destroyed struck hit"),
    (r"\b(?:throw|throws|threw|thrown|throwing|hurl(?:s|ed|ing)?)\s+(?:\w+\s+){0,3}?at\b", "launched fired"),
    (r"\bstraight up\b|\bfor a (?:little )?bit\b", ""),   # "a straight up nazi statement": how the asker tells it
    (r"\b(?:a )?(?:whole |big )?bunch(?: of)?\b", ""),   # "took out a whole bunch of foreign fighters": so is this
    (r"\b(?:on|at) the (?:very )?edge of\b|\bon the outskirts of\b", "outskirts outside near"),
    (r"\block(?:s|ed|ing)? (?:the |its |their )?borders?\b", "close closed closing border"),
    (r"\block(?:s|ed|ing)? (?:\w+ ){0,2}?up\b|\bbehind bars\b", "sentenced prison jailed"),
    (r"\bcivvies?\b|\bcivvys\b", "civilians civilian"),
    (r"\btorch(?:es|ed|ing)?\b", "fire burned arson"),
    (r"\bblast(?:s|ed|ing)?\b", "blew explosion"),
    (r"\bhaul(?:s|ed|ing)?\b", "transport"),
    (r"\brides?\b", "car vehicle"),
    (r"\b(?:dig|digs|digging|dug) (?:\w+ ){0,2}?out\b", "recovered retrieved bodies rubble"),
    (r"\badmin\b", "administration"), (r"\bgear\b", "equipment"),
    (r"\bprolong(?:s|ed|ing)?\b", "extend extended extension"),
    (r"\bpin(?:s|ned|ning)? (?:\w+ ){1,6}?on\b", "blamed accused suspect"),
    (r"\b(?:kick|kicks|kicked|kicking|throw|throws|threw|thrown|throwing) (?:\w+ ){0,3}?out\b", "expelled expels expel"),
    (r"\b(?:put|puts|putting|placed) (?:\w+ ){0,4}?in charge\b", "appointed commander head"),
    (r"\bslap(?:s|ped|ping)?\b", "imposed introduced"),
    (r"\bnukes?\b", "nuclear"),
    (r"\bveto(?:ed|es|ing)?\b", "blocked"),
    (r"\bwrap(?:s|ped|ping)? (?:\w+ )?up\b", "finished completed"),
    (r"\bnon-?stop\b", "continuous continuously"),
    (r"\b(?:throw|throws|threw|thrown|chip|chips|chipped|pitch|pitched) in\b", "allocated provided"),
    (r"\bplug(?:s|ged|ging)? (?:the |their )?(?:gaps?|holes?)\b", "reinforce reinforcements replenish"),
    (r"\b(?:dodg(?:e|es|ed|ing)|skirt(?:s|ed|ing)?|get(?:ting)? around)\b", "circumvent evade bypass"),
    (r"\b(?:pick|picks|picked|picking) up\b", "collect take"),
    # the channel's short forms of the war's words
    (r"\bhel(?:i|o)s?\b", "helicopter helicopters"),
    (r"\barty\b", "artillery"),
    (r"\b(?-i:MIA)\b", "missing"), (r"\b(?-i:KIA)\b", "killed"), (r"\b(?-i:WIA)\b", "wounded"),  # not Kia the carmaker
    (r"\b(?:AFU|ZSU)\b", "Armed Forces Ukrainian"), (r"\bmobiks?\b", "mobilized mobilised"),
    (r"\bammo\b", "ammunition"),
    (r"\bevac(?:s|ed|ing)?\b", "evacuation evacuated"),
    (r"\bdocs\b", "doctors documents"),
    (r"\bmercs?\b", "mercenaries"),
    (r"\borcs?\b|\bruzzians?\b|\brashists?\b|\bruscists?\b", "occupiers invaders"),
    (r"\b(?:top )?brass\b", "command commanders leadership management"),
    (r"\bboot(?:ed|ing)?\b", "expelled expel"),   # "why did moldova boot a russian embassy guy" (not "boots")
    (r"\b(?:ammo |arms )?dumps?\b", "depot warehouse"),
    (r"\bcrude\b", "oil"),
    (r"\bpockets?\b|\bcauldrons?\b|\bkettles?\b", "encirclement encircled surrounded"),
    (r"\bsnap(?:s|ped|ping)? (?:\w+ )?up\b|\bbuy(?:s|ing)? up\b|\bstock(?:s|ed|ing)? up\b", "buying stocking"),
    (r"\bstores\b", "shops"), (r"\bshops\b", "stores"),
    (r"\bon (?:the )?planet\b|\bin the world\b", "world's largest"),
    (r"\bww ?(?:2|ii)\b|\bsecond world war\b", "World War II"),
    (r"\bww ?(?:1|i)\b|\bfirst world war\b", "World War I"),
    (r"\bintl\b", "international"), (r"\bprep(?:s|ping|ped)?\b", "preparing preparation"),
    (r"\bcash\b", "money"), (r"\bcellars?\b", "basement"),
    (r"\b(?:gunfights?|firefights?|shoot-?outs?)\b", "battle fighting"),
    # how a channel opens what it passes on: the asker's report, not what the articles must say
    (r"\b(?:i|we) (?:read|heard|hear|saw|see)\b|\b(?:heard|read) (?:that|somewhere)\b"
     r"|\b(?:heard|read|saw) (?:from|on|in) [^,.?!—]{1,40}? (?:that|how)\b"
     r"|\b(?:my|a) (?:friend|cousin|mate|buddy|brother|sister|relative|neighbou?r)\b[^,.?!—]{0,40}?"
     r"\b(?:says|said|told me|tells me|wrote)\b", ""),
    (r"\bintel\b", "intelligence"),
    (r"\b(?:ran|run|runs|running) (?:away )?from\b", "fled flee"),
    (r"\bkids?\b", "children child boy girl"),
    (r"\b(?:get|gets|getting|got|gotten) rid of\b", "clear clean remove"),
    (r"\brich (?:russians|people|men|businessmen)\b|\btycoons?\b|\bbillionaires?\b", "oligarchs elites"),
]
_REPORTERS_WORDS_RE = [(re.compile(pattern, re.I), words) for pattern, words in _REPORTERS_WORDS]
_WORD = re.compile(r"[A-Za-z]{5,}")
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
FEW_DAYS = 10   # "in early March" (1-10), "late March" (21-31): a third of a month, from its first day to its last
_LATEST = re.compile(r"\b(latest|newest|most recent|recently|lately|now|currently|current|today|this week)\b", re.I)


@dataclass
class QueryIntent:
    text: str                    # the question, with canonical names spelled out for the encoders
    places: list[Place] = field(default_factory=list)
    place_words: set[str] = field(default_factory=set)   # the question's own spellings of them, lower-cased
    sectors: list[Sector] = field(default_factory=list)
    dates: DateRange = DateRange()
    latest: bool = False
    # the names it is about ("Canadian", "MP", "HIMARS"), each as the BM25 stems of its spellings
    names: list[frozenset[str]] = field(default_factory=list)
    # years after the newest article the question names ("from 2024"): a plan or forecast the articles
    # may mention, so the evidence must name the year, rather than a date no article can have
    years_ahead: list[str] = field(default_factory=list)
    # place names it has that no tag can settle ("Serhiivka", of which Odesa Oblast alone has two)
    unsettled_places: list[str] = field(default_factory=list)
    # the outlets it names that the store has articles from ("an Al Jazeera piece": "aljazeera.com")
    outlets: list[str] = field(default_factory=list)
    # its lower-case words the corpus writes as names ("motor sich", "reuters"): found by the service,
    # which has the corpus at hand, and added to `names` as well
    lower_case_names: list[str] = field(default_factory=list)
    # the regions a city's bare name may stand for: "occupied zaporizhzhia", "villages round kherson" are as
    # often Zaporizhzhia and Kherson Oblasts, which reports name as such ("Zaporizhia region")
    regions_named: list[str] = field(default_factory=list)
    # the towns asked as their district or community ("which village in the Bucha district"): the places around
    # them count as them (raions and hromadas are named after their centres)
    districts_named: list[str] = field(default_factory=list)
    # (the text they were read from, the idioms): read once per text, which typo corrections may change
    _idioms: tuple[str, list[tuple[str, str]]] | None = field(default=None, repr=False, compare=False)

    def correct_typos(self, fixed: dict[str, str]) -> None:
        """The question as meant, for the encoder and the lexical search: "referndums" as "referendums"."""
        for typo, right in fixed.items():
            self.text = re.sub(rf"\b{re.escape(typo)}\b", right, self.text)

    def add_lower_case_names(self, words: list[str]) -> None:
        self.lower_case_names = list(words)
        other = qs.alternatives(self.text)
        groups = {frozenset({index_stem(w), index_stem(other.get(w, w))}) for w in words}
        self.names = self.names + sorted(groups, key=sorted)

    @property
    def idioms(self) -> list[tuple[str, str]]:
        """(the question's words, the reporters' words) for each idiom the question uses."""
        if self._idioms is None or self._idioms[0] != self.text:
            found = [(m.group(), words) for pattern, words in _REPORTERS_WORDS_RE if (m := pattern.search(self.text))]
            self._idioms = (self.text, found)
        return self._idioms[1]

    @property
    def lexical_text(self) -> str:
        """The question for BM25: with the reporters' words for the idioms it uses, and the other
        spelling of its British or American words ("armour" also searches "armor")."""
        spellings = {v for w in _WORD.findall(self.text) for v in qs.other_spellings(w)}
        return " ".join([self.text, *(words for _, words in self.idioms), *sorted(spellings)])

    @property
    def day_words(self) -> list[frozenset[str]]:
        """The one day the question names ("on February 17", "as of July 7") as reports write it, each
        part as BM25 stems: the month in full or short, and the day's number; [] when it names no day."""
        dates = self.dates
        day = dates.as_of_day or (dates.since if dates.since == dates.until else 0)
        if not day:
            return []
        month, number = calendar.month_name[day // 100 % 100], day % 100
        months = {month, month[:3]} | ({"Sept"} if month == "September" else set())
        ordinal = "th" if 11 <= number <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
        return [frozenset(index_stem(m.lower()) for m in months),
                frozenset(index_stem(n) for n in (str(number), f"{number}{ordinal}"))]

    @property
    def says_where_and_when(self) -> bool:
        """Does it name a place and a date ("in Mariupol on 6 July"), to both of which the search holds it?"""
        return bool(self.places) and not self.dates.is_open

    @property
    def names_a_few_days(self) -> bool:
        """Does it ask about a day ("on March 16") or a third of a month ("in early March"), to whose reports the
        search holds it?"""
        return self.dates.spans_at_most(FEW_DAYS)

    @property
    def place_keys(self) -> list[str]:
        """The docstore tags of the named places, the regions their names may stand for, and their sectors."""
        return [p.name for p in self.places] + self.regions_named + [sector_key(s.name) for s in self.sectors]


def parse_intent(question: str, gazetteer: Gazetteer, *, newest: int = 0) -> QueryIntent:
    """`newest`: the newest article's day (YYYYMMDD), which gives "on November 1" its year."""
    dates = DateRange.in_question(question, newest=newest)
    years_ahead = []
    if newest and newest < dates.since < OPEN_END:
        years_ahead = [y for y in dict.fromkeys(_YEAR.findall(question)) if int(y) > newest // 10000]
        if years_ahead:  # "What will replace conscription from 2024?" asked of 2022's news
            dates = DateRange()
    # "how many by March 7": the newest count within the range, as for "the latest"
    intent = QueryIntent(text=question, dates=dates, latest=bool(_LATEST.search(question)) or dates.as_of,
                         years_ahead=years_ahead)
    mentions = gazetteer.find(question)
    intent.unsettled_places = gazetteer.unsettled_names(question, mentions)
    if len({m.place.name for m in mentions}) > 1:
        # "Why was Kyiv rushing to evacuate the Donetsk region?": the government, not a place asked about
        mentions = [m for m in mentions if not _government(question, m)]
    for mention in mentions:
        found = mention.place
        # the variant that matched may be a generated one no alias list spells ("Zaporozhye")
        intent.place_words.update(mention.surface.lower().split())
        if found not in intent.places:
            intent.places.append(found)
            sector = gazetteer.sector_of(found)
            if sector is not None and sector not in intent.sectors:
                intent.sectors.append(sector)
    for mention in mentions:
        region = gazetteer.resolve(f"{mention.place.name} Oblast")
        after = question[mention.end:].split()[:1]
        city_said = bool(after) and after[0].lower().strip("?.,!") == "city"  # "Kherson city": the city only
        if after and after[0].lower().strip("?.,!") in _DISTRICT_WORDS and mention.place.kind in _SETTLEMENTS \
                and mention.place.name not in intent.districts_named:
            intent.districts_named.append(mention.place.name)
        if mention.place.kind == "city" and isinstance(region, Place) and region.kind == "region" \
                and region.oblast == mention.place.name and not city_said \
                and region not in intent.places and region.name not in intent.regions_named:
            intent.regions_named.append(region.name)
    intent.names = _name_stems(question, intent.places, intent.place_words)
    # Neither the embedder nor BM25 knows that Dzerzhynsk is Toretsk: add the canonical name.
    for mention in reversed(mentions):
        if mention.surface.lower() != mention.place.name.lower():
            intent.text = f"{intent.text[:mention.end]} ({mention.place.name}){intent.text[mention.end:]}"
    return intent


def _government(question: str, mention: PlaceMention) -> bool:
    """Is this mention of the capital the government ("Kyiv says", "why was Kyiv rushing") rather than
    the city ("in Kyiv", "near Kyiv", "Kyiv region")?"""
    if mention.place.name != CAPITAL:
        return False
    before = question[:mention.start].replace(",", " and ").split()[-1:]
    after = question[mention.end:].replace(",", " and ").split()[:1]
    return not (before and before[0].lower() in _LOCATIVE) and not (after and after[0].lower() in _PLACE_FOLLOWS)


_DISTRICT_WORDS = frozenset("district raion rayon community hromada municipality".split())
_SETTLEMENTS = frozenset("city town village".split())
CAPITAL = "Kyiv"
_LOCATIVE = frozenset("in near around outside to from over at into across above of within on toward towards against "
                       "and or &".split())   # "Bucha and Kyiv": a list of places
_PLACE_FOLLOWS = frozenset("region oblast city district and or".split())


def _name_stems(question: str, places: list[Place], place_words: set[str]) -> list[frozenset[str]]:
    """The names a question is about, not its places (those steer by their tags): each as the stems of
    its one-word spellings ("Canadian" -> canadian, canada, ottawa…)."""
    names = []
    terms = qs.salient_terms(question, places, lambda stems: {}, 0, rare_below=0.0, place_words=place_words)
    for term in qs.merge_alternatives(question, terms):
        if term.kind in ("name", "acronym"):
            # stemmed as the BM25 index stems (spellings as written, not made American)
            stems = frozenset(index_stem(form.lower()) for form in term.forms if form.replace("-", "").isalnum())
            if stems:
                names.append(stems)
    return names
