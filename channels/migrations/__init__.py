"""Alembic migrations for the conversation store, run programmatically by Storage.migrate()."""
