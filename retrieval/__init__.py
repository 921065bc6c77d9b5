"""Hybrid Vietnamese retrieval: query analysis, diacritic restoration, dense + sparse search."""

from retrieval.query import AnalyzedQuery, analyze_query
from retrieval.restore import DiacriticRestorer
from retrieval.search import Retriever, SearchResult
from retrieval.types import Hit

__all__ = [
    "AnalyzedQuery",
    "DiacriticRestorer",
    "Hit",
    "Retriever",
    "SearchResult",
    "analyze_query",
]
