"""Precision and recall of place tagging against hand-labelled sentences (tests/data/place_labels.jsonl).

Each line holds a sentence and the gold set of places a careful reader finds in it, by canonical
gazetteer name; a name starting with "?" is a Ukrainian place the gazetteer does not know (it can only
be missed). A place counts once per sentence. Scored per (sentence, place) pair, micro-averaged.

The set: 300 sentences sampled at random (fixed seed) from RUWA's titles and lead paragraphs (240 of
them with a capitalised word inside the sentence, 60 without condition; RUWA is CC BY-NC-SA 4.0) and
68 written to test the hard cases (New York, Paris, Druzhba, Peremoha, namesakes, Cyrillic). Each row
has a fixed "dev" or "test" split (by a hash of its id): the rules were written looking at dev errors.

What counts as gold: settlements in Ukraine (with city districts), oblasts, Crimea and Donbas, and the
Russian border regions the gazetteer covers (Kursk, Belgorod oblasts, Sudzha). A place name that names
something by its location counts as that place ("Kramatorsk railway station", "Mariupol city
council", "Chernobyl nuclear power plant" -> Chornobyl; the Zaporizhzhia plant and the General Staff's
"Zaporizhzhia direction" are named after the oblast); the so-called DPR/LPR are the oblasts. Names of
units, newspapers and the like do not count ("Azov regiment", "Kyiv Post", "Sicheslav Brigade"), nor
do rivers, seas, islands, Ukraine itself or places abroad.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from retrieval.places import Gazetteer

LABELS = Path(__file__).resolve().parents[2] / "tests" / "data" / "place_labels.jsonl"


@dataclass
class Score:
    sentences: int = 0
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0
    errors: list[dict] = field(default_factory=list)

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        gold = self.true_positives + self.false_negatives
        return self.true_positives / gold if gold else 1.0

    def line(self, name: str) -> str:
        return (f"{name:>5}: {self.sentences} sentences, {self.true_positives + self.false_negatives} gold places; "
                f"precision {self.precision:.3f}, recall {self.recall:.3f} "
                f"(tp {self.true_positives}, fp {self.false_positives}, fn {self.false_negatives})")


def load_labels(path: Path = LABELS) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def score(gazetteer: Gazetteer, rows: list[dict]) -> Score:
    result = Score()
    for row in rows:
        result.sentences += 1
        found = {m.place.name for m in gazetteer.find(row["text"])}
        gold = set(row["places"])
        result.true_positives += len(found & gold)
        result.false_positives += len(found - gold)
        result.false_negatives += len(gold - found)
        if found != gold:
            result.errors.append({"id": row["id"], "text": row["text"], "extra": sorted(found - gold),
                                  "missed": sorted(gold - found)})
    return result


def score_splits(gazetteer: Gazetteer, rows: list[dict] | None = None) -> dict[str, Score]:
    rows = load_labels() if rows is None else rows
    return {
        "dev": score(gazetteer, [r for r in rows if r["split"] == "dev"]),
        "test": score(gazetteer, [r for r in rows if r["split"] == "test"]),
        "all": score(gazetteer, rows),
    }
