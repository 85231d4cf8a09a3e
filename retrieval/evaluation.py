"""The gold question sets: run one, score it per kind at two levels, and check every quote.

Two levels, because retrieval can be right while the answer is not:
- citation level: an expected article is among the first three citations (briefings: among the items);
- answer level: the answer text contains the answer itself — one of the item's `answers` (a number,
  a name, the reason), never merely a word of the question. Briefings: every item's sentence names
  the place or one of its sector's places, in any alias.
A question the corpus cannot answer passes both levels only by abstaining.

Every answer is also checked for misquotes: each cited passage must equal its article's body at its
offsets, and each answer sentence — without its [n] marks and the answerer's bracketed additions —
must be a verbatim slice of the passage it cites (or of that article's body).
"""
from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from retrieval.models import Answer

GOLD_SEEDS = Path(__file__).with_name("gold_seeds.jsonl")
GOLD_RUWA = Path(__file__).with_name("gold_ruwa.jsonl")
GOLD_SETS = {"seeds": GOLD_SEEDS, "ruwa": GOLD_RUWA}
CITED_WITHIN = 3

_MARK = re.compile(r"\s?\[(\d+)\]")
_BRACKETED = re.compile(r"\s?\[[^\[\]\n]*\]")
_BRIEFING_PREFIX = re.compile(r"^[^—\n]{0,40} — ")


@dataclass
class GoldResult:
    id: str
    kind: str
    cited: bool                  # citation level
    answered: bool               # answer level
    why: str

    @property
    def passed(self) -> bool:
        return self.cited and self.answered


@dataclass
class GoldReport:
    results: list[GoldResult] = field(default_factory=list)
    misquotes: list[str] = field(default_factory=list)

    def by_kind(self) -> dict[str, tuple[int, int, int]]:
        """kind -> (citation-level passes, answer-level passes, total)."""
        totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        for r in self.results:
            totals[r.kind][0] += r.cited
            totals[r.kind][1] += r.answered
            totals[r.kind][2] += 1
        return {k: (v[0], v[1], v[2]) for k, v in sorted(totals.items())}

    @property
    def score(self) -> float:
        return sum(r.passed for r in self.results) / len(self.results) if self.results else 0.0

    def rate(self, level: str, answerable: bool) -> float:
        """Share of the answerable (or unanswerable) items passing at one level ('cited' or 'answered')."""
        chosen = [r for r in self.results if (r.kind != "unanswerable") == answerable]
        return sum(getattr(r, level) for r in chosen) / len(chosen) if chosen else 0.0

    def to_json(self) -> dict:
        return {
            "score": round(self.score, 3),
            "by_kind": {k: {"cited": c, "answered": a, "total": t} for k, (c, a, t) in self.by_kind().items()},
            "failures": [{"id": r.id, "why": r.why} for r in self.results if not r.passed],
            "misquotes": self.misquotes,
        }

    def summary(self) -> str:
        lines = [f"{'kind':<13} {'cited (top 3)':>15} {'answered':>15}"]
        for kind, (c, a, t) in self.by_kind().items():
            lines.append(f"{kind:<13} {c:>4}/{t:<3} {c / t:>5.0%}  {a:>4}/{t:<3} {a / t:>5.0%}")
        n = len(self.results)
        c, a = sum(r.cited for r in self.results), sum(r.answered for r in self.results)
        lines.append(f"{'all':<13} {c:>4}/{n:<3} {c / max(n, 1):>5.0%}  {a:>4}/{n:<3} {a / max(n, 1):>5.0%}")
        lines += [f"  FAIL {r.id}: {r.why}" for r in self.results if not r.passed]
        lines += [f"  MISQUOTE {m}" for m in self.misquotes]
        return "\n".join(lines)


def load_gold(path: Path | str = GOLD_SEEDS) -> list[dict]:
    """The gold items of a set name ("seeds", "ruwa") or a .jsonl file; a bad file is a FrontlineError
    naming the line and what is wrong with it."""
    from retrieval.errors import FrontlineError

    path = Path(GOLD_SETS.get(str(path), path))
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise FrontlineError(f"cannot read the gold set {path}: {getattr(exc, 'strerror', None) or exc}") from None
    items = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise FrontlineError(f"{path}:{number}: not JSON ({exc.msg})") from None
        missing = [k for k in ("id", "kind", "question") if not isinstance(item, dict) or k not in item]
        if not missing and not item.get("abstain"):  # what _judge reads for an item that must be answered
            if not item.get("articles"):
                missing.append("articles")
            if item.get("mode") not in ("sector", "timeline") and not item.get("answers"):
                missing.append("answers")
            if missing:
                missing[-1] += ' (or "abstain": true)'
        if missing:
            raise FrontlineError(f"{path}:{number}: a gold item needs {', '.join(missing)}")
        items.append(item)
    return items


def run_gold(frontline, items: list[dict]) -> GoldReport:
    report = GoldReport()
    for item in items:
        mode = item.get("mode", "ask")
        if mode == "sector":
            answer = frontline.sector(item["question"])
        elif mode == "timeline":
            answer = frontline.timeline(item["question"])
        else:
            answer = frontline.ask(item["question"])
        report.results.append(_judge(frontline, item, answer))
        report.misquotes.extend(misquotes(answer, frontline.article_text))
    return report


