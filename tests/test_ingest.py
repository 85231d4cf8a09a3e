"""Ingest on the seeds' real noise: dates, offsets, places, idempotence, collections, bad files."""
from __future__ import annotations

import json
import shutil

import pytest

from tests.conftest import RUWA, SEEDS

EXPECTED_DATES = {
    "000_70fc6d4290267bf3": ("2024-07-04", "day", False),
    "001_8f52d5173f8974a4": ("2024-07-07", "day", False),
    "002_6ac94ade45329e36": ("2022-06-24", "day", True),
    "003_eff92d498bb88172": ("2023-07-02", "day", True),
    "004_92324799064f7f45": ("2022-07", "month", True),
}


def _articles(frontline):
    rows = frontline._docstore._query("SELECT article_id, date, date_precision, date_inferred, body FROM articles")
    return {r[0]: r[1:] for r in rows}


def test_each_seed_gets_its_date_and_precision(seeded):
    got = {aid: (date, precision, bool(inferred)) for aid, (date, precision, inferred, _) in _articles(seeded).items()}
    assert got == EXPECTED_DATES


def test_every_passage_is_verbatim_from_its_cleaned_article(seeded):
    bodies = {aid: body for aid, (*_, body) in _articles(seeded).items()}
    ids, _ = seeded._docstore.index_rows()[:2]
    passages = seeded._docstore.passages(ids).values()
    assert len(passages) > 20
    for p in passages:
        assert bodies[p.article_id][p.start:p.end] == p.text
        assert len(p.text) <= 500


def test_boilerplate_is_not_in_any_passage(seeded):
    ids, texts = seeded._docstore.index_rows()[:2]
    joined = "\n".join(texts)
    for junk in ("Check Also", "Taopi tornado", "News Feed", "2 min read", "Facebook", "AFP / ARIS", "Read more"):
        assert junk not in joined


def test_passages_are_tagged_with_places_and_sectors(seeded):
    toretsk = seeded._docstore.passages_naming(["Toretsk"])
    assert toretsk and all("Toretsk" in p.places for p in toretsk)
    assert {p.article_id for p in toretsk} >= {"001_8f52d5173f8974a4"}
    assert seeded._docstore.passages_naming(["Bakhmut"])[0].article_id == "003_eff92d498bb88172"


def test_reingest_of_unchanged_seeds_embeds_nothing(fresh):
    first = fresh.ingest()
    again = fresh.ingest()
    assert first.passages_embedded == first.passages > 0
    assert again.passages_embedded == 0 and again.articles_unchanged == 5
    assert again.passages == first.passages
    assert fresh._vectors.ids() == fresh._docstore.passage_ids()


def test_changed_file_replaces_its_passages_and_prune_drops_missing(fresh, tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    fresh.ingest([corpus])
    target = corpus / "001_8f52d5173f8974a4.txt"
    target.write_text("date 2024-08-01\nToretsk was quiet today, the spokesman said.\n", encoding="utf-8")
    (corpus / "004_92324799064f7f45.txt").unlink()
    report = fresh.ingest([corpus], prune=True)
    assert report.articles_removed == 1
    assert report.passages_embedded == 1
    passages = fresh._docstore.passages_naming(["Toretsk"])
    assert [p.text for p in passages if p.article_id.startswith("001")] == ["Toretsk was quiet today, the spokesman said."]
    assert not [pid for pid in fresh._docstore.passage_ids() if pid.startswith("004_")]
    assert fresh._vectors.ids() == fresh._docstore.passage_ids()


def test_jsonl_and_csv_collections(fresh, tmp_path):
    items = [
        {"id": "a1", "date": "2022-05-20", "title": "Mariupol steel plant falls", "text": "The last defenders of Mariupol left the Azovstal plant.", "source": "Example", "url": "https://example.org/a1"},
        {"id": "a2", "date": "2022-06-01", "title": "Title only item about Kherson", "text": ""},
    ]
    (tmp_path / "c.jsonl").write_text("\n".join(json.dumps(i) for i in items) + "\n{not json\n", encoding="utf-8")
    (tmp_path / "d.csv").write_text('id,date,title,text,source,url\nb1,2023-01-10,Soledar,"Fighting in Soledar continued.",Wire,\n', encoding="utf-8")
    report = fresh.ingest([tmp_path / "c.jsonl", tmp_path / "d.csv"])
    assert report.articles == 3
    assert [s.reason for s in report.skipped] == [report.skipped[0].reason] and "not JSON" in report.skipped[0].reason
    p = fresh._docstore.passages_naming(["Mariupol"])[0]
    assert (p.article_id, p.date, p.date_precision, p.date_inferred, p.source) == ("a1", "2022-05-20", "day", False, "Example")
    assert fresh._docstore.passages_naming(["Kherson"])[0].text == "Title only item about Kherson"
    assert fresh._docstore.passages_naming(["Soledar"])[0].date == "2023-01-10"


def test_bad_files_are_skipped_with_reasons_and_the_rest_ingested(fresh, tmp_path):
    (tmp_path / "good.txt").write_text("date 2024-01-02\nKupiansk was shelled overnight, officials said.\n")
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02PNG" * 100)
    (tmp_path / "latin1.txt").write_bytes("Caf\xe9 in Kharkiv was hit.".encode("latin-1"))
    (tmp_path / "cols.csv").write_text("id,body\n1,hello\n")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF-1.4")
    report = fresh.ingest([tmp_path])
    reasons = {s.origin.rsplit("/", 1)[-1]: s.reason for s in report.skipped}
    assert report.articles == 1
    assert "empty" in reasons["empty.txt"]
    assert "binary" in reasons["binary.txt"]
    assert "UTF-8" in reasons["latin1.txt"]
    assert "column" in reasons["cols.csv"]
    assert "unsupported" in reasons["notes.pdf"]


def test_json_report_shape(fresh):
    data = fresh.ingest().to_json()
    assert {"articles", "passages", "passages_embedded", "skipped", "seconds"} <= set(data)
    assert data["articles"] == 5 and data["seconds"] > 0


@pytest.mark.skipif(not RUWA.exists(), reason="../shared/corpus/ruwa.jsonl is not on this machine")
def test_ruwa_sample_ingests_as_it_is(fresh, tmp_path):
    sample = tmp_path / "ruwa_sample.jsonl"
    with RUWA.open(encoding="utf-8") as src:
        sample.write_text("".join(line for _, line in zip(range(300), src)), encoding="utf-8")
    report = fresh.ingest([sample])
    assert report.articles == 300 and not report.skipped
    stats = fresh.stats()
    assert stats["undated_articles"] == 0 and stats["first_date"] >= "2021-01-01"


def test_a_50_mb_file_is_truncated_with_a_reason_and_the_rest_still_ingested(fresh, tmp_path):
    paragraph = "Shelling continued near Kupiansk overnight, the regional governor said on Telegram.\n\n"
    (tmp_path / "huge.txt").write_text("date 2024-03-01\n" + paragraph * (50_000_000 // len(paragraph)), encoding="utf-8")
    (tmp_path / "small.txt").write_text("date 2024-03-02\nA quiet day in Kramatorsk, officials said.\n", encoding="utf-8")
    report = fresh.ingest([tmp_path])
    assert report.articles == 2
    [note] = [s for s in report.skipped if s.origin.endswith("huge.txt")]
    assert "only the first part" in note.reason
    assert fresh._docstore.passages_naming(["Kramatorsk"])
