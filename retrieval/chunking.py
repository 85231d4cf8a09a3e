"""Sentence-aware passages with verbatim character offsets.

Why our own splitter rather than llama-index's SentenceSplitter: its nodes' start/end offsets are found by
searching for a chunk text that it may have re-joined with different whitespace, so
`body[start:end] == passage` is not guaranteed. Every quote Frontline shows must be checkable against
the cleaned article, so spans are computed here, on the original string, and never re-joined.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

MAX_PASSAGE_CHARS = 500

# Words that end in a full stop without ending a sentence ("Gen. Zaluzhnyi", "the U.S. army").
_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "gen", "lt", "col", "maj", "capt", "sgt", "cpl", "pvt", "adm", "st", "no",
    "vs", "etc", "e.g", "i.e", "u.s", "u.k", "u.n", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
    "sep", "sept", "oct", "nov", "dec", "approx", "km", "sq", "ft", "inc", "co", "corp", "jr", "sr",
}
# A sentence ends at . ! ? or … (optionally followed by closing quotes/brackets) before white space.
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s)")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


@dataclass(frozen=True)
class Span:
    start: int
    end: int


def split_paragraphs(text: str) -> list[Span]:
    spans, pos = [], 0
    for brk in _PARAGRAPH_BREAK.finditer(text):
        spans.extend(_trimmed(text, pos, brk.start()))
        pos = brk.end()
    spans.extend(_trimmed(text, pos, len(text)))
    return spans


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Sentence spans of text[start:end], each stripped of surrounding white space."""
    end = len(text) if end is None else end
    spans: list[Span] = []
    sentence_start = start
    for match in _SENTENCE_END.finditer(text, start, end):
        if (_is_abbreviation(text, match.start()) or not _next_starts_sentence(text, match.end(), end)
                or _inside_quote(text, sentence_start, match.end())):
            continue
        spans.extend(_trimmed(text, sentence_start, match.end()))
        sentence_start = match.end()
    spans.extend(_trimmed(text, sentence_start, end))
    return spans


def chunk(text: str, max_chars: int = MAX_PASSAGE_CHARS) -> list[Span]:
    """Group whole sentences into passages of at most max_chars (a longer sentence is cut at a space).

    Passages never start mid-sentence and may run across a paragraph break when both sides are short,
    so that a one-line paragraph keeps its context.
    """
    passages: list[Span] = []
    current: Span | None = None
    for sentence in _bounded_sentences(text, max_chars):
        if current is not None and sentence.end - current.start <= max_chars:
            current = Span(current.start, sentence.end)
            continue
        if current is not None:
            passages.append(current)
        current = sentence
    if current is not None:
        passages.append(current)
    return passages


def _bounded_sentences(text: str, max_chars: int) -> list[Span]:
    out: list[Span] = []
    for paragraph in split_paragraphs(text):
        for sentence in split_sentences(text, paragraph.start, paragraph.end):
            out.extend(_cut_long(text, sentence, max_chars))
    return out


def _cut_long(text: str, span: Span, max_chars: int) -> list[Span]:
    pieces, start = [], span.start
    while span.end - start > max_chars:
        cut = text.rfind(" ", start + max_chars // 2, start + max_chars)
        cut = cut if cut > start else start + max_chars
        pieces.extend(_trimmed(text, start, cut))
        start = cut
    pieces.extend(_trimmed(text, start, span.end))
    return pieces


def _trimmed(text: str, start: int, end: int) -> list[Span]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return [Span(start, end)] if end > start else []


def _is_abbreviation(text: str, dot: int) -> bool:
    if text[dot] != ".":
        return False
    word_start = dot
    while word_start > 0 and (text[word_start - 1].isalnum() or text[word_start - 1] == "."):
        word_start -= 1
    word = text[word_start:dot].lower()
    # single capital letters are initials ("J. Smith"); listed words are abbreviations
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def _inside_quote(text: str, start: int, end: int) -> bool:
    """A full stop inside an open quotation does not end the sentence that quotes it."""
    piece = text[start:end]
    return piece.count("“") > piece.count("”") or piece.count('"') % 2 == 1


def _next_starts_sentence(text: str, pos: int, end: int) -> bool:
    while pos < end and text[pos].isspace():
        pos += 1
    if pos >= end:
        return True
    nxt = text[pos]
    return nxt.isupper() or nxt.isdigit() or nxt in "\"'“‘«([•-–—" or not nxt.isalpha()
