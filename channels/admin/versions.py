"""The corpus version: a short digest of what the index holds, recorded with every answer."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from channels.admin.tables import corpus_versions
from channels.storage import Storage


def index_version(store: Any) -> str | None:
    """Digest of the index's point ids (each is uuid5 of document, locator and content hash),
    so any added, removed or edited passage gives a new version, and a rebuild of the same
    corpus the same one."""
    if store is None:
        return None
    ids = sorted(h.id for h in store.scroll(limit=10_000_000))
    return hashlib.sha256("\n".join(ids).encode()).hexdigest()[:12]


def remember(
    storage: Storage, version: str | None, user: str | None = None, detail: dict | None = None
) -> None:
    if not version:
        return
    with storage.engine.begin() as conn:
        exists = conn.execute(
            sa.select(corpus_versions.c.version).where(corpus_versions.c.version == version)
        ).first()
        if exists is None:
            conn.execute(
                corpus_versions.insert().values(
                    version=version, published_at=datetime.now(UTC), user_name=user, detail=detail
                )
            )


def history(storage: Storage, limit: int = 20) -> list[dict]:
    query = sa.select(corpus_versions).order_by(corpus_versions.c.published_at.desc()).limit(limit)
    with storage.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]
