"""Frontline's hybrid retrieval as a llama-index retriever, so it can sit in a llama-index pipeline.

    from llama_index.core.query_engine import RetrieverQueryEngine
    from retrieval import Frontline, FrontlineRetriever
    engine = RetrieverQueryEngine.from_args(FrontlineRetriever(frontline), llm=my_llm)

Each result is a `NodeWithScore` whose `TextNode` is one passage, verbatim: its text is the cleaned
article's `body[start_char_idx:end_char_idx]`, its metadata the article's id, title, date (and how
the date is known), outlet, URL and places. Frontline's own LLM path (generate.py) reads the same
nodes, so what a llama-index user gets and what Frontline's LLM is shown are one thing.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from llama_index.core.callbacks import CallbackManager
from llama_index.core.retrievers import BaseRetriever
from llama_index.core.schema import NodeRelationship, NodeWithScore, QueryBundle, RelatedNodeInfo, TextNode

from retrieval.models import Hit

if TYPE_CHECKING:
    from retrieval.service import Frontline

_NOT_FOR_MODELS = ["article_id", "date_precision", "date_inferred", "url", "places", "similarity"]


class FrontlineRetriever(BaseRetriever):
    """Dense + BM25 search fused by rank, steered by the places and dates a question names."""

    def __init__(self, frontline: Frontline, top_k: int | None = None,
                 callback_manager: CallbackManager | None = None) -> None:
        super().__init__(callback_manager=callback_manager)
        self._frontline = frontline
        self._top_k = top_k

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        return [hit_to_node(hit) for hit in self._frontline.search(query_bundle.query_str, k=self._top_k)]


def hit_to_node(hit: Hit) -> NodeWithScore:
    p = hit.passage
    node = TextNode(
        id_=p.id, text=p.text, start_char_idx=p.start, end_char_idx=p.end,
        metadata={
            "article_id": p.article_id, "title": p.title or "", "date": p.date or "",
            "date_precision": p.date_precision, "date_inferred": p.date_inferred,
            "source": p.source or "", "url": p.url or "", "places": list(p.places),
            "similarity": round(hit.similarity, 4),
        },
        excluded_embed_metadata_keys=list(_NOT_FOR_MODELS),
        excluded_llm_metadata_keys=list(_NOT_FOR_MODELS),
    )
    node.relationships[NodeRelationship.SOURCE] = RelatedNodeInfo(node_id=p.article_id)
    return NodeWithScore(node=node, score=hit.score)
