"""Who says so: the speaker a news sentence names, and who "he" is when it does not.

News English attributes with a handful of shapes: "X said", "X, spokesman for Y, told Z", "said X",
"according to X", "as X put it". A sentence that only says "he said", "she added" or "according to
him" is not quoted on its own: the answerer either quotes the sentence before it that names the
speaker, or adds the name in visible brackets. The patterns are regular expressions because a parser
would cost more than the whole question and these shapes cover the wire-service style.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from retrieval.chunking import split_sentences
from retrieval.dates import MONTHS, WEEKDAYS

_VERBS = (r"(?:said|says|told|tells|added|adds|stated|states|noted|notes|explained|stressed|emphasi[sz]ed|wrote|writes|"
          r"announced|claimed|claims|commented|outlined|disclosed|revealed|reported|reports|continued|warned|warns|"
          r"insisted|argued|confirmed|confirms|denied|denies|declared|remarked|asserted|admitted|clarified|observed|"
          r"recalled|specified|assured|believes|thinks|estimated|concluded|spoke)")
_NAME_WORD = r"[A-Z][\w’'\-.]*[\w]"
_NAME = rf"{_NAME_WORD}(?:\s+(?:{_NAME_WORD}|of|for|de|von|van|al|bin|the)){{0,5}}"
_ROLE_NOUN = (r"(?:spokes(?:man|woman|person)|officials?|governor|minister|ministry|commander|analysts?|experts?|mayor|"
              r"president|chief|head|general|staff|command|sources?|report|adviser|advisor|source|agency|office|"
              r"service|military|army|statement|representative|deputy|secretary|ambassador|envoy|leader|observers?)")
_ADVERB = r"(?:also|later|previously|then|further|earlier|again|reportedly|separately|additionally)"

# "Nazar Voloshyn, spokesman for the Khortytsia group, told Kyiv Post", "Gaidai said", "The ministry said"
_NAME_SAID = re.compile(rf"(?P<name>{_NAME})(?:,\s*(?P<role>[^,“”\"]{{3,140}}?),)?,?\s+(?:{_ADVERB}\s+)?{_VERBS}\b")
# "..., said Oleksander Musiyenko, a Kyiv-based military analyst." ("told X" names the listener)
_SAID_NAME = re.compile(rf"[,”\"’]\s*(?:{_VERBS.replace('told|tells|', '')})\s+(?P<name>{_NAME})")
_ACCORDING = re.compile(rf"\b[Aa]ccording to (?:the\s+)?(?P<name>{_NAME}|(?:[\w\-]+\s+){{0,5}}?{_ROLE_NOUN})\b")
_AS_SAID = re.compile(rf"\bAs (?P<name>{_NAME}) (?:{_ADVERB}\s+)?(?:outlined|said|noted|put it|explained|reported|wrote)\b")
# "A senior US defense official said", "the regional governor told"
_ROLE_SAID = re.compile(rf"\b(?P<name>(?:[Tt]he|[Aa]n?)\s+(?:[\w\-’']+\s+){{0,5}}?{_ROLE_NOUN})\s+(?:{_ADVERB}\s+)?{_VERBS}\b")

# A sentence whose speaker is only a pronoun.
_PRONOUN_OPEN = re.compile(rf"^[“\"‘']?\s*(?P<pro>He|She)\s+(?:{_ADVERB}\s+)?{_VERBS}\b"
                           r"|^(?:[“\"‘']?\s*)According to (?P<pro2>him|her)\b"
                           rf"|^As (?P<pro3>he|she) (?:{_ADVERB}\s+)?(?:said|put it|noted|explained)\b")
_PRONOUN_TAIL = re.compile(rf"[,”\"’!?]\s*(?P<pro>he|she)\s+(?:{_ADVERB}\s+)?{_VERBS}\b")

_TITLES = {"mr", "mrs", "ms", "dr", "gen", "general", "lt", "col", "colonel", "maj", "major", "capt", "captain", "sgt",
           "corporal", "cpl", "private", "president", "minister", "prime", "deputy", "commander", "governor", "mayor",
           "chief", "spokesman", "spokesperson", "spokeswoman", "head", "analyst", "expert", "military-political",
           "military", "political", "senior", "the", "a", "an", "adviser", "advisor", "secretary", "lieutenant",
           "sergeant", "admiral", "marshal", "colonel-general", "lieutenant-general", "major-general"}
_ORG_WORDS = {"ministry", "staff", "command", "office", "service", "forces", "army", "directorate", "agency", "post",
              "times", "news", "council", "committee", "institute", "administration", "government", "group",
              "project", "channel", "television", "tv", "report", "kremlin", "pentagon", "navy", "guard", "police",
              "media", "outlet", "newspaper", "journal", "center", "centre", "department", "bureau", "headquarters",
              "mission", "union", "nations", "brigade", "battalion", "regiment", "unit", "corps", "military"}
_NOT_NAMES = {"he", "she", "they", "it", "we", "i", "you", "this", "that", "there", "but", "and", "in", "on", "at",
              "the", "a", "an", "as", "after", "since", "when", "while", "if", "however", "meanwhile"}
# Capitals and peoples that speak for a state in news English ("Moscow said", "Ukrainians reported").
_DATE_WORDS = frozenset(MONTHS + WEEKDAYS)  # full names only: "Jan" may be a first name (Jan Egeland)
_COLLECTIVE = {"moscow", "kyiv", "kiev", "washington", "kremlin", "london", "beijing", "berlin", "paris", "brussels",
               "minsk", "ankara", "warsaw", "nato", "ukrainians", "russians", "americans", "officials", "analysts",
               "experts", "residents", "locals", "witnesses", "ukraine", "russia", "europe", "pentagon"}


@dataclass(frozen=True)
class Speaker:
    text: str          # as the article writes it: "Nazar Voloshyn", "a senior US defense official"
    person: bool       # a named person (rather than an institution or a role)

    @property
    def short(self) -> str:
        """The name to add in brackets: a person's surname, else the whole phrase."""
        if self.person:
            words = [w for w in self.text.split() if w.lower().strip(".") not in _TITLES]
            return words[-1] if words else self.text
        return self.text


