"""Conversations are kept `NQ57_RETENTION_DAYS` days after their last message, then deleted
(Nghị định 13/2023/NĐ-CP: personal data no longer than the purpose needs).

`nq57 serve` purges once at start and then every hour; `nq57 purge --before DATE` does it by
hand. Deleting a conversation deletes its messages and their feedback.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, FastAPI

from channels.storage import StorageError

log = logging.getLogger("nq57.retention")

PURGE_EVERY_SECONDS = 3600.0


def cutoff(days: int, now: datetime | None = None) -> datetime:
    return (now or datetime.now(UTC)) - timedelta(days=days)


def purge_expired(storage: Any, days: int) -> dict[str, int] | None:
    """One purge pass; None (logged) when the database is unavailable."""
    try:
        deleted = storage.purge(cutoff(days))
    except StorageError as exc:
        log.warning("retention: purge skipped, database unavailable: %s", exc)
        return None
    if any(deleted.values()):
        log.info("retention: deleted %s (older than %d days)", deleted, days)
    return deleted


def retention_router(storage: Any, days: int, every: float = PURGE_EVERY_SECONDS) -> APIRouter:
    """A router whose lifespan runs the hourly purge; ``days`` ≤ 0 keeps everything."""

    async def loop() -> None:
        while True:
            await asyncio.to_thread(purge_expired, storage, days)
            await asyncio.sleep(every)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        task = asyncio.create_task(loop(), name="retention") if days > 0 else None
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    return APIRouter(lifespan=lifespan)
