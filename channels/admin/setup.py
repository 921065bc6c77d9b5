"""Put the console's pieces in front of the assistant when the app starts."""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa

from channels.admin.context import find_embedder
from channels.admin.live import LiveAssistant, wrap
from channels.storage import StorageError
from channels.web import AppState

log = logging.getLogger("nq57.admin")


def attach(state: AppState) -> None:
    """Wrap the assistant (curated answers, corpus version), record the corpus version and
    re-check curated answers against it. Never stops the service from starting."""
    live = wrap(state.assistant)
    if live is None:
        return
    state.assistant = live
    state.extra["live"] = live
    retriever = live.retriever
    if live.version is None and retriever is not None:
        from channels.admin.versions import index_version

        try:
            live.generation.version = index_version(getattr(retriever, "store", None))
        except Exception as exc:
            log.warning("could not read the corpus version: %s", exc)
    live.documents = lambda: state.documents() if state.documents is not None else {}
    refresh_curated(state)


def refresh_curated(state: AppState) -> list[str]:
    """Re-check curated answers against the current corpus and reload the matcher; returns
    the ids flagged now."""
    live: LiveAssistant | None = state.extra.get("live")
    if live is None or state.storage is None:
        return []
    from channels.admin import curated, versions

    try:
        versions.remember(state.storage, live.version)
        flagged = curated.recheck(state.storage, live.documents(), live.version)
        items = curated.all_curated(state.storage)
    except (StorageError, sa.exc.SQLAlchemyError) as exc:
        # The log database being away must not stop answers; curated ones wait for it.
        log.error("curated answers not loaded: %s", str(exc).splitlines()[0])
        return []
    embedder = find_embedder(live)
    if embedder is None:
        live.matcher = None
        return flagged
    matcher = curated.CuratedMatcher(
        embedder, analyzer(live), state.settings.curated_min_similarity
    )
    matcher.load(items)
    live.matcher = matcher
    return flagged


def analyzer(live: LiveAssistant) -> Any:
    retriever = live.retriever
    if retriever is not None and hasattr(retriever, "analyze"):
        return retriever.analyze
    from retrieval.query import analyze_query

    def analyze(text: str):
        metas = [meta for meta, _ in live.documents().values()]
        return analyze_query(text, metas)

    return analyze
