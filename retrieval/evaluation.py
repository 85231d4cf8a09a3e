"""The gold question set: run it and score it per kind.

A question passes when:
- it should be answered: the answer does not abstain, one of the expected articles is among the
  citations, and (where the item lists terms) one of the terms appears in the answer text;
- it cannot be answered from the corpus: the answerer abstains;
- sector/timeline items: one of the expected articles is among the briefing's items.
Every answered item is also checked for verbatim quotes: each cited passage equals the article's
cleaned body at its offsets.
"""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from retrieval.models import Answer

GOLD_SEEDS = Path(__file__).with_name("gold_seeds.jsonl")


@dataclass
class GoldResult:
    id: str
    kind: str
    passed: bool
    why: str


@dataclass
class GoldReport:
    results: list[GoldResult] = field(default_factory=list)
    misquotes: list[str] = field(default_factory=list)

    def by_kind(self) -> dict[str, tuple[int, int]]:
        totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for r in self.results:
            totals[r.kind][0] += r.passed
            totals[r.kind][1] += 1
        return {k: (v[0], v[1]) for k, v in sorted(totals.items())}

    @property
    def score(self) -> float:
        return sum(r.passed for r in self.results) / len(self.results) if self.results else 0.0

    def to_json(self) -> dict:
        return {
            "score": round(self.score, 3),
            "by_kind": {k: {"passed": p, "total": t} for k, (p, t) in self.by_kind().items()},
            "failures": [{"id": r.id, "why": r.why} for r in self.results if not r.passed],
            "misquotes": self.misquotes,
        }

    def summary(self) -> str:
        lines = [f"{kind:<13} {p}/{t}" for kind, (p, t) in self.by_kind().items()]
        lines.append(f"{'all':<13} {sum(r.passed for r in self.results)}/{len(self.results)} = {self.score:.0%}")
        lines += [f"  FAIL {r.id}: {r.why}" for r in self.results if not r.passed]
        lines += [f"  MISQUOTE {m}" for m in self.misquotes]
        return "\n".join(lines)


def load_gold(path: Path = GOLD_SEEDS) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


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
        report.results.append(_judge(item, answer))
        report.misquotes.extend(_misquotes(frontline, answer))
    return report


def _judge(item: dict, answer: Answer) -> GoldResult:
    kind = item["kind"]
    if item.get("abstain"):
        ok = answer.abstained
        return GoldResult(item["id"], kind, ok, "" if ok else f"answered instead of abstaining: {answer.answer[:120]!r}")
    if answer.abstained:
        return GoldResult(item["id"], kind, False, "abstained")
    cited = {c.article_id for c in answer.citations}
    if not cited & set(item["articles"]):
        return GoldResult(item["id"], kind, False, f"cited {sorted(cited)}, expected one of {item['articles']}")
    terms = item.get("terms")
    if terms and not any(t.lower() in answer.answer.lower() for t in terms):
        return GoldResult(item["id"], kind, False, f"none of {terms} in the answer: {answer.answer[:160]!r}")
    return GoldResult(item["id"], kind, True, "")


def _misquotes(frontline, answer: Answer) -> list[str]:
    return [f"{answer.question!r} [{c.n}] {c.article_id}:{c.start}-{c.end}"
            for c in answer.citations if not frontline.verify_citation(c)]
