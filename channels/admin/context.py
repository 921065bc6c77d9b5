"""What console routes share: the period and filters of a request, the question embedder."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from fastapi import HTTPException

from channels.admin.figures import Filters
from channels.admin.period import Period, last_days, parse_period
from channels.web import AppState

_LOCK = threading.Lock()


def period_of(start: str | None, end: str | None, default_days: int = 30) -> Period:
    if not start and not end:
        return last_days(default_days)
    try:
        default = last_days(default_days)
        return parse_period(start or default.start.isoformat(), end or default.end.isoformat())
    except ValueError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None


def filters_of(channel: str | None, document: str | None, topic: str | None) -> Filters:
    return Filters(channel=channel or None, document=document or None, topic=topic or None)


def question_embedder(state: AppState) -> Any:
    """The serving embedder behind a cache by content hash (questions repeat across views).

    None when the assistant has no embedder (a stand-in in tests): grouping then uses the
    wording alone.
    """
    cached = state.extra.get("question_embedder")
    if cached is not None:
        return cached
    inner = find_embedder(state.assistant)
    if inner is None:
        return None
    with _LOCK:
        if "question_embedder" not in state.extra:
            state.extra["question_embedder"] = cached_questions(inner, state.settings.cache_dir)
    return state.extra["question_embedder"]


class QueryVectors:
    """Questions embedded as queries (e5's query side separates topics better than its
    passage side), behind the embedding cache's interface so they are stored by hash."""

    def __init__(self, inner: Any) -> None:
        self.inner = getattr(inner, "inner", inner)  # the model itself, not a passage cache
        self.model_id = f"{self.inner.model_id}#query"
        self.dim = self.inner.dim

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self.inner.embed_query(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)


def cached_questions(embedder: Any, cache_dir: Path) -> Any:
    from ingest.embed import CachedEmbeddings

    return CachedEmbeddings(QueryVectors(embedder), cache_dir / "embeddings.sqlite3")


def find_embedder(assistant: Any) -> Any:
    for candidate in (assistant, getattr(assistant, "inner", None)):
        embedder = getattr(getattr(candidate, "retriever", None), "embedder", None)
        if embedder is not None:
            return embedder
    return None
