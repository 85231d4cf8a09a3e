"""The RUWA gold set (retrieval/gold_ruwa.jsonl) over a RUWA subset: every gold article plus every
eighth item of the corpus as distractors (deterministic), so it runs in a minute or two, not ten.

The bars sit a few points under what this subset measures, so a regression fails while one question
changing its mind does not; the full-corpus score is printed by `python -m retrieval eval --gold ruwa`.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from retrieval.evaluation import load_gold, run_gold
from tests.conftest import RUWA as _RUWA
from tests.conftest import make_config

RUWA = Path(os.environ.get("FRONTLINE_RUWA", _RUWA))  # a worktree outside the repository's folder names it
pytestmark = pytest.mark.skipif(not RUWA.exists(), reason=f"{RUWA} is absent: the RUWA corpus is not shipped with the repository")

DISTRACTOR_STEP = 8
# Measured on this subset: 2,387 of 3,019 answerable questions answered (79.1%), 2,403 cited, 804 of 1,001 declined.
# (The subset is a tenth of RUWA: words like "describe" or "reopen" occur in no passage of it, count as
# rare, and must then be in the evidence, so it declines a few questions the full corpus answers.)
# Each batch of questions added was written by someone who never saw the answerer and scored below the
# rest on first sight (ho27-ho38: 76 of 144 answered; ho39-ho50: 72 of 144; ho51-ho62: 91 of 144;
# ho63-ho86: 174 of 288; ho87-ho122: 269 of 432; ho123-ho150: 218 of 336; ho151-ho166: 126 of 192;
# ho167-ho190: 208 of 288; ho191-ho214: 195 of 288; ho215-ho242: 247 of 333; ho243-ho250: 65 of 96), so the bars
# moved down as the set grew harder, and up again (0.72 -> 0.74) when the gate let a question's place and dates
# stand for terms (+3 points here):
MIN_ANSWERED = 0.74      # the answer text holds the answer (2,234 of 3,019; 0.75 of 768 before ho63-ho86)
MIN_CITED = 0.74         # an expected article among the first three citations
MIN_DECLINED = 0.78      # off-corpus questions declined (781 of 1,001; 0.85 before ho39-ho50). Not 1.0: an
                         # event that never happened, or a detail never reported, about people and places
                         # the corpus is full of ("did putin go to occupied mariupol?", "how many left Kherson
                         # on the free evacuation trains?", "how many Ukrainian refugees had Estonia registered?")
                         # is still answered with the reports naming them - known misses


@pytest.fixture(scope="module")
def ruwa_subset(tmp_path_factory, embedder, gazetteer):
    from retrieval.service import Frontline

    gold = load_gold("ruwa")
    wanted = {a for item in gold for a in item.get("articles", [])}
    folder = tmp_path_factory.mktemp("ruwa")
    lines = RUWA.read_text(encoding="utf-8").splitlines()
    picked = [line for k, line in enumerate(lines) if k % DISTRACTOR_STEP == 0 or json.loads(line)["id"] in wanted]
    (folder / "ruwa-subset.jsonl").write_text("\n".join(picked) + "\n", encoding="utf-8")
    frontline = Frontline(make_config(folder / "data"), embedder=embedder, gazetteer=gazetteer)
    report = frontline.ingest([folder / "ruwa-subset.jsonl"])
    assert report.articles == len(picked), report.summary()
    yield frontline
    frontline.close()


def test_ruwa_gold_set_keeps_its_bar(ruwa_subset):
    report = run_gold(ruwa_subset, load_gold("ruwa"))
    print(report.summary())
    assert report.rate("answered", True) >= MIN_ANSWERED, report.summary()
    assert report.rate("cited", True) >= MIN_CITED, report.summary()
    assert report.rate("answered", False) >= MIN_DECLINED, report.summary()
    assert report.misquotes == []
