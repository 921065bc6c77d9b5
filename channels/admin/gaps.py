"""Editors' notes on content-gap groups: handled or not, and what was done."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from channels.admin.tables import gap_notes
from channels.storage import Storage


def notes(storage: Storage) -> dict[str, dict]:
    with storage.engine.connect() as conn:
        return {r.group_key: dict(r._mapping) for r in conn.execute(sa.select(gap_notes))}


def save_note(
    storage: Storage, key: str, example: str, handled: bool, note: str, user: str
) -> None:
    values = {
        "example": example,
        "handled": handled,
        "note": note or None,
        "user_name": user,
        "updated_at": datetime.now(UTC),
    }
    with storage.engine.begin() as conn:
        updated = conn.execute(
            gap_notes.update().where(gap_notes.c.group_key == key).values(**values)
        ).rowcount
        if not updated:
            conn.execute(gap_notes.insert().values(group_key=key, **values))
