"""The CLI's text rendering of an answer: each passage verbatim under its numbered label."""
from __future__ import annotations

from retrieval.models import Answer, Citation
from retrieval.render import answer_as_text


def _citation(n: int, passage: str) -> Citation:
    return Citation(n=n, article_id=f"a{n}", title="Kanal district falls", date="2024-07-04", date_precision="day",
                    date_inferred=False, source="Kyiv Post", url=None, passage=passage, start=0,
                    end=len(passage), score=0.9)


def test_each_passage_is_printed_verbatim_under_its_label_without_doubled_quotes():
    quoted = "“The enemy completely occupied the Kanal district of Chasiv Yar,” commented Bohdan Khodakovsky."
    plain = "Ukrainian forces have withdrawn from the Kanal micro-district in the town of Chasiv Yar."
    answer = Answer(question="Why?", answer="They withdrew. [1] [2]", abstained=False, as_of="2024-07-04",
                    took_ms=1.0, citations=[_citation(1, quoted), _citation(2, plain)])
    text = answer_as_text(answer)
    assert "““" not in text and "””" not in text
    body = " ".join(line.strip() for line in text.splitlines() if line.startswith("    "))
    assert quoted in body and plain in body
    labels = [line for line in text.splitlines() if line.startswith("[")]
    assert [line[:3] for line in labels] == ["[1]", "[2]"] and all("2024-07-04" in line for line in labels)
    assert text.rstrip().endswith("As of 2024-07-04.")
