"""The audit log: who did what from where, for every action in the console."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from channels.admin.tables import audit_log
from channels.storage import Storage

log = logging.getLogger("nq57.audit")


def record(
    storage: Storage,
    user: str | None,
    action: str,
    detail: dict[str, Any] | None = None,
    address: str | None = None,
) -> None:
    log.info("audit user=%s action=%s detail=%s", user, action, detail)
    with storage.engine.begin() as conn:
        conn.execute(
            audit_log.insert().values(
                at=datetime.now(UTC), user_name=user, action=action, detail=detail, address=address
            )
        )


def recent(storage: Storage, limit: int = 200) -> list[dict]:
    query = sa.select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
    with storage.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]