def _judge(frontline, item: dict, answer: Answer) -> GoldResult:
    kind = item["kind"]
    if item.get("abstain"):
        ok = answer.abstained
        return GoldResult(item["id"], kind, ok, ok, "" if ok else f"answered instead of abstaining: {answer.answer[:120]!r}")
    if answer.abstained:
        return GoldResult(item["id"], kind, False, False, "abstained")
    within = answer.citations if item.get("mode") in ("sector", "timeline") else answer.citations[:CITED_WITHIN]
    cited = bool({c.article_id for c in within} & set(item["articles"]))
    why = "" if cited else f"cited {[c.article_id for c in answer.citations]}, expected one of {item['articles']}"
    if item.get("mode") in ("sector", "timeline"):
        stray = _lines_not_about(frontline, item["question"], answer)
        answered = not stray
        if stray:
            why = (why + "; " if why else "") + f"item sentences not about the place: {stray[:2]}"
        return GoldResult(item["id"], kind, cited, answered, why)
    quoted = quoted_text(answer.answer).lower()
    answered = any(a.lower() in quoted for a in item["answers"])
    if not answered:
        why = (why + "; " if why else "") + f"none of {item['answers']} in the answer: {answer.answer[:200]!r}"
    return GoldResult(item["id"], kind, cited, answered, why)


def _lines_not_about(frontline, name: str, answer: Answer) -> list[str]:
    """Briefing lines whose sentence names neither the place nor any place of its sector."""
    names = frontline.names_about(name)
    stray = []
    for line in answer.answer.split("\n"):
        sentence = _MARK.sub("", _BRIEFING_PREFIX.sub("", line, count=1))
        if not frontline.places_named(sentence) & names:
            stray.append(sentence[:80])
    return stray


def quoted_text(answer_text: str) -> str:
    """The answer without [n] marks and without bracketed additions (what is quoted from articles)."""
    return _BRACKETED.sub("", _MARK.sub("", answer_text))


def misquotes(answer: Answer, article_body: Callable[[str], str | None]) -> list[str]:
    """Citations that are not verbatim slices of their articles, and answer text that is in no cited source."""
    bad = []
    bodies: dict[str, str] = {}
    for c in answer.citations:
        body = article_body(c.article_id)
        bodies[c.article_id] = body or ""
        if body is None or body[c.start:c.end] != c.passage:
            bad.append(f"{answer.question!r} [{c.n}] {c.article_id}:{c.start}-{c.end} is not the article's text")
    if answer.abstained:
        return bad
    by_n = {c.n: c for c in answer.citations}
    text = answer.answer
    if answer.question.startswith(("Briefing:", "Timeline:")):  # "<date> — <sentence> [n]" lines
        text = "\n".join(_BRIEFING_PREFIX.sub("", line, count=1) for line in text.split("\n"))
    pos = 0
    # Pieces run from one [n] to the next: a quoted pair of sentences may hold its paragraph break.
    for m in _MARK.finditer(text):
        piece, pos = text[pos:m.start()], m.end()
        c = by_n.get(int(m.group(1)))
        if c is None:
            bad.append(f"{answer.question!r}: [{m.group(1)}] cites nothing")
            continue
        sources = (c.passage, bodies.get(c.article_id, ""))
        quoted = _without_additions(piece, sources).strip()
        if quoted and not any(quoted in s for s in sources):
            bad.append(f"{answer.question!r}: not verbatim from [{c.n}]: {quoted[:120]!r}")
    rest = _without_additions(text[pos:], ()).strip()
    if rest:
        bad.append(f"{answer.question!r}: text without a citation: {rest[:120]!r}")
    return bad


def _without_additions(text: str, sources: tuple[str, ...]) -> str:
    """Drop bracketed text the sources do not have (the answerer's additions); keep brackets they have."""
    return _BRACKETED.sub(lambda m: m.group() if any(m.group().strip() in s for s in sources) else "", text)


# ------------------------------------------------------------------------------------------- ablation
def ablate(frontline, item_sets: dict[str, list[dict]]) -> str:
    """The gold sets with each answer signal switched off in turn: what each one earns."""
    composer = frontline.composer
    base = composer.weights
    rows = [("all signals", base)]
    for f in fields(base):
        value = getattr(base, f.name)
        off = False if isinstance(value, bool) else 0.0
        if value != off:
            rows.append((f"without {f.name}", replace(base, **{f.name: off})))
    rows.append(("+ embed 12 sentences", base))  # the per-question sentence embedding, off by default
    names = list(item_sets)
    header = f"{'':<26}" + "".join(f"{n + ' answered':>16}{n + ' cited':>13}{n + ' declined':>16}" for n in names)
    lines = [header]
    embedded = composer.max_embedded
    try:
        for label, weights in rows:
            composer.weights = weights
            composer.max_embedded = 12 if label.startswith("+ embed") else embedded
            cells = []
            for name in names:
                r = run_gold(frontline, item_sets[name])
                cells.append(f"{r.rate('answered', True):>16.1%}{r.rate('cited', True):>13.1%}"
                             f"{r.rate('answered', False):>16.1%}")
            lines.append(f"{label:<26}" + "".join(cells))
    finally:
        composer.weights, composer.max_embedded = base, embedded
    return "\n".join(lines)
