"""A LangChain `BaseRetriever` over the hybrid search, for use in other chains."""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict


class NQ57Retriever(BaseRetriever):
    """``NQ57Retriever(retriever=Retriever(settings), k=5).invoke("nghị quyết 57 là gì")``."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    retriever: Any
    k: int = 5

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        return [
            Document(
                page_content=hit.text,
                metadata={
                    "doc": hit.doc,
                    "doc_id": hit.doc_id,
                    "doc_number": hit.doc_number,
                    "locator": hit.locator,
                    "breadcrumb": hit.breadcrumb,
                    "score": hit.score,
                    "rank": hit.rank,
                    "chunk_id": hit.chunk_id,
                },
            )
            for hit in self.retriever.search(query, self.k)
        ]
