"""What console routes share: the period and filters of a request, the question embedder."""

from __future__ import annotations

import threading
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
    if inner is None or hasattr(inner, "key"):  # none, or already cached by content hash
        return inner
    from ingest.embed import CachedEmbeddings

    with _LOCK:
        if "question_embedder" not in state.extra:
            path = state.settings.cache_dir / "embeddings.sqlite3"
            state.extra["question_embedder"] = CachedEmbeddings(inner, path)
    return state.extra["question_embedder"]


def find_embedder(assistant: Any) -> Any:
    for candidate in (assistant, getattr(assistant, "inner", None)):
        embedder = getattr(getattr(candidate, "retriever", None), "embedder", None)
        if embedder is not None:
            return embedder
    return None
