"""Alembic environment: always driven by Storage.migrate(), which hands over a connection."""

from __future__ import annotations

from alembic import context

VERSION_TABLE = "nq57_schema_version"

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "Run migrations through channels.storage.Storage(url).migrate(); "
        "this environment needs an open connection."
    )

context.configure(connection=connection, target_metadata=None, version_table=VERSION_TABLE)
with context.begin_transaction():
    context.run_migrations()
