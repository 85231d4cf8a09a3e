"""Spellings of place names: keys for comparing them, and the variants generated from Cyrillic names.

News in English spells one village half a dozen ways: the official Ukrainian romanisation (KMU 2010:
Kupiansk), BGN/PCGN (Kupyansk, Kup'yans'k), forms from the Russian name (Kupyansk, Dzerzhinsk,
Artyomovsk), with and without apostrophes for the soft sign. They are generated here from the
Cyrillic names GeoNames carries, not typed by hand: translitua supplies the Ukrainian systems and the
Russian passport system; the press's BGN-like Russian forms (Avdeyevka, Artyomovsk, Novgorodskoye)
are a small table of our own, because translitua has no BGN/PCGN system for Russian.
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable

import translitua

APOSTROPHES = "'\u2019\u02bc\u2018`\u00b4\u2032"
_APOS_ANY = re.compile("[" + re.escape(APOSTROPHES) + "]")
SEPARATORS = r"[\s\-\u2010\u2011\u2013]+"
_SEP_RUN = re.compile(SEPARATORS)
_NON_ALNUM = re.compile(r"[\W_]+")

_UK_ONLY = set("іїєґІЇЄҐ")
_RU_ONLY = set("ыэёъЫЭЁЪ")
_CYRILLIC_NAME = re.compile(r"[А-ЯЁЄІЇҐа-яёєіїґ][А-ЯЁЄІЇҐа-яёєіїґ" + re.escape(APOSTROPHES) + r" \-]*")
_LATIN_NAME = re.compile(r"[A-Z][A-Za-z'\- ]*[a-z]")
# Combining marks that are stress or tone marks in GeoNames' Cyrillic ("Алекса́ндровск"); the breve
# of й and the diaeresis of ї/ё are letters and must stay.
_STRESS_MARKS = {"\u0301", "\u0300", "\u030b", "\u030f"}


# --------------------------------------------------------------------------- keys


def lookup_key(text: str) -> str:
    """Key for user-typed names: case-, diacritic- and punctuation-insensitive."""
    if text.isascii():  # most spellings: no diacritics to strip (a tenth of the time)
        return " ".join(_NON_ALNUM.sub(" ", text.replace("'", "").replace("`", "").lower()).split())
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    no_apostrophes = _APOS_ANY.sub("", stripped)
    return _NON_ALNUM.sub(" ", no_apostrophes.casefold()).strip()


def compact(key: str) -> str:
    return key.replace(" ", "")


def surface_key(text: str, *, fold_case: bool = True) -> str:
    """Key of a spelling or a matched surface: separator runs are one space, apostrophes dropped."""
    text = _APOS_ANY.sub("", _SEP_RUN.sub(" ", text.strip()))
    return text.lower() if fold_case else text


def tidy(spelling: str) -> str:
    """One separator and apostrophe style, case kept: the form spellings are stored in. A final
    apostrophe (BGN's soft sign in "Irpin'") is dropped: in running text it is a closing quote."""
    return _APOS_ANY.sub("'", re.sub(r"\s+", " ", spelling.strip())).rstrip("'")


def letter_count(text: str) -> int:
    return sum(ch.isalpha() for ch in text)


def strip_stress(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in _STRESS_MARKS))


def ascii_fold(text: str) -> str:
    """Latin text without diacritics: "Kupiańsk" -> "Kupiansk"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# --------------------------------------------------------------------------- names from GeoNames


def cyrillic_language(name: str) -> str | None:
    """'uk', 'ru' or 'any' for a Ukrainian/Russian Cyrillic name; None for other scripts and for
    Belarusian, Serbian, Bashkir... forms (GeoNames lists those too)."""
    if not _CYRILLIC_NAME.fullmatch(name):
        return None
    letters = set(name)
    uk, ru = bool(letters & _UK_ONLY), bool(letters & _RU_ONLY)
    if uk and ru:
        return None  # і with ы/э: Belarusian
    if uk or any(ch in APOSTROPHES for ch in name):
        return "uk"
    return "ru" if ru else "any"


def latin_name(name: str) -> str | None:
    """A Latin-script alternate name fit to be a spelling (capitalised, letters only), or None."""
    folded = tidy(ascii_fold(name))
    if not _LATIN_NAME.fullmatch(folded) or letter_count(folded) < 4:
        return None
    return folded


def similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, surface_key(a), surface_key(b)).ratio()


# --------------------------------------------------------------------------- transliteration


def ukrainian_latin(name: str) -> list[str]:
    """Latin spellings of a Ukrainian Cyrillic name: KMU 2010 (also with an apostrophe where the
    soft sign or apostrophe stands, which the matcher then treats as optional), BGN/PCGN, and the
    British system without its diacritics."""
    forms = [
        translitua.translit(name),
        _kmu_with_marks(name),
        translitua.translit(name, translitua.UkrainianBGN),
        ascii_fold(translitua.translit(name, translitua.UkrainianBritish)),
    ]
    return _unique(tidy(f) for f in forms if f)


def russian_latin(name: str) -> list[str]:
    """Latin spellings of a Russian Cyrillic name: the passport system (Kupyansk, Dzerzhinsk) and
    press BGN-like forms (Avdeyevka, Artyomovsk, Novgorodskoye, Krasny)."""
    name = name.replace("\u2019", "'")
    forms = [translitua.translit(name, translitua.RussianInternationalPassport1997)]
    press = _russian_press(name)
    forms.append(press)
    forms.append(re.sub(r"(?<=[a-z])(?:yy|iy)\b", lambda m: "y" if m.group() == "yy" else "i", press))
    return _unique(tidy(f) for f in forms if f)


def spellings_of_cyrillic(name: str, language: str) -> list[str]:
    """The Cyrillic name itself and its Latin spellings for its language."""
    out = [tidy(name)]
    if language in ("uk", "any"):
        out += ukrainian_latin(name)
    if language in ("ru", "any"):
        out += russian_latin(name)
    return _unique(out)


def _kmu_with_marks(name: str) -> str:
    """KMU 2010 drops the soft sign and the apostrophe; put an apostrophe where each stood
    ("Sievierodonets'k", "Kup'iansk") when the transliteration of the text before it is a prefix of
    the whole transliteration (KMU is letter by letter except at word starts)."""
    clean = _APOS_ANY.sub("", name)
    full = translitua.translit(clean)
    cuts, pos = [], 0
    for ch in name:
        if ch in APOSTROPHES:
            cuts.append(pos)
            continue
        pos += 1
        if ch in "ьЬ":
            cuts.append(pos)
    marks = set()
    for cut in cuts:
        prefix = translitua.translit(clean[:cut])
        if prefix and full.startswith(prefix) and 0 < len(prefix) < len(full):
            marks.add(len(prefix))
    for at in sorted(marks, reverse=True):
        full = full[:at] + "'" + full[at:]
    return full


_RU_TABLE = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "ж": "zh", "з": "z", "и": "i", "й": "y",
    "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "'",
    "э": "e", "ю": "yu", "я": "ya", "'": "",
}
_RU_VOWELS = set("аеёиоуыэюяъь")


def _russian_press(name: str) -> str:
    out = []
    lower = name.lower()
    for i, ch in enumerate(lower):
        prev = lower[i - 1] if i else " "
        if ch == "е":
            latin = "ye" if prev in _RU_VOWELS or not prev.isalpha() else "e"
        elif ch == "ё":
            latin = "yo"
        else:
            latin = _RU_TABLE.get(ch, ch)
        if name[i].isupper() and latin:
            latin = latin[0].upper() + latin[1:]
        out.append(latin)
    return "".join(out)


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(i for i in items if i))
