"""Frontline's hybrid retrieval inside a llama-index pipeline, through llama-index's public API only."""
from __future__ import annotations

from llama_index.core.llms import MockLLM
from llama_index.core.query_engine import RetrieverQueryEngine
from llama_index.core.schema import NodeRelationship, NodeWithScore, TextNode

from retrieval import FrontlineRetriever
from retrieval.models import Citation

QUESTION = "Why did Ukraine leave the Kanal district?"


def _as_citation(n: int, item: NodeWithScore) -> Citation:
    meta = item.node.metadata
    return Citation(n=n, article_id=meta["article_id"], title=meta["title"] or None, date=meta["date"] or None,
                    date_precision=meta["date_precision"], date_inferred=meta["date_inferred"],
                    source=meta["source"] or None, url=meta["url"] or None, passage=item.node.get_content(),
                    start=item.node.start_char_idx, end=item.node.end_char_idx, score=item.score or 0.0)


def test_the_retriever_returns_verbatim_passages_with_their_metadata(seeded):
    nodes = FrontlineRetriever(seeded, top_k=4).retrieve(QUESTION)
    hits = seeded.search(QUESTION, k=4)
    assert [n.node.node_id for n in nodes] == [h.passage.id for h in hits], "the same hybrid search"
    for item, hit in zip(nodes, hits):
        assert isinstance(item.node, TextNode)
        assert item.node.get_content() == hit.passage.text
        assert (item.node.start_char_idx, item.node.end_char_idx) == (hit.passage.start, hit.passage.end)
        assert seeded.verify_citation(_as_citation(1, item)), "node text is not the article's text at its offsets"
        assert item.node.metadata["date"] == (hit.passage.date or "")
        assert item.node.relationships[NodeRelationship.SOURCE].node_id == hit.passage.article_id
    assert any("Kanal" in n.node.get_content() for n in nodes)


def test_the_retriever_works_in_a_query_engine(seeded):
    engine = RetrieverQueryEngine.from_args(FrontlineRetriever(seeded, top_k=3), llm=MockLLM())
    response = engine.query(QUESTION)
    assert len(response.source_nodes) == 3
    assert response.source_nodes[0].node.metadata["article_id"] in {"000_70fc6d4290267bf3", "001_8f52d5173f8974a4"}
    # what the LLM was shown: the passage text and the title/date/outlet, not internal ids
    shown = response.source_nodes[0].node.get_content(metadata_mode="llm")
    assert response.source_nodes[0].node.get_content() in shown and "article_id" not in shown