_APPOSED_NAME = re.compile(r"[A-Z][\w’'\-]+(?:\s+[A-Z][\w’'\-]+){1,3}")


def speaker(sentence: str) -> Speaker | None:
    """The speaker this sentence names, if it names one."""
    for pattern in (_NAME_SAID, _SAID_NAME, _AS_SAID, _ACCORDING):
        for m in pattern.finditer(sentence):
            role = m.groupdict().get("role")
            if role and _APPOSED_NAME.fullmatch(role.strip()):
                # "The mayor of Pokrovsk, Ivan Petrenko, told": the name is the apposition
                return Speaker(role.strip(), person=True)
            found = _clean_name(m.group("name"))
            if found is not None:
                return found
    m = _ROLE_SAID.search(sentence)
    if m:
        return Speaker(_strip_article(m.group("name")), person=False)
    return None


def _clean_name(raw: str) -> Speaker | None:
    words = raw.split()
    while words and (words[0].lower() in _NOT_NAMES or words[0].lower() in _DATE_WORDS):
        words = words[1:]
    while words and words[-1].lower() in {"of", "for", "the", "de", "von", "van", "al", "bin"}:
        words = words[:-1]
    if not words or words[0].lower().rstrip("’'s") in _NOT_NAMES and len(words) == 1:
        return None
    if all(w.lower() in _DATE_WORDS for w in words):
        return None
    text = " ".join(words)
    low = {w.lower().strip(".,’'s") for w in words}
    org = bool(low & _ORG_WORDS) or any("’s" in w or "'s" in w for w in words)
    if not org and len(words) == 1 and (words[0].isupper() or words[0].lower() in _COLLECTIVE):
        org = True  # "ISW", "TASS", "Moscow", "Ukrainians"
    return Speaker(text, person=not org)


def _strip_article(text: str) -> str:
    return re.sub(r"^(?:[Tt]he)\s+", "the ", text)


@dataclass(frozen=True)
class Pronoun:
    start: int         # offsets of the pronoun in the sentence
    end: int


def unattributed_pronoun(sentence: str) -> Pronoun | None:
    """The "he"/"she" that stands for the speaker when the sentence names no one, else None."""
    m = _PRONOUN_OPEN.search(sentence)
    if m is None:
        m = _PRONOUN_TAIL.search(sentence)
    if m is None:
        return None
    group = next(g for g in ("pro", "pro2", "pro3") if g in m.re.groupindex and m.group(g))
    if _names_someone_before(sentence[:m.start(group)]):
        return None
    return Pronoun(m.start(group), m.end(group))


def _names_someone_before(text: str) -> bool:
    """A sentence like "Voloshyn said ... he added" names its speaker itself."""
    s = speaker(text)
    return s is not None and s.person


def antecedent(body: str, before: int, *, person: bool = True, max_sentences: int = 8) -> tuple[Speaker, int, int] | None:
    """The nearest speaker named before offset `before` of the article body, with that sentence's span.

    Sentences that themselves only say "he said" are stepped over (the same speaker goes on talking).
    """
    window_start = max(0, before - 3000)
    spans = [s for s in split_sentences(body, window_start, before) if s.end <= before]
    for span in reversed(spans[-max_sentences:]):
        text = body[span.start:span.end]
        found = speaker(text)
        if found is not None and (found.person or not person or not _is_institution(found)):
            return found, span.start, span.end
    return None


def _is_institution(s: Speaker) -> bool:
    return not s.person and not re.search(r"\b(?:spokes\w+|official|governor|minister|commander|analyst|expert|mayor|"
                                          r"president|chief|head|general|adviser|advisor|representative|deputy|"
                                          r"secretary|ambassador|envoy|leader)\b", s.text, re.I)
